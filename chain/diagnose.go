package chain

import (
	"context"
	"fmt"
	"strings"

	"github.com/chanye-org/chanye"
)

// LinkStats are a link's figures for a fiscal year, computed by a
// placement from the firms on the link or its sub-links (each counted
// once): the inputs of the diagnosis. Money is in fen. A revenue no firm
// reported is nil — unknown, not zero.
type LinkStats struct {
	LinkID string `json:"link_id"`
	Year   int    `json:"year"`
	// Firms on the link that were founded by the end of the year.
	Firms int64 `json:"firms"`
	// BySize counts them by today's size class ("" when unknown).
	BySize map[chanye.SizeClass]int64 `json:"by_size"`
	// Tiers counts the firms holding each tier at the end of the year.
	Tiers map[chanye.TierKind]int64 `json:"tiers"`
	// Reported firms gave a revenue for the year; Revenue is its sum.
	Reported   int64  `json:"reported"`
	Revenue    *int64 `json:"revenue_fen"`
	TopCode    string `json:"top_code,omitempty"` // the firm with the largest revenue
	TopRevenue *int64 `json:"top_revenue_fen"`
	// Comparable firms reported both this year and the one before; their
	// revenues of the two years give the growth.
	Comparable     int64 `json:"comparable"`
	ComparableNow  int64 `json:"comparable_fen"`
	ComparablePrev int64 `json:"comparable_prev_fen"`
	// Projects are the key projects of the link's firms; Investment their
	// total planned investment.
	Projects   int64 `json:"projects"`
	Investment int64 `json:"investment_fen"`
	// Paid is what policies paid the link's firms in the year (payments,
	// adjustments and reversals netted).
	Paid int64 `json:"paid_fen"`
}

// Leaders counts the firms that lead: 链主, 龙头, 单项冠军 and 小巨人 (a firm
// holding several is counted under each; the thresholds speak of tiers).
func (s *LinkStats) Leaders() int64 {
	return s.Tiers[chanye.TierChainLeader] + s.Tiers[chanye.TierLeading] + s.Tiers[chanye.TierSingleChampion] + s.Tiers[chanye.TierLittleGiant]
}

// TopShare is the top firm's share of the link's revenue in per mille,
// false when no revenue is known.
func (s *LinkStats) TopShare() (int64, bool) {
	if s.Revenue == nil || s.TopRevenue == nil || *s.Revenue <= 0 {
		return 0, false
	}
	return *s.TopRevenue * 1000 / *s.Revenue, true
}

// Growth is the comparable firms' revenue growth in per mille, false when
// none reported both years.
func (s *LinkStats) Growth() (int64, bool) {
	if s.Comparable == 0 || s.ComparablePrev <= 0 {
		return 0, false
	}
	return (s.ComparableNow - s.ComparablePrev) * 1000 / s.ComparablePrev, true
}

// Thresholds classify links strong / weak / missing. They are edited by an
// administrator like the warning rules of projects; Default applies until.
type Thresholds struct {
	// A link with fewer 规上 firms than MissingAboveScale is missing (缺失).
	MissingAboveScale int64 `json:"missing_above_scale"`
	// A link is strong (强) with at least StrongAboveScale 规上 firms, at
	// least StrongLeaders leading firms, a top firm's share of revenue of at
	// most MaxTopShare ‰ and comparable growth of at least MinGrowth ‰
	// (when known); otherwise weak (弱).
	StrongAboveScale int64 `json:"strong_above_scale"`
	StrongLeaders    int64 `json:"strong_leaders"`
	MaxTopShare      int64 `json:"max_top_share"`
	MinGrowth        int64 `json:"min_growth"`
}

// DefaultThresholds are the thresholds a city starts with.
func DefaultThresholds() Thresholds {
	return Thresholds{MissingAboveScale: 1, StrongAboveScale: 10, StrongLeaders: 1, MaxTopShare: 500, MinGrowth: 0}
}

// The bounds of the thresholds.
const (
	MaxThresholdFirms = 100_000 // firms in a count threshold
	MinGrowthBound    = -1000   // ‰: a halving is -500
	MaxGrowthBound    = 10_000  // ‰: ten-fold growth
)

// Validate checks the thresholds against their bounds.
func (t *Thresholds) Validate() error {
	bad := map[string]string{}
	count := func(key string, v int64, min int64) {
		if v < min || v > MaxThresholdFirms {
			bad[key] = fmt.Sprintf("须为 %d–%d 家 / must be %d–%d firms", min, MaxThresholdFirms, min, MaxThresholdFirms)
		}
	}
	count("missing_above_scale", t.MissingAboveScale, 0)
	count("strong_above_scale", t.StrongAboveScale, 0)
	count("strong_leaders", t.StrongLeaders, 0)
	if t.StrongAboveScale < t.MissingAboveScale && bad["strong_above_scale"] == "" {
		bad["strong_above_scale"] = "不能少于缺失线 / must not be below the missing threshold"
	}
	if t.MaxTopShare < 0 || t.MaxTopShare > 1000 {
		bad["max_top_share"] = "须为 0–1000‰ / must be 0–1000 per mille"
	}
	if t.MinGrowth < MinGrowthBound || t.MinGrowth > MaxGrowthBound {
		bad["min_growth"] = fmt.Sprintf("须为 %d–%d‰ / must be %d–%d per mille", MinGrowthBound, MaxGrowthBound, MinGrowthBound, MaxGrowthBound)
	}
	return chanye.Invalid("诊断阈值有误 / invalid thresholds", bad)
}

// Verdict is a link's strength.
type Verdict string

// The verdicts.
const (
	Strong  Verdict = "strong"  // 强
	Weak    Verdict = "weak"    // 弱
	Missing Verdict = "missing" // 缺失
	Unknown Verdict = "unknown" // 未诊断: not placed yet
)

// NameZH returns the verdict's Chinese name.
func (v Verdict) NameZH() string {
	switch v {
	case Strong:
		return "强"
	case Weak:
		return "弱"
	case Missing:
		return "缺失"
	}
	return "未诊断"
}

// NameEN returns the verdict's English name.
func (v Verdict) NameEN() string {
	switch v {
	case Strong:
		return "strong"
	case Weak:
		return "weak"
	case Missing:
		return "missing"
	}
	return "not diagnosed"
}

// Reason is one sentence of a verdict's explanation.
type Reason struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Diagnosis is a link's verdict for a year, explained, with the previous
// year's for the change.
type Diagnosis struct {
	LinkID  string     `json:"link_id"`
	Year    int        `json:"year"`
	Verdict Verdict    `json:"verdict"`
	Reasons []Reason   `json:"reasons"`
	Stats   *LinkStats `json:"stats,omitempty"`
	// Previous is the verdict on the year before, Unknown without figures.
	Previous Verdict `json:"previous"`
}

// Judge classifies one year's figures. The reasons say why, in numbers
// and against the thresholds.
func (t Thresholds) Judge(s *LinkStats) (Verdict, []Reason) {
	if s == nil {
		return Unknown, []Reason{{"未诊断：尚未挂链，运行 chanye chains place", "not diagnosed: no placement yet; run chanye chains place"}}
	}
	above := s.Tiers[chanye.TierAboveScale]
	if above < t.MissingAboveScale {
		if above == 0 {
			return Missing, []Reason{{fmt.Sprintf("缺失：本地无规上企业（在链企业 %d 家）", s.Firms),
				fmt.Sprintf("missing: no local firm above designated size (%d firms on the link)", s.Firms)}}
		}
		return Missing, []Reason{{fmt.Sprintf("缺失：规上企业 %d 家，少于 %d 家", above, t.MissingAboveScale),
			fmt.Sprintf("missing: %d firms above designated size, fewer than %d", above, t.MissingAboveScale)}}
	}
	var why []Reason
	if above < t.StrongAboveScale {
		why = append(why, Reason{fmt.Sprintf("规上企业 %d 家，少于 %d 家", above, t.StrongAboveScale),
			fmt.Sprintf("%d firms above designated size, fewer than %d", above, t.StrongAboveScale)})
	}
	if l := s.Leaders(); l < t.StrongLeaders {
		why = append(why, Reason{fmt.Sprintf("链主、龙头、单项冠军、小巨人 %d 家，少于 %d 家", l, t.StrongLeaders),
			fmt.Sprintf("%d leading firms (chain leaders, leaders, champions, little giants), fewer than %d", l, t.StrongLeaders)})
	}
	if share, ok := s.TopShare(); ok && share > t.MaxTopShare {
		why = append(why, Reason{fmt.Sprintf("首位企业占营收 %s，高于 %s，过于集中", permille(share), permille(t.MaxTopShare)),
			fmt.Sprintf("the top firm holds %s of revenue, above %s: too concentrated", permille(share), permille(t.MaxTopShare))})
	}
	if g, ok := s.Growth(); ok && g < t.MinGrowth {
		why = append(why, Reason{fmt.Sprintf("可比营收增长 %s，低于 %s", permille(g), permille(t.MinGrowth)),
			fmt.Sprintf("comparable revenue grew %s, below %s", permille(g), permille(t.MinGrowth))})
	}
	if len(why) > 0 {
		for i := range why {
			why[i].ZH, why[i].EN = "弱："+why[i].ZH, "weak: "+why[i].EN
		}
		return Weak, why
	}
	zh := fmt.Sprintf("强：规上企业 %d 家（不少于 %d），链主、龙头等 %d 家", above, t.StrongAboveScale, s.Leaders())
	en := fmt.Sprintf("strong: %d firms above designated size (at least %d), %d leading firms", above, t.StrongAboveScale, s.Leaders())
	if share, ok := s.TopShare(); ok {
		zh += "，首位企业占营收 " + permille(share)
		en += ", the top firm holds " + permille(share) + " of revenue"
	}
	if g, ok := s.Growth(); ok {
		zh += "，可比营收增长 " + permille(g)
		en += ", comparable revenue grew " + permille(g)
	}
	return Strong, []Reason{{zh, en}}
}

// permille writes a per-mille figure as a percentage with one decimal.
func permille(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%d%%", sign, v/10, v%10)
}

// Diagnose judges every link of the set on the year's figures (stats keyed
// by link id and year), with the previous year's verdict.
func (t Thresholds) Diagnose(set *Set, stats map[string]map[int]*LinkStats, year int) []*Diagnosis {
	var out []*Diagnosis
	for _, ch := range set.Chains {
		for _, l := range ch.Links {
			now := stats[l.ID][year]
			v, why := t.Judge(now)
			d := &Diagnosis{LinkID: l.ID, Year: year, Verdict: v, Reasons: why, Stats: now, Previous: Unknown}
			if prev := stats[l.ID][year-1]; prev != nil && now != nil {
				d.Previous, _ = t.Judge(prev)
			}
			out = append(out, d)
		}
	}
	return out
}

// Change says how a verdict moved from the year before.
func (d *Diagnosis) Change() Reason {
	switch {
	case d.Previous == Unknown || d.Verdict == Unknown:
		return Reason{"上年：无数据", "last year: no figures"}
	case d.Previous == d.Verdict:
		return Reason{"与上年相同（" + d.Verdict.NameZH() + "）", "as last year (" + d.Verdict.NameEN() + ")"}
	}
	return Reason{"上年为" + d.Previous.NameZH() + "，今年为" + d.Verdict.NameZH(),
		"was " + d.Previous.NameEN() + " last year, " + d.Verdict.NameEN() + " now"}
}

// DiagnosisService reads the figures of the last placement and keeps the
// thresholds.
type DiagnosisService interface {
	// FindLinkStats returns the figures of every link for the year and
	// the one before, keyed by link id and year.
	FindLinkStats(ctx context.Context, year int) (map[string]map[int]*LinkStats, error)
	// FindThresholds returns the thresholds in force.
	FindThresholds(ctx context.Context) (Thresholds, error)
	// PutThresholds replaces them. EINVALID.
	PutThresholds(ctx context.Context, t Thresholds) error
}

// VerdictCounts counts a diagnosis's verdicts, for a chain's summary.
func VerdictCounts(ds []*Diagnosis) map[Verdict]int {
	out := map[Verdict]int{}
	for _, d := range ds {
		out[d.Verdict]++
	}
	return out
}

// JoinReasons writes reasons in one language, separated by semicolons.
func JoinReasons(rs []Reason, en bool) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.ZH
		if en {
			parts[i] = r.EN
		}
	}
	sep := "；"
	if en {
		sep = "; "
	}
	return strings.Join(parts, sep)
}

// Placements serves placement and diagnosis together, as the store does.
type Placements interface {
	PlacementService
	DiagnosisService
}
