package demo_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/uscc"
)

var asOf = chanye.Date{Time: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)}

func newStore(t testing.TB) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := sqlstore.NewStore(db)
	if _, err := s.EnsureCatalog(ctx, catalog.Default()); err != nil {
		t.Fatal(err)
	}
	return s
}

func export(t *testing.T, s *sqlstore.Store, kind dataio.Kind) []byte {
	t.Helper()
	var buf bytes.Buffer
	fs := &dataio.Files{Catalog: s, Enterprises: s}
	if _, err := fs.Export(context.Background(), kind, &buf, dataio.CSV, chanye.EnterpriseFilter{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDeterministic(t *testing.T) {
	var got [2][3][]byte
	for i := range got {
		s := newStore(t)
		if _, err := demo.Generate(context.Background(), s, demo.Options{Enterprises: 2000, Seed: 7, AsOf: asOf}); err != nil {
			t.Fatal(err)
		}
		for j, k := range []dataio.Kind{dataio.Enterprises, dataio.Facts, dataio.Tiers} {
			got[i][j] = export(t, s, k)
		}
	}
	for j := range got[0] {
		if !bytes.Equal(got[0][j], got[1][j]) {
			t.Errorf("export %d differs between two runs with the same seed", j)
		}
		if bytes.Count(got[0][j], []byte("\n")) < 2 {
			t.Errorf("export %d is empty", j)
		}
	}
}

func TestProportions(t *testing.T) {
	const n = 20000
	s := newStore(t)
	ctx := context.Background()
	stats, err := demo.Generate(ctx, s, demo.Options{Enterprises: n, Seed: 1, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Enterprises != n {
		t.Fatalf("got %d enterprises, want %d", stats.Enterprises, n)
	}
	for _, k := range chanye.TierKinds {
		want := demo.TierTarget(k, n)
		got := stats.TiersByKind[k]
		if want == 0 || got < want*8/10 || got > want*12/10+1 {
			t.Errorf("tier %s: got %d holders, want about %d", k, got, want)
		}
	}
	st, err := s.EnterpriseStats(ctx, chanye.EnterpriseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != n {
		t.Errorf("stored %d enterprises, want %d", st.Total, n)
	}
	// Districts are weighted: 天河 holds more than 从化.
	if st.ByDistrict["440106"] <= 3*st.ByDistrict["440117"] {
		t.Errorf("天河 %d vs 从化 %d: districts not weighted", st.ByDistrict["440106"], st.ByDistrict["440117"])
	}
	// Most firms are micro.
	if micro := st.BySize["micro"]; micro < n/2 {
		t.Errorf("micro firms %d of %d, want most", micro, n)
	}
	cat, err := s.FindCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for off := 0; off < n; off += 1000 {
		page, _, err := s.FindEnterprises(ctx, chanye.EnterpriseFilter{Offset: off, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if err := uscc.Validate(e.Code); err != nil {
				t.Fatalf("code %s: %v", e.Code, err)
			}
			if seen[e.Code] {
				t.Fatalf("code %s twice", e.Code)
			}
			seen[e.Code] = true
			if err := e.Validate(cat, asOf.Time); err != nil {
				t.Fatalf("enterprise %s: %v", e.Code, err)
			}
		}
	}
	ind, err := s.FindIndicators(ctx, chanye.IndicatorFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var clusters2024 int64
	for _, v := range ind {
		if v.Period == "2024" && cat.Industry(v.IndustryID).Kind == chanye.KindCluster {
			clusters2024 += v.Value
		}
	}
	if clusters2024 < 39e11 || clusters2024 > 41e11 {
		t.Errorf("clusters 2024 revenue %d, want about 4e12", clusters2024)
	}
}
