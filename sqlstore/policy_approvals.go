package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/chanye-org/chanye/policy"
)

// FindApprovals returns when each decision of refs was last approved, in
// one read transaction: one query per run and policy among refs (a few
// hundred codes at a time), along the events' (run_id, policy_id, code)
// index, rather than a query per decision.
func (s *Store) FindApprovals(ctx context.Context, refs []policy.DecisionRef) (map[policy.DecisionRef]time.Time, error) {
	type group struct {
		run    int64
		policy string
	}
	var order []group
	codes := map[group][]any{}
	want := map[policy.DecisionRef]bool{}
	for _, r := range refs {
		if want[r] {
			continue
		}
		want[r] = true
		g := group{r.RunID, r.PolicyID}
		if codes[g] == nil {
			order = append(order, g)
		}
		codes[g] = append(codes[g], r.Code)
	}
	out := make(map[policy.DecisionRef]time.Time, len(want))
	if len(order) == 0 {
		return out, nil
	}
	const chunk = 500
	err := s.db.transact(ctx, true, func(tx *txn) error {
		for _, g := range order {
			cs := codes[g]
			for len(cs) > 0 {
				n := min(chunk, len(cs))
				args := append([]any{g.run, g.policy}, cs[:n]...)
				cs = cs[n:]
				rows, err := tx.query(ctx, `SELECT code, at FROM policy_decision_events
					WHERE run_id = ? AND policy_id = ? AND to_status = 'approved'
					AND code IN (`+strings.TrimSuffix(strings.Repeat("?,", n), ",")+`) ORDER BY code, id`, args...)
				if err != nil {
					return err
				}
				for rows.Next() {
					var code string
					var at int64
					if err := rows.Scan(&code, &at); err != nil {
						rows.Close()
						return err
					}
					// Ordered by id within each code (one shard on Citus, where
					// ids follow insertion): a later approval replaces an earlier one.
					out[policy.DecisionRef{RunID: g.run, PolicyID: g.policy, Code: code}] = fromMillis(sql.NullInt64{Int64: at, Valid: true})
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}
