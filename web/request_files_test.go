package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/request"
)

// TestRequestFiles: the enterprise attaches a PDF to its request and finds
// it on the page; an HTML page named .pdf is refused saying why; the file
// downloads as an attachment; another enterprise gets 404.
func TestRequestFiles(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	r, _, err := f.store.CreateRequest(ctx, &request.Request{Code: codeAuto, CategoryID: "permit", Title: "施工许可", Description: "未批", Channel: request.ChannelPhone})
	if err != nil {
		t.Fatal(err)
	}
	page := "/requests/" + strconv.FormatInt(r.ID, 10)
	firm := pagesAs(t, f, &chanye.Actor{Name: "e", Role: chanye.RoleEnterprise, Code: codeAuto})
	upload := func(h http.Handler, name, text string) (*http.Response, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(text))
		mw.Close()
		req := httptest.NewRequest("POST", page+"/files?lang=zh", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Result(), string(body)
	}
	res, body := upload(firm, "x.pdf", "<html><script>alert(1)</script></html>")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "与扩展名不符") {
		t.Fatalf("HTML named .pdf: %d\n%.1500s", res.StatusCode, body)
	}
	res, _ = upload(firm, "许可证明.pdf", "%PDF-1.4\n%%EOF\n")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, page+"?done=attach") {
		t.Fatalf("attached: %d %q", res.StatusCode, loc)
	}
	_, body = getAs(t, firm, page+"?lang=zh")
	if !strings.Contains(body, "许可证明.pdf") || !strings.Contains(body, page+"/files/1") {
		t.Error("the file is not on the page")
	}
	// The history names the intake's channel.
	if i := strings.Index(body, `data-action="submit"`); i < 0 || !strings.Contains(body[i:i+strings.Index(body[i:], "</tr>")], "电话") {
		t.Error("the history does not name the channel")
	}
	res, _ = getAs(t, firm, page+"/files/1")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download: %d %v", res.StatusCode, res.Header)
	}
	other := pagesAs(t, f, &chanye.Actor{Name: "o", Role: chanye.RoleEnterprise, Code: codeSoft})
	if res, _ := getAs(t, other, page+"/files/1"); res.StatusCode != http.StatusNotFound {
		t.Errorf("another enterprise downloads: %d", res.StatusCode)
	}
}
