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
