package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/search"
)

var (
	_ policy.VersionService   = (*Store)(nil)
	_ policy.RunService       = (*Store)(nil)
	_ policy.PublicityService = (*Store)(nil)
	_ policy.LedgerService    = (*Store)(nil)
)

// PolicyServices returns the store as each of the policy services.
func (s *Store) PolicyServices() policy.Services {
	return policy.Services{Versions: s, Runs: s, Publicity: s, Ledger: s, Applications: s}
}

// where collects the conditions and arguments of a filtered query.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// pageLimit checks offset and limit as checkPage does for enterprises.
func pageLimit(offset, limit int) (int, error) {
	return checkPage(chanye.EnterpriseFilter{Offset: offset, Limit: limit})
}

// count runs a COUNT(*) query.
func count(ctx context.Context, tx *txn, query string, args ...any) (int, error) {
	var n int
	err := tx.queryRow(ctx, query, args...).Scan(&n)
	return n, err
}

const versionColumns = `policy_id, version, status, source, created_at, created_by, published_at, published_by, retired_at`

func scanVersion(row interface{ Scan(...any) error }) (*policy.Version, error) {
	var (
		v                  policy.Version
		src                string
		created            int64
		published, retired sql.NullInt64
		publishedBy        sql.NullString
	)
	if err := row.Scan(&v.PolicyID, &v.Version, &v.Status, &src, &created, &v.CreatedBy, &published, &publishedBy, &retired); err != nil {
		return nil, err
	}
	v.Source = []byte(src)
	v.CreatedAt = fromMillis(sql.NullInt64{Int64: created, Valid: true})
	v.PublishedAt, v.PublishedBy, v.RetiredAt = fromMillis(published), publishedBy.String, fromMillis(retired)
	p, err := parsePolicy(src)
	if err != nil {
		return nil, fmt.Errorf("stored policy %s v%d: %w", v.PolicyID, v.Version, err)
	}
	p.Version, p.Status = v.Version, v.Status
	v.Policy = p
	return &v, nil
}

// CreatePolicyVersion stores src as the next draft of its policy.
func (s *Store) CreatePolicyVersion(ctx context.Context, src []byte) (*policy.Version, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	p, err := policy.Parse(src)
	if err != nil {
		return nil, err
	}
	if _, err := policy.Compile(p); err != nil {
		return nil, err
	}
	var out *policy.Version
	err = s.db.transact(ctx, false, func(tx *txn) error {
		if err := s.checkDepartment(ctx, tx, p); err != nil {
			return err
		}
		var last sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT MAX(version) FROM policy_versions WHERE policy_id = ?`, p.ID).Scan(&last); err != nil {
			return err
		}
		version := int(last.Int64) + 1
		if _, err := tx.exec(ctx, `INSERT INTO policy_versions (policy_id, version, status, source, title_zh, title_en, document, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, version, policy.StatusDraft, string(src), p.TitleZH, p.TitleEN, p.Document, tx.now.UnixMilli(), by); err != nil {
			return err
		}
		if err := indexDocs(ctx, tx, search.Policies, []searchDoc{{ref: p.ID, version: version,
			text: policyText(p.ID, p.TitleZH, p.TitleEN, p.Document), fresh: true}}); err != nil {
			return err
		}
		if out, err = findVersion(ctx, tx, p.ID, version); err != nil {
			return err
		}
		return tx.audit(ctx, "create", "policy_version", versionKey(p.ID, version), nil, versionAudit(out))
	})
	return out, err
}

// checkDepartment requires a new version to name the department that
// administers it, an active one of the list of departments (which the
// catalog's departments seed and administrators keep). A catalog stored
// before catalogs listed departments names none, and a store may hold
// policies before any catalog: then any single name is taken (policy.Validate
// checks its form), until a catalog with departments is imported.
func (s *Store) checkDepartment(ctx context.Context, tx *txn, p *policy.Policy) error {
	if p.Department == "" {
		return chanye.Invalid(fmt.Sprintf("政策 %s 须写明主管部门 / policy %s must name the department that administers it", p.ID, p.ID),
			map[string]string{"department": "必填：一个部门的名称，如 市工业和信息化局 / required: the name of one department, such as 市工业和信息化局"})
	}
	doc, err := loadCatalogDoc(ctx, tx)
	if err == errNoCatalog {
		return nil // nothing to check against yet
	} else if err != nil || len(doc.Departments) == 0 {
		return err
	}
	kind := chanye.OrgDepartment
	lists, err := findOrgUnits(ctx, tx, chanye.OrgUnitFilter{Kind: &kind})
	if err != nil {
		return err
	}
	if lists.CheckChoice(kind, p.Department) != "" {
		var names []string
		for _, d := range lists.Active(kind) {
			names = append(names, d.NameZH)
		}
		list := strings.Join(names, "、")
		return chanye.Invalid(fmt.Sprintf("未知部门 %q / unknown department %q", p.Department, p.Department),
			map[string]string{"department": fmt.Sprintf("须为部门名单中的部门之一：%s / must be one of the listed departments: %s", list, list)})
	}
	return nil
}

func findVersion(ctx context.Context, tx *txn, id string, version int) (*policy.Version, error) {
	var row row
	if version == 0 {
		row = tx.queryRow(ctx, `SELECT `+versionColumns+` FROM policy_versions WHERE policy_id = ? AND status = 'published'`, id)
	} else {
		row = tx.queryRow(ctx, `SELECT `+versionColumns+` FROM policy_versions WHERE policy_id = ? AND version = ?`, id, version)
	}
	v, err := scanVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, policy.VersionNotFound(id, version)
	}
	return v, err
}

// FindPolicyVersion returns a version, or the published one for version 0.
func (s *Store) FindPolicyVersion(ctx context.Context, id string, version int) (*policy.Version, error) {
	var out *policy.Version
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findVersion(ctx, tx, id, version)
		return err
	})
	return out, err
}

// FindPolicies returns one page of versions and the total.
func (s *Store) FindPolicies(ctx context.Context, f policy.VersionFilter) ([]*policy.Version, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if f.PolicyID != nil {
		w.add(`v.policy_id = ?`, *f.PolicyID)
	}
	if f.Status != nil {
		w.add(`v.status = ?`, string(*f.Status))
	}
	if f.Latest {
		w.add(`v.version = (SELECT MAX(l.version) FROM policy_versions l WHERE l.policy_id = v.policy_id)`)
	}
	return readPage(ctx, s.db, versionColumns, ` FROM policy_versions v`, w, `v.policy_id, v.version`, limit, f.Offset, scanVersion)
}

// PublishPolicyVersion publishes a draft whose cases all pass and retires
// the version published before it.
func (s *Store) PublishPolicyVersion(ctx context.Context, id string, version int) (*policy.Version, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *policy.Version
	err = s.db.transact(ctx, false, func(tx *txn) error {
		v, err := findVersion(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if v.Status != policy.StatusDraft {
			return chanye.Errorf(chanye.ECONFLICT, "政策 %s 第 %d 版已是 %s，不能再发布 / policy %s version %d is %s, not a draft",
				id, version, v.Status, id, version, v.Status)
		}
		if err := policy.CanPublish(v.Policy); err != nil {
			return err
		}
		g, err := newGuard(ctx, tx, false)
		if err != nil {
			return err
		}
		var published []*policy.Policy
		for _, id := range sortedKeys(g.pub) {
			published = append(published, g.pub[id])
		}
		conflicts := policy.Conflicts(v.Policy, published)
		bad := map[string]string{}
		for _, c := range conflicts {
			if c.Invalid {
				bad["groups"] = c.ReasonZH + " / " + c.ReasonEN
			}
		}
		if len(bad) > 0 {
			return chanye.Invalid(fmt.Sprintf("政策 %s 的组声明与已发布政策冲突，不能发布 / policy %s declares a group unlike a published policy", id, id), bad)
		}
		now := tx.now.UnixMilli()
		if old, err := findVersion(ctx, tx, id, 0); err == nil {
			if _, err := tx.exec(ctx, `UPDATE policy_versions SET status = 'retired', retired_at = ?
				WHERE policy_id = ? AND version = ?`, now, id, old.Version); err != nil {
				return err
			}
			retired := *old
			retired.Status, retired.RetiredAt = policy.StatusRetired, tx.now
			if err := tx.audit(ctx, "retire", "policy_version", versionKey(id, old.Version), versionAudit(old), versionAudit(&retired)); err != nil {
				return err
			}
		} else if chanye.ErrorCode(err) != chanye.ENOTFOUND {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE policy_versions SET status = 'published', published_at = ?, published_by = ?
			WHERE policy_id = ? AND version = ? AND status = 'draft'`, now, by, id, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return chanye.Errorf(chanye.ECONFLICT, "政策 %s 第 %d 版已被并发修改 / policy %s version %d changed concurrently", id, version, id, version)
		}
		if out, err = findVersion(ctx, tx, id, version); err != nil {
			return err
		}
		out.Conflicts = conflicts
		return tx.audit(ctx, "publish", "policy_version", versionKey(id, version), versionAudit(v), versionAudit(out))
	})
	return out, err
}

var decisionInsertColumns = strings.Split(`run_id, policy_id, version, code, name, district, industries, size_class, period, amount_fen, params, conditions, status, status_at, status_by, adjustments`, ", ")

var excludedInsertColumns = strings.Split(`run_id, policy_id, version, code, name, district, industries, size_class, period, adjustments, params, conditions, created_at`, ", ")

var needsInsertColumns = strings.Split(`run_id, policy_id, version, code, name, district, industries, size_class, period, needs, params, conditions, created_at`, ", ")

// CreateRun writes the run, its eligible decisions and its totals in one
// transaction, streaming decisions in multi-row inserts of bulkRows.
func (s *Store) CreateRun(ctx context.Context, run *policy.Run, decisions iter.Seq2[*policy.StoredDecision, error]) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	run.By = by
	if err := run.Validate(); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		versions, err := publishedVersions(ctx, tx, run)
		if err != nil {
			return err
		}
		if run.StartedAt.IsZero() {
			run.StartedAt = tx.now
		}
		run.FinishedAt = tx.now
		if err := tx.queryRow(ctx, `INSERT INTO policy_runs (as_of, started_at, finished_at, run_by, snapshot, enterprises, eligible, total_fen)
			VALUES (?, ?, ?, ?, ?, ?, 0, 0) RETURNING id`,
			run.AsOf.String(), run.StartedAt.UnixMilli(), run.FinishedAt.UnixMilli(), run.By, run.Snapshot, run.Enterprises).Scan(&run.ID); err != nil {
			return err
		}
		if _, err := storeDecisions(ctx, tx, run, versions, decisions, nil); err != nil {
			return err
		}
		// One entry per run with its counts, not one per decision.
		return tx.audit(ctx, "run", "policy_run", itoa(run.ID), nil, run)
	})
}

// publishedVersions checks that every policy version of run is published
// and returns the versions by policy id.
func publishedVersions(ctx context.Context, tx *txn, run *policy.Run) (map[string]int, error) {
	versions := map[string]int{}
	for i, rp := range run.Policies {
		var status string
		err := tx.queryRow(ctx, `SELECT status FROM policy_versions WHERE policy_id = ? AND version = ?`, rp.ID, rp.Version).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) || status != string(policy.StatusPublished) {
			return nil, chanye.Invalid("批量计算须用已发布的政策版本 / a run uses published policy versions",
				map[string]string{fmt.Sprintf("policies[%d]", i): fmt.Sprintf("%s 第 %d 版未发布 / %s v%d is not published", rp.ID, rp.Version, rp.ID, rp.Version)})
		} else if err != nil {
			return nil, err
		}
		versions[rp.ID] = rp.Version
	}
	return versions, nil
}

// storeDecisions stores, for run (its row inserted, run.ID set), its
// policies with their first errors, its eligible, needs-data and excluded
// decisions streamed in multi-row inserts of bulkRows (COPY on
// PostgreSQL), and its totals; it sets the run's and its policies' counts
// and returns the totals by dimension. versions are the run's policy
// versions by id: a decision of another is refused. carry, when not nil,
// carries decisions into the run once its policies are stored (runpart.go),
// to be counted and totalled with the others.
func storeDecisions(ctx context.Context, tx *txn, run *policy.Run, versions map[string]int, decisions iter.Seq2[*policy.StoredDecision, error], carry func() (*carried, error)) ([]*policy.RunTotal, error) {
	run.Errors = 0
	for _, rp := range run.Policies {
		if _, err := tx.exec(ctx, `INSERT INTO policy_run_policies (run_id, policy_id, version, eligible, amount_fen, not_eligible, needs_data, errors)
			VALUES (?, ?, ?, 0, 0, ?, 0, ?)`, run.ID, rp.ID, rp.Version, rp.NotEligible, rp.Errors); err != nil {
			return nil, err
		}
		for i, re := range rp.ErrorSamples {
			if _, err := tx.exec(ctx, `INSERT INTO policy_run_errors (run_id, policy_id, seq, code, message) VALUES (?, ?, ?, ?, ?)`,
				run.ID, rp.ID, i, re.Code, re.Message); err != nil {
				return nil, err
			}
		}
		run.Errors += rp.Errors
	}

	type bucket struct {
		policy string
		dim    policy.Dimension
		key    string
	}
	type total struct {
		*policy.RunTotal
		fen chanye.FenSum
	}
	totals := map[bucket]*total{}
	addTotalN := func(b bucket, n int, amount chanye.Fen) {
		t := totals[b]
		if t == nil {
			t = &total{RunTotal: &policy.RunTotal{RunID: run.ID, PolicyID: b.policy, Dimension: b.dim, Key: b.key}}
			totals[b] = t
		}
		t.Eligible += n
		t.fen.Add(amount)
	}
	addTotal := func(b bucket, amount chanye.Fen) { addTotalN(b, 1, amount) }
	// Rows a write takes: one multi-row INSERT on SQLite, a COPY on
	// PostgreSQL (where each costs a round trip).
	batch := bulkRows
	if tx.conn != nil {
		batch = copyRows
	}
	const cols = 16
	args := make([]any, 0, batch*cols)
	flush := func() error {
		err := tx.insertMany(ctx, "policy_decisions", decisionInsertColumns, args)
		args = args[:0]
		return err
	}
	const ncols = 13
	nargs := make([]any, 0, batch*ncols)
	flushNeeds := func() error {
		err := tx.insertMany(ctx, "policy_needs_data", needsInsertColumns, nargs)
		nargs = nargs[:0]
		return err
	}
	xargs := make([]any, 0, batch*ncols)
	flushExcluded := func() error {
		err := tx.insertMany(ctx, "policy_excluded", excludedInsertColumns, xargs)
		xargs = xargs[:0]
		return err
	}
	needsData, excluded := map[string]int{}, map[string]int{}
	if carry != nil { // decisions carried from an earlier run: counted and totalled first
		seed, err := carry()
		if err != nil {
			return nil, err
		}
		for id, n := range seed.needsData {
			needsData[id] += n
		}
		for id, n := range seed.excluded {
			excluded[id] += n
		}
		for _, g := range seed.groups {
			var inds []string
			if err := json.Unmarshal([]byte(g.industries), &inds); err != nil {
				return nil, fmt.Errorf("carried decisions' industries %q: %w", g.industries, err)
			}
			addTotalN(bucket{g.policy, policy.DimAll, ""}, g.n, g.fen)
			addTotalN(bucket{g.policy, policy.DimDistrict, g.district}, g.n, g.fen)
			addTotalN(bucket{g.policy, policy.DimSize, g.size}, g.n, g.fen)
			for _, ind := range uniq(inds) {
				addTotalN(bucket{g.policy, policy.DimIndustry, ind}, g.n, g.fen)
			}
		}
	}
	now := tx.now.UnixMilli()
	// Few sets of industries recur over many decisions: marshal each once.
	industriesJSON := map[string]string{}
	marshalIndustries := func(ids []string) (string, error) {
		key := strings.Join(ids, "\x00")
		if j, ok := industriesJSON[key]; ok {
			return j, nil
		}
		b, err := json.Marshal(nonNil(ids))
		if err != nil {
			return "", err
		}
		industriesJSON[key] = string(b)
		return string(b), nil
	}
	n := 0
	for d, err := range decisions {
		if err != nil {
			return nil, err
		}
		n++
		if d == nil || !d.Eligible && d.Verdict != policy.VerdictNeedsData && d.Verdict != policy.VerdictExcluded {
			continue
		}
		if v, ok := versions[d.PolicyID]; !ok || v != d.Version {
			return nil, chanye.Invalid("决定不属于本次计算的政策版本 / a decision of a policy version not in the run",
				map[string]string{fmt.Sprintf("decisions[%d]", n-1): fmt.Sprintf("%s v%d, %s", d.PolicyID, d.Version, d.Code)})
		}
		if d.Verdict == policy.VerdictExcluded { // taken out by a relation or the budget: stored apart, never paid
			if d.Code == "" || d.Period < 1 || d.AmountFen != 0 || len(d.Adjustments) == 0 || !d.Adjustments[len(d.Adjustments)-1].Excluded {
				return nil, chanye.Invalid("决定有误 / invalid decision",
					map[string]string{fmt.Sprintf("decisions[%d]", n-1): "已排除的决定须有企业代码、政策年度和排除原因，金额为 0 / an excluded decision needs a code, a period and why it was excluded, and no amount"})
			}
			industries, err := marshalIndustries(d.Industries)
			if err != nil {
				return nil, err
			}
			adj, err := json.Marshal(d.Adjustments)
			if err != nil {
				return nil, err
			}
			xargs = append(xargs, run.ID, d.PolicyID, d.Version, d.Code, d.Name, d.District, industries, d.Size,
				d.Period, string(adj), rawJSON(d.Params, "{}"), rawJSON(d.Conditions, "[]"), now)
			if len(xargs) >= batch*ncols {
				if err := flushExcluded(); err != nil {
					return nil, err
				}
			}
			excluded[d.PolicyID]++
			continue
		}
		if !d.Eligible { // needs data: stored apart, never paid
			if d.Code == "" || d.Period < 1 || d.AmountFen != 0 || len(d.Needs) == 0 {
				return nil, chanye.Invalid("决定有误 / invalid decision",
					map[string]string{fmt.Sprintf("decisions[%d]", n-1): "待补充数据的决定须有企业代码、政策年度和所需数据，金额为 0 / a needs-data decision needs a code, a period and the figures needed, and no amount"})
			}
			industries, err := marshalIndustries(d.Industries)
			if err != nil {
				return nil, err
			}
			needs, err := json.Marshal(d.Needs)
			if err != nil {
				return nil, err
			}
			nargs = append(nargs, run.ID, d.PolicyID, d.Version, d.Code, d.Name, d.District, industries, d.Size,
				d.Period, string(needs), rawJSON(d.Params, "{}"), rawJSON(d.Conditions, "[]"), now)
			if len(nargs) >= batch*ncols {
				if err := flushNeeds(); err != nil {
					return nil, err
				}
			}
			needsData[d.PolicyID]++
			continue
		}
		if d.Code == "" || d.Period < 1 || d.AmountFen < 0 {
			return nil, chanye.Invalid("决定有误 / invalid decision",
				map[string]string{fmt.Sprintf("decisions[%d]", n-1): "须有企业代码、政策年度，金额不为负 / needs a code, a period and an amount not negative"})
		}
		if d.AmountFen > chanye.MaxGrantFen {
			return nil, chanye.Invalid("决定有误 / invalid decision",
				map[string]string{fmt.Sprintf("decisions[%d].amount_fen", n-1): chanye.ExceedsFen(chanye.MaxGrantFen)})
		}
		industries, err := marshalIndustries(d.Industries)
		if err != nil {
			return nil, err
		}
		adj := "[]"
		if len(d.Adjustments) > 0 {
			b, err := json.Marshal(d.Adjustments)
			if err != nil {
				return nil, err
			}
			adj = string(b)
		}
		args = append(args, run.ID, d.PolicyID, d.Version, d.Code, d.Name, d.District, industries, d.Size,
			d.Period, int64(d.AmountFen), rawJSON(d.Params, "{}"), rawJSON(d.Conditions, "[]"),
			string(policy.DecisionComputed), now, run.By, adj)
		if len(args) >= batch*cols {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		addTotal(bucket{d.PolicyID, policy.DimAll, ""}, d.AmountFen)
		addTotal(bucket{d.PolicyID, policy.DimDistrict, d.District}, d.AmountFen)
		addTotal(bucket{d.PolicyID, policy.DimSize, d.Size}, d.AmountFen)
		for _, ind := range uniq(d.Industries) {
			addTotal(bucket{d.PolicyID, policy.DimIndustry, ind}, d.AmountFen)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if err := flushNeeds(); err != nil {
		return nil, err
	}
	if err := flushExcluded(); err != nil {
		return nil, err
	}

	// Every total is checked: a run whose money overflows is refused
	// whole rather than stored wrapped.
	var err error
	for _, t := range totals {
		if t.AmountFen, err = t.fen.Total("total_fen"); err != nil {
			return nil, fmt.Errorf("run total of %s by %s %q: %w", t.PolicyID, t.Dimension, t.Key, err)
		}
	}
	run.Eligible, run.TotalFen, run.NeedsData, run.Excluded = 0, 0, 0, 0
	var runTotal chanye.FenSum
	for i := range run.Policies {
		rp := &run.Policies[i]
		rp.Eligible, rp.AmountFen, rp.NeedsData, rp.Excluded = 0, 0, needsData[rp.ID], excluded[rp.ID]
		if t := totals[bucket{rp.ID, policy.DimAll, ""}]; t != nil {
			rp.Eligible, rp.AmountFen = t.Eligible, t.AmountFen
		}
		run.Eligible += rp.Eligible
		run.NeedsData += rp.NeedsData
		run.Excluded += rp.Excluded
		runTotal.Add(rp.AmountFen)
		if _, err := tx.exec(ctx, `UPDATE policy_run_policies SET eligible = ?, amount_fen = ?, needs_data = ?, excluded = ? WHERE run_id = ? AND policy_id = ?`,
			rp.Eligible, int64(rp.AmountFen), rp.NeedsData, rp.Excluded, run.ID, rp.ID); err != nil {
			return nil, err
		}
	}
	if run.TotalFen, err = runTotal.Total("total_fen"); err != nil {
		return nil, fmt.Errorf("run total: %w", err)
	}
	targs := make([]any, 0, len(totals)*6)
	for _, t := range totals {
		targs = append(targs, t.RunID, t.PolicyID, string(t.Dimension), t.Key, t.Eligible, int64(t.AmountFen))
	}
	if err := inChunks(ctx, tx, targs, 6, func(n int) string {
		return `INSERT INTO policy_run_totals (run_id, policy_id, dimension, bucket, eligible, amount_fen) VALUES ` + placeholders(n, 6)
	}, nil); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `UPDATE policy_runs SET eligible = ?, total_fen = ?, needs_data = ?, errors = ?, excluded = ? WHERE id = ?`,
		run.Eligible, int64(run.TotalFen), run.NeedsData, run.Errors, run.Excluded, run.ID); err != nil {
		return nil, err
	}
	out := make([]*policy.RunTotal, 0, len(totals))
	for _, t := range totals {
		out = append(out, t.RunTotal)
	}
	slices.SortFunc(out, func(a, b *policy.RunTotal) int {
		return cmp.Or(cmp.Compare(a.PolicyID, b.PolicyID), cmp.Compare(a.Dimension, b.Dimension), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}

// versionKey is the audit key of a policy version.
func versionKey(id string, version int) string { return id + "/v" + itoa(int64(version)) }

// versionAudit is what the audit log keeps of a policy version: the row as
// stored, with the YAML as text rather than the parsed policy.
func versionAudit(v *policy.Version) any {
	return struct {
		PolicyID    string        `json:"policy_id"`
		Version     int           `json:"version"`
		Status      policy.Status `json:"status"`
		Source      string        `json:"source"`
		CreatedAt   time.Time     `json:"created_at"`
		CreatedBy   string        `json:"created_by"`
		PublishedAt time.Time     `json:"published_at,omitzero"`
		PublishedBy string        `json:"published_by,omitempty"`
		RetiredAt   time.Time     `json:"retired_at,omitzero"`
	}{v.PolicyID, v.Version, v.Status, string(v.Source), v.CreatedAt, v.CreatedBy, v.PublishedAt, v.PublishedBy, v.RetiredAt}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func rawJSON(b json.RawMessage, empty string) string {
	if len(b) == 0 {
		return empty
	}
	return string(b)
}

const runColumns = `id, as_of, started_at, finished_at, run_by, snapshot, enterprises, eligible, total_fen, needs_data, errors, excluded, parts, parts_done`

func scanRun(row interface{ Scan(...any) error }) (*policy.Run, error) {
	var (
		r                 policy.Run
		asOf              sql.NullString
		started, finished sql.NullInt64
		total             int64
	)
	if err := row.Scan(&r.ID, &asOf, &started, &finished, &r.By, &r.Snapshot, &r.Enterprises, &r.Eligible, &total, &r.NeedsData, &r.Errors, &r.Excluded, &r.Parts, &r.PartsDone); err != nil {
		return nil, err
	}
	var err error
	if r.AsOf, err = parseDate(asOf); err != nil {
		return nil, err
	}
	r.StartedAt, r.FinishedAt, r.TotalFen = fromMillis(started), fromMillis(finished), chanye.Fen(total)
	return &r, nil
}

// attachRunPolicies fills the policies of each run.
func attachRunPolicies(ctx context.Context, tx *txn, runs []*policy.Run) error {
	for _, r := range runs {
		rows, err := tx.query(ctx, `SELECT policy_id, version, eligible, amount_fen, not_eligible, needs_data, errors, excluded FROM policy_run_policies
			WHERE run_id = ? ORDER BY policy_id`, r.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var rp policy.RunPolicy
			var amount int64
			if err := rows.Scan(&rp.ID, &rp.Version, &rp.Eligible, &amount, &rp.NotEligible, &rp.NeedsData, &rp.Errors, &rp.Excluded); err != nil {
				rows.Close()
				return err
			}
			rp.AmountFen = chanye.Fen(amount)
			r.Policies = append(r.Policies, rp)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if r.Errors == 0 {
			continue
		}
		rows, err = tx.query(ctx, `SELECT policy_id, code, message FROM policy_run_errors WHERE run_id = ? ORDER BY policy_id, seq`, r.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var re policy.RunError
			if err := rows.Scan(&id, &re.Code, &re.Message); err != nil {
				rows.Close()
				return err
			}
			for i := range r.Policies {
				if r.Policies[i].ID == id {
					r.Policies[i].ErrorSamples = append(r.Policies[i].ErrorSamples, re)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func findRun(ctx context.Context, tx *txn, id int64) (*policy.Run, error) {
	r, err := scanRun(tx.queryRow(ctx, `SELECT `+runColumns+` FROM policy_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "无批量计算 %d / no run %d", id, id)
	} else if err != nil {
		return nil, err
	}
	return r, attachRunPolicies(ctx, tx, []*policy.Run{r})
}

// FindRun returns a run with its policies. ENOTFOUND.
func (s *Store) FindRun(ctx context.Context, id int64) (*policy.Run, error) {
	var out *policy.Run
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findRun(ctx, tx, id)
		return err
	})
	return out, err
}

// FindRuns returns one page of runs, newest first, and the total.
func (s *Store) FindRuns(ctx context.Context, f policy.RunFilter) ([]*policy.Run, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if f.PolicyID != nil {
		w.add(`id IN (SELECT run_id FROM policy_run_policies WHERE policy_id = ?)`, *f.PolicyID)
	}
	var (
		out   []*policy.Run
		total int
	)
	err = s.db.transact(ctx, true, func(tx *txn) error {
		if out, total, err = findPage(ctx, tx, runColumns, ` FROM policy_runs`, w, `id DESC`, limit, f.Offset, scanRun); err != nil {
			return err
		}
		return attachRunPolicies(ctx, tx, out)
	})
	return out, total, err
}

// FindRunTotals returns the totals of a run. ENOTFOUND.
func (s *Store) FindRunTotals(ctx context.Context, id int64) ([]*policy.RunTotal, error) {
	var out []*policy.RunTotal
	err := s.db.transact(ctx, true, func(tx *txn) error {
		if _, err := findRun(ctx, tx, id); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT run_id, policy_id, dimension, bucket, eligible, amount_fen FROM policy_run_totals
			WHERE run_id = ? ORDER BY policy_id, dimension, bucket`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t policy.RunTotal
			var amount int64
			if err := rows.Scan(&t.RunID, &t.PolicyID, &t.Dimension, &t.Key, &t.Eligible, &amount); err != nil {
				return err
			}
			t.AmountFen = chanye.Fen(amount)
			out = append(out, &t)
		}
		return rows.Err()
	})
	return out, err
}

// decisionColumns are read from decisionsFrom: a decision is as of its run's
// day (r.as_of).
const decisionColumns = `d.id, d.run_id, d.policy_id, d.version, d.code, d.name, d.district, d.industries, d.size_class, d.period,
	d.amount_fen, d.params, d.conditions, d.status, d.status_at, d.status_by, d.public_from, d.public_to, r.as_of, d.adjustments`

const decisionsFrom = ` FROM policy_decisions d JOIN policy_runs r ON r.id = d.run_id`

func scanDecision(row interface{ Scan(...any) error }) (*policy.StoredDecision, error) {
	var (
		d                              policy.StoredDecision
		industries, params, conds, adj string
		amount, statusAt               int64
		from, to, asOf                 sql.NullString
	)
	if err := row.Scan(&d.ID, &d.RunID, &d.PolicyID, &d.Version, &d.Code, &d.Name, &d.District, &industries, &d.Size, &d.Period,
		&amount, &params, &conds, &d.Status, &statusAt, &d.StatusBy, &from, &to, &asOf, &adj); err != nil {
		return nil, err
	}
	if adj != "[]" && adj != "" {
		if err := json.Unmarshal([]byte(adj), &d.Adjustments); err != nil {
			return nil, fmt.Errorf("stored adjustments of decision %d: %w", d.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(industries), &d.Industries); err != nil {
		return nil, fmt.Errorf("stored industries of decision %d: %w", d.ID, err)
	}
	d.Eligible, d.Verdict = true, policy.VerdictEligible
	d.AmountFen = chanye.Fen(amount)
	d.Params, d.Conditions = json.RawMessage(params), json.RawMessage(conds)
	d.StatusAt = fromMillis(sql.NullInt64{Int64: statusAt, Valid: true})
	var err error
	if d.PublicFrom, err = parseDate(from); err != nil {
		return nil, err
	}
	if d.PublicTo, err = parseDate(to); err != nil {
		return nil, err
	}
	if d.AsOf, err = parseDate(asOf); err != nil {
		return nil, err
	}
	return &d, nil
}

func findDecision(ctx context.Context, tx *txn, ref policy.DecisionRef) (*policy.StoredDecision, error) {
	d, err := scanDecision(tx.queryRow(ctx, `SELECT `+decisionColumns+decisionsFrom+`
		WHERE d.run_id = ? AND d.policy_id = ? AND d.code = ?`, ref.RunID, ref.PolicyID, ref.Code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "无此决定（%s）/ no such decision (%s)", ref, ref)
	}
	return d, err
}

// FindDecision returns one stored decision. ENOTFOUND.
func (s *Store) FindDecision(ctx context.Context, ref policy.DecisionRef) (*policy.StoredDecision, error) {
	var out *policy.StoredDecision
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findDecision(ctx, tx, ref)
		return err
	})
	return out, err
}

// FindDecisions returns one page of stored decisions and the total.
func (s *Store) FindDecisions(ctx context.Context, f policy.DecisionFilter) ([]*policy.StoredDecision, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if f.RunID != nil {
		w.add(`d.run_id = ?`, *f.RunID)
	}
	if f.PolicyID != nil {
		w.add(`d.policy_id = ?`, *f.PolicyID)
	}
	if f.Code != nil {
		w.add(`d.code = ?`, *f.Code)
	}
	if f.Status != nil {
		w.add(`d.status = ?`, string(*f.Status))
	}
	if f.District != nil {
		w.add(`d.district = ?`, *f.District)
	}
	if f.Verdict != nil && *f.Verdict == policy.VerdictNeedsData {
		if f.Status != nil || f.Eligible != nil && *f.Eligible {
			return nil, 0, nil // needs-data decisions have no lifecycle and are not eligible
		}
		return readPage(ctx, s.db, needsColumns, needsFrom, w, `d.run_id, d.policy_id, d.code`, limit, f.Offset, scanNeedsData)
	}
	if f.Verdict != nil && *f.Verdict == policy.VerdictExcluded {
		if f.Status != nil || f.Eligible != nil && *f.Eligible {
			return nil, 0, nil // excluded decisions have no lifecycle and are not eligible
		}
		return readPage(ctx, s.db, excludedColumns, excludedFrom, w, `d.run_id, d.policy_id, d.code`, limit, f.Offset, scanExcluded)
	}
	if f.Eligible != nil && !*f.Eligible || f.Verdict != nil && *f.Verdict != policy.VerdictEligible {
		return nil, 0, nil // only eligible decisions are stored here
	}
	return readPage(ctx, s.db, decisionColumns, decisionsFrom, w, `d.run_id, d.policy_id, d.code`, limit, f.Offset, scanDecision)
}

// needsColumns are read from needsFrom: a needs-data decision is as of its
// run's day (r.as_of), as an eligible one.
const needsColumns = `d.id, d.run_id, d.policy_id, d.version, d.code, d.name, d.district, d.industries, d.size_class, d.period,
	d.needs, d.params, d.conditions, d.created_at, r.as_of`

const needsFrom = ` FROM policy_needs_data d JOIN policy_runs r ON r.id = d.run_id`

// excludedColumns are read from excludedFrom.
const excludedColumns = `d.id, d.run_id, d.policy_id, d.version, d.code, d.name, d.district, d.industries, d.size_class, d.period,
	d.adjustments, d.params, d.conditions, d.created_at, r.as_of`

const excludedFrom = ` FROM policy_excluded d JOIN policy_runs r ON r.id = d.run_id`

// scanExcluded reads an excluded decision: not eligible, no amount, what
// excluded it in its adjustments, no status but computed.
func scanExcluded(row interface{ Scan(...any) error }) (*policy.StoredDecision, error) {
	return scanApart(policy.VerdictExcluded, row)
}

// scanNeedsData reads a needs-data decision: not eligible, no amount, no
// status but computed, no publicity.
func scanNeedsData(row interface{ Scan(...any) error }) (*policy.StoredDecision, error) {
	return scanApart(policy.VerdictNeedsData, row)
}

// scanApart reads a decision stored apart from the eligible ones, with the
// verdict of its table: its needs (needs data) or its adjustments
// (excluded) are the JSON column between its period and its params.
func scanApart(verdict policy.Verdict, row interface{ Scan(...any) error }) (*policy.StoredDecision, error) {
	var (
		d                                policy.StoredDecision
		industries, extra, params, conds string
		at                               int64
		asOf                             sql.NullString
	)
	if err := row.Scan(&d.ID, &d.RunID, &d.PolicyID, &d.Version, &d.Code, &d.Name, &d.District, &industries, &d.Size, &d.Period,
		&extra, &params, &conds, &at, &asOf); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(industries), &d.Industries); err != nil {
		return nil, fmt.Errorf("stored industries of %s decision %d: %w", verdict, d.ID, err)
	}
	into, what := any(&d.Needs), "needs"
	if verdict == policy.VerdictExcluded {
		into, what = &d.Adjustments, "adjustments"
	}
	if err := json.Unmarshal([]byte(extra), into); err != nil {
		return nil, fmt.Errorf("stored %s of %s decision %d: %w", what, verdict, d.ID, err)
	}
	d.Verdict, d.Status = verdict, policy.DecisionComputed
	d.Params, d.Conditions = json.RawMessage(params), json.RawMessage(conds)
	d.StatusAt = fromMillis(sql.NullInt64{Int64: at, Valid: true})
	var err error
	if d.AsOf, err = parseDate(asOf); err != nil {
		return nil, err
	}
	return &d, nil
}
