package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/space"
)

// The routing page (/space/route): a project's or a lead's needs, typed or
// read from it, answered with the kind of space the size rule gives it and
// the candidate units, each with its score, its reasons and the needs it
// leaves unmet, and a hold form for the project or lead it came from.

// routeCandidates is how many candidates the page shows.
const routeCandidates = 20

// candRow is a candidate unit of a routing.
type candRow struct {
	Unit             unitRow
	Block, BlockHref string
	District         string
	Score            int
	Reasons          []reasonRow
	Unmet            []string
}

// routeView is the routing form and its answer.
type routeView struct {
	page
	Form                      url.Values
	Errs                      map[string]string
	Message                   string
	Industries, Envs, Kinds   []option
	DistrictChecks            []option
	ForKind, ForID, ForName   string
	ForHref                   string
	Asked, Prices, MayHold    bool
	Kind, KindName, Why, Rule string
	Considered                int
	Candidates                []candRow
	Today, Until, MaxUntil    string
}

// Value returns what the routing form holds in field.
func (v *routeView) Value(field string) string { return v.Form.Get(field) }

func (s *Server) spaceRoute(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.spaceServices()
	if err != nil {
		return err
	}
	v := &routeView{page: s.newPage(r, "space"), Form: url.Values{}, Errs: map[string]string{}}
	ctx, l, a, q := r.Context(), v.L, v.Actor, r.URL.Query()
	v.Title = l.T("sp.route.title")
	v.Prices = seesPrices(a)
	today := chanye.DateOf(s.now())
	v.Today, v.MaxUntil = today.String(), chanye.DateOf(today.AddDate(0, 0, space.MaxHoldDays)).String()
	v.Until = chanye.DateOf(today.AddDate(0, 0, 30)).String()
	names, err := s.spaceNames(ctx, l)
	if err != nil {
		return err
	}
	// What the needs are for, and what it tells of them.
	prefill := url.Values{}
	switch {
	case q.Get("project") != "":
		if s.cfg.Projects == nil {
			return chanye.Errorf(chanye.ENOTFOUND, "项目不存在 / no such project")
		}
		p, err := s.cfg.Projects.FindProjectByID(ctx, q.Get("project"))
		if err != nil {
			return err
		}
		v.ForKind, v.ForID, v.ForName, v.ForHref = string(space.ForProject), p.ID, p.Name, "/projects/"+url.PathEscape(p.ID)
		prefill.Set("industry_id", p.IndustryID)
		prefill.Set("investment_fen", wanText(p.TotalInvestmentFen))
		prefill["districts"] = []string{p.DistrictCode}
	case q.Get("lead") != "":
		if s.cfg.Invest.Leads == nil {
			return chanye.Errorf(chanye.ENOTFOUND, "线索不存在 / no such lead")
		}
		id, err := strconv.ParseInt(q.Get("lead"), 10, 64)
		if err != nil {
			return chanye.Errorf(chanye.ENOTFOUND, "线索不存在 / no such lead")
		}
		x, err := s.cfg.Invest.Leads.FindLeadByID(ctx, id)
		if err != nil {
			return err
		}
		v.ForKind, v.ForID, v.ForHref = string(space.ForLead), strconv.FormatInt(x.ID, 10), "/leads/"+strconv.FormatInt(x.ID, 10)
		v.ForName = l.Tf("inv.lead.title", x.ID, x.TargetName)
		prefill.Set("industry_id", x.IndustryID)
		if x.ExpectedFen != nil {
			prefill.Set("investment_fen", wanText(*x.ExpectedFen))
		}
	}
	// The form sends every text field, typed or not: a field the query
	// lacks (a link such as ?project=…&area_m2=…) takes what the project
	// or lead tells. A checkbox left unchecked is absent: once asked, the
	// query's alone.
	v.Asked = q.Has("area_m2")
	for _, k := range []string{"area_m2", "investment_fen", "industry_id", "power_kva", "env_class", "by", "load_kg_m2", "ceiling_cm",
		"max_rent_fen_m2_month", "kind"} {
		if q.Has(k) {
			v.Form.Set(k, q.Get(k))
		} else {
			v.Form.Set(k, prefill.Get(k))
		}
	}
	v.Form["districts"] = prefill["districts"]
	if v.Asked {
		v.Form["districts"], v.Form["freight_lift"] = q["districts"], q["freight_lift"]
	}
	v.Industries = names.industryOptions(l.T("sp.route.any"), v.Form.Get("industry_id"))
	v.Envs = envOptions(l, v.Form.Get("env_class"))
	v.Kinds = []option{{"", l.T("sp.route.kind.rule"), v.Form.Get("kind") == ""}}
	for _, k := range space.Kinds {
		v.Kinds = append(v.Kinds, option{string(k.Kind), l.Pick(k.NameZH, k.NameEN), string(k.Kind) == v.Form.Get("kind")})
	}
	for _, d := range names.distList {
		v.DistrictChecks = append(v.DistrictChecks, option{d.Code, names.districts[d.Code], slices.Contains(v.Form["districts"], d.Code)})
	}
	rule, err := svc.Allocations.FindSizeRule(ctx)
	if err != nil {
		return err
	}
	v.Rule = ruleText(l, rule)
	v.MayHold = v.ForKind != "" && may(a, authz.SpaceRules(), authz.HoldUnits)
	if !v.Asked {
		return s.render(w, "space_route", v)
	}
	n, bad := readNeeds(v.Form, v.Prices)
	var routing *space.Routing
	if len(bad) > 0 {
		err = chanye.Invalid("用地需求有误 / invalid needs", bad)
	} else {
		routing, err = svc.Allocations.Route(ctx, n, routeCandidates)
	}
	if chanye.ErrorCode(err) == chanye.EINVALID {
		v.Message, v.Errs, v.Asked = errText(r, err), errFields(r, err), false
		return s.renderStatus(w, http.StatusBadRequest, "space_route", v)
	} else if err != nil {
		return err
	}
	v.Kind, v.KindName = string(routing.Kind), l.Pick(routing.Kind.NameZH(), routing.Kind.NameEN())
	v.Why, v.Considered = l.Pick(routing.Why.TextZH, routing.Why.TextEN), routing.Considered
	for _, c := range routing.Candidates {
		row := candRow{Unit: newUnitRow(l, c.Unit), Score: c.Score}
		if c.Block != nil {
			row.Block, row.BlockHref, row.District = c.Block.Code+" "+c.Block.Name, "/space/blocks/"+strconv.FormatInt(c.Block.ID, 10), names.district(c.Block.DistrictCode)
			v.Demo = v.Demo || c.Block.Demo
		}
		for _, x := range c.Reasons {
			row.Reasons = append(row.Reasons, reasonRow{l.Pick(x.TextZH, x.TextEN), x.Points})
		}
		for _, x := range c.Unmet {
			row.Unmet = append(row.Unmet, l.Pick(x.TextZH, x.TextEN))
		}
		v.Candidates = append(v.Candidates, row)
	}
	return s.render(w, "space_route", v)
}

// wanText writes an amount in 万元 as a form field holds it: exact, no
// separators.
func wanText(f chanye.Fen) string {
	return trimZeros(strings.ReplaceAll(scaled(int64(f), fenPerWan, 6), ",", ""))
}

// readNeeds reads the routing form's needs; a rent limit only from those
// who see prices (the service drops it for the others).
func readNeeds(form url.Values, prices bool) (space.Needs, map[string]string) {
	bad := map[string]string{}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	n := space.Needs{Kind: space.Kind(get("kind")), AreaM2: formInt64(get("area_m2"), "area_m2", bad), IndustryID: get("industry_id"),
		PowerKVA: formInt(get("power_kva"), "power_kva", bad), Env: space.EnvClass(formInt(get("env_class"), "env_class", bad)),
		Districts: form["districts"], By: parseDay(get("by"), "by", bad), LoadKgM2: formInt(get("load_kg_m2"), "load_kg_m2", bad),
		CeilingCM: formInt(get("ceiling_cm"), "ceiling_cm", bad), FreightLift: get("freight_lift") != ""}
	if x := get("investment_fen"); x != "" {
		n.InvestmentFen = parseWan(x, "investment_fen", bad)
	}
	if x := get("max_rent_fen_m2_month"); x != "" && prices {
		f := parseRent(x, "max_rent_fen_m2_month", bad)
		n.MaxRentFenM2Month = &f
	}
	return n, bad
}
