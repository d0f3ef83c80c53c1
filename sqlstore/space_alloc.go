package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/space"
	"github.com/chanye-org/chanye/uscc"
)

// Holds, allocations, routing and the city's settings of industrial
// space (space.AllocationService). A unit's status moves with its hold
// or allocation in the transaction that writes them: the conditional
// UPDATE of the unit decides between concurrent requests, and the
// partial unique indexes of 0037_space.sql hold should a writer skip it.

const holdColumns = `h.id, h.unit_id, h.for_kind, h.for_id, h.until_on, h.note, h.status, h.held_on, h.held_by, h.ended_on, h.ended_by, h.end_note`

func scanHold(row interface{ Scan(...any) error }) (*space.Hold, error) {
	var (
		h                    space.Hold
		until, heldOn, ended sql.NullString
	)
	if err := row.Scan(&h.ID, &h.UnitID, &h.ForKind, &h.ForID, &until, &h.Note, &h.Status, &heldOn, &h.HeldBy, &ended, &h.EndedBy, &h.EndNote); err != nil {
		return nil, err
	}
	var err error
	for _, d := range []struct {
		to *chanye.Date
		v  sql.NullString
	}{{&h.Until, until}, {&h.HeldOn, heldOn}, {&h.EndedOn, ended}} {
		if *d.to, err = parseDate(d.v); err != nil {
			return nil, err
		}
	}
	return &h, nil
}

func findHold(ctx context.Context, tx *txn, id int64) (*space.Hold, error) {
	h, err := scanHold(tx.queryRow(ctx, `SELECT `+holdColumns+` FROM space_holds h WHERE h.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "预留 %d 不存在 / hold %d not found", id, id)
	}
	return h, err
}

// FindHoldByID returns a hold. ENOTFOUND.
func (s *Store) FindHoldByID(ctx context.Context, id int64) (*space.Hold, error) {
	var out *space.Hold
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findHold(ctx, tx, id)
		return err
	})
	return out, err
}

// FindHolds returns a page of holds, the latest first, and the total.
// EINVALID for bad paging or an unknown status or kind.
func (s *Store) FindHolds(ctx context.Context, f space.HoldFilter) ([]*space.Hold, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	bad := map[string]string{}
	if f.UnitID != nil {
		w.add("h.unit_id = ?", *f.UnitID)
	}
	if f.ForKind != nil {
		if !f.ForKind.Valid() {
			bad["for_kind"] = "须为 project 或 lead / must be project or lead"
		}
		w.add("h.for_kind = ?", string(*f.ForKind))
	}
	if f.ForID != nil {
		w.add("h.for_id = ?", strings.TrimSpace(*f.ForID))
	}
	if f.Status != nil {
		switch *f.Status {
		case space.HoldActive, space.HoldReleased, space.HoldExpired, space.HoldAllocated:
		default:
			bad["status"] = fmt.Sprintf("未知状态 %q / unknown status", *f.Status)
		}
		w.add("h.status = ?", string(*f.Status))
	}
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return nil, 0, err
	}
	out, total, err := readPage(ctx, s.db, holdColumns, ` FROM space_holds h`, w, "h.id DESC", limit, f.Offset, scanHold)
	if out == nil {
		out = []*space.Hold{}
	}
	return out, total, err
}

const allocColumns = `a.id, a.unit_id, a.kind, a.code, COALESCE(e.name, ''), a.for_kind, a.for_id, a.from_on, a.to_on, a.amount_fen,
	a.ended, a.ended_on, a.created_at, a.created_by`

const allocFrom = ` FROM space_allocations a LEFT JOIN enterprises e ON e.code = a.code`

func scanAllocation(row interface{ Scan(...any) error }) (*space.Allocation, error) {
	var (
		a                space.Allocation
		from, to, endOn  sql.NullString
		amount           sql.NullInt64
		ended            int
		created          int64
		forKind, forName string
	)
	if err := row.Scan(&a.ID, &a.UnitID, &a.Kind, &a.Code, &a.Name, &forKind, &forName, &from, &to, &amount,
		&ended, &endOn, &created, &a.CreatedBy); err != nil {
		return nil, err
	}
	var err error
	for _, d := range []struct {
		to *chanye.Date
		v  sql.NullString
	}{{&a.From, from}, {&a.To, to}, {&a.EndedOn, endOn}} {
		if *d.to, err = parseDate(d.v); err != nil {
			return nil, err
		}
	}
	a.ForKind, a.ForID = space.ForKind(forKind), forName
	a.AmountFen, a.Ended, a.CreatedAt = nullFen(amount), ended != 0, fromMs(created)
	return &a, nil
}

func findAllocation(ctx context.Context, tx *txn, id int64) (*space.Allocation, error) {
	a, err := scanAllocation(tx.queryRow(ctx, `SELECT `+allocColumns+allocFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "供地供房记录 %d 不存在 / allocation %d not found", id, id)
	}
	return a, err
}

// FindAllocationByID returns an allocation with the registry's name of
// its firm. ENOTFOUND.
func (s *Store) FindAllocationByID(ctx context.Context, id int64) (*space.Allocation, error) {
	var out *space.Allocation
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findAllocation(ctx, tx, id)
		return err
	})
	return out, err
}

// FindAllocations returns a page of allocations, the latest first, and
// the total. EINVALID for bad paging.
func (s *Store) FindAllocations(ctx context.Context, f space.AllocationFilter) ([]*space.Allocation, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if f.UnitID != nil {
		w.add("a.unit_id = ?", *f.UnitID)
	}
	if f.Code != nil {
		w.add("a.code = ?", uscc.Normalize(*f.Code))
	}
	if f.Ended != nil {
		w.add("a.ended = ?", boolInt(*f.Ended))
	}
	out, total, err := readPage(ctx, s.db, allocColumns, allocFrom, w, "a.id DESC", limit, f.Offset, scanAllocation)
	if out == nil {
		out = []*space.Allocation{}
	}
	return out, total, err
}

// holder is the project or lead a hold or an allocation is for, as the
// store knows it: the scopes told of its holds and its name in words.
type holder struct {
	to     []notify.Scope
	name   string
	forID  string // the id as stored: a lead's without leading zeros
	exists bool
}

// findHolder reads the project or lead of kind k and id: a project's
// holders are its industry's task force and the department answering for
// it, a lead's its owner (as a lead's supervision is addressed).
func findHolder(ctx context.Context, tx *txn, k space.ForKind, id string) (holder, error) {
	id = strings.TrimSpace(id)
	switch k {
	case space.ForProject:
		p, err := findProject(ctx, tx, id)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return holder{}, nil
		} else if err != nil {
			return holder{}, err
		}
		ind, err := findIndustry(ctx, tx, p.IndustryID)
		if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
			return holder{}, err
		}
		to := []notify.Scope{notify.TaskForce(p.IndustryID), notify.Department(p.EffectiveOwners(ind).Department)}
		return holder{to: to, name: p.Name + "（" + p.ID + "）", forID: p.ID, exists: true}, nil
	case space.ForLead:
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return holder{}, nil
		}
		l, err := findLead(ctx, tx, n)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return holder{}, nil
		} else if err != nil {
			return holder{}, err
		}
		to := notify.TaskForce(l.IndustryID)
		switch l.OwnerKind {
		case invest.OwnerDepartment:
			to = notify.Department(l.OwnerName)
		case invest.OwnerDistrict:
			to = notify.District(l.OwnerName)
		}
		return holder{to: []notify.Scope{to}, name: "招商线索 #" + itoa(l.ID) + " " + l.TargetName, forID: itoa(l.ID), exists: true}, nil
	}
	return holder{}, nil
}

// checkHolder sets *id to the stored form of the project's or lead's id,
// and names for_id in an EINVALID error when the store has no such one.
func checkHolder(ctx context.Context, tx *txn, k space.ForKind, id *string, message string) error {
	h, err := findHolder(ctx, tx, k, *id)
	if err != nil {
		return err
	}
	if !h.exists {
		what := map[space.ForKind]string{space.ForProject: "重点项目 / project", space.ForLead: "招商线索 / lead"}[k]
		return chanye.Invalid(message, map[string]string{"for_id": fmt.Sprintf("%s %q 不存在 / not found", what, *id)})
	}
	*id = h.forID
	return nil
}

// notOffered explains why unit u cannot be held or allocated today.
func notOffered(u *space.Unit) error {
	if u.Status == space.Available {
		return chanye.Errorf(chanye.ECONFLICT, "单元 %s 自 %s 起可供 / unit %s is available from %s", u.Code, u.AvailableOn, u.Code, u.AvailableOn)
	}
	return chanye.Errorf(chanye.ECONFLICT, "单元 %s %s，不可预留或供应 / unit %s is %s: it cannot be held or allocated",
		u.Code, u.Status.NameZH(), u.Code, u.Status.NameEN())
}

// setUnitStatus moves unit id from one status to another; ECONFLICT when
// it is no longer in from: another request came first.
func setUnitStatus(ctx context.Context, tx *txn, id int64, from, to space.Status) error {
	res, err := tx.exec(ctx, `UPDATE space_units SET status = ?, updated_at = ? WHERE id = ? AND status = ?`, string(to), ms(tx.now), id, string(from))
	return changed(res, err, "单元 %d 已被他人预留或供应 / unit %d was held or allocated meanwhile", id)
}

// HoldUnit holds a unit offered today for a project or a lead and sets
// the hold's ID, status and day. Of concurrent holds of one unit exactly
// one succeeds. EINVALID (Hold.Validate, no such project or lead),
// ENOTFOUND (no such unit), ECONFLICT (the unit is not offered today).
func (s *Store) HoldUnit(ctx context.Context, in *space.Hold) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	x := *in
	err = s.db.transact(ctx, false, func(tx *txn) error {
		today := chanye.DateOf(tx.now)
		if err := x.Validate(today); err != nil {
			return err
		}
		if err := checkHolder(ctx, tx, x.ForKind, &x.ForID, "预留有误 / invalid hold"); err != nil {
			return err
		}
		u, err := findUnit(ctx, tx, x.UnitID)
		if err != nil {
			return err
		}
		if !u.Offered(today) {
			return notOffered(u)
		}
		if err := setUnitStatus(ctx, tx, u.ID, space.Available, space.Held); err != nil {
			return err
		}
		x.Status, x.HeldOn, x.HeldBy, x.EndedOn, x.EndedBy, x.EndNote = space.HoldActive, today, by, chanye.Date{}, "", ""
		if err := tx.queryRow(ctx, `INSERT INTO space_holds (unit_id, for_kind, for_id, until_on, note, status, held_on, held_by, ended_by, end_note, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', ?) RETURNING id`,
			x.UnitID, string(x.ForKind), x.ForID, x.Until.String(), x.Note, string(x.Status), today.String(), by, ms(tx.now)).Scan(&x.ID); err != nil {
			return err
		}
		if err := tx.touchSpace(ctx); err != nil {
			return err
		}
		return tx.audit(ctx, "hold", "space_hold", itoa(x.ID), nil, &x)
	})
	if err != nil {
		return err
	}
	*in = x
	return nil
}

// endHold ends active hold h as status today by by, with a note, and
// returns it ended; the unit's status is the caller's.
func endHold(ctx context.Context, tx *txn, h *space.Hold, status space.HoldStatus, by, note string) (*space.Hold, error) {
	x := *h
	x.Status, x.EndedOn, x.EndedBy, x.EndNote = status, chanye.DateOf(tx.now), by, note
	res, err := tx.exec(ctx, `UPDATE space_holds SET status = ?, ended_on = ?, ended_by = ?, end_note = ? WHERE id = ? AND status = 'active'`,
		string(x.Status), x.EndedOn.String(), by, note, x.ID)
	if err := changed(res, err, "预留 %d 已结束 / hold %d has ended", x.ID); err != nil {
		return nil, err
	}
	return &x, nil
}

// ReleaseHold ends an active hold by hand, with a note of at most
// space.MaxNoteRunes; the unit is available again. ENOTFOUND, EINVALID,
// ECONFLICT (the hold is not active).
func (s *Store) ReleaseHold(ctx context.Context, id int64, note string) (*space.Hold, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > space.MaxNoteRunes {
		return nil, chanye.Invalid("释放预留有误 / invalid release", map[string]string{"note": fmt.Sprintf("至多 %d 个字符 / at most %d characters", space.MaxNoteRunes, space.MaxNoteRunes)})
	}
	var out *space.Hold
	err = s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findHold(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Status != space.HoldActive {
			return chanye.Errorf(chanye.ECONFLICT, "预留 %d %s，不能释放 / hold %d is %s: it cannot be released", id, old.Status.NameZH(), id, old.Status.NameEN())
		}
		if out, err = endHold(ctx, tx, old, space.HoldReleased, by, note); err != nil {
			return err
		}
		if err := setUnitStatus(ctx, tx, old.UnitID, space.Held, space.Available); err != nil {
			return err
		}
		if err := tx.touchSpace(ctx); err != nil {
			return err
		}
		return tx.audit(ctx, "release", "space_hold", itoa(id), old, out)
	})
	return out, err
}

// activeHold returns the active hold of unit id.
func activeHold(ctx context.Context, tx *txn, unitID int64) (*space.Hold, error) {
	h, err := scanHold(tx.queryRow(ctx, `SELECT `+holdColumns+` FROM space_holds h WHERE h.unit_id = ? AND h.status = 'active'`, unitID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ECONFLICT, "单元 %d 没有有效的预留 / unit %d has no active hold", unitID, unitID)
	}
	return h, err
}

// Allocate gives a unit to a firm and sets the allocation's ID, name and
// creation. The unit is available (from the allocation's start on at
// the latest) or held; a held unit's allocation is for the hold's project
// or lead (taken from the hold when the allocation names none), and the
// hold ends allocated. A lease of the unit past its last day is ended
// first. EINVALID (Allocation.Validate for the unit's kind, no such
// project or lead, a lease already over, a start before the unit is
// available), ENOTFOUND (no such unit), ECONFLICT (the unit is in
// reserve, allocated, or held for another).
func (s *Store) Allocate(ctx context.Context, in *space.Allocation) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	x := *in
	err = s.db.transact(ctx, false, func(tx *txn) error {
		today := chanye.DateOf(tx.now)
		if _, err := lapseLeases(ctx, tx, &x.UnitID, by); err != nil {
			return err
		}
		u, err := findUnit(ctx, tx, x.UnitID)
		if err != nil {
			return err
		}
		if err := x.Validate(u.Kind); err != nil {
			return err
		}
		bad := map[string]string{}
		if x.Kind == space.Lease && x.To.Before(today.Time) {
			bad["to"] = "租期已结束 / the lease is over"
		}
		if u.AvailableOn.After(x.From.Time) {
			bad["from"] = fmt.Sprintf("单元 %s 起可供 / the unit is available from %s", u.AvailableOn, u.AvailableOn)
		}
		if err := chanye.Invalid("供地供房有误 / invalid allocation", bad); err != nil {
			return err
		}
		if x.ForKind != "" {
			if err := checkHolder(ctx, tx, x.ForKind, &x.ForID, "供地供房有误 / invalid allocation"); err != nil {
				return err
			}
		}
		var hold *space.Hold
		switch u.Status {
		case space.Available:
		case space.Held:
			if hold, err = activeHold(ctx, tx, u.ID); err != nil {
				return err
			}
			if x.ForKind == "" {
				x.ForKind, x.ForID = hold.ForKind, hold.ForID
			} else if x.ForKind != hold.ForKind || x.ForID != hold.ForID {
				return chanye.Errorf(chanye.ECONFLICT, "单元 %s 已为 %s %s 预留 / unit %s is held for %s %s",
					u.Code, hold.ForKind, hold.ForID, u.Code, hold.ForKind, hold.ForID)
			}
		default:
			return notOffered(u)
		}
		if err := setUnitStatus(ctx, tx, u.ID, u.Status, space.Allocated); err != nil {
			return err
		}
		if hold != nil {
			ended, err := endHold(ctx, tx, hold, space.HoldAllocated, by, "")
			if err != nil {
				return err
			}
			if err := tx.audit(ctx, "allocate", "space_hold", itoa(hold.ID), hold, ended); err != nil {
				return err
			}
		}
		x.Ended, x.EndedOn, x.CreatedAt, x.CreatedBy = false, chanye.Date{}, tx.now, by
		if err := tx.queryRow(ctx, `INSERT INTO space_allocations (unit_id, kind, code, for_kind, for_id, from_on, to_on, amount_fen, ended, ended_by, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?) RETURNING id`,
			x.UnitID, string(x.Kind), x.Code, string(x.ForKind), x.ForID, x.From.String(), dateArg(x.To), fenArg(x.AmountFen), ms(tx.now), by).Scan(&x.ID); err != nil {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(name), '') FROM enterprises WHERE code = ?`, x.Code).Scan(&x.Name); err != nil {
			return err
		}
		if err := tx.touchSpace(ctx); err != nil {
			return err
		}
		return tx.audit(ctx, "allocate", "space_allocation", itoa(x.ID), nil, &x)
	})
	if err != nil {
		return err
	}
	*in = x
	return nil
}

// EndAllocation ends an allocation on a day (today when zero): not after
// today, nor before its start unless it starts later than today (a lease
// given up before it began), nor after a lease's last day. The unit is
// available again. ENOTFOUND, EINVALID, ECONFLICT (ended already).
func (s *Store) EndAllocation(ctx context.Context, id int64, on chanye.Date) (*space.Allocation, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *space.Allocation
	err = s.db.transact(ctx, false, func(tx *txn) error {
		today := chanye.DateOf(tx.now)
		old, err := findAllocation(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Ended {
			return chanye.Errorf(chanye.ECONFLICT, "供地供房记录 %d 已终止 / allocation %d has ended", id, id)
		}
		if on.IsZero() {
			on = today
		}
		earliest := old.From
		if today.Before(earliest.Time) {
			earliest = today
		}
		switch {
		case on.After(today.Time):
			return chanye.Invalid("终止有误 / invalid end", map[string]string{"on": "终止日不能晚于今天 / cannot end after today"})
		case on.Before(earliest.Time):
			return chanye.Invalid("终止有误 / invalid end", map[string]string{"on": "终止日不能早于起始日 / cannot end before the start"})
		case !old.To.IsZero() && on.After(old.To.Time):
			return chanye.Invalid("终止有误 / invalid end", map[string]string{"on": "租期已于 " + old.To.String() + " 结束 / the lease ended on " + old.To.String()})
		}
		x := *old
		x.Ended, x.EndedOn = true, on
		if err := endAllocation(ctx, tx, &x, by); err != nil {
			return err
		}
		if err := tx.touchSpace(ctx); err != nil {
			return err
		}
		out = &x
		return tx.audit(ctx, "end", "space_allocation", itoa(id), old, &x)
	})
	return out, err
}

// endAllocation marks a ended on a.EndedOn and makes its unit available.
func endAllocation(ctx context.Context, tx *txn, a *space.Allocation, by string) error {
	res, err := tx.exec(ctx, `UPDATE space_allocations SET ended = 1, ended_on = ?, ended_by = ? WHERE id = ? AND ended = 0`, a.EndedOn.String(), by, a.ID)
	if err := changed(res, err, "供地供房记录 %d 已终止 / allocation %d has ended", a.ID); err != nil {
		return err
	}
	return setUnitStatus(ctx, tx, a.UnitID, space.Allocated, space.Available)
}

// lapseLeases ends the leases past their last day, of one unit or of all
// (unitID nil), on that day; their units are available again. It
// returns how many it ended.
func lapseLeases(ctx context.Context, tx *txn, unitID *int64, by string) (int, error) {
	var w where
	w.add("a.ended = 0 AND a.to_on IS NOT NULL AND a.to_on < ?", tx.today())
	if unitID != nil {
		w.add("a.unit_id = ?", *unitID)
	}
	lapsed, err := queryAll(ctx, tx, scanAllocation, `SELECT `+allocColumns+allocFrom+w.String()+` ORDER BY a.id`, w.args...)
	if err != nil {
		return 0, err
	}
	for _, old := range lapsed {
		x := *old
		x.Ended, x.EndedOn = true, old.To
		if err := endAllocation(ctx, tx, &x, by); err != nil {
			return 0, err
		}
		if err := tx.audit(ctx, "lapse", "space_allocation", itoa(x.ID), old, &x); err != nil {
			return 0, err
		}
	}
	return len(lapsed), nil
}

// ExpireHolds ends the active holds whose day has passed (expired, their
// units available), the leases past their last day, and tells the
// holders of the active holds ending within space.ExpiryWarningDays, each
// hold once. Every end is audited. Run by serve with the red sweep and by
// hand; a second run the same day finds nothing to do. Admins (the
// operator) only: EFORBIDDEN, EUNAUTHORIZED.
func (s *Store) ExpireHolds(ctx context.Context) (space.Expiry, error) {
	var out space.Expiry
	if err := auth.RequireAdmin(ctx); err != nil {
		return out, err
	}
	by, err := actor(ctx)
	if err != nil {
		return out, err
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		out = space.Expiry{}
		today := chanye.DateOf(tx.now)
		past, err := queryAll(ctx, tx, scanHold, `SELECT `+holdColumns+` FROM space_holds h WHERE h.status = 'active' AND h.until_on < ? ORDER BY h.id`, today.String())
		if err != nil {
			return err
		}
		for _, h := range past {
			ended, err := endHold(ctx, tx, h, space.HoldExpired, by, "")
			if err != nil {
				return err
			}
			if err := setUnitStatus(ctx, tx, h.UnitID, space.Held, space.Available); err != nil {
				return err
			}
			if err := tx.audit(ctx, "expire", "space_hold", itoa(h.ID), h, ended); err != nil {
				return err
			}
		}
		out.Expired = len(past)
		if out.LeasesEnded, err = lapseLeases(ctx, tx, nil, by); err != nil {
			return err
		}
		soon, err := queryAll(ctx, tx, scanHold, `SELECT `+holdColumns+` FROM space_holds h
			WHERE h.status = 'active' AND h.until_on <= ? AND h.warned_on IS NULL ORDER BY h.id`, today.AddDate(0, 0, space.ExpiryWarningDays).String())
		if err != nil {
			return err
		}
		for _, h := range soon {
			if err := tx.notifyHoldEnding(ctx, h); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE space_holds SET warned_on = ? WHERE id = ?`, today.String(), h.ID); err != nil {
				return err
			}
		}
		out.Warned = len(soon)
		if out.Expired+out.LeasesEnded > 0 {
			return tx.touchSpace(ctx)
		}
		return nil
	})
	return out, err
}

// notifyHoldEnding tells the holders of hold h that it ends soon.
func (tx *txn) notifyHoldEnding(ctx context.Context, h *space.Hold) error {
	who, err := findHolder(ctx, tx, h.ForKind, h.ForID)
	if err != nil || !who.exists {
		return err
	}
	u, err := findUnit(ctx, tx, h.UnitID)
	if err != nil {
		return err
	}
	unit := u.BlockCode + " " + u.Code
	until := h.Until.String()
	m := notify.Message{Kind: notify.Space, Subject: fmt.Sprintf("space-hold/%d/ending", h.ID),
		TitleZH: truncRunes(fmt.Sprintf("预留将于 %s 到期：%s%s（%s）", until, u.Kind.NameZH(), unit, who.name), 200),
		TitleEN: truncRunes(fmt.Sprintf("A hold ends on %s: %s %s (%s)", until, u.Kind.NameEN(), unit, who.name), 200),
		BodyZH:  "到期后单元将重新可供；如仍需要，请在到期前供地或重新预留。",
		BodyEN:  "Once it ends the unit is offered again: allocate it before then, or hold it anew.",
		Link:    "/space/units/" + url.PathEscape(itoa(u.ID))}
	return tx.notify(ctx, m, who.to...)
}

// findSpaceSettings reads the size rule and the thresholds, the defaults
// when the city has set none.
func findSpaceSettings(ctx context.Context, tx *txn) (space.SizeRule, space.Thresholds, error) {
	r, t := space.DefaultRule, space.DefaultThresholds
	err := tx.queryRow(ctx, `SELECT large_fen, large_area_m2, medium_fen, medium_area_m2, min_tax_per_mu_fen, min_revenue_per_mu_fen, idle_days
		FROM space_settings WHERE id = 1`).Scan(&r.LargeFen, &r.LargeAreaM2, &r.MediumFen, &r.MediumAreaM2, &t.MinTaxPerMuFen, &t.MinRevenuePerMuFen, &t.IdleDays)
	if errors.Is(err, sql.ErrNoRows) {
		return space.DefaultRule, space.DefaultThresholds, nil
	}
	return r, t, err
}

// putSpaceSettings stores the rule and the thresholds, with the audit
// entry of what changed (key "size_rule" or "thresholds").
func putSpaceSettings(ctx context.Context, s *Store, key string, set func(r *space.SizeRule, t *space.Thresholds)) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		r, t, err := findSpaceSettings(ctx, tx)
		if err != nil {
			return err
		}
		oldR, oldT := r, t
		set(&r, &t)
		if _, err := tx.exec(ctx, `INSERT INTO space_settings (id, large_fen, large_area_m2, medium_fen, medium_area_m2, min_tax_per_mu_fen,
			min_revenue_per_mu_fen, idle_days, updated_at, updated_by) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET large_fen = excluded.large_fen, large_area_m2 = excluded.large_area_m2, medium_fen = excluded.medium_fen,
			medium_area_m2 = excluded.medium_area_m2, min_tax_per_mu_fen = excluded.min_tax_per_mu_fen,
			min_revenue_per_mu_fen = excluded.min_revenue_per_mu_fen, idle_days = excluded.idle_days, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by`,
			int64(r.LargeFen), r.LargeAreaM2, int64(r.MediumFen), r.MediumAreaM2, int64(t.MinTaxPerMuFen), int64(t.MinRevenuePerMuFen), t.IdleDays,
			ms(tx.now), by); err != nil {
			return err
		}
		if key == "size_rule" {
			return tx.audit(ctx, "update", "space_settings", key, oldR, r)
		}
		return tx.audit(ctx, "update", "space_settings", key, oldT, t)
	})
}

// FindSizeRule returns the city's size rule, space.DefaultRule until set.
func (s *Store) FindSizeRule(ctx context.Context) (space.SizeRule, error) {
	var out space.SizeRule
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, _, err = findSpaceSettings(ctx, tx)
		return err
	})
	return out, err
}

// PutSizeRule sets the city's size rule. EINVALID (SizeRule.Validate).
func (s *Store) PutSizeRule(ctx context.Context, r space.SizeRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return putSpaceSettings(ctx, s, "size_rule", func(to *space.SizeRule, _ *space.Thresholds) { *to = r })
}

// FindUseThresholds returns the 亩均 thresholds, space.DefaultThresholds
// until set.
func (s *Store) FindUseThresholds(ctx context.Context) (space.Thresholds, error) {
	var out space.Thresholds
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		_, out, err = findSpaceSettings(ctx, tx)
		return err
	})
	return out, err
}

// PutUseThresholds sets the 亩均 thresholds. EINVALID (Thresholds.Validate).
func (s *Store) PutUseThresholds(ctx context.Context, t space.Thresholds) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return putSpaceSettings(ctx, s, "thresholds", func(_ *space.SizeRule, to *space.Thresholds) { *to = t })
}
