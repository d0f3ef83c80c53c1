package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// CSV exports from the pages: the registry with the list's filter, the key
// projects with the list's filter, and the decisions of one run and
// policy. Every cell goes through dataio's formula-safe CSV writing. The
// services decide who reads what (authz), exactly as for the lists: an
// enterprise exports only itself and its own projects. The payment file
// of a run and policy is /payments/file.
//
// Limits: an export holds at most maxExportRows rows, counted before
// anything is written; a larger selection is refused (413) and is to be
// narrowed by the filter, or exported with `chanye export` at the command
// line, which has no such limit.

// maxExportRows bounds the rows of one export from the pages.
const maxExportRows = 100_000

// tooMany is the answer for a selection larger than maxExportRows.
func tooMany(n int) error {
	return chanye.NewError(chanye.ETOOLARGE, fmt.Sprintf("所选 %d 行超过导出上限 %d 行，请缩小筛选范围 / the %d rows selected exceed the export limit of %d: narrow the filter",
		n, maxExportRows, n, maxExportRows), nil)
}

// sendCSV writes a CSV download named name.
func sendCSV(w http.ResponseWriter, name string, body []byte) {
	sendFile(w, "text/csv; charset=utf-8", name, body)
}

// sendXLSX writes a workbook download named name.
func sendXLSX(w http.ResponseWriter, name string, body []byte) {
	sendFile(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, body)
}

// sendFile writes a download of type typ named name.
func sendFile(w http.ResponseWriter, typ, name string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(body) // a failed write means the client left
}

// exportEnterprises downloads the registry list as filtered, with the
// columns an import reads back.
func (s *Server) exportEnterprises(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return err
	}
	f, bad := chanye.ParseEnterpriseFilter(r.URL.Query().Get, c)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	f.Limit = 1
	if _, total, err := s.cfg.Enterprises.FindEnterprises(ctx, f); err != nil {
		return err
	} else if total > maxExportRows {
		return tooMany(total)
	}
	f.Limit = 0
	var buf bytes.Buffer
	files := &dataio.Files{Catalog: s.cfg.Catalog, Enterprises: s.cfg.Enterprises}
	if _, err := files.Export(ctx, dataio.Enterprises, &buf, dataio.CSV, f); err != nil {
		return err
	}
	sendCSV(w, "enterprises.csv", buf.Bytes())
	return nil
}

// exportProjects downloads the project list as filtered (its colour
// filter aside), with the columns an import reads back.
func (s *Server) exportProjects(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ps, c, err := s.projectsAndCatalog(ctx)
	if err != nil {
		return err
	}
	l := s.newPage(r, "projects").L
	f := project.ProjectFilter{Limit: 1}
	bad := map[string]string{}
	var d, i, st, col []option
	readProjectFilter(l, c, r.URL.Query(), &f, bad, &d, &i, &st, &col)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	f.Colour = nil // the file has no colour column; the export is the whole selection
	if _, total, err := ps.FindProjects(ctx, f); err != nil {
		return err
	} else if total > maxExportRows {
		return tooMany(total)
	}
	f.Limit = 0
	var buf bytes.Buffer
	files := &dataio.ProjectFiles{Catalog: s.cfg.Catalog, Projects: ps}
	if _, err := files.Export(ctx, dataio.Projects, &buf, dataio.CSV, f); err != nil {
		return err
	}
	sendCSV(w, "projects.csv", buf.Bytes())
	return nil
}

// decisionColumns are the columns of the decisions export.
var decisionColumns = []string{"run_id", "policy_id", "version", "code", "name", "district", "period", "verdict", "eligible", "amount_yuan", "status", "status_at"}

// exportDecisions downloads the decisions of one run and one policy
// (?run=&policy=, both required), every verdict.
func (s *Server) exportDecisions(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	runID, pid, err := pairQuery(r.URL.Query().Get)
	if err == nil && (runID == 0 || pid == "") {
		err = chanye.Invalid("须指明批次和政策 / run and policy required", map[string]string{"run": "必填 / required", "policy": "必填 / required"})
	}
	if err != nil {
		return err
	}
	ds, err := decisionsOf(ctx, s.cfg.Policies.Runs, policy.DecisionFilter{RunID: &runID, PolicyID: &pid})
	if err != nil {
		return err
	}
	rows := make([][]string, 0, len(ds)+1)
	rows = append(rows, decisionColumns)
	for _, d := range ds {
		rows = append(rows, []string{strconv.FormatInt(d.RunID, 10), d.PolicyID, strconv.Itoa(d.Version), d.Code, d.Name, d.District,
			strconv.Itoa(d.Period), string(d.Verdict), strconv.FormatBool(d.Eligible), d.AmountFen.Yuan(), string(d.Status),
			d.StatusAt.In(s.now().Location()).Format("2006-01-02 15:04")})
	}
	var buf bytes.Buffer
	if err := dataio.WriteCSV(&buf, rows); err != nil {
		return err
	}
	sendCSV(w, fmt.Sprintf("decisions-run%d-%s.csv", runID, pid), buf.Bytes())
	return nil
}

// decisionsOf reads every decision f selects, page by page, refusing more
// than maxExportRows.
func decisionsOf(ctx context.Context, runs policy.RunService, f policy.DecisionFilter) ([]*policy.StoredDecision, error) {
	f.Limit = 1
	_, total, err := runs.FindDecisions(ctx, f)
	if err != nil {
		return nil, err
	}
	if total > maxExportRows {
		return nil, tooMany(total)
	}
	var out []*policy.StoredDecision
	for f.Offset, f.Limit = 0, 1000; f.Offset < total; f.Offset += f.Limit {
		page, _, err := runs.FindDecisions(ctx, f)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		out = append(out, page...)
	}
	return out, nil
}

// ExportURL is the export at path of what the page lists: the page's
// filter, without its page number or language.
func (p page) ExportURL(path string) template.URL {
	q := url.Values{}
	for k, v := range p.query {
		if k != "page" && k != "lang" {
			q[k] = v
		}
	}
	if len(q) == 0 {
		return template.URL(path)
	}
	return template.URL(path + "?" + q.Encode()) // our path, an encoded query: nothing to filter
}

// Filters reports whether the page's query sets every key.
func (p page) Filters(keys ...string) bool {
	for _, k := range keys {
		if p.query.Get(k) == "" {
			return false
		}
	}
	return true
}
