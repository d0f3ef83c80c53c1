package chanye

import (
	"math"
	"testing"
)

func TestComputeProgress(t *testing.T) {
	target := &Target{Tier: "trillion", ValueYuan: 1_000_000_000_000, Year: 2030}
	rev := func(period string, v int64) *Indicator {
		return &Indicator{Metric: "revenue", Period: period, Value: v, Unit: "yuan", Source: "t"}
	}
	t.Run("growth from a series", func(t *testing.T) {
		p := ComputeProgress(target, []*Indicator{
			rev("2022", 500_000_000_000), rev("2024", 605_000_000_000),
			rev("2024-Q3", 1), // quarters do not count
			{Metric: "investment", Period: "2024", Value: 9, Unit: "yuan"},
		})
		if p == nil {
			t.Fatal("got nil progress")
		}
		if p.BaseYear != 2022 || p.LatestYear != 2024 || p.LatestValue != 605_000_000_000 {
			t.Errorf("got base %d latest %d value %d, want 2022, 2024, 605e9", p.BaseYear, p.LatestYear, p.LatestValue)
		}
		if !p.HasActualRate || math.Abs(p.ActualRate-0.10) > 1e-9 {
			t.Errorf("got actual rate %v, want 0.10", p.ActualRate)
		}
		// 605e9 × 1.1^6 = 1,071,794,405,000 (rounded to the yuan)
		if got, want := p.ProjectedValue, int64(1_071_794_405_000); abs64(got-want) > 1 {
			t.Errorf("got projection %d, want %d", got, want)
		}
		if !p.ProjectedReach {
			t.Error("projection above target should reach it")
		}
		wantReq := math.Pow(1e12/605e9, 1.0/6) - 1
		if math.Abs(p.RequiredRate-wantReq) > 1e-12 {
			t.Errorf("got required rate %v, want %v", p.RequiredRate, wantReq)
		}
		if math.Abs(p.Share-0.605) > 1e-12 {
			t.Errorf("got share %v, want 0.605", p.Share)
		}
	})
	t.Run("one year only", func(t *testing.T) {
		p := ComputeProgress(target, []*Indicator{rev("2024", 400_000_000_000)})
		if p.HasActualRate || p.ProjectedValue != 400_000_000_000 || p.ProjectedReach {
			t.Errorf("got %+v, want no actual rate and projection = latest value", p)
		}
	})
	t.Run("no target or no data", func(t *testing.T) {
		if p := ComputeProgress(nil, []*Indicator{rev("2024", 1)}); p != nil {
			t.Errorf("got %+v, want nil without target", p)
		}
		if p := ComputeProgress(target, nil); p != nil {
			t.Errorf("got %+v, want nil without data", p)
		}
	})
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestIndicatorValidate(t *testing.T) {
	for _, tc := range []struct {
		in     Indicator
		fields []string
	}{
		{Indicator{Metric: "revenue", Period: "2024", Value: 1, Source: "统计局"}, nil},
		{Indicator{Metric: "revenue", Period: "2024-Q4", Value: 1, Source: "s"}, nil},
		{Indicator{Metric: "revenue", Period: "2024-12", Value: 1, Source: "s"}, nil},
		{Indicator{Metric: "profit", Period: "2024", Value: 1, Source: "s"}, []string{"metric"}},
		{Indicator{Metric: "revenue", Period: "2024-13", Value: 1, Source: "s"}, []string{"period"}},
		{Indicator{Metric: "revenue", Period: "2024", Value: -1, Source: "s", Unit: "count"}, []string{"unit", "value"}},
		{Indicator{Metric: "enterprises", Period: "2024", Value: 1}, []string{"source"}},
	} {
		err := tc.in.Validate()
		got := ErrorFields(err)
		if len(got) != len(tc.fields) {
			t.Errorf("%+v: got fields %v, want %v", tc.in, got, tc.fields)
			continue
		}
		for _, f := range tc.fields {
			if got[f] == "" {
				t.Errorf("%+v: got fields %v, want one for %q", tc.in, got, f)
			}
		}
	}
}
