package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/httpauth"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestInbox: the header's 通知 count, the inbox newest first with the
// unread ones in bold, opening one (read, then its page), 全部标为已读,
// read state per account, no reading another scope's notification, the
// failed e-mails on the admins' inbox, and the account's own address.
func TestInbox(t *testing.T) {
	store, h, m, send := inboxFixture(t)
	srv := httptest.NewServer(m.Authenticate(h))
	t.Cleanup(srv.Close)
	send("s-1", "/projects", notify.Leaders)
	send("s-2", "/warnings", notify.Leaders)
	send("s-3", "", notify.Enterprise(codeAuto))

	c := browser(t)
	if res, _ := signIn(t, c, srv.URL, "leader", "leader password 1"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	count := regexp.MustCompile(`<span class="badge count" id="inbox-count">(\d+)</span>`)
	res, body := get(t, c, srv.URL+"/policies")
	if m := count.FindStringSubmatch(body); res.StatusCode != 200 || m == nil || m[1] != "2" || !strings.Contains(body, `aria-label="通知，2 条未读"`) {
		t.Fatalf("header count %v on /policies (%d)", m, res.StatusCode)
	}
	res, body = get(t, c, srv.URL+"/inbox")
	if res.StatusCode != 200 || strings.Contains(body, "⟦") {
		t.Fatalf("inbox %d:\n%s", res.StatusCode, body)
	}
	items := regexp.MustCompile(`<li class="inbox-item( unread)?" id="notification-(\d+)">\s*<a href="/inbox/(\d+)">(<strong>)?督办 (s-\d)`).FindAllStringSubmatch(body, -1)
	if len(items) != 2 || items[0][5] != "s-2" || items[1][5] != "s-1" || items[0][1] != " unread" || items[0][4] != "<strong>" {
		t.Fatalf("inbox items %q", items)
	}
	if !strings.Contains(body, `id="inbox-total">共 2 条，未读 2 条`) || !strings.Contains(body, "请处理 s-2") || strings.Contains(body, "s-3") {
		t.Errorf("inbox body:\n%s", body)
	}
	if strings.Contains(body, `id="mail-queue"`) {
		t.Error("a leader is shown the e-mail queue")
	}

	// Opening s-1 marks it read and goes to its page.
	res, _ = get(t, c, srv.URL+"/inbox/"+items[1][2])
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/projects" {
		t.Fatalf("open: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = get(t, c, srv.URL+"/inbox")
	if m := count.FindStringSubmatch(body); m == nil || m[1] != "1" || !strings.Contains(body, `<li class="inbox-item" id="notification-`+items[1][2]+`">`) {
		t.Errorf("after opening s-1: count %v", m)
	}
	_, body = get(t, c, srv.URL+"/inbox?unread=1&lang=en")
	get(t, c, srv.URL+"/?lang=zh") // back to Chinese (the switch is a cookie)
	if !strings.Contains(body, "Supervision s-2") || strings.Contains(body, "Supervision s-1") || !strings.Contains(body, "Please act on s-2") {
		t.Errorf("unread only, in English:\n%s", body)
	}

	// Another scope's notification is not found; another leader keeps its own state.
	firmItems, _, _, err := store.FindNotifications(chanye.WithActor(context.Background(), userActor(t, store, "firm")), notify.Filter{})
	if err != nil || len(firmItems) != 1 {
		t.Fatalf("firm's inbox %v, %v", firmItems, err)
	}
	if res, _ := get(t, c, srv.URL+fmt.Sprintf("/inbox/%d", firmItems[0].ID)); res.StatusCode != http.StatusNotFound {
		t.Errorf("the leader opens the firm's notification: %d, want 404", res.StatusCode)
	}
	c2 := browser(t)
	signIn(t, c2, srv.URL, "leader2", "leader2 password 1")
	if _, body := get(t, c2, srv.URL+"/"); count.FindStringSubmatch(body) == nil || count.FindStringSubmatch(body)[1] != "2" {
		t.Errorf("leader2's count: %v", count.FindStringSubmatch(body))
	}

	// 全部标为已读.
	_, body = get(t, c, srv.URL+"/inbox")
	token := csrfField.FindStringSubmatch(body)[1]
	res, _ = post(t, c, srv.URL+"/inbox/read", url.Values{"csrf": {token}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/inbox?marked=1" {
		t.Fatalf("mark all: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = get(t, c, srv.URL+"/inbox?marked=1")
	if count.MatchString(body) || strings.Contains(body, "inbox-item unread") || !strings.Contains(body, `id="inbox-done"`) || !strings.Contains(body, `id="nav-inbox"`) {
		t.Errorf("after marking all read:\n%s", body)
	}

	// The admins' inbox shows the failed e-mails with their errors.
	send("s-4", "", notify.Admins)
	if _, err := store.QueueDeliveries(context.Background()); err != nil {
		t.Fatal(err)
	}
	due, err := store.DueDeliveries(context.Background(), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v, %v", due, err)
	}
	for range notify.MaxAttempts {
		if _, err := store.RecordDelivery(context.Background(), due[0].ID, errors.New("535 authentication failed")); err != nil {
			t.Fatal(err)
		}
	}
	ac := browser(t)
	signIn(t, ac, srv.URL, "admin", "admin password 1")
	_, body = get(t, ac, srv.URL+"/inbox")
	if !strings.Contains(body, `id="mail-counts">待发 0 · 已发 0 · 失败 1`) || !strings.Contains(body, "535 authentication failed") || !strings.Contains(body, "admin &lt;admin@example.org&gt;") {
		t.Errorf("the admin's inbox lacks the failed e-mail:\n%s", body)
	}

	// The account's own address.
	_, body = get(t, c, srv.URL+"/account")
	token = csrfField.FindStringSubmatch(body)[1]
	res, body = post(t, c, srv.URL+"/account/email", url.Values{"csrf": {token}, "email": {"not-an-address"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "电子邮箱格式不正确") || !strings.Contains(body, `value="not-an-address"`) {
		t.Errorf("bad address: %d\n%s", res.StatusCode, body)
	}
	res, _ = post(t, c, srv.URL+"/account/email", url.Values{"csrf": {token}, "email": {"leader@example.org"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set address: %d", res.StatusCode)
	}
	if _, body = get(t, c, srv.URL+"/account?email=1"); !strings.Contains(body, `value="leader@example.org"`) || !strings.Contains(body, "通知邮箱已保存") {
		t.Errorf("account page after saving the address:\n%s", body)
	}

	// The public has no inbox and no count.
	pc := browser(t)
	if res, _ := get(t, pc, srv.URL+"/inbox"); res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("public /inbox: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := get(t, pc, srv.URL+"/"); strings.Contains(body, `id="nav-inbox"`) {
		t.Error("the public is shown 通知")
	}
}

// inboxFixture is a store with the accounts admin (with an address),
// leader, leader2 and firm (of codeAuto), the pages over it with the
// inbox, and send, which notifies a scope.
func inboxFixture(t *testing.T) (*sqlstore.Store, http.Handler, *httpauth.Middleware, func(subject, link string, to notify.Scope)) {
	t.Helper()
	store := sqlstoretest.New(t)
	op := chanye.WithActor(context.Background(), chanye.Operator)
	for _, u := range []*auth.User{{Name: "admin", Role: chanye.RoleAdmin, Email: "admin@example.org"}, {Name: "leader", Role: chanye.RoleLeader},
		{Name: "leader2", Role: chanye.RoleLeader}, {Name: "firm", Role: chanye.RoleEnterprise, Code: codeAuto}} {
		if err := store.CreateUser(op, u, u.Name+" password 1"); err != nil {
			t.Fatal(err)
		}
	}
	accounts := auth.NewThrottle(store, store)
	m := httpauth.New(httpauth.Config{Accounts: accounts})
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	h, err := NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Engine: eng, Accounts: accounts, Auth: m,
		Notifications: authz.Notifications(store), Deliveries: authz.Deliveries(store)})
	if err != nil {
		t.Fatal(err)
	}
	send := func(subject, link string, to notify.Scope) {
		t.Helper()
		if err := store.Notify(op, notify.Message{Kind: notify.Supervision, Subject: subject, TitleZH: "督办 " + subject, TitleEN: "Supervision " + subject,
			BodyZH: "请处理 " + subject, BodyEN: "Please act on " + subject, Link: link}, to); err != nil {
			t.Fatal(err)
		}
	}
	return store, h, m, send
}

// TestBrowserInbox: on a phone, the inbox fits 390 px; opening a
// notification goes to its page and lowers the header's count;
// 全部标为已读 clears it.
func TestBrowserInbox(t *testing.T) {
	chromiumPath(t)
	store, h, _, send := inboxFixture(t)
	send("s-1", "/policies", notify.Leaders)
	send("s-2", "/public/publicity", notify.Leaders)
	send("一条很长的督办事项标题，说明某重点项目的开工节点已经滞后三个月以上，需要牵头部门和工作专班在本周内拿出解决方案并报市领导", "", notify.Leaders)
	leader := userActor(t, store, "leader")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(chanye.WithActor(r.Context(), leader)))
	}))
	defer srv.Close()
	ctx := newBrowser(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/inbox?lang=zh"),
		chromedp.WaitVisible(css(`#inbox`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `#inbox-count`); got != "3" {
		t.Errorf("header count %q, want 3", got)
	}
	if wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || wide > 390 {
		t.Errorf("the inbox is %d px wide at 390 px (%v)", wide, err)
	}
	if dir := os.Getenv("CHANYE_SCREENSHOT_DIR"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(filepath.Join(dir, "inbox-390.png"), png, 0o644)
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(css(`#inbox li:nth-child(2) a`)),
		chromedp.WaitVisible(css(`#nav-inbox`)),
	); err != nil {
		t.Fatal(err)
	}
	if path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || path != "/public/publicity" {
		t.Errorf("opened s-2 at %q, %v", path, err)
	}
	if got := text(t, ctx, `#inbox-count`); got != "2" {
		t.Errorf("header count after opening one: %q, want 2", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(css(`#nav-inbox`)),
		chromedp.WaitVisible(css(`#mark-all button`)),
		chromedp.Click(css(`#mark-all button`)),
		chromedp.WaitVisible(css(`#inbox-done`)),
	); err != nil {
		t.Fatal(err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#inbox-count, #inbox .unread').length`)); err != nil || n != 0 {
		t.Errorf("%d unread marks after 全部标为已读 (%v)", n, err)
	}
}

// userActor is the actor of the stored account name.
func userActor(t *testing.T, s interface {
	FindUserByName(context.Context, string) (*auth.User, error)
}, name string) *chanye.Actor {
	t.Helper()
	u, err := s.FindUserByName(chanye.WithActor(context.Background(), chanye.Operator), name)
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor()
}
