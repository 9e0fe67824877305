"""Side-by-side benchmark of modelwatch against Evidently, NannyML and a plain
pandas + scipy script: same data, same machine, one run. Started by
bench/run.sh (which installs the venv and builds the Go binaries); see
bench/RESULTS.md.

    bench/run.sh --sizes 10k,100k,1M --reps 3 [--sets standard,hard] [--formats csv,parquet]

For every data set (--sets: the standard one, kept under
bench/data/sets/<size>/, and the hard one, under bench/data/sets/hard/<size>/;
see gen_data.py) and every size it generates the seeded data (once), then,
--reps times, in an order that rotates between repetitions, runs and measures
as separate processes:

  modelwatch   `modelwatch profile build` on the reference file, then
               `modelwatch compare --json` on the current file (per format)
  lambda       the Lambda path: `profilecompare count` profiles the current data
               once into 24 batch profiles (a day of hourly batches), then
               `profilecompare compare` reads, merges and compares the stored
               profiles only
  evidently    Report([DataDriftPreset()]) with both files loaded by pandas
  nannyml      UnivariateDriftCalculator (KS and Jensen-Shannon), one chunk
  pandas       run_pandas.py: ks_2samp and decile PSI per numeric column, a
               chi-squared test and PSI per categorical one

Each measurement is the wall time and the peak RSS (ru_maxrss, via GNU time) of
the process, and its CPU time. Before each, the driver waits (up to
--quiet-timeout seconds) until the other processes of the machine use less
than --quiet-cores cores, and it records how much CPU other processes used
during the run, so a noisy run can be seen. Then it runs the agreement check
(agree.py) on the outputs of the last repetition and writes
bench/data/out/results/<size>.json (hard-<size>.json for the hard set);
finally bench/data/out/results/report.md is rebuilt from every set's and
size's latest results. The exit status is 1 if any tool
failed or any agreement check failed.
"""

import argparse
import datetime
import json
import math
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

import agree

BENCH = pathlib.Path(__file__).resolve().parent.parent
PY = pathlib.Path(__file__).resolve().parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
PARTS = 24
TIME = "/usr/bin/time"  # GNU time (Debian package "time")
SETS = ("standard", "hard")
TOOLS = ("modelwatch", "lambda", "evidently", "nannyml", "pandas")
PYTHON_TOOLS = ("evidently", "nannyml", "pandas")


def parse_size(s):
    s = s.strip()
    mult = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(s[-1:], 1)
    n = int(float(s[:-1] if mult != 1 else s) * mult)
    if n < 1000:
        raise argparse.ArgumentTypeError(f"size {s}: at least 1000 rows")
    return n


def size_label(n):
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def busy_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]


def other_load(seconds=1.0):
    a = busy_jiffies()
    time.sleep(seconds)
    return (busy_jiffies() - a) / CLK_TCK / seconds


def wait_quiet(max_cores, timeout):
    """Waits until the machine's other processes use less than max_cores cores;
    returns (seconds waited, load seen last)."""
    start = time.monotonic()
    load = other_load()
    while load >= max_cores and time.monotonic() - start < timeout:
        time.sleep(2)
        load = other_load()
    return time.monotonic() - start, load


class Runner:
    def __init__(self, args, env):
        self.args = args
        self.env = env
        self.measurements = []
        self.errors = []

    def measure(self, label, cmd, stdout=None, ok=(0,), **tags):
        waited, before = wait_quiet(self.args.quiet_cores, self.args.quiet_timeout)
        err_path, usage_path = self.args.work_log, self.args.work_log + ".usage"
        # GNU time forks the command and reports its rusage. Linux carries the
        # peak RSS of the process that forks over to the child at exec, so the
        # driver (a Python process of some 200 MB) must not fork the tools
        # itself: every tool would then show at least the driver's size.
        cmd = [TIME, "-f", "%M %U %S", "-o", usage_path, *cmd]
        j0 = busy_jiffies()
        t0 = time.perf_counter()
        with open(stdout or os.devnull, "w") as out, open(err_path, "w") as err:
            rc = subprocess.run(cmd, stdout=out, stderr=err, env=self.env).returncode
        wall = time.perf_counter() - t0
        busy = (busy_jiffies() - j0) / CLK_TCK
        usage = pathlib.Path(usage_path).read_text().split()
        if len(usage) < 3:
            raise SystemExit(f"{TIME} wrote no usage for {label}: {usage}")
        maxrss_kb, cpu = int(usage[-3]), float(usage[-2]) + float(usage[-1])
        m = {"label": label, **tags, "wall": wall, "cpu": cpu, "maxrss_mb": maxrss_kb / 1024,
             "exit": rc, "other_cores": max(0.0, busy - cpu) / wall if wall > 0 else 0.0,
             "other_cores_before": before, "waited": waited}
        self.measurements.append(m)
        print(f"  {label:28s} {wall:9.3f} s  cpu {cpu:9.3f} s  {m['maxrss_mb']:8.1f} MB  "
              f"other load {m['other_cores']:.2f} cores" + ("" if rc in ok else f"  EXIT {rc}"),
              flush=True)
        if rc not in ok:
            tail = pathlib.Path(err_path).read_text()[-3000:]
            self.errors.append({"label": label, **tags, "exit": rc, "stderr": tail})
            print(tail, file=sys.stderr)
        return m


def set_path(set_name, n):
    """The data set's directory under sets/ and runs/: <size> for the
    standard set (as before there were two), hard/<size> for the hard one."""
    return pathlib.Path(size_label(n)) if set_name == "standard" else pathlib.Path(set_name) / size_label(n)


def result_label(set_name, n):
    return size_label(n) if set_name == "standard" else f"{set_name}-{size_label(n)}"


def ensure_data(set_name, n, seed, data_dir, env):
    d = data_dir / "sets" / set_path(set_name, n)
    m = d / "manifest.json"
    if m.exists():
        man = json.loads(m.read_text())
        if (man.get("rows") == n and man.get("seed") == seed and man.get("set", "standard") == set_name
                and man.get("generator_version") == gen_version(set_name)):
            return d
    print(f"generating the {set_name} set, {size_label(n)} rows (seed {seed}) in {d}", flush=True)
    if m.exists():
        m.unlink()
    subprocess.run([sys.executable, str(PY / "gen_data.py"), "--set", set_name, "--rows", str(n), "--seed", str(seed),
                    "--out", str(d)], check=True, env=env)
    return d


def gen_version(set_name):
    sys.path.insert(0, str(PY))
    import gen_data
    return gen_data.version(set_name)


def warm(paths):
    """Reads the files once, so every tool finds them in the page cache."""
    for p in paths:
        with open(p, "rb") as f:
            while f.read(1 << 24):
                pass


def machine_info(env):
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        info["memory_gib"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    info["go"] = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()
    from importlib.metadata import version
    info["packages"] = {p: version(p) for p in ("evidently", "nannyml", "numpy", "scipy", "pandas", "pyarrow")}
    info["blas"] = subprocess.run(
        [sys.executable, "-c", "import json, numpy, scipy.linalg; from threadpoolctl import threadpool_info; "
                               "print(json.dumps([{k: i.get(k) for k in ('internal_api', 'version', 'architecture', "
                               "'num_threads')} for i in threadpool_info() if i['user_api'] == 'blas']))"],
        capture_output=True, text=True, env=env).stdout.strip()
    info["openblas_env"] = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    return info


def pooled_features(profile_path):
    """The categorical features whose reference pooled categories into
    __other__ (more than --max-categories levels)."""
    prof = json.loads(pathlib.Path(profile_path).read_text())
    return [f["name"] for f in prof["features"]
            if f["kind"] == "categorical" and (f.get("pooled") or f.get("pooled_unhashed"))]


def run_size(runner, set_name, n, args, env, bins):
    label = result_label(set_name, n)
    data = ensure_data(set_name, n, args.seed, args.data, env)
    work = args.data / "out" / "runs" / set_path(set_name, n)
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("*.json"):  # outputs of an earlier run must not be checked
        old.unlink()
    manifest = json.loads((data / "manifest.json").read_text())
    (work / "config-evidently-equivalent.json").write_text(json.dumps(agree.evidently_equivalent_config(manifest), indent=1))
    files = [data / f"{side}.{fmt}" for side in ("reference", "current") for fmt in args.formats]
    warm(files)
    mw, pc = str(bins / "modelwatch"), str(bins / "profilecompare")
    py = sys.executable
    part_rows = math.ceil(n / PARTS)

    def modelwatch(fmt, rep):
        ref = work / f"ref-{fmt}.json"
        runner.measure(f"modelwatch build {fmt}", [mw, "profile", "build", "--input", str(data / f"reference.{fmt}"),
                                                   "--out", str(ref)], size=label, tool="modelwatch", step="build",
                       format=fmt, rep=rep)
        runner.measure(f"modelwatch compare {fmt}", [mw, "compare", "--reference", str(ref), "--current",
                                                     str(data / f"current.{fmt}"), "--json"],
                       stdout=work / f"mw-{fmt}.json", ok=(0, 2), size=label, tool="modelwatch", step="compare",
                       format=fmt, rep=rep)
        # The same without the multivariate model: the univariate tests are all the peers compute.
        ref_uni = work / f"ref-univariate-{fmt}.json"
        runner.measure(f"modelwatch build --multivariate=false {fmt}",
                       [mw, "profile", "build", "--multivariate=false", "--input", str(data / f"reference.{fmt}"),
                        "--out", str(ref_uni)], size=label, tool="modelwatch-univariate", step="build",
                       format=fmt, rep=rep)
        runner.measure(f"modelwatch compare (univariate reference) {fmt}",
                       [mw, "compare", "--reference", str(ref_uni), "--current", str(data / f"current.{fmt}"), "--json"],
                       stdout=work / f"mw-univariate-{fmt}.json", ok=(0, 2), size=label,
                       tool="modelwatch-univariate", step="compare", format=fmt, rep=rep)

    def lambda_path(rep):
        fmt = "parquet" if "parquet" in args.formats else args.formats[0]
        ref = work / f"ref-{fmt}.json"
        if not ref.exists():
            runner.measure(f"modelwatch build {fmt} (for lambda)", [mw, "profile", "build", "--input",
                                                                   str(data / f"reference.{fmt}"), "--out", str(ref)],
                           size=label, tool="setup", step="build", format=fmt, rep=rep)
        parts = work / "parts"
        for old in parts.glob("part-*.json"):
            old.unlink()
        runner.measure(f"lambda count {fmt}", [pc, "count", "--reference", str(ref), "--current",
                                                str(data / f"current.{fmt}"), "--part-rows", str(part_rows),
                                                "--out", str(parts)],
                       stdout=work / "lambda-count.json", size=label, tool="lambda", step="count", format=fmt, rep=rep)
        runner.measure("lambda merge+compare", [pc, "compare", "--reference", str(ref), "--parts", str(parts),
                                                "--iterations", "1", "--report", str(work / "lambda-report.json")],
                       stdout=work / "lambda-compare.json", size=label, tool="lambda", step="merge+compare",
                       format=fmt, rep=rep)

    def python_tool(tool, fmt, rep):
        runner.measure(f"{tool} {fmt}", [py, str(PY / f"run_{tool}.py"), "--manifest", str(data / "manifest.json"),
                                         "--reference", str(data / f"reference.{fmt}"), "--current",
                                         str(data / f"current.{fmt}"), "--out", str(work / f"{tool}-{fmt}.json")],
                       size=label, tool=tool, step="run", format=fmt, rep=rep)

    jobs = []
    for fmt in args.formats:
        if "modelwatch" in args.tools:
            jobs.append(lambda rep, fmt=fmt: modelwatch(fmt, rep))
        for tool in PYTHON_TOOLS:
            if tool in args.tools:
                jobs.append(lambda rep, fmt=fmt, tool=tool: python_tool(tool, fmt, rep))
    if "lambda" in args.tools:
        jobs.append(lambda_path)
    print(f"== {set_name} set, {size_label(n)} rows: {len(jobs)} jobs x {args.reps} repetitions", flush=True)
    for rep in range(args.reps):
        k = rep % len(jobs)
        for job in jobs[k:] + jobs[:k]:
            job(rep)

    # Untimed: the in-process time of the Lambda path over many iterations, the
    # Evidently-equivalent decision, the error bounds; then the agreement check.
    extra = {}
    fmt = "parquet" if "parquet" in args.formats else args.formats[0]
    ref = work / f"ref-{fmt}.json"
    if "lambda" in args.tools:
        extra["lambda_in_process"] = json.loads(subprocess.run(
            [pc, "compare", "--reference", str(ref), "--parts", str(work / "parts"), "--iterations", "20"],
            check=True, capture_output=True, text=True).stdout)
        extra["lambda_count"] = json.loads((work / "lambda-count.json").read_text())
    agreement = None
    if not args.no_check:
        if "lambda" not in args.tools or "modelwatch" not in args.tools:
            raise SystemExit("the agreement check needs the modelwatch and lambda tools (or pass --no-check)")
        with open(work / "bounds.json", "w") as out:
            subprocess.run([pc, "bounds", "--reference", str(ref), "--parts", str(work / "parts")], check=True,
                           stdout=out)
        if "evidently" in args.tools:
            with open(work / "mw-equivalent.json", "w") as out:
                rc = subprocess.run([mw, "compare", "--reference", str(ref), "--current", str(data / f"current.{fmt}"),
                                     "--json", "--config", str(work / "config-evidently-equivalent.json")], stdout=out).returncode
            if rc not in (0, 2):
                raise SystemExit(f"modelwatch compare --config failed with exit status {rc}")
        # The multivariate check compares the reconstruction error with
        # NannyML's, whose count encoding knows every category; modelwatch's
        # model keeps the 1,000 most frequent. A feature whose reference pooled
        # categories is therefore left out of both sides (untimed).
        pooled = pooled_features(ref)
        if "nannyml" in args.tools and pooled:
            ref_mv = work / f"ref-{fmt}-multivariate.json"
            subprocess.run([mw, "profile", "build", "--input", str(data / f"reference.{fmt}"), "--out", str(ref_mv),
                            "--ignore", ",".join(pooled)], check=True, stdout=subprocess.DEVNULL)
            with open(work / "mw-multivariate.json", "w") as out:
                rc = subprocess.run([mw, "compare", "--reference", str(ref_mv), "--current", str(data / f"current.{fmt}"),
                                     "--json"], stdout=out).returncode
            if rc not in (0, 2):
                raise SystemExit(f"modelwatch compare (multivariate, without {pooled}) failed with exit status {rc}")
        print(f"== {label}: agreement check", flush=True)
        cache = {}
        kinds = {"with_nannyml": "nannyml" in args.tools, "with_evidently": "evidently" in args.tools,
                 "with_pandas": "pandas" in args.tools}
        agreement = agree.run_checks(data, work, cache=cache, **kinds)
        for check, s in agreement["summary"].items():
            print(f"  {check:18s} {s}")
        for r in agreement["failures"]:
            print("  DISAGREE", json.dumps(r), flush=True)
        agreement["controls"] = agree.negative_controls(data, work, cache=cache, **kinds)
        for c in agreement["controls"]:
            print(f"  control {c['control']:18s} {'caught' if c['caught'] else 'MISSED'} by {c['failed_checks']}")
            if not c["caught"]:
                agreement["failures"].append({"check": "negative-control", "feature": c["control"], "ok": False,
                                              "detail": "the planted disagreement was not caught"})
    return {"size": label, "set": set_name, "rows": n, "reps": args.reps, "formats": args.formats, "tools": args.tools,
            "measurements": [m for m in runner.measurements if m.get("size") == label], "extra": extra,
            "agreement": agreement}


def summarize(result):
    """Median over repetitions per (tool, step, format); modelwatch's build and
    compare add up per repetition (peak memory: the larger of the two)."""
    groups = {}
    for m in result["measurements"]:
        groups.setdefault((m["tool"], m["step"], m["format"]), []).append(m)
    rows = {}
    for (tool, step, fmt), ms in groups.items():
        rows[(tool, step, fmt)] = {k: statistics.median(x[k] for x in ms) for k in ("wall", "cpu", "maxrss_mb")}
        rows[(tool, step, fmt)]["max_other_cores"] = max(x["other_cores"] for x in ms)
        rows[(tool, step, fmt)]["n"] = len(ms)
    for tool, fmt in [(t, f) for t in ("modelwatch", "modelwatch-univariate") for f in result["formats"]]:
        b = [m for m in result["measurements"] if m["tool"] == tool and m["step"] == "build" and m["format"] == fmt]
        c = [m for m in result["measurements"] if m["tool"] == tool and m["step"] == "compare" and m["format"] == fmt]
        if b and c:
            pairs = list(zip(sorted(b, key=lambda m: m["rep"]), sorted(c, key=lambda m: m["rep"])))
            rows[(tool, "build+compare", fmt)] = {
                "wall": statistics.median(x["wall"] + y["wall"] for x, y in pairs),
                "cpu": statistics.median(x["cpu"] + y["cpu"] for x, y in pairs),
                "maxrss_mb": statistics.median(max(x["maxrss_mb"], y["maxrss_mb"]) for x, y in pairs),
                "max_other_cores": max(max(x["other_cores"], y["other_cores"]) for x, y in pairs), "n": len(pairs)}
    return rows


def fmt_s(s):
    return f"{s:.3f}" if s < 10 else f"{s:.1f}"


def linear_fit(xs, ys):
    """Least squares y = a + b*x."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    return my - b * mx, b


def scaling_lines(results, names, set_name):
    """Per tool: the points, a fit t = fixed + per-million-rows x rows, and the
    log-log slope between the two largest sizes (1 = linear)."""
    fmt = "parquet" if any("parquet" in r["formats"] for r in results) else "csv"
    keys = [("modelwatch", "build+compare"), ("modelwatch", "compare"), ("lambda", "merge+compare"),
            ("pandas", "run"), ("evidently", "run"), ("nannyml", "run")]
    out = ["", f"## Scaling ({set_name} set, {fmt})", "",
           "Fit over all sizes: CPU s = fixed + per-1M-rows x (rows / 1M); peak MB likewise. "
           "Slope: log-log slope between the two largest sizes (1 = linear in rows, 0 = independent of rows).", "",
           "| tool | " + " | ".join(size_label(r["rows"]) for r in results) +
           " | CPU fixed s | CPU s per 1M rows | CPU slope | MB fixed | MB per 1M rows | MB slope |",
           "|---|" + "---|" * len(results) + "---|---|---|---|---|---|"]
    for key in keys:
        pts = []
        for r in results:
            rows = {tuple(json.loads(k)): v for k, v in r["summary"].items()}
            v = rows.get((*key, fmt))
            if v is not None:
                pts.append((r["rows"], v))
        if len(pts) < 2:
            continue
        cells = [f"{v['cpu']:.3g} s / {v['maxrss_mb']:.0f} MB" for _, v in pts]
        xs = [n / 1e6 for n, _ in pts]
        a_t, b_t = linear_fit(xs, [v["cpu"] for _, v in pts])
        a_m, b_m = linear_fit(xs, [v["maxrss_mb"] for _, v in pts])
        (n1, v1), (n2, v2) = pts[-2], pts[-1]
        slope_t = math.log(max(v2["cpu"], 1e-6) / max(v1["cpu"], 1e-6)) / math.log(n2 / n1)
        slope_m = math.log(v2["maxrss_mb"] / v1["maxrss_mb"]) / math.log(n2 / n1)
        pad = [""] * (len(results) - len(cells))
        out.append(f"| {names[key]} | " + " | ".join(cells + pad) +
                   f" | {a_t:.2f} | {b_t:.2f} | {slope_t:.2f} | {a_m:.0f} | {b_m:.0f} | {slope_m:.2f} |")
    return out


def ratio(a, b):
    if a is None or not b:
        return ""
    return f"{a / b:.1f}x" if a >= b else f"{a / b:.2f}x"


def goal_lines(results, machine):
    """The table of issue 15, per data set, size and format: the steps a user
    waits for, side by side."""
    ev_version = machine.get("packages", {}).get("evidently", "")
    steps = [(("modelwatch", "build+compare"), "modelwatch build + compare"),
             (("modelwatch", "compare"), "modelwatch compare alone"),
             (("modelwatch", "build"), "(modelwatch profile build alone)"),
             (("modelwatch-univariate", "build+compare"), "modelwatch build + compare, univariate only (`--multivariate=false`)"),
             (("modelwatch-univariate", "compare"), "modelwatch compare alone, univariate only"),
             (("pandas", "run"), "pandas + scipy script (ks_2samp, decile PSI, chi-square)"),
             (("evidently", "run"), f"Evidently {ev_version} DataDriftPreset"),
             (("nannyml", "run"), "NannyML univariate (KS, JS)")]
    out = ["## Side by side (the table of issue 15)", "",
           "Median over repetitions; every step is its own process, from process start to exit (file reading and "
           "report encoding included). CPU = user + sys; CPU ÷ wall > 1 means more than one core worked. "
           "Load = the most CPU (in cores) that other processes of the machine used during any repetition of the "
           "step. The last two columns: the peer's wall time ÷ this step's.", ""]
    for r in results:
        rows = {tuple(json.loads(k)): v for k, v in r["summary"].items()}
        for fmt in r["formats"]:
            ev, pd_ = rows.get(("evidently", "run", fmt)), rows.get(("pandas", "run", fmt))
            out += [f"**{r.get('set', 'standard')} set, {size_label(r['rows'])} rows, {fmt}** "
                    f"({r['reps']} repetition{'s' if r['reps'] > 1 else ''})", "",
                    "| | wall s | CPU s | CPU ÷ wall | peak RSS MB | load during (cores) | Evidently ÷ | script ÷ |",
                    "|---|---|---|---|---|---|---|---|"]
            for key, name in steps:
                v = rows.get((*key, fmt))
                if v is None:
                    continue
                cpw = v["cpu"] / v["wall"] if v["wall"] > 0 else 0.0
                out.append(f"| {name} | {fmt_s(v['wall'])} | {fmt_s(v['cpu'])} | {cpw:.2f} | {v['maxrss_mb']:.0f} | "
                           f"{v['max_other_cores']:.2f} | {ratio(ev and ev['wall'], v['wall']) if key[0] != 'evidently' else ''} | "
                           f"{ratio(pd_ and pd_['wall'], v['wall']) if key[0] != 'pandas' else ''} |")
            out.append("")
    return out


def write_report(results_dir, machine):
    results = []
    for p in sorted(results_dir.glob("*.json")):
        if p.name == "machine.json":
            continue
        results.append(json.loads(p.read_text()))
    set_order = {name: i for i, name in enumerate(SETS)}
    results.sort(key=lambda r: (set_order.get(r.get("set", "standard"), len(SETS)), r["rows"]))
    lines = ["# Side-by-side benchmark: raw results", "",
             f"Machine: {machine.get('nproc')} cores, {machine.get('cpu')}, {machine.get('memory_gib')} GiB; "
             f"{machine.get('go')}; Python {machine.get('python')}; "
             + ", ".join(f"{k} {v}" for k, v in machine.get("packages", {}).items()) + ".", ""]
    lines += goal_lines(results, machine)
    lines += ["## Every step", "",
              "Median over repetitions. Wall = elapsed time of the process(es); CPU = user+sys; "
              "peak = peak RSS of the process (the larger of build and compare). "
              "Ratios: Evidently's value / this step's value. 'other load' = the most CPU (in cores) that other "
              "processes of the machine used during any repetition.", ""]
    lines += ["| set | rows | format | tool | reps | wall s | CPU s | CPU ÷ wall | peak MB | wall ratio | CPU ratio | "
              "memory ratio | other load |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    order = [("modelwatch", "build+compare"), ("modelwatch", "build"), ("modelwatch", "compare"),
             ("modelwatch-univariate", "build+compare"), ("modelwatch-univariate", "build"),
             ("modelwatch-univariate", "compare"),
             ("lambda", "count"), ("lambda", "merge+compare"), ("pandas", "run"), ("evidently", "run"),
             ("nannyml", "run")]
    names = {("modelwatch", "build+compare"): "modelwatch build + compare",
             ("modelwatch", "build"): "modelwatch profile build (reference)",
             ("modelwatch", "compare"): "modelwatch compare (current)",
             ("modelwatch-univariate", "build+compare"): "modelwatch build + compare, univariate only",
             ("modelwatch-univariate", "build"): "modelwatch profile build --multivariate=false",
             ("modelwatch-univariate", "compare"): "modelwatch compare, univariate reference",
             ("lambda", "count"): "Lambda path: current into 24 batch profiles",
             ("lambda", "merge+compare"): "Lambda path: merge + compare (profiles only)",
             ("pandas", "run"): "pandas + scipy script",
             ("evidently", "run"): "Evidently DataDriftPreset", ("nannyml", "run"): "NannyML univariate (KS, JS)"}
    for r in results:
        rows = {tuple(json.loads(k)): v for k, v in r["summary"].items()}
        for fmt in r["formats"]:
            ev = rows.get(("evidently", "run", fmt))
            for key in order:
                v = rows.get((*key, fmt))
                if v is None:
                    continue
                rt = ["", "", ""]
                if ev is not None and key[0] != "evidently":
                    rt = [ratio(ev["wall"], v["wall"]), ratio(ev["cpu"], v["cpu"]), ratio(ev["maxrss_mb"], v["maxrss_mb"])]
                cpw = v["cpu"] / v["wall"] if v["wall"] > 0 else 0.0
                lines.append(f"| {r.get('set', 'standard')} | {size_label(r['rows'])} | {fmt} | {names[key]} | {v['n']} | "
                             f"{fmt_s(v['wall'])} | {fmt_s(v['cpu'])} | {cpw:.2f} | {v['maxrss_mb']:.0f} | "
                             f"{' | '.join(rt)} | {v['max_other_cores']:.2f} |")
    for set_name in SETS:
        rs = [r for r in results if r.get("set", "standard") == set_name]
        if rs:
            lines += scaling_lines(rs, names, set_name)
    lines += ["", "Lambda path in process (read + decode the reference and 24 batch profiles, merge, compare, encode "
                  "the report; median of 20):", "",
              "| set | rows | median ms | min ms | reference KB | 24 batch profiles KB |", "|---|---|---|---|---|---|"]
    for r in results:
        lp = r.get("extra", {}).get("lambda_in_process")
        if lp:
            lines.append(f"| {r.get('set', 'standard')} | {size_label(r['rows'])} | {lp['median_seconds'] * 1000:.1f} | "
                         f"{lp['min_seconds'] * 1000:.1f} | {lp['reference_bytes'] / 1024:.0f} | "
                         f"{lp['parts_bytes'] / 1024:.0f} |")
    lines += ["", "Baselines (the interpreter and the imports alone, median):", ""]
    base = json.loads((results_dir / "machine.json").read_text()).get("baselines", {}) if (
        results_dir / "machine.json").exists() else {}
    for tool, v in base.items():
        lines.append(f"- {tool}: {v['wall']:.2f} s wall, {v['cpu']:.2f} s CPU, {v['maxrss_mb']:.0f} MB peak")
    for r in results:
        a = r.get("agreement")
        if not a:
            continue
        lines += ["", f"## Agreement, {r.get('set', 'standard')} set, {size_label(r['rows'])} rows", ""]
        lines += ["| check | passed | failed | note |", "|---|---|---|---|"]
        for check, s in a["summary"].items():
            note = ""
            if "max_abs_diff" in s:
                note = f"max abs diff {s['max_abs_diff']:.2e}"
            if "max_diff_over_bound" in s:
                note += f"; max diff / bound {s['max_diff_over_bound']:.3f}"
            if s.get("not_comparable"):
                note += ("; " if note else "") + f"not comparable by definition: {', '.join(s['not_comparable'])}"
            lines.append(f"| {check} | {s['passed']} | {s['failed']} | {note} |")
        for c in a.get("controls", []):
            lines.append(f"| negative control: {c['control']} | {'caught' if c['caught'] else 'MISSED'} | | "
                         f"failed as planted: {', '.join(c['failed_checks'])} |")
        notes = a.get("notes") or []
        if notes:
            lines += ["", "Definitional differences seen in this run:", ""]
            lines += [f"- {n}" for n in notes]
        lines += ["", "| feature | KS D exact | ours | NannyML | W exact | ours | bound |", "|---|---|---|---|---|---|---|"]
        for t in a["numeric"]:
            nm = t.get("ks_nannyml")
            lines.append(f"| {t['name']} | {t['ks_exact']:.4f} | {t['ks_ours']:.4f} | "
                         f"{'' if nm is None else f'{nm:.4f}'} | {t['w_exact']:.4f} | {t['w_ours']:.4f} | {t['w_bound']:.4f} |")
        lines += ["", "| feature | shift | modelwatch (PSI deciles) | pandas + scipy script | Evidently default | "
                      "Evidently PSI (Sturges) | why they differ |",
                  "|---|---|---|---|---|---|---|"]
        for f in a["features"]:
            o, e, ps_ = f["modelwatch"], f["evidently"], f.get("pandas")
            ev_txt = "" if e is None else f"{'**drift**' if e['drift'] else 'ok'} ({e['method'].split(' ')[0]} {e['value']:.3f})"
            pd_txt = ""
            if ps_ is not None:
                pm = ps_.get("missing") or {}
                moved = abs(pm.get("current", 0) - pm.get("reference", 0)) >= 0.05
                pd_txt = (f"{'**drift**' if ps_['drift'] else 'ok'} (PSI {ps_['psi']:.3f}"
                          + (f"; missing {100 * pm['reference']:.0f} % -> {100 * pm['current']:.0f} %" if moved else "")
                          + ")")
            ps = "" if e is None or e.get("psi_sturges") is None else f"{e['psi_sturges']:.3f}"
            sev = f"**{o['severity']}**" if o["severity"] == "drift" else o["severity"]
            psi_txt = "n/a" if o["psi"] is None else f"{o['psi']:.3f}"
            miss = o.get("missing") or {}
            miss_txt = (f"; missing {100 * miss['reference']:.0f} % -> {100 * miss['current']:.0f} %"
                        if miss.get("severity") not in (None, "ok") else "")
            lines.append(f"| {f['name']} | {f['description']} | {sev} (PSI {psi_txt}{miss_txt}) | {pd_txt} | {ev_txt} | "
                         f"{ps} | {f['why_they_differ']} |")
        lines += ["", f"Drifted, modelwatch default: {', '.join(a['drifted']['modelwatch'])}."]
        if a["drifted"].get("pandas") is not None:
            lines.append(f"Drifted, pandas + scipy script: {', '.join(a['drifted']['pandas'])}.")
        if a["drifted"]["evidently"] is not None:
            lines.append(f"Drifted, Evidently default: {', '.join(a['drifted']['evidently'])}.")
    (results_dir / "report.md").write_text("\n".join(lines) + "\n")
    return results_dir / "report.md"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10k,100k,1M", help="comma-separated row counts: 10k,100k,1M,5M")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--sets", default="standard,hard", help="data sets: standard,hard (see gen_data.py)")
    ap.add_argument("--formats", default="csv,parquet")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--data", type=pathlib.Path, default=BENCH / "data")
    ap.add_argument("--bin", type=pathlib.Path, default=BENCH / "data" / "build")
    ap.add_argument("--quiet-cores", type=float, default=0.3,
                    help="before each run, wait until other processes use less than this many cores")
    ap.add_argument("--quiet-timeout", type=float, default=120, help="longest wait for a quiet machine, seconds")
    ap.add_argument("--no-check", action="store_true", help="skip the agreement check")
    args = ap.parse_args(argv)
    args.sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    args.formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    args.sets = [x.strip() for x in args.sets.split(",") if x.strip()]
    for x in args.sets:
        if x not in SETS:
            ap.error(f"--sets: unknown data set {x}")
    for f in args.formats:
        if f not in ("csv", "parquet"):
            ap.error(f"--formats: unknown format {f}")
    for t in args.tools:
        if t not in TOOLS:
            ap.error(f"--tools: unknown tool {t}")
    if args.reps < 1:
        ap.error("--reps must be at least 1")
    if not os.access(TIME, os.X_OK):
        ap.error(f"{TIME} (GNU time) is missing: apt-get install time")
    for b in ("modelwatch", "profilecompare"):
        if not (args.bin / b).exists():
            ap.error(f"{args.bin / b} is missing: run bench/run.sh, which builds it")
    args.data.mkdir(parents=True, exist_ok=True)
    results_dir = args.data / "out" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    args.work_log = str(args.data / "out" / "last-stderr.log")

    env = dict(os.environ, DO_NOT_TRACK="1", NML_DISABLE_USAGE_LOGGING="1")
    machine = machine_info(env)
    print(f"machine: {machine['nproc']} cores, {machine['cpu']}, {machine['memory_gib']} GiB; BLAS {machine['blas']}",
          flush=True)
    runner = Runner(args, env)
    baselines = {}
    for tool in PYTHON_TOOLS:
        if tool in args.tools:
            ms = [runner.measure(f"{tool} imports only", [sys.executable, str(PY / f"run_{tool}.py"), "--import-only"],
                                 size="baseline", tool=tool, step="imports", format="-", rep=i)
                  for i in range(args.reps)]
            baselines[tool] = {k: statistics.median(m[k] for m in ms) for k in ("wall", "cpu", "maxrss_mb")}
    machine["baselines"] = baselines
    (results_dir / "machine.json").write_text(json.dumps(machine, indent=1))

    failed = False
    for n in args.sizes:
        for set_name in args.sets:
            res = run_size(runner, set_name, n, args, env, args.bin)
            res["summary"] = {json.dumps(list(k)): v for k, v in summarize(res).items()}
            res["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
            res["machine"] = machine
            (results_dir / f"{result_label(set_name, n)}.json").write_text(json.dumps(res, indent=1))
            if res["agreement"] and res["agreement"]["failures"]:
                failed = True
    report = write_report(results_dir, machine)
    print(f"report: {report}")
    if runner.errors:
        print(f"FAILED: {len(runner.errors)} runs exited with an error", file=sys.stderr)
        failed = True
    if failed:
        print("FAILED: see the DISAGREE lines and errors above", file=sys.stderr)
        return 1
    print("agreement: all checks passed" if not args.no_check else "agreement check skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
