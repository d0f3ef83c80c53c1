package authz_test

import (
	"context"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestMatchRules: a firm posts listings for itself only, reads only the
// matches it is a side of and acts for its own side; a stranger firm
// neither reads nor steps another's match; the industry's task force
// organises its fairs and another industry's does not; the public sees a
// fair without its registrations and not its report.
func TestMatchRules(t *testing.T) {
	db, store := sqlstoretest.NewWithDB(t)
	now := testclock.Now()
	db.Now = func() time.Time { return now }
	op := chanye.WithActor(context.Background(), chanye.Operator)
	founded, _ := chanye.ParseDate("2015-06-01")
	codeA, codeB, codeC := projectCode(t, 91), projectCode(t, 92), projectCode(t, 93)
	for _, c := range []string{codeA, codeB, codeC} {
		if err := store.CreateEnterprise(op, &chanye.Enterprise{Code: c, Name: "企业" + c[14:], DistrictCode: "440106", IndustryClass: "3612", Founded: founded}); err != nil {
			t.Fatal(err)
		}
	}
	as := func(a *chanye.Actor) context.Context { return chanye.WithActor(context.Background(), a) }
	buyer := as(&chanye.Actor{Name: "a", Role: chanye.RoleEnterprise, Code: codeA})
	supplier := as(&chanye.Actor{Name: "b", Role: chanye.RoleEnterprise, Code: codeB})
	stranger := as(&chanye.Actor{Name: "c", Role: chanye.RoleEnterprise, Code: codeC})
	tf := as(&chanye.Actor{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"})
	otherTF := as(&chanye.Actor{Name: "tf2", Role: chanye.RoleTaskForce, IndustryID: "biomedicine"})
	public := context.Background()
	listings := authz.MatchListings(store, store)
	matches := authz.Matches(store, store, store)
	fairs := authz.MatchEvents(store, store, store)

	// Listings: for oneself only.
	if err := listings.CreateSupply(buyer, &match.Supply{Code: codeB, Products: "电芯", LinkID: "icv-nev.battery.cell", Classes: []string{"3841"}}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("A posts a supply as B: %v", err)
	}
	sup := &match.Supply{Code: codeB, Products: "动力电池电芯", LinkID: "icv-nev.battery.cell", Classes: []string{"3841"}}
	if err := listings.CreateSupply(supplier, sup); err != nil {
		t.Fatalf("B posts its supply: %v %v", err, chanye.ErrorFields(err))
	}
	dem := &match.Demand{Code: codeA, Needs: "电芯", LinkID: "icv-nev.vehicle.passenger", Classes: []string{"3841"}}
	if err := listings.CreateDemand(buyer, dem); err != nil {
		t.Fatalf("A posts its demand: %v %v", err, chanye.ErrorFields(err))
	}
	if _, err := listings.UpdateSupply(stranger, sup.ID, match.SupplyUpdate{Products: ptr("冒改")}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("C edits B's supply: %v", err)
	}
	if _, err := listings.FindDemandByID(stranger, dem.ID); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("C reads A's demand: %v", err)
	}
	if list, total, err := listings.FindSupplies(stranger, match.ListingFilter{}); err != nil || total != 0 || len(list) != 0 {
		t.Errorf("C lists supplies: %d %v", total, err)
	}

	// Matches: proposed by officials, read and stepped by their sides.
	if _, err := matches.ProposeMatches(buyer, nil); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("a firm runs matchmaking: %v", err)
	}
	run, err := matches.ProposeMatches(tf, nil)
	if err != nil || run.Added != 1 {
		t.Fatalf("the task force runs matchmaking: %+v %v", run, err)
	}
	ms, _, err := matches.FindMatches(buyer, match.MatchFilter{})
	if err != nil || len(ms) != 1 || len(ms[0].Reasons) == 0 {
		t.Fatalf("A's matches: %+v %v", ms, err)
	}
	m := ms[0]
	if _, err := matches.FindMatchByID(stranger, m.ID); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("C reads A and B's match: %v", err)
	}
	// A side reads the other side's listing of its match, no other one.
	if x, err := listings.FindSupplyByID(buyer, sup.ID); err != nil || x.Code != codeB {
		t.Errorf("A reads the supply it is matched with: %+v %v", x, err)
	}
	if x, err := listings.FindDemandByID(supplier, dem.ID); err != nil || x.Code != codeA {
		t.Errorf("B reads the demand it is matched with: %+v %v", x, err)
	}
	if _, err := listings.FindSupplyByID(stranger, sup.ID); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("C reads B's supply: %v", err)
	}
	if list, total, err := matches.FindMatches(stranger, match.MatchFilter{BuyerCode: &codeA}); err != nil || total != 0 || len(list) != 0 {
		t.Errorf("C lists A's matches: %d %v", total, err)
	}
	if _, err := matches.ActOnMatch(stranger, m.ID, match.Step{Action: match.StepAccept}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("C accepts A and B's match: %v", err)
	}
	got, err := matches.ActOnMatch(buyer, m.ID, match.Step{Action: match.StepAccept})
	if err != nil || got.BuyerDecision != match.DecisionAccepted || got.SupplierDecision != match.Pending || got.Status != match.Proposed {
		t.Fatalf("A accepts for its side only: %+v %v", got, err)
	}
	if _, err := matches.ActOnMatch(buyer, m.ID, match.Step{Action: match.StepAccept}); chanye.ErrorCode(err) != chanye.ECONFLICT {
		t.Errorf("A accepts again, as if for B: %v", err)
	}
	if _, err := matches.ActOnMatch(tf, m.ID, match.Step{Action: match.StepAccept}); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("the task force accepts for a firm: %v", err)
	}
	if got, err := matches.ActOnMatch(supplier, m.ID, match.Step{Action: match.StepAccept}); err != nil || got.Status != match.Accepted {
		t.Fatalf("B accepts: %+v %v", got, err)
	}
	if _, err := matches.ActOnMatch(otherTF, m.ID, match.Step{Action: match.StepNegotiate}); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("another industry's task force steps the match: %v", err)
	}
	if got, err := matches.ActOnMatch(tf, m.ID, match.Step{Action: match.StepNegotiate}); err != nil || got.Status != match.Negotiating {
		t.Errorf("the task force records the negotiation: %+v %v", got, err)
	}

	// Fairs: organised by the industry's task force.
	ev := &match.Event{Title: "新能源汽车供需对接会", IndustryID: "icv-nev", Date: chanye.DateOf(now.AddDate(0, 0, 20)), Venue: "会展中心",
		Tables: 4, SlotMinutes: 30, Start: 9 * 60, End: 12 * 60}
	other := *ev
	if err := fairs.CreateEvent(otherTF, &other); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("another industry's task force creates the fair: %v", err)
	}
	if err := fairs.CreateEvent(tf, ev); err != nil {
		t.Fatalf("the task force creates the fair: %v %v", err, chanye.ErrorFields(err))
	}
	if err := fairs.RegisterForEvent(buyer, ev.ID, match.Registration{Code: codeB, Role: match.SideSupplier}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("A registers B: %v", err)
	}
	for ctx, r := range map[context.Context]match.Registration{buyer: {Code: codeA, Role: match.SideBuyer}, supplier: {Code: codeB, Role: match.SideSupplier}} {
		if err := fairs.RegisterForEvent(ctx, ev.ID, r); err != nil {
			t.Fatalf("%s registers: %v", r.Code, err)
		}
	}
	if err := fairs.RegisterForEvent(buyer, ev.ID, match.Registration{Code: codeA, Role: match.SideBuyer, Attended: true}); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("A records its own attendance: %v", err)
	}
	if err := fairs.RegisterForEvent(tf, ev.ID, match.Registration{Code: codeA, Role: match.SideBuyer, Attended: true}); err != nil {
		t.Fatalf("the task force records A's attendance: %v", err)
	}
	if err := fairs.RegisterForEvent(buyer, ev.ID, match.Registration{Code: codeA, Role: match.SideBuyer}); err != nil {
		t.Errorf("A registers again: %v", err)
	}
	if plan, err := fairs.FindEventByID(buyer, ev.ID); err != nil || len(plan.Registrations) != 1 || !plan.Registrations[0].Attended {
		t.Errorf("registering again undid the attendance: %+v %v", plan, err)
	}
	if !authz.MayOrganiseFair(tf, store, chanye.ActorFrom(tf), ev) || authz.MayOrganiseFair(otherTF, store, chanye.ActorFrom(otherTF), ev) {
		t.Error("MayOrganiseFair disagrees with the rules")
	}
	if err := fairs.RequestMeeting(stranger, ev.ID, &match.MeetingRequest{MatchID: m.ID}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("C asks for A and B's meeting: %v", err)
	}
	if err := fairs.RequestMeeting(buyer, ev.ID, &match.MeetingRequest{MatchID: m.ID}); err != nil {
		t.Fatalf("A asks for a meeting: %v %v", err, chanye.ErrorFields(err))
	}
	if _, _, err := fairs.ScheduleEvent(otherTF, ev.ID); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("another industry's task force schedules the fair: %v", err)
	}
	if _, _, err := fairs.ScheduleEvent(buyer, ev.ID); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("a firm schedules the fair: %v", err)
	}
	if tt, _, err := fairs.ScheduleEvent(tf, ev.ID); err != nil || len(tt.Meetings) != 1 {
		t.Fatalf("the task force schedules: %+v %v", tt, err)
	}
	if tt, err := fairs.FindTimetable(stranger, ev.ID); err != nil || len(tt.Meetings) != 0 {
		t.Errorf("C reads the timetable: %+v %v", tt, err)
	}
	if tt, err := fairs.FindTimetable(supplier, ev.ID); err != nil || len(tt.Meetings) != 1 {
		t.Errorf("B reads its meeting: %+v %v", tt, err)
	}
	plan, err := fairs.FindEventByID(public, ev.ID)
	if err != nil || plan.Event.Title != ev.Title || len(plan.Registrations) != 0 {
		t.Errorf("the public reads the fair: %+v %v", plan, err)
	}
	if plan, err := fairs.FindEventByID(supplier, ev.ID); err != nil || len(plan.Registrations) != 1 || plan.Registrations[0].Code != codeB {
		t.Errorf("B reads its registration only: %+v %v", plan, err)
	}
	if _, err := fairs.FindEventReport(public, ev.ID); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
		t.Errorf("the public reads the report: %v", err)
	}
	if _, err := fairs.FindTimetable(public, ev.ID); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
		t.Errorf("the public reads the timetable: %v", err)
	}
	if _, err := matches.FindChainMetrics(public, "icv-nev"); err != nil {
		t.Errorf("the public reads the chain's figures: %v", err)
	}
}
