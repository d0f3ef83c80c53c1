package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/match"
)

// splitWords is the tests' segmenter: the words between spaces. It
// counts the texts it is asked to cut.
type splitWords struct{ cuts *atomic.Int64 }

func (s splitWords) Words(text string) []string {
	s.cuts.Add(1)
	return strings.Fields(text)
}

// matchFixture is the investStore's chain with four firms in the
// registry: an assembler (the buyer), a battery maker recognised as a
// 小巨人 (the supplier), a motor maker in another district and a firm
// that takes no part; the battery's supply and the assembler's demand.
type matchFixture struct {
	s                                   *Store
	ctx                                 context.Context
	buyer, supplier, motor, stranger    *chanye.Enterprise
	battery                             *match.Supply
	need                                *match.Demand
	seg                                 splitWords
	asBuyer, asSupplier, asStrangerFirm context.Context
}

func matchSetup(t *testing.T, db *DB) *matchFixture {
	t.Helper()
	s, ctx := investStore(t, db)
	setClock(db)
	f := &matchFixture{s: s, ctx: ctx, seg: splitWords{cuts: &atomic.Int64{}},
		buyer: enterprise(t, 1, "440106", "3612"), supplier: enterprise(t, 2, "440106", "3841"),
		motor: enterprise(t, 3, "440103", "3812"), stranger: enterprise(t, 4, "440106", "3612")}
	f.supplier.Tiers = []chanye.Tier{{Kind: chanye.TierLittleGiant, Level: chanye.LevelNational, From: date("2024-01-01"), Source: "工信部"}}
	for _, e := range []*chanye.Enterprise{f.buyer, f.supplier, f.motor, f.stranger} {
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatalf("enterprise %s: %v %v", e.Name, err, chanye.ErrorFields(err))
		}
	}
	firm := func(e *chanye.Enterprise) context.Context {
		return chanye.WithActor(context.Background(), &chanye.Actor{Name: "firm" + e.Code[len(e.Code)-4:], Role: chanye.RoleEnterprise, Code: e.Code})
	}
	f.asBuyer, f.asSupplier, f.asStrangerFirm = firm(f.buyer), firm(f.supplier), firm(f.stranger)
	f.battery = &match.Supply{Code: f.supplier.Code, Products: " 动力电池 电芯 模组 ", LinkID: "auto.parts.battery", Classes: []string{"3841"},
		Capacity: "年产 10 GWh", Certifications: []string{"IATF 16949"}}
	if err := s.CreateSupply(f.asSupplier, f.battery); err != nil {
		t.Fatalf("supply: %v %v", err, chanye.ErrorFields(err))
	}
	motor := &match.Supply{Code: f.motor.Code, Products: "驱动电机 控制器", LinkID: "auto.parts.motor", Classes: []string{"3812"}}
	if err := s.CreateSupply(ctx, motor); err != nil {
		t.Fatalf("motor supply: %v %v", err, chanye.ErrorFields(err))
	}
	f.need = &match.Demand{Code: f.buyer.Code, Needs: "动力电池 电芯", LinkID: "auto.assembly", Classes: []string{"3841"},
		Quantity: "每月 2000 套", NeededBy: dayAfter(90)}
	if err := s.CreateDemand(f.asBuyer, f.need); err != nil {
		t.Fatalf("demand: %v %v", err, chanye.ErrorFields(err))
	}
	return f
}

// TestMatchListings: bad listings name their field and store nothing;
// the filters select by firm, link, industry, district and status; an
// update keeps the listing's firm and day.
func TestMatchListings(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db)
		setClock(db)
		e, far := enterprise(t, 1, "440106", "3841"), enterprise(t, 2, "440103", "3612")
		for _, x := range []*chanye.Enterprise{e, far} {
			if err := s.CreateEnterprise(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		good := func() *match.Supply {
			return &match.Supply{Code: e.Code, Products: "动力电池", LinkID: "auto.parts.battery", Classes: []string{"3841"}}
		}
		for name, tc := range map[string]struct {
			change func(x *match.Supply)
			field  string
		}{
			"no products":      {func(x *match.Supply) { x.Products = " " }, "products"},
			"no link":          {func(x *match.Supply) { x.LinkID = "" }, "link_id"},
			"unknown link":     {func(x *match.Supply) { x.LinkID = "auto.nothing" }, "link_id"},
			"unknown district": {func(x *match.Supply) { x.DistrictCode = "440199" }, "district_code"},
			"bad class":        {func(x *match.Supply) { x.Classes = []string{"38"} }, "classes"},
			"bad code":         {func(x *match.Supply) { x.Code = "9144" }, "code"},
		} {
			x := good()
			tc.change(x)
			if err := s.CreateSupply(ctx, x); chanye.ErrorCode(err) != chanye.EINVALID || chanye.ErrorFields(err)[tc.field] == "" {
				t.Errorf("%s: %v %v", name, err, chanye.ErrorFields(err))
			}
		}
		stranger := good()
		stranger.Code = code(t, 77)
		if err := s.CreateSupply(ctx, stranger); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("a firm outside the registry: %v", err)
		}
		late := &match.Demand{Code: far.Code, Needs: "电芯", NeededBy: dayAfter(-1)}
		if err := s.CreateDemand(ctx, late); chanye.ErrorFields(err)["needed_by"] == "" {
			t.Errorf("needed by yesterday: %v %v", err, chanye.ErrorFields(err))
		}
		if err := s.CreateDemand(ctx, &match.Demand{Code: far.Code, Needs: "电芯", LinkID: "auto.nothing"}); chanye.ErrorFields(err)["link_id"] == "" {
			t.Errorf("a demand on an unknown link: %v %v", err, chanye.ErrorFields(err))
		}
		if _, total, _ := s.FindSupplies(ctx, match.ListingFilter{}); total != 0 {
			t.Fatalf("refused supplies were stored: %d", total)
		}
		if _, total, _ := s.FindDemands(ctx, match.ListingFilter{}); total != 0 {
			t.Fatalf("refused demands were stored: %d", total)
		}

		x := good()
		x.Products, x.Demo = " 动力电池 ", true
		if err := s.CreateSupply(ctx, x); err != nil || x.ID == 0 || x.Products != "动力电池" || x.Status != match.Open || x.PostedOn != dayAfter(0) || x.Name != e.Name || !x.Demo {
			t.Fatalf("create: %+v %v", x, err)
		}
		d := &match.Demand{Code: far.Code, Needs: "电芯 模组", LinkID: "auto.assembly", Classes: []string{"3841"}}
		if err := s.CreateDemand(ctx, d); err != nil || d.NeededBy != (chanye.Date{}) || d.Classes[0] != "3841" {
			t.Fatalf("demand: %+v %v", d, err)
		}
		for name, tc := range map[string]struct {
			f    match.ListingFilter
			want int
		}{
			"firm":           {match.ListingFilter{Code: &e.Code}, 1},
			"another firm":   {match.ListingFilter{Code: &far.Code}, 0},
			"link":           {match.ListingFilter{LinkID: ptr("auto.parts.battery")}, 1},
			"industry":       {match.ListingFilter{IndustryID: ptr("auto")}, 1},
			"other industry": {match.ListingFilter{IndustryID: ptr("ict")}, 0},
			"firm's place":   {match.ListingFilter{DistrictCode: ptr("440106")}, 1},
			"elsewhere":      {match.ListingFilter{DistrictCode: ptr("440103")}, 0},
			"closed":         {match.ListingFilter{Status: ptr(match.Closed)}, 0},
		} {
			if list, total, err := s.FindSupplies(ctx, tc.f); err != nil || total != tc.want || len(list) != tc.want {
				t.Errorf("%s: %d %v", name, total, err)
			}
		}
		if _, _, err := s.FindSupplies(ctx, match.ListingFilter{Limit: match.MaxPage + 1}); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("a page too long: %v", err)
		}
		if _, _, err := s.FindDemands(ctx, match.ListingFilter{Status: ptr(match.Status("gone"))}); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("an unknown status: %v", err)
		}
		if list, total, _ := s.FindDemands(ctx, match.ListingFilter{DistrictCode: ptr("440103")}); total != 1 || list[0].Name != far.Name {
			t.Errorf("demands of the district: %d %+v", total, list)
		}

		got, err := s.UpdateSupply(ctx, x.ID, match.SupplyUpdate{DistrictCode: ptr("440103"), Status: ptr(match.Closed)})
		if err != nil || got.DistrictCode != "440103" || got.Status != match.Closed || got.Code != e.Code || got.PostedOn != x.PostedOn {
			t.Errorf("update: %+v %v", got, err)
		}
		if _, err := s.UpdateSupply(ctx, x.ID, match.SupplyUpdate{LinkID: ptr("auto.nothing")}); chanye.ErrorFields(err)["link_id"] == "" {
			t.Errorf("update to an unknown link: %v", err)
		}
		if _, err := s.UpdateDemand(ctx, d.ID, match.DemandUpdate{NeededBy: ptr(dayAfter(-3))}); chanye.ErrorFields(err)["needed_by"] == "" {
			t.Errorf("update to a past day: %v", err)
		}
		if got, err := s.UpdateDemand(ctx, d.ID, match.DemandUpdate{Quantity: ptr("每月 10 套")}); err != nil || got.Quantity != "每月 10 套" {
			t.Errorf("update a demand: %+v %v", got, err)
		}
		if _, err := s.FindSupplyByID(ctx, x.ID+100); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("unknown supply: %v", err)
		}
		if _, err := s.UpdateDemand(ctx, d.ID+100, match.DemandUpdate{}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("update an unknown demand: %v", err)
		}
		if n := auditCount(t, s, "match_supply"); n != 2 {
			t.Errorf("supply audit entries: %d, want 2 (created, updated)", n)
		}
		if n := auditCount(t, s, "match_demand"); n != 2 {
			t.Errorf("demand audit entries: %d, want 2 (created, updated)", n)
		}
	})
}

// TestMatchLife: a run proposes the battery maker to the assembler with
// its reasons and cuts each text once; a second run adds nothing; both
// sides accept, negotiate and sign; a declined match ends and is not
// proposed again; a third firm cannot act, an official cannot accept; a
// stale write is a conflict; the chain's figures count it all.
func TestMatchLife(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		f := matchSetup(t, db)
		s, ctx := f.s, f.ctx
		if _, err := s.LastProposeRun(ctx); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("no run yet: %v", err)
		}
		run, err := s.ProposeMatches(ctx, f.seg)
		if err != nil || run.Supplies != 2 || run.Demands != 1 || run.Proposed != 1 || run.Added != 1 || !run.At.Equal(today) {
			t.Fatalf("run: %+v %v", run, err)
		}
		if n := f.seg.cuts.Load(); n != 3 {
			t.Errorf("cut %d texts, want 3", n)
		}
		list, total, err := s.FindMatches(ctx, match.MatchFilter{})
		if err != nil || total != 1 {
			t.Fatalf("matches: %d %v", total, err)
		}
		m := list[0]
		if m.BuyerCode != f.buyer.Code || m.SupplierCode != f.supplier.Code || m.DemandID != f.need.ID || m.SupplyID != f.battery.ID ||
			m.Status != match.Proposed || !m.Local || m.ProposedOn != dayAfter(0) || m.BuyerName != f.buyer.Name || m.SupplierName != f.supplier.Name {
			t.Errorf("match: %+v", m)
		}
		kinds := map[match.ReasonKind]int{}
		for _, r := range m.Reasons {
			kinds[r.Kind] = r.Points
		}
		// 30 (battery supplies assembly) + 20 (class 3841) + 16 (两词) + 8 (天河区) + 6 (小巨人)
		if m.Score != 80 || kinds[match.KindLink] != match.PointsSupplies || kinds[match.KindClass] != match.PointsSameClass ||
			kinds[match.KindWords] != 2*match.PointsPerWord || kinds[match.KindDistrict] != match.PointsSameDistrict || kinds[match.KindTier] != 6 {
			t.Errorf("score %d, reasons %+v", m.Score, m.Reasons)
		}
		if !strings.Contains(fmt.Sprint(m.Reasons), "天河区") {
			t.Errorf("the district's name is not in the reasons: %+v", m.Reasons)
		}

		again, err := s.ProposeMatches(ctx, f.seg)
		if err != nil || again.Proposed != 1 || again.Added != 0 || f.seg.cuts.Load() != 3 {
			t.Errorf("second run: %+v %v, %d cuts", again, err, f.seg.cuts.Load())
		}
		if _, total, _ := s.FindMatches(ctx, match.MatchFilter{}); total != 1 {
			t.Errorf("%d matches after two runs, want 1", total)
		}
		if last, err := s.LastProposeRun(ctx); err != nil || last.Proposed != 1 || last.Added != 0 {
			t.Errorf("last run: %+v %v", last, err)
		}

		// The life of the match.
		act := func(ctx context.Context, st match.Step) (*match.Match, error) {
			t.Helper()
			return s.ActOnMatch(ctx, m.ID, st)
		}
		if _, err := act(f.asStrangerFirm, match.Step{Action: match.StepAccept}); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
			t.Errorf("a third firm accepts: %v", err)
		}
		if _, err := act(ctx, match.Step{Action: match.StepAccept}); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
			t.Errorf("an official accepts for a firm: %v", err)
		}
		if got, err := act(f.asSupplier, match.Step{Action: match.StepAccept}); err != nil || got.Status != match.Proposed ||
			got.SupplierDecision != match.DecisionAccepted || got.BuyerDecision != match.Pending {
			t.Fatalf("the supplier accepts: %+v %v", got, err)
		}
		if _, err := act(f.asSupplier, match.Step{Action: match.StepAccept}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("the supplier accepts twice (not for the buyer): %v", err)
		}
		if _, err := act(f.asBuyer, match.Step{Action: match.StepNegotiate}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("negotiate before both accepted: %v", err)
		}
		if got, err := act(f.asBuyer, match.Step{Action: match.StepAccept}); err != nil || got.Status != match.Accepted || got.AcceptedOn != dayAfter(0) {
			t.Fatalf("the buyer accepts: %+v %v", got, err)
		}
		if got, err := act(ctx, match.Step{Action: match.StepNegotiate}); err != nil || got.Status != match.Negotiating {
			t.Fatalf("an official records the negotiation: %+v %v", got, err)
		}
		if _, err := act(f.asBuyer, match.Step{Action: match.StepSign}); chanye.ErrorFields(err)["contract_fen"] == "" {
			t.Errorf("sign without a value: %v %v", err, chanye.ErrorFields(err))
		}
		signed, err := act(f.asBuyer, match.Step{Action: match.StepSign, ContractFen: 12_000_000_00})
		if err != nil || signed.Status != match.Signed || signed.ContractFen != 12_000_000_00 || signed.SignedOn != dayAfter(0) || signed.EndedOn != dayAfter(0) {
			t.Fatalf("sign: %+v %v", signed, err)
		}
		got, err := s.FindMatchByID(ctx, m.ID)
		if err != nil || len(got.Events) != 4 || got.Events[3].Action != match.StepSign || got.Events[3].ContractFen != 12_000_000_00 ||
			got.Events[0].Side != match.SideSupplier || got.Events[2].Side != match.SideOfficial || got.Events[1].To != match.Accepted || len(got.Reasons) != len(m.Reasons) {
			t.Errorf("history: %+v %v", got, err)
		}
		if _, err := act(f.asSupplier, match.Step{Action: match.StepFail, Note: "反悔"}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("fail a signed match: %v", err)
		}

		// A second buyer's demand: proposed, then declined by the supplier.
		other := &match.Demand{Code: f.stranger.Code, Needs: "电芯", LinkID: "auto.assembly", Classes: []string{"3841"}}
		if err := s.CreateDemand(ctx, other); err != nil {
			t.Fatal(err)
		}
		if run, err := s.ProposeMatches(ctx, f.seg); err != nil || run.Added != 1 || f.seg.cuts.Load() != 4 {
			t.Fatalf("third run: %+v %v, %d cuts", run, err, f.seg.cuts.Load())
		}
		list, _, err = s.FindMatches(ctx, match.MatchFilter{DemandID: &other.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("the second buyer's match: %+v %v", list, err)
		}
		second := list[0]
		if _, err := s.ActOnMatch(f.asBuyer, second.ID, match.Step{Action: match.StepDecline}); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
			t.Errorf("the first buyer declines for the second: %v", err)
		}
		stale, err := s.FindMatchByID(ctx, second.ID)
		if err != nil {
			t.Fatal(err)
		}
		declined, err := s.ActOnMatch(f.asSupplier, second.ID, match.Step{Action: match.StepDecline, Note: "产能已满"})
		if err != nil || declined.Status != match.Declined || declined.SupplierDecision != match.DecisionDeclined || declined.EndReason != "产能已满" {
			t.Fatalf("decline: %+v %v", declined, err)
		}
		if _, err := s.ActOnMatch(f.asStrangerFirm, second.ID, match.Step{Action: match.StepAccept}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("accept a declined match: %v", err)
		}
		// A step computed on the match as read before the decline.
		x := *stale
		if _, err := x.Apply(match.Step{Action: match.StepAccept}, match.SideBuyer, dayAfter(0), "test"); err != nil {
			t.Fatal(err)
		}
		err = db.transact(ctx, false, func(tx *txn) error { return updateMatch(ctx, tx, &x, stale) })
		if chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a stale write: %v", err)
		}
		// The buyer changes its needs: cut again, the declined pair stays declined.
		if _, err := s.UpdateDemand(ctx, other.ID, match.DemandUpdate{Needs: ptr("电芯 模组")}); err != nil {
			t.Fatal(err)
		}
		if run, err := s.ProposeMatches(ctx, f.seg); err != nil || run.Added != 0 || f.seg.cuts.Load() != 5 {
			t.Errorf("after the decline: %+v %v, %d cuts", run, err, f.seg.cuts.Load())
		}
		if got, _ := s.FindMatchByID(ctx, second.ID); got.Status != match.Declined {
			t.Errorf("the declined match: %+v", got)
		}

		for name, tc := range map[string]struct {
			f    match.MatchFilter
			want int
		}{
			"either side":         {match.MatchFilter{Code: &f.supplier.Code}, 2},
			"the buyer's own":     {match.MatchFilter{Code: &f.buyer.Code}, 1},
			"as buyer":            {match.MatchFilter{BuyerCode: &f.stranger.Code}, 1},
			"as supplier":         {match.MatchFilter{SupplierCode: &f.supplier.Code}, 2},
			"not a supplier":      {match.MatchFilter{SupplierCode: &f.buyer.Code}, 0},
			"signed":              {match.MatchFilter{Status: ptr(match.Signed)}, 1},
			"on the link":         {match.MatchFilter{LinkID: ptr("auto.parts.battery")}, 2},
			"on the industry":     {match.MatchFilter{IndustryID: ptr("auto")}, 2},
			"on another industry": {match.MatchFilter{IndustryID: ptr("ict")}, 0},
			"of the supply":       {match.MatchFilter{SupplyID: &f.battery.ID}, 2},
		} {
			if _, total, err := s.FindMatches(ctx, tc.f); err != nil || total != tc.want {
				t.Errorf("%s: %d %v, want %d", name, total, err, tc.want)
			}
		}
		if _, _, err := s.FindMatches(ctx, match.MatchFilter{Status: ptr(match.MatchStatus("lost"))}); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("an unknown status: %v", err)
		}

		mt, err := s.FindChainMetrics(ctx, "auto")
		if err != nil || mt.OpenDemands != 2 || mt.LocallyMatched != 2 || mt.LocalSupplyPerMille == nil || *mt.LocalSupplyPerMille != 1000 ||
			mt.Matches != 2 || mt.Accepted != 1 || mt.Signed != 1 || mt.ContractFen != 12_000_000_00 {
			t.Errorf("metrics: %+v %v", mt, err)
		}
		if _, err := s.FindChainMetrics(ctx, "ict"); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("an industry without a chain: %v", err)
		}
		if n := auditCount(t, s, "match"); n != 5 { // accepted twice, negotiated, signed, declined; none for the refused steps
			t.Errorf("match audit entries: %d, want 5", n)
		}
		if n := auditCount(t, s, "match_run"); n != 4 {
			t.Errorf("run audit entries: %d, want 4", n)
		}
		if n := auditCount(t, s, "match_demand"); n != 3 {
			t.Errorf("demand audit entries: %d, want 3 (two created, one updated)", n)
		}
	})
}

// TestMatchFair: a fair with registrations and meeting requests (from a
// match and by hand) is scheduled with no firm and no table booked twice;
// a hand edit that double-books is refused and one that drops a meeting
// keeps the others' ids; outcomes are recorded, after which the fair is
// not scheduled again; the report sums it.
func TestMatchFair(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		f := matchSetup(t, db)
		s, ctx := f.s, f.ctx
		good := func() *match.Event {
			return &match.Event{Title: "新能源汽车供需对接会", IndustryID: "auto", Date: dayAfter(20), Venue: "广州国际采购中心",
				Tables: 2, SlotMinutes: 20, Start: 9 * 60, End: 10 * 60}
		}
		bad := good()
		bad.IndustryID = "nope"
		if err := s.CreateEvent(ctx, bad); chanye.ErrorFields(err)["industry_id"] == "" {
			t.Errorf("an unknown industry: %v %v", err, chanye.ErrorFields(err))
		}
		bad = good()
		bad.Tables = 0
		if err := s.CreateEvent(ctx, bad); chanye.ErrorFields(err)["tables"] == "" {
			t.Errorf("no tables: %v %v", err, chanye.ErrorFields(err))
		}
		ev := good()
		if err := s.CreateEvent(ctx, ev); err != nil || ev.ID == 0 {
			t.Fatalf("create: %+v %v", ev, err)
		}
		if list, total, err := s.FindEvents(ctx, match.EventFilter{IndustryID: ptr("auto"), From: dayAfter(10), To: dayAfter(30)}); err != nil || total != 1 || list[0].Start != 9*60 {
			t.Errorf("fairs: %d %+v %v", total, list, err)
		}
		if _, total, _ := s.FindEvents(ctx, match.EventFilter{To: dayAfter(10)}); total != 0 {
			t.Errorf("fairs before the day: %d", total)
		}

		if _, err := s.ProposeMatches(ctx, f.seg); err != nil {
			t.Fatal(err)
		}
		ms, _, _ := s.FindMatches(ctx, match.MatchFilter{})
		// Buyers b[0] (the assembler), b[1], b[2]; suppliers p[0] (the
		// battery maker), p[1] (the motor maker).
		b := []*chanye.Enterprise{f.buyer, f.stranger, enterprise(t, 5, "440106", "3612")}
		p := []*chanye.Enterprise{f.supplier, f.motor}
		if err := s.CreateEnterprise(ctx, b[2]); err != nil {
			t.Fatal(err)
		}
		for _, x := range b {
			if err := s.RegisterForEvent(ctx, ev.ID, match.Registration{Code: x.Code, Role: match.SideBuyer}); err != nil {
				t.Fatalf("register: %v %v", err, chanye.ErrorFields(err))
			}
		}
		for _, x := range p {
			if err := s.RegisterForEvent(ctx, ev.ID, match.Registration{Code: x.Code, Role: match.SideSupplier, Attended: true}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RegisterForEvent(ctx, ev.ID, match.Registration{Code: b[0].Code, Role: match.SideBuyer, Attended: true}); err != nil {
			t.Errorf("attendance: %v", err)
		}
		if err := s.RegisterForEvent(ctx, ev.ID, match.Registration{Code: code(t, 88), Role: match.SideBuyer}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("a firm outside the registry: %v", err)
		}
		if err := s.RegisterForEvent(ctx, ev.ID+100, match.Registration{Code: b[0].Code, Role: match.SideBuyer}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("an unknown fair: %v", err)
		}
		plan, err := s.FindEventByID(ctx, ev.ID)
		if err != nil || len(plan.Registrations) != 5 || plan.Registrations[0].Name == "" {
			t.Fatalf("plan: %+v %v", plan, err)
		}

		fromMatch := &match.MeetingRequest{MatchID: ms[0].ID}
		if err := s.RequestMeeting(ctx, ev.ID, fromMatch); err != nil || fromMatch.BuyerCode != b[0].Code || fromMatch.SupplierCode != p[0].Code || fromMatch.Priority != ms[0].Score {
			t.Fatalf("from the match: %+v %v", fromMatch, err)
		}
		if err := s.RequestMeeting(ctx, ev.ID, &match.MeetingRequest{MatchID: ms[0].ID, BuyerCode: b[1].Code}); chanye.ErrorFields(err)["buyer_code"] == "" {
			t.Errorf("a match's request for another buyer: %v %v", err, chanye.ErrorFields(err))
		}
		if err := s.RequestMeeting(ctx, ev.ID, &match.MeetingRequest{MatchID: ms[0].ID + 100}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("an unknown match: %v", err)
		}
		if err := s.RequestMeeting(ctx, ev.ID, &match.MeetingRequest{BuyerCode: b[0].Code, SupplierCode: p[0].Code, Priority: 5}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("the pair asks twice: %v", err)
		}
		// Every other pair by hand, and a supplier who did not register as a buyer.
		hand := [][2]string{{b[0].Code, p[1].Code}, {b[1].Code, p[0].Code}, {b[1].Code, p[1].Code}, {b[2].Code, p[0].Code}, {b[2].Code, p[1].Code}, {p[1].Code, p[0].Code}}
		for i, pair := range hand {
			if err := s.RequestMeeting(ctx, ev.ID, &match.MeetingRequest{BuyerCode: pair[0], SupplierCode: pair[1], Priority: 10 + i}); err != nil {
				t.Fatalf("request %d: %v %v", i, err, chanye.ErrorFields(err))
			}
		}
		if reqs, err := s.FindMeetingRequests(ctx, ev.ID); err != nil || len(reqs) != 7 || reqs[0].MatchID != ms[0].ID {
			t.Errorf("requests: %+v %v", reqs, err)
		}

		tt, left, err := s.ScheduleEvent(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Three slots of two tables; two suppliers, so at most two
		// meetings a slot: all six registered pairs fit.
		if len(tt.Meetings) != 6 || len(left) != 1 || left[0].Request.BuyerCode != p[1].Code {
			t.Fatalf("timetable: %d meetings, left %+v", len(tt.Meetings), left)
		}
		if err := tt.Validate(); err != nil {
			t.Errorf("the schedule does not validate: %v %v", err, chanye.ErrorFields(err))
		}
		firms, tables := map[string]int{}, map[string]int{}
		for _, m := range tt.Meetings {
			if m.ID == 0 {
				t.Errorf("a meeting without id: %+v", m)
			}
			firms[fmt.Sprint(m.Slot, m.BuyerCode)]++
			firms[fmt.Sprint(m.Slot, m.SupplierCode)]++
			tables[fmt.Sprint(m.Slot, m.Table)]++
		}
		for k, n := range firms {
			if n > 1 {
				t.Errorf("firm booked %d times in a slot: %s", n, k)
			}
		}
		for k, n := range tables {
			if n > 1 {
				t.Errorf("table booked %d times in a slot: %s", n, k)
			}
		}
		if tt.Meetings[0].MatchID != ms[0].ID || tt.Meetings[0].Start.String() != "09:00" {
			t.Errorf("the match's meeting first: %+v", tt.Meetings[0])
		}
		stored, err := s.FindTimetable(ctx, ev.ID)
		if err != nil || len(stored.Meetings) != 6 || stored.Meetings[5].ID != tt.Meetings[5].ID || stored.Meetings[5].End != tt.Meetings[5].End {
			t.Fatalf("stored timetable: %+v %v", stored, err)
		}

		// A hand edit: the second meeting moved to the first's slot and
		// table is refused, and nothing changes.
		edit := *stored
		moved := *edit.Meetings[1]
		moved.Slot, moved.Table = edit.Meetings[0].Slot, edit.Meetings[0].Table
		edit.Meetings = append([]*match.Meeting{edit.Meetings[0], &moved}, edit.Meetings[2:]...)
		if err := s.SaveTimetable(ctx, ev.ID, &edit); chanye.ErrorCode(err) != chanye.EINVALID || chanye.ErrorFields(err)["meetings[1].table"] == "" {
			t.Errorf("a double booking: %v %v", err, chanye.ErrorFields(err))
		}
		if again, _ := s.FindTimetable(ctx, ev.ID); again.Meetings[1].Slot != stored.Meetings[1].Slot || again.Meetings[1].Table != stored.Meetings[1].Table {
			t.Errorf("a refused edit changed the timetable: %+v", again.Meetings[1])
		}
		foreign := &match.Timetable{Meetings: []*match.Meeting{{ID: 9999, BuyerCode: b[0].Code, SupplierCode: p[0].Code, Table: 1, Slot: 0}}}
		if err := s.SaveTimetable(ctx, ev.ID, foreign); chanye.ErrorFields(err)["meetings[0].id"] == "" {
			t.Errorf("another fair's meeting: %v %v", err, chanye.ErrorFields(err))
		}
		// Dropping the last meeting keeps the others' ids.
		kept := &match.Timetable{Meetings: stored.Meetings[:5]}
		if err := s.SaveTimetable(ctx, ev.ID, kept); err != nil || kept.Event.ID != ev.ID {
			t.Fatalf("save: %v %v", err, chanye.ErrorFields(err))
		}
		if again, _ := s.FindTimetable(ctx, ev.ID); len(again.Meetings) != 5 || again.Meetings[4].ID != stored.Meetings[4].ID {
			t.Errorf("after the edit: %+v", again.Meetings)
		}

		// Outcomes.
		first, second := stored.Meetings[0], stored.Meetings[1]
		if _, err := s.RecordMeetingOutcome(ctx, ev.ID, first.ID, match.OutcomeUpdate{Outcome: match.NoShow, Intention: true}); chanye.ErrorFields(err)["outcome"] == "" {
			t.Errorf("an intention without a meeting: %v", err)
		}
		if _, err := s.RecordMeetingOutcome(ctx, ev.ID, 9999, match.OutcomeUpdate{Outcome: match.Held}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("an unknown meeting: %v", err)
		}
		got, err := s.RecordMeetingOutcome(ctx, ev.ID, first.ID, match.OutcomeUpdate{Outcome: match.Held, Intention: true, ContractFen: 3_000_000_00})
		if err != nil || got.Outcome != match.Held || !got.Intention || got.ContractFen != 3_000_000_00 || got.Start != first.Start {
			t.Fatalf("held: %+v %v", got, err)
		}
		if _, err := s.RecordMeetingOutcome(ctx, ev.ID, second.ID, match.OutcomeUpdate{Outcome: match.NoShow}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ScheduleEvent(ctx, ev.ID); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("schedule after outcomes: %v", err)
		}
		rep, err := s.FindEventReport(ctx, ev.ID)
		want := &match.EventReport{EventID: ev.ID, Registered: 5, Attended: 3, Meetings: 5, Held: 1, NoShow: 1, Pending: 3,
			Intentions: 1, Contracts: 1, ContractFen: 3_000_000_00}
		if err != nil || *rep != *want {
			t.Errorf("report: %+v %v, want %+v", rep, err, want)
		}
		if _, err := s.FindEventReport(ctx, ev.ID+100); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("an unknown fair's report: %v", err)
		}

		for entity, want := range map[string]int{
			"match_fair":              3, // created, scheduled, edited
			"match_fair_registration": 6, // five registered, one attendance
			"match_fair_request":      7,
			"match_fair_meeting":      2,
		} {
			if n := auditCount(t, s, entity); n != want {
				t.Errorf("%s audit entries: %d, want %d", entity, n, want)
			}
		}
	})
}

// TestMatchImport: a file of listings is stored all or nothing: one bad
// row at the end stores none of the rows before it and is named by row
// and field, as is every fault of every row (a firm outside the
// registry too); a good file is stored in one transaction with one
// audit entry, each row with its id and day.
func TestMatchImport(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db)
		setClock(db)
		e, far := enterprise(t, 1, "440106", "3841"), enterprise(t, 2, "440103", "3612")
		for _, x := range []*chanye.Enterprise{e, far} {
			if err := s.CreateEnterprise(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		supplies := func() []*match.Supply {
			return []*match.Supply{
				{Code: e.Code, Products: " 动力电池 ", LinkID: "auto.parts.battery", Classes: []string{"3841"}},
				{Code: far.Code, Products: "驱动电机", LinkID: "auto.parts.motor", Classes: []string{"3812"}, DistrictCode: "440103"},
				{Code: e.Code, Products: "电芯", LinkID: "auto.parts.battery", Classes: []string{"3841"}},
			}
		}
		rows := supplies()
		rows[2].Code = code(t, 77) // not in the registry
		if n, err := s.ImportSupplies(ctx, rows); n != 0 || chanye.ErrorCode(err) != chanye.EINVALID || len(chanye.ErrorFields(err)) != 1 ||
			!strings.Contains(chanye.ErrorFields(err)["rows[2].code"], "不在名录中") || !strings.Contains(err.Error(), "未导入") {
			t.Errorf("a bad last row: %d %v %v", n, err, chanye.ErrorFields(err))
		}
		rows = supplies()
		rows[0].LinkID, rows[1].DistrictCode, rows[1].Classes = "auto.nothing", "440199", []string{"38"}
		_, err := s.ImportSupplies(ctx, rows)
		if f := chanye.ErrorFields(err); len(f) != 3 || f["rows[0].link_id"] == "" || f["rows[1].district_code"] == "" || f["rows[1].classes"] == "" {
			t.Errorf("faults of two rows: %v %v", err, f)
		}
		if _, total, _ := s.FindSupplies(ctx, match.ListingFilter{}); total != 0 {
			t.Fatalf("refused files stored %d supplies", total)
		}
		for name, n := range map[string]int{"no rows": 0, "too many rows": match.MaxImportRows + 1} {
			if _, err := s.ImportSupplies(ctx, make([]*match.Supply, n)); chanye.ErrorFields(err)["rows"] == "" {
				t.Errorf("%s: %v", name, err)
			}
		}

		rows = supplies()
		if n, err := s.ImportSupplies(ctx, rows); n != 3 || err != nil {
			t.Fatalf("import: %d %v %v", n, err, chanye.ErrorFields(err))
		}
		if rows[0].ID == 0 || rows[2].ID <= rows[0].ID || rows[0].Products != "动力电池" || rows[1].PostedOn != dayAfter(0) || rows[1].Status != match.Open {
			t.Errorf("imported rows: %+v %+v %+v", rows[0], rows[1], rows[2])
		}
		if got, err := s.FindSupplyByID(ctx, rows[1].ID); err != nil || got.Products != "驱动电机" || got.Name != far.Name || got.DistrictCode != "440103" {
			t.Errorf("stored: %+v %v", got, err)
		}
		if n := auditCount(t, s, "match_supplies"); n != 1 {
			t.Errorf("import audit entries: %d, want 1", n)
		}
		if n := auditCount(t, s, "match_supply"); n != 0 {
			t.Errorf("an import audited row by row: %d", n)
		}

		demands := []*match.Demand{
			{Code: far.Code, Needs: "电芯", LinkID: "auto.assembly", Classes: []string{"3841"}, NeededBy: dayAfter(30)},
			{Code: e.Code, Needs: "电机", NeededBy: dayAfter(-1)},
		}
		if _, err := s.ImportDemands(ctx, demands); len(chanye.ErrorFields(err)) != 1 || chanye.ErrorFields(err)["rows[1].needed_by"] == "" {
			t.Errorf("a demand needed by yesterday: %v %v", err, chanye.ErrorFields(err))
		}
		if _, total, _ := s.FindDemands(ctx, match.ListingFilter{}); total != 0 {
			t.Fatalf("a refused file stored %d demands", total)
		}
		demands[1].NeededBy = chanye.Date{}
		if n, err := s.ImportDemands(ctx, demands); n != 2 || err != nil || demands[1].ID == 0 {
			t.Fatalf("import demands: %d %v %v", n, err, chanye.ErrorFields(err))
		}
		if n := auditCount(t, s, "match_demands"); n != 1 {
			t.Errorf("demand import audit entries: %d, want 1", n)
		}
	})
}
