"""Agreement check: modelwatch's numbers against scipy on the raw data, against
Evidently, NannyML and a plain pandas + scipy script where their definitions
agree, and the drifted-feature sets against the expectations the generator
wrote down.

    python agree.py --data DIR --work DIR [--out agreement.json]

DIR (--data) holds the data set (reference/current .csv and .parquet and
manifest.json); --work holds what the benchmark run wrote there:

    mw-csv.json, mw-parquet.json   modelwatch compare --json, default config
    mw-equivalent.json             modelwatch compare --json --config config-evidently-equivalent.json
    lambda-report.json             the report compared from 24 merged batch profiles
    bounds.json                    profilecompare bounds (documented error bounds)
    evidently-csv.json, evidently-parquet.json, nannyml-parquet.json
    pandas-csv.json, pandas-parquet.json   run_pandas.py
    mw-multivariate.json           compare --json with a reference built without the
                                   features whose categories were pooled (see multivariate)

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

  univariate  compare with a reference built --multivariate=false gives the same per-feature
              results (every statistic and severity) as with the default reference.

  pandas-formats  the script's CSV and Parquet outputs are equal (to 1e-12).
  pandas-ks   0 <= D_script - D_modelwatch <= 1/1000 (the script's D is ks_2samp's).
  pandas-ks-p our p-value lies between scipy's asymptotic p-value (kstwo.sf(D, round(n·m/(n+m))))
              at the script's D and at D - 1/1000, to 1e-6 relative: our D is at most 1/1000
              below the exact one and the p-value falls with D. Where scipy chose its
              asymptotic method (above 10,000 values a side, or when its exact one fails), the
              script's p-value equals that function at its D (1e-9 relative); at 10,000 values or
              fewer ks_2samp computes an exact p-value, which modelwatch does not (reported).
  pandas-psi  PSI to 1e-9 relative: numeric over the distinct reference deciles, categorical
              over the categories. Not comparable, by definition: a discrete feature (at most
              20 distinct reference values: modelwatch bins on the values, the script on the
              deciles), a pooled categorical (more than 1,000 reference categories: modelwatch
              keeps the 1,000 most frequent and pools the rest into __other__, the script keeps
              them all), and a categorical with two or more categories new in the current data
              (modelwatch counts them together in __other__).
  pandas-chi2 chi-squared statistic and p-value to 1e-9 relative, same dof, same exceptions.
  pandas-missing  the missing shares, to 1e-12.
  pandas-drifted  the script's drifted set (PSI >= 0.25 or the missing share moved by 20
              points) is modelwatch's default one, except on features not comparable above.
  pooled      for a pooled categorical, ours against the definition recomputed from the raw
              data (the 1,000 most frequent reference categories, ties by name, the rest and
              the new ones in __other__): PSI, JS, chi-squared statistic and p-value, 1e-9.

Missing values: every statistic is over the non-missing values (scipy here after
dropna; Evidently drops them before its tests; NannyML's JS of a categorical keeps
them out too). modelwatch grades the change of the missing share on its own, so a
feature whose values did not move but whose missing share did drifts for modelwatch
and the script, not for Evidently (the manifest says so).

Negative controls: each run also plants one disagreement of each kind in a copy of the
outputs (our KS D 2/1000 off, our W outside its bound, an Evidently verdict flipped, NannyML's
JS 1 % off, NannyML's reconstruction error 1e-5 off, the script's PSI 1 % off, our KS p-value
halved, our chi-squared statistic of a pooled categorical 1 % off) and requires the check to
catch it, so a check that cannot fail is seen.

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
MAX_CATEGORIES = 1000  # modelwatch's default --max-categories
SCIPY_EXACT_KS_MAX = 10000  # ks_2samp(method="auto") is exact up to this many values a side
PSI_EPSILON = 1e-4
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

    def skip(self, check, feature, why, **detail):
        """A pair of values that differ by definition: recorded, not checked."""
        self.rows.append({"check": check, "feature": feature, "ok": True, "comparable": False, "why": why, **detail})

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
        a = ref[c].dropna().to_numpy(dtype=np.float64)
        b = cur[c].dropna().to_numpy(dtype=np.float64)
        out[c] = {"ks": float(stats.ks_2samp(a, b, method="asymp").statistic),
                  "wasserstein": float(stats.wasserstein_distance(a, b) / np.std(a)), "n": len(a), "m": len(b)}
    return out


def ks_asymptotic_p(d, n, m):
    """scipy's asymptotic two-sided p-value of ks_2samp, the one modelwatch
    documents."""
    return float(stats.kstwo.sf(d, np.round(n * m / (n + m))))


def category_statistics(data, manifest):
    """Per categorical feature, from the raw data: the number of reference
    categories, the categories new in the current data, and the statistics
    over modelwatch's bins (the MAX_CATEGORIES most frequent reference
    categories, ties by name, then __other__ for the rest and the new ones)."""
    from scipy.spatial.distance import jensenshannon
    cols = [f["name"] for f in manifest["features"] if f["kind"] == "categorical"]
    ref = pd.read_parquet(data / "reference.parquet", columns=cols)
    cur = pd.read_parquet(data / "current.parquet", columns=cols)
    out = {}
    for c in cols:
        rc, cc = ref[c].value_counts(), cur[c].value_counts()
        order = sorted(rc.items(), key=lambda kv: (-kv[1], kv[0]))
        kept = [k for k, _ in order[:MAX_CATEGORIES]]
        r = np.array([rc[k] for k in kept] + [rc.sum() - sum(rc[k] for k in kept)], dtype=np.float64)
        q = np.array([cc.get(k, 0) for k in kept] + [cc.sum() - sum(cc.get(k, 0) for k in kept)], dtype=np.float64)
        p, qq = r / r.sum(), q / q.sum()
        table = np.array([r, q])
        table = table[:, table.sum(axis=0) > 0]
        chi2, pv, dof, _ = stats.chi2_contingency(table, correction=False)
        pe, qe = np.where(p == 0, PSI_EPSILON, p), np.where(qq == 0, PSI_EPSILON, qq)
        out[c] = {"reference_categories": len(rc), "new_categories": int(len(set(cc.index) - set(rc.index))),
                  "psi": float(np.sum((qe - pe) * np.log(qe / pe))), "js": float(jensenshannon(p, qq, base=2)),
                  "chi2": float(chi2), "chi2_p": float(pv), "dof": int(dof)}
    return out


def nannyml_reconstruction(data, names):
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
    ref = pd.read_parquet(data / "reference.parquet", columns=names)
    cur = pd.read_parquet(data / "current.parquet", columns=names)
    # A missing category read from Parquet is None; scikit-learn's
    # SimpleImputer(missing_values=np.nan), NannyML's imputer, does not see
    # None as missing, so category_encoders would count the missing values
    # as a category of their own. As NaN (what read_csv gives) they are
    # imputed with the most frequent category, as both sides define it.
    for df in (ref, cur):
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].where(df[c].notna(), np.nan)
    calc = nannyml.DataReconstructionDriftCalculator(column_names=names, chunk_number=1)
    calc.fit(ref)
    df = calc.calculate(cur).filter(period="analysis").to_df()
    return {"value": float(df.iloc[0][("reconstruction_error", "value")]), "components": int(calc._pca.n_components_),
            "nannyml": nannyml.__version__, "features": names}


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
        # The drift calculation drops missing values before its tests.
        out[f["name"]] = float(_psi(ref[f["name"]].dropna(), cur[f["name"]].dropna(), kind, 0.1)[0])
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


POOLED_WHY = (f"modelwatch keeps the {MAX_CATEGORIES} most frequent reference categories and pools the rest, and the "
              "current categories the reference never had, into __other__; the other tool keeps every category")
DISCRETE_WHY = ("a numeric feature with at most 20 distinct reference values is discrete for modelwatch: PSI over its "
                "values (and __other__), not over the deciles the script bins on")
NEW_CATEGORIES_WHY = ("modelwatch counts the categories new in the current data together in __other__; the script "
                      "keeps each one")


def run_checks(data, work, with_nannyml=True, with_evidently=True, cache=None, with_pandas=True):
    """Runs every check on the outputs in work; cache (a dict) keeps the
    statistics computed from the raw data for another call on the same data."""
    data, work = pathlib.Path(data), pathlib.Path(work)
    cache = {} if cache is None else cache
    manifest = load_json(data / "manifest.json")
    feats = manifest["features"]
    numeric = [f["name"] for f in feats if f["kind"] == "numeric"]
    categorical = [f["name"] for f in feats if f["kind"] == "categorical"]
    ck = Checker()
    notes = []

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
    if "categories" not in cache:
        cache["categories"] = category_statistics(data, manifest)
    cats = cache["categories"]
    pooled = {n for n in categorical if cats[n]["reference_categories"] > MAX_CATEGORIES}
    discrete = {n for n in numeric if ours[n]["kind"] == "discrete"}
    for name in sorted(pooled):
        notes.append(f"{name}: {cats[name]['reference_categories']} reference categories; {POOLED_WHY}. Its JS, PSI "
                     "and chi-squared are checked against that definition recomputed from the raw data (check pooled), "
                     "and compared with the other tools' only for information.")

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

    # Pooled categoricals: ours against the definition, from the raw data.
    for name in sorted(pooled):
        o, c = ours[name], cats[name]
        ok = (close(o["psi"], c["psi"]) and close(o["js"], c["js"]) and close(o["chi2"]["statistic"], c["chi2"])
              and close(o["chi2"]["p_value"], c["chi2_p"]) and o["chi2"]["dof"] == c["dof"])
        ck.add("pooled", name, ok, ours={"psi": o["psi"], "js": o["js"], "chi2": o["chi2"]},
               recomputed={k: c[k] for k in ("psi", "js", "chi2", "chi2_p", "dof")})

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
            if name in pooled:
                ck.skip("js", name, POOLED_WHY, other="evidently", other_value=f["value"],
                        ours_scaled=SQRT_LN2 * ours[name]["js"])
                continue
            ok = f["method"].startswith("Jensen-Shannon") and close(f["value"], SQRT_LN2 * ours[name]["js"])
            ck.add("js", name, ok, other="evidently", other_value=f["value"], ours_scaled=SQRT_LN2 * ours[name]["js"],
                   ours=ours[name]["js"])

        # The same rule on both sides. Evidently's rule has no missing-rate
        # part, so ours is its method's verdict (method_severity).
        equiv = by_name(load_json(work / "mw-equivalent.json")["features"])
        for name in numeric + categorical:
            e_drift = ev[name]["drift"]
            o_drift = equiv[name]["method_severity"] == "drift"
            if name in numeric:
                margin = abs(exact[name]["wasserstein"] - 0.1)
                ambiguous = margin <= bounds[name]["wasserstein"]
            else:
                ambiguous = False  # the JS values are equal, not approximately equal
            if name in pooled and e_drift != o_drift:
                ck.skip("same-rule", name, POOLED_WHY, evidently=e_drift, modelwatch=o_drift)
                continue
            ck.add("same-rule", name, e_drift == o_drift or ambiguous, evidently=e_drift, modelwatch=o_drift,
                   ambiguous=ambiguous)

    if with_nannyml:
        nm = by_name(load_json(pick("nannyml"))["features"])
        for name in categorical:
            if name in pooled:
                ck.skip("js", name, POOLED_WHY, other="nannyml", other_value=nm[name]["jensen_shannon"],
                        ours=ours[name]["js"])
                continue
            ck.add("js", name, close(nm[name]["jensen_shannon"], ours[name]["js"]), other="nannyml",
                   other_value=nm[name]["jensen_shannon"], ours=ours[name]["js"])
        for row in table:
            row["ks_nannyml"] = nm[row["name"]]["kolmogorov_smirnov"]
        # modelwatch's multivariate model keeps the 1,000 most frequent
        # categories of a feature and encodes the rarer ones as 0; NannyML
        # counts them all. The run compares a model built without the pooled
        # features (mw-multivariate.json) with NannyML's on the same features.
        mv_path = work / "mw-multivariate.json"
        mv_report = load_json(mv_path) if mv_path.exists() else mw
        names = [f["name"] for f in mv_report["features"]]
        if mv_path.exists():
            left_out = sorted(set(ours) - set(names))
            notes.append(f"multivariate: compared without {', '.join(left_out)} on both sides, because modelwatch's "
                         f"model encodes categories rarer than its {MAX_CATEGORIES} most frequent as 0 and NannyML's "
                         "count encoding knows them all; the timed run's model includes every feature.")
        rec_path = work / "reconstruction-nannyml.json"
        if not rec_path.exists():
            key = ("nannyml_reconstruction", tuple(names))
            if key not in cache:
                cache[key] = nannyml_reconstruction(data, names)
            rec_path.write_text(json.dumps(cache[key]))
        rec = load_json(rec_path)
        ours_mv = mv_report.get("multivariate")
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
        if name in pooled:
            ck.skip("psi-categorical", name, POOLED_WHY, evidently=psi_ev[name], ours=ours[name]["psi"])
            continue
        bins = ours[name]["bins"]
        shares = [x for x in bins["reference"] + bins["current"] if x > 0]
        comparable = min(shares) > 1e-4
        ck.add("psi-categorical", name, close(psi_ev[name], ours[name]["psi"]) or not comparable,
               evidently=psi_ev[name], ours=ours[name]["psi"], comparable=comparable)

    script = None
    for fmt in ("csv", "parquet"):
        uni = work / f"mw-univariate-{fmt}.json"
        if uni.exists() and (work / f"mw-{fmt}.json").exists():
            compare_reports(ck, "univariate", load_json(work / f"mw-{fmt}.json"), load_json(uni), 1e-12)
    if with_pandas:
        script = by_name(load_json(pick("pandas"))["features"])
        if (work / "pandas-csv.json").exists() and (work / "pandas-parquet.json").exists():
            script_csv = by_name(load_json(work / "pandas-csv.json")["features"])
            for name, f in script.items():
                g = script_csv[name]
                same = close(f["psi"], g["psi"], 1e-12)
                for key in ("ks", "chi2"):
                    if key in f:
                        same = same and all(close(f[key][k], g[key][k], 1e-12) for k in f[key])
                ck.add("pandas-formats", name, same, parquet=f["psi"], csv=g["psi"])
        exact_method_gap = 0.0
        for name in numeric:
            f, o, e = script[name], ours[name], exact[name]
            d_s, d_o = f["ks"]["statistic"], o["ks"]["statistic"]
            ck.add("pandas-ks", name, -1e-12 <= d_s - d_o <= KS_TOLERANCE + 1e-12, script=d_s, ours=d_o,
                   diff=d_s - d_o, tolerance=KS_TOLERANCE)
            n, m = e["n"], e["m"]
            p_hi = ks_asymptotic_p(max(d_s - KS_TOLERANCE, 0.0), n, m)
            p_lo = ks_asymptotic_p(d_s, n, m)
            p_o, p_s = o["ks"]["p_value"], f["ks"]["p_value"]
            in_bracket = p_lo * (1 - 1e-6) - 1e-300 <= p_o <= p_hi * (1 + 1e-6) + 1e-300
            if max(n, m) > SCIPY_EXACT_KS_MAX or close(p_s, p_lo, 1e-9, 1e-300):
                script_ok, method = close(p_s, p_lo, 1e-9, 1e-300), "asymptotic"
            else:
                script_ok, method = True, "exact"
                exact_method_gap = max(exact_method_gap, abs(p_s - p_lo))
            ck.add("pandas-ks-p", name, in_bracket and script_ok, ours=p_o, script=p_s, bracket=[p_lo, p_hi],
                   script_method=method)
            if name in discrete:
                ck.skip("pandas-psi", name, DISCRETE_WHY, script=f["psi"], ours=o["psi"])
            else:
                ck.add("pandas-psi", name, close(f["psi"], o["psi"]), script=f["psi"], ours=o["psi"])
        if exact_method_gap > 0:
            notes.append("KS p-value: at 10,000 values a side or fewer ks_2samp computes the exact p-value; modelwatch "
                         "uses scipy's asymptotic one (kstwo.sf(D, round(n·m/(n+m)))) at every size. Largest difference "
                         f"between the script's exact p-value and the asymptotic one at the same D: {exact_method_gap:.2e}.")
        for name in categorical:
            f, o, c = script[name], ours[name], cats[name]
            why = POOLED_WHY if name in pooled else NEW_CATEGORIES_WHY if c["new_categories"] > 1 else None
            if why:
                ck.skip("pandas-psi", name, why, script=f["psi"], ours=o["psi"])
                ck.skip("pandas-chi2", name, why, script=f["chi2"], ours=o["chi2"])
                continue
            ck.add("pandas-psi", name, close(f["psi"], o["psi"]), script=f["psi"], ours=o["psi"])
            ok = (close(f["chi2"]["statistic"], o["chi2"]["statistic"]) and f["chi2"]["dof"] == o["chi2"]["dof"]
                  and close(f["chi2"]["p_value"], o["chi2"]["p_value"]))
            ck.add("pandas-chi2", name, ok, script=f["chi2"], ours=o["chi2"])
        for name in numeric + categorical:
            f, o = script[name], ours[name]
            ok = (close(f["missing"]["reference"], o["missing"]["reference"], 1e-12)
                  and close(f["missing"]["current"], o["missing"]["current"], 1e-12))
            ck.add("pandas-missing", name, ok, script=f["missing"], ours=o["missing"])
        got_s = {n for n, f in script.items() if f["drift"]}
        got_o = drifted(mw)
        for name in sorted(got_s ^ got_o):
            why = POOLED_WHY if name in pooled else DISCRETE_WHY if name in discrete else None
            if why is None and name in categorical and cats[name]["new_categories"] > 1:
                why = NEW_CATEGORIES_WHY
            if why:
                ck.skip("pandas-drifted", name, why, script=name in got_s, modelwatch=name in got_o)
            else:
                ck.add("pandas-drifted", name, False, script=name in got_s, modelwatch=name in got_o)
        ck.add("pandas-drifted", "*", True, script=sorted(got_s), modelwatch=sorted(got_o))

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
        sc = None if script is None else script[f["name"]]
        features.append({
            "name": f["name"], "kind": f["kind"], "description": f["description"],
            "modelwatch": {"severity": o["severity"], "psi": o.get("psi"), "js": o.get("js"),
                           "wasserstein": o.get("wasserstein"), "ks": (o.get("ks") or {}).get("statistic"),
                           "missing": o.get("missing")},
            "pandas": None if sc is None else {"psi": sc["psi"], "drift": sc["drift"], "missing": sc["missing"]},
            "evidently": None if ev is None else {"method": ev[f["name"]]["method"], "value": ev[f["name"]]["value"],
                                                  "drift": ev[f["name"]]["drift"], "psi_sturges": psi_ev.get(f["name"])},
            "why_they_differ": f["why_they_differ"],
        })
    return {
        "rows": manifest["rows"],
        "set": manifest.get("set", "standard"),
        "checks": ck.rows,
        "failures": ck.failures,
        "numeric": table,
        "features": features,
        "notes": notes,
        "drifted": {"modelwatch": sorted(got_mw), "evidently": None if got_ev is None else sorted(got_ev),
                    "pandas": None if script is None else sorted(n for n, f in script.items() if f["drift"])},
        "summary": summarize(ck.rows),
    }


def negative_controls(data, work, with_nannyml=True, with_evidently=True, cache=None, with_pandas=True):
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
                return run_checks(data, tmp, with_nannyml, with_evidently, cache, with_pandas)["failures"]
        return run

    def edit_json(path, fn):
        doc = load_json(path)
        fn(doc)
        path.write_text(json.dumps(doc))

    def feature(doc, name):
        return next(f for f in doc["features"] if f["name"] == name)

    def ours_path(d):
        return d / ("mw-parquet.json" if (d / "mw-parquet.json").exists() else "mw-csv.json")

    def ks_off(d):  # our KS D 2/1000 below the exact one
        edit_json(ours_path(d),
                  lambda doc: feature(doc, "num_00")["ks"].update(statistic=feature(doc, "num_00")["ks"]["statistic"] - 0.002))

    def w_off(d):  # our W outside its bound
        bound = by_name(load_json(d / "bounds.json"))["num_04"]["wasserstein"]
        edit_json(ours_path(d),
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
    if with_pandas:
        def script_psi_off(d):  # the script's PSI of num_00 1 % away from ours
            for p in d.glob("pandas-*.json"):
                edit_json(p, lambda doc: feature(doc, "num_00").update(psi=feature(doc, "num_00")["psi"] * 1.01))
        controls.append(("pandas psi", "pandas-psi", script_psi_off))

        def ks_p_off(d):  # our KS p-value halved where it is largest
            doc = load_json(ours_path(d))
            name = max((f for f in doc["features"] if f["kind"] == "numeric"), key=lambda f: f["ks"]["p_value"])["name"]
            edit_json(ours_path(d), lambda doc: feature(doc, name)["ks"].update(p_value=feature(doc, name)["ks"]["p_value"] / 2))
        controls.append(("ks p-value", "pandas-ks-p", ks_p_off))
    pooled = [n for n, c in (cache or {}).get("categories", {}).items() if c["reference_categories"] > MAX_CATEGORIES]
    if pooled:
        def chi2_off(d):  # our chi-squared statistic of a pooled categorical 1 % off
            edit_json(ours_path(d), lambda doc: feature(doc, pooled[0])["chi2"].update(
                statistic=feature(doc, pooled[0])["chi2"]["statistic"] * 1.01))
        controls.append(("pooled chi-squared", "pooled", chi2_off))
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
        if r.get("comparable") is False and "why" in r:
            s.setdefault("not_comparable", []).append(r["feature"] + (f" ({r['other']})" if "other" in r else ""))
            continue
        s["passed" if r["ok"] else "failed"] += 1
    for check, field in (("ks", "diff"), ("wasserstein", "diff"), ("pandas-ks", "diff")):
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
    ap.add_argument("--no-pandas", action="store_true")
    args = ap.parse_args(argv)
    cache = {}
    res = run_checks(args.data, args.work, not args.no_nannyml, not args.no_evidently, cache, not args.no_pandas)
    res["controls"] = negative_controls(args.data, args.work, not args.no_nannyml, not args.no_evidently, cache,
                                        not args.no_pandas)
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
