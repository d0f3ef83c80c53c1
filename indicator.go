package chanye

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// Metric describes an indicator that industries report over time.
type Metric struct {
	ID     string `json:"id"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	Unit   string `json:"unit"` // yuan, count
}

// Metrics are the indicators chanye knows. Money is in whole yuan: industry
// aggregates are reported in 亿元 at best, so fen would be false precision.
var Metrics = []Metric{
	{ID: "revenue", NameZH: "营业收入", NameEN: "Revenue", Unit: "yuan"},
	{ID: "output", NameZH: "产值", NameEN: "Output value", Unit: "yuan"},
	{ID: "value_added", NameZH: "增加值", NameEN: "Value added", Unit: "yuan"},
	{ID: "investment", NameZH: "投资额", NameEN: "Investment", Unit: "yuan"},
	{ID: "enterprises", NameZH: "企业数", NameEN: "Enterprises", Unit: "count"},
}

// TargetMetric is the metric that targets are measured in.
const TargetMetric = "revenue"

// FindMetric returns the metric with the given id.
func FindMetric(id string) (Metric, bool) {
	for _, m := range Metrics {
		if m.ID == id {
			return m, true
		}
	}
	return Metric{}, false
}

// Indicator is one value of a metric for an industry in a period. Period is
// a year ("2024"), a quarter ("2024-Q3") or a month ("2024-06").
type Indicator struct {
	IndustryID string `json:"industry_id"`
	Metric     string `json:"metric"`
	Period     string `json:"period"`
	Value      int64  `json:"value"`
	Unit       string `json:"unit"`
	Source     string `json:"source"`
}

// Demo reports whether the indicator is demo data: its source names 演示数据
// (as every series `chanye demo` generates does).
func (in *Indicator) Demo() bool { return DemoSource(in.Source) }

// DemoSource reports whether a source names demo data (演示数据), as the
// source of every fact, tier and series `chanye demo` generates does.
func DemoSource(source string) bool { return strings.Contains(source, "演示数据") }

// IndicatorFilter selects indicators; nil fields match all.
type IndicatorFilter struct {
	IndustryID *string
	Metric     *string
}

var periodRE = regexp.MustCompile(`^(\d{4})(-Q[1-4]|-(0[1-9]|1[0-2]))?$`)

// Validate checks the metric, period, unit and value of an indicator.
func (in *Indicator) Validate() error {
	fields := map[string]string{}
	m, ok := FindMetric(in.Metric)
	if !ok {
		names := make([]string, len(Metrics))
		for i, m := range Metrics {
			names[i] = m.ID
		}
		fields["metric"] = fmt.Sprintf("未知指标 %q，可选 %s / unknown metric", in.Metric, strings.Join(names, ", "))
	} else if in.Unit == "" {
		in.Unit = m.Unit
	} else if in.Unit != m.Unit {
		fields["unit"] = fmt.Sprintf("指标 %s 的单位是 %s / metric %s is measured in %s", m.ID, m.Unit, m.ID, m.Unit)
	}
	if !periodRE.MatchString(in.Period) {
		fields["period"] = fmt.Sprintf("%q 须为 YYYY、YYYY-Qn 或 YYYY-MM / must be YYYY, YYYY-Qn or YYYY-MM", in.Period)
	}
	if in.Value < 0 {
		fields["value"] = "不能为负 / must not be negative"
	} else if in.Value > MaxIndicatorValue && in.Unit == "yuan" {
		fields["value"] = ExceedsYuan(MaxIndicatorValue)
	} else if in.Value > MaxIndicatorValue {
		fields["value"] = ExceedsCount(MaxIndicatorValue)
	}
	if strings.TrimSpace(in.Source) == "" {
		fields["source"] = "须注明来源 / a source is required"
	}
	return Invalid("指标有误 / invalid indicator", fields)
}

// Year returns the year of the indicator's period.
func (in *Indicator) Year() int {
	y, _ := strconv.Atoi(in.Period[:4])
	return y
}

// Progress compares an industry's yearly revenue with its target.
type Progress struct {
	Target          Target  `json:"target"`
	BaseYear        int     `json:"base_year"`
	BaseValue       int64   `json:"base_value_yuan"`
	LatestYear      int     `json:"latest_year"`
	LatestValue     int64   `json:"latest_value_yuan"`
	Share           float64 `json:"share"`           // latest / target
	RequiredRate    float64 `json:"required_rate"`   // yearly growth needed from the latest value
	ActualRate      float64 `json:"actual_rate"`     // compound yearly growth over the series
	HasActualRate   bool    `json:"has_actual_rate"` // false with a single year of data
	ProjectedValue  int64   `json:"projected_value_yuan"`
	ProjectedReach  bool    `json:"projected_reach"`    // projection ≥ target
	RequiredFromAll float64 `json:"required_from_base"` // yearly growth needed from the first value
}

// ComputeProgress measures yearly revenue values against a target. Only
// whole-year periods count. It returns nil when there is no target or no
// yearly revenue value.
//
// Rates are ratios (0.075 = 7.5 %), not money; the projected value is
// computed in exact rational arithmetic from the rate and rounded to a yuan.
func ComputeProgress(t *Target, values []*Indicator) *Progress {
	if t == nil {
		return nil
	}
	yearly := map[int]int64{}
	for _, v := range values {
		if v.Metric == TargetMetric && len(v.Period) == 4 {
			yearly[v.Year()] = v.Value
		}
	}
	if len(yearly) == 0 {
		return nil
	}
	p := &Progress{Target: *t, BaseYear: math.MaxInt}
	for y, v := range yearly {
		if y < p.BaseYear {
			p.BaseYear, p.BaseValue = y, v
		}
		if y > p.LatestYear {
			p.LatestYear, p.LatestValue = y, v
		}
	}
	p.Share = ratio(p.LatestValue, t.ValueYuan)
	p.RequiredRate = cagr(p.LatestValue, t.ValueYuan, t.Year-p.LatestYear)
	p.RequiredFromAll = cagr(p.BaseValue, t.ValueYuan, t.Year-p.BaseYear)
	if p.LatestYear > p.BaseYear && p.BaseValue > 0 {
		p.HasActualRate = true
		p.ActualRate = cagr(p.BaseValue, p.LatestValue, p.LatestYear-p.BaseYear)
	}
	p.ProjectedValue = p.LatestValue
	if p.HasActualRate && t.Year > p.LatestYear {
		p.ProjectedValue = project(p.LatestValue, p.ActualRate, t.Year-p.LatestYear)
	}
	p.ProjectedReach = p.ProjectedValue >= t.ValueYuan
	return p
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// cagr is the compound yearly growth rate taking from to to in years.
func cagr(from, to int64, years int) float64 {
	if from <= 0 || years <= 0 {
		return 0
	}
	return math.Pow(float64(to)/float64(from), 1/float64(years)) - 1
}

// project grows value by rate for years, rounding once at the end.
func project(value int64, rate float64, years int) int64 {
	r := new(big.Rat).SetFloat64(1 + rate)
	if r == nil {
		return value
	}
	acc := new(big.Rat).SetInt64(value)
	for range years {
		acc.Mul(acc, r)
	}
	f, _ := acc.Float64()
	if f > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(math.Round(f))
}
