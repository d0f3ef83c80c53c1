package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/dataio"
)

// The import of leads from a sheet, a form of /leads: who may import sees
// it; a refused file shows every problem by the sheet's row and column,
// and stores nothing.

// leadsImport is the import form of the leads page and what the last
// import did: how many leads it stored, or why it stored none.
type leadsImport struct {
	Imported int // leads the last import stored (the redirect's ?imported=N)
	File     string
	Message  string
	Problems []sheetProblem
}

// sheetProblem is a problem of a refused file, as the page lists it.
type sheetProblem struct {
	Row    string // the sheet's row, the header being row 1; "" for the whole file
	Column string // as the sheet spells it
	Reason string
}

// leadsImportOf is the import form for a reader who may import leads, nil
// for anyone else.
func (s *Server) leadsImportOf(r *http.Request, a *chanye.Actor) *leadsImport {
	if s.cfg.Invest.Imports == nil || !may(a, authz.InvestRules(), authz.ImportLeads) {
		return nil
	}
	imp := &leadsImport{}
	if n, err := strconv.Atoi(r.URL.Query().Get("imported")); err == nil && n > 0 {
		imp.Imported = n
	}
	return imp
}

// importLeads takes the sheet of the import form (multipart, field file):
// back to /leads saying how many leads it stored, or the page again with
// every problem, nothing stored.
func (s *Server) importLeads(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Invest.Imports == nil || s.cfg.Invest.Leads == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	// Who may not import learns so before the file is read.
	if err := refuse(chanye.ActorFrom(r.Context()), authz.InvestRules(), authz.ImportLeads); err != nil {
		return err
	}
	name, data, err := readSheetForm(w, r)
	if err != nil {
		return s.importRefused(w, r, name, nil, err)
	}
	file, err := dataio.ReadLeads(bytes.NewReader(data), dataio.UploadFormat(name, data))
	if err != nil {
		return s.importRefused(w, r, name, nil, err)
	}
	n := 0
	if err = file.Err(); err == nil {
		n, err = s.cfg.Invest.Imports.ImportLeads(r.Context(), file.Rows)
	}
	if err != nil {
		return s.importRefused(w, r, name, file.Problems, err)
	}
	http.Redirect(w, r, "/leads?imported="+strconv.Itoa(n)+"#lead-import", http.StatusSeeOther)
	return nil
}

// readSheetForm reads the file of the import form and its name.
func readSheetForm(w http.ResponseWriter, r *http.Request) (string, []byte, error) {
	tooLarge := chanye.Errorf(chanye.ETOOLARGE, "文件超过 %d MB / the file exceeds %d MB", dataio.MaxLeadFileBytes>>20, dataio.MaxLeadFileBytes>>20)
	r.Body = http.MaxBytesReader(w, r.Body, dataio.MaxLeadFileBytes+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return "", nil, tooLarge
		}
		return "", nil, chanye.Errorf(chanye.EINVALID, "请选择 CSV 或 XLSX 文件 / choose a CSV or XLSX file")
	}
	defer r.MultipartForm.RemoveAll()
	f, h, err := r.FormFile("file")
	if err != nil {
		return "", nil, chanye.Errorf(chanye.EINVALID, "请选择 CSV 或 XLSX 文件 / choose a CSV or XLSX file")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, dataio.MaxLeadFileBytes+1))
	if err != nil {
		return h.Filename, nil, err
	}
	if len(data) > dataio.MaxLeadFileBytes {
		return h.Filename, nil, tooLarge
	}
	return h.Filename, data, nil
}

// importRefused shows /leads again with why the file was refused: every
// problem placed on the sheet's rows and columns (problems, for a file
// read), else on the columns or the file as a whole. Errors nobody can fix
// by changing the file go to the error page.
func (s *Server) importRefused(w http.ResponseWriter, r *http.Request, name string, problems func(error) []dataio.Problem, cause error) error {
	status := http.StatusBadRequest
	switch chanye.ErrorCode(cause) {
	case chanye.EINVALID:
	case chanye.ETOOLARGE:
		status = http.StatusRequestEntityTooLarge
	case chanye.EFORBIDDEN:
		if len(errFields(r, cause)) == 0 {
			return cause
		}
		status = http.StatusForbidden
	default:
		return cause
	}
	v, err := s.leadsOf(r)
	if err != nil {
		return err
	}
	if v.Import == nil {
		return cause
	}
	v.Import.File, v.Import.Message = name, errText(r, cause)
	var ps []dataio.Problem
	if problems != nil {
		ps = problems(cause)
	} else {
		for k, reason := range errFields(r, cause) {
			ps = append(ps, dataio.Problem{Column: k, Reason: reason})
		}
		slices.SortFunc(ps, func(a, b dataio.Problem) int { return strings.Compare(a.Column, b.Column) })
	}
	for _, p := range ps {
		row := ""
		if p.Row > 0 {
			row = strconv.Itoa(p.Row)
		}
		v.Import.Problems = append(v.Import.Problems, sheetProblem{Row: row, Column: p.Column, Reason: p.Reason})
	}
	return s.renderStatus(w, status, "leads", v)
}
