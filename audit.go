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
	ID        int64           `json:"id"`
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

// AuditFilter selects audit entries. Nil fields are not filtered on; From
// is inclusive and To exclusive.
type AuditFilter struct {
	Actor     *string
	Entity    *string
	EntityKey *string
	Action    *string
	From, To  *time.Time
	Offset    int
	Limit     int // 0: a default page
}

// AuditHead names one row of the chain by id and hash. Kept outside the
// database (printed by "chanye audit verify", written down, sent elsewhere),
// it lets a later verification detect rows removed from the end of the
// chain, which the chain alone cannot.
type AuditHead struct {
	ID   int64  `json:"id"`
	Hash string `json:"hash"`
}

// String returns "ID:HASH", the form ParseAuditHead reads.
func (h AuditHead) String() string { return strconv.FormatInt(h.ID, 10) + ":" + h.Hash }

// ParseAuditHead reads "ID:HASH": a positive id and 64 lowercase hex digits.
// EINVALID otherwise.
func ParseAuditHead(s string) (AuditHead, error) {
	bad := Errorf(EINVALID, "审计链头应为 ID:HASH / an audit head is ID:HASH, got %q", s)
	id, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return AuditHead{}, bad
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 || len(hash) != 64 {
		return AuditHead{}, bad
	}
	for _, c := range hash {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return AuditHead{}, bad
		}
	}
	return AuditHead{ID: n, Hash: hash}, nil
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

// AuditReport is the outcome of walking the audit chain and reconciling the
// money tables with it. When OK is false, Problem says what failed:
//
//   - "altered": row BadID's hash does not match its fields under its key;
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
//   - "reconcile": the chain is intact but a money table disagrees with it
//     (Mismatches, MismatchCount).
type AuditReport struct {
	OK      bool   `json:"ok"`
	Rows    int    `json:"rows"` // rows checked, up to and including BadID
	LastID  int64  `json:"last_id,omitempty"`
	BadID   int64  `json:"bad_id,omitempty"`
	Problem string `json:"problem,omitempty"`
	Message string `json:"message,omitempty"`
	// Head is the last row checked: keep it elsewhere and pass it as the
	// expected head of a later verification.
	Head *AuditHead `json:"head,omitempty"`
	// LegacyRows is how many rows, from row 1, are the unkeyed SHA-256
	// chain written before the log was keyed; KeyIDs are the keys that
	// signed the rest, in order.
	LegacyRows int   `json:"legacy_rows,omitempty"`
	KeyIDs     []int `json:"key_ids,omitempty"`
	// Reconciled counts the records of each money table compared with the
	// audit log; Unreconciled those last written by a batch import, whose
	// audit entry holds counts rather than the records.
	Reconciled   map[string]int `json:"reconciled,omitempty"`
	Unreconciled map[string]int `json:"unreconciled,omitempty"`
	// Mismatches are the first differences found, MismatchCount all of them.
	Mismatches    []AuditMismatch `json:"mismatches,omitempty"`
	MismatchCount int             `json:"mismatch_count,omitempty"`
}

// AuditService reads the audit log. Writes append to it by themselves.
type AuditService interface {
	// FindAudit returns one page of entries, newest first, and the total.
	// EINVALID on bad paging.
	FindAudit(ctx context.Context, filter AuditFilter) ([]*AuditEntry, int, error)
	// VerifyAudit recomputes the chain, checks that it still holds expect
	// (when not nil) and reconciles the money tables with it; the report
	// names the first problem.
	VerifyAudit(ctx context.Context, expect *AuditHead) (*AuditReport, error)
}
