package dataio

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/uscc"
)

// The kinds of key-project file.
const (
	Projects Kind = "projects"
	Nodes    Kind = "nodes"
	Reports  Kind = "reports"
)

// ParseProjectKind accepts projects, nodes or reports.
func ParseProjectKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case Projects, Nodes, Reports:
		return k, nil
	}
	return "", chanye.Errorf(chanye.EINVALID, "未知数据类型 %q，可选 projects、nodes、reports / unknown kind", s)
}

// IsProjectKind reports whether s names a key-project file kind.
func IsProjectKind(s string) bool { _, err := ParseProjectKind(s); return err == nil }

var projectSchemas = map[Kind][]column{
	Projects: {
		{"id", []string{"项目编号", "编号"}, true},
		{"name", []string{"项目名称", "名称"}, true},
		{"owner_code", []string{"业主单位统一社会信用代码", "业主信用代码", "统一社会信用代码"}, true},
		{"industry", []string{"产业", "所属产业", "industry_id"}, true},
		{"district_code", []string{"区县代码", "所在区", "区"}, true},
		{"kind", []string{"项目类型", "类型"}, true},
		{"stage", []string{"阶段", "项目阶段"}, true},
		{"total_investment_yuan", []string{"总投资(元)", "总投资"}, true},
		{"planned_start", []string{"计划开工", "计划开工日期"}, true},
		{"planned_completion", []string{"计划竣工", "计划竣工日期"}, true},
		{"department", []string{"责任部门"}, false},
		{"city_leader", []string{"牵头市领导", "市领导"}, false},
		// The figures policies read as declared inputs; blank is unknown.
		{"equipment_investment_yuan", []string{"设备投资(元)", "设备投资额(元)", "设备投资"}, false},
		{"plant_investment_yuan", []string{"厂房建设投资(元)", "厂房建设投资额(元)", "厂房建设投资"}, false},
		{"finished_on", []string{"竣工日期", "实际竣工日期"}, false},
		// 1: a project chanye demo generated (演示数据), so that an
		// export of a demo base imports back unchanged; blank: real.
		{"demo", []string{"演示数据"}, false},
	},
	Nodes: {
		{"project_id", []string{"项目编号"}, true},
		{"seq", []string{"序号", "节点序号"}, true},
		{"name", []string{"节点", "节点名称"}, true},
		{"owner_department", []string{"责任部门", "责任单位"}, false},
		{"planned_date", []string{"计划日期", "计划完成日期"}, true},
		{"actual_date", []string{"实际日期", "实际完成日期"}, false},
		{"evidence_note", []string{"佐证说明"}, false},
		{"evidence_link", []string{"佐证链接"}, false},
		{"evidence_file", []string{"佐证文件"}, false},
	},
	Reports: {
		{"project_id", []string{"项目编号"}, true},
		{"month", []string{"月份", "填报月份"}, true},
		{"invested_yuan", []string{"本月完成投资(元)", "当月完成投资(元)"}, true},
		{"cumulative_yuan", []string{"累计完成投资(元)"}, true},
		{"progress_pct", []string{"形象进度(%)", "形象进度"}, true},
		{"problems", []string{"存在问题", "问题"}, false},
		{"reported_by", []string{"填报人"}, false},
		{"reported_at", []string{"填报时间"}, false},
	},
}

// planColumn matches the yearly plan columns of a projects file:
// plan_2026_yuan or 2026年计划投资(元).
var planColumn = regexp.MustCompile(`^(?:plan_(\d{4})_yuan|(\d{4})年(?:度)?计划投资(?:\(元\))?)$`)

func planYear(name string) (int, bool) {
	m := planColumn.FindStringSubmatch(normHeader(name))
	if m == nil {
		return 0, false
	}
	y, _ := strconv.Atoi(m[1] + m[2])
	return y, true
}

// ProjectFiles moves key projects, their nodes and monthly reports to and
// from CSV and XLSX files, the way districts report them today.
type ProjectFiles struct {
	Catalog  chanye.CatalogService
	Projects project.Service
	// Enterprises, when set, is where owners must be registered.
	Enterprises chanye.EnterpriseService
}

// Import reads one file of kind and writes it in one transaction; see
// ImportBatch.
func (pf *ProjectFiles) Import(ctx context.Context, kind Kind, r io.Reader, opts Options) (Report, error) {
	return importOne(ctx, kind, r, opts, pf.ImportBatch)
}

// ImportBatch reads projects, nodes and reports files and writes them with
// project.Service.WriteBatch, all or nothing: projects are created or
// replaced by number, the nodes given for a project replace its nodes, and
// reports are upserted by project and month. Nodes and reports may name
// projects stored already or from a file of the batch. By default one bad
// row imports nothing and the error is a *ProblemsError naming row, column
// and reason; with opts.SkipInvalid the good rows are imported and the bad
// ones written to each source's Rejects.
func (pf *ProjectFiles) ImportBatch(ctx context.Context, sources []Source, opts Options) ([]Report, error) {
	cat, err := pf.Catalog.FindCatalog(ctx)
	if err != nil {
		return nil, err
	}
	st := &projectImport{pf: pf, opts: opts, cat: cat, known: map[string]bool{}, owners: map[string]bool{},
		reports: make([]Report, len(sources)), now: opts.Now}
	if st.now.IsZero() {
		return nil, errNoClock
	}
	for i, s := range sources {
		st.reports[i].Kind = s.Kind
		if _, ok := projectSchemas[s.Kind]; !ok {
			return st.reports, chanye.Errorf(chanye.EINVALID, "未知数据类型 %q / unknown kind", s.Kind)
		}
	}
	if err := st.loadKnown(ctx); err != nil {
		return st.reports, err
	}
	var b project.Batch
	var lines []srcLine // the file row of each batch item, projects, nodes, reports in order
	var nodeLines, reportLines []srcLine
	for i, s := range sources {
		if err := st.read(ctx, i, s, &b, &lines, &nodeLines, &reportLines); err != nil {
			return st.reports, err
		}
	}
	lines = append(append(lines, nodeLines...), reportLines...)
	if !st.failed {
		err = pf.Projects.WriteBatch(ctx, &b)
		if err != nil {
			// The store found what rows alone could not show: name the rows.
			if ps := batchProblems(err, &b, lines, st.headers); ps != nil {
				for _, p := range ps {
					st.reports[p.src].Rejected++
					st.reports[p.src].addProblems([]Problem{p.Problem})
				}
				st.failed = true
			} else {
				return st.zero(), err
			}
		}
	}
	if st.failed {
		return st.zero(), problemsError(st.reports)
	}
	return st.reports, nil
}

type srcLine struct{ src, line int }

type projectImport struct {
	pf      *ProjectFiles
	opts    Options
	cat     *chanye.Catalog
	now     time.Time
	known   map[string]bool // projects stored or good in the batch
	owners  map[string]bool // owner codes known to be registered
	reports []Report
	headers []*header
	failed  bool
}

func (st *projectImport) zero() []Report {
	for i := range st.reports {
		st.reports[i].Written = 0
	}
	return st.reports
}

// loadKnown reads the numbers of the stored projects.
func (st *projectImport) loadKnown(ctx context.Context) error {
	return chanye.EachPage(1000, func(off, limit int) ([]*project.Project, int, error) {
		return st.pf.Projects.FindProjects(ctx, project.ProjectFilter{Offset: off, Limit: limit})
	}, func(ps []*project.Project) error {
		for _, p := range ps {
			st.known[p.ID] = true
		}
		return nil
	})
}

// read parses and checks every row of one source and adds the good ones to b.
func (st *projectImport) read(ctx context.Context, i int, src Source, b *project.Batch, pl, nl, rl *[]srcLine) error {
	rep := &st.reports[i]
	rr, first, err := openRows(src.Format, src.Reader, st.opts.Limits)
	if err != nil {
		return err
	}
	defer rr.Close()
	// Yearly plan columns vary with the years; they are set aside before
	// the fixed columns are matched.
	plans := map[int]int{} // year → position
	fixed := append([]string(nil), first...)
	if src.Kind == Projects {
		for j, name := range first {
			if y, ok := planYear(name); ok {
				if _, dup := plans[y]; dup {
					return chanye.NewError(chanye.EINVALID, "表头有误 / invalid header row", map[string]string{name: fmt.Sprintf("列 %q 重复 / duplicate column", name)})
				}
				plans[y] = j
				fixed[j] = ""
			}
		}
	}
	h, err := parseHeaderOf(src.Kind, projectSchemas[src.Kind], fixed)
	if err != nil {
		return err
	}
	h.names = first
	st.headers = append(st.headers, h)
	rejects := rejectsWriter(st.opts, src, h.names)
	if rejects != nil {
		defer rejects.Close()
	}
	seen := map[string]int{} // key → line, for duplicates within the file
	line := 1
	for {
		cells, err := rr.Read()
		line++
		if err == io.EOF {
			break
		}
		if err != nil {
			return asInvalid(err, "第 %d 行无法解析 / row %d cannot be parsed: %v", line, line, err)
		}
		if blank(cells) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.Read++
		pr := &problemSet{line: line, h: h}
		var key string
		switch src.Kind {
		case Projects:
			p := st.project(ctx, cells, h, plans, pr)
			key = p.ID
			if len(pr.ps) == 0 {
				defer func(id string) { st.known[id] = true }(p.ID) // known to later sources only once good
				b.Projects = append(b.Projects, p)
				*pl = append(*pl, srcLine{i, line})
			}
		case Nodes:
			n := st.node(cells, h, pr)
			key = fmt.Sprintf("%s#%d", n.ProjectID, n.Seq)
			if len(pr.ps) == 0 {
				b.Nodes = append(b.Nodes, n)
				*nl = append(*nl, srcLine{i, line})
			}
		case Reports:
			r := st.report(cells, h, pr)
			key = r.ProjectID + "#" + r.Month
			if len(pr.ps) == 0 {
				b.Reports = append(b.Reports, r)
				*rl = append(*rl, srcLine{i, line})
			}
		}
		if prev, dup := seen[key]; dup && key != "" {
			pr.add("", fmt.Sprintf("与第 %d 行重复 / duplicates row %d", prev, prev))
			// Undo the append: the row is bad after all.
			switch src.Kind {
			case Projects:
				b.Projects, *pl = b.Projects[:len(b.Projects)-1], (*pl)[:len(*pl)-1]
			case Nodes:
				b.Nodes, *nl = b.Nodes[:len(b.Nodes)-1], (*nl)[:len(*nl)-1]
			case Reports:
				b.Reports, *rl = b.Reports[:len(b.Reports)-1], (*rl)[:len(*rl)-1]
			}
		} else {
			seen[key] = line
		}
		if len(pr.ps) == 0 {
			rep.Valid++
			rep.Written++
			continue
		}
		pr.sort(h)
		failed, err := reject(rep, pr.ps, cells, h.names, st.opts, rejects)
		if failed {
			st.failed = true
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// problemSet collects the problems of one row, the first per column.
type problemSet struct {
	line int
	h    *header
	ps   []Problem
	seen map[string]bool
}

// add records a problem with the column of key ("" for the whole row).
func (s *problemSet) add(key, reason string) {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if s.seen[key] {
		return
	}
	s.seen[key] = true
	col := ""
	if key != "" {
		col = s.h.name(key)
	}
	s.ps = append(s.ps, Problem{s.line, col, reason})
}

// addCol records a problem with a column named as the file spells it.
func (s *problemSet) addCol(name, reason string) {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if s.seen["@"+name] {
		return
	}
	s.seen["@"+name] = true
	s.ps = append(s.ps, Problem{s.line, name, reason})
}

// fields adds the fields of a domain validation error, mapped to columns.
func (s *problemSet) fields(err error, column func(field string) string) {
	fs := chanye.ErrorFields(err)
	keys := make([]string, 0, len(fs))
	for k := range fs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.addCol(column(k), fs[k])
	}
}

func (s *problemSet) sort(h *header) {
	pos := func(name string) int {
		if i := slices.Index(h.names, name); i >= 0 {
			return i
		}
		return len(h.names)
	}
	sort.SliceStable(s.ps, func(i, j int) bool { return pos(s.ps[i].Column) < pos(s.ps[j].Column) })
}

func (st *projectImport) project(ctx context.Context, cells []string, h *header, plans map[int]int, pr *problemSet) *project.Project {
	p := &project.Project{
		ID:         h.get(cells, "id"),
		Name:       h.get(cells, "name"),
		OwnerCode:  uscc.Normalize(h.get(cells, "owner_code")),
		Department: h.get(cells, "department"),
		CityLeader: h.get(cells, "city_leader"),
	}
	if s := h.get(cells, "industry"); s != "" {
		p.IndustryID = s
		if st.cat.Industry(s) == nil {
			p.IndustryID = ""
			for _, ind := range st.cat.Industries {
				if ind.NameZH == s || strings.EqualFold(ind.NameEN, s) {
					p.IndustryID = ind.ID
				}
			}
			if p.IndustryID == "" {
				pr.add("industry", fmt.Sprintf("未知产业 %q / unknown industry", s))
			}
		}
	}
	if s := h.get(cells, "district_code"); s != "" {
		p.DistrictCode = s
		if _, ok := st.cat.District(s); !ok {
			p.DistrictCode = ""
			for _, d := range st.cat.Districts {
				if d.NameZH == s || strings.TrimSuffix(d.NameZH, "区") == s || strings.EqualFold(d.NameEN, s) {
					p.DistrictCode = d.Code
				}
			}
			if p.DistrictCode == "" {
				pr.add("district_code", fmt.Sprintf("未知区 %q / unknown district", s))
			}
		}
	}
	if s := h.get(cells, "kind"); s != "" {
		k, ok := project.ParseKind(s)
		if !ok {
			pr.add("kind", fmt.Sprintf("未知项目类型 %q，可选 %s / unknown kind", s, kindNames()))
		}
		p.Kind = k
	}
	if s := h.get(cells, "stage"); s != "" {
		sg, ok := project.ParseStage(s)
		if !ok {
			pr.add("stage", fmt.Sprintf("未知阶段 %q，可选 谋划、签约、供地、开工、在建、竣工、投产、达产 / unknown stage", s))
		}
		p.Stage = sg
	}
	if s := h.get(cells, "total_investment_yuan"); s != "" {
		v, err := chanye.ParseYuan(s)
		if err != nil {
			pr.add("total_investment_yuan", err.Error())
		}
		p.TotalInvestmentFen = v
	}
	for _, c := range []struct {
		key string
		d   *chanye.Date
	}{{"planned_start", &p.PlannedStart}, {"planned_completion", &p.PlannedCompletion}} {
		if s := h.get(cells, c.key); s != "" {
			d, err := parseDate(s)
			if err != nil {
				pr.add(c.key, err.Error())
			}
			*c.d = d
		}
	}
	for _, c := range []struct {
		key string
		dst **chanye.Fen
	}{{"equipment_investment_yuan", &p.EquipmentInvestmentFen}, {"plant_investment_yuan", &p.PlantInvestmentFen}} {
		if s := h.get(cells, c.key); s != "" {
			v, err := chanye.ParseYuan(s)
			if err != nil {
				pr.add(c.key, err.Error())
			}
			*c.dst = &v
		}
	}
	if s := h.get(cells, "finished_on"); s != "" {
		d, err := parseDate(s)
		if err != nil {
			pr.add("finished_on", err.Error())
		} else {
			p.FinishedOn = &d
		}
	}
	switch s := h.get(cells, "demo"); s {
	case "":
	case "1":
		p.Demo = true
	default:
		pr.add("demo", fmt.Sprintf("须为 1 或留空，而不是 %q / must be 1 or blank, not %q", s, s))
	}
	years := make([]int, 0, len(plans))
	for y := range plans {
		years = append(years, y)
	}
	slices.Sort(years)
	planCol := map[int]string{} // index in YearlyPlan → column
	for _, y := range years {
		j := plans[y]
		if j >= len(cells) || strings.TrimSpace(cells[j]) == "" {
			continue
		}
		v, err := chanye.ParseYuan(cells[j])
		if err != nil {
			pr.addCol(h.names[j], err.Error())
			continue
		}
		planCol[len(p.YearlyPlan)] = h.names[j]
		p.YearlyPlan = append(p.YearlyPlan, project.YearPlan{Year: y, PlannedFen: v})
	}
	err := p.Validate()
	pr.fields(err, func(field string) string {
		switch {
		case strings.HasPrefix(field, "yearly_plan["):
			i, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(field, "yearly_plan["), "]"))
			return planCol[i]
		case field == "yearly_plan":
			return ""
		case field == "industry_id":
			return h.name("industry")
		case field == "total_investment_fen":
			return h.name("total_investment_yuan")
		case field == "equipment_investment_fen", field == "plant_investment_fen":
			return h.name(strings.TrimSuffix(field, "_fen") + "_yuan")
		}
		return h.name(field)
	})
	if p.OwnerCode != "" && uscc.Validate(p.OwnerCode) == nil && st.pf.Enterprises != nil && !st.owners[p.OwnerCode] {
		if _, err := st.pf.Enterprises.FindEnterpriseByCode(ctx, p.OwnerCode); err == nil {
			st.owners[p.OwnerCode] = true
		} else if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			pr.add("owner_code", fmt.Sprintf("企业 %s 不存在，请先导入企业 / no enterprise with this code; import enterprises first", p.OwnerCode))
		} else {
			pr.add("owner_code", err.Error())
		}
	}
	return p
}

func kindNames() string {
	var s []string
	for _, k := range project.Kinds {
		s = append(s, string(k.Kind)+"/"+k.NameZH)
	}
	return strings.Join(s, "、")
}

func (st *projectImport) checkProjectID(id string, h *header, pr *problemSet) {
	if id != "" && !st.known[id] {
		pr.add("project_id", fmt.Sprintf("项目 %s 不存在，请先导入项目 / no project with this number; import projects first", id))
	}
}

func (st *projectImport) node(cells []string, h *header, pr *problemSet) *project.Node {
	n := &project.Node{
		ProjectID:       h.get(cells, "project_id"),
		Name:            h.get(cells, "name"),
		OwnerDepartment: h.get(cells, "owner_department"),
		Evidence: project.Evidence{Note: h.get(cells, "evidence_note"), Link: h.get(cells, "evidence_link"),
			File: h.get(cells, "evidence_file")},
	}
	if s := h.get(cells, "seq"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			pr.add("seq", fmt.Sprintf("序号 %q 须为整数 / must be a whole number", s))
		}
		n.Seq = v
	}
	for _, c := range []struct {
		key string
		d   *chanye.Date
	}{{"planned_date", &n.PlannedDate}, {"actual_date", &n.ActualDate}} {
		if s := h.get(cells, c.key); s != "" {
			d, err := parseDate(s)
			if err != nil {
				pr.add(c.key, err.Error())
			}
			*c.d = d
		}
	}
	if !n.ActualDate.IsZero() && n.ActualDate.After(st.now) {
		pr.add("actual_date", "实际日期不能晚于今天 / the actual date must not be in the future")
	}
	st.checkProjectID(n.ProjectID, h, pr)
	pr.fields(n.Validate(), func(field string) string {
		return h.name(strings.ReplaceAll(field, ".", "_"))
	})
	return n
}

func (st *projectImport) report(cells []string, h *header, pr *problemSet) *project.Report {
	r := &project.Report{
		ProjectID:  h.get(cells, "project_id"),
		Month:      h.get(cells, "month"),
		Problems:   h.get(cells, "problems"),
		ReportedBy: h.get(cells, "reported_by"),
	}
	if t, err := time.Parse("2006/1", r.Month); err == nil {
		r.Month = t.Format("2006-01") // spreadsheets drop the zero
	} else if t, err := time.Parse("2006-1", r.Month); err == nil {
		r.Month = t.Format("2006-01")
	}
	for _, c := range []struct {
		key string
		v   *chanye.Fen
	}{{"invested_yuan", &r.InvestedFen}, {"cumulative_yuan", &r.CumulativeFen}} {
		if s := h.get(cells, c.key); s != "" {
			v, err := chanye.ParseYuan(s)
			if err != nil {
				pr.add(c.key, err.Error())
			}
			*c.v = v
		}
	}
	if s := h.get(cells, "progress_pct"); s != "" {
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil {
			pr.add("progress_pct", fmt.Sprintf("形象进度 %q 须为 0–100 的数 / must be a number 0–100", s))
		}
		r.ProgressPct = v
	}
	if s := h.get(cells, "reported_at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t, err = time.ParseInLocation("2006-01-02 15:04:05", s, time.UTC)
		}
		if err != nil {
			pr.add("reported_at", fmt.Sprintf("填报时间 %q 须为 RFC 3339 或 YYYY-MM-DD hh:mm:ss / must be RFC 3339", s))
		}
		r.ReportedAt = t
	}
	st.checkProjectID(r.ProjectID, h, pr)
	pr.fields(r.Validate(), func(field string) string {
		switch field {
		case "invested_fen":
			return h.name("invested_yuan")
		case "cumulative_fen":
			return h.name("cumulative_yuan")
		}
		return h.name(field)
	})
	return r
}

var batchField = regexp.MustCompile(`^(projects|nodes|reports)\[(\d+)\]\.?(.*)$`)

type srcProblem struct {
	src int
	Problem
}

// batchProblems maps the fields of a WriteBatch EINVALID error
// (projects[3].industry_id) back to file rows; nil when err is not such.
func batchProblems(err error, b *project.Batch, lines []srcLine, headers []*header) []srcProblem {
	fs := chanye.ErrorFields(err)
	if chanye.ErrorCode(err) != chanye.EINVALID || len(fs) == 0 {
		return nil
	}
	var out []srcProblem
	for k, v := range fs {
		m := batchField.FindStringSubmatch(k)
		if m == nil {
			return nil
		}
		i, _ := strconv.Atoi(m[2])
		switch m[1] {
		case "nodes":
			i += len(b.Projects)
		case "reports":
			i += len(b.Projects) + len(b.Nodes)
		}
		if i >= len(lines) {
			return nil
		}
		l := lines[i]
		h := headers[l.src]
		col := strings.ReplaceAll(m[3], ".", "_")
		switch col {
		case "industry_id":
			col = "industry"
		case "total_investment_fen":
			col = "total_investment_yuan"
		case "invested_fen", "cumulative_fen", "equipment_investment_fen", "plant_investment_fen":
			col = strings.TrimSuffix(col, "_fen") + "_yuan"
		}
		name := ""
		if col != "" && h.has(col) {
			name = h.name(col)
		}
		out = append(out, srcProblem{l.src, Problem{l.line, name, v}})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].src != out[j].src {
			return out[i].src < out[j].src
		}
		return out[i].Row < out[j].Row
	})
	return out
}

// ExportHeader returns the columns of a key-project file kind; projects
// files add a plan_YYYY_yuan column per year of the yearly plans.
func projectHeader(kind Kind, years []int) []string {
	var keys []string
	for _, c := range projectSchemas[kind] {
		keys = append(keys, c.key)
	}
	for _, y := range years {
		keys = append(keys, fmt.Sprintf("plan_%d_yuan", y))
	}
	return keys
}

// Export writes the projects the filter selects (paging and colour
// ignored), or their nodes or reports, with the columns Import reads, so
// an export imports back unchanged. It returns the rows written.
func (pf *ProjectFiles) Export(ctx context.Context, kind Kind, w io.Writer, format Format, filter project.ProjectFilter) (int, error) {
	if _, ok := projectSchemas[kind]; !ok {
		return 0, chanye.Errorf(chanye.EINVALID, "未知数据类型 %q / unknown kind", kind)
	}
	filter.Colour = nil
	ps, err := chanye.All(1000, func(off, limit int) ([]*project.Project, int, error) {
		f := filter
		f.Offset, f.Limit = off, limit
		return pf.Projects.FindProjects(ctx, f)
	})
	if err != nil {
		return 0, err
	}
	var years []int
	if kind == Projects {
		seen := map[int]bool{}
		for _, p := range ps {
			for _, y := range p.YearlyPlan {
				if !seen[y.Year] {
					seen[y.Year] = true
					years = append(years, y.Year)
				}
			}
		}
		slices.Sort(years)
	}
	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	cols := projectHeader(kind, years)
	if err := out.Write(cols); err != nil {
		return 0, err
	}
	n := 0
	emit := func(cells []string) error {
		n++
		return out.Write(cells)
	}
	switch kind {
	case Projects:
		for _, p := range ps {
			cells := []string{p.ID, p.Name, p.OwnerCode, p.IndustryID, p.DistrictCode, string(p.Kind), string(p.Stage),
				p.TotalInvestmentFen.Yuan(), p.PlannedStart.String(), p.PlannedCompletion.String(), p.Department, p.CityLeader,
				optYuan(p.EquipmentInvestmentFen), optYuan(p.PlantInvestmentFen), optDate(p.FinishedOn), demoCell(p.Demo)}
			plan := map[int]chanye.Fen{}
			has := map[int]bool{}
			for _, y := range p.YearlyPlan {
				plan[y.Year], has[y.Year] = y.PlannedFen, true
			}
			for _, y := range years {
				c := ""
				if has[y] {
					c = plan[y].Yuan()
				}
				cells = append(cells, c)
			}
			if err := emit(cells); err != nil {
				return n, err
			}
		}
	case Nodes:
		for _, p := range ps {
			ns, err := pf.Projects.FindNodes(ctx, p.ID)
			if err != nil {
				return n, err
			}
			for _, x := range ns {
				if err := emit([]string{x.ProjectID, strconv.Itoa(x.Seq), x.Name, x.OwnerDepartment, x.PlannedDate.String(),
					x.ActualDate.String(), x.Evidence.Note, x.Evidence.Link, x.Evidence.File}); err != nil {
					return n, err
				}
			}
		}
	case Reports:
		selected := map[string]bool{}
		for _, p := range ps {
			selected[p.ID] = true
		}
		err := chanye.EachPage(10000, func(off, limit int) ([]*project.Report, int, error) {
			return pf.Projects.FindReports(ctx, project.ReportFilter{Offset: off, Limit: limit})
		}, func(page []*project.Report) error {
			for _, r := range page {
				if !selected[r.ProjectID] {
					continue
				}
				at := ""
				if !r.ReportedAt.IsZero() {
					at = r.ReportedAt.UTC().Format(time.RFC3339)
				}
				if err := emit([]string{r.ProjectID, r.Month, r.InvestedFen.Yuan(), r.CumulativeFen.Yuan(),
					strconv.FormatFloat(r.ProgressPct, 'f', -1, 64), r.Problems, r.ReportedBy, at}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, out.Close()
}

// demoCell writes the demo mark: 1 for demo data, blank for real.
func demoCell(demo bool) string {
	if demo {
		return "1"
	}
	return ""
}

// optYuan writes an optional amount in yuan, "" when unknown.
func optYuan(f *chanye.Fen) string {
	if f == nil {
		return ""
	}
	return f.Yuan()
}

// optDate writes an optional day, "" when unknown.
func optDate(d *chanye.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}
