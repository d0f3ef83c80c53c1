package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/search"
)

var _ project.Service = (*Store)(nil)

const projectColumns = `p.id, p.name, p.owner_code, p.industry_id, p.district_code, p.kind, p.total_investment_fen,
	p.yearly_plan, p.planned_start, p.planned_completion, p.stage, p.department, p.city_leader, p.created_at, p.updated_at,
	p.equipment_investment_fen, p.plant_investment_fen, p.finished_on, p.demo`

// projectFrom joins the industry so that filters on the department and the
// city leader see the effective owners.
const projectFrom = ` FROM projects p LEFT JOIN industries i ON i.id = p.industry_id`

func scanProject(row interface{ Scan(...any) error }) (*project.Project, error) {
	var (
		p                 project.Project
		plan              string
		start, completion sql.NullString
		created, updated  sql.NullInt64
		equip, plant      sql.NullInt64
		finished          sql.NullString
		demo              int
	)
	if err := row.Scan(&p.ID, &p.Name, &p.OwnerCode, &p.IndustryID, &p.DistrictCode, &p.Kind, &p.TotalInvestmentFen,
		&plan, &start, &completion, &p.Stage, &p.Department, &p.CityLeader, &created, &updated, &equip, &plant, &finished, &demo); err != nil {
		return nil, err
	}
	if equip.Valid {
		v := chanye.Fen(equip.Int64)
		p.EquipmentInvestmentFen = &v
	}
	if plant.Valid {
		v := chanye.Fen(plant.Int64)
		p.PlantInvestmentFen = &v
	}
	if finished.Valid {
		d, err := chanye.ParseDate(finished.String)
		if err != nil {
			return nil, fmt.Errorf("project %s: finished_on: %w", p.ID, err)
		}
		p.FinishedOn = &d
	}
	if err := json.Unmarshal([]byte(plan), &p.YearlyPlan); err != nil {
		return nil, fmt.Errorf("project %s: yearly plan: %w", p.ID, err)
	}
	var err error
	if p.PlannedStart, err = parseDate(start); err != nil {
		return nil, err
	}
	if p.PlannedCompletion, err = parseDate(completion); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	p.Demo = demo == 1
	return &p, nil
}

// checkProject validates p and checks its industry and district against
// the catalog. prefix names the part of a batch ("projects[3].").
func checkProject(c *chanye.Catalog, p *project.Project, prefix string) error {
	err := p.Validate()
	fields := map[string]string{}
	for k, v := range chanye.ErrorFields(err) {
		fields[prefix+k] = v
	}
	if p.IndustryID != "" && c.Industry(p.IndustryID) == nil {
		fields[prefix+"industry_id"] = fmt.Sprintf("未知产业 %q / unknown industry", p.IndustryID)
	}
	if _, ok := c.District(p.DistrictCode); p.DistrictCode != "" && !ok {
		fields[prefix+"district_code"] = fmt.Sprintf("未知区 %q / unknown district", p.DistrictCode)
	}
	return chanye.Invalid("项目信息有误 / invalid project", fields)
}

func planJSON(p *project.Project) string {
	plan := p.YearlyPlan
	if plan == nil {
		plan = []project.YearPlan{}
	}
	b, _ := json.Marshal(plan)
	return string(b)
}

func insertProject(ctx context.Context, tx *txn, p *project.Project) error {
	_, err := tx.exec(ctx, `INSERT INTO projects (id, name, owner_code, industry_id, district_code, kind, total_investment_fen,
		yearly_plan, planned_start, planned_completion, stage, department, city_leader, created_at, updated_at,
		equipment_investment_fen, plant_investment_fen, finished_on, demo)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Name, p.OwnerCode, p.IndustryID, p.DistrictCode, string(p.Kind), int64(p.TotalInvestmentFen), planJSON(p),
		dateArg(p.PlannedStart), dateArg(p.PlannedCompletion), string(p.Stage), p.Department, p.CityLeader,
		millis(p.CreatedAt), millis(p.UpdatedAt), fenPtrArg(p.EquipmentInvestmentFen), fenPtrArg(p.PlantInvestmentFen), datePtrArg(p.FinishedOn), boolInt(p.Demo))
	if err != nil {
		return err
	}
	return indexDocs(ctx, tx, search.Projects, []searchDoc{{ref: p.ID, text: p.Name, fresh: true}})
}

func updateProjectRow(ctx context.Context, tx *txn, p *project.Project) error {
	_, err := tx.exec(ctx, `UPDATE projects SET name = ?, owner_code = ?, industry_id = ?, district_code = ?, kind = ?,
		total_investment_fen = ?, yearly_plan = ?, planned_start = ?, planned_completion = ?, stage = ?, department = ?,
		city_leader = ?, updated_at = ?, equipment_investment_fen = ?, plant_investment_fen = ?, finished_on = ?, demo = ? WHERE id = ?`,
		p.Name, p.OwnerCode, p.IndustryID, p.DistrictCode, string(p.Kind), int64(p.TotalInvestmentFen), planJSON(p),
		dateArg(p.PlannedStart), dateArg(p.PlannedCompletion), string(p.Stage), p.Department, p.CityLeader,
		millis(p.UpdatedAt), fenPtrArg(p.EquipmentInvestmentFen), fenPtrArg(p.PlantInvestmentFen), datePtrArg(p.FinishedOn), boolInt(p.Demo), p.ID)
	if err != nil {
		return err
	}
	return indexDocs(ctx, tx, search.Projects, []searchDoc{{ref: p.ID, text: p.Name}})
}

func insertNodes(ctx context.Context, tx *txn, nodes []*project.Node) error {
	if len(nodes) == 0 {
		return nil
	}
	st, err := tx.stmt(ctx, `INSERT INTO project_nodes (project_id, seq, name, owner_department, planned_date, actual_date,
			evidence_note, evidence_link, evidence_file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		if _, err := st.ExecContext(ctx, n.ProjectID, n.Seq, n.Name, n.OwnerDepartment, dateArg(n.PlannedDate), dateArg(n.ActualDate),
			n.Evidence.Note, n.Evidence.Link, n.Evidence.File); err != nil {
			return err
		}
	}
	return nil
}

var errNoProject = project.ErrNotFound

func findProject(ctx context.Context, tx *txn, id string) (*project.Project, error) {
	p, err := scanProject(tx.queryRow(ctx, `SELECT `+projectColumns+projectFrom+` WHERE p.id = ?`, strings.TrimSpace(id)))
	if err == sql.ErrNoRows {
		return nil, errNoProject
	}
	return p, err
}

// CreateProject stores a new project with the nodes of its kind's template.
// EINVALID (also for an unknown industry or district), ECONFLICT.
func (s *Store) CreateProject(ctx context.Context, p *project.Project) error {
	return s.db.transact(ctx, false, func(tx *txn) error { return s.createProject(ctx, tx, p) })
}

// createProject checks and stores a new project in tx, with its kind's
// nodes, audited: CreateProject's and a converted lead's.
func (s *Store) createProject(ctx context.Context, tx *txn, p *project.Project) error {
	c, err := s.currentCatalog(ctx, tx)
	if err != nil {
		return err
	}
	if err := checkProject(c, p, ""); err != nil {
		return err
	}
	if err := checkChoices(ctx, tx, "项目信息有误", "invalid project", projectChoices(nil, p, nil, "")); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt, p.Colour = tx.now, tx.now, ""
	if err := insertProject(ctx, tx, p); err != nil {
		return err
	}
	nodes := project.NodesFor(p.Kind, p.PlannedStart, p.PlannedCompletion)
	for _, n := range nodes {
		n.ProjectID = p.ID
	}
	if err := insertNodes(ctx, tx, nodes); err != nil {
		return err
	}
	return tx.audit(ctx, "create", "project", p.ID, nil, p)
}

// UpdateProject changes a project. ENOTFOUND, EINVALID.
func (s *Store) UpdateProject(ctx context.Context, id string, upd project.ProjectUpdate) (*project.Project, error) {
	var out *project.Project
	err := s.db.transact(ctx, false, func(tx *txn) error {
		c, err := s.currentCatalog(ctx, tx)
		if err != nil {
			return err
		}
		old, err := findProject(ctx, tx, id)
		if err != nil {
			return err
		}
		p := upd.Apply(*old)
		if err := checkProject(c, &p, ""); err != nil {
			return err
		}
		if err := checkChoices(ctx, tx, "项目信息有误", "invalid project", projectChoices(nil, &p, old, "")); err != nil {
			return err
		}
		if same, err := sameJSON(old, &p); err != nil || same {
			out = old // nothing to write or record
			return err
		}
		p.UpdatedAt = tx.now
		if err := s.watchRed(ctx, tx, p.ID, func() error { return updateProjectRow(ctx, tx, &p) }); err != nil {
			return err
		}
		out = &p
		return tx.audit(ctx, "update", "project", p.ID, old, &p)
	})
	if err != nil {
		return nil, err
	}
	return out, s.colour(ctx, []*project.Project{out}, chanye.DateOf(s.db.Now()))
}

// projectChoices adds to into (a new map when nil) the names of p that
// must be on the managed lists — its own department and city leader, where
// they differ from its industry's — under prefix and their field names;
// the values old (nil for a new project) held stay allowed, retired or not.
func projectChoices(into map[string]choice, p, old *project.Project, prefix string) map[string]choice {
	if into == nil {
		into = map[string]choice{}
	}
	var dept, leader string
	if old != nil {
		dept, leader = old.Department, old.CityLeader
	}
	into[prefix+"department"] = choice{chanye.OrgDepartment, dept, p.Department}
	into[prefix+"city_leader"] = choice{chanye.OrgLeader, leader, p.CityLeader}
	return into
}

// FindProjectByID returns the project with its colour as of today.
// ENOTFOUND.
func (s *Store) FindProjectByID(ctx context.Context, id string) (*project.Project, error) {
	var p *project.Project
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		p, err = findProject(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, s.colour(ctx, []*project.Project{p}, chanye.DateOf(s.db.Now()))
}

func projectWhere(f project.ProjectFilter) where {
	var w where
	str := func(col string, v *string) {
		if v != nil {
			w.add(col+" = ?", strings.TrimSpace(*v))
		}
	}
	str("p.industry_id", f.IndustryID)
	str("p.district_code", f.DistrictCode)
	if f.OwnerCode != nil {
		w.add("p.owner_code = ?", strings.ToUpper(strings.TrimSpace(*f.OwnerCode)))
	}
	if f.Stage != nil {
		w.add("p.stage = ?", string(*f.Stage))
	}
	if f.Kind != nil {
		w.add("p.kind = ?", string(*f.Kind))
	}
	str(effectiveDepartment, f.Department)
	str("(CASE WHEN p.city_leader <> '' THEN p.city_leader ELSE COALESCE(i.city_leader, '') END)", f.CityLeader)
	str("COALESCE(i.task_force, '')", f.TaskForce)
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			w.add("1 = 0")
		} else {
			args := make([]any, len(f.IDs))
			for i, id := range f.IDs {
				args[i] = id
			}
			w.add("p.id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+")", args...)
		}
	}
	return w
}

// FindProjects returns a page of projects ordered by ID with their colours
// as of filter.AsOf (today when zero), and the total. With a Colour filter
// the whole selection is evaluated before paging. EINVALID.
func (s *Store) FindProjects(ctx context.Context, f project.ProjectFilter) ([]*project.Project, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	if f.Colour != nil && f.Colour.Rank() < 0 {
		return nil, 0, chanye.Invalid("筛选条件有误 / invalid filter", map[string]string{"colour": "须为 green、yellow 或 red / must be green, yellow or red"})
	}
	asOf := f.AsOf
	if asOf.IsZero() {
		asOf = chanye.DateOf(s.db.Now())
	}
	w := projectWhere(f)
	if f.Colour == nil {
		ps, total, err := readPage(ctx, s.db, projectColumns, projectFrom, w, "p.id", limit, f.Offset, scanProject)
		if err != nil {
			return nil, 0, err
		}
		if ps == nil {
			ps = []*project.Project{}
		}
		return ps, total, s.colour(ctx, ps, asOf)
	}
	all, _, err := readPage(ctx, s.db, projectColumns, projectFrom, w, "p.id", 1<<30, 0, scanProject)
	if err != nil {
		return nil, 0, err
	}
	if err := s.colour(ctx, all, asOf); err != nil {
		return nil, 0, err
	}
	ps := []*project.Project{}
	for _, p := range all {
		if p.Colour == *f.Colour {
			ps = append(ps, p)
		}
	}
	total := len(ps)
	ps = ps[min(f.Offset, total):min(f.Offset+limit, total)]
	return ps, total, nil
}

// colour sets the colour of each project as of asOf.
func (s *Store) colour(ctx context.Context, ps []*project.Project, asOf chanye.Date) error {
	if len(ps) == 0 {
		return nil
	}
	ws, err := s.warnings(ctx, ps, asOf)
	if err != nil {
		return err
	}
	cs := project.Colours(ws)
	for _, p := range ps {
		p.Colour = project.Green
		if c, ok := cs[p.ID]; ok {
			p.Colour = c
		}
	}
	return nil
}

// warnings evaluates the stored rules on ps as of asOf.
func (s *Store) warnings(ctx context.Context, ps []*project.Project, asOf chanye.Date) ([]project.Warning, error) {
	var (
		rs *project.RuleSet
		d  project.Data
	)
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		rs, d, err = s.ruleData(ctx, tx, ps, asOf)
		return err
	})
	if err != nil {
		return nil, err
	}
	return project.Evaluate(rs, d, asOf), nil
}

// ruleData reads in tx what the stored rules need to evaluate ps as of
// asOf: the compiled rules, the industries, the reports up to asOf's month,
// the nodes, ordered by project and seq, and the closures of asOf's
// month. Large selections read the tables whole, so d.Nodes may hold nodes
// of other projects too.
func (s *Store) ruleData(ctx context.Context, tx *txn, ps []*project.Project, asOf chanye.Date) (*project.RuleSet, project.Data, error) {
	d := project.Data{Projects: ps, Industries: map[string]*chanye.Industry{}}
	rules, err := findRules(ctx, tx)
	if err != nil {
		return nil, d, err
	}
	rs, err := compileRules(rules)
	if err != nil {
		return nil, d, fmt.Errorf("stored warning rules: %w", err)
	}
	c, err := s.currentCatalog(ctx, tx)
	if err != nil {
		return nil, d, err
	}
	for _, ind := range c.Industries {
		d.Industries[ind.ID] = ind
	}
	// Small selections read their own rows; large ones read the tables
	// whole rather than send thousands of ids.
	rq, nq := `SELECT project_id, month, cumulative_fen, progress_pct FROM project_reports WHERE month <= ?`, `SELECT `+nodeColumns+` FROM project_nodes`
	var ids []any
	if len(ps) <= 500 {
		in := " project_id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(ps)), ",") + ")"
		rq, nq = rq+" AND"+in, nq+" WHERE"+in
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
	}
	if d.Reports, err = ruleReports(ctx, tx, rq, append([]any{project.MonthOf(asOf)}, ids...)...); err != nil {
		return nil, d, err
	}
	if d.Nodes, err = queryNodes(ctx, tx, nq+" ORDER BY project_id, seq", ids...); err != nil {
		return nil, d, err
	}
	cq := `SELECT ` + closureColumns + ` FROM project_warning_closures WHERE month = ?`
	if ids != nil {
		cq += ` AND project_id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `)`
	}
	d.Closures, err = queryClosures(ctx, tx, cq, append([]any{project.MonthOf(asOf)}, ids...)...)
	return rs, d, err
}

// ruleReports reads the columns of reports the rules read (the month, the
// cumulative investment and the progress), the others left zero: the
// problems and who reported are text the board does not need.
func ruleReports(ctx context.Context, tx *txn, query string, args ...any) ([]*project.Report, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*project.Report{}
	for rows.Next() {
		var r project.Report
		if err := rows.Scan(&r.ProjectID, &r.Month, &r.CumulativeFen, &r.ProgressPct); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// FindBoard reads the projects the filter selects (Colour, Offset and
// Limit ignored), their nodes and what the rules read in one read
// transaction, and evaluates the rules once as of filter.AsOf (today when
// zero).
func (s *Store) FindBoard(ctx context.Context, f project.ProjectFilter) (*project.Board, error) {
	asOf := f.AsOf
	if asOf.IsZero() {
		asOf = chanye.DateOf(s.db.Now())
	}
	b := &project.Board{Projects: []*project.Project{}, Warnings: []project.Warning{}, Nodes: map[string][]*project.Node{}}
	var (
		rs *project.RuleSet
		d  project.Data
	)
	err := s.db.transact(ctx, true, func(tx *txn) error {
		ps, _, err := findPage(ctx, tx, projectColumns, projectFrom, projectWhere(f), "p.id", 1<<30, 0, scanProject)
		if err != nil || len(ps) == 0 {
			return err
		}
		b.Projects = ps
		rs, d, err = s.ruleData(ctx, tx, ps, asOf)
		return err
	})
	if err != nil || len(b.Projects) == 0 {
		return b, err
	}
	if ws := project.Evaluate(rs, d, asOf); ws != nil {
		b.Warnings = ws
	}
	cs := project.Colours(b.Warnings)
	for _, p := range b.Projects {
		p.Colour = project.Green
		if c, ok := cs[p.ID]; ok {
			p.Colour = c
		}
		b.Nodes[p.ID] = []*project.Node{}
	}
	for _, n := range d.Nodes {
		if ns, ok := b.Nodes[n.ProjectID]; ok {
			b.Nodes[n.ProjectID] = append(ns, n)
		}
	}
	return b, nil
}

// FindWarnings evaluates the rules on the filter's projects as of
// filter.AsOf (today when zero).
func (s *Store) FindWarnings(ctx context.Context, f project.ProjectFilter) ([]project.Warning, error) {
	asOf := f.AsOf
	if asOf.IsZero() {
		asOf = chanye.DateOf(s.db.Now())
	}
	ps, _, err := readPage(ctx, s.db, projectColumns, projectFrom, projectWhere(f), "p.id", 1<<30, 0, scanProject)
	if err != nil || len(ps) == 0 {
		return []project.Warning{}, err
	}
	ws, err := s.warnings(ctx, ps, asOf)
	if ws == nil && err == nil {
		ws = []project.Warning{}
	}
	return ws, err
}

const nodeColumns = `project_id, seq, name, owner_department, planned_date, actual_date, evidence_note, evidence_link, evidence_file`

// effectiveDepartment is the SQL of a project's responsible department
// (alias p, its industry i): its own, else its industry's lead department,
// as project.EffectiveOwners says.
const effectiveDepartment = `(CASE WHEN p.department <> '' THEN p.department ELSE COALESCE(i.lead_department, '') END)`

// FindOverdueNodes returns the nodes overdue today in the filter's scope
// (see project.Service), the longest overdue first. EINVALID.
func (s *Store) FindOverdueNodes(ctx context.Context, f project.ProjectFilter) ([]*project.Node, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.add("n.actual_date IS NULL AND n.planned_date < ?", chanye.DateOf(s.db.Now()).String())
	if f.Department != nil {
		w.add(effectiveDepartment+" = ?", *f.Department)
	}
	if f.IndustryID != nil {
		w.add("p.industry_id = ?", *f.IndustryID)
	}
	if f.OwnerCode != nil {
		w.add("p.owner_code = ?", *f.OwnerCode)
	}
	var (
		out   []*project.Node
		total int
	)
	err = s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, total, err = findPage(ctx, tx, "n."+strings.ReplaceAll(nodeColumns, ", ", ", n."),
			` FROM project_nodes n JOIN projects p ON p.id = n.project_id LEFT JOIN industries i ON i.id = p.industry_id`,
			w, "n.planned_date, n.project_id, n.seq", limit, f.Offset, scanNode)
		return err
	})
	if out == nil {
		out = []*project.Node{}
	}
	return out, total, err
}

func queryNodes(ctx context.Context, tx *txn, query string, args ...any) ([]*project.Node, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*project.Node{}
	for rows.Next() {
		n, err := scanNode(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// scanNode reads a row of nodeColumns.
func scanNode(row interface{ Scan(...any) error }) (*project.Node, error) {
	var n project.Node
	var planned, actual sql.NullString
	err := row.Scan(&n.ProjectID, &n.Seq, &n.Name, &n.OwnerDepartment, &planned, &actual, &n.Evidence.Note, &n.Evidence.Link, &n.Evidence.File)
	if err != nil {
		return nil, err
	}
	if n.PlannedDate, err = parseDate(planned); err != nil {
		return nil, err
	}
	if n.ActualDate, err = parseDate(actual); err != nil {
		return nil, err
	}
	return &n, nil
}

// FindNodes returns a project's nodes in order. ENOTFOUND.
func (s *Store) FindNodes(ctx context.Context, projectID string) ([]*project.Node, error) {
	var out []*project.Node
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		if _, err = findProject(ctx, tx, projectID); err != nil {
			return err
		}
		out, err = queryNodes(ctx, tx, `SELECT `+nodeColumns+` FROM project_nodes WHERE project_id = ? ORDER BY seq`, strings.TrimSpace(projectID))
		return err
	})
	return out, err
}

// PutNode records a node's actual date and evidence. ENOTFOUND, EINVALID
// (also for a node after the start done before the project started:
// project.CheckNodeDates).
func (s *Store) PutNode(ctx context.Context, projectID string, seq int, upd project.NodeUpdate) (*project.Node, error) {
	var out *project.Node
	err := s.db.transact(ctx, false, func(tx *txn) error {
		if _, err := findProject(ctx, tx, projectID); err != nil {
			return err
		}
		ns, err := queryNodes(ctx, tx, `SELECT `+nodeColumns+` FROM project_nodes WHERE project_id = ? AND seq = ?`, strings.TrimSpace(projectID), seq)
		if err != nil {
			return err
		}
		if len(ns) == 0 {
			return chanye.Errorf(chanye.ENOTFOUND, "节点不存在 / node %d not found", seq)
		}
		before := *ns[0]
		n := ns[0]
		if upd.ActualDate != nil {
			n.ActualDate = *upd.ActualDate
		}
		if upd.Evidence != nil {
			n.Evidence = *upd.Evidence
		}
		if err := n.Validate(); err != nil {
			return err
		}
		if !n.ActualDate.IsZero() && n.ActualDate.After(tx.now) {
			return chanye.Invalid("节点信息有误 / invalid node", map[string]string{"actual_date": "不能晚于今天 / cannot be in the future"})
		}
		p, err := findProject(ctx, tx, projectID)
		if err != nil {
			return err
		}
		all, err := queryNodes(ctx, tx, `SELECT `+nodeColumns+` FROM project_nodes WHERE project_id = ? ORDER BY seq`, p.ID)
		if err != nil {
			return err
		}
		for i, x := range all {
			if x.Seq == n.Seq {
				all[i] = n
			}
		}
		if err := project.CheckNodeDates(p, all); err != nil {
			return err
		}
		out = n
		if same, err := sameJSON(&before, n); err != nil || same {
			return err
		}
		if err := s.watchRed(ctx, tx, n.ProjectID, func() error {
			_, err := tx.exec(ctx, `UPDATE project_nodes SET actual_date = ?, evidence_note = ?, evidence_link = ?, evidence_file = ?
				WHERE project_id = ? AND seq = ?`, dateArg(n.ActualDate), n.Evidence.Note, n.Evidence.Link, n.Evidence.File, n.ProjectID, n.Seq)
			return err
		}); err != nil {
			return err
		}
		return tx.audit(ctx, "update", "project_node", fmt.Sprintf("%s/%d", n.ProjectID, n.Seq), &before, n)
	})
	return out, err
}

const reportColumns = `project_id, month, invested_fen, cumulative_fen, progress_pct, problems, reported_by, reported_at`

func queryReports(ctx context.Context, tx *txn, query string, args ...any) ([]*project.Report, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*project.Report{}
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanReport(row interface{ Scan(...any) error }) (*project.Report, error) {
	var r project.Report
	var at sql.NullInt64
	if err := row.Scan(&r.ProjectID, &r.Month, &r.InvestedFen, &r.CumulativeFen, &r.ProgressPct, &r.Problems, &r.ReportedBy, &at); err != nil {
		return nil, err
	}
	r.ReportedAt = fromMillis(at)
	return &r, nil
}

// upsertReport writes r unless the stored report says the same (who and
// when aside), and reports whether it wrote.
func upsertReport(ctx context.Context, tx *txn, r *project.Report) (bool, error) {
	st, err := tx.stmt(ctx, `INSERT INTO project_reports (project_id, month, invested_fen, cumulative_fen, progress_pct, problems, reported_by, reported_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (project_id, month) DO UPDATE SET invested_fen = excluded.invested_fen, cumulative_fen = excluded.cumulative_fen,
			progress_pct = excluded.progress_pct, problems = excluded.problems, reported_by = excluded.reported_by, reported_at = excluded.reported_at
		WHERE `+differ(tx.db.dialect, "project_reports", "invested_fen", "cumulative_fen", "progress_pct", "problems"))
	if err != nil {
		return false, err
	}
	res, err := st.ExecContext(ctx, r.ProjectID, r.Month, int64(r.InvestedFen), int64(r.CumulativeFen), r.ProgressPct, r.Problems, r.ReportedBy, millis(r.ReportedAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// checkReportChain checks r against its project and the stored reports
// nearest before and after its month (project.Report.CheckChain).
func checkReportChain(ctx context.Context, tx *txn, p *project.Project, r *project.Report) error {
	near := func(q string) (*project.Report, error) {
		rep, err := scanReport(tx.queryRow(ctx, `SELECT `+reportColumns+` FROM project_reports WHERE `+q, r.ProjectID, r.Month))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return rep, err
	}
	prev, err := near(`project_id = ? AND month < ? ORDER BY month DESC LIMIT 1`)
	if err != nil {
		return err
	}
	next, err := near(`project_id = ? AND month > ? ORDER BY month LIMIT 1`)
	if err != nil {
		return err
	}
	return r.CheckChain(p, prev, next)
}

// PutReport creates or replaces the report of a project for a month.
// ReportedBy is the actor's name and ReportedAt the transaction's time.
// ENOTFOUND, EINVALID (also for a month after the current one).
func (s *Store) PutReport(ctx context.Context, r *project.Report) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		p, err := findProject(ctx, tx, r.ProjectID)
		if err != nil {
			return err
		}
		if r.Month > tx.now.Format("2006-01") {
			return chanye.Invalid("月报有误 / invalid report", map[string]string{"month": "不能晚于本月 / cannot be after this month"})
		}
		if err := checkReportChain(ctx, tx, p, r); err != nil {
			return err
		}
		var before *project.Report
		old, err := scanReport(tx.queryRow(ctx, `SELECT `+reportColumns+` FROM project_reports WHERE project_id = ? AND month = ?`, r.ProjectID, r.Month))
		if err == nil {
			before = old
		} else if err != sql.ErrNoRows {
			return err
		}
		if before != nil && before.InvestedFen == r.InvestedFen && before.CumulativeFen == r.CumulativeFen &&
			before.ProgressPct == r.ProgressPct && before.Problems == r.Problems {
			r.ReportedBy, r.ReportedAt = before.ReportedBy, before.ReportedAt // the same report again
			return nil
		}
		r.ReportedBy, r.ReportedAt = chanye.ActorFrom(ctx).Name, tx.now
		if err := s.watchRed(ctx, tx, p.ID, func() error { _, err := upsertReport(ctx, tx, r); return err }); err != nil {
			return err
		}
		action := "create"
		if before != nil {
			action = "update"
		}
		return tx.audit(ctx, action, "project_report", r.ProjectID+"/"+r.Month, before, r)
	})
}

// FindReports returns reports ordered by project and month, and the total.
// EINVALID on bad months or paging (default 50, at most 10,000).
func (s *Store) FindReports(ctx context.Context, f project.ReportFilter) ([]*project.Report, int, error) {
	fields := map[string]string{}
	if f.Offset < 0 {
		fields["offset"] = "不能为负 / must not be negative"
	}
	if f.Limit < 0 || f.Limit > 10_000 {
		fields["limit"] = "须在 0 到 10000 之间 / must be between 0 and 10000"
	}
	var w where
	if f.ProjectID != nil {
		w.add("project_id = ?", strings.TrimSpace(*f.ProjectID))
	}
	if f.OwnerCode != nil {
		w.add("project_id IN (SELECT id FROM projects WHERE owner_code = ?)", strings.ToUpper(strings.TrimSpace(*f.OwnerCode)))
	}
	for name, m := range map[string]*string{"from": f.From, "to": f.To} {
		if m == nil {
			continue
		}
		r := project.Report{Month: *m}
		if _, bad := chanye.ErrorFields(r.Validate())["month"]; bad {
			fields[name] = "须为 YYYY-MM / must be YYYY-MM"
		} else if name == "from" {
			w.add("month >= ?", *m)
		} else {
			w.add("month <= ?", *m)
		}
	}
	if err := chanye.Invalid("筛选条件有误 / invalid filter", fields); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	rs, total, err := readPage(ctx, s.db, reportColumns, ` FROM project_reports`, w, "project_id, month", limit, f.Offset, scanReport)
	if rs == nil {
		rs = []*project.Report{}
	}
	return rs, total, err
}

const ruleColumns = `id, grp, colour, label_zh, label_en, expr, owner, position`

// findRules returns the stored rules in order, or the defaults when none is
// stored.
func findRules(ctx context.Context, tx *txn) ([]*project.Rule, error) {
	rows, err := tx.query(ctx, `SELECT `+ruleColumns+` FROM project_warning_rules ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*project.Rule
	for rows.Next() {
		var r project.Rule
		if err := rows.Scan(&r.ID, &r.Group, &r.Colour, &r.LabelZH, &r.LabelEN, &r.Expr, &r.Owner, &r.Position); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if out == nil {
		return project.DefaultRules(), nil
	}
	return out, nil
}

func (s *Store) FindWarningRules(ctx context.Context) ([]*project.Rule, error) {
	var out []*project.Rule
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findRules(ctx, tx)
		return err
	})
	return out, err
}

// storeDefaults writes the default rules when the table is empty, so that
// changing one rule keeps the others.
func storeDefaults(ctx context.Context, tx *txn) error {
	n, err := count(ctx, tx, `SELECT COUNT(*) FROM project_warning_rules`)
	if err != nil || n > 0 {
		return err
	}
	for _, r := range project.DefaultRules() {
		if err := putRule(ctx, tx, r); err != nil {
			return err
		}
	}
	return nil
}

func putRule(ctx context.Context, tx *txn, r *project.Rule) error {
	_, err := tx.exec(ctx, `INSERT INTO project_warning_rules (id, grp, colour, label_zh, label_en, expr, owner, position, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET grp = excluded.grp, colour = excluded.colour, label_zh = excluded.label_zh,
			label_en = excluded.label_en, expr = excluded.expr, owner = excluded.owner, position = excluded.position,
			updated_at = excluded.updated_at`,
		r.ID, r.Group, string(r.Colour), r.LabelZH, r.LabelEN, r.Expr, string(r.Owner), r.Position, tx.now.UnixMilli())
	return err
}

// SaveWarningRule compiles r and creates or replaces it by ID. EINVALID.
func (s *Store) SaveWarningRule(ctx context.Context, r *project.Rule) error {
	if _, err := r.Compile(); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		rules, err := findRules(ctx, tx)
		if err != nil {
			return err
		}
		var before *project.Rule
		for _, x := range rules {
			if x.ID == r.ID {
				before = x
			}
		}
		if same, err := sameJSON(before, r); err != nil || same && before != nil {
			return err
		}
		if err := storeDefaults(ctx, tx); err != nil {
			return err
		}
		if err := putRule(ctx, tx, r); err != nil {
			return err
		}
		action := "create"
		if before != nil {
			action = "update"
		}
		return tx.audit(ctx, action, "project_warning_rule", r.ID, before, r)
	})
}

// DeleteWarningRule removes a rule. ENOTFOUND.
func (s *Store) DeleteWarningRule(ctx context.Context, id string) error {
	return s.db.transact(ctx, false, func(tx *txn) error {
		rules, err := findRules(ctx, tx)
		if err != nil {
			return err
		}
		var before *project.Rule
		for _, x := range rules {
			if x.ID == id {
				before = x
			}
		}
		if before == nil {
			return chanye.Errorf(chanye.ENOTFOUND, "预警规则不存在 / warning rule %q not found", id)
		}
		if err := storeDefaults(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM project_warning_rules WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, "delete", "project_warning_rule", id, before, nil)
	})
}

// WriteBatch writes projects (created or replaced by ID, keeping
// created_at), their nodes (replacing a project's stored nodes; a project
// of the batch without nodes gets its kind's template when new) and reports
// (upserted), all or nothing, with one audit entry that counts them.
// EINVALID names projects[i].field, nodes[i].field or reports[i].field.
func (s *Store) WriteBatch(ctx context.Context, b *project.Batch) error {
	return s.db.transact(ctx, false, func(tx *txn) error {
		c, err := s.currentCatalog(ctx, tx)
		if err != nil {
			return err
		}
		fields := map[string]string{}
		inBatch := map[string]bool{}
		for i, p := range b.Projects {
			if err := checkProject(c, p, fmt.Sprintf("projects[%d].", i)); err != nil {
				for k, v := range chanye.ErrorFields(err) {
					fields[k] = v
				}
			}
			if inBatch[p.ID] {
				fields[fmt.Sprintf("projects[%d].id", i)] = "批次内重复 / duplicate in the batch"
			}
			inBatch[p.ID] = true
		}
		hasNodes := map[string]bool{}
		seqs := map[string]bool{}
		for i, n := range b.Nodes {
			for k, v := range chanye.ErrorFields(n.Validate()) {
				fields[fmt.Sprintf("nodes[%d].%s", i, k)] = v
			}
			if key := fmt.Sprintf("%s/%d", n.ProjectID, n.Seq); seqs[key] {
				fields[fmt.Sprintf("nodes[%d].seq", i)] = "批次内重复 / duplicate in the batch"
			} else {
				seqs[key] = true
			}
			hasNodes[n.ProjectID] = true
		}
		for i, r := range b.Reports {
			for k, v := range chanye.ErrorFields(r.Validate()) {
				fields[fmt.Sprintf("reports[%d].%s", i, k)] = v
			}
		}
		if err := chanye.Invalid("导入数据有误 / invalid batch", fields); err != nil {
			return err
		}
		// What is stored, so that records the batch repeats unchanged are
		// neither written nor counted: the same file imported twice
		// changes nothing and is not recorded.
		stored := map[string]*project.Project{}
		rows, err := tx.query(ctx, `SELECT `+projectColumns+projectFrom)
		if err != nil {
			return err
		}
		for rows.Next() {
			p, err := scanProject(rows)
			if err != nil {
				rows.Close()
				return err
			}
			stored[p.ID] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		names := map[string]choice{}
		for i, p := range b.Projects {
			projectChoices(names, p, stored[p.ID], fmt.Sprintf("projects[%d].", i))
		}
		if err := checkChoices(ctx, tx, "导入数据有误", "invalid batch", names); err != nil {
			return err
		}
		var created, updated, nodesChanged, reportsChanged int
		for _, p := range b.Projects {
			p.Colour = ""
			if old := stored[p.ID]; old != nil {
				p.CreatedAt, p.UpdatedAt = old.CreatedAt, old.UpdatedAt
				if same, err := sameJSON(old, p); err != nil {
					return err
				} else if same {
					continue
				}
				updated++
				p.UpdatedAt = tx.now
				if err := updateProjectRow(ctx, tx, p); err != nil {
					return err
				}
				continue
			}
			created++
			p.CreatedAt, p.UpdatedAt = tx.now, tx.now
			if err := insertProject(ctx, tx, p); err != nil {
				return err
			}
			if !hasNodes[p.ID] {
				nodes := project.NodesFor(p.Kind, p.PlannedStart, p.PlannedCompletion)
				for _, n := range nodes {
					n.ProjectID = p.ID
				}
				if err := insertNodes(ctx, tx, nodes); err != nil {
					return err
				}
			}
		}
		known := func(id string) bool { return stored[id] != nil || inBatch[id] }
		given := map[string][]*project.Node{}
		for i, n := range b.Nodes {
			if !known(n.ProjectID) {
				return chanye.Invalid("导入数据有误 / invalid batch", map[string]string{fmt.Sprintf("nodes[%d].project_id", i): "项目不存在 / unknown project"})
			}
			given[n.ProjectID] = append(given[n.ProjectID], n)
		}
		batchProject := map[string]*project.Project{}
		for _, p := range b.Projects {
			batchProject[p.ID] = p
		}
		for _, id := range sortedKeys(given) {
			nodes := given[id]
			slices.SortFunc(nodes, func(x, y *project.Node) int { return cmp.Compare(x.Seq, y.Seq) })
			p := batchProject[id]
			if p == nil {
				p = stored[id]
			}
			if err := project.CheckNodeDates(p, nodes); err != nil {
				for i, n := range b.Nodes { // name the node at fault by its place in the batch
					if n.ProjectID == id && strings.Contains(chanye.ErrorFields(err)["actual_date"], "「"+n.Name+"」") {
						return chanye.Invalid("导入数据有误 / invalid batch", map[string]string{fmt.Sprintf("nodes[%d].actual_date", i): chanye.ErrorFields(err)["actual_date"]})
					}
				}
				return err
			}
			old, err := queryNodes(ctx, tx, `SELECT `+nodeColumns+` FROM project_nodes WHERE project_id = ? ORDER BY seq`, id)
			if err != nil {
				return err
			}
			if same, err := sameJSON(old, nodes); err != nil {
				return err
			} else if same {
				continue
			}
			nodesChanged += len(nodes)
			if _, err := tx.exec(ctx, `DELETE FROM project_nodes WHERE project_id = ?`, id); err != nil {
				return err
			}
			if err := insertNodes(ctx, tx, nodes); err != nil {
				return err
			}
		}
		by := chanye.ActorFrom(ctx).Name
		projectsOf := map[string]*project.Project{}
		for i, r := range b.Reports {
			if !known(r.ProjectID) {
				return chanye.Invalid("导入数据有误 / invalid batch", map[string]string{fmt.Sprintf("reports[%d].project_id", i): "项目不存在 / unknown project"})
			}
			if r.ReportedBy == "" {
				r.ReportedBy = by
			}
			if r.ReportedAt.IsZero() {
				r.ReportedAt = tx.now
			}
			p := projectsOf[r.ProjectID]
			if p == nil {
				if p, err = findProject(ctx, tx, r.ProjectID); err != nil {
					return err
				}
				projectsOf[r.ProjectID] = p
			}
			if err := checkReportChain(ctx, tx, p, r); err != nil {
				if chanye.ErrorCode(err) != chanye.EINVALID {
					return err
				}
				fields := map[string]string{}
				for k, v := range chanye.ErrorFields(err) {
					fields[fmt.Sprintf("reports[%d].%s", i, k)] = v
				}
				return chanye.Invalid("导入数据有误 / invalid batch", fields)
			}
			wrote, err := upsertReport(ctx, tx, r)
			if err != nil {
				return err
			}
			if wrote {
				reportsChanged++
			}
		}
		if created+updated+nodesChanged+reportsChanged == 0 {
			return nil
		}
		return tx.audit(ctx, "import", "projects", "", nil, map[string]any{
			"projects_created": created, "projects_updated": updated, "nodes": len(b.Nodes), "nodes_changed": nodesChanged,
			"reports": len(b.Reports), "reports_changed": reportsChanged})
	})
}

// fenPtrArg is a nullable money column's value.
func fenPtrArg(f *chanye.Fen) any {
	if f == nil {
		return nil
	}
	return int64(*f)
}

// datePtrArg is a nullable date column's value.
func datePtrArg(d *chanye.Date) any {
	if d == nil || d.IsZero() {
		return nil
	}
	return d.String()
}
