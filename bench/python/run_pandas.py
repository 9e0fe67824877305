"""The drift check a data scientist would write with pandas and scipy: load
both files with pandas; per numeric column scipy.stats.ks_2samp and the PSI
over the reference deciles; per categorical column a chi-squared test of the
two samples' counts and the PSI over the category shares. Writes the
per-column results and the time of each phase as JSON.

    python run_pandas.py --manifest M.json --reference R.csv --current C.csv --out OUT.json
    python run_pandas.py --import-only     # time and memory of the imports alone

Written plainly, as such a script is, not tuned for speed. Its definitions are
the ones modelwatch documents (README, "The drift statistics"):

- missing values are left out of every statistic (dropna, value_counts), and
  their share is compared on its own;
- PSI bins are the distinct reference deciles (numpy.quantile, linear), each
  bin closed on the right: (-inf, e0], (e0, e1], ..., (e_last, inf); PSI is
  sum (q - p) ln(q / p) with a zero share replaced by 1e-4;
- the categorical chi-squared test is the test of homogeneity of the 2 x k
  table of reference and current counts,
  scipy.stats.chi2_contingency(table, correction=False);
- a column drifts when its PSI reaches 0.25 or its missing share moves by 20
  points or more.

Two things it does not copy from modelwatch, as a user would not: it bins every
numeric column on its deciles (modelwatch bins a numeric column with at most 20
distinct reference values on those values), and it keeps every category
(modelwatch keeps the 1,000 most frequent reference categories and pools the
rest, and the current categories the reference never had, into __other__).
"""

import json
import sys
import time

import peer

T0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402
from scipy import stats  # noqa: E402

T_IMPORT = time.perf_counter()

PSI_DRIFT = 0.25
MISSING_DRIFT = 0.2
EPSILON = 1e-4


def psi(p, q):
    p = np.where(p == 0, EPSILON, p)
    q = np.where(q == 0, EPSILON, q)
    return float(np.sum((q - p) * np.log(q / p)))


def decile_shares(values, edges):
    # searchsorted(side="left") counts the edges below a value: bins closed on the right.
    counts = np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1)
    return counts / len(values)


def numeric_column(ref, cur):
    a = ref.dropna().to_numpy(dtype=np.float64)
    b = cur.dropna().to_numpy(dtype=np.float64)
    ks = stats.ks_2samp(a, b)
    edges = np.unique(np.quantile(a, np.arange(1, 10) / 10))
    return {"psi": psi(decile_shares(a, edges), decile_shares(b, edges)), "edges": edges.tolist(),
            "ks": {"statistic": float(ks.statistic), "p_value": float(ks.pvalue)}}


def categorical_column(ref, cur):
    table = pd.concat([ref.value_counts(), cur.value_counts()], axis=1).fillna(0)
    counts = table.to_numpy(dtype=np.float64).T
    chi2, p_value, dof, _ = stats.chi2_contingency(counts, correction=False)
    shares = counts / counts.sum(axis=1, keepdims=True)
    return {"psi": psi(shares[0], shares[1]), "levels": len(table),
            "chi2": {"statistic": float(chi2), "p_value": float(p_value), "dof": int(dof)}}


def main(argv):
    versions = {"pandas": pd.__version__, "scipy": scipy.__version__, "numpy": np.__version__}
    parsed = peer.parse_args(argv, __doc__, "pandas", versions, T_IMPORT - T0)
    if parsed is None:
        return
    args, manifest = parsed
    features = manifest["features"]

    t = time.perf_counter()
    ref, cur = peer.load(args.reference), peer.load(args.current)
    t_load = time.perf_counter()
    out = []
    for f in features:
        name = f["name"]
        r, c = ref[name], cur[name]
        res = numeric_column(r, c) if f["kind"] == "numeric" else categorical_column(r, c)
        missing = {"reference": float(r.isna().mean()), "current": float(c.isna().mean())}
        drift = res["psi"] >= PSI_DRIFT or abs(missing["current"] - missing["reference"]) >= MISSING_DRIFT
        out.append({"name": name, "kind": f["kind"], **res, "missing": missing, "drift": bool(drift)})
    t_run = time.perf_counter()
    result = {"tool": "pandas", "version": versions, "rows": {"reference": len(ref), "current": len(cur)},
              "features": out,
              "phases": {"import": T_IMPORT - T0, "load": t_load - t, "drift": t_run - t_load}}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
