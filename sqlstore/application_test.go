package sqlstore

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

const retrofitID = "gz-tech-retrofit"

// publishRetrofit stores and publishes the shipped technical-retrofit
// policy, whose inputs an application gives.
func publishRetrofit(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	for _, src := range policy.ShippedSources(true) {
		if !bytes.Contains(src, []byte("id: "+retrofitID+"\n")) {
			continue
		}
		v, err := s.CreatePolicyVersion(as(ctx, "editor"), src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublishPolicyVersion(as(ctx, "director"), v.PolicyID, v.Version); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("no shipped " + retrofitID)
}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// TestApplicationLifecycle walks an application through every status on
// both databases: the status machine, the review deadline in working days,
// the timeline and the audit entries, and the accepted values read back as
// the enterprise's inputs for the policy.
func TestApplicationLifecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db) // 2025-06-15, a Sunday
		s := newStore(t, db)
		a, b := enterprise(t, 1, "440103", "3612"), enterprise(t, 2, "440103", "3612")
		for _, e := range []*chanye.Enterprise{a, b} {
			if err := s.CreateEnterprise(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		publishRetrofit(t, s)
		firm := chanye.WithActor(ctx, &chanye.Actor{Name: "企业甲", Role: chanye.RoleEnterprise, Code: a.Code})
		dept := chanye.WithActor(ctx, &chanye.Actor{Name: "市工信局 张三", Role: chanye.RoleDepartment, Department: "市工业和信息化局"})

		_, err := s.SaveApplication(ctx, &policy.Application{PolicyID: retrofitID, Code: a.Code})
		wantCodeOf(t, "save with no actor", err, chanye.EINVALID)
		_, err = s.SaveApplication(firm, &policy.Application{PolicyID: retrofitID, Code: a.Code, Values: map[string]any{"equipment_investment": int64(-1)}})
		wantCodeOf(t, "negative money", err, chanye.EINVALID)
		_, err = s.SaveApplication(firm, &policy.Application{PolicyID: retrofitID, Code: a.Code, Values: map[string]any{"revenue": int64(1)}})
		wantCodeOf(t, "an input the policy does not declare", err, chanye.EINVALID)
		_, err = s.SaveApplication(firm, &policy.Application{PolicyID: testPolicyID, Code: a.Code})
		wantCodeOf(t, "a policy with no application", err, chanye.ENOTFOUND) // not stored here

		app, err := s.SaveApplication(firm, &policy.Application{PolicyID: retrofitID, Code: a.Code,
			Values: map[string]any{"equipment_investment": int64(12_345_678_901)}})
		if err != nil {
			t.Fatal(err)
		}
		if app.Status != policy.AppDraft || app.ReviewDays != 5 || app.Department != "市工业和信息化局" || app.Version != 1 {
			t.Fatalf("draft = %+v", app)
		}
		_, err = s.SaveApplication(firm, &policy.Application{PolicyID: retrofitID, Code: a.Code})
		wantCodeOf(t, "a second open application", err, chanye.ECONFLICT)
		_, err = s.MoveApplication(firm, app.ID, policy.AppSubmitted, "")
		wantCodeOf(t, "submit without every figure", err, chanye.EINVALID)
		_, err = s.MoveApplication(dept, app.ID, policy.AppAccepted, "")
		wantCodeOf(t, "accept a draft", err, chanye.ECONFLICT)

		done := date("2025-03-31")
		if _, err := s.SaveApplication(firm, &policy.Application{ID: app.ID, Values: map[string]any{
			"equipment_investment": int64(12_345_678_901), "plant_investment": int64(0), "finished_on": done}}); err != nil {
			t.Fatal(err)
		}
		_, err = s.AttachFile(firm, app.ID, "竣工验收报告.pdf", "image/png", pdfBytes)
		wantCodeOf(t, "a type that is not the content's", err, chanye.EINVALID)
		f, err := s.AttachFile(firm, app.ID, "竣工验收报告.pdf", "application/pdf", pdfBytes)
		if err != nil {
			t.Fatal(err)
		}
		if got, data, err := s.FindAttachment(ctx, app.ID, f.ID); err != nil || !bytes.Equal(data, pdfBytes) || got.Size != int64(len(pdfBytes)) {
			t.Fatalf("FindAttachment = %+v, %d bytes, %v", got, len(data), err)
		}
		_, _, err = s.FindAttachment(ctx, app.ID+1, f.ID)
		wantCodeOf(t, "an attachment under another application", err, chanye.ENOTFOUND)

		app, err = s.MoveApplication(firm, app.ID, policy.AppSubmitted, "")
		if err != nil {
			t.Fatal(err)
		}
		// Submitted on Sunday 15 June: five working days are Monday 16 to
		// Friday 20 June.
		if app.SubmittedOn != date("2025-06-15") || app.DueOn != date("2025-06-20") {
			t.Fatalf("submitted %s due %s, want 2025-06-15 due 2025-06-20", app.SubmittedOn, app.DueOn)
		}
		if app.Overdue(date("2025-06-20")) || !app.Overdue(date("2025-06-23")) {
			t.Errorf("overdue on 20 June %v, on 23 June %v; want false, true", app.Overdue(date("2025-06-20")), app.Overdue(date("2025-06-23")))
		}
		_, err = s.SaveApplication(firm, &policy.Application{ID: app.ID, Values: map[string]any{"plant_investment": int64(1)}})
		wantCodeOf(t, "change a submitted application", err, chanye.ECONFLICT)
		_, err = s.AttachFile(firm, app.ID, "b.pdf", "application/pdf", pdfBytes)
		wantCodeOf(t, "attach to a submitted application", err, chanye.ECONFLICT)
		_, err = s.MoveApplication(dept, app.ID, policy.AppReturned, "  ")
		wantCodeOf(t, "return without a reason", err, chanye.EINVALID)
		app, err = s.MoveApplication(dept, app.ID, policy.AppReturned, "请补充设备发票 / attach the equipment invoices")
		if err != nil || app.Status != policy.AppReturned || !strings.Contains(app.Reason, "设备发票") {
			t.Fatalf("return = %+v, %v", app, err)
		}
		_, err = s.MoveApplication(dept, app.ID, policy.AppAccepted, "")
		wantCodeOf(t, "accept a returned application", err, chanye.ECONFLICT)

		*clock = time.Date(2025, 6, 18, 10, 0, 0, 0, time.UTC) // Wednesday
		if app, err = s.MoveApplication(firm, app.ID, policy.AppSubmitted, ""); err != nil {
			t.Fatal(err)
		}
		if app.DueOn != date("2025-06-25") || app.Reason != "" {
			t.Errorf("resubmitted: due %s reason %q, want 2025-06-25 and no reason", app.DueOn, app.Reason)
		}
		if ins, err := s.FindInputs(ctx, a.Code); err != nil || ins[a.Code] != nil {
			t.Fatalf("inputs before acceptance = %+v, %v; want none", ins[a.Code], err)
		}
		if app, err = s.MoveApplication(dept, app.ID, policy.AppAccepted, "核验无误"); err != nil {
			t.Fatal(err)
		}
		_, err = s.MoveApplication(firm, app.ID, policy.AppWithdrawn, "")
		wantCodeOf(t, "withdraw an accepted application", err, chanye.ECONFLICT)

		got, err := s.FindApplicationByID(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, e := range got.Events {
			steps = append(steps, e.Action+":"+string(e.To))
		}
		want := "create:draft save:draft attach:draft submit:submitted return:returned submit:submitted accept:accepted"
		if strings.Join(steps, " ") != want {
			t.Errorf("timeline %v, want %s", steps, want)
		}
		if len(got.Files) != 1 || got.Values["finished_on"] != done || got.Values["equipment_investment"] != int64(12_345_678_901) {
			t.Errorf("read back %+v", got)
		}
		if n := auditCount(t, s, "policy_application"); n != 6 {
			t.Errorf("%d audit entries of the application, want 6 (create, save, submit, return, submit, accept)", n)
		}
		if n := auditCount(t, s, "policy_application_file"); n != 1 {
			t.Errorf("%d audit entries of attachments, want 1", n)
		}

		// b withdraws its draft: nothing of it is read.
		bApp, err := s.SaveApplication(as(ctx, "admin"), &policy.Application{PolicyID: retrofitID, Code: b.Code,
			Values: map[string]any{"plant_investment": int64(100)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.MoveApplication(as(ctx, "admin"), bApp.ID, policy.AppWithdrawn, ""); err != nil {
			t.Fatal(err)
		}
		ins, err := s.FindInputs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ins[b.Code] != nil {
			t.Errorf("inputs of b = %+v, want none (withdrawn)", ins[b.Code])
		}
		vals := ins[a.Code].Applied[retrofitID]
		if vals["equipment_investment"] != int64(12_345_678_901) || vals["finished_on"] != done || vals["plant_investment"] != int64(0) {
			t.Errorf("accepted inputs = %+v", vals)
		}
		// A new application after acceptance is allowed (the open index
		// holds only drafts, submitted and returned ones).
		if _, err := s.SaveApplication(firm, &policy.Application{PolicyID: retrofitID, Code: a.Code}); err != nil {
			t.Errorf("a new application after acceptance: %v", err)
		}

		code := a.Code
		dname := "市工业和信息化局"
		sub := policy.AppSubmitted
		for _, tc := range []struct {
			f    policy.ApplicationFilter
			want int
		}{
			{policy.ApplicationFilter{}, 3},
			{policy.ApplicationFilter{Code: &code}, 2},
			{policy.ApplicationFilter{Department: &dname}, 3},
			{policy.ApplicationFilter{Status: &sub}, 0},
		} {
			if list, total, err := s.FindApplications(ctx, tc.f); err != nil || total != tc.want || len(list) != tc.want {
				t.Errorf("FindApplications(%+v) = %d/%d, %v; want %d", tc.f, len(list), total, err, tc.want)
			}
		}
		if rep, err := s.VerifyAudit(ctx, nil); err != nil || !rep.OK {
			t.Errorf("audit verify = %+v, %v", rep, err)
		}
	})
}

// TestProjectInputs: a project's recorded figures are its owner's inputs;
// none recorded, none read.
func TestProjectInputs(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		setClock(db)
		s := newStore(t, db)
		p1, p2 := testProjectN(t, 1), testProjectN(t, 2)
		eq := chanye.Fen(1_000_000_00)
		fin := date("2025-05-01")
		p1.EquipmentInvestmentFen, p1.FinishedOn = &eq, &fin
		for _, p := range []*chanye.Enterprise{enterprise(t, 1, "440103", "3612"), enterprise(t, 2, "440103", "3612")} {
			if err := s.CreateEnterprise(context.Background(), p); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CreateProject(operator(), p1); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateProject(operator(), p2); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindProjectByID(operator(), p1.ID)
		if err != nil || got.EquipmentInvestmentFen == nil || *got.EquipmentInvestmentFen != eq || got.PlantInvestmentFen != nil || *got.FinishedOn != fin {
			t.Fatalf("project read back = %+v, %v", got, err)
		}
		ins, err := s.FindInputs(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if v := ins[p1.OwnerCode].Project; v["equipment_investment"] != int64(eq) || v["finished_on"] != fin || len(v) != 2 {
			t.Errorf("project inputs = %+v", v)
		}
		if ins[p2.OwnerCode] != nil {
			t.Errorf("a project without the figures gives inputs %+v", ins[p2.OwnerCode])
		}
	})
}
