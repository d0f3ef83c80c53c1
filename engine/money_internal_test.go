package engine

import (
	"math"
	"testing"

	"github.com/chanye-org/chanye"
)

// TestTotalsAtTheBounds: the simulation's totals are exact at the bound and
// an error, not a wrap, past int64 (issue 8, finding 1).
func TestTotalsAtTheBounds(t *testing.T) {
	cat := &chanye.Catalog{Industries: []*chanye.Industry{{ID: "ai", NameZH: "人工智能"}}}
	b := &base{codes: make([]string, 4), district: []uint16{0, 0, 1, 1}, size: []uint8{0, 0, 0, 0}, inds: []uint32{0, 0, 0, 1},
		districts: []string{"440106", "440112"}, sizes: []string{""}, indSets: [][]string{{"ai"}, {"ai", "gone"}}}
	g := chanye.MaxGrantFen
	tot, err := b.totals(map[int]chanye.Fen{0: g, 1: g, 2: g, 3: g - 1}, cat)
	if err != nil {
		t.Fatal(err)
	}
	if tot.AmountFen != 4*g-1 || tot.Eligible != 4 || tot.ByDistrict[0].AmountFen != 2*g || tot.ByDistrict[1].AmountFen != 2*g-1 ||
		tot.ByIndustry[0].AmountFen != 4*g-1 || tot.BySize[0].AmountFen != 4*g-1 {
		t.Errorf("totals %+v", tot)
	}
	// Amounts beyond the bound can only come from data the bounds did not
	// yet guard; their sum must still not wrap.
	_, err = b.totals(map[int]chanye.Fen{0: math.MaxInt64, 1: 1}, cat)
	if chanye.ErrorCode(err) != chanye.EINVALID || chanye.ErrorMessage(err) != chanye.OverflowMessage {
		t.Errorf("totals past MaxInt64: %v, want the overflow error", err)
	}
}
