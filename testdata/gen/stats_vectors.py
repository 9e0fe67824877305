#!/usr/bin/env python3
"""Generate the reference vectors for the Go package shared/stats.

Run by hand from the repository root:

    python3 testdata/gen/stats_vectors.py [FILE.json ...]

With file names, only those files are rewritten (the random streams do not
depend on which files are written).

It writes JSON files into testdata/stats/ (overwriting them):

    divergences.json  PSI, KL, Jensen-Shannon, Hellinger, L-inf, binned KS D,
                      the chi-squared test of homogeneity
                      (scipy.stats.chi2_contingency(correction=False) on the
                      2×k table of reference and current counts, bins empty on
                      both sides dropped) and the one-sample goodness-of-fit
                      form (with the zero-expectation merging rule) on pairs of
                      count vectors
    kstwo.json        scipy.stats.kstwo.sf(d, n) on a grid covering every
                      branch of scipy's _kolmogn
    bh.json           scipy.stats.false_discovery_control(p, method='bh')
    quantiles.json    numpy.quantile(x, probs) (method 'linear') on awkward data
    samples.json      raw-sample pairs with the exact two-sample KS statistic,
                      ks_2samp(method='asymp') p-value, wasserstein_distance
                      and the 1000-bin reference quantile edges

The vectors were generated with numpy 2.4 and scipy 1.17 (the versions are
recorded in every file; divergences.json was last made with numpy 2.4.6 and
scipy 1.17.1: pip install "numpy==2.4.6" "scipy==1.17.1"); the random data come from
numpy.random.default_rng(SEED), so a rerun with the same versions reproduces
the files byte for byte. kstwo.json takes a minute or so: scipy sums the
one-sided Smirnov series in double-double arithmetic at n = 10^6.

Floats are written with repr(), which round-trips exactly; NaN is written
as null. Raw samples are rounded to 6 significant digits before any expected
value is computed, to keep the files small.
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

SEED = 20250601
EPSILON = 1e-4
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "stats")


def num(x):
    """A JSON-safe float: NaN becomes None, numpy scalars become float."""
    x = float(x)
    if math.isnan(x):
        return None
    if math.isinf(x):
        raise ValueError("infinite value in test vector")
    return x


def write(name, payload):
    """Write payload as JSON with one test case per line."""
    head = {
        "generator": "testdata/gen/stats_vectors.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
    lines = ["{"]
    for k, v in head.items():
        lines.append(f" {json.dumps(k)}: {json.dumps(v)},")
    cases = [json.dumps(c, allow_nan=False, separators=(",", ":")) for c in payload["cases"]]
    lines.append(' "cases": [')
    lines.append(",\n".join("  " + c for c in cases))
    lines.append(" ]")
    lines.append("}")
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    json.load(open(path))  # sanity check
    print(f"wrote {os.path.relpath(path)}", file=sys.stderr)


# ---------------------------------------------------------------------------
# Divergences on count vectors.


def proportions(c):
    c = np.asarray(c, dtype=np.int64)
    s = c.sum()
    if s == 0:
        return np.zeros(len(c))
    return c / s


def smooth(p):
    return np.where(p == 0, EPSILON, p)


def chi2_merged(ref, cur):
    """The merging rule, written independently of the Go code."""
    ref = np.asarray(ref, dtype=np.int64)
    cur = np.asarray(cur, dtype=np.int64)
    nr, nc = ref.sum(), cur.sum()
    if nr == 0 or nc == 0:
        return 0.0, 0, 1.0
    expected = ref / nr * nc
    keep = np.flatnonzero(ref > 0)
    if len(keep) <= 1:
        return 0.0, 0, 1.0
    # smallest non-zero expected count, lowest index among ties
    target = keep[np.argmin(expected[keep])]
    obs = cur.astype(np.float64).copy()
    obs[target] += cur[ref == 0].sum()
    res = stats.chisquare(f_obs=obs[keep], f_exp=expected[keep])
    return float(res.statistic), len(keep) - 1, float(res.pvalue)


def chi2_homogeneity(ref, cur):
    """scipy's contingency-table test on the bins not empty on both sides."""
    ref = np.asarray(ref, dtype=np.int64)
    cur = np.asarray(cur, dtype=np.int64)
    if ref.sum() == 0 or cur.sum() == 0:
        return 0.0, 0, 1.0
    keep = (ref + cur) > 0
    if keep.sum() <= 1:
        return 0.0, 0, 1.0
    table = np.vstack([ref[keep], cur[keep]]).astype(np.float64)
    res = stats.chi2_contingency(table, correction=False)
    return float(res.statistic), int(res.dof), float(res.pvalue)


def divergence_case(name, ref, cur):
    ref = [int(v) for v in ref]
    cur = [int(v) for v in cur]
    p, q = proportions(ref), proportions(cur)
    ps, qs = smooth(p), smooth(q)
    with np.errstate(all="ignore"):
        js = jensenshannon(p, q, base=2)
    cr = np.cumsum(ref) / max(sum(ref), 1)
    cc = np.cumsum(cur) / max(sum(cur), 1)
    ks = 0.0 if sum(ref) == 0 or sum(cur) == 0 else float(np.max(np.abs(cr - cc)))
    stat, dof, pval = chi2_homogeneity(ref, cur)
    gstat, gdof, gpval = chi2_merged(ref, cur)
    return {
        "name": name,
        "ref": ref,
        "cur": cur,
        "psi": num(np.sum((qs - ps) * np.log(qs / ps))),
        "kl": num(np.sum(ps * np.log(ps / qs))),
        "js": num(js),
        "hellinger": num(np.sqrt(max(0.0, 1 - np.sum(np.sqrt(p * q))))),
        "linf": num(np.max(np.abs(p - q))),
        "ks": num(ks),
        "chi2": {"statistic": num(stat), "dof": dof, "pvalue": num(pval)},
        "chi2_gof": {"statistic": num(gstat), "dof": gdof, "pvalue": num(gpval)},
    }


def divergences(rng):
    cases = [
        ("identical", [10, 20, 30, 40], [10, 20, 30, 40]),
        ("identical_scaled", [1, 2, 3, 4], [100, 200, 300, 400]),
        ("small_shift", [100, 200, 300, 400], [110, 190, 310, 390]),
        ("zeros_in_ref", [0, 50, 50, 0], [5, 45, 40, 10]),
        ("zeros_in_cur", [25, 25, 25, 25], [0, 50, 50, 0]),
        ("zeros_both", [0, 30, 0, 70], [0, 60, 0, 40]),
        ("zeros_both_same_bin", [0, 10, 20, 0, 5], [0, 12, 18, 0, 9]),
        ("disjoint", [10, 10, 0, 0], [0, 0, 7, 3]),
        ("disjoint_interleaved", [5, 0, 5, 0, 5], [0, 4, 0, 4, 0]),
        ("single_bin", [42], [17]),
        ("single_nonzero_ref", [0, 100, 0], [3, 90, 7]),
        ("two_bins", [1, 1], [1, 3]),
        ("merge_tie", [0, 5, 10, 5, 20], [7, 4, 12, 6, 11]),
        ("merge_many", [0, 0, 3, 9, 0, 3, 40], [2, 1, 5, 10, 4, 2, 26]),
        ("empty_cur", [10, 20, 30], [0, 0, 0]),
        ("empty_ref", [0, 0, 0], [4, 5, 6]),
        ("big_counts", [10**12, 3 * 10**12, 5 * 10**11], [2 * 10**12, 2 * 10**12, 10**12]),
        ("one_each", [1, 0, 0, 0], [0, 0, 0, 1]),
    ]
    for k in (5, 10, 50):
        base = rng.dirichlet(np.ones(k))
        ref = rng.multinomial(10000, base)
        cur = rng.multinomial(3000, rng.dirichlet(base * 200))
        cases.append((f"random_{k}bins", ref, cur))
    base = rng.dirichlet(np.ones(1000))
    cases.append(("random_1000bins_sparse", rng.multinomial(5000, base), rng.multinomial(2000, base)))
    cases.append(("random_10bins_identical_dist", rng.multinomial(100000, np.full(10, 0.1)),
                  rng.multinomial(100000, np.full(10, 0.1))))
    cases.append(("strong_drift_pvalue_underflow", [100000, 100000, 0, 0, 1],
                  [0, 0, 100000, 100000, 1]))
    cases.append(("tiny_pvalue", [5000, 5000, 5000], [4000, 5000, 6000]))
    return {"cases": [divergence_case(*c) for c in cases]}


# ---------------------------------------------------------------------------
# kstwo.sf


def kstwo_branch(n, d):
    """Mirror of scipy's _kolmogn dispatch, for test diagnostics only."""
    if d >= 1:
        return "d>=1"
    if d <= 0:
        return "d<=0"
    t = n * d
    if t <= 0.5:
        return "t<=0.5"
    if t <= 1:
        return "ruben-gambino-low"
    if t >= n - 1:
        return "ruben-gambino-high"
    if d >= 0.5:
        return "2*smirnov(d>=0.5)"
    nx2 = t * d
    if n <= 140:
        if nx2 <= 0.754693:
            return "durbin"
        if nx2 <= 4:
            return "pomeranz"
        return "2*smirnov"
    if nx2 >= 370:
        return "zero(nx2>=370)"
    if nx2 >= 2.2:
        return "2*smirnov"
    if n <= 100000 and n * d**1.5 <= 1.4:
        return "durbin"
    return "pelz-good"


def kstwo_vectors(rng):
    ns = [1, 2, 3, 5, 10, 50, 100, 140, 141, 500, 1000, 10**4, 10**5,
          10**5 + 1, 10**6, 10**7]
    rows = []
    for n in ns:
        ds = {0.4 / n, 0.5 / n, 0.75 / n, 1.0 / n, 1.5 / n, 0.5, 0.6, 0.9}
        if n >= 2:
            ds |= {(n - 1) / n, (n - 0.5) / n}
        for c in (0.754693, 2.2, 4, 18, 370):
            for f in (0.98, 1.0, 1.02):
                ds.add(math.sqrt(c / n) * f)
        for f in (0.98, 1.02):
            ds.add((1.4 / n) ** (2 / 3) * f)
        ds |= set(float(v) for v in rng.uniform(0, min(1, 4 / math.sqrt(n)), 3))
        for d in sorted(ds):
            if not 0 < d < 1:
                continue
            branch = kstwo_branch(n, d)
            if n == 10**6 and branch == "2*smirnov" and d not in (
                    math.sqrt(2.2 / n), math.sqrt(18 / n), math.sqrt(370 / n) * 0.98):
                continue  # each costs seconds in scipy and ~0.1 s in Go
            rows.append({"n": n, "d": num(d), "sf": num(stats.kstwo.sf(d, n)),
                         "branch": branch})
    # Random points, n log-uniform and n*d^2 log-uniform in [0.05, 500],
    # leaving out the exact Smirnov sums that are slow in scipy.
    while len(rows) < 700:
        n = int(math.exp(rng.uniform(0, math.log(1e7))))
        if rng.uniform() < 0.4:
            n = int(rng.integers(1, 300))
        d = math.sqrt(math.exp(rng.uniform(math.log(0.05), math.log(500))) / n)
        if not 0 < d < 1:
            continue
        branch = kstwo_branch(n, d)
        if 20000 < n <= 10**6 and "smirnov" in branch:
            continue
        rows.append({"n": n, "d": num(d), "sf": num(stats.kstwo.sf(d, n)),
                     "branch": branch})
    return {"cases": rows}


# ---------------------------------------------------------------------------
# Benjamini-Hochberg


def bh_vectors(rng):
    cases = [
        ("scipy_doc", [0.5, 0.6, 0.1, 0.001]),
        ("single", [0.03]),
        ("empty", []),
        ("ties", [0.01, 0.01, 0.04, 0.04, 0.04, 0.2, 0.01]),
        ("zeros_ones", [0.0, 1.0, 0.0, 0.5, 1.0]),
        ("all_equal", [0.2] * 6),
        ("sorted", [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]),
        ("reversed", [0.9, 0.5, 0.2, 0.05, 0.01]),
        ("tiny", [1e-300, 1e-200, 3e-5, 0.7]),
        ("random_100", list(rng.uniform(size=100) ** 3)),
        ("random_1000", list(rng.uniform(size=1000))),
    ]
    out = []
    for name, p in cases:
        p = [float(v) for v in p]
        adj = stats.false_discovery_control(np.asarray(p, dtype=np.float64), method="bh") if p else []
        out.append({"name": name, "p": p, "adjusted": [num(v) for v in np.atleast_1d(adj)]})
    return {"cases": out}


# ---------------------------------------------------------------------------
# numpy.quantile


def quantile_vectors(rng):
    probs = [0.0, 1e-12, 0.001, 0.01, 0.1, 0.2, 0.25, 1 / 3, 0.4, 0.49999999999999994,
             0.5, 0.5000000000000001, 0.6, 2 / 3, 0.7, 0.75, 0.8, 0.9, 0.99, 0.999,
             1 - 1e-12, 0.9999999999999999, 1.0]
    data = [
        ("normal_1000", rng.normal(size=1000)),
        ("ties_small_ints", rng.integers(0, 5, size=97).astype(np.float64)),
        ("constant", np.full(50, 3.25)),
        ("single", np.array([-7.5])),
        ("two", np.array([1.0, 2.0])),
        ("huge_pm1e300", np.array([-1e300, -1e300, -3e299, 0.0, 1e-300, 5e299, 1e300])),
        ("huge_span", np.array([-1e300, 1e300])),
        ("negative_zero", np.array([-1.0, -0.0, -0.0, 0.0, 0.0, 2.0])),
        ("only_signed_zeros", np.array([-0.0, 0.0, 0.0])),
        ("duplicates", np.repeat([0.1, 0.2, 0.3, 1e9], [3, 1, 7, 2])),
        ("tiny", np.array([5e-324, 1e-310, 2.2250738585072014e-308, 1e-300])),
        ("lognormal_333", rng.lognormal(0, 2, size=333)),
        ("uniform_7", rng.uniform(-1, 1, size=7)),
    ]
    out = []
    for name, x in data:
        x = np.sort(np.asarray(x, dtype=np.float64))
        q = np.quantile(x, np.asarray(probs))
        out.append({"name": name, "sorted": [float(v) for v in x], "probs": probs,
                    "quantiles": [num(v) for v in q]})
    return {"cases": out}


# ---------------------------------------------------------------------------
# Raw-sample pairs


def round6(x):
    return np.array([float(f"{v:.6g}") for v in np.asarray(x, dtype=np.float64)])


def sample_case(name, ref, cur, fine_grid):
    ref, cur = round6(ref), round6(cur)
    probs = np.arange(1, 1000) / 1000
    edges_all = np.quantile(np.sort(ref), probs)
    with warnings.catch_warnings():
        # n = m = 1 gives kstwo.sf(d, 0) = nan with a division warning.
        warnings.simplefilter("ignore", RuntimeWarning)
        ks = stats.ks_2samp(ref, cur, method="asymp")
    return {
        "name": name,
        "ref": [float(v) for v in ref],
        "cur": [float(v) for v in cur],
        "edge_quantiles": [float(v) for v in edges_all],
        "ks_d": num(ks.statistic),
        "ks_p_asymp": num(ks.pvalue),
        "wasserstein": num(stats.wasserstein_distance(ref, cur)),
        # True where the binned KS statistic is expected within 1/1000 of
        # the exact one (enough reference points per bin, or atoms that are
        # all edges); elsewhere only the documented bound applies.
        "fine_grid": fine_grid,
    }


def samples(rng):
    c = []
    c.append(sample_case("normal_shift_0.1_20000", rng.normal(0, 1, 20000),
                         rng.normal(0.1, 1, 10000), True))
    c.append(sample_case("normal_same_5000", rng.normal(0, 1, 5000),
                         rng.normal(0, 1, 5000), True))
    c.append(sample_case("normal_scale_2000", rng.normal(0, 1, 2000),
                         rng.normal(0, 1.5, 3000), True))
    c.append(sample_case("lognormal_5000", rng.lognormal(0, 1, 5000),
                         rng.lognormal(0.2, 1.2, 4000), True))
    c.append(sample_case("poisson_ties_3000", rng.poisson(3, 3000),
                         rng.poisson(3.4, 2500), True))
    c.append(sample_case("discrete_new_category", rng.choice([1.0, 2.0, 5.0], 1000, p=[.5, .3, .2]),
                         rng.choice([1.0, 2.0, 5.0, 9.0], 800, p=[.4, .3, .2, .1]), True))
    c.append(sample_case("constant_same", np.full(100, 2.5), np.full(40, 2.5), True))
    c.append(sample_case("constant_vs_other", np.full(100, 2.5), np.full(40, 3.0), True))
    c.append(sample_case("constant_ref", np.full(500, 1.0), rng.normal(1, 0.1, 300), False))
    c.append(sample_case("single_rows", [0.5], [1.5], True))
    c.append(sample_case("single_ref_row", [0.5], rng.normal(0, 1, 100), False))
    c.append(sample_case("single_cur_row", rng.normal(0, 1, 100), [3.0], False))
    c.append(sample_case("tiny_10_vs_7", rng.normal(0, 1, 10), rng.normal(0.5, 1, 7), False))
    c.append(sample_case("small_100_vs_100", rng.normal(0, 1, 100), rng.normal(0.3, 1, 100), False))
    c.append(sample_case("uniform_1000_vs_50", rng.uniform(0, 1, 1000), rng.uniform(0.1, 1.1, 50), False))
    return {"cases": c}


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(SEED)
    only = set(sys.argv[1:])
    # Every generator draws from the one stream in this order, so a file
    # comes out the same whether or not the ones before it are written.
    for name, make in [("divergences.json", divergences), ("bh.json", bh_vectors),
                       ("quantiles.json", quantile_vectors), ("samples.json", samples),
                       ("kstwo.json", kstwo_vectors)]:
        payload = make(rng)
        if not only or name in only:
            write(name, payload)
            only.discard(name)
            if not only and len(sys.argv) > 1:
                break


if __name__ == "__main__":
    main()
