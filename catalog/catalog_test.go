package catalog

import (
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/gbt4754"
)

func TestDefault(t *testing.T) {
	c := Default()
	kinds := map[chanye.IndustryKind]int{}
	groups := map[string]int{}
	for _, ind := range c.Industries {
		kinds[ind.Kind]++
		groups[ind.Group]++
	}
	for k, want := range map[chanye.IndustryKind]int{chanye.KindCluster: 15, chanye.KindFuture: 3, chanye.KindService: 8} {
		if got := kinds[k]; got != want {
			t.Errorf("%s industries: got %d, want %d", k, got, want)
		}
	}
	for g, want := range map[string]int{"emerging-pillar": 6, "strategic-leading": 5, "distinctive-advantage": 4, "knowledge-intensive": 3, "leading-edge": 5, "": 3} {
		if got := groups[g]; got != want {
			t.Errorf("group %q: got %d industries, want %d", g, got, want)
		}
	}
	if got := len(c.Districts); got != 11 {
		t.Errorf("districts: got %d, want 11", got)
	}
	if got, want := c.TotalTarget.ValueYuan, int64(6_000_000_000_000); got != want {
		t.Errorf("total target: got %d, want %d", got, want)
	}
}

func TestTargets(t *testing.T) {
	want := map[string]string{
		"icv-nev":             "trillion",
		"fashion":             "500-billion",
		"software-internet":   "500-billion",
		"petrochem-materials": "500-billion",
		"smart-construction":  "500-billion",
		"rail-transit":        "100-billion",
		"biomedicine":         "100-billion",
		"new-energy-storage":  "100-billion",
		"uhd-display":         "100-billion",
	}
	tiers := map[string]int64{}
	for _, tr := range Default().TargetTiers {
		tiers[tr.ID] = tr.ValueYuan
	}
	n := 0
	for _, ind := range Default().Industries {
		if ind.Target == nil {
			if want[ind.ID] != "" {
				t.Errorf("%s: got no target, want %s", ind.ID, want[ind.ID])
			}
			continue
		}
		n++
		if got := ind.Target.Tier; got != want[ind.ID] {
			t.Errorf("%s: got tier %q, want %q", ind.ID, got, want[ind.ID])
		}
		if got := ind.Target.ValueYuan; got != tiers[ind.Target.Tier] || ind.Target.Year != 2030 {
			t.Errorf("%s: got %d in %d, want %d in 2030", ind.ID, got, ind.Target.Year, tiers[ind.Target.Tier])
		}
	}
	if n != 9 {
		t.Errorf("targets: got %d, want 9", n)
	}
}

func TestClassesAndOffices(t *testing.T) {
	c := Default()
	for _, ind := range c.Industries {
		if len(ind.Classes) == 0 {
			t.Errorf("%s: no classes", ind.ID)
		}
		seen := map[string]bool{}
		for _, cl := range ind.Classes {
			if err := gbt4754.Validate(cl); err != nil {
				t.Errorf("%s: %v", ind.ID, err)
			}
			if _, ok := gbt4754.Lookup(cl); !ok {
				t.Errorf("%s: class %s not in gbt4754/classes.csv", ind.ID, cl)
			}
			if seen[cl] {
				t.Errorf("%s: class %s listed twice", ind.ID, cl)
			}
			seen[cl] = true
		}
	}
	offices := map[string]bool{}
	for _, o := range c.Offices {
		offices[o.ID] = true
		for _, id := range o.Industries {
			ind := c.Industry(id)
			if ind == nil {
				t.Errorf("office %s: unknown industry %s", o.ID, id)
			} else if ind.Office != o.ID {
				t.Errorf("industry %s: got office %q, want %q", id, ind.Office, o.ID)
			}
		}
	}
	for _, ind := range c.Industries {
		if ind.Office != "" && !offices[ind.Office] {
			t.Errorf("industry %s: unknown office %q", ind.ID, ind.Office)
		}
	}
	if got := len(c.Offices); got != 5 {
		t.Errorf("offices: got %d, want 5", got)
	}
}
