package authz_test

import (
	"context"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/policy"
)

// approvalsOf answers that every decision it is asked about was approved.
type approvalsOf struct{ policy.RunService }

func (approvalsOf) FindApprovals(_ context.Context, refs []policy.DecisionRef) (map[policy.DecisionRef]time.Time, error) {
	out := map[policy.DecisionRef]time.Time{}
	for _, r := range refs {
		out[r] = time.Unix(1, 0)
	}
	return out, nil
}

// TestApprovalsGuard: approval times are read as decisions are: an
// enterprise learns of its own decisions only, the public of none.
func TestApprovalsGuard(t *testing.T) {
	runs := authz.Policies(policy.Services{Runs: approvalsOf{}}).Runs
	refA := policy.DecisionRef{RunID: 1, PolicyID: "p", Code: "91440101000000011A"}
	refB := policy.DecisionRef{RunID: 1, PolicyID: "p", Code: "91440101000000022B"}
	for _, tc := range []struct {
		name  string
		actor *chanye.Actor
		want  int
		code  string
	}{
		{"admin", admin, 2, ""},
		{"department", ownDept, 2, ""},
		{"enterprise: its own only", &chanye.Actor{Name: "ea", Role: chanye.RoleEnterprise, Code: refA.Code}, 1, ""},
		{"public", public, 0, chanye.EUNAUTHORIZED},
	} {
		got, err := runs.FindApprovals(chanye.WithActor(context.Background(), tc.actor), []policy.DecisionRef{refA, refB})
		if chanye.ErrorCode(err) != tc.code || len(got) != tc.want {
			t.Errorf("%s: %d approvals, %v; want %d, %q", tc.name, len(got), err, tc.want, tc.code)
		}
		if tc.want == 1 && got[refA].IsZero() {
			t.Errorf("%s: not its own decision: %v", tc.name, got)
		}
	}
}
