package authz_test

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// TestApplicationRules: an enterprise fills in, submits and withdraws its
// own applications only and sees no other's (ENOTFOUND); the department
// that administers the policy reviews them and lists only those of its
// policies; another department, a task force and the public can do
// nothing; a leader reads but downloads no attachment.
func TestApplicationRules(t *testing.T) {
	f := newFixture(t)
	apps := f.pols.Applications
	ctx := context.Background()
	firmA := &chanye.Actor{Name: "A", Role: chanye.RoleEnterprise, Code: f.a}
	firmB := &chanye.Actor{Name: "B", Role: chanye.RoleEnterprise, Code: f.b}
	const pid = "gz-tech-retrofit"
	app, err := apps.SaveApplication(chanye.WithActor(ctx, firmA), &policy.Application{PolicyID: pid, Code: f.a,
		Values: map[string]any{"equipment_investment": int64(100), "plant_investment": int64(0), "finished_on": mustDate("2025-01-02")}})
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	file, err := apps.AttachFile(chanye.WithActor(ctx, firmA), app.ID, "a.pdf", "application/pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	save := func(code string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := apps.SaveApplication(ctx, &policy.Application{PolicyID: pid, Code: code})
			return err
		}
	}
	read := func(ctx context.Context) error { _, err := apps.FindApplicationByID(ctx, app.ID); return err }
	download := func(ctx context.Context) error { _, _, err := apps.FindAttachment(ctx, app.ID, file.ID); return err }
	move := func(to policy.AppStatus) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := apps.MoveApplication(ctx, app.ID, to, "原因 / reason")
			return err
		}
	}
	run(t, []rcase{
		{"enterprise B cannot apply as A", firmB, save(f.a), chanye.ENOTFOUND},
		{"enterprise B does not see A's application", firmB, read, chanye.ENOTFOUND},
		{"enterprise B downloads nothing of A's", firmB, download, chanye.ENOTFOUND},
		{"enterprise B cannot submit A's", firmB, move(policy.AppSubmitted), chanye.ENOTFOUND},
		{"the public reads nothing", public, read, chanye.EUNAUTHORIZED},
		{"a task force reads nothing", taskForce, read, chanye.EFORBIDDEN},
		{"another department reads nothing", otherDept, read, chanye.EFORBIDDEN},
		{"the department downloads", ownDept, download, ""},
		{"a leader reads", leader, read, ""},
		{"a leader downloads no attachment", leader, download, chanye.EFORBIDDEN},
		{"the department cannot apply", ownDept, save(f.b), chanye.EFORBIDDEN},
		{"A reads its own", firmA, read, ""},
		{"A downloads its own", firmA, download, ""},
		{"A cannot accept its own", firmA, move(policy.AppAccepted), chanye.EFORBIDDEN},
		{"A submits", firmA, move(policy.AppSubmitted), ""},
		{"another department cannot accept", otherDept, move(policy.AppAccepted), chanye.EFORBIDDEN},
		{"the department returns", ownDept, move(policy.AppReturned), ""},
	})
	for _, tc := range []struct {
		actor *chanye.Actor
		want  int
	}{{firmA, 1}, {firmB, 0}, {ownDept, 1}, {otherDept, 0}, {admin, 1}, {leader, 1}} {
		list, total, err := apps.FindApplications(chanye.WithActor(ctx, tc.actor), policy.ApplicationFilter{})
		if err != nil || total != tc.want || len(list) != tc.want {
			t.Errorf("%s (%s) lists %d/%d, %v; want %d", tc.actor.Name, tc.actor.Role, len(list), total, err, tc.want)
		}
	}
	code := f.a
	if list, _, _ := apps.FindApplications(chanye.WithActor(ctx, firmB), policy.ApplicationFilter{Code: &code}); len(list) != 0 {
		t.Errorf("B asking for A's applications lists %d", len(list))
	}
}
