package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
)

// post sends form to path as the operator and returns the response and body.
func (f *fixture) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestProjectForms(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	reports := func() []*project.Report {
		id := "GZ-0001"
		rs, _, err := f.store.FindReports(ctx, project.ReportFilter{ProjectID: &id, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}

	t.Run("form shown", func(t *testing.T) {
		_, body := f.get(t, "/projects/GZ-0001", "")
		for _, w := range []string{`id="report-form"`, `name="csrf"`, `action="/projects/GZ-0001/nodes/1"`} {
			if !strings.Contains(body, w) {
				t.Errorf("body lacks %q", w)
			}
		}
	})
	nextMonth := testclock.Month(-12) // the month after GZ-0001's report
	t.Run("report saved", func(t *testing.T) {
		// In 元 first, then corrected in 万元 (the form's default unit),
		// each exact to the fen.
		res, _ := f.post(t, "/projects/GZ-0001/reports", url.Values{"month": {nextMonth}, "unit": {"yuan"}, "invested_fen": {"1,234,567.89"},
			"cumulative_fen": {"201234567.89"}, "progress_pct": {"14.5"}, "problems": {"环评批复待出"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/projects/GZ-0001") {
			t.Fatalf("status = %d %q, want 303 to the project", res.StatusCode, res.Header.Get("Location"))
		}
		rs := reports()
		if got := rs[len(rs)-1]; got.Month != nextMonth || got.InvestedFen != 123456789 || got.CumulativeFen != 20123456789 || got.ProgressPct != 14.5 {
			t.Errorf("stored %+v", got)
		}
		res, _ = f.post(t, "/projects/GZ-0001/reports", url.Values{"month": {nextMonth}, "invested_fen": {"123.456701"},
			"cumulative_fen": {"20,123.456701"}, "progress_pct": {"14.5"}, "problems": {"环评批复待出"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("in 万元: status = %d, want 303", res.StatusCode)
		}
		rs = reports()
		if got := rs[len(rs)-1]; got.InvestedFen != 123456701 || got.CumulativeFen != 20123456701 {
			t.Errorf("typed in 万元, stored %+v", got)
		}
		_, body := f.get(t, "/projects/GZ-0001", "")
		for _, w := range []string{nextMonth, "环评批复待出", "14.5%"} {
			if !strings.Contains(body, w) {
				t.Errorf("reports table lacks %q", w)
			}
		}
	})
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
	}{
		{"bad month", url.Values{"month": {"2025-13"}, "unit": {"yuan"}, "invested_fen": {"1"}, "cumulative_fen": {"2"}, "progress_pct": {"5"}, "problems": {"留存文字"}}, "须为 YYYY-MM"},
		{"negative", url.Values{"month": {"2025-12"}, "unit": {"yuan"}, "invested_fen": {"-5"}, "cumulative_fen": {"2"}, "progress_pct": {"5"}, "problems": {"留存文字"}}, "不能为负"},
		{"not money", url.Values{"month": {"2025-12"}, "unit": {"yuan"}, "invested_fen": {"1.234"}, "cumulative_fen": {"2"}, "progress_pct": {"5"}, "problems": {"留存文字"}}, "至多两位小数"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(reports())
			res, body := f.post(t, "/projects/GZ-0001/reports", tc.form)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", res.StatusCode)
			}
			for _, w := range []string{`class="field-err"`, tc.field, "留存文字", `value="` + tc.form.Get("month") + `"`} {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			if got := len(reports()); got != before {
				t.Errorf("%d reports, want %d", got, before)
			}
		})
	}
	t.Run("node", func(t *testing.T) {
		res, _ := f.post(t, "/projects/GZ-0001/nodes/1", url.Values{"actual_date": {"2025-02-10"}, "note": {"立项批复"}, "link": {"https://example.org/a"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status = %d, want 303", res.StatusCode)
		}
		ns, err := f.store.FindNodes(ctx, "GZ-0001")
		if err != nil {
			t.Fatal(err)
		}
		if got := ns[0]; got.ActualDate.String() != "2025-02-10" || got.Evidence.Note != "立项批复" || got.Evidence.Link != "https://example.org/a" {
			t.Errorf("node = %+v", got)
		}
		res, body := f.post(t, "/projects/GZ-0001/nodes/2", url.Values{"actual_date": {"2025-02-30"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "YYYY-MM-DD") || !strings.Contains(body, `value="2025-02-30"`) {
			t.Errorf("bad date: status %d", res.StatusCode)
		}
	})
	t.Run("enterprise", func(t *testing.T) {
		if mayReport(&chanye.Actor{Role: chanye.RoleEnterprise, Code: codeSoft}, &project.Project{OwnerCode: codeAuto}) {
			t.Error("another enterprise may report")
		}
		if !mayReport(&chanye.Actor{Role: chanye.RoleEnterprise, Code: codeAuto}, &project.Project{OwnerCode: codeAuto}) || mayRecord(&chanye.Actor{Role: chanye.RoleEnterprise, Code: codeAuto}) {
			t.Error("the owner's forms")
		}
	})
}

// TestProjectInputsForm records a project's input figures in 万元, exactly
// to the fen; a bad amount is refused beside its field; blank clears.
func TestProjectInputsForm(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	before, err := f.store.FindProjectByID(ctx, "GZ-0001")
	if err != nil {
		t.Fatal(err)
	}
	done := before.PlannedCompletion.String() // after the planned start, whatever the test clock
	res, _ := f.post(t, "/projects/GZ-0001/inputs", url.Values{"unit": {"wan"}, "equipment_investment_fen": {"12345.678901"},
		"plant_investment_fen": {""}, "finished_on": {done}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", res.StatusCode)
	}
	p, err := f.store.FindProjectByID(ctx, "GZ-0001")
	if err != nil {
		t.Fatal(err)
	}
	if p.EquipmentInvestmentFen == nil || *p.EquipmentInvestmentFen != 12345678901 || p.PlantInvestmentFen != nil || p.FinishedOn.String() != done {
		t.Errorf("stored %v %v %v", p.EquipmentInvestmentFen, p.PlantInvestmentFen, p.FinishedOn)
	}
	if _, body := f.get(t, "/projects/GZ-0001", ""); !strings.Contains(body, "12,345.678901 万元") || !strings.Contains(body, "未登记") {
		i := strings.Index(body, `id="project-inputs"`)
		t.Errorf("the project page does not show the figures: %.600s", body[max(i, 0):])
	}
	res, body := f.post(t, "/projects/GZ-0001/inputs", url.Values{"unit": {"yuan"}, "equipment_investment_fen": {"1.001"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "须为金额") {
		t.Errorf("a bad amount: %d", res.StatusCode)
	}
	if res, _ := f.post(t, "/projects/GZ-0001/inputs", url.Values{"unit": {"yuan"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear: %d", res.StatusCode)
	}
	if p, _ := f.store.FindProjectByID(ctx, "GZ-0001"); p.EquipmentInvestmentFen != nil || p.FinishedOn != nil {
		t.Errorf("blank did not clear: %v %v", p.EquipmentInvestmentFen, p.FinishedOn)
	}
}
