package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/search"
	"github.com/chanye-org/chanye/uscc"
)

const enterpriseColumns = `e.code, e.name, e.district_code, e.industry_class, e.founded, e.industries_override, e.size_class, e.created_at, e.updated_at`

// factColumns are the figures of chanye.FactFields, in that order.
var factColumns = func() string {
	keys := make([]string, len(chanye.FactFields))
	for i, f := range chanye.FactFields {
		keys[i] = f.Key
	}
	return strings.Join(keys, ", ")
}()

func scanEnterprise(rows interface{ Scan(...any) error }) (*chanye.Enterprise, error) {
	e := &chanye.Enterprise{Industries: []string{}, Tiers: []chanye.Tier{}}
	var (
		founded          sql.NullString
		override         int
		created, updated sql.NullInt64
		size             string
	)
	if err := rows.Scan(&e.Code, &e.Name, &e.DistrictCode, &e.IndustryClass, &founded, &override, &size, &created, &updated); err != nil {
		return nil, err
	}
	var err error
	if e.Founded, err = parseDate(founded); err != nil {
		return nil, err
	}
	e.IndustriesOverride = override != 0
	e.SizeClass = chanye.SizeClass(size)
	e.CreatedAt, e.UpdatedAt = fromMillis(created), fromMillis(updated)
	return e, nil
}

func notFound(code string) error {
	return chanye.Errorf(chanye.ENOTFOUND, "企业 %s 不存在 / enterprise not found", code)
}

// FindEnterpriseByCode returns the enterprise with its industries, tiers
// (by start date) and merged facts (newest year first). ENOTFOUND.
func (s *Store) FindEnterpriseByCode(ctx context.Context, code string) (*chanye.Enterprise, error) {
	var e *chanye.Enterprise
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		e, err = findEnterprise(ctx, tx, uscc.Normalize(code))
		return err
	})
	return e, err
}

func findEnterprise(ctx context.Context, tx *txn, code string) (*chanye.Enterprise, error) {
	e, err := scanEnterprise(tx.queryRow(ctx, `SELECT `+enterpriseColumns+` FROM enterprises e WHERE e.code = ?`, code))
	if err == sql.ErrNoRows {
		return nil, notFound(code)
	} else if err != nil {
		return nil, err
	}
	if err := attachIndustriesAndTiers(ctx, tx, []*chanye.Enterprise{e}); err != nil {
		return nil, err
	}
	reports, err := findFacts(ctx, tx, []any{code}, false)
	if err != nil {
		return nil, err
	}
	e.Facts = mergeByYear(reports)
	return e, nil
}

// mergeByYear merges reports ordered by year (newest first) into one Facts
// per year.
func mergeByYear(reports []*chanye.FactsRecord) []*chanye.Facts {
	var out []*chanye.Facts
	for i := 0; i < len(reports); {
		j := i
		var year []*chanye.Facts
		for ; j < len(reports) && reports[j].Year == reports[i].Year; j++ {
			year = append(year, &reports[j].Facts)
		}
		out = append(out, chanye.MergeFacts(year))
		i = j
	}
	return out
}

// attachIndustriesAndTiers fills Industries (catalog order) and Tiers (by
// start date) of es in two queries.
func attachIndustriesAndTiers(ctx context.Context, tx *txn, es []*chanye.Enterprise) error {
	if len(es) == 0 {
		return nil
	}
	codes := make([]any, len(es))
	for i, e := range es {
		codes[i] = e.Code
	}
	return attach(ctx, tx, es, `code IN (`+inList(len(codes))+`)`, codes)
}

// attach fills Industries and Tiers of es from the rows whose code meets
// cond (on a column named code); rows of other enterprises are skipped, so
// that a scan can select a whole range of codes by its primary key.
func attach(ctx context.Context, tx *txn, es []*chanye.Enterprise, cond string, args []any) error {
	byCode := make(map[string]*chanye.Enterprise, len(es))
	for _, e := range es {
		byCode[e.Code] = e
	}
	rows, err := tx.query(ctx, `
		SELECT ei.code, ei.industry_id FROM enterprise_industries ei JOIN industries i ON i.id = ei.industry_id
		WHERE ei.`+cond+` ORDER BY ei.code, i.position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code, id string
		if err := rows.Scan(&code, &id); err != nil {
			return err
		}
		if e := byCode[code]; e != nil {
			e.Industries = append(e.Industries, id)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	return queryTiers(ctx, tx, cond, args, func(r *chanye.TierRecord) error {
		if e := byCode[r.Code]; e != nil {
			e.Tiers = append(e.Tiers, r.Tier)
		}
		return nil
	})
}

// queryTiers calls fn for the tiers whose code meets cond, ordered by code,
// start date and kind.
func queryTiers(ctx context.Context, tx *txn, cond string, args []any, fn func(*chanye.TierRecord) error) error {
	rows, err := tx.query(ctx, `
		SELECT code, kind, from_date, to_date, source, level FROM enterprise_tiers
		WHERE `+cond+` ORDER BY code, from_date, kind`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r        = &chanye.TierRecord{}
			from, to sql.NullString
		)
		if err := rows.Scan(&r.Code, &r.Kind, &from, &to, &r.Source, &r.Level); err != nil {
			return err
		}
		if r.From, err = parseDate(from); err != nil {
			return err
		}
		if r.To, err = parseDate(to); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// findFacts returns the reports of the given codes ordered by code, year
// (newest first), as-of date and source, so that MergeFacts lets the latest
// report win. latestYear keeps only each code's newest year.
func findFacts(ctx context.Context, tx *txn, codes []any, latestYear bool) ([]*chanye.FactsRecord, error) {
	cond := `f.code IN (` + inList(len(codes)) + `)`
	if latestYear {
		cond += ` AND f.year = (SELECT MAX(g.year) FROM enterprise_facts g WHERE g.code = f.code)`
	}
	var out []*chanye.FactsRecord
	err := queryFacts(ctx, tx, cond, codes, `f.code, f.year DESC, f.as_of, f.source`, func(r *chanye.FactsRecord) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// queryFacts calls fn for the reports (alias f) meeting cond, in order.
func queryFacts(ctx context.Context, tx *txn, cond string, args []any, order string, fn func(*chanye.FactsRecord) error) error {
	rows, err := tx.query(ctx, `SELECT f.code, f.year, f.source, f.as_of, `+factColumns+
		` FROM enterprise_facts f WHERE `+cond+` ORDER BY `+order, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	values := make([]sql.NullInt64, len(chanye.FactFields))
	dest := make([]any, 4, 4+len(values))
	for i := range values {
		dest = append(dest, &values[i])
	}
	for rows.Next() {
		r := &chanye.FactsRecord{}
		var asOf sql.NullString
		dest[0], dest[1], dest[2], dest[3] = &r.Code, &r.Year, &r.Source, &asOf
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if r.AsOf, err = parseDate(asOf); err != nil {
			return err
		}
		// One array per report instead of one allocation per figure.
		store := make([]int64, len(values))
		v := make([]*int64, len(values))
		for i, n := range values {
			if n.Valid {
				store[i] = n.Int64
				v[i] = &store[i]
			}
		}
		r.SetValues(v)
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// inList returns "?,?,…" for n values.
func inList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// where builds the condition of an enterprise filter on alias e.
func (tx *txn) where(f chanye.EnterpriseFilter) (string, []any) {
	return tx.filterConds(f, "e", true)
}

// memberWhere is the filter as conditions on the memberships of its
// industry (enterprise_industries ei, which carries each member's district
// and size class): an industry's selection is counted and grouped from its
// memberships alone. f.IndustryID must be set.
func (tx *txn) memberWhere(f chanye.EnterpriseFilter) (string, []any) {
	cond, args := tx.filterConds(f, "ei", false)
	return "ei.industry_id = ? AND " + cond, append([]any{*f.IndustryID}, args...)
}

// filterConds are the filter's conditions on the table aliased t, which
// has code, district_code and size_class columns; the industry is tested
// through the memberships when industry is true.
func (tx *txn) filterConds(f chanye.EnterpriseFilter, t string, industry bool) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	if f.Code != nil {
		conds, args = append(conds, t+".code = ?"), append(args, *f.Code)
	}
	if f.DistrictCode != nil {
		conds, args = append(conds, t+".district_code = ?"), append(args, *f.DistrictCode)
	}
	if industry && f.IndustryID != nil {
		conds, args = append(conds, t+".code IN (SELECT ei.code FROM enterprise_industries ei WHERE ei.industry_id = ?)"), append(args, *f.IndustryID)
	}
	if f.Tier != nil {
		today := tx.today()
		conds = append(conds, t+`.code IN (SELECT t.code FROM enterprise_tiers t
			WHERE t.kind = ? AND t.from_date <= ? AND (t.to_date IS NULL OR t.to_date >= ?))`)
		args = append(args, string(*f.Tier), today, today)
	}
	if f.SizeClass != nil {
		conds, args = append(conds, t+".size_class = ?"), append(args, string(*f.SizeClass))
	}
	if f.Q != nil {
		if q := strings.TrimSpace(*f.Q); q != "" {
			// Codes use only 0-9 and A-Z, all below '~', so the range is
			// exactly the prefix and can use the primary key.
			prefix := strings.ToUpper(q)
			escaped := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(lowerASCII(q))
			match := `(` + tx.db.dialect.lowerASCII("q.name") + ` LIKE ? ESCAPE '\' OR (q.code >= ? AND q.code < ?))`
			if t == "e" {
				conds = append(conds, strings.ReplaceAll(match, "q.", "e."))
			} else {
				conds = append(conds, t+".code IN (SELECT q.code FROM enterprises q WHERE "+match+")")
			}
			args = append(args, "%"+escaped+"%", prefix, prefix+"~")
		}
	}
	return strings.Join(conds, " AND "), args
}

// lowerASCII folds A-Z to a-z and leaves every other character, as
// SQLite's LIKE compares.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// Page sizes of FindEnterprises.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

func checkPage(f chanye.EnterpriseFilter) (limit int, err error) {
	fields := map[string]string{}
	if f.Offset < 0 {
		fields["offset"] = "不能为负 / must not be negative"
	}
	if f.Limit < 0 || f.Limit > MaxLimit {
		fields["limit"] = fmt.Sprintf("须在 0 到 %d 之间 / must be between 0 and %d", MaxLimit, MaxLimit)
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	return f.Limit, chanye.Invalid("分页参数有误 / invalid paging", fields)
}

// FindEnterprises returns one page of the filter's selection ordered by code,
// with industries and tiers but no facts, and the size of the selection.
// EINVALID on a bad offset or limit (default 50, at most 1000).
func (s *Store) FindEnterprises(ctx context.Context, filter chanye.EnterpriseFilter) ([]*chanye.Enterprise, int, error) {
	limit, err := checkPage(filter)
	if err != nil {
		return nil, 0, err
	}
	var (
		page  []*chanye.Enterprise
		total int
	)
	err = s.db.transact(ctx, true, func(tx *txn) error {
		// The selection is counted once per change stamp (registryCount);
		// an industry's from its memberships, paged in their (industry_id,
		// code) order.
		cond, args := tx.where(filter)
		countQ := `SELECT COUNT(*) FROM enterprises e WHERE ` + cond
		pageQ := `SELECT ` + enterpriseColumns + ` FROM enterprises e WHERE ` + cond + ` ORDER BY e.code LIMIT ? OFFSET ?`
		if filter.IndustryID != nil {
			cond, args = tx.memberWhere(filter)
			countQ = `SELECT COUNT(*) FROM enterprise_industries ei WHERE ` + cond
			pageQ = `SELECT ` + enterpriseColumns + ` FROM enterprise_industries ei JOIN enterprises e ON e.code = ei.code
			WHERE ` + cond + ` ORDER BY ei.code LIMIT ? OFFSET ?`
		}
		if total, err = tx.registryCount(ctx, countQ, args...); err != nil || total <= filter.Offset {
			return err
		}
		rows, err := tx.query(ctx, pageQ, append(args, limit, filter.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEnterprise(rows)
			if err != nil {
				return err
			}
			page = append(page, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return attachIndustriesAndTiers(ctx, tx, page)
	})
	if err != nil {
		return nil, 0, err
	}
	if page == nil {
		page = []*chanye.Enterprise{}
	}
	return page, total, nil
}

// EnterpriseStats counts the filter's selection (paging ignored) by tier
// held today, size class ("" for unclassified) and district.
func (s *Store) EnterpriseStats(ctx context.Context, filter chanye.EnterpriseFilter) (*chanye.EnterpriseStats, error) {
	var out *chanye.EnterpriseStats
	err := s.db.transact(ctx, true, func(tx *txn) error {
		// The total, sizes and districts in one scan: of the industry's
		// memberships when the filter names one, else of the enterprises.
		from, tiers, t := `enterprises e`, `enterprise_tiers t JOIN enterprises e ON e.code = t.code`, "e"
		cond, args := tx.where(filter)
		tierCond := cond
		if filter.IndustryID != nil {
			// The tiers, which are few, drive the join to the memberships
			// (CROSS JOIN keeps that order on SQLite).
			from, tiers, t = `enterprise_industries ei`, `enterprise_tiers t CROSS JOIN enterprise_industries ei`, "ei"
			cond, args = tx.memberWhere(filter)
			tierCond = "ei.code = t.code AND " + cond
		}
		today := tx.today()
		// An industry's page scans its members (300 ms for 软件与互联网 at
		// 3.6 M): kept until the next write, as counts are.
		v, err := tx.registryMemo(ctx, fmt.Sprintf("stats\x00%s\x00%s\x00%q", today, cond, args), func() (any, error) {
			st := &chanye.EnterpriseStats{ByTier: map[string]int{}, BySize: map[string]int{}, ByDistrict: map[string]int{}}
			rows, err := tx.query(ctx, `SELECT `+t+`.size_class, `+t+`.district_code, COUNT(*) FROM `+from+` WHERE `+cond+` GROUP BY 1, 2`, args...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			for rows.Next() {
				var size, district string
				var n int
				if err := rows.Scan(&size, &district, &n); err != nil {
					return nil, err
				}
				st.Total += n
				st.BySize[size] += n
				st.ByDistrict[district] += n
			}
			if err := rows.Err(); err != nil {
				return nil, err
			}
			err = countInto(ctx, tx, st.ByTier, `SELECT t.kind, COUNT(DISTINCT t.code) FROM `+tiers+`
				WHERE t.from_date <= ? AND (t.to_date IS NULL OR t.to_date >= ?) AND `+tierCond+` GROUP BY t.kind`,
				append([]any{today, today}, args...)...)
			return st, err
		})
		if err != nil {
			return err
		}
		out = copyStats(v.(*chanye.EnterpriseStats))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func countInto(ctx context.Context, tx *txn, into map[string]int, query string, args ...any) error {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		into[k] = n
	}
	return rows.Err()
}

// CreateEnterprise validates and stores a new enterprise with its tiers,
// deriving its industries unless overridden. Facts are not taken from e;
// use PutFacts. EINVALID, ECONFLICT when the code exists, ENOTFOUND when no
// catalog is loaded.
func (s *Store) CreateEnterprise(ctx context.Context, e *chanye.Enterprise) error {
	return s.db.transact(ctx, false, func(tx *txn) error {
		cat, err := s.currentCatalog(ctx, tx)
		if err != nil {
			return err
		}
		if err := e.Validate(cat, tx.now); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM enterprises WHERE code = ?`, e.Code).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return chanye.Errorf(chanye.ECONFLICT, "企业 %s 已存在 / enterprise already exists", e.Code)
		}
		e.DeriveIndustries(cat)
		e.Facts = nil
		e.DeriveSizeClass()
		e.CreatedAt, e.UpdatedAt = tx.now, tx.now
		if _, err := tx.exec(ctx, `
			INSERT INTO enterprises (code, name, district_code, industry_class, founded, industries_override, size_class, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Code, e.Name, e.DistrictCode, e.IndustryClass, e.Founded.String(), boolInt(e.IndustriesOverride), string(e.SizeClass),
			tx.now.UnixMilli(), tx.now.UnixMilli()); err != nil {
			return err
		}
		if err := indexDocs(ctx, tx, search.Enterprises, []searchDoc{{ref: e.Code, text: e.Name, fresh: true}}); err != nil {
			return err
		}
		if err := writeIndustries(ctx, tx, e.Code, e.Industries); err != nil {
			return err
		}
		if err := tx.stamp(ctx, `code = ?`, e.Code); err != nil {
			return err
		}
		for _, t := range e.Tiers {
			if err := putTier(ctx, tx, e.Code, t); err != nil {
				return err
			}
		}
		if e.Industries == nil {
			e.Industries = []string{}
		}
		if e.Tiers == nil {
			e.Tiers = []chanye.Tier{}
		}
		return tx.audit(ctx, "create", "enterprise", e.Code, nil, e)
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// writeIndustries replaces the memberships of one enterprise, written
// after the enterprise: each carries its district and size class
// (migration 0014).
func writeIndustries(ctx context.Context, tx *txn, code string, ids []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM enterprise_industries WHERE code = ?`, code); err != nil {
		return err
	}
	for _, id := range uniq(ids) {
		if _, err := tx.exec(ctx, `INSERT INTO enterprise_industries (industry_id, code, district_code, size_class)
			SELECT ?, code, district_code, size_class FROM enterprises WHERE code = ?`, id, code); err != nil {
			return err
		}
	}
	return nil
}

// uniq returns ids without repeats, in first-seen order.
func uniq(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// UpdateEnterprise changes the given fields, re-deriving industries and the
// size class. ENOTFOUND, EINVALID.
func (s *Store) UpdateEnterprise(ctx context.Context, code string, upd chanye.EnterpriseUpdate) (*chanye.Enterprise, error) {
	var e *chanye.Enterprise
	err := s.db.transact(ctx, false, func(tx *txn) error {
		cat, err := s.currentCatalog(ctx, tx)
		if err != nil {
			return err
		}
		if e, err = findEnterprise(ctx, tx, uscc.Normalize(code)); err != nil {
			return err
		}
		if e.Industries == nil {
			e.Industries = []string{}
		}
		before, err := json.Marshal(e)
		if err != nil {
			return err
		}
		oldName := e.Name
		upd.Apply(e, cat)
		if err := e.Validate(cat, tx.now); err != nil {
			return err
		}
		e.DeriveSizeClass()
		if e.Industries == nil {
			e.Industries = []string{}
		}
		if same, err := sameJSON(json.RawMessage(before), e); err != nil || same {
			return err // saved as it was: nothing to write or record
		}
		e.UpdatedAt = tx.now
		if _, err := tx.exec(ctx, `
			UPDATE enterprises SET name = ?, district_code = ?, industry_class = ?, founded = ?, industries_override = ?,
				size_class = ?, updated_at = ?, revision = revision + 1
			WHERE code = ?`,
			e.Name, e.DistrictCode, e.IndustryClass, e.Founded.String(), boolInt(e.IndustriesOverride),
			string(e.SizeClass), tx.now.UnixMilli(), e.Code); err != nil {
			return err
		}
		if e.Name != oldName {
			if err := indexDocs(ctx, tx, search.Enterprises, []searchDoc{{ref: e.Code, text: e.Name}}); err != nil {
				return err
			}
		}
		if err := writeIndustries(ctx, tx, e.Code, e.Industries); err != nil {
			return err
		}
		if err := tx.stamp(ctx, `code = ?`, e.Code); err != nil {
			return err
		}
		return tx.audit(ctx, "update", "enterprise", e.Code, json.RawMessage(before), e)
	})
	return e, err
}

// FindFacts returns every report of the enterprise, newest year first.
// ENOTFOUND.
func (s *Store) FindFacts(ctx context.Context, code string) ([]*chanye.Facts, error) {
	code = uscc.Normalize(code)
	out := []*chanye.Facts{}
	err := s.db.transact(ctx, true, func(tx *txn) error {
		if err := mustExist(ctx, tx, code); err != nil {
			return err
		}
		reports, err := findFacts(ctx, tx, []any{code}, false)
		for _, r := range reports {
			out = append(out, &r.Facts)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func mustExist(ctx context.Context, tx *txn, code string) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM enterprises WHERE code = ?`, code).Scan(&n); err != nil {
		return err
	} else if n == 0 {
		return notFound(code)
	}
	return nil
}

// PutFacts upserts reports keyed by (code, year, source) and re-derives the
// size class. EINVALID names the report ("facts[1].year"); ENOTFOUND.
func (s *Store) PutFacts(ctx context.Context, code string, facts []*chanye.Facts) (*chanye.Enterprise, error) {
	code = uscc.Normalize(code)
	now := s.db.Now()
	fields := map[string]string{}
	for i, f := range facts {
		for k, msg := range chanye.ErrorFields(f.Validate(now)) {
			fields[fmt.Sprintf("facts[%d].%s", i, k)] = msg
		}
	}
	if len(facts) == 0 {
		fields["facts"] = "至少一份数据 / at least one report is required"
	}
	if err := chanye.Invalid("年度数据有误 / invalid facts", fields); err != nil {
		return nil, err
	}
	// One statement may not upsert a row twice: the last report of a key wins.
	last := map[factKey]int{}
	for i, f := range facts {
		f.Source = strings.TrimSpace(f.Source)
		last[factKey{code, f.Source, f.Year}] = i
	}
	var args []any
	for i, f := range facts {
		if last[factKey{code, f.Source, f.Year}] == i {
			args = factArgs(args, code, f)
		}
	}
	return s.writeEnterprise(ctx, code, "update", "enterprise_facts", code, func(tx *txn) error {
		d := tx.db.dialect
		return inChunks(ctx, tx, args, 4+len(chanye.FactFields), func(n int) string { return upsertFacts(d, n) },
			func(*sql.Rows) error { return nil })
	})
}

// PutTier upserts a tier keyed by (code, kind, from). ENOTFOUND, EINVALID.
func (s *Store) PutTier(ctx context.Context, code string, t chanye.Tier) (*chanye.Enterprise, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	t.Source = strings.TrimSpace(t.Source)
	code = uscc.Normalize(code)
	return s.writeEnterprise(ctx, code, "update", "enterprise_tiers", code+"/"+string(t.Kind)+"/"+t.From.String(), func(tx *txn) error {
		return putTier(ctx, tx, code, t)
	})
}

func putTier(ctx context.Context, tx *txn, code string, t chanye.Tier) error {
	_, err := tx.exec(ctx, upsertTiers(tx.db.dialect, 1), code, string(t.Kind), t.From.String(), dateArg(t.To), t.Source, string(t.Level))
	return err
}

// DeleteTier removes a tier. ENOTFOUND when the enterprise or the tier does
// not exist.
func (s *Store) DeleteTier(ctx context.Context, code string, kind chanye.TierKind, from chanye.Date) (*chanye.Enterprise, error) {
	code = uscc.Normalize(code)
	return s.writeEnterprise(ctx, code, "delete", "enterprise_tiers", code+"/"+string(kind)+"/"+from.String(), func(tx *txn) error {
		res, err := tx.exec(ctx, `DELETE FROM enterprise_tiers WHERE code = ? AND kind = ? AND from_date = ?`, code, string(kind), from.String())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return chanye.Errorf(chanye.ENOTFOUND, "企业 %s 没有 %s 日起的 %s / no such tier", code, from, kind)
		}
		return nil
	})
}

// writeEnterprise runs write on an existing enterprise, then re-derives its
// size class and returns it as stored. The audit entry (action on entity
// key) holds the enterprise before and after.
func (s *Store) writeEnterprise(ctx context.Context, code, action, entity, key string, write func(tx *txn) error) (*chanye.Enterprise, error) {
	var e *chanye.Enterprise
	err := s.db.transact(ctx, false, func(tx *txn) (err error) {
		before, err := findEnterprise(ctx, tx, code)
		if err != nil {
			return err
		}
		if err := write(tx); err != nil {
			return err
		}
		if err := refreshSizes(ctx, tx, []any{code}); err != nil {
			return err
		}
		if e, err = findEnterprise(ctx, tx, code); err != nil {
			return err
		}
		if same, err := sameJSON(before, e); err != nil {
			return err
		} else if !same {
			if err := tx.stamp(ctx, `code = ?`, code); err != nil {
				return err
			}
		}
		return tx.audit(ctx, action, entity, key, before, e)
	})
	return e, err
}

// stamp marks the enterprises that cond selects (on enterprises, with
// args) as changed by this transaction: it takes the transaction's stamp,
// the next value of the change counter, once, and writes it on each
// enterprise not stamped by it yet (migration 0015).
func (tx *txn) stamp(ctx context.Context, cond string, args ...any) error {
	if tx.seq == 0 {
		if err := tx.queryRow(ctx, `UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq`).Scan(&tx.seq); err != nil {
			return err
		}
	}
	_, err := tx.exec(ctx, `UPDATE enterprises SET change_seq = ? WHERE change_seq < ? AND (`+cond+`)`, append([]any{tx.seq, tx.seq}, args...)...)
	return err
}

// stampCodes stamps the enterprises of codes, in chunks.
func (tx *txn) stampCodes(ctx context.Context, codes []any) error {
	for len(codes) > 0 {
		n := min(len(codes), 500)
		if err := tx.stamp(ctx, `code IN (`+inList(n)+`)`, codes[:n]...); err != nil {
			return err
		}
		codes = codes[n:]
	}
	return nil
}

// ChangedCodes returns, in code order, the codes of the enterprises
// stamped after the change stamp after (by the index on the stamps) and,
// when turning is set, those that may look different to the rules on its
// two days of one year: a founding anniversary, or a tier starting or
// ending, between them, both days included (every code for days of two
// years).
func (s *Store) ChangedCodes(ctx context.Context, after int64, turning *[2]chanye.Date) ([]string, error) {
	q, args := `SELECT code FROM enterprises WHERE change_seq > ?`, []any{after}
	if turning != nil {
		lo, hi := turning[0], turning[1]
		if hi.Before(lo.Time) {
			lo, hi = hi, lo
		}
		if lo.Year() != hi.Year() {
			q, args = `SELECT code FROM enterprises`, nil
		} else {
			md := func(d chanye.Date) string { return d.String()[5:] }
			q += ` UNION SELECT code FROM enterprises WHERE substr(founded, 6, 5) BETWEEN ? AND ?
				UNION SELECT code FROM enterprise_tiers WHERE from_date BETWEEN ? AND ? OR to_date BETWEEN ? AND ?`
			args = append(args, md(lo), md(hi), lo.String(), hi.String(), lo.String(), hi.String())
		}
	}
	var codes []string
	err := s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return err
			}
			codes = append(codes, c)
		}
		return rows.Err()
	})
	slices.Sort(codes)
	return codes, err
}

// ChangeSeq is the last change stamp given: every enterprise changed since
// a reader saw it has a greater change_seq (ChangedCodes).
func (s *Store) ChangeSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := s.db.transact(ctx, true, func(tx *txn) error {
		return tx.queryRow(ctx, `SELECT seq FROM change_counter WHERE id = 1`).Scan(&seq)
	})
	return seq, err
}
