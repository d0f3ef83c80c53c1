package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/chain"
)

// The diagnosis on the chain page, a link's page with its firms, and the
// thresholds (issue 12). Without Config.Placements the chain page shows no
// verdicts and these pages answer 404.

// placementService returns the placements service, or ENOTFOUND.
func (s *Server) placementService() (chain.Placements, error) {
	if s.cfg.Placements == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	return s.cfg.Placements, nil
}

// verdictView is a link's verdict and figures as the pages show them.
type verdictView struct {
	Verdict          chain.Verdict
	Name, Reasons    string
	Change           string
	Firms            int64
	AboveScale       int64
	Leaders          int64
	Revenue, Growth  string // "未知" when no firm reported
	TopShare         string
	Projects         int64
	Investment, Paid string
	Known            bool // the link has figures (a placement has run)
}

// chainDiagnosis is the diagnosis section of a chain page.
type chainDiagnosis struct {
	Year         int
	PlacedAt     string
	Strong, Weak int
	Missing      int
	Unknown      int
	Links        map[string]*verdictView
	Demo         bool
}

// diagnose judges the links of ch on the last placement's figures; nil
// without the service.
func (s *Server) diagnose(r *http.Request, set *chain.Set, ch *chain.Chain, l Lang) (*chainDiagnosis, error) {
	svc := s.cfg.Placements
	if svc == nil {
		return nil, nil
	}
	ctx := r.Context()
	run, err := svc.LastPlaceRun(ctx)
	if err != nil {
		return nil, err
	}
	th, err := svc.FindThresholds(ctx)
	if err != nil {
		return nil, err
	}
	out := &chainDiagnosis{Links: map[string]*verdictView{}}
	stats := map[string]map[int]*chain.LinkStats{}
	if run != nil {
		out.Year, out.PlacedAt, out.Demo = run.Year, run.At.In(cst).Format("2006-01-02 15:04"), run.Demo
		if stats, err = svc.FindLinkStats(ctx, run.Year); err != nil {
			return nil, err
		}
	}
	one := &chain.Set{Chains: []*chain.Chain{ch}}
	for _, d := range th.Diagnose(one, stats, out.Year) {
		v := verdictOf(d, l)
		switch d.Verdict {
		case chain.Strong:
			out.Strong++
		case chain.Weak:
			out.Weak++
		case chain.Missing:
			out.Missing++
		default:
			out.Unknown++
		}
		out.Links[d.LinkID] = v
	}
	return out, nil
}

// verdictOf writes a diagnosis for the pages.
func verdictOf(d *chain.Diagnosis, l Lang) *verdictView {
	change := d.Change()
	v := &verdictView{Verdict: d.Verdict, Name: l.Pick(d.Verdict.NameZH(), d.Verdict.NameEN()),
		Reasons: chain.JoinReasons(d.Reasons, l.EN()), Change: l.Pick(change.ZH, change.EN)}
	st := d.Stats
	if st == nil {
		return v
	}
	v.Known = true
	v.Firms, v.AboveScale, v.Leaders, v.Projects = st.Firms, st.Tiers[chanye.TierAboveScale], st.Leaders(), st.Projects
	v.Revenue, v.Growth, v.TopShare = l.T("diag.unknown"), l.T("diag.unknown"), l.T("diag.unknown")
	if st.Revenue != nil {
		v.Revenue = fenMoney(l, chanye.Fen(*st.Revenue))
	}
	if g, ok := st.Growth(); ok {
		v.Growth = permilleText(g)
	}
	if sh, ok := st.TopShare(); ok {
		v.TopShare = permilleText(sh)
	}
	v.Investment, v.Paid = fenMoney(l, chanye.Fen(st.Investment)), fenMoney(l, chanye.Fen(st.Paid))
	return v
}

// permilleText writes a per-mille figure as a percentage with one decimal.
func permilleText(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return sign + strconv.FormatInt(v/10, 10) + "." + strconv.FormatInt(v%10, 10) + "%"
}

// linkPageView is a link's page: its verdict and figures, its firms, the
// forms to place and remove firms by hand, and the removals.
type linkPageView struct {
	page
	IndustryID, IndustryName string
	Link                     *chain.Link
	LinkName                 string
	Parent                   *linkRef
	Subs                     []linkRef
	V                        *verdictView
	Firms                    []placementRow
	Total, Offset, Limit     int
	PrevURL, NextURL         string
	MayEdit                  bool
	Removals                 []*chain.Removal
	Form                     url.Values
	Message                  string
	Errs                     map[string]string
	Invest                   *investSection // nil: not for this reader
}

type placementRow struct {
	*chain.Placement
	SourceName string
	Href       string
	OnLink     string // the sub-link's name when the firm sits on a sub-link
}

// linkFirmsPage is the page size of a link's firms.
const linkFirmsPage = 50

// linkPage shows a link to officials (firm-level detail).
func (s *Server) linkPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.linkView(r)
	if err != nil {
		return err
	}
	return s.render(w, "chain_link", v)
}

// linkView reads the link, its verdict, a page of its firms and the
// removals, after checking that the actor may read placements.
func (s *Server) linkView(r *http.Request) (*linkPageView, error) {
	svc, err := s.placementService()
	if err != nil {
		return nil, err
	}
	set, err := s.cfg.Chains.FindChains(r.Context())
	if err != nil {
		return nil, err
	}
	id := r.PathValue("link")
	industry, _, _ := strings.Cut(id, ".")
	ch := set.Chain(industry)
	var lk *chain.Link
	if ch != nil {
		lk = ch.Link(id)
	}
	if lk == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "产业链环节 %s 不存在 / no such chain link", id)
	}
	v := &linkPageView{page: s.newPage(r, "chains"), IndustryID: industry, Link: lk, Limit: linkFirmsPage, Errs: map[string]string{}}
	if err := refuse(v.Actor, authz.ChainRules(), authz.ReadPlacements); err != nil {
		return nil, err
	}
	if authz.ChainRules().Grant(v.Actor.Role, authz.ReadPlacements) != authz.Allow {
		return nil, chanye.Errorf(chanye.EFORBIDDEN, "环节企业仅政府用户可见 / a link's firms are for officials")
	}
	l := v.L
	ind, err := s.cfg.Catalog.FindIndustryByID(r.Context(), industry)
	if err != nil {
		return nil, err
	}
	v.IndustryName = l.Pick(ind.NameZH, ind.NameEN)
	v.LinkName = l.Pick(lk.NameZH, lk.NameEN)
	v.Title = v.LinkName + " · " + v.IndustryName
	v.MayEdit = mayEditChain(v.Actor, ind) && authz.ChainRules().Grant(v.Actor.Role, authz.WritePlacements) != authz.Deny
	if p := ch.Link(lk.Parent); p != nil {
		v.Parent = &linkRef{p.ID, l.Pick(p.NameZH, p.NameEN)}
	}
	names := map[string]string{lk.ID: v.LinkName}
	for _, sub := range ch.Children(lk.ID) {
		v.Subs = append(v.Subs, linkRef{sub.ID, l.Pick(sub.NameZH, sub.NameEN)})
		names[sub.ID] = l.Pick(sub.NameZH, sub.NameEN)
	}
	diag, err := s.diagnose(r, set, ch, l)
	if err != nil {
		return nil, err
	}
	v.V = diag.Links[lk.ID]
	v.Demo = diag.Demo
	if o := r.URL.Query().Get("offset"); o != "" {
		if v.Offset, err = strconv.Atoi(o); err != nil || v.Offset < 0 || v.Offset > 1<<30 {
			return nil, chanye.Errorf(chanye.EINVALID, "offset 须为非负整数 / offset must be a whole number ≥ 0")
		}
	}
	ps, total, err := svc.FindPlacements(r.Context(), lk.ID, v.Offset, v.Limit)
	if err != nil {
		return nil, err
	}
	v.Total = total
	for _, p := range ps {
		row := placementRow{Placement: p, SourceName: l.T("place.source." + string(p.Source)), Href: "/enterprises/" + url.PathEscape(p.Code)}
		if p.LinkID != lk.ID {
			row.OnLink = names[p.LinkID]
		}
		v.Firms = append(v.Firms, row)
	}
	base := "/chain-links/" + url.PathEscape(lk.ID)
	if v.Offset > 0 {
		v.PrevURL = base + "?offset=" + strconv.Itoa(max(0, v.Offset-v.Limit)) + "#link-firms"
	}
	if v.Offset+v.Limit < total {
		v.NextURL = base + "?offset=" + strconv.Itoa(v.Offset+v.Limit) + "#link-firms"
	}
	if v.Invest, err = s.investOf(r, v); err != nil {
		return nil, err
	}
	removals, err := svc.FindRemovals(r.Context(), industry)
	if err != nil {
		return nil, err
	}
	for _, x := range removals {
		if x.LinkID == lk.ID || strings.HasPrefix(x.LinkID, lk.ID+".") {
			v.Removals = append(v.Removals, x)
		}
	}
	return v, nil
}

// linkBack is where a change to a link's firms returns.
func linkBack(linkID string) string { return "/chain-links/" + url.PathEscape(linkID) }

// backLink is the link whose page a form was posted from (its "page"
// field): the link itself or its parent, whose page lists the sub-links'
// firms too.
func backLink(r *http.Request, link string) string {
	if p := r.PostFormValue("page"); p == link || strings.HasPrefix(link, p+".") && p != "" {
		return p
	}
	return link
}

// placeFirm puts a firm on the link by hand; errors show the page again
// with the form as typed.
func (s *Server) placeFirm(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementService()
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	x := &chain.Placement{LinkID: r.PathValue("link"), Code: r.PostFormValue("code"), Note: r.PostFormValue("note"), Source: chain.ByHand}
	err = svc.Place(r.Context(), x)
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, linkBack(x.LinkID)+"?placed="+url.QueryEscape(x.Code)+"#link-firms", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT, chanye.ENOTFOUND:
		return s.linkAgain(w, r, err, "code")
	}
	return err
}

// linkAgain renders the link page with a refused form's error.
func (s *Server) linkAgain(w http.ResponseWriter, r *http.Request, cause error, field string) error {
	v, err := s.linkView(r)
	if err != nil {
		return err
	}
	v.Message, v.Form = errText(r, cause), r.PostForm
	v.Errs = errFields(r, cause)
	if len(v.Errs) == 0 {
		v.Errs = map[string]string{field: v.Message}
	}
	return s.renderStatus(w, http.StatusBadRequest, "chain_link", v)
}

// unplaceFirm takes a firm off the link, with the reason.
func (s *Server) unplaceFirm(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementService()
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	link, code := r.PathValue("link"), r.PathValue("code")
	_, err = svc.Unplace(r.Context(), link, code, r.PostFormValue("reason"))
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, linkBack(backLink(r, link))+"?removed="+url.QueryEscape(code)+"#link-removals", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ENOTFOUND:
		return s.linkAgain(w, r, err, "reason")
	}
	return err
}

// undoRemoval lets the rule place the firm again.
func (s *Server) undoRemoval(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementService()
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	link := r.PathValue("link")
	if _, err := svc.UndoRemoval(r.Context(), link, r.PathValue("code")); err != nil {
		return err
	}
	http.Redirect(w, r, linkBack(backLink(r, link))+"#link-removals", http.StatusSeeOther)
	return nil
}

// thresholdsView is the thresholds page: read by all, changed by
// administrators.
type thresholdsView struct {
	page
	T        chain.Thresholds
	MayEdit  bool
	Saved    bool
	Message  string
	Errs     map[string]string
	Form     url.Values
	Fields   []thresholdField
	Defaults chain.Thresholds
}

type thresholdField struct {
	Key, Label, Help string
	Value            string
	Min, Max         int64
}

func (s *Server) thresholdsPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.thresholdsView(r)
	if err != nil {
		return err
	}
	v.Saved = r.URL.Query().Get("saved") == "1"
	return s.render(w, "chain_thresholds", v)
}

func (s *Server) thresholdsView(r *http.Request) (*thresholdsView, error) {
	svc, err := s.placementService()
	if err != nil {
		return nil, err
	}
	t, err := svc.FindThresholds(r.Context())
	if err != nil {
		return nil, err
	}
	v := &thresholdsView{page: s.newPage(r, "chains"), T: t, Errs: map[string]string{}, Defaults: chain.DefaultThresholds()}
	v.Title = v.L.T("diag.th.title")
	v.MayEdit = may(v.Actor, authz.ChainRules(), authz.WriteThresholds)
	v.fields(t, nil)
	return v, nil
}

// fields lists the thresholds with their values: the stored ones, or the
// form as typed.
func (v *thresholdsView) fields(t chain.Thresholds, form url.Values) {
	l := v.L
	v.Fields = nil
	for _, f := range []struct {
		key      string
		val      int64
		min, max int64
	}{
		{"missing_above_scale", t.MissingAboveScale, 0, chain.MaxThresholdFirms},
		{"strong_above_scale", t.StrongAboveScale, 0, chain.MaxThresholdFirms},
		{"strong_leaders", t.StrongLeaders, 0, chain.MaxThresholdFirms},
		{"max_top_share", t.MaxTopShare, 0, 1000},
		{"min_growth", t.MinGrowth, chain.MinGrowthBound, chain.MaxGrowthBound},
	} {
		val := strconv.FormatInt(f.val, 10)
		if form != nil {
			val = form.Get(f.key)
		}
		v.Fields = append(v.Fields, thresholdField{Key: f.key, Label: l.T("diag.th." + f.key), Help: l.Tf("diag.th.range", f.min, f.max),
			Value: val, Min: f.min, Max: f.max})
	}
}

// saveThresholds stores the thresholds; errors show the form again.
func (s *Server) saveThresholds(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementService()
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	v, err := s.thresholdsView(r)
	if err != nil {
		return err
	}
	if err := refuse(v.Actor, authz.ChainRules(), authz.WriteThresholds); err != nil {
		return err
	}
	var t chain.Thresholds
	bad := map[string]string{}
	for _, f := range []struct {
		key string
		dst *int64
	}{{"missing_above_scale", &t.MissingAboveScale}, {"strong_above_scale", &t.StrongAboveScale}, {"strong_leaders", &t.StrongLeaders},
		{"max_top_share", &t.MaxTopShare}, {"min_growth", &t.MinGrowth}} {
		n, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(f.key)), 10, 64)
		if err != nil {
			bad[f.key] = "须为整数 / must be a whole number"
		}
		*f.dst = n
	}
	if len(bad) == 0 {
		err = svc.PutThresholds(r.Context(), t)
		if err == nil {
			http.Redirect(w, r, "/chains/thresholds?saved=1", http.StatusSeeOther)
			return nil
		}
		if chanye.ErrorCode(err) != chanye.EINVALID {
			return err
		}
		bad = errFields(r, err)
	}
	v.Errs, v.Form, v.Message = bad, r.PostForm, v.L.T("diag.th.invalid")
	v.fields(t, r.PostForm)
	return s.renderStatus(w, http.StatusBadRequest, "chain_thresholds", v)
}
