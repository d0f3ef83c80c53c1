package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// Reconciliation: after the chain verifies, VerifyAudit compares the tables
// that hold money with what the log says was written to them, so that a
// row edited, inserted or deleted behind the store's back is found even
// though the log itself is intact.
//
//   - policy_ledger: every row has its pay or reverse entry (by ledger id)
//     with the same entitlement, kind, amount, run, actor, time and note,
//     and every such entry has its row; policy_entitlements.net_fen is the
//     sum of the entitlement's ledger rows.
//   - policy_runs, policy_run_policies: as the run's entry says (eligible
//     and money per run and policy); the stored decisions of each run and
//     policy, and the 'all' row of policy_run_totals, add up to the same.
//   - projects (total investment, yearly plan), project_reports (invested
//     and cumulative), enterprise facts (the money figures of each year):
//     as the latest per-record entry says. A record written by a batch
//     import since that entry, or only by imports, is counted as
//     unreconciled: an import's entry holds counts, not records.
//
// Ledger rows and runs older than the first audit row are counted as
// unreconciled when the chain starts with legacy rows (a database that
// predates the audit log); in a chain keyed from row 1 there is no such
// row.
//
// The log may be several chains (audit.go), walked one after the other. A
// record's latest entry is then the latest by auditPos.after: by id within
// a chain, by time (then chain) across chains, whose ids do not compare.

// auditMismatchLimit is how many mismatches a report lists.
const auditMismatchLimit = 20

// Import entities: an "import" entry of these covers records of the
// tables named.
const (
	importEnterprises = "enterprises"
	importProjects    = "projects"
)

// auditPos is where a row stands in the log: its chain, id and time.
type auditPos struct {
	chain int
	id    int64
	at    int64 // unix milliseconds
}

func posOf(e *chanye.AuditEntry) auditPos { return auditPos{e.Chain, e.ID, e.At.UnixMilli()} }

// after reports whether p was written after q: by id in one chain, which
// is the order of commits; across chains by time, then chain, as the
// listing orders them (the time is the writer's start, so two writes to
// different chains at nearly the same moment may compare either way).
func (p auditPos) after(q auditPos) bool {
	switch {
	case p.chain == q.chain:
		return p.id > q.id
	case p.at != q.at:
		return p.at > q.at
	}
	return p.chain > q.chain
}

// String names the row for mismatches and errors.
func (p auditPos) String() string {
	if p.chain == 0 {
		return fmt.Sprintf("审计第 %d 行 / audit row %d", p.id, p.id)
	}
	return fmt.Sprintf("审计链 %d 第 %d 行 / audit chain %d row %d", p.chain, p.id, p.chain, p.id)
}

type auditedLedger struct {
	row auditPos
	e   policy.LedgerEntry
}

type latestAfter struct {
	row   auditPos
	after json.RawMessage
}

// setLatest keeps in m[key] the latest of the entry there and e's.
func setLatest(m map[string]latestAfter, key string, e *chanye.AuditEntry) {
	if l, ok := m[key]; !ok || posOf(e).after(l.row) {
		m[key] = latestAfter{posOf(e), e.After}
	}
}

// reconciler collects, while the chain is walked, what the log says the
// money tables hold, then compares.
type reconciler struct {
	firstAt     int64 // unix milliseconds of row 1
	legacy      bool  // the chain starts with unkeyed rows
	ledger      map[int64]auditedLedger
	runs        map[int64]*policy.Run
	runAt       map[int64]auditPos // where each of runs was read
	projects    map[string]latestAfter
	reports     map[string]latestAfter // project id/month
	enterprises map[string]latestAfter // credit code
	lastImport  map[string]auditPos    // import entity → its last row

	rep *chanye.AuditReport
}

func newReconciler() *reconciler {
	return &reconciler{ledger: map[int64]auditedLedger{}, runs: map[int64]*policy.Run{}, runAt: map[int64]auditPos{}, projects: map[string]latestAfter{},
		reports: map[string]latestAfter{}, enterprises: map[string]latestAfter{}, lastImport: map[string]auditPos{}}
}

// observe takes in one verified row.
func (rc *reconciler) observe(e *chanye.AuditEntry) error {
	if e.Chain == 0 && e.ID == 1 {
		rc.firstAt, rc.legacy = e.At.UnixMilli(), e.KeyID == 0
	}
	decode := func(v any) error {
		if err := json.Unmarshal(e.After, v); err != nil {
			return fmt.Errorf("%s: %w", posOf(e), err)
		}
		return nil
	}
	switch {
	case e.After == nil:
	case e.Entity == "policy_ledger":
		var l policy.LedgerEntry
		if err := decode(&l); err != nil {
			return err
		}
		if a, ok := rc.ledger[l.ID]; l.ID > 0 && (!ok || posOf(e).after(a.row)) {
			rc.ledger[l.ID] = auditedLedger{row: posOf(e), e: l}
		}
	case e.Entity == "policy_run" && (e.Action == "run" || e.Action == "complete"):
		// A sharded run's entry when it was created, then when its last
		// part made its sums (runpart.go).
		var r policy.Run
		if err := decode(&r); err != nil {
			return err
		}
		if at, ok := rc.runAt[r.ID]; !ok || posOf(e).after(at) {
			rc.runs[r.ID], rc.runAt[r.ID] = &r, posOf(e)
		}
	case e.Entity == "project":
		setLatest(rc.projects, e.EntityKey, e)
	case e.Entity == "project_report":
		setLatest(rc.reports, e.EntityKey, e)
	case e.Entity == "enterprise" || e.Entity == "enterprise_facts" || e.Entity == "enterprise_tiers":
		code, _, _ := strings.Cut(e.EntityKey, "/")
		setLatest(rc.enterprises, code, e)
	case e.Action == "import" && (e.Entity == importEnterprises || e.Entity == importProjects):
		if last, ok := rc.lastImport[e.Entity]; !ok || posOf(e).after(last) {
			rc.lastImport[e.Entity] = posOf(e)
		}
	}
	return nil
}

// mismatch records one difference.
func (rc *reconciler) mismatch(table, key, field string, stored, audited any) {
	rc.rep.MismatchCount++
	if len(rc.rep.Mismatches) < auditMismatchLimit {
		rc.rep.Mismatches = append(rc.rep.Mismatches, chanye.AuditMismatch{Table: table, Key: key, Field: field,
			Stored: show(stored), Audited: show(audited)})
	}
}

// differ records a mismatch when stored and audited differ.
func (rc *reconciler) differ(table, key, field string, stored, audited any) {
	if s, a := show(stored), show(audited); s != a {
		rc.mismatch(table, key, field, s, a)
	}
}

// show formats a value of either side; nil pointers are "-".
func show(v any) string {
	switch x := v.(type) {
	case *int64:
		if x == nil {
			return "-"
		}
		return fmt.Sprint(*x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// preLog reports whether a row written at ms predates the audit log.
func (rc *reconciler) preLog(ms int64) bool { return rc.legacy && ms < rc.firstAt }

// reconcile compares the tables with what observe collected.
func (rc *reconciler) reconcile(ctx context.Context, tx *txn, rep *chanye.AuditReport) error {
	rc.rep = rep
	rep.Reconciled, rep.Unreconciled = map[string]int{}, map[string]int{}
	for _, step := range []func(context.Context, *txn) error{rc.ledgerRows, rc.entitlements, rc.runRows, rc.projectRows, rc.reportRows, rc.facts} {
		if err := step(ctx, tx); err != nil {
			return err
		}
	}
	for table, n := range rep.Unreconciled {
		if n == 0 {
			delete(rep.Unreconciled, table)
		}
	}
	if rep.MismatchCount > 0 {
		rep.OK, rep.Problem = false, "reconcile"
		m := rep.Mismatches[0]
		rep.Message = fmt.Sprintf("%d 处账实不符，首处：%s %s 的 %s 为 %s，审计日志为 %s / %d mismatches between the tables and the audit log; first: %s %s %s is %s, the log says %s",
			rep.MismatchCount, m.Table, m.Key, m.Field, m.Stored, m.Audited, rep.MismatchCount, m.Table, m.Key, m.Field, m.Stored, m.Audited)
	}
	return nil
}

// eachRow runs query and calls scan for every row.
func eachRow(ctx context.Context, tx *txn, query string, scan func(rows *sql.Rows) error) error {
	return eachRowArgs(ctx, tx, query, nil, scan)
}

func (rc *reconciler) ledgerRows(ctx context.Context, tx *txn) error {
	const table = "policy_ledger"
	// By time, then code and id: ids are ordered within one firm's rows only.
	err := eachRow(ctx, tx, `SELECT `+ledgerColumns+` FROM policy_ledger ORDER BY at, code, id`, func(rows *sql.Rows) error {
		l, err := scanLedger(rows)
		if err != nil {
			return err
		}
		key := itoa(l.ID)
		a, ok := rc.ledger[l.ID]
		switch {
		case !ok && rc.preLog(l.At.UnixMilli()):
			rc.rep.Unreconciled[table]++
			return nil
		case !ok:
			rc.mismatch(table, key, "row", "present", "-")
			return nil
		}
		delete(rc.ledger, l.ID)
		rc.rep.Reconciled[table]++
		rc.differ(table, key, "policy_id", l.Entitlement.PolicyID, a.e.Entitlement.PolicyID)
		rc.differ(table, key, "period", l.Entitlement.Period, a.e.Entitlement.Period)
		rc.differ(table, key, "code", l.Entitlement.Code, a.e.Entitlement.Code)
		rc.differ(table, key, "kind", l.Kind, a.e.Kind)
		rc.differ(table, key, "amount_fen", int64(l.AmountFen), int64(a.e.AmountFen))
		rc.differ(table, key, "run_id", l.Decision.RunID, a.e.Decision.RunID)
		rc.differ(table, key, "actor", l.By, a.e.By)
		rc.differ(table, key, "at", l.At.UnixMilli(), a.e.At.UnixMilli())
		rc.differ(table, key, "note", l.Note, a.e.Note)
		rc.differ(table, key, "paid_on", l.PaidOn.String(), a.e.PaidOn.String())
		rc.differ(table, key, "voucher", l.Voucher, a.e.Voucher)
		rc.differ(table, key, "batch", l.Batch, a.e.Batch)
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range sortedIDs(rc.ledger) {
		rc.mismatch(table, itoa(id), "row", "-", rc.ledger[id].row.String())
	}
	return nil
}

// entitlements checks that each entitlement's net is its ledger's sum
// (the ledger rows themselves are checked against the log above).
func (rc *reconciler) entitlements(ctx context.Context, tx *txn) error {
	return eachRow(ctx, tx, `SELECT e.policy_id, e.period, e.code, e.net_fen, COALESCE(SUM(l.amount_fen), 0)
		FROM policy_entitlements e LEFT JOIN policy_ledger l ON l.policy_id = e.policy_id AND l.period = e.period AND l.code = e.code
		GROUP BY e.policy_id, e.period, e.code, e.net_fen`, func(rows *sql.Rows) error {
		var ent policy.Entitlement
		var net, sum int64
		if err := rows.Scan(&ent.PolicyID, &ent.Period, &ent.Code, &net, &sum); err != nil {
			return err
		}
		rc.rep.Reconciled["policy_entitlements"]++
		rc.differ("policy_entitlements", fmt.Sprintf("%s/%d/%s", ent.PolicyID, ent.Period, ent.Code), "net_fen", net, sum)
		return nil
	})
}

func (rc *reconciler) runRows(ctx context.Context, tx *txn) error {
	skipped := map[int64]bool{} // runs that predate the log
	seen := map[int64]bool{}
	err := eachRow(ctx, tx, `SELECT id, as_of, finished_at, run_by, snapshot, enterprises, eligible, total_fen, needs_data, errors, excluded FROM policy_runs ORDER BY id`, func(rows *sql.Rows) error {
		var (
			id, finished, enterprises, eligible, total, needsData, errs, excluded int64
			asOf, by, snapshot                                                    string
		)
		if err := rows.Scan(&id, &asOf, &finished, &by, &snapshot, &enterprises, &eligible, &total, &needsData, &errs, &excluded); err != nil {
			return err
		}
		const table = "policy_runs"
		key := itoa(id)
		a := rc.runs[id]
		switch {
		case a == nil && rc.preLog(finished):
			skipped[id] = true
			rc.rep.Unreconciled[table]++
			return nil
		case a == nil:
			rc.mismatch(table, key, "row", "present", "-")
			return nil
		}
		seen[id] = true
		rc.rep.Reconciled[table]++
		rc.differ(table, key, "as_of", asOf, a.AsOf.String())
		rc.differ(table, key, "run_by", by, a.By)
		rc.differ(table, key, "snapshot", snapshot, a.Snapshot)
		rc.differ(table, key, "enterprises", enterprises, a.Enterprises)
		rc.differ(table, key, "eligible", eligible, a.Eligible)
		rc.differ(table, key, "total_fen", total, int64(a.TotalFen))
		rc.differ(table, key, "needs_data", needsData, a.NeedsData)
		rc.differ(table, key, "errors", errs, a.Errors)
		rc.differ(table, key, "excluded", excluded, a.Excluded)
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range sortedIDs(rc.runs) {
		if !seen[id] {
			rc.mismatch("policy_runs", itoa(id), "row", "-", "run "+itoa(id))
		}
	}
	// The per-policy figures of each run, from three tables.
	for _, part := range []struct {
		table, query string
		counted      bool // the query's count is the eligible decisions
	}{
		{"policy_run_policies", `SELECT run_id, policy_id, eligible, amount_fen FROM policy_run_policies`, false},
		{"policy_decisions", `SELECT run_id, policy_id, COUNT(*), COALESCE(SUM(amount_fen), 0) FROM policy_decisions GROUP BY run_id, policy_id`, true},
		{"policy_run_totals", `SELECT run_id, policy_id, eligible, amount_fen FROM policy_run_totals WHERE dimension = 'all'`, false},
	} {
		found := map[string]bool{}
		err := eachRow(ctx, tx, part.query, func(rows *sql.Rows) error {
			var (
				runID, eligible, amount int64
				policyID                string
			)
			if err := rows.Scan(&runID, &policyID, &eligible, &amount); err != nil {
				return err
			}
			if skipped[runID] {
				rc.rep.Unreconciled[part.table]++
				return nil
			}
			key := itoa(runID) + "/" + policyID
			found[key] = true
			rp := auditedRunPolicy(rc.runs[runID], policyID)
			if rp == nil {
				rc.mismatch(part.table, key, "row", "present", "-")
				return nil
			}
			rc.rep.Reconciled[part.table]++
			count, sum := "eligible", "amount_fen"
			if part.counted {
				count, sum = "count(*)", "sum(amount_fen)"
			}
			rc.differ(part.table, key, count, eligible, rp.Eligible)
			rc.differ(part.table, key, sum, amount, int64(rp.AmountFen))
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range sortedIDs(rc.runs) {
			if part.counted && rc.runs[id].Parts > 0 {
				continue // a sharded run's decisions are on its shards
			}
			for _, rp := range rc.runs[id].Policies {
				key := itoa(id) + "/" + rp.ID
				// Runs store decisions and totals only for eligible firms.
				if !found[key] && (part.table == "policy_run_policies" || rp.Eligible > 0) {
					rc.mismatch(part.table, key, "row", "-", fmt.Sprintf("eligible %d, %d fen", rp.Eligible, rp.AmountFen))
				}
			}
		}
	}
	return rc.runVerdicts(ctx, tx, skipped)
}

// runVerdicts reconciles each run's policies' verdict counts and its
// stored needs-data decisions with the run's entry.
func (rc *reconciler) runVerdicts(ctx context.Context, tx *txn, skipped map[int64]bool) error {
	err := eachRow(ctx, tx, `SELECT run_id, policy_id, not_eligible, needs_data, errors, excluded FROM policy_run_policies`, func(rows *sql.Rows) error {
		var runID, notEligible, needsData, errs, excluded int64
		var policyID string
		if err := rows.Scan(&runID, &policyID, &notEligible, &needsData, &errs, &excluded); err != nil {
			return err
		}
		if rp := auditedRunPolicy(rc.runs[runID], policyID); rp != nil && !skipped[runID] {
			key := itoa(runID) + "/" + policyID
			rc.differ("policy_run_policies", key, "not_eligible", notEligible, rp.NotEligible)
			rc.differ("policy_run_policies", key, "needs_data", needsData, rp.NeedsData)
			rc.differ("policy_run_policies", key, "errors", errs, rp.Errors)
			rc.differ("policy_run_policies", key, "excluded", excluded, rp.Excluded)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, part := range []struct {
		table string
		count func(*policy.RunPolicy) int
		what  string
	}{
		{"policy_needs_data", func(rp *policy.RunPolicy) int { return rp.NeedsData }, "needs data"},
		{"policy_excluded", func(rp *policy.RunPolicy) int { return rp.Excluded }, "excluded"},
	} {
		found := map[string]bool{}
		err = eachRow(ctx, tx, `SELECT run_id, policy_id, COUNT(*) FROM `+part.table+` GROUP BY run_id, policy_id`, func(rows *sql.Rows) error {
			var runID, n int64
			var policyID string
			if err := rows.Scan(&runID, &policyID, &n); err != nil {
				return err
			}
			key := itoa(runID) + "/" + policyID
			found[key] = true
			rp := auditedRunPolicy(rc.runs[runID], policyID)
			switch {
			case skipped[runID]:
				rc.rep.Unreconciled[part.table]++
			case rp == nil:
				rc.mismatch(part.table, key, "row", "present", "-")
			default:
				rc.rep.Reconciled[part.table]++
				rc.differ(part.table, key, "count(*)", n, part.count(rp))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range sortedIDs(rc.runs) {
			if rc.runs[id].Parts > 0 {
				continue // a sharded run's decisions are on its shards
			}
			for i := range rc.runs[id].Policies {
				rp := &rc.runs[id].Policies[i]
				if key := itoa(id) + "/" + rp.ID; !found[key] && part.count(rp) > 0 {
					rc.mismatch(part.table, key, "row", "-", fmt.Sprintf("%s %d", part.what, part.count(rp)))
				}
			}
		}
	}
	return nil
}

func auditedRunPolicy(r *policy.Run, policyID string) *policy.RunPolicy {
	if r == nil {
		return nil
	}
	for i := range r.Policies {
		if r.Policies[i].ID == policyID {
			return &r.Policies[i]
		}
	}
	return nil
}

// perRecord decides whether a record can be compared with its latest
// entry: not when a batch import of its kind came later, or when only
// imports wrote it. A record with neither entry nor import is a mismatch.
func (rc *reconciler) perRecord(table, key, importEntity string, l latestAfter, ok bool) bool {
	last, imported := rc.lastImport[importEntity]
	switch {
	case ok && (!imported || l.row.after(last)):
		rc.rep.Reconciled[table]++
		return true
	case imported:
		rc.rep.Unreconciled[table]++
	default:
		rc.mismatch(table, key, "row", "present", "-")
	}
	return false
}

func (rc *reconciler) projectRows(ctx context.Context, tx *txn) error {
	const table = "projects"
	seen := map[string]bool{}
	err := eachRow(ctx, tx, `SELECT id, total_investment_fen, yearly_plan FROM projects ORDER BY id`, func(rows *sql.Rows) error {
		var (
			id, plan string
			total    int64
		)
		if err := rows.Scan(&id, &total, &plan); err != nil {
			return err
		}
		seen[id] = true
		l, ok := rc.projects[id]
		if !rc.perRecord(table, id, importProjects, l, ok) {
			return nil
		}
		var a project.Project
		if err := json.Unmarshal(l.after, &a); err != nil {
			return fmt.Errorf("%s: %w", l.row, err)
		}
		var stored []project.YearPlan
		if err := json.Unmarshal([]byte(plan), &stored); err != nil {
			return fmt.Errorf("project %s: yearly_plan: %w", id, err)
		}
		rc.differ(table, id, "total_investment_fen", total, int64(a.TotalInvestmentFen))
		rc.differ(table, id, "yearly_plan", yearPlans(stored), yearPlans(a.YearlyPlan))
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range sortedKeys(rc.projects) {
		if !seen[id] {
			rc.mismatch(table, id, "row", "-", rc.projects[id].row.String())
		}
	}
	return nil
}

// yearPlans formats a yearly plan: "2024:100 2025:200".
func yearPlans(ps []project.YearPlan) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprintf("%d:%d", p.Year, p.PlannedFen)
	}
	return strings.Join(s, " ")
}

func (rc *reconciler) reportRows(ctx context.Context, tx *txn) error {
	const table = "project_reports"
	seen := map[string]bool{}
	err := eachRow(ctx, tx, `SELECT project_id, month, invested_fen, cumulative_fen FROM project_reports ORDER BY project_id, month`, func(rows *sql.Rows) error {
		var (
			id, month          string
			invested, cumulant int64
		)
		if err := rows.Scan(&id, &month, &invested, &cumulant); err != nil {
			return err
		}
		key := id + "/" + month
		seen[key] = true
		l, ok := rc.reports[key]
		if !rc.perRecord(table, key, importProjects, l, ok) {
			return nil
		}
		var a project.Report
		if err := json.Unmarshal(l.after, &a); err != nil {
			return fmt.Errorf("%s: %w", l.row, err)
		}
		rc.differ(table, key, "invested_fen", invested, int64(a.InvestedFen))
		rc.differ(table, key, "cumulative_fen", cumulant, int64(a.CumulativeFen))
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range sortedKeys(rc.reports) {
		if !seen[key] {
			rc.mismatch(table, key, "row", "-", rc.reports[key].row.String())
		}
	}
	return nil
}

// facts compares the money figures of the enterprises whose latest write
// was audited record by record (created, edited, facts or tiers put) and
// not followed by an import, year by year as merged. Enterprises with facts
// that only imports wrote are counted as unreconciled; without any import
// (and any pre-log data) they are mismatches.
func (rc *reconciler) facts(ctx context.Context, tx *txn) error {
	const table = "enterprise_facts"
	last, imported := rc.lastImport[importEnterprises]
	var codes []string
	for _, code := range sortedKeys(rc.enterprises) {
		if !imported || rc.enterprises[code].row.after(last) {
			codes = append(codes, code)
		}
	}
	compared := 0 // enterprises compared that have stored facts
	for chunk := range slices.Chunk(codes, refreshRows) {
		args := make([]any, len(chunk))
		for i, c := range chunk {
			args[i] = c
		}
		records, err := findFacts(ctx, tx, args, false)
		if err != nil {
			return err
		}
		stored := map[string][]*chanye.FactsRecord{}
		for _, r := range records {
			stored[r.Code] = append(stored[r.Code], r)
		}
		compared += len(stored)
		for _, code := range chunk {
			l := rc.enterprises[code]
			var a struct {
				Facts []*chanye.Facts `json:"facts"`
			}
			if err := json.Unmarshal(l.after, &a); err != nil {
				return fmt.Errorf("%s: %w", l.row, err)
			}
			rc.rep.Reconciled[table]++
			rc.compareFacts(code, mergeByYear(stored[code]), a.Facts)
		}
	}
	var total int
	if err := tx.queryRow(ctx, `SELECT COUNT(DISTINCT code) FROM enterprise_facts`).Scan(&total); err != nil {
		return err
	}
	if total == compared {
		return nil
	}
	if imported || rc.legacy {
		rc.rep.Unreconciled[table] += total - compared
		return nil
	}
	return eachRow(ctx, tx, `SELECT DISTINCT code FROM enterprise_facts ORDER BY code`, func(rows *sql.Rows) error {
		var code string
		if err := rows.Scan(&code); err != nil {
			return err
		}
		if _, ok := rc.enterprises[code]; !ok {
			rc.mismatch(table, code, "row", "present", "-")
		}
		return nil
	})
}

// compareFacts compares the money figures of two merged histories.
func (rc *reconciler) compareFacts(code string, stored, audited []*chanye.Facts) {
	const table = "enterprise_facts"
	byYear := func(fs []*chanye.Facts) map[int]*chanye.Facts {
		m := map[int]*chanye.Facts{}
		for _, f := range fs {
			m[f.Year] = f
		}
		return m
	}
	s, a := byYear(stored), byYear(audited)
	var years []int
	for y := range s {
		years = append(years, y)
	}
	for y := range a {
		if s[y] == nil {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	for _, y := range years {
		key := fmt.Sprintf("%s/%d", code, y)
		if s[y] == nil || a[y] == nil {
			rc.mismatch(table, key, "row", presence(s[y] != nil), presence(a[y] != nil))
			continue
		}
		sv, av := s[y].Values(), a[y].Values()
		for i, f := range chanye.FactFields {
			if f.Money {
				rc.differ(table, key, f.Key, sv[i], av[i])
			}
		}
	}
}

func presence(ok bool) string {
	if ok {
		return "present"
	}
	return "-"
}

// sortedIDs returns the keys of m in order.
func sortedIDs[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
