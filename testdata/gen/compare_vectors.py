"""Write end-to-end test vectors for `modelwatch compare` (profile build, count, compare).

Run by hand from the repository root (numpy >= 2, scipy >= 1.15; these files were made
with numpy 2.4.6 and scipy 1.17.1: pip install "numpy==2.4.6" "scipy==1.17.1"):

    python3 testdata/gen/compare_vectors.py

For each case it writes testdata/compare/<case>/reference.csv and current.csv (raw data)
and testdata/compare/<case>/expected.json with, per feature, what scipy/numpy say:

- numeric: the coarse edges (numpy.quantile, linear, at k/10), the PSI, KL, Jensen-Shannon
  (scipy.spatial.distance.jensenshannon, base 2) and Hellinger over them; the KS statistic
  of the raw samples (scipy.stats.ks_2samp, exact) and the KS statistic and p-value over the
  profile grid (edges = unique numpy quantiles at k/1000 and k/10; p = kstwo.sf(D, round(nm/(n+m))));
  the Wasserstein-1 distance of the raw samples divided by the reference's population std.
- categorical and discrete: proportions over the reference categories plus __other__, PSI,
  KL, JS, Hellinger, L-infinity, the chi-squared test of homogeneity
  (scipy.stats.chi2_contingency(correction=False) on the 2×k table of reference and current
  counts, bins empty on both sides dropped), unseen share.
- the missing rate of each side.

Go's tests read these files: bin statistics must agree to 1e-9, p-values to 1e-6 relative,
raw KS D within 1/grid, Wasserstein within the documented bound.
"""

import json
import pathlib

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

ROOT = pathlib.Path(__file__).resolve().parent.parent / "compare"
EPS = 1e-4
BINS, GRID = 10, 1000


def smooth(p):
    p = np.asarray(p, dtype=float).copy()
    p[p == 0] = EPS
    return p


def distances(p, q):
    ps, qs = smooth(p), smooth(q)
    return {
        "psi": float(np.sum((qs - ps) * np.log(qs / ps))),
        "kl": float(np.sum(ps * np.log(ps / qs))),
        "js": float(jensenshannon(p, q, base=2)),
        "hellinger": float(np.sqrt(max(0.0, 1 - np.sum(np.sqrt(np.asarray(p) * np.asarray(q)))))),
    }


def quantile_edges(x, bins):
    return np.unique(np.quantile(x, np.arange(1, bins) / bins))


def counts(edges, x):
    idx = np.searchsorted(edges, x, side="left")
    return np.bincount(idx, minlength=len(edges) + 1)


def numeric(ref, cur):
    r, c = ref[~np.isnan(ref)], cur[~np.isnan(cur)]
    coarse = quantile_edges(r, BINS)
    fine = np.unique(np.concatenate([quantile_edges(r, GRID), coarse]))
    p, q = counts(coarse, r) / len(r), counts(fine, c) / len(c)
    q = counts(coarse, c) / len(c)
    out = {"kind": "numeric", "coarse_edges": coarse.tolist(), "reference": p.tolist(), "current": q.tolist()}
    out.update(distances(p, q))
    fr, fc = np.cumsum(counts(fine, r)) / len(r), np.cumsum(counts(fine, c)) / len(c)
    d_grid = float(np.max(np.abs(fr - fc)))
    n, m = len(r), len(c)
    out["ks_raw"] = float(stats.ks_2samp(r, c).statistic)
    out["ks_grid"] = d_grid
    out["ks_grid_p"] = float(stats.kstwo.sf(d_grid, np.round(n * m / (n + m))))
    sd = float(np.std(r))
    w = float(stats.wasserstein_distance(r, c))
    out["wasserstein_raw"] = w / sd if sd > 0 else w
    return out


def categorical(ref, cur, kind="categorical"):
    r = [v for v in ref if v is not None]
    c = [v for v in cur if v is not None]
    names = sorted(set(r), key=lambda v: (-r.count(v), v if kind == "categorical" else float(v)))
    if kind == "discrete":
        names = sorted(set(r), key=float)
    index = {v: i for i, v in enumerate(names)}
    rc, cc = np.zeros(len(names) + 1), np.zeros(len(names) + 1)
    for v in r:
        rc[index[v]] += 1
    for v in c:
        cc[index.get(v, len(names))] += 1
    p, q = rc / rc.sum(), cc / cc.sum()
    out = {"kind": kind, "categories": [str(v) for v in names] + ["__other__"], "reference": p.tolist(), "current": q.tolist()}
    out.update(distances(p, q))
    out["linf"] = float(np.max(np.abs(p - q)))
    keep = (rc + cc) > 0
    if keep.sum() <= 1:
        # One bin left: no test; modelwatch reports 0, 0, 1.
        out["chi2"] = {"statistic": 0.0, "dof": 0, "p_value": 1.0}
    else:
        res = stats.chi2_contingency(np.vstack([rc[keep], cc[keep]]), correction=False)
        out["chi2"] = {"statistic": float(res.statistic), "dof": int(res.dof), "p_value": float(res.pvalue)}
    out["unseen_share"] = float(cc[-1] / cc.sum())
    return out


def missing_rate(col):
    return float(sum(1 for v in col if v is None or (isinstance(v, float) and np.isnan(v))) / len(col))


def write_csv(path, cols):
    names = list(cols)
    n = len(cols[names[0]])
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for i in range(n):
            cells = []
            for k in names:
                v = cols[k][i]
                if v is None or (isinstance(v, float) and np.isnan(v)):
                    cells.append("")
                elif isinstance(v, (float, np.floating)):
                    cells.append(repr(float(v)))
                else:
                    cells.append(str(v))
            f.write(",".join(cells) + "\n")


def case(name, ref_cols, cur_cols, kinds):
    d = ROOT / name
    d.mkdir(parents=True, exist_ok=True)
    write_csv(d / "reference.csv", ref_cols)
    write_csv(d / "current.csv", cur_cols)
    expected = {"features": {}}
    for k, kind in kinds.items():
        ref, cur = ref_cols[k], cur_cols[k]
        if kind == "numeric":
            e = numeric(np.array([np.nan if v is None else v for v in ref], dtype=float),
                        np.array([np.nan if v is None else v for v in cur], dtype=float))
        else:
            e = categorical(ref, cur, kind)
        e["missing"] = {"reference": missing_rate(ref), "current": missing_rate(cur)}
        expected["features"][k] = e
    (d / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


def with_missing(rng, x, rate):
    return [None if rng.random() < rate else v for v in x]


def main():
    rng = np.random.default_rng(2026)
    n, m = 4000, 2500
    # A shifted normal, a stable lognormal, heavy ties, huge values, a discrete count,
    # categories with a new one, and missing values.
    ref = {
        "normal": rng.normal(0, 1, n).tolist(),
        "lognormal": rng.lognormal(3, 1, n).tolist(),
        "rounded": np.round(rng.normal(50, 10, n), 0).tolist(),
        "huge": (rng.normal(0, 1, n) * 1e140).tolist(),
        "count": [int(v) for v in rng.poisson(3, n).clip(0, 12)],
        "color": list(rng.choice(["red", "green", "blue", "black"], n, p=[0.4, 0.3, 0.2, 0.1])),
        "spotty": with_missing(rng, rng.normal(10, 2, n).tolist(), 0.05),
    }
    cur = {
        "normal": rng.normal(0.3, 1.1, m).tolist(),
        "lognormal": rng.lognormal(3, 1, m).tolist(),
        "rounded": np.round(rng.normal(52, 10, m), 0).tolist(),
        "huge": (rng.normal(0.5, 1, m) * 1e140).tolist(),
        "count": [int(v) for v in rng.poisson(4, m).clip(0, 15)],
        "color": list(rng.choice(["red", "green", "blue", "purple"], m, p=[0.35, 0.3, 0.2, 0.15])),
        "spotty": with_missing(rng, rng.normal(10, 2, m).tolist(), 0.3),
    }
    case("mixed", ref, cur, {"normal": "numeric", "lognormal": "numeric", "rounded": "numeric", "huge": "numeric",
                             "count": "discrete", "color": "categorical", "spotty": "numeric"})

    # Identical distributions, small samples, negative zero and a single current row.
    x = rng.normal(0, 1, 300)
    case("tiny", {"x": x.tolist(), "z": [-0.0 if i % 2 else 0.0 for i in range(300)] + [], "w": rng.uniform(-1, 1, 300).tolist()},
         {"x": [0.25], "z": [-0.0], "w": [0.5]}, {"x": "numeric", "w": "numeric", "z": "discrete"})


if __name__ == "__main__":
    main()
