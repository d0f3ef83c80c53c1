package dataio

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/scenario"
)

// Scenarios is the kind of a file of application scenarios (首试首用): read
// by ReadScenarios as new calls (drafts) and written by ExportScenarios.
const Scenarios Kind = "scenarios"

// scenarioSchema: the columns of a scenarios file to import. criteria is
// "id:名称:weight" or "id:名称:English name:weight", one criterion after
// another separated by ";" (or "；"), the weights summing to 100.
var scenarioSchema = []column{
	{"id", []string{"编号"}, false},
	{"title", []string{"标题", "场景名称"}, true},
	{"offerer", []string{"提出单位", "发布单位"}, true},
	{"offerer_kind", []string{"单位类型"}, true},
	{"industry_id", []string{"产业"}, true},
	{"link_id", []string{"环节"}, false},
	{"requirements", []string{"需求", "验证要求"}, true},
	{"site", []string{"地点", "场景地点"}, false},
	{"budget_yuan", []string{"预算（元）", "预算(元)"}, false},
	{"deadline", []string{"揭榜截止"}, true},
	{"pilot_start", []string{"试点开始"}, true},
	{"pilot_end", []string{"试点结束"}, true},
	{"criteria", []string{"评审标准"}, true},
	// What a call's life sets, as ExportScenarios writes it: read past.
	{"status", []string{"状态"}, false},
	{"published_on", []string{"发布日期"}, false},
	{"applications", []string{"揭榜数"}, false},
	{"selected_id", []string{"入选申请"}, false},
	{"first_use_on", []string{"首试首用日期"}, false},
	{"procured_yuan", []string{"采购金额（元）"}, false},
	{"closed_on", []string{"终止日期"}, false},
	{"close_reason", []string{"终止原因"}, false},
	{"demo", []string{"演示数据"}, false},
}

// ScenarioFile is a scenarios file read whole.
type ScenarioFile struct {
	Rows []*scenario.Scenario
	bad  map[string]string // rows[N].column → why the cell could not be read
	*sheet
}

// ReadScenarios reads a scenarios file (CSV or XLSX, first sheet) laid out
// as ScenarioHeader, headers in English or Chinese: each row a new call,
// so the id column must be empty (an export with it emptied imports
// back); the columns a call's life sets (status and after) are not read.
// Dates are YYYY-MM-DD, the budget yuan with at most two decimals.
func ReadScenarios(r io.Reader, format Format) (*ScenarioFile, error) {
	sh, err := readSheet(r, format, Scenarios, scenarioSchema)
	if err != nil {
		return nil, err
	}
	if len(sh.rows) > scenario.MaxImportRows {
		return nil, chanye.Invalid("应用场景文件过大 / too many scenarios", map[string]string{
			"rows": fmt.Sprintf("至多 %d 行，请分成几个文件 / at most %d rows: split the file", scenario.MaxImportRows, scenario.MaxImportRows)})
	}
	f := &ScenarioFile{sheet: sh, bad: map[string]string{}}
	for i, cells := range sh.rows {
		f.Rows = append(f.Rows, f.scenario(i, cells))
	}
	return f, nil
}

// Err returns EINVALID naming rows[N].column for each cell that could not
// be read, nil when every cell was; Problems places it.
func (f *ScenarioFile) Err() error {
	return chanye.Invalid(fmt.Sprintf("应用场景文件有 %d 处无法读取，未导入 / %d cells cannot be read: nothing imported", len(f.bad), len(f.bad)), f.bad)
}

// scenarioField is the file column of a scenario's field path: the
// offerer's name and kind, every part of the criteria, the budget in fen.
var scenarioField = regexp.MustCompile(`^(rows\[\d+\]\.)(.+)$`)

// Problems places the field errors of err — the file's own, or the
// store's keyed rows[N].field path — on the file's rows and columns.
func (f *ScenarioFile) Problems(err error) []Problem {
	fields := chanye.ErrorFields(err)
	if len(fields) == 0 {
		return f.sheet.Problems(err)
	}
	out := map[string]string{}
	for key, reason := range fields {
		if m := scenarioField.FindStringSubmatch(key); m != nil {
			col := m[2]
			switch {
			case col == "offerer.name":
				col = "offerer"
			case col == "offerer.kind":
				col = "offerer_kind"
			case strings.HasPrefix(col, "criteria"):
				col = "criteria"
			case col == "budget_fen":
				col = "budget_yuan"
			}
			key = m[1] + col
			if old, dup := out[key]; dup {
				reason = chanye.JoinBilingual(old, reason)
			}
		}
		out[key] = reason
	}
	return f.sheet.Problems(chanye.Invalid("", out))
}

// scenario reads row i.
func (f *ScenarioFile) scenario(i int, cells []string) *scenario.Scenario {
	get := func(key string) string { return f.h.get(cells, key) }
	fail := func(key, reason string) { f.bad[fmt.Sprintf("rows[%d].%s", i, key)] = reason }
	x := &scenario.Scenario{Title: get("title"), Offerer: scenario.Offerer{Name: get("offerer"), Kind: offererOf(get("offerer_kind"))},
		IndustryID: get("industry_id"), LinkID: get("link_id"), Requirements: get("requirements"), Site: get("site")}
	if get("id") != "" {
		fail("id", "导入只新建应用场景，id 须为空 / import only creates scenarios: id must be empty")
	}
	if s := get("budget_yuan"); s != "" {
		b, err := chanye.ParseYuan(s)
		if err != nil {
			fail("budget_yuan", err.Error())
		}
		x.BudgetFen = &b
	}
	for _, c := range []struct {
		key string
		dst *chanye.Date
	}{{"deadline", &x.Deadline}, {"pilot_start", &x.PilotStart}, {"pilot_end", &x.PilotEnd}} {
		if s := get(c.key); s != "" {
			d, err := parseDate(s)
			if err != nil {
				fail(c.key, err.Error())
			}
			*c.dst = d
		}
	}
	cs, err := parseCriteria(get("criteria"))
	if err != nil {
		fail("criteria", err.Error())
	}
	x.Criteria = cs
	return x
}

// offererOf reads a kind of offering unit by its code or Chinese name.
func offererOf(s string) scenario.OffererKind {
	for _, k := range scenario.OffererKinds {
		if s == k.NameZH {
			return k.Kind
		}
	}
	return scenario.OffererKind(s)
}

// parseCriteria reads "id:名称:weight; id:名称:English:weight".
func parseCriteria(s string) ([]scenario.Criterion, error) {
	var out []scenario.Criterion
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' }) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		f := strings.FieldsFunc(part, func(r rune) bool { return r == ':' || r == '：' })
		if len(f) != 3 && len(f) != 4 {
			return nil, fmt.Errorf("%q 须为 编号:名称:权重 或 编号:名称:英文名:权重 / must be id:name:weight or id:name:English name:weight", strings.TrimSpace(part))
		}
		w, err := strconv.Atoi(strings.TrimSpace(f[len(f)-1]))
		if err != nil {
			return nil, fmt.Errorf("权重 %q 须为整数 / the weight %q must be a whole number", f[len(f)-1], f[len(f)-1])
		}
		c := scenario.Criterion{ID: strings.TrimSpace(f[0]), NameZH: strings.TrimSpace(f[1]), Weight: w}
		if len(f) == 4 {
			c.NameEN = strings.TrimSpace(f[2])
		}
		out = append(out, c)
	}
	return out, nil
}

// ScenarioHeader is the header ExportScenarios writes: the columns a file
// to import has, then what the call's life set; amounts in yuan.
var ScenarioHeader = []string{"id", "title", "offerer", "offerer_kind", "industry_id", "link_id", "requirements", "site", "budget_yuan",
	"deadline", "pilot_start", "pilot_end", "criteria", "status", "published_on", "applications", "selected_id", "first_use_on",
	"procured_yuan", "closed_on", "close_reason", "demo"}

// ExportScenarios writes the scenarios as CSV or XLSX and returns the
// rows.
func ExportScenarios(w io.Writer, format Format, ss []*scenario.Scenario) (int, error) {
	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	if err := out.Write(ScenarioHeader); err != nil {
		return 0, err
	}
	for i, x := range ss {
		budget, procured, demo := "", "", ""
		if x.BudgetFen != nil {
			budget = x.BudgetFen.Yuan()
		}
		if len(x.Procurements) > 0 {
			total, err := x.ProcuredFen()
			if err != nil {
				return i, err
			}
			procured = total.Yuan()
		}
		if x.Demo {
			demo = "演示数据"
		}
		var cs []string
		for _, c := range x.Criteria {
			cs = append(cs, fmt.Sprintf("%s:%s:%s:%d", c.ID, c.NameZH, c.NameEN, c.Weight))
		}
		selected := ""
		if x.SelectedID > 0 {
			selected = strconv.FormatInt(x.SelectedID, 10)
		}
		if err := out.Write([]string{strconv.FormatInt(x.ID, 10), x.Title, x.Offerer.Name, string(x.Offerer.Kind), x.IndustryID, x.LinkID,
			x.Requirements, x.Site, budget, x.Deadline.String(), x.PilotStart.String(), x.PilotEnd.String(), strings.Join(cs, "; "),
			string(x.Status), x.PublishedOn.String(), strconv.Itoa(x.Applications), selected, x.FirstUseOn.String(), procured,
			x.ClosedOn.String(), x.CloseReason, demo}); err != nil {
			return i, err
		}
	}
	return len(ss), out.Close()
}
