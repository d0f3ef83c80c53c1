package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/chanye-org/chanye/policy"
)

// TestFindApprovals: the batch read of approval times gives, for each
// decision, the latest approval FindDecisionEvents shows, across runs and
// past the size of one query's list of codes; decisions never approved
// and unknown ones are absent.
func TestFindApprovals(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		version := publishedPolicy(t, s)
		const n = 620 // more than one query's codes
		var ds []*policy.StoredDecision
		var codes []string
		for i := 1; i <= n; i++ {
			c := code(t, i)
			codes = append(codes, c)
			ds = append(ds, eligible(version, c, "440103", 100_00))
		}
		first := createRun(t, s, version, ds...)
		publicisedAndApproved(t, s, clock, first, codes[:n-1]...) // the last one stays publicised
		*clock = clock.AddDate(0, 0, 3)
		second := createRun(t, s, version, eligible(version, codes[0], "440103", 200_00), eligible(version, codes[1], "440103", 300_00))
		publicisedAndApproved(t, s, clock, second, codes[1])

		var refs []policy.DecisionRef
		for _, c := range codes {
			refs = append(refs, policy.DecisionRef{RunID: first.ID, PolicyID: testPolicyID, Code: c})
		}
		refs = append(refs, policy.DecisionRef{RunID: second.ID, PolicyID: testPolicyID, Code: codes[0]},
			policy.DecisionRef{RunID: second.ID, PolicyID: testPolicyID, Code: codes[1]},
			policy.DecisionRef{RunID: second.ID, PolicyID: testPolicyID, Code: codes[1]}, // twice
			policy.DecisionRef{RunID: 999, PolicyID: testPolicyID, Code: codes[2]})
		got, err := s.FindApprovals(ctx, refs)
		if err != nil {
			t.Fatal(err)
		}
		want := map[policy.DecisionRef]time.Time{}
		for _, r := range refs {
			evs, err := s.FindDecisionEvents(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.To == policy.DecisionApproved {
					want[r] = e.At
				}
			}
		}
		if len(want) != n-1+1 {
			t.Fatalf("%d decisions approved, want %d", len(want), n)
		}
		if len(got) != len(want) {
			t.Errorf("FindApprovals gives %d decisions, want %d", len(got), len(want))
		}
		for r, at := range want {
			if !got[r].Equal(at) {
				t.Errorf("%s approved at %v, FindApprovals says %v", r, at, got[r])
			}
		}
		if none, err := s.FindApprovals(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("FindApprovals(nil) = %v, %v", none, err)
		}
	})
}
