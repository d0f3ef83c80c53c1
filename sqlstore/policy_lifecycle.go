package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// The lifecycle of a decision after its run: publicity, objections,
// approval, payment. Every transition writes a row of policy_decision_events
// in the same transaction.

// actor returns who a write is recorded as: the context's actor, as its
// String. Callers pass no name of their own, so the record is always who
// the request was authenticated as. A write without one (the public, as
// ActorFrom answers for a context with no actor) is refused: every change
// to a policy, a decision or the ledger has someone to answer for it.
func actor(ctx context.Context) (string, error) {
	a := chanye.ActorFrom(ctx)
	if a.Role == chanye.RolePublic {
		return "", chanye.Invalid("缺少操作人 / actor required", map[string]string{"by": "必填 / required"})
	}
	return a.String(), nil
}

// event appends one transition to policy_decision_events.
func event(ctx context.Context, tx *txn, ref policy.DecisionRef, from, to policy.DecisionStatus, action, by, note string) error {
	_, err := tx.exec(ctx, `INSERT INTO policy_decision_events (run_id, policy_id, code, from_status, to_status, action, actor, at, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ref.RunID, ref.PolicyID, ref.Code, string(from), string(to), action, by, tx.now.UnixMilli(), note)
	return err
}

// move changes a decision from one status to another if it is still in
// from, and records the event; it reports whether it did. The conditional
// UPDATE is what makes concurrent transitions safe: on PostgreSQL the
// loser waits for the winner's row lock, re-reads the row and matches
// nothing.
func move(ctx context.Context, tx *txn, ref policy.DecisionRef, from, to policy.DecisionStatus, action, by, note string) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE policy_decisions SET status = ?, status_at = ?, status_by = ?
		WHERE run_id = ? AND policy_id = ? AND code = ? AND status = ?`,
		string(to), tx.now.UnixMilli(), by, ref.RunID, ref.PolicyID, ref.Code, string(from))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	return true, event(ctx, tx, ref, from, to, action, by, note)
}

// FindDecisionEvents returns the transitions of a decision, oldest first.
func (s *Store) FindDecisionEvents(ctx context.Context, ref policy.DecisionRef) ([]*policy.DecisionEvent, error) {
	var out []*policy.DecisionEvent
	err := s.db.transact(ctx, true, func(tx *txn) error {
		// By id: one firm's rows, on one shard on Citus, where ids follow
		// the order of insertion.
		rows, err := tx.query(ctx, `SELECT id, run_id, policy_id, code, from_status, to_status, action, actor, at, note
			FROM policy_decision_events WHERE run_id = ? AND policy_id = ? AND code = ? ORDER BY id`, ref.RunID, ref.PolicyID, ref.Code)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e policy.DecisionEvent
			var at int64
			if err := rows.Scan(&e.ID, &e.Ref.RunID, &e.Ref.PolicyID, &e.Ref.Code, &e.From, &e.To, &e.Action, &e.By, &at, &e.Note); err != nil {
				return err
			}
			e.At = fromMillis(sql.NullInt64{Int64: at, Valid: true})
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, err
}

// Publicise puts the computed decisions of one policy in a run on the
// public list from today for days working days.
func (s *Store) Publicise(ctx context.Context, runID int64, policyID string, days int) (*policy.Publicity, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if days < 1 {
		return nil, chanye.Invalid("公示期有误 / invalid publicity", map[string]string{"days": "至少 1 个工作日 / at least one working day"})
	}
	var out *policy.Publicity
	err = s.db.transact(ctx, false, func(tx *txn) error {
		p := &policy.Publicity{RunID: runID, PolicyID: policyID, Days: days, CreatedAt: tx.now, CreatedBy: by}
		err := tx.queryRow(ctx, `SELECT version FROM policy_run_policies WHERE run_id = ? AND policy_id = ?`, runID, policyID).Scan(&p.Version)
		if errors.Is(err, sql.ErrNoRows) {
			return chanye.Errorf(chanye.ENOTFOUND, "批量计算 %d 未计算政策 %s / run %d did not evaluate policy %s", runID, policyID, runID, policyID)
		} else if err != nil {
			return err
		}
		var parts, done int
		if err := tx.queryRow(ctx, `SELECT parts, parts_done FROM policy_runs WHERE id = ?`, runID).Scan(&parts, &done); err != nil {
			return err
		} else if done < parts {
			return chanye.Errorf(chanye.EINVALID, "批量计算 %d 尚未完成（%d/%d 个分片），不能公示 / run %d is not complete (%d of %d parts stored) and cannot be publicised",
				runID, done, parts, runID, done, parts)
		}
		var n int
		if n, err = count(ctx, tx, `SELECT COUNT(*) FROM policy_publicities WHERE run_id = ? AND policy_id = ?`, runID, policyID); err != nil {
			return err
		} else if n > 0 {
			return chanye.Errorf(chanye.ECONFLICT, "批量计算 %d 的政策 %s 已公示 / already publicised", runID, policyID)
		}
		p.From = chanye.DateOf(tx.now)
		cal, err := calendarIn(ctx, tx) // working days: weekends and holidays skipped, 调休 weekends counted
		if err != nil {
			return err
		}
		p.To = cal.AddWorkingDays(p.From, days)
		now := tx.now.UnixMilli()
		// One INSERT … SELECT and one UPDATE, however many decisions.
		if _, err := tx.exec(ctx, `INSERT INTO policy_decision_events (run_id, policy_id, code, from_status, to_status, action, actor, at, note)
			SELECT run_id, policy_id, code, status, 'publicised', 'publicise', ?, ?, ''
			FROM policy_decisions WHERE run_id = ? AND policy_id = ? AND status = 'computed' ORDER BY code`,
			by, now, runID, policyID); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE policy_decisions SET status = 'publicised', status_at = ?, status_by = ?, public_from = ?, public_to = ?
			WHERE run_id = ? AND policy_id = ? AND status = 'computed'`, now, by, p.From.String(), p.To.String(), runID, policyID)
		if err != nil {
			return err
		}
		affected, err := res.RowsAffected()
		if err != nil {
			return err
		}
		p.Decisions = int(affected)
		if _, err := tx.exec(ctx, `INSERT INTO policy_publicities (run_id, policy_id, version, from_date, to_date, days, decisions, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, runID, policyID, p.Version, p.From.String(), p.To.String(), days, p.Decisions, now, by); err != nil {
			return err
		}
		out = p
		return tx.audit(ctx, "publicise", "policy_publicity", publicityKey(runID, policyID), nil, p)
	})
	return out, err
}

// publicityKey is the audit key of one policy's publicity in a run.
func publicityKey(runID int64, policyID string) string { return itoa(runID) + "/" + policyID }

const publicityColumns = `d.run_id, d.policy_id, d.version, v.title_zh, v.title_en, v.document, d.code, d.name, d.amount_fen,
			d.public_from, d.public_to`

func scanPublicity(row interface{ Scan(...any) error }) (*policy.PublicityEntry, error) {
	var e policy.PublicityEntry
	var amount int64
	var pf, pt sql.NullString
	if err := row.Scan(&e.RunID, &e.PolicyID, &e.Version, &e.TitleZH, &e.TitleEN, &e.Document, &e.Code, &e.Name, &amount, &pf, &pt); err != nil {
		return nil, err
	}
	e.AmountFen = chanye.Fen(amount)
	var err error
	if e.PublicFrom, err = parseDate(pf); err != nil {
		return nil, err
	}
	if e.PublicTo, err = parseDate(pt); err != nil {
		return nil, err
	}
	return &e, nil
}

// FindPublicity returns one page of the public list and the total.
func (s *Store) FindPublicity(ctx context.Context, f policy.PublicityFilter) ([]*policy.PublicityEntry, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.add(`d.status IN ('publicised', 'objected', 'approved', 'paid')`)
	if f.PolicyID != nil {
		w.add(`d.policy_id = ?`, *f.PolicyID)
	}
	if f.RunID != nil {
		w.add(`d.run_id = ?`, *f.RunID)
	}
	if f.Code != nil {
		w.add(`d.code = ?`, *f.Code)
	}
	if f.On != nil {
		w.add(`d.public_from <= ? AND d.public_to >= ?`, f.On.String(), f.On.String())
	}
	if f.Query != nil {
		if q := strings.TrimSpace(*f.Query); q != "" {
			// As FindEnterprises searches: the name contains q, ASCII case
			// folded alike on both databases, or the code begins with it.
			prefix := strings.ToUpper(q)
			escaped := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(lowerASCII(q))
			w.add(`(`+s.db.dialect.lowerASCII("d.name")+` LIKE ? ESCAPE '\' OR (d.code >= ? AND d.code < ?))`, "%"+escaped+"%", prefix, prefix+"~")
		}
	}
	const from = ` FROM policy_decisions d JOIN policy_versions v ON v.policy_id = d.policy_id AND v.version = d.version`
	var (
		out   []*policy.PublicityEntry
		total int
	)
	err = s.db.transact(ctx, true, func(tx *txn) (err error) {
		if out, total, err = findPage(ctx, tx, publicityColumns, from, w, `d.policy_id, d.run_id, d.code`, limit, f.Offset, scanPublicity); err != nil {
			return err
		}
		// The issuer and the contact for objections come from the policy
		// text, parsed once per version on the page.
		versions := map[string]*policy.Version{}
		for _, e := range out {
			key := versionKey(e.PolicyID, e.Version)
			v, ok := versions[key]
			if !ok {
				if v, err = findVersion(ctx, tx, e.PolicyID, e.Version); err != nil {
					return err
				}
				versions[key] = v
			}
			e.Issuer, e.Department, e.Contact = v.Policy.Issuer, v.Policy.Department, v.Policy.Contact
		}
		return nil
	})
	return out, total, err
}

// CreateObjection records an objection to a publicised decision or to its
// absence.
func (s *Store) CreateObjection(ctx context.Context, o *policy.Objection) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	o.By = by
	f := map[string]string{}
	if strings.TrimSpace(o.Reason) == "" {
		f["reason"] = "必填 / required"
	}
	if o.Ref.RunID == 0 || o.Ref.PolicyID == "" || o.Ref.Code == "" {
		f["ref"] = "须指明批量计算、政策和企业 / run, policy and enterprise required"
	}
	if err := chanye.Invalid("异议有误 / invalid objection", f); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		var to sql.NullString
		err := tx.queryRow(ctx, `SELECT to_date FROM policy_publicities WHERE run_id = ? AND policy_id = ?`, o.Ref.RunID, o.Ref.PolicyID).Scan(&to)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := findRun(ctx, tx, o.Ref.RunID); err != nil {
				return err
			}
			return chanye.Invalid("该政策的决定尚未公示 / the policy's decisions are not publicised", map[string]string{"ref": o.Ref.String()})
		} else if err != nil {
			return err
		}
		if today := tx.today(); today > to.String {
			return chanye.Invalid("公示期已结束 / the publicity window has closed", map[string]string{"ref": "公示截至 " + to.String + " / closed on " + to.String})
		}
		d, err := findDecision(ctx, tx, o.Ref)
		switch {
		case chanye.ErrorCode(err) == chanye.ENOTFOUND:
			o.Absent = true
		case err != nil:
			return err
		case d.Status != policy.DecisionPublicised && d.Status != policy.DecisionObjected:
			return chanye.Invalid("该决定不在公示中 / the decision is not under publicity", map[string]string{"ref": string(d.Status)})
		}
		o.Status, o.CreatedAt = policy.ObjectionOpen, tx.now
		// The partial unique index policy_objections_open turns a second open
		// objection into ECONFLICT.
		if err := tx.queryRow(ctx, `INSERT INTO policy_objections (run_id, policy_id, code, absent, reason, created_by, created_at, status)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'open') RETURNING id`,
			o.Ref.RunID, o.Ref.PolicyID, o.Ref.Code, boolInt(o.Absent), o.Reason, o.By, tx.now.UnixMilli()).Scan(&o.ID); err != nil {
			return err
		}
		if o.Absent {
			err = event(ctx, tx, o.Ref, "", "", "object", o.By, o.Reason)
		} else {
			_, err = move(ctx, tx, o.Ref, policy.DecisionPublicised, policy.DecisionObjected, "object", o.By, o.Reason)
		}
		if err != nil {
			return err
		}
		if err := notifyObjectionFiled(ctx, tx, o); err != nil {
			return err
		}
		return tx.audit(ctx, "object", "policy_objection", itoa(o.ID), nil, o)
	})
}

const objectionColumns = `id, run_id, policy_id, code, absent, reason, created_by, created_at, status, resolution, resolved_by, resolved_at`

func scanObjection(row interface{ Scan(...any) error }) (*policy.Objection, error) {
	var (
		o        policy.Objection
		absent   int
		created  int64
		resolved sql.NullInt64
	)
	if err := row.Scan(&o.ID, &o.Ref.RunID, &o.Ref.PolicyID, &o.Ref.Code, &absent, &o.Reason, &o.By, &created, &o.Status,
		&o.Resolution, &o.ResolvedBy, &resolved); err != nil {
		return nil, err
	}
	o.Absent = absent == 1
	o.CreatedAt = fromMillis(sql.NullInt64{Int64: created, Valid: true})
	o.ResolvedAt = fromMillis(resolved)
	return &o, nil
}

// ResolveObjection upholds or rejects an open objection.
func (s *Store) ResolveObjection(ctx context.Context, id int64, upheld bool, resolution string) (*policy.Objection, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(resolution) == "" {
		return nil, chanye.Invalid("须写明处理意见 / a resolution is required", map[string]string{"resolution": "必填 / required"})
	}
	var out *policy.Objection
	err = s.db.transact(ctx, false, func(tx *txn) error {
		status := policy.ObjectionRejected
		if upheld {
			status = policy.ObjectionUpheld
		}
		before, err := findObjection(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE policy_objections SET status = ?, resolution = ?, resolved_by = ?, resolved_at = ?
			WHERE id = ? AND status = 'open'`, string(status), resolution, by, tx.now.UnixMilli(), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		o, err := findObjection(ctx, tx, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return chanye.Errorf(chanye.ECONFLICT, "异议 %d 已处理 / objection %d is already %s", id, id, o.Status)
		}
		out = o
		action := "reject"
		if upheld {
			action = "uphold"
		}
		if o.Absent {
			err = event(ctx, tx, o.Ref, "", "", action, by, resolution)
		} else {
			to := policy.DecisionPublicised
			if upheld {
				to = policy.DecisionWithdrawn
			}
			_, err = move(ctx, tx, o.Ref, policy.DecisionObjected, to, action, by, resolution)
		}
		if err != nil {
			return err
		}
		if err := notifyObjectionResolved(ctx, tx, o); err != nil {
			return err
		}
		return tx.audit(ctx, "resolve", "policy_objection", itoa(id), before, o)
	})
	return out, err
}

// CorrectFacts writes a corrected year of figures for the enterprise of an
// upheld objection as a new facts report, through the registry's own facts
// write (writeEnterprise, audited as PutFacts is, so that verify reconciles
// it like any other), and records a "correct" event on the objection's
// decision, all in one transaction.
func (s *Store) CorrectFacts(ctx context.Context, objectionID int64, f *chanye.Facts) (*chanye.Enterprise, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, chanye.Invalid("年度数据有误 / invalid facts", map[string]string{"facts": "必填 / required"})
	}
	if err := f.Validate(s.db.Now()); err != nil {
		return nil, err
	}
	f.Source = strings.TrimSpace(f.Source)
	upheld := func(o *policy.Objection) error {
		if o.Status == policy.ObjectionUpheld {
			return nil
		}
		return chanye.Invalid("只有成立的异议可以更正企业数据 / only an upheld objection allows a correction of the figures",
			map[string]string{"objection": fmt.Sprintf("异议 %d 为 %s / objection %d is %s", o.ID, o.Status, o.ID, o.Status)})
	}
	o, err := s.FindObjectionByID(ctx, objectionID)
	if err != nil {
		return nil, err
	}
	if err := upheld(o); err != nil {
		return nil, err
	}
	return s.writeEnterprise(ctx, o.Ref.Code, "update", "enterprise_facts", o.Ref.Code, func(tx *txn) error {
		// Read again in the transaction: the objection must still be upheld.
		o, err := findObjection(ctx, tx, objectionID)
		if err != nil {
			return err
		}
		if err := upheld(o); err != nil {
			return err
		}
		d := tx.db.dialect
		if err := inChunks(ctx, tx, factArgs(nil, o.Ref.Code, f), 4+len(chanye.FactFields), func(n int) string { return upsertFacts(d, n) },
			func(*sql.Rows) error { return nil }); err != nil {
			return err
		}
		var changed []string
		for i, v := range f.Values() {
			if v != nil {
				changed = append(changed, chanye.FactFields[i].Key)
			}
		}
		note := fmt.Sprintf("异议 %d：更正 %d 年度 %s，来源 %s，数据日期 %s / objection %d: corrected %d %s, source %s, as of %s",
			o.ID, f.Year, strings.Join(changed, ", "), f.Source, f.AsOf, o.ID, f.Year, strings.Join(changed, ", "), f.Source, f.AsOf)
		return event(ctx, tx, o.Ref, "", "", "correct", by, note)
	})
}

// FindObjectionByID returns one objection. ENOTFOUND.
func (s *Store) FindObjectionByID(ctx context.Context, id int64) (*policy.Objection, error) {
	var out *policy.Objection
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findObjection(ctx, tx, id)
		return err
	})
	return out, err
}

// findObjection reads one objection in tx. ENOTFOUND.
func findObjection(ctx context.Context, tx *txn, id int64) (*policy.Objection, error) {
	o, err := scanObjection(tx.queryRow(ctx, `SELECT `+objectionColumns+` FROM policy_objections WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "无异议 %d / no objection %d", id, id)
	}
	return o, err
}

// FindObjections returns one page of objections, oldest first, and the total.
func (s *Store) FindObjections(ctx context.Context, f policy.ObjectionFilter) ([]*policy.Objection, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if f.RunID != nil {
		w.add(`run_id = ?`, *f.RunID)
	}
	if f.PolicyID != nil {
		w.add(`policy_id = ?`, *f.PolicyID)
	}
	if f.Code != nil {
		w.add(`code = ?`, *f.Code)
	}
	if f.Status != nil {
		w.add(`status = ?`, string(*f.Status))
	}
	// By time, then code and id: ids are ordered within one firm's rows
	// only (one shard on Citus), not across firms.
	return readPage(ctx, s.db, objectionColumns, ` FROM policy_objections`, w, `created_at, code, id`, limit, f.Offset, scanObjection)
}

// Approve approves publicised decisions whose window has ended.
func (s *Store) Approve(ctx context.Context, refs []policy.DecisionRef) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	me := chanye.ActorFrom(ctx)
	return s.db.transact(ctx, false, func(tx *txn) error {
		// One entry per call with the decisions it approved.
		approved := []policy.DecisionRef{}
		checked := map[string]bool{}
		// Relations and budgets: lock what the decisions share, then check
		// each against what is approved or paid already.
		ds := make([]*policy.StoredDecision, len(refs))
		for i, ref := range refs {
			d, err := findDecision(ctx, tx, ref)
			if err != nil {
				return err
			}
			ds[i] = d
		}
		g, err := newGuard(ctx, tx, false)
		if err != nil {
			return err
		}
		if err := g.lockAll(ctx, ds); err != nil {
			return err
		}
		for _, ref := range refs {
			d, err := findDecision(ctx, tx, ref)
			if err != nil {
				return err
			}
			if key := publicityKey(ref.RunID, ref.PolicyID); !checked[key] {
				if err := fourEyes(ctx, tx, me, ref); err != nil {
					return err
				}
				checked[key] = true
			}
			switch d.Status {
			case policy.DecisionApproved, policy.DecisionPaid:
				continue
			case policy.DecisionPublicised:
				if today := chanye.DateOf(tx.now); !today.After(d.PublicTo.Time) {
					return chanye.Invalid("公示期未满，不能审批 / the publicity window has not ended",
						map[string]string{ref.String(): "公示至 " + d.PublicTo.String() + " / until " + d.PublicTo.String()})
				}
			default:
				return chanye.Invalid("只有公示期满且无异议的决定可以审批 / only decisions publicised without objection can be approved",
					map[string]string{ref.String(): string(d.Status)})
			}
			if err := g.check(ctx, d); err != nil {
				return err
			}
			moved, err := move(ctx, tx, ref, policy.DecisionPublicised, policy.DecisionApproved, "approve", by, "")
			if err != nil {
				return err
			}
			if moved {
				approved = append(approved, ref)
			} else {
				// A concurrent call changed it first: fine if it approved.
				if d, err = findDecision(ctx, tx, ref); err != nil {
					return err
				} else if d.Status != policy.DecisionApproved && d.Status != policy.DecisionPaid {
					return chanye.Invalid("决定已被并发修改 / the decision changed concurrently", map[string]string{ref.String(): string(d.Status)})
				}
			}
		}
		if len(approved) == 0 {
			return nil
		}
		return tx.audit(ctx, "approve", "policy_decisions", "", nil,
			map[string]any{"requested": len(refs), "approved": len(approved), "decisions": approved})
	})
}

// fourEyes enforces the four-eyes rule (四眼原则) on approving ref: the
// approver is another person than the one who ran the decision's run and
// the one who publicised its policy in that run. People are compared by
// account name, whatever role the recorded "name (role)" shows, so that a
// role changed between the two steps does not make two people of one.
func fourEyes(ctx context.Context, tx *txn, me *chanye.Actor, ref policy.DecisionRef) error {
	var ranBy string
	var pubBy sql.NullString
	err := tx.queryRow(ctx, `SELECT r.run_by, p.created_by FROM policy_runs r
		LEFT JOIN policy_publicities p ON p.run_id = r.id AND p.policy_id = ?
		WHERE r.id = ?`, ref.PolicyID, ref.RunID).Scan(&ranBy, &pubBy)
	if errors.Is(err, sql.ErrNoRows) {
		return chanye.Errorf(chanye.ENOTFOUND, "批量计算 %d 不存在 / no run %d", ref.RunID, ref.RunID)
	} else if err != nil {
		return err
	}
	var zh, en string
	switch {
	case sameAccount(ranBy, me):
		zh, en = "运行了该批量计算", "ran the run"
	case sameAccount(pubBy.String, me):
		zh, en = "公示了该政策的名单", "publicised the policy's list"
	default:
		return nil
	}
	return chanye.Errorf(chanye.EFORBIDDEN, "四眼原则：审批人不能是运行批量计算或公示名单的人，%s %s（第 %d 批）/ four-eyes rule: the approver must not be the person who ran the run or publicised the list; %s %s (run %d)",
		me.Name, zh, ref.RunID, me.Name, en, ref.RunID)
}

// sameAccount reports whether who, as recorded ("name (role)"), is a's
// account.
func sameAccount(who string, a *chanye.Actor) bool {
	if who == "" {
		return false
	}
	if who == a.String() {
		return true
	}
	name := who
	if i := strings.LastIndex(who, " ("); i > 0 && strings.HasSuffix(who, ")") {
		name = who[:i]
	}
	return name == a.Name
}

const ledgerColumns = `id, policy_id, period, code, kind, amount_fen, run_id, actor, at, note, paid_on, voucher, batch`

func scanLedger(row interface{ Scan(...any) error }) (*policy.LedgerEntry, error) {
	var e policy.LedgerEntry
	var amount, at int64
	var paidOn sql.NullString
	if err := row.Scan(&e.ID, &e.Entitlement.PolicyID, &e.Entitlement.Period, &e.Entitlement.Code, &e.Kind, &amount,
		&e.Decision.RunID, &e.By, &at, &e.Note, &paidOn, &e.Voucher, &e.Batch); err != nil {
		return nil, err
	}
	e.AmountFen = chanye.Fen(amount)
	e.Decision.PolicyID, e.Decision.Code = e.Entitlement.PolicyID, e.Entitlement.Code
	e.At = fromMillis(sql.NullInt64{Int64: at, Valid: true})
	var err error
	if e.PaidOn, err = parseDate(paidOn); err != nil {
		return nil, err
	}
	return &e, nil
}

// lockEntitlement takes the entitlement's row lock (creating the row), so
// that Pay and Reverse on one entitlement run one at a time, and returns
// its ledger entries in order.
func lockEntitlement(ctx context.Context, tx *txn, ent policy.Entitlement) ([]*policy.LedgerEntry, error) {
	if _, err := tx.exec(ctx, `INSERT INTO policy_entitlements (policy_id, period, code, net_fen, updated_at) VALUES (?, ?, ?, 0, ?)
		ON CONFLICT (policy_id, period, code) DO UPDATE SET updated_at = excluded.updated_at`,
		ent.PolicyID, ent.Period, ent.Code, tx.now.UnixMilli()); err != nil {
		return nil, err
	}
	// By id: one firm's entries, as FindDecisionEvents.
	rows, err := tx.query(ctx, `SELECT `+ledgerColumns+` FROM policy_ledger WHERE policy_id = ? AND period = ? AND code = ? ORDER BY id`,
		ent.PolicyID, ent.Period, ent.Code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*policy.LedgerEntry
	for rows.Next() {
		e, err := scanLedger(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ledgerNet is the net paid for an entitlement: the sum of its entries,
// checked (each is at most chanye.MaxGrantFen either way, so it never
// overflows unless the ledger was written around the bounds).
func ledgerNet(entries []*policy.LedgerEntry) (chanye.Fen, error) {
	var net chanye.FenSum
	for _, e := range entries {
		net.Add(e.AmountFen)
	}
	return net.Total("net_fen")
}

// appendLedger writes one entry and keeps the entitlement's net in step;
// net is the net before the entry (ledgerNet of the locked entries). The
// new net is computed here with overflow checking rather than in SQL,
// where SQLite would turn an overflowing integer into a float. The
// partial unique index policy_ledger_one_payment rejects a second payment
// even if the lock above were bypassed.
func appendLedger(ctx context.Context, tx *txn, e *policy.LedgerEntry, net chanye.Fen) error {
	if e.AmountFen < -chanye.MaxGrantFen || e.AmountFen > chanye.MaxGrantFen {
		return chanye.Invalid("支付金额有误 / invalid payment", map[string]string{"amount_fen": chanye.ExceedsFen(chanye.MaxGrantFen)})
	}
	after, err := chanye.AddFen(net, e.AmountFen)
	if err != nil {
		return err
	}
	e.At = tx.now
	if err := tx.queryRow(ctx, `INSERT INTO policy_ledger (policy_id, period, code, kind, amount_fen, run_id, actor, at, note, paid_on, voucher, batch)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.Entitlement.PolicyID, e.Entitlement.Period, e.Entitlement.Code, string(e.Kind), int64(e.AmountFen),
		e.Decision.RunID, e.By, tx.now.UnixMilli(), e.Note, dateArg(e.PaidOn), e.Voucher, e.Batch).Scan(&e.ID); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE policy_entitlements SET net_fen = ?, updated_at = ? WHERE policy_id = ? AND period = ? AND code = ?`,
		int64(after), tx.now.UnixMilli(), e.Entitlement.PolicyID, e.Entitlement.Period, e.Entitlement.Code)
	return err
}

// Pay pays an approved decision's entitlement at most once; see
// policy.LedgerService for the rules.
func (s *Store) Pay(ctx context.Context, ref policy.DecisionRef, p policy.Payout) (*policy.LedgerEntry, bool, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, false, err
	}
	if err := p.Validate(); err != nil {
		return nil, false, err
	}
	var (
		out     *policy.LedgerEntry
		created bool
	)
	err = s.db.transact(ctx, false, func(tx *txn) error {
		var (
			did paid
			err error
		)
		if out, did, err = pay(ctx, tx, ref, by, p); err != nil {
			return err
		}
		created = did == paidEntry
		switch did {
		case paidEntry:
			if err := notifyPayment(ctx, tx, out); err != nil {
				return err
			}
			return tx.audit(ctx, "pay", "policy_ledger", ref.String(), nil, out)
		case paidMarked:
			// No money moved: the decision is marked paid by an entry
			// already in the ledger.
			return tx.audit(ctx, "pay", "policy_decision", ref.String(), map[string]any{"status": policy.DecisionApproved},
				map[string]any{"status": policy.DecisionPaid, "ledger_id": out.ID})
		}
		return nil // paid already: nothing changed
	})
	if err != nil {
		return nil, false, err
	}
	return out, created, nil
}

// paid is what pay did.
type paid int

const (
	paidNothing paid = iota // the decision was paid already
	paidEntry               // it appended a ledger entry
	paidMarked              // it marked the decision paid by an existing entry
)

// checkPayout bounds the day of a payout: not after today (the store's
// clock) and not before the decision was approved, in the clock's time
// zone.
func checkPayout(tx *txn, d *policy.StoredDecision, p policy.Payout) error {
	today := chanye.DateOf(tx.now)
	approved := chanye.DateOf(d.StatusAt.In(tx.now.Location()))
	switch {
	case p.PaidOn.After(today.Time):
		return chanye.Invalid("支付日期不能晚于今天 / the payment date must not be in the future",
			map[string]string{"paid_on": fmt.Sprintf("不能晚于今天 %s / must not be after today, %s", today, today)})
	case p.PaidOn.Before(approved.Time):
		return chanye.Invalid("支付日期不能早于审批日期 / the payment date must not be before the approval",
			map[string]string{"paid_on": fmt.Sprintf("不能早于审批日 %s / must not be before the approval on %s", approved, approved)})
	}
	return nil
}

// samePayout reports whether an entry written before records p: a replay
// must say what the first call said, or it is a second, different
// payment that the ledger refuses. Entries written before payouts were
// recorded carry none and match any.
func samePayout(e *policy.LedgerEntry, p policy.Payout) error {
	if e == nil || (e.PaidOn.IsZero() && e.Voucher == "" && e.Batch == "") {
		return nil
	}
	if e.PaidOn.Equal(p.PaidOn.Time) && e.Voucher == p.Voucher && e.Batch == p.Batch {
		return nil
	}
	return chanye.Errorf(chanye.ECONFLICT, "该决定已于 %s 支付（凭证号 %s，批次号 %s），不能另记一次 / already paid on %s (voucher %s, batch %s)",
		e.PaidOn, e.Voucher, e.Batch, e.PaidOn, e.Voucher, e.Batch)
}

// pay is the transaction of Pay: it returns the entry that carries the
// decision out and what it did.
func pay(ctx context.Context, tx *txn, ref policy.DecisionRef, by string, p policy.Payout) (out *policy.LedgerEntry, did paid, err error) {
	d, err := findDecision(ctx, tx, ref)
	if err != nil {
		return nil, 0, err
	}
	entries, err := lockEntitlement(ctx, tx, d.Entitlement())
	if err != nil {
		return nil, 0, err
	}
	// Read again under the lock: a concurrent call may have paid it.
	if d, err = findDecision(ctx, tx, ref); err != nil {
		return nil, 0, err
	}
	if d.Status != policy.DecisionApproved && d.Status != policy.DecisionPaid {
		return nil, 0, chanye.Invalid("决定未审批，不能支付 / the decision is not approved", map[string]string{ref.String(): string(d.Status)})
	}
	markPaid := func(note string, did paid) (*policy.LedgerEntry, paid, error) {
		moved, err := move(ctx, tx, ref, policy.DecisionApproved, policy.DecisionPaid, "pay", by, note)
		if err != nil {
			return nil, 0, err
		}
		if !moved && did == paidMarked {
			did = paidNothing
		}
		return out, did, nil
	}
	if d.Status == policy.DecisionApproved {
		if err := checkPayout(tx, d, p); err != nil {
			return nil, 0, err
		}
	}
	// Money leaves only within the relations and the budgets: the
	// guard's locks, then its check against what the ledger holds.
	guarded := func() error {
		g, err := newGuard(ctx, tx, true)
		if err != nil {
			return err
		}
		if err := g.lockAll(ctx, []*policy.StoredDecision{d}); err != nil {
			return err
		}
		return g.check(ctx, d)
	}
	if len(entries) == 0 {
		if err := guarded(); err != nil {
			return nil, 0, err
		}
		out = &policy.LedgerEntry{Entitlement: d.Entitlement(), Kind: policy.LedgerPayment, AmountFen: d.AmountFen, Decision: ref, By: by,
			PaidOn: p.PaidOn, Voucher: p.Voucher, Batch: p.Batch}
		if err := appendLedger(ctx, tx, out, 0); err != nil {
			return nil, 0, err
		}
		return markPaid("", paidEntry)
	}
	net, err := ledgerNet(entries)
	if err != nil {
		return nil, 0, err
	}
	var (
		lastRun  int64
		payment  *policy.LedgerEntry
		reversed = entries[len(entries)-1].Kind == policy.LedgerReversal
	)
	for _, e := range entries {
		lastRun = max(lastRun, e.Decision.RunID)
		if e.Kind == policy.LedgerPayment {
			payment = e
		}
	}
	if d.Status == policy.DecisionPaid && !reversed {
		// Paid already: return the entry that carried this decision out.
		for _, e := range entries {
			if e.Decision.RunID == d.RunID && e.Kind != policy.LedgerReversal {
				out = e
			}
		}
		if out != nil {
			return out, paidNothing, samePayout(out, p)
		}
	}
	if d.RunID > lastRun {
		// A later run, e.g. after a data correction: pay the difference.
		diff, err := chanye.SubFen(d.AmountFen, net)
		if err != nil {
			return nil, 0, err
		}
		if diff > 0 {
			if err := guarded(); err != nil {
				return nil, 0, err
			}
		}
		if diff != 0 {
			out = &policy.LedgerEntry{Entitlement: d.Entitlement(), Kind: policy.LedgerAdjustment, AmountFen: diff, Decision: ref, By: by,
				Note: "重算差额 / difference found by a later run", PaidOn: p.PaidOn, Voucher: p.Voucher, Batch: p.Batch}
			if err := appendLedger(ctx, tx, out, net); err != nil {
				return nil, 0, err
			}
			return markPaid("adjustment", paidEntry)
		}
		out = payment
		return markPaid("already paid", paidMarked)
	}
	if reversed {
		return nil, 0, chanye.Errorf(chanye.ECONFLICT, "该项已冲销，须由新的计算重新支付 / the entitlement was reversed; only a later run can pay it again")
	}
	if d.AmountFen != net {
		return nil, 0, chanye.Errorf(chanye.ECONFLICT, "已支付 %s 元，与本决定 %s 元不符 / paid ¥%s, the decision says ¥%s",
			net.Yuan(), d.AmountFen.Yuan(), net.Yuan(), d.AmountFen.Yuan())
	}
	// Paid already: return the entry that carried this decision out.
	out = payment
	for _, e := range entries {
		if e.Decision.RunID == d.RunID && e.Kind != policy.LedgerReversal {
			out = e
		}
	}
	return markPaid("already paid", paidMarked)
}

// Reverse cancels what was paid for the decision's entitlement.
func (s *Store) Reverse(ctx context.Context, ref policy.DecisionRef, reason string) (*policy.LedgerEntry, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, chanye.Invalid("须写明冲销原因 / a reason is required", map[string]string{"reason": "必填 / required"})
	}
	var out *policy.LedgerEntry
	err = s.db.transact(ctx, false, func(tx *txn) error {
		d, err := findDecision(ctx, tx, ref)
		if err != nil {
			return err
		}
		entries, err := lockEntitlement(ctx, tx, d.Entitlement())
		if err != nil {
			return err
		}
		net, err := ledgerNet(entries)
		if err != nil {
			return err
		}
		if net == 0 {
			return chanye.Errorf(chanye.ECONFLICT, "无可冲销的支付 / nothing paid to reverse")
		}
		minus, err := chanye.SubFen(0, net)
		if err != nil {
			return err
		}
		out = &policy.LedgerEntry{Entitlement: d.Entitlement(), Kind: policy.LedgerReversal, AmountFen: minus, Decision: ref, By: by, Note: reason}
		if err := appendLedger(ctx, tx, out, net); err != nil {
			return err
		}
		// Every paid decision of the entitlement is reversed with it.
		rows, err := tx.query(ctx, `SELECT run_id FROM policy_decisions WHERE policy_id = ? AND period = ? AND code = ? AND status = 'paid'`,
			d.PolicyID, d.Period, d.Code)
		if err != nil {
			return err
		}
		var runs []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			runs = append(runs, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range runs {
			if _, err := move(ctx, tx, policy.DecisionRef{RunID: id, PolicyID: d.PolicyID, Code: d.Code},
				policy.DecisionPaid, policy.DecisionReversed, "reverse", by, reason); err != nil {
				return err
			}
		}
		return tx.audit(ctx, "reverse", "policy_ledger", ref.String(), nil, out)
	})
	return out, err
}

// FindLedger returns one page of ledger entries, in order, and the total.
func (s *Store) FindLedger(ctx context.Context, f policy.LedgerFilter) ([]*policy.LedgerEntry, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if f.PolicyID != nil {
		w.add(`policy_id = ?`, *f.PolicyID)
	}
	if f.Period != nil {
		w.add(`period = ?`, *f.Period)
	}
	if f.Code != nil {
		w.add(`code = ?`, *f.Code)
	}
	if f.Kind != nil {
		w.add(`kind = ?`, string(*f.Kind))
	}
	if f.RunID != nil {
		w.add(`run_id = ?`, *f.RunID)
	}
	// By time, then code and id, as FindObjections.
	return readPage(ctx, s.db, ledgerColumns, ` FROM policy_ledger`, w, `at, code, id`, limit, f.Offset, scanLedger)
}
