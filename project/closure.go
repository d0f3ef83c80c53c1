package project

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// Closing a warning (销号).
//
// Warnings are computed from the rules, never stored; a closure is stored.
// It names the project, the rule and the month of the day it was made, and
// closes that rule's warning on that project from that day to the end of
// the month: the warning stays in the answers, marked Closed, and no longer
// colours the project. The rules' inputs do not change — was_red still
// reads what the rules computed — so a shortfall that persists fires again
// in the next month, where it is a new, open warning that may be closed
// again. A closed yellow that turns red in the same month is another
// rule's warning, open. Closing needs a note and an evidence file, bounded
// and type-checked as application files are (policy.CheckAttachment).

// MaxClosureNote bounds a closure's note, in characters.
const MaxClosureNote = 2000

// Upload is a file as received: its name, the content type its bytes show
// (http.DetectContentType, not what a client says) and its bytes.
type Upload struct {
	Name        string
	ContentType string
	Data        []byte
}

// FileInfo describes a stored evidence file.
type FileInfo struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// Closure is a warning closed (销号): who closed it, when, why, with what
// evidence, and the warning as it read then.
type Closure struct {
	ID        int64     `json:"id"`
	ProjectID string    `json:"project_id"`
	RuleID    string    `json:"rule_id"`
	Colour    Colour    `json:"colour"`
	Month     string    `json:"month"` // YYYY-MM: the month whose warning it closes
	MessageZH string    `json:"message_zh"`
	MessageEN string    `json:"message_en"`
	Note      string    `json:"note"`
	File      FileInfo  `json:"file"`
	ClosedBy  string    `json:"closed_by"`
	ClosedAt  time.Time `json:"closed_at"`
}

// Covers reports whether c closes the warning of its rule and project as
// of asOf: asOf is in c's month, on or after the day it was made.
func (c *Closure) Covers(asOf chanye.Date) bool {
	return MonthOf(asOf) == c.Month && !asOf.Before(chanye.DateOf(c.ClosedAt).Time)
}

// Closed is what a closed warning says of its closure.
type Closed struct {
	ClosureID int64     `json:"closure_id"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
	Note      string    `json:"note"`
}

// CheckClosure checks a closure's note and evidence file. EINVALID keyed
// note or file.
func CheckClosure(note string, f Upload) error {
	fields := map[string]string{}
	if n := utf8.RuneCountInString(strings.TrimSpace(note)); n == 0 || n > MaxClosureNote {
		fields["note"] = "销号说明须为 1–2000 个字符 / the note must be 1–2000 characters"
	}
	if len(f.Data) == 0 && f.Name == "" {
		fields["file"] = "须附证明材料（PDF、JPEG 或 PNG）/ an evidence file (PDF, JPEG or PNG) is required"
	} else if err := policy.CheckAttachment(f.Name, f.ContentType, int64(len(f.Data))); err != nil {
		fields["file"] = chanye.ErrorFields(err)["file"]
	}
	return chanye.Invalid("销号信息有误 / invalid closure", fields)
}

// applyClosures marks the warnings that closures cover as of asOf.
func applyClosures(ws []Warning, cs []*Closure, asOf chanye.Date) {
	if len(cs) == 0 {
		return
	}
	type key struct{ project, rule string }
	by := map[key]*Closure{}
	for _, c := range cs {
		if c.Covers(asOf) {
			by[key{c.ProjectID, c.RuleID}] = c
		}
	}
	for i := range ws {
		if c := by[key{ws[i].ProjectID, ws[i].RuleID}]; c != nil {
			ws[i].Closed = &Closed{ClosureID: c.ID, By: c.ClosedBy, At: c.ClosedAt, Note: c.Note}
		}
	}
}

// ClosureService closes warnings. Errors: ENOTFOUND for an unknown project
// (and, through authz, one the actor may not see), EINVALID, ECONFLICT,
// EFORBIDDEN or EUNAUTHORIZED from authz.
type ClosureService interface {
	// CloseWarning closes the open warning of rule ruleID on the project
	// as of today with the note and the evidence file. EINVALID for a bad
	// note or file, ECONFLICT when the rule fires no open warning on the
	// project today (never fired, or closed already this month).
	CloseWarning(ctx context.Context, projectID, ruleID, note string, file Upload) (*Closure, error)
	// FindClosures returns a project's closures, newest first. ENOTFOUND.
	FindClosures(ctx context.Context, projectID string) ([]*Closure, error)
	// FindClosureFile returns a closure of the project with its evidence
	// file's bytes. ENOTFOUND.
	FindClosureFile(ctx context.Context, projectID string, id int64) (*Closure, []byte, error)
}
