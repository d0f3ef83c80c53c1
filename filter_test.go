package chanye_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/catalog"
)

// TestParseEnterpriseFilter: what the catalog knows is taken, blank is
// absent, each bad parameter is named — the one reading of the registry's
// filter for the API, the list page and its export.
func TestParseEnterpriseFilter(t *testing.T) {
	c := catalog.Default()
	ind := c.Industries[0].ID
	get := func(q map[string]string) func(string) string { return func(k string) string { return q[k] } }
	f, bad := chanye.ParseEnterpriseFilter(get(map[string]string{"district": "440106", "industry": ind, "tier": string(chanye.TierSRDI),
		"size": "small", "q": " 汽车 "}), c)
	if len(bad) != 0 || *f.DistrictCode != "440106" || *f.IndustryID != ind || *f.Tier != chanye.TierSRDI || *f.SizeClass != chanye.SizeSmall || *f.Q != "汽车" {
		t.Fatalf("good filter: %+v, %v", f, bad)
	}
	if f, _ := chanye.ParseEnterpriseFilter(get(nil), c); f.DistrictCode != nil || f.Q != nil {
		t.Errorf("an empty query filters: %+v", f)
	}
	_, bad = chanye.ParseEnterpriseFilter(get(map[string]string{"district": "4401", "industry": "nope", "tier": "x", "size": "huge",
		"q": strings.Repeat("甲", chanye.MaxFilterQuery+1)}), c)
	if got, want := slices.Sorted(maps.Keys(bad)), []string{"district", "industry", "q", "size", "tier"}; !slices.Equal(got, want) {
		t.Errorf("bad parameters %v, want %v", got, want)
	}
}

// TestEnterpriseFilterValidate: a filter built in Go, not read from a
// query, answers to the same rules.
func TestEnterpriseFilterValidate(t *testing.T) {
	c := catalog.Default()
	ind, nope, tier := c.Industries[0].ID, "nope", chanye.TierKind("x")
	if bad := (chanye.EnterpriseFilter{IndustryID: &ind}).Validate(c); len(bad) != 0 {
		t.Errorf("a known industry is refused: %v", bad)
	}
	bad := (chanye.EnterpriseFilter{IndustryID: &nope, Tier: &tier}).Validate(c)
	if got, want := slices.Sorted(maps.Keys(bad)), []string{"industry", "tier"}; !slices.Equal(got, want) {
		t.Errorf("bad fields %v, want %v", got, want)
	}
}
