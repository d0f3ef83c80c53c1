package sqlstore

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// TestFindObjectionByID finds an objection by its id, as FindObjections
// lists it, and answers ENOTFOUND for an id that names none.
func TestFindObjectionByID(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		setClock(db)
		s := NewStore(db)
		version := publishedPolicy(t, s)
		a, absent := code(t, 1), code(t, 2)
		run := createRun(t, s, version, eligible(version, a, "440103", 100_00))
		if _, err := s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 5); err != nil {
			t.Fatal(err)
		}
		var made []*policy.Objection
		for _, c := range []string{a, absent} {
			o := &policy.Objection{Ref: policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: c}, Reason: "复核 / please review"}
			if err := s.CreateObjection(as(ctx, "enterprise:"+c), o); err != nil {
				t.Fatal(err)
			}
			made = append(made, o)
		}
		listed, _, err := s.FindObjections(ctx, policy.ObjectionFilter{})
		if err != nil || len(listed) != len(made) {
			t.Fatalf("FindObjections = %d, %v; want %d", len(listed), err, len(made))
		}
		for i, o := range made {
			got, err := s.FindObjectionByID(ctx, o.ID)
			if err != nil {
				t.Fatalf("FindObjectionByID(%d): %v", o.ID, err)
			}
			if *got != *listed[i] {
				t.Errorf("FindObjectionByID(%d) = %+v, want %+v as listed", o.ID, got, listed[i])
			}
			if got.Ref != o.Ref || got.Absent != o.Absent || got.Status != policy.ObjectionOpen || got.By != "enterprise:"+o.Ref.Code+" (admin)" {
				t.Errorf("FindObjectionByID(%d) = %+v", o.ID, got)
			}
		}
		for _, id := range []int64{0, -1, made[1].ID + 1} {
			_, err := s.FindObjectionByID(ctx, id)
			wantCodeOf(t, "no such objection", err, chanye.ENOTFOUND)
		}
	})
}

// TestActorFromContext: every write of the decision lifecycle records the
// context's actor, as its String — the name and role the request was
// authenticated as — and a write with no actor on the context (the public)
// is refused, as an empty "by" was.
func TestActorFromContext(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		editor := &chanye.Actor{Name: "市工信局 张三", Role: chanye.RoleDepartment, Department: "市工业和信息化局"}
		runner := &chanye.Actor{Name: "operator", Role: chanye.RoleAdmin}
		firm := &chanye.Actor{Name: "企业甲", Role: chanye.RoleEnterprise}
		treasury := &chanye.Actor{Name: "市财政局 李四", Role: chanye.RoleDepartment, Department: "市财政局"}
		as := func(a *chanye.Actor) context.Context { return chanye.WithActor(ctx, a) }

		_, err := s.CreatePolicyVersion(ctx, policySource(t))
		wantCodeOf(t, "create with no actor", err, chanye.EINVALID)
		v, err := s.CreatePolicyVersion(as(editor), policySource(t))
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.PublishPolicyVersion(as(chanye.Public), testPolicyID, v.Version)
		wantCodeOf(t, "publish by the public", err, chanye.EINVALID)
		if v, err = s.PublishPolicyVersion(as(editor), testPolicyID, v.Version); err != nil {
			t.Fatal(err)
		}
		if v.CreatedBy != editor.String() || v.PublishedBy != editor.String() {
			t.Errorf("version created by %q, published by %q; want %q", v.CreatedBy, v.PublishedBy, editor)
		}

		a, b := code(t, 1), code(t, 2)
		newRun := func() *policy.Run {
			return &policy.Run{AsOf: chanye.DateOf(today), Snapshot: "snap-1", Enterprises: 2, By: "someone else",
				Policies: []policy.RunPolicy{{ID: testPolicyID, Version: v.Version}}}
		}
		ds := func() []*policy.StoredDecision {
			return []*policy.StoredDecision{eligible(v.Version, a, "440103", 100_00), eligible(v.Version, b, "440103", 200_00)}
		}
		wantCodeOf(t, "run with no actor", s.CreateRun(ctx, newRun(), decisions(ds()...)), chanye.EINVALID)
		run := newRun()
		if err := s.CreateRun(as(runner), run, decisions(ds()...)); err != nil {
			t.Fatal(err)
		}
		if stored, err := s.FindRun(ctx, run.ID); err != nil || run.By != runner.String() || stored.By != runner.String() {
			t.Errorf("run by %q, stored by %+v, %v; want %q whatever the caller set", run.By, stored, err, runner)
		}
		ref := func(c string) policy.DecisionRef {
			return policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: c}
		}

		if _, err := s.Publicise(as(editor), run.ID, testPolicyID, 5); err != nil {
			t.Fatal(err)
		}
		o := &policy.Objection{Ref: ref(b), Reason: "数据有误", By: "forged"}
		wantCodeOf(t, "object with no actor", s.CreateObjection(ctx, o), chanye.EINVALID)
		if err := s.CreateObjection(as(firm), o); err != nil {
			t.Fatal(err)
		}
		if o.By != firm.String() {
			t.Errorf("objection by %q, want %q whatever the caller set", o.By, firm)
		}
		resolved, err := s.ResolveObjection(as(editor), o.ID, false, "数据无误")
		if err != nil || resolved.By != firm.String() || resolved.ResolvedBy != editor.String() {
			t.Fatalf("resolved %+v, %v; want by %q, resolved by %q", resolved, err, firm, editor)
		}
		*clock = clock.AddDate(0, 0, 10)
		wantCodeOf(t, "approve with no actor", s.Approve(ctx, []policy.DecisionRef{ref(a), ref(b)}), chanye.EINVALID)
		if err := s.Approve(as(treasury), []policy.DecisionRef{ref(a), ref(b)}); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Pay(ctx, ref(a), payout(s))
		wantCodeOf(t, "pay with no actor", err, chanye.EINVALID)
		paid, created, err := s.Pay(as(treasury), ref(a), payout(s))
		if err != nil || !created {
			t.Fatalf("pay: created %v, %v", created, err)
		}
		if paid.By != treasury.String() {
			t.Errorf("payment by %q, want %q", paid.By, treasury)
		}
		if d, err := s.FindDecision(ctx, ref(a)); err != nil || d.Status != policy.DecisionPaid || d.StatusBy != treasury.String() {
			t.Errorf("decision %+v, %v; want paid by %q", d, err, treasury)
		}
		_, err = s.Reverse(ctx, ref(a), "错付")
		wantCodeOf(t, "reverse with no actor", err, chanye.EINVALID)
		rev, err := s.Reverse(as(treasury), ref(a), "错付")
		if err != nil || rev.By != treasury.String() {
			t.Fatalf("reversal %+v, %v; want by %q", rev, err, treasury)
		}

		want := map[string]string{"publicise": editor.String(), "approve": treasury.String(), "pay": treasury.String(), "reverse": treasury.String()}
		evs, err := s.FindDecisionEvents(ctx, ref(a))
		if err != nil || len(evs) != len(want) {
			t.Fatalf("events of a: %d, %v; want %d", len(evs), err, len(want))
		}
		for _, e := range evs {
			if e.By != want[e.Action] {
				t.Errorf("%s by %q, want %q", e.Action, e.By, want[e.Action])
			}
		}
		evs, err = s.FindDecisionEvents(ctx, ref(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if w := map[string]string{"object": firm.String(), "reject": editor.String()}[e.Action]; w != "" && e.By != w {
				t.Errorf("%s of b by %q, want %q", e.Action, e.By, w)
			}
		}
	})
}
