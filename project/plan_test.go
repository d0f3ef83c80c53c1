package project

import "testing"

func TestParseMonth(t *testing.T) {
	for s, want := range map[string]int{"2025-01": 2025 * 12, "2024-12": 2024*12 + 11} {
		if got, ok := parseMonth(s); !ok || got != want {
			t.Errorf("parseMonth(%s) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"2025-13", "2025-00", "2025/01", "202501", "20a5-01"} {
		if _, ok := parseMonth(s); ok {
			t.Errorf("parseMonth(%s) ok", s)
		}
	}
	if got := MonthOf(monthEnd(2025*12 + 1)); got != "2025-02" || monthEnd(2025*12+1).Day() != 28 {
		t.Errorf("monthEnd(Feb 2025) = %v", monthEnd(2025*12+1))
	}
}
