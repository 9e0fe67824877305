#!/usr/bin/env python3
"""Generate the reference vectors for the Go package shared/multivariate.

Run by hand from the repository root, with nannyml 0.13.1 installed (the pins
of bench/requirements.txt and bench/constraints.txt):

    python3 testdata/gen/multivariate_vectors.py

It writes into testdata/multivariate/ (overwriting):

    <case>.reference.csv, <case>.analysis.csv   the data (floats rounded to 6
                     significant digits before anything is computed, so the CSV
                     holds exactly the values NannyML saw)
    <case>.json      NannyML's DataReconstructionDriftCalculator fitted on the
                     reference: the feature names and kinds, the number of kept
                     PCA components, the chunk size and the per-chunk mean
                     reconstruction error of the reference and analysis chunks

Cases:

    mixed      four numeric features in two correlated pairs, one categorical
               feature tied to the first pair, missing values in both kinds,
               a category the reference never saw; the analysis's second half
               is the butterfly: a 90 degree rotation in the (x1, x2) plane,
               which leaves every marginal distribution as it was
    numeric    six numeric features with a latent two-factor structure and
               variance share 0.8
    wide       ten weakly correlated features (eight numeric, two
               categorical): PCA keeps more than half of the dimensions, so
               modelwatch projects on the complement of the kept components

The random data come from numpy.random.default_rng(SEED): a rerun with the
same versions reproduces the files byte for byte.
"""

import json
import pathlib
import sys

import numpy as np
import pandas as pd
import nannyml
import sklearn

OUT = pathlib.Path("testdata/multivariate")
SEED = 1717


def r6(x):
    return np.array([float(f"{v:.6g}") for v in x])


def mixed(rng, n):
    x1 = rng.standard_normal(n)
    x2 = 0.85 * x1 + np.sqrt(1 - 0.85 ** 2) * rng.standard_normal(n)
    x3 = rng.standard_normal(n)
    x4 = -0.7 * x3 + np.sqrt(1 - 0.7 ** 2) * rng.standard_normal(n)
    cat = np.where(x1 + 0.5 * rng.standard_normal(n) > 0.3, "high",
                   np.where(rng.random(n) < 0.6, "low", "mid")).astype(object)
    df = pd.DataFrame({"x1": r6(x1), "x2": r6(x2), "x3": r6(3 + 2 * x3), "x4": r6(100 * x4), "segment": cat})
    return df


def with_missing(rng, df):
    df = df.copy()
    for c, share in (("x2", 0.03), ("x4", 0.05), ("segment", 0.04)):
        mask = rng.random(len(df)) < share
        df.loc[mask, c] = np.nan
    return df


def case_mixed(rng):
    ref = with_missing(rng, mixed(rng, 1200))
    ana = with_missing(rng, mixed(rng, 1200))
    half = len(ana) // 2
    x1, x2 = ana.loc[half:, "x1"].copy(), ana.loc[half:, "x2"].copy()
    ana.loc[half:, "x1"] = -x2.to_numpy()
    ana.loc[half:, "x2"] = x1.to_numpy()
    ana.loc[ana.index[:7], "segment"] = "never_seen"
    return ref, ana, {"x1": "numeric", "x2": "numeric", "x3": "numeric", "x4": "numeric", "segment": "categorical"}, 0.65, 300


def case_numeric(rng):
    def make(n):
        f = rng.standard_normal((n, 2))
        load = np.array([[1, 0], [0.8, 0.2], [0.5, 0.5], [0, 1], [0.3, -0.9], [0.1, 0.1]])
        x = f @ load.T + 0.4 * rng.standard_normal((n, 6))
        return pd.DataFrame({f"v{i}": r6(x[:, i] * (i + 1)) for i in range(6)})
    ref, ana = make(1000), make(1000)
    ana.loc[500:, "v5"] = r6(ana.loc[500:, "v5"].to_numpy() + 2.0)
    return ref, ana, {f"v{i}": "numeric" for i in range(6)}, 0.8, 250


def case_wide(rng):
    def make(n):
        x = rng.standard_normal((n, 8))
        x[:, 1] += 0.3 * x[:, 0]
        d = {f"w{i}": r6(x[:, i] * (1 + i)) for i in range(8)}
        d["k0"] = np.where(x[:, 2] + rng.standard_normal(n) > 0, "p", np.where(rng.random(n) < 0.5, "q", "r")).astype(object)
        d["k1"] = rng.choice(np.array(["u", "v", "w", "x"], dtype=object), size=n, p=[0.4, 0.3, 0.2, 0.1])
        return pd.DataFrame(d)
    ref, ana = make(1000), make(1000)
    ana.loc[500:, "w3"] = r6(-ana.loc[500:, "w3"].to_numpy())
    return ref, ana, {**{f"w{i}": "numeric" for i in range(8)}, "k0": "categorical", "k1": "categorical"}, 0.65, 250


def run(name, ref, ana, kinds, share, chunk):
    cols = list(kinds)
    calc = nannyml.DataReconstructionDriftCalculator(column_names=cols, n_components=share, chunk_size=chunk)
    calc.fit(ref)
    res = calc.calculate(ana).to_df()
    values = res[("reconstruction_error", "value")].tolist()
    periods = res[("chunk", "period")].tolist()
    out = {
        "nannyml": nannyml.__version__, "scikit-learn": sklearn.__version__,
        "features": [{"name": c, "kind": kinds[c]} for c in cols],
        "variance_share": share,
        "components": int(calc._pca.n_components_),
        "chunk_size": chunk,
        "reference_chunks": [v for v, p in zip(values, periods) if p == "reference"],
        "analysis_chunks": [v for v, p in zip(values, periods) if p == "analysis"],
        "upper_threshold": calc.upper_threshold_value,
        "lower_threshold": calc.lower_threshold_value,
    }
    ref.to_csv(OUT / f"{name}.reference.csv", index=False, float_format="%.6g")
    ana.to_csv(OUT / f"{name}.analysis.csv", index=False, float_format="%.6g")
    with open(OUT / f"{name}.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(name, out["components"], out["analysis_chunks"], file=sys.stderr)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    run("mixed", *case_mixed(rng))
    run("numeric", *case_numeric(rng))
    run("wide", *case_wide(rng))


if __name__ == "__main__":
    main()
