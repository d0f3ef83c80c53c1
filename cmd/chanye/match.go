package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
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

// listingChecks checks what the store would refuse of a listing before
// any is stored, so that an import is all or nothing in practice: the
// firm in the registry, the link on a chain, the district in the
// catalog. Each fault is keyed rows[N].field.
type listingChecks struct {
	links     map[string]bool
	districts map[string]bool
	firms     map[string]bool
	store     *sqlstore.Store
}

func newListingChecks(ctx context.Context, store *sqlstore.Store) (*listingChecks, error) {
	c := &listingChecks{links: map[string]bool{}, districts: map[string]bool{}, firms: map[string]bool{}, store: store}
	set, err := store.FindChains(ctx)
	if err != nil {
		return nil, err
	}
	for _, ch := range set.Chains {
		for _, l := range ch.Links {
			c.links[l.ID] = true
		}
	}
	cat, err := store.FindCatalog(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range cat.Districts {
		c.districts[d.Code] = true
	}
	return c, nil
}

// check adds to bad the faults of row i: valid is its Validate's error.
func (c *listingChecks) check(ctx context.Context, bad map[string]string, i int, valid error, code, link, district string) error {
	key := func(f string) string {
		if j := strings.IndexByte(f, '['); j > 0 {
			f = f[:j] // classes[2] is the classes cell
		}
		return fmt.Sprintf("rows[%d].%s", i, f)
	}
	for f, reason := range chanye.ErrorFields(valid) {
		bad[key(f)] = reason
	}
	if valid != nil && len(chanye.ErrorFields(valid)) == 0 {
		bad[key("code")] = valid.Error()
	}
	if link != "" && !c.links[link] {
		bad[key("link_id")] = fmt.Sprintf("产业链没有环节 %q / no chain link %q", link, link)
	}
	if district != "" && !c.districts[district] {
		bad[key("district_code")] = fmt.Sprintf("未知区县 %q / unknown district %q", district, district)
	}
	if _, ok := bad[key("code")]; ok || code == "" {
		return nil
	}
	known, seen := c.firms[code]
	if !seen {
		_, err := c.store.FindEnterpriseByCode(ctx, code)
		switch {
		case chanye.ErrorCode(err) == chanye.ENOTFOUND:
		case err != nil:
			return err
		default:
			known = true
		}
		c.firms[code] = known
	}
	if !known {
		bad[key("code")] = fmt.Sprintf("企业库中没有 %s / no enterprise %s in the registry", code, code)
	}
	return nil
}

// importListings imports the rows of a listings file: every row checked
// first and nothing stored when one is at fault, each fault on its row
// and column; then each row stored in its own transaction.
func importListings(ctx context.Context, cfg Config, store *sqlstore.Store, path, what string, n int, sheet interface{ Problems(error) []dataio.Problem },
	readErr error, check func(c *listingChecks, bad map[string]string, i int) error, create func(i int) error) error {
	checks, err := newListingChecks(ctx, store)
	if err != nil {
		return err
	}
	bad := maps.Clone(chanye.ErrorFields(readErr))
	if bad == nil {
		bad = map[string]string{}
	}
	for i := range n {
		if err := check(checks, bad, i); err != nil {
			return err
		}
	}
	if err := chanye.Invalid(what+"有误 / invalid file", bad); err != nil {
		return sheetProblems(cfg, path, sheet.Problems(err), err)
	}
	for i := range n {
		if err := create(i); err != nil {
			fields := map[string]string{}
			for f, reason := range chanye.ErrorFields(err) {
				fields[fmt.Sprintf("rows[%d].%s", i, f)] = reason
			}
			if len(fields) == 0 {
				fields[fmt.Sprintf("rows[%d].code", i)] = err.Error()
			}
			err = chanye.Invalid(fmt.Sprintf("前 %d 行已导入 / the %d rows before were imported", i, i), fields)
			for _, p := range sheet.Problems(err) {
				fmt.Fprintln(cfg.Stderr, "  "+p.String())
			}
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	fmt.Fprintf(cfg.Stdout, "已导入%s / %s imported: %d\n", what, what, n)
	return nil
}

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
	return importListings(ctx, cfg, store, path, "供给 supplies", len(file.Rows), file, file.Err(),
		func(c *listingChecks, bad map[string]string, i int) error {
			s := file.Rows[i]
			return c.check(ctx, bad, i, s.Validate(), s.Code, s.LinkID, s.DistrictCode)
		},
		func(i int) error { return store.CreateSupply(ctx, file.Rows[i]) })
}

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
	today := chanye.DateOf(cfg.Now())
	return importListings(ctx, cfg, store, path, "需求 demands", len(file.Rows), file, file.Err(),
		func(c *listingChecks, bad map[string]string, i int) error {
			d := file.Rows[i]
			if !d.NeededBy.IsZero() && d.NeededBy.Before(today.Time) {
				bad[fmt.Sprintf("rows[%d].needed_by", i)] = "需求日期已过 / needed by a day past"
			}
			return c.check(ctx, bad, i, d.Validate(), d.Code, d.LinkID, d.DistrictCode)
		},
		func(i int) error { return store.CreateDemand(ctx, file.Rows[i]) })
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
