package sqlbench

import (
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye/policy"
	_ "modernc.org/sqlite"
)

// Money × rate in SQL rounds as policy.MulRate does, in both modes and for
// negative money, without leaving 64 bits on large amounts.
func TestMulRateSQL(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	xs := []int64{0, 1, 5, 99, 100, 345099400, -345099400, 123456789001, -7, 1_000_000_000_000_000, 999_999_999_999_999}
	for _, rs := range []string{"0.35", "35%", "0.2", "2%", "0.000000001", "0.5", "1.5", "7.123456789"} {
		r, err := policy.ParseRate(rs)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range []policy.RoundMode{policy.RoundDown, policy.RoundHalfUp} {
			tr := translator{d: SQLite, mode: mode}
			for _, x := range xs {
				want, ok := policy.MulRate(x, r, mode)
				if !ok {
					continue
				}
				var got int64
				q := "SELECT " + tr.mulRate(strconv.FormatInt(x, 10), r)
				if err := db.QueryRow(q).Scan(&got); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				if got != want {
					t.Errorf("%d × %s (%s): SQL %d, MulRate %d", x, rs, mode, got, want)
				}
			}
		}
	}
}

// Check names each policy whose count or amount differs.
func TestCheck(t *testing.T) {
	rules := []Rule{{PolicyID: "a", Where: "TRUE"}, {PolicyID: "b", Where: "TRUE"}}
	if err := Check("X", &Tally{Counts: []int{1, 2}, Amounts: []int64{10, 20}}, rules, []int{1, 2}, []int64{10, 20}); err != nil {
		t.Errorf("agreeing tally: %v", err)
	}
	err := Check("X", &Tally{Counts: []int{1, 3}, Amounts: []int64{11, 20}}, rules, []int{1, 2}, []int64{10, 20})
	if err == nil || !strings.Contains(err.Error(), "a: X sums 11") || !strings.Contains(err.Error(), "b: X counts 3") {
		t.Errorf("disagreeing tally: %v", err)
	}
	// Counts only: the amounts are not compared.
	if err := Check("X", &Tally{Counts: []int{1, 2}}, rules, []int{1, 2}, []int64{10, 20}); err != nil {
		t.Errorf("counts-only tally: %v", err)
	}
}
