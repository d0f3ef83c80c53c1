package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/request"
)

// Common problems (/request-issues): the requests of one category from
// several firms on one chain link or industry, grouped for the industry's
// task force, which records how each was solved.

type issuesView struct {
	page
	Open     bool
	Issues   []issueRow
	ErrID    int64
	Message  string
	Errs     map[string]string
	Done     bool
	NoteText string
}

type issueRow struct {
	*request.Issue
	Category, Industry, Link, Raised, Solved string
	MaySolve                                 bool
}

func (s *Server) issuesView(r *http.Request) (*issuesView, error) {
	if s.cfg.RequestIssues == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	v := &issuesView{page: s.newPage(r, "requests"), Errs: map[string]string{}}
	if err := refuse(v.Actor, authz.RequestRules(), authz.ReadIssues); err != nil {
		return nil, err
	}
	l, ctx := v.L, r.Context()
	v.Title = l.T("iss.title")
	v.Open = r.URL.Query().Get("all") != "1"
	xs, err := s.cfg.RequestIssues.FindIssues(ctx, request.IssueFilter{Open: v.Open})
	if err != nil {
		return nil, err
	}
	cats := map[string]string{}
	if s.cfg.Requests != nil {
		cs, err := s.cfg.Requests.FindCategories(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			cats[c.ID] = l.Pick(c.NameZH, c.NameEN)
		}
	}
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return nil, err
	}
	may := authz.RequestRules().Grant(v.Actor.Role, authz.SolveIssues)
	for _, x := range xs {
		row := issueRow{Issue: x, Category: orDefault(cats[x.CategoryID], x.CategoryID), Industry: x.IndustryID, Link: x.LinkID,
			Raised: s.stamp(x.RaisedAt)}
		if ind := c.Industry(x.IndustryID); ind != nil {
			row.Industry = l.Pick(ind.NameZH, ind.NameEN)
		}
		if !x.SolvedAt.IsZero() {
			row.Solved = s.stamp(x.SolvedAt)
		}
		row.MaySolve = !x.Solved && (may == authz.Allow || may == authz.Own && v.Actor.IndustryID == x.IndustryID)
		v.Issues = append(v.Issues, row)
		for _, m := range x.Members {
			v.Demo = v.Demo || strings.HasPrefix(m.Title, "演示数据")
		}
	}
	return v, nil
}

func (s *Server) issuesPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.issuesView(r)
	if err != nil {
		return err
	}
	v.Done = r.URL.Query().Get("done") == "solved"
	return s.render(w, "request_issues", v)
}

// solveIssue records how an issue was solved, from its form.
func (s *Server) solveIssue(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.RequestIssues == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return chanye.Errorf(chanye.ENOTFOUND, "共性问题不存在 / no such issue")
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	_, err = s.cfg.RequestIssues.SolveIssue(r.Context(), id, r.PostFormValue("note"))
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/request-issues?all=1&done=solved#issue-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		v, verr := s.issuesView(r)
		if verr != nil {
			return verr
		}
		v.ErrID, v.Message, v.Errs, v.NoteText = id, errText(r, err), errFields(r, err), r.PostFormValue("note")
		status := http.StatusBadRequest
		if chanye.ErrorCode(err) == chanye.ECONFLICT {
			status = http.StatusConflict
		}
		return s.renderStatus(w, status, "request_issues", v)
	}
	return err
}

// MayReadIssues reports whether the page's actor may open the common
// problems.
func (p page) MayReadIssues() bool {
	return p.Actor != nil && authz.RequestRules().Grant(p.Actor.Role, authz.ReadIssues) != authz.Deny
}

// MayKeepCategories reports whether the page's actor keeps the routing
// table of requests.
func (p page) MayKeepCategories() bool {
	return p.Actor != nil && authz.RequestRules().Grant(p.Actor.Role, authz.WriteCategories) == authz.Allow
}
