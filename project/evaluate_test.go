package project

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
)

func defaults(t testing.TB) *RuleSet {
	t.Helper()
	rs, err := CompileRules(DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestVariablesFillEverySlot(t *testing.T) {
	if len(variables) != len0 {
		t.Fatalf("%d variables, activation holds %d", len(variables), len0)
	}
	vals := Values(testProject(t), nil, nil, date("2025-06-15"))
	for _, v := range variables {
		got, ok := vals[v.Name]
		if !ok {
			t.Errorf("no value for %s", v.Name)
			continue
		}
		want := map[string]string{"int": "int64", "bool": "bool", "double": "float64", "string": "string"}[v.Type]
		if fmt.Sprintf("%T", got) != want {
			t.Errorf("%s is %T, want %s", v.Name, got, want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	base := func(expr string) *Rule {
		return &Rule{ID: "custom", Colour: Yellow, LabelZH: "自定义", LabelEN: "custom", Owner: OwnerDepartment, Expr: expr}
	}
	var big []string
	for i := range 60 {
		big = append(big, fmt.Sprint(i))
	}
	list := "[" + strings.Join(big, ",") + "]"
	for _, tc := range []struct {
		expr string
		want string
	}{
		{"started &&", "1:"},
		{"started\n  && month_since_planned_start > 2", "2:6"},
		{"progress_gap_pts > 10", "2:"[:0] + "1:18"},
		{"months_without_report", "must be of type bool"},
		{list + ".all(a, " + list + ".all(b, a + b > months_since_planned_start))", "exceeds the limit"},
	} {
		_, err := base(tc.expr).Compile()
		if chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("Compile(%q) = %v, want EINVALID", tc.expr, err)
			continue
		}
		msg := chanye.ErrorFields(err)["expr"]
		if !strings.Contains(msg, "rule custom (custom)") || !strings.Contains(msg, tc.want) {
			t.Errorf("Compile(%q) message %q, want the rule and %q", tc.expr, msg, tc.want)
		}
	}
	if _, err := (&Rule{ID: "X", Colour: "blue", Expr: "true"}).Compile(); len(chanye.ErrorFields(err)) < 4 {
		t.Errorf("bad fields: %v", err)
	}
	dup := append(DefaultRules(), DefaultRules()[0])
	if _, err := CompileRules(dup); chanye.ErrorFields(err)["rules[6].id"] == "" {
		t.Errorf("duplicate id: %v", err)
	}
}

// reportsWithGap returns monthly reports of p from its start month through
// the month of last, each gap points behind the plan at its month's end.
func reportsWithGap(p *Project, last string, gap func(month string) float64) []*Report {
	var out []*Report
	for m := monthIndex(p.PlannedStart.Time); ; m++ {
		end := monthEnd(m)
		month := MonthOf(end)
		if month > last {
			return out
		}
		pct := max(0, PlannedProgress(p, end)-gap(month))
		out = append(out, &Report{ProjectID: p.ID, Month: month, ProgressPct: pct})
	}
}

func startedNodes(p *Project, on string) []*Node {
	ns := NodesFor(p.Kind, p.PlannedStart, p.PlannedCompletion)
	for _, n := range ns {
		n.ProjectID = p.ID
		if n.Name == StartNode {
			n.ActualDate = date(on)
		}
	}
	return ns
}

func warningsOf(rs *RuleSet, p *Project, reports []*Report, nodes []*Node, asOf string) []string {
	var out []string
	for _, w := range Evaluate(rs, Data{Projects: []*Project{p}, Reports: reports, Nodes: nodes}, date(asOf)) {
		out = append(out, w.RuleID)
	}
	return out
}

func TestDefaultRules(t *testing.T) {
	rs := defaults(t)
	zero := func(string) float64 { return 0 }
	gap := func(g float64) func(string) float64 { return func(string) float64 { return g } }
	// before returns g1 for months before m and g2 from m on.
	before := func(m string, g1, g2 float64) func(string) float64 {
		return func(month string) float64 {
			if month < m {
				return g1
			}
			return g2
		}
	}
	for _, tc := range []struct {
		name    string
		start   string // planned start; completion two years later
		stage   Stage
		started string // actual date of the start node, "" for none
		reports string // last month reported, "" for none
		gap     func(string) float64
		asOf    string
		want    string
	}{
		{"not due yet", "2025-01-01", StageLand, "", "", zero, "2024-12-20", ""},
		{"in the planned month", "2025-01-01", StageLand, "", "", zero, "2025-01-20", ""},
		// No report for January either: reports are due from the planned start month.
		{"start missed", "2025-01-01", StageLand, "", "", zero, "2025-02-10", "start_late_yellow,report_missing_yellow"},
		{"start missed two months", "2025-01-01", StageLand, "", "", zero, "2025-03-10", "start_late_yellow,report_missing_red"},
		{"start three months late", "2025-01-01", StageLand, "", "", zero, "2025-04-10", "start_late_red,report_missing_red"},
		{"on plan", "2024-01-01", StageBuilding, "2024-01-05", "2025-05", zero, "2025-06-15", ""},
		{"report one month missing", "2024-01-01", StageBuilding, "2024-01-05", "2025-04", zero, "2025-06-15", "report_missing_yellow"},
		{"report two months missing", "2024-01-01", StageBuilding, "2024-01-05", "2025-03", zero, "2025-06-15", "report_missing_red"},
		{"this month's report early", "2024-01-01", StageBuilding, "2024-01-05", "2025-06", zero, "2025-06-15", ""},
		{"9 points behind", "2024-01-01", StageBuilding, "2024-01-05", "2025-05", gap(9), "2025-06-15", ""},
		{"15 points behind", "2024-01-01", StageBuilding, "2024-01-05", "2025-05", gap(15), "2025-06-15", "progress_behind_yellow"},
		{"35 points behind: red hides yellow", "2024-01-01", StageBuilding, "2024-01-05", "2025-05", gap(35), "2025-06-15", "progress_behind_red"},
		{"red last month, 20 behind now: stays red", "2024-01-01", StageBuilding, "2024-01-05", "2025-05", before("2025-05", 35, 20), "2025-06-15", "progress_behind_red"},
		{"red two months ago, 20 behind since: stays red", "2024-01-01", StageBuilding, "2024-01-05", "2025-05", before("2025-04", 35, 20), "2025-06-15", "progress_behind_red"},
		{"red last month, 10 behind now: back to yellow", "2024-01-01", StageBuilding, "2024-01-05", "2025-05", before("2025-05", 35, 10), "2025-06-15", "progress_behind_yellow"},
		{"red last month, made up: green", "2024-01-01", StageBuilding, "2024-01-05", "2025-05", before("2025-05", 35, 2), "2025-06-15", ""},
		{"red, then made up, then 20 behind: yellow", "2024-01-01", StageBuilding, "2024-01-05", "2025-05",
			func(m string) float64 {
				return map[bool]float64{true: 35, false: 20}[m < "2025-03"] - map[bool]float64{true: 15, false: 0}[m == "2025-03"]
			}, "2025-06-15", "progress_behind_yellow"},
		{"completed: no reports due, progress 100", "2024-01-01", StageCompleted, "2024-01-05", "2024-06", gap(50), "2025-06-15", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testProject(t)
			p.Stage = tc.stage
			p.PlannedStart = date(tc.start)
			p.PlannedCompletion = chanye.Date{Time: p.PlannedStart.AddDate(2, 0, -1)}
			var nodes []*Node
			if tc.started != "" {
				nodes = startedNodes(p, tc.started)
			}
			var reports []*Report
			if tc.reports != "" {
				reports = reportsWithGap(p, tc.reports, tc.gap)
			}
			if got := strings.Join(warningsOf(rs, p, reports, nodes, tc.asOf), ","); got != tc.want {
				t.Errorf("warnings = %q, want %q\nvalues %v", got, tc.want, Values(p, reports, nodes, date(tc.asOf)))
			}
		})
	}
}

// Filing only the latest month after two empty ones does not clear the
// red: the missing months stay missing until they are filed, late.
func TestMissedReportsStayRed(t *testing.T) {
	rs := defaults(t)
	p := testProject(t)
	p.Stage = StageBuilding
	p.PlannedStart = date("2024-01-01")
	p.PlannedCompletion = date("2025-12-31")
	nodes := startedNodes(p, "2024-01-05")
	all := reportsWithGap(p, "2025-06", func(string) float64 { return 0 })
	var without []*Report // April and May missing
	for _, r := range all {
		if r.Month != "2025-04" && r.Month != "2025-05" {
			without = append(without, r)
		}
	}
	if got := strings.Join(warningsOf(rs, p, without, nodes, "2025-07-15"), ","); got != "report_missing_red" {
		t.Errorf("April and May missing, June filed: warnings %q, want report_missing_red\nvalues %v", got, Values(p, without, nodes, date("2025-07-15")))
	}
	if v := Values(p, without, nodes, date("2025-07-15")); v["months_without_report"] != int64(0) || v["reports_missed_6m"] != int64(2) {
		t.Errorf("values %v", v)
	}
	if got := warningsOf(rs, p, all, nodes, "2025-07-15"); len(got) != 0 {
		t.Errorf("April and May filed late: warnings %v, want none", got)
	}
	// Seven months on, the gap is older than the six months counted.
	later := append(without, reportsWithGap(p, "2026-01", func(string) float64 { return 0 })[len(all):]...)
	if v := Values(p, later, nodes, date("2026-02-10")); v["reports_missed_6m"] != int64(0) {
		t.Errorf("the missing April and May counted in February 2026: %v", v["reports_missed_6m"])
	}
}

func TestWarningExplains(t *testing.T) {
	rs := defaults(t)
	p := testProject(t)
	p.PlannedStart, p.PlannedCompletion = date("2024-01-01"), date("2025-12-31")
	ind := &chanye.Industry{ID: "auto", Responsibility: chanye.Responsibility{CityLeader: "甲", LeadDepartment: "工信局"}}
	reports := reportsWithGap(p, "2025-05", func(string) float64 { return 40 })
	ws := Evaluate(rs, Data{Projects: []*Project{p}, Reports: reports, Nodes: startedNodes(p, "2024-01-03"),
		Industries: map[string]*chanye.Industry{"auto": ind}}, date("2025-06-15"))
	if len(ws) != 1 {
		t.Fatalf("warnings = %+v, want one", ws)
	}
	w := ws[0]
	if w.Colour != Red || w.Owner != "工信局" || w.OwnerHint != OwnerDepartment || w.Owners.CityLeader != "甲" {
		t.Errorf("warning = %+v", w)
	}
	if gap, _ := w.Values["progress_gap_pts"].(float64); gap < 39.9 || gap > 40.1 {
		t.Errorf("values = %v, want progress_gap_pts 40", w.Values)
	}
	if w.Values["started"] != true || w.Values["was_red"] != true || len(w.Values) != 3 {
		t.Errorf("values = %v, want started, progress_gap_pts, was_red", w.Values)
	}
	if !strings.Contains(w.MessageZH, "progress_gap_pts=40") || !strings.HasPrefix(w.MessageEN, "progress more than 30 points") {
		t.Errorf("messages %q / %q", w.MessageZH, w.MessageEN)
	}
	if c := ProjectColour(ws, p.ID); c != Red {
		t.Errorf("ProjectColour = %s", c)
	}
	if c := ProjectColour(ws, "other"); c != Green {
		t.Errorf("ProjectColour(other) = %s", c)
	}
}

// benchData builds n projects spread over 2023–2026 with monthly reports
// up to May 2025, about a quarter of them slipping.
func benchData(t testing.TB, n int) Data {
	r := rand.New(rand.NewPCG(1, 2))
	var d Data
	for i := range n {
		start := time.Date(2023+r.IntN(3), time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
		p := &Project{ID: fmt.Sprintf("GZ-%04d", i), Name: "p", OwnerCode: code(t, i+1), IndustryID: "auto", DistrictCode: "440106",
			Kind: Kinds[i%len(Kinds)].Kind, TotalInvestmentFen: chanye.Fen(1e10 + r.Int64N(1e12)), Stage: StageBuilding,
			PlannedStart: chanye.Date{Time: start}, PlannedCompletion: chanye.Date{Time: start.AddDate(2+r.IntN(3), 0, 0)}}
		d.Projects = append(d.Projects, p)
		lag := []float64{0, 0, 5, 15, 40}[r.IntN(5)]
		last := []string{"2025-05", "2025-05", "2025-05", "2025-04", "2025-02"}[r.IntN(5)]
		if start.After(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) {
			p.Stage = StageLand
			continue
		}
		for _, nd := range startedNodes(p, chanye.DateOf(start.AddDate(0, r.IntN(2), 3)).String()) {
			d.Nodes = append(d.Nodes, nd)
		}
		d.Reports = append(d.Reports, reportsWithGap(p, last, func(string) float64 { return lag })...)
	}
	return d
}

func TestEvaluate1246(t *testing.T) {
	d := benchData(t, 1246)
	rs := defaults(t)
	start := time.Now()
	ws := Evaluate(rs, d, date("2025-06-15"))
	took := time.Since(start)
	colours := map[Colour]int{}
	for _, p := range d.Projects {
		colours[ProjectColour(ws, p.ID)]++
	}
	t.Logf("1,246 projects, %d reports, %d nodes: %d warnings in %v; %v", len(d.Reports), len(d.Nodes), len(ws), took, colours)
	if colours[Green] == 0 || colours[Yellow] == 0 || colours[Red] == 0 {
		t.Errorf("colours %v, want a mix", colours)
	}
	if took > time.Second {
		t.Errorf("took %v, want well under a second", took)
	}
}

func BenchmarkEvaluate1246(b *testing.B) {
	d := benchData(b, 1246)
	rs := defaults(b)
	asOf := date("2025-06-15")
	b.ResetTimer()
	for b.Loop() {
		Evaluate(rs, d, asOf)
	}
}

// TestEvaluateManyInOrder: a selection large enough to be shared among
// goroutines gives the warnings of each project in the projects' order,
// the same as evaluating them one by one.
func TestEvaluateManyInOrder(t *testing.T) {
	rs := defaults(t)
	asOf := date("2025-09-15")
	d := randomData(t, 1000)
	var want []Warning
	for _, p := range d.Projects {
		var rr []*Report
		for _, r := range d.Reports {
			if r.ProjectID == p.ID {
				rr = append(rr, r)
			}
		}
		want = append(want, rs.EvaluateProject(p, rr, nil, nil, asOf)...)
	}
	got := Evaluate(rs, d, asOf)
	if len(want) < 100 || len(got) != len(want) {
		t.Fatalf("%d warnings, want %d (and at least 100 for the test to mean something)", len(got), len(want))
	}
	for i := range got {
		if got[i].ProjectID != want[i].ProjectID || got[i].RuleID != want[i].RuleID || got[i].MessageEN != want[i].MessageEN {
			t.Fatalf("warning %d: %s %s, want %s %s", i, got[i].ProjectID, got[i].RuleID, want[i].ProjectID, want[i].RuleID)
		}
	}
}

// randomData makes n projects planned to start over two years, at random
// stages, with up to 20 monthly reports of random progress.
func randomData(t *testing.T, n int) Data {
	rng := rand.New(rand.NewPCG(1, 2))
	var d Data
	for i := range n {
		p := testProject(t)
		p.ID = fmt.Sprintf("GZ2025-%04d", i)
		p.PlannedStart = chanye.DateOf(date("2024-01-01").AddDate(0, rng.IntN(24), 0))
		p.PlannedCompletion = chanye.DateOf(p.PlannedStart.AddDate(2, 0, 0))
		p.Stage = Stages[rng.IntN(len(Stages))].Stage
		d.Projects = append(d.Projects, p)
		for m := range rng.IntN(20) {
			d.Reports = append(d.Reports, &Report{ProjectID: p.ID, Month: p.PlannedStart.AddDate(0, m, 0).Format("2006-01"),
				CumulativeFen: chanye.Fen(m) * 1_000_000_00, ProgressPct: float64(rng.IntN(100))})
		}
	}
	return d
}

// TestReplaySkippedOnlyWhereItChangesNothing: skipping the replay of past
// months when no rule of a hysteresis group fires today either way gives
// the warnings, values and messages of the full replay, also for a group
// whose rules read was_red the other way round.
func TestReplaySkippedOnlyWhereItChangesNothing(t *testing.T) {
	rules := append(DefaultRules(),
		&Rule{ID: "odd_red", Group: "odd", Colour: Red, Owner: OwnerDepartment, Position: 7, LabelZH: "甲", LabelEN: "a",
			Expr: "started && progress_gap_pts > 20.0 && !was_red"},
		&Rule{ID: "odd_yellow", Group: "odd", Colour: Yellow, Owner: OwnerEnterprise, Position: 8, LabelZH: "乙", LabelEN: "b",
			Expr: "was_red && progress_gap_pts > 0.0"})
	fast, err := CompileRules(rules)
	if err != nil {
		t.Fatal(err)
	}
	full, err := CompileRules(rules)
	if err != nil {
		t.Fatal(err)
	}
	full.alwaysReplay = true
	d := randomData(t, 600)
	for _, asOf := range []chanye.Date{date("2025-03-31"), date("2025-09-15"), date("2026-06-30")} {
		got, want := Evaluate(fast, d, asOf), Evaluate(full, d, asOf)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("as of %s: %d warnings with the shortcut, %d with the full replay, or they differ", asOf, len(got), len(want))
		}
		held := 0
		for _, w := range want {
			if w.Values["was_red"] == true {
				held++
			}
		}
		if held == 0 {
			t.Errorf("as of %s: no warning read was_red true: the test shows nothing", asOf)
		}
	}
}
