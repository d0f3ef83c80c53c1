package project

import (
	"fmt"
	"math"
	"slices"

	"github.com/chanye-org/chanye"
)

// TrackStatus says whether an industry will reach its target.
type TrackStatus string

// The statuses of a target.
const (
	OnTrack  TrackStatus = "on_track"
	AtRisk   TrackStatus = "at_risk"
	OffTrack TrackStatus = "off_track"
)

// Point is one year's value on a trajectory, in yuan.
type Point struct {
	Year  int   `json:"year"`
	Value int64 `json:"value_yuan"`
}

// Track is an industry against its target: the trajectory from its first
// yearly value to the target at the constant rate that reaches it, the
// yearly values seen, the growth required from the latest value and the
// growth achieved, the projection for the target year and a status.
type Track struct {
	IndustryID   string          `json:"industry_id"`
	Target       chanye.Target   `json:"target"`
	Trajectory   []Point         `json:"trajectory"`
	Actual       []Point         `json:"actual"`
	RequiredRate float64         `json:"required_rate"` // yearly, from the latest value
	ActualRate   float64         `json:"actual_rate"`   // compound yearly, over the series
	Projection   int64           `json:"projection_yuan"`
	Status       TrackStatus     `json:"status"`
	ReasonZH     string          `json:"reason_zh"`
	ReasonEN     string          `json:"reason_en"`
	Progress     chanye.Progress `json:"progress"`
}

// TargetStatus measures an industry against its target with
// chanye.ComputeProgress, using the yearly values of years up to asOf's.
// It returns nil when the industry has no target or no yearly value.
//
// The status is on track when the projection (the latest value grown at
// the actual rate until the target year) reaches the target; at risk when
// the projection reaches 90 % of the target or the actual rate is at least
// 80 % of the required one; off track otherwise. With a single year of data
// there is no actual rate: the status is at risk unless that value already
// reaches the target.
func TargetStatus(ind *chanye.Industry, values []*chanye.Indicator, asOf chanye.Date) *Track {
	if ind == nil || ind.Target == nil {
		return nil
	}
	var seen []*chanye.Indicator
	for _, v := range values {
		if v.IndustryID == ind.ID && len(v.Period) == 4 && v.Year() <= asOf.Year() {
			seen = append(seen, v)
		}
	}
	p := chanye.ComputeProgress(ind.Target, seen)
	if p == nil {
		return nil
	}
	t := &Track{IndustryID: ind.ID, Target: *ind.Target, RequiredRate: p.RequiredRate, ActualRate: p.ActualRate,
		Projection: p.ProjectedValue, Progress: *p}
	for y := p.BaseYear; y <= p.Target.Year; y++ {
		v := float64(p.BaseValue) * math.Pow(1+p.RequiredFromAll, float64(y-p.BaseYear))
		if y == p.Target.Year {
			v = float64(p.Target.ValueYuan)
		}
		t.Trajectory = append(t.Trajectory, Point{y, int64(math.Round(v))})
	}
	for _, v := range seen {
		if v.Metric == chanye.TargetMetric {
			t.Actual = append(t.Actual, Point{v.Year(), v.Value})
		}
	}
	slices.SortFunc(t.Actual, func(a, b Point) int { return a.Year - b.Year })
	pct := func(x float64) string { return fmt.Sprintf("%.1f%%", x*100) }
	share := float64(p.ProjectedValue) / float64(p.Target.ValueYuan)
	switch {
	case p.ProjectedReach:
		t.Status = OnTrack
		t.ReasonZH = fmt.Sprintf("按年均增速 %s 推算，%d 年可达 %s（目标的 %.0f%%）", pct(p.ActualRate), p.Target.Year, yi(p.ProjectedValue), share*100)
		t.ReasonEN = fmt.Sprintf("at %s a year the projection for %d is %s (%.0f%% of the target)", pct(p.ActualRate), p.Target.Year, yi(p.ProjectedValue), share*100)
	case !p.HasActualRate:
		t.Status = AtRisk
		t.ReasonZH = fmt.Sprintf("仅有 %d 年一年数据，无法计算增速；需年均增长 %s", p.LatestYear, pct(p.RequiredRate))
		t.ReasonEN = fmt.Sprintf("only %d has data, so no growth rate yet; %s a year is required", p.LatestYear, pct(p.RequiredRate))
	case share >= 0.9 || (p.RequiredRate > 0 && p.ActualRate >= 0.8*p.RequiredRate):
		t.Status = AtRisk
		t.ReasonZH = fmt.Sprintf("年均增速 %s，需 %s；%d 年预计 %s，为目标的 %.0f%%", pct(p.ActualRate), pct(p.RequiredRate), p.Target.Year, yi(p.ProjectedValue), share*100)
		t.ReasonEN = fmt.Sprintf("growing %s a year against %s required; %d projected at %s, %.0f%% of the target", pct(p.ActualRate), pct(p.RequiredRate), p.Target.Year, yi(p.ProjectedValue), share*100)
	default:
		t.Status = OffTrack
		t.ReasonZH = fmt.Sprintf("年均增速 %s，远低于所需 %s；%d 年预计仅 %s，为目标的 %.0f%%", pct(p.ActualRate), pct(p.RequiredRate), p.Target.Year, yi(p.ProjectedValue), share*100)
		t.ReasonEN = fmt.Sprintf("growing %s a year, well below the %s required; %d projected at only %s, %.0f%% of the target", pct(p.ActualRate), pct(p.RequiredRate), p.Target.Year, yi(p.ProjectedValue), share*100)
	}
	return t
}

// yi writes yuan in 亿元 (10^8 yuan).
func yi(yuan int64) string { return fmt.Sprintf("%.0f 亿元", float64(yuan)/1e8) }
