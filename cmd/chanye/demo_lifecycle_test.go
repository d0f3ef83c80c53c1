package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// serve --demo reaches every state of the lifecycle (issue 9, point 9), and
// a real database starts with the city's real policies alone.
// The demo runs the shipped examples, valid in 2025–2027: the test pins its
// clock inside that period.
func TestDemoLifecycle(t *testing.T) {
	now := testclock.Fixed("2026-11-16")
	db, store := sqlstoretest.NewWithDB(t)
	db.Now = now
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	today := chanye.DateOf(now())
	if _, err := demo.Generate(ctx, store, demo.Options{Enterprises: 20000, Seed: 1, AsOf: today}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Catalog: store, Enterprises: store, Versions: store, Runs: store, Now: now})

	// Without --demo only the official policies are published.
	if n, err := eng.EnsureShipped(ctx, false); err != nil || n != official(t) || n == len(policy.Shipped()) {
		t.Fatalf("EnsureShipped(false) = %d, %v; want the %d official of %d", n, err, official(t), len(policy.Shipped()))
	}
	vs, _, err := store.FindPolicies(ctx, policy.VersionFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if !v.Policy.Official {
			t.Errorf("%s published on a real database", v.PolicyID)
		}
	}
	// A demo database publishes the examples too (a fresh one in serve;
	// here the examples are added beside the official ones).
	for _, src := range policy.ShippedSources(true) {
		p, err := policy.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if p.Official {
			continue
		}
		v, err := store.CreatePolicyVersion(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.PublishPolicyVersion(ctx, v.PolicyID, v.Version); err != nil {
			t.Fatal(err)
		}
	}

	cfg := Config{Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := ensureDemoLifecycle(ctx, db, store, cfg, cfg.Logger); err != nil {
		t.Fatal(err)
	}
	if got := db.Now(); !got.Equal(now()) {
		t.Errorf("the store's clock is %v after the demo, not put back to %v", got, now())
	}
	runs, _, err := store.FindRuns(ctx, policy.RunFilter{Limit: 10})
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs = %d, %v; want 2", len(runs), err)
	}

	// Every state a newcomer should see.
	statuses := map[policy.DecisionStatus]int{}
	for _, r := range runs {
		ds, _, err := store.FindDecisions(ctx, policy.DecisionFilter{RunID: &r.ID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			statuses[d.Status]++
		}
	}
	for _, s := range []policy.DecisionStatus{policy.DecisionComputed, policy.DecisionPublicised, policy.DecisionObjected,
		policy.DecisionWithdrawn, policy.DecisionApproved, policy.DecisionPaid, policy.DecisionReversed} {
		if statuses[s] == 0 {
			t.Errorf("no decision %s; have %v", s, statuses)
		}
	}
	nd := policy.VerdictNeedsData
	if _, n, err := store.FindDecisions(ctx, policy.DecisionFilter{Verdict: &nd, Limit: 1}); err != nil || n == 0 {
		t.Errorf("needs-data decisions = %d, %v", n, err)
	}
	for _, s := range []policy.ObjectionStatus{policy.ObjectionOpen, policy.ObjectionUpheld, policy.ObjectionRejected} {
		if _, n, err := store.FindObjections(ctx, policy.ObjectionFilter{Status: &s, Limit: 1}); err != nil || n == 0 {
			t.Errorf("objections %s = %d, %v", s, n, err)
		}
	}
	// One list's 公示 has ended, another's is open today.
	var ended, open bool
	ps, _, err := store.FindPublicity(ctx, policy.PublicityFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		ended = ended || p.PublicTo.Before(today.Time)
		open = open || !p.PublicTo.Before(today.Time)
	}
	if !ended || !open {
		t.Errorf("publicity ended %v, open %v; want both", ended, open)
	}
	for _, k := range []policy.LedgerKind{policy.LedgerPayment, policy.LedgerReversal} {
		es, _, err := store.FindLedger(ctx, policy.LedgerFilter{Kind: &k, Limit: 1})
		if err != nil || len(es) == 0 {
			t.Fatalf("ledger %s: %v, %v", k, es, err)
		}
		if k == policy.LedgerPayment && (es[0].Voucher == "" || es[0].Batch == "") {
			t.Errorf("a payment without voucher or batch: %+v", es[0])
		}
	}
	// 快申快享: one application in review, one returned with its reason.
	for _, st := range []policy.AppStatus{policy.AppSubmitted, policy.AppReturned} {
		apps, _, err := store.FindApplications(ctx, policy.ApplicationFilter{Status: &st, Limit: 10})
		if err != nil || len(apps) != 1 {
			t.Fatalf("applications %s = %d, %v; want 1", st, len(apps), err)
		}
		a, err := store.FindApplicationByID(ctx, apps[0].ID)
		if err != nil || len(a.Files) != 1 || (st == policy.AppReturned) != (a.Reason != "") {
			t.Errorf("application %s: %+v, %v", st, a, err)
		}
	}
	// Everything went through the audited services.
	if rep, err := store.VerifyAudit(ctx, nil); err != nil || !rep.OK {
		t.Errorf("audit verify after the demo: %+v, %v", rep, err)
	}
	// A second start changes nothing.
	if err := ensureDemoLifecycle(ctx, db, store, cfg, cfg.Logger); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := store.FindRuns(ctx, policy.RunFilter{Limit: 1}); n != 2 {
		t.Errorf("runs after a second start = %d, want 2", n)
	}

	// The demo accounts: one per role, each signs in with the admin's
	// first password and finds something in its inbox or its queue.
	if _, err := generateProjects(ctx, store, demo.ProjectOptions{Seed: 1, AsOf: today}, today); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Leads(ctx, store, demo.LeadOptions{Seed: 1, Today: today, Leads: 40, Roster: 40, Projects: 2}); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if err := ensureDemoAccounts(ctx, store, "the-admins-first-password", &stderr); err != nil {
		t.Fatal(err)
	}
	inbox := map[string]int{}
	for _, name := range []string{"demo-leader", "demo-department", "demo-enterprise", "demo-taskforce", "demo-owner", "demo-district"} {
		if !strings.Contains(stderr.String(), name) {
			t.Errorf("%s not announced:\n%s", name, stderr.String())
		}
		u, err := store.Authenticate(ctx, name, "the-admins-first-password", "")
		if err != nil {
			t.Fatalf("%s signs in: %v", name, err)
		}
		_, n, _, err := store.FindNotifications(chanye.WithActor(context.Background(), u.Actor()), notify.Filter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		inbox[name] = n
	}
	// The district's: the 督办 of its overdue lead.
	for _, name := range []string{"demo-department", "demo-enterprise", "demo-owner", "demo-district"} {
		if inbox[name] == 0 {
			t.Errorf("%s's inbox is empty (%v)", name, inbox)
		}
	}
	tf := chanye.WithActor(context.Background(), &chanye.Actor{Role: chanye.RoleTaskForce, IndustryID: mustUser(t, store, "demo-taskforce").IndustryID})
	red := project.Red
	if _, n, err := store.FindProjects(tf, project.ProjectFilter{Colour: &red, IndustryID: &mustUser(t, store, "demo-taskforce").IndustryID, Limit: 1}); err != nil || n == 0 {
		t.Errorf("the demo task force's industry has %d red projects, %v", n, err)
	}
}

// mustUser returns the account of that name.
func mustUser(t *testing.T, store *sqlstore.Store, name string) *auth.User {
	t.Helper()
	us, _, err := store.FindUsers(chanye.WithActor(context.Background(), chanye.Operator), auth.UserFilter{Name: &name, Limit: 1})
	if err != nil || len(us) != 1 {
		t.Fatalf("user %s: %v, %v", name, us, err)
	}
	return us[0]
}

func official(t *testing.T) int {
	n := 0
	for _, p := range policy.Shipped() {
		if p.Official {
			n++
		}
	}
	return n
}
