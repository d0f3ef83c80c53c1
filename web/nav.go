package web

import (
	"net/url"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
)

// navLink is one link of the header's navigation.
type navLink struct {
	ID, Href, Label string
	Active          bool
}

// navItem is a link of the navigation and who sees it: a role sees a link
// only when the rules let it use the page, so that no link it is shown
// answers 401 or 403.
type navItem struct {
	key, href, label string
	shows            func(a *chanye.Actor) bool
}

// navItems are the header's links in order. The registry and the runs are
// for officials (an enterprise reads its own records from 我的企业); 办理
// (objections, approvals, payments, applications) for those who handle or
// oversee them.
var navItems = []navItem{
	{"todo", "/todo", "nav.todo", func(a *chanye.Actor) bool { return a != nil && official(a.Role) }},
	{"overview", "/", "nav.overview", func(a *chanye.Actor) bool { return may(a, authz.RegistryRules(), authz.ReadStats) }},
	{"enterprises", "/enterprises", "nav.enterprises", func(a *chanye.Actor) bool { return allowed(a, authz.RegistryRules(), authz.ReadRegistry) }},
	{"mine", "/enterprises/{code}", "nav.mine", func(a *chanye.Actor) bool { return a != nil && a.Role == chanye.RoleEnterprise && a.Code != "" }},
	// 诉求: the officials' queue in their scope, an enterprise's own.
	{"requests", "/requests", "nav.requests", func(a *chanye.Actor) bool { return may(a, authz.RequestRules(), authz.ReadRequests) }},
	// 应用场景: open to everyone, the published ones to the public.
	{"scenarios", "/scenarios", "nav.scenarios", func(a *chanye.Actor) bool { return may(a, authz.ScenarioRules(), authz.ReadScenarios) }},
	// 广聚群链: a firm's own matches and listings, the officials' all; the
	// public sees the fairs.
	{"match", "/matches", "nav.match", func(a *chanye.Actor) bool { return may(a, authz.MatchRules(), authz.ReadMatches) }},
	{"fairs", "/fairs", "nav.fairs", func(a *chanye.Actor) bool {
		return a != nil && a.Role == chanye.RolePublic && may(a, authz.MatchRules(), authz.ReadFairs)
	}},
	{"chains", "/chains", "nav.chains", func(a *chanye.Actor) bool { return may(a, authz.ChainRules(), authz.ReadChains) }},
	{"leads", "/leads", "nav.leads", func(a *chanye.Actor) bool { return may(a, authz.InvestRules(), authz.ReadInvestLeads) }},
	// 产业空间: the map and the available space for everyone, the
	// officials' holds, allocations and 亩均 besides.
	{"space", "/space", "nav.space", func(a *chanye.Actor) bool { return may(a, authz.SpaceRules(), authz.ReadInventory) }},
	{"projects", "/projects", "nav.projects", func(a *chanye.Actor) bool { return may(a, authz.ProjectRules(), authz.ReadProjects) }},
	{"policies", "/policies", "nav.policies", func(a *chanye.Actor) bool { return may(a, authz.PolicyRules(), authz.ReadPolicies) }},
	{"decisions", "/decisions", "nav.decisions", func(a *chanye.Actor) bool { return may(a, authz.PolicyRules(), authz.ReadRuns) }},
	{"publicity", "/public/publicity", "nav.publicity", func(a *chanye.Actor) bool { return may(a, authz.PolicyRules(), authz.ReadPublicity) }},
	{"lifecycle", "/objections", "nav.lifecycle", func(a *chanye.Actor) bool {
		return may(a, authz.PolicyRules(), authz.Approve) || a != nil && a.Role == chanye.RoleLeader
	}},
	// Administrators assign any industry; a department those it leads.
	{"responsibilities", "/admin/responsibilities", "nav.responsibilities", func(a *chanye.Actor) bool {
		return may(a, authz.CatalogRules(), authz.WriteResponsibility)
	}},
}

// serves reports whether the page of a navigation item is served: the
// requests' pages answer 404 without their service.
func (p page) serves(key string) bool {
	switch key {
	case "requests":
		return p.requests
	case "scenarios":
		return p.scenarios
	case "match", "fairs":
		return p.matchmaking
	case "space":
		return p.space
	}
	return true
}

// official reports whether r is a role of the city's and the districts'
// officials, whose home is 我的待办.
func official(r chanye.Role) bool {
	switch r {
	case chanye.RoleAdmin, chanye.RoleLeader, chanye.RoleDepartment, chanye.RoleTaskForce, chanye.RoleDistrict:
		return true
	}
	return false
}

// allowed reports whether the rules give a's role the action on every
// record (not only its own).
func allowed(a *chanye.Actor, rules authz.Rules, act authz.Action) bool {
	return a != nil && rules.Grant(a.Role, act) == authz.Allow
}

// Links are the navigation links the page's actor may use, the page's
// own marked active.
func (p page) Links() []navLink {
	var out []navLink
	for _, it := range navItems {
		if !it.shows(p.Actor) || !p.serves(it.key) {
			continue
		}
		href := strings.Replace(it.href, "{code}", url.PathEscape(p.Actor.Code), 1) // an enterprise's own pages
		// An enterprise's pages are its own: 我的企业 is where it is.
		active := p.Nav == it.key || it.key == "mine" && p.Nav == "enterprises"
		out = append(out, navLink{ID: "nav-" + it.key, Href: href, Label: p.L.T(it.label), Active: active})
	}
	return out
}
