package chanye

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one row of the audit log: who changed which record how,
// with the record before and after, chained to the row before it by a keyed
// hash so that an edited or removed row is found by AuditService.VerifyAudit.
type AuditEntry struct {
	Chain     int             `json:"chain"` // 0, the coordinator's; 1…N, a range of credit codes each (see AuditHead)
	ID        int64           `json:"id"`    // 1, 2, 3 … within the chain
	At        time.Time       `json:"at"`
	Actor     string          `json:"actor"` // Actor.String() of the writer
	ActorRole Role            `json:"actor_role"`
	RequestID string          `json:"request_id,omitempty"`
	Action    string          `json:"action"`     // create, update, delete, import, publish, run, publicise, object, resolve, approve, pay, reverse…
	Entity    string          `json:"entity"`     // the table or domain name: enterprise, industry, policy_version…
	EntityKey string          `json:"entity_key"` // the record's key within Entity; "" for a whole-table write such as an import
	KeyID     int             `json:"key_id"`     // the audit key that signed the row; 0 for the unkeyed rows written before keys
	Before    json.RawMessage `json:"before"`     // the record before, as JSON; null for a creation
	After     json.RawMessage `json:"after"`      // the record after, as JSON; null for a deletion
	PrevHash  string          `json:"prev_hash"`
	Hash      string          `json:"hash"`
}

// Ref names the entry: "ID" in chain 0, "CHAIN:ID" in the others, as the
// heads of AuditHead.String are written.
func (e *AuditEntry) Ref() string {
	if e.Chain == 0 {
		return strconv.FormatInt(e.ID, 10)
	}
	return strconv.Itoa(e.Chain) + ":" + strconv.FormatInt(e.ID, 10)
}

// AuditFilter selects audit entries. Nil fields are not filtered on; From
// is inclusive and To exclusive.
type AuditFilter struct {
	Actor     *string
	Entity    *string
	EntityKey *string
	Action    *string
	Chain     *int
	From, To  *time.Time
	Offset    int
	Limit     int // 0: a default page
}

// AuditHead names one row of a chain by chain, id and hash. Kept outside
// the database (printed by "chanye audit verify", written down, sent
// elsewhere), it lets a later verification detect rows removed from the end
// of the chain, which the chain alone cannot.
//
// The log is one chain per range of credit codes (1…N, one per shard of a
// distributed database) besides the coordinator's own, chain 0, each
// verifiable on its own. A single database has chain 0 only.
type AuditHead struct {
	Chain int    `json:"chain,omitempty"`
	ID    int64  `json:"id"`
	Hash  string `json:"hash"`
}

// String returns "ID:HASH" for chain 0 and "CHAIN:ID:HASH" for the others,
// the forms ParseAuditHead reads.
func (h AuditHead) String() string {
	s := strconv.FormatInt(h.ID, 10) + ":" + h.Hash
	if h.Chain != 0 {
		s = strconv.Itoa(h.Chain) + ":" + s
	}
	return s
}

// ParseAuditHead reads "ID:HASH" (chain 0) or "CHAIN:ID:HASH": a chain of
// 0 or more, a positive id and 64 lowercase hex digits. EINVALID otherwise.
func ParseAuditHead(s string) (AuditHead, error) {
	bad := Errorf(EINVALID, "审计链头应为 ID:HASH 或 CHAIN:ID:HASH / an audit head is ID:HASH or CHAIN:ID:HASH, got %q", s)
	parts := strings.Split(strings.TrimSpace(s), ":")
	var h AuditHead
	switch len(parts) {
	case 2:
	case 3:
		n, err := strconv.Atoi(parts[0])
		if err != nil || n < 0 || parts[0] != strconv.Itoa(n) {
			return AuditHead{}, bad
		}
		h.Chain, parts = n, parts[1:]
	default:
		return AuditHead{}, bad
	}
	n, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || n < 1 || len(parts[1]) != 64 {
		return AuditHead{}, bad
	}
	for _, c := range parts[1] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return AuditHead{}, bad
		}
	}
	h.ID, h.Hash = n, parts[1]
	return h, nil
}

// AuditMismatch is one difference between a money table and the audit log:
// the record Key of Table, whose Field holds Stored while the audit log says
// Audited. Field "row" means the record is missing on one side ("-").
type AuditMismatch struct {
	Table   string `json:"table"`
	Key     string `json:"key"`
	Field   string `json:"field"`
	Stored  string `json:"stored"`
	Audited string `json:"audited"`
}

// AuditReport is the outcome of walking the audit chains and reconciling
// the money tables with them. When OK is false, Problem says what failed,
// in chain BadChain:
//
//   - "altered": row BadID's hash does not match its fields under its key
//     (a row moved to another chain is altered too);
//   - "removed": rows before BadID are missing;
//   - "broken": BadID's prev_hash is not the previous row's hash (a row was
//     inserted, or the previous one rewritten with a new hash);
//   - "key": BadID is signed with a key the key file lacks, or with an older
//     key than a row before it;
//   - "unkeyed": BadID carries no key where the key file does not allow an
//     unkeyed (pre-key, legacy) row;
//   - "truncated": the chain ends before an expected head or a head the key
//     file pins (rows were removed from the end);
//   - "expect": the row of an expected or pinned head has another hash;
//   - "reconcile": the chains are intact but a money table disagrees with
//     them (Mismatches, MismatchCount).
//
// Chains reports each chain; the fields LastID, Head, LegacyRows and KeyIDs
// repeat those of chain 0, or of the one chain verified.
type AuditReport struct {
	OK       bool   `json:"ok"`
	Rows     int    `json:"rows"` // rows checked in all chains, up to and including BadID
	LastID   int64  `json:"last_id,omitempty"`
	BadChain int    `json:"bad_chain,omitempty"`
	BadID    int64  `json:"bad_id,omitempty"`
	Problem  string `json:"problem,omitempty"`
	Message  string `json:"message,omitempty"`
	// Head is the last row checked: keep it elsewhere and pass it as the
	// expected head of a later verification.
	Head *AuditHead `json:"head,omitempty"`
	// LegacyRows is how many rows, from row 1, are the unkeyed SHA-256
	// chain written before the log was keyed; KeyIDs are the keys that
	// signed the rest, in order.
	LegacyRows int   `json:"legacy_rows,omitempty"`
	KeyIDs     []int `json:"key_ids,omitempty"`
	// Chains are the chains verified, in order, each with its outcome:
	// a broken chain does not keep the others from being checked.
	Chains []AuditChainReport `json:"chains,omitempty"`
	// Reconciled counts the records of each money table compared with the
	// audit log; Unreconciled those last written by a batch import, whose
	// audit entry holds counts rather than the records. Both are nil when
	// one chain alone was verified: the tables reconcile with all of them.
	Reconciled   map[string]int `json:"reconciled,omitempty"`
	Unreconciled map[string]int `json:"unreconciled,omitempty"`
	// Mismatches are the first differences found, MismatchCount all of them.
	Mismatches    []AuditMismatch `json:"mismatches,omitempty"`
	MismatchCount int             `json:"mismatch_count,omitempty"`
}

// AuditChainReport is the outcome of walking one chain; Problem is one of
// AuditReport's, except "reconcile".
type AuditChainReport struct {
	Chain      int        `json:"chain"`
	OK         bool       `json:"ok"`
	Rows       int        `json:"rows"`
	LastID     int64      `json:"last_id,omitempty"`
	BadID      int64      `json:"bad_id,omitempty"`
	Problem    string     `json:"problem,omitempty"`
	Message    string     `json:"message,omitempty"`
	Head       *AuditHead `json:"head,omitempty"`
	LegacyRows int        `json:"legacy_rows,omitempty"`
	KeyIDs     []int      `json:"key_ids,omitempty"`
}

// AuditVerify says what VerifyAuditChains checks.
type AuditVerify struct {
	// Chain, when not nil, limits the walk to that chain, without
	// reconciliation; nil walks every chain, then reconciles.
	Chain *int
	// Expect are heads kept elsewhere, each of its own chain.
	Expect []AuditHead
}

// AuditService reads the audit log. Writes append to it by themselves.
type AuditService interface {
	// FindAudit returns one page of entries, newest first, and the total.
	// EINVALID on bad paging.
	FindAudit(ctx context.Context, filter AuditFilter) ([]*AuditEntry, int, error)
	// VerifyAudit recomputes every chain, checks that they still hold
	// expect (when not nil; its chain's) and reconciles the money tables
	// with them; the report names the first problem.
	VerifyAudit(ctx context.Context, expect *AuditHead) (*AuditReport, error)
	// VerifyAuditChains is VerifyAudit with several expected heads, or of
	// one chain only. EINVALID on a negative chain.
	VerifyAuditChains(ctx context.Context, v AuditVerify) (*AuditReport, error)
}
