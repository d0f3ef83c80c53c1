package project_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/project"
)

// TestParseFilter: what the catalog and the package know is taken, blank
// is absent, and each bad parameter is named — the one reading of a
// project filter for the API and the pages.
func TestParseFilter(t *testing.T) {
	c := catalog.Default()
	ind := c.Industries[0].ID
	get := func(q map[string]string) func(string) string { return func(k string) string { return q[k] } }
	f, bad := project.ParseFilter(get(map[string]string{"industry": ind, "district": "440106", "stage": "signed", "kind": "industrial",
		"colour": "red", "owner": " 91440101MA5CXXXX0X ", "department": "市工业和信息化局", "leader": "", "task_force": "专班"}), c)
	if len(bad) != 0 || *f.IndustryID != ind || *f.DistrictCode != "440106" || *f.Stage != project.StageSigned || *f.Kind != project.KindIndustrial ||
		*f.Colour != project.Red || *f.OwnerCode != "91440101MA5CXXXX0X" || *f.Department != "市工业和信息化局" || f.CityLeader != nil || *f.TaskForce != "专班" {
		t.Fatalf("good filter: %+v, %v", f, bad)
	}
	_, bad = project.ParseFilter(get(map[string]string{"industry": "nope", "district": "999999", "stage": "done", "kind": "x",
		"colour": "blue", "leader": strings.Repeat("甲", project.MaxFilterName+1), "owner": strings.Repeat("1", project.MaxFilterName)}), c)
	if got, want := slices.Sorted(maps.Keys(bad)), []string{"colour", "district", "industry", "kind", "leader", "stage"}; !slices.Equal(got, want) {
		t.Errorf("bad parameters %v, want %v (%v)", got, want, bad)
	}
}

// TestFilterValidate: a filter built in Go answers to the same rules as one
// read from a query.
func TestFilterValidate(t *testing.T) {
	c := catalog.Default()
	st, col := project.StageSigned, project.Colour("blue")
	if bad := (project.ProjectFilter{Stage: &st}).Validate(c); len(bad) != 0 {
		t.Errorf("a known stage is refused: %v", bad)
	}
	if bad := (project.ProjectFilter{Colour: &col}).Validate(c); len(bad) != 1 || bad["colour"] == "" {
		t.Errorf("an unknown colour: %v", bad)
	}
}
