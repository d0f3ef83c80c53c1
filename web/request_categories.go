package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/request"
)

// The routing table of enterprise requests (/admin/request-categories):
// per category the department in charge (or the enterprise's industry's
// lead department) and the three time limits, kept by administrators.

type categoriesView struct {
	page
	Rows    []categoryRow
	New     categoryRow
	Units   []option
	ErrID   string
	Message string
	Errs    map[string]string
	Done    bool
}

type categoryRow struct {
	*request.Category
	Depts []option
}

func (s *Server) categoriesView(r *http.Request, failed *request.Category) (*categoriesView, error) {
	if s.cfg.Requests == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	v := &categoriesView{page: s.newPage(r, "requests"), Errs: map[string]string{}}
	if err := refuse(v.Actor, authz.RequestRules(), authz.WriteCategories); err != nil {
		return nil, err
	}
	l := v.L
	v.Title = l.T("cat.title")
	cs, err := s.cfg.Requests.FindCategories(r.Context())
	if err != nil {
		return nil, err
	}
	lists, err := s.orgLists(r)
	if err != nil {
		return nil, err
	}
	v.Units = []option{{string(request.Hours), l.T("cat.hours"), false}, {string(request.Days), l.T("cat.days"), false}}
	for _, c := range cs {
		if failed != nil && failed.ID == c.ID {
			c = failed
		}
		v.Rows = append(v.Rows, categoryRow{Category: c, Depts: choiceOptions(l, lists, chanye.OrgDepartment, c.Department, l.T("cat.byindustry"))})
	}
	n := &request.Category{Acknowledge: request.Limit{N: 24, Unit: request.Hours}, Answer: request.Limit{N: 3, Unit: request.Days},
		Close: request.Limit{N: 7, Unit: request.Days}, YellowPerMille: 800, ConfirmDays: 5, Position: len(cs) + 1}
	if failed != nil && !slices.ContainsFunc(cs, func(c *request.Category) bool { return c.ID == failed.ID }) {
		n = failed
	}
	v.New = categoryRow{Category: n, Depts: choiceOptions(l, lists, chanye.OrgDepartment, n.Department, l.T("cat.byindustry"))}
	return v, nil
}

func (s *Server) categoriesPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.categoriesView(r, nil)
	if err != nil {
		return err
	}
	v.Done = r.URL.Query().Get("done") == "1"
	return s.render(w, "request_categories", v)
}

// putCategory saves one category from its form; a refused form is shown
// again with its fields as typed.
func (s *Server) putCategory(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Requests == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	f := r.PostForm
	num := func(k string) int { n, _ := strconv.Atoi(strings.TrimSpace(f.Get(k))); return n }
	c := &request.Category{ID: strings.TrimSpace(f.Get("id")), NameZH: f.Get("name_zh"), NameEN: f.Get("name_en"), Department: f.Get("department"),
		Acknowledge:    request.Limit{N: num("ack_n"), Unit: request.Unit(f.Get("ack_unit"))},
		Answer:         request.Limit{N: num("answer_n"), Unit: request.Unit(f.Get("answer_unit"))},
		Close:          request.Limit{N: num("close_n"), Unit: request.Unit(f.Get("close_unit"))},
		YellowPerMille: num("yellow_per_mille"), ConfirmDays: num("confirm_days"), Position: num("position")}
	err := s.cfg.Requests.PutCategory(r.Context(), c)
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/request-categories?done=1#cat-"+c.ID, http.StatusSeeOther)
		return nil
	case chanye.EINVALID:
		v, verr := s.categoriesView(r, c)
		if verr != nil {
			return verr
		}
		v.ErrID, v.Message, v.Errs = c.ID, errText(r, err), errFields(r, err)
		return s.renderStatus(w, http.StatusBadRequest, "request_categories", v)
	}
	return err
}
