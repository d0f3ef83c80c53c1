package project

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

func TestTargetStatus(t *testing.T) {
	ind := &chanye.Industry{ID: "auto", Target: &chanye.Target{Tier: "trillion", ValueYuan: 1_000_000_000_000, Year: 2030}}
	series := func(vals ...int64) []*chanye.Indicator {
		var out []*chanye.Indicator
		for i, v := range vals {
			out = append(out, &chanye.Indicator{IndustryID: "auto", Metric: chanye.TargetMetric, Period: fmt.Sprint(2020 + i), Value: v, Unit: "yuan"})
		}
		return out
	}
	const yi = 100_000_000
	for _, tc := range []struct {
		name string
		vals []int64
		want TrackStatus
	}{
		// 2020–2025 at 15 % a year: 5000 → about 10,057 亿 by 2025, 20,227 by 2030.
		{"on track", []int64{5000 * yi, 5750 * yi, 6613 * yi, 7604 * yi, 8745 * yi, 10057 * yi}, OnTrack},
		// needs 10000 by 2030 from 8000 in 2025 (4.6 % a year), grows 4 %: reaches 9733, 97 %.
		{"at risk", []int64{6576 * yi, 6839 * yi, 7113 * yi, 7397 * yi, 7693 * yi, 8000 * yi}, AtRisk},
		{"off track", []int64{3000 * yi, 3030 * yi, 3060 * yi, 3091 * yi, 3122 * yi, 3153 * yi}, OffTrack},
		{"one year only", []int64{5000 * yi}, AtRisk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := TargetStatus(ind, series(tc.vals...), date("2025-12-31"))
			if tr == nil {
				t.Fatal("nil")
			}
			if tr.Status != tc.want {
				t.Errorf("status = %s (%s), want %s", tr.Status, tr.ReasonEN, tc.want)
			}
			if tr.ReasonZH == "" || tr.ReasonEN == "" {
				t.Error("no reason")
			}
			if first, last := tr.Trajectory[0], tr.Trajectory[len(tr.Trajectory)-1]; first.Year != 2020 || first.Value != tc.vals[0] ||
				last.Year != 2030 || last.Value != ind.Target.ValueYuan || len(tr.Trajectory) != 11 {
				t.Errorf("trajectory %v", tr.Trajectory)
			}
			if len(tr.Actual) != len(tc.vals) {
				t.Errorf("actual %v", tr.Actual)
			}
		})
	}
	// Values after asOf's year are not seen.
	tr := TargetStatus(ind, series(5000*yi, 5100*yi, 9000*yi), date("2021-06-30"))
	if tr.Progress.LatestYear != 2021 || !strings.Contains(tr.ReasonEN, "a year") {
		t.Errorf("asOf ignored: %+v", tr)
	}
	if TargetStatus(&chanye.Industry{ID: "x"}, nil, date("2025-01-01")) != nil || TargetStatus(ind, nil, date("2025-01-01")) != nil {
		t.Error("want nil without a target or values")
	}
}
