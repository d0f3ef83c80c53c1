package authz_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

const dept = "市工业和信息化局"

var (
	admin     = &chanye.Actor{Name: "a", Role: chanye.RoleAdmin}
	leader    = &chanye.Actor{Name: "l", Role: chanye.RoleLeader}
	ownDept   = &chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: dept}
	otherDept = &chanye.Actor{Name: "o", Role: chanye.RoleDepartment, Department: "市科技局"}
	taskForce = &chanye.Actor{Name: "t", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"}
	public    = chanye.Public
	unknown   = &chanye.Actor{Name: "x", Role: "mayor"}
)

// fixture is a small base: the catalog, 200 enterprises, the shipped
// policies, icv-nev led by dept.
type fixture struct {
	cat   chanye.CatalogService
	ents  chanye.EnterpriseService
	pols  policy.Services
	vs    policy.VersionService // unguarded: who issues a policy
	eng   *authz.EngineGuard
	a, b  string // two enterprise codes
	owned string // a policy dept issues
	other string // a policy it does not
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	if _, err := demo.Generate(ctx, store, demo.Options{AsOf: testclock.Today(), Enterprises: 200, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	if _, err := eng.EnsureShipped(ctx, true); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateResponsibility(ctx, "icv-nev", chanye.ResponsibilityUpdate{LeadDepartment: ptr(dept)}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: chanye.OrgLeader, NameZH: "张三"}); err != nil {
		t.Fatal(err)
	}
	es, _, err := store.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 2})
	if err != nil || len(es) < 2 {
		t.Fatal(err)
	}
	return &fixture{cat: authz.Catalog(store), ents: authz.Enterprises(store, testclock.Now), pols: authz.Policies(store.PolicyServices()), vs: store, eng: authz.Engine(eng, store),
		a: es[0].Code, b: es[1].Code, owned: "gz-little-giant-reward", other: "example-rd-subsidy"}
}

func ptr[T any](v T) *T { return &v }

func mustDate(s string) chanye.Date {
	d, err := chanye.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

type rcase struct {
	name  string
	actor *chanye.Actor
	call  func(ctx context.Context) error
	want  string // error code; "" allowed
}

func run(t *testing.T, cases []rcase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call(chanye.WithActor(context.Background(), c.actor))
			if got := chanye.ErrorCode(err); got != c.want {
				t.Errorf("got %q (%v), want %q", got, err, c.want)
			}
		})
	}
}

func TestCatalogRules(t *testing.T) {
	f := newFixture(t)
	read := func(ctx context.Context) error { _, err := f.cat.FindCatalog(ctx); return err }
	resp := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := f.cat.UpdateResponsibility(ctx, id, chanye.ResponsibilityUpdate{CityLeader: ptr("张三")})
			return err
		}
	}
	ind := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return f.cat.UpsertIndicators(ctx, []*chanye.Indicator{{IndustryID: id, Metric: "revenue", Period: "2024", Value: 1, Unit: "yuan", Source: "s"}})
		}
	}
	run(t, []rcase{
		{"public reads the catalog", public, read, ""},
		{"enterprise reads the catalog", &chanye.Actor{Role: chanye.RoleEnterprise, Code: f.a}, read, ""},
		{"unknown role reads nothing", unknown, read, chanye.EFORBIDDEN},
		{"admin sets responsibility", admin, resp("icv-nev"), ""},
		{"leader sets no responsibility", leader, resp("icv-nev"), chanye.EFORBIDDEN},
		{"department: its industry", ownDept, resp("icv-nev"), ""},
		{"department: another industry", ownDept, resp("biomedicine"), chanye.EFORBIDDEN},
		{"task force: no responsibility", taskForce, resp("icv-nev"), chanye.EFORBIDDEN},
		{"public: sign in", public, resp("icv-nev"), chanye.EUNAUTHORIZED},
		{"task force: its indicators", taskForce, ind("icv-nev"), ""},
		{"task force: not another's", taskForce, ind("biomedicine"), chanye.EFORBIDDEN},
		{"department: its indicators", ownDept, ind("icv-nev"), ""},
		{"other department: not these", otherDept, ind("icv-nev"), chanye.EFORBIDDEN},
		{"import: admin only", leader, func(ctx context.Context) error { return f.cat.ImportCatalog(ctx, &chanye.Catalog{}) }, chanye.EFORBIDDEN},
	})
}

func TestRegistryRules(t *testing.T) {
	f := newFixture(t)
	entA := &chanye.Actor{Name: "甲", Role: chanye.RoleEnterprise, Code: f.a}
	find := func(code string) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := f.ents.FindEnterpriseByCode(ctx, code); return err }
	}
	facts := func(code string) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := f.ents.FindFacts(ctx, code); return err }
	}
	put := func(ctx context.Context) error {
		_, err := f.ents.PutFacts(ctx, f.a, []*chanye.Facts{{Year: 2020, Employees: ptr(int64(1)), Source: "s", AsOf: mustDate("2021-03-01")}})
		return err
	}
	stats := func(q *string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := f.ents.EnterpriseStats(ctx, chanye.EnterpriseFilter{Q: q})
			return err
		}
	}
	run(t, []rcase{
		{"leader reads any", leader, find(f.b), ""},
		{"task force reads any", taskForce, find(f.b), ""},
		{"enterprise reads itself", entA, find(f.a), ""},
		{"enterprise: another is not found", entA, find(f.b), chanye.ENOTFOUND},
		{"enterprise: another's facts are not found", entA, facts(f.b), chanye.ENOTFOUND},
		{"public: sign in", public, find(f.a), chanye.EUNAUTHORIZED},
		{"enterprise writes no facts, not even its own", entA, put, chanye.EFORBIDDEN},
		{"department writes no facts", ownDept, put, chanye.EFORBIDDEN},
		{"public: totals", public, stats(nil), ""},
		{"public: no name search in totals", public, stats(ptr("广州")), chanye.EUNAUTHORIZED},
	})

	ctx := chanye.WithActor(context.Background(), entA)
	list, total, err := f.ents.FindEnterprises(ctx, chanye.EnterpriseFilter{})
	if err != nil || total != 1 || len(list) != 1 || list[0].Code != f.a {
		t.Errorf("enterprise lists %d of %d, err %v; want only itself", len(list), total, err)
	}
	n := 0
	if err := f.ents.ScanCodes(ctx, chanye.EnterpriseFilter{}, func(code string) error {
		if code != f.a {
			t.Errorf("scan yields %s", code)
		}
		n++
		return nil
	}); err != nil || n != 1 {
		t.Errorf("scan: %d codes, %v; want itself", n, err)
	}
}

func TestPolicyRules(t *testing.T) {
	f := newFixture(t)
	entA := &chanye.Actor{Name: "甲", Role: chanye.RoleEnterprise, Code: f.a}
	publish := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := f.pols.Versions.PublishPolicyVersion(ctx, id, 1)
			return err
		}
	}
	pay := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, _, err := f.pols.Ledger.Pay(ctx, policy.DecisionRef{RunID: 99, PolicyID: id, Code: f.a}, policy.Payout{PaidOn: testclock.Today(), Voucher: "记-1", Batch: "B-1"})
			return err
		}
	}
	object := func(code string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return f.pols.Publicity.CreateObjection(ctx, &policy.Objection{Ref: policy.DecisionRef{RunID: 99, PolicyID: f.owned, Code: code}, Reason: "r"})
		}
	}
	run(t, []rcase{
		// Version 1 is published: who may publish gets the conflict.
		{"department publishes its policy", ownDept, publish(f.owned), chanye.ECONFLICT},
		{"department: not another's", ownDept, publish(f.other), chanye.EFORBIDDEN},
		// Ownership is the policy's department, not words of its issuer:
		// f.owned's issuer is 广州市人民政府办公厅（牵头单位：市工业和信息化局）.
		{"a name inside the issuer owns nothing", &chanye.Actor{Name: "g", Role: chanye.RoleDepartment, Department: "工业和信息化局"}, publish(f.owned), chanye.EFORBIDDEN},
		{"the issuing office owns nothing", &chanye.Actor{Name: "g", Role: chanye.RoleDepartment, Department: "广州市人民政府办公厅"}, publish(f.owned), chanye.EFORBIDDEN},
		{"other department publishes its own", otherDept, publish(f.other), chanye.ECONFLICT},
		{"department: a version naming another department", ownDept, func(ctx context.Context) error {
			src := strings.Replace(string(policy.ShippedSources(true)[len(policy.ShippedSources(true))-2]), "department: 市工业和信息化局", "department: 市科技局", 1)
			_, err := f.pols.Versions.CreatePolicyVersion(ctx, []byte(src))
			return err
		}, chanye.EFORBIDDEN},
		{"leader publishes nothing", leader, publish(f.owned), chanye.EFORBIDDEN},
		{"department pays its policy (no run 99)", ownDept, pay(f.owned), chanye.ENOTFOUND},
		{"department: pays not another's", otherDept, pay(f.owned), chanye.EFORBIDDEN},
		{"task force pays nothing", taskForce, pay(f.owned), chanye.EFORBIDDEN},
		{"enterprise objects for itself (no run 99)", entA, object(f.a), chanye.ENOTFOUND},
		{"enterprise: for another, not found", entA, object(f.b), chanye.ENOTFOUND},
		{"department objects for no one", ownDept, object(f.a), chanye.EFORBIDDEN},
		{"public reads the public list", public, func(ctx context.Context) error {
			_, _, err := f.pols.Publicity.FindPublicity(ctx, policy.PublicityFilter{})
			return err
		}, ""},
		{"public reads no decisions", public, func(ctx context.Context) error {
			_, _, err := f.pols.Runs.FindDecisions(ctx, policy.DecisionFilter{})
			return err
		}, chanye.EUNAUTHORIZED},
		{"enterprise reads no runs", entA, func(ctx context.Context) error {
			_, _, err := f.pols.Runs.FindRuns(ctx, policy.RunFilter{})
			return err
		}, chanye.EFORBIDDEN},
		{"enterprise reads its own ledger", entA, func(ctx context.Context) error {
			_, _, err := f.pols.Ledger.FindLedger(ctx, policy.LedgerFilter{})
			return err
		}, ""},
		{"task force reads no ledger", taskForce, func(ctx context.Context) error {
			_, _, err := f.pols.Ledger.FindLedger(ctx, policy.LedgerFilter{})
			return err
		}, chanye.EFORBIDDEN},
		{"enterprise: another's decision is not found", entA, func(ctx context.Context) error {
			_, err := f.pols.Runs.FindDecision(ctx, policy.DecisionRef{RunID: 1, PolicyID: f.owned, Code: f.b})
			return err
		}, chanye.ENOTFOUND},
	})

	// An enterprise's decision filter is forced to its own code.
	ctx := chanye.WithActor(context.Background(), entA)
	if ds, total, err := f.pols.Runs.FindDecisions(ctx, policy.DecisionFilter{Code: &f.b}); err != nil || total != 0 || len(ds) != 0 {
		t.Errorf("enterprise asking for another's decisions: %d, %v; want none", total, err)
	}
	// And so is its ledger: its own payments, nobody else's.
	if es, total, err := f.pols.Ledger.FindLedger(ctx, policy.LedgerFilter{Code: &f.b}); err != nil || total != 0 || len(es) != 0 {
		t.Errorf("enterprise asking for another's payments: %d, %v; want none", total, err)
	}
	// Drafts are hidden from the public; published versions are not.
	pctx := chanye.WithActor(context.Background(), public)
	if _, err := f.pols.Versions.FindPolicyVersion(pctx, f.owned, 0); err != nil {
		t.Errorf("public reading a published policy: %v", err)
	}
	vs, _, err := f.pols.Versions.FindPolicies(pctx, policy.VersionFilter{Status: ptr(policy.StatusDraft)})
	if err != nil || len(vs) != 0 {
		t.Errorf("public asking for drafts: %d, %v; want none", len(vs), err)
	}
}

func TestEngineRules(t *testing.T) {
	f := newFixture(t)
	entA := &chanye.Actor{Name: "甲", Role: chanye.RoleEnterprise, Code: f.a}
	explain := func(code string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := f.eng.ExplainEnterprise(ctx, code, chanye.Date{})
			return err
		}
	}
	runAll := func(ctx context.Context) error { _, err := f.eng.Run(ctx, chanye.Date{}); return err }
	simulate := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			ctxOp := chanye.WithActor(ctx, chanye.Operator)
			v, err := f.pols.Versions.FindPolicyVersion(ctxOp, id, 0)
			if err != nil {
				return err
			}
			_, err = f.eng.Simulate(ctx, v.Policy, chanye.Date{})
			return err
		}
	}
	testCases := func(ctx context.Context) error {
		_, err := f.eng.Test(ctx, policy.Shipped()[0])
		return err
	}
	// A re-decision as of a day each policy is in force; what matters here
	// is who may, not what it decides.
	redecide := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, _, err := f.eng.Redecide(ctx, id, f.a, mustDate("2026-06-30"))
			return err
		}
	}
	run(t, []rcase{
		{"enterprise explains itself", entA, explain(f.a), ""},
		{"enterprise: another is not found", entA, explain(f.b), chanye.ENOTFOUND},
		{"task force explains any", taskForce, explain(f.b), ""},
		{"public: sign in", public, explain(f.a), chanye.EUNAUTHORIZED},
		{"department starts no run", ownDept, runAll, chanye.EFORBIDDEN},
		{"leader simulates", leader, simulate(f.owned), ""},
		{"department simulates its policy", ownDept, simulate(f.owned), ""},
		{"department: not another's", ownDept, simulate(f.other), chanye.EFORBIDDEN},
		{"task force simulates nothing", taskForce, simulate(f.owned), chanye.EFORBIDDEN},
		// Testing a policy's cases runs its code: not for the public.
		{"public tests no policy", public, testCases, chanye.EUNAUTHORIZED},
		{"enterprise tests no policy", entA, testCases, chanye.EFORBIDDEN},
		{"task force tests no policy", taskForce, testCases, chanye.EFORBIDDEN},
		{"any department tests a policy", otherDept, testCases, ""},
		{"leader tests a policy", leader, testCases, ""},
		{"department re-decides for its policy", ownDept, redecide(f.owned), ""},
		{"department: not for another's", ownDept, redecide(f.other), chanye.EFORBIDDEN},
		{"leader re-decides nothing", leader, redecide(f.owned), chanye.EFORBIDDEN},
		{"enterprise re-decides nothing", entA, redecide(f.owned), chanye.EFORBIDDEN},
		{"public re-decides nothing", public, redecide(f.owned), chanye.EUNAUTHORIZED},
		{"admin re-decides any", admin, redecide(f.other), ""},
	})
}

// TestRulesNameEveryRole keeps the tables honest: every grant names a
// known role.
func TestRulesNameEveryRole(t *testing.T) {
	for name, rs := range map[string]authz.Rules{"catalog": authz.CatalogRules(), "registry": authz.RegistryRules(),
		"policy": authz.PolicyRules(), "engine": authz.EngineRules(), "audit": authz.AuditRules(), "lists": authz.OrgUnitRules(),
		"chains": authz.ChainRules(), "invest": authz.InvestRules(), "calendar": authz.CalendarRules(), "requests": authz.RequestRules(),
		"space": authz.SpaceRules()} {
		for act, grants := range rs {
			for role := range grants {
				if !role.Valid() {
					t.Errorf("%s rules: %q grants unknown role %q", name, act, role)
				}
			}
			// Only the enterprise agrees that its request is solved.
			if rs.Grant(chanye.RoleAdmin, act) != authz.Allow && act != authz.ConfirmRequests {
				t.Errorf("%s rules: admin may not %q", name, act)
			}
		}
	}
}

// objections is an in-memory policy.PublicityService of objections by id.
// It has no FindObjections: authz must not page through the objections to
// find one (any call it lacks panics on the nil interface).
type objections struct {
	policy.PublicityService
	byID map[int64]*policy.Objection
}

func (s *objections) FindObjectionByID(_ context.Context, id int64) (*policy.Objection, error) {
	if o, ok := s.byID[id]; ok {
		return o, nil
	}
	return nil, chanye.Errorf(chanye.ENOTFOUND, "no objection %d", id)
}

func (s *objections) ResolveObjection(ctx context.Context, id int64, upheld bool, resolution string) (*policy.Objection, error) {
	return s.FindObjectionByID(ctx, id)
}

func (s *objections) CorrectFacts(ctx context.Context, id int64, f *chanye.Facts) (*chanye.Enterprise, error) {
	o, err := s.FindObjectionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return &chanye.Enterprise{Code: o.Ref.Code}, nil
}

// TestObjectionRules: resolving an objection is for the department that
// issues its policy, found by the objection's id alone; an enterprise
// reads its own objections by id and not another's.
func TestObjectionRules(t *testing.T) {
	f := newFixture(t)
	entA := &chanye.Actor{Name: "甲", Role: chanye.RoleEnterprise, Code: f.a}
	inner := &objections{byID: map[int64]*policy.Objection{
		1: {ID: 1, Ref: policy.DecisionRef{RunID: 1, PolicyID: f.owned, Code: f.a}, Status: policy.ObjectionOpen},
		2: {ID: 2, Ref: policy.DecisionRef{RunID: 1, PolicyID: f.other, Code: f.b}, Status: policy.ObjectionOpen},
	}}
	pub := authz.Policies(policy.Services{Versions: f.vs, Publicity: inner}).Publicity
	resolve := func(id int64) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := pub.ResolveObjection(ctx, id, false, "维持"); return err }
	}
	find := func(id int64) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := pub.FindObjectionByID(ctx, id); return err }
	}
	correct := func(id int64) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := pub.CorrectFacts(ctx, id, &chanye.Facts{Year: 2024})
			return err
		}
	}
	run(t, []rcase{
		{"department resolves on its policy", ownDept, resolve(1), ""},
		{"department: not on another's", ownDept, resolve(2), chanye.EFORBIDDEN},
		{"other department resolves on its own", otherDept, resolve(2), ""},
		{"department: no such objection", ownDept, resolve(3), chanye.ENOTFOUND},
		{"admin resolves any", admin, resolve(2), ""},
		{"leader resolves none", leader, resolve(1), chanye.EFORBIDDEN},
		{"enterprise resolves none", entA, resolve(1), chanye.EFORBIDDEN},
		{"public resolves none", public, resolve(1), chanye.EUNAUTHORIZED},
		{"enterprise reads its own objection", entA, find(1), ""},
		{"enterprise: another's is not found", entA, find(2), chanye.ENOTFOUND},
		{"task force reads any", taskForce, find(2), ""},
		{"public reads none", public, find(1), chanye.EUNAUTHORIZED},
		// Correcting figures after an upheld objection: the department of
		// the objection's policy, found by the objection's id alone.
		{"department corrects on its policy", ownDept, correct(1), ""},
		{"department: not on another's", ownDept, correct(2), chanye.EFORBIDDEN},
		{"admin corrects any", admin, correct(2), ""},
		{"leader corrects none", leader, correct(1), chanye.EFORBIDDEN},
		{"task force corrects none", taskForce, correct(1), chanye.EFORBIDDEN},
		{"enterprise corrects none, not even its own", entA, correct(1), chanye.EFORBIDDEN},
		{"public corrects none", public, correct(1), chanye.EUNAUTHORIZED},
	})
}
