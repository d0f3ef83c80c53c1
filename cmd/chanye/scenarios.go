package main

import (
	"context"
	"fmt"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/scenario"
	"github.com/chanye-org/chanye/sqlstore"
)

// ensureDemoScenarios makes the demo's application scenarios (首试首用) on
// a base without any, moving the store's clock through their past and
// putting it back.
func ensureDemoScenarios(ctx context.Context, db *sqlstore.DB, store *sqlstore.Store, now func() time.Time) (demo.ScenarioStats, error) {
	realNow := db.Now
	st, err := demo.Scenarios(ctx, store, demo.ScenarioOptions{Today: chanye.DateOf(now()),
		SetClock: func(at time.Time) { db.Now = func() time.Time { return at } },
		Restore:  func() { db.Now = realNow }})
	if err != nil {
		return st, fmt.Errorf("演示应用场景 / demo scenarios: %w", err)
	}
	return st, nil
}

// scenarioSummary words the demo's scenarios for a log line or the
// terminal.
func scenarioSummary(st demo.ScenarioStats) string {
	return fmt.Sprintf("演示应用场景 / demo scenarios: %d 征集 drafts, %d 发布 published, %d 评审 in review, %d 试点 piloting, %d 首试首用 first use, %d 推广采购 procured, %d 未成 closed; %d 份揭榜 applications",
		st.ByStatus[scenario.Draft], st.ByStatus[scenario.Published], st.ByStatus[scenario.Reviewing], st.ByStatus[scenario.Piloting],
		st.ByStatus[scenario.FirstUse], st.ByStatus[scenario.Procured], st.ByStatus[scenario.Closed], st.Applications)
}
