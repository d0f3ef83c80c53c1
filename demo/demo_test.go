package demo_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/chanye-org/chanye/uscc"
)

var asOf = chanye.Date{Time: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)}

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
		s := sqlstoretest.New(t)
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
	s := sqlstoretest.New(t)
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
			if len(e.Tiers) > 0 {
				full, err := s.FindEnterpriseByCode(ctx, e.Code)
				if err != nil {
					t.Fatal(err)
				}
				checkTiers(t, full)
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

// checkTiers fails when an enterprise holds a tier its figures do not
// support: the defect of a micro firm with 5 M yuan of revenue listed as a
// 小巨人, 专精特新 and 高企 at once.
// wantLevels are the levels of recognition the demo must record (issue 9).
var wantLevels = map[chanye.TierKind]chanye.TierLevel{
	chanye.TierLittleGiant: chanye.LevelNational, chanye.TierSingleChampion: chanye.LevelNational,
	chanye.TierHighTech: chanye.LevelNational, chanye.TierSRDI: chanye.LevelProvincial,
	chanye.TierLeading: chanye.LevelMunicipal, chanye.TierAboveScale: "",
}

func checkTiers(t *testing.T, e *chanye.Enterprise) {
	t.Helper()
	f := e.LatestFacts()
	if f == nil || f.Revenue == nil || *f.Revenue <= 0 {
		t.Errorf("%s holds %v but reports no revenue", e.Code, e.Tiers)
		return
	}
	rev := float64(*f.Revenue) / 100 // yuan
	rd := float64(*f.RDSpending) / 100
	age := asOf.Sub(e.Founded.Time).Hours() / 24 / 365.25
	kinds := map[chanye.TierKind][]chanye.Tier{}
	for _, tr := range e.Tiers {
		kinds[tr.Kind] = append(kinds[tr.Kind], tr)
		if !tr.From.After(e.Founded.Time) || tr.From.After(asOf.Time) {
			t.Errorf("%s: %s from %s, founded %s, as of %s", e.Code, tr.Kind, tr.From, e.Founded, asOf)
		}
		if want, ok := wantLevels[tr.Kind]; ok && tr.Level != want {
			t.Errorf("%s: %s recognised at level %q, want %q", e.Code, tr.Kind, tr.Level, want)
		}
		if (tr.Kind == chanye.TierHighTech || tr.Kind == chanye.TierSRDI) && !tr.To.Equal(tr.From.AddDate(3, 0, -1)) {
			t.Errorf("%s: %s certificate %s–%s, want three years less a day", e.Code, tr.Kind, tr.From, tr.To)
		}
	}
	bad := func(k chanye.TierKind, why string, args ...any) {
		t.Errorf("%s (%s, revenue %.0f, employees %d, R&D %.0f) holds %s but %s", e.Code, e.SizeClass, rev, *f.Employees, rd, k, fmt.Sprintf(why, args...))
	}
	div := e.IndustryClass[:2]
	manuf := div >= "13" && div <= "43"
	for k, ts := range kinds {
		switch k {
		case chanye.TierAboveScale:
			if rev < 2e6 {
				bad(k, "revenue is under every threshold")
			}
		case chanye.TierHighTech:
			if rd <= 0 || rd/rev < 0.03 {
				bad(k, "R&D is under 3 %% of revenue")
			}
			if *f.RDStaff*10 < *f.Employees {
				bad(k, "R&D staff %d are under 10 %% of employees", *f.RDStaff)
			}
		case chanye.TierSRDI:
			if e.SizeClass == chanye.SizeLarge || rd <= 0 {
				bad(k, "is large or does no R&D")
			}
		case chanye.TierLittleGiant:
			if rev < 1e8 || rev > 1e9 || rd/rev < 0.029 || rd/rev > 0.101 {
				bad(k, "revenue is not 1–10 亿 or R&D not 3–10 %%")
			}
			if e.SizeClass == chanye.SizeMicro || e.SizeClass == chanye.SizeLarge {
				bad(k, "is not an SME above micro")
			}
			srdi := kinds[chanye.TierSRDI]
			if len(srdi) == 0 || srdi[0].From.Year() > ts[0].From.Year() {
				bad(k, "has no 专精特新 recognised by the 小巨人 year (%v)", srdi)
			}
			if y := ts[0].From.Year(); y < 2019 || y > lastBatch(asOf) || ts[0].From.Month() < time.July || ts[0].From.Month() > time.August {
				bad(k, "was recognised on %s, outside the July–August batches since 2019", ts[0].From)
			}
		case chanye.TierSingleChampion:
			if !manuf || rev < 4e8 || e.SizeClass != chanye.SizeLarge && e.SizeClass != chanye.SizeMedium {
				bad(k, "is not a large or medium manufacturer with 4 亿 of revenue")
			}
		case chanye.TierUnicorn:
			if age >= 10 || rev < 5e7 {
				bad(k, "is %.1f years old or has no real revenue", age)
			}
		case chanye.TierGazelle:
			old := e.Facts[len(e.Facts)-1]
			years := float64(f.Year - old.Year)
			if age >= 10 || years < 2 || math.Pow(rev/(float64(*old.Revenue)/100), 1/years) < 1.2 {
				bad(k, "is %.1f years old or grew under 20 %% a year", age)
			}
		}
	}
}

// TestIndicators checks the industry series against the speech: clusters
// with a target start below it, so the growth needed is positive, some on
// track and some behind, and the 15 clusters sum to about 4 万亿 in 2024
// after growing about 7.5 % a year.
func TestIndicators(t *testing.T) {
	cat := catalog.Default()
	for seed := range int64(20) {
		values := demo.Indicators(cat, seed, asOf)
		byInd := map[string][]*chanye.Indicator{}
		sum := map[string]float64{}
		for _, v := range values {
			if v.Source != demo.IndicatorSource || v.Value <= 0 {
				t.Fatalf("seed %d: %+v", seed, v)
			}
			byInd[v.IndustryID] = append(byInd[v.IndustryID], v)
			if cat.Industry(v.IndustryID).Kind == chanye.KindCluster {
				sum[v.Period] += float64(v.Value)
			}
		}
		if s := sum["2024"]; math.Abs(s/4e12-1) > 0.05 {
			t.Errorf("seed %d: clusters 2024 sum to %.3g, want 4e12 within 5 %%", seed, s)
		}
		if g := math.Sqrt(sum["2024"]/sum["2022"]) - 1; math.Abs(g-0.075) > 0.005 {
			t.Errorf("seed %d: clusters grew %.3f a year 2022→2024, want 0.075", seed, g)
		}
		onTrack, behind := 0, 0
		for _, ind := range cat.Industries {
			vs := byInd[ind.ID]
			if len(vs) < 3 {
				t.Fatalf("seed %d: %s has %d values", seed, ind.ID, len(vs))
			}
			p := chanye.ComputeProgress(&chanye.Target{ValueYuan: 1, Year: 2030}, vs)
			if ind.Kind == chanye.KindCluster && (p.ActualRate < 0 || p.ActualRate > 0.3) {
				t.Errorf("seed %d: %s grows %.3f a year", seed, ind.ID, p.ActualRate)
			}
			if ind.Target == nil {
				continue
			}
			p = chanye.ComputeProgress(ind.Target, vs[:3])
			if p.LatestValue >= ind.Target.ValueYuan || p.RequiredRate <= 0 {
				t.Errorf("seed %d: %s at %d in 2024, target %d: required growth %.3f", seed, ind.ID, p.LatestValue, ind.Target.ValueYuan, p.RequiredRate)
			}
			if p.Share < 0.39 || p.Share > 0.91 {
				t.Errorf("seed %d: %s at %.2f of its target in 2024", seed, ind.ID, p.Share)
			}
			if p.ActualRate >= p.RequiredRate {
				onTrack++
			} else {
				behind++
			}
		}
		if onTrack == 0 || behind == 0 {
			t.Errorf("seed %d: %d clusters on track and %d behind, want a mix", seed, onTrack, behind)
		}
	}
}

// lastBatch is the year of the latest national 小巨人 batch on day d: each
// year's batch is announced in July–August.
func lastBatch(d chanye.Date) int {
	if d.Month() < time.September {
		return d.Year() - 1
	}
	return d.Year()
}
