package web

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// todoTotal returns the total a section of 我的待办 shows, -1 when the
// page has no such section.
func todoTotal(t *testing.T, body, id string) int {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `"[^§]*?data-total="(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestTodo: 我的待办 shows each official the work in its scope, with the
// totals of the queues it links to — the department that issues the
// policy its two objections and, once the publicity has ended, every
// publicised decision to approve; another department none of them; a task
// force no 免申即享 queue at all; an enterprise and the public are sent
// elsewhere.
func TestTodo(t *testing.T) {
	f := newLCFixture(t)
	status, _, body := f.do(t, f.official, "GET", "/todo", nil)
	want(t, "department", status, body, 200, "我的待办", f.dept, `href="/objections/`+strconv.FormatInt(f.objGranted, 10)+`"`)
	if n := todoTotal(t, body, "todo-objections"); n != 2 {
		t.Errorf("department: %d objections to answer, want 2", n)
	}
	if n := todoTotal(t, body, "todo-approve"); n != 0 {
		t.Errorf("department during publicity: %d to approve, want 0", n)
	}
	_, _, other := f.do(t, f.other, "GET", "/todo", nil)
	if n := todoTotal(t, other, "todo-objections"); n != 0 {
		t.Errorf("another department: %d objections, want 0", n)
	}

	// An objection rejected, its decision stands; after the publicity
	// window every decision still publicised waits for approval: the
	// page's total is the approval queue's, and the objections one fewer.
	ctx := chanye.WithActor(context.Background(), f.official)
	if _, err := f.store.ResolveObjection(ctx, f.objGranted, false, "经复核无误"); err != nil {
		t.Fatal(err)
	}
	*f.now = f.now.Add(30 * 24 * time.Hour)
	publicised := policyStatusCount(t, f, policy.DecisionPublicised)
	_, _, body = f.do(t, f.official, "GET", "/todo", nil)
	if n := todoTotal(t, body, "todo-approve"); n != publicised || n == 0 {
		t.Errorf("after publicity: %d to approve, want %d (> 0)", n, publicised)
	}
	if n := todoTotal(t, body, "todo-objections"); n != 1 {
		t.Errorf("after a reply: %d objections to answer, want 1", n)
	}
	_, _, en := f.do(t, f.leader, "GET", "/todo?lang=en", nil)
	want(t, "leader en", 200, en, 200, "My tasks", "the whole city", "Objections to answer")

	tf := &chanye.Actor{Name: "专班", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"}
	status, _, body = f.do(t, tf, "GET", "/todo", nil)
	want(t, "task force", status, body, 200, "我的待办")
	if todoTotal(t, body, "todo-objections") != -1 || todoTotal(t, body, "todo-approve") != -1 {
		t.Error("a task force is shown the 免申即享 queues it may not open")
	}
	status, _, body = f.do(t, &chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: f.granted}, "GET", "/todo", nil)
	want(t, "enterprise", status, body, http.StatusForbidden, "我的企业")
	if status, loc, _ := f.do(t, nil, "GET", "/todo", nil); status != http.StatusFound || loc == "" {
		t.Errorf("public: %d to %q, want a redirect to sign in", status, loc)
	}
}

// policyStatusCount counts the fixture's decisions of its policy in the
// status, from the store.
func policyStatusCount(t *testing.T, f *lcFixture, st policy.DecisionStatus) int {
	t.Helper()
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	_, n, err := f.store.FindDecisions(ctx, policy.DecisionFilter{RunID: &f.run.ID, PolicyID: &f.pid, Status: &st, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTodoProjectWork: 我的待办's overdue nodes and supervision items are
// the queues' own — the nodes past their date counted from the store, an
// item issued to the task force listed until it is closed.
func TestTodoProjectWork(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	today := chanye.DateOf(testclock.Now())
	overdue := 0
	for _, id := range []string{"GZ-0001", "GZ-0002"} {
		ns, err := f.store.FindNodes(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			if n.Overdue(today) {
				overdue++
			}
		}
	}
	_, body := f.get(t, "/todo", "")
	if n := todoTotal(t, body, "todo-overdue"); n != overdue || n == 0 {
		t.Errorf("overdue nodes: %d, want %d (> 0)", n, overdue)
	}
	if !strings.Contains(body, `href="/projects/report#rep-overdue"`) {
		t.Error("an administrator's overdue nodes do not lead to the meeting report's list")
	}
	if n := todoTotal(t, body, "todo-supervision"); n != 0 {
		t.Errorf("supervision items before any: %d", n)
	}
	x, err := f.store.CreateSupervision(ctx, &project.Supervision{ProjectID: "GZ-0001", Addressee: project.ToTaskForce,
		DueOn: chanye.DateOf(testclock.Now().AddDate(0, 0, 7)), Instruction: "请本周内落实用地指标"})
	if err != nil {
		t.Fatal(err)
	}
	_, body = f.get(t, "/todo", "")
	if n := todoTotal(t, body, "todo-supervision"); n != 1 || !strings.Contains(body, "请本周内落实用地指标") || !strings.Contains(body, "#sup-"+strconv.FormatInt(x.ID, 10)) {
		t.Errorf("supervision items after one: %d\n%s", n, body)
	}
	if _, err := f.store.MoveSupervision(ctx, x.ID, project.SupClose, "撤回"); err != nil {
		t.Fatal(err)
	}
	_, body = f.get(t, "/todo", "")
	if n := todoTotal(t, body, "todo-supervision"); n != 0 {
		t.Errorf("supervision items after closing: %d", n)
	}
}
