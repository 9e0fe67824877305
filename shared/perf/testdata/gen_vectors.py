#!/usr/bin/env python3
"""Writes vectors.json: performance metrics computed by scikit-learn on random
cases, which perf's tests reproduce. Run by hand (needs numpy, scikit-learn):

    python3 shared/perf/testdata/gen_vectors.py
"""
import json
import os

import numpy as np
from sklearn import metrics

rng = np.random.default_rng(20261126)
cases = []


def classification(name, classes, n, with_scores=True, round_scores=None):
    k = len(classes)
    y = rng.integers(0, k, n)
    # Scores that carry some signal: the true class gets a bonus.
    raw = rng.random((n, k)) + 1.2 * np.eye(k)[y] * rng.random(n)[:, None]
    p = raw / raw.sum(axis=1, keepdims=True)
    if round_scores is not None:
        p = np.round(p, round_scores)  # ties
        p = p / p.sum(axis=1, keepdims=True)
    yhat = p.argmax(axis=1)
    # Some predictions disagree with the argmax, as a thresholded model's may.
    flip = rng.random(n) < 0.1
    yhat[flip] = rng.integers(0, k, flip.sum())
    y_true = [classes[i] for i in y]
    y_pred = [classes[i] for i in yhat]
    labels = sorted(set(y_true) | set(y_pred))
    prec, rec, f1, sup = metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    out = {
        "name": name, "task": "classification",
        "labels": y_true, "predictions": y_pred,
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "macro_precision": float(np.mean(prec)), "macro_recall": float(np.mean(rec)), "macro_f1": float(np.mean(f1)),
        "classes": [{"class": c, "precision": float(a), "recall": float(b), "f1": float(d), "support": int(s)}
                    for c, a, b, d, s in zip(labels, prec, rec, f1, sup)],
    }
    if with_scores:
        scls = sorted(classes)
        cols = [classes.index(c) for c in scls]
        ps = p[:, cols]
        out["scores"] = [{c: float(v) for c, v in zip(scls, row)} for row in ps]
        if k == 2:
            out["auc"] = metrics.roc_auc_score([1 if t == scls[1] else 0 for t in y_true], ps[:, 1])
        else:
            out["auc"] = metrics.roc_auc_score(y_true, ps, multi_class="ovr", average="macro", labels=scls)
        out["class_auc"] = {c: metrics.roc_auc_score([1 if t == c else 0 for t in y_true], ps[:, i]) for i, c in enumerate(scls)}
        out["log_loss"] = metrics.log_loss(y_true, ps, labels=scls)
    cases.append(out)


def regression(name, n, zeros=0):
    y = rng.normal(50, 20, n)
    y[:zeros] = 0
    yhat = y + rng.normal(0, 5, n)
    nz = y != 0
    cases.append({
        "name": name, "task": "regression",
        "labels": [float(v) for v in y], "predictions": [float(v) for v in yhat],
        "mae": metrics.mean_absolute_error(y, yhat),
        "rmse": float(np.sqrt(metrics.mean_squared_error(y, yhat))),
        # MAPE over the non-zero labels (perf leaves zero labels out).
        "mape": metrics.mean_absolute_percentage_error(y[nz], yhat[nz]),
    })


classification("binary", ["legit", "fraud"], 400)
classification("binary ties", ["0", "1"], 300, round_scores=1)
classification("three classes", ["a", "b", "c"], 500)
classification("five classes ties", ["v", "w", "x", "y", "z"], 700, round_scores=2)
classification("no scores", ["no", "yes"], 50, with_scores=False)
regression("regression", 300)
regression("regression with zero labels", 200, zeros=7)

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json"), "w") as f:
    json.dump({"generator": "gen_vectors.py", "sklearn": __import__("sklearn").__version__, "cases": cases}, f)
    f.write("\n")
