"""Run NannyML's univariate drift (Kolmogorov-Smirnov and Jensen-Shannon) on
a reference and a current file: load both with pandas, fit the calculator on
the reference, calculate on the current data as one chunk, take the values
out. Writes the per-column values and the time of each phase as JSON.

    python run_nannyml.py --manifest M.json --reference R.csv --current C.csv --out OUT.json
    python run_nannyml.py --import-only

One chunk makes NannyML's statistics cover the whole current data, like the
other tools'. NannyML's alert thresholds come from the spread of the statistic
over several reference chunks; with one chunk they degenerate (every feature
alerts), so its alerts are not used: only its values are compared.
"""

import json
import os
import sys
import time
import warnings

import peer

os.environ.setdefault("NML_DISABLE_USAGE_LOGGING", "1")
T0 = time.perf_counter()
import pandas as pd  # noqa: E402
import nannyml  # noqa: E402

T_IMPORT = time.perf_counter()


def main(argv):
    parsed = peer.parse_args(argv, __doc__, "nannyml", nannyml.__version__, T_IMPORT - T0)
    if parsed is None:
        return
    args, manifest = parsed
    features = manifest["features"]
    names = [f["name"] for f in features]
    categorical = [f["name"] for f in features if f["kind"] == "categorical"]
    warnings.filterwarnings("ignore")  # "the resulting number of chunks is too low", once per column

    t = time.perf_counter()
    ref, cur = peer.load(args.reference), peer.load(args.current)
    t_load = time.perf_counter()
    calc = nannyml.UnivariateDriftCalculator(
        column_names=names, treat_as_categorical=categorical,
        continuous_methods=["kolmogorov_smirnov", "jensen_shannon"], categorical_methods=["jensen_shannon"],
        chunk_number=1)
    calc.fit(ref)
    df = calc.calculate(cur).filter(period="analysis").to_df()
    t_run = time.perf_counter()
    row = df.iloc[0]
    out = []
    for name in names:
        methods = ["jensen_shannon"] if name in categorical else ["kolmogorov_smirnov", "jensen_shannon"]
        out.append({"name": name, **{m: float(row[(name, m, "value")]) for m in methods}})
    t_export = time.perf_counter()
    result = {"tool": "nannyml", "version": nannyml.__version__, "rows": {"reference": len(ref), "current": len(cur)},
              "features": out,
              "phases": {"import": T_IMPORT - T0, "load": t_load - t, "drift": t_run - t_load, "export": t_export - t_run}}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
