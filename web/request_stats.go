package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/request"
)

// The open figures of the request loop (/open/requests): counts, on-time
// shares, reopenings and satisfaction by category, department, industry or
// city leader — never an enterprise's name — for anyone, with the same
// figures as JSON at /api/v1/request-stats.

type requestStatsView struct {
	page
	By      string
	Groups  []option // the groupings, as tabs
	Rows    []requestStatRow
	Total   requestStatRow
	DemoN   int
	JSONURL string
}

type requestStatRow struct {
	Name, Href                             string // Href: the row's queue, for its readers
	Requests, Open, Closed, Overdue        int
	OnTime, AckOnTime, ReopenRate, Content string // shares as percentages, "—" when unknown
	AckTime, CloseTime                     string
}

func (s *Server) requestStats(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Requests == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	ctx := r.Context()
	v := &requestStatsView{page: s.newPage(r, "")}
	l := v.L
	v.Title = l.T("rs.title")
	v.By = r.URL.Query().Get("by")
	if v.By == "" {
		v.By = request.ByCategory
	}
	for _, b := range []string{request.ByCategory, request.ByDepartment, request.ByIndustry, request.ByLeader} {
		v.Groups = append(v.Groups, option{"/open/requests?by=" + b, l.T("rs.by." + b), b == v.By})
	}
	v.JSONURL = "/api/v1/request-stats?by=" + v.By
	stats, err := s.cfg.Requests.FindStats(ctx, request.StatsFilter{By: v.By})
	if err != nil {
		return err
	}
	names := map[string]string{}
	switch v.By {
	case request.ByCategory:
		cs, err := s.cfg.Requests.FindCategories(ctx)
		if err != nil {
			return err
		}
		for _, c := range cs {
			names[c.ID] = l.Pick(c.NameZH, c.NameEN)
		}
	case request.ByIndustry:
		c, err := s.cfg.Catalog.FindCatalog(ctx)
		if err != nil {
			return err
		}
		for _, ind := range c.Industries {
			names[ind.ID] = l.Pick(ind.NameZH, ind.NameEN)
		}
	}
	var all request.Stat
	for _, st := range stats {
		name := orDefault(names[st.Key], st.Key)
		if st.Key == "" {
			name = l.T("rs.none." + v.By)
		}
		row := statRow(l, name, st)
		if may(v.Actor, authz.RequestRules(), authz.ReadRequests) && st.Key != "" {
			param := map[string]string{request.ByCategory: "category", request.ByDepartment: "department", request.ByIndustry: "industry"}[v.By]
			if param != "" {
				row.Href = "/requests?open=1&" + param + "=" + url.QueryEscape(st.Key)
			}
		}
		v.Rows = append(v.Rows, row)
		addStat(&all, st)
		v.DemoN += st.Demo
	}
	v.Total = statRow(l, l.T("rs.total"), &all)
	v.Demo = v.DemoN > 0
	return s.render(w, "request_stats", v)
}

// addStat sums st into into; the means are weighted by what they measured.
func addStat(into, st *request.Stat) {
	mean := func(a *int64, an int, b *int64, bn int) *int64 {
		switch {
		case a == nil:
			return b
		case b == nil:
			return a
		}
		v := (*a*int64(an) + *b*int64(bn)) / int64(an+bn)
		return &v
	}
	into.AckMinutes = mean(into.AckMinutes, into.Acknowledged, st.AckMinutes, st.Acknowledged)
	into.CloseHours = mean(into.CloseHours, into.Closed, st.CloseHours, st.Closed)
	into.Requests += st.Requests
	into.Open += st.Open
	into.Closed += st.Closed
	into.ClosedOnTime += st.ClosedOnTime
	into.Acknowledged += st.Acknowledged
	into.AcknowledgedOnTime += st.AcknowledgedOnTime
	into.Overdue += st.Overdue
	into.Reopened += st.Reopened
	into.Satisfied += st.Satisfied
	into.Basic += st.Basic
	into.Unsatisfied += st.Unsatisfied
	into.Demo += st.Demo
}

func statRow(l Lang, name string, st *request.Stat) requestStatRow {
	pct := func(v *int64) string {
		if v == nil {
			return "—"
		}
		return fmt.Sprintf("%d.%d%%", *v/10, *v%10)
	}
	row := requestStatRow{Name: name, Requests: st.Requests, Open: st.Open, Closed: st.Closed, Overdue: st.Overdue,
		OnTime: pct(request.PerMille(st.ClosedOnTime, st.Closed)), AckOnTime: pct(request.PerMille(st.AcknowledgedOnTime, st.Acknowledged)),
		ReopenRate: pct(request.PerMille(st.Reopened, st.Requests)),
		Content:    pct(request.PerMille(st.Satisfied+st.Basic, st.Satisfied+st.Basic+st.Unsatisfied)), AckTime: "—", CloseTime: "—"}
	if st.AckMinutes != nil {
		row.AckTime = l.Tf("rs.minutes", *st.AckMinutes)
	}
	if st.CloseHours != nil {
		row.CloseTime = l.Tf("rs.hours", *st.CloseHours)
	}
	return row
}
