package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/gbt4754"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
)

// 招商 of the demo: a roster of outside firms, targets on the three lists
// for the weak and missing links, and leads in every stage, a few of them
// landed as new key projects, so that a newcomer can follow a gap to a
// target, a lead and a project. Every source and note says 演示数据.
//
// The store stamps a lead's creation and every stage change with its own
// clock, and a move cannot go back before the day the lead reached its
// stage: the demo's leads are all created and moved on the store's today.
// Contact records and next actions carry dates in the past (some next
// actions overdue), since the store takes those as given.

// RosterSource is the source of the demo's roster of outside firms.
const RosterSource = "演示数据 demo 专精特新名单"

// LeadOptions control Leads.
type LeadOptions struct {
	Leads    int // leads to create; DefaultLeads when 0
	Roster   int // outside firms on the roster; DefaultRoster when 0
	Projects int // landed leads turned into new key projects; DefaultLeadProjects when 0
	Seed     int64
	// Today is the store's today: contacts and overdue next actions fall
	// before it, converted projects are planned to start after it. Required.
	Today chanye.Date
}

// The defaults of LeadOptions.
const (
	DefaultLeads        = 300
	DefaultRoster       = 300
	DefaultLeadProjects = 10
)

// LeadStats counts what Leads wrote.
type LeadStats struct {
	Roster   int
	Gaps     int // weak and missing links targeted
	Targets  map[invest.ListKind]int
	Leads    int
	ByStage  map[invest.Stage]int
	Overdue  int // open leads whose next action is due before Today
	Contacts int
	Projects int // key projects created from landed leads
	// Supervisions counts the leads put under 督办 by their items' status.
	Supervisions map[project.SupStatus]int
}

// LeadStore is what Leads reads and writes: the chains and their
// diagnosis, the catalog and its lists, the registry, and the services of
// 招商. *sqlstore.Store is one.
type LeadStore interface {
	FindChains(ctx context.Context) (*chain.Set, error)
	LastPlaceRun(ctx context.Context) (*chain.PlaceRun, error)
	FindLinkStats(ctx context.Context, year int) (map[string]map[int]*chain.LinkStats, error)
	FindThresholds(ctx context.Context) (chain.Thresholds, error)
	FindPlacements(ctx context.Context, linkID string, offset, limit int) ([]*chain.Placement, int, error)
	FindCatalog(ctx context.Context) (*chanye.Catalog, error)
	FindOrgUnits(ctx context.Context, filter chanye.OrgUnitFilter) ([]*chanye.OrgUnit, error)
	FindEnterprises(ctx context.Context, filter chanye.EnterpriseFilter) ([]*chanye.Enterprise, int, error)
	FindProjectByID(ctx context.Context, id string) (*project.Project, error)
	invest.RosterService
	invest.TargetService
	invest.CandidateService
	invest.LeadService
	invest.ConversionService
	LeadSupervisions() project.SupervisionService
}

// rosterCities are the home cities of the roster's firms, with provinces.
var rosterCities = []struct{ city, province string }{
	{"深圳", "广东省"}, {"东莞", "广东省"}, {"佛山", "广东省"}, {"上海", "上海市"}, {"苏州", "江苏省"},
	{"杭州", "浙江省"}, {"合肥", "安徽省"}, {"西安", "陕西省"}, {"成都", "四川省"},
}

// techPartners are where the demo's technologies come from: kinds of
// institution, never named ones.
var techPartners = []string{"高校实验室", "省重点实验室", "科研院所", "新型研发机构", "企业研究院"}

// stageWeights spread the leads over the stages: Path, then lost.
var stageWeights = []struct {
	stage  invest.Stage
	weight float64
}{
	{invest.StageClue, 24}, {invest.StageContact, 19}, {invest.StageVisit, 15}, {invest.StageNegotiate, 12},
	{invest.StageSigned, 9}, {invest.StageLanded, 8}, {invest.StageLost, 13},
}

// nextActions are the next actions of an open lead, by stage.
var nextActions = map[invest.Stage][]string{
	invest.StageClue:      {"电话联系对方投资发展部", "核实企业扩张意向", "发送产业链招商推介材料"},
	invest.StageContact:   {"安排赴企业总部走访", "视频会议介绍园区条件", "报送企业需求清单"},
	invest.StageVisit:     {"邀请来穗实地考察园区", "组织考察备选用地", "对接区招商部门陪同考察"},
	invest.StageNegotiate: {"研究投资协议条款", "测算用地和政策支持方案", "提请专班会议研究"},
	invest.StageSigned:    {"推动项目公司注册", "协调项目用地出让", "跟进首期资金到位"},
}

// lostReasons are why the demo's lost leads were lost.
var lostReasons = []string{
	"对方决定在长三角布局产能", "用地条件未满足对方要求", "对方融资未到位，项目搁置",
	"竞争城市给出更优惠的政策", "对方战略调整，暂停扩张", "产业配套不足，对方暂缓决策",
}

// contactNotes are what the demo's contact records say, by kind.
var contactNotes = map[invest.EventKind][]string{
	invest.EventCall:    {"电话沟通投资意向", "电话确认考察行程", "电话了解项目进展"},
	invest.EventVisit:   {"走访企业总部，介绍本市产业链", "实地考察备选园区", "赴企业生产基地调研"},
	invest.EventMeeting: {"与企业高管会谈，讨论投资规模", "专班会商项目用地和配套", "就协议条款进行洽谈"},
	invest.EventEmail:   {"发送园区和政策介绍材料"},
}

// gap is a weak or missing link of a chain.
type gap struct {
	ch   *chain.Chain
	link *chain.Link
}

// leadGen holds what Leads reads once and its random source.
type leadGen struct {
	s         LeadStore
	opts      LeadOptions
	cat       *chanye.Catalog
	lists     chanye.OrgLists
	rng       *rand.Rand
	pcg       *rand.PCG
	roster    map[int64]*invest.RosterFirm
	distCum   []float64
	projects  int               // the last ZS- number tried
	linkNames map[string]string // link id → Chinese name
}

func (g *leadGen) seed(stream uint64) { g.pcg.Seed(uint64(g.opts.Seed), 9<<40|stream) }

// Leads writes the demo's 招商: a roster of outside firms (RosterSource)
// for the classes and products of the chain links; targets on the three
// lists for the links the diagnosis finds weak or missing (every link
// when no placement has run), taken from the store's candidates, with
// technologies named after the links'; and leads on them in every stage,
// owned by the industry's task force, its lead department or a district,
// with contact records and next actions (some overdue), the signed ones
// with amounts and a few landed as new key projects (ZS-0001 …). It
// writes nothing and returns zero stats when the store has leads already.
func Leads(ctx context.Context, s LeadStore, opts LeadOptions) (LeadStats, error) {
	var st LeadStats
	if opts.Today.IsZero() {
		return st, errors.New("demo: LeadOptions.Today is required")
	}
	if opts.Leads < 0 || opts.Roster < 0 || opts.Projects < 0 || opts.Leads > 100_000 || opts.Roster > invest.MaxRosterRows {
		return st, chanye.Errorf(chanye.EINVALID, "演示招商数量无效 / invalid demo lead counts")
	}
	opts.Leads = cmp.Or(opts.Leads, DefaultLeads)
	opts.Roster = cmp.Or(opts.Roster, DefaultRoster)
	opts.Projects = cmp.Or(opts.Projects, DefaultLeadProjects)
	if _, total, err := s.FindLeads(ctx, invest.LeadFilter{Limit: 1}); err != nil || total > 0 {
		return st, err
	}
	set, err := s.FindChains(ctx)
	if err != nil || len(set.Chains) == 0 {
		return st, err
	}
	g := &leadGen{s: s, opts: opts, pcg: rand.NewPCG(0, 0), roster: map[int64]*invest.RosterFirm{}}
	g.rng = rand.New(g.pcg)
	if g.cat, err = s.FindCatalog(ctx); err != nil {
		return st, err
	}
	if len(g.cat.Districts) == 0 {
		return st, chanye.Errorf(chanye.EINVALID, "目录没有区县，无法生成演示线索 / the catalog has no districts")
	}
	acc := 0.0
	for _, d := range g.cat.Districts {
		acc += cmp.Or(projectDistrictWeights[d.Code], 2)
		g.distCum = append(g.distCum, acc)
	}
	units, err := s.FindOrgUnits(ctx, chanye.OrgUnitFilter{})
	if err != nil {
		return st, err
	}
	g.lists = chanye.OrgLists(units)
	gaps, err := g.gaps(ctx, set)
	if err != nil || len(gaps) == 0 {
		return st, err
	}
	st.Gaps = len(gaps)
	if st.Roster, err = g.importRoster(ctx, set, gaps); err != nil {
		return st, fmt.Errorf("demo roster: %w", err)
	}
	targets, err := g.targets(ctx, gaps, &st)
	if err != nil {
		return st, fmt.Errorf("demo targets: %w", err)
	}
	if len(targets) == 0 {
		return st, nil
	}
	if err := g.leads(ctx, targets, &st); err != nil {
		return st, fmt.Errorf("demo leads: %w", err)
	}
	if err := g.supervise(ctx, &st); err != nil {
		return st, fmt.Errorf("demo supervision of leads: %w", err)
	}
	return st, nil
}

// supervise puts up to four overdue leads under 督办 by the demo's city
// leader, one in each state: issued (a district's lead, due today, so
// overdue from tomorrow), answered by the lead's owner, sent back, closed.
func (g *leadGen) supervise(ctx context.Context, st *LeadStats) error {
	st.Supervisions = map[project.SupStatus]int{}
	dk := invest.OwnerDistrict
	first, _, err := g.s.FindOverdueLeads(ctx, invest.LeadFilter{OwnerKind: &dk, Limit: 1})
	if err != nil {
		return err
	}
	rest, _, err := g.s.FindOverdueLeads(ctx, invest.LeadFilter{Limit: 5})
	if err != nil {
		return err
	}
	leads := first
	for _, l := range rest {
		if len(first) == 0 || l.ID != first[0].ID {
			leads = append(leads, l)
		}
	}
	steps := [][]project.SupAction{nil, {project.SupAnswer}, {project.SupAnswer, project.SupReturn}, {project.SupAnswer, project.SupClose}}
	sups, lctx := g.s.LeadSupervisions(), chanye.WithActor(ctx, &demoLeader)
	for i, path := range steps[:min(len(steps), len(leads))] {
		l := leads[i]
		due := chanye.DateOf(g.opts.Today.AddDate(0, 0, 7*i))
		x, err := sups.CreateSupervision(lctx, &project.Supervision{LeadID: l.ID, Addressee: project.ToLeadOwner, DueOn: due,
			Instruction: fmt.Sprintf("演示数据：“%s”已逾期，请于 %s 前推进并报告进展 / demo: %q is overdue; move it on and report by %s", l.NextAction, due, l.NextAction, due)})
		if err != nil {
			return err
		}
		owner := &chanye.Actor{Name: "演示线索跟进单位", Role: chanye.RoleTaskForce, IndustryID: l.IndustryID}
		switch l.OwnerKind {
		case invest.OwnerDepartment:
			owner = &chanye.Actor{Name: "演示线索跟进单位", Role: chanye.RoleDepartment, Department: l.OwnerName}
		case invest.OwnerDistrict:
			owner = &chanye.Actor{Name: "演示线索跟进单位", Role: chanye.RoleDistrict, District: l.OwnerName}
		}
		for _, a := range path {
			actx, note := lctx, "演示数据：请补充企业决策层意向 / demo: add the firm's board's intent"
			switch a {
			case project.SupAnswer:
				actx, note = chanye.WithActor(ctx, owner), "演示数据：已约定下周再次拜访 / demo: a second visit is set for next week"
			case project.SupClose:
				note = "演示数据：已推进，办结 / demo: moved on, closed"
			}
			if x, err = sups.MoveSupervision(actx, x.ID, a, note); err != nil {
				return err
			}
		}
		st.Supervisions[x.Status]++
	}
	return nil
}

// gaps returns the weak and missing links of the last placement's
// diagnosis, every link when none ran, spread over the industries in turn
// (each chain's gaps shuffled) and at most enough for the leads.
func (g *leadGen) gaps(ctx context.Context, set *chain.Set) ([]gap, error) {
	run, err := g.s.LastPlaceRun(ctx)
	if err != nil {
		return nil, err
	}
	weak := map[string]bool{} // nil diagnosis: every link is a gap
	if run != nil {
		stats, err := g.s.FindLinkStats(ctx, run.Year)
		if err != nil {
			return nil, err
		}
		th, err := g.s.FindThresholds(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range th.Diagnose(set, stats, run.Year) {
			// A link without figures (Unknown) has no firm: missing too.
			weak[d.LinkID] = d.Verdict != chain.Strong
		}
	}
	g.seed(1)
	g.linkNames = map[string]string{}
	var per [][]gap
	for _, ch := range set.Chains {
		if g.cat.Industry(ch.IndustryID) == nil {
			continue
		}
		var gs []gap
		for _, l := range ch.Links {
			g.linkNames[l.ID] = l.NameZH
			if run == nil || weak[l.ID] {
				gs = append(gs, gap{ch, l})
			}
		}
		g.rng.Shuffle(len(gs), func(i, j int) { gs[i], gs[j] = gs[j], gs[i] })
		per = append(per, gs)
	}
	// About three leads a gap: enough targets to choose from, spread wide.
	limit := max(20, g.opts.Leads/3)
	var out []gap
	for i := 0; len(out) < limit; i++ {
		more := false
		for _, gs := range per {
			if i < len(gs) && len(out) < limit {
				out = append(out, gs[i])
				more = true
			}
		}
		if !more {
			break
		}
	}
	return out, nil
}

// validClasses returns the link's classes that GB/T 4754 knows.
func validClasses(l *chain.Link) []string {
	var out []string
	for _, c := range l.Classes {
		if gbt4754.Validate(c) == nil {
			out = append(out, c)
		}
	}
	return out
}

// importRoster imports the demo roster: two firms in three make what a gap
// link makes, the others what any link of the chains makes. It returns
// how many firms it imported.
func (g *leadGen) importRoster(ctx context.Context, set *chain.Set, gaps []gap) (int, error) {
	var all []*chain.Link
	for _, ch := range set.Chains {
		for _, l := range ch.Links {
			if len(validClasses(l)) > 0 {
				all = append(all, l)
			}
		}
	}
	var fromGaps []*chain.Link
	for _, x := range gaps {
		if len(validClasses(x.link)) > 0 {
			fromGaps = append(fromGaps, x.link)
		}
	}
	if len(all) == 0 {
		return 0, nil
	}
	if len(fromGaps) == 0 {
		fromGaps = all
	}
	rows := make([]invest.RosterFirm, g.opts.Roster)
	seen := map[string]bool{}
	for i := range rows {
		g.seed(2<<20 | uint64(i))
		l := all[g.rng.IntN(len(all))]
		if i%3 != 2 {
			l = fromGaps[i%len(fromGaps)]
		}
		classes := validClasses(l)
		class := classes[g.rng.IntN(len(classes))]
		home := rosterCities[g.rng.IntN(len(rosterCities))]
		var name string
		for try := 0; try == 0 || seen[name]; try++ {
			name = g.firmName(home.city, class)
		}
		seen[name] = true
		tier := chanye.TierSRDI
		if g.rng.IntN(4) == 0 {
			tier = chanye.TierLittleGiant
		}
		rows[i] = invest.RosterFirm{Name: name, City: home.city + "市", Province: home.province, Class: class,
			Products: g.products(l), Tier: tier}
	}
	if err := g.s.ImportRoster(ctx, RosterSource, rows); err != nil {
		return 0, err
	}
	src := RosterSource
	for off := 0; ; off += invest.MaxPage {
		fs, total, err := g.s.FindRoster(ctx, invest.RosterFilter{Source: &src, Offset: off, Limit: invest.MaxPage})
		if err != nil {
			return 0, err
		}
		for _, f := range fs {
			g.roster[f.ID] = f
		}
		if off+invest.MaxPage >= total {
			break
		}
	}
	return len(rows), nil
}

// firmName composes an outside firm's name: city + 字号 + 行业词 + 有限公司.
func (g *leadGen) firmName(city, class string) string {
	var b strings.Builder
	b.WriteString(city)
	n := 2 + g.rng.IntN(4)/3 // three syllables one time in four
	for range n {
		b.WriteRune(syllables[g.rng.IntN(len(syllables))])
	}
	words := wordsFor(class[:2])
	b.WriteString(words[g.rng.IntN(len(words))])
	if g.rng.IntN(4) == 0 {
		b.WriteString("股份有限公司")
	} else {
		b.WriteString("有限公司")
	}
	return b.String()
}

// products names one to three of the link's keywords and products.
func (g *leadGen) products(l *chain.Link) string {
	pool := append(slices.Clone(l.Keywords), l.Products...)
	if len(pool) == 0 {
		return l.NameZH
	}
	n := 1 + g.rng.IntN(min(3, len(pool)))
	var out []string
	for _, i := range g.rng.Perm(len(pool))[:n] {
		if !slices.Contains(out, pool[i]) {
			out = append(out, pool[i])
		}
	}
	return strings.Join(out, "、")
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// targets puts, for every gap, the two best local firms (增资扩产) and the
// two best roster firms (招商) the store proposes on the link's lists,
// and on every other gap one of its technologies (科技转化). A firm
// already on the list is left alone.
func (g *leadGen) targets(ctx context.Context, gaps []gap, st *LeadStats) ([]*invest.Target, error) {
	st.Targets = map[invest.ListKind]int{}
	var out []*invest.Target
	for i, x := range gaps {
		cs, err := g.s.FindCandidates(ctx, x.ch.IndustryID, x.link.ID, 20)
		if err != nil {
			return nil, err
		}
		taken := map[invest.ListKind]int{}
		for _, c := range cs {
			if taken[c.Kind] >= 2 {
				continue
			}
			why := make([]string, len(c.Reasons))
			for j, r := range c.Reasons {
				why[j] = r.ZH
			}
			t := &invest.Target{IndustryID: x.ch.IndustryID, LinkID: x.link.ID, Kind: c.Kind, Name: c.Name, Code: c.Code,
				Note: clip(fmt.Sprintf("演示数据：候选得分 %d（%s）", c.Score, strings.Join(why, "；")), invest.MaxNoteRunes)}
			switch c.Kind {
			case invest.ListExpand:
				t.City = g.cat.City.NameZH
				t.Source = "演示数据 demo：缺链候选（本地企业）"
				t.Brings = clip("增资扩产，补强「"+x.link.NameZH+"」："+strings.Join(x.link.Products, "、"), invest.MaxTextRunes)
			default:
				t.City, t.Source = c.City, clip("演示数据 demo：缺链候选（"+c.Source+"）", invest.MaxSourceRunes)
				brings := x.link.NameZH
				if f := g.roster[c.RosterID]; f != nil && f.Products != "" {
					brings = f.Products
				}
				t.Brings = clip("产品："+brings, invest.MaxTextRunes)
			}
			if ok, err := g.createTarget(ctx, t); err != nil {
				return nil, err
			} else if ok {
				taken[c.Kind]++
				st.Targets[c.Kind]++
				out = append(out, t)
			}
		}
		if i%2 == 0 && len(x.link.Technologies) > 0 {
			g.seed(3<<20 | uint64(i))
			tech := x.link.Technologies[g.rng.IntN(len(x.link.Technologies))]
			home := rosterCities[g.rng.IntN(len(rosterCities))]
			partner := techPartners[g.rng.IntN(len(techPartners))]
			t := &invest.Target{IndustryID: x.ch.IndustryID, LinkID: x.link.ID, Kind: invest.ListTech,
				Name: tech + "技术成果转化", City: home.city + "市", Source: "演示数据 demo：科技成果转化线索",
				Brings: clip(home.city+"某"+partner+"的"+tech+"成果，可用于「"+x.link.NameZH+"」", invest.MaxTextRunes),
				Note:   "演示数据：技术来源为示意，不指向真实机构 / demo: the source is illustrative"}
			if ok, err := g.createTarget(ctx, t); err != nil {
				return nil, err
			} else if ok {
				st.Targets[invest.ListTech]++
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// createTarget stores t; false when it is on the list already.
func (g *leadGen) createTarget(ctx context.Context, t *invest.Target) (bool, error) {
	err := g.s.CreateTarget(ctx, t)
	if chanye.ErrorCode(err) == chanye.ECONFLICT {
		return false, nil
	}
	return err == nil, err
}

// owner returns who follows a lead of the industry: its task force one
// time in two, its lead department one in four, else a district (also
// when the industry names none on the managed lists).
func (g *leadGen) owner(ind *chanye.Industry) (invest.OwnerKind, string) {
	r := ind.Responsibility
	switch n := g.rng.IntN(4); {
	case n < 2 && r.TaskForce != "" && g.lists.CheckChoice(chanye.OrgTaskForce, r.TaskForce) == "":
		return invest.OwnerTaskForce, r.TaskForce
	case n == 2 && r.LeadDepartment != "" && g.lists.CheckChoice(chanye.OrgDepartment, r.LeadDepartment) == "":
		return invest.OwnerDepartment, r.LeadDepartment
	}
	return invest.OwnerDistrict, g.district()
}

// district draws a district code, weighted as the demo's projects are.
func (g *leadGen) district() string {
	return g.cat.Districts[pick(g.distCum, g.rng)].Code
}

// yuanFen draws an amount between lo and hi yuan, log-uniform, in whole
// 万元, as fen.
func (g *leadGen) yuanFen(lo, hi float64) chanye.Fen {
	y := math.Exp(math.Log(lo) + (math.Log(hi)-math.Log(lo))*g.rng.Float64())
	return chanye.Fen(math.Round(y/1e4)) * 1_000_000
}

// leads creates the leads, one a target in a shuffled order (again when
// there are more leads than targets), and moves each to its stage.
func (g *leadGen) leads(ctx context.Context, targets []*invest.Target, st *LeadStats) error {
	st.ByStage = map[invest.Stage]int{}
	g.seed(4)
	order := g.rng.Perm(len(targets))
	cum := make([]float64, len(stageWeights))
	acc := 0.0
	for i, w := range stageWeights {
		acc += w.weight
		cum[i] = acc
	}
	for i := range g.opts.Leads {
		t := targets[order[i%len(order)]]
		g.seed(5<<20 | uint64(i))
		stage := stageWeights[pick(cum, g.rng)].stage
		// A landed lead became a key project or, for a local firm, stays
		// the registry firm it was: others stop at 签约.
		if stage == invest.StageLanded && t.Kind != invest.ListExpand && st.Projects >= g.opts.Projects {
			stage = invest.StageSigned
		}
		ind := g.cat.Industry(t.IndustryID)
		kind, name := g.owner(ind)
		expected := g.yuanFen(1e7, 1e10)
		// The clue came in up to a year ago; the moves follow at even steps
		// up to a few days ago, so that the funnel's days in stage mean
		// something.
		start := 15 + g.rng.IntN(350)
		l := &invest.Lead{TargetID: t.ID, LinkID: t.LinkID, OwnerKind: kind, OwnerName: name, ExpectedFen: &expected,
			StageOn: chanye.DateOf(g.opts.Today.AddDate(0, 0, -start))}
		if !stage.Closed() {
			as := nextActions[stage]
			l.NextAction = as[g.rng.IntN(len(as))]
			// One open lead in four is overdue: its next action was due
			// up to a month ago.
			if i%4 == 1 {
				l.NextActionOn = chanye.DateOf(g.opts.Today.AddDate(0, 0, -1-g.rng.IntN(30)))
			} else {
				l.NextActionOn = chanye.DateOf(g.opts.Today.AddDate(0, 0, 1+g.rng.IntN(45)))
			}
		}
		if err := g.s.CreateLead(ctx, l); err != nil {
			return err
		}
		n, err := g.contacts(ctx, l.ID, stage)
		if err != nil {
			return err
		}
		st.Contacts += n
		if l, err = g.move(ctx, l, t, ind, stage, expected, start, st); err != nil {
			return fmt.Errorf("lead %d to %s: %w", l.ID, stage, err)
		}
		st.Leads++
		st.ByStage[l.Stage]++
		if l.Overdue(g.opts.Today) {
			st.Overdue++
		}
	}
	return nil
}

// contacts records the contacts of a lead that reached stage, on days
// before Today, oldest first: a call, then a visit, then meetings.
func (g *leadGen) contacts(ctx context.Context, id int64, stage invest.Stage) (int, error) {
	n := stage.Ordinal()
	if stage == invest.StageLost {
		n = 1 + g.rng.IntN(3)
	}
	n = min(n+g.rng.IntN(2), 5)
	kinds := []invest.EventKind{invest.EventCall, invest.EventVisit, invest.EventMeeting, invest.EventMeeting, invest.EventEmail}
	ago := 20 + g.rng.IntN(150)
	for k := range n {
		kind := kinds[k]
		notes := contactNotes[kind]
		on := chanye.DateOf(g.opts.Today.AddDate(0, 0, -ago))
		e := &invest.Event{Kind: kind, On: on, Note: "演示数据：" + notes[g.rng.IntN(len(notes))]}
		if err := g.s.AddLeadContact(ctx, id, e); err != nil {
			return k, err
		}
		ago = max(1, ago-5-g.rng.IntN(ago/2+1))
	}
	return n, nil
}

// move takes a new lead to stage: step by step along the path, a lost one
// from the stage it got to; landed through a new key project or the local
// firm it is.
func (g *leadGen) move(ctx context.Context, l *invest.Lead, t *invest.Target, ind *chanye.Industry, stage invest.Stage, expected chanye.Fen, start int, st *LeadStats) (*invest.Lead, error) {
	end := stage.Ordinal()
	if stage == invest.StageLost {
		end = g.rng.IntN(invest.StageNegotiate.Ordinal() + 1)
	}
	step := start / (end + 2)
	var err error
	for i := 1; i <= end && i <= invest.StageSigned.Ordinal(); i++ {
		m := invest.Move{To: invest.Path[i], Note: "演示数据：推进至" + invest.Path[i].NameZH(), On: chanye.DateOf(g.opts.Today.AddDate(0, 0, -start+i*step))}
		if invest.Path[i] == invest.StageSigned {
			// Signed within 60 %–120 % of what was expected.
			signed := min(chanye.Fen(float64(expected)*(0.6+0.6*g.rng.Float64()))/1_000_000*1_000_000, invest.MaxLeadFen)
			m.SignedFen, m.Note = &signed, "演示数据：签订投资协议"
		}
		if l, err = g.s.MoveLead(ctx, l.ID, m); err != nil {
			return l, err
		}
	}
	switch stage {
	case invest.StageLost:
		return g.s.MoveLead(ctx, l.ID, invest.Move{To: invest.StageLost, LostReason: "演示数据：" + lostReasons[g.rng.IntN(len(lostReasons))]})
	case invest.StageLanded:
		m := invest.Move{To: invest.StageLanded, Note: "演示数据：项目落地"}
		if st.Projects < g.opts.Projects {
			if l, err = g.convert(ctx, l, t, ind); err != nil {
				return l, err
			}
			st.Projects++
		} else {
			m.EnterpriseCode = t.Code
		}
		return g.s.MoveLead(ctx, l.ID, m)
	}
	return l, nil
}

// convert turns a signed lead into a new key project, numbered ZS-0001 …
// past any number in use: its owner is the local firm, else a firm placed
// on the link, else one of the industry's.
func (g *leadGen) convert(ctx context.Context, l *invest.Lead, t *invest.Target, ind *chanye.Industry) (*invest.Lead, error) {
	var id string
	for {
		g.projects++
		id = fmt.Sprintf("ZS-%04d", g.projects)
		_, err := g.s.FindProjectByID(ctx, id)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			break
		} else if err != nil {
			return l, err
		}
	}
	owner := t.Code
	if owner == "" {
		ps, _, err := g.s.FindPlacements(ctx, l.LinkID, 0, 1)
		if err != nil {
			return l, err
		}
		if len(ps) > 0 {
			owner = ps[0].Code
		}
	}
	if owner == "" {
		es, _, err := g.s.FindEnterprises(ctx, chanye.EnterpriseFilter{IndustryID: &ind.ID, Limit: 1})
		if err != nil {
			return l, err
		}
		if len(es) == 0 {
			if es, _, err = g.s.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 1}); err != nil {
				return l, err
			}
		}
		if len(es) == 0 {
			return l, chanye.Errorf(chanye.EINVALID, "登记库没有企业，请先生成演示企业 / the registry has no enterprises to own projects")
		}
		owner = es[0].Code
	}
	kind := project.KindIndustrial
	if ind.Kind == chanye.KindService {
		kind = project.KindServices
	} else if t.Kind == invest.ListTech {
		kind = project.KindRnD
	}
	what := t.Name
	if t.Kind == invest.ListTech {
		what = strings.TrimSuffix(what, "技术成果转化") + "成果转化"
	}
	suffix := kindSuffix[kind]
	// Planned to start within months: a project only signed is not late.
	start := chanye.DateOf(g.opts.Today.AddDate(0, 1+g.rng.IntN(5), 0))
	p := &project.Project{ID: id, Name: clip("(演示) "+what+"「"+g.linkNames[t.LinkID]+"」"+suffix[g.rng.IntN(len(suffix))], 200),
		OwnerCode: owner, IndustryID: ind.ID, DistrictCode: g.district(), Kind: kind, Stage: project.StageSigned,
		PlannedStart: start, PlannedCompletion: chanye.DateOf(start.AddDate(0, 18+g.rng.IntN(19), 0)), Demo: true}
	if l.SignedFen != nil {
		p.TotalInvestmentFen = min(*l.SignedFen, chanye.MaxProjectFen)
		p.YearlyPlan = yearlyPlan(p)
	}
	if d := ind.Responsibility.LeadDepartment; d != "" && g.lists.CheckChoice(chanye.OrgDepartment, d) == "" {
		p.Department = d
	}
	if c := ind.Responsibility.CityLeader; c != "" && g.lists.CheckChoice(chanye.OrgLeader, c) == "" {
		p.CityLeader = c
	}
	return g.s.CreateProjectFromLead(ctx, l.ID, p)
}
