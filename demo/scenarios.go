package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/scenario"
)

// ScenarioStore is what Scenarios reads and writes: the registry, the
// accounts of the judges and the scenarios with their applications and
// reviews. *sqlstore.Store is one.
type ScenarioStore interface {
	FindEnterprises(ctx context.Context, filter chanye.EnterpriseFilter) ([]*chanye.Enterprise, int, error)
	FindUserByName(ctx context.Context, name string) (*auth.User, error)
	CreateUser(ctx context.Context, u *auth.User, password string) error
	scenario.ScenarioService
	scenario.ApplicationService
	scenario.ReviewService
}

// ScenarioOptions says when the demo's scenarios are made: Today, and the
// store's clock, moved to instants of the past by SetClock and put back
// by Restore, as for Lifecycle.
type ScenarioOptions struct {
	Today    chanye.Date
	SetClock func(t time.Time)
	Restore  func()
}

// Judges are the accounts of the demo's review panel (city leaders): the
// demo makes them with a password no one knows; serve --demo gives them
// the administrator's first password with the other demo accounts.
var Judges = []string{"demo-judge-1", "demo-judge-2", "demo-judge-3"}

// ScenarioStats counts the demo's scenarios by status.
type ScenarioStats struct {
	ByStatus     map[scenario.Status]int
	Applications int
}

// demoScenario is one of the demo's calls and how far it goes.
type demoScenario struct {
	title, offerer string
	kind           scenario.OffererKind
	requirements   string
	to             scenario.Status
	// scored is how much of the review is done in reviewing: all, or part
	// with a conflict declared.
	partial bool
	buys    int // procurements, for procured
}

var demoScenarios = []demoScenario{
	{"公交车辆固态电池装车运行验证", "市交通集团（演示）", scenario.OffererStateOwned, "在 50 辆纯电动公交车上装用固态电池包，连续运行 12 个月，提交安全与能耗数据。", scenario.Draft, false, 0},
	{"三甲医院手术机器人临床应用", "市第一人民医院（演示）", scenario.OffererHospital, "在骨科与泌尿外科完成 100 例机器人辅助手术，提交临床评价报告。", scenario.Draft, false, 0},
	{"地铁站智能巡检机器人", "广州地铁集团（演示）", scenario.OffererStateOwned, "在 3 个换乘站部署巡检机器人，替代夜间人工巡检，识别准确率不低于 95%。", scenario.Published, false, 0},
	{"政务大厅大模型智能导办", "市政务服务和数据管理局", scenario.OffererDepartment, "在市政务服务中心上线大模型导办，覆盖 200 个高频事项，群众满意度不低于 90%。", scenario.Published, false, 0},
	{"港区无人集卡编队运输", "南沙港务公司（演示）", scenario.OffererStateOwned, "在港区内完成 20 台无人集卡编队运输，单月作业量不低于 2 万标箱。", scenario.Reviewing, false, 0},
	{"社区低空无人机配送", "某区政府（演示）", scenario.OffererDepartment, "在 5 个社区开通无人机配送航线，日均配送 500 单，零安全事故。", scenario.Reviewing, true, 0},
	{"工业母机国产数控系统替代", "广州某装备集团（演示）", scenario.OffererEnterprise, "在 30 台五轴机床上替换国产数控系统，加工精度与进口系统一致。", scenario.Piloting, false, 0},
	{"基因检测新生儿筛查应用", "市妇女儿童医疗中心（演示）", scenario.OffererHospital, "对 1 万例新生儿开展基因筛查，提交检出率与随访数据。", scenario.Piloting, false, 0},
	{"超高清 8K 赛事直播", "市文化广电旅游局", scenario.OffererDepartment, "完成 3 场大型赛事 8K 超高清直播，端到端时延不超过 1 秒。", scenario.FirstUse, false, 0},
	{"生物基材料市政管材", "市城投集团（演示）", scenario.OffererStateOwned, "在 10 公里市政排水工程中使用生物基复合管材，满足国家标准。", scenario.Procured, false, 1},
	{"氢燃料电池环卫车示范", "市城市管理局（演示）", scenario.OffererDepartment, "投用 30 台氢燃料电池环卫车，累计运行 50 万公里。", scenario.Procured, false, 2},
	{"养老机构陪护机器人", "市民政局（演示）", scenario.OffererDepartment, "在 5 家养老机构试用陪护机器人，形成服务规范。", scenario.Closed, false, 0},
}

// Scenarios makes the demo's application scenarios (首试首用), every one
// marked as demo data, in every state: drafts, calls open for
// applications (one already applied to), reviews fully and partly scored
// (a judge declares a conflict), pilots with milestones done and due, a
// confirmed first use, procurements, and a call closed without an
// applicant. It makes the judges' accounts it lacks. It makes nothing when
// the base has scenarios or no enterprise of an industry.
func Scenarios(ctx context.Context, s ScenarioStore, opts ScenarioOptions) (ScenarioStats, error) {
	st := ScenarioStats{ByStatus: map[scenario.Status]int{}}
	if opts.Today.IsZero() || opts.SetClock == nil || opts.Restore == nil {
		return st, errors.New("demo: ScenarioOptions.Today, SetClock and Restore are required")
	}
	defer opts.Restore()
	if _, total, err := s.FindScenarios(ctx, scenario.Filter{Limit: 1}); err != nil || total > 0 {
		return st, err
	}
	ents, _, err := s.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 400})
	if err != nil {
		return st, err
	}
	byIndustry := map[string][]*chanye.Enterprise{}
	var industries []string
	for _, e := range ents {
		if len(e.Industries) == 0 {
			continue
		}
		id := e.Industries[0]
		if byIndustry[id] == nil {
			industries = append(industries, id)
		}
		byIndustry[id] = append(byIndustry[id], e)
	}
	if len(industries) == 0 {
		return st, nil
	}
	for i, name := range Judges {
		if _, err := s.FindUserByName(ctx, name); err == nil {
			continue
		} else if chanye.ErrorCode(err) != chanye.ENOTFOUND {
			return st, err
		}
		u := &auth.User{Name: name, DisplayName: fmt.Sprintf("演示评审专家 %d / demo judge %d", i+1, i+1), Role: chanye.RoleLeader}
		if err := s.CreateUser(ctx, u, rand.Text()); err != nil {
			return st, fmt.Errorf("demo judge %s: %w", name, err)
		}
	}
	// at is the store's clock days after today (negative: before), at
	// ten in the morning, China time.
	at := func(days int) {
		d := opts.Today.AddDate(0, 0, days)
		opts.SetClock(time.Date(d.Year(), d.Month(), d.Day(), 2, 0, 0, 0, time.UTC))
	}
	day := func(days int) chanye.Date { return chanye.DateOf(opts.Today.AddDate(0, 0, days)) }
	move := func(id int64, m scenario.Move) error {
		_, err := s.MoveScenario(ctx, id, m)
		return err
	}
	for i, d := range demoScenarios {
		ind := industries[i%len(industries)]
		firms := byIndustry[ind]
		// The call's days: long past for those that reach a pilot, recent
		// for the open calls and drafts.
		start := -150 + 5*i
		deadline := start + 30
		switch d.to {
		case scenario.Draft, scenario.Published:
			start, deadline = -3-i, 25+i
		}
		at(start)
		budget := chanye.Fen(int64(2+i%5) * 1_000_000_00 * 10) // 200 万 to 600 万元
		x := &scenario.Scenario{Title: d.title, Offerer: scenario.Offerer{Name: d.offerer, Kind: d.kind}, IndustryID: ind,
			Requirements: d.requirements, Site: "广州市（演示）", BudgetFen: &budget, Deadline: day(deadline), PilotStart: day(deadline + 10),
			PilotEnd: day(deadline + 190), Demo: true,
			Criteria: []scenario.Criterion{{ID: "tech", NameZH: "技术先进性", NameEN: "technology", Weight: 50},
				{ID: "fit", NameZH: "场景适配度", NameEN: "fit to the scenario", Weight: 30}, {ID: "cost", NameZH: "成本与服务", NameEN: "cost and service", Weight: 20}}}
		if err := s.CreateScenario(ctx, x); err != nil {
			return st, fmt.Errorf("demo scenario %q: %w", d.title, err)
		}
		if d.to == scenario.Draft {
			st.ByStatus[d.to]++
			continue
		}
		if err := move(x.ID, scenario.Move{Action: scenario.ActPublish}); err != nil {
			return st, err
		}
		// Applicants: up to three firms of the industry; none for the call
		// that closes without one, one for the first open call.
		n := min(3, len(firms))
		switch {
		case d.to == scenario.Closed:
			n = 0
		case d.to == scenario.Published:
			n = min(1, len(firms)) * (1 - i%2)
		}
		var apps []*scenario.Application
		for j := range n {
			at(start + 2 + j)
			a := &scenario.Application{ScenarioID: x.ID, Code: firms[j].Code,
				Solution: fmt.Sprintf("演示数据：%s 的方案 %d：自主研发产品，已在省外试用。", firms[j].Name, j+1)}
			if err := s.CreateScenarioApplication(ctx, a); err != nil {
				return st, fmt.Errorf("demo application to %q: %w", d.title, err)
			}
			apps = append(apps, a)
			st.Applications++
		}
		if d.to == scenario.Published {
			st.ByStatus[d.to]++
			continue
		}
		if d.to == scenario.Closed {
			at(deadline + 3)
			if err := move(x.ID, scenario.Move{Action: scenario.ActClose, Reason: "演示数据：截止日无企业揭榜，转入下一批征集"}); err != nil {
				return st, err
			}
			st.ByStatus[d.to]++
			continue
		}
		if len(apps) == 0 {
			return st, fmt.Errorf("demo scenario %q: no firm of industry %s applies", d.title, ind)
		}
		if err := s.SetPanel(ctx, x.ID, Judges); err != nil {
			return st, err
		}
		at(deadline + 1)
		if err := move(x.ID, scenario.Move{Action: scenario.ActStartReview}); err != nil {
			return st, err
		}
		at(deadline + 3)
		if err := demoScores(ctx, s, x, apps, d.partial); err != nil {
			return st, err
		}
		if d.to == scenario.Reviewing {
			st.ByStatus[d.to]++
			continue
		}
		rk, err := s.FindRanking(ctx, x.ID, false)
		if err != nil {
			return st, err
		}
		at(deadline + 5)
		if err := move(x.ID, scenario.Move{Action: scenario.ActSelect, ApplicationID: rk.Entries[0].ApplicationID}); err != nil {
			return st, err
		}
		for k, m := range []string{"设备进场安装", "试运行 30 天", "第三方检测"} {
			if err := move(x.ID, scenario.Move{Action: scenario.ActAddMilestone, Name: m, Due: day(deadline + 15 + 20*k)}); err != nil {
				return st, err
			}
		}
		at(deadline + 14)
		if err := move(x.ID, scenario.Move{Action: scenario.ActCompleteMilestone, MilestoneNo: 1, Evidence: "演示数据：安装验收单"}); err != nil {
			return st, err
		}
		if d.to == scenario.Piloting {
			st.ByStatus[d.to]++
			continue
		}
		at(deadline + 30)
		if err := move(x.ID, scenario.Move{Action: scenario.ActConfirmFirstUse, Evidence: "演示数据：试点运行报告与用户单位确认函"}); err != nil {
			return st, err
		}
		for k := range d.buys {
			at(deadline + 45 + 10*k)
			if err := move(x.ID, scenario.Move{Action: scenario.ActProcure, Buyer: d.offerer, AmountFen: budget * chanye.Fen(2+k)}); err != nil {
				return st, err
			}
		}
		st.ByStatus[d.to]++
	}
	return st, nil
}

// demoScores has the judges score every application, or, partial, has
// the last judge declare a conflict with the first application and score
// nothing else.
func demoScores(ctx context.Context, s ScenarioStore, x *scenario.Scenario, apps []*scenario.Application, partial bool) error {
	for j, judge := range Judges {
		if partial && j == len(Judges)-1 {
			return s.DeclareConflict(ctx, &scenario.Conflict{ApplicationID: apps[0].ID, Member: judge, Reason: "演示数据：曾为该企业提供咨询"})
		}
		var scores []scenario.Score
		for k, a := range apps {
			for c, cr := range x.Criteria {
				scores = append(scores, scenario.Score{ApplicationID: a.ID, Member: judge, CriterionID: cr.ID, Points: 90 - 7*k - 3*c + 2*j})
			}
		}
		if err := s.PutScores(ctx, x.ID, scores); err != nil {
			return err
		}
	}
	return nil
}
