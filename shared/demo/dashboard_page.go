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
	w.Markup(dashboardHead)
	w.Text(s.Model)
	w.Markup(", ")
	w.Int(s.Hours)
	w.Markup(" hours</title>\n<style>\n")
	w.Markup(dashboardStyle)
	w.Markup("</style>\n</head>\n<body>\n<header>\n<h1>modelwatch demo: ")
	w.Text(s.Model)
	w.Markup(" over ")
	w.Int(s.Hours)
	w.Markup(" simulated hours</h1>\n<p>A loan-default model in production, ")
	w.Text(s.Start.Format("Mon 2 Jan 2006 15:04"))
	w.Markup(" to ")
	w.Text(d.End.Format("Mon 2 Jan 15:04"))
	w.Markup(" UTC (seed ")
	w.Text(strconv.FormatUint(s.Seed, 10))
	w.Markup(dashboardIntro)
	for _, c := range d.Cards {
		w.Markup(`<div class="card `)
		w.Text(c.Class)
		w.Markup(`"><div class="label">`)
		w.Text(c.Label)
		w.Markup(`</div><div class="value">`)
		w.Text(c.Value)
		w.Markup(`</div><div class="detail">`)
		w.Text(c.Detail)
		w.Markup("</div></div>\n")
	}
	w.Markup(dashboardStoryHead)
	for _, r := range d.Story {
		w.Markup(`<div class="`)
		w.Text(r.Class)
		w.Markup(`"><span class="hours">`)
		w.Text(r.Hours)
		w.Markup("</span><b>")
		w.Text(r.Title)
		w.Markup("</b><p>")
		w.Text(r.Description)
		w.Markup("</p></div>\n")
	}
	w.Markup(dashboardAlarmsHead)
	w.HTML(d.Timeline)
	w.Markup("\n<table class=\"events\">\n<thead><tr><th>When</th><th>What</th><th>Detail</th></tr></thead>\n<tbody>\n")
	for _, e := range d.Events {
		w.Markup(`<tr class="`)
		w.Text(e.Class)
		w.Markup(`"><td>hour `)
		w.Int(e.Hour)
		w.Markup(" · ")
		w.Text(e.Time)
		w.Markup("</td><td>")
		w.Text(e.What)
		w.Markup("</td><td>")
		w.Text(e.Detail)
		w.Markup("</td></tr>\n")
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
		w.Markup("<tr><td><b>")
		w.Text(f.Name)
		w.Markup("</b></td><td>")
		w.Text(f.Kind)
		w.Markup(`</td><td class="num">`)
		w.Text(f.MaxPSI)
		w.Markup(`</td><td><div class="bar"><i style="width:`)
		w.Number(f.Bar, 1)
		w.Markup(`%"></i></div></td><td class="num">`)
		w.Int(f.MaxHour)
		w.Markup(`</td><td class="num">`)
		w.Text(f.LastPSI)
		w.Markup(`</td><td><span class="sev `)
		w.Text(f.Severity)
		w.Markup(`">`)
		w.Text(f.Severity)
		w.Markup("</span></td><td>")
		if f.FirstDriftURL != "" {
			w.Markup(`<a href="`)
			w.URL(f.FirstDriftURL)
			w.Markup(`">`)
			w.Text(f.FirstDrift)
			w.Markup("</a>")
		} else {
			w.Markup(`<span class="muted">never</span>`)
		}
		w.Markup("</td></tr>\n")
	}
	w.Markup(dashboardWindowsHead)
	for _, l := range d.Windows {
		w.Markup(`<a class="`)
		w.Text(l.Severity)
		w.Markup(`" href="`)
		w.URL(l.URL)
		w.Markup(`" title="`)
		w.Text(l.Title)
		w.Markup(`"><b>hour `)
		w.Int(l.Hour)
		w.Markup("</b><span>")
		w.Text(l.Accuracy)
		w.Markup("</span></a>\n")
	}
	w.Markup(dashboardFiles)
	w.Text(strconv.FormatUint(s.Seed, 10))
	w.Markup(" --hours ")
	w.Int(s.Hours)
	w.Markup(" --drift-at ")
	w.Int(s.DriftAt)
	w.Markup(" --rate ")
	w.Int(s.Rate)
	w.Markup("</code>. The same flags give the same page.</footer>\n</main>\n</body>\n</html>\n")
}

// writeDashboardSection writes one section of charts: its heading and
// question, and each chart with its alarm, legend and note.
func writeDashboardSection(w *htmlwrite.Writer, sec sectionView) {
	w.Markup("\n<h2>")
	w.Text(sec.Title)
	w.Markup("</h2>\n<p class=\"sub\">")
	w.Text(sec.Question)
	w.Markup("</p>\n<section class=\"grid\">\n")
	for _, c := range sec.Charts {
		w.Markup("<figure>\n<figcaption><b>")
		w.Text(c.Title)
		w.Markup("</b><span>")
		w.Text(c.Stat)
		w.Markup(" per hour")
		if c.Unit != "" {
			w.Markup(", ")
			w.Text(c.Unit)
		}
		w.Markup("</span></figcaption>\n")
		if c.Alarm != "" {
			w.Markup(`<p class="alarmdef">`)
			w.Text(c.Alarm)
			w.Markup("</p>")
		}
		w.Markup("\n")
		w.HTML(c.SVG)
		w.Markup("\n")
		if len(c.Legend) > 0 {
			w.Markup(`<div class="legend">`)
			for _, l := range c.Legend {
				w.Markup(`<span><i style="background:`)
				w.Color(l.Color)
				w.Markup(`"></i>`)
				w.Text(l.Name)
				w.Markup("</span>")
			}
			w.Markup("</div>")
		}
		w.Markup("\n")
		if c.Note != "" {
			w.Markup(`<p class="note">`)
			w.Text(c.Note)
			w.Markup("</p>")
		}
		w.Markup("\n</figure>\n")
	}
	w.Markup("</section>\n")
}
