"""Write the example data set used by `make demo` and the CLI tests.

Run by hand from the repository root (numpy >= 2):

    python3 testdata/gen/example_data.py

It writes testdata/example/reference.csv (training data of a credit-default
model: 10,000 rows) and testdata/example/current.csv (5,000 rows of live data
in which income, loan_amount and debt_to_income shifted, a new region
appeared, and the employment field started arriving empty for 30 % of the
records: five of ten features drifted). Seeded: the files are
reproducible byte for byte.
"""

import csv
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "example"
REGIONS = ["north", "south", "east", "west", "central"]
PURPOSES = ["car", "home", "education", "business", "medical", "other"]
EMPLOYMENT = ["salaried", "self_employed", "contract", "unemployed"]


def make(rng, n, shifted):
    age = rng.normal(41, 11, n).clip(18, 90).round()
    income = rng.lognormal(10.8 + (0.35 if shifted else 0.0), 0.45, n).round(2)
    loan = rng.gamma(2.0, 6000 * (1.6 if shifted else 1.0), n).round(2)
    term = rng.choice([36, 60], n, p=[0.7, 0.3])
    score = rng.normal(680, 60, n).clip(300, 850).round()
    accounts = rng.poisson(4, n).clip(0, 15)
    dti = rng.beta(2, 5, n) * (1.4 if shifted else 1.0)
    dti = dti.round(4)
    region_p = [0.25, 0.2, 0.2, 0.2, 0.15]
    regions = list(rng.choice(REGIONS, n, p=region_p))
    if shifted:
        regions = [r if rng.random() > 0.12 else "islands" for r in regions]
    purpose = rng.choice(PURPOSES, n, p=[0.3, 0.25, 0.1, 0.15, 0.1, 0.1])
    employment = list(rng.choice(EMPLOYMENT, n, p=[0.6, 0.2, 0.15, 0.05]))
    missing_rate = 0.3 if shifted else 0.01
    employment = [e if rng.random() > missing_rate else "" for e in employment]
    z = -3.0 + 2.2 * dti + 0.8 * (loan / income) - 0.004 * (score - 680) + 0.3 * (term == 60)
    p_default = 1 / (1 + np.exp(-z))
    label = np.where(rng.random(n) < p_default, "default", "no_default")
    prediction = np.where(p_default >= 0.5, "default", "no_default")
    rows = []
    for i in range(n):
        pd = round(float(p_default[i]), 4)
        rows.append({
            "age": int(age[i]), "income": income[i], "loan_amount": loan[i], "term": int(term[i]),
            "credit_score": int(score[i]), "open_accounts": int(accounts[i]), "debt_to_income": dti[i],
            "region": regions[i], "purpose": purpose[i], "employment": employment[i],
            "prediction": prediction[i], "score_default": pd, "score_no_default": round(1 - pd, 4),
            "label": label[i],
        })
    return rows


def write(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / "reference.csv", make(np.random.default_rng(7), 10000, shifted=False))
    write(OUT / "current.csv", make(np.random.default_rng(8), 5000, shifted=True))


if __name__ == "__main__":
    main()
