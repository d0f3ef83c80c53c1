package dataio_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore"
)

var projectNow = time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)

func projectFiles(s *sqlstore.Store) *dataio.ProjectFiles {
	return &dataio.ProjectFiles{Catalog: s, Projects: s, Enterprises: s}
}

func (e *env) importProjects(t *testing.T, kind dataio.Kind, name string, opts dataio.Options) (dataio.Report, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts.Now = projectNow
	return projectFiles(e.store).Import(context.Background(), kind, f, opts)
}

func (e *env) projectCount(t *testing.T) (projects, reports int) {
	t.Helper()
	ctx := context.Background()
	_, projects, err := e.store.FindProjects(ctx, project.ProjectFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, reports, err = e.store.FindReports(ctx, project.ReportFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return projects, reports
}

// withProjects is an env with the enterprises and projects of the good files.
func withProjects(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.mustImport(t, dataio.Enterprises, "enterprises_good.csv")
	if _, err := e.importProjects(t, dataio.Projects, "projects_good.csv", dataio.Options{Now: testclock.Now()}); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestProjectImportGood(t *testing.T) {
	e := withProjects(t)
	ctx := context.Background()
	for _, f := range []struct {
		kind dataio.Kind
		name string
		n    int
	}{{dataio.Nodes, "nodes_good.csv", 3}, {dataio.Reports, "reports_good.csv", 3}} {
		r, err := e.importProjects(t, f.kind, f.name, dataio.Options{Now: testclock.Now()})
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if r.Read != f.n || r.Written != f.n || r.Rejected != 0 {
			t.Errorf("%s: report %+v, want %d read and written", f.name, r, f.n)
		}
	}
	p, err := e.store.FindProjectByID(ctx, "GZ2025-0002")
	if err != nil {
		t.Fatal(err)
	}
	// Names of industries and districts are read as their ids and codes.
	if p.IndustryID != "software-internet" || p.DistrictCode != "440106" || p.Kind != project.KindIndustrial ||
		p.Stage != project.StageSigned || p.TotalInvestmentFen != 35000000050 || p.Department != "市工业和信息化局" {
		t.Errorf("GZ2025-0002 = %+v", p)
	}
	if len(p.YearlyPlan) != 1 || p.YearlyPlan[0] != (project.YearPlan{Year: 2026, PlannedFen: 10000000000}) {
		t.Errorf("yearly plan %+v, want 2026 only", p.YearlyPlan)
	}
	// The declared inputs' figures: given for GZ2025-0001, unknown for the others.
	p1, _ := e.store.FindProjectByID(ctx, "GZ2025-0001")
	if p1.EquipmentInvestmentFen == nil || *p1.EquipmentInvestmentFen != 12345678901 || p1.PlantInvestmentFen == nil ||
		*p1.PlantInvestmentFen != 30000000000 || p1.FinishedOn == nil || p1.FinishedOn.String() != "2025-06-30" {
		t.Errorf("GZ2025-0001 input figures %v %v %v", p1.EquipmentInvestmentFen, p1.PlantInvestmentFen, p1.FinishedOn)
	}
	if p.EquipmentInvestmentFen != nil || p.PlantInvestmentFen != nil || p.FinishedOn != nil {
		t.Errorf("GZ2025-0002 has input figures: blank cells are unknown")
	}
	p3, _ := e.store.FindProjectByID(ctx, "GZ2025-0003")
	if p3.DistrictCode != "440112" || p3.PlannedStart.String() != "2024-09-01" {
		t.Errorf("GZ2025-0003 district %s start %s", p3.DistrictCode, p3.PlannedStart)
	}
	// A nodes file replaces the project's nodes; the others keep the template's.
	ns, _ := e.store.FindNodes(ctx, "GZ2025-0001")
	if len(ns) != 3 || ns[0].Evidence.File != "备案证.pdf" || ns[1].ActualDate.String() != "2025-03-20" || !ns[2].ActualDate.IsZero() {
		t.Errorf("nodes of GZ2025-0001: %d, first %+v", len(ns), ns[0])
	}
	if ns, _ := e.store.FindNodes(ctx, "GZ2025-0002"); len(ns) < 5 {
		t.Errorf("GZ2025-0002 has %d nodes, want the template's", len(ns))
	}
	id := "GZ2025-0003"
	rs, _, _ := e.store.FindReports(ctx, project.ReportFilter{ProjectID: &id})
	if len(rs) != 1 || rs[0].Month != "2025-06" || rs[0].ProgressPct != 35 || rs[0].CumulativeFen != 31000000000 {
		t.Errorf("reports of GZ2025-0003: %+v", rs)
	}
	// Importing the same files again changes nothing.
	if _, err := e.importProjects(t, dataio.Projects, "projects_good.csv", dataio.Options{Now: testclock.Now()}); err != nil {
		t.Fatal(err)
	}
	if n, r := e.projectCount(t); n != 3 || r != 3 {
		t.Errorf("after a second import %d projects and %d reports, want 3 and 3", n, r)
	}
}

func hasProblem(ps []dataio.Problem, row int, col, reason string) bool {
	for _, p := range ps {
		if p.Row == row && p.Column == col && strings.Contains(p.Reason, reason) {
			return true
		}
	}
	return false
}

func TestProjectImportBad(t *testing.T) {
	e := newEnv(t)
	e.mustImport(t, dataio.Enterprises, "enterprises_good.csv")
	_, err := e.importProjects(t, dataio.Projects, "projects_bad.csv", dataio.Options{Now: testclock.Now()})
	var pe *dataio.ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want *ProblemsError", err)
	}
	if chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("code %q, want EINVALID", chanye.ErrorCode(err))
	}
	for _, want := range []struct {
		row      int
		col, why string
	}{
		{2, "industry", "未知产业"},
		{3, "owner_code", "credit code"},
		{3, "kind", "factory"},
		{3, "planned_completion", "after the planned start"},
		{4, "", "exceed the total"},
		{5, "plan_2026_yuan", "two decimals"},
		{7, "", "duplicates row 6"},
	} {
		if !hasProblem(pe.Problems, want.row, want.col, want.why) {
			t.Errorf("no problem at row %d, column %q with %q; got %v", want.row, want.col, want.why, pe.Problems)
		}
	}
	if pe.Rows != 5 {
		t.Errorf("%d bad rows, want 5", pe.Rows)
	}
	if n, _ := e.projectCount(t); n != 0 {
		t.Errorf("%d projects stored after a failed import, want none", n)
	}

	// --skip-invalid imports the good row and writes the others with reasons.
	rejects := filepath.Join(t.TempDir(), "rejects.csv")
	r, err := e.importProjects(t, dataio.Projects, "projects_bad.csv", dataio.Options{Now: testclock.Now(), SkipInvalid: true, RejectsPath: rejects})
	if err != nil {
		t.Fatal(err)
	}
	if r.Written != 1 || r.Rejected != 5 {
		t.Errorf("report %+v, want 1 written, 5 rejected", r)
	}
	if n, _ := e.projectCount(t); n != 1 {
		t.Errorf("%d projects stored, want 1", n)
	}
	b, _ := os.ReadFile(rejects)
	if lines := strings.Count(string(b), "\n"); lines != 6 || !strings.Contains(string(b), "未知产业") {
		t.Errorf("rejects file has %d lines:\n%s", lines, b)
	}
}

func TestNodesAndReportsImportBad(t *testing.T) {
	e := withProjects(t)
	ctx := context.Background()
	before, _ := e.store.FindNodes(ctx, "GZ2025-0001")
	_, err := e.importProjects(t, dataio.Nodes, "nodes_bad.csv", dataio.Options{Now: testclock.Now()})
	var pe *dataio.ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("nodes: err = %v, want *ProblemsError", err)
	}
	for _, want := range []struct {
		row      int
		col, why string
	}{{2, "seq", "whole number"}, {3, "planned_date", "YYYY-MM-DD"}, {4, "project_id", "no project"}, {5, "evidence_link", "http"}} {
		if !hasProblem(pe.Problems, want.row, want.col, want.why) {
			t.Errorf("nodes: no problem at row %d, column %q with %q; got %v", want.row, want.col, want.why, pe.Problems)
		}
	}
	if after, _ := e.store.FindNodes(ctx, "GZ2025-0001"); len(after) != len(before) {
		t.Errorf("nodes changed by a failed import: %d, were %d", len(after), len(before))
	}

	_, err = e.importProjects(t, dataio.Reports, "reports_bad.csv", dataio.Options{Now: testclock.Now()})
	if !errors.As(err, &pe) {
		t.Fatalf("reports: err = %v, want *ProblemsError", err)
	}
	for _, want := range []struct {
		row      int
		col, why string
	}{{2, "month", "YYYY-MM"}, {3, "cumulative_yuan", "cumulative"}, {3, "progress_pct", "0–100"}, {4, "project_id", "no project"}, {5, "invested_yuan", "negative"}} {
		if !hasProblem(pe.Problems, want.row, want.col, want.why) {
			t.Errorf("reports: no problem at row %d, column %q with %q; got %v", want.row, want.col, want.why, pe.Problems)
		}
	}
	if _, r := e.projectCount(t); r != 0 {
		t.Errorf("%d reports stored after a failed import, want none", r)
	}
}

// TestProjectRoundTrip exports a demo list as XLSX, imports it into a
// fresh database with the same registry and compares the CSV exports.
func TestProjectRoundTrip(t *testing.T) {
	ctx := context.Background()
	asOf := chanye.DateOf(projectNow)
	var envs [2]*env
	for i := range envs {
		envs[i] = newEnv(t)
		if _, err := demo.Generate(ctx, envs[i].store, demo.Options{Enterprises: 3000, Seed: 2, AsOf: asOf}); err != nil {
			t.Fatal(err)
		}
	}
	src, dst := envs[0], envs[1]
	if err := demo.EnsureLeaders(ctx, dst.store); err != nil { // the leaders the demo gives its projects
		t.Fatal(err)
	}
	cat, _ := src.store.FindCatalog(ctx)
	if _, err := demo.GenerateProjects(ctx, src.store, cat, src.store, demo.ProjectOptions{Projects: 150, TotalYuan: 6e11, Seed: 2, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	kinds := []dataio.Kind{dataio.Projects, dataio.Nodes, dataio.Reports}
	export := func(s *sqlstore.Store, kind dataio.Kind, format dataio.Format) []byte {
		var buf bytes.Buffer
		n, err := projectFiles(s).Export(ctx, kind, &buf, format, project.ProjectFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("export %s: no rows", kind)
		}
		return buf.Bytes()
	}
	var sources []dataio.Source
	for _, k := range kinds {
		sources = append(sources, dataio.Source{Kind: k, Format: dataio.XLSX, Reader: bytes.NewReader(export(src.store, k, dataio.XLSX))})
	}
	reps, err := projectFiles(dst.store).ImportBatch(ctx, sources, dataio.Options{Now: projectNow})
	if err != nil {
		t.Fatal(err)
	}
	if reps[0].Written != 150 {
		t.Errorf("imported %+v, want 150 projects", reps[0])
	}
	for _, k := range kinds {
		a, b := export(src.store, k, dataio.CSV), export(dst.store, k, dataio.CSV)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: export after the round trip differs\nbefore %.300s\nafter  %.300s", k, a, b)
		}
	}
}
