package web

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/gbt4754"
)

// The industry chain pages (issue 12): the index of chains, one chain's
// map and links, and its editor. They answer 404 without Config.Chains.

// chainService returns the chains service, or ENOTFOUND without one.
func (s *Server) chainService() (chain.Service, error) {
	if s.cfg.Chains == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	return s.cfg.Chains, nil
}

// chainSet reads the chains and the catalog whose order they are shown in.
func (s *Server) chainSet(r *http.Request) (*chain.Set, *chanye.Catalog, error) {
	svc, err := s.chainService()
	if err != nil {
		return nil, nil, err
	}
	set, err := svc.FindChains(r.Context())
	if err != nil {
		return nil, nil, err
	}
	c, err := s.cfg.Catalog.FindCatalog(r.Context())
	return set, c, err
}

// chainRow is an industry's line in the index.
type chainRow struct {
	ID, Name                string
	Href                    string
	Links, Subs, Relations  int
	Upstream, Mid, Downward int
}

type chainsView struct {
	page
	Rows    []chainRow
	Sources []chain.Source
}

// chains is the index: every industry with a chain, in catalog order.
func (s *Server) chains(w http.ResponseWriter, r *http.Request) error {
	set, c, err := s.chainSet(r)
	if err != nil {
		return err
	}
	v := &chainsView{page: s.newPage(r, "chains"), Sources: set.Sources}
	l := v.L
	v.Title = l.T("chain.index")
	for _, ind := range c.Industries {
		ch := set.Chain(ind.ID)
		if ch == nil {
			continue
		}
		row := chainRow{ID: ind.ID, Name: l.Pick(ind.NameZH, ind.NameEN), Href: "/chains/" + url.PathEscape(ind.ID), Relations: len(ch.Relations)}
		for _, lk := range ch.Links {
			if lk.Parent != "" {
				row.Subs++
				continue
			}
			row.Links++
			switch lk.Stage {
			case chain.Upstream:
				row.Upstream++
			case chain.Midstream:
				row.Mid++
			case chain.Downstream:
				row.Downward++
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return s.render(w, "chains", v)
}

// linkRef names a link, with its anchor on the chain page.
type linkRef struct{ ID, Name string }

// classLabel is an industry class with its name, when chanye ships it.
type classLabel struct{ Code, Name string }

// linkRow is a link as the chain page lists it.
type linkRow struct {
	ID, Name, NameOther, Description string
	Sub                              bool
	Parent                           *linkRef
	Products, Technologies, Keywords []string
	Classes                          []classLabel
	Supplies, SuppliedBy             []linkRef
	V                                *verdictView // nil without a diagnosis
}

// stageColumn is a stage's links, top-level links each followed by its
// sub-segments.
type stageColumn struct {
	Stage chain.Stage
	Name  string
	Links []linkRow
}

// chainMap is the chart's data: nodes placed by stage (column) and order
// (row), supply edges and the dashed edges that join a sub-segment to its
// link. charts.js draws it (kind "chain").
type chainMap struct {
	Stages   []string       `json:"stages"`
	Verdicts []mapVerdict   `json:"verdicts,omitempty"` // when set, nodes are coloured by verdict
	Nodes    []chainMapNode `json:"nodes"`
	Edges    []chainMapEdge `json:"edges"`
	LinkHash string         `json:"linkHash"` // a clicked node opens #LinkHash+id
}

type chainMapNode struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Stage int    `json:"stage"`
	Sub   bool   `json:"sub"`
	// Verdict indexes chainMap.Verdicts.
	Verdict int `json:"verdict"`
	X       int `json:"x"`
	Y       int `json:"y"`
}

type chainMapEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
	Part bool   `json:"part"` // a sub-segment to its link
}

type chainView struct {
	page
	IndustryID, Name string
	Columns          []stageColumn
	Map              chainMap
	MapAlt           string
	Sources          []chain.Source
	MayEdit          bool
	EditURL          string
	Leads            *leadFirmsSection // nil: not for this reader
	Diag             *chainDiagnosis   // nil without placement
	MayReadFirms     bool              // officials: links open their firms
	MaySetThresholds bool
}

// mapVerdict is a verdict's name and colour in the chain map's legend.
type mapVerdict struct {
	Name   string `json:"name"`
	Colour string `json:"colour"`
}

// verdictOrder is the legend's order; mapColours the nodes' colours.
var (
	verdictOrder = []chain.Verdict{chain.Strong, chain.Weak, chain.Missing, chain.Unknown}
	mapColours   = map[chain.Verdict]string{chain.Strong: "#1d7f4e", chain.Weak: "#c98a00", chain.Missing: "#b4232a", chain.Unknown: "#8a94a3"}
)

// chainPage is one industry's chain: the map, every link by stage with
// what it supplies and what supplies it, and the sources. Open to all:
// the structure is public.
func (s *Server) chainPage(w http.ResponseWriter, r *http.Request) error {
	return s.chainPageWith(w, r, nil)
}

// chainPageWith renders the chain page; adjust, when given, fills the 链主
// section's form again with its errors, and the page answers 400.
func (s *Server) chainPageWith(w http.ResponseWriter, r *http.Request, adjust func(*leadFirmsSection, Lang)) error {
	svc, err := s.chainService()
	if err != nil {
		return err
	}
	ind, err := s.cfg.Catalog.FindIndustryByID(r.Context(), r.PathValue("industry"))
	if err != nil {
		return err
	}
	set, err := svc.FindChains(r.Context())
	if err != nil {
		return err
	}
	ch := set.Chain(ind.ID)
	if ch == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "该产业尚无产业链 / this industry has no chain yet")
	}
	v := &chainView{page: s.newPage(r, "chains"), IndustryID: ind.ID}
	l := v.L
	v.Name = l.Pick(ind.NameZH, ind.NameEN)
	v.Title = l.Tf("chain.title", v.Name)
	v.MayEdit = mayEditChain(v.Actor, ind)
	v.EditURL = "/chains/" + url.PathEscape(ind.ID) + "/edit"
	for _, src := range set.Sources {
		for _, id := range ch.Sources {
			if src.ID == id {
				v.Sources = append(v.Sources, src)
			}
		}
	}
	if v.Diag, err = s.diagnose(r, set, ch, l); err != nil {
		return err
	}
	if v.Diag != nil {
		v.Demo = v.Diag.Demo
		for _, vd := range verdictOrder {
			v.Map.Verdicts = append(v.Map.Verdicts, mapVerdict{l.Pick(vd.NameZH(), vd.NameEN()), mapColours[vd]})
		}
	}
	v.MayReadFirms = v.Actor != nil && authz.ChainRules().Grant(v.Actor.Role, authz.ReadPlacements) == authz.Allow && s.cfg.Placements != nil
	v.MaySetThresholds = may(v.Actor, authz.ChainRules(), authz.WriteThresholds)
	name := func(lk *chain.Link) string { return l.Pick(lk.NameZH, lk.NameEN) }
	supplies, suppliedBy := map[string][]linkRef{}, map[string][]linkRef{}
	for _, rel := range ch.Relations {
		from, to := ch.Link(rel.From), ch.Link(rel.To)
		supplies[rel.From] = append(supplies[rel.From], linkRef{to.ID, name(to)})
		suppliedBy[rel.To] = append(suppliedBy[rel.To], linkRef{from.ID, name(from)})
	}
	row := func(lk *chain.Link) linkRow {
		out := linkRow{ID: lk.ID, Name: name(lk), NameOther: l.Pick(lk.NameEN, lk.NameZH), Description: lk.Description, Sub: lk.Parent != "",
			Products: lk.Products, Technologies: lk.Technologies, Keywords: lk.Keywords, Supplies: supplies[lk.ID], SuppliedBy: suppliedBy[lk.ID]}
		if p := ch.Link(lk.Parent); p != nil {
			out.Parent = &linkRef{p.ID, name(p)}
		}
		if v.Diag != nil {
			out.V = v.Diag.Links[lk.ID]
		}
		for _, code := range lk.Classes {
			cl := classLabel{Code: code}
			if c, ok := gbt4754.Lookup(code); ok {
				cl.Name = c.NameZH
			}
			out.Classes = append(out.Classes, cl)
		}
		return out
	}
	// Columns 300 apart, rows 40 apart; a sub-segment sits under its link,
	// a little to the right.
	v.Map.LinkHash = "link-"
	for i, st := range chain.Stages {
		col := stageColumn{Stage: st.Stage, Name: l.T("chain.stage." + string(st.Stage))}
		v.Map.Stages = append(v.Map.Stages, col.Name)
		y := 0
		for _, lk := range ch.Links {
			if lk.Parent != "" || lk.Stage != st.Stage {
				continue
			}
			col.Links = append(col.Links, row(lk))
			v.Map.Nodes = append(v.Map.Nodes, chainMapNode{ID: lk.ID, Name: name(lk), Stage: i, Verdict: v.verdictIndex(lk.ID), X: i * 300, Y: y * 40})
			y++
			for _, sub := range ch.Children(lk.ID) {
				col.Links = append(col.Links, row(sub))
				v.Map.Nodes = append(v.Map.Nodes, chainMapNode{ID: sub.ID, Name: name(sub), Stage: i, Sub: true, Verdict: v.verdictIndex(sub.ID), X: i*300 + 40, Y: y * 40})
				v.Map.Edges = append(v.Map.Edges, chainMapEdge{From: lk.ID, To: sub.ID, Part: true})
				y++
			}
		}
		v.Columns = append(v.Columns, col)
	}
	for _, rel := range ch.Relations {
		v.Map.Edges = append(v.Map.Edges, chainMapEdge{From: rel.From, To: rel.To})
	}
	v.MapAlt = l.Tf("chain.map.alt", len(ch.Links), len(ch.Relations))
	if v.Leads, err = s.leadFirmsOf(r, v.Actor, ind, l); err != nil {
		return err
	}
	if adjust != nil && v.Leads != nil {
		adjust(v.Leads, l)
		return s.renderStatus(w, http.StatusBadRequest, "chain", v)
	}
	return s.render(w, "chain", v)
}

// verdictIndex is the place of a link's verdict in the map's legend.
func (v *chainView) verdictIndex(id string) int {
	if v.Diag == nil || v.Diag.Links[id] == nil {
		return len(verdictOrder) - 1
	}
	return slices.Index(verdictOrder, v.Diag.Links[id].Verdict)
}

// mayEditChain reports whether a may change ind's chain: an admin any, a
// task force its own industry's, a department the industries it leads
// (authz.ChainRules).
func mayEditChain(a *chanye.Actor, ind *chanye.Industry) bool {
	if a == nil {
		return false
	}
	switch authz.ChainRules().Grant(a.Role, authz.WriteChain) {
	case authz.Allow:
		return true
	case authz.Own:
		return a.Role == chanye.RoleTaskForce && a.IndustryID == ind.ID ||
			a.Role == chanye.RoleDepartment && a.Department != "" && a.Department == ind.Responsibility.LeadDepartment
	}
	return false
}

type chainEditView struct {
	page
	IndustryID, Name string
	Source           string
	Message          string
	Errors           []fieldErr
	Saved            bool
	BackURL          string
}

// fieldErr is a field at fault and what is wrong with it.
type fieldErr struct{ Field, Message string }

// maxChainForm bounds the editor's form.
const maxChainForm = 1 << 20

// chainEdit shows the chain as indented JSON to those who may change it.
func (s *Server) chainEdit(w http.ResponseWriter, r *http.Request) error {
	v, ch, err := s.chainEditView(r)
	if err != nil {
		return err
	}
	src, err := json.MarshalIndent(ch, "", "  ")
	if err != nil {
		return err
	}
	v.Source = string(src)
	v.Saved = r.URL.Query().Get("saved") == "1"
	return s.render(w, "chain_edit", v)
}

// chainEditView reads the industry and its chain and checks that the
// actor may change it (sign in for the public, 403 for the others).
func (s *Server) chainEditView(r *http.Request) (*chainEditView, *chain.Chain, error) {
	svc, err := s.chainService()
	if err != nil {
		return nil, nil, err
	}
	ind, err := s.cfg.Catalog.FindIndustryByID(r.Context(), r.PathValue("industry"))
	if err != nil {
		return nil, nil, err
	}
	v := &chainEditView{page: s.newPage(r, "chains"), IndustryID: ind.ID, BackURL: "/chains/" + url.PathEscape(ind.ID)}
	if err := refuse(v.Actor, authz.ChainRules(), authz.WriteChain); err != nil {
		return nil, nil, err
	}
	if !mayEditChain(v.Actor, ind) {
		return nil, nil, chanye.Errorf(chanye.EFORBIDDEN, "只能编辑本产业的产业链 / may change only the chains of its own industries")
	}
	l := v.L
	v.Name = l.Pick(ind.NameZH, ind.NameEN)
	v.Title = l.Tf("chain.edit.title", v.Name)
	set, err := svc.FindChains(r.Context())
	if err != nil {
		return nil, nil, err
	}
	ch := set.Chain(ind.ID)
	if ch == nil {
		ch = &chain.Chain{IndustryID: ind.ID, Sources: []string{}, Links: []*chain.Link{}, Relations: []chain.Relation{}}
	}
	return v, ch, nil
}

// chainSave stores the edited chain; errors show the text again with each
// field at fault named, nothing stored.
func (s *Server) chainSave(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxChainForm)
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.ETOOLARGE, "产业链过大 / the chain is too large")
	}
	v, _, err := s.chainEditView(r)
	if err != nil {
		return err
	}
	l := v.L
	v.Source = strings.ReplaceAll(r.PostFormValue("source"), "\r\n", "\n")
	fail := func(message string, fields map[string]string) error {
		v.Message = message
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			v.Errors = append(v.Errors, fieldErr{Field: k, Message: fields[k]})
		}
		return s.renderStatus(w, http.StatusBadRequest, "chain_edit", v)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(v.Source)))
	dec.DisallowUnknownFields()
	var ch chain.Chain
	if err := dec.Decode(&ch); err != nil {
		return fail(l.Tf("chain.edit.badjson", err.Error()), nil)
	}
	if ch.IndustryID != "" && ch.IndustryID != v.IndustryID {
		return fail(l.T("chain.edit.errors"), map[string]string{"industry_id": "须为 " + v.IndustryID + " / must be " + v.IndustryID})
	}
	ch.IndustryID = v.IndustryID
	svc, _ := s.chainService()
	_, err = svc.PutChain(r.Context(), &ch)
	if chanye.ErrorCode(err) == chanye.EINVALID {
		return fail(errText(r, err), errFields(r, err))
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/chains/"+url.PathEscape(v.IndustryID)+"/edit?saved=1", http.StatusSeeOther)
	return nil
}

// chainLinksXLSX downloads every link of the chains as a workbook
// (dataio.ExportChainLinks): the structure is open data.
func (s *Server) chainLinksXLSX(w http.ResponseWriter, r *http.Request) error {
	set, c, err := s.chainSet(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := dataio.ExportChainLinks(&buf, dataio.XLSX, set, c); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="chain-links.xlsx"`)
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes()) // a failed write means the client left
	return nil
}
