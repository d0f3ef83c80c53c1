package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
)

// The demo leaves a few warnings closed and a supervision item in every
// state, labelled 演示数据, and adds nothing when run again.
func TestGenerateRoutine(t *testing.T) {
	s, cat := registry(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	if _, err := demo.GenerateProjects(ctx, s, cat, s, demo.ProjectOptions{Projects: 200, Seed: 1, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	today := chanye.DateOf(testclock.Now())
	st, err := demo.GenerateRoutine(ctx, s, s, s, today, 3)
	if err != nil {
		t.Fatal(err)
	}
	if st.Closures != 3 {
		t.Errorf("%d closures, want 3", st.Closures)
	}
	for _, x := range project.SupStatuses {
		if st.Supervisions[x.Status] != 1 {
			t.Errorf("%d items %s, want 1 in every state: %v", st.Supervisions[x.Status], x.Status, st.Supervisions)
		}
	}
	ws, err := s.FindWarnings(ctx, project.ProjectFilter{})
	if err != nil {
		t.Fatal(err)
	}
	closed := 0
	for _, w := range ws {
		if w.Closed != nil {
			closed++
			if !strings.Contains(w.Closed.Note, "演示数据") {
				t.Errorf("closure note %q is not labelled 演示数据", w.Closed.Note)
			}
		}
	}
	if closed != 3 {
		t.Errorf("%d warnings closed today, want 3", closed)
	}
	items, total, err := s.FindSupervisions(ctx, project.SupervisionFilter{})
	if err != nil || total != 4 {
		t.Fatalf("items = %d, %v", total, err)
	}
	for _, x := range items {
		if !strings.Contains(x.Instruction, "演示数据") {
			t.Errorf("item %d is not labelled 演示数据: %q", x.ID, x.Instruction)
		}
	}
	again, err := demo.GenerateRoutine(ctx, s, s, s, today, 3)
	if err != nil || again.Closures != 0 || len(again.Supervisions) != 0 {
		t.Errorf("a second run wrote %+v, %v", again, err)
	}
}
