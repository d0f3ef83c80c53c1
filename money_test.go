package chanye

import (
	"math"
	"strings"
	"testing"
)

func TestCheckedFen(t *testing.T) {
	const max, min = Fen(math.MaxInt64), Fen(math.MinInt64)
	for _, tc := range []struct {
		name string
		f    func(a, b Fen) (Fen, error)
		a, b Fen
		want Fen
		over bool
	}{
		{"add", AddFen, 1, 2, 3, false},
		{"add to max", AddFen, max - 1, 1, max, false},
		{"add past max", AddFen, max, 1, 0, true},
		{"add max twice", AddFen, max, max, 0, true},
		{"add to min", AddFen, min + 1, -1, min, false},
		{"add past min", AddFen, min, -1, 0, true},
		{"add min twice", AddFen, min, min, 0, true},
		{"add opposite signs", AddFen, max, min, -1, false},
		{"sub", SubFen, 5, 7, -2, false},
		{"sub to min", SubFen, -1, max, min, false},
		{"sub past min", SubFen, min, 1, 0, true},
		{"sub past max", SubFen, max, -1, 0, true},
		{"sub min from zero", SubFen, 0, min, 0, true},
		{"sub min from -1", SubFen, -1, min, max, false},
		{"mul", func(a, b Fen) (Fen, error) { return MulFen(a, int64(b)) }, 3, -4, -12, false},
		{"mul to max", func(a, b Fen) (Fen, error) { return MulFen(a, int64(b)) }, max, 1, max, false},
		{"mul to min", func(a, b Fen) (Fen, error) { return MulFen(a, int64(b)) }, min / 2, 2, min, false},
		{"mul past max", func(a, b Fen) (Fen, error) { return MulFen(a, int64(b)) }, max/2 + 1, 2, 0, true},
		{"mul past min", func(a, b Fen) (Fen, error) { return MulFen(a, int64(b)) }, min, -1, 0, true},
		{"mul min by min", func(a, b Fen) (Fen, error) { return MulFen(a, int64(b)) }, min, min, 0, true},
		{"mul bounds", func(a, b Fen) (Fen, error) { return MulFen(a, int64(b)) }, MaxFactFen, 1000, 0, true},
	} {
		got, err := tc.f(tc.a, tc.b)
		if tc.over {
			if err == nil || ErrorCode(err) != EINVALID || ErrorMessage(err) != OverflowMessage {
				t.Errorf("%s(%d, %d) = %d, %v; want the overflow error", tc.name, tc.a, tc.b, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s(%d, %d) = %d, %v; want %d", tc.name, tc.a, tc.b, got, err, tc.want)
		}
	}
}

func TestFenSum(t *testing.T) {
	var s FenSum
	s.Add(math.MaxInt64 - 10)
	s.Add(10)
	if v, err := s.Total("x"); err != nil || v != math.MaxInt64 {
		t.Fatalf("sum to MaxInt64 = %d, %v", v, err)
	}
	s.Add(1)
	s.Add(-5) // an overflow sticks: the wrapped value must not come back into range
	if v, err := s.Total("total_fen"); err == nil || ErrorFields(err)["total_fen"] == "" {
		t.Fatalf("sum past MaxInt64 = %d, %v; want the overflow naming total_fen", v, err)
	}
	var neg FenSum
	neg.Add(math.MinInt64)
	neg.Add(-1)
	if !neg.Overflowed() {
		t.Error("sum past MinInt64 did not overflow")
	}
	var outer FenSum
	outer.Add(1)
	outer.AddSum(neg)
	if !outer.Overflowed() {
		t.Error("adding an overflowed sum did not overflow")
	}
}

func TestBounds(t *testing.T) {
	// Every sum the product computes stays in range for the populations it
	// is built for: 3.6 M enterprises each granted the most, 10,000 projects
	// with twelve reports at the bound.
	if _, err := MulFen(MaxGrantFen, 3_600_000); err != nil {
		t.Error("3.6 M grants at MaxGrantFen overflow")
	}
	if _, err := MulFen(MaxProjectFen, 12*7_000); err != nil {
		t.Error("7,000 projects with 12 reports at MaxProjectFen overflow")
	}
	for _, tc := range []struct {
		max  Fen
		want string
	}{
		{MaxFactFen, "超过上限 100 万亿元（10000000000000000 分）/ exceeds the limit of ¥100,000,000,000,000 (10000000000000000 fen)"},
		{MaxProjectFen, "超过上限 1 万亿元（100000000000000 分）/ exceeds the limit of ¥1,000,000,000,000 (100000000000000 fen)"},
		{MaxGrantFen, "超过上限 100 亿元（1000000000000 分）/ exceeds the limit of ¥10,000,000,000 (1000000000000 fen)"},
	} {
		if got := ExceedsFen(tc.max); got != tc.want {
			t.Errorf("ExceedsFen(%d) = %q, want %q", tc.max, got, tc.want)
		}
	}
	if got := CheckFen(MaxProjectFen+1, MaxProjectFen); !strings.Contains(got, "1 万亿元") {
		t.Errorf("CheckFen above the bound = %q", got)
	}
	if got := CheckFen(MaxProjectFen, MaxProjectFen); got != "" {
		t.Errorf("CheckFen at the bound = %q", got)
	}
	if got := Fen(math.MinInt64).Yuan(); got != "-92233720368547758.08" {
		t.Errorf("MinInt64.Yuan() = %q", got)
	}
}

func TestFactsBounds(t *testing.T) {
	now := day("2026-11-16").Time
	at, over := int64(MaxFactFen), int64(MaxFactFen)+1
	many := MaxFactCount + 1
	f := &Facts{Year: 2025, Source: "统计年报", AsOf: day("2026-03-31"), Revenue: (*Fen)(&at), TotalAssets: (*Fen)(&over), Employees: &many}
	fields := ErrorFields(f.Validate(now))
	if fields["revenue_fen"] != "" {
		t.Errorf("revenue at the bound refused: %s", fields["revenue_fen"])
	}
	if fields["total_assets_fen"] != ExceedsFen(MaxFactFen) {
		t.Errorf("total assets above the bound: %q", fields["total_assets_fen"])
	}
	if fields["employees"] != ExceedsCount(MaxFactCount) {
		t.Errorf("employees above the bound: %q", fields["employees"])
	}
	in := &Indicator{IndustryID: "x", Metric: "revenue", Period: "2025", Value: MaxIndicatorValue + 1, Source: "s"}
	if got := ErrorFields(in.Validate())["value"]; !strings.Contains(got, "1000 万亿元") {
		t.Errorf("indicator above the bound: %q", got)
	}
}
