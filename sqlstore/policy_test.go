package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

const testPolicyID = "example-equipment-upgrade"

func policySource(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../policy/policies/" + testPolicyID + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// setClock makes db's now the returned pointer's value.
func setClock(db *DB) *time.Time {
	now := today // 2025-06-15, a Sunday
	db.Now = func() time.Time { return now }
	return &now
}

// publishedPolicy stores and publishes the test policy, returning its version.
func publishedPolicy(t *testing.T, s *Store) int {
	t.Helper()
	ctx := context.Background()
	v, err := s.CreatePolicyVersion(as(ctx, "editor"), policySource(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishPolicyVersion(as(ctx, "director"), v.PolicyID, v.Version); err != nil {
		t.Fatal(err)
	}
	return v.Version
}

func decisions(ds ...*policy.StoredDecision) iter.Seq2[*policy.StoredDecision, error] {
	return func(yield func(*policy.StoredDecision, error) bool) {
		for _, d := range ds {
			if !yield(d, nil) {
				return
			}
		}
	}
}

func eligible(version int, code, district string, amount chanye.Fen) *policy.StoredDecision {
	return &policy.StoredDecision{PolicyID: testPolicyID, Version: version, Code: code, Name: "企业" + code[len(code)-4:],
		District: district, Industries: []string{"auto"}, Size: "small", Period: 2025, Eligible: true, AmountFen: amount,
		Params:     []byte(`{"rate_bp":1000}`),
		Conditions: []byte(`[{"id":"equipment","passed":true,"values":[{"name":"e.fy1.equipment_purchases","value":1}]}]`)}
}

// createRun stores a run of the test policy over ds.
func createRun(t *testing.T, s *Store, version int, ds ...*policy.StoredDecision) *policy.Run {
	t.Helper()
	run := &policy.Run{AsOf: chanye.DateOf(today), Snapshot: "snap-1", Enterprises: len(ds),
		Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version}}}
	if err := s.CreateRun(as(context.Background(), "runner"), run, decisions(ds...)); err != nil {
		t.Fatal(err)
	}
	return run
}

// wantCodeOf is wantCode that says what was tried.
func wantCodeOf(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := chanye.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v, want %s", what, err, code)
	}
}

// TestPublishNeedsCoveringCases: the store refuses to publish a version
// whose cases are missing, lack an ineligible firm or leave a condition
// unmet in no case, naming it; the version stays a draft (issue 9, point 4).
func TestPublishNeedsCoveringCases(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := chanye.WithActor(context.Background(), chanye.Operator)
		s := NewStore(db)
		src := string(policySource(t))
		cases := strings.Index(src, "cases:")
		noManuf := strings.Index(src, "  - name: 非制造业")
		shortCase := strings.Index(src, "  - name: 差一分")
		if cases < 0 || noManuf < 0 || shortCase < 0 || shortCase > noManuf {
			t.Fatal("fixture: the cases this test removes are not in " + testPolicyID)
		}
		eligibleOnly := src[:shortCase] + src[noManuf+strings.Index(src[noManuf:], "  - name: 封顶"):]
		eligibleOnly = eligibleOnly[:strings.Index(eligibleOnly, "  - name: 有效期前")]
		for _, tc := range []struct {
			name, src string
			field     string
			want      string
		}{
			{"no cases", src[:cases], "cases", "没有测试用例"},
			{"no ineligible case", eligibleOnly, "cases", "no case is an ineligible enterprise"},
			{"manufacturing never fails", src[:noManuf] + src[noManuf+strings.Index(src[noManuf:], "  - name: 封顶"):], "conditions[0]", "条件 manufacturing"},
		} {
			v, err := s.CreatePolicyVersion(ctx, []byte(tc.src))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			_, err = s.PublishPolicyVersion(ctx, testPolicyID, v.Version)
			if chanye.ErrorCode(err) != chanye.EINVALID || !strings.Contains(chanye.ErrorFields(err)[tc.field], tc.want) {
				t.Errorf("%s: publish = %v, want EINVALID with %s containing %q", tc.name, err, tc.field, tc.want)
			}
			if got, err := s.FindPolicyVersion(ctx, testPolicyID, v.Version); err != nil || got.Status != policy.StatusDraft {
				t.Errorf("%s: version %d is %v (%v), want a draft still", tc.name, v.Version, got, err)
			}
		}
		if _, err := s.FindPolicyVersion(ctx, testPolicyID, 0); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("a version was published: %v", err)
		}
	})
}

func TestPolicyVersions(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := NewStore(db)
		src := policySource(t)
		v1, err := s.CreatePolicyVersion(as(ctx, "editor"), src)
		if err != nil {
			t.Fatal(err)
		}
		if v1.Version != 1 || v1.Status != policy.StatusDraft || v1.Policy.Status != policy.StatusDraft || v1.CreatedBy != "editor (admin)" {
			t.Fatalf("created %d %s %s by %s, want version 1 draft", v1.Version, v1.Status, v1.Policy.Status, v1.CreatedBy)
		}
		if _, err := s.FindPolicyVersion(ctx, testPolicyID, 0); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Fatalf("published before publishing: %v, want ENOTFOUND", err)
		}
		p1, err := s.PublishPolicyVersion(as(ctx, "director"), testPolicyID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if p1.Status != policy.StatusPublished || p1.PublishedBy != "director (admin)" || !p1.PublishedAt.Equal(today) {
			t.Fatalf("published: %s by %s at %v", p1.Status, p1.PublishedBy, p1.PublishedAt)
		}
		_, err = s.PublishPolicyVersion(as(ctx, "director"), testPolicyID, 1)
		wantCodeOf(t, "publish twice", err, chanye.ECONFLICT)

		// A change is a new draft; the published text stays as it was.
		changed := bytes.Replace(src, []byte("最高 1000 万元"), []byte("最高一千万元"), 1)
		v2, err := s.CreatePolicyVersion(as(ctx, "editor"), changed)
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.Status != policy.StatusDraft {
			t.Fatalf("second version %d %s, want 2 draft", v2.Version, v2.Status)
		}
		got, err := s.FindPolicyVersion(ctx, testPolicyID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 1 || !bytes.Equal(got.Source, src) {
			t.Fatalf("published version %d changed", got.Version)
		}
		if _, err := s.PublishPolicyVersion(as(ctx, "director"), testPolicyID, 2); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindPolicyVersion(ctx, testPolicyID, 1); got.Status != policy.StatusRetired || !bytes.Equal(got.Source, src) {
			t.Fatalf("v1 after v2 published: %s", got.Status)
		}
		all, total, err := s.FindPolicies(ctx, policy.VersionFilter{})
		if err != nil || total != 2 || len(all) != 2 {
			t.Fatalf("FindPolicies: %d of %d, %v", len(all), total, err)
		}
		latest, total, err := s.FindPolicies(ctx, policy.VersionFilter{Latest: true})
		if err != nil || total != 1 || latest[0].Version != 2 {
			t.Fatalf("FindPolicies latest: %d, %v", total, err)
		}

		// Compile errors and failing cases.
		_, err = s.CreatePolicyVersion(as(ctx, "editor"), bytes.Replace(src, []byte("e.fy1.equipment_purchases >= p.min_equipment"), []byte("e.fy1.equipment_purchasez >= 1"), 1))
		wantCodeOf(t, "create with a bad expression", err, chanye.EINVALID)
		failing := bytes.Replace(src, []byte(`expect: {eligible: true, amount_yuan: "1000000"}`), []byte(`expect: {eligible: true, amount_yuan: "999999"}`), 1)
		if bytes.Equal(failing, src) {
			t.Fatal("test policy has no case to break")
		}
		v3, err := s.CreatePolicyVersion(as(ctx, "editor"), failing)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.PublishPolicyVersion(as(ctx, "director"), testPolicyID, v3.Version)
		wantCodeOf(t, "publish with a failing case", err, chanye.EINVALID)
		if f := chanye.ErrorFields(err); f["cases[0]"] == "" {
			t.Errorf("failing case not named: %v", f)
		}
		if got, _ := s.FindPolicyVersion(ctx, testPolicyID, 0); got.Version != 2 {
			t.Errorf("published version %d after a blocked publish, want 2", got.Version)
		}
	})
}

func TestCreateRunAllOrNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := NewStore(db)
		version := publishedPolicy(t, s)
		newRun := func() *policy.Run {
			return &policy.Run{AsOf: chanye.DateOf(today), Snapshot: "snap-1",
				Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version}}}
		}
		// Fails after 1,000 decisions, several statements in.
		boom := errors.New("evaluator failed")
		err := s.CreateRun(as(ctx, "runner"), newRun(), func(yield func(*policy.StoredDecision, error) bool) {
			for i := range 1000 {
				if !yield(eligible(version, code(t, i), "440103", 100), nil) {
					return
				}
			}
			yield(nil, boom)
		})
		if !errors.Is(err, boom) {
			t.Fatalf("CreateRun: %v, want the iterator's error", err)
		}
		// A duplicate decision fails the whole run too.
		err = s.CreateRun(as(ctx, "runner"), newRun(), decisions(eligible(version, code(t, 1), "440103", 100), eligible(version, code(t, 1), "440103", 100)))
		wantCodeOf(t, "duplicate decision", err, chanye.ECONFLICT)
		// So does a policy that is not published.
		bad := newRun()
		bad.Policies[0].Version = 9
		wantCodeOf(t, "unpublished version", s.CreateRun(as(ctx, "runner"), bad, decisions()), chanye.EINVALID)
		if _, n, err := s.FindRuns(ctx, policy.RunFilter{}); err != nil || n != 0 {
			t.Fatalf("runs after failures: %d, %v", n, err)
		}
		if _, n, err := s.FindDecisions(ctx, policy.DecisionFilter{}); err != nil || n != 0 {
			t.Fatalf("decisions after failures: %d, %v", n, err)
		}

		// A run that succeeds: 1,001 eligible decisions in two districts, and
		// non-eligible ones that are counted nowhere and not stored.
		var ds []*policy.StoredDecision
		for i := range 1001 {
			district := "440103"
			if i%3 == 0 {
				district = "440106"
			}
			ds = append(ds, eligible(version, code(t, i), district, chanye.Fen(100*(i+1))))
		}
		ds = append(ds, &policy.StoredDecision{PolicyID: testPolicyID, Version: version, Code: code(t, 5000), Period: 2025})
		run := newRun()
		run.Enterprises = 1002
		if err := s.CreateRun(as(ctx, "runner"), run, decisions(ds...)); err != nil {
			t.Fatal(err)
		}
		wantTotal := chanye.Fen(100 * 1001 * 1002 / 2)
		if run.Eligible != 1001 || run.TotalFen != wantTotal || run.Policies[0].Eligible != 1001 {
			t.Errorf("run totals %d, %d; want 1001, %d", run.Eligible, run.TotalFen, wantTotal)
		}
		got, err := s.FindRun(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Eligible != 1001 || got.TotalFen != wantTotal || got.Enterprises != 1002 || got.Snapshot != "snap-1" ||
			len(got.Policies) != 1 || got.Policies[0].AmountFen != wantTotal || !got.FinishedAt.Equal(today) {
			t.Errorf("FindRun = %+v", got)
		}
		totals, err := s.FindRunTotals(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]int{}
		for _, tt := range totals {
			byKey[string(tt.Dimension)+"/"+tt.Key] = tt.Eligible
		}
		if byKey["all/"] != 1001 || byKey["district/440106"] != 334 || byKey["district/440103"] != 667 || byKey["industry/auto"] != 1001 || byKey["size/small"] != 1001 {
			t.Errorf("totals %v", byKey)
		}
		district := "440106"
		page, n, err := s.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, District: &district, Limit: 10})
		if err != nil || n != 334 || len(page) != 10 {
			t.Fatalf("FindDecisions by district: %d of %d, %v", len(page), n, err)
		}
		d := page[0]
		if d.Status != policy.DecisionComputed || d.Period != 2025 || string(d.Params) != `{"rate_bp":1000}` || len(d.Conditions) == 0 || d.Industries[0] != "auto" {
			t.Errorf("stored decision %+v", d)
		}
		// A decision is as of its run's day, read with it (issue 9).
		if one, err := s.FindDecision(ctx, d.Ref()); err != nil || d.AsOf != run.AsOf || one.AsOf != run.AsOf {
			t.Errorf("decision as of %s and %s (%v), want the run's %s", d.AsOf, one.AsOf, err, run.AsOf)
		}
		no := false
		if _, n, _ := s.FindDecisions(ctx, policy.DecisionFilter{Eligible: &no}); n != 0 {
			t.Errorf("non-eligible decisions stored: %d", n)
		}
	})
}

func TestDecisionLifecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		version := publishedPolicy(t, s)
		a, b, c, absent := code(t, 1), code(t, 2), code(t, 3), code(t, 4)
		run := createRun(t, s, version, eligible(version, a, "440103", 100_00), eligible(version, b, "440103", 200_00), eligible(version, c, "440106", 300_00))
		ref := func(code string) policy.DecisionRef {
			return policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: code}
		}

		if entries, n, _ := s.FindPublicity(ctx, policy.PublicityFilter{}); n != 0 || len(entries) != 0 {
			t.Fatalf("public list before publicity: %d", n)
		}
		_, err := s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 0)
		wantCodeOf(t, "zero days", err, chanye.EINVALID)
		pub, err := s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 5)
		if err != nil {
			t.Fatal(err)
		}
		if pub.From.String() != "2025-06-15" || pub.To.String() != "2025-06-20" || pub.Decisions != 3 {
			t.Fatalf("publicity %s–%s of %d", pub.From, pub.To, pub.Decisions)
		}
		_, err = s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 5)
		wantCodeOf(t, "publicise twice", err, chanye.ECONFLICT)
		list, n, err := s.FindPublicity(ctx, policy.PublicityFilter{})
		if err != nil || n != 3 {
			t.Fatalf("public list: %d, %v", n, err)
		}
		if e := list[0]; e.Code != a || e.Name == "" || e.AmountFen != 100_00 || e.TitleZH == "" || e.PublicTo.String() != "2025-06-20" {
			t.Errorf("public entry %+v", e)
		}

		// Approving inside the window fails.
		wantCodeOf(t, "approve in the window", s.Approve(as(ctx, "director"), []policy.DecisionRef{ref(a)}), chanye.EINVALID)

		// a objects and is upheld: withdrawn, off the list. b objects and is
		// rejected: back on the list. absent objects to not being listed.
		oa := &policy.Objection{Ref: ref(a), Reason: "金额应更高 / should be more"}
		if err := s.CreateObjection(as(ctx, "enterprise:"+a), oa); err != nil {
			t.Fatal(err)
		}
		wantCodeOf(t, "second open objection", s.CreateObjection(as(ctx, "x"), &policy.Objection{Ref: ref(a), Reason: "again"}), chanye.ECONFLICT)
		ob := &policy.Objection{Ref: ref(b), Reason: "数据有误"}
		if err := s.CreateObjection(as(ctx, "enterprise:"+b), ob); err != nil {
			t.Fatal(err)
		}
		oc := &policy.Objection{Ref: ref(absent), Reason: "我也符合 / we qualify too"}
		if err := s.CreateObjection(as(ctx, "enterprise:"+absent), oc); err != nil {
			t.Fatal(err)
		}
		if !oc.Absent || oa.Absent {
			t.Errorf("absent = %v, %v; want true, false", oc.Absent, oa.Absent)
		}
		if d, _ := s.FindDecision(ctx, ref(a)); d.Status != policy.DecisionObjected {
			t.Errorf("a is %s, want objected", d.Status)
		}
		if _, err := s.ResolveObjection(as(ctx, "department"), oa.ID, true, "核实后撤回 / withdrawn for recomputation"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResolveObjection(as(ctx, "department"), oa.ID, false, "again"); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("resolve twice: %v, want ECONFLICT", err)
		}
		rb, err := s.ResolveObjection(as(ctx, "department"), ob.ID, false, "数据无误 / data confirmed")
		if err != nil || rb.Status != policy.ObjectionRejected || rb.ResolvedBy != "department (admin)" {
			t.Fatalf("reject: %+v, %v", rb, err)
		}
		if _, err := s.ResolveObjection(as(ctx, "department"), oc.ID, true, "将重算 / to be recomputed"); err != nil {
			t.Fatal(err)
		}
		if d, _ := s.FindDecision(ctx, ref(a)); d.Status != policy.DecisionWithdrawn {
			t.Errorf("a is %s, want withdrawn", d.Status)
		}
		if d, _ := s.FindDecision(ctx, ref(b)); d.Status != policy.DecisionPublicised {
			t.Errorf("b is %s, want publicised", d.Status)
		}
		if _, n, _ := s.FindPublicity(ctx, policy.PublicityFilter{}); n != 2 {
			t.Errorf("public list after withdrawal: %d, want 2", n)
		}
		if _, n, _ := s.FindObjections(ctx, policy.ObjectionFilter{}); n != 3 {
			t.Errorf("objections: %d, want 3", n)
		}

		// After the window: no more objections; approve, pay, pay again.
		*clock = today.AddDate(0, 0, 6) // 2025-06-21
		wantCodeOf(t, "object after the window", s.CreateObjection(as(ctx, "x"), &policy.Objection{Ref: ref(c), Reason: "late"}), chanye.EINVALID)
		wantCodeOf(t, "approve withdrawn", s.Approve(as(ctx, "director"), []policy.DecisionRef{ref(a)}), chanye.EINVALID)
		_, _, err = s.Pay(as(ctx, "treasury"), ref(b), payout(s))
		wantCodeOf(t, "pay before approval", err, chanye.EINVALID)
		if err := s.Approve(as(ctx, "director"), []policy.DecisionRef{ref(b), ref(c)}); err != nil {
			t.Fatal(err)
		}
		p1, created, err := s.Pay(as(ctx, "treasury"), ref(b), payout(s))
		if err != nil || !created {
			t.Fatalf("pay: created %v, %v", created, err)
		}
		if p1.Kind != policy.LedgerPayment || p1.AmountFen != 200_00 || p1.By != "treasury (admin)" || p1.Entitlement != (policy.Entitlement{PolicyID: testPolicyID, Period: 2025, Code: b}) {
			t.Errorf("payment %+v", p1)
		}
		p2, created, err := s.Pay(as(ctx, "treasury"), ref(b), payout(s))
		if err != nil || p2.ID != p1.ID || created {
			t.Fatalf("pay again: %+v, created %v, %v; want entry %d, a replay", p2, created, err, p1.ID)
		}
		if _, n, _ := s.FindLedger(ctx, policy.LedgerFilter{}); n != 1 {
			t.Errorf("ledger has %d entries, want 1", n)
		}
		events, err := s.FindDecisionEvents(ctx, ref(b))
		if err != nil {
			t.Fatal(err)
		}
		var trail []string
		for _, e := range events {
			trail = append(trail, fmt.Sprintf("%s:%s>%s:%s", e.Action, e.From, e.To, e.By))
		}
		want := "[publicise:computed>publicised:clerk (admin) object:publicised>objected:enterprise:" + b +
			" (admin) reject:objected>publicised:department (admin) approve:publicised>approved:director (admin) pay:approved>paid:treasury (admin)]"
		if fmt.Sprint(trail) != want {
			t.Errorf("events\n got %v\nwant %s", trail, want)
		}
	})
}

// publicisedAndApproved publicises run's decisions and approves them after
// the window, leaving the clock past it.
func publicisedAndApproved(t *testing.T, s *Store, clock *time.Time, run *policy.Run, codes ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 5); err != nil {
		t.Fatal(err)
	}
	*clock = clock.AddDate(0, 0, 10)
	var refs []policy.DecisionRef
	for _, c := range codes {
		refs = append(refs, policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: c})
	}
	if err := s.Approve(as(ctx, "director"), refs); err != nil {
		t.Fatal(err)
	}
}

func countPayments(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.db.QueryRow(`SELECT COUNT(*) FROM policy_ledger WHERE kind = 'payment'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPayRace(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		version := publishedPolicy(t, s)
		a := code(t, 1)
		run := createRun(t, s, version, eligible(version, a, "440103", 500_00))
		if _, err := s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 5); err != nil {
			t.Fatal(err)
		}
		*clock = clock.AddDate(0, 0, 10)
		ref := policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: a}

		// 16 callers approve and pay the same decision at once.
		const callers = 16
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			ids   = make([]int64, callers)
			wrote = make([]bool, callers)
			errs  = make([]error, callers)
		)
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := s.Approve(as(ctx, fmt.Sprintf("director-%d", i)), []policy.DecisionRef{ref}); err != nil {
					errs[i] = err
					return
				}
				e, created, err := s.Pay(as(ctx, fmt.Sprintf("treasury-%d", i)), ref, payout(s))
				if err != nil {
					errs[i] = err
					return
				}
				ids[i], wrote[i] = e.ID, created
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
			}
		}
		writers := 0
		for i := range ids {
			if ids[i] != ids[0] {
				t.Errorf("caller %d got entry %d, caller 0 got %d", i, ids[i], ids[0])
			}
			if wrote[i] {
				writers++
			}
		}
		if writers != 1 {
			t.Errorf("%d callers were told they wrote the payment, want exactly 1", writers)
		}
		if n := countPayments(t, db); n != 1 {
			t.Fatalf("%d payment rows, want exactly 1", n)
		}
		events, err := s.FindDecisionEvents(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range events {
			actions[e.Action]++
		}
		if actions["approve"] != 1 || actions["pay"] != 1 {
			t.Errorf("events %v, want one approve and one pay", actions)
		}

		// The unique index holds even if the service's lock were bypassed.
		_, err = db.db.Exec(db.dialect.rebind(`INSERT INTO policy_ledger (policy_id, period, code, kind, amount_fen, run_id, actor, at)
			VALUES (?, 2025, ?, 'payment', 1, ?, 'rogue', 0)`), testPolicyID, a, run.ID)
		if chanye.ErrorCode(db.dialect.translate(err)) != chanye.ECONFLICT {
			t.Errorf("second payment row inserted directly: %v, want a unique violation", err)
		}
	})
}

func TestRerunAdjustsAndReversal(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		version := publishedPolicy(t, s)
		a := code(t, 1)
		run1 := createRun(t, s, version, eligible(version, a, "440103", 100_000_00))
		publicisedAndApproved(t, s, clock, run1, a)
		ref1 := policy.DecisionRef{RunID: run1.ID, PolicyID: testPolicyID, Code: a}
		first := payout(s)
		pay, _, err := s.Pay(as(ctx, "treasury"), ref1, first)
		if err != nil {
			t.Fatal(err)
		}

		// A data correction: the re-run finds 120,000 yuan.
		run2 := createRun(t, s, version, eligible(version, a, "440103", 120_000_00))
		publicisedAndApproved(t, s, clock, run2, a)
		ref2 := policy.DecisionRef{RunID: run2.ID, PolicyID: testPolicyID, Code: a}
		adj, created, err := s.Pay(as(ctx, "treasury"), ref2, payout(s))
		if err != nil || !created {
			t.Fatalf("pay the re-run: created %v, %v", created, err)
		}
		if adj.Kind != policy.LedgerAdjustment || adj.AmountFen != 20_000_00 || adj.Decision != ref2 {
			t.Fatalf("re-run paid %+v, want an adjustment of 20,000 yuan", adj)
		}
		if again, created, err := s.Pay(as(ctx, "treasury"), ref2, payout(s)); err != nil || again.ID != adj.ID || created {
			t.Fatalf("pay the re-run again: %+v, created %v, %v", again, created, err)
		}
		if again, created, err := s.Pay(as(ctx, "treasury"), ref1, first); err != nil || again.ID != pay.ID || created {
			t.Fatalf("pay the first run again: %+v, created %v, %v; want the payment", again, created, err)
		}
		if n := countPayments(t, db); n != 1 {
			t.Fatalf("%d payments after a re-run, want 1", n)
		}

		// A run with the same amount as paid adds nothing.
		run3 := createRun(t, s, version, eligible(version, a, "440103", 120_000_00))
		publicisedAndApproved(t, s, clock, run3, a)
		ref3 := policy.DecisionRef{RunID: run3.ID, PolicyID: testPolicyID, Code: a}
		if same, created, err := s.Pay(as(ctx, "treasury"), ref3, payout(s)); err != nil || same.ID != pay.ID || created {
			t.Fatalf("pay an unchanged re-run: %+v, created %v, %v; want the payment", same, created, err)
		}

		// Reversal cancels the net; a second reversal has nothing to cancel.
		_, err = s.Reverse(as(ctx, "treasury"), ref2, "")
		wantCodeOf(t, "reverse without a reason", err, chanye.EINVALID)
		rev, err := s.Reverse(as(ctx, "treasury"), ref2, "重复拨付 / paid in error")
		if err != nil {
			t.Fatal(err)
		}
		if rev.Kind != policy.LedgerReversal || rev.AmountFen != -120_000_00 {
			t.Fatalf("reversal %+v", rev)
		}
		_, err = s.Reverse(as(ctx, "treasury"), ref2, "again")
		wantCodeOf(t, "reverse twice", err, chanye.ECONFLICT)
		for _, r := range []policy.DecisionRef{ref1, ref2, ref3} {
			if d, _ := s.FindDecision(ctx, r); d.Status != policy.DecisionReversed {
				t.Errorf("%s is %s, want reversed", r, d.Status)
			}
		}
		_, _, err = s.Pay(as(ctx, "treasury"), ref2, payout(s))
		wantCodeOf(t, "pay a reversed decision", err, chanye.EINVALID)

		// A later run pays it again as an adjustment, never a second payment.
		run4 := createRun(t, s, version, eligible(version, a, "440103", 110_000_00))
		publicisedAndApproved(t, s, clock, run4, a)
		back, created, err := s.Pay(as(ctx, "treasury"), policy.DecisionRef{RunID: run4.ID, PolicyID: testPolicyID, Code: a}, payout(s))
		if err != nil || !created {
			t.Fatalf("pay after reversal: created %v, %v", created, err)
		}
		if back.Kind != policy.LedgerAdjustment || back.AmountFen != 110_000_00 {
			t.Fatalf("after reversal: %+v", back)
		}
		entries, n, err := s.FindLedger(ctx, policy.LedgerFilter{Code: &a})
		if err != nil || n != 4 {
			t.Fatalf("ledger: %d, %v", n, err)
		}
		var net chanye.Fen
		var kinds []policy.LedgerKind
		for _, e := range entries {
			net += e.AmountFen
			kinds = append(kinds, e.Kind)
		}
		if net != 110_000_00 || fmt.Sprint(kinds) != "[payment adjustment reversal adjustment]" {
			t.Errorf("ledger %v nets %s", kinds, net.Yuan())
		}
		if countPayments(t, db) != 1 {
			t.Error("more than one payment")
		}

		// An earlier run's decision whose amount differs cannot be paid: the
		// entitlement is settled by the later run.
		b := code(t, 2)
		r5 := createRun(t, s, version, eligible(version, b, "440103", 50_00))
		r6 := createRun(t, s, version, eligible(version, b, "440103", 60_00))
		publicisedAndApproved(t, s, clock, r5, b)
		publicisedAndApproved(t, s, clock, r6, b)
		if _, _, err := s.Pay(as(ctx, "treasury"), policy.DecisionRef{RunID: r6.ID, PolicyID: testPolicyID, Code: b}, payout(s)); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Pay(as(ctx, "treasury"), policy.DecisionRef{RunID: r5.ID, PolicyID: testPolicyID, Code: b}, payout(s))
		wantCodeOf(t, "pay a stale decision", err, chanye.ECONFLICT)
	})
}

// TestPolicyDepartment: a stored version names the department that
// administers it, one of the catalog's; the issuer stays free text.
func TestPolicyDepartment(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := NewStore(db)
		c := testCatalog()
		c.Departments = []chanye.Department{{NameZH: "市工业和信息化局", NameEN: "Industry"}, {NameZH: "市科技局", NameEN: "Science"}}
		if _, err := s.EnsureCatalog(ctx, c); err != nil {
			t.Fatal(err)
		}
		src := string(policySource(t))
		if !strings.Contains(src, "\ndepartment: 市工业和信息化局\n") {
			t.Fatal("the shipped policy names no department")
		}
		without := strings.Replace(src, "\ndepartment: 市工业和信息化局\n", "\n", 1)
		_, err := s.CreatePolicyVersion(as(ctx, "editor"), []byte(without))
		wantCode(t, err, chanye.EINVALID)
		if chanye.ErrorFields(err)["department"] == "" {
			t.Errorf("no department: %v, want the field named", err)
		}
		unknown := strings.Replace(src, "\ndepartment: 市工业和信息化局\n", "\ndepartment: 市工业和信息化局办公室\n", 1)
		_, err = s.CreatePolicyVersion(as(ctx, "editor"), []byte(unknown))
		wantCode(t, err, chanye.EINVALID)
		if f := chanye.ErrorFields(err)["department"]; !strings.Contains(f, "市科技局") {
			t.Errorf("unknown department: %q, want the catalog's departments listed", f)
		}
		two := strings.Replace(src, "\ndepartment: 市工业和信息化局\n", "\ndepartment: 市工业和信息化局、市科技局\n", 1)
		_, err = s.CreatePolicyVersion(as(ctx, "editor"), []byte(two))
		wantCode(t, err, chanye.EINVALID)
		v, err := s.CreatePolicyVersion(as(ctx, "editor"), []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if v.Policy.Department != "市工业和信息化局" || v.Policy.Issuer != "示例：市工业和信息化局" {
			t.Errorf("stored department %q, issuer %q", v.Policy.Department, v.Policy.Issuer)
		}
	})
}

// TestRunVerdictsStored: a run stores its verdict counts, its first errors
// and its needs-data decisions apart from the eligible ones, on both
// databases, and the audit log reconciles them (issue 9, points 1 and 2).
func TestRunVerdictsStored(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := as(context.Background(), "runner")
		s := NewStore(db)
		version := publishedPolicy(t, s)
		needs := func(c string) *policy.StoredDecision {
			d := eligible(version, c, "440106", 0)
			d.Eligible, d.Verdict = false, policy.VerdictNeedsData
			d.Needs = []policy.Need{{Variable: "e.fy1.equipment_purchases", LabelZH: "设备购置额（上年度）", LabelEN: "Equipment purchases (last fiscal year)", FiscalYear: 2024}}
			return d
		}
		run := &policy.Run{AsOf: chanye.DateOf(today), Snapshot: "snap-1", Enterprises: 10,
			Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version, NotEligible: 5, Errors: 2,
				ErrorSamples: []policy.RunError{{Code: code(t, 7), Message: "division by zero"}, {Code: code(t, 8), Message: "division by zero"}}}}}
		err := s.CreateRun(ctx, run, decisions(eligible(version, code(t, 1), "440103", 100), needs(code(t, 2)), needs(code(t, 3)),
			&policy.StoredDecision{PolicyID: testPolicyID, Version: version, Code: code(t, 4), Verdict: policy.VerdictNotEligible}))
		if err != nil {
			t.Fatal(err)
		}
		if run.Eligible != 1 || run.NeedsData != 2 || run.Errors != 2 || !run.HasErrors() {
			t.Errorf("run eligible %d needs data %d errors %d", run.Eligible, run.NeedsData, run.Errors)
		}
		got, err := s.FindRun(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rp := got.Policies[0]; rp.Eligible != 1 || rp.NotEligible != 5 || rp.NeedsData != 2 || rp.Errors != 2 ||
			len(rp.ErrorSamples) != 2 || rp.ErrorSamples[1].Code != code(t, 8) || got.Errors != 2 || got.NeedsData != 2 {
			t.Errorf("stored run %+v", got)
		}
		if ds, n, err := s.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID}); err != nil || n != 1 || ds[0].Verdict != policy.VerdictEligible {
			t.Errorf("eligible decisions: %d, %v", n, err)
		}
		nd := policy.VerdictNeedsData
		ds, n, err := s.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, Verdict: &nd})
		if err != nil || n != 2 || len(ds) != 2 || ds[0].Verdict != nd || ds[0].Eligible || len(ds[0].Needs) != 1 || ds[0].Needs[0].FiscalYear != 2024 {
			t.Fatalf("needs-data decisions: %+v, %d, %v", ds, n, err)
		}
		// Out of reach of publicity, approval and payment, which look a
		// decision up where only eligible ones are.
		wantCodeOf(t, "a needs-data decision", func() error { _, err := s.FindDecision(ctx, ds[0].Ref()); return err }(), chanye.ENOTFOUND)
		if rep, err := s.VerifyAudit(ctx, nil); err != nil || !rep.OK || rep.Reconciled["policy_needs_data"] != 1 {
			t.Errorf("VerifyAudit = %+v, %v", rep, err)
		}
		// A needs-data decision must say what it needs.
		bare := needs(code(t, 5))
		bare.Needs = nil
		err = s.CreateRun(ctx, &policy.Run{AsOf: chanye.DateOf(today), Snapshot: "snap-2",
			Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version}}}, decisions(bare))
		wantCodeOf(t, "needs data without needs", err, chanye.EINVALID)
		// More samples than errors are refused.
		err = s.CreateRun(ctx, &policy.Run{AsOf: chanye.DateOf(today), Snapshot: "snap-2",
			Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version, Errors: 1, ErrorSamples: make([]policy.RunError, 2)}}}, decisions())
		wantCodeOf(t, "more samples than errors", err, chanye.EINVALID)
	})
}

// as returns ctx acting as an administrator called name: the store records
// who acts from the context.
func as(ctx context.Context, name string) context.Context {
	return chanye.WithActor(ctx, &chanye.Actor{Name: name, Role: chanye.RoleAdmin})
}

// payout is a payment made today by the store's clock.
func payout(s *Store) policy.Payout {
	return policy.Payout{PaidOn: chanye.DateOf(s.db.Now()), Voucher: "记-2025-0001", Batch: "GK20250001"}
}
