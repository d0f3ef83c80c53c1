package policy

import (
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

// TestCanPublishNeedsCoverage: a policy is not published without cases,
// without an ineligible case, or with a condition no case makes fail, and
// the refusal names what is missing (issue 9, point 4).
func TestCanPublishNeedsCoverage(t *testing.T) {
	full := mustParse(t, readRD(t))
	for _, tc := range []struct {
		name  string
		cases []Case
		want  map[string]string // field → substring; nil: publishable
		not   []string          // fields that must not be named
	}{
		{"no cases", nil, map[string]string{"cases": "没有测试用例"}, nil},
		{"only an eligible case", full.Cases[:1], map[string]string{"cases": "no case is an ineligible enterprise",
			"conditions[0]": "high_tech", "conditions[1]": "rd_ratio", "conditions[2]": "condition revenue (Revenue) is met in every case"}, nil},
		{"only ineligible cases", full.Cases[1:], map[string]string{"cases": "没有符合条件的企业"}, []string{"conditions[0]", "conditions[1]", "conditions[2]"}},
		{"high_tech fails, the others never", full.Cases[:2], map[string]string{"conditions[1]": "条件 rd_ratio（研发投入强度）在所有用例中均满足",
			"conditions[2]": "revenue"}, []string{"cases", "conditions[0]"}},
		{"every condition fails once", full.Cases, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := *full
			p.Cases = tc.cases
			err := CanPublish(&p)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("CanPublish = %v, want nil", err)
				}
				return
			}
			if chanye.ErrorCode(err) != chanye.EINVALID || !strings.Contains(chanye.ErrorMessage(err), "不完整") {
				t.Fatalf("CanPublish = %v, want EINVALID saying the cases are incomplete", err)
			}
			fields := chanye.ErrorFields(err)
			for k, want := range tc.want {
				if !strings.Contains(fields[k], want) {
					t.Errorf("field %s = %q, want it to contain %q", k, fields[k], want)
				}
			}
			for _, k := range tc.not {
				if _, ok := fields[k]; ok {
					t.Errorf("field %s named: %q", k, fields[k])
				}
			}
		})
	}
}

// TestCoverageCountsOnlyActiveCases: a case outside the effective period
// fails nothing, so it does not cover a condition.
func TestCoverageCountsOnlyActiveCases(t *testing.T) {
	p := mustParse(t, readRD(t))
	p.Cases[1].AsOf = date(t, "2024-06-30") // the not-high-tech case, before the policy
	p.Cases[1].Enterprise.Facts[0].Year = 2023
	err := CanPublish(p)
	if msg := chanye.ErrorFields(err)["conditions[0]"]; !strings.Contains(msg, "high_tech") {
		t.Errorf("CanPublish = %v, want conditions[0] (high_tech) uncovered", err)
	}
}

// TestCoverageUnknownIsNotFailing: under three-valued logic a condition
// counts as failing only where it is known to be false. A case that leaves
// conditions open for missing figures (needs data) covers none of them and
// is not the ineligible case publishing needs (issue 9, points 1 and 4).
func TestCoverageUnknownIsNotFailing(t *testing.T) {
	full := mustParse(t, readRD(t))
	ent := *full.Cases[0].Enterprise
	facts := *ent.Facts[0]
	facts.Revenue = nil // reported without revenue: rd_ratio and revenue are open
	ent.Facts = []*chanye.Facts{&facts}
	open := Case{Name: "revenue not reported", AsOf: full.Cases[0].AsOf, Enterprise: &ent, Expect: Expect{NeedsData: true}}

	p := *full
	p.Cases = []Case{full.Cases[0], full.Cases[1], full.Cases[2], open} // revenue never known false
	results, err := RunCases(&p)
	if err != nil {
		t.Fatal(err)
	}
	if r := results[3]; !r.Pass || r.Decision.Status != VerdictNeedsData {
		t.Fatalf("the case without revenue: %+v", r)
	}
	cv := CoverageOf(&p, results)
	if cv.Eligible != 1 || cv.Ineligible != 2 || len(cv.Uncovered) != 1 || cv.Uncovered[0].ID != "revenue" {
		t.Errorf("coverage %+v, want 1 eligible, 2 ineligible, revenue uncovered", cv)
	}
	if msg := chanye.ErrorFields(CanPublish(&p))["conditions[2]"]; !strings.Contains(msg, "revenue") {
		t.Errorf("CanPublish names conditions[2] %q, want revenue uncovered", msg)
	}

	p.Cases = []Case{full.Cases[0], open}
	if msg := chanye.ErrorFields(CanPublish(&p))["cases"]; !strings.Contains(msg, "no case is an ineligible enterprise") {
		t.Errorf("a needs-data case counted as ineligible: cases %q", msg)
	}
}
