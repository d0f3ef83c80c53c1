package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/chanye-org/chanye"
)

var _ chanye.OrgUnitService = (*Store)(nil)

const orgUnitColumns = `id, kind, name_zh, name_en, position, retired, created_at, updated_at`

// orgKindOrder sorts the kinds as chanye.OrgKinds does.
const orgKindOrder = `CASE kind WHEN 'leader' THEN 0 WHEN 'department' THEN 1 ELSE 2 END`

func scanOrgUnit(r interface{ Scan(...any) error }) (*chanye.OrgUnit, error) {
	var (
		u                chanye.OrgUnit
		retired          int
		created, updated int64
	)
	if err := r.Scan(&u.ID, &u.Kind, &u.NameZH, &u.NameEN, &u.Position, &retired, &created, &updated); err != nil {
		return nil, err
	}
	u.Retired = retired != 0
	u.CreatedAt, u.UpdatedAt = fromMillis(sql.NullInt64{Int64: created, Valid: true}), fromMillis(sql.NullInt64{Int64: updated, Valid: true})
	return &u, nil
}

// FindOrgUnits returns the entries of the filter by kind, then position.
func (s *Store) FindOrgUnits(ctx context.Context, f chanye.OrgUnitFilter) ([]*chanye.OrgUnit, error) {
	var out chanye.OrgLists
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findOrgUnits(ctx, tx, f)
		return err
	})
	return out, err
}

func findOrgUnits(ctx context.Context, tx *txn, f chanye.OrgUnitFilter) (chanye.OrgLists, error) {
	var w where
	if f.Kind != nil {
		w.add(`kind = ?`, string(*f.Kind))
	}
	if f.Retired != nil {
		w.add(`retired = ?`, boolInt(*f.Retired))
	}
	rows, err := tx.query(ctx, `SELECT `+orgUnitColumns+` FROM org_units`+w.String()+` ORDER BY `+orgKindOrder+`, position, id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := chanye.OrgLists{}
	for rows.Next() {
		u, err := scanOrgUnit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func findOrgUnit(ctx context.Context, tx *txn, id int64) (*chanye.OrgUnit, error) {
	u, err := scanOrgUnit(tx.queryRow(ctx, `SELECT `+orgUnitColumns+` FROM org_units WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "名单项 %d 不存在 / no list entry %d", id, id)
	}
	return u, err
}

// CreateOrgUnit appends u to the end of its list. EINVALID, ECONFLICT.
func (s *Store) CreateOrgUnit(ctx context.Context, u *chanye.OrgUnit) error {
	if err := u.Validate(); err != nil {
		return err
	}
	err := s.db.transact(ctx, false, func(tx *txn) error {
		if err := nameFree(ctx, tx, u.Kind, u.NameZH, 0); err != nil {
			return err
		}
		if err := insertOrgUnit(ctx, tx, u); err != nil {
			return err
		}
		return tx.audit(ctx, "create", "org_unit", itoa(u.ID), nil, u)
	})
	if err == nil {
		s.dropCatalog()
	}
	return err
}

// insertOrgUnit appends u to its list, setting its id, position and times.
func insertOrgUnit(ctx context.Context, tx *txn, u *chanye.OrgUnit) error {
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM org_units WHERE kind = ?`, string(u.Kind)).Scan(&u.Position); err != nil {
		return err
	}
	u.CreatedAt, u.UpdatedAt = tx.now, tx.now
	return tx.queryRow(ctx, `INSERT INTO org_units (kind, name_zh, name_en, position, retired, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(u.Kind), u.NameZH, u.NameEN, u.Position, boolInt(u.Retired), tx.now.UnixMilli(), tx.now.UnixMilli()).Scan(&u.ID)
}

// nameFree returns ECONFLICT when the list of kind holds name already
// (other than the entry id).
func nameFree(ctx context.Context, tx *txn, kind chanye.OrgKind, name string, id int64) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM org_units WHERE kind = ? AND name_zh = ? AND id <> ?`, string(kind), name, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return chanye.NewError(chanye.ECONFLICT, fmt.Sprintf("%s名单中已有 %q / the list of %ss holds %q already", kind.NameZH(), name, kind.NameEN(), name),
			map[string]string{"name_zh": fmt.Sprintf("已有同名项 / %q is taken", name)})
	}
	return nil
}

// dropCatalog forgets the cached catalog, whose responsibilities and
// departments the lists change without changing its version.
func (s *Store) dropCatalog() {
	s.mu.Lock()
	s.catalog = nil
	s.mu.Unlock()
}

// renamed records what a rename carried, for the audit log.
type renamed struct {
	*chanye.OrgUnit
	Carried map[string]int64 `json:"carried,omitempty"`
}

// UpdateOrgUnit renames, moves, retires or restores an entry.
//
// A rename is carried, in the same transaction, to every record that names
// the entry by text: industries' responsibilities, projects' own leader or
// department and their nodes' owners, department accounts and the
// applications routed to a department. It is refused (ECONFLICT) for a
// department that a policy version names: a policy is a published text,
// versions are never rewritten, and the decisions made under it cite it.
// Such a department is renamed by issuing new versions first, or is added
// under its new name beside the old one.
//
// Retiring refuses (ECONFLICT) a name still in use, saying where. ENOTFOUND,
// EINVALID.
func (s *Store) UpdateOrgUnit(ctx context.Context, id int64, upd chanye.OrgUnitUpdate) (*chanye.OrgUnit, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	var out *chanye.OrgUnit
	err := s.db.transact(ctx, false, func(tx *txn) error {
		u, err := findOrgUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		before := *u
		after := renamed{OrgUnit: u}
		if upd.NameZH != nil && *upd.NameZH != u.NameZH {
			if err := nameFree(ctx, tx, u.Kind, *upd.NameZH, u.ID); err != nil {
				return err
			}
			if after.Carried, err = carryRename(ctx, tx, u.Kind, u.NameZH, *upd.NameZH); err != nil {
				return err
			}
			u.NameZH = *upd.NameZH
		}
		if upd.NameEN != nil {
			u.NameEN = *upd.NameEN
		}
		if upd.Retired != nil && *upd.Retired && !u.Retired {
			uses, err := orgUses(ctx, tx, u.Kind, u.NameZH)
			if err != nil {
				return err
			}
			if len(uses) > 0 {
				return chanye.Errorf(chanye.ECONFLICT, "%q 仍在使用，不能停用：%s / %q is still in use and cannot be retired: %s",
					u.NameZH, describeUses(uses, true), u.NameZH, describeUses(uses, false))
			}
		}
		if upd.Retired != nil {
			u.Retired = *upd.Retired
		}
		if upd.Position != nil && *upd.Position != u.Position {
			if err := moveOrgUnit(ctx, tx, u, *upd.Position); err != nil {
				return err
			}
		}
		out = u
		if u.NameZH == before.NameZH && u.NameEN == before.NameEN && u.Retired == before.Retired && u.Position == before.Position {
			return nil // nothing to write or record
		}
		u.UpdatedAt = tx.now
		if _, err := tx.exec(ctx, `UPDATE org_units SET name_zh = ?, name_en = ?, retired = ?, position = ?, updated_at = ? WHERE id = ?`,
			u.NameZH, u.NameEN, boolInt(u.Retired), u.Position, tx.now.UnixMilli(), u.ID); err != nil {
			return err
		}
		return tx.audit(ctx, "update", "org_unit", itoa(u.ID), &before, &after)
	})
	if err == nil {
		s.dropCatalog()
	}
	return out, err
}

// moveOrgUnit puts u at position to (past the end: last), shifting the
// entries between its old and new places by one.
func moveOrgUnit(ctx context.Context, tx *txn, u *chanye.OrgUnit, to int) error {
	var last int
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(position), 0) FROM org_units WHERE kind = ?`, string(u.Kind)).Scan(&last); err != nil {
		return err
	}
	to = min(to, last)
	if to == u.Position {
		return nil
	}
	var err error
	if to < u.Position {
		_, err = tx.exec(ctx, `UPDATE org_units SET position = position + 1 WHERE kind = ? AND position >= ? AND position < ?`, string(u.Kind), to, u.Position)
	} else {
		_, err = tx.exec(ctx, `UPDATE org_units SET position = position - 1 WHERE kind = ? AND position > ? AND position <= ?`, string(u.Kind), u.Position, to)
	}
	u.Position = to
	return err
}

// usedBy is one column that names entries of a kind: the table, the label
// of its records, the column and the key shown.
type usedBy struct {
	what, table, column, key string
}

// orgColumns are the columns that name entries, by kind. Policies name
// their department inside their text and are read apart (policyUses).
var orgColumns = map[chanye.OrgKind][]usedBy{
	chanye.OrgLeader: {
		{"industries", "industries", "city_leader", "id"},
		{"projects", "projects", "city_leader", "id"},
	},
	chanye.OrgDepartment: {
		{"industries", "industries", "lead_department", "id"},
		{"users", "users", "department", "name"},
		{"projects", "projects", "department", "id"},
		{"project_nodes", "project_nodes", "owner_department", "project_id"},
		{"applications", "policy_applications", "department", "id"},
	},
	chanye.OrgTaskForce: {
		{"industries", "industries", "task_force", "id"},
	},
}

// maxUseKeys bounds the keys an OrgUse lists.
const maxUseKeys = 5

// orgUses returns where name, of kind, is used.
func orgUses(ctx context.Context, tx *txn, kind chanye.OrgKind, name string) ([]chanye.OrgUse, error) {
	var out []chanye.OrgUse
	for _, c := range orgColumns[kind] {
		use := chanye.OrgUse{What: c.what, Keys: []string{}}
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM `+c.table+` WHERE `+c.column+` = ?`, name).Scan(&use.Count); err != nil {
			return nil, err
		}
		if use.Count == 0 {
			continue
		}
		rows, err := tx.query(ctx, `SELECT DISTINCT `+c.key+` FROM `+c.table+` WHERE `+c.column+` = ? ORDER BY `+c.key+` LIMIT `+itoa(maxUseKeys), name)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, err
			}
			use.Keys = append(use.Keys, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out = append(out, use)
	}
	if kind == chanye.OrgDepartment {
		ids, err := policyUses(ctx, tx, name)
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			out = append(out, chanye.OrgUse{What: "policies", Count: len(ids), Keys: ids[:min(len(ids), maxUseKeys)]})
		}
	}
	return out, nil
}

// policyUses returns the ids of the policies with a version naming dept.
func policyUses(ctx context.Context, tx *txn, dept string) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT policy_id, source FROM policy_versions ORDER BY policy_id, version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id, src string
		if err := rows.Scan(&id, &src); err != nil {
			return nil, err
		}
		if len(ids) > 0 && ids[len(ids)-1] == id {
			continue
		}
		p, err := parsePolicy(src)
		if err != nil {
			return nil, fmt.Errorf("stored policy %s: %w", id, err)
		}
		if p.Department == dept {
			ids = append(ids, id)
		}
	}
	return ids, rows.Err()
}

// useLabels name the records of an OrgUse, in Chinese and English.
var useLabels = map[string][2]string{
	"industries":    {"产业", "industries"},
	"users":         {"账号", "accounts"},
	"projects":      {"重点项目", "key projects"},
	"project_nodes": {"项目节点", "project nodes"},
	"applications":  {"政策申请", "applications"},
	"policies":      {"政策", "policies"},
}

// describeUses words uses in Chinese or English: "产业 2 个（ai、icv-nev）".
func describeUses(uses []chanye.OrgUse, zh bool) string {
	parts := make([]string, len(uses))
	for i, u := range uses {
		l := useLabels[u.What]
		keys := strings.Join(u.Keys, ", ")
		if u.Count > len(u.Keys) {
			keys += ", …"
		}
		if zh {
			parts[i] = fmt.Sprintf("%s %d 个（%s）", l[0], u.Count, strings.ReplaceAll(keys, ", ", "、"))
		} else {
			parts[i] = fmt.Sprintf("%d %s (%s)", u.Count, l[1], keys)
		}
	}
	if zh {
		return strings.Join(parts, "；")
	}
	return strings.Join(parts, "; ")
}

// carryRename renames old to name in every column naming entries of kind,
// and returns how many rows of each it changed. ECONFLICT for a department
// that policies name.
func carryRename(ctx context.Context, tx *txn, kind chanye.OrgKind, old, name string) (map[string]int64, error) {
	if kind == chanye.OrgDepartment {
		ids, err := policyUses(ctx, tx, old)
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			list := strings.Join(ids[:min(len(ids), maxUseKeys)], ", ")
			return nil, chanye.NewError(chanye.ECONFLICT,
				fmt.Sprintf("政策 %s 写明了主管部门 %q，政策文本不改写，因此不能改名；可先发布写新名称的新版本，或新增一个部门 / policies %s name %q as their department and published policy texts are not rewritten, so it cannot be renamed: publish versions naming the new name first, or add a new department",
					list, old, list, old),
				map[string]string{"name_zh": fmt.Sprintf("政策 %s 使用此名称 / used by policies %s", list, list)})
		}
	}
	carried := map[string]int64{}
	for _, c := range orgColumns[kind] {
		res, err := tx.exec(ctx, `UPDATE `+c.table+` SET `+c.column+` = ? WHERE `+c.column+` = ?`, name, old)
		if err != nil {
			return nil, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, err
		}
		if n > 0 {
			carried[c.what] += n
		}
	}
	return carried, nil
}

// seedOrgUnits adds to the lists, at their ends, the names in use that they
// lack: the departments depts (the catalog's, with their English names)
// and every name the industries, accounts, projects and applications
// carry, in the order they first appear. It runs with migration 0019 and
// on every catalog import, so that data stored before the lists existed
// stays valid. It returns how many entries it added.
func seedOrgUnits(ctx context.Context, tx *txn, depts []chanye.Department) (int, error) {
	lists, err := findOrgUnits(ctx, tx, chanye.OrgUnitFilter{})
	if err != nil {
		return 0, err
	}
	added := 0
	add := func(kind chanye.OrgKind, zh, en string) error {
		zh = strings.TrimSpace(zh)
		if zh == "" || lists.Find(kind, zh) != nil {
			return nil
		}
		u := &chanye.OrgUnit{Kind: kind, NameZH: zh, NameEN: en}
		if err := u.Validate(); err != nil {
			return nil // a name the lists cannot hold stays as it is, unchosen
		}
		if err := insertOrgUnit(ctx, tx, u); err != nil {
			return err
		}
		lists = append(lists, u)
		added++
		return nil
	}
	for _, d := range depts {
		if err := add(chanye.OrgDepartment, d.NameZH, d.NameEN); err != nil {
			return added, err
		}
	}
	for _, kind := range chanye.OrgKinds {
		for _, c := range orgColumns[kind] {
			if c.table == "project_nodes" || c.table == "policy_applications" {
				continue // free text of their own, or copies of a policy's
			}
			order := c.key
			if c.table == "industries" {
				order = "position"
			}
			rows, err := tx.query(ctx, `SELECT `+c.column+` FROM `+c.table+` WHERE `+c.column+` <> '' ORDER BY `+order)
			if err != nil {
				return added, err
			}
			var names []string
			for rows.Next() {
				var n string
				if err := rows.Scan(&n); err != nil {
					rows.Close()
					return added, err
				}
				names = append(names, n)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return added, err
			}
			for _, n := range names {
				if err := add(kind, n, ""); err != nil {
					return added, err
				}
			}
		}
	}
	return added, nil
}

// seedAfterMigration seeds the lists when migration 0019 creates them,
// from the stored catalog's departments and the names in use.
func seedAfterMigration(ctx context.Context, tx *txn) error {
	var depts []chanye.Department
	c, err := loadCatalogDoc(ctx, tx)
	if err != nil && err != errNoCatalog {
		return err
	}
	if c != nil {
		depts = c.Departments
	}
	_, err = seedOrgUnits(ctx, tx, depts)
	return err
}

// FindOrgUnitUses returns where the entry's name is used. ENOTFOUND.
func (s *Store) FindOrgUnitUses(ctx context.Context, id int64) ([]chanye.OrgUse, error) {
	var out []chanye.OrgUse
	err := s.db.transact(ctx, true, func(tx *txn) error {
		u, err := findOrgUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		out, err = orgUses(ctx, tx, u.Kind, u.NameZH)
		return err
	})
	if out == nil {
		out = []chanye.OrgUse{}
	}
	return out, err
}

// checkChoices returns EINVALID naming each field whose value changed to a
// name not on its list, or retired; the message (zh, en: what is invalid)
// names the first fields and values. fields maps a field name to its kind,
// the old value and the new one.
func checkChoices(ctx context.Context, tx *txn, zh, en string, fields map[string]choice) error {
	var lists chanye.OrgLists
	bad := map[string]string{}
	for name, c := range fields {
		if c.new == "" || c.new == c.old {
			continue
		}
		if lists == nil {
			var err error
			if lists, err = findOrgUnits(ctx, tx, chanye.OrgUnitFilter{}); err != nil {
				return err
			}
		}
		if m := lists.CheckChoice(c.kind, c.new); m != "" {
			bad[name] = m
		}
	}
	if len(bad) == 0 {
		return nil
	}
	var named []string
	keys := sortedKeys(bad)
	for _, k := range keys[:min(len(keys), maxNamedChoices)] {
		named = append(named, fmt.Sprintf("%s %q", k, fields[k].new))
	}
	list := strings.Join(named, ", ")
	moreZH, moreEN := "", ""
	if n := len(keys) - maxNamedChoices; n > 0 {
		moreZH, moreEN = fmt.Sprintf(" 等 %d 处", len(keys)), fmt.Sprintf(" and %d more", n)
	}
	return chanye.Bilingual(chanye.EINVALID, fmt.Sprintf("%s：%s%s 不在名单中或已停用", zh, list, moreZH),
		fmt.Sprintf("%s: %s%s not on its list or retired", en, list, moreEN)).WithFields(bad)
}

// maxNamedChoices bounds the fields checkChoices names in its message; the
// fields of the error hold them all.
const maxNamedChoices = 5

// choice is a field's list, old value and new value.
type choice struct {
	kind     chanye.OrgKind
	old, new string
}
