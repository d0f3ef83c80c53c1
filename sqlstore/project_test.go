package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
)

// testProjectN is project n of the tests: industry auto (leader 甲, lead
// department 工信局) in Tianhe, planned from 2024-01-01 to 2025-12-31, in
// construction; owner enterprise n.
func testProjectN(t testing.TB, n int) *project.Project {
	return &project.Project{ID: fmt.Sprintf("GZ2025-%04d", n), Name: fmt.Sprintf("测试项目%d", n), OwnerCode: code(t, n),
		IndustryID: "auto", DistrictCode: "440106", Kind: project.KindIndustrial, TotalInvestmentFen: 50_000_000_000,
		YearlyPlan:   []project.YearPlan{{Year: 2024, PlannedFen: 20_000_000_000}, {Year: 2025, PlannedFen: 30_000_000_000}},
		PlannedStart: date("2024-01-01"), PlannedCompletion: date("2025-12-31"), Stage: project.StageBuilding}
}

func operator() context.Context { return chanye.WithActor(context.Background(), chanye.Operator) }

func auditCount(t *testing.T, s *Store, entity string) int {
	t.Helper()
	_, total, err := s.FindAudit(operator(), chanye.AuditFilter{Entity: &entity})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func TestProjectCreateUpdateFind(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		p := testProjectN(t, 1)
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.CreateProject(ctx, testProjectN(t, 1)), chanye.ECONFLICT)
		bad := testProjectN(t, 2)
		bad.IndustryID, bad.DistrictCode = "steel", "999999"
		err := s.CreateProject(ctx, bad)
		wantCode(t, err, chanye.EINVALID)
		if f := chanye.ErrorFields(err); f["industry_id"] == "" || f["district_code"] == "" {
			t.Errorf("fields = %v", f)
		}
		got, err := s.FindProjectByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != p.Name || len(got.YearlyPlan) != 2 || got.YearlyPlan[1].PlannedFen != 30_000_000_000 ||
			got.PlannedStart != p.PlannedStart || !got.CreatedAt.Equal(today) {
			t.Errorf("FindProjectByID = %+v", got)
		}
		// Started per stage, but the template's 开工 node has no actual
		// date, and no report in 17 months: red.
		if got.Colour != project.Red {
			t.Errorf("colour = %s, want red", got.Colour)
		}
		_, err = s.FindProjectByID(ctx, "nope")
		wantCode(t, err, chanye.ENOTFOUND)

		nodes, err := s.FindNodes(ctx, p.ID)
		if err != nil || len(nodes) != 10 || nodes[5].Name != project.StartNode || nodes[5].PlannedDate != date("2024-01-01") {
			t.Fatalf("FindNodes = %v, %v", nodes, err)
		}

		// A project's own leader or department comes from the managed
		// lists: a name not on them is refused, naming the field.
		_, err = s.UpdateProject(ctx, p.ID, project.ProjectUpdate{CityLeader: ptr("乙"), Department: ptr("不存在局")})
		if f := chanye.ErrorFields(err); f["city_leader"] == "" || f["department"] == "" {
			t.Fatalf("names not on the lists: %v", err)
		}
		listed(t, s, chanye.OrgLeader, "乙")
		up, err := s.UpdateProject(ctx, p.ID, project.ProjectUpdate{Stage: ptr(project.StageCompleted), CityLeader: ptr("乙")})
		if err != nil || up.Stage != project.StageCompleted || up.CityLeader != "乙" || up.Name != p.Name {
			t.Fatalf("UpdateProject = %+v, %v", up, err)
		}
		_, err = s.UpdateProject(ctx, p.ID, project.ProjectUpdate{TotalInvestmentFen: ptr(chanye.Fen(-1))})
		wantCode(t, err, chanye.EINVALID)
		_, err = s.UpdateProject(ctx, "nope", project.ProjectUpdate{})
		wantCode(t, err, chanye.ENOTFOUND)
		if n := auditCount(t, s, "project"); n != 2 {
			t.Errorf("%d project audit entries, want 2 (create, update)", n)
		}
	})
}

// listed puts names on the managed list of kind.
func listed(t *testing.T, s *Store, kind chanye.OrgKind, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := s.CreateOrgUnit(operator(), &chanye.OrgUnit{Kind: kind, NameZH: n}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestProjectFilters(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		listed(t, s, chanye.OrgDepartment, "发改委")
		listed(t, s, chanye.OrgLeader, "丙")
		for i := 1; i <= 5; i++ {
			p := testProjectN(t, i)
			switch i {
			case 2:
				p.IndustryID, p.DistrictCode = "ict", "440103"
			case 3:
				p.Department, p.Stage = "发改委", project.StagePlanning
				p.PlannedStart, p.PlannedCompletion, p.YearlyPlan = date("2025-09-01"), date("2027-06-30"), nil
			case 4:
				p.CityLeader = "丙"
			}
			if err := s.CreateProject(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(f project.ProjectFilter) string {
			t.Helper()
			ps, total, err := s.FindProjects(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range ps {
				out = append(out, strings.TrimPrefix(p.ID, "GZ2025-000"))
			}
			return fmt.Sprintf("%s/%d", strings.Join(out, ","), total)
		}
		for _, tc := range []struct {
			name string
			f    project.ProjectFilter
			want string
		}{
			{"all", project.ProjectFilter{}, "1,2,3,4,5/5"},
			{"page", project.ProjectFilter{Offset: 1, Limit: 2}, "2,3/5"},
			{"industry", project.ProjectFilter{IndustryID: ptr("ict")}, "2/1"},
			{"district", project.ProjectFilter{DistrictCode: ptr("440106")}, "1,3,4,5/4"},
			{"stage", project.ProjectFilter{Stage: ptr(project.StagePlanning)}, "3/1"},
			{"owner", project.ProjectFilter{OwnerCode: ptr(strings.ToLower(code(t, 4)))}, "4/1"},
			// ict has no responsibility: project 2 has no department.
			{"department from the industry", project.ProjectFilter{Department: ptr("工信局")}, "1,4,5/3"},
			{"own department", project.ProjectFilter{Department: ptr("发改委")}, "3/1"},
			{"leader", project.ProjectFilter{CityLeader: ptr("甲")}, "1,3,5/3"},
			{"own leader", project.ProjectFilter{CityLeader: ptr("丙")}, "4/1"},
			{"ids", project.ProjectFilter{IDs: []string{"GZ2025-0005", "GZ2025-0001"}}, "1,5/2"},
			{"no ids", project.ProjectFilter{IDs: []string{}}, "/0"},
			// Project 3 starts in September (no warning); the rest are red.
			{"green", project.ProjectFilter{Colour: ptr(project.Green)}, "3/1"},
			{"red paged", project.ProjectFilter{Colour: ptr(project.Red), Offset: 1, Limit: 2}, "2,4/4"},
		} {
			if got := ids(tc.f); got != tc.want {
				t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
			}
		}
		_, _, err := s.FindProjects(ctx, project.ProjectFilter{Colour: ptr(project.Colour("blue"))})
		wantCode(t, err, chanye.EINVALID)
		_, _, err = s.FindProjects(ctx, project.ProjectFilter{Limit: 5000})
		wantCode(t, err, chanye.EINVALID)
	})
}

func TestProjectNodesAndReports(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s := newStore(t, db)
		ctx := chanye.WithActor(context.Background(), &chanye.Actor{Name: "owner1", Role: chanye.RoleEnterprise})
		p := testProjectN(t, 1)
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		n, err := s.PutNode(ctx, p.ID, 6, project.NodeUpdate{ActualDate: ptr(date("2024-01-10")),
			Evidence: &project.Evidence{Note: "开工仪式", Link: "https://example.org/kg", File: "开工令.pdf"}})
		if err != nil || n.ActualDate != date("2024-01-10") || n.Evidence.File != "开工令.pdf" {
			t.Fatalf("PutNode = %+v, %v", n, err)
		}
		_, err = s.PutNode(ctx, p.ID, 99, project.NodeUpdate{})
		wantCode(t, err, chanye.ENOTFOUND)
		_, err = s.PutNode(ctx, p.ID, 7, project.NodeUpdate{ActualDate: ptr(date("2026-01-01"))})
		wantCode(t, err, chanye.EINVALID)
		_, err = s.PutNode(ctx, p.ID, 7, project.NodeUpdate{Evidence: &project.Evidence{File: "../etc/passwd"}})
		wantCode(t, err, chanye.EINVALID)

		// Reports for every month through May 2025 at the plan's pace.
		for m := 1; m <= 17; m++ {
			month := fmt.Sprintf("%d-%02d", 2024+(m-1)/12, (m-1)%12+1)
			r := &project.Report{ProjectID: p.ID, Month: month, InvestedFen: 1_000_000_000, CumulativeFen: chanye.Fen(m) * 1_000_000_000,
				ProgressPct: float64(m) * 100 / 24}
			if err := s.PutReport(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		// Correct May: the upsert replaces the row.
		if err := s.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: "2025-05", InvestedFen: 5, CumulativeFen: 16_000_000_005,
			ProgressPct: 71, Problems: "用电报装滞后"}); err != nil {
			t.Fatal(err)
		}
		// Figures that cannot be are refused, naming them, and change
		// nothing: a cumulative that is not April's plus May's, above the
		// total investment, a March that April's no longer follows, a
		// July (after a gap) below May's plus July's.
		chain := func(r project.Report, words ...string) { // project.TestReportChain covers gaps
			t.Helper()
			err := s.PutReport(ctx, &r)
			msg := chanye.ErrorFields(err)["cumulative_fen"]
			for _, w := range words {
				if !strings.Contains(msg, w) {
					t.Errorf("%s report %d/%d: %v; want cumulative_fen naming %q", r.Month, r.InvestedFen, r.CumulativeFen, err, w)
				}
			}
		}
		chain(project.Report{ProjectID: p.ID, Month: "2025-05", InvestedFen: 5, CumulativeFen: 17_000_000_005},
			"本月累计 170000000.05 元 ≠ 2025-04 月累计 160000000.00 元 + 2025-05 月投资 0.05 元 = 160000000.05 元")
		chain(project.Report{ProjectID: p.ID, Month: "2025-05", InvestedFen: 34_000_000_000, CumulativeFen: 50_000_000_001},
			"超过项目总投资 500000000.00 元")
		chain(project.Report{ProjectID: p.ID, Month: "2025-03", InvestedFen: 1_500_000_000, CumulativeFen: 15_500_000_000},
			"2025-04 月月报的累计 160000000.00 元 ≠ 2025-03 月累计 155000000.00 元 + 2025-04 月投资 10000000.00 元")
		wantCode(t, s.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: "2025-07", CumulativeFen: 1}), chanye.EINVALID)
		wantCode(t, s.PutReport(ctx, &project.Report{ProjectID: "nope", Month: "2025-01", CumulativeFen: 1}), chanye.ENOTFOUND)
		wantCode(t, s.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: "2025-01", ProgressPct: 120}), chanye.EINVALID)

		rs, total, err := s.FindReports(ctx, project.ReportFilter{ProjectID: &p.ID, From: ptr("2025-01"), Limit: 3})
		if err != nil || total != 5 || len(rs) != 3 || rs[0].Month != "2025-01" {
			t.Fatalf("FindReports = %v, %d, %v", rs, total, err)
		}
		rs, _, _ = s.FindReports(ctx, project.ReportFilter{ProjectID: &p.ID, From: ptr("2025-05"), To: ptr("2025-05")})
		if len(rs) != 1 || rs[0].Problems != "用电报装滞后" || rs[0].InvestedFen != 5 || rs[0].ReportedBy != "owner1" || !rs[0].ReportedAt.Equal(today) {
			t.Errorf("corrected May = %+v", rs)
		}
		if _, total, _ := s.FindReports(ctx, project.ReportFilter{OwnerCode: ptr(code(t, 1))}); total != 17 {
			t.Errorf("reports of owner 1: %d, want 17", total)
		}
		if _, total, _ := s.FindReports(ctx, project.ReportFilter{OwnerCode: ptr(code(t, 2))}); total != 0 {
			t.Errorf("reports of owner 2: %d, want 0", total)
		}
		_, _, err = s.FindReports(ctx, project.ReportFilter{To: ptr("May")})
		wantCode(t, err, chanye.EINVALID)

		got, _ := s.FindProjectByID(ctx, p.ID)
		if got.Colour != project.Green {
			ws, _ := s.FindWarnings(ctx, project.ProjectFilter{IDs: []string{p.ID}})
			t.Errorf("colour = %s, want green: %+v", got.Colour, ws)
		}
		if n := auditCount(t, s, "project_report"); n != 18 {
			t.Errorf("%d report audit entries, want 18", n)
		}
		if n := auditCount(t, s, "project_node"); n != 1 {
			t.Errorf("%d node audit entries, want 1", n)
		}
	})
}

func TestWarningRulesStored(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		rules, err := s.FindWarningRules(ctx)
		if err != nil || len(rules) != len(project.DefaultRules()) {
			t.Fatalf("FindWarningRules = %d rules, %v", len(rules), err)
		}
		bad := &project.Rule{ID: "custom", Colour: project.Yellow, LabelZH: "自定义", LabelEN: "custom", Owner: project.OwnerLeader,
			Expr: "overdue_nodes >\n 2 && stage_ordinal < \"x\""}
		err = s.SaveWarningRule(ctx, bad)
		wantCode(t, err, chanye.EINVALID)
		if !strings.Contains(chanye.ErrorFields(err)["expr"], "rule custom (custom) at 2:") {
			t.Errorf("error = %v", err)
		}
		custom := &project.Rule{ID: "nodes_overdue", Colour: project.Yellow, LabelZH: "三个以上节点逾期", LabelEN: "more than three nodes overdue",
			Owner: project.OwnerLeader, Expr: "overdue_nodes > 3", Position: 7}
		if err := s.SaveWarningRule(ctx, custom); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteWarningRule(ctx, "report_missing_yellow"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.DeleteWarningRule(ctx, "report_missing_yellow"), chanye.ENOTFOUND)
		rules, _ = s.FindWarningRules(ctx)
		var got []string
		for _, r := range rules {
			got = append(got, r.ID)
		}
		if want := "start_late_yellow,start_late_red,progress_behind_yellow,progress_behind_red,report_missing_red,nodes_overdue"; strings.Join(got, ",") != want {
			t.Errorf("rules = %v, want %s", got, want)
		}
		// A project whose nodes are all overdue and reports two months late.
		p := testProjectN(t, 1)
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		ws, err := s.FindWarnings(ctx, project.ProjectFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var fired []string
		for _, w := range ws {
			fired = append(fired, w.RuleID+":"+w.Owner)
		}
		if want := "progress_behind_red:工信局,report_missing_red:工信局,nodes_overdue:甲"; strings.Join(fired, ",") != want {
			t.Errorf("warnings = %v, want %s", fired, want)
		}
		if n := auditCount(t, s, "project_warning_rule"); n != 2 {
			t.Errorf("%d rule audit entries, want 2", n)
		}
	})
}

func TestWriteBatch(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		var b project.Batch
		for i := 1; i <= 3; i++ {
			p := testProjectN(t, i)
			b.Projects = append(b.Projects, p)
			b.Reports = append(b.Reports, &project.Report{ProjectID: p.ID, Month: "2025-05", InvestedFen: 1, CumulativeFen: 2, ProgressPct: 70})
		}
		b.Nodes = []*project.Node{{ProjectID: "GZ2025-0002", Seq: 1, Name: "开工", PlannedDate: date("2024-01-01"), ActualDate: date("2024-01-02")}}
		// One bad part: nothing is written.
		b.Reports[2].ProgressPct = 101
		err := s.WriteBatch(ctx, &b)
		wantCode(t, err, chanye.EINVALID)
		if _, ok := chanye.ErrorFields(err)["reports[2].progress_pct"]; !ok {
			t.Errorf("fields = %v", chanye.ErrorFields(err))
		}
		if _, total, _ := s.FindProjects(ctx, project.ProjectFilter{}); total != 0 {
			t.Fatalf("%d projects after a failed batch", total)
		}
		b.Reports[2].ProgressPct = 70
		orphan := &project.Report{ProjectID: "GZ-X", Month: "2025-05", CumulativeFen: 1}
		b.Reports = append(b.Reports, orphan)
		wantCode(t, s.WriteBatch(ctx, &b), chanye.EINVALID)
		b.Reports = b.Reports[:3]
		b.Nodes = append(b.Nodes, b.Nodes[0])
		if err := s.WriteBatch(ctx, &b); chanye.ErrorFields(err)["nodes[1].seq"] == "" {
			t.Errorf("duplicate node: %v", err)
		}
		b.Nodes = b.Nodes[:1]
		if err := s.WriteBatch(ctx, &b); err != nil {
			t.Fatal(err)
		}
		// Again, changed: projects are replaced, reports upserted.
		b.Projects[0].Name = "改名项目"
		if err := s.WriteBatch(ctx, &b); err != nil {
			t.Fatal(err)
		}
		ps, total, _ := s.FindProjects(ctx, project.ProjectFilter{})
		if total != 3 || ps[0].Name != "改名项目" || !ps[0].CreatedAt.Equal(today) {
			t.Errorf("projects = %d, %+v", total, ps[0])
		}
		n1, _ := s.FindNodes(ctx, "GZ2025-0001")
		n2, _ := s.FindNodes(ctx, "GZ2025-0002")
		if len(n1) != 10 || len(n2) != 1 || n2[0].ActualDate != date("2024-01-02") {
			t.Errorf("nodes: %d from the template, %v given", len(n1), n2)
		}
		if _, total, _ := s.FindReports(ctx, project.ReportFilter{}); total != 3 {
			t.Errorf("%d reports, want 3", total)
		}
		if n := auditCount(t, s, "projects"); n != 2 {
			t.Errorf("%d import audit entries, want 2", n)
		}
		rep, err := s.VerifyAudit(ctx, nil)
		if err != nil || !rep.OK {
			t.Errorf("VerifyAudit = %+v, %v", rep, err)
		}
	})
}

// TestFindOverdueNodes: the nodes past their date and not done, the
// longest overdue first, by the responsible department, the industry or
// the owner; a node done leaves the list.
func TestFindOverdueNodes(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		setClock(db) // 2025-06-15
		s, ctx := newStore(t, db), operator()
		listed(t, s, chanye.OrgDepartment, "发改委")
		p, q := testProjectN(t, 1), testProjectN(t, 2)
		q.IndustryID, q.Department = "ict", "发改委"
		for _, x := range []*project.Project{p, q} {
			if err := s.CreateProject(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		ns, _ := s.FindNodes(ctx, p.ID)
		want := 0
		for _, n := range ns {
			if n.Overdue(date("2025-06-15")) {
				want++
			}
		}
		all, total, err := s.FindOverdueNodes(ctx, project.ProjectFilter{Limit: 100})
		if err != nil || total != 2*want || len(all) != total || want == 0 {
			t.Fatalf("all overdue: %d (%d rows), %v; want %d", total, len(all), err, 2*want)
		}
		for i := 1; i < len(all); i++ {
			if all[i].PlannedDate.Before(all[i-1].PlannedDate.Time) {
				t.Errorf("not the longest overdue first: %v after %v", all[i].PlannedDate, all[i-1].PlannedDate)
			}
		}
		ind := "ict"
		if _, n, _ := s.FindOverdueNodes(ctx, project.ProjectFilter{IndustryID: &ind}); n != want {
			t.Errorf("ict: %d, want %d", n, want)
		}
		owner := p.OwnerCode
		if _, n, _ := s.FindOverdueNodes(ctx, project.ProjectFilter{OwnerCode: &owner}); n != want {
			t.Errorf("owner: %d, want %d", n, want)
		}
		// A department answers for the projects it is responsible for (its
		// own, q; or, unset, the industry's lead department), whoever owns
		// the node.
		dept := "发改委"
		if ns, n, _ := s.FindOverdueNodes(ctx, project.ProjectFilter{Department: &dept, Limit: 100}); n != want || ns[0].ProjectID != q.ID {
			t.Errorf("%s: %d, want %d of %s", dept, n, want, q.ID)
		}
		if _, err := s.PutNode(ctx, p.ID, all[0].Seq, project.NodeUpdate{ActualDate: ptr(date("2025-06-01")), Evidence: &project.Evidence{Note: "已完成"}}); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := s.FindOverdueNodes(ctx, project.ProjectFilter{}); n != 2*want-1 {
			t.Errorf("after one is done: %d, want %d", n, 2*want-1)
		}
	})
}
