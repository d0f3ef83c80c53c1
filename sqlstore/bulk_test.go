package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
)

// population returns n enterprises (more than one buffer), their facts and
// a tier for every third one.
func population(t testing.TB, n int) ([]*chanye.Enterprise, []*chanye.FactsRecord, []*chanye.TierRecord) {
	classes := []string{"3612", "3911", "3971", "0111"}
	var (
		es    []*chanye.Enterprise
		facts []*chanye.FactsRecord
		tiers []*chanye.TierRecord
	)
	for i := range n {
		e := enterprise(t, 1000+i, []string{"440103", "440106"}[i%2], classes[i%len(classes)])
		es = append(es, e)
		for y := 2022; y <= 2024; y++ {
			emp, rev := int64(10+i%3000), chanye.Fen(int64(i)*1e7)
			facts = append(facts, &chanye.FactsRecord{Code: e.Code, Facts: chanye.Facts{Year: y, Employees: &emp, Revenue: &rev,
				Source: "统计局", AsOf: date(fmt.Sprintf("%d-03-01", y+1))}})
		}
		if i%4 == 0 { // a later report of fewer employees for the newest year
			few := int64(5)
			facts = append(facts, &chanye.FactsRecord{Code: e.Code, Facts: chanye.Facts{Year: 2024, Employees: &few,
				Source: "税务局", AsOf: date("2025-04-01")}})
		}
		if i%3 == 0 {
			tiers = append(tiers, &chanye.TierRecord{Code: e.Code, Tier: chanye.Tier{Kind: chanye.TierHighTech, From: date("2023-01-01"), Source: "科技局"}})
		}
	}
	return es, facts, tiers
}

func writeAll(es []*chanye.Enterprise, facts []*chanye.FactsRecord, tiers []*chanye.TierRecord) func(w chanye.BulkWriter) error {
	return func(w chanye.BulkWriter) error {
		for _, e := range es {
			if err := w.PutEnterprise(e); err != nil {
				return err
			}
		}
		for _, f := range facts {
			if err := w.PutFacts(f); err != nil {
				return err
			}
		}
		for _, r := range tiers {
			if err := w.PutTier(r); err != nil {
				return err
			}
		}
		return w.Finish()
	}
}

func TestBulk(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		es, facts, tiers := population(t, 450)
		if err := s.Bulk(ctx, writeAll(es, facts, tiers)); err != nil {
			t.Fatal(err)
		}
		_, total, err := s.FindEnterprises(ctx, chanye.EnterpriseFilter{})
		if err != nil || total != 450 {
			t.Fatalf("total = %d, %v; want 450", total, err)
		}
		// The first bulk dropped the secondary indexes and built them again.
		var indexes []string
		err = db.transact(ctx, true, func(tx *txn) error {
			rows, err := tx.query(ctx, db.dialect.indexes, "enterprises")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var name, def string
				if err := rows.Scan(&name, &def); err != nil {
					return err
				}
				indexes = append(indexes, name)
			}
			return rows.Err()
		})
		if want := "[enterprises_change_seq enterprises_class enterprises_district enterprises_size]"; err != nil || fmt.Sprint(indexes) != want {
			t.Errorf("indexes after first bulk = %v, %v; want %s", indexes, err, want)
		}
		ht := chanye.TierHighTech
		if _, n, _ := s.FindEnterprises(ctx, chanye.EnterpriseFilter{Tier: &ht}); n != 150 {
			t.Errorf("high-tech = %d, want 150", n)
		}
		// 3911 is in two industries, 3612 in one: ict has 3911 and 3971.
		if _, n, _ := s.FindEnterprises(ctx, chanye.EnterpriseFilter{IndustryID: ptr("ict")}); n != 225 {
			t.Errorf("ict members = %d, want 225", n)
		}
		// Sizes derived in memory during the bulk equal those derived from
		// the stored, merged facts.
		for i, e := range es {
			got, err := s.FindEnterpriseByCode(ctx, e.Code)
			if err != nil {
				t.Fatal(err)
			}
			want := *got
			want.DeriveSizeClass()
			if got.SizeClass != want.SizeClass || (i%4 == 0) != (*got.Facts[0].Employees == 5) {
				t.Fatalf("enterprise %d: size %q, want %q; facts %+v", i, got.SizeClass, want.SizeClass, got.Facts[0])
			}
		}
		for _, i := range []int{1, 449} {
			got, err := s.FindEnterpriseByCode(ctx, es[i].Code)
			if err != nil {
				t.Fatal(err)
			}
			emp, rev := int64(10+i%3000), int64(i)*1e7
			if want := chanye.ClassifySize(es[i].IndustryClass, &emp, &rev, nil); got.SizeClass != want {
				t.Errorf("enterprise %d size = %q, want %q", i, got.SizeClass, want)
			}
			if len(got.Facts) != 3 || !got.CreatedAt.Equal(today) {
				t.Errorf("enterprise %d: %d facts, created %v", i, len(got.Facts), got.CreatedAt)
			}
		}

		// The same records again, later: nothing changes, not even updated_at.
		db.Now = func() time.Time { return today.Add(24 * time.Hour) }
		if err := s.Bulk(ctx, writeAll(es, facts, tiers)); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindEnterpriseByCode(ctx, es[7].Code)
		if err != nil || !got.UpdatedAt.Equal(today) {
			t.Errorf("after identical bulk: updated_at %v, %v; want %v", got.UpdatedAt, err, today)
		}
		// A changed name, a changed class and a later report are written;
		// the repeated record in one buffer is written once, the last wins.
		renamed := *es[7]
		renamed.Name = "改名公司"
		moved := *es[8] // 3612 → 3971
		moved.IndustryClass = "3971"
		emp := int64(5)
		err = s.Bulk(ctx, func(w chanye.BulkWriter) error {
			for _, e := range []*chanye.Enterprise{es[7], &renamed, &moved} {
				if err := w.PutEnterprise(e); err != nil {
					return err
				}
			}
			return w.PutFacts(&chanye.FactsRecord{Code: es[9].Code, Facts: chanye.Facts{Year: 2024, Employees: &emp, Source: "税务局", AsOf: date("2025-06-01")}})
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err = s.FindEnterpriseByCode(ctx, renamed.Code)
		if err != nil || got.Name != "改名公司" || !got.UpdatedAt.Equal(today.Add(24*time.Hour)) {
			t.Errorf("renamed: %+v, %v", got, err)
		}
		got, err = s.FindEnterpriseByCode(ctx, moved.Code)
		if err != nil || fmt.Sprint(got.Industries) != "[ict]" {
			t.Errorf("moved industries: %v, %v; want [ict]", got.Industries, err)
		}
		got, err = s.FindEnterpriseByCode(ctx, es[9].Code)
		rev := int64(9) * 1e7
		if want := chanye.ClassifySize(es[9].IndustryClass, &emp, &rev, nil); err != nil || got.SizeClass != want || *got.Facts[0].Employees != 5 {
			t.Errorf("es[9] size %q, want %q (%v)", got.SizeClass, want, err)
		}
	})
}

func TestBulkRollsBack(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		es, facts, tiers := population(t, 250)
		boom := errors.New("boom")
		err := s.Bulk(ctx, func(w chanye.BulkWriter) error {
			if err := writeAll(es, facts, tiers)(w); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Bulk = %v, want boom", err)
		}
		for _, table := range []string{"enterprises", "enterprise_facts", "enterprise_tiers", "enterprise_industries"} {
			var n int
			if err := db.db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s has %d rows after rollback (%v)", table, n, err)
			}
		}
		// Facts of an unknown enterprise fail the whole bulk with ENOTFOUND.
		err = s.Bulk(ctx, func(w chanye.BulkWriter) error {
			if err := w.PutEnterprise(es[0]); err != nil {
				return err
			}
			return w.PutFacts(&chanye.FactsRecord{Code: es[1].Code, Facts: facts[0].Facts})
		})
		wantCode(t, err, chanye.ENOTFOUND)
		if _, err := s.FindEnterpriseByCode(ctx, es[0].Code); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("es[0] stored by a failed bulk: %v", err)
		}
	})
}

func TestTranslateUnique(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		insert := func(tx *txn) error {
			_, err := tx.exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, "0001_init.sql", 0)
			return err
		}
		wantCode(t, db.transact(ctx, false, insert), chanye.ECONFLICT)
	})
}

// BenchmarkBulkEnterprises writes 100,000 enterprises with three or four
// reports each and a tier for every third one into a fresh database per
// round: SQLite always, PostgreSQL when CHANYE_TEST_POSTGRES is set.
func BenchmarkBulkEnterprises(b *testing.B) {
	const n = 100_000
	es, facts, tiers := population(b, n)
	dsns := map[string]func() string{"sqlite": func() string { return filepath.Join(b.TempDir(), "bench.db") }}
	if dsn := os.Getenv("CHANYE_TEST_POSTGRES"); dsn != "" {
		dsns["postgres"] = func() string { return postgresSchema(b, dsn) }
	}
	for name, dsn := range dsns {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				s := NewStore(openTestDB(b, dsn()))
				if _, err := s.EnsureCatalog(context.Background(), testCatalog()); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := s.Bulk(context.Background(), writeAll(es, facts, tiers)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "enterprises/s")
			b.ReportMetric(float64((n+len(facts)+len(tiers))*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// TestBulkAnalyzesSearch: on PostgreSQL a large bulk leaves the planner
// statistics of the search terms, so that a term every firm has is not
// read from the GIN index whole (hundreds of ms at 3.6 M).
func TestBulkAnalyzesSearch(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		if db.dialect.name != "postgres" {
			t.Skip("SQLite's planner needs no statistics")
		}
		ctx := context.Background()
		s := newStore(t, db)
		es := make([]*chanye.Enterprise, analyzeRows+1)
		for i := range es {
			es[i] = enterprise(t, 1000+i, "440103", "3612")
		}
		if err := s.Bulk(ctx, writeAll(es, nil, nil)); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'search_docs' AND attname = 'terms'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("statistics of search_docs.terms after the bulk: %d rows, %v", n, err)
		}
	})
}
