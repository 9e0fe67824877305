"""Write the seeded benchmark data: a reference and a current data set with
known shifts, as CSV and Parquet, and a manifest describing every feature.

    python gen_data.py --rows 100000 --seed 8 --out ../data/100k

Each data set has ROWS rows of 20 numeric features (num_00 … num_19) and 5
categorical ones (cat_0 … cat_4), no missing values. The current data differs
from the reference in the features marked shifted below; the others are fresh
samples of the same distribution. Every feature draws from its own random
stream (seed, rows, side, feature), so a file is reproducible byte for byte
and does not depend on which other features exist.

Numeric values are rounded to 4 decimal places (integers stay integers), as
real feeds usually are: CSV then holds exactly the doubles that the Parquet
file holds, so every tool reads the same numbers from either format.

The manifest says, per feature, what shifted and which features each method
is expected to call drifted, with the reason where the methods differ:
modelwatch's default decides on PSI over the reference deciles (drift at
0.25); Evidently's DataDriftPreset, above 1000 reference rows, decides on the
Wasserstein distance normalised by the reference standard deviation (drift at
0.1) for numeric columns and on the Jensen-Shannon distance with natural
logarithms (drift at 0.1) for categorical ones.
"""

import argparse
import json
import pathlib
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

GENERATOR_VERSION = 2


def normal(mu, sd):
    return lambda rng, n: rng.normal(mu, sd, n)


def mixture(weight, a, b):
    """Exactly round(weight*n) values of N(a) and the rest of N(b), in random
    order; a and b are (mean, sd). Fixed counts keep sampling noise in the
    weights out of the distances."""
    def draw(rng, n):
        k = round(weight * n)
        x = np.concatenate([rng.normal(a[0], a[1], k), rng.normal(b[0], b[1], n - k)])
        return rng.permutation(x)
    return draw


def with_outliers(base, share, outlier):
    def draw(rng, n):
        x = base(rng, n)
        hit = rng.random(n) < share
        return np.where(hit, outlier(rng, n), x)
    return draw


def scaled(base, factor):
    return lambda rng, n: factor * base(rng, n)


def zipf_weights(k, s):
    w = 1.0 / np.arange(1, k + 1) ** s
    return w / w.sum()


def categories(prefix, k):
    return [f"{prefix}{i:03d}" for i in range(k)]


# Each numeric feature: (name, reference sampler, current sampler or None when
# unshifted, integer-valued, description, expected modelwatch-default drift,
# expected Evidently-default drift, why they differ).
lognormal_amount = lambda rng, n: rng.lognormal(3.0, 0.5, n)
NUMERIC = [
    ("num_00", normal(50, 10), normal(58, 10), False, "normal, mean +0.8 sd", True, True, ""),
    ("num_01", lognormal_amount, scaled(lognormal_amount, 1.6), False, "log-normal, every value x1.6", True, True, ""),
    ("num_02", normal(0, 1), normal(0, 2), False, "normal, sd x2", True, True, ""),
    ("num_03", mixture(0.3, (-2, 1), (3, 1)), mixture(0.6, (-2, 1), (3, 1)), False,
     "two-mode mixture, weight of the lower mode 0.3 -> 0.6", True, True, ""),
    ("num_04", normal(0, 1), normal(0.3, 1), False, "normal, mean +0.3 sd", False, True,
     "a 0.3 sd shift moves the normalised Wasserstein distance to 0.30 (Evidently drifts at 0.1) "
     "but moves only about 0.09 of mass across the reference deciles (PSI 0.09, below warn)"),
    ("num_05", normal(100, 15), with_outliers(normal(100, 15), 0.03, normal(250, 5)), False,
     "normal, 3 % of values replaced by outliers at +10 sd", False, True,
     "3 % of values moving 10 sd away carry a Wasserstein distance of 0.30 sd, but only 3 % of mass "
     "enters the top decile (PSI 0.01): Wasserstein weighs how far mass moves, PSI only how much"),
    ("num_06", mixture(0.5, (0, 1), (40, 1)), mixture(0.5, (1.2, 1), (40, 1)), False,
     "two regimes 40 apart, the lower one shifts by 1.2 of its own sd", True, False,
     "the reference sd (20) is set by the gap between the regimes, so a 1.2 shift inside one regime is "
     "0.03 sd in Wasserstein (below Evidently's 0.1) while five deciles move (PSI about 0.6)"),
    ("num_07", lambda rng, n: rng.uniform(0, 100, n), None, False, "uniform", False, False, ""),
    ("num_08", lambda rng, n: rng.exponential(5, n), None, False, "exponential", False, False, ""),
    ("num_09", lambda rng, n: rng.gamma(2, 2, n), None, False, "gamma", False, False, ""),
    ("num_10", lambda rng, n: rng.beta(2, 5, n), None, False, "beta", False, False, ""),
    ("num_11", lambda rng, n: rng.standard_t(3, n), None, False, "Student t, 3 d.f. (heavy tails)", False, False, ""),
    ("num_12", lambda rng, n: rng.lognormal(0, 1, n), None, False, "log-normal, sigma 1", False, False, ""),
    ("num_13", lambda rng, n: rng.poisson(200, n), None, True, "Poisson(200), integers (ties)", False, False, ""),
    ("num_14", lambda rng, n: np.round(rng.normal(10, 2, n), 1), None, False, "normal rounded to 0.1 (ties)",
     False, False, ""),
    ("num_15", lambda rng, n: rng.chisquare(4, n), None, False, "chi-squared, 4 d.f.", False, False, ""),
    ("num_16", lambda rng, n: rng.weibull(1.5, n), None, False, "Weibull", False, False, ""),
    ("num_17", lambda rng, n: rng.laplace(0, 3, n), None, False, "Laplace", False, False, ""),
    ("num_18", normal(1000, 50), None, False, "normal", False, False, ""),
    ("num_19", lambda rng, n: 1 + rng.pareto(3, n), None, False, "Pareto, shape 3 (heavy tail)", False, False, ""),
]

CAT_3_NEW = "new_channel"
# Each categorical feature: (name, levels, reference weights, current weights or
# None, new level and its current share or None, description, expected
# modelwatch drift, expected Evidently drift, why they differ).
CATEGORICAL = [
    ("cat_0", categories("a", 3), np.array([0.6, 0.3, 0.1]), None, None, "3 levels", False, False, ""),
    ("cat_1", categories("b", 8), zipf_weights(8, 1.2), 0.3 * zipf_weights(8, 1.2) + 0.7 / 8, None,
     "8 levels, Zipf shares -> nearly uniform", True, True, ""),
    ("cat_2", categories("c", 20), zipf_weights(20, 0.9), None, None, "20 levels", False, False, ""),
    ("cat_3", categories("d", 50), zipf_weights(50, 0.8), None, (CAT_3_NEW, 0.15),
     "50 levels, a new level takes 15 % of the current data", True, True, ""),
    ("cat_4", categories("e", 40), zipf_weights(40, 0.7), zipf_weights(40, 1.05), None,
     "40 levels, Zipf exponent 0.7 -> 1.05 (moderate reweighting)", False, True,
     "Evidently's Jensen-Shannon threshold 0.1 (natural log) corresponds to a PSI of about 0.08, "
     "so a reweighting with PSI 0.17 (warn, below drift at 0.25) is drift for Evidently"),
]


def feature_rng(seed, rows, side, index):
    return np.random.default_rng(np.random.SeedSequence([seed, rows, side, index]))


def make(rows, seed, side):
    """side 0 is the reference, 1 the current data."""
    cols = {}
    for i, (name, ref, cur, integer, *_rest) in enumerate(NUMERIC):
        draw = cur if side == 1 and cur is not None else ref
        x = draw(feature_rng(seed, rows, side, i), rows)
        cols[name] = pa.array(x.astype(np.int64) if integer else np.round(x, 4))
    for j, (name, levels, ref_w, cur_w, new, *_rest) in enumerate(CATEGORICAL):
        rng = feature_rng(seed, rows, side, 100 + j)
        names = list(levels)
        w = cur_w if side == 1 and cur_w is not None else ref_w
        if side == 1 and new is not None:
            names.append(new[0])
            w = np.append((1 - new[1]) * w, new[1])
        idx = rng.choice(len(names), size=rows, p=w / w.sum())
        cols[name] = pa.DictionaryArray.from_arrays(pa.array(idx.astype(np.int32)), pa.array(names)).cast(pa.string())
    return pa.table(cols)


def manifest(rows, seed):
    feats = []
    for name, _ref, cur, integer, desc, mw, ev, why in NUMERIC:
        feats.append({"name": name, "kind": "numeric", "integer": integer, "shifted": cur is not None,
                      "description": desc, "expect_modelwatch_drift": mw, "expect_evidently_drift": ev,
                      "why_they_differ": why})
    for name, levels, _rw, cur_w, new, desc, mw, ev, why in CATEGORICAL:
        feats.append({"name": name, "kind": "categorical", "levels": len(levels),
                      "shifted": cur_w is not None or new is not None, "description": desc,
                      "expect_modelwatch_drift": mw, "expect_evidently_drift": ev, "why_they_differ": why})
    return {"generator_version": GENERATOR_VERSION, "rows": rows, "seed": seed, "features": feats}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--out", type=pathlib.Path, required=True)
    args = ap.parse_args(argv)
    if args.rows < 1000:
        ap.error("--rows must be at least 1000")
    args.out.mkdir(parents=True, exist_ok=True)
    for side, stem in ((0, "reference"), (1, "current")):
        t = make(args.rows, args.seed, side)
        pacsv.write_csv(t, args.out / f"{stem}.csv.tmp",
                        pacsv.WriteOptions(include_header=True, quoting_style="none"))
        (args.out / f"{stem}.csv.tmp").rename(args.out / f"{stem}.csv")
        pq.write_table(t, args.out / f"{stem}.parquet.tmp", compression="snappy")
        (args.out / f"{stem}.parquet.tmp").rename(args.out / f"{stem}.parquet")
    # The manifest is written last: its presence marks a complete data set.
    (args.out / "manifest.json").write_text(json.dumps(manifest(args.rows, args.seed), indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
