package space

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/chanye-org/chanye"
)

// SizeRule routes a project to a kind of space by its size (大项目供地、中
// 项目供楼、小项目租赁厂房): a project of at least LargeFen planned
// investment or LargeAreaM2 needed area is large and gets land; else one
// of at least MediumFen or MediumAreaM2 is medium and gets floors; the
// rest are small and rent plants. The city sets the thresholds
// (DefaultRule until it does).
type SizeRule struct {
	LargeFen     chanye.Fen `json:"large_fen"`
	LargeAreaM2  int64      `json:"large_area_m2"`
	MediumFen    chanye.Fen `json:"medium_fen"`
	MediumAreaM2 int64      `json:"medium_area_m2"`
}

// DefaultRule is the size rule before the city sets its own: land from
// 5 亿元 or 20,000 m² (30 亩), floors from 5,000 万元 or 2,000 m².
var DefaultRule = SizeRule{LargeFen: 500_000_000_00, LargeAreaM2: 20_000, MediumFen: 50_000_000_00, MediumAreaM2: 2_000}

// Validate checks a rule: positive thresholds within chanye.MaxProjectFen
// and MaxUnitAreaM2, the medium below the large.
func (r SizeRule) Validate() error {
	bad := map[string]string{}
	for k, f := range map[string]chanye.Fen{"large_fen": r.LargeFen, "medium_fen": r.MediumFen} {
		if msg := chanye.CheckFen(f, chanye.MaxProjectFen); msg != "" {
			bad[k] = msg
		} else if f == 0 {
			bad[k] = "须大于 0 / must be more than 0"
		}
	}
	checkRange("large_area_m2", r.LargeAreaM2, 1, MaxUnitAreaM2, bad)
	checkRange("medium_area_m2", r.MediumAreaM2, 1, MaxUnitAreaM2, bad)
	if len(bad) == 0 && (r.MediumFen >= r.LargeFen || r.MediumAreaM2 >= r.LargeAreaM2) {
		bad["medium_fen"] = "中项目门槛须低于大项目 / a medium project's thresholds must be below a large one's"
	}
	return chanye.Invalid("分级规则有误 / invalid size rule", bad)
}

// KindFor returns the kind of space a project of investment and needed
// area gets, and why in words.
func (r SizeRule) KindFor(investment chanye.Fen, areaM2 int64) (Kind, Reason) {
	switch {
	case investment >= r.LargeFen || areaM2 >= r.LargeAreaM2:
		return Land, Reason{TextZH: "大项目供地", TextEN: "a large project gets land"}
	case investment >= r.MediumFen || areaM2 >= r.MediumAreaM2:
		return Floor, Reason{TextZH: "中项目供楼", TextEN: "a medium project gets floors"}
	}
	return Plant, Reason{TextZH: "小项目租赁厂房", TextEN: "a small project rents a plant"}
}

// Needs are what a project or a lead asks of a space. Kind "" is the
// size rule's for InvestmentFen and AreaM2; zero numbers and empty lists
// ask nothing.
type Needs struct {
	Kind          Kind        `json:"kind,omitempty"`
	InvestmentFen chanye.Fen  `json:"investment_fen,omitempty"`
	AreaM2        int64       `json:"area_m2"`
	IndustryID    string      `json:"industry_id,omitempty"`
	PowerKVA      int         `json:"power_kva,omitempty"`
	Env           EnvClass    `json:"env_class,omitempty"`
	Districts     []string    `json:"districts,omitempty"` // preferred, any of them
	By            chanye.Date `json:"by,omitzero"`         // needed by
	// Floors.
	LoadKgM2    int  `json:"load_kg_m2,omitempty"`
	CeilingCM   int  `json:"ceiling_cm,omitempty"`
	FreightLift bool `json:"freight_lift,omitempty"`
	// MaxRentFenM2Month is the most rent per m² and month it would pay
	// (floors and plants); nil: no limit.
	MaxRentFenM2Month *chanye.Fen `json:"max_rent_fen_m2_month,omitempty"`
}

// Validate checks needs: an area of 1 m² to MaxUnitAreaM2, the numbers
// within the units' bounds, a known kind or "", a known environmental
// class, districts of six digits.
func (n *Needs) Validate() error {
	bad := map[string]string{}
	if n.Kind != "" && !n.Kind.Valid() {
		bad["kind"] = "须为 land、floor、plant 或空 / must be land, floor, plant or empty"
	}
	if msg := chanye.CheckFen(n.InvestmentFen, chanye.MaxProjectFen); msg != "" {
		bad["investment_fen"] = msg
	}
	checkRange("area_m2", n.AreaM2, 1, MaxUnitAreaM2, bad)
	checkRange("power_kva", int64(n.PowerKVA), 0, MaxPowerKVA, bad)
	checkRange("load_kg_m2", int64(n.LoadKgM2), 0, MaxLoadKgM2, bad)
	checkRange("ceiling_cm", int64(n.CeilingCM), 0, MaxCeilingCM, bad)
	if !n.Env.Valid() {
		bad["env_class"] = "须为 1（M1）、2（M2）或 3（M3）/ must be 1 (M1), 2 (M2) or 3 (M3)"
	}
	for _, d := range n.Districts {
		if !sixDigits(d) {
			bad["districts"] = "须为 6 位区县代码 / district codes of 6 digits"
		}
	}
	if n.MaxRentFenM2Month != nil {
		if msg := chanye.CheckFen(*n.MaxRentFenM2Month, MaxRentFenM2Month); msg != "" {
			bad["max_rent_fen_m2_month"] = msg
		}
	}
	return chanye.Invalid("用地需求有误 / invalid needs", bad)
}

// Reason is a reason in words, with the points it gave a candidate.
type Reason struct {
	TextZH string `json:"text_zh"`
	TextEN string `json:"text_en"`
	Points int    `json:"points,omitempty"`
}

// Candidate is a unit proposed for needs: its score (0–100), why, and
// what it does not meet.
type Candidate struct {
	Unit    *Unit    `json:"unit"`
	Block   *Block   `json:"block,omitempty"`
	Score   int      `json:"score"`
	Reasons []Reason `json:"reasons"`
	Unmet   []Reason `json:"unmet"`
}

// Routing is the answer to needs: the kind of space and why, and the
// candidates, the best first.
type Routing struct {
	Kind       Kind        `json:"kind"`
	Why        Reason      `json:"why"`
	Candidates []Candidate `json:"candidates"`
	// Considered counts the available units of the kind.
	Considered int `json:"considered"`
}

// The points of a candidate. A unit too small for the area, in a block
// not planned for the industry, short of power, of a stricter
// environmental class, out of the preferred districts, not available by
// the day, or dearer than the rent asked scores nothing for that need and
// lists it unmet; a candidate with unmet needs stays in the list, below
// those that meet them.
const (
	PointsArea     = 30 // at least the area needed
	PointsAreaFit  = 10 // and at most half as large again: no land wasted
	PointsIndustry = 20 // the block is planned for the industry
	PointsDistrict = 10 // in a preferred district
	PointsPower    = 10
	PointsEnv      = 10
	PointsDate     = 5 // available by the day needed
	PointsFloor    = 5 // load, ceiling and freight lift as asked (floors)
	PointsRent     = 0 // within the rent asked: a need, not a preference
	MaxCandidates  = 50
)

// Route returns the kind of space the needs get (theirs, or the size
// rule's) and the available units of that kind (one available only after
// the day needed lists it unmet), the best first: by unmet needs (fewest first), score, then the smaller area
// (the least land for the need), then id; at most limit (MaxCandidates
// when 0 or more). blocks gives each unit's block by id. The same input
// gives the same answer.
func Route(units []*Unit, blocks map[int64]*Block, n Needs, rule SizeRule, limit int) Routing {
	out := Routing{Kind: n.Kind}
	if n.Kind == "" {
		out.Kind, out.Why = rule.KindFor(n.InvestmentFen, n.AreaM2)
	} else {
		out.Why = Reason{TextZH: "按所选类型：" + n.Kind.NameZH(), TextEN: "as asked: " + n.Kind.NameEN()}
	}
	if limit <= 0 || limit > MaxCandidates {
		limit = MaxCandidates
	}
	for _, u := range units {
		if u.Kind != out.Kind || u.Status != Available {
			continue
		}
		out.Considered++
		out.Candidates = append(out.Candidates, score(u, blocks[u.BlockID], n))
	}
	slices.SortFunc(out.Candidates, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(len(a.Unmet), len(b.Unmet)), cmp.Compare(b.Score, a.Score),
			cmp.Compare(a.Unit.AreaM2, b.Unit.AreaM2), cmp.Compare(a.Unit.ID, b.Unit.ID))
	})
	if len(out.Candidates) > limit {
		out.Candidates = out.Candidates[:limit]
	}
	return out
}

// score scores unit u of block b against needs n.
func score(u *Unit, b *Block, n Needs) Candidate {
	c := Candidate{Unit: u, Block: b}
	met := func(points int, zh, en string) {
		c.Score += points
		c.Reasons = append(c.Reasons, Reason{TextZH: zh, TextEN: en, Points: points})
	}
	unmet := func(zh, en string) { c.Unmet = append(c.Unmet, Reason{TextZH: zh, TextEN: en}) }

	if u.AreaM2 >= n.AreaM2 {
		met(PointsArea, fmt.Sprintf("面积 %d 平方米，满足所需 %d 平方米", u.AreaM2, n.AreaM2), fmt.Sprintf("%d m², at least the %d m² needed", u.AreaM2, n.AreaM2))
		if u.AreaM2*2 <= n.AreaM2*3 {
			met(PointsAreaFit, "面积与需求相当，不浪费", "close to the area needed: nothing wasted")
		}
	} else {
		unmet(fmt.Sprintf("面积 %d 平方米，少于所需 %d 平方米", u.AreaM2, n.AreaM2), fmt.Sprintf("%d m², less than the %d m² needed", u.AreaM2, n.AreaM2))
	}
	if n.IndustryID != "" && b != nil {
		if slices.Contains(b.Industries, n.IndustryID) {
			met(PointsIndustry, "区块规划主导产业相符", "the block is planned for the industry")
		} else {
			unmet("区块未规划该产业", "the block is not planned for the industry")
		}
	}
	if len(n.Districts) > 0 && b != nil {
		if slices.Contains(n.Districts, b.DistrictCode) {
			met(PointsDistrict, "位于意向区", "in a district asked for")
		} else {
			unmet("不在意向区", "not in a district asked for")
		}
	}
	if n.PowerKVA > 0 {
		switch {
		case u.PowerKVA >= n.PowerKVA:
			met(PointsPower, fmt.Sprintf("供电容量 %d 千伏安，满足 %d", u.PowerKVA, n.PowerKVA), fmt.Sprintf("%d kVA of power, enough for %d", u.PowerKVA, n.PowerKVA))
		case u.PowerKVA == 0:
			unmet("供电容量未知", "power capacity unknown")
		default:
			unmet(fmt.Sprintf("供电容量 %d 千伏安，不足 %d", u.PowerKVA, n.PowerKVA), fmt.Sprintf("%d kVA of power, short of %d", u.PowerKVA, n.PowerKVA))
		}
	}
	if n.Env > 0 {
		switch {
		case u.Env >= n.Env:
			met(PointsEnv, fmt.Sprintf("环境类别 %s 允许 %s 类用途", u.Env, n.Env), fmt.Sprintf("environmental class %s allows a use of %s", u.Env, n.Env))
		case u.Env == 0:
			unmet("环境类别未知", "environmental class unknown")
		default:
			unmet(fmt.Sprintf("环境类别 %s 不允许 %s 类用途", u.Env, n.Env), fmt.Sprintf("environmental class %s does not allow a use of %s", u.Env, n.Env))
		}
	}
	if !n.By.IsZero() {
		if u.AvailableOn.After(n.By.Time) {
			unmet("可供日期 "+u.AvailableOn.String()+" 晚于所需", "available on "+u.AvailableOn.String()+", after the day needed")
		} else {
			met(PointsDate, "按期可供", "available by the day needed")
		}
	}
	if u.Kind == Floor && (n.LoadKgM2 > 0 || n.CeilingCM > 0 || n.FreightLift) {
		ok := true
		if n.LoadKgM2 > 0 && u.LoadKgM2 < n.LoadKgM2 {
			ok = false
			unmet(fmt.Sprintf("楼面荷载 %d 千克/平方米，不足 %d", u.LoadKgM2, n.LoadKgM2), fmt.Sprintf("floor load %d kg/m², short of %d", u.LoadKgM2, n.LoadKgM2))
		}
		if n.CeilingCM > 0 && u.CeilingCM < n.CeilingCM {
			ok = false
			unmet(fmt.Sprintf("层高 %d 厘米，不足 %d", u.CeilingCM, n.CeilingCM), fmt.Sprintf("clear height %d cm, short of %d", u.CeilingCM, n.CeilingCM))
		}
		if n.FreightLift && !u.FreightLift {
			ok = false
			unmet("没有货梯", "no freight lift")
		}
		if ok {
			met(PointsFloor, "荷载、层高和货梯满足要求", "load, clear height and freight lift as asked")
		}
	}
	if n.MaxRentFenM2Month != nil && u.Kind != Land {
		switch {
		case u.RentFenM2Month == nil:
			unmet("租金未知", "rent unknown")
		case *u.RentFenM2Month > *n.MaxRentFenM2Month:
			unmet("租金高于可承受", "the rent is above what is asked")
		default:
			met(PointsRent, "租金在可承受范围内", "the rent is within what is asked")
		}
	}
	c.Score = min(c.Score, 100)
	return c
}
