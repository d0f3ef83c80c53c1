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
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
)

// The city's key-project list of 2025: 1,246 projects, 5.6 trillion yuan of
// total investment (the speech of 6 February 2025).
const (
	KeyProjects          = 1246
	KeyProjectsTotalYuan = 5.6e12
)

// ProjectOptions control GenerateProjects.
type ProjectOptions struct {
	Projects  int     // KeyProjects when zero
	TotalYuan float64 // total investment of all projects; KeyProjectsTotalYuan when zero
	Seed      int64
	// AsOf is the day the list describes: reports run to the month before
	// it, nodes before it are done (some late). Required.
	AsOf chanye.Date
}

// ProjectStats counts what GenerateProjects wrote.
type ProjectStats struct {
	Projects int
	Nodes    int
	Reports  int
	Total    chanye.Fen // total investment of the projects written
	// Health counts the projects by the colour they were generated to
	// show; the warning rules decide the colour they do show.
	Health map[project.Colour]int
}

// GenerateProjects writes a deterministic list of key projects in one
// batch: owners are the larger firms of the registry in each project's
// industry, so enterprises must exist (Generate first). Projects are
// numbered GZZD-0001 …, so running it again replaces the same projects.
func GenerateProjects(ctx context.Context, svc project.Service, cat *chanye.Catalog, es chanye.EnterpriseService, opts ProjectOptions) (ProjectStats, error) {
	stats := ProjectStats{Health: map[project.Colour]int{}}
	if opts.Projects == 0 {
		opts.Projects = KeyProjects
	}
	if opts.TotalYuan == 0 {
		opts.TotalYuan = KeyProjectsTotalYuan
	}
	if opts.Projects < 0 || opts.Projects > 100_000 || opts.TotalYuan < 0 {
		return stats, chanye.Errorf(chanye.EINVALID, "项目数 %d 无效 / invalid number of projects", opts.Projects)
	}
	if opts.AsOf.IsZero() {
		return stats, errors.New("demo: ProjectOptions.AsOf is required")
	}
	owners, err := ownerCandidates(ctx, es, cat)
	if err != nil {
		return stats, err
	}
	pg, err := newProjectGen(cat, owners, opts)
	if err != nil {
		return stats, err
	}
	b := pg.generate()
	// A project's own city leader, for an industry without one, must be on
	// the managed list of leaders: the demo's are added to it.
	if len(pg.leaders) > 0 {
		lists, ok := svc.(chanye.OrgUnitService)
		if !ok {
			return stats, errors.New("demo: industries without a city leader need a project service that keeps the managed lists (chanye.OrgUnitService)")
		}
		if err := EnsureLeaders(ctx, lists); err != nil {
			return stats, err
		}
	}
	if err := svc.WriteBatch(ctx, b); err != nil {
		return stats, fmt.Errorf("demo projects: %w", err)
	}
	stats.Projects, stats.Nodes, stats.Reports = len(b.Projects), len(b.Nodes), len(b.Reports)
	var total chanye.FenSum
	for _, p := range b.Projects {
		total.Add(p.TotalInvestmentFen)
	}
	if stats.Total, err = total.Total("total"); err != nil {
		return stats, fmt.Errorf("demo projects: %w", err)
	}
	for _, h := range pg.health {
		stats.Health[h]++
	}
	return stats, nil
}

// owner is a registry firm that may own projects.
type owner struct {
	code, name string
	industries []string
}

// ownerPool is how many owners GenerateProjects draws from per industry.
const ownerPool = 40

var errEnough = errors.New("enough owners")

// ownerCandidates returns, for every industry of the catalog, up to
// ownerPool of its largest firms: the large ones, then medium and small
// ones while there are fewer than a handful. Each scan stops once the pool
// is full, so a registry of millions costs little.
func ownerCandidates(ctx context.Context, es chanye.EnterpriseService, cat *chanye.Catalog) ([]owner, error) {
	var out []owner
	for _, ind := range cat.Industries {
		id := ind.ID
		n := 0
		for _, size := range []chanye.SizeClass{chanye.SizeLarge, chanye.SizeMedium, chanye.SizeSmall} {
			s := size
			err := es.ScanEnterprises(ctx, chanye.EnterpriseFilter{IndustryID: &id, SizeClass: &s}, func(e *chanye.Enterprise) error {
				out = append(out, owner{code: e.Code, name: e.Name, industries: []string{id}})
				if n++; n >= ownerPool {
					return errEnough
				}
				return nil
			})
			if err != nil && !errors.Is(err, errEnough) {
				return nil, err
			}
			if n >= 8 {
				break
			}
		}
	}
	if len(out) == 0 {
		// No firm belongs to an industry: any registered firm will do.
		err := es.ScanEnterprises(ctx, chanye.EnterpriseFilter{}, func(e *chanye.Enterprise) error {
			out = append(out, owner{code: e.Code, name: e.Name})
			if len(out) >= ownerPool {
				return errEnough
			}
			return nil
		})
		if err != nil && !errors.Is(err, errEnough) {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, chanye.Errorf(chanye.EINVALID, "登记库没有企业，请先生成演示企业 / the registry has no enterprises to own projects; generate demo enterprises first")
	}
	return out, nil
}

// infraType is a sort of infrastructure project: its industry, a name
// pattern, and the median and spread of its investment.
type infraType struct {
	industry string
	names    []string
	median   float64 // yuan
	sigma    float64
	weight   float64
	months   [2]int // construction time
}

var infraTypes = []infraType{
	{"rail-transit", []string{"广州地铁%d号线%s工程", "广州地铁%d号线延伸段%s工程"}, 3.2e10, 0.35, 2.5, [2]int{48, 72}},
	{"rail-transit", []string{"广州至%s城际铁路%s", "%s站综合交通枢纽%s"}, 2.6e10, 0.5, 2, [2]int{42, 66}},
	{"logistics", []string{"%s快速路%s工程", "%s大桥及连接线%s工程", "%s高速公路改扩建%s工程"}, 6e9, 0.7, 3, [2]int{30, 54}},
	{"logistics", []string{"南沙港区%s码头%s工程", "%s国际物流枢纽%s", "白云机场%s配套%s工程"}, 7e9, 0.8, 1.5, [2]int{30, 54}},
	{"new-energy-storage", []string{"%s500千伏输变电%s工程", "%s燃气电厂%s项目", "%s新型储能电站%s"}, 4e9, 0.7, 1.5, [2]int{24, 42}},
	{"ai", []string{"%s智算中心%s", "%s数据中心集群%s"}, 5e9, 0.6, 1, [2]int{18, 36}},
	{"logistics", []string{"%s水系综合治理%s工程", "%s污水处理厂扩建%s工程"}, 2.5e9, 0.6, 1, [2]int{24, 42}},
}

// industryWeights spread projects of a kind over industries.
var industryWeights = map[project.Kind]map[string]float64{
	project.KindIndustrial: {
		"icv-nev": 14, "uhd-display": 8, "biomedicine": 9, "petrochem-materials": 7, "software-internet": 3,
		"equipment-robotics": 8, "ai": 3, "semiconductors": 6, "new-energy-storage": 7, "low-altitude-aerospace": 5,
		"bio-manufacturing": 4, "fashion": 6, "rail-transit": 3, "shipbuilding-marine": 3, "smart-construction": 5,
		"unmanned-systems": 1, "embodied-ai": 1, "cell-gene": 1,
	},
	project.KindDigitalRetrofit: {
		"icv-nev": 6, "fashion": 6, "petrochem-materials": 4, "equipment-robotics": 4, "uhd-display": 3,
		"biomedicine": 3, "smart-construction": 3, "shipbuilding-marine": 1, "new-energy-storage": 2,
	},
	project.KindRnD: {
		"biomedicine": 5, "ai": 4, "semiconductors": 3, "cell-gene": 2, "embodied-ai": 2, "tech-services": 3,
		"new-energy-storage": 1, "low-altitude-aerospace": 1, "unmanned-systems": 1,
	},
	project.KindServices: {
		"finance": 3, "tech-services": 3, "professional-services": 2, "trade": 4, "logistics": 4, "exhibitions": 1,
		"cultural-creative": 2, "tourism": 2, "software-internet": 3,
	},
}

// industryWords are the product words of project names.
var industryWords = map[string][]string{
	"icv-nev":                {"新能源汽车整车", "动力电池", "汽车电子", "智能驾驶系统", "汽车零部件", "电驱系统"},
	"uhd-display":            {"新型显示面板", "OLED模组", "超高清视频制作", "Micro LED"},
	"biomedicine":            {"创新药", "高端医疗器械", "生物制品", "体外诊断试剂", "医药"},
	"petrochem-materials":    {"高性能新材料", "化工新材料", "绿色石化", "特种纤维", "先进陶瓷"},
	"software-internet":      {"工业软件", "云计算", "互联网总部", "软件研发"},
	"equipment-robotics":     {"工业机器人", "智能装备", "数控机床", "服务机器人"},
	"ai":                     {"人工智能算力", "大模型", "智能终端", "人工智能应用"},
	"semiconductors":         {"12英寸晶圆", "芯片封装测试", "功率半导体", "集成电路设计"},
	"new-energy-storage":     {"储能电池", "氢能装备", "光伏组件", "新型储能系统"},
	"low-altitude-aerospace": {"电动垂直起降飞行器", "无人机", "航空维修", "卫星制造"},
	"bio-manufacturing":      {"合成生物", "生物基材料", "发酵工程"},
	"fashion":                {"智能家居", "美妆日化", "服装设计", "珠宝首饰", "食品饮料"},
	"rail-transit":           {"轨道交通装备", "城轨车辆", "轨道交通信号系统"},
	"shipbuilding-marine":    {"海洋工程装备", "船舶制造", "深海装备"},
	"smart-construction":     {"装配式建筑构件", "智能建造", "绿色建材"},
	"unmanned-systems":       {"无人系统", "智能无人车"},
	"embodied-ai":            {"人形机器人", "具身智能"},
	"cell-gene":              {"细胞治疗", "基因治疗"},
	"finance":                {"金融总部大厦", "金融科技中心"},
	"tech-services":          {"科技创新中心", "孵化器", "检验检测平台"},
	"professional-services":  {"专业服务总部", "法律服务中心"},
	"trade":                  {"商业综合体", "跨境电商园", "批发市场升级"},
	"logistics":              {"智慧物流园", "冷链物流中心", "供应链总部"},
	"exhibitions":            {"会展中心"},
	"cultural-creative":      {"文化创意园", "数字文化产业园"},
	"tourism":                {"文旅综合体", "度假区"},
}

var kindSuffix = map[project.Kind][]string{
	project.KindIndustrial:      {"生产基地项目", "产业园项目", "扩产项目", "智能工厂项目", "产业化项目"},
	project.KindDigitalRetrofit: {"数字化转型改造项目", "智能化技术改造项目", "生产线数字化改造项目"},
	project.KindRnD:             {"研发中心项目", "创新平台项目", "中试基地项目"},
	project.KindServices:        {"项目", "建设项目"},
}

var placeNames = []string{"东部", "北部", "南沙", "黄埔", "增城", "番禺", "花都", "从化", "白云", "海珠", "琶洲", "知识城", "科学城", "中新", "狮子洋", "珠江"}
var cityNames = []string{"佛山", "东莞", "中山", "清远", "惠州", "江门", "肇庆", "珠海", "深圳"}
var phases = []string{"", "一期", "二期", "三期"}

// projectDistrictWeights put more projects in the manufacturing districts.
var projectDistrictWeights = map[string]float64{
	"440112": 20, "440115": 16, "440113": 11, "440118": 11, "440111": 10, "440114": 8,
	"440106": 7, "440105": 5, "440117": 5, "440103": 4, "440104": 3,
}

// leadDepartments are the lead departments the demo gives projects whose
// industry has no responsibility recorded.
var leadDepartments = map[string]string{
	"rail-transit": "市交通运输局", "logistics": "市交通运输局", "biomedicine": "市科技局", "cell-gene": "市科技局",
	"tech-services": "市科技局", "finance": "市委金融办", "trade": "市商务局", "exhibitions": "市商务局",
	"tourism": "市文化广电旅游局", "cultural-creative": "市文化广电旅游局", "professional-services": "市商务局",
	"software-internet": "市工业和信息化局", "ai": "市工业和信息化局", "new-energy-storage": "市发展改革委",
}

// demoLeaders are placeholders for the city leaders, in the order of the
// list (甲乙丙丁戊己); a real list names them in the industries'
// responsibilities, which then take precedence.
var demoLeaders = []string{"市领导甲（演示）", "市领导乙（演示）", "市领导丙（演示）", "市领导丁（演示）", "市领导戊（演示）", "市领导己（演示）"}

// demoLeadersEN are the English names of demoLeaders.
var demoLeadersEN = []string{"City leader A (demo)", "City leader B (demo)", "City leader C (demo)", "City leader D (demo)", "City leader E (demo)", "City leader F (demo)"}

type projectGen struct {
	opts       ProjectOptions
	cat        *chanye.Catalog
	asOf       chanye.Date
	pcg        *rand.PCG
	rng        *rand.Rand
	owners     []owner
	byIndustry map[string][]int // industry → indices into owners
	districts  []chanye.District
	distCum    []float64
	industries map[project.Kind]weighted
	leaders    map[string]string // industry → demo leader
	health     []project.Colour
}

type weighted struct {
	ids []string
	cum []float64
}

func newProjectGen(cat *chanye.Catalog, owners []owner, opts ProjectOptions) (*projectGen, error) {
	pg := &projectGen{opts: opts, cat: cat, asOf: opts.AsOf, owners: owners, byIndustry: map[string][]int{},
		industries: map[project.Kind]weighted{}, leaders: map[string]string{}, pcg: rand.NewPCG(0, 0)}
	pg.rng = rand.New(pg.pcg)
	for i, o := range owners {
		for _, id := range o.industries {
			pg.byIndustry[id] = append(pg.byIndustry[id], i)
		}
	}
	acc := 0.0
	for _, d := range cat.Districts {
		acc += cmp.Or(projectDistrictWeights[d.Code], 2)
		pg.districts = append(pg.districts, d)
		pg.distCum = append(pg.distCum, acc)
	}
	if len(pg.districts) == 0 {
		return nil, chanye.Errorf(chanye.EINVALID, "目录没有区县，无法生成演示项目 / the catalog has no districts")
	}
	known := map[string]bool{}
	n := 0
	for _, ind := range cat.Industries {
		known[ind.ID] = true
		if ind.Responsibility.CityLeader == "" {
			pg.leaders[ind.ID] = demoLeaders[n%len(demoLeaders)]
			n++
		}
	}
	fallback := ""
	for _, ind := range cat.Industries {
		if ind.Kind == chanye.KindCluster {
			fallback = ind.ID
			break
		}
	}
	if fallback == "" && len(cat.Industries) > 0 {
		fallback = cat.Industries[0].ID
	}
	if fallback == "" {
		return nil, chanye.Errorf(chanye.EINVALID, "目录没有产业，无法生成演示项目 / the catalog has no industries")
	}
	for kind, ws := range industryWeights {
		var w weighted
		ids := make([]string, 0, len(ws))
		for id := range ws {
			ids = append(ids, id)
		}
		slices.Sort(ids) // map order is random; the draws must not be
		acc := 0.0
		for _, id := range ids {
			if known[id] {
				acc += ws[id]
				w.ids = append(w.ids, id)
				w.cum = append(w.cum, acc)
			}
		}
		if len(w.ids) == 0 {
			w = weighted{ids: []string{fallback}, cum: []float64{1}}
		}
		pg.industries[kind] = w
	}
	for i := range infraTypes {
		if !known[infraTypes[i].industry] {
			infraTypes[i].industry = fallback
		}
	}
	return pg, nil
}

func (pg *projectGen) seed(stream uint64, i int) {
	pg.pcg.Seed(uint64(pg.opts.Seed), 1<<63|stream<<40^uint64(i))
}

// draft is one project before amounts are scaled to the list's total.
type draft struct {
	p      *project.Project
	raw    float64 // yuan, before scaling
	months int     // construction time
	health project.Colour
	gap    float64 // points of progress behind plan
	missed int     // months of reports missing at the end
}

var kindCum = []float64{52, 66, 80, 87, 100} // industrial, infrastructure, retrofit, R&D, services
var kindOrder = []project.Kind{project.KindIndustrial, project.KindInfrastructure, project.KindDigitalRetrofit, project.KindRnD, project.KindServices}

// stageCum draws the stage of a project on a year's list: few still being
// planned, most under construction, some finished.
var stageCum = []float64{4, 8, 12, 18, 72, 83, 95, 100}

func (pg *projectGen) generate() *project.Batch {
	n := pg.opts.Projects
	drafts := make([]draft, n)
	sum := 0.0
	for i := range drafts {
		pg.seed(1, i)
		pg.draft(i, &drafts[i])
		sum += drafts[i].raw
	}
	// Scale to the list's total, keeping whole 万元.
	scale := 0.0
	if sum > 0 {
		scale = pg.opts.TotalYuan / sum
	}
	b := &project.Batch{}
	pg.health = make([]project.Colour, n)
	for i := range drafts {
		d := &drafts[i]
		yuan := math.Max(1e6, math.Round(d.raw*scale/1e4)*1e4)
		d.p.TotalInvestmentFen = chanye.Fen(yuan * 100)
		d.p.YearlyPlan = yearlyPlan(d.p)
		pg.seed(2, i)
		nodes := pg.nodes(d)
		reports := pg.reports(d)
		b.Projects = append(b.Projects, d.p)
		b.Nodes = append(b.Nodes, nodes...)
		b.Reports = append(b.Reports, reports...)
		pg.health[i] = d.health
	}
	return b
}

func (pg *projectGen) draft(i int, d *draft) {
	r := pg.rng
	kind := kindOrder[pick(kindCum, r)]
	p := &project.Project{ID: fmt.Sprintf("GZZD-%04d", i+1), Kind: kind, Demo: true}
	d.p = p
	var name string
	switch kind {
	case project.KindInfrastructure:
		cum := make([]float64, len(infraTypes))
		acc := 0.0
		for j, t := range infraTypes {
			acc += t.weight
			cum[j] = acc
		}
		t := infraTypes[pick(cum, r)]
		p.IndustryID = t.industry
		d.raw = t.median * math.Exp(t.sigma*r.NormFloat64())
		d.months = t.months[0] + r.IntN(t.months[1]-t.months[0]+1)
		name = infraName(t, r)
	default:
		w := pg.industries[kind]
		p.IndustryID = w.ids[pick(w.cum, r)]
		switch kind {
		case project.KindIndustrial:
			d.raw = math.Min(2.5e11, 9e8*math.Exp(0.95*r.NormFloat64()))
			d.months = 18 + r.IntN(19)
		case project.KindDigitalRetrofit:
			d.raw = math.Min(3e10, 1.5e8*math.Exp(0.7*r.NormFloat64()))
			d.months = 8 + r.IntN(11)
		case project.KindRnD:
			d.raw = 1e9 * math.Exp(0.8*r.NormFloat64())
			d.months = 24 + r.IntN(17)
		default:
			d.raw = 2.2e9 * math.Exp(1.0*r.NormFloat64())
			d.months = 30 + r.IntN(25)
		}
	}
	p.DistrictCode = pg.districts[pick(pg.distCum, r)].Code
	o := pg.pickOwner(p.IndustryID, r)
	p.OwnerCode = o.code
	if kind != project.KindInfrastructure {
		words := industryWords[p.IndustryID]
		if len(words) == 0 {
			words = []string{"产业"}
		}
		name = shortName(o.name) + words[r.IntN(len(words))] + kindSuffix[kind][r.IntN(len(kindSuffix[kind]))]
	}
	p.Name = name
	if ind := pg.cat.Industry(p.IndustryID); ind == nil || ind.Responsibility.LeadDepartment == "" {
		p.Department = cmp.Or(leadDepartments[p.IndustryID], "市工业和信息化局")
	}
	p.CityLeader = pg.leaders[p.IndustryID]
	p.Stage = project.Stages[pick(stageCum, r)].Stage

	// Health first, so dates and reports can be shaped to show it. Of the
	// projects still being built or prepared, about two in three are on
	// track, one in four slipping, one in eleven badly behind; finished
	// projects are green. Over the list that makes about three in four
	// green, one in six yellow and one in fifteen red.
	x := r.Float64()
	switch {
	case p.Stage.Ordinal() >= project.StageCompleted.Ordinal():
		d.health = project.Green
	case x < 0.088:
		d.health = project.Red
	case x < 0.345:
		d.health = project.Yellow
	default:
		d.health = project.Green
	}
	pg.dates(d, r)
}

// dates places the planned start and completion around AsOf so that the
// stage and the health hold under the default warning rules.
func (pg *projectGen) dates(d *draft, r *rand.Rand) {
	p := d.p
	asOf := pg.asOf.Time
	dur := time.Duration(d.months) * 30 * 24 * time.Hour
	ord := p.Stage.Ordinal()
	if ord >= project.StageStarted.Ordinal() && ord < project.StageCompleted.Ordinal() {
		// Started: health shows as a gap in progress or missing reports.
		// A project just started has too little progress planned to fall
		// far behind, so it slips by its reports.
		byGap := p.Stage == project.StageBuilding && r.IntN(3) > 0
		switch {
		case d.health == project.Yellow && byGap:
			d.gap = 12 + 16*r.Float64()
		case d.health == project.Yellow:
			d.missed, d.gap = 1, 4*r.Float64()
		case d.health == project.Red && byGap:
			d.gap = 34 + 14*r.Float64()
		case d.health == project.Red:
			d.missed, d.gap = 2+r.IntN(2), 4*r.Float64()
		default:
			d.gap = 6*r.Float64() - 2
		}
	}
	var start time.Time
	switch {
	case ord < project.StageStarted.Ordinal():
		// Not started: the start is ahead, or missed by one month
		// (yellow) or by three or more (red).
		switch d.health {
		case project.Yellow:
			start = monthStart(asOf).AddDate(0, -1, r.IntN(28))
		case project.Red:
			start = monthStart(asOf).AddDate(0, -3-r.IntN(5), r.IntN(28))
		default:
			start = monthStart(asOf).AddDate(0, 1+r.IntN(10), r.IntN(28))
		}
	case p.Stage == project.StageStarted:
		start = monthStart(asOf).AddDate(0, -1-d.missed-r.IntN(2), r.IntN(28))
	case p.Stage == project.StageBuilding:
		// Somewhere between a tenth and nine tenths of the way through,
		// far enough for the gap to show.
		frac := math.Max(0.1+0.8*r.Float64(), math.Min(0.92, d.gap/100+0.15))
		start = asOf.Add(-time.Duration(frac * float64(dur)))
	case p.Stage == project.StageCompleted:
		start = asOf.AddDate(0, -r.IntN(8)-1, 0).Add(-dur)
	case p.Stage == project.StageOperating:
		start = asOf.AddDate(0, -3-r.IntN(20), 0).Add(-dur)
	default:
		start = asOf.AddDate(0, -13-r.IntN(24), 0).Add(-dur)
	}
	p.PlannedStart = chanye.DateOf(start)
	p.PlannedCompletion = chanye.DateOf(start.Add(dur))
}

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// yearlyPlan spreads the total over the calendar years of construction in
// proportion to the days of each, so planned progress is linear in time.
func yearlyPlan(p *project.Project) []project.YearPlan {
	start, end := p.PlannedStart.Time, p.PlannedCompletion.Time
	total := float64(end.Sub(start))
	var out []project.YearPlan
	var sum chanye.Fen
	for y := start.Year(); y <= end.Year(); y++ {
		ys := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		ws, we := maxTime(ys, start), ys.AddDate(1, 0, 0)
		if end.Before(we) {
			we = end
		}
		share := float64(we.Sub(ws)) / total
		fen := chanye.Fen(math.Floor(float64(p.TotalInvestmentFen)*share/1e6) * 1e6) // whole 万元
		if y == end.Year() {
			fen = p.TotalInvestmentFen - sum
		}
		if fen < 0 {
			fen = 0
		}
		sum += fen
		out = append(out, project.YearPlan{Year: y, PlannedFen: fen})
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// nodes places the kind's nodes and gives the past ones actual dates: most
// on time or a few days off, some weeks or months late; a few past nodes of
// slipping projects are still open.
func (pg *projectGen) nodes(d *draft) []*project.Node {
	r := pg.rng
	p := d.p
	ns := project.NodesFor(p.Kind, p.PlannedStart, p.PlannedCompletion)
	started := p.Stage.Ordinal() >= project.StageStarted.Ordinal()
	for _, n := range ns {
		n.ProjectID = p.ID
		if !n.PlannedDate.Before(pg.asOf.Time) {
			continue
		}
		done := true
		switch {
		case n.Name == project.StartNode:
			done = started
		case n.PlannedDate.After(p.PlannedStart.Time) && !n.PlannedDate.After(p.PlannedCompletion.Time):
			// During construction: a node that late projects have not
			// reached yet.
			done = started && (d.gap < 10 || r.IntN(3) == 0)
			if n.PlannedDate.Equal(p.PlannedCompletion.Time) {
				done = p.Stage.Ordinal() >= project.StageCompleted.Ordinal()
			}
		case n.PlannedDate.After(p.PlannedCompletion.Time):
			done = p.Stage.Ordinal() >= project.StageOperating.Ordinal() && (p.Stage == project.StageFullOutput || !strings.Contains(n.Name, "达产"))
		default:
			// Approvals before the start: done, except the last ones of
			// projects whose start has slipped.
			done = started || d.health == project.Green || r.IntN(2) == 0
		}
		if !done {
			continue
		}
		var late int
		switch x := r.Float64(); {
		case x < 0.70:
			late = r.IntN(15) - 10
		case x < 0.92:
			late = 5 + r.IntN(25)
		default:
			late = 30 + r.IntN(60)
		}
		act := n.PlannedDate.AddDate(0, 0, late)
		if act.After(pg.asOf.Time) {
			act = pg.asOf.AddDate(0, 0, -1)
		}
		if n.Name == project.StartNode && act.After(pg.asOf.Time) {
			act = pg.asOf.Time
		}
		n.ActualDate = chanye.DateOf(act)
		if r.IntN(3) == 0 {
			n.Evidence = project.Evidence{Note: "演示：" + n.Name + "已完成 / demo: done", File: fmt.Sprintf("%s-%d.pdf", p.ID, n.Seq)}
		}
	}
	return ns
}

// reports writes a monthly report for every month from the start to the
// month before AsOf, with cumulative investment and progress following the
// plan less the project's gap; projects with missing reports stop early.
func (pg *projectGen) reports(d *draft) []*project.Report {
	p := d.p
	if p.Stage.Ordinal() < project.StageStarted.Ordinal() {
		return nil
	}
	r := pg.rng
	first := monthStart(p.PlannedStart.Time)
	last := monthStart(pg.asOf.Time).AddDate(0, -1-d.missed, 0)
	if p.Stage.Ordinal() >= project.StageCompleted.Ordinal() {
		if c := monthStart(p.PlannedCompletion.Time).AddDate(0, 1, 0); c.Before(last) {
			last = c
		}
	}
	// Reports are a little ahead of their month's plan by as much as AsOf
	// is past the last report, so that a project on track is still within
	// the plan's tolerance on AsOf.
	lead := pg.asOf.Sub(last.AddDate(0, 1, -1))
	var out []*project.Report
	var cum chanye.Fen
	prevProgress := 0.0
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		end := chanye.DateOf(m.AddDate(0, 1, -1).Add(lead))
		planned := project.PlannedProgress(p, end)
		// The gap opens over the first months.
		gap := d.gap * math.Min(1, float64(len(out)+1)/4)
		progress := math.Round(math.Max(prevProgress, math.Min(100, math.Max(0, planned-gap)))*10) / 10
		if p.Stage.Ordinal() >= project.StageCompleted.Ordinal() && !m.Before(monthStart(p.PlannedCompletion.Time)) {
			progress = 100
		}
		target := chanye.Fen(float64(p.TotalInvestmentFen) * progress / 100 * (0.97 + 0.03*r.Float64()))
		target = target / 1e6 * 1e6
		inv := max(0, target-cum)
		cum += inv
		rep := &project.Report{ProjectID: p.ID, Month: m.Format("2006-01"), InvestedFen: inv, CumulativeFen: cum,
			ProgressPct: progress, ReportedBy: p.OwnerCode,
			ReportedAt: m.AddDate(0, 1, 3+r.IntN(5)).Add(time.Duration(9+r.IntN(8)) * time.Hour)}
		if d.gap >= 10 && len(out)%3 == 0 {
			rep.Problems = problems[r.IntN(len(problems))]
		}
		out = append(out, rep)
		prevProgress = progress
	}
	return out
}

var problems = []string{
	"用地报批进度滞后，需协调市规划和自然资源局加快办理",
	"征地拆迁未完成，影响施工作业面移交",
	"施工许可办理中，需加快审批",
	"资金到位不足，融资审批进行中",
	"设备进口交付延期",
	"管线迁改需协调供电、燃气单位",
	"环评批复尚未取得",
}

// pickOwner draws an owner from the industry's pool of its larger firms,
// or from all pools when the industry has no firm.
func (pg *projectGen) pickOwner(industry string, r *rand.Rand) owner {
	c := pg.byIndustry[industry]
	if len(c) == 0 {
		return pg.owners[r.IntN(len(pg.owners))]
	}
	return pg.owners[c[r.IntN(len(c))]]
}

// shortName drops the company form and the city from a firm's name, the
// way project names cite their owners.
func shortName(name string) string {
	for _, s := range []string{"股份有限公司", "有限责任公司", "有限公司", "集团", "（广州）", "(广州)"} {
		name = strings.TrimSuffix(name, s)
	}
	for _, s := range []string{"广州市", "广州", "广东省", "广东"} {
		name = strings.TrimPrefix(name, s)
	}
	return name
}

func infraName(t infraType, r *rand.Rand) string {
	pat := t.names[r.IntN(len(t.names))]
	phase := phases[r.IntN(len(phases))]
	switch {
	case strings.HasPrefix(pat, "广州地铁"):
		return fmt.Sprintf(pat, 3+r.IntN(27), phase)
	case strings.HasPrefix(pat, "广州至"):
		return fmt.Sprintf(pat, cityNames[r.IntN(len(cityNames))], phase)
	case strings.Count(pat, "%s") == 2:
		return fmt.Sprintf(pat, placeNames[r.IntN(len(placeNames))], phase)
	}
	return fmt.Sprintf(pat, placeNames[r.IntN(len(placeNames))])
}
