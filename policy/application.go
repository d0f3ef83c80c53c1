package policy

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
)

// 快申快享 applications. An enterprise gives the figures a policy declares
// as applied inputs (Input.Applied) in an application for the policy,
// with attachments; the policy's department checks it within the policy's
// review period of working days and accepts it or returns it with a
// reason. Once accepted, its values are the enterprise's inputs for that
// policy (Inputs.Applied): the next run — or a re-decision — decides with
// them.
//
//	draft → submitted → accepted
//	               ↘ returned (with a reason) → submitted …
//	draft, submitted, returned → withdrawn
//
// An accepted or withdrawn application is final; the enterprise files a
// new one to change accepted figures (the new one, once accepted, is the
// one read).

// AppStatus is where an application is.
type AppStatus string

// The application statuses.
const (
	AppDraft     AppStatus = "draft"
	AppSubmitted AppStatus = "submitted"
	AppAccepted  AppStatus = "accepted"
	AppReturned  AppStatus = "returned"
	AppWithdrawn AppStatus = "withdrawn"
)

// AppStatuses lists the statuses in display order.
var AppStatuses = []AppStatus{AppDraft, AppSubmitted, AppReturned, AppAccepted, AppWithdrawn}

// Valid reports whether s is a known status.
func (s AppStatus) Valid() bool { return slices.Contains(AppStatuses, s) }

// NameZH is the status in Chinese.
func (s AppStatus) NameZH() string {
	return map[AppStatus]string{AppDraft: "草稿", AppSubmitted: "审核中", AppAccepted: "已采纳", AppReturned: "已退回", AppWithdrawn: "已撤回"}[s]
}

// NameEN is the status in English.
func (s AppStatus) NameEN() string {
	return map[AppStatus]string{AppDraft: "draft", AppSubmitted: "in review", AppAccepted: "accepted", AppReturned: "returned", AppWithdrawn: "withdrawn"}[s]
}

// appMoves are the transitions: from → the statuses it may go to.
var appMoves = map[AppStatus][]AppStatus{
	AppDraft:     {AppSubmitted, AppWithdrawn},
	AppSubmitted: {AppAccepted, AppReturned, AppWithdrawn},
	AppReturned:  {AppSubmitted, AppWithdrawn},
}

// CanMove reports whether an application in status from may go to to.
func CanMove(from, to AppStatus) bool { return slices.Contains(appMoves[from], to) }

// Editable reports whether the enterprise may change the values and
// attachments: a draft, or returned.
func (s AppStatus) Editable() bool { return s == AppDraft || s == AppReturned }

// Application is an enterprise's 快申快享 application for one policy.
type Application struct {
	ID         int64          `json:"id"`
	PolicyID   string         `json:"policy_id"`
	Version    int            `json:"version"`    // the published version applied under
	Department string         `json:"department"` // the policy's, who reviews
	Code       string         `json:"code"`       // the enterprise
	Name       string         `json:"name,omitempty"`
	Status     AppStatus      `json:"status"`
	Values     map[string]any `json:"values"`      // by input name: int64 (money in fen, ints), Rate, chanye.Date, bool
	ReviewDays int            `json:"review_days"` // working days the department has, from submission
	// SubmittedOn is the day of the latest submission, DueOn the last day
	// of its review (ReviewDue); both zero for a draft never submitted.
	SubmittedOn chanye.Date   `json:"submitted_on,omitzero"`
	DueOn       chanye.Date   `json:"due_on,omitzero"`
	Reason      string        `json:"reason,omitempty"` // why it was last returned
	CreatedAt   time.Time     `json:"created_at"`
	CreatedBy   string        `json:"created_by"`
	UpdatedAt   time.Time     `json:"updated_at"`
	Files       []*Attachment `json:"files,omitempty"`
	Events      []*AppEvent   `json:"events,omitempty"`
}

// Overdue reports whether a submitted application is past its review
// deadline on day today.
func (a *Application) Overdue(today chanye.Date) bool {
	return a.Status == AppSubmitted && !a.DueOn.IsZero() && today.After(a.DueOn.Time)
}

// ValueText shows the value of input in, or "" when the application has
// none.
func (a *Application) ValueText(in Input) (string, string) {
	v, ok := a.Values[in.Name]
	if !ok {
		return "", ""
	}
	return in.InputText(v)
}

// CheckValues checks values against p's applied inputs: each names an
// applied input and lies in its bounds. With complete set, every applied
// input must have a value (a submission). EINVALID keyed values.NAME.
func CheckValues(p *Policy, values map[string]any, complete bool) error {
	f := map[string]string{}
	for n, v := range values {
		in := p.Input(n)
		if in == nil || !in.Applied() {
			f["values."+n] = fmt.Sprintf("政策 %s 没有可申报的输入 %s / policy %s has no applied input %s", p.ID, n, p.ID, n)
			continue
		}
		if msg := in.CheckInput(v); msg != "" {
			f["values."+n] = in.LabelZH + "：" + msg
		}
	}
	if complete {
		for _, in := range p.AppliedInputs() {
			if _, ok := values[in.Name]; !ok {
				f["values."+in.Name] = fmt.Sprintf("%s：必填 / %s: required", in.LabelZH, in.LabelEN)
			}
		}
	}
	return chanye.Invalid("申报数据有误 / invalid application figures", f)
}

// AppEvent is one transition of an application, for its timeline.
type AppEvent struct {
	ID     int64     `json:"id"`
	AppID  int64     `json:"application_id"`
	From   AppStatus `json:"from,omitempty"` // "" when created
	To     AppStatus `json:"to"`
	Action string    `json:"action"` // create, save, submit, accept, return, withdraw, attach
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

// Attachment is a file attached to an application, stored in the
// database: only the enterprise and the reviewing department read it.
type Attachment struct {
	ID          int64     `json:"id"`
	AppID       int64     `json:"application_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
}

// Attachment bounds: at most MaxAttachments files of at most
// MaxAttachmentBytes each, of the types in AttachmentTypes.
const (
	MaxAttachments     = 10
	MaxAttachmentBytes = 10 << 20
)

// AttachmentTypes are the content types an attachment may have (as the
// bytes show, not as the browser says), by file extension.
var AttachmentTypes = map[string]string{
	".pdf":  "application/pdf",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
}

// CheckAttachment checks a file: a name of at most 200 characters, an
// allowed extension whose type the detected content type (sniffed) is,
// a size from 1 byte to MaxAttachmentBytes. EINVALID keyed file.
func CheckAttachment(name, sniffed string, size int64) error {
	name = strings.TrimSpace(name)
	want, ok := AttachmentTypes[strings.ToLower(path.Ext(name))]
	switch {
	case name == "" || utf8.RuneCountInString(name) > 200 || strings.ContainsAny(name, "/\\\x00"):
		return chanye.Invalid("附件无效 / invalid attachment", map[string]string{"file": "文件名须为 1–200 个字符 / the file name must be 1–200 characters"})
	case !ok:
		return chanye.Invalid("附件无效 / invalid attachment", map[string]string{"file": "只接受 PDF、JPEG、PNG 文件 / only PDF, JPEG and PNG files are accepted"})
	case !strings.HasPrefix(sniffed, want):
		return chanye.Invalid("附件无效 / invalid attachment", map[string]string{"file": fmt.Sprintf("文件内容（%s）与扩展名不符 / the content (%s) does not match the extension", sniffed, sniffed)})
	case size < 1 || size > MaxAttachmentBytes:
		return chanye.Invalid("附件无效 / invalid attachment", map[string]string{"file": fmt.Sprintf("文件须为 1 字节至 %d MB / a file must be 1 byte to %d MB", MaxAttachmentBytes>>20, MaxAttachmentBytes>>20)})
	}
	return nil
}

// ApplicationFilter selects applications. Nil fields are not filtered on.
type ApplicationFilter struct {
	PolicyID   *string
	Code       *string
	Department *string
	Status     *AppStatus
	Offset     int
	Limit      int // 0: 50; at most 1000
}

// ParseValues reads the values of p's applied inputs as a form or a
// request writes them (Input.ParseInput; units[NAME] is "wan" for money in
// 万元, "percent" for a ratio in percent, else 元 and a decimal or "12%").
// A blank value is left out (not given). EINVALID keyed values.NAME.
func ParseValues(p *Policy, raw, units map[string]string) (map[string]any, error) {
	out := map[string]any{}
	f := map[string]string{}
	for n, s := range raw {
		in := p.Input(n)
		if in == nil || !in.Applied() {
			f["values."+n] = fmt.Sprintf("政策 %s 没有可申报的输入 %s / policy %s has no applied input %s", p.ID, n, p.ID, n)
			continue
		}
		if strings.TrimSpace(s) == "" {
			continue
		}
		v, err := in.ParseInput(s, units[n])
		if err != nil {
			f["values."+n] = err.Error()
			continue
		}
		out[n] = v
	}
	if err := chanye.Invalid("申报数据有误 / invalid application figures", f); err != nil {
		return nil, err
	}
	return out, nil
}
