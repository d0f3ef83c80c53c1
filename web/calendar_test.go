package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

// postCalendar sends the calendar's import form with text as the file.
func postCalendar(t *testing.T, h http.Handler, text string) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", "schedule.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(text))
	mw.Close()
	req := httptest.NewRequest("POST", "/calendar?lang=zh", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(body)
}

// TestCalendarPage: the public sees every shipped year with its notice
// and the 调休 Sundays; the administrator loads 2027 (a file with a
// mistake is refused naming its row, and loads nothing).
func TestCalendarPage(t *testing.T) {
	f := newFixture(t)
	public := pagesAs(t, f, chanye.Public)
	res, body := getAs(t, public, "/calendar?lang=zh")
	if res.StatusCode != 200 || !strings.Contains(body, `id="cal-2025"`) || !strings.Contains(body, "国办发明电〔2024〕12号") ||
		!strings.Contains(body, "2025-01-26") || strings.Contains(body, `id="cal-import"`) {
		t.Fatalf("the public calendar: %d\n%.1500s", res.StatusCode, body)
	}
	if res, _ := postCalendar(t, pagesAs(t, f, &chanye.Actor{Name: "l", Role: chanye.RoleLeader}), "date,kind,name,source\n"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a leader loads a schedule: %d", res.StatusCode)
	}
	_, body = f.get(t, "/calendar?lang=zh", "")
	if !strings.Contains(body, `id="cal-import"`) {
		t.Fatal("the administrator is not offered the import form")
	}
	res, body = postCalendar(t, f.h, "date,kind,name,source\n2027-01-01,off,元旦,通知\n2027-01-05,work,元旦,通知\n")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "2027-01-05") || !strings.Contains(body, "须为周六或周日") {
		t.Fatalf("a weekday worked: %d\n%.1500s", res.StatusCode, body)
	}
	if _, body := f.get(t, "/calendar", ""); strings.Contains(body, `id="cal-2027"`) {
		t.Error("a refused file was loaded")
	}
	res, _ = postCalendar(t, f.h, "date,kind,name,source\n2027-01-01,off,元旦,国务院办公厅关于2027年部分节假日安排的通知（测试）\n")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/calendar?loaded=1" {
		t.Fatalf("loaded: %d %q", res.StatusCode, loc)
	}
	if _, body := f.get(t, "/calendar?loaded=1&lang=zh", ""); !strings.Contains(body, `id="cal-2027"`) || !strings.Contains(body, "已导入 1 个年份") {
		t.Error("the loaded year is not shown")
	}
}
