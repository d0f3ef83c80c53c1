package space

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/uscc"
)

// ForKind is what a unit is held or allocated for.
type ForKind string

// What a unit is held for.
const (
	ForProject ForKind = "project" // a key project (重点项目), by its id
	ForLead    ForKind = "lead"    // a 招商 lead, by its id
)

// Valid reports whether k is a known kind.
func (k ForKind) Valid() bool { return k == ForProject || k == ForLead }

// HoldStatus is where a hold stands.
type HoldStatus string

// The statuses of a hold: an active hold ends released (by hand), expired
// (its day passed) or allocated (the unit was given to it).
const (
	HoldActive    HoldStatus = "active"    // 预留中
	HoldReleased  HoldStatus = "released"  // 已释放
	HoldExpired   HoldStatus = "expired"   // 已到期
	HoldAllocated HoldStatus = "allocated" // 已供
)

// NameZH returns the status's Chinese name.
func (s HoldStatus) NameZH() string {
	return map[HoldStatus]string{HoldActive: "预留中", HoldReleased: "已释放", HoldExpired: "已到期", HoldAllocated: "已供"}[s]
}

// NameEN returns the status's English name.
func (s HoldStatus) NameEN() string {
	return map[HoldStatus]string{HoldActive: "held", HoldReleased: "released", HoldExpired: "expired", HoldAllocated: "allocated"}[s]
}

// The bounds of a hold and an allocation.
const (
	MaxHoldDays   = 365 // a hold lasts at most a year
	MaxLeaseYears = 50
	MaxNoteRunes  = 500
	MaxForIDRunes = 64
	// ExpiryWarningDays is how many days before its end a hold's holder is
	// told it will expire.
	ExpiryWarningDays = 7
	// MaxImportRows bounds the rows of one inventory import, blocks and
	// units together: an import is one transaction, checked whole before
	// anything is stored, and a city's inventory is some tens of
	// thousands of units.
	MaxImportRows = 200_000
)

// Hold keeps a unit for a project or a lead until a day (inclusive). One
// unit has at most one active hold, and none once allocated.
type Hold struct {
	ID      int64       `json:"id"`
	UnitID  int64       `json:"unit_id"`
	ForKind ForKind     `json:"for_kind"`
	ForID   string      `json:"for_id"`
	Until   chanye.Date `json:"until"`
	Note    string      `json:"note,omitempty"`
	Status  HoldStatus  `json:"status"`
	HeldOn  chanye.Date `json:"held_on"`
	HeldBy  string      `json:"held_by"`
	EndedOn chanye.Date `json:"ended_on,omitzero"`
	EndedBy string      `json:"ended_by,omitempty"`
	// EndNote says why a hold was released by hand.
	EndNote string `json:"end_note,omitempty"`
}

// Validate checks a new hold against today: a unit, what it is for, an
// end from today to MaxHoldDays ahead, a note of at most MaxNoteRunes.
func (h *Hold) Validate(today chanye.Date) error {
	bad := map[string]string{}
	h.ForID, h.Note = strings.TrimSpace(h.ForID), strings.TrimSpace(h.Note)
	if h.UnitID <= 0 {
		bad["unit_id"] = "必填 / required"
	}
	checkFor(h.ForKind, h.ForID, bad)
	switch {
	case h.Until.IsZero():
		bad["until"] = "必填 / required"
	case h.Until.Before(today.Time):
		bad["until"] = "预留截止日不能早于今天 / a hold cannot end before today"
	case h.Until.After(today.AddDate(0, 0, MaxHoldDays)):
		bad["until"] = fmt.Sprintf("预留至多 %d 天 / a hold lasts at most %d days", MaxHoldDays, MaxHoldDays)
	}
	if utf8.RuneCountInString(h.Note) > MaxNoteRunes {
		bad["note"] = fmt.Sprintf("至多 %d 个字符 / at most %d characters", MaxNoteRunes, MaxNoteRunes)
	}
	return chanye.Invalid("预留有误 / invalid hold", bad)
}

func checkFor(k ForKind, id string, bad map[string]string) {
	if !k.Valid() {
		bad["for_kind"] = "须为 project 或 lead / must be project or lead"
	}
	if id == "" || utf8.RuneCountInString(id) > MaxForIDRunes {
		bad["for_id"] = fmt.Sprintf("须为 1–%d 个字符 / must be 1–%d characters", MaxForIDRunes, MaxForIDRunes)
	}
}

// AllocKind is how a unit is given.
type AllocKind string

// The kinds of allocation.
const (
	Transfer AllocKind = "transfer" // 出让: land, for good
	Lease    AllocKind = "lease"    // 租赁: a floor or a plant, from a day to a day
	Sale     AllocKind = "sale"     // 出售: a floor sold
)

// Allocation gives a unit to a firm (its credit code), for a project or
// a lead when it came from one: land is transferred, a floor leased or
// sold, a plant leased. A lease runs From to To (inclusive); a transfer or
// a sale from From on. AmountFen is the price of a transfer or a sale, or
// the rent per m² and month of a lease.
type Allocation struct {
	ID        int64       `json:"id"`
	UnitID    int64       `json:"unit_id"`
	Kind      AllocKind   `json:"kind"`
	Code      string      `json:"code"`
	Name      string      `json:"name,omitempty"` // the registry's, when read
	ForKind   ForKind     `json:"for_kind,omitempty"`
	ForID     string      `json:"for_id,omitempty"`
	From      chanye.Date `json:"from"`
	To        chanye.Date `json:"to,omitzero"`
	AmountFen *chanye.Fen `json:"amount_fen,omitempty"`
	Ended     bool        `json:"ended"` // released: a lease ended early, a transfer taken back
	EndedOn   chanye.Date `json:"ended_on,omitzero"`
	CreatedAt time.Time   `json:"created_at,omitzero"`
	CreatedBy string      `json:"created_by,omitempty"`
}

// Validate checks an allocation of a unit of kind k: a kind that fits the
// unit (land transferred; a floor leased or sold; a plant leased), a
// well-formed credit code, what it is for (both or neither), a start, an
// end after the start within MaxLeaseYears for a lease and none
// otherwise, an amount within chanye.MaxProjectFen (a rent within
// MaxRentFenM2Month).
func (a *Allocation) Validate(k Kind) error {
	bad := map[string]string{}
	a.Code, a.ForID = uscc.Normalize(a.Code), strings.TrimSpace(a.ForID)
	switch {
	case a.Kind == Transfer && k == Land, a.Kind == Lease && (k == Floor || k == Plant), a.Kind == Sale && k == Floor:
	default:
		bad["kind"] = "地块出让，楼层租赁或出售，厂房租赁 / land is transferred, a floor leased or sold, a plant leased"
	}
	if err := uscc.Validate(a.Code); err != nil {
		zh, en := chanye.SplitBilingual(err.Error())
		bad["code"] = "统一社会信用代码无效：" + zh + " / invalid credit code: " + en
	}
	if a.ForKind != "" || a.ForID != "" {
		checkFor(a.ForKind, a.ForID, bad)
	}
	if a.From.IsZero() {
		bad["from"] = "必填 / required"
	}
	switch {
	case a.Kind == Lease && a.To.IsZero():
		bad["to"] = "租赁须有截止日 / a lease needs an end"
	case a.Kind == Lease && !a.From.IsZero() && !a.To.After(a.From.Time):
		bad["to"] = "截止日须晚于起始日 / the end must come after the start"
	case a.Kind == Lease && !a.From.IsZero() && a.To.After(a.From.AddDate(MaxLeaseYears, 0, 0)):
		bad["to"] = fmt.Sprintf("租期至多 %d 年 / a lease lasts at most %d years", MaxLeaseYears, MaxLeaseYears)
	case a.Kind != Lease && !a.To.IsZero():
		bad["to"] = "出让和出售没有截止日 / a transfer or a sale has no end"
	}
	if a.AmountFen != nil {
		max := chanye.MaxProjectFen
		if a.Kind == Lease {
			max = MaxRentFenM2Month
		}
		if msg := chanye.CheckFen(*a.AmountFen, max); msg != "" {
			bad["amount_fen"] = msg
		}
	}
	return chanye.Invalid("供地供房有误 / invalid allocation", bad)
}

// Active reports whether a holds the unit on day: not ended, started, and
// for a lease not yet over.
func (a *Allocation) Active(day chanye.Date) bool {
	if a.Ended || a.From.After(day.Time) {
		return false
	}
	return a.To.IsZero() || !a.To.Before(day.Time)
}

// UnitFilter selects units; nil fields are not given.
type UnitFilter struct {
	BlockID      *int64
	Kind         *Kind
	Status       *Status
	DistrictCode *string
	IndustryID   *string // units of blocks planned for the industry
	Offset       int
	Limit        int // DefaultPage when 0, at most MaxPage
}

// BlockFilter selects blocks; nil fields are not given.
type BlockFilter struct {
	DistrictCode *string
	IndustryID   *string
	Offset       int
	Limit        int // DefaultPage when 0, at most MaxPage
}

// HoldFilter selects holds, the latest first; nil fields are not given.
type HoldFilter struct {
	UnitID  *int64
	ForKind *ForKind // with ForID: the holds of one project or lead
	ForID   *string
	Status  *HoldStatus
	Offset  int
	Limit   int // DefaultPage when 0, at most MaxPage
}

// AllocationFilter selects allocations, the latest first; nil fields are
// not given.
type AllocationFilter struct {
	UnitID *int64
	Code   *string // a firm's
	Ended  *bool
	Offset int
	Limit  int // DefaultPage when 0, at most MaxPage
}

// InventoryService keeps the blocks and their units. Every write is one
// transaction with its audit entry. Errors: EINVALID (Validate, or an
// unknown district, industry or block), ENOTFOUND, ECONFLICT (a code
// taken; the status or kind of a unit held or allocated changed by
// hand), EFORBIDDEN or EUNAUTHORIZED from authz.
type InventoryService interface {
	CreateBlock(ctx context.Context, b *Block) error
	UpdateBlock(ctx context.Context, b *Block) error
	FindBlockByID(ctx context.Context, id int64) (*Block, error)
	// FindBlockByCode returns the block of the city's number.
	FindBlockByCode(ctx context.Context, code string) (*Block, error)
	FindBlocks(ctx context.Context, f BlockFilter) ([]*Block, int, error)
	// CreateUnit stores a unit in reserve or available; holds and
	// allocations alone make it held or allocated.
	CreateUnit(ctx context.Context, u *Unit) error
	// UpdateUnit changes a unit; a unit held or allocated keeps its
	// status and kind (ECONFLICT): ReleaseHold and EndAllocation change
	// them.
	UpdateUnit(ctx context.Context, u *Unit) error
	FindUnitByID(ctx context.Context, id int64) (*Unit, error)
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, int, error)
	// ImportInventory stores blocks and units all or nothing: the blocks
	// by code (new ones created, known ones updated), then the units by
	// block code and code; every problem names its row and field
	// (blocks[N].field, units[N].field). At most MaxImportRows rows. A
	// unit held or allocated keeps its status and kind: a file does not
	// undo a hold or an allocation.
	ImportInventory(ctx context.Context, blocks []*Block, units []*ImportUnit) (ImportStats, error)
}

// ImportUnit is a unit of an import, its block named by code.
type ImportUnit struct {
	BlockCode string
	Unit
}

// ImportStats counts what an import did; a row equal to the stored one
// counts as neither created nor updated.
type ImportStats struct {
	BlocksCreated, BlocksUpdated int
	UnitsCreated, UnitsUpdated   int
}

// Expiry is what one ExpireHolds did.
type Expiry struct {
	Expired int `json:"expired"` // active holds past their day, ended expired
	Warned  int `json:"warned"`  // holds ending within ExpiryWarningDays whose holders were told
	// LeasesEnded counts the leases past their last day marked ended,
	// their units available again.
	LeasesEnded int `json:"leases_ended"`
}

// AllocationService holds and allocates units. A unit is held or
// allocated once: the store checks it in the transaction that writes,
// under concurrent requests. Errors: EINVALID, ENOTFOUND, ECONFLICT (a
// unit not offered, held or allocated already; a hold not active),
// EFORBIDDEN or EUNAUTHORIZED from authz.
type AllocationService interface {
	// Route answers needs over the whole inventory with the city's size
	// rule.
	Route(ctx context.Context, n Needs, limit int) (*Routing, error)
	// HoldUnit holds a unit offered today for a project or a lead (one
	// the store knows: EINVALID otherwise).
	HoldUnit(ctx context.Context, h *Hold) error
	// ReleaseHold ends an active hold by hand; the unit is available again.
	ReleaseHold(ctx context.Context, holdID int64, note string) (*Hold, error)
	// Allocate gives a unit to a firm: an available unit, or one held,
	// whose active hold ends allocated; the allocation of a held unit is
	// for the hold's project or lead (ECONFLICT for another's). A lease
	// that starts later makes the unit allocated all the same.
	Allocate(ctx context.Context, a *Allocation) error
	// EndAllocation ends an allocation early (a lease given up) on a day
	// no later than today; the unit is available again.
	EndAllocation(ctx context.Context, allocationID int64, on chanye.Date) (*Allocation, error)
	// ExpireHolds ends the active holds whose day has passed and the
	// leases past their last day, and tells the holders of the holds
	// ending within ExpiryWarningDays, once. Run daily.
	ExpireHolds(ctx context.Context) (Expiry, error)
	FindHoldByID(ctx context.Context, id int64) (*Hold, error)
	FindHolds(ctx context.Context, f HoldFilter) ([]*Hold, int, error)
	FindAllocationByID(ctx context.Context, id int64) (*Allocation, error)
	FindAllocations(ctx context.Context, f AllocationFilter) ([]*Allocation, int, error)
	// FindSizeRule and PutSizeRule read and set the city's size rule
	// (DefaultRule until set).
	FindSizeRule(ctx context.Context) (SizeRule, error)
	PutSizeRule(ctx context.Context, r SizeRule) error
}

// UseService reads how the blocks are used (亩均) and keeps the
// thresholds that flag them.
type UseService interface {
	// FindBlockUse returns the use of every block the filter selects
	// (its Offset and Limit ignored: the ranking is over all of them) as
	// of today, from the units' active allocations and the latest year's
	// registry figures of the firms on their land.
	FindBlockUse(ctx context.Context, f BlockFilter) ([]*BlockUse, error)
	// FindUseThresholds and PutUseThresholds read and set the thresholds
	// (DefaultThresholds until set).
	FindUseThresholds(ctx context.Context) (Thresholds, error)
	PutUseThresholds(ctx context.Context, t Thresholds) error
}
