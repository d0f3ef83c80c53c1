package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/match"
)

// The pages of supply–demand matchmaking (广聚群链): the supplies and the
// demands (an enterprise's own, with the form that posts one), a listing's
// page with its matches and the owner's edit form, the matches with their
// scores and reasons (a firm's own; the officials' with the run of
// matching and a chain's figures), and a match's page with the steps its
// viewer may take. The fairs are in fairs.go. Forms show only to roles the
// rules let use them; the guarded services decide each record.

// MatchServices are the guarded services of matchmaking's pages; the
// pages answer 404 without them.
type MatchServices struct {
	Listings match.ListingService
	Matches  match.MatchService
	Events   match.EventService
	// Segmenter cuts the listings' texts when matching runs from a page;
	// nil: Lazy loads the production one (shared with the API).
	Segmenter match.Segmenter
	Lazy      *match.LazySegmenter
}

func (s *Server) matchServices() (*MatchServices, error) {
	m := &s.cfg.Match
	if m.Listings == nil || m.Matches == nil || m.Events == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	return m, nil
}

// HasMatch reports whether matchmaking is served: the navigation then
// links it.
func (p page) HasMatch() bool { return p.matchmaking }

// listingKind is what differs between the supplies' pages and the
// demands': the path, the labels' prefix and the listing's own fields.
type listingKind string

const (
	kindSupply listingKind = "supply"
	kindDemand listingKind = "demand"
)

func (k listingKind) path() string {
	if k == kindSupply {
		return "/supplies"
	}
	return "/demands"
}

// listingRow is a supply or a demand as the pages show it.
type listingRow struct {
	ID                             int64
	Kind                           listingKind
	Href, Code, Name, Text, Amount string
	LinkID, Link, District, Posted string
	NeededBy, Status, StatusName   string
	Classes, Certifications        string
	Demo                           bool
}

// linkNames names the chain links by id in the reader's language, and
// returns the choices of a link grouped by chain; a reader the chains
// refuse gets none and the pages show ids.
func (s *Server) linkNames(ctx context.Context, l Lang, inds map[string]string, selected string) (map[string]string, []linkGroup, error) {
	names := map[string]string{}
	if s.cfg.Chains == nil {
		return names, nil, nil
	}
	set, err := s.cfg.Chains.FindChains(ctx)
	if hidden(err) {
		return names, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	var groups []linkGroup
	for _, ch := range set.Chains {
		g := linkGroup{Label: orDefault(inds[ch.IndustryID], ch.IndustryID)}
		for _, lk := range ch.Links {
			names[lk.ID] = l.Pick(lk.NameZH, orDefault(lk.NameEN, lk.NameZH))
			g.Options = append(g.Options, option{lk.ID, names[lk.ID], lk.ID == selected})
		}
		groups = append(groups, g)
	}
	return names, groups, nil
}

// linkGroup is a chain's links in a select.
type linkGroup struct {
	Label   string
	Options []option
}

// matchNames are the names a matchmaking page shows: industries, chain
// links and districts by id, in the reader's language.
type matchNames struct {
	inds, links, districts map[string]string
	indList                []*chanye.Industry
	groups                 []linkGroup
	cat                    *chanye.Catalog
}

func (s *Server) matchNames(ctx context.Context, l Lang, selectedLink string) (*matchNames, error) {
	n := &matchNames{districts: map[string]string{}}
	var err error
	if n.inds, n.indList, err = s.industryNames(ctx, l); err != nil {
		return nil, err
	}
	if n.links, n.groups, err = s.linkNames(ctx, l, n.inds, selectedLink); err != nil {
		return nil, err
	}
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil && !hidden(err) {
		return nil, err
	}
	if c != nil {
		n.cat = c
		for _, d := range c.Districts {
			n.districts[d.Code] = l.Pick(d.NameZH, d.NameEN)
		}
	}
	return n, nil
}

// districtOptions are the choices of a district: "" first (the firm's
// registered one), then the city's.
func (n *matchNames) districtOptions(l Lang, selected string) []option {
	out := []option{{"", l.T("mm.district.registered"), selected == ""}}
	if n.cat != nil {
		for _, d := range n.cat.Districts {
			out = append(out, option{d.Code, n.districts[d.Code], d.Code == selected})
		}
	}
	return out
}

func listingStatusName(l Lang, st match.Status) string { return l.Pick(st.NameZH(), st.NameEN()) }

func (n *matchNames) supplyRow(l Lang, x *match.Supply) listingRow {
	return listingRow{ID: x.ID, Kind: kindSupply, Href: "/supplies/" + strconv.FormatInt(x.ID, 10), Code: x.Code, Name: orDefault(x.Name, x.Code),
		Text: x.Products, Amount: x.Capacity, LinkID: x.LinkID, Link: orDefault(n.links[x.LinkID], x.LinkID),
		District: n.districtName(l, x.DistrictCode), Posted: x.PostedOn.String(), Status: string(x.Status), StatusName: listingStatusName(l, x.Status),
		Classes: strings.Join(x.Classes, "、"), Certifications: strings.Join(x.Certifications, "、"), Demo: x.Demo}
}

func (n *matchNames) demandRow(l Lang, x *match.Demand) listingRow {
	row := listingRow{ID: x.ID, Kind: kindDemand, Href: "/demands/" + strconv.FormatInt(x.ID, 10), Code: x.Code, Name: orDefault(x.Name, x.Code),
		Text: x.Needs, Amount: x.Quantity, LinkID: x.LinkID, Link: orDefault(n.links[x.LinkID], x.LinkID),
		District: n.districtName(l, x.DistrictCode), Posted: x.PostedOn.String(), Status: string(x.Status), StatusName: listingStatusName(l, x.Status),
		Classes: strings.Join(x.Classes, "、"), Demo: x.Demo}
	if !x.NeededBy.IsZero() {
		row.NeededBy = x.NeededBy.String()
	}
	return row
}

// districtName names a listing's district; "" is the firm's registered
// one.
func (n *matchNames) districtName(l Lang, code string) string {
	if code == "" {
		return l.T("mm.district.registered")
	}
	return orDefault(n.districts[code], code)
}

// listingForm is what the post and edit forms of a listing hold, as typed.
type listingForm struct {
	Code, Text, LinkID, Classes, Amount, District, Certifications, NeededBy, Status string
}

func readListingForm(r *http.Request) listingForm {
	fv := r.PostFormValue
	return listingForm{Code: strings.TrimSpace(fv("code")), Text: fv("text"), LinkID: strings.TrimSpace(fv("link_id")), Classes: fv("classes"),
		Amount: fv("amount"), District: strings.TrimSpace(fv("district_code")), Certifications: fv("certifications"),
		NeededBy: strings.TrimSpace(fv("needed_by")), Status: fv("status")}
}

// listSep separates the items of a typed list: commas, 、, semicolons and
// line breaks (a certification has spaces: "IATF 16949").
var listSep = regexp.MustCompile(`[,，、;；\r\n]+`)

// splitList reads a typed list; none is an empty list.
func splitList(s string) []string {
	out := []string{}
	for _, x := range listSep.Split(s, -1) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// splitCodes reads a typed list of codes, spaces separating them too.
func splitCodes(s string) []string {
	return splitList(strings.Join(strings.Fields(s), ","))
}

// formOf shows a stored listing in its edit form.
func formOf(row listingRow, classes, certs []string) listingForm {
	return listingForm{Code: row.Code, Text: row.Text, LinkID: row.LinkID, Classes: strings.Join(classes, ", "), Amount: row.Amount,
		Certifications: strings.Join(certs, ", "), NeededBy: row.NeededBy, Status: row.Status}
}

// listingFields are the listing form's field names as the domain's errors
// name them, by the form's names.
func listingFields(k listingKind) map[string]string {
	text, amount := "products", "capacity"
	if k == kindDemand {
		text, amount = "needs", "quantity"
	}
	return map[string]string{text: "text", amount: "amount"}
}

// formErrs renames the domain's field errors to the form's fields.
func formErrs(k listingKind, errs map[string]string) map[string]string {
	ren := listingFields(k)
	out := map[string]string{}
	for f, m := range errs {
		out[orDefault(ren[f], f)] = m
	}
	return out
}

// listingsView is the list of supplies or demands, with the form that
// posts one.
type listingsView struct {
	page
	Kind                     listingKind
	Rows                     []listingRow
	Statuses, Industries     []option
	StatusValue, Industry    string
	Own                      bool // an enterprise's own list
	MayPost, PostForOthers   bool
	Form                     listingForm
	LinkGroups               []linkGroup
	Districts, StatusOptions []option
	Message                  string
	Errs                     map[string]string
	pager
}

func (s *Server) supplyList(w http.ResponseWriter, r *http.Request) error {
	return s.listingList(w, r, kindSupply, http.StatusOK, nil, listingForm{})
}

func (s *Server) demandList(w http.ResponseWriter, r *http.Request) error {
	return s.listingList(w, r, kindDemand, http.StatusOK, nil, listingForm{})
}

// listingList shows the supplies or demands the reader may see, filtered
// and paged, and the form that posts one; cause is a refused post, shown
// with what was typed.
func (s *Server) listingList(w http.ResponseWriter, r *http.Request, k listingKind, status int, cause error, form listingForm) error {
	svc, err := s.matchServices()
	if err != nil {
		return err
	}
	v := &listingsView{page: s.newPage(r, "match"), Kind: k, Form: form, Errs: formErrs(k, errFields(r, cause))}
	ctx, l, q := r.Context(), v.L, r.URL.Query()
	if err := refuse(v.Actor, authz.MatchRules(), authz.ReadListings); err != nil {
		return err
	}
	if cause != nil {
		v.Message = errText(r, cause)
	}
	v.Own = v.Actor.Role == chanye.RoleEnterprise
	v.Title = l.T("mm." + string(k) + ".title")
	if v.Own {
		v.Title = l.T("mm." + string(k) + ".mine")
	}
	v.MayPost = may(v.Actor, authz.MatchRules(), authz.WriteListings)
	v.PostForOthers = allowed(v.Actor, authz.MatchRules(), authz.WriteListings)
	names, err := s.matchNames(ctx, l, form.LinkID)
	if err != nil {
		return err
	}
	v.LinkGroups, v.Districts = names.groups, names.districtOptions(l, form.District)
	f := match.ListingFilter{Limit: pageSize}
	bad := map[string]string{}
	v.StatusValue, v.Industry = q.Get("status"), q.Get("industry")
	v.Statuses, f.Status = statusFilter(l, v.StatusValue, []match.Status{match.Open, match.Closed}, bad)
	v.Industries, f.IndustryID = industryFilter(l, v.Industry, names.indList, names.inds)
	v.pager.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	f.Offset = v.offset()
	var total int
	if k == kindSupply {
		xs, n, err := svc.Listings.FindSupplies(ctx, f)
		if err != nil {
			return err
		}
		for _, x := range xs {
			v.Rows = append(v.Rows, names.supplyRow(l, x))
		}
		total = n
	} else {
		xs, n, err := svc.Listings.FindDemands(ctx, f)
		if err != nil {
			return err
		}
		for _, x := range xs {
			v.Rows = append(v.Rows, names.demandRow(l, x))
		}
		total = n
	}
	for _, row := range v.Rows {
		v.Demo = v.Demo || row.Demo
	}
	v.link(r.URL, total)
	return s.renderStatus(w, status, "listings", v)
}

func (s *Server) supplyCreate(w http.ResponseWriter, r *http.Request) error {
	return s.listingCreate(w, r, kindSupply)
}

func (s *Server) demandCreate(w http.ResponseWriter, r *http.Request) error {
	return s.listingCreate(w, r, kindDemand)
}

// listingCreate posts a supply or a demand: an enterprise's own, an
// administrator's for the firm of the code typed.
func (s *Server) listingCreate(w http.ResponseWriter, r *http.Request, k listingKind) error {
	svc, err := s.matchServices()
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	a := chanye.ActorFrom(r.Context())
	if err := refuse(a, authz.MatchRules(), authz.WriteListings); err != nil {
		return err
	}
	form := readListingForm(r)
	if a.Role == chanye.RoleEnterprise {
		form.Code = a.Code
	}
	bad := map[string]string{}
	var id int64
	if k == kindSupply {
		x := &match.Supply{Code: form.Code, Products: form.Text, LinkID: form.LinkID, Classes: splitCodes(form.Classes), Capacity: form.Amount,
			DistrictCode: form.District, Certifications: splitList(form.Certifications), Status: match.Open}
		err = svc.Listings.CreateSupply(r.Context(), x)
		id = x.ID
	} else {
		x := &match.Demand{Code: form.Code, Needs: form.Text, LinkID: form.LinkID, Classes: splitCodes(form.Classes), Quantity: form.Amount,
			DistrictCode: form.District, NeededBy: parseDay(form.NeededBy, "needed_by", bad), Status: match.Open}
		if len(bad) > 0 {
			err = chanye.Invalid("需求有误 / invalid demand", bad)
		} else {
			err = svc.Listings.CreateDemand(r.Context(), x)
		}
		id = x.ID
	}
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, k.path()+"/"+strconv.FormatInt(id, 10)+"?done=created", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.listingList(w, r, k, httpmw.Status(chanye.ErrorCode(err)), err, form)
	}
	return err
}

// listingView is one supply's or demand's page: the listing, its matches
// and the owner's edit form.
type listingView struct {
	page
	Kind                listingKind
	Row                 listingRow
	Rows                []matchRow // its matches
	MatchTotal          int
	MayEdit             bool
	Form                listingForm
	LinkGroups          []linkGroup
	Districts, Statuses []option
	Done, Message       string
	Errs                map[string]string
}

func (s *Server) supplyPage(w http.ResponseWriter, r *http.Request) error {
	return s.listingPage(w, r, kindSupply, http.StatusOK, nil)
}

func (s *Server) demandPage(w http.ResponseWriter, r *http.Request) error {
	return s.listingPage(w, r, kindDemand, http.StatusOK, nil)
}

// listingPage shows a listing; cause is a refused edit, shown with what
// was typed.
func (s *Server) listingPage(w http.ResponseWriter, r *http.Request, k listingKind, status int, cause error) error {
	svc, err := s.matchServices()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id", "供需信息", "listing")
	if err != nil {
		return err
	}
	v := &listingView{page: s.newPage(r, "match"), Kind: k, Errs: formErrs(k, errFields(r, cause))}
	ctx, l := r.Context(), v.L
	names, err := s.matchNames(ctx, l, "")
	if err != nil {
		return err
	}
	var classes, certs []string
	f := match.MatchFilter{Limit: pageSize}
	if k == kindSupply {
		x, err := svc.Listings.FindSupplyByID(ctx, id)
		if err != nil {
			return err
		}
		v.Row, classes, certs, f.SupplyID = names.supplyRow(l, x), x.Classes, x.Certifications, &id
	} else {
		x, err := svc.Listings.FindDemandByID(ctx, id)
		if err != nil {
			return err
		}
		v.Row, classes, f.DemandID = names.demandRow(l, x), x.Classes, &id
	}
	v.Demo = v.Row.Demo
	v.Title = l.T("mm."+string(k)) + " #" + strconv.FormatInt(id, 10)
	v.MayEdit = allowed(v.Actor, authz.MatchRules(), authz.WriteListings) || isOwnFirm(v.Actor, v.Row.Code)
	v.Form = formOf(v.Row, classes, certs)
	if cause != nil {
		v.Message, v.Form = errText(r, cause), readListingForm(r)
	}
	_, v.LinkGroups, err = s.linkNames(ctx, l, names.inds, v.Form.LinkID)
	if err != nil {
		return err
	}
	v.Districts = names.districtOptions(l, v.Form.District)
	for _, x := range match.Statuses {
		v.Statuses = append(v.Statuses, option{string(x.Status), l.Pick(x.NameZH, x.NameEN), string(x.Status) == v.Form.Status})
	}
	if done := r.URL.Query().Get("done"); done == "created" || done == "saved" {
		v.Done = l.T("mm.done." + done)
	}
	ms, total, err := svc.Matches.FindMatches(ctx, f)
	if err != nil && !hidden(err) {
		return err
	}
	v.MatchTotal = total
	for _, m := range ms {
		v.Rows = append(v.Rows, newMatchRow(l, m, v.Actor))
	}
	return s.renderStatus(w, status, "listing", v)
}

// isOwnFirm reports whether a is the enterprise of credit code code.
func isOwnFirm(a *chanye.Actor, code string) bool {
	return a != nil && a.Role == chanye.RoleEnterprise && a.Code != "" && strings.EqualFold(a.Code, code)
}

func (s *Server) supplySave(w http.ResponseWriter, r *http.Request) error {
	return s.listingSave(w, r, kindSupply)
}

func (s *Server) demandSave(w http.ResponseWriter, r *http.Request) error {
	return s.listingSave(w, r, kindDemand)
}

// listingSave changes a listing from its edit form: every field as typed.
func (s *Server) listingSave(w http.ResponseWriter, r *http.Request, k listingKind) error {
	svc, err := s.matchServices()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id", "供需信息", "listing")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	form := readListingForm(r)
	classes, st := splitCodes(form.Classes), match.Status(form.Status)
	if k == kindSupply {
		certs := splitList(form.Certifications)
		_, err = svc.Listings.UpdateSupply(r.Context(), id, match.SupplyUpdate{Products: &form.Text, LinkID: &form.LinkID, Classes: &classes,
			Capacity: &form.Amount, DistrictCode: &form.District, Certifications: &certs, Status: &st})
	} else {
		bad := map[string]string{}
		needed := parseDay(form.NeededBy, "needed_by", bad)
		if len(bad) > 0 {
			err = chanye.Invalid("需求有误 / invalid demand", bad)
		} else {
			_, err = svc.Listings.UpdateDemand(r.Context(), id, match.DemandUpdate{Needs: &form.Text, LinkID: &form.LinkID, Classes: &classes,
				Quantity: &form.Amount, NeededBy: &needed, DistrictCode: &form.District, Status: &st})
		}
	}
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, k.path()+"/"+strconv.FormatInt(id, 10)+"?done=saved", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.listingPage(w, r, k, httpmw.Status(chanye.ErrorCode(err)), err)
	}
	return err
}

// matchRow is a match in a list.
type matchRow struct {
	*match.Match
	Href, StatusName, Proposed string
	Buyer, Supplier            string
	BuyerDecision              string
	SupplierDecision           string
	MySide                     string // the reading firm's side, "" for an official
	Reasons                    []string
	Contract                   string
}

func decisionName(l Lang, d match.Decision) string {
	if d == "" {
		d = match.Pending
	}
	return l.Pick(d.NameZH(), d.NameEN())
}

func newMatchRow(l Lang, m *match.Match, a *chanye.Actor) matchRow {
	row := matchRow{Match: m, Href: "/matches/" + strconv.FormatInt(m.ID, 10), StatusName: l.Pick(m.Status.NameZH(), m.Status.NameEN()),
		Proposed: m.ProposedOn.String(), Buyer: orDefault(m.BuyerName, m.BuyerCode), Supplier: orDefault(m.SupplierName, m.SupplierCode),
		BuyerDecision: decisionName(l, m.BuyerDecision), SupplierDecision: decisionName(l, m.SupplierDecision)}
	if a != nil && a.Role == chanye.RoleEnterprise {
		if side, ok := m.SideOf(a.Code); ok {
			row.MySide = l.Pick(side.NameZH(), side.NameEN())
		}
	}
	for _, x := range m.Reasons {
		row.Reasons = append(row.Reasons, l.Pick(x.TextZH, x.TextEN))
	}
	if m.ContractFen > 0 {
		row.Contract = exactMoney(l, m.ContractFen)
	}
	return row
}

// namedStatus is a status with its names, as the domain packages define
// them.
type namedStatus interface {
	~string
	NameZH() string
	NameEN() string
	Valid() bool
}

// statusFilter reads a list's ?status= value: the select's options, 全部
// first, and the status to filter by (nil: all); an unknown one is noted
// in bad.
func statusFilter[S namedStatus](l Lang, value string, statuses []S, bad map[string]string) ([]option, *S) {
	opts := []option{{"", l.T("ent.all"), value == ""}}
	for _, st := range statuses {
		opts = append(opts, option{string(st), l.Pick(st.NameZH(), st.NameEN()), string(st) == value})
	}
	if value == "" {
		return opts, nil
	}
	st := S(value)
	if !st.Valid() {
		bad["status"] = "未知状态 / unknown status"
	}
	return opts, &st
}

// industryFilter reads a list's ?industry= value: the select's options,
// 全部 first, and the industry to filter by (nil: all).
func industryFilter(l Lang, value string, inds []*chanye.Industry, names map[string]string) ([]option, *string) {
	opts := []option{{"", l.T("ent.all"), value == ""}}
	for _, ind := range inds {
		opts = append(opts, option{ind.ID, names[ind.ID], ind.ID == value})
	}
	if value == "" {
		return opts, nil
	}
	return opts, &value
}

// metricsView is a chain's figures of matchmaking.
type metricsView struct {
	Industry                    string
	OpenDemands, LocallyMatched int
	LocalShare                  string // "" unknown
	Matches, Accepted, Signed   int
	Contract                    string
}

// matchesView is the list of matches.
type matchesView struct {
	page
	Rows                        []matchRow
	Statuses, Industries, Sides []option
	StatusValue, Industry, Side string
	Own, MayRun                 bool
	Metrics                     *metricsView
	Done                        string
	pager
}

// matchList shows the matches the reader may see, the best first: a
// firm's own (as buyer, supplier or either), the officials' all, with
// an industry's figures when one is chosen.
func (s *Server) matchList(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.matchServices()
	if err != nil {
		return err
	}
	v := &matchesView{page: s.newPage(r, "match")}
	ctx, l, q := r.Context(), v.L, r.URL.Query()
	if err := refuse(v.Actor, authz.MatchRules(), authz.ReadMatches); err != nil {
		return err
	}
	v.Own = v.Actor.Role == chanye.RoleEnterprise
	v.Title = l.T("mm.matches.title")
	if v.Own {
		v.Title = l.T("mm.matches.mine")
	}
	v.MayRun = may(v.Actor, authz.MatchRules(), authz.ProposeMatches)
	inds, indList, err := s.industryNames(ctx, l)
	if err != nil {
		return err
	}
	f := match.MatchFilter{Limit: pageSize}
	bad := map[string]string{}
	v.StatusValue, v.Industry = q.Get("status"), q.Get("industry")
	var statuses []match.MatchStatus
	for _, x := range match.MatchStatuses {
		statuses = append(statuses, x.Status)
	}
	v.Statuses, f.Status = statusFilter(l, v.StatusValue, statuses, bad)
	v.Industries, f.IndustryID = industryFilter(l, v.Industry, indList, inds)
	v.Side = q.Get("side")
	if v.Own {
		v.Sides = []option{{"", l.T("mm.side.either"), v.Side == ""},
			{string(match.SideBuyer), l.T("mm.side.buyer"), v.Side == string(match.SideBuyer)},
			{string(match.SideSupplier), l.T("mm.side.supplier"), v.Side == string(match.SideSupplier)}}
		switch match.Side(v.Side) {
		case "":
		case match.SideBuyer:
			f.BuyerCode = &v.Actor.Code
		case match.SideSupplier:
			f.SupplierCode = &v.Actor.Code
		default:
			bad["side"] = "须为 buyer 或 supplier / must be buyer or supplier"
		}
	}
	v.pager.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	f.Offset = v.offset()
	ms, total, err := svc.Matches.FindMatches(ctx, f)
	if err != nil {
		return err
	}
	v.link(r.URL, total)
	for _, m := range ms {
		v.Rows = append(v.Rows, newMatchRow(l, m, v.Actor))
		v.Demo = v.Demo || m.Demo
	}
	if v.Industry != "" {
		mt, err := svc.Matches.FindChainMetrics(ctx, v.Industry)
		switch {
		case err == nil:
			v.Metrics = newMetricsView(l, mt, inds[v.Industry])
		case !hidden(err):
			return err
		}
	}
	if q.Get("done") == "run" {
		proposed, _ := strconv.Atoi(q.Get("proposed"))
		added, _ := strconv.Atoi(q.Get("added"))
		v.Done = l.Tf("mm.done.run", proposed, added)
	}
	return s.render(w, "matches", v)
}

func newMetricsView(l Lang, mt *match.Metrics, industry string) *metricsView {
	out := &metricsView{Industry: orDefault(industry, mt.IndustryID), OpenDemands: mt.OpenDemands, LocallyMatched: mt.LocallyMatched,
		Matches: mt.Matches, Accepted: mt.Accepted, Signed: mt.Signed, Contract: exactMoney(l, mt.ContractFen)}
	if mt.LocalSupplyPerMille != nil {
		out.LocalShare = strconv.FormatInt(*mt.LocalSupplyPerMille/10, 10) + "." + strconv.FormatInt(*mt.LocalSupplyPerMille%10, 10) + "%"
	}
	return out
}

// matchRun runs matching over the open listings and goes back to the
// matches with what it did.
func (s *Server) matchRun(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.matchServices()
	if err != nil {
		return err
	}
	if err := refuse(chanye.ActorFrom(r.Context()), authz.MatchRules(), authz.ProposeMatches); err != nil {
		return err
	}
	seg := svc.Segmenter
	if seg == nil {
		lazy := svc.Lazy
		if lazy == nil {
			return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
		}
		if seg, err = lazy.Get(r.Context(), s.cfg.Chains); err != nil {
			return err
		}
	}
	run, err := svc.Matches.ProposeMatches(r.Context(), seg)
	if err != nil {
		return err
	}
	q := url.Values{"done": {"run"}, "proposed": {strconv.Itoa(run.Proposed)}, "added": {strconv.Itoa(run.Added)}}
	http.Redirect(w, r, "/matches?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// matchEventRow is a step of a match's history.
type matchEventRow struct {
	*match.MatchEvent
	Action, Side, From, To, Amount string
}

// matchView is one match's page.
type matchView struct {
	page
	Row                     matchRow
	Demand, Supply          *listingRow
	Reasons                 []reasonRow
	Events                  []matchEventRow
	MayDecide, MayNegotiate bool
	MaySign, MayFail        bool
	Done, Today             string
	stepForm
}

// stepForm is a page's refused step: which form failed, its message, its
// fields' errors and what was typed, shown again next to that form only.
type stepForm struct {
	Failed, Message string
	Errs            map[string]string
	Form            url.Values
}

// refused records step's refusal err with the posted form.
func (f *stepForm) refused(r *http.Request, step string, err error) {
	f.Failed, f.Form, f.Message, f.Errs = step, r.PostForm, errText(r, err), errFields(r, err)
}

// reasonRow is a reason of a match, with its points.
type reasonRow struct {
	Text   string
	Points int
}

// Kept returns what was typed in field of step's form, when it was
// refused.
func (f *stepForm) Kept(step, field string) string {
	if f.Failed != step {
		return ""
	}
	return f.Form.Get(field)
}

// Err returns the error of field of step's form, when it was refused.
func (f *stepForm) Err(step, field string) string {
	if f.Failed != step {
		return ""
	}
	return f.Errs[field]
}

func (s *Server) matchPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.matchView(r)
	if err != nil {
		return err
	}
	if done := r.URL.Query().Get("done"); messages["mm.done."+done] != [2]string{} {
		v.Done = v.L.T("mm.done." + done)
	}
	return s.render(w, "match", v)
}

func (s *Server) matchView(r *http.Request) (*matchView, error) {
	svc, err := s.matchServices()
	if err != nil {
		return nil, err
	}
	id, err := pathInt(r, "id", "供需对接", "match")
	if err != nil {
		return nil, err
	}
	v := &matchView{page: s.newPage(r, "match"), Today: chanye.DateOf(s.now()).String()}
	ctx, l, a := r.Context(), v.L, v.Actor
	m, err := svc.Matches.FindMatchByID(ctx, id)
	if err != nil {
		return nil, err
	}
	v.Row, v.Demo = newMatchRow(l, m, a), m.Demo
	v.Title = l.Tf("mm.match.title", m.ID)
	names, err := s.matchNames(ctx, l, "")
	if err != nil {
		return nil, err
	}
	if d, err := svc.Listings.FindDemandByID(ctx, m.DemandID); err == nil {
		row := names.demandRow(l, d)
		v.Demand = &row
	} else if !hidden(err) {
		return nil, err
	}
	if x, err := svc.Listings.FindSupplyByID(ctx, m.SupplyID); err == nil {
		row := names.supplyRow(l, x)
		v.Supply = &row
	} else if !hidden(err) {
		return nil, err
	}
	for _, x := range m.Reasons {
		v.Reasons = append(v.Reasons, reasonRow{l.Pick(x.TextZH, x.TextEN), x.Points})
	}
	for _, e := range m.Events {
		row := matchEventRow{MatchEvent: e, Action: l.T("mm.step." + e.Action), Side: l.Pick(e.Side.NameZH(), e.Side.NameEN()),
			To: l.Pick(e.To.NameZH(), e.To.NameEN())}
		if e.From != "" {
			row.From = l.Pick(e.From.NameZH(), e.From.NameEN())
		}
		if e.ContractFen > 0 {
			row.Amount = exactMoney(l, e.ContractFen)
		}
		v.Events = append(v.Events, row)
	}
	// The steps: a side decides for itself; either side or an official
	// of the match's industry moves it on (the service checks the
	// industry).
	side, isSide := m.SideOf(a.Code)
	isSide = isSide && a.Role == chanye.RoleEnterprise
	official := a.Role != chanye.RoleEnterprise && may(a, authz.MatchRules(), authz.ActOnMatches)
	if m.Status == match.Proposed && isSide {
		mine := m.BuyerDecision
		if side == match.SideSupplier {
			mine = m.SupplierDecision
		}
		v.MayDecide = mine != match.DecisionAccepted
	}
	mover := isSide || official
	v.MayNegotiate = mover && m.Status == match.Accepted
	v.MaySign = mover && m.Status == match.Negotiating
	v.MayFail = mover && (m.Status == match.Accepted || m.Status == match.Negotiating)
	return v, nil
}

// matchStep takes a step of a match from its page; a refused step shows
// the page again with its fields' errors.
func (s *Server) matchStep(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.matchServices()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id", "供需对接", "match")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	fv := r.PostFormValue
	st := match.Step{Action: fv("action"), Note: fv("note")}
	bad := map[string]string{}
	if st.Action == match.StepSign {
		if strings.TrimSpace(fv("amount")) == "" {
			bad["contract_fen"] = "必填 / required"
		} else {
			st.ContractFen = parseWan(fv("amount"), "contract_fen", bad)
		}
		st.SignedOn = parseDay(fv("signed_on"), "signed_on", bad)
	}
	if len(bad) > 0 {
		err = chanye.Invalid("对接办理有误 / invalid step", bad)
	} else {
		_, err = svc.Matches.ActOnMatch(r.Context(), id, st)
	}
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/matches/"+strconv.FormatInt(id, 10)+"?done="+url.QueryEscape(st.Action), http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		v, verr := s.matchView(r)
		if verr != nil {
			return verr
		}
		v.refused(r, st.Action, err)
		return s.renderStatus(w, httpmw.Status(chanye.ErrorCode(err)), "match", v)
	}
	return err
}
