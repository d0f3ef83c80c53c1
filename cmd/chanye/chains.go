package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/sqlstore"
)

const chainsHelp = `chanye chains place|diagnose|firms [flags]

  place      按经营范围和行业代码把企业挂到产业链环节上，并计算各环节指标
             places every enterprise on the chain links by class and business
             scope words, and computes the figures of every link
  diagnose   按阈值诊断各环节强、弱、缺失并说明理由 / judges every link strong,
             weak or missing against the thresholds, with the reasons
             [--industry ID] [--json]
  firms      列出环节上的企业 / lists the firms of a link: chanye chains firms LINK [--limit N]

挂链规则：企业的行业代码属于环节的行业代码，且经营范围分词后含有环节的关键词（整词，
不是子串）。手工挂链与移出（页面或接口）保留。
The rule: a firm sits on a link when its GB/T 4754 class is one of the link's
classes and one of the link's keywords is a word of its business scope (a whole
word, not a substring). Placements and removals made by hand are kept.
`

func runChains(ctx context.Context, cfg Config, args []string) error {
	return dispatch(ctx, cfg, args, "chains", chainsHelp, map[string]func(context.Context, Config, []string) error{
		"place":    runChainsPlace,
		"diagnose": runChainsDiagnose,
		"firms":    runChainsFirms,
	})
}

func runChainsPlace(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "chains place", "chanye chains place [--db PATH]\n\n挂链并计算各环节指标 / places every enterprise and computes the links' figures.\n")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	run, err := store.PlaceAll(ctx)
	if err != nil {
		return err
	}
	printPlaceRun(cfg, run, time.Since(start))
	return nil
}

func printPlaceRun(cfg Config, run *chain.PlaceRun, took time.Duration) {
	fmt.Fprintf(cfg.Stdout, "挂链 / placed: %d 家企业 enterprises read, %d 有经营范围 with a scope (本次分词 segmented %d), %d 家在链 on a link, %d 个挂链 placements (新增 added %d, 撤下 dropped %d)\n",
		run.Enterprises, run.Scopes, run.Segmented, run.Placed, run.Placements, run.Added, run.Dropped)
	fmt.Fprintf(cfg.Stdout, "链上行业未挂链 / of a chain class but placed nowhere: %d 家经营范围无关键词 scope names no keyword, %d 家无经营范围 no scope\n", run.Unplaced, run.NoScope)
	fmt.Fprintf(cfg.Stdout, "指标年度 / figures for %d; 用时 / elapsed %s\n", run.Year, took.Round(time.Millisecond))
}

// placeDemo places the demo's enterprises on the chains, so that the chain
// pages show firms, figures and verdicts from the first start.
func placeDemo(ctx context.Context, cfg Config, store *sqlstore.Store, enterprises int) error {
	start := time.Now()
	run, byHand, err := demoPlacements(ctx, store, enterprises)
	if err != nil {
		return err
	}
	printPlaceRun(cfg, run, time.Since(start))
	fmt.Fprintf(cfg.Stdout, "演示手工挂链与移出 / demo changes by hand: %d\n", byHand)
	return nil
}

// demoPlacements places a demo of n enterprises with thresholds scaled to
// its size, then shows a removal and a placement by hand
// (demo.HandPlacements); it returns the run and the changes by hand.
func demoPlacements(ctx context.Context, store *sqlstore.Store, n int) (*chain.PlaceRun, int, error) {
	if err := store.PutThresholds(ctx, demo.Thresholds(n)); err != nil {
		return nil, 0, err
	}
	run, err := store.PlaceAll(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("演示挂链 / demo placement: %w", err)
	}
	byHand, err := demo.HandPlacements(ctx, store)
	if err != nil {
		return nil, 0, fmt.Errorf("演示手工挂链 / demo placement by hand: %w", err)
	}
	return run, byHand, nil
}

func runChainsDiagnose(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "chains diagnose", "chanye chains diagnose [--industry ID] [--json] [--db PATH]\n\n诊断各环节 / judges every link; prints the time the diagnosis took.\n")
	industry := fs.String("industry", "", "只列出该产业 / only this industry's chain")
	asJSON := fs.Bool("json", false, "输出 JSON / print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	run, err := store.LastPlaceRun(ctx)
	if err != nil {
		return err
	}
	if run == nil {
		return errors.New("尚未挂链，请先运行 chanye chains place / no placement yet: run chanye chains place")
	}
	start := time.Now()
	set, err := store.FindChains(ctx)
	if err != nil {
		return err
	}
	stats, err := store.FindLinkStats(ctx, run.Year)
	if err != nil {
		return err
	}
	th, err := store.FindThresholds(ctx)
	if err != nil {
		return err
	}
	ds := th.Diagnose(set, stats, run.Year)
	took := time.Since(start)
	if *industry != "" {
		if set.Chain(*industry) == nil {
			return fmt.Errorf("产业 %q 没有产业链 / no chain for industry %q", *industry, *industry)
		}
		ds = filterDiagnoses(ds, *industry)
	}
	if *asJSON {
		enc := json.NewEncoder(cfg.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ds)
	}
	for _, d := range ds {
		fmt.Fprintf(cfg.Stdout, "%-36s %-6s %s（%s）\n", d.LinkID, d.Verdict.NameZH(), chain.JoinReasons(d.Reasons, false), d.Change().ZH)
	}
	counts := chain.VerdictCounts(ds)
	fmt.Fprintf(cfg.Stdout, "%d 个环节 links: 强 strong %d, 弱 weak %d, 缺失 missing %d, 未诊断 unknown %d; 指标年度 year %d (挂链于 placed at %s)\n",
		len(ds), counts[chain.Strong], counts[chain.Weak], counts[chain.Missing], counts[chain.Unknown], run.Year, run.At.Format(time.DateTime))
	fmt.Fprintf(cfg.Stdout, "诊断用时 / diagnosed in %s\n", took.Round(time.Microsecond))
	return nil
}

func filterDiagnoses(ds []*chain.Diagnosis, industry string) []*chain.Diagnosis {
	var out []*chain.Diagnosis
	for _, d := range ds {
		if strings.HasPrefix(d.LinkID, industry+".") {
			out = append(out, d)
		}
	}
	return out
}

func runChainsFirms(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "chains firms", "chanye chains firms LINK [--limit N] [--db PATH]\n\n列出环节及其子环节上的企业 / lists the firms on a link and its sub-links.\n")
	limit := fs.Int("limit", 50, fmt.Sprintf("最多列出 / at most (1–%d)", chain.MaxPlacePage))
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("须给出一个环节 id / give one link id")
	}
	if *limit < 1 || *limit > chain.MaxPlacePage {
		return fmt.Errorf("--limit 须为 1–%d / must be 1–%d", chain.MaxPlacePage, chain.MaxPlacePage)
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	ps, total, err := store.FindPlacements(ctx, pos[0], 0, *limit)
	if err != nil {
		return err
	}
	for _, p := range ps {
		fmt.Fprintf(cfg.Stdout, "%s  %s  %s  %s  %s\n", p.Code, p.Name, p.LinkID, p.Source, p.PlacedOn)
	}
	fmt.Fprintf(cfg.Stdout, "共 %d 个挂链 / %d placements in all\n", total, total)
	return nil
}
