package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chanye-org/chanye/search"
	"github.com/chanye-org/chanye/uscc"
)

const searchHelp = `chanye search [--kind K] [--limit N] [--repeat R] [--as-enterprise CODE] [--db PATH] QUERY...
chanye search reindex [--db PATH]

按名称、信用代码或关键词搜索企业、重点项目和政策，列出每类最相关的结果和用时；
--repeat 重复每个查询并报告中位数与最慢用时（测速用）。reindex 按现有记录重建搜索索引
（索引随每次写入更新，迁移 0022 也会为已有记录建立，一般无需手动重建）。

Searches enterprises, key projects and policies by name, credit code or keyword
and lists the best hits of each kind with the time taken; --repeat runs each
query R times and reports the median and the slowest (to measure). reindex
rebuilds the search index from the records (every write keeps it, and
migration 0022 builds it for the records already stored, so this is seldom
needed).
`

func runSearch(ctx context.Context, cfg Config, args []string) error {
	if len(args) > 0 && args[0] == "reindex" {
		fs := newFlags(&cfg, "search reindex", searchHelp)
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		db, store, _, err := open(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		start := time.Now()
		if err := store.Reindex(ctx); err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stdout, "搜索索引已重建 / search index rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
		return nil
	}
	fs := newFlags(&cfg, "search", searchHelp)
	kind := fs.String("kind", "", "只搜索这些类别，逗号分隔：enterprise, project, policy / only these kinds, comma-separated")
	limit := fs.Int("limit", 5, "每类列出条数 / hits listed per kind")
	repeat := fs.Int("repeat", 1, "每个查询重复次数 / runs of each query")
	as := fs.String("as-enterprise", "", "按该企业账号可见范围搜索：本企业、本企业项目、已发布政策 / search as this enterprise's account sees: itself, its projects, published policies")
	queries, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(queries) == 0 {
		fmt.Fprint(cfg.Stderr, searchHelp)
		return errors.New("缺少查询 / missing query")
	}
	if *repeat < 1 {
		return errors.New("--repeat 须为正整数 / --repeat must be positive")
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	f := search.Filter{Limit: *limit}
	if *kind != "" {
		for _, k := range strings.Split(*kind, ",") {
			f.Kinds = append(f.Kinds, search.Kind(strings.TrimSpace(k)))
		}
	}
	if *as != "" {
		code := uscc.Normalize(*as)
		f.EnterpriseCode, f.ProjectOwner, f.PublishedOnly = &code, &code, true
	}
	for _, q := range queries {
		f.Q = q
		var (
			res   *search.Results
			times []time.Duration
		)
		for range *repeat {
			start := time.Now()
			if res, err = store.Search(ctx, f); err != nil {
				return err
			}
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		fmt.Fprintf(cfg.Stdout, "%q: 中位数 median %s, 最慢 max %s (%d 次 runs)\n", q,
			times[len(times)/2].Round(10*time.Microsecond), times[len(times)-1].Round(10*time.Microsecond), len(times))
		for _, g := range res.Groups {
			more := ""
			if g.More {
				more = "+"
			}
			fmt.Fprintf(cfg.Stdout, "  %s: %d%s\n", g.Kind, len(g.Hits), more)
			for _, h := range g.Hits {
				fmt.Fprintf(cfg.Stdout, "    %-8s %s  %s\n", h.Match, h.Key, h.Name)
			}
		}
	}
	return nil
}
