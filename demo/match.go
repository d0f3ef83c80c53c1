package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/match"
)

// MatchStore is what Matchmaking reads and writes: the registry, the
// chains and matchmaking. *sqlstore.Store is one.
type MatchStore interface {
	FindEnterprises(ctx context.Context, filter chanye.EnterpriseFilter) ([]*chanye.Enterprise, int, error)
	FindChains(ctx context.Context) (*chain.Set, error)
	match.ListingService
	match.MatchService
	match.EventService
}

// MatchOptions says when the demo's matchmaking happens and how listings
// are cut into words (match.NewSegmenter in serve and chanye demo; any
// Segmenter in tests). SetClock and Restore move the store's clock, as for
// Lifecycle.
type MatchOptions struct {
	Today    chanye.Date
	Words    match.Segmenter
	SetClock func(t time.Time)
	Restore  func()
}

// MatchStats counts what the demo's matchmaking made.
type MatchStats struct {
	Supplies, Demands int
	ByStatus          map[match.MatchStatus]int
	Fairs, Meetings   int
}

// maxDemoListings bounds the firms the demo lists on each side.
const maxDemoListings = 60

// Matchmaking makes the demo's 广聚群链, every record marked demo data:
// supplies from firms on the chains' links, demands of the firms on the
// links they supply, a run of matching, matches in every state (proposed,
// half and fully accepted, in talks, signed with a value, declined,
// failed), a past fair with its meetings held, missed and signed, and an
// upcoming one scheduled. It makes nothing when the base has listings or
// no firm on a chain.
func Matchmaking(ctx context.Context, s MatchStore, opts MatchOptions) (MatchStats, error) {
	st := MatchStats{ByStatus: map[match.MatchStatus]int{}}
	if opts.Today.IsZero() || opts.Words == nil || opts.SetClock == nil || opts.Restore == nil {
		return st, errors.New("demo: MatchOptions.Today, Words, SetClock and Restore are required")
	}
	defer opts.Restore()
	if _, total, err := s.FindSupplies(ctx, match.ListingFilter{Limit: 1}); err != nil || total > 0 {
		return st, err
	}
	set, err := s.FindChains(ctx)
	if err != nil {
		return st, err
	}
	ents, _, err := s.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 1000})
	if err != nil {
		return st, err
	}
	at := func(days int) {
		d := opts.Today.AddDate(0, 0, days)
		opts.SetClock(time.Date(d.Year(), d.Month(), d.Day(), 2, 0, 0, 0, time.UTC))
	}
	at(-40)
	// A supplier lists what its link makes; a buyer on a link a supplier's
	// link supplies lists it as its need.
	var buyers, suppliers []*chanye.Enterprise
	for _, e := range ents {
		if len(e.Industries) == 0 || e.IndustryClass == "" {
			continue
		}
		ch := set.Chain(e.Industries[0])
		if ch == nil {
			continue
		}
		link := linkOfClass(ch, e.IndustryClass)
		if link == nil {
			continue
		}
		if from := supplierOf(ch, link.ID); from != nil && len(buyers) < maxDemoListings && len(buyers) <= len(suppliers) {
			d := &match.Demand{Code: e.Code, Needs: "采购" + strings.Join(from.Products, "、"), LinkID: link.ID,
				Quantity: "每月约 1000 件（演示）", NeededBy: chanye.DateOf(opts.Today.AddDate(0, 3, 0)), Demo: true}
			if err := s.CreateDemand(ctx, d); err != nil {
				return st, fmt.Errorf("demo demand of %s: %w", e.Code, err)
			}
			buyers = append(buyers, e)
			st.Demands++
			continue
		}
		if len(link.Products) > 0 && len(suppliers) < maxDemoListings {
			sp := &match.Supply{Code: e.Code, Products: strings.Join(link.Products, "、"), LinkID: link.ID,
				Classes: []string{e.IndustryClass}, Capacity: "年产约 10 万件（演示）", Demo: true}
			if err := s.CreateSupply(ctx, sp); err != nil {
				return st, fmt.Errorf("demo supply of %s: %w", e.Code, err)
			}
			suppliers = append(suppliers, e)
			st.Supplies++
		}
	}
	if st.Supplies == 0 || st.Demands == 0 {
		return st, nil
	}
	if _, err := s.ProposeMatches(ctx, opts.Words); err != nil {
		return st, err
	}
	ms, _, err := s.FindMatches(ctx, match.MatchFilter{Limit: 1000})
	if err != nil {
		return st, err
	}
	picked := ms
	as := func(code string) context.Context {
		return chanye.WithActor(ctx, &chanye.Actor{Name: "demo-" + code[len(code)-6:], Role: chanye.RoleEnterprise, Code: code})
	}
	step := func(m *match.Match, code, action string, st match.Step) error {
		st.Action = action
		c := ctx
		if code != "" {
			c = as(code)
		}
		_, err := s.ActOnMatch(c, m.ID, st)
		return err
	}
	plans := [][]func(m *match.Match) error{
		{}, // proposed
		{func(m *match.Match) error { return step(m, m.BuyerCode, match.StepAccept, match.Step{}) }},
		{func(m *match.Match) error { return step(m, m.BuyerCode, match.StepAccept, match.Step{}) },
			func(m *match.Match) error { return step(m, m.SupplierCode, match.StepAccept, match.Step{}) }},
		{func(m *match.Match) error { return step(m, m.BuyerCode, match.StepAccept, match.Step{}) },
			func(m *match.Match) error { return step(m, m.SupplierCode, match.StepAccept, match.Step{}) },
			func(m *match.Match) error {
				return step(m, "", match.StepNegotiate, match.Step{Note: "演示数据：已约见洽谈"})
			}},
		{func(m *match.Match) error { return step(m, m.BuyerCode, match.StepAccept, match.Step{}) },
			func(m *match.Match) error { return step(m, m.SupplierCode, match.StepAccept, match.Step{}) },
			func(m *match.Match) error { return step(m, "", match.StepNegotiate, match.Step{}) },
			func(m *match.Match) error {
				return step(m, "", match.StepSign, match.Step{ContractFen: 3_800_000_00, Note: "演示数据：年度采购框架协议"})
			}},
		{func(m *match.Match) error {
			return step(m, m.SupplierCode, match.StepDecline, match.Step{Note: "演示数据：产能已满"})
		}},
		{func(m *match.Match) error { return step(m, m.BuyerCode, match.StepAccept, match.Step{}) },
			func(m *match.Match) error { return step(m, m.SupplierCode, match.StepAccept, match.Step{}) },
			func(m *match.Match) error { return step(m, "", match.StepNegotiate, match.Step{}) },
			func(m *match.Match) error {
				return step(m, "", match.StepFail, match.Step{Note: "演示数据：价格未谈拢"})
			}},
	}
	for i, m := range picked {
		if i >= 3*len(plans) {
			break
		}
		at(-30 + i)
		for _, f := range plans[i%len(plans)] {
			if err := f(m); err != nil {
				return st, fmt.Errorf("demo match %d: %w", m.ID, err)
			}
		}
	}
	// Two fairs of the industry with the most matches: one held two weeks
	// ago, one in ten days.
	counts := map[string]int{}
	industry := ""
	for _, m := range ms {
		id := industryOf(set, m.DemandLink)
		if counts[id]++; industry == "" || counts[id] > counts[industry] {
			industry = id
		}
	}
	for _, f := range []struct {
		days int
		past bool
	}{{-14, true}, {10, false}} {
		at(f.days - 20)
		ev := &match.Event{Title: "演示数据：产业链供需对接会", IndustryID: industry, Date: chanye.DateOf(opts.Today.AddDate(0, 0, f.days)),
			Venue: "广交会展馆（演示）", Tables: 4, SlotMinutes: 20, Start: 9 * 60, End: 12 * 60, Demo: true}
		if f.past {
			ev.Title = "演示数据：产业链供需对接会（上期）"
		}
		if err := s.CreateEvent(ctx, ev); err != nil {
			return st, err
		}
		st.Fairs++
		n := 0
		for _, m := range ms {
			if industryOf(set, m.DemandLink) != industry || m.Status == match.Declined || n >= 12 {
				continue
			}
			n++
			for _, r := range []match.Registration{{Code: m.BuyerCode, Role: match.SideBuyer, Attended: f.past}, {Code: m.SupplierCode, Role: match.SideSupplier, Attended: f.past}} {
				if err := s.RegisterForEvent(ctx, ev.ID, r); err != nil {
					return st, err
				}
			}
			if err := s.RequestMeeting(ctx, ev.ID, &match.MeetingRequest{MatchID: m.ID, BuyerCode: m.BuyerCode, SupplierCode: m.SupplierCode, Priority: m.Score}); err != nil {
				return st, err
			}
		}
		tt, _, err := s.ScheduleEvent(ctx, ev.ID)
		if err != nil {
			return st, err
		}
		st.Meetings += len(tt.Meetings)
		if !f.past {
			continue
		}
		at(f.days)
		for i, mt := range tt.Meetings {
			o := match.OutcomeUpdate{Outcome: match.Held, Intention: i%2 == 0}
			switch i % 4 {
			case 1:
				o = match.OutcomeUpdate{Outcome: match.NoShow}
			case 2:
				o.ContractFen = chanye.Fen(int64(50+10*i) * 1_000_000)
			}
			if _, err := s.RecordMeetingOutcome(ctx, ev.ID, mt.ID, o); err != nil {
				return st, err
			}
		}
	}
	final, _, err := s.FindMatches(ctx, match.MatchFilter{Limit: 1000})
	if err != nil {
		return st, err
	}
	for _, m := range final {
		st.ByStatus[m.Status]++
	}
	return st, nil
}

// linkOfClass returns the first link of ch that lists class, else nil.
func linkOfClass(ch *chain.Chain, class string) *chain.Link {
	for _, l := range ch.Links {
		if slices.Contains(l.Classes, class) {
			return l
		}
	}
	return nil
}

// supplierOf returns the link that supplies link id in ch and has
// products, else nil.
func supplierOf(ch *chain.Chain, id string) *chain.Link {
	for _, r := range ch.Relations {
		if r.To == id {
			if l := ch.Link(r.From); l != nil && len(l.Products) > 0 {
				return l
			}
		}
	}
	return nil
}

// industryOf returns the industry whose chain has link id, "" when none.
func industryOf(set *chain.Set, id string) string {
	for _, ch := range set.Chains {
		if ch.Link(id) != nil {
			return ch.IndustryID
		}
	}
	return ""
}
