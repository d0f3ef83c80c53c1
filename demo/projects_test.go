package demo_test

import (
	"context"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// capture is a project.Service that keeps the batch it is given; the
// other methods are not called.
type capture struct {
	project.Service
	chanye.OrgUnitService // the managed lists, where the demo's leaders go
	b                     *project.Batch
}

func (c *capture) WriteBatch(_ context.Context, b *project.Batch) error { c.b = b; return nil }

func registry(t *testing.T) (*sqlstore.Store, *chanye.Catalog) {
	t.Helper()
	s := sqlstoretest.New(t)
	ctx := context.Background()
	if _, err := demo.Generate(ctx, s, demo.Options{Enterprises: 20000, Seed: 1, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	cat, err := s.FindCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s, cat
}

func TestGenerateProjects(t *testing.T) {
	s, cat := registry(t)
	ctx := context.Background()
	start := time.Now()
	st, err := demo.GenerateProjects(ctx, s, cat, s, demo.ProjectOptions{Seed: 1, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("%d projects, %d nodes, %d reports in %s", st.Projects, st.Nodes, st.Reports, el)
	if el > 5*time.Second {
		t.Errorf("GenerateProjects took %s, want under 5 s", el)
	}
	var ps []*project.Project
	for off := 0; ; off += 1000 {
		page, total, err := s.FindProjects(ctx, project.ProjectFilter{AsOf: asOf, Offset: off, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if total != demo.KeyProjects {
			t.Fatalf("stored %d projects, want %d", total, demo.KeyProjects)
		}
		ps = append(ps, page...)
		if len(ps) >= total {
			break
		}
	}
	var sum float64
	byKind := map[project.Kind][]float64{}
	byDistrict := map[string]int{}
	stages := map[project.Stage]int{}
	colours := map[project.Colour]int{}
	owners := map[string]bool{}
	for _, p := range ps {
		yuan := float64(p.TotalInvestmentFen) / 100
		sum += yuan
		byKind[p.Kind] = append(byKind[p.Kind], yuan)
		byDistrict[p.DistrictCode]++
		stages[p.Stage]++
		colours[p.Colour]++
		owners[p.OwnerCode] = true
	}
	if math.Abs(sum/5.6e12-1) > 0.02 {
		t.Errorf("total investment %.4g yuan, want 5.6e12 ± 2 %%", sum)
	}
	infra := byKind[project.KindInfrastructure]
	if slices.Max(infra) < 5e10 || len(infra) < 50 {
		t.Errorf("infrastructure: %d projects, largest %.3g yuan; want some of hundreds of 亿", len(infra), slices.Max(infra))
	}
	ind := byKind[project.KindIndustrial]
	slices.Sort(ind)
	in := 0
	for _, v := range ind {
		if v >= 1e8 && v <= 5e9 {
			in++
		}
	}
	if float64(in) < 0.7*float64(len(ind)) {
		t.Errorf("%d of %d industrial projects between 1 and 50 亿, want most", in, len(ind))
	}
	// The manufacturing districts lead, the old centre trails.
	for _, big := range []string{"440112", "440115"} {
		if byDistrict[big] <= byDistrict["440104"]*2 {
			t.Errorf("district %s has %d projects, 越秀 %d; want many more", big, byDistrict[big], byDistrict["440104"])
		}
	}
	if len(byDistrict) != 11 {
		t.Errorf("projects in %d districts, want 11", len(byDistrict))
	}
	if b := stages[project.StageBuilding]; b < len(ps)/3 || stages[project.StagePlanning] == 0 || stages[project.StageOperating] == 0 {
		t.Errorf("stages %v: want most under construction, some planned, some operating", stages)
	}
	n := float64(len(ps))
	g, y, r := float64(colours[project.Green])/n, float64(colours[project.Yellow])/n, float64(colours[project.Red])/n
	t.Logf("colours: green %.1f %%, yellow %.1f %%, red %.1f %%", g*100, y*100, r*100)
	if g < 0.70 || g > 0.80 || y < 0.15 || y > 0.20 || r < 0.05 || r > 0.10 {
		t.Errorf("colour mix green %.3f yellow %.3f red %.3f, want 0.70–0.80, 0.15–0.20, 0.05–0.10", g, y, r)
	}
	for code := range owners {
		if _, err := s.FindEnterpriseByCode(ctx, code); err != nil {
			t.Fatalf("owner %s: %v", code, err)
		}
	}
	// Some nodes were late, some are overdue; started projects report.
	nodes, err := s.FindNodes(ctx, ps[1].ID)
	if err != nil || len(nodes) == 0 {
		t.Fatalf("nodes of %s: %v, %d", ps[1].ID, err, len(nodes))
	}
	_, reports, err := s.FindReports(ctx, project.ReportFilter{Limit: 1})
	if err != nil || reports < 10000 {
		t.Errorf("%d reports (%v), want a history for every started project", reports, err)
	}

	// Running it again replaces the same projects.
	if _, err := demo.GenerateProjects(ctx, s, cat, s, demo.ProjectOptions{Seed: 1, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := s.FindProjects(ctx, project.ProjectFilter{Limit: 1}); total != demo.KeyProjects {
		t.Errorf("after a second run %d projects, want %d", total, demo.KeyProjects)
	}
}

func TestGenerateProjectsDeterministic(t *testing.T) {
	s, cat := registry(t)
	ctx := context.Background()
	var got [3]*project.Batch
	for i, seed := range []int64{3, 3, 4} {
		c := &capture{OrgUnitService: s}
		if _, err := demo.GenerateProjects(ctx, c, cat, s, demo.ProjectOptions{Seed: seed, AsOf: asOf}); err != nil {
			t.Fatal(err)
		}
		got[i] = c.b
	}
	if !reflect.DeepEqual(got[0], got[1]) {
		t.Error("two runs with the same seed differ")
	}
	if reflect.DeepEqual(got[0].Projects, got[2].Projects) {
		t.Error("two seeds give the same projects")
	}
}

func TestGenerateProjectsNeedsEnterprises(t *testing.T) {
	s := sqlstoretest.New(t)
	cat, _ := s.FindCatalog(context.Background())
	_, err := demo.GenerateProjects(context.Background(), s, cat, s, demo.ProjectOptions{AsOf: asOf})
	if chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("without enterprises: %v, want EINVALID", err)
	}
}
