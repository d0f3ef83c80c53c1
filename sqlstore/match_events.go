package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/uscc"
)

// The matchmaking fairs (供需对接会, match.Event; tables match_fair*):
// the fairs, their registrations, meeting requests and timetable, and
// what the meetings came to. Every write is one transaction with its
// audit entry and its notifications (notify.Fair).

const fairColumns = `f.id, f.title, f.industry_id, f.on_day, f.venue, f.table_count, f.slot_minutes, f.start_min, f.end_min, f.demo`

func scanFair(row interface{ Scan(...any) error }) (*match.Event, error) {
	var (
		ev   match.Event
		day  string
		demo int
	)
	if err := row.Scan(&ev.ID, &ev.Title, &ev.IndustryID, &day, &ev.Venue, &ev.Tables, &ev.SlotMinutes, &ev.Start, &ev.End, &demo); err != nil {
		return nil, err
	}
	var err error
	ev.Date, err = parseDate(valid(day))
	ev.Demo = demo != 0
	return &ev, err
}

func findFair(ctx context.Context, tx *txn, id int64) (*match.Event, error) {
	ev, err := scanFair(tx.queryRow(ctx, `SELECT `+fairColumns+` FROM match_fairs f WHERE f.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "对接会 %d 不存在 / matchmaking fair %d not found", id, id)
	}
	return ev, err
}

// fairPlan reads a fair with its registrations, by role and code.
func fairPlan(ctx context.Context, tx *txn, id int64) (*match.EventPlan, error) {
	ev, err := findFair(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	regs, err := queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (match.Registration, error) {
		var (
			r        match.Registration
			attended int
		)
		err := row.Scan(&r.Code, &r.Name, &r.Role, &attended)
		r.Attended = attended != 0
		return r, err
	}, `SELECT r.code, COALESCE(e.name, ''), r.role, r.attended FROM match_fair_registrations r LEFT JOIN enterprises e ON e.code = r.code
		WHERE r.fair_id = ? ORDER BY r.role, r.code`, id)
	if regs == nil {
		regs = []match.Registration{}
	}
	return &match.EventPlan{Event: *ev, Registrations: regs}, err
}

// FindEventByID returns a fair with its registrations, by role and code,
// with the firms' names. ENOTFOUND.
func (s *Store) FindEventByID(ctx context.Context, id int64) (*match.EventPlan, error) {
	var out *match.EventPlan
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = fairPlan(ctx, tx, id)
		return err
	})
	return out, err
}

// FindEvents returns a page of fairs, the latest day first, and the
// total. EINVALID for a bad filter.
func (s *Store) FindEvents(ctx context.Context, f match.EventFilter) ([]*match.Event, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if f.IndustryID != nil {
		w.add("f.industry_id = ?", *f.IndustryID)
	}
	if !f.From.IsZero() {
		w.add("f.on_day >= ?", f.From.String())
	}
	if !f.To.IsZero() {
		w.add("f.on_day <= ?", f.To.String())
	}
	out, total, err := readPage(ctx, s.db, fairColumns, ` FROM match_fairs f`, w, "f.on_day DESC, f.id DESC", limit, f.Offset, scanFair)
	if out == nil {
		out = []*match.Event{}
	}
	return out, total, err
}

// CreateEvent stores a fair; its ID is set. EINVALID (Event.Validate, an
// unknown industry).
func (s *Store) CreateEvent(ctx context.Context, in *match.Event) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	x := *in
	if err := x.Validate(); err != nil {
		return err
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		if x.IndustryID != "" {
			if _, err := findIndustry(ctx, tx, x.IndustryID); chanye.ErrorCode(err) == chanye.ENOTFOUND {
				return chanye.Invalid("对接会有误 / invalid matchmaking fair", map[string]string{"industry_id": fmt.Sprintf("未知产业 %q / unknown industry %q", x.IndustryID, x.IndustryID)})
			} else if err != nil {
				return err
			}
		}
		if err := tx.queryRow(ctx, `INSERT INTO match_fairs (title, industry_id, on_day, venue, table_count, slot_minutes, start_min, end_min,
			demo, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			x.Title, x.IndustryID, x.Date.String(), x.Venue, x.Tables, x.SlotMinutes, int(x.Start), int(x.End),
			boolInt(x.Demo), ms(tx.now), by).Scan(&x.ID); err != nil {
			return err
		}
		return tx.audit(ctx, "create", "match_fair", itoa(x.ID), nil, &x)
	})
	if err != nil {
		return err
	}
	*in = x
	return nil
}

// RegisterForEvent registers a registry firm for a fair in a role, once
// per firm and role; registering again changes its attendance only. A
// firm registered by an official, not by itself, is told. EINVALID,
// ENOTFOUND (fair, enterprise), ECONFLICT past match.MaxRegistrations of
// the role.
func (s *Store) RegisterForEvent(ctx context.Context, eventID int64, r match.Registration) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	r.Name = ""
	return s.db.transact(ctx, false, func(tx *txn) error {
		ev, err := findFair(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if ok, err := inRegistry(ctx, tx, r.Code); err != nil {
			return err
		} else if !ok {
			return chanye.Errorf(chanye.ENOTFOUND, "企业 %s 不在名录中 / no enterprise %s in the registry", r.Code, r.Code)
		}
		var (
			before   *match.Registration
			attended int
		)
		switch err := tx.queryRow(ctx, `SELECT attended FROM match_fair_registrations WHERE fair_id = ? AND code = ? AND role = ?`,
			eventID, r.Code, string(r.Role)).Scan(&attended); {
		case errors.Is(err, sql.ErrNoRows):
			if n, err := count(ctx, tx, `SELECT COUNT(*) FROM match_fair_registrations WHERE fair_id = ? AND role = ?`, eventID, string(r.Role)); err != nil {
				return err
			} else if n >= match.MaxRegistrations {
				return chanye.Errorf(chanye.ECONFLICT, "对接会 %d 的%s报名已满 %d 家 / fair %d has %d %ss registered already",
					eventID, r.Role.NameZH(), match.MaxRegistrations, eventID, match.MaxRegistrations, r.Role.NameEN())
			}
		case err != nil:
			return err
		default:
			before = &match.Registration{Code: r.Code, Role: r.Role, Attended: attended != 0}
		}
		if _, err := tx.exec(ctx, `INSERT INTO match_fair_registrations (fair_id, code, role, attended, registered_at, registered_by)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (fair_id, code, role) DO UPDATE SET attended = excluded.attended`,
			eventID, r.Code, string(r.Role), boolInt(r.Attended), ms(tx.now), by); err != nil {
			return err
		}
		if before == nil && chanye.ActorFrom(ctx).Role != chanye.RoleEnterprise {
			m := notify.Message{Kind: notify.Fair, Subject: fmt.Sprintf("fair/%d/registration/%s", eventID, r.Role), Link: fairLink(eventID),
				TitleZH: truncRunes(fmt.Sprintf("已为您报名对接会（%s）：%s", r.Role.NameZH(), ev.Title), 200),
				TitleEN: truncRunes(fmt.Sprintf("You are registered as a %s for the fair %s", r.Role.NameEN(), ev.Title), 200)}
			m.BodyZH, m.BodyEN = fairWhen(ev)
			if err := tx.notify(ctx, m, notify.Enterprise(r.Code)); err != nil {
				return err
			}
		}
		return tx.audit(ctx, "register", "match_fair_registration", itoa(eventID)+"/"+r.Code+"/"+string(r.Role), before, &r)
	})
}

// RequestMeeting asks for a meeting at a fair. From a match (MatchID),
// the codes left out are the match's, given ones must be, and a priority
// of 0 is the match's score; r is completed so. EINVALID
// (MeetingRequest.Validate, codes not the match's), ENOTFOUND (fair,
// match), ECONFLICT when the pair has asked at the fair already. A
// firm's request is told to the fair's organisers.
func (s *Store) RequestMeeting(ctx context.Context, eventID int64, r *match.MeetingRequest) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	x := *r
	err = s.db.transact(ctx, false, func(tx *txn) error {
		ev, err := findFair(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if x.MatchID > 0 {
			m, err := findMatch(ctx, tx, x.MatchID)
			if err != nil {
				return err
			}
			bad := map[string]string{}
			for _, c := range []struct {
				field, zh, en string
				code          *string
				want          string
			}{{"buyer_code", "需方", "buyer", &x.BuyerCode, m.BuyerCode}, {"supplier_code", "供方", "supplier", &x.SupplierCode, m.SupplierCode}} {
				if *c.code = uscc.Normalize(*c.code); *c.code == "" {
					*c.code = c.want
				} else if *c.code != c.want {
					bad[c.field] = fmt.Sprintf("不是对接 %d 的%s / not the %s of match %d", x.MatchID, c.zh, c.en, x.MatchID)
				}
			}
			if err := chanye.Invalid("洽谈申请有误 / invalid meeting request", bad); err != nil {
				return err
			}
			if x.Priority == 0 {
				x.Priority = m.Score
			}
		}
		if err := x.Validate(); err != nil {
			return err
		}
		if n, err := count(ctx, tx, `SELECT COUNT(*) FROM match_fair_requests WHERE fair_id = ? AND buyer_code = ? AND supplier_code = ?`,
			eventID, x.BuyerCode, x.SupplierCode); err != nil {
			return err
		} else if n > 0 {
			return chanye.Errorf(chanye.ECONFLICT, "%s 与 %s 已申请在该对接会洽谈 / %s and %s have asked for a meeting at this fair already",
				x.BuyerCode, x.SupplierCode, x.BuyerCode, x.SupplierCode)
		}
		var id int64
		if err := tx.queryRow(ctx, `INSERT INTO match_fair_requests (fair_id, match_id, buyer_code, supplier_code, priority, requested_at, requested_by)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, eventID, idOrNull(x.MatchID), x.BuyerCode, x.SupplierCode, x.Priority,
			ms(tx.now), by).Scan(&id); err != nil {
			return err
		}
		if chanye.ActorFrom(ctx).Role == chanye.RoleEnterprise {
			if err := tx.notifyMeetingRequest(ctx, ev, id, &x); err != nil {
				return err
			}
		}
		return tx.audit(ctx, "create", "match_fair_request", itoa(id), nil, map[string]any{"event_id": eventID, "request": x})
	})
	if err != nil {
		return err
	}
	*r = x
	return nil
}

// idOrNull stores an id of 0 (none) as NULL.
func idOrNull(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func meetingRequests(ctx context.Context, tx *txn, eventID int64) ([]match.MeetingRequest, error) {
	out, err := queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (match.MeetingRequest, error) {
		var (
			r       match.MeetingRequest
			matchID sql.NullInt64
		)
		err := row.Scan(&matchID, &r.BuyerCode, &r.SupplierCode, &r.Priority)
		r.MatchID = matchID.Int64
		return r, err
	}, `SELECT match_id, buyer_code, supplier_code, priority FROM match_fair_requests WHERE fair_id = ?
		ORDER BY priority DESC, buyer_code, supplier_code`, eventID)
	if out == nil {
		out = []match.MeetingRequest{}
	}
	return out, err
}

// FindMeetingRequests returns a fair's meeting requests, the highest
// priority first, then by the buyer's and the supplier's code.
// ENOTFOUND.
func (s *Store) FindMeetingRequests(ctx context.Context, eventID int64) ([]match.MeetingRequest, error) {
	var out []match.MeetingRequest
	err := s.db.transact(ctx, true, func(tx *txn) error {
		if _, err := findFair(ctx, tx, eventID); err != nil {
			return err
		}
		var err error
		out, err = meetingRequests(ctx, tx, eventID)
		return err
	})
	return out, err
}

// meetings reads a fair's timetable, by slot and table, each meeting's
// times from its slot.
func meetings(ctx context.Context, tx *txn, ev *match.Event, cond string, args ...any) ([]*match.Meeting, error) {
	out, err := queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (*match.Meeting, error) {
		var (
			m                 match.Meeting
			matchID, contract sql.NullInt64
			intention         int
		)
		if err := row.Scan(&m.ID, &matchID, &m.BuyerCode, &m.SupplierCode, &m.Priority, &m.Table, &m.Slot, &m.Outcome, &intention, &contract); err != nil {
			return nil, err
		}
		m.MatchID, m.Intention, m.ContractFen = matchID.Int64, intention != 0, chanye.Fen(contract.Int64)
		m.Start, m.End = ev.SlotTime(m.Slot)
		return &m, nil
	}, `SELECT id, match_id, buyer_code, supplier_code, priority, table_no, slot, outcome, intention, contract_fen
		FROM match_fair_meetings WHERE fair_id = ?`+cond+` ORDER BY slot, table_no`, append([]any{ev.ID}, args...)...)
	if out == nil {
		out = []*match.Meeting{}
	}
	return out, err
}

// FindTimetable returns a fair's timetable, by slot and table.
// ENOTFOUND.
func (s *Store) FindTimetable(ctx context.Context, eventID int64) (*match.Timetable, error) {
	var out *match.Timetable
	err := s.db.transact(ctx, true, func(tx *txn) error {
		ev, err := findFair(ctx, tx, eventID)
		if err != nil {
			return err
		}
		ms, err := meetings(ctx, tx, ev, "")
		out = &match.Timetable{Event: *ev, Meetings: ms}
		return err
	})
	return out, err
}

// writeTimetable replaces a fair's meetings with t's, keeping the id of
// a meeting that has one.
func writeTimetable(ctx context.Context, tx *txn, t *match.Timetable) error {
	if _, err := tx.exec(ctx, `DELETE FROM match_fair_meetings WHERE fair_id = ?`, t.Event.ID); err != nil {
		return err
	}
	for _, m := range t.Meetings {
		args := []any{t.Event.ID, idOrNull(m.MatchID), m.BuyerCode, m.SupplierCode, m.Priority, m.Table, m.Slot,
			string(m.Outcome), boolInt(m.Intention), fenOrNull(m.ContractFen)}
		const columns = `fair_id, match_id, buyer_code, supplier_code, priority, table_no, slot, outcome, intention, contract_fen`
		if m.ID != 0 {
			if _, err := tx.exec(ctx, `INSERT INTO match_fair_meetings (id, `+columns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				append([]any{m.ID}, args...)...); err != nil {
				return err
			}
		} else if err := tx.queryRow(ctx, `INSERT INTO match_fair_meetings (`+columns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			args...).Scan(&m.ID); err != nil {
			return err
		}
	}
	return nil
}

// ScheduleEvent places the fair's requested meetings (match.Schedule),
// replacing its timetable, and returns it with the requests left out;
// the firms whose meetings changed are told (notifyTimetable).
// ENOTFOUND, ECONFLICT once an outcome is recorded.
func (s *Store) ScheduleEvent(ctx context.Context, eventID int64) (*match.Timetable, []match.Unscheduled, error) {
	if _, err := actor(ctx); err != nil {
		return nil, nil, err
	}
	var (
		out *match.Timetable
		un  []match.Unscheduled
	)
	err := s.db.transact(ctx, false, func(tx *txn) error {
		plan, err := fairPlan(ctx, tx, eventID)
		if err != nil {
			return err
		}
		old, err := meetings(ctx, tx, &plan.Event, "")
		if err != nil {
			return err
		}
		for _, m := range old {
			if m.Outcome != "" {
				return chanye.Errorf(chanye.ECONFLICT, "对接会 %d 已记录洽谈结果，不能重新排程 / fair %d has outcomes recorded: it cannot be scheduled again", eventID, eventID)
			}
		}
		reqs, err := meetingRequests(ctx, tx, eventID)
		if err != nil {
			return err
		}
		tt, left := match.Schedule(*plan, reqs)
		if tt.Meetings == nil {
			tt.Meetings = []*match.Meeting{}
		}
		if err := writeTimetable(ctx, tx, &tt); err != nil {
			return err
		}
		if err := tx.notifyTimetable(ctx, plan, old, tt.Meetings); err != nil {
			return err
		}
		out, un = &tt, left
		return tx.audit(ctx, "schedule", "match_fair", itoa(eventID), map[string]any{"meetings": old},
			map[string]any{"meetings": tt.Meetings, "unscheduled": len(left)})
	})
	if err != nil {
		return nil, nil, err
	}
	if un == nil {
		un = []match.Unscheduled{}
	}
	return out, un, nil
}

// SaveTimetable replaces a fair's timetable with one edited by hand, for
// the fair as stored (t.Event is set from it): Timetable.Validate, each
// meeting's id (kept) one of the fair's or 0 for a new one, its match
// one stored or 0. t's meetings get their ids and times; the firms
// whose meetings changed are told (notifyTimetable). EINVALID (a double
// booking among them), ENOTFOUND.
func (s *Store) SaveTimetable(ctx context.Context, eventID int64, t *match.Timetable) error {
	if _, err := actor(ctx); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		plan, err := fairPlan(ctx, tx, eventID)
		if err != nil {
			return err
		}
		ev := &plan.Event
		x := match.Timetable{Event: *ev, Meetings: make([]*match.Meeting, len(t.Meetings))}
		for i, m := range t.Meetings {
			if m != nil {
				c := *m
				x.Meetings[i] = &c
			}
		}
		if err := x.Validate(); err != nil {
			return err
		}
		old, err := meetings(ctx, tx, ev, "")
		if err != nil {
			return err
		}
		ids := map[int64]bool{}
		for _, m := range old {
			ids[m.ID] = false
		}
		bad := map[string]string{}
		for i, m := range x.Meetings {
			k := fmt.Sprintf("meetings[%d]", i)
			if m.ID != 0 {
				if used, ok := ids[m.ID]; !ok || used {
					bad[k+".id"] = fmt.Sprintf("洽谈 %d 不是该对接会的，或出现两次 / meeting %d is not the fair's, or is given twice", m.ID, m.ID)
				}
				ids[m.ID] = true
			}
			if m.MatchID != 0 {
				if n, err := count(ctx, tx, `SELECT COUNT(*) FROM matches WHERE id = ?`, m.MatchID); err != nil {
					return err
				} else if n == 0 {
					bad[k+".match_id"] = fmt.Sprintf("对接 %d 不存在 / no match %d", m.MatchID, m.MatchID)
				}
			}
		}
		if err := chanye.Invalid("洽谈日程有误 / invalid timetable", bad); err != nil {
			return err
		}
		if err := writeTimetable(ctx, tx, &x); err != nil {
			return err
		}
		if err := tx.notifyTimetable(ctx, plan, old, x.Meetings); err != nil {
			return err
		}
		*t = x
		return tx.audit(ctx, "save_timetable", "match_fair", itoa(eventID), map[string]any{"meetings": old}, map[string]any{"meetings": x.Meetings})
	})
}

// Notifications of the fairs (notify.Fair).

func fairLink(id int64) string { return "/fairs/" + itoa(id) }

// fairWhen says when and where fair ev is, in Chinese and English.
func fairWhen(ev *match.Event) (zh, en string) {
	return fmt.Sprintf("%s %s–%s，%s。", ev.Date, ev.Start, ev.End, ev.Venue), fmt.Sprintf("%s, %s–%s, at %s.", ev.Date, ev.Start, ev.End, ev.Venue)
}

// organisers are the scopes that organise fair ev: its industry's task
// force and lead department, the administrators for a fair of every
// industry.
func organisers(ctx context.Context, tx *txn, ev *match.Event) []notify.Scope {
	if ev.IndustryID == "" {
		return []notify.Scope{notify.Admins}
	}
	return runners(ctx, tx, ev.IndustryID)
}

// notifyMeetingRequest tells the organisers of fair ev of meeting
// request id, asked for by a firm.
func (tx *txn) notifyMeetingRequest(ctx context.Context, ev *match.Event, id int64, r *match.MeetingRequest) error {
	names := map[string]string{}
	for _, code := range []string{r.BuyerCode, r.SupplierCode} {
		var name string
		if err := tx.queryRow(ctx, `SELECT name FROM enterprises WHERE code = ?`, code).Scan(&name); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		names[code] = cmp.Or(name, code)
	}
	bn, sn := names[r.BuyerCode], names[r.SupplierCode]
	m := notify.Message{Kind: notify.Fair, Subject: fmt.Sprintf("fair/%d/request/%d", ev.ID, id), Link: fairLink(ev.ID),
		TitleZH: truncRunes(fmt.Sprintf("对接会“%s”收到洽谈申请：%s 与 %s", ev.Title, bn, sn), 200),
		TitleEN: truncRunes(fmt.Sprintf("A meeting request at the fair %s: %s and %s", ev.Title, bn, sn), 200),
		BodyZH:  fmt.Sprintf("需方：%s；供方：%s；优先级 %d。排程时一并安排。", bn, sn, r.Priority),
		BodyEN:  fmt.Sprintf("Buyer: %s; supplier: %s; priority %d. It is placed when the fair is scheduled.", bn, sn, r.Priority)}
	if r.MatchID > 0 {
		m.BodyZH += fmt.Sprintf("来自对接 %d。", r.MatchID)
		m.BodyEN += fmt.Sprintf(" From match %d.", r.MatchID)
	}
	return tx.notify(ctx, m, organisers(ctx, tx, ev)...)
}

// meetingLines writes each firm's meetings of a timetable, by slot and
// table, in Chinese and English, with the other firm's name.
func meetingLines(plan *match.EventPlan, ms []*match.Meeting) map[string]*[2][]string {
	names := map[string]string{}
	for _, r := range plan.Registrations {
		names[r.Code] = r.Name
	}
	sorted := slices.Clone(ms)
	slices.SortFunc(sorted, func(a, b *match.Meeting) int {
		return cmp.Or(cmp.Compare(a.Slot, b.Slot), cmp.Compare(a.Table, b.Table))
	})
	out := map[string]*[2][]string{}
	for _, m := range sorted {
		start, end := plan.Event.SlotTime(m.Slot)
		for _, p := range []struct {
			code, with string
			side       match.Side
		}{{m.BuyerCode, m.SupplierCode, match.SideSupplier}, {m.SupplierCode, m.BuyerCode, match.SideBuyer}} {
			with := cmp.Or(names[p.with], p.with)
			l := out[p.code]
			if l == nil {
				l = &[2][]string{}
				out[p.code] = l
			}
			l[0] = append(l[0], fmt.Sprintf("%s–%s 第 %d 桌：与%s %s", start, end, m.Table, p.side.NameZH(), with))
			l[1] = append(l[1], fmt.Sprintf("%s–%s table %d: with the %s %s", start, end, m.Table, p.side.NameEN(), with))
		}
	}
	return out
}

// notifyTimetable tells each firm whose meetings at a fair differ
// between the timetable old and the one now (scheduled or edited by
// hand) what they are now, or that it has none left; a firm whose
// meetings are as they were is not told again. A timetable may change
// often: the subject names the time of the change and what the firm is
// told.
func (tx *txn) notifyTimetable(ctx context.Context, plan *match.EventPlan, old, now []*match.Meeting) error {
	ev := &plan.Event
	before, after := meetingLines(plan, old), meetingLines(plan, now)
	codes := slices.Collect(maps.Keys(after))
	for code := range before {
		if after[code] == nil {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	whenZH, whenEN := fairWhen(ev)
	for _, code := range codes {
		was, is := before[code], after[code]
		if was != nil && is != nil && slices.Equal(was[0], is[0]) {
			continue
		}
		m := notify.Message{Kind: notify.Fair, Link: fairLink(ev.ID)}
		if is == nil {
			m.TitleZH = truncRunes(fmt.Sprintf("您在对接会“%s”的洽谈已取消", ev.Title), 200)
			m.TitleEN = truncRunes(fmt.Sprintf("Your meetings at the fair %s are cancelled", ev.Title), 200)
			m.BodyZH, m.BodyEN = whenZH, whenEN
			is = &[2][]string{}
		} else {
			m.TitleZH = truncRunes(fmt.Sprintf("您在对接会“%s”有 %d 场洽谈", ev.Title, len(is[0])), 200)
			m.TitleEN = truncRunes(fmt.Sprintf("You have %d meetings at the fair %s", len(is[0]), ev.Title), 200)
			m.BodyZH = truncRunes(whenZH+"\n"+strings.Join(is[0], "\n"), 2000)
			m.BodyEN = truncRunes(whenEN+"\n"+strings.Join(is[1], "\n"), 2000)
		}
		h := fnv.New32a()
		h.Write([]byte(strings.Join(is[0], "\n")))
		m.Subject = fmt.Sprintf("fair/%d/timetable/%d/%08x", ev.ID, tx.now.UnixMilli(), h.Sum32())
		if err := tx.notify(ctx, m, notify.Enterprise(code)); err != nil {
			return err
		}
	}
	return nil
}

// RecordMeetingOutcome records what became of a meeting of a fair
// (OutcomeUpdate.Validate) and returns the meeting. EINVALID, ENOTFOUND.
func (s *Store) RecordMeetingOutcome(ctx context.Context, eventID, meetingID int64, o match.OutcomeUpdate) (*match.Meeting, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	var out *match.Meeting
	err := s.db.transact(ctx, false, func(tx *txn) error {
		ev, err := findFair(ctx, tx, eventID)
		if err != nil {
			return err
		}
		ms, err := meetings(ctx, tx, ev, " AND id = ?", meetingID)
		if err != nil {
			return err
		} else if len(ms) == 0 {
			return chanye.Errorf(chanye.ENOTFOUND, "对接会 %d 没有洽谈 %d / fair %d has no meeting %d", eventID, meetingID, eventID, meetingID)
		}
		old := ms[0]
		x := *old
		x.Outcome, x.Intention, x.ContractFen = o.Outcome, o.Intention, o.ContractFen
		if _, err := tx.exec(ctx, `UPDATE match_fair_meetings SET outcome = ?, intention = ?, contract_fen = ? WHERE id = ?`,
			string(x.Outcome), boolInt(x.Intention), fenOrNull(x.ContractFen), meetingID); err != nil {
			return err
		}
		out = &x
		return tx.audit(ctx, "record_outcome", "match_fair_meeting", itoa(meetingID), old, &x)
	})
	return out, err
}

// FindEventReport returns what a fair came to (match.Report). ENOTFOUND,
// EINVALID on overflow.
func (s *Store) FindEventReport(ctx context.Context, eventID int64) (*match.EventReport, error) {
	var (
		plan *match.EventPlan
		ms   []*match.Meeting
	)
	err := s.db.snapshot(ctx, func(tx *txn) (err error) {
		if plan, err = fairPlan(ctx, tx, eventID); err != nil {
			return err
		}
		ms, err = meetings(ctx, tx, &plan.Event, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return match.Report(*plan, ms)
}
