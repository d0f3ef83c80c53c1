package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// todoShown is how many items of each kind 我的待办 lists; the rest are a
// link to the kind's own queue away.
const todoShown = 5

// todoItem is one thing that waits on the reader.
type todoItem struct {
	Text, Sub, URL string
}

// todoSection is one kind of waiting work: its total, the first items and
// the queue that holds them all.
type todoSection struct {
	ID, Title, Note string
	Total           int
	Items           []todoItem
	QueueURL        string
	Demo            bool // some items are demo data
}

type todoView struct {
	page
	Scope    string // whose work: the department, the task force's industry or the city
	Sections []todoSection
	Empty    bool
}

// todo is an official's home (我的待办): what waits on them — decisions to
// approve and to pay, objections to answer, applications to check, red
// projects and open enterprise requests (诉求) in their scope. Each section
// is shown only to roles that may open its queue; the lists are the
// queues' own, cut to their heads.
func (s *Server) todo(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := chanye.ActorFrom(ctx)
	switch a.Role {
	case chanye.RolePublic:
		return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	case chanye.RoleEnterprise:
		return chanye.Errorf(chanye.EFORBIDDEN, "我的待办供政府用户使用，企业请看“我的企业” / 我的待办 is for officials; an enterprise has 我的企业")
	}
	v := &todoView{page: s.newPage(r, "todo")}
	l := v.L
	v.Title = l.T("todo.title")
	v.Scope = l.T("todo.scope.city")
	switch a.Role {
	case chanye.RoleDepartment:
		v.Scope = a.Department
	case chanye.RoleTaskForce:
		v.Scope = a.IndustryID
		if ind, err := s.cfg.Catalog.FindIndustryByID(ctx, a.IndustryID); err == nil {
			v.Scope = l.Pick(ind.NameZH, ind.NameEN)
		}
	case chanye.RoleDistrict:
		v.Scope = a.District
		if c, err := s.cfg.Catalog.FindCatalog(ctx); err == nil {
			if d, ok := c.District(a.District); ok {
				v.Scope = l.Pick(d.NameZH, d.NameEN)
			}
		}
	}
	if _, err := officials(ctx); err == nil {
		secs, err := s.lifecycleTodo(ctx, a, l)
		if err != nil {
			return err
		}
		v.Sections = append(v.Sections, secs...)
	}
	// A district follows 招商 leads only: key projects are the city's.
	if s.cfg.Projects != nil && a.Role != chanye.RoleDistrict {
		for _, section := range []func(context.Context, *chanye.Actor, Lang) (todoSection, error){s.redTodo, s.overdueTodo, s.supervisionTodo} {
			sec, err := section(ctx, a, l)
			if err != nil {
				return err
			}
			if sec.ID != "" {
				v.Sections = append(v.Sections, sec)
			}
		}
	}
	for _, section := range []func(context.Context, Lang) (todoSection, error){s.requestsTodo, s.overdueLeadsTodo, s.leadSupervisionTodo, s.scenarioReviewTodo} {
		if sec, err := section(ctx, l); err != nil {
			return err
		} else if sec.ID != "" {
			v.Sections = append(v.Sections, sec)
		}
	}
	v.Empty = true
	for _, sec := range v.Sections {
		v.Empty = v.Empty && sec.Total == 0
		v.Demo = v.Demo || sec.Demo
	}
	return s.render(w, "todo", v)
}

// lifecycleTodo reads the 免申即享 queues: pairs of a run and a policy
// whose decisions wait for approval or payment, open objections and
// submitted applications, each in a's scope (mayRead).
func (s *Server) lifecycleTodo(ctx context.Context, a *chanye.Actor, l Lang) ([]todoSection, error) {
	pols, err := s.latestPolicies(ctx)
	if err != nil {
		return nil, err
	}
	pairs, err := s.pairs(ctx, a, l, pols)
	if err != nil {
		return nil, err
	}
	approve := todoSection{ID: "todo-approve", Title: l.T("todo.approve"), Note: l.T("todo.approve.note"), QueueURL: "/approvals"}
	pay := todoSection{ID: "todo-pay", Title: l.T("todo.pay"), Note: l.T("todo.pay.note"), QueueURL: "/payments"}
	for _, p := range pairs {
		sub := l.Tf("lc.run", p.RunID) + " · " + p.AsOf
		if p.Ready > 0 {
			approve.Total += p.Ready
			if len(approve.Items) < todoShown {
				approve.Items = append(approve.Items, todoItem{Text: l.Tf("todo.decisions", p.Policy, p.Ready), Sub: sub, URL: p.ApproveURL})
			}
		}
		if p.Approved > 0 {
			pay.Total += p.Approved
			if len(pay.Items) < todoShown {
				pay.Items = append(pay.Items, todoItem{Text: l.Tf("todo.decisions", p.Policy, p.Approved), Sub: sub, URL: p.PayURL})
			}
		}
	}
	open := policy.ObjectionOpen
	objs, err := s.objectionsOf(ctx, a, pols, policy.ObjectionFilter{Status: &open})
	if err != nil {
		return nil, err
	}
	titles, _, err := s.policyTitles(ctx, l)
	if err != nil {
		return nil, err
	}
	obj := todoSection{ID: "todo-objections", Title: l.T("todo.objections"), Note: l.T("todo.objections.note"), Total: len(objs), QueueURL: "/objections"}
	for _, o := range objs[:min(todoShown, len(objs))] {
		obj.Items = append(obj.Items, todoItem{Text: orDefault(titles[o.Ref.PolicyID], o.Ref.PolicyID) + " · " + o.Ref.Code,
			Sub: o.CreatedAt.In(s.now().Location()).Format("2006-01-02 15:04"), URL: "/objections/" + strconv.FormatInt(o.ID, 10)})
	}
	submitted := policy.AppSubmitted
	apps, total, err := s.cfg.Policies.Applications.FindApplications(ctx, policy.ApplicationFilter{Status: &submitted, Limit: todoShown})
	if err != nil {
		return nil, err
	}
	app := todoSection{ID: "todo-applications", Title: l.T("todo.applications"), Note: l.T("todo.applications.note"), Total: total, QueueURL: "/applications"}
	for _, x := range apps {
		sub := l.T("app.due") + " " + x.DueOn.String()
		if chanye.DateOf(s.now()).After(x.DueOn.Time) {
			sub += " · " + l.T("app.overdue")
		}
		app.Items = append(app.Items, todoItem{Text: orDefault(titles[x.PolicyID], x.PolicyID) + " · " + x.Code, Sub: sub,
			URL: "/applications/" + strconv.FormatInt(x.ID, 10)})
	}
	return []todoSection{approve, pay, obj, app}, nil
}

// redTodo lists the red projects in a's scope: a department's industries,
// a task force's industry, the whole city for leaders and administrators.
func (s *Server) redTodo(ctx context.Context, a *chanye.Actor, l Lang) (todoSection, error) {
	red := project.Red
	f := project.ProjectFilter{Colour: &red, AsOf: chanye.DateOf(s.now()), Limit: todoShown}
	q := url.Values{"colour": {"red"}}
	switch a.Role {
	case chanye.RoleDepartment:
		f.Department = &a.Department
		q.Set("department", a.Department)
	case chanye.RoleTaskForce:
		f.IndustryID = &a.IndustryID
		q.Set("industry", a.IndustryID)
	}
	ps, total, err := s.cfg.Projects.FindProjects(ctx, f)
	if err != nil {
		return todoSection{}, err
	}
	sec := todoSection{ID: "todo-red", Title: l.T("todo.red"), Note: l.T("todo.red.note"), Total: total, QueueURL: "/projects?" + q.Encode()}
	for _, p := range ps {
		sec.Demo = sec.Demo || p.Demo
		sec.Items = append(sec.Items, todoItem{Text: p.Name, Sub: p.ID, URL: "/projects/" + url.PathEscape(p.ID)})
	}
	return sec, nil
}

// overdueTodo lists the overdue nodes in a's scope, counted as the
// scorecards count them: those of the projects a department answers for,
// of a task force's industry, the whole city's for leaders and
// administrators. The queue is the scorecard's list, the city's the
// meeting report's.
func (s *Server) overdueTodo(ctx context.Context, a *chanye.Actor, l Lang) (todoSection, error) {
	f := project.ProjectFilter{Limit: todoShown}
	queue := "/projects/report#rep-overdue"
	switch a.Role {
	case chanye.RoleDepartment:
		f.Department = &a.Department
		queue = "/scorecards/department/" + url.PathEscape(a.Department)
	case chanye.RoleTaskForce:
		f.IndustryID = &a.IndustryID
		if ind, err := s.cfg.Catalog.FindIndustryByID(ctx, a.IndustryID); err == nil && ind.Responsibility.TaskForce != "" {
			queue = "/scorecards/task_force/" + url.PathEscape(ind.Responsibility.TaskForce)
		}
	}
	ns, total, err := s.cfg.Projects.FindOverdueNodes(ctx, f)
	if err != nil {
		return todoSection{}, err
	}
	sec := todoSection{ID: "todo-overdue", Title: l.T("todo.overdue"), Note: l.T("todo.overdue.note"), Total: total, QueueURL: queue}
	today := chanye.DateOf(s.now())
	for _, n := range ns {
		days := int(today.Sub(n.PlannedDate.Time).Hours() / 24)
		sec.Items = append(sec.Items, todoItem{Text: l.Tf("todo.overdue.item", n.ProjectID, n.Name), Sub: l.Tf("todo.overdue.sub", n.PlannedDate, days),
			URL: "/projects/" + url.PathEscape(n.ProjectID) + "#nodes"})
	}
	return sec, nil
}

// supervisionTodo lists the open supervision items of key projects a
// may read (authz scopes them: a task force its industry's, a department
// those it issued or whose projects it answers for), overdue first.
func (s *Server) supervisionTodo(ctx context.Context, a *chanye.Actor, l Lang) (todoSection, error) {
	if s.cfg.Supervisions == nil {
		return todoSection{}, nil
	}
	return s.supTodo(ctx, s.cfg.Supervisions, l, todoSection{ID: "todo-supervision", Title: l.T("todo.sup"), Note: l.T("todo.sup.note"), QueueURL: "/supervision"})
}

// leadSupervisionTodo lists the open supervision items of 招商 leads in
// the reader's scope: those it answers as a lead's owner, those it issued.
func (s *Server) leadSupervisionTodo(ctx context.Context, l Lang) (todoSection, error) {
	if s.cfg.Invest.Supervisions == nil {
		return todoSection{}, nil
	}
	sec, err := s.supTodo(ctx, s.cfg.Invest.Supervisions, l,
		todoSection{ID: "todo-lead-supervision", Title: l.T("todo.leadsup"), Note: l.T("todo.leadsup.note"), QueueURL: "/supervision?kind=leads"})
	if hidden(err) {
		return todoSection{}, nil
	}
	return sec, err
}

// supTodo fills sec with the head of svc's open items, overdue first.
func (s *Server) supTodo(ctx context.Context, svc project.SupervisionService, l Lang, sec todoSection) (todoSection, error) {
	items, total, err := svc.FindSupervisions(ctx, project.SupervisionFilter{Open: true, Limit: todoShown})
	if err != nil {
		return todoSection{}, err
	}
	sec.Total = total
	queue, _, _ := strings.Cut(sec.QueueURL, "#")
	for _, x := range items {
		sub := l.Tf("todo.sup.sub", l.Pick(x.Status.NameZH(), x.Status.NameEN()), x.DueOn)
		if x.Overdue {
			sub += " · " + l.T("app.overdue")
		}
		name := x.ProjectName
		if x.LeadID != 0 {
			name = "#" + strconv.FormatInt(x.LeadID, 10) + " " + x.LeadName
		}
		sec.Items = append(sec.Items, todoItem{Text: name + " · " + x.Instruction, Sub: sub, URL: queue + "#sup-" + strconv.FormatInt(x.ID, 10)})
	}
	return sec, nil
}

// overdueLeadsTodo lists the 招商 leads in the reader's scope whose next
// action is overdue, the longest overdue first: the warnings of 招商.
func (s *Server) overdueLeadsTodo(ctx context.Context, l Lang) (todoSection, error) {
	if s.cfg.Invest.Leads == nil {
		return todoSection{}, nil
	}
	ls, total, err := s.cfg.Invest.Leads.FindOverdueLeads(ctx, invest.LeadFilter{Limit: todoShown})
	if hidden(err) {
		return todoSection{}, nil
	} else if err != nil {
		return todoSection{}, err
	}
	sec := todoSection{ID: "todo-leads", Title: l.T("todo.leads"), Note: l.T("todo.leads.note"), Total: total, QueueURL: "/leads?overdue=1"}
	for _, x := range ls {
		sec.Items = append(sec.Items, todoItem{Text: "#" + strconv.FormatInt(x.ID, 10) + " " + x.TargetName + " · " + x.NextAction,
			Sub: l.Tf("todo.leads.due", x.NextActionOn.String()), URL: "/leads/" + strconv.FormatInt(x.ID, 10)})
	}
	return sec, nil
}
