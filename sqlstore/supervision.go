package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/project"
)

// Supervision items (督办) on key projects and on 招商 leads. Both follow
// project.Supervision's steps; each subject keeps its items in tables of
// its own (0021 for projects, 0029 for leads), read through one column
// list, so the code below serves both. Every step writes its row, its
// event, its notification and an audit entry in one transaction.

var _ project.SupervisionService = (*Store)(nil)

// supKind is what differs between the subjects of supervision items: the
// tables, how an item's subject is joined in, the audit entity and how
// the scope fields of a filter read.
type supKind struct {
	items, events string
	columns, from string
	entity        string // the audit log's entity
	subject       string // the subject's column in items
	// scope adds a filter's subject-specific conditions to w, false when
	// the filter selects nothing of this subject.
	scope func(w *where, f project.SupervisionFilter) bool
}

const supCommonColumns = `s.addressee, s.instruction, s.due_on, s.status,
	s.answer, s.issued_by, s.issuer_user_id, s.issuer_role, s.issuer_department, s.issued_at, s.updated_at`

var projectSups = &supKind{
	items: "project_supervisions", events: "project_supervision_events", entity: "project_supervision", subject: "project_id",
	columns: `s.id, s.project_id, p.name, CAST(0 AS BIGINT), '', '', '', p.industry_id, p.owner_code, ` + supCommonColumns,
	from:    ` FROM project_supervisions s JOIN projects p ON p.id = s.project_id LEFT JOIN industries i ON i.id = p.industry_id`,
	scope: func(w *where, f project.SupervisionFilter) bool {
		if f.LeadID != nil || f.District != nil {
			return false
		}
		if f.ProjectID != nil {
			w.add("s.project_id = ?", strings.TrimSpace(*f.ProjectID))
		}
		if f.OwnerCode != nil {
			w.add("p.owner_code = ? AND s.addressee = 'owner'", strings.ToUpper(strings.TrimSpace(*f.OwnerCode)))
		}
		if f.IndustryID != nil {
			w.add("p.industry_id = ?", *f.IndustryID)
		}
		if f.Department != nil {
			w.add("("+effectiveDepartment+" = ? OR s.issuer_department = ?)", *f.Department, *f.Department)
		}
		return true
	},
}

var leadSups = &supKind{
	items: "invest_lead_supervisions", events: "invest_lead_supervision_events", entity: "lead_supervision", subject: "lead_id",
	columns: `s.id, '', '', s.lead_id, t.name, l.owner_kind, l.owner_name, l.industry_id, '', ` + supCommonColumns,
	from: ` FROM invest_lead_supervisions s JOIN invest_leads l ON l.id = s.lead_id JOIN invest_targets t ON t.id = l.target_id
		LEFT JOIN industries i ON i.id = l.industry_id`,
	scope: func(w *where, f project.SupervisionFilter) bool {
		if f.ProjectID != nil || f.OwnerCode != nil {
			return false
		}
		if f.LeadID != nil {
			w.add("s.lead_id = ?", *f.LeadID)
		}
		if f.IndustryID != nil {
			w.add("l.industry_id = ?", *f.IndustryID)
		}
		if f.District != nil {
			w.add("l.owner_kind = 'district' AND l.owner_name = ?", *f.District)
		}
		if f.Department != nil {
			d := *f.Department
			w.add("((l.owner_kind = 'department' AND l.owner_name = ?) OR COALESCE(i.lead_department, '') = ? OR s.issuer_department = ?)", d, d, d)
		}
		return true
	},
}

// scanSupervision reads an item; its Overdue is set by the caller, who
// knows the day.
func scanSupervision(row interface{ Scan(...any) error }) (*project.Supervision, error) {
	var (
		x               project.Supervision
		due             sql.NullString
		issued, updated int64
	)
	if err := row.Scan(&x.ID, &x.ProjectID, &x.ProjectName, &x.LeadID, &x.LeadName, &x.LeadOwnerKind, &x.LeadOwnerName, &x.IndustryID, &x.OwnerCode,
		&x.Addressee, &x.Instruction, &due, &x.Status,
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

func (k *supKind) find(ctx context.Context, tx *txn, id int64) (*project.Supervision, error) {
	x, err := scanSupervision(tx.queryRow(ctx, `SELECT `+k.columns+k.from+` WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "督办事项 %d 不存在 / no supervision item %d", id, id)
	} else if err != nil {
		return nil, err
	}
	if err := k.history(ctx, tx, x); err != nil {
		return nil, err
	}
	overdue(chanye.DateOf(tx.now), x)
	return x, nil
}

// history reads the events of xs in one query.
func (k *supKind) history(ctx context.Context, tx *txn, xs ...*project.Supervision) error {
	if len(xs) == 0 {
		return nil
	}
	by := map[int64]*project.Supervision{}
	args := make([]any, len(xs))
	for i, x := range xs {
		by[x.ID], args[i] = x, x.ID
	}
	rows, err := tx.query(ctx, `SELECT supervision_id, id, action, from_status, to_status, actor, at, note FROM `+k.events+`
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

func (k *supKind) event(ctx context.Context, tx *txn, id int64, action string, from, to project.SupStatus, by, note string) error {
	_, err := tx.exec(ctx, `INSERT INTO `+k.events+` (supervision_id, action, from_status, to_status, actor, at, note)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, action, string(from), string(to), by, tx.now.UnixMilli(), note)
	return err
}

// auditSupervision is what the audit log records of an item: its state,
// not its history (each step is an entry of its own).
func auditSupervision(x *project.Supervision) map[string]any {
	m := map[string]any{"id": x.ID, "addressee": x.Addressee, "instruction": x.Instruction,
		"due_on": x.DueOn, "status": x.Status, "answer": x.Answer, "issued_by": x.IssuedBy, "issuer_role": x.IssuerRole,
		"issuer_department": x.IssuerDepartment}
	if x.LeadID != 0 {
		m["lead_id"] = x.LeadID
	} else {
		m["project_id"] = x.ProjectID
	}
	return m
}

// subject fills in the item's subject as stored: the project's name,
// industry and owner, or the lead's target, industry and owner. ENOTFOUND;
// ECONFLICT for a lead already landed or lost.
func (k *supKind) subjectOf(ctx context.Context, tx *txn, x *project.Supervision) error {
	if k == leadSups {
		l, err := findLead(ctx, tx, x.LeadID)
		if err != nil {
			return err
		}
		if l.Stage.Closed() {
			return chanye.Errorf(chanye.ECONFLICT, "线索 %d 已%s，不能督办 / lead %d is %s: nothing to supervise",
				l.ID, l.Stage.NameZH(), l.ID, l.Stage.NameEN())
		}
		x.ProjectID, x.ProjectName, x.OwnerCode = "", "", ""
		x.LeadName, x.IndustryID, x.LeadOwnerKind, x.LeadOwnerName = l.TargetName, l.IndustryID, string(l.OwnerKind), l.OwnerName
		return nil
	}
	p, err := findProject(ctx, tx, x.ProjectID)
	if err != nil {
		return err
	}
	x.LeadID, x.LeadName, x.LeadOwnerKind, x.LeadOwnerName = 0, "", "", ""
	x.ProjectID, x.ProjectName, x.IndustryID, x.OwnerCode = p.ID, p.Name, p.IndustryID, p.OwnerCode
	return nil
}

// create issues an item from the context's actor. ENOTFOUND, EINVALID,
// ECONFLICT.
func (k *supKind) create(ctx context.Context, s *Store, in *project.Supervision) (*project.Supervision, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	a := chanye.ActorFrom(ctx)
	if (k == leadSups) != (in.LeadID != 0) {
		return nil, chanye.Invalid("督办事项有误 / invalid supervision item", map[string]string{k.subject: "必填 / required"})
	}
	var out *project.Supervision
	err = s.db.transact(ctx, false, func(tx *txn) error {
		x := *in
		x.Events = nil
		if err := k.subjectOf(ctx, tx, &x); err != nil {
			return err
		}
		if err := x.Validate(chanye.DateOf(tx.now)); err != nil {
			return err
		}
		x.Status, x.Answer, x.IssuedBy, x.IssuerRole, x.IssuerUserID = project.SupIssued, "", by, a.Role, a.UserID
		x.IssuerDepartment = ""
		if a.Role == chanye.RoleDepartment {
			x.IssuerDepartment = a.Department
		}
		x.IssuedAt, x.UpdatedAt = tx.now, tx.now
		var subject any = x.ProjectID
		if k == leadSups {
			subject = x.LeadID
		}
		if err := tx.queryRow(ctx, `INSERT INTO `+k.items+` (`+k.subject+`, addressee, instruction, due_on, status, answer,
			issued_by, issuer_user_id, issuer_role, issuer_department, issued_at, updated_at)
			VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?) RETURNING id`,
			subject, string(x.Addressee), x.Instruction, dateArg(x.DueOn), string(x.Status), x.IssuedBy, x.IssuerUserID,
			string(x.IssuerRole), x.IssuerDepartment, tx.now.UnixMilli(), tx.now.UnixMilli()).Scan(&x.ID); err != nil {
			return err
		}
		if err := k.event(ctx, tx, x.ID, "issue", "", x.Status, by, x.Instruction); err != nil {
			return err
		}
		if err := tx.notifySupervision(ctx, &x, "issue"); err != nil {
			return err
		}
		if err := tx.audit(ctx, "issue", k.entity, itoa(x.ID), nil, auditSupervision(&x)); err != nil {
			return err
		}
		out, err = k.find(ctx, tx, x.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// move takes a step on an item. ENOTFOUND, EINVALID, ECONFLICT.
func (k *supKind) move(ctx context.Context, s *Store, id int64, action project.SupAction, note string) (*project.Supervision, error) {
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
		x, err := k.find(ctx, tx, id)
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
		res, err := tx.exec(ctx, `UPDATE `+k.items+` SET status = ?, answer = ?, updated_at = ? WHERE id = ? AND status = ?`,
			string(to), x.Answer, tx.now.UnixMilli(), x.ID, string(from))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return chanye.Errorf(chanye.ECONFLICT, "督办事项 %d 已被他人处理 / supervision item %d was changed meanwhile", x.ID, x.ID)
		}
		if err := k.event(ctx, tx, x.ID, string(action), from, to, by, note); err != nil {
			return err
		}
		if err := tx.notifySupervision(ctx, x, string(action)); err != nil {
			return err
		}
		if err := tx.audit(ctx, string(action), k.entity, itoa(x.ID), before, auditSupervision(x)); err != nil {
			return err
		}
		out, err = k.find(ctx, tx, x.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// list returns a page of items with their histories, open before closed,
// overdue first, then by due date, and the total. EINVALID.
func (k *supKind) list(ctx context.Context, s *Store, f project.SupervisionFilter) ([]*project.Supervision, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	if f.Status != nil && !f.Status.Valid() {
		return nil, 0, chanye.Invalid("筛选条件有误 / invalid filter", map[string]string{"status": "未知状态 / unknown status"})
	}
	var w where
	if !k.scope(&w, f) {
		return []*project.Supervision{}, 0, nil
	}
	if f.Status != nil {
		w.add("s.status = ?", string(*f.Status))
	}
	if f.Open {
		w.add("s.status <> 'closed'")
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
		if out, total, err = findPage(ctx, tx, k.columns, k.from, w, order, limit, f.Offset, scanSupervision); err != nil {
			return err
		}
		return k.history(ctx, tx, out...)
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

func (k *supKind) byID(ctx context.Context, s *Store, id int64) (*project.Supervision, error) {
	var out *project.Supervision
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = k.find(ctx, tx, id)
		return err
	})
	return out, err
}

// CreateSupervision issues an item on a key project from the context's
// actor. ENOTFOUND, EINVALID.
func (s *Store) CreateSupervision(ctx context.Context, in *project.Supervision) (*project.Supervision, error) {
	return projectSups.create(ctx, s, in)
}

// MoveSupervision takes a step on a project's item. ENOTFOUND, EINVALID,
// ECONFLICT.
func (s *Store) MoveSupervision(ctx context.Context, id int64, action project.SupAction, note string) (*project.Supervision, error) {
	return projectSups.move(ctx, s, id, action, note)
}

// FindSupervisionByID returns a project's item with its history.
// ENOTFOUND.
func (s *Store) FindSupervisionByID(ctx context.Context, id int64) (*project.Supervision, error) {
	return projectSups.byID(ctx, s, id)
}

// FindSupervisions returns a page of the projects' items (see supKind.list).
func (s *Store) FindSupervisions(ctx context.Context, f project.SupervisionFilter) ([]*project.Supervision, int, error) {
	return projectSups.list(ctx, s, f)
}

// LeadSupervisions is the supervision of 招商 leads: the same service over
// the leads' items (Supervision.LeadID), ids of their own. An item on a
// lead already landed or lost is refused (ECONFLICT).
func (s *Store) LeadSupervisions() project.SupervisionService { return leadSupervisions{s} }

type leadSupervisions struct{ s *Store }

func (l leadSupervisions) CreateSupervision(ctx context.Context, in *project.Supervision) (*project.Supervision, error) {
	return leadSups.create(ctx, l.s, in)
}

func (l leadSupervisions) MoveSupervision(ctx context.Context, id int64, action project.SupAction, note string) (*project.Supervision, error) {
	return leadSups.move(ctx, l.s, id, action, note)
}

func (l leadSupervisions) FindSupervisionByID(ctx context.Context, id int64) (*project.Supervision, error) {
	return leadSups.byID(ctx, l.s, id)
}

func (l leadSupervisions) FindSupervisions(ctx context.Context, f project.SupervisionFilter) ([]*project.Supervision, int, error) {
	return leadSups.list(ctx, l.s, f)
}

// notifySupervision tells who must act on a supervision item after a step:
// the addressee when it is issued or sent back (the owner enterprise, the
// task force of the project's industry, or a lead's owner), the issuer
// when it is answered (its department, or the leaders or administrators).
// Closing tells the addressee it is done.
func (tx *txn) notifySupervision(ctx context.Context, x *project.Supervision, step string) error {
	addressee := notify.Enterprise(x.OwnerCode)
	name, link := x.ProjectName+"（"+x.ProjectID+"）", "/projects/"+url.PathEscape(x.ProjectID)
	subject := fmt.Sprintf("supervision/%d/%s/%d", x.ID, step, len(x.Events))
	switch x.Addressee {
	case project.ToTaskForce:
		addressee = notify.TaskForce(x.IndustryID)
	case project.ToLeadOwner:
		switch invest.OwnerKind(x.LeadOwnerKind) {
		case invest.OwnerDepartment:
			addressee = notify.Department(x.LeadOwnerName)
		case invest.OwnerDistrict:
			addressee = notify.District(x.LeadOwnerName)
		default: // a task force: its industry's accounts
			addressee = notify.TaskForce(x.IndustryID)
		}
		id := strconv.FormatInt(x.LeadID, 10)
		name, link = "招商线索 #"+id+" "+x.LeadName, "/leads/"+id+"#supervision"
		subject = "lead-" + subject
	}
	issuer := notify.Scope{Role: x.IssuerRole}
	if x.IssuerRole == chanye.RoleDepartment {
		issuer = notify.Department(x.IssuerDepartment)
	}
	m := notify.Message{Kind: notify.Supervision, Subject: subject, Link: link, BodyZH: x.Instruction, BodyEN: x.Instruction}
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
