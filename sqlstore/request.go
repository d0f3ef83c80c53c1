package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/uscc"
	"github.com/chanye-org/chanye/workday"
)

// Enterprise requests (诉求): the routing table (request_categories), the
// requests with their co-handlers and history. Intake, every step and each
// escalation is one transaction with its events, notifications and audit
// entry: a request is never lost between intake and routing.

var _ request.Service = (*Store)(nil)

const categoryColumns = `id, name_zh, name_en, department, ack_n, ack_unit, answer_n, answer_unit, close_n, close_unit,
	yellow_per_mille, confirm_days, position`

func scanCategory(row interface{ Scan(...any) error }) (*request.Category, error) {
	var c request.Category
	err := row.Scan(&c.ID, &c.NameZH, &c.NameEN, &c.Department, &c.Acknowledge.N, &c.Acknowledge.Unit, &c.Answer.N, &c.Answer.Unit,
		&c.Close.N, &c.Close.Unit, &c.YellowPerMille, &c.ConfirmDays, &c.Position)
	return &c, err
}

func findCategory(ctx context.Context, tx *txn, id string) (*request.Category, error) {
	c, err := scanCategory(tx.queryRow(ctx, `SELECT `+categoryColumns+` FROM request_categories WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Invalid("诉求有误 / invalid request", map[string]string{"category_id": fmt.Sprintf("类别 %q 不存在 / no category %q", id, id)})
	}
	return c, err
}

// FindCategories returns the categories in order.
func (s *Store) FindCategories(ctx context.Context) ([]*request.Category, error) {
	var out []*request.Category
	err := s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, `SELECT `+categoryColumns+` FROM request_categories ORDER BY position, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCategory(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// PutCategory creates or changes a category, its department an active
// name of the departments' list (or ""). EINVALID.
func (s *Store) PutCategory(ctx context.Context, c *request.Category) error {
	if _, err := actor(ctx); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findCategory(ctx, tx, c.ID)
		var before any
		oldDept := ""
		switch {
		case err == nil:
			before, oldDept = old, old.Department
		case chanye.ErrorCode(err) != chanye.EINVALID:
			return err
		}
		if err := checkChoices(ctx, tx, "诉求类别有误", "invalid request category", map[string]choice{"department": {chanye.OrgDepartment, oldDept, c.Department}}); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM request_categories WHERE id = ? AND NOT EXISTS (SELECT 1 FROM requests WHERE category_id = ?)`, c.ID, c.ID); err != nil {
			return err
		}
		args := []any{c.NameZH, c.NameEN, c.Department, c.Acknowledge.N, string(c.Acknowledge.Unit), c.Answer.N, string(c.Answer.Unit),
			c.Close.N, string(c.Close.Unit), c.YellowPerMille, c.ConfirmDays, c.Position}
		res, err := tx.exec(ctx, `UPDATE request_categories SET name_zh = ?, name_en = ?, department = ?, ack_n = ?, ack_unit = ?, answer_n = ?, answer_unit = ?,
			close_n = ?, close_unit = ?, yellow_per_mille = ?, confirm_days = ?, position = ? WHERE id = ?`, append(args, c.ID)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if _, err := tx.exec(ctx, `INSERT INTO request_categories (name_zh, name_en, department, ack_n, ack_unit, answer_n, answer_unit,
				close_n, close_unit, yellow_per_mille, confirm_days, position, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, c.ID)...); err != nil {
				return err
			}
		}
		return tx.audit(ctx, "put", "request_category", c.ID, before, c)
	})
}

const requestColumns = `r.id, r.code, COALESCE(e.name, ''), r.industry_id, r.category_id, r.title, r.description, r.channel, r.external_source,
	r.external_ref, r.status, r.department, r.task_force, r.escalation, r.reopened, r.answer, r.rating, r.yellow_per_mille,
	r.received_at, r.clock_start, r.acknowledge_due, r.answer_due, r.close_due, r.acknowledged_at, r.answered_at, r.confirm_due,
	r.closed_at, r.closed_by, r.created_by`

const requestFrom = ` FROM requests r LEFT JOIN enterprises e ON e.code = r.code LEFT JOIN industries i ON i.id = r.industry_id`

// runningDue is the due instant of a request's running clock, in SQL.
const runningDue = `(CASE r.status WHEN 'submitted' THEN r.acknowledge_due WHEN 'acknowledged' THEN r.answer_due WHEN 'answered' THEN r.close_due ELSE 0 END)`

func scanRequest(row interface{ Scan(...any) error }) (*request.Request, error) {
	var (
		r                                          request.Request
		received, start, ack, ans, cl, acked, ansd int64
		confirm, closed                            int64
	)
	if err := row.Scan(&r.ID, &r.Code, &r.EnterpriseName, &r.IndustryID, &r.CategoryID, &r.Title, &r.Description, &r.Channel, &r.ExternalSource,
		&r.ExternalRef, &r.Status, &r.Department, &r.TaskForce, &r.Escalation, &r.Reopened, &r.Answer, &r.Rating, &r.YellowPerMille,
		&received, &start, &ack, &ans, &cl, &acked, &ansd, &confirm, &closed, &r.ClosedBy, &r.CreatedBy); err != nil {
		return nil, err
	}
	at := fromMs
	r.ReceivedAt, r.ClockStart, r.AcknowledgeDue, r.AnswerDue, r.CloseDue = at(received), at(start), at(ack), at(ans), at(cl)
	r.AcknowledgedAt, r.AnsweredAt, r.ConfirmDue, r.ClosedAt = at(acked), at(ansd), at(confirm), at(closed)
	return &r, nil
}

// requestDetails reads the co-handlers and histories of rs in two queries and
// sets their clocks as of now.
func requestDetails(ctx context.Context, tx *txn, now time.Time, history bool, rs ...*request.Request) error {
	if len(rs) == 0 {
		return nil
	}
	by := map[int64]*request.Request{}
	args := make([]any, len(rs))
	for i, r := range rs {
		by[r.ID], args[i] = r, r.ID
		r.Clock = r.ClockAt(now)
	}
	in := `(` + strings.TrimSuffix(strings.Repeat("?,", len(rs)), ",") + `)`
	rows, err := tx.query(ctx, `SELECT request_id, department FROM request_handlers WHERE request_id IN `+in+` ORDER BY request_id, department`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var d string
		if err := rows.Scan(&id, &d); err != nil {
			rows.Close()
			return err
		}
		by[id].CoHandlers = append(by[id].CoHandlers, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || !history {
		return err
	}
	// By id within each request: one firm's rows, on one shard on Citus.
	rows, err = tx.query(ctx, `SELECT request_id, id, action, from_status, to_status, actor, at, note, department FROM request_events
		WHERE request_id IN `+in+` ORDER BY request_id, id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e  request.Event
			id int64
			at int64
		)
		if err := rows.Scan(&id, &e.ID, &e.Action, &e.From, &e.To, &e.By, &at, &e.Note, &e.Department); err != nil {
			return err
		}
		e.At = time.UnixMilli(at).UTC()
		by[id].Events = append(by[id].Events, &e)
	}
	return rows.Err()
}

func findRequest(ctx context.Context, tx *txn, id int64) (*request.Request, error) {
	r, err := scanRequest(tx.queryRow(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "诉求 %d 不存在 / no request %d", id, id)
	} else if err != nil {
		return nil, err
	}
	return r, requestDetails(ctx, tx, tx.now, true, r)
}

// requestEvents appends evs to the history of the request id of the firm
// code.
func (tx *txn) requestEvents(ctx context.Context, code string, id int64, evs []*request.Event) error {
	for _, e := range evs {
		if _, err := tx.exec(ctx, `INSERT INTO request_events (code, request_id, action, from_status, to_status, actor, at, note, department)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, code, id, e.Action, string(e.From), string(e.To), e.By, ms(e.At), e.Note, e.Department); err != nil {
			return err
		}
	}
	return nil
}

// auditRequest is what the audit log records of a request: its state.
func auditRequest(r *request.Request) map[string]any {
	return map[string]any{"id": r.ID, "code": r.Code, "category_id": r.CategoryID, "status": r.Status, "department": r.Department,
		"co_handlers": r.CoHandlers, "escalation": r.Escalation, "reopened": r.Reopened, "rating": r.Rating, "title": r.Title}
}

// handlerScope is whom a request's routing tells: its department, or the
// administrators while it is not routed.
func handlerScope(dept string) notify.Scope {
	if dept == "" {
		return notify.Admins
	}
	return notify.Department(dept)
}

// CreateRequest takes a request in, routed and on the clock, in one
// transaction. A request from another platform already taken in (the
// same source and reference) is returned as stored, with false.
func (s *Store) CreateRequest(ctx context.Context, in *request.Request) (*request.Request, bool, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, false, err
	}
	var (
		out     *request.Request
		created bool
	)
	err = s.db.transact(ctx, false, func(tx *txn) (err error) {
		out, created, err = createRequest(ctx, tx, in, by)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, created, nil
}

// ImportRequests takes in a file's requests from another platform, all or
// nothing: every row's problems are named (rows[N].field); rows whose
// reference was taken in before are counted as existing, not taken again.
func (s *Store) ImportRequests(ctx context.Context, rows []*request.Request) (created, existing int, err error) {
	by, err := actor(ctx)
	if err != nil {
		return 0, 0, err
	}
	if len(rows) == 0 || len(rows) > request.MaxRequestRows {
		return 0, 0, chanye.Invalid("诉求文件有误 / invalid requests file", map[string]string{"rows": fmt.Sprintf("须有 1–%d 行 / 1–%d rows", request.MaxRequestRows, request.MaxRequestRows)})
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		bad := map[string]string{}
		seen := map[string]int{}
		for i, in := range rows {
			prefix := fmt.Sprintf("rows[%d].", i)
			if in.Channel != request.ChannelPlatform {
				bad[prefix+"channel"] = "导入的诉求须来自其他平台 / imported requests come from another platform"
				continue
			}
			key := in.ExternalSource + "\x00" + in.ExternalRef
			if j, dup := seen[key]; dup {
				bad[prefix+"external_ref"] = fmt.Sprintf("与第 %d 行重复 / the same as row %d", j+1, j+1)
				continue
			}
			seen[key] = i
			_, isNew, err := createRequest(ctx, tx, in, by)
			switch {
			case chanye.ErrorCode(err) == chanye.EINVALID:
				for k, v := range chanye.ErrorFields(err) {
					bad[prefix+k] = v
				}
			case err != nil:
				return err
			case isNew:
				created++
			default:
				existing++
			}
		}
		return chanye.Invalid("诉求文件有误，未导入 / invalid requests file: nothing imported", bad)
	})
	if err != nil {
		return 0, 0, err
	}
	return created, existing, nil
}

// createRequest is CreateRequest's work in tx.
func createRequest(ctx context.Context, tx *txn, in *request.Request, by string) (*request.Request, bool, error) {
	r := *in
	r.Code = uscc.Normalize(r.Code)
	if err := r.Validate(); err != nil {
		return nil, false, err
	}
	var (
		out   *request.Request
		isNew bool
	)
	err := func() error {
		if r.ExternalRef != "" {
			var id int64
			err := tx.queryRow(ctx, `SELECT id FROM requests WHERE external_source = ? AND external_ref = ?`, r.ExternalSource, r.ExternalRef).Scan(&id)
			if err == nil {
				out, err = findRequest(ctx, tx, id)
				return err
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		e, err := findEnterprise(ctx, tx, r.Code)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return chanye.Invalid("诉求有误 / invalid request", map[string]string{"code": fmt.Sprintf("企业 %s 不在名录中 / no enterprise %s in the registry", r.Code, r.Code)})
		} else if err != nil {
			return err
		}
		c, err := findCategory(ctx, tx, r.CategoryID)
		if err != nil {
			return err
		}
		cal, err := calendarIn(ctx, tx)
		if err != nil {
			return err
		}
		var ind *chanye.Industry
		r.IndustryID, r.TaskForce = "", ""
		if len(e.Industries) > 0 {
			if ind, err = findIndustry(ctx, tx, e.Industries[0]); err != nil {
				return err
			}
			r.IndustryID, r.TaskForce = ind.ID, ind.Responsibility.TaskForce
		}
		r.Department = request.Route(c, ind)
		r.Status, r.Escalation, r.Reopened, r.Answer, r.Rating, r.ClosedBy = request.Submitted, 0, 0, "", "", ""
		r.ReceivedAt, r.CreatedBy = tx.now, by
		r.Start(c, cal, tx.now)
		r.AcknowledgedAt, r.AnsweredAt, r.ConfirmDue, r.ClosedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if err := tx.queryRow(ctx, `INSERT INTO requests (code, industry_id, category_id, title, description, channel, external_source, external_ref,
			status, department, task_force, escalation, reopened, answer, rating, yellow_per_mille, received_at, clock_start, acknowledge_due,
			answer_due, close_due, acknowledged_at, answered_at, confirm_due, closed_at, closed_by, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '', '', ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, '', ?) RETURNING id`,
			r.Code, r.IndustryID, r.CategoryID, r.Title, r.Description, string(r.Channel), r.ExternalSource, r.ExternalRef,
			string(r.Status), r.Department, r.TaskForce, r.YellowPerMille, ms(r.ReceivedAt), ms(r.ClockStart), ms(r.AcknowledgeDue),
			ms(r.AnswerDue), ms(r.CloseDue), r.CreatedBy).Scan(&r.ID); err != nil {
			return err
		}
		note := string(r.Channel)
		if r.ExternalRef != "" {
			note += " " + r.ExternalSource + "/" + r.ExternalRef
		}
		route := "由类别 " + c.ID + " 指定 / by the category"
		if c.Department == "" {
			route = "按产业 " + r.IndustryID + " 的牵头部门 / by the industry's lead department"
		}
		if r.Department == "" {
			route = "未能按责任分派，待管理员分派 / no responsibility to route by: the administrators route it"
		}
		if err := tx.requestEvents(ctx, r.Code, r.ID, []*request.Event{
			{Action: "submit", To: request.Submitted, By: by, At: tx.now, Note: note},
			{Action: "route", From: request.Submitted, To: request.Submitted, By: by, At: tx.now, Note: route, Department: r.Department},
		}); err != nil {
			return err
		}
		if err := tx.notifyRequest(ctx, &r, "submit", handlerScope(r.Department)); err != nil {
			return err
		}
		if err := tx.audit(ctx, "create", "request", itoa(r.ID), nil, auditRequest(&r)); err != nil {
			return err
		}
		isNew = true
		out, err = findRequest(ctx, tx, r.ID)
		return err
	}()
	if err != nil {
		return nil, false, err
	}
	return out, isNew, nil
}

// FindRequestByID returns a request with its clock and history.
func (s *Store) FindRequestByID(ctx context.Context, id int64) (*request.Request, error) {
	var out *request.Request
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findRequest(ctx, tx, id)
		return err
	})
	return out, err
}

// FindRequests returns a page of requests, overdue first, then by the
// running clock's due instant, closed last, with their clocks and
// co-handlers (not their histories), and the total. EINVALID.
func (s *Store) FindRequests(ctx context.Context, f request.Filter) ([]*request.Request, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	if f.Status != nil && !f.Status.Valid() {
		return nil, 0, chanye.Invalid("筛选条件有误 / invalid filter", map[string]string{"status": "未知状态 / unknown status"})
	}
	now := s.db.Now()
	var w where
	if f.Code != nil {
		w.add("r.code = ?", uscc.Normalize(*f.Code))
	}
	if f.Department != nil {
		d := *f.Department
		// Three indexed reads rather than one OR over every row: those it
		// leads, co-handles, and those of the industries it leads.
		w.add(`r.id IN (SELECT id FROM requests WHERE department = ?
			UNION SELECT request_id FROM request_handlers WHERE department = ?
			UNION SELECT x.id FROM requests x JOIN industries xi ON xi.id = x.industry_id WHERE xi.lead_department = ?)`, d, d, d)
	}
	if f.IndustryID != nil {
		w.add("r.industry_id = ?", *f.IndustryID)
	}
	if f.CategoryID != nil {
		w.add("r.category_id = ?", *f.CategoryID)
	}
	if f.Status != nil {
		w.add("r.status = ?", string(*f.Status))
	}
	if f.Open || f.Overdue {
		w.add("r.status <> 'closed'")
	}
	if f.Overdue {
		w.add(runningDue+" < ?", now.UnixMilli())
	}
	// The instant is the clock's, never the client's: safe to write inline.
	// Ties by time, then code and id: ids are ordered within one firm's
	// rows only (one shard on Citus), not across firms.
	order := fmt.Sprintf(`CASE WHEN r.status = 'closed' THEN 2 WHEN %s < %d THEN 0 ELSE 1 END, %s, r.received_at, r.code, r.id`, runningDue, now.UnixMilli(), runningDue)
	var (
		out   []*request.Request
		total int
	)
	err = s.db.transact(ctx, true, func(tx *txn) (err error) {
		if out, total, err = findPage(ctx, tx, requestColumns, requestFrom, w, order, limit, f.Offset, scanRequest); err != nil {
			return err
		}
		return requestDetails(ctx, tx, now, false, out...)
	})
	if out == nil {
		out = []*request.Request{}
	}
	return out, total, err
}

// Act takes a step on a request (request.Request.Apply). A department a
// step names must be an active name of the departments' list.
func (s *Store) Act(ctx context.Context, id int64, st request.Step) (*request.Request, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *request.Request
	err = s.db.transact(ctx, false, func(tx *txn) error {
		r, err := findRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		c, err := findCategory(ctx, tx, r.CategoryID)
		if err != nil {
			return err
		}
		cal, err := calendarIn(ctx, tx)
		if err != nil {
			return err
		}
		names := map[string]choice{}
		if st.Action == request.StepReroute {
			names["department"] = choice{chanye.OrgDepartment, "", strings.TrimSpace(st.Department)}
		}
		for i, d := range st.Departments {
			if !slices.Contains(r.CoHandlers, strings.TrimSpace(d)) {
				names[fmt.Sprintf("departments[%d]", i)] = choice{chanye.OrgDepartment, "", strings.TrimSpace(d)}
			}
		}
		if err := checkChoices(ctx, tx, "诉求办理有误", "invalid step", names); err != nil {
			return err
		}
		before := auditRequest(r)
		from, oldDept := r.Status, r.Department
		evs, err := r.Apply(st, c, cal, tx.now, by)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE requests SET status = ?, department = ?, reopened = ?, answer = ?, rating = ?, clock_start = ?,
			acknowledge_due = ?, answer_due = ?, close_due = ?, acknowledged_at = ?, answered_at = ?, confirm_due = ?, closed_at = ?, closed_by = ?
			WHERE id = ? AND status = ?`,
			string(r.Status), r.Department, r.Reopened, r.Answer, string(r.Rating), ms(r.ClockStart), ms(r.AcknowledgeDue), ms(r.AnswerDue),
			ms(r.CloseDue), ms(r.AcknowledgedAt), ms(r.AnsweredAt), ms(r.ConfirmDue), ms(r.ClosedAt), r.ClosedBy, r.ID, string(from))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return chanye.Errorf(chanye.ECONFLICT, "诉求 %d 已被他人处理 / request %d was changed meanwhile", r.ID, r.ID)
		}
		if st.Action == request.StepCoHandle || st.Action == request.StepReroute {
			if _, err := tx.exec(ctx, `DELETE FROM request_handlers WHERE code = ? AND request_id = ?`, r.Code, r.ID); err != nil {
				return err
			}
			for _, d := range r.CoHandlers {
				if _, err := tx.exec(ctx, `INSERT INTO request_handlers (code, request_id, department) VALUES (?, ?, ?)`, r.Code, r.ID, d); err != nil {
					return err
				}
			}
		}
		if err := tx.requestEvents(ctx, r.Code, r.ID, evs); err != nil {
			return err
		}
		var to []notify.Scope
		switch st.Action {
		case request.StepAcknowledge, request.StepAnswer, request.StepCallback:
			to = []notify.Scope{notify.Enterprise(r.Code)}
		case request.StepConfirm:
			to = []notify.Scope{handlerScope(r.Department)}
		case request.StepReroute:
			to = []notify.Scope{handlerScope(r.Department), handlerScope(oldDept)}
		case request.StepCoHandle:
			for _, d := range r.CoHandlers {
				to = append(to, notify.Department(d))
			}
		}
		action := st.Action
		if len(evs) > 1 {
			action = evs[len(evs)-1].Action // reopen
		}
		if err := tx.notifyRequest(ctx, r, action, to...); err != nil {
			return err
		}
		if err := tx.audit(ctx, st.Action, "request", itoa(r.ID), before, auditRequest(r)); err != nil {
			return err
		}
		out, err = findRequest(ctx, tx, r.ID)
		return err
	})
	return out, err
}

// Escalate raises the open requests whose running clock calls for a
// higher level: to the lead department of the request's industry (1),
// then its city leader (2), each step an event, a notification and an
// audit entry.
func (s *Store) Escalate(ctx context.Context) (int, error) {
	by, err := actor(ctx)
	if err != nil {
		return 0, err
	}
	raised := 0
	err = s.db.transact(ctx, false, func(tx *txn) error {
		rows, err := tx.query(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.status <> 'closed' AND r.escalation < ? AND `+runningDue+` < ?
			ORDER BY r.received_at, r.code, r.id`,
			request.MaxEscalation, tx.now.UnixMilli())
		if err != nil {
			return err
		}
		var rs []*request.Request
		for rows.Next() {
			r, err := scanRequest(rows)
			if err != nil {
				rows.Close()
				return err
			}
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range rs {
			level := r.EscalationAt(tx.now)
			if level <= r.Escalation {
				continue
			}
			var ind *chanye.Industry
			if r.IndustryID != "" {
				if ind, err = findIndustry(ctx, tx, r.IndustryID); err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
					return err
				}
			}
			to, whom := notify.Admins, ""
			switch {
			case level == 1 && ind != nil && ind.Responsibility.LeadDepartment != "":
				whom = ind.Responsibility.LeadDepartment
				to = notify.Department(whom)
			case level == 2:
				to = notify.Leaders
				if ind != nil {
					whom = ind.Responsibility.CityLeader
				}
			}
			before := auditRequest(r)
			if _, err := tx.exec(ctx, `UPDATE requests SET escalation = ? WHERE id = ? AND escalation = ?`, level, r.ID, r.Escalation); err != nil {
				return err
			}
			note := fmt.Sprintf("%s 时限已过，升级至第 %d 级 / the clock ran out: raised to level %d", r.ClockAt(tx.now).Stage, level, level)
			if err := tx.requestEvents(ctx, r.Code, r.ID, []*request.Event{{Action: "escalate", From: r.Status, To: r.Status, By: by, At: tx.now, Note: note, Department: whom}}); err != nil {
				return err
			}
			r.Escalation = level
			if err := tx.notifyRequest(ctx, r, "escalate"+strconv.Itoa(level), to); err != nil {
				return err
			}
			if err := tx.audit(ctx, "escalate", "request", itoa(r.ID), before, auditRequest(r)); err != nil {
				return err
			}
			raised++
		}
		return nil
	})
	return raised, err
}

// notifyRequest tells scopes of a step on r.
func (tx *txn) notifyRequest(ctx context.Context, r *request.Request, step string, to ...notify.Scope) error {
	if len(to) == 0 {
		return nil
	}
	name := "诉求 #" + itoa(r.ID) + " " + r.Title
	titles := map[string][2]string{
		"submit":      {"新诉求待签收：", "New request to acknowledge: "},
		"acknowledge": {"诉求已签收：", "Request acknowledged: "},
		"answer":      {"诉求已答复，请确认并评价：", "Request answered; please confirm and rate: "},
		"confirm":     {"企业已确认办结：", "The enterprise confirmed: "},
		"reopen":      {"企业不满意，诉求重新办理：", "Unsatisfied: the request is reopened: "},
		"callback":    {"诉求经回访办结：", "Request closed after a callback: "},
		"reroute":     {"诉求改派：", "Request rerouted: "},
		"cohandle":    {"请协办诉求：", "Please co-handle: "},
		"escalate1":   {"诉求超时，升级至产业牵头部门：", "Overdue request raised to the lead department: "},
		"escalate2":   {"诉求严重超时，升级至市领导：", "Overdue request raised to the city leader: "},
	}[step]
	if titles[0] == "" {
		return fmt.Errorf("sqlstore: no notification for request step %q", step)
	}
	body := r.Description
	if step == "answer" || step == "callback" {
		body = r.Answer
	}
	m := notify.Message{Kind: notify.Request, Subject: fmt.Sprintf("request/%d/%s/%d/%d", r.ID, step, len(r.Events), r.Escalation),
		Link: "/requests/" + itoa(r.ID), TitleZH: truncRunes(titles[0]+name, 200), TitleEN: truncRunes(titles[1]+name, 200),
		BodyZH: truncRunes(body, 2000), BodyEN: truncRunes(body, 2000)}
	return tx.notify(ctx, m, to...)
}

// FindStats counts the requests received in the filter's days, grouped,
// in one aggregate query; the means are nil for a group without a
// measurement.
func (s *Store) FindStats(ctx context.Context, f request.StatsFilter) ([]*request.Stat, error) {
	key, ok := map[string]string{
		request.ByCategory:   "r.category_id",
		request.ByDepartment: "r.department",
		request.ByIndustry:   "r.industry_id",
		request.ByLeader:     "COALESCE(i.city_leader, '')",
	}[f.By]
	if !ok {
		return nil, chanye.Invalid("统计口径有误 / invalid grouping", map[string]string{"by": "须为 category、department、industry 或 leader / must be category, department, industry or leader"})
	}
	var w where
	if !f.From.IsZero() {
		w.add("r.received_at >= ?", time.Date(f.From.Year(), f.From.Month(), f.From.Day(), 0, 0, 0, 0, workday.China).UnixMilli())
	}
	if !f.To.IsZero() {
		w.add("r.received_at < ?", time.Date(f.To.Year(), f.To.Month(), f.To.Day()+1, 0, 0, 0, 0, workday.China).UnixMilli())
	}
	now := s.db.Now().UnixMilli()
	join := "" // the industries only for their leaders
	if f.By == request.ByLeader {
		join = " LEFT JOIN industries i ON i.id = r.industry_id"
	}
	q := `SELECT ` + key + `, COUNT(*),
		SUM(CASE WHEN r.status <> 'closed' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.status = 'closed' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.status = 'closed' AND r.closed_at <= r.close_due THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.acknowledged_at > 0 THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.acknowledged_at > 0 AND r.acknowledged_at <= r.acknowledge_due THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.status <> 'closed' AND ` + runningDue + ` < ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.reopened > 0 THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.rating = 'satisfied' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.rating = 'basic' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.rating = 'unsatisfied' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.title LIKE '演示数据%' THEN 1 ELSE 0 END),
		CAST(SUM(CASE WHEN r.acknowledged_at > 0 THEN r.acknowledged_at - r.received_at ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN r.status = 'closed' THEN r.closed_at - r.received_at ELSE 0 END) AS BIGINT)
		FROM requests r` + join + w.String() + `
		GROUP BY ` + key + ` ORDER BY COUNT(*) DESC, ` + key
	var out []*request.Stat
	err := s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, q, append([]any{now}, w.args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				st             request.Stat
				ackMs, closeMs int64
			)
			if err := rows.Scan(&st.Key, &st.Requests, &st.Open, &st.Closed, &st.ClosedOnTime, &st.Acknowledged, &st.AcknowledgedOnTime,
				&st.Overdue, &st.Reopened, &st.Satisfied, &st.Basic, &st.Unsatisfied, &st.Demo, &ackMs, &closeMs); err != nil {
				return err
			}
			if st.Acknowledged > 0 {
				v := ackMs / int64(st.Acknowledged) / 60_000
				st.AckMinutes = &v
			}
			if st.Closed > 0 {
				v := closeMs / int64(st.Closed) / 3_600_000
				st.CloseHours = &v
			}
			out = append(out, &st)
		}
		return rows.Err()
	})
	if out == nil {
		out = []*request.Stat{}
	}
	return out, err
}
