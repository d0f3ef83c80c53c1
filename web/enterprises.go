package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/gbt4754"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/uscc"
)

// pageSize is how many enterprises a list page shows.
const pageSize = 50

// pager is the paging of a list page: which page of how many, and links to
// the pages either side.
type pager struct {
	Total, Page, Pages int
	PrevURL, NextURL   string
}

// read sets Page from ?page=, 1 when absent, and notes a bad one in bad.
func (p *pager) read(q url.Values, bad map[string]string) {
	p.Page = 1
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			bad["page"] = "页码须为正整数 / page must be a positive whole number"
		} else {
			p.Page = n
		}
	}
}

// offset is the number of rows before the page.
func (p *pager) offset() int {
	return (p.Page - 1) * pageSize
}

// link records the total and links the pages either side in u.
func (p *pager) link(u *url.URL, total int) {
	p.Total, p.Pages = total, max(1, (total+pageSize-1)/pageSize)
	if p.Page > 1 {
		p.PrevURL = withQuery(u, "page", strconv.Itoa(p.Page-1))
	}
	if p.Page < p.Pages {
		p.NextURL = withQuery(u, "page", strconv.Itoa(p.Page+1))
	}
}

type option struct {
	Value, Text string
	Selected    bool
}

type enterpriseRow struct {
	Code, Name, District string
	Class, ClassName     string
	Industries           []link
	Tiers                []string
	Size                 string
}

type listView struct {
	page
	Districts, Industries, Tiers, Sizes []option
	Q                                   string
	Rows                                []enterpriseRow
	pager
}

func (s *Server) enterpriseList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return err
	}
	v := &listView{page: s.newPage(r, "enterprises")}
	l := v.L
	v.Title = l.T("ent.title")
	q := r.URL.Query()
	f, bad := chanye.ParseEnterpriseFilter(q.Get, c)
	f.Limit = pageSize
	district, industry, tier, size := deref(f.DistrictCode), deref(f.IndustryID), chanye.TierKind(""), chanye.SizeClass("")
	if f.Tier != nil {
		tier = *f.Tier
	}
	if f.SizeClass != nil {
		size = *f.SizeClass
	}
	v.Q = deref(f.Q)
	v.Districts = append(v.Districts, option{"", l.T("ent.all"), district == ""})
	for _, d := range c.Districts {
		v.Districts = append(v.Districts, option{d.Code, l.Pick(d.NameZH, d.NameEN), d.Code == district})
	}
	v.Industries = append(v.Industries, option{"", l.T("ent.all"), industry == ""})
	for _, ind := range c.Industries {
		v.Industries = append(v.Industries, option{ind.ID, l.Pick(ind.NameZH, ind.NameEN), ind.ID == industry})
	}
	v.Tiers = append(v.Tiers, option{"", l.T("ent.all"), tier == ""})
	for _, k := range chanye.TierKinds {
		v.Tiers = append(v.Tiers, option{string(k), l.Pick(k.NameZH(), k.NameEN()), k == tier})
	}
	v.Sizes = append(v.Sizes, option{"", l.T("ent.all"), size == ""})
	for _, k := range sizeClasses {
		v.Sizes = append(v.Sizes, option{string(k), sizeName(l, k), k == size})
	}
	v.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	f.Offset = v.offset()
	list, total, err := s.cfg.Enterprises.FindEnterprises(ctx, f)
	if err != nil {
		return err
	}
	v.link(r.URL, total)
	today := chanye.DateOf(s.now())
	for _, e := range list {
		v.Rows = append(v.Rows, s.enterpriseRow(l, c, e, today))
	}
	return s.render(w, "enterprises", v)
}

func (s *Server) enterpriseRow(l Lang, c *chanye.Catalog, e *chanye.Enterprise, today chanye.Date) enterpriseRow {
	row := enterpriseRow{Code: e.Code, Name: e.Name, District: e.DistrictCode, Class: e.IndustryClass,
		Size: sizeName(l, e.SizeClass)}
	if d, ok := c.District(e.DistrictCode); ok {
		row.District = l.Pick(d.NameZH, d.NameEN)
	}
	if cl, ok := gbt4754.Lookup(e.IndustryClass); ok {
		row.ClassName = cl.NameZH
	}
	for _, id := range e.Industries {
		text := id
		if ind := c.Industry(id); ind != nil {
			text = l.Pick(ind.NameZH, ind.NameEN)
		}
		row.Industries = append(row.Industries, link{"/industries/" + url.PathEscape(id), text})
	}
	for _, k := range e.ActiveTiers(today) {
		row.Tiers = append(row.Tiers, l.Pick(k.NameZH(), k.NameEN()))
	}
	return row
}

// invalidCode is the error for a malformed credit code in a URL; it keeps
// the position of the faulty character so the page can mark it.
type invalidCode struct {
	err  *chanye.Error
	Code string
	Pos  int // 1-based; 0 when the length is wrong
}

func (e *invalidCode) Error() string { return e.err.Error() }
func (e *invalidCode) Unwrap() error { return e.err }

// markedCode splits a code around its faulty character for the error page.
type markedCode struct{ Before, At, After string }

func (e *invalidCode) marked() *markedCode {
	rs := []rune(e.Code)
	if e.Pos < 1 || e.Pos > len(rs) {
		return nil
	}
	return &markedCode{string(rs[:e.Pos-1]), string(rs[e.Pos-1]), string(rs[e.Pos:])}
}

type tierView struct {
	Name, Level, From, To, Source string
	Held                          bool
}

type factColumn struct{ Name string }

type factRow struct {
	Year         int
	Source, AsOf string
	Values       []string
}

type enterpriseView struct {
	page
	E        *chanye.Enterprise
	Row      enterpriseRow
	Founded  string
	Tiers    []tierView
	Size     string
	Sized    bool
	HasFacts bool
	Chart    comboChart
	Columns  []factColumn
	Reports  []factRow
	// Own is set when the reader is the enterprise itself: the page is
	// its home (我的企业) and links to its benefits.
	Own         bool
	Projects    []projectRow // its key projects, when the reader may read projects
	HasProjects bool         // the projects section is shown
	Scope       *chanye.Scope
	Placements  []entPlacement // the chain links it sits on, when the reader may read them
	HasChains   bool           // the chain section is shown
}

// entPlacement is a link an enterprise sits on, as its page names it.
type entPlacement struct {
	Href, Chain, Link, Source string
	PlacedOn                  chanye.Date
}

func (s *Server) enterprise(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code := uscc.Normalize(r.PathValue("code"))
	if err := uscc.Validate(code); err != nil {
		ie := &invalidCode{err: chanye.NewError(chanye.EINVALID, "统一社会信用代码有误 / invalid unified social credit code", map[string]string{"code": err.Error()}), Code: code}
		var ue *uscc.Error
		if errors.As(err, &ue) {
			ie.Pos = ue.Pos
		}
		return ie
	}
	e, err := s.cfg.Enterprises.FindEnterpriseByCode(ctx, code)
	if err != nil {
		return err
	}
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return err
	}
	reports, err := s.cfg.Enterprises.FindFacts(ctx, code)
	if err != nil {
		return err
	}
	v := &enterpriseView{page: s.newPage(r, "enterprises"), E: e, Founded: e.Founded.String()}
	l := v.L
	v.Title = e.Name
	today := chanye.DateOf(s.now())
	v.Row = s.enterpriseRow(l, c, e, today)
	for _, t := range e.Tiers {
		v.Tiers = append(v.Tiers, tierView{Name: l.Pick(t.Kind.NameZH(), t.Kind.NameEN()),
			Level: orDefault(l.Pick(t.Level.NameZH(), t.Level.NameEN()), l.T("ent.nolevel")), From: t.From.String(),
			To: orDefault(t.To.String(), l.T("dash")), Source: t.Source, Held: t.ActiveOn(today)})
	}
	v.Sized = e.SizeClass != ""
	v.Size = sizeName(l, e.SizeClass)
	v.HasFacts = len(e.Facts) > 0
	v.Chart = factsChart(l, e.Facts)
	v.Columns, v.Reports = factsTable(l, reports)
	for _, fr := range reports {
		v.Demo = v.Demo || chanye.DemoSource(fr.Source)
	}
	for _, t := range e.Tiers {
		v.Demo = v.Demo || chanye.DemoSource(t.Source)
	}
	a := chanye.ActorFrom(ctx)
	v.Own = a.Role == chanye.RoleEnterprise && a.Code == code
	if v.Own {
		v.Nav = "mine"
	}
	if s.cfg.Projects != nil {
		ps, _, err := s.cfg.Projects.FindProjects(ctx, project.ProjectFilter{OwnerCode: &code, AsOf: today, Limit: 100})
		switch {
		case err == nil:
			v.HasProjects = true
			for _, p := range ps {
				v.Demo = v.Demo || p.Demo
				v.Projects = append(v.Projects, s.projectRow(l, c, p, p.Colour))
			}
		case chanye.ErrorCode(err) != chanye.EFORBIDDEN && chanye.ErrorCode(err) != chanye.EUNAUTHORIZED:
			return err
		}
	}
	if err := s.enterpriseChains(r, v, code); err != nil {
		return err
	}
	return s.render(w, "enterprise", v)
}

// enterpriseChains fills the business scope and the chain links of the
// enterprise's page, for readers who may see them.
func (s *Server) enterpriseChains(r *http.Request, v *enterpriseView, code string) error {
	ctx, l := r.Context(), v.L
	sc, err := s.cfg.Enterprises.FindScope(ctx, code)
	switch chanye.ErrorCode(err) {
	case "":
		v.Scope = sc
		v.Demo = v.Demo || chanye.DemoSource(sc.Source)
	case chanye.ENOTFOUND, chanye.EFORBIDDEN, chanye.EUNAUTHORIZED:
	default:
		return err
	}
	if s.cfg.Placements == nil || s.cfg.Chains == nil {
		return nil
	}
	ps, err := s.cfg.Placements.FindEnterprisePlacements(ctx, code)
	switch chanye.ErrorCode(err) {
	case "":
	case chanye.ENOTFOUND, chanye.EFORBIDDEN, chanye.EUNAUTHORIZED:
		return nil
	default:
		return err
	}
	v.HasChains = true
	set, err := s.cfg.Chains.FindChains(ctx)
	if err != nil {
		return err
	}
	cat, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		row := entPlacement{Href: "/chains/" + url.PathEscape(p.IndustryID) + "#link-" + p.LinkID, Chain: p.IndustryID, Link: p.LinkID,
			Source: l.T("place.source." + string(p.Source)), PlacedOn: p.PlacedOn}
		if ind := cat.Industry(p.IndustryID); ind != nil {
			row.Chain = l.Pick(ind.NameZH, ind.NameEN)
		}
		if ch := set.Chain(p.IndustryID); ch != nil {
			if lk := ch.Link(p.LinkID); lk != nil {
				row.Link = l.Pick(lk.NameZH, lk.NameEN)
			}
		}
		v.Placements = append(v.Placements, row)
	}
	return nil
}

// factsChart draws revenue and R&D spending in 万元 as bars and employees
// as a line, oldest year first.
func factsChart(l Lang, facts []*chanye.Facts) comboChart {
	ch := comboChart{Axes: []string{l.T("ent.unit.wan"), l.T("ent.people")}}
	rev := comboSeries{Name: l.Pick(chanye.FactFields[0].NameZH, chanye.FactFields[0].NameEN), Type: "bar"}
	rd := comboSeries{Name: l.Pick(chanye.FactFields[1].NameZH, chanye.FactFields[1].NameEN), Type: "bar"}
	emp := comboSeries{Name: l.Pick(chanye.FactFields[2].NameZH, chanye.FactFields[2].NameEN), Type: "line", Axis: 1}
	for i := len(facts) - 1; i >= 0; i-- {
		f := facts[i]
		ch.Categories = append(ch.Categories, strconv.Itoa(f.Year))
		rev.Values = append(rev.Values, fenNumber(f.Revenue))
		rd.Values = append(rd.Values, fenNumber(f.RDSpending))
		var n *json.Number
		if f.Employees != nil {
			x := json.Number(strconv.FormatInt(*f.Employees, 10))
			n = &x
		}
		emp.Values = append(emp.Values, n)
	}
	ch.Series = []comboSeries{rev, rd, emp}
	return ch
}

func fenNumber(f *chanye.Fen) *json.Number {
	if f == nil {
		return nil
	}
	n := chartNumber(int64(*f), fenPerWan, 2)
	return &n
}

// factsTable lists every report with the figures any report carries.
func factsTable(l Lang, reports []*chanye.Facts) ([]factColumn, []factRow) {
	used := make([]bool, len(chanye.FactFields))
	for _, r := range reports {
		for i, v := range r.Values() {
			used[i] = used[i] || v != nil
		}
	}
	var cols []factColumn
	for i, ff := range chanye.FactFields {
		if used[i] {
			name := l.Pick(ff.NameZH, ff.NameEN)
			if !ff.Money && (ff.Key == "employees" || ff.Key == "rd_staff") {
				name += " (" + l.T("ent.people") + ")"
			}
			cols = append(cols, factColumn{name})
		}
	}
	var rows []factRow
	for _, r := range reports {
		row := factRow{Year: r.Year, Source: r.Source, AsOf: r.AsOf.String()}
		for i, v := range r.Values() {
			if !used[i] {
				continue
			}
			switch {
			case v == nil:
				row.Values = append(row.Values, l.T("dash"))
			case chanye.FactFields[i].Money:
				row.Values = append(row.Values, fenMoney(l, chanye.Fen(*v)))
			default:
				row.Values = append(row.Values, group(*v))
			}
		}
		rows = append(rows, row)
	}
	return cols, rows
}
