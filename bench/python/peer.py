"""What the peer runners (run_evidently.py, run_nannyml.py, run_pandas.py)
share: their command line and how they read a data file. It imports only the
standard library, so it adds nothing to a runner's measured import time."""

import argparse
import json


def parse_args(argv, doc, tool, version, import_seconds):
    """Parse a runner's flags. With --import-only, print the tool's version and
    import time and return None; else return the flags and the manifest."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--manifest")
    ap.add_argument("--reference")
    ap.add_argument("--current")
    ap.add_argument("--out")
    ap.add_argument("--import-only", action="store_true")
    args = ap.parse_args(argv)
    if args.import_only:
        print(json.dumps({"tool": tool, "version": version, "import_seconds": import_seconds}))
        return None
    if not (args.manifest and args.reference and args.current and args.out):
        ap.error("--manifest, --reference, --current and --out are required")
    with open(args.manifest) as f:
        manifest = json.load(f)
    return args, manifest


def load(path):
    """Read a data file as a user of the tool would: Parquet or CSV by its extension."""
    import pandas as pd  # the runner has imported it already

    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
