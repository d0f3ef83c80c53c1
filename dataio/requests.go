package dataio

import (
	"io"
	"strconv"
	"time"

	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/workday"
)

// Requests is the kind of a file of enterprise requests (诉求), read by
// ReadRequests (requests another platform hands over, each with its
// reference) and written by ExportRequests.
const Requests Kind = "requests"

// requestSchema: the columns of a requests file to import.
var requestSchema = []column{
	{"code", []string{"统一社会信用代码", "信用代码"}, true},
	{"category_id", []string{"类别", "诉求类别"}, true},
	{"title", []string{"标题", "诉求标题"}, true},
	{"description", []string{"内容", "诉求内容"}, true},
	{"external_source", []string{"来源平台"}, true},
	{"external_ref", []string{"外部编号"}, true},
}

// RequestFile is a requests file read whole.
type RequestFile struct {
	Rows []*request.Request
	*sheet
}

// ReadRequests reads a file of requests from another platform (CSV or
// XLSX): each row is taken in on the platform channel with its source and
// reference, so that a file read twice takes nothing in twice. Cells are
// checked by the store.
func ReadRequests(r io.Reader, format Format) (*RequestFile, error) {
	sh, err := readSheet(r, format, Requests, requestSchema)
	if err != nil {
		return nil, err
	}
	f := &RequestFile{sheet: sh}
	for _, cells := range sh.rows {
		h := sh.h
		f.Rows = append(f.Rows, &request.Request{Code: h.get(cells, "code"), CategoryID: h.get(cells, "category_id"), Title: h.get(cells, "title"),
			Description: h.get(cells, "description"), Channel: request.ChannelPlatform, ExternalSource: h.get(cells, "external_source"),
			ExternalRef: h.get(cells, "external_ref")})
	}
	return f, nil
}

// RequestHeader is the header ExportRequests writes: times in China's
// time, empty when not yet.
var RequestHeader = []string{"id", "code", "enterprise", "industry_id", "category_id", "title", "channel", "external_source", "external_ref",
	"status", "department", "co_handlers", "escalation", "reopened", "received_at", "acknowledge_due", "acknowledged_at", "answer_due",
	"answered_at", "close_due", "closed_at", "closed_by", "rating"}

// ExportRequests writes the requests as CSV or XLSX and returns the rows.
func ExportRequests(w io.Writer, format Format, rs []*request.Request) (int, error) {
	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	if err := out.Write(RequestHeader); err != nil {
		return 0, err
	}
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(workday.China).Format("2006-01-02 15:04")
	}
	for i, r := range rs {
		handlers := ""
		for j, d := range r.CoHandlers {
			if j > 0 {
				handlers += "、"
			}
			handlers += d
		}
		if err := out.Write([]string{strconv.FormatInt(r.ID, 10), r.Code, r.EnterpriseName, r.IndustryID, r.CategoryID, r.Title, string(r.Channel),
			r.ExternalSource, r.ExternalRef, string(r.Status), r.Department, handlers, strconv.Itoa(r.Escalation), strconv.Itoa(r.Reopened),
			at(r.ReceivedAt), at(r.AcknowledgeDue), at(r.AcknowledgedAt), at(r.AnswerDue), at(r.AnsweredAt), at(r.CloseDue), at(r.ClosedAt),
			r.ClosedBy, string(r.Rating)}); err != nil {
			return i, err
		}
	}
	return len(rs), out.Close()
}
