package scorecard_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/scorecard"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestPayout pays one decision of a policy the department issues three
// days after its approval: the department's card shows 3 days, a
// leader's shows no payout.
func TestPayout(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	db, store := sqlstoretest.NewWithDB(t)
	clock := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	asOf, _ := chanye.ParseDate("2025-12-31")
	if _, err := demo.Generate(ctx, store, demo.Options{AsOf: asOf, Enterprises: 1000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Catalog: store, Enterprises: store, Versions: store, Runs: store, Now: func() time.Time { return clock }})
	if _, err := eng.EnsureShipped(ctx, true); err != nil {
		t.Fatal(err)
	}
	run, err := eng.Run(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	const dept, leader = "市工业和信息化局", "张市长"
	var pid string
	for _, p := range run.Policies {
		v, err := store.FindPolicyVersion(ctx, p.ID, p.Version)
		if err != nil {
			t.Fatal(err)
		}
		if p.Eligible >= 1 && strings.Contains(v.Policy.Issuer, dept) {
			pid = p.ID
			break
		}
	}
	if pid == "" {
		t.Fatal("no policy of the department has eligible decisions")
	}
	d, l := dept, leader
	if err := store.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: chanye.OrgLeader, NameZH: leader}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateResponsibility(ctx, "icv-nev", chanye.ResponsibilityUpdate{LeadDepartment: &d, CityLeader: &l}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Publicise(ctx, run.ID, pid, 5); err != nil {
		t.Fatal(err)
	}
	ds, _, err := store.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, PolicyID: &pid, Limit: 1})
	if err != nil || len(ds) == 0 {
		t.Fatalf("decisions: %v", err)
	}
	ref := policy.DecisionRef{RunID: run.ID, PolicyID: pid, Code: ds[0].Code}
	clock = clock.AddDate(0, 0, 20)
	// Four eyes: another person than the operator who ran and publicised.
	approver := chanye.WithActor(context.Background(), &chanye.Actor{Name: "审批人", Role: chanye.RoleAdmin})
	if err := store.Approve(approver, []policy.DecisionRef{ref}); err != nil {
		t.Fatal(err)
	}
	clock = clock.AddDate(0, 0, 3)
	if _, _, err := store.Pay(ctx, ref, policy.Payout{PaidOn: chanye.DateOf(clock), Voucher: "记-001", Batch: "B-001"}); err != nil {
		t.Fatal(err)
	}

	sc := &scorecard.Service{Catalog: store, Projects: store, Versions: store, Runs: store, Ledger: store}
	day := chanye.DateOf(clock)
	c, err := sc.Card(ctx, scorecard.Department, dept, day)
	if err != nil {
		t.Fatal(err)
	}
	if c.Payout == nil {
		t.Fatal("no payout on the department's card")
	}
	if c.Payout.Payments != 1 || c.Payout.MedianDays != 3 || c.Payout.MaxDays != 3 || c.Payout.Within15 != 1 {
		t.Errorf("payout = %+v, want one payment 3 days after approval", *c.Payout)
	}
	if len(c.Industries) != 1 || c.Industries[0].ID != "icv-nev" {
		t.Errorf("industries = %+v, want icv-nev", c.Industries)
	}
	lc, err := sc.Card(ctx, scorecard.Leader, leader, day)
	if err != nil {
		t.Fatal(err)
	}
	if lc.Payout != nil {
		t.Errorf("a leader's card has a payout: %+v", *lc.Payout)
	}
	if _, err := sc.Card(ctx, scorecard.TaskForce, "无名专班", day); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("unknown task force: %v, want not found", err)
	}
	public := chanye.WithActor(context.Background(), chanye.Public)
	if _, err := sc.Card(public, scorecard.Department, dept, day); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
		t.Errorf("the public: %v, want unauthorized", err)
	}
	ent := chanye.WithActor(context.Background(), &chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: ref.Code})
	if _, err := sc.Cards(ent, day, scorecard.Kinds...); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("an enterprise: %v, want forbidden", err)
	}
}

// TestSubjectsInListOrder: the scorecards of a kind follow the order of its
// managed list, 甲乙丙丁 as the administrators keep it, not code point order
// (丁丙乙甲); a name not on the list comes last.
func TestSubjectsInListOrder(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	leaders := []string{"市领导甲", "市领导乙", "市领导丙", "市领导丁"}
	for _, n := range leaders {
		if err := store.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: chanye.OrgLeader, NameZH: n}); err != nil {
			t.Fatal(err)
		}
	}
	inds, err := store.FindIndustries(ctx, chanye.IndustryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// Assigned in reverse, so that neither the industries' order nor the
	// names' gives the list's.
	for i, n := range []string{"市领导丁", "市领导丙", "市领导乙", "市领导甲"} {
		if _, err := store.UpdateResponsibility(ctx, inds[i].ID, chanye.ResponsibilityUpdate{CityLeader: &n}); err != nil {
			t.Fatal(err)
		}
	}
	sc := &scorecard.Service{Catalog: store, Projects: store, Versions: store, Runs: store, Lists: store}
	subs, err := sc.Subjects(ctx, scorecard.Leader, chanye.DateOf(testclock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range subs {
		got = append(got, s.Name)
	}
	if strings.Join(got, " ") != strings.Join(leaders, " ") {
		t.Errorf("leaders in order %v, want %v", got, leaders)
	}
	sc.Lists = nil
	if subs, _ = sc.Subjects(ctx, scorecard.Leader, chanye.DateOf(testclock.Now())); subs[0].Name != "市领导丁" {
		t.Errorf("without lists the first is %q, want code point order", subs[0].Name)
	}
}
