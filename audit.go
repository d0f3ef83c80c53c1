package chanye

import (
	"context"
	"encoding/json"
	"time"
)

// AuditEntry is one row of the audit log: who changed which record how,
// with the record before and after, chained to the row before it by hash so
// that an edited or removed row is found by AuditService.VerifyAudit.
type AuditEntry struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	Actor     string          `json:"actor"` // Actor.String() of the writer
	ActorRole Role            `json:"actor_role"`
	RequestID string          `json:"request_id,omitempty"`
	Action    string          `json:"action"`     // create, update, delete, import, publish, run, publicise, object, resolve, approve, pay, reverse…
	Entity    string          `json:"entity"`     // the table or domain name: enterprise, industry, policy_version…
	EntityKey string          `json:"entity_key"` // the record's key within Entity; "" for a whole-table write such as an import
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

// AuditReport is the outcome of walking the audit chain. When OK is false,
// BadID names the first row that fails and Problem says how: "altered"
// (its hash does not match its fields), "removed" (rows before it are
// missing) or "broken" (its prev_hash is not the previous row's hash: a row
// was inserted, or the previous one rewritten with a new hash).
type AuditReport struct {
	OK      bool   `json:"ok"`
	Rows    int    `json:"rows"` // rows checked, up to and including BadID
	LastID  int64  `json:"last_id,omitempty"`
	BadID   int64  `json:"bad_id,omitempty"`
	Problem string `json:"problem,omitempty"`
	Message string `json:"message,omitempty"`
}

// AuditService reads the audit log. Writes append to it by themselves.
type AuditService interface {
	// FindAudit returns one page of entries, newest first, and the total.
	// EINVALID on bad paging.
	FindAudit(ctx context.Context, filter AuditFilter) ([]*AuditEntry, int, error)
	// VerifyAudit recomputes the chain and reports the first bad row.
	VerifyAudit(ctx context.Context) (*AuditReport, error)
}
