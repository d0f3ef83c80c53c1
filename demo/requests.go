package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/workday"
)

// RequestStore is what Requests reads and writes: the registry, the
// managed lists and the requests. *sqlstore.Store is one.
type RequestStore interface {
	FindEnterprises(ctx context.Context, filter chanye.EnterpriseFilter) ([]*chanye.Enterprise, int, error)
	FindOrgUnits(ctx context.Context, filter chanye.OrgUnitFilter) ([]*chanye.OrgUnit, error)
	request.Service
	request.IssueService
}

// RequestOptions says how many demo requests to raise and over which
// days. SetClock moves the store's clock to an instant of the past and
// Restore puts the real one back, as for Lifecycle.
type RequestOptions struct {
	Today    chanye.Date
	Requests int // DefaultRequests when 0, at most 10,000
	Seed     uint64
	SetClock func(t time.Time)
	Restore  func()
}

// DefaultRequests is how many requests a demo raises.
const DefaultRequests = 60

// RequestStats counts the demo's requests by status, with those reopened,
// escalated and closed after a callback.
type RequestStats struct {
	ByStatus            map[request.Status]int
	Reopened, Escalated int
	Callbacks, Rerouted int
	Issues              int // common problems grouped from them
}

// demoAsks are what the demo's enterprises ask, by category.
var demoAsks = map[string][]string{
	"permit":    {"新厂房施工许可办理进度", "环评批复迟迟未出", "消防验收排期"},
	"utilities": {"新产线需扩容供电", "园区用水压力不足", "天然气接驳时间"},
	"land":      {"扩产需新增用地", "标准厂房租金补贴咨询", "厂房产权证办理"},
	"finance":   {"设备更新贷款贴息", "首贷对接银行", "知识产权质押融资"},
	"talent":    {"高级技工招聘困难", "人才公寓申请", "外籍专家工作许可"},
	"policy":    {"免申即享政策未到账", "专精特新认定条件", "研发费用加计扣除口径"},
	"other":     {"周边道路施工影响物流", "企业开办一件事", "出口退税进度"},
}

// Requests raises the demo's enterprise requests over the past four weeks
// and carries them through every state: waiting to be acknowledged (some
// overdue and escalated to the lead department or the city leader), in
// hand, answered and waiting for the enterprise, confirmed (满意 and 基本满意),
// rated 不满意 and reopened, closed after a callback, rerouted and
// co-handled — and groups them into common problems as the hourly sweep
// does. Every title and text says 演示数据. It raises nothing when the
// base has requests already.
func Requests(ctx context.Context, s RequestStore, opts RequestOptions) (RequestStats, error) {
	st := RequestStats{ByStatus: map[request.Status]int{}}
	if opts.Today.IsZero() || opts.SetClock == nil || opts.Restore == nil {
		return st, errors.New("demo: RequestOptions.Today, SetClock and Restore are required")
	}
	defer opts.Restore()
	n := opts.Requests
	if n == 0 {
		n = DefaultRequests
	}
	if n < 0 || n > 10_000 {
		return st, chanye.Errorf(chanye.EINVALID, "演示诉求数量无效 / invalid demo request count")
	}
	if _, total, err := s.FindRequests(ctx, request.Filter{Limit: 1}); err != nil || total > 0 {
		return st, err
	}
	ents, _, err := s.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 400})
	if err != nil {
		return st, err
	}
	var firms []*chanye.Enterprise
	for _, e := range ents {
		if len(e.Industries) > 0 {
			firms = append(firms, e)
		}
	}
	if len(firms) == 0 {
		return st, nil
	}
	dk := chanye.OrgDepartment
	depts, err := s.FindOrgUnits(ctx, chanye.OrgUnitFilter{Kind: &dk})
	if err != nil {
		return st, err
	}
	cats, err := s.FindCategories(ctx)
	if err != nil {
		return st, err
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 13<<40))
	cal := workday.Default()
	// Working days of the past four weeks, oldest first, at office hours
	// in China.
	today := time.Date(opts.Today.Year(), opts.Today.Month(), opts.Today.Day(), 10, 0, 0, 0, workday.China)
	var days []time.Time
	for d := today.AddDate(0, 0, -28); d.Before(today); d = d.AddDate(0, 0, 1) {
		if cal.Working(chanye.DateOf(d)) {
			days = append(days, d)
		}
	}
	if len(days) < 10 {
		return st, fmt.Errorf("demo: too few working days before %s", opts.Today)
	}
	other := func(not string) string {
		for range 10 {
			if len(depts) == 0 {
				break
			}
			if d := depts[rng.IntN(len(depts))].NameZH; d != not {
				return d
			}
		}
		return ""
	}
	for i := range n {
		// The plan of request i: how old it is and how far it goes.
		plan := i % 10
		age := len(days) - 1 - rng.IntN(4) // recent: the last four working days
		if plan < 2 || plan >= 4 {
			age = rng.IntN(len(days) - 6) // older: at least six working days back
		}
		at := days[age].Add(time.Duration(rng.IntN(360)) * time.Minute)
		e := firms[rng.IntN(len(firms))]
		c := cats[rng.IntN(len(cats))]
		asks := demoAsks[c.ID]
		if len(asks) == 0 {
			asks = demoAsks["other"]
		}
		ask := asks[rng.IntN(len(asks))]
		opts.SetClock(at)
		firm := chanye.WithActor(ctx, &chanye.Actor{Name: "演示企业", Role: chanye.RoleEnterprise, Code: e.Code})
		channel, raiser := request.ChannelOnline, firm
		if plan%3 == 2 {
			channel, raiser = request.ChannelVisit, chanye.WithActor(ctx, &chanye.Actor{Name: "演示走访专员", Role: chanye.RoleAdmin})
		}
		r, _, err := s.CreateRequest(raiser, &request.Request{Code: e.Code, CategoryID: c.ID, Channel: channel,
			Title:       "演示数据：" + ask,
			Description: fmt.Sprintf("演示数据：%s，企业希望尽快协调解决。/ demo: %s", ask, c.NameEN)})
		if err != nil {
			return st, fmt.Errorf("demo request %d: %w", i, err)
		}
		handler := chanye.WithActor(ctx, &chanye.Actor{Name: "演示承办人", Role: chanye.RoleDepartment, Department: r.Department})
		if r.Department == "" {
			handler = chanye.WithActor(ctx, &chanye.Actor{Name: "演示管理员", Role: chanye.RoleAdmin})
		}
		step := func(after time.Duration, who context.Context, s2 request.Step) error {
			at = at.Add(after)
			if at.After(today) {
				at = today
			}
			opts.SetClock(at)
			var err error
			r, err = s.Act(who, r.ID, s2)
			return err
		}
		hour, day := time.Hour, 24*time.Hour
		var steps []func() error
		ack := func() error { return step(3*hour, handler, request.Step{Action: request.StepAcknowledge}) }
		answer := func(note string) func() error {
			return func() error {
				return step(2*day, handler, request.Step{Action: request.StepAnswer, Note: "演示数据：" + note})
			}
		}
		rate := func(r request.Rating, note string) func() error {
			return func() error { return step(day, firm, request.Step{Action: request.StepConfirm, Rating: r, Note: note}) }
		}
		switch plan {
		case 0, 1: // recent, waiting to be acknowledged
		case 2: // old and never acknowledged: overdue, escalated
		case 3: // in hand, old: the answer overdue
			steps = append(steps, ack)
		case 4: // answered, waiting for the enterprise
			steps = append(steps, ack, answer("已联系相关单位，正在协调"))
		case 5: // confirmed 满意
			steps = append(steps, ack, answer("已协调解决"), rate(request.Satisfied, "演示数据：感谢"))
		case 6: // 不满意, reopened, answered again, 基本满意
			steps = append(steps, ack, answer("已转交主管科室"), rate(request.Unsatisfied, "演示数据：问题仍未解决"),
				answer("已现场办结"), rate(request.Basic, ""))
		case 7: // answered, no confirmation: closed after a callback
			steps = append(steps, ack, answer("已办理"), func() error {
				if !r.ConfirmDue.Before(today) { // the enterprise may still confirm: left answered
					return nil
				}
				return step(r.ConfirmDue.Sub(at)+hour, handler, request.Step{Action: request.StepCallback, Note: "演示数据：电话回访，企业表示问题已解决"})
			})
		case 8: // rerouted to another department, then acknowledged
			if d := other(r.Department); d != "" {
				steps = append(steps, func() error {
					return step(2*hour, handler, request.Step{Action: request.StepReroute, Department: d, Note: "演示数据：属该部门职责"})
				}, func() error {
					handler = chanye.WithActor(ctx, &chanye.Actor{Name: "演示承办人", Role: chanye.RoleDepartment, Department: d})
					return step(hour, handler, request.Step{Action: request.StepAcknowledge})
				})
				st.Rerouted++
			}
		case 9: // co-handled, in hand
			if d := other(r.Department); d != "" && r.Department != "" {
				steps = append(steps, ack, func() error {
					return step(hour, handler, request.Step{Action: request.StepCoHandle, Departments: []string{d}})
				})
			}
		}
		for _, f := range steps {
			if err := f(); err != nil {
				return st, fmt.Errorf("demo request %d (plan %d): %w", r.ID, plan, err)
			}
		}
		st.ByStatus[r.Status]++
		if r.Reopened > 0 {
			st.Reopened++
		}
		if r.ClosedBy == "callback" {
			st.Callbacks++
		}
	}
	opts.Restore() // escalated as of now: the real clock
	if st.Escalated, err = s.Escalate(ctx); err != nil {
		return st, err
	}
	if st.Issues, err = s.GroupRequests(ctx); err != nil {
		return st, err
	}
	return st, nil
}
