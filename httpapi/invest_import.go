package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
)

// leadsImported is the answer to an import of leads.
type leadsImported struct {
	Imported int `json:"imported"`
}

// importLeads adds the leads of an uploaded sheet (multipart field file,
// CSV or XLSX by its name or else its bytes), all or nothing; the errors
// name the sheet's rows and columns ("row 3, column stage_on").
func (s *server) importLeads(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	if svc.Imports == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "未配置线索导入 / no import of leads configured")
	}
	name, data, err := readSheetUpload(w, r)
	if err != nil {
		return err
	}
	file, err := dataio.ReadLeads(bytes.NewReader(data), dataio.UploadFormat(name, data))
	if err != nil {
		return err
	}
	n := 0
	if err = file.Err(); err == nil {
		n, err = svc.Imports.ImportLeads(r.Context(), file.Rows)
	}
	if err != nil {
		return onSheet(file.Problems, err)
	}
	return writeJSON(w, http.StatusOK, leadsImported{Imported: n})
}

// readSheetUpload reads the file of a multipart form (field file, at most
// dataio.MaxLeadFileBytes) and its name.
func readSheetUpload(w http.ResponseWriter, r *http.Request) (string, []byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return "", nil, chanye.Errorf(codeUnsupportedMedia, "请求体须为 multipart/form-data（file）/ request body must be multipart/form-data (file)")
	}
	tooLarge := chanye.Errorf(chanye.ETOOLARGE, "文件超过 %d MB / the file exceeds %d MB", dataio.MaxLeadFileBytes>>20, dataio.MaxLeadFileBytes>>20)
	r.Body = http.MaxBytesReader(w, r.Body, dataio.MaxLeadFileBytes+maxFormOverhead)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return "", nil, tooLarge
		}
		return "", nil, chanye.Errorf(chanye.EINVALID, "无法读取表单 / cannot read the form: %v", err)
	}
	defer r.MultipartForm.RemoveAll()
	f, h, err := r.FormFile("file")
	switch {
	case errors.Is(err, http.ErrMissingFile):
		return "", nil, fieldError("file", "必填：CSV 或 XLSX 文件", "required: a CSV or XLSX file", "")
	case err != nil:
		return "", nil, chanye.Errorf(chanye.EINVALID, "无法读取文件 / cannot read the file: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, dataio.MaxLeadFileBytes+1))
	if err != nil {
		return "", nil, chanye.Errorf(chanye.EINVALID, "无法读取文件 / cannot read the file: %v", err)
	}
	if len(data) > dataio.MaxLeadFileBytes {
		return "", nil, tooLarge
	}
	return h.Filename, data, nil
}

// onSheet restates the field errors of err, keyed rows[N].field, on the
// sheet's rows and columns as problems places them: "row N, column C", the
// key chanye.Error gives a file's problems; a problem of the whole file
// keeps its key. Other errors pass as they are.
func onSheet(problems func(error) []dataio.Problem, err error) error {
	var e *chanye.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	fields := map[string]string{}
	for _, p := range problems(err) {
		key := p.Column
		if p.Row > 0 {
			key = fmt.Sprintf("row %d, column %s", p.Row, p.Column)
		}
		fields[key] = p.Reason
	}
	out := *e
	return out.WithFields(fields)
}
