package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/match"
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

// importScenarios stores a file's calls as drafts, all or nothing, each
// problem named by its row and column.
func importScenarios(ctx context.Context, cfg Config, store *sqlstore.Store, path string) error {
	f, format, err := openSheet(path)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := dataio.ReadScenarios(f, format)
	if err != nil {
		return err
	}
	n := 0
	if err = file.Err(); err == nil {
		n, err = store.ImportScenarios(ctx, file.Rows)
	}
	if err := sheetProblems(cfg, path, file.Problems(err), err); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已导入应用场景（征集稿）/ scenarios imported as drafts: %d\n", n)
	return nil
}

// exportScenarios writes the scenarios, the latest first, with their
// results.
func exportScenarios(ctx context.Context, cfg Config, format dataio.Format, out, industry string) error {
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	f := scenario.Filter{Limit: scenario.MaxPage}
	if industry != "" {
		f.IndustryID = &industry
	}
	ss, err := allPages(func(offset int) ([]*scenario.Scenario, int, error) {
		f.Offset = offset
		return store.FindScenarios(ctx, f)
	})
	if err != nil {
		return err
	}
	return exportTo(cfg, out, "个应用场景 scenarios", func(w io.Writer) (int, error) { return dataio.ExportScenarios(w, format, ss) })
}

// ensureDemoMatchmaking makes the demo's 广聚群链 on a base without
// listings: supplies and demands, matches in every state and two fairs,
// cutting texts with the gse dictionary and the chains' words.
func ensureDemoMatchmaking(ctx context.Context, db *sqlstore.DB, store *sqlstore.Store, now func() time.Time) (demo.MatchStats, error) {
	// demo.Matchmaking checks this too; asking first spares every later
	// start of serve --demo loading the dictionary (about 1.5 s) for nothing.
	if _, total, err := store.FindSupplies(ctx, match.ListingFilter{Limit: 1}); err != nil || total > 0 {
		return demo.MatchStats{}, err
	}
	set, err := store.FindChains(ctx)
	if err != nil {
		return demo.MatchStats{}, err
	}
	seg, err := match.NewSegmenter(match.ChainWords(set)...)
	if err != nil {
		return demo.MatchStats{}, err
	}
	realNow := db.Now
	st, err := demo.Matchmaking(ctx, store, demo.MatchOptions{Today: chanye.DateOf(now()), Words: seg,
		SetClock: func(at time.Time) { db.Now = func() time.Time { return at } },
		Restore:  func() { db.Now = realNow }})
	if err != nil {
		return st, fmt.Errorf("演示供需对接 / demo matchmaking: %w", err)
	}
	return st, nil
}

// matchSummary words the demo's matchmaking for a log line or the
// terminal.
func matchSummary(st demo.MatchStats) string {
	return fmt.Sprintf("演示供需对接 / demo matchmaking: %d 条供给 supplies, %d 条需求 demands; 匹配 matches %d 待确认 proposed, %d 已接受 accepted, %d 洽谈中 negotiating, %d 已签约 signed, %d 未成 failed, %d 已谢绝 declined; %d 场对接会 fairs, %d 场洽谈 meetings",
		st.Supplies, st.Demands, st.ByStatus[match.Proposed], st.ByStatus[match.Accepted], st.ByStatus[match.Negotiating], st.ByStatus[match.Signed],
		st.ByStatus[match.Failed], st.ByStatus[match.Declined], st.Fairs, st.Meetings)
}
