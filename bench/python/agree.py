"""Agreement check: modelwatch's numbers against scipy on the raw data, against
Evidently and NannyML where their definitions agree, and the drifted-feature
sets against the expectations the generator wrote down.

    python agree.py --data DIR --work DIR [--out agreement.json]

DIR (--data) holds the data set (reference/current .csv and .parquet and
manifest.json); --work holds what the benchmark run wrote there:

    mw-csv.json, mw-parquet.json   modelwatch compare --json, default config
    mw-equivalent.json             modelwatch compare --json --config config-evidently-equivalent.json
    lambda-report.json             the report compared from 24 merged batch profiles
    bounds.json                    profilecompare bounds (documented error bounds)
    evidently-csv.json, evidently-parquet.json, nannyml-parquet.json

Hard checks (any failure makes the exit status 1):

  formats     modelwatch reads the same numbers from CSV and Parquet: equal reports.
  lambda      comparing from 24 merged batch profiles gives the CLI's report (counts
              merge exactly; W to 1e-9 relative, since the tail sums add in another order).
  ks          0 <= D_exact - D_modelwatch <= 1/1000 (scipy.stats.ks_2samp on the raw data;
              the grid D is the exact ECDF difference at the 1000 grid edges, so never above).
  wasserstein |W_modelwatch - W_exact| <= the documented bound of stats.WassersteinBinnedBound
              over the reference std, computed from the same profiles (W_exact =
              scipy.stats.wasserstein_distance / numpy.std(reference)).
  evidently-w Evidently's normalised Wasserstein equals W_exact (to 1e-9 relative): the
              comparison above is then also with Evidently.
  js          categorical Jensen-Shannon: Evidently's (natural log) = sqrt(ln 2) x ours
              (base 2) and NannyML's (base 2, reference categories + leftover) = ours, to 1e-9.
  psi-categorical  categorical PSI as Evidently computes it (stattest 'psi') = ours, to 1e-9,
              where every non-zero share exceeds 1e-4 (both then replace a 0 share by 1e-4).
  same-rule   with Evidently's rule as a modelwatch config (Wasserstein >= 0.1 on numeric,
              JS >= 0.1/sqrt(ln 2) base 2 on categorical), the drifted sets are equal, except
              a feature whose exact statistic lies within our error bound of the threshold.
  expected    each tool's default drifted set is the one the generator's manifest expects;
              where the two differ the manifest says why.

  multivariate  the mean PCA reconstruction error of the current data (compare --json's
              multivariate.mean) equals NannyML's DataReconstructionDriftCalculator on the
              same data as one chunk (run here, written to reconstruction-nannyml.json), to
              1e-6 relative, with the same number of kept components; the Lambda path's
              (24 merged batch profiles) equals the CLI's to 1e-9.

Negative controls: each run also plants one disagreement of each kind in a copy of the
outputs (our KS D 2/1000 off, our W outside its bound, an Evidently verdict flipped, NannyML's
JS 1 % off, NannyML's reconstruction error 1e-5 off) and requires the check to catch it, so
a check that cannot fail is seen.

Informational: NannyML's KS D (10,000 equal-width bins above 10,000 reference rows) against
the exact D, and numeric PSI as Evidently computes it (Sturges bins over reference+current)
beside ours (reference deciles): different bins, so different numbers.
"""

import argparse
import json
import math
import pathlib
import sys

import numpy as np
import pandas as pd
from scipy import stats

SQRT_LN2 = math.sqrt(math.log(2))
EQUIVALENT_JS = 0.1 / SQRT_LN2  # Evidently's JS threshold 0.1 (natural log) in base 2
KS_TOLERANCE = 1 / 1000  # 1/grid for the default 1000-bin grid
REL = 1e-9


def evidently_equivalent_config(manifest):
    """modelwatch drift config that decides as Evidently's DataDriftPreset does
    above 1000 reference rows."""
    return {
        "method": "wasserstein",
        "thresholds": {"warn": 0.05, "drift": 0.1},
        "features": {f["name"]: {"method": "js", "thresholds": {"warn": EQUIVALENT_JS / 2, "drift": EQUIVALENT_JS}}
                     for f in manifest["features"] if f["kind"] == "categorical"},
    }


def close(a, b, rel=REL, abs_=1e-12):
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


class Checker:
    def __init__(self):
        self.rows = []

    def add(self, check, feature, ok, **detail):
        self.rows.append({"check": check, "feature": feature, "ok": bool(ok), **detail})

    @property
    def failures(self):
        return [r for r in self.rows if not r["ok"]]


def by_name(items):
    return {f["name"]: f for f in items}


def load_json(path):
    with open(path) as f:
        return json.load(f)


def exact_statistics(data, manifest):
    """KS D and normalised Wasserstein on the raw values (Parquet holds
    exactly the doubles of the CSV)."""
    cols = [f["name"] for f in manifest["features"] if f["kind"] == "numeric"]
    ref = pd.read_parquet(data / "reference.parquet", columns=cols)
    cur = pd.read_parquet(data / "current.parquet", columns=cols)
    out = {}
    for c in cols:
        a = ref[c].to_numpy(dtype=np.float64)
        b = cur[c].to_numpy(dtype=np.float64)
        out[c] = {"ks": float(stats.ks_2samp(a, b).statistic),
                  "wasserstein": float(stats.wasserstein_distance(a, b) / np.std(a))}
    return out


def nannyml_reconstruction(data, manifest):
    """NannyML's DataReconstructionDriftCalculator (defaults: mean and most
    frequent imputation, count encoding, standardisation, PCA keeping 0.65 of
    the variance) fitted on the reference, the current data as one chunk: its
    mean reconstruction error and the number of kept components. Run here, not
    in the timed NannyML run, so that the benchmark's NannyML figure stays the
    univariate one."""
    import os
    import warnings
    os.environ.setdefault("NML_DISABLE_USAGE_LOGGING", "1")
    import nannyml
    warnings.filterwarnings("ignore")
    names = [f["name"] for f in manifest["features"]]
    ref = pd.read_parquet(data / "reference.parquet", columns=names)
    cur = pd.read_parquet(data / "current.parquet", columns=names)
    calc = nannyml.DataReconstructionDriftCalculator(column_names=names, chunk_number=1)
    calc.fit(ref)
    df = calc.calculate(cur).filter(period="analysis").to_df()
    return {"value": float(df.iloc[0][("reconstruction_error", "value")]), "components": int(calc._pca.n_components_),
            "nannyml": nannyml.__version__}


def evidently_psi(data, manifest):
    """PSI as Evidently computes it (stattest 'psi': Sturges bins over reference
    and current together, zero shares replaced), for the informational table."""
    from evidently.legacy.calculations.stattests.psi import _psi
    from evidently.legacy.core import ColumnType
    ref = pd.read_parquet(data / "reference.parquet")
    cur = pd.read_parquet(data / "current.parquet")
    out = {}
    for f in manifest["features"]:
        kind = ColumnType.Numerical if f["kind"] == "numeric" else ColumnType.Categorical
        out[f["name"]] = float(_psi(ref[f["name"]], cur[f["name"]], kind, 0.1)[0])
    return out


def compare_reports(ck, check, a, b, w_rel):
    fa, fb = by_name(a["features"]), by_name(b["features"])
    if set(fa) != set(fb):
        ck.add(check, "*", False, detail=f"features differ: {sorted(set(fa) ^ set(fb))}")
        return
    for name, x in fa.items():
        y = fb[name]
        problems = []
        for key in ("psi", "kl", "js", "hellinger"):
            if (x.get(key) is None) != (y.get(key) is None) or (x.get(key) is not None and not close(x[key], y[key], 1e-12)):
                problems.append(key)
        if x.get("ks") or y.get("ks"):
            if not (x.get("ks") and y.get("ks") and x["ks"]["statistic"] == y["ks"]["statistic"]):
                problems.append("ks")
        if x.get("wasserstein") is not None or y.get("wasserstein") is not None:
            if not (x.get("wasserstein") is not None and y.get("wasserstein") is not None
                    and close(x["wasserstein"], y["wasserstein"], w_rel)):
                problems.append("wasserstein")
        if x["severity"] != y["severity"]:
            problems.append("severity")
        ck.add(check, name, not problems, detail=", ".join(problems) or "equal")


def drifted(report):
    return {f["name"] for f in report["features"] if f["severity"] == "drift"}


def run_checks(data, work, with_nannyml=True, with_evidently=True, cache=None):
    """Runs every check on the outputs in work; cache (a dict) keeps the
    statistics computed from the raw data for another call on the same data."""
    data, work = pathlib.Path(data), pathlib.Path(work)
    cache = {} if cache is None else cache
    manifest = load_json(data / "manifest.json")
    feats = manifest["features"]
    numeric = [f["name"] for f in feats if f["kind"] == "numeric"]
    categorical = [f["name"] for f in feats if f["kind"] == "categorical"]
    ck = Checker()

    def pick(tool):
        """The Parquet run's output, or the CSV run's when only CSV ran."""
        p = work / f"{tool}-parquet.json"
        return p if p.exists() else work / f"{tool}-csv.json"

    mw = load_json(pick("mw"))
    both = (work / "mw-csv.json").exists() and (work / "mw-parquet.json").exists()
    mw_csv = load_json(work / "mw-csv.json") if both else None
    ours = by_name(mw["features"])
    bounds = by_name(load_json(work / "bounds.json"))
    if "exact" not in cache:
        cache["exact"] = exact_statistics(data, manifest)
    exact = cache["exact"]

    if mw_csv is not None:
        compare_reports(ck, "formats", mw_csv, mw, 1e-12)
    compare_reports(ck, "lambda", load_json(work / "lambda-report.json"), mw, 1e-9)

    table = []
    for name in numeric:
        o, e, b = ours[name], exact[name], bounds[name]
        d_ours = o["ks"]["statistic"]
        gap = e["ks"] - d_ours
        ck.add("ks", name, -1e-12 <= gap <= KS_TOLERANCE + 1e-12, ours=d_ours, exact=e["ks"], diff=gap,
               tolerance=KS_TOLERANCE, bin_bound=b["ks"])
        w_ours = o["wasserstein"]
        tol = b["wasserstein"] * (1 + REL) + 1e-12
        ck.add("wasserstein", name, abs(w_ours - e["wasserstein"]) <= tol, ours=w_ours, exact=e["wasserstein"],
               diff=w_ours - e["wasserstein"], tolerance=b["wasserstein"])
        table.append({"name": name, "ks_ours": d_ours, "ks_exact": e["ks"], "w_ours": w_ours,
                      "w_exact": e["wasserstein"], "w_bound": b["wasserstein"]})

    ev = None
    if with_evidently:
        ev = by_name(load_json(pick("evidently"))["features"])
        if (work / "evidently-csv.json").exists() and (work / "evidently-parquet.json").exists():
            ev_csv = by_name(load_json(work / "evidently-csv.json")["features"])
            for name, f in ev.items():
                ck.add("evidently-formats", name, close(f["value"], ev_csv[name]["value"], 1e-12),
                       parquet=f["value"], csv=ev_csv[name]["value"])
        for name in numeric:
            f = ev[name]
            ok = f["method"].startswith("Wasserstein") and close(f["value"], exact[name]["wasserstein"])
            ck.add("evidently-w", name, ok, evidently=f["value"], exact=exact[name]["wasserstein"], method=f["method"])
        for name in categorical:
            f = ev[name]
            ok = f["method"].startswith("Jensen-Shannon") and close(f["value"], SQRT_LN2 * ours[name]["js"])
            ck.add("js", name, ok, other="evidently", other_value=f["value"], ours_scaled=SQRT_LN2 * ours[name]["js"],
                   ours=ours[name]["js"])

        # The same rule on both sides.
        equiv = by_name(load_json(work / "mw-equivalent.json")["features"])
        for name in numeric + categorical:
            e_drift = ev[name]["drift"]
            o_drift = equiv[name]["severity"] == "drift"
            if name in numeric:
                margin = abs(exact[name]["wasserstein"] - 0.1)
                ambiguous = margin <= bounds[name]["wasserstein"]
            else:
                ambiguous = False  # the JS values are equal, not approximately equal
            ck.add("same-rule", name, e_drift == o_drift or ambiguous, evidently=e_drift, modelwatch=o_drift,
                   ambiguous=ambiguous)

    if with_nannyml:
        nm = by_name(load_json(pick("nannyml"))["features"])
        for name in categorical:
            ck.add("js", name, close(nm[name]["jensen_shannon"], ours[name]["js"]), other="nannyml",
                   other_value=nm[name]["jensen_shannon"], ours=ours[name]["js"])
        for row in table:
            row["ks_nannyml"] = nm[row["name"]]["kolmogorov_smirnov"]
        rec_path = work / "reconstruction-nannyml.json"
        if not rec_path.exists():
            if "nannyml_reconstruction" not in cache:
                cache["nannyml_reconstruction"] = nannyml_reconstruction(data, manifest)
            rec_path.write_text(json.dumps(cache["nannyml_reconstruction"]))
        rec = load_json(rec_path)
        ours_mv = mw.get("multivariate")
        if rec is None or ours_mv is None:
            ck.add("multivariate", "nannyml", False, detail="no reconstruction error on one side",
                   ours=ours_mv is not None, nannyml=rec is not None)
        else:
            ck.add("multivariate", "nannyml", close(ours_mv["mean"], rec["value"], 1e-6) and
                   ours_mv["components"] == rec["components"], ours=ours_mv["mean"], nannyml=rec["value"],
                   rel_diff=abs(ours_mv["mean"] - rec["value"]) / rec["value"],
                   components=ours_mv["components"], nannyml_components=rec["components"])
    lam_mv, ours_mv = load_json(work / "lambda-report.json").get("multivariate"), mw.get("multivariate")
    ck.add("multivariate", "lambda", lam_mv is not None and ours_mv is not None and close(lam_mv["mean"], ours_mv["mean"]),
           ours=None if ours_mv is None else ours_mv["mean"], lambda_=None if lam_mv is None else lam_mv["mean"])

    # PSI of a categorical feature has one definition on both sides (shares of
    # each category, a share of 0 replaced by 1e-4) as long as every share that
    # is not 0 exceeds 1e-4: below that Evidently replaces zeros with the
    # smallest share / 1e6 instead.
    if with_evidently and "psi_evidently" not in cache:
        cache["psi_evidently"] = evidently_psi(data, manifest)
    psi_ev = cache.get("psi_evidently", {})
    for name in categorical if with_evidently else []:
        bins = ours[name]["bins"]
        shares = [x for x in bins["reference"] + bins["current"] if x > 0]
        comparable = min(shares) > 1e-4
        ck.add("psi-categorical", name, close(psi_ev[name], ours[name]["psi"]) or not comparable,
               evidently=psi_ev[name], ours=ours[name]["psi"], comparable=comparable)

    # Default rule against default rule: the manifest's expectations.
    expect_mw = {f["name"] for f in feats if f["expect_modelwatch_drift"]}
    got_mw = drifted(mw)
    ck.add("expected", "modelwatch", got_mw == expect_mw, got=sorted(got_mw), expected=sorted(expect_mw))
    got_ev = None
    if ev is not None:
        expect_ev = {f["name"] for f in feats if f["expect_evidently_drift"]}
        got_ev = {n for n, f in ev.items() if f["drift"]}
        ck.add("expected", "evidently", got_ev == expect_ev, got=sorted(got_ev), expected=sorted(expect_ev))

    features = []
    for f in feats:
        o = ours[f["name"]]
        features.append({
            "name": f["name"], "kind": f["kind"], "description": f["description"],
            "modelwatch": {"severity": o["severity"], "psi": o.get("psi"), "js": o.get("js"),
                           "wasserstein": o.get("wasserstein"), "ks": (o.get("ks") or {}).get("statistic")},
            "evidently": None if ev is None else {"method": ev[f["name"]]["method"], "value": ev[f["name"]]["value"],
                                                  "drift": ev[f["name"]]["drift"], "psi_sturges": psi_ev.get(f["name"])},
            "why_they_differ": f["why_they_differ"],
        })
    return {
        "rows": manifest["rows"],
        "checks": ck.rows,
        "failures": ck.failures,
        "numeric": table,
        "features": features,
        "drifted": {"modelwatch": sorted(got_mw), "evidently": None if got_ev is None else sorted(got_ev)},
        "summary": summarize(ck.rows),
    }


def negative_controls(data, work, with_nannyml=True, with_evidently=True, cache=None):
    """Shows that the check can fail: each control copies the outputs, plants
    one disagreement, and must be caught by the check named. Returns one row
    per control: {control, expect, caught, failed_checks}."""
    import shutil
    import tempfile
    work = pathlib.Path(work)

    def tamper(name, edit):
        def run():
            with tempfile.TemporaryDirectory(prefix=f"control-{name}-") as tmp:
                for p in work.glob("*.json"):
                    shutil.copy(p, tmp)
                edit(pathlib.Path(tmp))
                return run_checks(data, tmp, with_nannyml, with_evidently, cache)["failures"]
        return run

    def edit_json(path, fn):
        doc = load_json(path)
        fn(doc)
        path.write_text(json.dumps(doc))

    def feature(doc, name):
        return next(f for f in doc["features"] if f["name"] == name)

    def ks_off(d):  # our KS D 2/1000 below the exact one
        edit_json(d / ("mw-parquet.json" if (d / "mw-parquet.json").exists() else "mw-csv.json"),
                  lambda doc: feature(doc, "num_00")["ks"].update(statistic=feature(doc, "num_00")["ks"]["statistic"] - 0.002))

    def w_off(d):  # our W outside its bound
        bound = by_name(load_json(d / "bounds.json"))["num_04"]["wasserstein"]
        edit_json(d / ("mw-parquet.json" if (d / "mw-parquet.json").exists() else "mw-csv.json"),
                  lambda doc: feature(doc, "num_04").update(wasserstein=feature(doc, "num_04")["wasserstein"] + 2 * bound + 0.01))

    controls = [("ks", "ks", ks_off), ("wasserstein", "wasserstein", w_off)]
    if with_evidently:
        def verdict_flip(d):  # Evidently calls a drifted feature stable
            for p in d.glob("evidently-*.json"):
                edit_json(p, lambda doc: feature(doc, "num_00").update(drift=False))
        controls.append(("evidently verdict", "same-rule", verdict_flip))
    if with_nannyml:
        def js_off(d):  # NannyML's categorical JS 1 % away from ours
            for p in d.glob("nannyml-*.json"):
                edit_json(p, lambda doc: feature(doc, "cat_1").update(jensen_shannon=feature(doc, "cat_1")["jensen_shannon"] * 1.01))
        controls.append(("nannyml js", "js", js_off))

        def mv_off(d):  # NannyML's reconstruction error 1e-5 (relative) away from ours
            edit_json(d / "reconstruction-nannyml.json", lambda doc: doc.update(value=doc["value"] * (1 + 1e-5)))
        controls.append(("nannyml reconstruction error", "multivariate", mv_off))
    out = []
    for name, expect, edit in controls:
        failures = tamper(name.replace(" ", "-"), edit)()
        failed = sorted({f["check"] for f in failures})
        out.append({"control": name, "expect": expect, "caught": expect in failed, "failed_checks": failed})
    return out


def summarize(rows):
    out = {}
    for r in rows:
        s = out.setdefault(r["check"], {"passed": 0, "failed": 0})
        s["passed" if r["ok"] else "failed"] += 1
    for check, field in (("ks", "diff"), ("wasserstein", "diff")):
        vals = [abs(r[field]) for r in rows if r["check"] == check]
        if vals:
            out[check]["max_abs_diff"] = max(vals)
    ratios = [abs(r["diff"]) / r["tolerance"] for r in rows if r["check"] == "wasserstein" and r["tolerance"] > 0]
    if ratios:
        out["wasserstein"]["max_diff_over_bound"] = max(ratios)
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out")
    ap.add_argument("--no-nannyml", action="store_true")
    ap.add_argument("--no-evidently", action="store_true")
    args = ap.parse_args(argv)
    cache = {}
    res = run_checks(args.data, args.work, not args.no_nannyml, not args.no_evidently, cache)
    res["controls"] = negative_controls(args.data, args.work, not args.no_nannyml, not args.no_evidently, cache)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)
    for check, s in res["summary"].items():
        print(f"{check:18s} {s}")
    for r in res["failures"]:
        print("DISAGREE", json.dumps(r))
    for c in res["controls"]:
        print(f"control {c['control']:18s} {'caught' if c['caught'] else 'MISSED'} by {c['failed_checks']}")
    return 1 if res["failures"] or not all(c["caught"] for c in res["controls"]) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
