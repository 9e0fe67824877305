package demo

// The dashboard's constant markup and style sheet, in page order; the
// values between them are written by writeDashboard.
const (
	// dashboardHead is the page up to the title's model name.
	dashboardHead = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>modelwatch demo: `

	// dashboardStyle is the style sheet.
	dashboardStyle = `:root { --ink:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; --card:#fff;
  --ok:#16a34a; --warn:#d97706; --bad:#dc2626; --blue:#2563eb; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; color:var(--ink); background:var(--bg); }
header { background:#0f172a; color:#f8fafc; padding:22px 32px 18px; }
header h1 { margin:0 0 4px; font-size:22px; font-weight:650; letter-spacing:-0.01em; }
header p { margin:0; color:#cbd5e1; max-width:980px; }
header code { color:#e2e8f0; }
main { max-width:1280px; margin:0 auto; padding:20px 32px 48px; }
h2 { font-size:17px; margin:30px 0 4px; }
h2 + .sub { color:var(--muted); margin:0 0 12px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(200px, 1fr)); gap:12px; margin-top:4px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 14px; border-top:4px solid #cbd5e1; }
.card.bad { border-top-color:var(--bad); } .card.warn { border-top-color:var(--warn); }
.card .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.card .value { font-size:26px; font-weight:650; line-height:1.2; margin:2px 0; }
.card .detail { color:var(--muted); font-size:12.5px; }
.story { display:grid; grid-template-columns:repeat(auto-fit, minmax(230px, 1fr)); gap:10px; }
.story div { background:var(--card); border:1px solid var(--line); border-left:5px solid #94a3b8; border-radius:8px; padding:9px 12px; }
.story b { display:block; } .story .hours { color:var(--muted); font-size:12px; }
.story p { margin:4px 0 0; font-size:13px; }
.story .baseline { border-left-color:#94a3b8; } .story .covariate_shift { border-left-color:#2563eb; }
.story .concept_change { border-left-color:#7c3aed; } .story .latency_spike { border-left-color:#d97706; }
.story .error_burst { border-left-color:#dc2626; } .story .relation_change { border-left-color:#0d9488; }
.panel { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px; }
svg.timeline { width:100%; height:auto; display:block; }
svg text { font-family:system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; }
.rowlabel { font-size:12px; fill:#334155; text-anchor:end; }
.seg.baseline { fill:#e2e8f0; } .seg.covariate_shift { fill:#bfdbfe; } .seg.concept_change { fill:#ddd6fe; opacity:.9; }
.seg.relation_change { fill:#99f6e4; } .seg.latency_spike { fill:#fcd34d; } .seg.error_burst { fill:#fca5a5; } .seg.alarm { fill:#dc2626; }
.retrain { fill:#d97706; stroke:#92400e; stroke-width:1; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; color:var(--muted); font-weight:600; text-transform:uppercase; letter-spacing:.03em; }
td.num { font-variant-numeric:tabular-nums; white-space:nowrap; }
tr.alarm td:nth-child(2) { color:var(--bad); font-weight:600; } tr.ok td:nth-child(2) { color:var(--ok); font-weight:600; }
tr.retrain td:nth-child(2) { color:var(--warn); font-weight:600; } tr.event td:nth-child(2) { font-weight:600; }
.events td:first-child { white-space:nowrap; color:var(--muted); font-variant-numeric:tabular-nums; }
.grid { display:grid; grid-template-columns:repeat(auto-fill, minmax(380px, 1fr)); gap:14px; }
figure { margin:0; background:var(--card); border:1px solid var(--line); border-radius:10px; padding:10px 12px 8px; }
figcaption { display:flex; justify-content:space-between; gap:8px; align-items:baseline; }
figcaption b { font-size:14px; } figcaption span { color:var(--muted); font-size:12px; white-space:nowrap; }
figure .note { color:var(--muted); font-size:12px; margin:2px 0 0; }
figure .alarmdef { color:#b91c1c; font-size:12px; margin:0; }
svg.chart { width:100%; height:auto; display:block; margin-top:4px; }
.chart .grid, .timeline .grid { stroke:#f1f5f9; stroke-width:1; }
.chart .axis { stroke:#94a3b8; stroke-width:1; }
.chart .ytick { font-size:12px; fill:#64748b; text-anchor:end; }
.chart .xtick, .timeline .xtick { font-size:12px; fill:#64748b; text-anchor:middle; }
.chart .band.incident { fill:#fef3c7; } .chart .band.alarm { fill:#fee2e2; opacity:.8; }
.chart .mark { stroke:#94a3b8; stroke-dasharray:2 3; }
.chart .marklabel { font-size:11px; fill:#64748b; }
.chart .ref { stroke-width:1.3; stroke-dasharray:6 4; }
.chart .ref.warn { stroke:#d97706; } .chart .ref.drift, .chart .ref.alarm { stroke:#dc2626; }
.chart .reflabel { font-size:11.5px; font-weight:600; paint-order:stroke; stroke:#fff; stroke-width:3px; stroke-linejoin:round; }
.chart .reflabel.warn { fill:#b45309; } .chart .reflabel.drift, .chart .reflabel.alarm { fill:#b91c1c; }
.chart .series path { fill:none; stroke:var(--c); stroke-width:2; stroke-linejoin:round; }
.chart .series circle { fill:var(--c); }
.chart .series.faint path { stroke-width:1.2; opacity:.55; } .chart .series.faint circle { display:none; }
.legend { display:flex; flex-wrap:wrap; gap:4px 12px; font-size:12px; color:#334155; margin-top:2px; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; vertical-align:-1px; }
.bar { background:#e2e8f0; border-radius:3px; height:8px; min-width:120px; }
.bar i { display:block; height:8px; border-radius:3px; background:var(--blue); }
.sev { display:inline-block; padding:0 7px; border-radius:10px; font-size:12px; font-weight:600; }
.sev.ok { background:#dcfce7; color:#166534; } .sev.warn { background:#fef3c7; color:#92400e; } .sev.drift { background:#fee2e2; color:#991b1b; }
.windows { display:grid; grid-template-columns:repeat(auto-fill, minmax(74px, 1fr)); gap:6px; }
.windows a { display:block; text-decoration:none; color:var(--ink); background:var(--card); border:1px solid var(--line);
  border-left:4px solid var(--ok); border-radius:6px; padding:4px 7px; font-size:12px; }
.windows a.warn { border-left-color:var(--warn); } .windows a.drift { border-left-color:var(--bad); }
.windows a:hover { background:#eff6ff; } .windows b { display:block; font-size:13px; } .windows span { color:var(--muted); }
.muted { color:var(--muted); } a { color:var(--blue); }
code { font-family:ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size:12.5px; }
ul.files { margin:6px 0 0; padding-left:18px; } ul.files li { margin:3px 0; }
.key { margin:26px 0 0; font-size:12.5px; color:#475569; }
.key .k { display:inline-block; width:18px; height:11px; vertical-align:-1px; margin:0 4px 0 10px; }
.key .k:first-child { margin-left:0; }
.key .k.mark { border-left:2px dotted #64748b; width:2px; margin-right:8px; }
.key .k.incident { background:#fef3c7; } .key .k.alarm { background:#fee2e2; }
.key .k.line { border-top:2px dashed #dc2626; height:0; vertical-align:3px; }
footer { color:var(--muted); font-size:12px; margin-top:36px; }
`

	// dashboardIntro is the rest of the header's paragraph, up to the cards.
	dashboardIntro = `).
Its predictions and the late outcomes went through the ingest function, the drift function ran every hour, the alarms of
<code>template.yaml</code> were evaluated on what it published, and the alarm handler acted on their notifications:
the Lambdas' own code on a local bucket.</p>
</header>
<main>
<section class="cards">
`

	// dashboardStoryHead is the story's heading, up to its rows.
	dashboardStoryHead = `</section>

<h2>The story</h2>
<p class="sub">What happened to the model's world. modelwatch is not told any of this; the rest of the page is what it saw.</p>
<section class="story">
`

	// dashboardAlarmsHead is the timeline's heading, up to its SVG.
	dashboardAlarmsHead = `</section>

<h2>Alarms and retraining</h2>
<p class="sub">Red: an alarm in ALARM. Diamond: the alarm handler started the retraining workflow (at most once per model and cooldown slot).</p>
<div class="panel">
`

	// dashboardKey is the end of the timeline table and the key of the charts.
	dashboardKey = `</tbody>
</table>
</div>

<p class="key"><span class="k mark"></span>the covariate shift and the concept change <span class="k incident"></span>latency spike, error burst <span class="k alarm"></span>alarm in ALARM <span class="k line"></span>PSI 0.1 / 0.25 and alarm thresholds. A window's value is drawn at the middle of its hour; hover a point for its value.</p>
`

	// dashboardFeaturesHead is the features' heading and table head.
	dashboardFeaturesHead = `

<h2>Features, worst first</h2>
<p class="sub">By the largest PSI of any window; the severity is the latest window's.</p>
<div class="panel">
<table>
<thead><tr><th>Feature</th><th>Kind</th><th>Largest PSI</th><th></th><th>At hour</th><th>Latest PSI</th><th>Latest</th><th>First drifted</th></tr></thead>
<tbody>
`

	// dashboardWindowsHead is the end of the features' table and the window reports' heading.
	dashboardWindowsHead = `</tbody>
</table>
</div>

<h2>Window reports</h2>
<p class="sub">The drift function's HTML report of every hour, as it wrote it to the bucket (colour: the worst feature's severity; below: the window's accuracy once labels arrived).</p>
<section class="windows">
`

	// dashboardFiles is the list of the output directory's files, up to the footer's flags.
	dashboardFiles = `</section>

<h2>What is in this directory</h2>
<div class="panel">
<ul class="files">
<li><code>bucket/</code>: the modelwatch bucket, with the same keys as on S3: <code>reference/</code>, <code>predictions/</code>, <code>labels/</code>, <code>profiles/</code>, <code>receipts/</code>, <code>reports/</code> (JSON and HTML per window) and <code>retrain/</code> (the alarm handler's dedup markers).</li>
<li><code>summary.json</code>: the alarms, the retraining requests and the drifted features of every hour.</li>
<li><code>metrics.jsonl</code>: every datapoint the drift function would have sent to CloudWatch; <code>logs/ingest-emf.jsonl</code>: the ingest function's Embedded Metric Format lines.</li>
<li><code>notifications.jsonl</code>: the SNS events of the alarm notifications delivered to the alarm handler; <code>retrain-requests.json</code>: the retraining workflow's executions and their input.</li>
<li><code>logs/</code>: the JSON logs of the ingest, drift and alarm-handler functions; <code>reference.csv</code>: the validation data the reference profile was built from.</li>
</ul>
</div>
<footer>Generated by <code>modelwatch demo --seed `
)
