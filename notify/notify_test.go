package notify

import (
	"testing"
	"time"

	"github.com/chanye-org/chanye"
)

func TestScopeOf(t *testing.T) {
	for _, c := range []struct {
		actor *chanye.Actor
		want  Scope
		ok    bool
	}{
		{&chanye.Actor{Role: chanye.RoleAdmin}, Admins, true},
		{&chanye.Actor{Role: chanye.RoleLeader}, Leaders, true},
		{&chanye.Actor{Role: chanye.RoleDepartment, Department: "市工业和信息化局"}, Department("市工业和信息化局"), true},
		{&chanye.Actor{Role: chanye.RoleTaskForce, IndustryID: "auto"}, TaskForce("auto"), true},
		{&chanye.Actor{Role: chanye.RoleEnterprise, Code: "91440101MA5D0001XX"}, Enterprise("91440101MA5D0001XX"), true},
		{&chanye.Actor{Role: chanye.RoleEnterprise}, Enterprise(""), false},
		{chanye.Public, Scope{}, false},
	} {
		got, ok := ScopeOf(c.actor)
		if got != c.want || ok != c.ok {
			t.Errorf("ScopeOf(%s) = %+v, %v; want %+v, %v", c.actor, got, ok, c.want, c.ok)
		}
	}
	if (Scope{Role: chanye.RoleLeader, Key: "x"}).Valid() || (Scope{Role: chanye.RolePublic}).Valid() {
		t.Error("a leader scope with a key, or the public's, is valid")
	}
	if !User("judge").Valid() || User(" ").Valid() {
		t.Error("an account's own scope: valid with a name, not without")
	}
}

func TestMessageValidate(t *testing.T) {
	ok := Message{Kind: Supervision, Subject: "s/1", TitleZH: "督办", TitleEN: "Supervision", Link: "/projects/GZ-1"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		edit  func(m *Message)
		field string
	}{
		"no kind":          {func(m *Message) { m.Kind = "" }, "kind"},
		"no subject":       {func(m *Message) { m.Subject = " " }, "subject"},
		"no English title": {func(m *Message) { m.TitleEN = "" }, "title_en"},
		"another site":     {func(m *Message) { m.Link = "https://evil.example/x" }, "link"},
		"scheme-relative":  {func(m *Message) { m.Link = "//evil.example/x" }, "link"},
		"a line break":     {func(m *Message) { m.Link = "/x\r\nSet-Cookie: a" }, "link"},
		"a long body":      {func(m *Message) { m.BodyZH = string(make([]rune, 2001)) }, "body_zh"},
	} {
		m := ok
		c.edit(&m)
		if f := chanye.ErrorFields(m.Validate()); f[c.field] == "" {
			t.Errorf("%s: fields %v, want %s named", name, f, c.field)
		}
	}
}

func TestBackoff(t *testing.T) {
	var waits []time.Duration
	for i := 1; ; i++ {
		d, again := Backoff(i)
		if !again {
			if i != MaxAttempts {
				t.Errorf("gave up after %d attempts, want %d", i, MaxAttempts)
			}
			break
		}
		waits = append(waits, d)
	}
	want := []time.Duration{time.Minute, 4 * time.Minute, 16 * time.Minute, 64 * time.Minute}
	if len(waits) != len(want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Errorf("wait %d = %v, want %v", i+1, waits[i], want[i])
		}
	}
}
