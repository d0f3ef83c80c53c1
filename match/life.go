package match

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
)

// MatchStatus is where a match is.
type MatchStatus string

// The statuses of a match. A proposed match is accepted once both sides
// have accepted it; either side declining it ends it. An accepted match
// goes on to negotiation, and from there to a contract; an accepted or
// negotiating match may fail, with the reason.
const (
	Proposed    MatchStatus = "proposed"    // 待确认: proposed, the sides to accept or decline
	Accepted    MatchStatus = "accepted"    // 双方接受
	Negotiating MatchStatus = "negotiating" // 洽谈中
	Signed      MatchStatus = "signed"      // 已签约
	Failed      MatchStatus = "failed"      // 未成: negotiated without a contract
	Declined    MatchStatus = "declined"    // 已谢绝: one side declined it
)

// MatchStatuses lists the statuses of a match with their names, in order.
var MatchStatuses = []struct {
	Status         MatchStatus
	NameZH, NameEN string
}{
	{Proposed, "待确认", "proposed"},
	{Accepted, "双方接受", "accepted"},
	{Negotiating, "洽谈中", "negotiating"},
	{Signed, "已签约", "signed"},
	{Failed, "未成", "failed"},
	{Declined, "已谢绝", "declined"},
}

// NameZH returns the status's Chinese name.
func (s MatchStatus) NameZH() string {
	for _, x := range MatchStatuses {
		if x.Status == s {
			return x.NameZH
		}
	}
	return string(s)
}

// NameEN returns the status's English name.
func (s MatchStatus) NameEN() string {
	for _, x := range MatchStatuses {
		if x.Status == s {
			return x.NameEN
		}
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s MatchStatus) Valid() bool { return s.NameZH() != string(s) }

// Ended reports whether a match in status s is over: signed, failed or
// declined.
func (s MatchStatus) Ended() bool { return s == Signed || s == Failed || s == Declined }

// Side is who acts on a match: one of its two firms, or an official (a
// department or task force following the match) who records how the
// negotiation went but never accepts or declines for a firm.
type Side string

// The sides.
const (
	SideBuyer    Side = "buyer"    // 需方
	SideSupplier Side = "supplier" // 供方
	SideOfficial Side = "official" // 工作人员
)

// Sides lists the sides with their names.
var Sides = []struct {
	Side           Side
	NameZH, NameEN string
}{
	{SideBuyer, "需方", "buyer"},
	{SideSupplier, "供方", "supplier"},
	{SideOfficial, "工作人员", "official"},
}

// NameZH returns the side's Chinese name.
func (s Side) NameZH() string {
	for _, x := range Sides {
		if x.Side == s {
			return x.NameZH
		}
	}
	return string(s)
}

// NameEN returns the side's English name.
func (s Side) NameEN() string {
	for _, x := range Sides {
		if x.Side == s {
			return x.NameEN
		}
	}
	return string(s)
}

// Valid reports whether s is a known side.
func (s Side) Valid() bool { return s == SideBuyer || s == SideSupplier || s == SideOfficial }

// Decision is one firm's answer to a proposed match.
type Decision string

// The decisions; "" is not yet answered.
const (
	Pending          Decision = ""         // 待答复
	DecisionAccepted Decision = "accepted" // 接受
	DecisionDeclined Decision = "declined" // 谢绝
)

// Valid reports whether d is pending or a known decision.
func (d Decision) Valid() bool { return d == Pending || d == DecisionAccepted || d == DecisionDeclined }

// NameZH returns the decision's Chinese name.
func (d Decision) NameZH() string {
	switch d {
	case DecisionAccepted:
		return "接受"
	case DecisionDeclined:
		return "谢绝"
	}
	return "待答复"
}

// NameEN returns the decision's English name.
func (d Decision) NameEN() string {
	switch d {
	case DecisionAccepted:
		return "accepted"
	case DecisionDeclined:
		return "declined"
	}
	return "pending"
}

// Match is a demand paired with a supply: proposed by Propose with its
// score and reasons, then decided by each side and followed to a
// contract or a failure. DemandLink and SupplyLink are the listings'
// links when proposed, so that the chains' figures need not read the
// listings; Local says the supplier is in the buyer's city. Zero dates
// are not yet.
type Match struct {
	ID               int64         `json:"id"`
	DemandID         int64         `json:"demand_id"`
	SupplyID         int64         `json:"supply_id"`
	BuyerCode        string        `json:"buyer_code"`
	SupplierCode     string        `json:"supplier_code"`
	BuyerName        string        `json:"buyer_name,omitempty"` // the registry's, when read
	SupplierName     string        `json:"supplier_name,omitempty"`
	DemandLink       string        `json:"demand_link,omitempty"`
	SupplyLink       string        `json:"supply_link,omitempty"`
	Local            bool          `json:"local"`
	Score            int           `json:"score"` // 0–MaxScore
	Reasons          []Reason      `json:"reasons"`
	Status           MatchStatus   `json:"status"`
	BuyerDecision    Decision      `json:"buyer_decision,omitempty"`
	SupplierDecision Decision      `json:"supplier_decision,omitempty"`
	ProposedOn       chanye.Date   `json:"proposed_on,omitzero"`
	AcceptedOn       chanye.Date   `json:"accepted_on,omitzero"` // both sides accepted
	SignedOn         chanye.Date   `json:"signed_on,omitzero"`   // the contract's date
	ContractFen      chanye.Fen    `json:"contract_fen,omitempty"`
	EndedOn          chanye.Date   `json:"ended_on,omitzero"`    // signed, failed or declined
	EndReason        string        `json:"end_reason,omitempty"` // why it failed or was declined
	Events           []*MatchEvent `json:"events,omitempty"`
	// Demo marks a match of a listing chanye demo made: the pages say
	// 演示数据.
	Demo bool `json:"demo,omitempty"`
}

// SideOf returns the side of the firm of credit code code on m, and false
// for a firm that is neither the buyer nor the supplier.
func (m *Match) SideOf(code string) (Side, bool) {
	switch code {
	case m.BuyerCode:
		return SideBuyer, true
	case m.SupplierCode:
		return SideSupplier, true
	}
	return "", false
}

// MatchEvent is one step of a match's history.
type MatchEvent struct {
	ID          int64       `json:"id"`
	Action      string      `json:"action"` // accept, decline, negotiate, sign, fail
	From        MatchStatus `json:"from"`
	To          MatchStatus `json:"to"`
	Side        Side        `json:"side"`
	By          string      `json:"by"`
	On          chanye.Date `json:"on"`
	Note        string      `json:"note,omitempty"`
	ContractFen chanye.Fen  `json:"contract_fen,omitempty"`
}

// Step is what Apply does.
type Step struct {
	Action      string      `json:"action"` // accept, decline, negotiate, sign, fail
	Note        string      `json:"note,omitempty"`
	ContractFen chanye.Fen  `json:"contract_fen,omitempty"` // sign
	SignedOn    chanye.Date `json:"signed_on,omitzero"`     // sign; zero: today
}

// The steps Apply takes.
const (
	StepAccept    = "accept"
	StepDecline   = "decline"
	StepNegotiate = "negotiate"
	StepSign      = "sign"
	StepFail      = "fail"
)

// Apply takes step st on m as side, on today, by whom, and returns the
// events to record:
//   - accept (the buyer or the supplier, for itself): a proposed match
//     records the side's acceptance, and is accepted once both sides have;
//   - decline (the buyer or the supplier, for itself; note: why,
//     optional): a proposed match ends, declined — also by a side that
//     had accepted and changed its mind;
//   - negotiate (either side or an official): accepted → negotiating;
//   - sign (either side or an official; contract_fen: 1 fen to
//     chanye.MaxProjectFen; signed_on: the contract's day, not before the
//     match was proposed nor after today, zero for today): negotiating →
//     signed;
//   - fail (either side or an official; note: why, required): an accepted
//     or negotiating match ends, failed.
//
// EINVALID for an unknown step or side, a missing note or a bad amount or
// day; EFORBIDDEN for an official accepting or declining; ECONFLICT for a
// step the status does not allow, or a side accepting twice.
func (m *Match) Apply(st Step, side Side, today chanye.Date, by string) ([]*MatchEvent, error) {
	st.Note = strings.TrimSpace(st.Note)
	bad := map[string]string{}
	if !side.Valid() {
		bad["side"] = "须为 buyer、supplier 或 official / must be buyer, supplier or official"
	}
	if utf8.RuneCountInString(st.Note) > MaxNoteRunes {
		bad["note"] = fmt.Sprintf("至多 %d 个字符 / at most %d characters", MaxNoteRunes, MaxNoteRunes)
	}
	switch st.Action {
	case StepAccept, StepDecline, StepNegotiate:
	case StepSign:
		if st.SignedOn.IsZero() {
			st.SignedOn = today
		}
		switch {
		case st.ContractFen <= 0:
			bad["contract_fen"] = "签约金额须大于 0 / the contract's value must be more than 0"
		case st.ContractFen > chanye.MaxProjectFen:
			bad["contract_fen"] = chanye.ExceedsFen(chanye.MaxProjectFen)
		}
		if st.SignedOn.After(today.Time) || st.SignedOn.Before(m.ProposedOn.Time) {
			bad["signed_on"] = "签约日期须在对接推荐之后、今天或之前 / the contract's day must be between the proposal and today"
		}
	case StepFail:
		if st.Note == "" {
			bad["note"] = "须写明未成原因 / say why it failed"
		}
	default:
		bad["action"] = "须为 accept、decline、negotiate、sign 或 fail / unknown step"
	}
	if err := chanye.Invalid("对接办理有误 / invalid step", bad); err != nil {
		return nil, err
	}
	if side == SideOfficial && (st.Action == StepAccept || st.Action == StepDecline) {
		return nil, chanye.Errorf(chanye.EFORBIDDEN, "接受或谢绝由企业自己决定 / only the firm itself accepts or declines a match")
	}
	conflict := func() error {
		return chanye.Errorf(chanye.ECONFLICT, "对接 %d %s，不能%s / match %d is %s: cannot %s", m.ID, m.Status.NameZH(), st.Action, m.ID, m.Status.NameEN(), st.Action)
	}
	ev := &MatchEvent{Action: st.Action, From: m.Status, Side: side, By: by, On: today, Note: st.Note}
	decision := &m.BuyerDecision
	if side == SideSupplier {
		decision = &m.SupplierDecision
	}
	switch st.Action {
	case StepAccept:
		if m.Status != Proposed {
			return nil, conflict()
		}
		if *decision == DecisionAccepted {
			return nil, chanye.Errorf(chanye.ECONFLICT, "%s已接受 / the %s has accepted already", side.NameZH(), side.NameEN())
		}
		*decision = DecisionAccepted
		if m.BuyerDecision == DecisionAccepted && m.SupplierDecision == DecisionAccepted {
			m.Status, m.AcceptedOn = Accepted, today
		}
	case StepDecline:
		if m.Status != Proposed {
			return nil, conflict()
		}
		*decision = DecisionDeclined
		m.Status, m.EndedOn, m.EndReason = Declined, today, st.Note
	case StepNegotiate:
		if m.Status != Accepted {
			return nil, conflict()
		}
		m.Status = Negotiating
	case StepSign:
		if m.Status != Negotiating {
			return nil, conflict()
		}
		m.Status, m.SignedOn, m.ContractFen, m.EndedOn = Signed, st.SignedOn, st.ContractFen, today
		ev.ContractFen = st.ContractFen
	case StepFail:
		if m.Status != Accepted && m.Status != Negotiating {
			return nil, conflict()
		}
		m.Status, m.EndedOn, m.EndReason = Failed, today, st.Note
	}
	ev.To = m.Status
	return []*MatchEvent{ev}, nil
}

// Metrics are a chain's figures of matchmaking. LocalSupplyPerMille is
// the share, in ‰, of the chain's open demands with at least one match
// (of any status) with a supplier in the buyer's city — whether the city
// supplies what its firms need; nil when the chain has no open demand
// (unknown, never 0).
type Metrics struct {
	IndustryID          string     `json:"industry_id"`
	OpenDemands         int        `json:"open_demands"`
	LocallyMatched      int        `json:"locally_matched"` // of them with a local match
	LocalSupplyPerMille *int64     `json:"local_supply_per_mille"`
	Matches             int        `json:"matches"`  // proposed, whatever became of them
	Accepted            int        `json:"accepted"` // accepted by both sides, whatever became of them
	Signed              int        `json:"signed"`
	ContractFen         chanye.Fen `json:"contract_fen"` // of the signed ones
}

// ChainMetrics returns the figures of a chain from the demands and the
// matches given. A demand is the chain's when its link is one of the
// chain's, or, without a link, when one of its classes is a class of a
// link of the chain; a match is the chain's when its demand's or its
// supply's link is. ErrOverflow (EINVALID) when the contracts' sum leaves
// the int64 range.
func ChainMetrics(ch *chain.Chain, demands []*Demand, matches []*Match) (*Metrics, error) {
	links, classes := map[string]bool{}, map[string]bool{}
	for _, l := range ch.Links {
		links[l.ID] = true
		for _, c := range l.Classes {
			classes[c] = true
		}
	}
	mine := func(d *Demand) bool {
		if d.LinkID != "" {
			return links[d.LinkID]
		}
		for _, c := range d.Classes {
			if classes[c] {
				return true
			}
		}
		return false
	}
	out := &Metrics{IndustryID: ch.IndustryID}
	open := map[int64]bool{}
	for _, d := range demands {
		if d != nil && (d.Status == Open || d.Status == "") && mine(d) && !open[d.ID] {
			open[d.ID] = true
			out.OpenDemands++
		}
	}
	local := map[int64]bool{}
	var sum chanye.FenSum
	for _, m := range matches {
		if m == nil {
			continue
		}
		if m.Local && open[m.DemandID] && !local[m.DemandID] {
			local[m.DemandID] = true
			out.LocallyMatched++
		}
		if !links[m.DemandLink] && !links[m.SupplyLink] {
			continue
		}
		out.Matches++
		switch m.Status {
		case Accepted, Negotiating, Failed:
			out.Accepted++
		case Signed:
			out.Accepted++
			out.Signed++
			sum.Add(m.ContractFen)
		}
	}
	if out.OpenDemands > 0 {
		v := int64(out.LocallyMatched) * 1000 / int64(out.OpenDemands)
		out.LocalSupplyPerMille = &v
	}
	total, err := sum.Total("contract_fen")
	if err != nil {
		return nil, fmt.Errorf("产业链 %s / chain %s: %w", ch.IndustryID, ch.IndustryID, err)
	}
	out.ContractFen = total
	return out, nil
}

// ProposeRun is what a run of matching did.
type ProposeRun struct {
	Supplies int           `json:"supplies"` // open supplies read
	Demands  int           `json:"demands"`  // open demands read
	Proposed int           `json:"proposed"` // pairs Propose returned
	Added    int           `json:"added"`    // of them new: a pair already matched keeps its match
	Took     time.Duration `json:"took_ns"`
	At       time.Time     `json:"at"`
}

// MatchFilter selects matches; nil fields are not given. Code selects
// the matches a firm is either side of (how authz narrows a firm to its
// own), BuyerCode and SupplierCode those it is the one side of; LinkID
// those whose demand's or supply's link it is, IndustryID those on the
// industry's chain links.
type MatchFilter struct {
	Code         *string
	BuyerCode    *string
	SupplierCode *string
	LinkID       *string
	DemandID     *int64
	SupplyID     *int64
	IndustryID   *string
	Status       *MatchStatus
	Offset       int
	Limit        int // DefaultPage when 0, at most MaxPage
}

// MatchService proposes matches and follows them. Every write is one
// transaction with its events and audit entry. Errors: ENOTFOUND,
// EINVALID, ECONFLICT for a step the status does not allow, EFORBIDDEN or
// EUNAUTHORIZED from authz (a firm sees and acts on its own matches only).
type MatchService interface {
	// ProposeMatches runs Propose over the open listings, the chains, the
	// firms' registry facts and the past results, and stores the pairs it
	// returns as proposed matches; a (demand, supply) pair matched before
	// keeps its match whatever its status. seg cuts the texts of listings
	// whose words are not stored yet (nil: such listings share no words).
	ProposeMatches(ctx context.Context, seg Segmenter) (*ProposeRun, error)
	// FindMatchByID returns a match with its history. ENOTFOUND.
	FindMatchByID(ctx context.Context, id int64) (*Match, error)
	// FindMatches returns a page of matches, the best first, and the
	// total. EINVALID for a bad filter.
	FindMatches(ctx context.Context, f MatchFilter) ([]*Match, int, error)
	// ActOnMatch takes a step (Match.Apply) as the actor's side: its
	// firm's side of the match, or SideOfficial for a department or task
	// force. EINVALID, ENOTFOUND, ECONFLICT, EFORBIDDEN (a firm that is
	// neither side; an official accepting or declining).
	ActOnMatch(ctx context.Context, id int64, st Step) (*Match, error)
	// FindChainMetrics returns an industry's figures (ChainMetrics).
	// ENOTFOUND for an industry without a chain; EINVALID on overflow.
	FindChainMetrics(ctx context.Context, industryID string) (*Metrics, error)
}
