package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
)

var (
	_ invest.TargetService     = (*Store)(nil)
	_ invest.RosterService     = (*Store)(nil)
	_ invest.CandidateService  = (*Store)(nil)
	_ invest.LeadService       = (*Store)(nil)
	_ invest.ConversionService = (*Store)(nil)
	_ invest.FunnelService     = (*Store)(nil)
)

// anys returns the strings as arguments.
func anys(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// checkLink returns the field error of a link that is not one of the
// industry's ("" is the industry as a whole).
func checkLink(ctx context.Context, tx *txn, industryID, linkID string) (string, error) {
	if linkID == "" {
		return "", nil
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM chain_links WHERE id = ? AND industry_id = ?`, linkID, industryID).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		return fmt.Sprintf("%q 不是该产业链的环节 / is not a link of the industry's chain", linkID), nil
	}
	return "", nil
}

// inRegistry reports whether the registry holds the enterprise.
func inRegistry(ctx context.Context, tx *txn, code string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM enterprises WHERE code = ?`, code).Scan(&n)
	return n > 0, err
}

// Targets.

const targetColumns = `t.id, t.industry_id, t.link_id, t.kind, t.name, t.code, t.city, t.brings, t.source, t.note, t.created_at, t.created_by`

func scanTarget(row interface{ Scan(...any) error }) (*invest.Target, error) {
	var (
		t       invest.Target
		created int64
	)
	if err := row.Scan(&t.ID, &t.IndustryID, &t.LinkID, &t.Kind, &t.Name, &t.Code, &t.City, &t.Brings, &t.Source, &t.Note, &created, &t.CreatedBy); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMillis(sql.NullInt64{Int64: created, Valid: true})
	return &t, nil
}

func findTarget(ctx context.Context, tx *txn, id int64) (*invest.Target, error) {
	t, err := scanTarget(tx.queryRow(ctx, `SELECT `+targetColumns+` FROM invest_targets t WHERE t.id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "招商对象 %d 不存在 / target %d not found", id, id)
	}
	return t, err
}

func queryTargets(ctx context.Context, tx *txn, query string, args ...any) ([]*invest.Target, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*invest.Target{}
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// FindTargetByID returns a target. ENOTFOUND.
func (s *Store) FindTargetByID(ctx context.Context, id int64) (*invest.Target, error) {
	var out *invest.Target
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findTarget(ctx, tx, id)
		return err
	})
	return out, err
}

// FindTargets returns a page of targets and the total. EINVALID.
func (s *Store) FindTargets(ctx context.Context, f invest.TargetFilter) ([]*invest.Target, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if f.IndustryID != nil {
		w.add("t.industry_id = ?", *f.IndustryID)
	}
	if f.LinkID != nil {
		w.add("t.link_id = ?", *f.LinkID)
	}
	if f.Kind != nil {
		w.add("t.kind = ?", string(*f.Kind))
	}
	if f.Code != nil {
		w.add("t.code = ?", strings.ToUpper(strings.TrimSpace(*f.Code)))
	}
	if f.Industries != nil {
		// '' keeps the list well-formed when it is empty: no industry is ''.
		w.add("t.industry_id IN (''"+strings.Repeat(", ?", len(f.Industries))+")", anys(f.Industries)...)
	}
	var (
		out   []*invest.Target
		total int
	)
	err = s.db.transact(ctx, true, func(tx *txn) (err error) {
		if total, err = count(ctx, tx, `SELECT COUNT(*) FROM invest_targets t`+w.String(), w.args...); err != nil {
			return err
		}
		out, err = queryTargets(ctx, tx, `SELECT `+targetColumns+` FROM invest_targets t`+w.String()+
			` ORDER BY t.industry_id, t.link_id, t.kind, t.id LIMIT ? OFFSET ?`, append(w.args, limit, f.Offset)...)
		return err
	})
	return out, total, err
}

// CreateTarget stores a target. EINVALID, ECONFLICT.
func (s *Store) CreateTarget(ctx context.Context, t *invest.Target) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		bad, err := checkTarget(ctx, tx, t, "")
		if err != nil {
			return err
		}
		if err := chanye.Invalid("招商对象有误 / invalid target", bad); err != nil {
			return err
		}
		return insertTarget(ctx, tx, t, by)
	})
}

// checkTarget returns the field errors of a target against the stored
// industries, links and registry, each key prefixed.
func checkTarget(ctx context.Context, tx *txn, t *invest.Target, prefix string) (map[string]string, error) {
	bad := map[string]string{}
	if _, err := findIndustry(ctx, tx, t.IndustryID); chanye.ErrorCode(err) == chanye.ENOTFOUND {
		bad[prefix+"industry_id"] = fmt.Sprintf("未知产业 %q / unknown industry", t.IndustryID)
	} else if err != nil {
		return nil, err
	}
	if msg, err := checkLink(ctx, tx, t.IndustryID, t.LinkID); err != nil {
		return nil, err
	} else if msg != "" {
		bad[prefix+"link_id"] = msg
	}
	if t.Kind == invest.ListExpand {
		if ok, err := inRegistry(ctx, tx, t.Code); err != nil {
			return nil, err
		} else if !ok {
			bad[prefix+"code"] = "企业库中没有该企业 / no such enterprise in the registry"
		}
	}
	return bad, nil
}

// insertTarget stores a checked target, audited; ECONFLICT when its firm
// is on that list of the link already.
func insertTarget(ctx context.Context, tx *txn, t *invest.Target, by string) error {
	t.CreatedAt, t.CreatedBy = tx.now, by
	if err := tx.queryRow(ctx, `INSERT INTO invest_targets (industry_id, link_id, kind, name, code, city, brings, source, note, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.IndustryID, t.LinkID, string(t.Kind), t.Name, t.Code, t.City, t.Brings,
		t.Source, t.Note, tx.now.UnixMilli(), by).Scan(&t.ID); err != nil {
		return err
	}
	return tx.audit(ctx, "create", "invest_target", strconv.FormatInt(t.ID, 10), nil, t)
}

// ImportTargets stores the rows as targets, all or none: EINVALID naming
// rows[N].field for a bad row, a firm twice on one list in the file, or one
// that is on that list already.
func (s *Store) ImportTargets(ctx context.Context, rows []*invest.Target) (int, error) {
	by, err := actor(ctx)
	if err != nil {
		return 0, err
	}
	if len(rows) == 0 || len(rows) > invest.MaxRosterRows {
		return 0, chanye.Invalid("招商对象文件有误 / invalid targets",
			map[string]string{"rows": fmt.Sprintf("须有 1–%d 行 / must have 1–%d rows", invest.MaxRosterRows, invest.MaxRosterRows)})
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		bad := map[string]string{}
		seen := map[string]int{}
		for i, t := range rows {
			prefix := fmt.Sprintf("rows[%d].", i)
			for k, v := range chanye.ErrorFields(t.Validate()) {
				bad[prefix+k] = v
			}
			more, err := checkTarget(ctx, tx, t, prefix)
			if err != nil {
				return err
			}
			maps.Copy(bad, more)
			if t.Code == "" {
				continue
			}
			key := t.IndustryID + "|" + t.LinkID + "|" + string(t.Kind) + "|" + t.Code
			if j, dup := seen[key]; dup {
				bad[prefix+"code"] = fmt.Sprintf("与第 %d 条重复 / the same as row %d", j+1, j+1)
			}
			seen[key] = i
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM invest_targets WHERE industry_id = ? AND link_id = ? AND kind = ? AND code = ?`,
				t.IndustryID, t.LinkID, string(t.Kind), t.Code).Scan(&n); err != nil {
				return err
			} else if n > 0 {
				bad[prefix+"code"] = "已在该环节的名单上 / already on the link's list"
			}
		}
		if len(bad) > 0 {
			return chanye.Invalid(fmt.Sprintf("招商对象文件有 %d 处错误，未导入 / %d errors: nothing imported", len(bad), len(bad)), bad)
		}
		for _, t := range rows {
			if err := insertTarget(ctx, tx, t, by); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// DeleteTarget removes a target no lead follows. ENOTFOUND, ECONFLICT.
func (s *Store) DeleteTarget(ctx context.Context, id int64) error {
	if _, err := actor(ctx); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		t, err := findTarget(ctx, tx, id)
		if err != nil {
			return err
		}
		n, err := count(ctx, tx, `SELECT COUNT(*) FROM invest_leads WHERE target_id = ?`, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return chanye.Errorf(chanye.ECONFLICT, "有 %d 条线索跟进该对象，不能删除 / %d leads follow the target: it cannot be deleted", n, n)
		}
		if _, err := tx.exec(ctx, `DELETE FROM invest_targets WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, "delete", "invest_target", strconv.FormatInt(id, 10), t, nil)
	})
}

// Rosters.

// ImportRoster replaces the firms of a roster. EINVALID naming rows[N].field.
func (s *Store) ImportRoster(ctx context.Context, source string, rows []invest.RosterFirm) error {
	if _, err := actor(ctx); err != nil {
		return err
	}
	if err := invest.ValidateRoster(source, rows); err != nil {
		return err
	}
	source = strings.TrimSpace(source)
	return s.db.transact(ctx, false, func(tx *txn) error {
		before, err := count(ctx, tx, `SELECT COUNT(*) FROM invest_roster WHERE source = ?`, source)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM invest_roster WHERE source = ?`, source); err != nil {
			return err
		}
		cols := []string{"source", "position", "name", "code", "city", "province", "class", "products", "tier", "imported_at"}
		args := make([]any, 0, len(rows)*len(cols))
		for i, r := range rows {
			args = append(args, source, i, r.Name, r.Code, r.City, r.Province, r.Class, r.Products, string(r.Tier), tx.now.UnixMilli())
		}
		if err := tx.insertMany(ctx, "invest_roster", cols, args); err != nil {
			return err
		}
		type summary struct {
			Rows int `json:"rows"`
		}
		var old *summary
		if before > 0 {
			old = &summary{before}
		}
		return tx.audit(ctx, "import", "invest_roster", source, old, summary{len(rows)})
	})
}

const rosterColumns = `r.id, r.source, r.name, r.code, r.city, r.province, r.class, r.products, r.tier`

func queryRoster(ctx context.Context, tx *txn, query string, args ...any) ([]*invest.RosterFirm, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*invest.RosterFirm{}
	for rows.Next() {
		var f invest.RosterFirm
		if err := rows.Scan(&f.ID, &f.Source, &f.Name, &f.Code, &f.City, &f.Province, &f.Class, &f.Products, &f.Tier); err != nil {
			return nil, err
		}
		out = append(out, &f)
	}
	return out, rows.Err()
}

// FindRoster returns a page of roster firms and the total. EINVALID.
func (s *Store) FindRoster(ctx context.Context, f invest.RosterFilter) ([]*invest.RosterFirm, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if f.Source != nil {
		w.add("r.source = ?", *f.Source)
	}
	if f.Class != nil {
		w.add("r.class = ?", *f.Class)
	}
	var (
		out   []*invest.RosterFirm
		total int
	)
	err = s.db.transact(ctx, true, func(tx *txn) (err error) {
		if total, err = count(ctx, tx, `SELECT COUNT(*) FROM invest_roster r`+w.String(), w.args...); err != nil {
			return err
		}
		out, err = queryRoster(ctx, tx, `SELECT `+rosterColumns+` FROM invest_roster r`+w.String()+
			` ORDER BY r.source, r.position LIMIT ? OFFSET ?`, append(w.args, limit, f.Offset)...)
		return err
	})
	return out, total, err
}

// Candidates.

// FindCandidates proposes targets for a link. ENOTFOUND, EINVALID.
func (s *Store) FindCandidates(ctx context.Context, industryID, linkID string, limit int) ([]*invest.Candidate, error) {
	switch {
	case limit == 0:
		limit = invest.DefaultCandidate
	case limit < 0 || limit > invest.MaxCandidates:
		return nil, chanye.Invalid("分页参数有误 / invalid paging", map[string]string{
			"limit": fmt.Sprintf("须在 0 到 %d 之间 / must be between 0 and %d", invest.MaxCandidates, invest.MaxCandidates)})
	}
	var out []*invest.Candidate
	err := s.db.transact(ctx, true, func(tx *txn) error {
		set, err := findChains(ctx, tx)
		if err != nil {
			return err
		}
		ch := set.Chain(industryID)
		if ch == nil {
			return chanye.Errorf(chanye.ENOTFOUND, "产业 %q 没有产业链 / industry %q has no chain", industryID, industryID)
		}
		link := ch.Link(linkID)
		if link == nil {
			_, err := invest.Candidates(ch, linkID, nil, nil, nil)
			return err
		}
		links := []string{linkID}
		for id := range invest.Neighbours(ch, linkID) {
			links = append(links, id)
		}
		local, err := localFirms(ctx, tx, links, link.Classes)
		if err != nil {
			return err
		}
		roster, err := rosterFor(ctx, tx, link.Classes, link.Keywords)
		if err != nil {
			return err
		}
		targeted, err := queryTargets(ctx, tx, `SELECT `+targetColumns+` FROM invest_targets t WHERE t.industry_id = ? AND t.link_id = ?`, industryID, linkID)
		if err != nil {
			return err
		}
		if out, err = invest.Candidates(ch, linkID, local, roster, targeted); err != nil {
			return err
		}
		out = out[:min(limit, len(out))]
		return nil
	})
	return out, err
}

// localFirms reads the registry firms placed on links (chain_placements)
// or of one of classes, with the links they are placed on among links,
// their tiers held today and their size class.
func localFirms(ctx context.Context, tx *txn, links, classes []string) ([]*invest.LocalFirm, error) {
	sel := `SELECT p.code FROM chain_placements p WHERE p.link_id IN (` + inList(len(links)) + `)`
	args := anys(links)
	if len(classes) > 0 {
		sel += ` UNION SELECT e.code FROM enterprises e WHERE e.industry_class IN (` + inList(len(classes)) + `)`
		args = append(args, anys(classes)...)
	}
	byCode := map[string]*invest.LocalFirm{}
	var out []*invest.LocalFirm
	err := eachRowArgs(ctx, tx, `SELECT e.code, e.name, e.district_code, e.industry_class, e.size_class FROM enterprises e
		WHERE e.code IN (`+sel+`) ORDER BY e.code`, args, func(rows *sql.Rows) error {
		var f invest.LocalFirm
		if err := rows.Scan(&f.Code, &f.Name, &f.DistrictCode, &f.Class, &f.Size); err != nil {
			return err
		}
		byCode[f.Code] = &f
		out = append(out, &f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachRowArgs(ctx, tx, `SELECT p.code, p.link_id FROM chain_placements p WHERE p.link_id IN (`+inList(len(links))+`) ORDER BY p.code, p.link_id`,
		anys(links), func(rows *sql.Rows) error {
			var code, link string
			if err := rows.Scan(&code, &link); err != nil {
				return err
			}
			if f := byCode[code]; f != nil {
				f.Links = append(f.Links, link)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	today := tx.today()
	err = eachRowArgs(ctx, tx, `SELECT t.code, t.kind FROM enterprise_tiers t WHERE t.code IN (`+sel+`)
		AND t.from_date <= ? AND (t.to_date IS NULL OR t.to_date >= ?) ORDER BY t.code, t.kind`, append(args, today, today), func(rows *sql.Rows) error {
		var code string
		var kind chanye.TierKind
		if err := rows.Scan(&code, &kind); err != nil {
			return err
		}
		if f := byCode[code]; f != nil {
			f.Tiers = append(f.Tiers, kind)
		}
		return nil
	})
	return out, err
}

// rosterFor reads the roster firms of one of classes or whose products
// may name one of keywords (Candidates decides).
func rosterFor(ctx context.Context, tx *txn, classes, keywords []string) ([]*invest.RosterFirm, error) {
	var (
		conds []string
		args  []any
	)
	if len(classes) > 0 {
		conds = append(conds, `r.class IN (`+inList(len(classes))+`)`)
		args = append(args, anys(classes)...)
	}
	for _, k := range keywords {
		conds = append(conds, `r.products LIKE ?`)
		args = append(args, "%"+k+"%")
	}
	if len(conds) == 0 {
		return nil, nil
	}
	return queryRoster(ctx, tx, `SELECT `+rosterColumns+` FROM invest_roster r WHERE `+strings.Join(conds, " OR ")+` ORDER BY r.source, r.position`, args...)
}

// eachRowArgs runs query with args and calls fn on each row.
func eachRowArgs(ctx context.Context, tx *txn, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Leads.

const leadColumns = `l.id, l.target_id, t.name, l.industry_id, l.link_id, l.stage, l.stage_on, l.owner_kind, l.owner_name,
	l.expected_fen, l.next_action, l.next_action_on, l.signed_on, l.signed_fen, l.landed_on, l.lost_reason, l.project_id,
	l.enterprise_code, l.created_at, l.created_by, l.updated_at`

const leadFrom = ` FROM invest_leads l JOIN invest_targets t ON t.id = l.target_id`

func scanLead(row interface{ Scan(...any) error }) (*invest.Lead, error) {
	var (
		l                        invest.Lead
		stageOn                  string
		next, signedOn, landedOn sql.NullString
		expected, signed         sql.NullInt64
		projectID, code          sql.NullString
		created, updated         int64
	)
	if err := row.Scan(&l.ID, &l.TargetID, &l.TargetName, &l.IndustryID, &l.LinkID, &l.Stage, &stageOn, &l.OwnerKind, &l.OwnerName,
		&expected, &l.NextAction, &next, &signedOn, &signed, &landedOn, &l.LostReason, &projectID,
		&code, &created, &l.CreatedBy, &updated); err != nil {
		return nil, err
	}
	var err error
	for _, d := range []struct {
		to *chanye.Date
		v  sql.NullString
	}{{&l.StageOn, sql.NullString{String: stageOn, Valid: true}}, {&l.NextActionOn, next}, {&l.SignedOn, signedOn}, {&l.LandedOn, landedOn}} {
		if *d.to, err = parseDate(d.v); err != nil {
			return nil, err
		}
	}
	if expected.Valid {
		v := chanye.Fen(expected.Int64)
		l.ExpectedFen = &v
	}
	if signed.Valid {
		v := chanye.Fen(signed.Int64)
		l.SignedFen = &v
	}
	l.ProjectID, l.EnterpriseCode = projectID.String, code.String
	l.CreatedAt = fromMillis(sql.NullInt64{Int64: created, Valid: true})
	l.UpdatedAt = fromMillis(sql.NullInt64{Int64: updated, Valid: true})
	return &l, nil
}

func findLead(ctx context.Context, tx *txn, id int64) (*invest.Lead, error) {
	l, err := scanLead(tx.queryRow(ctx, `SELECT `+leadColumns+leadFrom+` WHERE l.id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "线索 %d 不存在 / lead %d not found", id, id)
	}
	return l, err
}

func queryLeads(ctx context.Context, tx *txn, query string, args ...any) ([]*invest.Lead, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*invest.Lead{}
	for rows.Next() {
		l, err := scanLead(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func fenArg(f *chanye.Fen) any {
	if f == nil {
		return nil
	}
	return int64(*f)
}

func textArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// leadWhere is the filter's conditions on invest_leads l.
func leadWhere(f invest.LeadFilter) where {
	var w where
	if f.IndustryID != nil {
		w.add("l.industry_id = ?", *f.IndustryID)
	}
	if f.LinkID != nil {
		w.add("l.link_id = ?", *f.LinkID)
	}
	if f.Stage != nil {
		w.add("l.stage = ?", string(*f.Stage))
	}
	if f.Open != nil {
		op := "NOT IN"
		if !*f.Open {
			op = "IN"
		}
		w.add("l.stage " + op + " ('landed', 'lost')")
	}
	if f.OwnerKind != nil {
		w.add("l.owner_kind = ?", string(*f.OwnerKind))
	}
	if f.OwnerName != nil {
		w.add("l.owner_name = ?", *f.OwnerName)
	}
	if f.DistrictCode != nil {
		w.add("l.owner_kind = 'district' AND l.owner_name = ?", *f.DistrictCode)
	}
	if f.TargetID != nil {
		w.add("l.target_id = ?", *f.TargetID)
	}
	if f.ProjectID != nil {
		w.add("l.project_id = ?", *f.ProjectID)
	}
	if sc := f.Within; sc != nil {
		conds := []string{"1 = 0"}
		var args []any
		if len(sc.IndustryIDs) > 0 {
			conds = append(conds, "l.industry_id IN ("+inList(len(sc.IndustryIDs))+")")
			args = append(args, anys(sc.IndustryIDs)...)
		}
		if sc.OwnerName != "" {
			conds = append(conds, "(l.owner_kind = ? AND l.owner_name = ?)")
			args = append(args, string(sc.OwnerKind), sc.OwnerName)
		}
		w.add("("+strings.Join(conds, " OR ")+")", args...)
	}
	return w
}

// FindLeadByID returns a lead. ENOTFOUND.
func (s *Store) FindLeadByID(ctx context.Context, id int64) (*invest.Lead, error) {
	var out *invest.Lead
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findLead(ctx, tx, id)
		return err
	})
	return out, err
}

func (s *Store) findLeads(ctx context.Context, w where, order string, offset, limit int) ([]*invest.Lead, int, error) {
	limit, err := pageLimit(offset, limit)
	if err != nil {
		return nil, 0, err
	}
	var (
		out   []*invest.Lead
		total int
	)
	err = s.db.transact(ctx, true, func(tx *txn) (err error) {
		if total, err = count(ctx, tx, `SELECT COUNT(*)`+leadFrom+w.String(), w.args...); err != nil {
			return err
		}
		out, err = queryLeads(ctx, tx, `SELECT `+leadColumns+leadFrom+w.String()+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
			append(w.args, limit, offset)...)
		return err
	})
	return out, total, err
}

// FindLeads returns a page of leads, the latest first, and the total.
// EINVALID.
func (s *Store) FindLeads(ctx context.Context, f invest.LeadFilter) ([]*invest.Lead, int, error) {
	return s.findLeads(ctx, leadWhere(f), "l.created_at DESC, l.id DESC", f.Offset, f.Limit)
}

// FindOverdueLeads returns the open leads whose next action was due
// before today, the longest overdue first, and the total. EINVALID.
func (s *Store) FindOverdueLeads(ctx context.Context, f invest.LeadFilter) ([]*invest.Lead, int, error) {
	w := leadWhere(f)
	w.add("l.stage NOT IN ('landed', 'lost') AND l.next_action_on IS NOT NULL AND l.next_action_on < ?", chanye.DateOf(s.db.Now().UTC()).String())
	return s.findLeads(ctx, w, "l.next_action_on, l.id", f.Offset, f.Limit)
}

const eventColumns = `id, lead_id, on_date, kind, from_stage, to_stage, skipped, actor, note, at`

func scanEvent(row interface{ Scan(...any) error }) (*invest.Event, error) {
	var (
		e       invest.Event
		on      string
		skipped int
		at      int64
	)
	if err := row.Scan(&e.ID, &e.LeadID, &on, &e.Kind, &e.From, &e.To, &skipped, &e.By, &e.Note, &at); err != nil {
		return nil, err
	}
	var err error
	if e.On, err = parseDate(sql.NullString{String: on, Valid: true}); err != nil {
		return nil, err
	}
	e.Skipped, e.At = skipped == 1, fromMillis(sql.NullInt64{Int64: at, Valid: true})
	return &e, nil
}

func queryEvents(ctx context.Context, tx *txn, query string, args ...any) ([]*invest.Event, error) {
	out := []*invest.Event{}
	err := eachRowArgs(ctx, tx, query, args, func(rows *sql.Rows) error {
		e, err := scanEvent(rows)
		if err == nil {
			out = append(out, e)
		}
		return err
	})
	return out, err
}

func insertEvent(ctx context.Context, tx *txn, e *invest.Event) error {
	e.At = tx.now
	return tx.queryRow(ctx, `INSERT INTO invest_lead_events (lead_id, on_date, kind, from_stage, to_stage, skipped, actor, note, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, e.LeadID, e.On.String(), string(e.Kind), string(e.From), string(e.To),
		boolInt(e.Skipped), e.By, e.Note, tx.now.UnixMilli()).Scan(&e.ID)
}

// FindLeadEvents returns a lead's history in order. ENOTFOUND.
func (s *Store) FindLeadEvents(ctx context.Context, id int64) ([]*invest.Event, error) {
	var out []*invest.Event
	err := s.db.transact(ctx, true, func(tx *txn) error {
		if _, err := findLead(ctx, tx, id); err != nil {
			return err
		}
		var err error
		out, err = queryEvents(ctx, tx, `SELECT `+eventColumns+` FROM invest_lead_events WHERE lead_id = ? ORDER BY on_date, id`, id)
		return err
	})
	return out, err
}

// checkLead checks what the store knows of a lead: its link and, by kind,
// its owner (a district of the catalog, a department or task force on the
// managed lists); old is the stored lead (nil for a new one).
func (s *Store) checkLead(ctx context.Context, tx *txn, l, old *invest.Lead) error {
	if err := l.Validate(); err != nil {
		return err
	}
	bad := map[string]string{}
	if msg, err := checkLink(ctx, tx, l.IndustryID, l.LinkID); err != nil {
		return err
	} else if msg != "" {
		bad["link_id"] = msg
	}
	var oldOwner string
	if old != nil && old.OwnerKind == l.OwnerKind {
		oldOwner = old.OwnerName
	}
	switch l.OwnerKind {
	case invest.OwnerDistrict:
		c, err := s.currentCatalog(ctx, tx)
		if err != nil {
			return err
		}
		if _, ok := c.District(l.OwnerName); !ok {
			bad["owner_name"] = fmt.Sprintf("%q 不是本市的区县代码 / not a district code of the city", l.OwnerName)
		}
	case invest.OwnerDepartment, invest.OwnerTaskForce:
		kind := chanye.OrgDepartment
		if l.OwnerKind == invest.OwnerTaskForce {
			kind = chanye.OrgTaskForce
		}
		if err := checkChoices(ctx, tx, "线索有误", "invalid lead", map[string]choice{"owner_name": {kind, oldOwner, l.OwnerName}}); err != nil {
			for k, v := range chanye.ErrorFields(err) {
				bad[k] = v
			}
			if len(chanye.ErrorFields(err)) == 0 {
				return err
			}
		}
	}
	return chanye.Invalid("线索有误 / invalid lead", bad)
}

// CreateLead stores a new lead at 线索 today. EINVALID.
func (s *Store) CreateLead(ctx context.Context, l *invest.Lead) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		t, err := findTarget(ctx, tx, l.TargetID)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return chanye.Invalid("线索有误 / invalid lead", map[string]string{"target_id": "招商对象不存在 / no such target"})
		} else if err != nil {
			return err
		}
		l.IndustryID, l.TargetName = t.IndustryID, t.Name
		if strings.TrimSpace(l.LinkID) == "" {
			l.LinkID = t.LinkID
		}
		if err := s.checkLead(ctx, tx, l, nil); err != nil {
			return err
		}
		today := chanye.DateOf(tx.now)
		on := today
		if !l.StageOn.IsZero() {
			// The day the clue came in, recorded later: not in the future,
			// not older than MaxLeadAgeYears.
			if l.StageOn.After(today.Time) || l.StageOn.Before(today.AddDate(-invest.MaxLeadAgeYears, 0, 0)) {
				return chanye.Invalid("线索有误 / invalid lead", map[string]string{"stage_on": fmt.Sprintf(
					"线索日期须在今天及以前 %d 年内 / the day of the clue must be today or within %d years before", invest.MaxLeadAgeYears, invest.MaxLeadAgeYears)})
			}
			on = l.StageOn
		}
		l.Stage, l.StageOn = invest.StageClue, on
		l.SignedOn, l.SignedFen, l.LandedOn, l.LostReason, l.ProjectID, l.EnterpriseCode = chanye.Date{}, nil, chanye.Date{}, "", "", ""
		l.CreatedAt, l.UpdatedAt, l.CreatedBy = tx.now, tx.now, by
		if err := tx.queryRow(ctx, `INSERT INTO invest_leads (target_id, industry_id, link_id, stage, stage_on, owner_kind, owner_name,
			expected_fen, next_action, next_action_on, signed_on, signed_fen, landed_on, lost_reason, project_id, enterprise_code,
			created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, '', NULL, NULL, ?, ?, ?) RETURNING id`,
			l.TargetID, l.IndustryID, l.LinkID, string(l.Stage), on.String(), string(l.OwnerKind), l.OwnerName,
			fenArg(l.ExpectedFen), l.NextAction, dateArg(l.NextActionOn), tx.now.UnixMilli(), by, tx.now.UnixMilli()).Scan(&l.ID); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, &invest.Event{LeadID: l.ID, On: on, Kind: invest.EventStage, To: invest.StageClue, By: by}); err != nil {
			return err
		}
		return tx.audit(ctx, "create", "invest_lead", strconv.FormatInt(l.ID, 10), nil, l)
	})
}

// updateLeadRow writes every changeable field of l.
func updateLeadRow(ctx context.Context, tx *txn, l *invest.Lead) error {
	l.UpdatedAt = tx.now
	_, err := tx.exec(ctx, `UPDATE invest_leads SET link_id = ?, stage = ?, stage_on = ?, owner_kind = ?, owner_name = ?, expected_fen = ?,
		next_action = ?, next_action_on = ?, signed_on = ?, signed_fen = ?, landed_on = ?, lost_reason = ?, project_id = ?,
		enterprise_code = ?, updated_at = ? WHERE id = ?`,
		l.LinkID, string(l.Stage), l.StageOn.String(), string(l.OwnerKind), l.OwnerName, fenArg(l.ExpectedFen),
		l.NextAction, dateArg(l.NextActionOn), dateArg(l.SignedOn), fenArg(l.SignedFen), dateArg(l.LandedOn), l.LostReason,
		textArg(l.ProjectID), textArg(l.EnterpriseCode), tx.now.UnixMilli(), l.ID)
	return err
}

// closed is the answer to a change of a closed lead.
func closed(l *invest.Lead) error {
	return chanye.Errorf(chanye.ECONFLICT, "线索已%s，不能再变更 / the lead is %s and cannot change", l.Stage.NameZH(), l.Stage.NameEN())
}

// UpdateLead changes an open lead. ENOTFOUND, EINVALID, ECONFLICT.
func (s *Store) UpdateLead(ctx context.Context, id int64, upd invest.LeadUpdate) (*invest.Lead, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out *invest.Lead
	err := s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findLead(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Stage.Closed() {
			return closed(old)
		}
		l := upd.Apply(*old)
		if err := s.checkLead(ctx, tx, &l, old); err != nil {
			return err
		}
		if same, err := sameJSON(old, &l); err != nil || same {
			out = old
			return err
		}
		if err := updateLeadRow(ctx, tx, &l); err != nil {
			return err
		}
		out = &l
		return tx.audit(ctx, "update", "invest_lead", strconv.FormatInt(id, 10), old, &l)
	})
	return out, err
}

// checkOutcome checks that the project and enterprise a lead names exist,
// the project in the lead's industry.
func checkOutcome(ctx context.Context, tx *txn, l *invest.Lead, projectID, code string) error {
	bad := map[string]string{}
	if projectID != "" {
		p, err := findProject(ctx, tx, projectID)
		switch {
		case err == errNoProject:
			bad["project_id"] = "重点项目不存在 / no such key project"
		case err != nil:
			return err
		case p.IndustryID != l.IndustryID:
			bad["project_id"] = fmt.Sprintf("项目属于产业 %q，线索属于 %q / the project is of industry %q, the lead of %q", p.IndustryID, l.IndustryID, p.IndustryID, l.IndustryID)
		}
	}
	if code != "" {
		if ok, err := inRegistry(ctx, tx, code); err != nil {
			return err
		} else if !ok {
			bad["enterprise_code"] = "企业库中没有该企业 / no such enterprise in the registry"
		}
	}
	return chanye.Invalid("线索有误 / invalid lead", bad)
}

// MoveLead moves a lead and records its events. ENOTFOUND, EINVALID,
// ECONFLICT.
func (s *Store) MoveLead(ctx context.Context, id int64, m invest.Move) (*invest.Lead, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *invest.Lead
	err = s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findLead(ctx, tx, id)
		if err != nil {
			return err
		}
		l := *old
		events, err := l.Apply(m, chanye.DateOf(tx.now), by)
		if err != nil {
			return err
		}
		if l.ProjectID != old.ProjectID && old.ProjectID != "" {
			return chanye.Errorf(chanye.ECONFLICT, "线索已关联项目 %s / the lead is linked to project %s", old.ProjectID, old.ProjectID)
		}
		var projectID string // a project named now; one linked before was checked then
		if l.ProjectID != old.ProjectID {
			projectID = l.ProjectID
		}
		if err := checkOutcome(ctx, tx, &l, projectID, l.EnterpriseCode); err != nil {
			return err
		}
		for _, e := range events {
			if err := insertEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := updateLeadRow(ctx, tx, &l); err != nil {
			return err
		}
		out = &l
		return tx.audit(ctx, "move", "invest_lead", strconv.FormatInt(id, 10), old, &l)
	})
	return out, err
}

// AddLeadContact records a contact with the lead's target. ENOTFOUND,
// EINVALID.
func (s *Store) AddLeadContact(ctx context.Context, id int64, e *invest.Event) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		if _, err := findLead(ctx, tx, id); err != nil {
			return err
		}
		if err := e.ValidateContact(chanye.DateOf(tx.now)); err != nil {
			return err
		}
		e.LeadID, e.By, e.From, e.To, e.Skipped = id, by, "", "", false
		if err := insertEvent(ctx, tx, e); err != nil {
			return err
		}
		return tx.audit(ctx, "contact", "invest_lead", strconv.FormatInt(id, 10), nil, e)
	})
}

// Conversion.

// convertible returns the stored lead if it may be linked to projectID:
// signed or landed, linked to no other project.
func convertible(ctx context.Context, tx *txn, id int64, projectID string) (*invest.Lead, error) {
	l, err := findLead(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if l.Stage != invest.StageSigned && l.Stage != invest.StageLanded {
		return nil, chanye.Errorf(chanye.ECONFLICT, "线索尚未签约（当前%s）/ the lead is not signed (it is at %s)", l.Stage.NameZH(), l.Stage.NameEN())
	}
	if l.ProjectID != "" && l.ProjectID != projectID {
		return nil, chanye.Errorf(chanye.ECONFLICT, "线索已关联项目 %s / the lead is linked to project %s", l.ProjectID, l.ProjectID)
	}
	return l, nil
}

// linkProject records that the lead became the project, with the link it
// fills, and audits it.
func linkProject(ctx context.Context, tx *txn, old *invest.Lead, projectID string) (*invest.Lead, error) {
	l := *old
	l.ProjectID = projectID
	if err := updateLeadRow(ctx, tx, &l); err != nil {
		return nil, err
	}
	type conversion struct {
		Lead      *invest.Lead `json:"lead"`
		ProjectID string       `json:"project_id"`
		LinkID    string       `json:"link_id"` // the link the project fills
	}
	return &l, tx.audit(ctx, "convert", "invest_lead", strconv.FormatInt(l.ID, 10), old,
		conversion{Lead: &l, ProjectID: projectID, LinkID: l.LinkID})
}

// ConvertLead links a signed lead to a key project of its industry.
// ENOTFOUND, EINVALID, ECONFLICT.
func (s *Store) ConvertLead(ctx context.Context, leadID int64, projectID string) (*invest.Lead, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	projectID = strings.TrimSpace(projectID)
	var out *invest.Lead
	err := s.db.transact(ctx, false, func(tx *txn) error {
		l, err := convertible(ctx, tx, leadID, projectID)
		if err != nil {
			return err
		}
		if l.ProjectID == projectID {
			out = l
			return nil
		}
		p, err := findProject(ctx, tx, projectID)
		if err != nil {
			return err
		}
		if p.IndustryID != l.IndustryID {
			return chanye.Invalid("线索有误 / invalid lead", map[string]string{"project_id": fmt.Sprintf(
				"项目属于产业 %q，线索属于 %q / the project is of industry %q, the lead of %q", p.IndustryID, l.IndustryID, p.IndustryID, l.IndustryID)})
		}
		out, err = linkProject(ctx, tx, l, projectID)
		return err
	})
	return out, err
}

// CreateProjectFromLead stores p as a key project made from a signed lead
// and links the lead to it, in one transaction: the project is checked and
// written as CreateProject does, with the same helpers. p's industry, total
// investment, stage and owner default to the lead's industry, signed
// investment, 签约 and enterprise (else the target's credit code).
func (s *Store) CreateProjectFromLead(ctx context.Context, leadID int64, p *project.Project) (*invest.Lead, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out *invest.Lead
	err := s.db.transact(ctx, false, func(tx *txn) error {
		l, err := convertible(ctx, tx, leadID, "")
		if err != nil {
			return err
		}
		if p.IndustryID == "" {
			p.IndustryID = l.IndustryID
		}
		if p.IndustryID != l.IndustryID {
			return chanye.Invalid("项目信息有误 / invalid project", map[string]string{"industry_id": "须为线索所属产业 / must be the lead's industry"})
		}
		if p.TotalInvestmentFen == 0 && l.SignedFen != nil {
			p.TotalInvestmentFen = *l.SignedFen
		}
		if p.Stage == "" {
			p.Stage = project.StageSigned
		}
		if p.OwnerCode == "" {
			p.OwnerCode = l.EnterpriseCode
		}
		if p.OwnerCode == "" {
			t, err := findTarget(ctx, tx, l.TargetID)
			if err != nil {
				return err
			}
			p.OwnerCode = t.Code
		}
		if err := s.createProject(ctx, tx, p); err != nil {
			return err
		}
		out, err = linkProject(ctx, tx, l, p.ID)
		return err
	})
	return out, err
}

// Funnel.

// FindFunnel tallies the leads the filter selects as of today.
func (s *Store) FindFunnel(ctx context.Context, f invest.LeadFilter) (*invest.Funnel, error) {
	f.Stage, f.Open = nil, nil
	w := leadWhere(f)
	var out *invest.Funnel
	err := s.db.snapshot(ctx, func(tx *txn) error {
		leads, err := queryLeads(ctx, tx, `SELECT `+leadColumns+leadFrom+w.String()+` ORDER BY l.id`, w.args...)
		if err != nil {
			return err
		}
		events, err := queryEvents(ctx, tx, `SELECT `+eventColumns+` FROM invest_lead_events WHERE kind = 'stage' AND lead_id IN (SELECT l.id`+
			leadFrom+w.String()+`) ORDER BY lead_id, on_date, id`, w.args...)
		if err != nil {
			return err
		}
		out, err = invest.Tally(leads, events, chanye.DateOf(tx.now))
		return err
	})
	return out, err
}
