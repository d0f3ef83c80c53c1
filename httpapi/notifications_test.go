package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestNotificationsAPI: an account reads its own inbox and marks it read,
// each answer as openapi.json says; another account keeps its own state;
// an id outside the inbox is 404.
func TestNotificationsAPI(t *testing.T) {
	store := sqlstoretest.New(t)
	op := chanye.WithActor(context.Background(), chanye.Operator)
	actors := map[string]*chanye.Actor{}
	for _, u := range []*auth.User{{Name: "boss", Role: chanye.RoleLeader}, {Name: "boss2", Role: chanye.RoleLeader}, {Name: "root", Role: chanye.RoleAdmin}} {
		if err := store.CreateUser(op, u, "a-long-enough-password"); err != nil {
			t.Fatal(err)
		}
		actors[u.Name] = u.Actor()
	}
	for _, s := range []string{"s/1", "s/2"} {
		if err := store.Notify(op, notify.Message{Kind: notify.Supervision, Subject: s, TitleZH: "督办 " + s, TitleEN: "Supervision " + s, Link: "/projects"}, notify.Leaders); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Notify(op, notify.Message{Kind: notify.Supervision, Subject: "a/1", TitleZH: "x", TitleEN: "x"}, notify.Admins); err != nil {
		t.Fatal(err)
	}
	h := NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Logger: slog.New(slog.DiscardHandler), Notifications: authz.Notifications(store)})
	spec := newSpecValidator(t)
	do := func(who, method, path, body string, status int) map[string]any {
		t.Helper()
		var r *http.Request
		if body != "" {
			r = httptest.NewRequest(method, path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
		} else {
			r = httptest.NewRequest(method, path, nil)
		}
		if a := actors[who]; a != nil {
			r = r.WithContext(chanye.WithActor(r.Context(), a))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != status {
			t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, who, rec.Code, status, rec.Body.String())
		}
		validateResponse(t, spec, scenario{method: method, path: path}, rec.Result(), rec.Body.Bytes())
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	page := do("boss", "GET", "/api/v1/notifications", "", 200)
	items, _ := page["items"].([]any)
	if page["total"] != 2.0 || page["unread"] != 2.0 || len(items) != 2 {
		t.Fatalf("boss's inbox %v", page)
	}
	first := items[0].(map[string]any)
	if first["subject"] != "s/2" || first["read"] != false || first["title_en"] != "Supervision s/2" || first["link"] != "/projects" {
		t.Errorf("newest %v", first)
	}
	id := int64(first["id"].(float64))
	if got := do("boss", "POST", "/api/v1/notifications/read", `{"ids":[`+itoa(id)+`]}`, 200); got["unread"] != 1.0 {
		t.Errorf("after marking one: %v", got)
	}
	if got := do("boss", "GET", "/api/v1/notifications?unread=true", "", 200); got["total"] != 1.0 || got["unread"] != 1.0 {
		t.Errorf("unread only: %v", got)
	}
	if got := do("boss2", "GET", "/api/v1/notifications", "", 200); got["unread"] != 2.0 {
		t.Errorf("boss2's unread: %v", got)
	}
	rootItems := do("root", "GET", "/api/v1/notifications", "", 200)["items"].([]any)
	rootID := int64(rootItems[0].(map[string]any)["id"].(float64))
	do("boss", "POST", "/api/v1/notifications/read", `{"ids":[`+itoa(rootID)+`]}`, 404)
	do("boss", "POST", "/api/v1/notifications/read", `{}`, 400)
	do("boss", "POST", "/api/v1/notifications/read", `{"all":true,"ids":[1]}`, 400)
	if got := do("boss", "POST", "/api/v1/notifications/read", `{"all":true}`, 200); got["unread"] != 0.0 {
		t.Errorf("after marking all: %v", got)
	}
	do("nobody", "GET", "/api/v1/notifications", "", 401)
	do("boss", "GET", "/api/v1/notifications?unread=maybe", "", 400)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
