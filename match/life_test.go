package match_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/match"
)

func day(n int) chanye.Date { return chanye.Date{Time: today.AddDate(0, 0, n)} }

func proposed() *match.Match {
	return &match.Match{ID: 7, DemandID: 1, SupplyID: 2, BuyerCode: "B", SupplierCode: "S", Score: 60, Status: match.Proposed, ProposedOn: today}
}

// step is one call of Apply and what it should give: the error code, or
// the status after it.
type step struct {
	st   match.Step
	side match.Side
	code string            // "" no error
	want match.MatchStatus // after it, error or not
}

// TestApply: the ways a match goes, step by step.
func TestApply(t *testing.T) {
	sign := match.Step{Action: match.StepSign, ContractFen: 12_345_600}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"both accept, negotiate, sign", []step{
			{match.Step{Action: match.StepAccept}, match.SideBuyer, "", match.Proposed},
			{match.Step{Action: match.StepAccept}, match.SideBuyer, chanye.ECONFLICT, match.Proposed}, // twice
			{match.Step{Action: match.StepNegotiate}, match.SideOfficial, chanye.ECONFLICT, match.Proposed},
			{match.Step{Action: match.StepAccept}, match.SideSupplier, "", match.Accepted},
			{sign, match.SideBuyer, chanye.ECONFLICT, match.Accepted}, // negotiate first
			{match.Step{Action: match.StepNegotiate}, match.SideOfficial, "", match.Negotiating},
			{match.Step{Action: match.StepSign}, match.SideSupplier, chanye.EINVALID, match.Negotiating}, // no amount
			{sign, match.SideSupplier, "", match.Signed},
			{match.Step{Action: match.StepFail, Note: "x"}, match.SideBuyer, chanye.ECONFLICT, match.Signed},
		}},
		{"the supplier declines", []step{
			{match.Step{Action: match.StepDecline, Note: "产能已满"}, match.SideSupplier, "", match.Declined},
			{match.Step{Action: match.StepAccept}, match.SideBuyer, chanye.ECONFLICT, match.Declined},
		}},
		{"the buyer accepts, then thinks better of it", []step{
			{match.Step{Action: match.StepAccept}, match.SideBuyer, "", match.Proposed},
			{match.Step{Action: match.StepDecline}, match.SideBuyer, "", match.Declined},
		}},
		{"an official neither accepts nor declines for a firm", []step{
			{match.Step{Action: match.StepAccept}, match.SideOfficial, chanye.EFORBIDDEN, match.Proposed},
			{match.Step{Action: match.StepDecline}, match.SideOfficial, chanye.EFORBIDDEN, match.Proposed},
		}},
		{"accepted, then failed without negotiating", []step{
			{match.Step{Action: match.StepAccept}, match.SideSupplier, "", match.Proposed},
			{match.Step{Action: match.StepAccept}, match.SideBuyer, "", match.Accepted},
			{match.Step{Action: match.StepDecline}, match.SideBuyer, chanye.ECONFLICT, match.Accepted}, // too late: fail
			{match.Step{Action: match.StepFail}, match.SideBuyer, chanye.EINVALID, match.Accepted},     // why?
			{match.Step{Action: match.StepFail, Note: "价格谈不拢"}, match.SideBuyer, "", match.Failed},
		}},
		{"bad steps", []step{
			{match.Step{Action: "approve"}, match.SideBuyer, chanye.EINVALID, match.Proposed},
			{match.Step{Action: match.StepAccept}, "leader", chanye.EINVALID, match.Proposed},
			{match.Step{Action: match.StepDecline, Note: strings.Repeat("因", match.MaxNoteRunes+1)}, match.SideBuyer, chanye.EINVALID, match.Proposed},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := proposed()
			for i, s := range tc.steps {
				evs, err := m.Apply(s.st, s.side, today, "tester")
				if got := chanye.ErrorCode(err); got != s.code {
					t.Fatalf("step %d (%s as %s): error %q (%v), want %q", i, s.st.Action, s.side, got, err, s.code)
				}
				if m.Status != s.want {
					t.Fatalf("step %d (%s as %s): status %s, want %s", i, s.st.Action, s.side, m.Status, s.want)
				}
				if err != nil {
					if evs != nil {
						t.Fatalf("step %d: events with an error", i)
					}
					continue
				}
				if len(evs) != 1 || evs[0].Action != s.st.Action || evs[0].To != m.Status || evs[0].Side != s.side || evs[0].By != "tester" || evs[0].On != today {
					t.Fatalf("step %d: events %+v", i, evs)
				}
			}
		})
	}
}

// TestApplyRecords: what each step leaves on the match.
func TestApplyRecords(t *testing.T) {
	m := proposed()
	must := func(st match.Step, side match.Side, on chanye.Date) {
		t.Helper()
		if _, err := m.Apply(st, side, on, "u"); err != nil {
			t.Fatal(err)
		}
	}
	must(match.Step{Action: match.StepAccept}, match.SideSupplier, day(1))
	if m.SupplierDecision != match.DecisionAccepted || m.BuyerDecision != match.Pending || !m.AcceptedOn.IsZero() {
		t.Fatalf("after the supplier: %+v", m)
	}
	must(match.Step{Action: match.StepAccept}, match.SideBuyer, day(3))
	if m.AcceptedOn != day(3) {
		t.Errorf("accepted on %s", m.AcceptedOn)
	}
	must(match.Step{Action: match.StepNegotiate}, match.SideBuyer, day(4))
	// A contract dated after today, or before the proposal, is refused.
	for _, on := range []chanye.Date{day(11), day(-1)} {
		if _, err := m.Apply(match.Step{Action: match.StepSign, ContractFen: 100, SignedOn: on}, match.SideOfficial, day(10), "u"); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("signed on %s: %v", on, err)
		}
	}
	if _, err := m.Apply(match.Step{Action: match.StepSign, ContractFen: chanye.MaxProjectFen + 1}, match.SideOfficial, day(10), "u"); chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("a contract above the bound: %v", err)
	}
	evs, err := m.Apply(match.Step{Action: match.StepSign, ContractFen: 500_000_00, SignedOn: day(8)}, match.SideOfficial, day(10), "u")
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != match.Signed || m.SignedOn != day(8) || m.EndedOn != day(10) || m.ContractFen != 500_000_00 || evs[0].ContractFen != 500_000_00 || evs[0].From != match.Negotiating {
		t.Errorf("signed: %+v, %+v", m, evs[0])
	}
	if !m.Status.Ended() || match.Negotiating.Ended() {
		t.Error("Ended")
	}

	d := proposed()
	if _, err := d.Apply(match.Step{Action: match.StepDecline, Note: " 产能已满 "}, match.SideBuyer, day(2), "u"); err != nil {
		t.Fatal(err)
	}
	if d.BuyerDecision != match.DecisionDeclined || d.EndReason != "产能已满" || d.EndedOn != day(2) {
		t.Errorf("declined: %+v", d)
	}
	if s, ok := d.SideOf("S"); !ok || s != match.SideSupplier {
		t.Errorf("SideOf(S) = %s, %v", s, ok)
	}
	if _, ok := d.SideOf("X"); ok {
		t.Error("SideOf a stranger")
	}
}

// TestChainMetrics: the chain's demands and matches, the local share per
// mille, unknown without demands, and an overflowing sum an error.
func TestChainMetrics(t *testing.T) {
	ch := testSet().Chains[0]
	demands := []*match.Demand{
		{ID: 1, LinkID: "icv-nev.vehicle", Status: match.Open},
		{ID: 2, LinkID: "icv-nev.battery.cell", Status: match.Open},
		{ID: 3, Classes: []string{"3812"}, Status: match.Open}, // the chain's by its class
		{ID: 4, Status: match.Open},                            // nobody's
		{ID: 5, LinkID: "icv-nev.vehicle", Status: match.Closed},
		{ID: 6, LinkID: "other.link", Status: match.Open},
	}
	matches := []*match.Match{
		{DemandID: 1, DemandLink: "icv-nev.vehicle", SupplyLink: "icv-nev.battery", Local: true, Status: match.Signed, ContractFen: 300},
		{DemandID: 1, DemandLink: "icv-nev.vehicle", SupplyLink: "icv-nev.e-drive", Local: true, Status: match.Negotiating},
		{DemandID: 2, DemandLink: "icv-nev.battery.cell", SupplyLink: "icv-nev.battery", Local: false, Status: match.Failed},
		{DemandID: 3, SupplyLink: "icv-nev.e-drive", Local: true, Status: match.Declined},
		{DemandID: 5, DemandLink: "icv-nev.vehicle", SupplyLink: "icv-nev.battery", Local: true, Status: match.Signed, ContractFen: 200},
		{DemandID: 6, DemandLink: "other.link", SupplyLink: "other.x", Local: true, Status: match.Signed, ContractFen: 1000},
		nil,
	}
	got, err := match.ChainMetrics(ch, demands, matches)
	if err != nil {
		t.Fatal(err)
	}
	// Open demands 1, 2, 3; 1 and 3 matched locally: 666‰.
	if got.OpenDemands != 3 || got.LocallyMatched != 2 || got.LocalSupplyPerMille == nil || *got.LocalSupplyPerMille != 666 {
		t.Errorf("local: %+v", got)
	}
	if got.Matches != 5 || got.Accepted != 4 || got.Signed != 2 || got.ContractFen != 500 || got.IndustryID != "icv-nev" {
		t.Errorf("matches: %+v", got)
	}

	none, err := match.ChainMetrics(ch, nil, matches)
	if err != nil || none.LocalSupplyPerMille != nil || none.OpenDemands != 0 {
		t.Errorf("without demands: %+v, %v", none, err)
	}
	noLocal, err := match.ChainMetrics(ch, demands[1:2], nil)
	if err != nil || noLocal.LocalSupplyPerMille == nil || *noLocal.LocalSupplyPerMille != 0 {
		t.Errorf("no local match: %+v, %v", noLocal, err)
	}

	big := []*match.Match{
		{SupplyLink: "icv-nev.battery", Status: match.Signed, ContractFen: math.MaxInt64 - 10},
		{SupplyLink: "icv-nev.battery", Status: match.Signed, ContractFen: 11},
	}
	_, err = match.ChainMetrics(ch, nil, big)
	if chanye.ErrorCode(err) != chanye.EINVALID || chanye.ErrorFields(err)["contract_fen"] == "" {
		t.Errorf("overflow: %v", err)
	}
	var e *chanye.Error
	if !errors.As(err, &e) {
		t.Error("not a domain error")
	}
}
