package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/sqlstore"
)

const matchHelp = `chanye match propose [flags]

  propose  运行供需匹配：读取全部有效供给与需求，按环节、行业、关键词、区县、梯度与
           往来记录配对，新的配对记为待确认；已配对过的不重复。打印读取、配对、新增的
           数目与用时 / runs matching over the open supplies and demands and adds
           the pairs not matched before as proposed matches; prints what it
           read, paired and added, and the time it took

供给与需求由 chanye import supplies|demands FILE 导入，export 导出。
Supplies and demands are loaded with chanye import supplies|demands FILE and
written with export.
`

func runMatch(ctx context.Context, cfg Config, args []string) error {
	return dispatch(ctx, cfg, args, "match", matchHelp, map[string]func(context.Context, Config, []string) error{
		"propose": runMatchPropose,
	})
}

func runMatchPropose(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "match propose", "chanye match propose [--db PATH]\n\n运行供需匹配 / runs matching.\n")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	set, err := store.FindChains(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	seg, err := match.NewSegmenter(match.ChainWords(set)...)
	if err != nil {
		return err
	}
	loaded := time.Since(start)
	run, err := store.ProposeMatches(ctx, seg)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "供给 / supplies %d, 需求 / demands %d, 配对 / pairs %d, 新增 / added %d\n", run.Supplies, run.Demands, run.Proposed, run.Added)
	fmt.Fprintf(cfg.Stdout, "用时 / took %s（词典 / dictionary %s）\n", run.Took.Round(time.Millisecond), loaded.Round(time.Millisecond))
	return nil
}

// importSupplies imports a supplies file, all or nothing: the cells
// that cannot be read are named first; then the store checks every row
// and stores them in one transaction, or none, naming each fault by row
// and column.
func importSupplies(ctx context.Context, cfg Config, store *sqlstore.Store, path string) error {
	f, format, err := openSheet(path)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := dataio.ReadSupplies(f, format)
	if err != nil {
		return err
	}
	n := 0
	if err = file.Err(); err == nil {
		n, err = store.ImportSupplies(ctx, file.Rows)
	}
	if err := sheetProblems(cfg, path, file.Problems(err), err); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已导入供给 / supplies imported: %d\n", n)
	return nil
}

// importDemands imports a demands file, all or nothing, as
// importSupplies does.
func importDemands(ctx context.Context, cfg Config, store *sqlstore.Store, path string) error {
	f, format, err := openSheet(path)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := dataio.ReadDemands(f, format)
	if err != nil {
		return err
	}
	n := 0
	if err = file.Err(); err == nil {
		n, err = store.ImportDemands(ctx, file.Rows)
	}
	if err := sheetProblems(cfg, path, file.Problems(err), err); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已导入需求 / demands imported: %d\n", n)
	return nil
}

// exportListings writes the supplies or demands, the latest first,
// optionally of one industry's chain links.
func exportListings(ctx context.Context, cfg Config, kind dataio.Kind, format dataio.Format, out, industry string) error {
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	f := match.ListingFilter{Limit: match.MaxPage}
	if industry != "" {
		f.IndustryID = &industry
	}
	if kind == dataio.Supplies {
		all, err := allPages(func(offset int) ([]*match.Supply, int, error) {
			f.Offset = offset
			return store.FindSupplies(ctx, f)
		})
		if err != nil {
			return err
		}
		return exportTo(cfg, out, "条供给 supplies", func(w io.Writer) (int, error) { return dataio.ExportSupplies(w, format, all) })
	}
	all, err := allPages(func(offset int) ([]*match.Demand, int, error) {
		f.Offset = offset
		return store.FindDemands(ctx, f)
	})
	if err != nil {
		return err
	}
	return exportTo(cfg, out, "条需求 demands", func(w io.Writer) (int, error) { return dataio.ExportDemands(w, format, all) })
}
