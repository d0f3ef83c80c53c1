package policy

import (
	"math"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

// TestPolicyMoneyBounds: a policy's budget, cap, money parameters and
// expected amounts are refused above their bounds (issue 8, finding 1).
func TestPolicyMoneyBounds(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, field, bound string
	}{
		{"budget", `budget_yuan: "1000000.00"`, `budget_yuan: "1000000000000.01"`, "budget_fen", "1 万亿元"},
		{"budget at MaxInt64", `budget_yuan: "1000000.00"`, `budget_fen: 9223372036854775807`, "budget_fen", "1 万亿元"},
		{"cap", `cap_yuan: "300000"`, `cap_yuan: "10000000000.01"`, "amount.cap_fen", "100 亿元"},
		{"money parameter", `value_yuan: "20000000"`, `value_fen: 9223372036854775807`, "params.min_revenue[0].value", "100 万亿元"},
		{"expected amount", `amount_yuan: "200000"`, `amount_fen: 1000000000001`, "cases[0].expect.amount_fen", "100 亿元"},
		{"case revenue", `revenue_yuan: "40000000"`, `revenue_fen: 9223372036854775807`, "cases[0].enterprise.facts[0].revenue_fen", "100 万亿元"},
	} {
		src := strings.Replace(readRD(t), tc.old, tc.new, 1)
		if src == readRD(t) {
			t.Fatalf("%s: %q not in the test policy", tc.name, tc.old)
		}
		_, err := Parse([]byte(src))
		if got := chanye.ErrorFields(err)[tc.field]; !strings.Contains(got, tc.bound) || !strings.Contains(got, "exceeds the limit") {
			t.Errorf("%s: Parse = %v; want %s naming the bound %s", tc.name, err, tc.field, tc.bound)
		}
	}
	for _, v := range []string{`budget_yuan: "1000000000000"`, `cap_yuan: "10000000000"`} {
		old := `budget_yuan: "1000000.00"`
		if strings.HasPrefix(v, "cap") {
			old = `cap_yuan: "300000"`
		}
		if _, err := Parse([]byte(strings.Replace(readRD(t), old, v, 1))); err != nil {
			t.Errorf("%s, at the bound: %v", v, err)
		}
	}
}

// TestAmountAboveTheGrantBound: an uncapped formula whose value exceeds
// chanye.MaxGrantFen, or whose arithmetic overflows (rate × base), is an
// evaluation error: the decision is not eligible and says why.
func TestAmountAboveTheGrantBound(t *testing.T) {
	asOf := date(t, "2025-06-30")
	e := enterprise()
	e.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(int64(chanye.MaxFactFen)), RDSpending: fen(int64(chanye.MaxFactFen))}}
	for _, tc := range []struct {
		expr string
		want string // in Err; "" for eligible
		amt  chanye.Fen
	}{
		{"e.fy1.rd_spending / 10000", "", chanye.MaxGrantFen},                              // exactly the bound
		{"e.fy1.rd_spending / 10000 + 1", "超过单户上限", 0},                                     // one fen above
		{"e.fy1.rd_spending / 10000 * p.rate_bp", "超过单户上限", 0},                             // 10 % of 100 万亿元
		{"e.fy1.rd_spending * 1000", "overflow", 0},                                        // rate × base past int64
		{"9223372036854775807 + e.fy1.rd_spending", "overflow", 0},                         // a sum past int64
		{"math.least(e.fy1.rd_spending / 10000 * p.rate_bp, 100)", "", 100},                // a bound in the formula
		{"0 - 9223372036854775807 - e.fy1.rd_spending + e.fy1.rd_spending", "overflow", 0}, // past MinInt64
	} {
		src := strings.Replace(readRD(t), "expr: e.fy1.rd_spending * p.rate_bp / 10000\n  cap_yuan: \"300000\"", "expr: "+tc.expr, 1)
		p := mustParse(t, src)
		p.Cases = nil
		c, err := Compile(p)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		d := c.Evaluate(NewSubject(e, asOf), asOf)
		if tc.want == "" {
			if !d.Eligible || d.AmountFen != tc.amt || d.Err != "" {
				t.Errorf("%s: eligible %v amount %d err %q; want %d", tc.expr, d.Eligible, d.AmountFen, d.Err, tc.amt)
			}
			continue
		}
		if d.Eligible || d.AmountFen != 0 || !strings.Contains(d.Err, tc.want) {
			t.Errorf("%s: eligible %v amount %d err %q; want an error with %q", tc.expr, d.Eligible, d.AmountFen, d.Err, tc.want)
		}
	}
	if _, _, problem := (Amount{}).Final(math.MaxInt64); problem == "" {
		t.Error("Final(MaxInt64) without a cap is ok")
	}
	if amt, capped, problem := (Amount{CapFen: chanye.MaxGrantFen}).Final(math.MaxInt64); problem != "" || !capped || amt != chanye.MaxGrantFen {
		t.Errorf("Final(MaxInt64) capped = %d %v %q", amt, capped, problem)
	}
}
