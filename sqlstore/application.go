package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// 快申快享 applications (policy.ApplicationService) and the declared inputs
// they and key projects give (policy.InputService). Every change writes an
// event of the application's timeline and an audit entry in its
// transaction.

var (
	_ policy.ApplicationService = (*Store)(nil)
	_ policy.InputService       = (*Store)(nil)
)

const applicationColumns = `a.id, a.policy_id, a.version, a.department, a.code, e.name, a.status, a.review_days, a.submitted_on, a.due_on,
	a.reason, a.created_at, a.created_by, a.updated_at`

const applicationFrom = ` FROM policy_applications a JOIN enterprises e ON e.code = a.code`

func scanApplication(row interface{ Scan(...any) error }) (*policy.Application, error) {
	var (
		a                policy.Application
		submitted, due   sql.NullString
		created, updated int64
		status           string
	)
	if err := row.Scan(&a.ID, &a.PolicyID, &a.Version, &a.Department, &a.Code, &a.Name, &status, &a.ReviewDays, &submitted, &due,
		&a.Reason, &created, &a.CreatedBy, &updated); err != nil {
		return nil, err
	}
	a.Status = policy.AppStatus(status)
	a.SubmittedOn, _ = chanye.ParseDate(submitted.String)
	a.DueOn, _ = chanye.ParseDate(due.String)
	a.CreatedAt = fromMillis(sql.NullInt64{Int64: created, Valid: true})
	a.UpdatedAt = fromMillis(sql.NullInt64{Int64: updated, Valid: true})
	return &a, nil
}

// findApplication reads an application with its values (typed by the
// policy version's inputs). ENOTFOUND.
func findApplication(ctx context.Context, tx *txn, id int64) (*policy.Application, *policy.Policy, error) {
	a, err := scanApplication(tx.queryRow(ctx, `SELECT `+applicationColumns+applicationFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, chanye.Errorf(chanye.ENOTFOUND, "申报 %d 不存在 / no application %d", id, id)
	} else if err != nil {
		return nil, nil, err
	}
	v, err := findVersion(ctx, tx, a.PolicyID, a.Version)
	if err != nil {
		return nil, nil, err
	}
	if a.Values, err = appValues(ctx, tx, v.Policy, a); err != nil {
		return nil, nil, err
	}
	return a, v.Policy, nil
}

// appValues reads an application's values, typed by p's inputs.
func appValues(ctx context.Context, tx *txn, p *policy.Policy, a *policy.Application) (map[string]any, error) {
	rows, err := tx.query(ctx, `SELECT name, value FROM policy_application_values WHERE code = ? AND application_id = ?`, a.Code, a.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]any{}
	for rows.Next() {
		var n, s string
		if err := rows.Scan(&n, &s); err != nil {
			return nil, err
		}
		in := p.Input(n)
		if in == nil {
			continue // an input the version does not declare: not read
		}
		v, err := policy.DecodeInput(in.Type, s)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: application %d value %s: %w", a.ID, n, err)
		}
		out[n] = v
	}
	return out, rows.Err()
}

// appEvent appends one transition to a's timeline.
func appEvent(ctx context.Context, tx *txn, a *policy.Application, from, to policy.AppStatus, action, by, note string) error {
	_, err := appEventID(ctx, tx, a, from, to, action, by, note)
	return err
}

// appEventID is appEvent, returning the event's id.
func appEventID(ctx context.Context, tx *txn, a *policy.Application, from, to policy.AppStatus, action, by, note string) (int64, error) {
	var eid int64
	err := tx.queryRow(ctx, `INSERT INTO policy_application_events (code, application_id, from_status, to_status, action, actor, at, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.Code, a.ID, string(from), string(to), action, by, tx.now.UnixMilli(), note).Scan(&eid)
	return eid, err
}

// writeValues replaces a's values with a.Values.
func writeValues(ctx context.Context, tx *txn, a *policy.Application) error {
	if _, err := tx.exec(ctx, `DELETE FROM policy_application_values WHERE code = ? AND application_id = ?`, a.Code, a.ID); err != nil {
		return err
	}
	names := make([]string, 0, len(a.Values))
	for n := range a.Values {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := tx.exec(ctx, `INSERT INTO policy_application_values (code, application_id, name, value) VALUES (?, ?, ?, ?)`,
			a.Code, a.ID, n, policy.FormatInput(a.Values[n])); err != nil {
			return err
		}
	}
	return nil
}

// auditApp is what the audit log records of an application: its state and
// values in their stored form.
func auditApp(a *policy.Application) map[string]any {
	vals := map[string]string{}
	for n, v := range a.Values {
		vals[n] = policy.FormatInput(v)
	}
	return map[string]any{"id": a.ID, "policy_id": a.PolicyID, "version": a.Version, "code": a.Code, "status": a.Status,
		"values": vals, "submitted_on": a.SubmittedOn, "due_on": a.DueOn, "reason": a.Reason}
}

// SaveApplication creates a draft or replaces the values of an editable
// application.
func (s *Store) SaveApplication(ctx context.Context, in *policy.Application) (*policy.Application, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *policy.Application
	err = s.db.transact(ctx, false, func(tx *txn) error {
		if in.ID != 0 {
			a, p, err := findApplication(ctx, tx, in.ID)
			if err != nil {
				return err
			}
			if !a.Status.Editable() {
				return chanye.Errorf(chanye.ECONFLICT, "申报 %d 为%s，不能修改 / application %d is %s and cannot be changed", a.ID, a.Status.NameZH(), a.ID, a.Status.NameEN())
			}
			if err := policy.CheckValues(p, in.Values, false); err != nil {
				return err
			}
			before := auditApp(a)
			a.Values = in.Values
			if err := writeValues(ctx, tx, a); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE policy_applications SET updated_at = ? WHERE id = ?`, tx.now.UnixMilli(), a.ID); err != nil {
				return err
			}
			if err := appEvent(ctx, tx, a, a.Status, a.Status, "save", by, ""); err != nil {
				return err
			}
			a.UpdatedAt, out = tx.now, a
			return tx.audit(ctx, "save", "policy_application", itoa(a.ID), before, auditApp(a))
		}
		v, err := findVersion(ctx, tx, in.PolicyID, 0)
		if err != nil {
			return err
		}
		p := v.Policy
		if p.Application == nil || len(p.AppliedInputs()) == 0 {
			return chanye.Invalid(fmt.Sprintf("政策 %s 不接受申报 / policy %s takes no application", p.ID, p.ID), map[string]string{"policy_id": in.PolicyID})
		}
		if err := policy.CheckValues(p, in.Values, false); err != nil {
			return err
		}
		var name string
		if err := tx.queryRow(ctx, `SELECT name FROM enterprises WHERE code = ?`, in.Code).Scan(&name); errors.Is(err, sql.ErrNoRows) {
			return chanye.Errorf(chanye.ENOTFOUND, "企业 %s 不存在 / no enterprise %s", in.Code, in.Code)
		} else if err != nil {
			return err
		}
		a := &policy.Application{PolicyID: p.ID, Version: p.Version, Department: p.Department, Code: in.Code, Name: name,
			Status: policy.AppDraft, Values: in.Values, ReviewDays: p.Application.ReviewDays, CreatedAt: tx.now, CreatedBy: by, UpdatedAt: tx.now}
		// policy_applications_open turns a second open application into ECONFLICT.
		if err := tx.queryRow(ctx, `INSERT INTO policy_applications (policy_id, version, department, code, status, review_days, created_at, created_by, updated_at)
			VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING id`,
			a.PolicyID, a.Version, a.Department, a.Code, a.ReviewDays, tx.now.UnixMilli(), by, tx.now.UnixMilli()).Scan(&a.ID); err != nil {
			if chanye.ErrorCode(err) == chanye.ECONFLICT {
				return chanye.Errorf(chanye.ECONFLICT, "企业 %s 对政策 %s 已有未办结的申报 / enterprise %s already has an open application for policy %s", a.Code, a.PolicyID, a.Code, a.PolicyID)
			}
			return err
		}
		if err := writeValues(ctx, tx, a); err != nil {
			return err
		}
		if err := appEvent(ctx, tx, a, "", policy.AppDraft, "create", by, ""); err != nil {
			return err
		}
		out = a
		return tx.audit(ctx, "create", "policy_application", itoa(a.ID), nil, auditApp(a))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MoveApplication moves an application along its statuses.
func (s *Store) MoveApplication(ctx context.Context, id int64, to policy.AppStatus, note string) (*policy.Application, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if to == policy.AppReturned && note == "" {
		return nil, chanye.Invalid("退回须写明原因 / a return needs a reason", map[string]string{"reason": "必填 / required"})
	}
	var out *policy.Application
	err = s.db.transact(ctx, false, func(tx *txn) error {
		a, p, err := findApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		if !policy.CanMove(a.Status, to) {
			return chanye.Errorf(chanye.ECONFLICT, "申报 %d 为%s，不能改为%s / application %d is %s and cannot become %s",
				a.ID, a.Status.NameZH(), to.NameZH(), a.ID, a.Status.NameEN(), to.NameEN())
		}
		before := auditApp(a)
		from := a.Status
		action := map[policy.AppStatus]string{policy.AppSubmitted: "submit", policy.AppAccepted: "accept", policy.AppReturned: "return", policy.AppWithdrawn: "withdraw"}[to]
		switch to {
		case policy.AppSubmitted:
			if err := policy.CheckValues(p, a.Values, true); err != nil {
				return err
			}
			a.SubmittedOn = chanye.DateOf(tx.now)
			cal, err := calendarIn(ctx, tx) // the review period in working days, holidays skipped
			if err != nil {
				return err
			}
			a.DueOn = cal.AddWorkingDays(a.SubmittedOn, a.ReviewDays)
			a.Reason = ""
		case policy.AppReturned:
			a.Reason = note
		}
		a.Status, a.UpdatedAt = to, tx.now
		res, err := tx.exec(ctx, `UPDATE policy_applications SET status = ?, submitted_on = ?, due_on = ?, reason = ?, updated_at = ?
			WHERE id = ? AND status = ?`, string(to), nullDate(a.SubmittedOn), nullDate(a.DueOn), a.Reason, tx.now.UnixMilli(), a.ID, string(from))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return chanye.Errorf(chanye.ECONFLICT, "申报 %d 已被他人处理 / application %d was changed meanwhile", a.ID, a.ID)
		}
		eid, err := appEventID(ctx, tx, a, from, to, action, by, note)
		if err != nil {
			return err
		}
		if err := notifyApplication(ctx, tx, a, eid); err != nil {
			return err
		}
		out = a
		return tx.audit(ctx, action, "policy_application", itoa(a.ID), before, auditApp(a))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// nullDate is a date column's value: NULL for the zero day.
func nullDate(d chanye.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

const attachmentColumns = `id, application_id, name, content_type, size, sha256, created_at, created_by`

func scanAttachment(row interface{ Scan(...any) error }) (*policy.Attachment, error) {
	var f policy.Attachment
	var at int64
	if err := row.Scan(&f.ID, &f.AppID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &at, &f.CreatedBy); err != nil {
		return nil, err
	}
	f.CreatedAt = fromMillis(sql.NullInt64{Int64: at, Valid: true})
	return &f, nil
}

// AttachFile adds a file to an editable application.
func (s *Store) AttachFile(ctx context.Context, appID int64, name, contentType string, data []byte) (*policy.Attachment, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if err := policy.CheckAttachment(name, contentType, int64(len(data))); err != nil {
		return nil, err
	}
	var out *policy.Attachment
	err = s.db.transact(ctx, false, func(tx *txn) error {
		a, _, err := findApplication(ctx, tx, appID)
		if err != nil {
			return err
		}
		if !a.Status.Editable() {
			return chanye.Errorf(chanye.ECONFLICT, "申报 %d 为%s，不能添加附件 / application %d is %s: no attachment can be added", a.ID, a.Status.NameZH(), a.ID, a.Status.NameEN())
		}
		n, err := count(ctx, tx, `SELECT COUNT(*) FROM policy_application_files WHERE application_id = ?`, appID)
		if err != nil {
			return err
		}
		if n >= policy.MaxAttachments {
			return chanye.Errorf(chanye.ECONFLICT, "每份申报至多 %d 个附件 / at most %d attachments per application", policy.MaxAttachments, policy.MaxAttachments)
		}
		sum := sha256.Sum256(data)
		f := &policy.Attachment{AppID: appID, Name: name, ContentType: contentType, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
			CreatedAt: tx.now, CreatedBy: by}
		if err := tx.queryRow(ctx, `INSERT INTO policy_application_files (code, application_id, name, content_type, size, sha256, data, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.Code, appID, f.Name, f.ContentType, f.Size, f.SHA256, blob(data), tx.now.UnixMilli(), by).Scan(&f.ID); err != nil {
			return err
		}
		if err := appEvent(ctx, tx, a, a.Status, a.Status, "attach", by, f.Name); err != nil {
			return err
		}
		out = f
		return tx.audit(ctx, "attach", "policy_application_file", itoa(f.ID), nil, f)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindAttachment returns an attachment with its bytes.
func (s *Store) FindAttachment(ctx context.Context, appID, fileID int64) (*policy.Attachment, []byte, error) {
	var (
		f    *policy.Attachment
		data []byte
	)
	err := s.db.transact(ctx, true, func(tx *txn) error {
		var err error
		f, err = scanAttachment(tx.queryRow(ctx, `SELECT `+attachmentColumns+` FROM policy_application_files WHERE id = ? AND application_id = ?`, fileID, appID))
		if errors.Is(err, sql.ErrNoRows) {
			return chanye.Errorf(chanye.ENOTFOUND, "附件 %d 不存在 / no attachment %d", fileID, fileID)
		} else if err != nil {
			return err
		}
		return tx.queryRow(ctx, `SELECT data FROM policy_application_files WHERE id = ? AND application_id = ?`, fileID, appID).Scan(&data)
	})
	if err != nil {
		return nil, nil, err
	}
	return f, data, nil
}

// FindApplicationByID returns an application with its files and events.
func (s *Store) FindApplicationByID(ctx context.Context, id int64) (*policy.Application, error) {
	var out *policy.Application
	err := s.db.transact(ctx, true, func(tx *txn) error {
		a, _, err := findApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		// By id: one application's rows are one firm's, on one shard on
		// Citus, where ids follow the order of insertion.
		rows, err := tx.query(ctx, `SELECT `+attachmentColumns+` FROM policy_application_files WHERE application_id = ? ORDER BY id`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			f, err := scanAttachment(rows)
			if err != nil {
				rows.Close()
				return err
			}
			a.Files = append(a.Files, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.query(ctx, `SELECT id, application_id, from_status, to_status, action, actor, at, note
			FROM policy_application_events WHERE application_id = ? ORDER BY id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e policy.AppEvent
			var from, to string
			var at int64
			if err := rows.Scan(&e.ID, &e.AppID, &from, &to, &e.Action, &e.By, &at, &e.Note); err != nil {
				return err
			}
			e.From, e.To = policy.AppStatus(from), policy.AppStatus(to)
			e.At = fromMillis(sql.NullInt64{Int64: at, Valid: true})
			a.Events = append(a.Events, &e)
		}
		out = a
		return rows.Err()
	})
	return out, err
}

// FindApplications returns one page of applications, newest first.
func (s *Store) FindApplications(ctx context.Context, f policy.ApplicationFilter) ([]*policy.Application, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if f.PolicyID != nil {
		w.add(`a.policy_id = ?`, *f.PolicyID)
	}
	if f.Code != nil {
		w.add(`a.code = ?`, *f.Code)
	}
	if f.Department != nil {
		w.add(`a.department = ?`, *f.Department)
	}
	if f.Status != nil {
		w.add(`a.status = ?`, string(*f.Status))
	}
	var out []*policy.Application
	var total int
	err = s.db.transact(ctx, true, func(tx *txn) error {
		// By time, then code and id: ids are ordered within one firm's
		// rows only (one shard on Citus), not across firms.
		out, total, err = findPage(ctx, tx, applicationColumns, applicationFrom, w, `a.created_at DESC, a.code, a.id DESC`, limit, f.Offset, scanApplication)
		if err != nil {
			return err
		}
		pols := map[string]*policy.Policy{}
		for _, a := range out {
			key := fmt.Sprintf("%s/%d", a.PolicyID, a.Version)
			p, ok := pols[key]
			if !ok {
				v, err := findVersion(ctx, tx, a.PolicyID, a.Version)
				if err != nil {
					return err
				}
				p, pols[key] = v.Policy, v.Policy
			}
			if a.Values, err = appValues(ctx, tx, p, a); err != nil {
				return err
			}
		}
		return nil
	})
	if out == nil {
		out = []*policy.Application{}
	}
	return out, total, err
}

// FindInputs returns the declared inputs' values of enterprises: those of
// their key project (the latest finished of the projects that record any
// of the figures, then the latest created), those of the application
// scenarios they won, and those of their latest accepted application per
// policy.
func (s *Store) FindInputs(ctx context.Context, codes ...string) (map[string]*policy.Inputs, error) {
	out := map[string]*policy.Inputs{}
	get := func(code string) *policy.Inputs {
		in, ok := out[code]
		if !ok {
			in = &policy.Inputs{}
			out[code] = in
		}
		return in
	}
	var w where
	w.add(`(equipment_investment_fen IS NOT NULL OR plant_investment_fen IS NOT NULL OR finished_on IS NOT NULL)`)
	var aw where
	aw.add(`a.status = 'accepted'`)
	if len(codes) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(codes)), ", ")
		args := make([]any, len(codes))
		for i, c := range codes {
			args[i] = c
		}
		w.add(`owner_code IN (`+ph+`)`, args...)
		aw.add(`a.code IN (`+ph+`)`, args...)
	}
	err := s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, `SELECT owner_code, equipment_investment_fen, plant_investment_fen, finished_on FROM projects`+w.String()+
			` ORDER BY owner_code, finished_on IS NULL, finished_on DESC, created_at DESC, id DESC`, w.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var code string
			var eq, pl sql.NullInt64
			var fin sql.NullString
			if err := rows.Scan(&code, &eq, &pl, &fin); err != nil {
				rows.Close()
				return err
			}
			in := get(code)
			if in.Project != nil {
				continue // an earlier row is the project read
			}
			in.Project = map[string]any{}
			if eq.Valid {
				in.Project["equipment_investment"] = eq.Int64
			}
			if pl.Valid {
				in.Project["plant_investment"] = pl.Int64
			}
			if d, err := chanye.ParseDate(fin.String); fin.Valid && err == nil {
				in.Project["finished_on"] = d
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := scenarioInputs(ctx, tx, codes, get); err != nil {
			return err
		}
		// a.id DESC within one firm's applications of a policy: the latest first.
		rows, err = tx.query(ctx, `SELECT a.id, a.code, a.policy_id, a.version, v.name, v.value FROM policy_applications a
			JOIN policy_application_values v ON v.code = a.code AND v.application_id = a.id`+aw.String()+` ORDER BY a.code, a.policy_id, a.id DESC`, aw.args...)
		if err != nil {
			return err
		}
		type appRow struct {
			id, ver           int64
			code, pid, n, val string
		}
		var all []appRow
		for rows.Next() {
			var r appRow
			if err := rows.Scan(&r.id, &r.code, &r.pid, &r.ver, &r.n, &r.val); err != nil {
				rows.Close()
				return err
			}
			all = append(all, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		type key struct{ code, policy string }
		latest := map[key]int64{}
		pols := map[string]*policy.Policy{}
		for _, r := range all { // read when the rows are closed: one query at a time on a transaction
			k := key{r.code, r.pid}
			if l, ok := latest[k]; ok && l != r.id {
				continue // an older accepted application
			}
			latest[k] = r.id
			vk := fmt.Sprintf("%s/%d", r.pid, r.ver)
			p, ok := pols[vk]
			if !ok {
				v, err := findVersion(ctx, tx, r.pid, int(r.ver))
				if err != nil {
					return err
				}
				p, pols[vk] = v.Policy, v.Policy
			}
			decl := p.Input(r.n)
			if decl == nil {
				continue
			}
			x, err := policy.DecodeInput(decl.Type, r.val)
			if err != nil {
				return fmt.Errorf("sqlstore: application %d value %s: %w", r.id, r.n, err)
			}
			in := get(r.code)
			if in.Applied == nil {
				in.Applied = map[string]map[string]any{}
			}
			if in.Applied[r.pid] == nil {
				in.Applied[r.pid] = map[string]any{}
			}
			in.Applied[r.pid][r.n] = x
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
