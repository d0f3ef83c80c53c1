package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/chanye-org/chanye"
)

// Store implements the chanye services on a DB.
type Store struct {
	db *DB

	// The catalog as last read, used to validate enterprises and derive
	// their industries. Write transactions compare its version with the
	// stored one, so an import by another process is seen.
	mu      sync.Mutex
	catalog *chanye.Catalog
	version int64

	chunk int // enterprises per scan query; scanChunk when 0, small in tests
	// maxAttempts bounds login_attempts; maxAttemptRows when 0, small in tests.
	maxAttempts int

	space spaceCache // the available units Route reads (space_route.go)
}

var (
	_ chanye.CatalogService    = (*Store)(nil)
	_ chanye.EnterpriseService = (*Store)(nil)
)

// NewStore returns a store on db. The database must be migrated.
func NewStore(db *DB) *Store { return &Store{db: db} }

var errNoCatalog = chanye.NewError(chanye.ENOTFOUND, "尚未导入产业目录 / no catalog has been loaded", nil)

// currentCatalog returns the stored catalog, from memory when its version is
// still the stored one. ENOTFOUND when no catalog is stored.
func (s *Store) currentCatalog(ctx context.Context, tx *txn) (*chanye.Catalog, error) {
	var version int64
	err := tx.queryRow(ctx, `SELECT version FROM catalog_meta WHERE id = 1`).Scan(&version)
	if err == sql.ErrNoRows {
		return nil, errNoCatalog
	} else if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c, v := s.catalog, s.version
	s.mu.Unlock()
	if c != nil && v == version {
		return c, nil
	}
	c, err = loadCatalog(ctx, tx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.catalog, s.version = c, version
	s.mu.Unlock()
	return c, nil
}

// FindCatalog returns the whole catalog with responsibilities. ENOTFOUND
// when none has been loaded.
func (s *Store) FindCatalog(ctx context.Context) (*chanye.Catalog, error) {
	var c *chanye.Catalog
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		c, err = loadCatalog(ctx, tx)
		return err
	})
	return c, err
}

// loadCatalog reads the catalog with its industries. Its Departments are
// the managed list's that may be chosen, in the list's order, once the
// list holds any: the list is kept by administrators after the import.
func loadCatalog(ctx context.Context, tx *txn) (*chanye.Catalog, error) {
	c, err := loadCatalogDoc(ctx, tx)
	if err != nil {
		return nil, err
	}
	if c.Industries, err = findIndustries(ctx, tx, ""); err != nil {
		return nil, err
	}
	kind := chanye.OrgDepartment
	depts, err := findOrgUnits(ctx, tx, chanye.OrgUnitFilter{Kind: &kind})
	if err != nil {
		return nil, err
	}
	if len(depts) > 0 {
		c.Departments = []chanye.Department{}
		for _, d := range depts.Active(kind) {
			c.Departments = append(c.Departments, chanye.Department{NameZH: d.NameZH, NameEN: d.NameEN})
		}
	}
	return c, nil
}

// loadCatalogDoc reads the stored catalog document, without industries.
func loadCatalogDoc(ctx context.Context, tx *txn) (*chanye.Catalog, error) {
	var doc string
	err := tx.queryRow(ctx, `SELECT doc FROM catalog_meta WHERE id = 1`).Scan(&doc)
	if err == sql.ErrNoRows {
		return nil, errNoCatalog
	} else if err != nil {
		return nil, err
	}
	var c chanye.Catalog
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return nil, fmt.Errorf("stored catalog: %w", err)
	}
	return &c, nil
}

// FindIndustries returns the industries of the filter in catalog order.
func (s *Store) FindIndustries(ctx context.Context, filter chanye.IndustryFilter) ([]*chanye.Industry, error) {
	var out []*chanye.Industry
	err := s.db.transact(ctx, true, func(tx *txn) error {
		all, err := findIndustries(ctx, tx, "")
		for _, ind := range all {
			if (filter.Kind == nil || ind.Kind == *filter.Kind) && (filter.Group == nil || ind.Group == *filter.Group) {
				out = append(out, ind)
			}
		}
		return err
	})
	return out, err
}

// FindIndustryByID returns one industry. ENOTFOUND for an unknown id.
func (s *Store) FindIndustryByID(ctx context.Context, id string) (*chanye.Industry, error) {
	var ind *chanye.Industry
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		ind, err = findIndustry(ctx, tx, id)
		return err
	})
	return ind, err
}

func findIndustry(ctx context.Context, tx *txn, id string) (*chanye.Industry, error) {
	inds, err := findIndustries(ctx, tx, id)
	if err != nil {
		return nil, err
	} else if len(inds) == 0 {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "产业 %q 不存在 / industry not found", id)
	}
	return inds[0], nil
}

// findIndustries reads the industry with the given id, or all when id is "".
func findIndustries(ctx context.Context, tx *txn, id string) ([]*chanye.Industry, error) {
	where, args := "", []any{}
	if id != "" {
		where, args = "WHERE id = ?", []any{id}
	}
	rows, err := tx.query(ctx, `
		SELECT id, kind, grp, ordinal, name_zh, name_en, target_tier, target_value_yuan, target_year,
		       office, class_note, city_leader, lead_department, task_force, responsibility_updated_at
		FROM industries `+where+` ORDER BY position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*chanye.Industry
	byID := map[string]*chanye.Industry{}
	for rows.Next() {
		ind := &chanye.Industry{Classes: []string{}}
		var (
			tier      sql.NullString
			value     sql.NullInt64
			year      sql.NullInt64
			updatedAt sql.NullInt64
		)
		r := &ind.Responsibility
		if err := rows.Scan(&ind.ID, &ind.Kind, &ind.Group, &ind.Ordinal, &ind.NameZH, &ind.NameEN, &tier, &value, &year,
			&ind.Office, &ind.ClassNote, &r.CityLeader, &r.LeadDepartment, &r.TaskForce, &updatedAt); err != nil {
			return nil, err
		}
		if tier.Valid {
			ind.Target = &chanye.Target{Tier: tier.String, ValueYuan: value.Int64, Year: int(year.Int64)}
		}
		r.UpdatedAt = fromMillis(updatedAt)
		out = append(out, ind)
		byID[ind.ID] = ind
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	where = strings.ReplaceAll(where, "id =", "industry_id =")
	rows, err = tx.query(ctx, `SELECT industry_id, class FROM industry_classes `+where+` ORDER BY industry_id, position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, class string
		if err := rows.Scan(&id, &class); err != nil {
			return nil, err
		}
		if ind := byID[id]; ind != nil {
			ind.Classes = append(ind.Classes, class)
		}
	}
	return out, rows.Err()
}

// UpdateResponsibility changes who owns an industry. Each name changed
// must be an active entry of its managed list (chanye.OrgUnitService); ""
// leaves the place unassigned. ENOTFOUND; EINVALID naming the field and
// the unknown or retired value.
func (s *Store) UpdateResponsibility(ctx context.Context, id string, upd chanye.ResponsibilityUpdate) (*chanye.Industry, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	var ind *chanye.Industry
	err := s.db.transact(ctx, false, func(tx *txn) (err error) {
		if ind, err = findIndustry(ctx, tx, id); err != nil {
			return err
		}
		before := *ind
		r := upd.Apply(ind.Responsibility)
		if r == before.Responsibility {
			return nil // nothing to write or record
		}
		old := before.Responsibility
		if err := checkChoices(ctx, tx, "责任信息有误", "invalid responsibility", map[string]choice{
			"city_leader":     {chanye.OrgLeader, old.CityLeader, r.CityLeader},
			"lead_department": {chanye.OrgDepartment, old.LeadDepartment, r.LeadDepartment},
			"task_force":      {chanye.OrgTaskForce, old.TaskForce, r.TaskForce},
		}); err != nil {
			return err
		}
		r.UpdatedAt = tx.now
		ind.Responsibility = r
		if _, err = tx.exec(ctx, `UPDATE industries SET city_leader = ?, lead_department = ?, task_force = ?, responsibility_updated_at = ? WHERE id = ?`,
			r.CityLeader, r.LeadDepartment, r.TaskForce, millis(r.UpdatedAt), id); err != nil {
			return err
		}
		return tx.audit(ctx, "update", "industry", id, &before, ind)
	})
	if err == nil {
		// The cached catalog carries responsibilities, which the catalog
		// version does not count: drop it so the next read sees the change.
		s.dropCatalog()
	}
	return ind, err
}

// EnsureCatalog loads c when no catalog is stored yet, as on the first start,
// and reports whether it did. EINVALID on a bad catalog.
func (s *Store) EnsureCatalog(ctx context.Context, c *chanye.Catalog) (loaded bool, err error) {
	if err := c.Validate(); err != nil {
		return false, err
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM catalog_meta`).Scan(&n); err != nil || n > 0 {
			return err
		}
		loaded = true
		return importCatalog(ctx, tx, c)
	})
	return loaded && err == nil, err
}

// ImportCatalog replaces the catalog. Industries whose ids remain keep their
// stored responsibilities and indicators; the indicators and memberships of
// removed industries are deleted; enterprises whose class changed mapping
// get their industries re-derived, unless set by hand. EINVALID.
func (s *Store) ImportCatalog(ctx context.Context, c *chanye.Catalog) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error { return importCatalog(ctx, tx, c) })
}

func importCatalog(ctx context.Context, tx *txn, c *chanye.Catalog) error {
	// The classes whose set of industries changes are the only ones whose
	// enterprises need their memberships derived again.
	oldPairs, err := classPairs(ctx, tx)
	if err != nil {
		return err
	}
	before, err := catalogSummary(ctx, tx)
	if err != nil {
		return err
	}
	newPairs := map[[2]string]bool{}
	for _, ind := range c.Industries {
		for _, cl := range ind.Classes {
			newPairs[[2]string{cl, ind.ID}] = true
		}
	}
	changedSet := map[string]bool{}
	for p := range oldPairs {
		if !newPairs[p] {
			changedSet[p[0]] = true
		}
	}
	for p := range newPairs {
		if !oldPairs[p] {
			changedSet[p[0]] = true
		}
	}

	meta := *c
	meta.Industries = nil
	doc, err := json.Marshal(&meta)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `
		INSERT INTO catalog_meta (id, doc, version, loaded_at) VALUES (1, ?, 1, ?)
		ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, version = catalog_meta.version + 1, loaded_at = excluded.loaded_at`,
		string(doc), tx.now.UnixMilli()); err != nil {
		return err
	}

	ids := make([]any, len(c.Industries))
	for i, ind := range c.Industries {
		ids[i] = ind.ID
	}
	// Cascades to the classes, indicators and memberships of removed industries.
	del := `DELETE FROM industries`
	if len(ids) > 0 {
		del += ` WHERE id NOT IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `)`
	}
	if _, err := tx.exec(ctx, del, ids...); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM industry_classes`); err != nil {
		return err
	}
	for i, ind := range c.Industries {
		var tier, value, year any
		if t := ind.Target; t != nil {
			tier, value, year = t.Tier, t.ValueYuan, t.Year
		}
		r := ind.Responsibility
		// A new industry takes the file's responsibility; a remaining one
		// keeps what is stored, which may have been changed since.
		if _, err := tx.exec(ctx, `
			INSERT INTO industries (id, position, kind, grp, ordinal, name_zh, name_en, target_tier, target_value_yuan, target_year,
			                        office, class_note, city_leader, lead_department, task_force, responsibility_updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET position = excluded.position, kind = excluded.kind, grp = excluded.grp,
				ordinal = excluded.ordinal, name_zh = excluded.name_zh, name_en = excluded.name_en,
				target_tier = excluded.target_tier, target_value_yuan = excluded.target_value_yuan,
				target_year = excluded.target_year, office = excluded.office, class_note = excluded.class_note`,
			ind.ID, i, string(ind.Kind), ind.Group, ind.Ordinal, ind.NameZH, ind.NameEN, tier, value, year,
			ind.Office, ind.ClassNote, r.CityLeader, r.LeadDepartment, r.TaskForce, millis(r.UpdatedAt)); err != nil {
			return err
		}
		for j, cl := range ind.Classes {
			if _, err := tx.exec(ctx, `INSERT INTO industry_classes (industry_id, position, class) VALUES (?, ?, ?)`, ind.ID, j, cl); err != nil {
				return err
			}
		}
	}

	// The catalog's departments, and the names its new industries carry,
	// join the managed lists they are missing from.
	seeded, err := seedOrgUnits(ctx, tx, c.Departments)
	if err != nil {
		return err
	}
	// The chains of the industries the catalog no longer has go with them.
	pruned, err := pruneChains(ctx, tx, c)
	if err != nil {
		return err
	}
	after, err := catalogSummary(ctx, tx)
	if err != nil {
		return err
	}
	after["chains_removed"] = int64(pruned)
	after["reclassified_classes"] = int64(len(changedSet))
	after["list_entries_added"] = int64(seeded)
	if err := tx.audit(ctx, "import", "catalog", "", before, after); err != nil {
		return err
	}
	if len(changedSet) == 0 {
		return nil
	}
	changed := make([]any, 0, len(changedSet))
	for cl := range changedSet {
		changed = append(changed, cl)
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(changed)), ",")
	if _, err := tx.exec(ctx, `
		DELETE FROM enterprise_industries WHERE code IN (
			SELECT code FROM enterprises WHERE industries_override = 0 AND industry_class IN (`+in+`))`, changed...); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `
		INSERT INTO enterprise_industries (industry_id, code, district_code, size_class)
		SELECT DISTINCT ic.industry_id, e.code, e.district_code, e.size_class
		FROM enterprises e JOIN industry_classes ic ON ic.class = e.industry_class
		WHERE e.industries_override = 0 AND e.industry_class IN (`+in+`)`, changed...)
	if err != nil {
		return err
	}
	return tx.stamp(ctx, `industries_override = 0 AND industry_class IN (`+in+`)`, changed...)
}

// catalogSummary counts what the catalog holds, for the audit log: the
// whole catalog is too large to copy into every import's entry. nil when
// none is stored.
func catalogSummary(ctx context.Context, tx *txn) (map[string]int64, error) {
	var version sql.NullInt64
	if err := tx.queryRow(ctx, `SELECT MAX(version) FROM catalog_meta`).Scan(&version); err != nil || !version.Valid {
		return nil, err
	}
	out := map[string]int64{"version": version.Int64}
	for k, q := range map[string]string{
		"industries": `SELECT COUNT(*) FROM industries`,
		"classes":    `SELECT COUNT(*) FROM industry_classes`,
	} {
		var n int64
		if err := tx.queryRow(ctx, q).Scan(&n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, nil
}

// classPairs returns the stored (class, industry id) mapping.
func classPairs(ctx context.Context, tx *txn) (map[[2]string]bool, error) {
	rows, err := tx.query(ctx, `SELECT class, industry_id FROM industry_classes`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	pairs := map[[2]string]bool{}
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		pairs[p] = true
	}
	return pairs, rows.Err()
}

// FindIndicators returns indicator values ordered by industry (in catalog
// order), metric and period.
func (s *Store) FindIndicators(ctx context.Context, filter chanye.IndicatorFilter) ([]*chanye.Indicator, error) {
	var where []string
	var args []any
	if filter.IndustryID != nil {
		where, args = append(where, "v.industry_id = ?"), append(args, *filter.IndustryID)
	}
	if filter.Metric != nil {
		where, args = append(where, "v.metric = ?"), append(args, *filter.Metric)
	}
	q := `SELECT v.industry_id, v.metric, v.period, v.value, v.unit, v.source
		FROM indicators v JOIN industries i ON i.id = v.industry_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY i.position, v.metric, v.period"
	var out []*chanye.Indicator
	err := s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v := &chanye.Indicator{}
			if err := rows.Scan(&v.IndustryID, &v.Metric, &v.Period, &v.Value, &v.Unit, &v.Source); err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// UpsertIndicators writes values keyed by industry, metric and period, all
// or nothing. EINVALID names the index of a bad value ("indicators[2].period");
// ENOTFOUND names an unknown industry.
func (s *Store) UpsertIndicators(ctx context.Context, values []*chanye.Indicator) error {
	fields := map[string]string{}
	for i, v := range values {
		for k, msg := range chanye.ErrorFields(v.Validate()) {
			fields[fmt.Sprintf("indicators[%d].%s", i, k)] = msg
		}
	}
	if err := chanye.Invalid("指标有误 / invalid indicators", fields); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		known := map[string]bool{}
		rows, err := tx.query(ctx, `SELECT id FROM industries`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			known[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		missing := map[string]string{}
		for i, v := range values {
			if !known[v.IndustryID] {
				missing[fmt.Sprintf("indicators[%d].industry_id", i)] = fmt.Sprintf("产业 %q 不存在 / unknown industry", v.IndustryID)
			}
		}
		if len(missing) > 0 {
			return chanye.NewError(chanye.ENOTFOUND, "产业不存在 / unknown industry", missing)
		}
		stmt, err := tx.stmt(ctx, `
			INSERT INTO indicators (industry_id, metric, period, value, unit, source, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (industry_id, metric, period) DO UPDATE SET
				value = excluded.value, unit = excluded.unit, source = excluded.source, updated_at = excluded.updated_at
			WHERE indicators.value <> excluded.value OR indicators.unit <> excluded.unit OR indicators.source <> excluded.source`)
		if err != nil {
			return err
		}
		before, key := []*chanye.Indicator{}, ""
		for i, v := range values {
			old := &chanye.Indicator{IndustryID: v.IndustryID, Metric: v.Metric, Period: v.Period}
			err := tx.queryRow(ctx, `SELECT value, unit, source FROM indicators WHERE industry_id = ? AND metric = ? AND period = ?`,
				v.IndustryID, v.Metric, v.Period).Scan(&old.Value, &old.Unit, &old.Source)
			if err == nil {
				before = append(before, old)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if i == 0 || key == v.IndustryID {
				key = v.IndustryID
			} else {
				key = ""
			}
		}
		var changed int64
		for _, v := range values {
			res, err := stmt.ExecContext(ctx, v.IndustryID, v.Metric, v.Period, v.Value, v.Unit, strings.TrimSpace(v.Source), tx.now.UnixMilli())
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			changed += n
		}
		if changed == 0 {
			return nil // every value was stored already
		}
		return tx.audit(ctx, "update", "indicators", key, before, values)
	})
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
