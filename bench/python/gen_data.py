"""Write the seeded benchmark data: a reference and a current data set with
known shifts, as CSV and Parquet, and a manifest describing every feature.

    python gen_data.py --rows 100000 --seed 8 --out ../data/sets/100k
    python gen_data.py --set hard --rows 100000 --seed 8 --out ../data/sets/hard/100k

Two sets. The standard set (the default) is the one every earlier figure was
measured on; its files stay byte for byte what they were. The hard set
(HARD_NUMERIC and HARD_CATEGORICAL below) has 18 features with missing values
(a few per cent in some columns, 40 % in one, and a missing share that moves),
a 5,000-level categorical with Zipf shares, heavy ties, a near-constant and a
huge-magnitude column, and an ISO-8601 time column (event_time, not a
feature: the manifest lists it under time_columns).

The standard set has ROWS rows of 20 numeric features (num_00 … num_19) and 5
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
        cols[name] = numeric_array(feature_rng(seed, rows, side, i), rows, side, ref, cur, integer)
    for j, (name, levels, ref_w, cur_w, new, *_rest) in enumerate(CATEGORICAL):
        cols[name] = categorical_array(feature_rng(seed, rows, side, 100 + j), rows, side, levels, ref_w, cur_w, new)
    return pa.table(cols)


def numeric_array(rng, rows, side, ref, cur, integer, mask=None):
    """A numeric column drawn with the side's distribution (cur on the current
    side, when the feature shifts), integers or rounded to 4 decimals."""
    draw = cur if side == 1 and cur is not None else ref
    x = draw(rng, rows)
    return pa.array(x.astype(np.int64) if integer else np.round(x, 4), mask=mask)


def categorical_array(rng, rows, side, levels, ref_w, cur_w, new, mask=None):
    """A categorical column drawn with the side's weights; the current side
    adds the new category, if any, at its share."""
    names = list(levels)
    w = cur_w if side == 1 and cur_w is not None else ref_w
    if side == 1 and new is not None:
        names.append(new[0])
        w = np.append((1 - new[1]) * w, new[1])
    idx = rng.choice(len(names), size=rows, p=w / w.sum())
    return pa.DictionaryArray.from_arrays(pa.array(idx.astype(np.int32), mask=mask), pa.array(names)).cast(pa.string())


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


# The hard set. Every column draws from its own stream, indices from 200 on, so
# that no stream is shared with the standard set; missing values have streams
# of their own (indices from 400 on).
HARD_GENERATOR_VERSION = 1
HARD_TIME_COLUMN = "event_time"
HARD_REFERENCE_START = np.datetime64("2026-03-01T00:00:00")
HARD_CURRENT_START = np.datetime64("2026-04-01T00:00:00")


def zero_inflated(zero_share, scale):
    """Exactly round(zero_share*n) zeros and exponential(scale) values rounded
    to 0.01 in random order: the lower deciles are all 0 (heavy ties)."""
    def draw(rng, n):
        k = round(zero_share * n)
        x = np.concatenate([np.zeros(k), np.round(rng.exponential(scale, n - k), 2)])
        return rng.permutation(x)
    return draw


def near_constant(rng, n):
    """99 % exactly 1.0, 1 % N(1, 0.05): every decile is 1.0."""
    k = round(0.99 * n)
    x = np.concatenate([np.ones(k), rng.normal(1, 0.05, n - k)])
    return rng.permutation(x)


def log_uniform(lo_exp, hi_exp, factor=1.0):
    """factor x 10^U(lo_exp, hi_exp), rounded to integers: 1e9 to 1e12."""
    return lambda rng, n: np.round(factor * 10.0 ** rng.uniform(lo_exp, hi_exp, n))


def rounded(base, step):
    return lambda rng, n: np.round(base(rng, n) / step) * step


def clipped_integers(base, lo, hi):
    return lambda rng, n: np.clip(np.round(base(rng, n)), lo, hi)


EV_MISSING_WHY = ("modelwatch grades the change of the missing rate on its own (drift at 20 points); "
                  "Evidently compares the non-missing values only, which did not move")

# Each hard numeric feature: (name, reference sampler, current sampler or None,
# integer-valued, (reference missing share, current missing share),
# description, expected modelwatch drift, expected Evidently drift, why they
# differ).
HARD_NUMERIC = [
    ("num_00", normal(50, 10), normal(58, 10), False, (0.03, 0.03), "normal, mean +0.8 sd; 3 % missing",
     True, True, ""),
    ("num_01", lognormal_amount, scaled(lognormal_amount, 1.6), False, (0.4, 0.4),
     "log-normal, every value x1.6; 40 % missing", True, True, ""),
    ("num_02", normal(100, 15), None, False, (0.02, 0.3), "normal, values unchanged; missing 2 % -> 30 %",
     True, False, EV_MISSING_WHY),
    ("num_03", zero_inflated(0.6, 20), zero_inflated(0.3, 20), False, (0, 0),
     "zero-inflated: 60 % zeros -> 30 %, the rest exponential rounded to 0.01 (the lower deciles tie at 0)",
     True, True, ""),
    ("num_04", normal(0, 1), normal(0.3, 1), False, (0.05, 0.05), "normal, mean +0.3 sd; 5 % missing", False, True,
     "a 0.3 sd shift moves the normalised Wasserstein distance to 0.30 (Evidently drifts at 0.1) "
     "but moves only about 0.09 of mass across the reference deciles (PSI 0.09, below warn)"),
    ("num_05", near_constant, None, False, (0, 0), "near-constant: 99 % exactly 1.0, 1 % N(1, 0.05)",
     False, False, ""),
    ("num_06", log_uniform(9, 12), log_uniform(9, 12, 2.0), True, (0, 0),
     "huge magnitude: 10^U(9, 12) integers, every value x2", True, True, ""),
    ("num_07", lambda rng, n: rng.poisson(2, n), None, True, (0.01, 0.01),
     "Poisson(2) counts: at most 20 distinct values (modelwatch profiles them as discrete); 1 % missing",
     False, False, ""),
    ("num_08", clipped_integers(normal(40, 12), 18, 90), None, True, (0, 0), "integer ages 18-90 (ties)",
     False, False, ""),
    ("num_09", lambda rng, n: rng.standard_t(3, n), None, False, (0.05, 0.05),
     "Student t, 3 d.f. (heavy tails); 5 % missing", False, False, ""),
    ("num_10", lambda rng, n: rng.uniform(0, 100, n), None, False, (0, 0), "uniform", False, False, ""),
    ("num_11", lambda rng, n: rng.gamma(2, 2, n), None, False, (0.05, 0.05), "gamma; 5 % missing",
     False, False, ""),
    ("num_12", rounded(mixture(0.5, (0, 1), (40, 1)), 0.5), rounded(mixture(0.5, (1.2, 1), (40, 1)), 0.5), False,
     (0, 0), "two regimes 40 apart rounded to 0.5 (ties), the lower one shifts by 1.2", True, False,
     "the reference sd (20) is set by the gap between the regimes, so a 1.2 shift inside one regime is "
     "0.03 sd in Wasserstein (below Evidently's 0.1) while five deciles move (PSI about 0.6)"),
]

HARD_CAT_2_LEVELS = 5000
HARD_CAT_3_NEW = "new_segment"
# Each hard categorical feature: (name, levels, reference weights, current
# weights or None, new level and its current share or None, (reference missing
# share, current missing share), description, expected modelwatch drift,
# expected Evidently drift, why they differ).
HARD_CATEGORICAL = [
    ("cat_0", categories("a", 3), np.array([0.6, 0.3, 0.1]), None, None, (0.04, 0.04), "3 levels; 4 % missing",
     False, False, ""),
    ("cat_1", categories("b", 8), zipf_weights(8, 1.2), 0.3 * zipf_weights(8, 1.2) + 0.7 / 8, None, (0.02, 0.02),
     "8 levels, Zipf shares -> nearly uniform; 2 % missing", True, True, ""),
    ("cat_2", [f"k{i:04d}" for i in range(HARD_CAT_2_LEVELS)], zipf_weights(HARD_CAT_2_LEVELS, 1.1),
     zipf_weights(HARD_CAT_2_LEVELS, 0.8), None, (0, 0),
     "5,000 levels, Zipf exponent 1.1 -> 0.8 (modelwatch keeps the 1,000 most frequent and pools the rest)",
     True, True, ""),
    ("cat_3", categories("d", 20), zipf_weights(20, 0.9), None, (HARD_CAT_3_NEW, 0.12), (0, 0),
     "20 levels, a new level takes 12 % of the current data", True, True, ""),
    ("cat_4", [f"Region-{c}" for c in "ABCDEFGHIJKL"], zipf_weights(12, 0.5), None, None, (0.01, 0.01),
     "12 levels; 1 % missing", False, False, ""),
]


def missing_mask(seed, rows, side, index, shares):
    share = shares[side]
    if share == 0:
        return None
    rng = feature_rng(seed, rows, side, 400 + index)
    return rng.random(rows) < share


def event_times(seed, rows, side):
    """ISO-8601 UTC date-times, uniform over 30 days from the side's start, in
    row order (a time column is not a feature)."""
    rng = feature_rng(seed, rows, side, 399)
    start = HARD_REFERENCE_START if side == 0 else HARD_CURRENT_START
    seconds = np.sort(rng.integers(0, 30 * 86400, rows))
    stamps = start + seconds.astype("timedelta64[s]")
    return np.char.add(np.datetime_as_string(stamps, unit="s"), "Z")


def make_hard(rows, seed, side):
    cols = {HARD_TIME_COLUMN: pa.array(event_times(seed, rows, side))}
    for i, (name, ref, cur, integer, missing, *_rest) in enumerate(HARD_NUMERIC):
        cols[name] = numeric_array(feature_rng(seed, rows, side, 200 + i), rows, side, ref, cur, integer,
                                   mask=missing_mask(seed, rows, side, i, missing))
    for j, (name, levels, ref_w, cur_w, new, missing, *_rest) in enumerate(HARD_CATEGORICAL):
        cols[name] = categorical_array(feature_rng(seed, rows, side, 300 + j), rows, side, levels, ref_w, cur_w, new,
                                       mask=missing_mask(seed, rows, side, 100 + j, missing))
    return pa.table(cols)


def manifest_hard(rows, seed):
    feats = []
    for name, _ref, cur, integer, missing, desc, mw, ev, why in HARD_NUMERIC:
        feats.append({"name": name, "kind": "numeric", "integer": integer,
                      "shifted": cur is not None or missing[0] != missing[1],
                      "missing": {"reference": missing[0], "current": missing[1]}, "description": desc,
                      "expect_modelwatch_drift": mw, "expect_evidently_drift": ev, "why_they_differ": why})
    for name, levels, _rw, cur_w, new, missing, desc, mw, ev, why in HARD_CATEGORICAL:
        feats.append({"name": name, "kind": "categorical", "levels": len(levels),
                      "shifted": cur_w is not None or new is not None or missing[0] != missing[1],
                      "missing": {"reference": missing[0], "current": missing[1]}, "description": desc,
                      "expect_modelwatch_drift": mw, "expect_evidently_drift": ev, "why_they_differ": why})
    return {"set": "hard", "generator_version": HARD_GENERATOR_VERSION, "rows": rows, "seed": seed,
            "time_columns": [HARD_TIME_COLUMN], "features": feats}


SETS = {"standard": (make, manifest), "hard": (make_hard, manifest_hard)}


def version(set_name):
    return HARD_GENERATOR_VERSION if set_name == "hard" else GENERATOR_VERSION


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--out", type=pathlib.Path, required=True)
    ap.add_argument("--set", choices=sorted(SETS), default="standard")
    args = ap.parse_args(argv)
    make_table, make_manifest = SETS[args.set]
    if args.rows < 1000:
        ap.error("--rows must be at least 1000")
    args.out.mkdir(parents=True, exist_ok=True)
    for side, stem in ((0, "reference"), (1, "current")):
        t = make_table(args.rows, args.seed, side)
        pacsv.write_csv(t, args.out / f"{stem}.csv.tmp",
                        pacsv.WriteOptions(include_header=True, quoting_style="none"))
        (args.out / f"{stem}.csv.tmp").rename(args.out / f"{stem}.csv")
        pq.write_table(t, args.out / f"{stem}.parquet.tmp", compression="snappy")
        (args.out / f"{stem}.parquet.tmp").rename(args.out / f"{stem}.parquet")
    # The manifest is written last: its presence marks a complete data set.
    (args.out / "manifest.json").write_text(json.dumps(make_manifest(args.rows, args.seed), indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
