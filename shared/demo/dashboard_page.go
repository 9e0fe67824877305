package demo

import (
	"strconv"

	"github.com/modelwatch/modelwatch/shared/htmlwrite"
)

// writeDashboard writes the page of d in document order: the constant
// markup of dashboard_markup.go, every value through htmlwrite (text,
// links, colours, widths), and the SVGs, which escape their own text, as
// HTML.
func writeDashboard(w *htmlwrite.Writer, d *dashboard) {
	s := d.S
	seed, hours := strconv.FormatUint(s.Seed, 10), strconv.Itoa(s.Hours)
	w.Markup(dashboardHead)
	w.Fill("{}, {} hours</title>\n<style>\n", s.Model, hours)
	w.Markup(dashboardStyle)
	w.Fill(`</style>
</head>
<body>
<header>
<h1>modelwatch demo: {} over {} simulated hours</h1>
<p>A loan-default model in production, {} to {} UTC (seed {}`,
		s.Model, hours, s.Start.Format("Mon 2 Jan 2006 15:04"), d.End.Format("Mon 2 Jan 15:04"), seed)
	w.Markup(dashboardIntro)
	for _, c := range d.Cards {
		w.Fill(`<div class="card {}"><div class="label">{}</div><div class="value">{}</div><div class="detail">{}</div></div>`+"\n",
			c.Class, c.Label, c.Value, c.Detail)
	}
	w.Markup(dashboardStoryHead)
	for _, r := range d.Story {
		w.Fill(`<div class="{}"><span class="hours">{}</span><b>{}</b><p>{}</p></div>`+"\n", r.Class, r.Hours, r.Title, r.Description)
	}
	w.Markup(dashboardAlarmsHead)
	w.HTML(d.Timeline)
	w.Markup("\n<table class=\"events\">\n<thead><tr><th>When</th><th>What</th><th>Detail</th></tr></thead>\n<tbody>\n")
	for _, e := range d.Events {
		w.Fill(`<tr class="{}"><td>hour {} · {}</td><td>{}</td><td>{}</td></tr>`+"\n", e.Class, strconv.Itoa(e.Hour), e.Time, e.What, e.Detail)
	}
	w.Markup(dashboardKey)
	for _, sec := range d.Sections {
		writeDashboardSection(w, sec)
	}
	w.Markup("\n")
	if len(d.Unpublished) > 0 {
		w.Markup(`<p class="muted">Not published in this story: `)
		for i, m := range d.Unpublished {
			if i > 0 {
				w.Markup(", ")
			}
			w.Text(m)
		}
		w.Markup(" (regression metrics, opt-in per-feature statistics, or counters that stayed empty).</p>")
	}
	w.Markup(dashboardFeaturesHead)
	for _, f := range d.Features {
		w.Fill(`<tr><td><b>{}</b></td><td>{}</td><td class="num">{}</td><td><div class="bar"><i style="width:`, f.Name, f.Kind, f.MaxPSI)
		w.Number(f.Bar, 1)
		w.Fill(`%"></i></div></td><td class="num">{}</td><td class="num">{}</td><td><span class="sev {}">{}</span></td><td>`,
			strconv.Itoa(f.MaxHour), f.LastPSI, f.Severity, f.Severity)
		if f.FirstDriftURL != "" {
			w.Markup(`<a href="`)
			w.URL(f.FirstDriftURL)
			w.Fill(`">{}</a>`, f.FirstDrift)
		} else {
			w.Markup(`<span class="muted">never</span>`)
		}
		w.Markup("</td></tr>\n")
	}
	w.Markup(dashboardWindowsHead)
	for _, l := range d.Windows {
		w.Fill(`<a class="{}" href="`, l.Severity)
		w.URL(l.URL)
		w.Fill(`" title="{}"><b>hour {}</b><span>{}</span></a>`+"\n", l.Title, strconv.Itoa(l.Hour), l.Accuracy)
	}
	w.Markup(dashboardFiles)
	w.Fill("{} --hours {} --drift-at {} --rate {}</code>. The same flags give the same page.</footer>\n</main>\n</body>\n</html>\n",
		seed, hours, strconv.Itoa(s.DriftAt), strconv.Itoa(s.Rate))
}

// writeDashboardSection writes one section of charts: its heading and
// question, and each chart with its alarm, legend and note.
func writeDashboardSection(w *htmlwrite.Writer, sec sectionView) {
	w.Fill("\n<h2>{}</h2>\n<p class=\"sub\">{}</p>\n<section class=\"grid\">\n", sec.Title, sec.Question)
	for _, c := range sec.Charts {
		w.Fill("<figure>\n<figcaption><b>{}</b><span>{} per hour", c.Title, c.Stat)
		if c.Unit != "" {
			w.Fill(", {}", c.Unit)
		}
		w.Markup("</span></figcaption>\n")
		if c.Alarm != "" {
			w.Fill(`<p class="alarmdef">{}</p>`, c.Alarm)
		}
		w.Markup("\n")
		w.HTML(c.SVG)
		w.Markup("\n")
		if len(c.Legend) > 0 {
			w.Markup(`<div class="legend">`)
			for _, l := range c.Legend {
				w.Markup(`<span><i style="background:`)
				w.Color(l.Color)
				w.Fill(`"></i>{}</span>`, l.Name)
			}
			w.Markup("</div>")
		}
		w.Markup("\n")
		if c.Note != "" {
			w.Fill(`<p class="note">{}</p>`, c.Note)
		}
		w.Markup("\n</figure>\n")
	}
	w.Markup("</section>\n")
}
