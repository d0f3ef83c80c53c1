package main

import (
	"context"
	"fmt"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/sqlstore"
)

// ensureDemoRequests raises the demo's enterprise requests (诉求) over the
// past four weeks on a base without any, moving the store's clock through
// them and putting it back, and escalates those overdue as of now.
func ensureDemoRequests(ctx context.Context, db *sqlstore.DB, store *sqlstore.Store, now func() time.Time, seed uint64) (demo.RequestStats, error) {
	realNow := db.Now
	st, err := demo.Requests(ctx, store, demo.RequestOptions{Today: chanye.DateOf(now()), Seed: seed,
		SetClock: func(at time.Time) { db.Now = func() time.Time { return at } },
		Restore:  func() { db.Now = realNow }})
	if err != nil {
		return st, fmt.Errorf("演示诉求 / demo requests: %w", err)
	}
	return st, nil
}

// requestSummary words the demo's requests for a log line or the terminal.
func requestSummary(st demo.RequestStats) string {
	return fmt.Sprintf("演示诉求 / demo requests: %d 待签收 to acknowledge, %d 办理中 in hand, %d 待确认 answered, %d 已办结 closed; %d 重办 reopened, %d 升级 escalated, %d 回访办结 by callback, %d 改派 rerouted, %d 个共性问题 common problems",
		st.ByStatus[request.Submitted], st.ByStatus[request.Acknowledged], st.ByStatus[request.Answered], st.ByStatus[request.Closed],
		st.Reopened, st.Escalated, st.Callbacks, st.Rerouted, st.Issues)
}
