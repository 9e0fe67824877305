"""Run Evidently's DataDriftPreset on a reference and a current file, as a
user would: load both files with pandas, run Report([DataDriftPreset()]), take
the results out of the snapshot. Writes the per-column results and the time of
each phase as JSON.

    python run_evidently.py --manifest M.json --reference R.csv --current C.csv --out OUT.json
    python run_evidently.py --import-only     # time and memory of the imports alone

The driver (run.py) measures the process's wall time and peak RSS; the phase
times here only say where that time went.
"""

import json
import sys
import time

import peer

T0 = time.perf_counter()
import pandas as pd  # noqa: E402
import evidently  # noqa: E402
from evidently import DataDefinition, Dataset, Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

T_IMPORT = time.perf_counter()


def main(argv):
    parsed = peer.parse_args(argv, __doc__, "evidently", evidently.__version__, T_IMPORT - T0)
    if parsed is None:
        return
    args, manifest = parsed
    features = manifest["features"]
    # Date-time columns (the hard set's event_time) are declared as such, as a
    # user would; left undeclared, Evidently takes ISO-8601 text for a text
    # column and trains a classifier on it for "text content drift".
    times = manifest.get("time_columns", [])
    numeric = [f["name"] for f in features if f["kind"] == "numeric"]
    categorical = [f["name"] for f in features if f["kind"] == "categorical"]

    t = time.perf_counter()
    ref, cur = peer.load(args.reference), peer.load(args.current)
    t_load = time.perf_counter()
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical,
                                datetime_columns=times or None)
    snapshot = Report([DataDriftPreset()]).run(
        Dataset.from_pandas(cur, data_definition=definition),
        Dataset.from_pandas(ref, data_definition=definition),
    )
    t_run = time.perf_counter()
    result = {"tool": "evidently", "version": evidently.__version__, "rows": {"reference": len(ref), "current": len(cur)},
              "features": [], "drifted": None}
    for m in snapshot.dict()["metrics"]:
        cfg = m["config"]
        if cfg["type"].endswith(":ValueDrift"):
            value, threshold = float(m["value"]), float(cfg["threshold"])
            result["features"].append({"name": cfg["column"], "method": cfg["method"], "threshold": threshold,
                                       "value": value, "drift": value >= threshold})
        elif cfg["type"].endswith(":DriftedColumnsCount"):
            result["drifted"] = {"count": m["value"]["count"], "share": m["value"]["share"]}
    t_export = time.perf_counter()
    result["phases"] = {"import": T_IMPORT - T0, "load": t_load - t, "report": t_run - t_load, "export": t_export - t_run}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
