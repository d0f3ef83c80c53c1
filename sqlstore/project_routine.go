package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/project"
)

// Projects as routine work: warnings closed (销号) and supervision items
// (督办). Every step writes its row, its event where the item has a
// history, and an audit entry in one transaction.

var (
	_ project.ClosureService     = (*Store)(nil)
	_ project.SupervisionService = (*Store)(nil)
)

const closureColumns = `id, project_id, rule_id, colour, month, message_zh, message_en, note,
	file_name, file_type, file_size, file_sha256, closed_by, closed_at`

func scanClosure(row interface{ Scan(...any) error }) (*project.Closure, error) {
	var c project.Closure
	var at int64
	if err := row.Scan(&c.ID, &c.ProjectID, &c.RuleID, &c.Colour, &c.Month, &c.MessageZH, &c.MessageEN, &c.Note,
		&c.File.Name, &c.File.ContentType, &c.File.Size, &c.File.SHA256, &c.ClosedBy, &at); err != nil {
		return nil, err
	}
	c.ClosedAt = fromMillis(sql.NullInt64{Int64: at, Valid: true})
	return &c, nil
}

func queryClosures(ctx context.Context, tx *txn, query string, args ...any) ([]*project.Closure, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*project.Closure
	for rows.Next() {
		c, err := scanClosure(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CloseWarning closes the open warning of a rule on a project as of the
// transaction's day. EINVALID, ENOTFOUND, ECONFLICT.
func (s *Store) CloseWarning(ctx context.Context, projectID, ruleID, note string, file project.Upload) (*project.Closure, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	note, file.Name = strings.TrimSpace(note), strings.TrimSpace(file.Name)
	if err := project.CheckClosure(note, file); err != nil {
		return nil, err
	}
	var out *project.Closure
	err = s.db.transact(ctx, false, func(tx *txn) error {
		p, err := findProject(ctx, tx, projectID)
		if err != nil {
			return err
		}
		today := chanye.DateOf(tx.now)
		rs, d, err := s.ruleData(ctx, tx, []*project.Project{p}, today)
		if err != nil {
			return err
		}
		var w *project.Warning
		for _, x := range project.Evaluate(rs, d, today) {
			if x.RuleID == ruleID {
				w = &x
			}
		}
		switch {
		case w == nil:
			return chanye.Errorf(chanye.ECONFLICT, "项目 %s 今日没有规则 %s 的预警，无需销号 / project %s has no warning of rule %s today", p.ID, ruleID, p.ID, ruleID)
		case w.Closed != nil:
			return chanye.Errorf(chanye.ECONFLICT, "项目 %s 规则 %s 的预警本月已销号 / the warning of rule %s on project %s is closed this month", p.ID, ruleID, ruleID, p.ID)
		}
		sum := sha256.Sum256(file.Data)
		c := &project.Closure{ProjectID: p.ID, RuleID: ruleID, Colour: w.Colour, Month: project.MonthOf(today),
			MessageZH: w.MessageZH, MessageEN: w.MessageEN, Note: note, ClosedBy: by, ClosedAt: tx.now,
			File: project.FileInfo{Name: file.Name, ContentType: file.ContentType, Size: int64(len(file.Data)), SHA256: hex.EncodeToString(sum[:])}}
		// The unique (project, rule, month) turns a concurrent second
		// closing into ECONFLICT.
		if err := tx.queryRow(ctx, `INSERT INTO project_warning_closures (project_id, rule_id, colour, month, message_zh, message_en, note,
			file_name, file_type, file_size, file_sha256, file_data, closed_by, closed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.ProjectID, c.RuleID, string(c.Colour), c.Month, c.MessageZH, c.MessageEN, c.Note,
			c.File.Name, c.File.ContentType, c.File.Size, c.File.SHA256, blob(file.Data), c.ClosedBy, tx.now.UnixMilli()).Scan(&c.ID); err != nil {
			return err
		}
		out = c
		return tx.audit(ctx, "close", "project_warning", fmt.Sprintf("%s/%s/%s", c.ProjectID, c.RuleID, c.Month), nil, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindClosures returns a project's closures, newest first. ENOTFOUND.
func (s *Store) FindClosures(ctx context.Context, projectID string) ([]*project.Closure, error) {
	var out []*project.Closure
	err := s.db.transact(ctx, true, func(tx *txn) error {
		p, err := findProject(ctx, tx, projectID)
		if err != nil {
			return err
		}
		out, err = queryClosures(ctx, tx, `SELECT `+closureColumns+` FROM project_warning_closures WHERE project_id = ? ORDER BY id DESC`, p.ID)
		return err
	})
	if out == nil && err == nil {
		out = []*project.Closure{}
	}
	return out, err
}

// FindClosureFile returns a closure with its evidence file. ENOTFOUND.
func (s *Store) FindClosureFile(ctx context.Context, projectID string, id int64) (*project.Closure, []byte, error) {
	var (
		c    *project.Closure
		data []byte
	)
	err := s.db.transact(ctx, true, func(tx *txn) error {
		var err error
		c, err = scanClosure(tx.queryRow(ctx, `SELECT `+closureColumns+` FROM project_warning_closures WHERE id = ? AND project_id = ?`, id, strings.TrimSpace(projectID)))
		if errors.Is(err, sql.ErrNoRows) {
			return chanye.Errorf(chanye.ENOTFOUND, "销号记录 %d 不存在 / no closure %d", id, id)
		} else if err != nil {
			return err
		}
		return tx.queryRow(ctx, `SELECT file_data FROM project_warning_closures WHERE id = ?`, id).Scan(&data)
	})
	if err != nil {
		return nil, nil, err
	}
	return c, data, nil
}

const supervisionColumns = `s.id, s.project_id, p.name, p.industry_id, p.owner_code, s.addressee, s.instruction, s.due_on, s.status,
	s.answer, s.issued_by, s.issuer_user_id, s.issuer_role, s.issuer_department, s.issued_at, s.updated_at`

const supervisionFrom = ` FROM project_supervisions s JOIN projects p ON p.id = s.project_id LEFT JOIN industries i ON i.id = p.industry_id`

// scanSupervision reads an item; its Overdue is set by the caller, who
// knows the day.
func scanSupervision(row interface{ Scan(...any) error }) (*project.Supervision, error) {
	var (
		x               project.Supervision
		due             sql.NullString
		issued, updated int64
	)
	if err := row.Scan(&x.ID, &x.ProjectID, &x.ProjectName, &x.IndustryID, &x.OwnerCode, &x.Addressee, &x.Instruction, &due, &x.Status,
		&x.Answer, &x.IssuedBy, &x.IssuerUserID, &x.IssuerRole, &x.IssuerDepartment, &issued, &updated); err != nil {
		return nil, err
	}
	var err error
	if x.DueOn, err = parseDate(due); err != nil {
		return nil, err
	}
	x.IssuedAt = fromMillis(sql.NullInt64{Int64: issued, Valid: true})
	x.UpdatedAt = fromMillis(sql.NullInt64{Int64: updated, Valid: true})
	return &x, nil
}

// overdue marks the items whose owner is still to answer after the due day.
func overdue(today chanye.Date, xs ...*project.Supervision) {
	for _, x := range xs {
		x.Overdue = x.Status.Awaiting() && x.DueOn.Before(today.Time)
	}
}

func findSupervision(ctx context.Context, tx *txn, id int64) (*project.Supervision, error) {
	x, err := scanSupervision(tx.queryRow(ctx, `SELECT `+supervisionColumns+supervisionFrom+` WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "督办事项 %d 不存在 / no supervision item %d", id, id)
	} else if err != nil {
		return nil, err
	}
	if err := supEvents(ctx, tx, x); err != nil {
		return nil, err
	}
	overdue(chanye.DateOf(tx.now), x)
	return x, nil
}

// supEvents reads the history of xs in one query.
func supEvents(ctx context.Context, tx *txn, xs ...*project.Supervision) error {
	if len(xs) == 0 {
		return nil
	}
	by := map[int64]*project.Supervision{}
	args := make([]any, len(xs))
	for i, x := range xs {
		by[x.ID], args[i] = x, x.ID
	}
	rows, err := tx.query(ctx, `SELECT supervision_id, id, action, from_status, to_status, actor, at, note FROM project_supervision_events
		WHERE supervision_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(xs)), ",")+`) ORDER BY supervision_id, id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e project.SupervisionEvent
		var sid, at int64
		if err := rows.Scan(&sid, &e.ID, &e.Action, &e.From, &e.To, &e.By, &at, &e.Note); err != nil {
			return err
		}
		e.At = fromMillis(sql.NullInt64{Int64: at, Valid: true})
		by[sid].Events = append(by[sid].Events, &e)
	}
	return rows.Err()
}

func supEvent(ctx context.Context, tx *txn, id int64, action string, from, to project.SupStatus, by, note string) error {
	_, err := tx.exec(ctx, `INSERT INTO project_supervision_events (supervision_id, action, from_status, to_status, actor, at, note)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, action, string(from), string(to), by, tx.now.UnixMilli(), note)
	return err
}

// auditSupervision is what the audit log records of an item: its state,
// not its history (each step is an entry of its own).
func auditSupervision(x *project.Supervision) map[string]any {
	return map[string]any{"id": x.ID, "project_id": x.ProjectID, "addressee": x.Addressee, "instruction": x.Instruction,
		"due_on": x.DueOn, "status": x.Status, "answer": x.Answer, "issued_by": x.IssuedBy, "issuer_role": x.IssuerRole,
		"issuer_department": x.IssuerDepartment}
}

// CreateSupervision issues an item from the context's actor. ENOTFOUND,
// EINVALID.
func (s *Store) CreateSupervision(ctx context.Context, in *project.Supervision) (*project.Supervision, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	a := chanye.ActorFrom(ctx)
	var out *project.Supervision
	err = s.db.transact(ctx, false, func(tx *txn) error {
		p, err := findProject(ctx, tx, in.ProjectID)
		if err != nil {
			return err
		}
		x := *in
		x.Events = nil
		if err := x.Validate(chanye.DateOf(tx.now)); err != nil {
			return err
		}
		x.ProjectID, x.ProjectName, x.IndustryID, x.OwnerCode = p.ID, p.Name, p.IndustryID, p.OwnerCode
		x.Status, x.Answer, x.IssuedBy, x.IssuerRole, x.IssuerUserID = project.SupIssued, "", by, a.Role, a.UserID
		x.IssuerDepartment = ""
		if a.Role == chanye.RoleDepartment {
			x.IssuerDepartment = a.Department
		}
		x.IssuedAt, x.UpdatedAt = tx.now, tx.now
		if err := tx.queryRow(ctx, `INSERT INTO project_supervisions (project_id, addressee, instruction, due_on, status, answer,
			issued_by, issuer_user_id, issuer_role, issuer_department, issued_at, updated_at)
			VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?) RETURNING id`,
			x.ProjectID, string(x.Addressee), x.Instruction, dateArg(x.DueOn), string(x.Status), x.IssuedBy, x.IssuerUserID,
			string(x.IssuerRole), x.IssuerDepartment, tx.now.UnixMilli(), tx.now.UnixMilli()).Scan(&x.ID); err != nil {
			return err
		}
		if err := supEvent(ctx, tx, x.ID, "issue", "", x.Status, by, x.Instruction); err != nil {
			return err
		}
		if err := tx.notifySupervision(ctx, &x, "issue"); err != nil {
			return err
		}
		if err := tx.audit(ctx, "issue", "project_supervision", itoa(x.ID), nil, auditSupervision(&x)); err != nil {
			return err
		}
		out, err = findSupervision(ctx, tx, x.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MoveSupervision takes a step on an item. ENOTFOUND, EINVALID, ECONFLICT.
func (s *Store) MoveSupervision(ctx context.Context, id int64, action project.SupAction, note string) (*project.Supervision, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if err := project.CheckStep(action, note); err != nil {
		return nil, err
	}
	var out *project.Supervision
	err = s.db.transact(ctx, false, func(tx *txn) error {
		x, err := findSupervision(ctx, tx, id)
		if err != nil {
			return err
		}
		from := x.Status
		to, ok := from.Next(action)
		if !ok {
			return chanye.Errorf(chanye.ECONFLICT, "督办事项 %d 为%s，不能%s / supervision item %d is %s: cannot %s",
				x.ID, from.NameZH(), map[project.SupAction]string{project.SupAnswer: "答复", project.SupReturn: "退回", project.SupClose: "办结"}[action],
				x.ID, from.NameEN(), action)
		}
		before := auditSupervision(x)
		if action == project.SupAnswer {
			x.Answer = note
		}
		x.Status, x.UpdatedAt = to, tx.now
		res, err := tx.exec(ctx, `UPDATE project_supervisions SET status = ?, answer = ?, updated_at = ? WHERE id = ? AND status = ?`,
			string(to), x.Answer, tx.now.UnixMilli(), x.ID, string(from))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return chanye.Errorf(chanye.ECONFLICT, "督办事项 %d 已被他人处理 / supervision item %d was changed meanwhile", x.ID, x.ID)
		}
		if err := supEvent(ctx, tx, x.ID, string(action), from, to, by, note); err != nil {
			return err
		}
		if err := tx.notifySupervision(ctx, x, string(action)); err != nil {
			return err
		}
		if err := tx.audit(ctx, string(action), "project_supervision", itoa(x.ID), before, auditSupervision(x)); err != nil {
			return err
		}
		out, err = findSupervision(ctx, tx, x.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindSupervisionByID returns an item with its history. ENOTFOUND.
func (s *Store) FindSupervisionByID(ctx context.Context, id int64) (*project.Supervision, error) {
	var out *project.Supervision
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findSupervision(ctx, tx, id)
		return err
	})
	return out, err
}

// FindSupervisions returns a page of items with their histories, open
// before closed, overdue first, then by due date, and the total. EINVALID.
func (s *Store) FindSupervisions(ctx context.Context, f project.SupervisionFilter) ([]*project.Supervision, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	if f.Status != nil && !f.Status.Valid() {
		return nil, 0, chanye.Invalid("筛选条件有误 / invalid filter", map[string]string{"status": "未知状态 / unknown status"})
	}
	var w where
	if f.ProjectID != nil {
		w.add("s.project_id = ?", strings.TrimSpace(*f.ProjectID))
	}
	if f.Status != nil {
		w.add("s.status = ?", string(*f.Status))
	}
	if f.Open {
		w.add("s.status <> 'closed'")
	}
	if f.OwnerCode != nil {
		w.add("p.owner_code = ? AND s.addressee = 'owner'", strings.ToUpper(strings.TrimSpace(*f.OwnerCode)))
	}
	if f.IndustryID != nil {
		w.add("p.industry_id = ?", *f.IndustryID)
	}
	if f.Department != nil {
		w.add("("+effectiveDepartment+" = ? OR s.issuer_department = ?)",
			*f.Department, *f.Department)
	}
	today := chanye.DateOf(s.db.Now())
	// The day is the clock's, never the client's: safe to write inline.
	order := fmt.Sprintf(`CASE WHEN s.status = 'closed' THEN 2 WHEN s.status IN ('issued', 'returned') AND s.due_on < '%s' THEN 0 ELSE 1 END,
		s.due_on, s.id`, today)
	var (
		out   []*project.Supervision
		total int
	)
	err = s.db.transact(ctx, true, func(tx *txn) (err error) {
		if out, total, err = findPage(ctx, tx, supervisionColumns, supervisionFrom, w, order, limit, f.Offset, scanSupervision); err != nil {
			return err
		}
		return supEvents(ctx, tx, out...)
	})
	if err != nil {
		return nil, 0, err
	}
	if out == nil {
		out = []*project.Supervision{}
	}
	overdue(today, out...)
	return out, total, nil
}

// notifySupervision tells who must act on a supervision item after a step:
// the addressee when it is issued or sent back (the owner enterprise, or
// the task force of the project's industry), the issuer when it is
// answered (its department, or the leaders or administrators). Closing
// tells the addressee it is done.
func (tx *txn) notifySupervision(ctx context.Context, x *project.Supervision, step string) error {
	addressee := notify.Enterprise(x.OwnerCode)
	if x.Addressee == project.ToTaskForce {
		addressee = notify.TaskForce(x.IndustryID)
	}
	issuer := notify.Scope{Role: x.IssuerRole}
	if x.IssuerRole == chanye.RoleDepartment {
		issuer = notify.Department(x.IssuerDepartment)
	}
	name := x.ProjectName + "（" + x.ProjectID + "）"
	m := notify.Message{Kind: notify.Supervision, Subject: fmt.Sprintf("supervision/%d/%s/%d", x.ID, step, len(x.Events)),
		Link: "/projects/" + url.PathEscape(x.ProjectID), BodyZH: x.Instruction, BodyEN: x.Instruction}
	to := addressee
	switch step {
	case "issue":
		m.TitleZH, m.TitleEN = "收到督办："+name+"，限 "+x.DueOn.String()+" 前答复", "Supervision received: "+name+", answer by "+x.DueOn.String()
	case string(project.SupReturn):
		m.TitleZH, m.TitleEN = "督办答复被退回："+name, "Supervision answer sent back: "+name
	case string(project.SupAnswer):
		m.TitleZH, m.TitleEN, m.BodyZH, m.BodyEN = "督办已答复："+name, "Supervision answered: "+name, x.Answer, x.Answer
		to = issuer
	case string(project.SupClose):
		m.TitleZH, m.TitleEN = "督办已办结："+name, "Supervision closed: "+name
	default:
		return nil
	}
	m.TitleZH, m.TitleEN = truncRunes(m.TitleZH, 200), truncRunes(m.TitleEN, 200)
	m.BodyZH, m.BodyEN = truncRunes(m.BodyZH, 2000), truncRunes(m.BodyEN, 2000)
	return tx.notify(ctx, m, to)
}

// truncRunes cuts s to at most n characters.
func truncRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
