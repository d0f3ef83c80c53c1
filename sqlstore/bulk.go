package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/chanye-org/chanye"
)

// Rows per multi-row statement: large enough that per-statement overhead
// vanishes, small enough to stay under SQLite's and PostgreSQL's parameter
// limits (32766 and 65535) for the widest table (13 columns).
const bulkRows = 200

// touchedLimit bounds the codes awaiting a size-class refresh: past it the
// writer flushes and refreshes early, so memory stays flat on a 3.6 M import.
// Refreshing twice is harmless: the size class is a function of stored data.
const touchedLimit = 50_000

const enterpriseInsertColumns = `code, name, district_code, industry_class, founded, industries_override, size_class, created_at, updated_at`

// upsertEnterprises returns the statement for n enterprises that leaves an
// identical row untouched (updated_at included) and returns the codes of the
// rows it inserted or changed.
func upsertEnterprises(d dialect, n int) string {
	return `INSERT INTO enterprises (` + enterpriseInsertColumns + `) VALUES ` + placeholders(n, 9) + `
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, district_code = excluded.district_code,
			industry_class = excluded.industry_class, founded = excluded.founded,
			industries_override = excluded.industries_override, updated_at = excluded.updated_at
		WHERE ` + differ(d, "enterprises", "name", "district_code", "industry_class", "founded", "industries_override") + `
		RETURNING code`
}

// upsertFacts returns the statement for n reports; with returning, it
// returns the codes whose reports were inserted or changed.
func upsertFacts(d dialect, n int, returning bool) string {
	cols := strings.Split(factColumns, ", ")
	set := []string{"as_of = excluded.as_of"}
	for _, c := range cols {
		set = append(set, c+" = excluded."+c)
	}
	q := `INSERT INTO enterprise_facts (code, year, source, as_of, ` + factColumns + `) VALUES ` + placeholders(n, 4+len(cols)) + `
		ON CONFLICT (code, year, source) DO UPDATE SET ` + strings.Join(set, ", ") + `
		WHERE ` + differ(d, "enterprise_facts", append([]string{"as_of"}, cols...)...)
	if returning {
		q += ` RETURNING code`
	}
	return q
}

// upsertTiers returns the statement for n tiers.
func upsertTiers(d dialect, n int) string {
	return `INSERT INTO enterprise_tiers (code, kind, from_date, to_date, source) VALUES ` + placeholders(n, 5) + `
		ON CONFLICT (code, kind, from_date) DO UPDATE SET to_date = excluded.to_date, source = excluded.source
		WHERE ` + differ(d, "enterprise_tiers", "to_date", "source")
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

// Bulk runs fn in one transaction with a writer that batches upserts; an
// error from fn or from a write rolls all of it back. Size classes are
// re-derived before commit even if fn does not call Finish. ENOTFOUND when no
// catalog is loaded.
func (s *Store) Bulk(ctx context.Context, fn func(w chanye.BulkWriter) error) error {
	return s.db.transact(ctx, false, func(tx *Tx) error {
		cat, err := s.currentCatalog(ctx, tx)
		if err != nil {
			return err
		}
		w := &bulkWriter{ctx: ctx, tx: tx, classes: cat.ClassIndex(), stmts: map[string]*sql.Stmt{},
			entKeys: map[string]int{}, factKeys: map[factKey]int{}, tierKeys: map[tierKey]int{}, touched: map[string]bool{}}
		defer w.close()
		if err := fn(w); err != nil {
			return err
		}
		return w.Finish()
	})
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

// bulkWriter buffers records and writes them bulkRows at a time. Within a
// buffer a repeated key replaces the earlier record, since one statement
// may not upsert the same row twice on PostgreSQL.
type bulkWriter struct {
	ctx     context.Context
	tx      *Tx
	classes map[string][]string // class → industry ids, instead of a catalog scan per row
	stmts   map[string]*sql.Stmt

	ents     []entRow
	entKeys  map[string]int
	facts    []chanye.FactsRecord
	factKeys map[factKey]int
	tiers    []chanye.TierRecord
	tierKeys map[tierKey]int

	touched map[string]bool // codes whose size class must be re-derived
	args    []any
}

func (w *bulkWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// PutEnterprise upserts an enterprise by code, keeping its tiers and facts.
func (w *bulkWriter) PutEnterprise(e *chanye.Enterprise) error {
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
// enterprises whose facts or class changed.
func (w *bulkWriter) Finish() error {
	if err := w.flushFacts(); err != nil { // flushes enterprises first
		return err
	}
	if err := w.flushTiers(); err != nil {
		return err
	}
	codes := sortedKeys(w.touched)
	clear(w.touched)
	for len(codes) > 0 {
		n := min(len(codes), 500)
		if err := refreshSizes(w.ctx, w.tx, codes[:n]); err != nil {
			return err
		}
		codes = codes[n:]
	}
	return nil
}

// stmt returns the statement for a full buffer, prepared once, or an
// unprepared one for the shorter last buffer.
func (w *bulkWriter) exec(name string, n int, build func(int) string, args []any) (*sql.Rows, error) {
	if n == bulkRows {
		st := w.stmts[name]
		if st == nil {
			var err error
			if st, err = w.tx.prepare(w.ctx, build(n)); err != nil {
				return nil, err
			}
			w.stmts[name] = st
		}
		return st.QueryContext(w.ctx, args...)
	}
	return w.tx.query(w.ctx, build(n), args...)
}

// collect reads returned codes into touched, and into also when not nil.
func (w *bulkWriter) collect(rows *sql.Rows, also map[string]bool) error {
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return err
		}
		w.touched[code] = true
		if also != nil {
			also[code] = true
		}
	}
	return rows.Err()
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
	d := w.tx.db.dialect
	rows, err := w.exec("enterprises", len(w.ents), func(n int) string { return upsertEnterprises(d, n) }, args)
	if err != nil {
		return err
	}
	// Memberships change only with the row, except a hand-set list, which
	// is not a column and so is always rewritten.
	changed := map[string]bool{}
	if err := w.collect(rows, changed); err != nil {
		return err
	}
	var codes, pairs []any
	for _, r := range w.ents {
		if changed[r.e.Code] || r.e.IndustriesOverride {
			codes = append(codes, r.e.Code)
			for _, id := range r.industries {
				pairs = append(pairs, id, r.e.Code)
			}
		}
	}
	w.ents = w.ents[:0]
	clear(w.entKeys)
	w.args = args[:0]
	if len(codes) > 0 {
		if _, err := w.tx.exec(w.ctx, `DELETE FROM enterprise_industries WHERE code IN (`+inList(len(codes))+`)`, codes...); err != nil {
			return err
		}
	}
	for len(pairs) > 0 {
		n := min(len(pairs)/2, bulkRows)
		if _, err := w.tx.exec(w.ctx, `INSERT INTO enterprise_industries (industry_id, code) VALUES `+placeholders(n, 2), pairs[:2*n]...); err != nil {
			return err
		}
		pairs = pairs[2*n:]
	}
	return nil
}

func (w *bulkWriter) flushFacts() error {
	if err := w.flushEnterprises(); err != nil {
		return err
	}
	if len(w.facts) == 0 {
		return nil
	}
	args := w.args[:0]
	for i := range w.facts {
		args = factArgs(args, w.facts[i].Code, &w.facts[i].Facts)
	}
	d := w.tx.db.dialect
	rows, err := w.exec("facts", len(w.facts), func(n int) string { return upsertFacts(d, n, true) }, args)
	if err != nil {
		return err
	}
	if err := w.collect(rows, nil); err != nil {
		return err
	}
	w.facts = w.facts[:0]
	clear(w.factKeys)
	w.args = args[:0]
	return nil
}

func (w *bulkWriter) flushTiers() error {
	if err := w.flushEnterprises(); err != nil {
		return err
	}
	if len(w.tiers) == 0 {
		return nil
	}
	args := w.args[:0]
	for _, r := range w.tiers {
		args = append(args, r.Code, string(r.Kind), r.From.String(), dateArg(r.To), r.Source)
	}
	d := w.tx.db.dialect
	rows, err := w.exec("tiers", len(w.tiers), func(n int) string { return upsertTiers(d, n) }, args)
	if err != nil {
		return err
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	w.tiers = w.tiers[:0]
	clear(w.tierKeys)
	w.args = args[:0]
	return nil
}

// refreshSizes re-derives the size class of the given enterprises from their
// class and the merged facts of their newest year, and writes those that
// changed. It serves both single writes and bulks.
func refreshSizes(ctx context.Context, tx *Tx, codes []string) error {
	if len(codes) == 0 {
		return nil
	}
	args := make([]any, len(codes))
	for i, c := range codes {
		args[i] = c
	}
	rows, err := tx.query(ctx, `SELECT code, industry_class, size_class FROM enterprises WHERE code IN (`+inList(len(args))+`)`, args...)
	if err != nil {
		return err
	}
	type current struct{ class, size string }
	stored := make(map[string]current, len(codes))
	for rows.Next() {
		var code string
		var c current
		if err := rows.Scan(&code, &c.class, &c.size); err != nil {
			rows.Close()
			return err
		}
		stored[code] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	reports, err := findFacts(ctx, tx, args, true)
	if err != nil {
		return err
	}
	byCode := map[string][]*chanye.FactsRecord{}
	for _, r := range reports {
		byCode[r.Code] = append(byCode[r.Code], r)
	}
	var updates []any
	for code, c := range stored {
		e := chanye.Enterprise{IndustryClass: c.class, Facts: mergeByYear(byCode[code])}
		e.DeriveSizeClass()
		if string(e.SizeClass) != c.size {
			updates = append(updates, code, string(e.SizeClass))
		}
	}
	if len(updates) == 0 {
		return nil
	}
	_, err = tx.exec(ctx, `WITH v (code, size_class) AS (VALUES `+placeholders(len(updates)/2, 2)+`)
		UPDATE enterprises SET size_class = v.size_class, updated_at = ? FROM v WHERE enterprises.code = v.code`,
		append(updates, tx.now.UnixMilli())...)
	return err
}

