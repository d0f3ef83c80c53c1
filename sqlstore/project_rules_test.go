package sqlstore

import (
	"testing"

	"github.com/chanye-org/chanye/project"
)

// TestCompileRulesRemembers: the same rules give the set compiled before;
// a rule changed in any field gives a set of its own.
func TestCompileRulesRemembers(t *testing.T) {
	a, err := compileRules(project.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	b, err := compileRules(project.DefaultRules())
	if err != nil || a != b {
		t.Fatalf("the same rules compiled twice: %p, %p, %v", a, b, err)
	}
	changed := project.DefaultRules()
	changed[0].Expr = "!started && months_since_planned_start >= 2"
	c, err := compileRules(changed)
	if err != nil || c == a || c.Rules()[0].Expr != changed[0].Expr {
		t.Fatalf("a changed rule gives the old set: %p, %v", c, err)
	}
	relabelled := project.DefaultRules()
	relabelled[1].LabelEN = "late"
	if d, _ := compileRules(relabelled); d == a || d.Rules()[1].LabelEN != "late" {
		t.Errorf("a relabelled rule gives the old set")
	}
	bad := project.DefaultRules()
	bad[0].Expr = "started &&"
	if _, err := compileRules(bad); err == nil {
		t.Error("a rule that does not compile is taken")
	}
}
