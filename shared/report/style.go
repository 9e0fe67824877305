package report

// The page's style sheet is constant and inline, so that the page loads
// nothing; the rules of the monitoring sections are in window reports only.
// The page writes pageStyle, then monitoringStyle when it has them, then
// closingStyle.
const (
	pageStyle = `:root {
  --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa;
  --ref: #0072b2; --cur: #e69f00;
  --ok: #1a7f37; --ok-bg: #dafbe1; --warn: #7a4d00; --warn-bg: #fff1c2;
  --drift: #b42318; --drift-bg: #fee4e2; --na: #59636e; --na-bg: #eaeef2;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #fff; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; }
.page { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; }
a { color: #0550ae; text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 26px; margin: 2px 0 14px; line-height: 1.25; overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 17px; margin: 0 0 6px; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
h3 .name { overflow-wrap: anywhere; }
code { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; overflow-wrap: anywhere; }
.eyebrow { color: var(--muted); font-size: 13px; letter-spacing: .06em; text-transform: uppercase; }
.meta { display: flex; flex-wrap: wrap; gap: 10px 36px; margin: 0; }
.meta div { min-width: 0; }
.meta dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.meta dd { margin: 0; font-size: 16px; font-weight: 600; overflow-wrap: anywhere; }
.meta dd.rows { font-variant-numeric: tabular-nums; }
.meta .sub { font-weight: 400; color: var(--drift); font-size: 13px; }
.verdict { display: flex; align-items: center; gap: 20px; margin: 22px 0 8px; padding: 16px 20px;
  border-radius: 10px; border: 1px solid; border-left-width: 8px; }
.verdict .big { font-weight: 800; font-size: 15px; letter-spacing: .05em; padding: 6px 12px; border-radius: 6px; color: #fff; white-space: nowrap; }
.verdict .text { flex: 1; }
.verdict .head { font-size: 19px; font-weight: 700; margin: 0; }
.verdict .detail { margin: 2px 0 0; }
.verdict-drift { background: var(--drift-bg); border-color: var(--drift); }
.verdict-drift .big { background: var(--drift); }
.verdict-warn { background: var(--warn-bg); border-color: #bf8700; }
.verdict-warn .big { background: var(--warn); }
.verdict-ok { background: var(--ok-bg); border-color: var(--ok); }
.verdict-ok .big { background: var(--ok); }
.verdict-na { background: var(--na-bg); border-color: var(--na); }
.verdict-na .big { background: var(--na); }
.meter { position: relative; width: 260px; flex: none; }
.meter .track { height: 12px; border-radius: 6px; background: rgba(255,255,255,.8); border: 1px solid rgba(0,0,0,.25); overflow: hidden; }
.meter .fill { height: 100%; background: var(--na); }
.verdict-drift .meter .fill { background: var(--drift); }
.verdict-warn .meter .fill { background: #bf8700; }
.verdict-ok .meter .fill { background: var(--ok); }
.meter .mark { position: absolute; top: -4px; height: 20px; border-left: 2px dashed var(--ink); }
.meter .legend { font-size: 12px; color: var(--muted); margin-top: 6px; }
.counts { display: flex; gap: 8px; margin: 10px 0 0; flex-wrap: wrap; }
.badge { display: inline-block; min-width: 54px; text-align: center; font-size: 12px; font-weight: 700; letter-spacing: .04em;
  padding: 2px 8px; border-radius: 999px; border: 1px solid; line-height: 1.5; white-space: nowrap; }
.sev-ok { color: var(--ok); background: var(--ok-bg); border-color: #4ac26b; }
.sev-warn { color: var(--warn); background: var(--warn-bg); border-color: #d4a72c; }
.sev-drift { color: var(--drift); background: var(--drift-bg); border-color: #f97066; }
.sev-na { color: var(--na); background: var(--na-bg); border-color: var(--line); }
.count { font-size: 13px; color: var(--muted); }
table { border-collapse: collapse; }
.summary-wrap { overflow-x: auto; }
.summary { width: 100%; font-size: 14px; }
.summary thead th.num { text-align: right; }
.summary th, .summary td { padding: 7px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: middle; }
.summary thead th { background: var(--soft); font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; border-bottom: 2px solid var(--line); white-space: nowrap; }
.summary tbody tr:hover { background: #f6f8fa; }
.summary td.name { min-width: 9em; max-width: 280px; overflow-wrap: anywhere; font-weight: 600; }
.summary td.method { white-space: nowrap; }
.num { text-align: right !important; font-variant-numeric: tabular-nums; white-space: nowrap; }
.summary tr.row-drift td:first-child { box-shadow: inset 4px 0 var(--drift); }
.summary tr.row-warn td:first-child { box-shadow: inset 4px 0 #d4a72c; }
.summary tr.row-ok td:first-child { box-shadow: inset 4px 0 #4ac26b; }
td.hot { color: var(--drift); font-weight: 700; }
td.warm { color: var(--warn); font-weight: 700; }
.warnings ul { margin: 0; padding: 12px 16px 12px 36px; background: var(--warn-bg); border: 1px solid #d4a72c; border-radius: 8px; }
.warnings li { overflow-wrap: anywhere; }
.feature { border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin: 0 0 20px; break-inside: avoid; }
.feature .kind { font-size: 12px; font-weight: 600; color: var(--muted); border: 1px solid var(--line); border-radius: 4px; padding: 0 6px; }
.decision { margin: 0 0 12px; color: var(--muted); }
figure { margin: 0 0 14px; min-width: 0; max-width: 780px; }
figcaption { font-size: 13px; color: var(--muted); margin-bottom: 4px; display: flex; gap: 16px; flex-wrap: wrap; }
figcaption b { color: var(--ink); font-weight: 600; }
.sw { display: inline-block; width: 11px; height: 11px; border-radius: 2px; vertical-align: -1px; margin-right: 5px; }
.sw-ref { background: var(--ref); }
.sw-cur { background: var(--cur); }
svg.chart { display: block; max-width: 100%; height: auto; }
.note { font-size: 13px; color: var(--muted); margin: 4px 0 0; }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); margin: 0;
  border-top: 1px solid var(--line); border-left: 1px solid var(--line); }
.stats div { padding: 6px 12px; min-width: 0; border-right: 1px solid var(--line); border-bottom: 1px solid var(--line); }
.stats dt { font-size: 12px; color: var(--muted); }
.stats dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.stats .badge { font-size: 11px; min-width: 0; padding: 0 7px; }
.unseen { font-size: 13.5px; margin: 12px 0 0; }
.unseen ol { display: inline; margin: 0; padding: 0; }
.unseen li { display: inline-block; margin: 2px 6px 2px 0; padding: 0 6px; background: var(--soft); border: 1px solid var(--line); border-radius: 4px; overflow-wrap: anywhere; }
details { margin-top: 12px; font-size: 13.5px; }
summary { cursor: pointer; color: #0550ae; }
.bins { margin-top: 6px; min-width: 420px; }
.bins th, .bins td { padding: 3px 10px; border-bottom: 1px solid #eaeef2; }
.bins thead th { text-align: left; color: var(--muted); font-weight: 600; }
.bins td:nth-child(2) { overflow-wrap: anywhere; max-width: 520px; }
.bins td:first-child { color: var(--muted); }
.back { margin: 10px 0 0; font-size: 13px; }
.prediction-meta { display: flex; gap: 36px; margin: 0 0 14px; }`

	monitoringStyle = `
.estimate { margin: 14px 0 0; padding: 8px 14px; border: 1px dashed var(--na); border-radius: 8px; background: var(--soft); }
.estimate p { margin: 4px 0; }`

	closingStyle = `
footer { margin-top: 40px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@media (max-width: 900px) { .verdict { flex-wrap: wrap; } }
@media print {
  body { font-size: 11pt; }
  .page { max-width: none; padding: 0; }
  .back, details, summary { display: none; }
  .feature { page-break-inside: avoid; }
  .summary tbody tr:hover { background: none; }
  .summary-wrap { overflow: visible; }
  .summary { font-size: 8pt; }
  .summary th, .summary td { padding: 4px 3px; }
  .summary thead th { white-space: normal; font-size: 7pt; }
  .summary td.name { min-width: 0; padding-left: 8px; }
  .summary .badge { min-width: 0; font-size: 7pt; padding: 1px 5px; }
  .meter { display: none; }
  a { color: inherit; }
}
`
)
