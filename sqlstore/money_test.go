package sqlstore

import (
	"context"
	"math"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// TestMoneyBoundsStored: the store refuses every money figure above its
// bound, whichever way it comes in, and keeps figures at the bound exactly
// (issue 8, finding 1).
func TestMoneyBoundsStored(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		e := enterprise(t, 1, "440106", "3612")
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		facts := func(rev int64) []*chanye.Facts {
			return []*chanye.Facts{{Year: 2024, Revenue: (*chanye.Fen)(&rev), Source: "统计年报", AsOf: date("2025-03-31")}}
		}
		for _, rev := range []int64{int64(chanye.MaxFactFen) + 1, math.MaxInt64} {
			_, err := s.PutFacts(ctx, e.Code, facts(rev))
			wantCode(t, err, chanye.EINVALID)
			if got := chanye.ErrorFields(err)["facts[0].revenue_fen"]; got != chanye.ExceedsFen(chanye.MaxFactFen) {
				t.Errorf("revenue %d: fields %v", rev, chanye.ErrorFields(err))
			}
		}
		got, err := s.PutFacts(ctx, e.Code, facts(int64(chanye.MaxFactFen)))
		if err != nil || *got.Facts[0].Revenue != chanye.MaxFactFen {
			t.Fatalf("revenue at the bound: %v, %v", got, err)
		}

		p := testProjectN(t, 1)
		p.TotalInvestmentFen = chanye.MaxProjectFen + 1
		err = s.CreateProject(ctx, p)
		wantCode(t, err, chanye.EINVALID)
		if chanye.ErrorFields(err)["total_investment_fen"] == "" {
			t.Errorf("fields %v", chanye.ErrorFields(err))
		}
		p.TotalInvestmentFen = chanye.MaxProjectFen
		p.YearlyPlan = []project.YearPlan{{Year: 2024, PlannedFen: chanye.MaxProjectFen}}
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		_, err = s.UpdateProject(ctx, p.ID, project.ProjectUpdate{YearlyPlan: &[]project.YearPlan{{Year: 2024, PlannedFen: math.MaxInt64}}})
		wantCode(t, err, chanye.EINVALID)
		if chanye.ErrorFields(err)["yearly_plan[0]"] != chanye.ExceedsFen(chanye.MaxProjectFen) {
			t.Errorf("fields %v", chanye.ErrorFields(err))
		}
		err = s.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: "2025-05", InvestedFen: math.MaxInt64, CumulativeFen: math.MaxInt64})
		wantCode(t, err, chanye.EINVALID)
		if f := chanye.ErrorFields(err); f["invested_fen"] == "" || f["cumulative_fen"] == "" {
			t.Errorf("fields %v", f)
		}
		err = s.WriteBatch(ctx, &project.Batch{Reports: []*project.Report{{ProjectID: p.ID, Month: "2025-05", InvestedFen: 1, CumulativeFen: chanye.MaxProjectFen + 1}}})
		wantCode(t, err, chanye.EINVALID)
		if chanye.ErrorFields(err)["reports[0].cumulative_fen"] == "" {
			t.Errorf("fields %v", chanye.ErrorFields(err))
		}
		if err := s.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: "2025-05", InvestedFen: chanye.MaxProjectFen, CumulativeFen: chanye.MaxProjectFen}); err != nil {
			t.Fatal(err)
		}
		reps, _, err := s.FindReports(ctx, project.ReportFilter{ProjectID: &p.ID})
		if err != nil || len(reps) != 1 || reps[0].InvestedFen != chanye.MaxProjectFen || reps[0].CumulativeFen != chanye.MaxProjectFen {
			t.Fatalf("reports %v, %v", reps, err)
		}

		version := publishedPolicy(t, s)
		run := &policy.Run{AsOf: chanye.DateOf(today), Snapshot: "snap-1", Enterprises: 2,
			Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version}}}
		err = s.CreateRun(as(context.Background(), "runner"), run, decisions(eligible(version, code(t, 1), "440106", chanye.MaxGrantFen+1)))
		wantCode(t, err, chanye.EINVALID)
		if chanye.ErrorFields(err)["decisions[0].amount_fen"] == "" {
			t.Errorf("fields %v", chanye.ErrorFields(err))
		}
		run = createRun(t, s, version, eligible(version, code(t, 1), "440106", chanye.MaxGrantFen),
			eligible(version, code(t, 2), "440106", chanye.MaxGrantFen), eligible(version, code(t, 3), "440103", chanye.MaxGrantFen))
		if run.TotalFen != 3*chanye.MaxGrantFen {
			t.Errorf("run total %d, want 3 × MaxGrantFen", run.TotalFen)
		}
		totals, err := s.FindRunTotals(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range totals {
			if tt.Dimension == policy.DimDistrict && tt.Key == "440106" && tt.AmountFen != 2*chanye.MaxGrantFen {
				t.Errorf("district total %d", tt.AmountFen)
			}
		}
	})
}

// TestSQLOverflowIsADomainError: a SUM past int64 — an error on SQLite, a
// numeric too large for int64 on PostgreSQL — and a bigint out of range
// come back as the overflow error, not as an internal error.
func TestSQLOverflowIsADomainError(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for _, q := range []string{
			`SELECT SUM(v) FROM (SELECT CAST(9223372036854775807 AS BIGINT) AS v UNION ALL SELECT CAST(1 AS BIGINT) AS v) AS x`,
			`SELECT CAST(9223372036854775807 AS BIGINT) + CAST(1 AS BIGINT)`,
		} {
			err := db.transact(ctx, true, func(tx *txn) error {
				var n int64
				return tx.queryRow(ctx, q).Scan(&n)
			})
			if db.Dialect() == "sqlite" && q[7] == 'C' {
				continue // SQLite's + turns to a float: the store adds in Go (chanye.AddFen)
			}
			if chanye.ErrorCode(err) != chanye.EINVALID || chanye.ErrorMessage(err) != chanye.OverflowMessage {
				t.Errorf("%s: %v, want the overflow error", q, err)
			}
		}
	})
}
