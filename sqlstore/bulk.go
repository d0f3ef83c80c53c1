package sqlstore

import (
	"context"
	"database/sql"
	"math/bits"
	"slices"
	"sort"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/search"
)

// Rows per multi-row statement: large enough that per-statement overhead
// vanishes, small enough to stay under SQLite's and PostgreSQL's parameter
// limits (32766 and 65535) for the widest table (13 columns).
const bulkRows = 200

// touchedLimit bounds the codes awaiting a size-class refresh: past it the
// writer flushes and refreshes early, so memory stays flat on a 3.6 M import.
// Refreshing twice is harmless: the size class is a function of stored data.
const touchedLimit = 50_000

// refreshRows is how many enterprises refreshSizes reads per query.
const refreshRows = 500

const enterpriseInsertColumns = `code, name, district_code, industry_class, founded, industries_override, size_class, created_at, updated_at`

// upsertEnterprises returns the statement for n enterprises that leaves an
// identical row untouched (updated_at included) and returns the code and
// revision of the rows it inserted (revision 0) or changed.
func upsertEnterprises(d dialect, n int) string {
	return `INSERT INTO enterprises (` + enterpriseInsertColumns + `) VALUES ` + placeholders(n, 9) + `
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, district_code = excluded.district_code,
			industry_class = excluded.industry_class, founded = excluded.founded,
			industries_override = excluded.industries_override, updated_at = excluded.updated_at,
			revision = enterprises.revision + 1
		WHERE ` + differ(d, "enterprises", "name", "district_code", "industry_class", "founded", "industries_override") + `
		RETURNING code, revision`
}

// upsertFacts returns the statement for n reports, returning the codes whose
// reports were inserted or changed.
func upsertFacts(d dialect, n int) string {
	cols := strings.Split(factColumns, ", ")
	set := []string{"as_of = excluded.as_of"}
	for _, c := range cols {
		set = append(set, c+" = excluded."+c)
	}
	return `INSERT INTO enterprise_facts (code, year, source, as_of, ` + factColumns + `) VALUES ` + placeholders(n, 4+len(cols)) + `
		ON CONFLICT (code, year, source) DO UPDATE SET ` + strings.Join(set, ", ") + `
		WHERE ` + differ(d, "enterprise_facts", append([]string{"as_of"}, cols...)...) + `
		RETURNING code`
}

// tierCols is the number of values of one tier in upsertTiers.
const tierCols = 6

// upsertTiers returns the statement for n tiers, returning the codes whose
// tiers were inserted or changed.
func upsertTiers(d dialect, n int) string {
	return `INSERT INTO enterprise_tiers (code, kind, from_date, to_date, source, level) VALUES ` + placeholders(n, tierCols) + `
		ON CONFLICT (code, kind, from_date) DO UPDATE SET to_date = excluded.to_date, source = excluded.source, level = excluded.level
		WHERE ` + differ(d, "enterprise_tiers", "to_date", "source", "level") + `
		RETURNING code`
}

// differ is "table.c1 IS DISTINCT FROM excluded.c1 OR …", null-safe.
func differ(d dialect, table string, cols ...string) string {
	conds := make([]string, len(cols))
	for i, c := range cols {
		conds[i] = table + "." + c + " " + d.distinct + " excluded." + c
	}
	return strings.Join(conds, " OR ")
}

// factArgs appends the arguments of one report to args.
func factArgs(args []any, code string, f *chanye.Facts) []any {
	args = append(args, code, f.Year, f.Source, f.AsOf.String())
	for _, v := range f.Values() {
		if v == nil {
			args = append(args, nil)
		} else {
			args = append(args, *v)
		}
	}
	return args
}

// inChunks runs a multi-row statement over args, cols values per row, in
// statements of bulkRows rows and then of powers of two, so that a
// transaction prepares only a few distinct statements. each, when not nil,
// reads the rows each statement returns.
func inChunks(ctx context.Context, tx *txn, args []any, cols int, build func(n int) string, each func(*sql.Rows) error) error {
	for rows := len(args) / cols; rows > 0; {
		n := bulkRows
		if rows < bulkRows {
			n = 1 << (bits.Len(uint(rows)) - 1)
		}
		st, err := tx.stmt(ctx, build(n))
		if err != nil {
			return err
		}
		if each == nil {
			_, err = st.ExecContext(ctx, args[:n*cols]...)
		} else {
			var r *sql.Rows
			if r, err = st.QueryContext(ctx, args[:n*cols]...); err == nil {
				err = each(r)
				r.Close()
			}
		}
		if err != nil {
			return err
		}
		args, rows = args[n*cols:], rows-n
	}
	return nil
}

// Bulk runs fn in one transaction with a writer that batches upserts; an
// error from fn or from a write rolls all of it back. Size classes are
// re-derived before commit even if fn does not call Finish. Facts or tiers
// of an enterprise that does not exist fail the whole bulk with ENOTFOUND,
// as does a missing catalog.
func (s *Store) Bulk(ctx context.Context, fn func(w chanye.BulkWriter) error) error {
	return s.db.transact(ctx, false, func(tx *txn) error {
		if s.db.dialect.name == "sqlite" {
			// A bulk rewrites indexes larger than the everyday page cache:
			// its connection gets a larger one for the transaction.
			if _, err := tx.exec(ctx, `PRAGMA cache_size = `+itoa(bulkCacheKiB)); err != nil {
				return err
			}
			defer tx.exec(context.WithoutCancel(ctx), `PRAGMA cache_size = `+itoa(cacheKiB))
		}
		cat, err := s.currentCatalog(ctx, tx)
		if err != nil {
			return err
		}
		rebuild, err := dropIndexesWhenEmpty(ctx, tx, "enterprises")
		if err != nil {
			return err
		}
		// The memberships keep their index by code, which the bulk's own
		// rewrites of changed enterprises read.
		rebuildCounts, err := dropIndexesWhenEmpty(ctx, tx, "enterprise_industries", "enterprise_industries_counts")
		if err != nil {
			return err
		}
		// PostgreSQL builds the enterprises' GIN index of search terms at
		// the end of a first import, once, rather than row by row.
		rebuildSearch, err := dropIndexesWhenEmpty(ctx, tx, "search_docs", "search_docs_enterprise")
		if err != nil {
			return err
		}
		w := newBulkWriter(ctx, tx, cat)
		if err := fn(w); err != nil {
			return err
		}
		if err := w.Finish(); err != nil {
			return err
		}
		if err := rebuild(); err != nil {
			return err
		}
		if err := rebuildCounts(); err != nil {
			return err
		}
		if err := rebuildSearch(); err != nil {
			return err
		}
		// PostgreSQL's planner must know how common each search term is:
		// without statistics it reads a term every firm has (广州) from the
		// GIN index whole, 0.2–0.6 s at 3.6 M, where a scan stops after the
		// first matches in milliseconds.
		if c := w.counts; c.Inserted+c.Changed > analyzeRows {
			if err := analyze(ctx, tx, "search_docs"); err != nil {
				return err
			}
		}
		// One entry per bulk, with its counts: a row per enterprise would
		// double an import of millions. A bulk that changed nothing, such
		// as the same file imported again, has none.
		if c := w.counts; c.Inserted+c.Changed+c.FactsChanged+c.TiersChanged == 0 {
			return nil
		}
		return tx.audit(ctx, "import", "enterprises", "", nil, w.counts)
	})
}

// dropIndexesWhenEmpty drops the secondary indexes of an empty table, as
// on the first import, and returns the function that builds them again:
// building an index once over millions of rows is several times faster than
// growing it row by row. On a table with rows it does nothing, so that
// small bulks into a live registry keep their indexes (and readers their
// plans). Both databases drop and create indexes inside the transaction.
// With names, only those indexes are dropped.
func dropIndexesWhenEmpty(ctx context.Context, tx *txn, table string, names ...string) (rebuild func() error, err error) {
	only := names
	nothing := func() error { return nil }
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+table+` LIMIT 1) t`).Scan(&n); err != nil || n > 0 {
		return nothing, err
	}
	rows, err := tx.query(ctx, tx.db.dialect.indexes, table)
	if err != nil {
		return nil, err
	}
	names = nil
	var defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		if len(only) == 0 || slices.Contains(only, name) {
			names, defs = append(names, name), append(defs, def)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX `+name); err != nil {
			return nil, err
		}
	}
	return func() error {
		for _, def := range defs {
			if _, err := tx.ExecContext(ctx, def); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

func newBulkWriter(ctx context.Context, tx *txn, cat *chanye.Catalog) *bulkWriter {
	return &bulkWriter{ctx: ctx, tx: tx, classes: cat.ClassIndex(),
		entKeys: map[string]int{}, factKeys: map[factKey]int{}, tierKeys: map[tierKey]int{}, scopeKeys: map[string]int{}, touched: map[string]bool{},
		fresh: map[string]*sizeAcc{}}
}

type entRow struct {
	e          chanye.Enterprise
	industries []string
}

type factKey struct {
	code, source string
	year         int
}

type tierKey struct {
	code, kind, from string
}

// bulkWriter buffers records and writes each kind bulkRows at a time.
// Within a buffer a repeated key replaces the earlier record, since one
// statement may not upsert the same row twice on PostgreSQL.
type bulkWriter struct {
	ctx     context.Context
	tx      *txn
	classes map[string][]string // class → industry ids, instead of a catalog scan per row

	ents      []entRow
	entKeys   map[string]int
	facts     []chanye.FactsRecord
	factKeys  map[factKey]int
	tiers     []chanye.TierRecord
	tierKeys  map[tierKey]int
	scopes    []chanye.ScopeRecord
	scopeKeys map[string]int

	touched map[string]bool // codes whose size class must be re-derived
	// fresh holds enterprises this writer inserted, with every report
	// written for them since, so that their size classes need no read.
	fresh map[string]*sizeAcc
	args  []any

	counts bulkCounts
}

// bulkCounts is what a bulk was given and what it changed, for its audit
// entry.
type bulkCounts struct {
	Enterprises  int64 `json:"enterprises"`      // records given, a repeated code counted each time
	Inserted     int64 `json:"inserted"`         // enterprises new to the registry
	Changed      int64 `json:"changed"`          // existing enterprises whose stored fields changed
	Facts        int64 `json:"facts"`            // reports given
	FactsChanged int64 `json:"facts_changed"`    // reports inserted or changed
	Tiers        int64 `json:"tiers"`            // tiers given
	TiersChanged int64 `json:"tiers_changed"`    // tiers inserted or changed
	Scopes       int64 `json:"scopes,omitempty"` // business scopes given
}

// freshLimit bounds fresh; past it, fresh is emptied and its enterprises
// take the slower path of reading their facts back.
const freshLimit = 2 * touchedLimit

// sizeAcc is what the size class of a fresh enterprise depends on.
type sizeAcc struct {
	class   string
	size    chanye.SizeClass // as stored
	reports []chanye.Facts   // of the newest year, one per source
}

// add records a report written for the enterprise.
func (a *sizeAcc) add(f *chanye.Facts) {
	if len(a.reports) > 0 && f.Year < a.reports[0].Year {
		return
	}
	if len(a.reports) > 0 && f.Year > a.reports[0].Year {
		a.reports = a.reports[:0]
	}
	for i := range a.reports {
		if a.reports[i].Source == f.Source {
			a.reports[i] = *f
			return
		}
	}
	a.reports = append(a.reports, *f)
}

// sizeClass derives the size class as refreshSizes would from the stored
// reports, which it orders the same way (as-of date, then source).
func (a *sizeAcc) sizeClass() chanye.SizeClass {
	e := chanye.Enterprise{IndustryClass: a.class}
	if len(a.reports) > 0 {
		sort.Slice(a.reports, func(i, j int) bool {
			x, y := &a.reports[i], &a.reports[j]
			return x.AsOf.Before(y.AsOf.Time) || x.AsOf.Equal(y.AsOf.Time) && x.Source < y.Source
		})
		reports := make([]*chanye.Facts, len(a.reports))
		for i := range a.reports {
			reports[i] = &a.reports[i]
		}
		e.Facts = []*chanye.Facts{chanye.MergeFacts(reports)}
	}
	e.DeriveSizeClass()
	return e.SizeClass
}

// PutEnterprise upserts an enterprise by code, keeping its tiers and facts.
func (w *bulkWriter) PutEnterprise(e *chanye.Enterprise) error {
	w.counts.Enterprises++
	r := entRow{e: *e}
	if e.IndustriesOverride {
		r.industries = uniq(e.Industries)
	} else {
		r.industries = w.classes[e.IndustryClass]
	}
	if i, ok := w.entKeys[e.Code]; ok {
		w.ents[i] = r
		return nil
	}
	w.entKeys[e.Code] = len(w.ents)
	w.ents = append(w.ents, r)
	if len(w.ents) >= bulkRows {
		return w.flushed(w.flushEnterprises())
	}
	return nil
}

// PutFacts upserts a report by code, year and source.
func (w *bulkWriter) PutFacts(r *chanye.FactsRecord) error {
	w.counts.Facts++
	k := factKey{r.Code, r.Source, r.Year}
	if i, ok := w.factKeys[k]; ok {
		w.facts[i] = *r
		return nil
	}
	w.factKeys[k] = len(w.facts)
	w.facts = append(w.facts, *r)
	if len(w.facts) >= bulkRows {
		return w.flushed(w.flushFacts())
	}
	return nil
}

// PutTier upserts a tier by code, kind and start date.
func (w *bulkWriter) PutTier(r *chanye.TierRecord) error {
	w.counts.Tiers++
	k := tierKey{r.Code, string(r.Kind), r.From.String()}
	if i, ok := w.tierKeys[k]; ok {
		w.tiers[i] = *r
		return nil
	}
	w.tierKeys[k] = len(w.tiers)
	w.tiers = append(w.tiers, *r)
	if len(w.tiers) >= bulkRows {
		return w.flushTiers()
	}
	return nil
}

// flushed refreshes size classes early once many codes await it.
func (w *bulkWriter) flushed(err error) error {
	if err == nil && len(w.touched) >= touchedLimit {
		return w.Finish()
	}
	return err
}

// Finish writes what is buffered and re-derives the size classes of the
// enterprises whose facts or class changed: in memory for those this writer
// inserted, from the database for the others.
func (w *bulkWriter) Finish() error {
	// Enterprises first: their sizes are read back below.
	for _, flush := range []func() error{w.flushEnterprises, w.flushFacts, w.flushTiers, w.flushScopes} {
		if err := flush(); err != nil {
			return err
		}
	}
	var codes, updates []any
	for _, code := range sortedKeys(w.touched) {
		acc := w.fresh[code]
		if acc == nil {
			codes = append(codes, code)
		} else if size := acc.sizeClass(); size != acc.size {
			acc.size = size
			updates = append(updates, code, string(size))
		}
	}
	clear(w.touched)
	if err := updateSizes(w.ctx, w.tx, updates); err != nil {
		return err
	}
	if len(codes) > analyzeRows {
		// refreshSizes joins the facts: a table the planner believes
		// empty is scanned whole for each chunk (an hour at 3.6 M).
		if err := analyze(w.ctx, w.tx, "enterprises", "enterprise_facts"); err != nil {
			return err
		}
	}
	for len(codes) > 0 {
		n := min(len(codes), refreshRows)
		if err := refreshSizes(w.ctx, w.tx, codes[:n]); err != nil {
			return err
		}
		codes = codes[n:]
	}
	return nil
}

func (w *bulkWriter) flushEnterprises() error {
	if len(w.ents) == 0 {
		return nil
	}
	now := w.tx.now.UnixMilli()
	args := w.args[:0]
	for _, r := range w.ents {
		e := &r.e
		args = append(args, e.Code, e.Name, e.DistrictCode, e.IndustryClass, e.Founded.String(), boolInt(e.IndustriesOverride), "", now, now)
	}
	// A new row has no memberships or facts yet; a changed one may have
	// changed class, so its memberships are rewritten and its size class
	// re-derived. A hand-set list is not a column, so it is always rewritten.
	inserted, changed := map[string]bool{}, map[string]bool{}
	d := w.tx.db.dialect
	err := inChunks(w.ctx, w.tx, args, 9, func(n int) string { return upsertEnterprises(d, n) }, func(rows *sql.Rows) error {
		for rows.Next() {
			var code string
			var revision int64
			if err := rows.Scan(&code, &revision); err != nil {
				return err
			}
			if revision == 0 {
				inserted[code] = true
				w.counts.Inserted++
			} else {
				changed[code] = true
				w.counts.Changed++
				w.touched[code] = true
				delete(w.fresh, code)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	if len(w.fresh)+len(inserted) > freshLimit {
		clear(w.fresh)
	}
	var stale, pairs []any
	var docs []searchDoc
	for _, r := range w.ents {
		code := r.e.Code
		if inserted[code] || changed[code] {
			docs = append(docs, searchDoc{ref: code, text: r.e.Name, fresh: inserted[code]})
		}
		if inserted[code] {
			w.fresh[code] = &sizeAcc{class: r.e.IndustryClass}
		}
		if changed[code] || r.e.IndustriesOverride && !inserted[code] {
			stale = append(stale, code)
		}
		if inserted[code] || changed[code] || r.e.IndustriesOverride {
			for _, id := range r.industries {
				pairs = append(pairs, id, code)
			}
		}
	}
	w.ents = w.ents[:0]
	clear(w.entKeys)
	w.args = args[:0]
	if err := indexDocs(w.ctx, w.tx, search.Enterprises, docs); err != nil {
		return err
	}
	err = inChunks(w.ctx, w.tx, stale, 1, func(n int) string {
		return `DELETE FROM enterprise_industries WHERE code IN (` + inList(n) + `)`
	}, nil)
	if err != nil {
		return err
	}
	var stamped []any
	for code := range inserted {
		stamped = append(stamped, code)
	}
	for code := range changed {
		stamped = append(stamped, code)
	}
	if err := w.tx.stampCodes(w.ctx, stamped); err != nil {
		return err
	}
	// Written after the enterprises, each with their district and size
	// class (migration 0014).
	return inChunks(w.ctx, w.tx, pairs, 2, func(n int) string {
		return `WITH v (industry_id, code) AS (VALUES ` + placeholders(n, 2) + `)
			INSERT INTO enterprise_industries (industry_id, code, district_code, size_class)
			SELECT v.industry_id, e.code, e.district_code, e.size_class FROM v JOIN enterprises e ON e.code = v.code`
	}, nil)
}

func (w *bulkWriter) flushFacts() error {
	if len(w.facts) == 0 {
		return nil
	}
	// Enterprises first, for the foreign key and so that fresh knows them.
	if err := w.flushEnterprises(); err != nil {
		return err
	}
	for i := range w.facts {
		if acc := w.fresh[w.facts[i].Code]; acc != nil {
			acc.add(&w.facts[i].Facts)
		}
	}
	args := w.args[:0]
	for i := range w.facts {
		args = factArgs(args, w.facts[i].Code, &w.facts[i].Facts)
	}
	d := w.tx.db.dialect
	var stamped []any
	err := inChunks(w.ctx, w.tx, args, 4+len(chanye.FactFields), func(n int) string { return upsertFacts(d, n) }, func(rows *sql.Rows) error {
		for rows.Next() {
			var code string
			if err := rows.Scan(&code); err != nil {
				return err
			}
			w.touched[code] = true
			w.counts.FactsChanged++
			stamped = append(stamped, code)
		}
		return rows.Err()
	})
	w.facts = w.facts[:0]
	clear(w.factKeys)
	w.args = args[:0]
	if err != nil {
		return err
	}
	return w.tx.stampCodes(w.ctx, stamped)
}

func (w *bulkWriter) flushTiers() error {
	if len(w.tiers) == 0 {
		return nil
	}
	if err := w.flushEnterprises(); err != nil {
		return err
	}
	args := w.args[:0]
	for _, r := range w.tiers {
		args = append(args, r.Code, string(r.Kind), r.From.String(), dateArg(r.To), r.Source, string(r.Level))
	}
	d := w.tx.db.dialect
	var stamped []any
	err := inChunks(w.ctx, w.tx, args, tierCols, func(n int) string { return upsertTiers(d, n) }, func(rows *sql.Rows) error {
		for rows.Next() {
			var code string
			if err := rows.Scan(&code); err != nil {
				return err
			}
			w.counts.TiersChanged++
			stamped = append(stamped, code)
		}
		return rows.Err()
	})
	w.tiers = w.tiers[:0]
	clear(w.tierKeys)
	w.args = args[:0]
	if err != nil {
		return err
	}
	return w.tx.stampCodes(w.ctx, stamped)
}

// refreshSizes re-derives the size class of the given enterprises from their
// class and the merged facts of their newest year, and writes those that
// changed. It serves both single writes and bulks, so it reads all of them
// in one query and only the figures the size class needs.
func refreshSizes(ctx context.Context, tx *txn, args []any) error {
	if len(args) == 0 {
		return nil
	}
	st, err := tx.stmt(ctx, `
		SELECT e.code, e.industry_class, e.size_class, f.year, f.as_of, f.employees, f.revenue_fen, f.total_assets_fen
		FROM enterprises e LEFT JOIN enterprise_facts f ON f.code = e.code
		WHERE e.code IN (`+inList(len(args))+`)
		ORDER BY e.code, f.year DESC, f.as_of, f.source`)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		updates []any
		e       chanye.Enterprise
		stored  string
		reports []*chanye.Facts
	)
	done := func() {
		if e.Code == "" {
			return
		}
		e.Facts = e.Facts[:0]
		if len(reports) > 0 {
			e.Facts = append(e.Facts, chanye.MergeFacts(reports))
		}
		e.DeriveSizeClass()
		if string(e.SizeClass) != stored {
			updates = append(updates, e.Code, string(e.SizeClass))
		}
	}
	for rows.Next() {
		var (
			code, class, size string
			year              sql.NullInt64
			asOf              sql.NullString
			emp, rev, assets  sql.NullInt64
		)
		if err := rows.Scan(&code, &class, &size, &year, &asOf, &emp, &rev, &assets); err != nil {
			return err
		}
		if code != e.Code {
			done()
			e, stored, reports = chanye.Enterprise{Code: code, IndustryClass: class, Facts: e.Facts}, size, reports[:0]
		}
		// Rows come newest year first: only that year's reports count.
		if !year.Valid || len(reports) > 0 && int64(reports[0].Year) != year.Int64 {
			continue
		}
		f := &chanye.Facts{Year: int(year.Int64), Employees: nullInt(emp), Revenue: (*chanye.Fen)(nullInt(rev)), TotalAssets: (*chanye.Fen)(nullInt(assets))}
		if f.AsOf, err = parseDate(asOf); err != nil {
			return err
		}
		reports = append(reports, f)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	done()
	rows.Close()
	return updateSizes(ctx, tx, updates)
}

// analyzeRows is how many size updates or refreshes make a bulk on
// PostgreSQL refresh the planner's statistics first.
const analyzeRows = 10_000

// analyze refreshes PostgreSQL's statistics of tables: the rows a bulk
// transaction wrote are not in them until it commits (SQLite's planner
// needs none).
func analyze(ctx context.Context, tx *txn, tables ...string) error {
	if tx.db.dialect.name != "postgres" {
		return nil
	}
	_, err := tx.exec(ctx, `ANALYZE `+strings.Join(tables, ", "))
	return err
}

// updateSizes writes (code, size class) pairs, to the enterprises and
// their industry memberships (migration 0014).
func updateSizes(ctx context.Context, tx *txn, updates []any) error {
	if len(updates)/2 > analyzeRows {
		// A table the planner believes empty is scanned whole for each
		// chunk of updates (hours at 3.6 M enterprises).
		if err := analyze(ctx, tx, "enterprises", "enterprise_industries"); err != nil {
			return err
		}
	}
	now := tx.now.UnixMilli()
	err := inChunks(ctx, tx, updates, 2, func(n int) string {
		return `WITH v (code, size_class) AS (VALUES ` + placeholders(n, 2) + `)
			UPDATE enterprises SET size_class = v.size_class, updated_at = ` + itoa(now) + `, revision = revision + 1
			FROM v WHERE enterprises.code = v.code`
	}, nil)
	if err != nil {
		return err
	}
	return inChunks(ctx, tx, updates, 2, func(n int) string {
		return `WITH v (code, size_class) AS (VALUES ` + placeholders(n, 2) + `)
			UPDATE enterprise_industries SET size_class = v.size_class
			FROM v WHERE enterprise_industries.code = v.code`
	}, nil)
}

func nullInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}
