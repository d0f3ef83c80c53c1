package web

import (
	"net/http"
	"net/url"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/search"
)

// searchMessages are the labels of the search box and the results page.
var searchMessages = map[string][2]string{
	"search.title":            {"搜索", "Search"},
	"search.label":            {"搜索企业、项目、政策", "Search enterprises, projects, policies"},
	"search.label.policies":   {"搜索政策", "Search policies"},
	"search.placeholder":      {"名称、信用代码或关键词", "Name, credit code or keyword"},
	"search.submit":           {"搜索", "Search"},
	"search.intro":            {"输入企业名称或统一社会信用代码、项目名称、政策标题或文号。中文按相邻两字匹配，一个字或英文词按开头匹配。", "Type an enterprise's name or credit code, a project's name, a policy's title or document number. Chinese matches by each two adjacent characters; a single character or a Latin word matches as a start."},
	"search.scope.public":     {"未登录时只能搜索已发布的政策。", "Signed out, you can search published policies only."},
	"search.scope.enterprise": {"企业账号可搜索本企业、本企业的项目和已发布的政策。", "An enterprise account finds itself, its own projects and published policies."},
	"search.kind.enterprise":  {"企业", "Enterprises"},
	"search.kind.project":     {"重点项目", "Key projects"},
	"search.kind.policy":      {"政策", "Policies"},
	"search.none":             {"没有找到", "Nothing found"},
	"search.more":             {"只列出最相关的 %d 条，请输入更完整的名称缩小范围。", "Only the %d best matches are listed; type more of the name to narrow them."},
	"search.match.exact":      {"完全一致", "exact"},
	"search.match.prefix":     {"开头一致", "starts with"},
	"search.match.contains":   {"包含", "contains"},
	"search.match.terms":      {"含全部字词", "all terms"},
	"search.owner":            {"业主", "Owner"},
	"search.version":          {"第 %d 版", "version %d"},
}

func init() { addMessages(searchMessages) }

// MaySearch reports whether the header shows the search box: to every
// role that may search a kind (the public searches policies).
func (p page) MaySearch() bool {
	return p.searchable && p.Actor != nil && len(authz.SearchKinds(p.Actor.Role)) > 0
}

// SearchLabel names the header's box by what the actor may search.
func (p page) SearchLabel() string {
	if p.Actor != nil && len(authz.SearchKinds(p.Actor.Role)) == 1 {
		return p.L.T("search.label.policies")
	}
	return p.L.T("search.label")
}

type searchHitView struct {
	Href, Name, Key, Detail, Match string
}

type searchGroupView struct {
	Kind, Title string
	Hits        []searchHitView
	More        string // the note when more matched than are listed
}

type searchView struct {
	page
	Q      string
	Scope  string // what this actor's search covers, when it is not everything
	Error  string
	Groups []searchGroupView
}

// searchPage answers the header's box: the hits grouped by kind, each a
// link to its page.
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Search == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	v := &searchView{page: s.newPage(r, "search"), Q: r.URL.Query().Get("q")}
	l := v.L
	v.Title = l.T("search.title")
	switch v.Actor.Role {
	case chanye.RolePublic:
		v.Scope = l.T("search.scope.public")
	case chanye.RoleEnterprise:
		v.Scope = l.T("search.scope.enterprise")
	}
	if v.Q == "" {
		return s.render(w, "search", v)
	}
	res, err := s.cfg.Search.Search(r.Context(), search.Filter{Q: v.Q})
	if chanye.ErrorCode(err) == chanye.EINVALID {
		v.Error = errText(r, err)
		if m := errFields(r, err)["q"]; m != "" {
			v.Error = m
		}
		return s.render(w, "search", v)
	} else if err != nil {
		return err
	}
	for _, g := range res.Groups {
		gv := searchGroupView{Kind: string(g.Kind), Title: l.T("search.kind." + string(g.Kind))}
		if g.More {
			gv.More = l.Tf("search.more", len(g.Hits))
		}
		for _, h := range g.Hits {
			hv := searchHitView{Name: h.Name, Key: h.Key, Detail: h.Detail, Match: l.T("search.match." + string(h.Match))}
			switch g.Kind {
			case search.Enterprises:
				hv.Href = "/enterprises/" + url.PathEscape(h.Key)
			case search.Projects:
				hv.Href = "/projects/" + url.PathEscape(h.Key)
				hv.Detail = l.T("search.owner") + " " + h.Detail
			case search.Policies:
				hv.Href = "/policies/" + url.PathEscape(h.Key)
				hv.Name = l.Pick(h.Name, h.NameEN)
				hv.Detail = h.Detail + " · " + l.Tf("search.version", h.Version)
			}
			gv.Hits = append(gv.Hits, hv)
		}
		v.Groups = append(v.Groups, gv)
	}
	return s.render(w, "search", v)
}
