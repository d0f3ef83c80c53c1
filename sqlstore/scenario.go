package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/scenario"
)

// Application scenarios (首试首用): the scenarios with their milestones,
// procurements and history, the applications (揭榜), and the review —
// panel, declarations of conflict, scores and the ranking computed from
// them. Every write is one transaction with its event and audit entry.

var (
	_ scenario.ScenarioService    = (*Store)(nil)
	_ scenario.ApplicationService = (*Store)(nil)
	_ scenario.ReviewService      = (*Store)(nil)
)

const scenarioColumns = `s.id, s.title, s.offerer_name, s.offerer_kind, s.industry_id, s.link_id, s.requirements, s.site, s.budget_fen,
	s.deadline, s.pilot_start, s.pilot_end, s.criteria, s.status, s.published_on, s.review_on, s.selected_id, s.pilot_on,
	s.first_use_on, s.first_use_evidence, s.first_use_by, s.closed_on, s.close_reason, s.demo, s.created_at, s.created_by, s.updated_at`

func scanScenario(row interface{ Scan(...any) error }) (*scenario.Scenario, error) {
	var (
		s                                       scenario.Scenario
		budget                                  sql.NullInt64
		deadline, pilotStart, pilotEnd          string
		criteria                                string
		published, review, pilot, first, closed sql.NullString
		demo                                    int
		created, updated                        int64
	)
	if err := row.Scan(&s.ID, &s.Title, &s.Offerer.Name, &s.Offerer.Kind, &s.IndustryID, &s.LinkID, &s.Requirements, &s.Site, &budget,
		&deadline, &pilotStart, &pilotEnd, &criteria, &s.Status, &published, &review, &s.SelectedID, &pilot,
		&first, &s.FirstUseEvidence, &s.FirstUseBy, &closed, &s.CloseReason, &demo, &created, &s.CreatedBy, &updated); err != nil {
		return nil, err
	}
	var err error
	for _, d := range []struct {
		to *chanye.Date
		v  sql.NullString
	}{{&s.Deadline, valid(deadline)}, {&s.PilotStart, valid(pilotStart)}, {&s.PilotEnd, valid(pilotEnd)}, {&s.PublishedOn, published},
		{&s.ReviewOn, review}, {&s.PilotOn, pilot}, {&s.FirstUseOn, first}, {&s.ClosedOn, closed}} {
		if *d.to, err = parseDate(d.v); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal([]byte(criteria), &s.Criteria); err != nil {
		return nil, fmt.Errorf("scenario %d: stored criteria: %w", s.ID, err)
	}
	if budget.Valid {
		b := chanye.Fen(budget.Int64)
		s.BudgetFen = &b
	}
	s.Demo = demo != 0
	s.CreatedAt, s.UpdatedAt = fromMs(created), fromMs(updated)
	return &s, nil
}

// valid is a NOT NULL text column as parseDate reads it.
func valid(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }

// scenarioDetails reads the milestones, procurements and count of
// submitted applications of each scenario.
func scenarioDetails(ctx context.Context, tx *txn, ss ...*scenario.Scenario) error {
	for _, s := range ss {
		ms, err := queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (scenario.Milestone, error) {
			var (
				m    scenario.Milestone
				due  string
				done sql.NullString
			)
			if err := row.Scan(&m.No, &m.Name, &due, &done, &m.Evidence); err != nil {
				return m, err
			}
			var err error
			if m.Due, err = parseDate(valid(due)); err != nil {
				return m, err
			}
			m.Done, err = parseDate(done)
			return m, err
		}, `SELECT no, name, due, done, evidence FROM scenario_milestones WHERE scenario_id = ? ORDER BY no`, s.ID)
		if err != nil {
			return err
		}
		ps, err := queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (scenario.Procurement, error) {
			var (
				p  scenario.Procurement
				on string
			)
			if err := row.Scan(&p.Buyer, &p.AmountFen, &on, &p.By); err != nil {
				return p, err
			}
			var err error
			p.On, err = parseDate(valid(on))
			return p, err
		}, `SELECT buyer, amount_fen, on_day, actor FROM scenario_procurements WHERE scenario_id = ? ORDER BY id`, s.ID)
		if err != nil {
			return err
		}
		s.Milestones, s.Procurements = ms, ps
		if s.Applications, err = count(ctx, tx, `SELECT COUNT(*) FROM scenario_applications WHERE scenario_id = ? AND status IN ('submitted', 'selected', 'not_selected')`, s.ID); err != nil {
			return err
		}
	}
	return nil
}

func findScenario(ctx context.Context, tx *txn, id int64) (*scenario.Scenario, error) {
	s, err := scanScenario(tx.queryRow(ctx, `SELECT `+scenarioColumns+` FROM scenarios s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "应用场景 %d 不存在 / scenario %d not found", id, id)
	} else if err != nil {
		return nil, err
	}
	return s, scenarioDetails(ctx, tx, s)
}

// FindScenarioByID returns a scenario with its milestones, procurements
// and count of applications. ENOTFOUND.
func (s *Store) FindScenarioByID(ctx context.Context, id int64) (*scenario.Scenario, error) {
	var out *scenario.Scenario
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findScenario(ctx, tx, id)
		return err
	})
	return out, err
}

// scenarioWhere is the condition of a scenario filter.
func scenarioWhere(f scenario.Filter) where {
	var w where
	if f.Status != nil {
		w.add("s.status = ?", string(*f.Status))
	}
	if f.IndustryID != nil {
		w.add("s.industry_id = ?", *f.IndustryID)
	}
	if f.OffererKind != nil {
		w.add("s.offerer_kind = ?", string(*f.OffererKind))
	}
	if f.Year != nil {
		w.add("s.published_on >= ? AND s.published_on <= ?", fmt.Sprintf("%04d-01-01", *f.Year), fmt.Sprintf("%04d-12-31", *f.Year))
	}
	if f.PublicOnly {
		w.add("s.published_on IS NOT NULL")
	}
	return w
}

// FindScenarios returns a page of scenarios, the latest created first,
// with their details, and the total. EINVALID.
func (s *Store) FindScenarios(ctx context.Context, f scenario.Filter) ([]*scenario.Scenario, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	var (
		out   []*scenario.Scenario
		total int
	)
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		if out, total, err = findPage(ctx, tx, scenarioColumns, ` FROM scenarios s`, scenarioWhere(f), "s.id DESC", f.Limit, f.Offset, scanScenario); err != nil {
			return err
		}
		return scenarioDetails(ctx, tx, out...)
	})
	if out == nil {
		out = []*scenario.Scenario{}
	}
	return out, total, err
}

// FindScenarioEvents returns a scenario's history in order. ENOTFOUND.
func (s *Store) FindScenarioEvents(ctx context.Context, id int64) ([]*scenario.Event, error) {
	var out []*scenario.Event
	err := s.db.transact(ctx, true, func(tx *txn) error {
		if _, err := findScenario(ctx, tx, id); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (*scenario.Event, error) {
			var (
				e      scenario.Event
				on     string
				at     int64
				amount sql.NullInt64
			)
			if err := row.Scan(&e.ID, &e.ScenarioID, &e.Action, &e.From, &e.To, &on, &e.By, &at, &e.Note, &e.ApplicationID, &e.MilestoneNo, &amount); err != nil {
				return nil, err
			}
			var err error
			e.On, err = parseDate(valid(on))
			e.At = fromMs(at)
			if amount.Valid {
				a := chanye.Fen(amount.Int64)
				e.AmountFen = &a
			}
			return &e, err
		}, `SELECT id, scenario_id, action, from_status, to_status, on_day, actor, at, note, application_id, milestone_no, amount_fen
			FROM scenario_events WHERE scenario_id = ? ORDER BY id`, id)
		return err
	})
	return out, err
}

func (tx *txn) scenarioEvents(ctx context.Context, evs []*scenario.Event) error {
	for _, e := range evs {
		if err := tx.queryRow(ctx, `INSERT INTO scenario_events (scenario_id, action, from_status, to_status, on_day, actor, at, note, application_id, milestone_no, amount_fen)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			e.ScenarioID, string(e.Action), string(e.From), string(e.To), e.On.String(), e.By, tx.now.UnixMilli(), e.Note, e.ApplicationID, e.MilestoneNo,
			fenArg(e.AmountFen)).Scan(&e.ID); err != nil {
			return err
		}
		e.At = tx.now
	}
	return nil
}

// checkScenarioPlace refuses an industry the catalog lacks or a link not
// of its chain, naming industry_id or link_id.
func checkScenarioPlace(ctx context.Context, tx *txn, s *scenario.Scenario) error {
	bad := map[string]string{}
	if _, err := findIndustry(ctx, tx, s.IndustryID); chanye.ErrorCode(err) == chanye.ENOTFOUND {
		bad["industry_id"] = fmt.Sprintf("未知产业 %q / unknown industry %q", s.IndustryID, s.IndustryID)
	} else if err != nil {
		return err
	} else if msg, err := checkLink(ctx, tx, s.IndustryID, s.LinkID); err != nil {
		return err
	} else if msg != "" {
		bad["link_id"] = msg
	}
	return chanye.Invalid("应用场景有误 / invalid scenario", bad)
}

func criteriaJSON(cs []scenario.Criterion) (string, error) {
	b, err := json.Marshal(cs)
	return string(b), err
}

// CreateScenario stores a new scenario as a draft with its create event.
// EINVALID (Scenario.Validate, an unknown industry or link).
func (s *Store) CreateScenario(ctx context.Context, in *scenario.Scenario) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	x := *in
	x.Status = scenario.Draft
	if err := x.Validate(); err != nil {
		return err
	}
	criteria, err := criteriaJSON(x.Criteria)
	if err != nil {
		return err
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		if err := checkScenarioPlace(ctx, tx, &x); err != nil {
			return err
		}
		return createScenario(ctx, tx, &x, criteria, by)
	})
	if err != nil {
		return err
	}
	*in = x
	return nil
}

// ImportScenarios stores a file's calls as drafts, all or nothing: every
// row's problems are named (rows[N].field) before anything is written.
// EINVALID.
func (s *Store) ImportScenarios(ctx context.Context, rows []*scenario.Scenario) (int, error) {
	by, err := actor(ctx)
	if err != nil {
		return 0, err
	}
	if len(rows) == 0 || len(rows) > scenario.MaxImportRows {
		return 0, chanye.Invalid("应用场景文件有误 / invalid scenarios file", map[string]string{"rows": fmt.Sprintf("须有 1–%d 行 / 1–%d rows", scenario.MaxImportRows, scenario.MaxImportRows)})
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		bad := map[string]string{}
		criteria := make([]string, len(rows))
		for i, x := range rows {
			x.Status = scenario.Draft
			err := x.Validate()
			if err == nil {
				err = checkScenarioPlace(ctx, tx, x)
			}
			if chanye.ErrorCode(err) == chanye.EINVALID {
				for k, v := range chanye.ErrorFields(err) {
					bad[fmt.Sprintf("rows[%d].%s", i, k)] = v
				}
				continue
			} else if err != nil {
				return err
			}
			if criteria[i], err = criteriaJSON(x.Criteria); err != nil {
				return err
			}
		}
		if err := chanye.Invalid(fmt.Sprintf("应用场景文件有 %d 处错误，未导入 / %d errors: nothing imported", len(bad), len(bad)), bad); err != nil {
			return err
		}
		for i, x := range rows {
			if err := createScenario(ctx, tx, x, criteria[i], by); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// createScenario inserts a checked draft with its create event and audit
// entry.
func createScenario(ctx context.Context, tx *txn, x *scenario.Scenario, criteria, by string) error {
	x.CreatedAt, x.UpdatedAt, x.CreatedBy = tx.now, tx.now, by
	demo := 0
	if x.Demo {
		demo = 1
	}
	if err := tx.queryRow(ctx, `INSERT INTO scenarios (title, offerer_name, offerer_kind, industry_id, link_id, requirements, site, budget_fen,
		deadline, pilot_start, pilot_end, criteria, status, selected_id, first_use_evidence, first_use_by, close_reason, demo, created_at, created_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', '', '', ?, ?, ?, ?) RETURNING id`,
		x.Title, x.Offerer.Name, string(x.Offerer.Kind), x.IndustryID, x.LinkID, x.Requirements, x.Site, fenArg(x.BudgetFen),
		x.Deadline.String(), x.PilotStart.String(), x.PilotEnd.String(), criteria, string(x.Status), demo,
		ms(tx.now), by, ms(tx.now)).Scan(&x.ID); err != nil {
		return err
	}
	ev := &scenario.Event{ScenarioID: x.ID, Action: scenario.ActCreate, To: scenario.Draft, On: chanye.DateOf(tx.now), By: by, Note: x.Title}
	if err := tx.scenarioEvents(ctx, []*scenario.Event{ev}); err != nil {
		return err
	}
	return tx.audit(ctx, "create", "scenario", itoa(x.ID), nil, x)
}

// writeScenario stores a scenario's row and its milestones; procurements
// are appended by MoveScenario. ECONFLICT when its status changed since
// it was read (from).
func writeScenario(ctx context.Context, tx *txn, x *scenario.Scenario, from scenario.Status) error {
	criteria, err := criteriaJSON(x.Criteria)
	if err != nil {
		return err
	}
	x.UpdatedAt = tx.now
	res, err := tx.exec(ctx, `UPDATE scenarios SET title = ?, offerer_name = ?, offerer_kind = ?, industry_id = ?, link_id = ?, requirements = ?,
		site = ?, budget_fen = ?, deadline = ?, pilot_start = ?, pilot_end = ?, criteria = ?, status = ?, published_on = ?, review_on = ?,
		selected_id = ?, pilot_on = ?, first_use_on = ?, first_use_evidence = ?, first_use_by = ?, closed_on = ?, close_reason = ?, updated_at = ?
		WHERE id = ? AND status = ?`,
		x.Title, x.Offerer.Name, string(x.Offerer.Kind), x.IndustryID, x.LinkID, x.Requirements, x.Site, fenArg(x.BudgetFen),
		x.Deadline.String(), x.PilotStart.String(), x.PilotEnd.String(), criteria, string(x.Status), dateArg(x.PublishedOn), dateArg(x.ReviewOn),
		x.SelectedID, dateArg(x.PilotOn), dateArg(x.FirstUseOn), x.FirstUseEvidence, x.FirstUseBy, dateArg(x.ClosedOn), x.CloseReason, ms(tx.now),
		x.ID, string(from))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return chanye.Errorf(chanye.ECONFLICT, "应用场景 %d 已被他人修改 / scenario %d was changed meanwhile", x.ID, x.ID)
	}
	if _, err := tx.exec(ctx, `DELETE FROM scenario_milestones WHERE scenario_id = ?`, x.ID); err != nil {
		return err
	}
	for _, m := range x.Milestones {
		if _, err := tx.exec(ctx, `INSERT INTO scenario_milestones (scenario_id, no, name, due, done, evidence) VALUES (?, ?, ?, ?, ?, ?)`,
			x.ID, m.No, m.Name, m.Due.String(), dateArg(m.Done), m.Evidence); err != nil {
			return err
		}
	}
	return nil
}

// UpdateScenario changes a scenario as of today (Scenario.Update).
// ENOTFOUND, EINVALID, ECONFLICT.
func (s *Store) UpdateScenario(ctx context.Context, id int64, upd scenario.ScenarioUpdate) (*scenario.Scenario, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out *scenario.Scenario
	err := s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findScenario(ctx, tx, id)
		if err != nil {
			return err
		}
		x := *old
		if err := x.Update(upd, chanye.DateOf(tx.now)); err != nil {
			return err
		}
		if err := checkScenarioPlace(ctx, tx, &x); err != nil {
			return err
		}
		if err := writeScenario(ctx, tx, &x, old.Status); err != nil {
			return err
		}
		out = &x
		return tx.audit(ctx, "update", "scenario", itoa(id), old, &x)
	})
	return out, err
}

// MoveScenario takes a step (Scenario.Apply as of today) and records its
// event. Selecting an application needs a complete ranking (Rank) and a
// submitted application of the scenario, and marks the others not
// selected. ENOTFOUND, EINVALID, ECONFLICT.
func (s *Store) MoveScenario(ctx context.Context, id int64, m scenario.Move) (*scenario.Scenario, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *scenario.Scenario
	err = s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findScenario(ctx, tx, id)
		if err != nil {
			return err
		}
		x := *old
		evs, err := x.Apply(m, chanye.DateOf(tx.now), by)
		if err != nil {
			return err
		}
		if m.Action == scenario.ActSelect {
			if err := selectApplication(ctx, tx, old, m.ApplicationID); err != nil {
				return err
			}
		}
		if err := writeScenario(ctx, tx, &x, old.Status); err != nil {
			return err
		}
		if len(x.Procurements) > len(old.Procurements) {
			p := x.Procurements[len(x.Procurements)-1]
			if _, err := tx.exec(ctx, `INSERT INTO scenario_procurements (scenario_id, buyer, amount_fen, on_day, actor) VALUES (?, ?, ?, ?, ?)`,
				x.ID, p.Buyer, int64(p.AmountFen), p.On.String(), p.By); err != nil {
				return err
			}
		}
		if err := tx.scenarioEvents(ctx, evs); err != nil {
			return err
		}
		if err := notifyApplicants(ctx, tx, &x, m.Action); err != nil {
			return err
		}
		if m.Action == scenario.ActStartReview {
			r, err := review(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := tx.notifyPanel(ctx, &x, "start_review", r.panel); err != nil {
				return err
			}
		}
		out = &x
		return tx.audit(ctx, string(m.Action), "scenario", itoa(id), old, &x)
	})
	return out, err
}

// selectApplication checks that the review of s is complete and marks
// application id selected, the other submitted ones not selected.
func selectApplication(ctx context.Context, tx *txn, s *scenario.Scenario, id int64) error {
	r, err := review(ctx, tx, s.ID)
	if err != nil {
		return err
	}
	if _, err := scenario.Rank(s.Criteria, r.panel, r.scores, r.conflicts, r.submitted()); err != nil {
		return chanye.NewError(chanye.ECONFLICT, "评审尚未完成，不能确定入选者 / the review is not complete: no application can be selected yet", chanye.ErrorFields(err))
	}
	apps := make([]*scenario.Application, len(r.apps))
	for i := range r.apps {
		apps[i] = &r.apps[i]
	}
	if err := scenario.MarkSelected(apps, id); err != nil {
		return err
	}
	for _, a := range apps {
		if _, err := tx.exec(ctx, `UPDATE scenario_applications SET status = ? WHERE id = ?`, string(a.Status), a.ID); err != nil {
			return err
		}
	}
	return nil
}

// runners are the scopes that run an industry's scenarios and fairs: its
// task force and lead department.
func runners(ctx context.Context, tx *txn, industryID string) []notify.Scope {
	to := []notify.Scope{notify.TaskForce(industryID)}
	if ind, err := findIndustry(ctx, tx, industryID); err == nil && ind.Responsibility.LeadDepartment != "" {
		to = append(to, notify.Department(ind.Responsibility.LeadDepartment))
	}
	return to
}

// notifyApplicants tells the applicants of x what a step did for them: the
// selected and the others at selection; the selected at the first use and
// each procurement; every applicant when the call closes.
func notifyApplicants(ctx context.Context, tx *txn, x *scenario.Scenario, act scenario.Action) error {
	switch act {
	case scenario.ActSelect, scenario.ActConfirmFirstUse, scenario.ActProcure, scenario.ActClose:
	default:
		return nil
	}
	apps, err := queryAll(ctx, tx, scanScenarioApplication, `SELECT `+scenarioAppColumns+scenarioAppFrom+` WHERE a.scenario_id = ? AND a.status <> 'withdrawn' ORDER BY a.id`, x.ID)
	if err != nil {
		return err
	}
	for _, a := range apps {
		step := string(act)
		switch {
		case act == scenario.ActSelect && a.Status == scenario.NotSelected:
			step = "not_selected"
		case act != scenario.ActClose && a.ID != x.SelectedID:
			continue
		}
		if err := tx.notifyScenario(ctx, x, step, int64(len(x.Procurements)), "", notify.Enterprise(a.Code)); err != nil {
			return err
		}
	}
	return nil
}

// notifyScenario tells the scopes of a scenario's step; key tells one
// event of a step from another (an application's id, a procurement's
// number), who is the applicant's name when it is about one.
func (tx *txn) notifyScenario(ctx context.Context, x *scenario.Scenario, step string, key int64, who string, to ...notify.Scope) error {
	titles := map[string][2]string{
		"apply":             {"新的揭榜申请：", "A new application: "},
		"select":            {"您的方案入选试点：", "Your solution is selected for the pilot: "},
		"not_selected":      {"评审结果：方案未入选：", "Review result: your solution was not selected: "},
		"confirm_first_use": {"首试首用已确认：", "First use confirmed: "},
		"procure":           {"新增采购：", "A procurement is recorded: "},
		"close":             {"应用场景终止：", "The scenario closed without a result: "},
	}[step]
	if titles[0] == "" {
		return fmt.Errorf("sqlstore: no notification for scenario step %q", step)
	}
	name := x.Title
	if who != "" {
		name += " · " + who
	}
	m := notify.Message{Kind: notify.Scenario, Subject: fmt.Sprintf("scenario/%d/%s/%d", x.ID, step, key),
		Link: "/scenarios/" + itoa(x.ID), TitleZH: truncRunes(titles[0]+name, 200), TitleEN: truncRunes(titles[1]+name, 200),
		BodyZH: truncRunes(x.CloseReason, 2000), BodyEN: truncRunes(x.CloseReason, 2000)}
	return tx.notify(ctx, m, to...)
}

// FindProgress counts the year's scenarios against the target
// (scenario.Progress). EINVALID for a year outside MinYear–MaxYear.
func (s *Store) FindProgress(ctx context.Context, year int) (*scenario.YearProgress, error) {
	if year < scenario.MinYear || year > scenario.MaxYear {
		return nil, chanye.Invalid("年度有误 / invalid year", map[string]string{"year": fmt.Sprintf("须在 %d–%d 之间 / must lie in %d–%d", scenario.MinYear, scenario.MaxYear, scenario.MinYear, scenario.MaxYear)})
	}
	first, last := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
	var out scenario.YearProgress
	err := s.db.transact(ctx, true, func(tx *txn) error {
		ss, err := queryAll(ctx, tx, scanScenario, `SELECT `+scenarioColumns+` FROM scenarios s
			WHERE (s.published_on >= ? AND s.published_on <= ?) OR (s.first_use_on >= ? AND s.first_use_on <= ?)`, first, last, first, last)
		if err != nil {
			return err
		}
		all := make([]scenario.Scenario, len(ss))
		for i, x := range ss {
			all[i] = *x
		}
		out = scenario.Progress(all, year)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// scenarioInputs adds to the inputs of each enterprise of codes (every
// enterprise when none) what the application scenarios it won hold for
// policies (policy.ScenarioInputs): the day of its latest confirmed first
// use and the total procured after its first uses.
func scenarioInputs(ctx context.Context, tx *txn, codes []string, get func(code string) *policy.Inputs) error {
	var w where
	w.add("s.first_use_on IS NOT NULL")
	if len(codes) > 0 {
		w.add("a.code IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(codes)), ", ")+")", anys(codes)...)
	}
	type won struct {
		code     string
		first    chanye.Date
		procured chanye.Fen
	}
	rows, err := queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (won, error) {
		var (
			x     won
			first string
		)
		if err := row.Scan(&x.code, &first, &x.procured); err != nil {
			return x, err
		}
		var err error
		x.first, err = parseDate(valid(first))
		return x, err
	}, `SELECT a.code, s.first_use_on, COALESCE((SELECT CAST(SUM(p.amount_fen) AS BIGINT) FROM scenario_procurements p WHERE p.scenario_id = s.id), 0)
		FROM scenarios s JOIN scenario_applications a ON a.id = s.selected_id`+w.String()+` ORDER BY a.code, s.first_use_on`, w.args...)
	if err != nil {
		return err
	}
	for _, x := range rows {
		in := get(x.code)
		if in.Scenario == nil {
			in.Scenario = map[string]any{"procured": int64(0)}
		}
		in.Scenario["first_use_on"] = x.first // the latest: rows come in day order
		total, err := chanye.AddFen(chanye.Fen(in.Scenario["procured"].(int64)), x.procured)
		if err != nil {
			return err
		}
		in.Scenario["procured"] = int64(total)
	}
	return nil
}

// Applications.

const scenarioAppColumns = `a.id, a.scenario_id, a.code, COALESCE(e.name, ''), a.solution, a.status, a.submitted_at, a.submitted_by, a.withdrawn_at`

const scenarioAppFrom = ` FROM scenario_applications a LEFT JOIN enterprises e ON e.code = a.code`

func scanScenarioApplication(row interface{ Scan(...any) error }) (*scenario.Application, error) {
	var (
		a                    scenario.Application
		submitted, withdrawn int64
	)
	if err := row.Scan(&a.ID, &a.ScenarioID, &a.Code, &a.EnterpriseName, &a.Solution, &a.Status, &submitted, &a.SubmittedBy, &withdrawn); err != nil {
		return nil, err
	}
	a.SubmittedAt, a.WithdrawnAt = fromMs(submitted), fromMs(withdrawn)
	return &a, nil
}

func findScenarioApplication(ctx context.Context, tx *txn, id int64) (*scenario.Application, error) {
	a, err := scanScenarioApplication(tx.queryRow(ctx, `SELECT `+scenarioAppColumns+scenarioAppFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "揭榜申请 %d 不存在 / application %d not found", id, id)
	}
	return a, err
}

// FindScenarioApplicationByID returns an application with its enterprise's name.
// ENOTFOUND.
func (s *Store) FindScenarioApplicationByID(ctx context.Context, id int64) (*scenario.Application, error) {
	var out *scenario.Application
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findScenarioApplication(ctx, tx, id)
		return err
	})
	return out, err
}

// FindScenarioApplications returns a page of applications, the latest submitted
// first, and the total. EINVALID.
func (s *Store) FindScenarioApplications(ctx context.Context, f scenario.ApplicationFilter) ([]*scenario.Application, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	var w where
	if f.ScenarioID != nil {
		w.add("a.scenario_id = ?", *f.ScenarioID)
	}
	if f.Code != nil {
		w.add("a.code = ?", *f.Code)
	}
	if f.Status != nil {
		w.add("a.status = ?", string(*f.Status))
	}
	out, total, err := readPage(ctx, s.db, scenarioAppColumns, scenarioAppFrom, w, "a.id DESC", f.Limit, f.Offset, scanScenarioApplication)
	if out == nil {
		out = []*scenario.Application{}
	}
	return out, total, err
}

// CreateScenarioApplication stores a submitted application. ENOTFOUND for an
// unknown scenario; EINVALID (Application.Validate, an enterprise not in
// the registry); ECONFLICT when the scenario takes no applications today
// or the enterprise has a submitted application to it already.
func (s *Store) CreateScenarioApplication(ctx context.Context, in *scenario.Application) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	a := *in
	a.Status = scenario.Submitted
	if err := a.Validate(); err != nil {
		return err
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		x, err := findScenario(ctx, tx, a.ScenarioID)
		if err != nil {
			return err
		}
		if err := x.CanApply(chanye.DateOf(tx.now)); err != nil {
			return err
		}
		if ok, err := inRegistry(ctx, tx, a.Code); err != nil {
			return err
		} else if !ok {
			return chanye.Invalid("揭榜申请有误 / invalid application", map[string]string{"code": fmt.Sprintf("企业 %s 不在名录中 / no enterprise %s in the registry", a.Code, a.Code)})
		}
		if n, err := count(ctx, tx, `SELECT COUNT(*) FROM scenario_applications WHERE scenario_id = ? AND code = ? AND status = 'submitted'`, a.ScenarioID, a.Code); err != nil {
			return err
		} else if n > 0 {
			return chanye.Errorf(chanye.ECONFLICT, "企业 %s 已揭榜该场景 / enterprise %s has applied to this scenario already", a.Code, a.Code)
		}
		a.SubmittedAt, a.SubmittedBy = tx.now, by
		if err := tx.queryRow(ctx, `INSERT INTO scenario_applications (scenario_id, code, solution, status, submitted_at, submitted_by, withdrawn_at)
			VALUES (?, ?, ?, ?, ?, ?, 0) RETURNING id`, a.ScenarioID, a.Code, a.Solution, string(a.Status), ms(tx.now), by).Scan(&a.ID); err != nil {
			return err
		}
		stored, err := findScenarioApplication(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		a = *stored
		if err := tx.notifyScenario(ctx, x, "apply", a.ID, a.EnterpriseName, runners(ctx, tx, x.IndustryID)...); err != nil {
			return err
		}
		return tx.audit(ctx, "create", "scenario_application", itoa(a.ID), nil, &a)
	})
	if err != nil {
		return err
	}
	*in = a
	return nil
}

// WithdrawScenarioApplication withdraws a submitted application while its
// scenario is published (Application.Withdraw). ENOTFOUND, ECONFLICT.
func (s *Store) WithdrawScenarioApplication(ctx context.Context, id int64) (*scenario.Application, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out *scenario.Application
	err := s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findScenarioApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		x, err := findScenario(ctx, tx, old.ScenarioID)
		if err != nil {
			return err
		}
		a := *old
		if err := a.Withdraw(x); err != nil {
			return err
		}
		a.WithdrawnAt = tx.now
		if _, err := tx.exec(ctx, `UPDATE scenario_applications SET status = ?, withdrawn_at = ? WHERE id = ? AND status = 'submitted'`,
			string(a.Status), ms(tx.now), a.ID); err != nil {
			return err
		}
		out = &a
		return tx.audit(ctx, "withdraw", "scenario_application", itoa(id), old, &a)
	})
	return out, err
}

// The review.

// reviewState is a scenario's stored review.
type reviewState struct {
	panel     []string
	scores    []scenario.Score
	conflicts []scenario.Conflict
	apps      []scenario.Application // every application, any status
}

// submitted returns the applications the review ranks: those submitted,
// or decided at selection.
func (r *reviewState) submitted() []scenario.Application {
	var out []scenario.Application
	for _, a := range r.apps {
		if a.Status != scenario.Withdrawn {
			out = append(out, a)
		}
	}
	return out
}

func review(ctx context.Context, tx *txn, scenarioID int64) (*reviewState, error) {
	var (
		r   reviewState
		err error
	)
	if r.panel, err = queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (string, error) {
		var m string
		return m, row.Scan(&m)
	}, `SELECT member FROM scenario_panel WHERE scenario_id = ? ORDER BY position`, scenarioID); err != nil {
		return nil, err
	}
	if r.scores, err = queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (scenario.Score, error) {
		var (
			sc scenario.Score
			at int64
		)
		err := row.Scan(&sc.ApplicationID, &sc.Member, &sc.CriterionID, &sc.Points, &at)
		sc.ScoredAt = fromMs(at)
		return sc, err
	}, `SELECT application_id, member, criterion_id, points, scored_at FROM scenario_scores WHERE scenario_id = ?
		ORDER BY application_id, member, criterion_id`, scenarioID); err != nil {
		return nil, err
	}
	if r.conflicts, err = queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (scenario.Conflict, error) {
		var (
			c  scenario.Conflict
			at int64
		)
		err := row.Scan(&c.ApplicationID, &c.Member, &c.Reason, &at)
		c.DeclaredAt = fromMs(at)
		return c, err
	}, `SELECT application_id, member, reason, declared_at FROM scenario_conflicts WHERE scenario_id = ? ORDER BY application_id, member`, scenarioID); err != nil {
		return nil, err
	}
	apps, err := queryAll(ctx, tx, scanScenarioApplication, `SELECT `+scenarioAppColumns+scenarioAppFrom+` WHERE a.scenario_id = ? ORDER BY a.id`, scenarioID)
	if err != nil {
		return nil, err
	}
	for _, a := range apps {
		r.apps = append(r.apps, *a)
	}
	return &r, nil
}

// reviewable reads a scenario whose review may be written now: its status
// one of allowed, else ECONFLICT.
func reviewable(ctx context.Context, tx *txn, id int64, allowed ...scenario.Status) (*scenario.Scenario, error) {
	x, err := findScenario(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(allowed, x.Status) {
		return nil, chanye.Errorf(chanye.ECONFLICT, "应用场景处于「%s」阶段，不能修改评审 / the scenario is %s: its review cannot be changed", x.Status.NameZH(), x.Status.NameEN())
	}
	return x, nil
}

// FindPanel returns a scenario's panel in the order it was set. ENOTFOUND.
func (s *Store) FindPanel(ctx context.Context, scenarioID int64) ([]string, error) {
	var out []string
	err := s.db.transact(ctx, true, func(tx *txn) error {
		if _, err := findScenario(ctx, tx, scenarioID); err != nil {
			return err
		}
		r, err := review(ctx, tx, scenarioID)
		if err != nil {
			return err
		}
		out = r.panel
		return nil
	})
	if out == nil && err == nil {
		out = []string{}
	}
	return out, err
}

// SetPanel replaces a scenario's panel while it is published or in
// review; the scores and declarations of members no longer on it are
// deleted. Each member must be an active account, not an enterprise's.
// ENOTFOUND, EINVALID, ECONFLICT.
func (s *Store) SetPanel(ctx context.Context, scenarioID int64, members []string) error {
	if _, err := actor(ctx); err != nil {
		return err
	}
	if err := scenario.ValidatePanel(members); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		x, err := reviewable(ctx, tx, scenarioID, scenario.Published, scenario.Reviewing)
		if err != nil {
			return err
		}
		bad := map[string]string{}
		for i, m := range members {
			if n, err := count(ctx, tx, `SELECT COUNT(*) FROM users WHERE name = ? AND disabled = 0 AND role <> 'enterprise'`, m); err != nil {
				return err
			} else if n == 0 {
				bad[fmt.Sprintf("members[%d]", i)] = fmt.Sprintf("没有启用的官方账号 %q（企业账号不能评审）/ no active official account %q (an enterprise does not judge)", m, m)
			}
		}
		if err := chanye.Invalid("评审专家有误 / invalid panel", bad); err != nil {
			return err
		}
		old, err := review(ctx, tx, scenarioID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM scenario_panel WHERE scenario_id = ?`, scenarioID); err != nil {
			return err
		}
		for i, m := range members {
			if _, err := tx.exec(ctx, `INSERT INTO scenario_panel (scenario_id, member, position) VALUES (?, ?, ?)`, scenarioID, m, i+1); err != nil {
				return err
			}
		}
		for _, m := range old.panel {
			if slices.Contains(members, m) {
				continue
			}
			for _, table := range []string{"scenario_scores", "scenario_conflicts"} {
				if _, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE scenario_id = ? AND member = ?`, scenarioID, m); err != nil {
					return err
				}
			}
		}
		if err := tx.notifyPanel(ctx, x, "panel", members); err != nil {
			return err
		}
		return tx.audit(ctx, "set_panel", "scenario", itoa(scenarioID), map[string]any{"panel": old.panel}, map[string]any{"panel": members})
	})
}

// notifyPanel asks each member of a scenario's panel, in its own inbox
// (notify.User), to score it: when the panel is set (step "panel"; a
// member kept on a panel set again is not asked twice) and when the
// review starts (step "start_review").
func (tx *txn) notifyPanel(ctx context.Context, x *scenario.Scenario, step string, members []string) error {
	if len(members) == 0 {
		return nil
	}
	bodyZH := fmt.Sprintf("您是该应用场景的评审专家。揭榜于 %s 截止，之后开始评审。", x.Deadline)
	bodyEN := fmt.Sprintf("You are on the scenario's review panel. Applications close on %s; the review starts after.", x.Deadline)
	if x.Status == scenario.Reviewing {
		bodyZH = "评审已开始：请按评审标准为每个揭榜方案评分，或声明回避。"
		bodyEN = "The review has started: score each application on each criterion, or declare a conflict of interest."
	}
	to := make([]notify.Scope, len(members))
	for i, m := range members {
		to[i] = notify.User(m)
	}
	return tx.notify(ctx, notify.Message{Kind: notify.Scenario, Subject: fmt.Sprintf("scenario/%d/%s", x.ID, step),
		Link: fmt.Sprintf("/scenarios/%d#scn-score-form", x.ID), TitleZH: truncRunes("请为应用场景评分："+x.Title, 200),
		TitleEN: truncRunes("Score the scenario: "+x.Title, 200), BodyZH: bodyZH, BodyEN: bodyEN}, to...)
}

// DeclareConflict records a member's conflict of interest with an
// application and deletes the scores the member gave it. ENOTFOUND,
// EINVALID (also a member not on the panel), ECONFLICT.
func (s *Store) DeclareConflict(ctx context.Context, c *scenario.Conflict) error {
	if _, err := actor(ctx); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		a, err := findScenarioApplication(ctx, tx, c.ApplicationID)
		if err != nil {
			return err
		}
		if _, err := reviewable(ctx, tx, a.ScenarioID, scenario.Reviewing); err != nil {
			return err
		}
		r, err := review(ctx, tx, a.ScenarioID)
		if err != nil {
			return err
		}
		if !slices.Contains(r.panel, c.Member) {
			return chanye.Invalid("回避声明有误 / invalid declaration", map[string]string{"member": fmt.Sprintf("%q 不是该场景的评审专家 / %q is not on the scenario's panel", c.Member, c.Member)})
		}
		if slices.ContainsFunc(r.conflicts, func(x scenario.Conflict) bool { return x.ApplicationID == c.ApplicationID && x.Member == c.Member }) {
			return chanye.Errorf(chanye.ECONFLICT, "%s 已声明回避申请 %d / %s has declared a conflict with application %d already", c.Member, c.ApplicationID, c.Member, c.ApplicationID)
		}
		c.DeclaredAt = tx.now
		if _, err := tx.exec(ctx, `INSERT INTO scenario_conflicts (scenario_id, application_id, member, reason, declared_at) VALUES (?, ?, ?, ?, ?)`,
			a.ScenarioID, c.ApplicationID, c.Member, c.Reason, ms(tx.now)); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM scenario_scores WHERE application_id = ? AND member = ?`, c.ApplicationID, c.Member); err != nil {
			return err
		}
		return tx.audit(ctx, "declare_conflict", "scenario_application", itoa(c.ApplicationID), nil, c)
	})
}

// PutScores records scores while the scenario is in review, replacing
// earlier ones of the same application, member and criterion, all or
// none: each must pass CheckScore and name a submitted application of the
// scenario (faults named scores[i].field). ENOTFOUND, EINVALID, ECONFLICT.
func (s *Store) PutScores(ctx context.Context, scenarioID int64, scores []scenario.Score) error {
	if _, err := actor(ctx); err != nil {
		return err
	}
	if len(scores) == 0 {
		return chanye.Invalid("评分有误 / invalid scores", map[string]string{"scores": "至少一项评分 / give at least one score"})
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		x, err := reviewable(ctx, tx, scenarioID, scenario.Reviewing)
		if err != nil {
			return err
		}
		r, err := review(ctx, tx, scenarioID)
		if err != nil {
			return err
		}
		bad := map[string]string{}
		for i := range scores {
			sc := &scores[i]
			at := "scores[" + strconv.Itoa(i) + "]."
			if !slices.ContainsFunc(r.apps, func(a scenario.Application) bool { return a.ID == sc.ApplicationID && a.Status == scenario.Submitted }) {
				bad[at+"application_id"] = fmt.Sprintf("申请 %d 不是该场景待评审的申请 / application %d is not one of the scenario's to review", sc.ApplicationID, sc.ApplicationID)
				continue
			}
			if err := scenario.CheckScore(sc, x.Criteria, r.panel, r.conflicts); chanye.ErrorCode(err) == chanye.ECONFLICT {
				return err
			} else if err != nil {
				for k, v := range chanye.ErrorFields(err) {
					bad[at+k] = v
				}
			}
		}
		if err := chanye.Invalid("评分有误 / invalid scores", bad); err != nil {
			return err
		}
		for i := range scores {
			sc := &scores[i]
			sc.ScoredAt = tx.now
			if _, err := tx.exec(ctx, `INSERT INTO scenario_scores (scenario_id, application_id, member, criterion_id, points, scored_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (application_id, member, criterion_id) DO UPDATE SET points = excluded.points, scored_at = excluded.scored_at`,
				scenarioID, sc.ApplicationID, sc.Member, sc.CriterionID, sc.Points, ms(tx.now)); err != nil {
				return err
			}
		}
		return tx.audit(ctx, "score", "scenario", itoa(scenarioID), nil, map[string]any{"scores": scores})
	})
}

// FindScores returns a scenario's scores and declarations, ordered by
// application, member and criterion. ENOTFOUND.
func (s *Store) FindScores(ctx context.Context, scenarioID int64) ([]scenario.Score, []scenario.Conflict, error) {
	var r *reviewState
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		if _, err := findScenario(ctx, tx, scenarioID); err != nil {
			return err
		}
		r, err = review(ctx, tx, scenarioID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return r.scores, r.conflicts, nil
}

// FindRanking ranks a scenario's applications by its stored review:
// Rank, which refuses an incomplete review (EINVALID naming each missing
// score), or, with partial, RankComplete. ENOTFOUND, EINVALID.
func (s *Store) FindRanking(ctx context.Context, scenarioID int64, partial bool) (*scenario.Ranking, error) {
	var (
		x *scenario.Scenario
		r *reviewState
	)
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		if x, err = findScenario(ctx, tx, scenarioID); err != nil {
			return err
		}
		r, err = review(ctx, tx, scenarioID)
		return err
	})
	if err != nil {
		return nil, err
	}
	rank := scenario.Rank
	if partial {
		rank = scenario.RankComplete
	}
	out, err := rank(x.Criteria, r.panel, r.scores, r.conflicts, r.submitted())
	if err != nil {
		return nil, err
	}
	return &out, nil
}
