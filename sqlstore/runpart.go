package sqlstore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"iter"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// A sharded run (issue 16) lives in two kinds of database. The
// coordinator holds the run's row (parts = the number of shards) and, per
// shard, the summary of the part stored there (policy_run_parts); each
// shard holds its enterprises' decisions of the run and its own record of
// the part, written in one transaction with them. A part delivered twice
// finds its record and stores nothing; the coordinator's record is
// idempotent too, and the run's counts and totals are the sums of the
// parts' once the last is recorded.
//
// On Citus the run's rows are reference tables, replicated to every node
// by Citus. On the stand-in shards used here (plain PostgreSQL databases,
// one per shard) StoreRunPart copies the rows a part's decisions refer to
// (the policy versions, the run and its policies) into the shard itself.

// CreateShardedRun creates on the coordinator a run of run.Policies (each
// version published) as of run.AsOf, to be decided in parts shards: the
// run's row and its policies, with no decision yet. It sets run.ID, By,
// StartedAt and Parts. One audit entry.
func (s *Store) CreateShardedRun(ctx context.Context, run *policy.Run, parts int) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	run.By = by
	if err := run.Validate(); err != nil {
		return err
	}
	if parts < 1 || parts > policy.MaxShards {
		return chanye.Invalid("分片数有误 / invalid number of shards", map[string]string{"parts": fmt.Sprintf("须为 1–%d / must be 1–%d", policy.MaxShards, policy.MaxShards)})
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		if _, err := publishedVersions(ctx, tx, run); err != nil {
			return err
		}
		run.StartedAt, run.FinishedAt, run.Parts, run.PartsDone = tx.now, tx.now, parts, 0
		run.Enterprises, run.Eligible, run.TotalFen, run.NeedsData, run.Errors, run.Excluded = 0, 0, 0, 0, 0, 0
		if err := tx.queryRow(ctx, `INSERT INTO policy_runs (as_of, started_at, finished_at, run_by, snapshot, enterprises, eligible, total_fen, parts)
			VALUES (?, ?, ?, ?, '', 0, 0, 0, ?) RETURNING id`,
			run.AsOf.String(), run.StartedAt.UnixMilli(), run.FinishedAt.UnixMilli(), run.By, parts).Scan(&run.ID); err != nil {
			return err
		}
		for i := range run.Policies {
			rp := &run.Policies[i]
			*rp = policy.RunPolicy{ID: rp.ID, Version: rp.Version}
			if _, err := tx.exec(ctx, `INSERT INTO policy_run_policies (run_id, policy_id, version, eligible, amount_fen, not_eligible, needs_data, errors)
				VALUES (?, ?, ?, 0, 0, 0, 0, 0)`, run.ID, rp.ID, rp.Version); err != nil {
				return err
			}
		}
		return tx.audit(ctx, "run", "policy_run", itoa(run.ID), nil, run)
	})
}

// partLockKey is the pg_advisory_xact_lock key of one part of a run, so
// that two deliveries of a part store it one after the other, the second
// finding the first's record.
func partLockKey(runID int64, shard int) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "chanye.run_part\x00%d\x00%d", runID, shard)
	return int64(h.Sum64())
}

// StoreRunPart stores on a shard its part of run (the coordinator's run:
// id, as-of day and policy versions; versions are those versions in full):
// the part's decisions, its counts and totals, and its record, in one
// transaction with one audit entry. part gives Shard, Shards, Enterprises,
// Snapshot and per policy (in run's order) NotEligible, Errors and the
// first errors; the store sets the rest. A part already stored is not
// stored again: stored is false, part is the stored record and decisions
// are not read.
//
// carry, when not nil, carries the decisions of an earlier run of the shard
// (carry.FromRun, decided by the same policy versions on the base this
// part's was refreshed from; engine.Decided.Carry says when that holds)
// for every firm but those in carry.Again, whose decisions are the ones
// given: a daily run explains and sends only what changed.
func (s *Store) StoreRunPart(ctx context.Context, run *policy.Run, versions []*policy.Version, part *policy.RunPart, decisions iter.Seq2[*policy.StoredDecision, error], carry *Carry) (stored bool, err error) {
	by, err := actor(ctx)
	if err != nil {
		return false, err
	}
	if part.Shards < 1 || part.Shards > policy.MaxShards || part.Shard < 0 || part.Shard >= part.Shards {
		return false, chanye.Invalid("分片有误 / invalid shard", map[string]string{"shard": fmt.Sprintf("%d/%d", part.Shard, part.Shards)})
	}
	if len(part.Policies) != len(run.Policies) {
		return false, chanye.Invalid("分片结果与批次的政策不符 / the part's policies are not the run's", map[string]string{"policies": fmt.Sprint(len(part.Policies))})
	}
	byVersion := map[string]*policy.Version{}
	for _, v := range versions {
		byVersion[versionKey(v.PolicyID, v.Version)] = v
	}
	vmap := map[string]int{}
	for i, rp := range run.Policies {
		if part.Policies[i].ID != rp.ID || part.Policies[i].Version != rp.Version {
			return false, chanye.Invalid("分片结果与批次的政策不符 / the part's policies are not the run's", map[string]string{fmt.Sprintf("policies[%d]", i): rp.ID})
		}
		if byVersion[versionKey(rp.ID, rp.Version)] == nil {
			return false, fmt.Errorf("store run part: version %s v%d not given", rp.ID, rp.Version)
		}
		vmap[rp.ID] = rp.Version
	}
	// The part's entries go to its shard's audit chain: shards append at
	// once, never waiting on one another's lock.
	err = s.db.transactChain(ctx, AuditChainOfShard(part.Shard), func(tx *txn) error {
		if tx.conn != nil {
			if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, partLockKey(run.ID, part.Shard)); err != nil {
				return err
			}
		}
		old, err := findRunPart(ctx, tx, run.ID, part.Shard)
		if err == nil {
			*part = *old
			return nil
		} else if chanye.ErrorCode(err) != chanye.ENOTFOUND {
			return err
		}
		for _, rp := range run.Policies {
			if err := replicateVersion(ctx, tx, byVersion[versionKey(rp.ID, rp.Version)]); err != nil {
				return err
			}
		}
		// The shard's copy of the run carries the part's own counts.
		local := &policy.Run{ID: run.ID, AsOf: run.AsOf, StartedAt: run.StartedAt, FinishedAt: tx.now, By: run.By,
			Snapshot: part.Snapshot, Enterprises: part.Enterprises, Policies: slices.Clone(part.Policies)}
		if _, err := tx.exec(ctx, `INSERT INTO policy_runs (id, as_of, started_at, finished_at, run_by, snapshot, enterprises, eligible, total_fen, parts, parts_done)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, 1)`,
			run.ID, run.AsOf.String(), run.StartedAt.UnixMilli(), tx.now.UnixMilli(), run.By, part.Snapshot, part.Enterprises, part.Shards); err != nil {
			return err
		}
		var carryFn func() (*carried, error)
		if carry != nil {
			carryFn = func() (*carried, error) {
				c, err := carryDecisions(ctx, tx, run.ID, by, carry)
				if err == nil {
					part.CarriedFrom, part.Carried = carry.FromRun, c.rows
				}
				return c, err
			}
		}
		totals, err := storeDecisions(ctx, tx, local, vmap, decisions, carryFn)
		if err != nil {
			return err
		}
		part.RunID, part.Policies, part.Totals = run.ID, local.Policies, totals
		part.Eligible, part.TotalFen, part.NeedsData, part.Excluded, part.Errors = local.Eligible, local.TotalFen, local.NeedsData, local.Excluded, local.Errors
		part.AsOf, part.StoredAt, part.StoredBy = run.AsOf, tx.now, by
		if err := insertRunPart(ctx, tx, part); err != nil {
			return err
		}
		stored = true
		// The shard's own chain records its copy of the run, as a run
		// stored whole is recorded, and the part.
		if err := tx.audit(ctx, "run", "policy_run", itoa(run.ID), nil, local); err != nil {
			return err
		}
		return tx.audit(ctx, "store", "policy_run_part", partKey(run.ID, part.Shard), nil, partAudit(part))
	})
	return stored, err
}

// replicateVersion copies a policy version, as the coordinator holds it,
// into a stand-in shard: inserted, or its status brought up to date. A
// version published on the coordinator retires the shard's copy of any
// other, as publishing did there.
func replicateVersion(ctx context.Context, tx *txn, v *policy.Version) error {
	if v.Status == policy.StatusPublished {
		if _, err := tx.exec(ctx, `UPDATE policy_versions SET status = ?, retired_at = ? WHERE policy_id = ? AND version <> ? AND status = ?`,
			policy.StatusRetired, tx.now.UnixMilli(), v.PolicyID, v.Version, policy.StatusPublished); err != nil {
			return err
		}
	}
	p := v.Policy
	if p == nil {
		return fmt.Errorf("replicate %s v%d: not parsed", v.PolicyID, v.Version)
	}
	_, err := tx.exec(ctx, `INSERT INTO policy_versions (policy_id, version, status, source, title_zh, title_en, document, created_at, created_by, published_at, published_by, retired_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (policy_id, version) DO UPDATE SET status = excluded.status, published_at = excluded.published_at,
			published_by = excluded.published_by, retired_at = excluded.retired_at`,
		v.PolicyID, v.Version, v.Status, string(v.Source), p.TitleZH, p.TitleEN, p.Document, v.CreatedAt.UnixMilli(), v.CreatedBy,
		millis(v.PublishedAt), nullString(v.PublishedBy), millis(v.RetiredAt))
	return err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// partSummary is what a part's summary column holds.
type partSummary struct {
	Policies []policy.RunPolicy `json:"policies"`
	Totals   []*policy.RunTotal `json:"totals"`
}

func insertRunPart(ctx context.Context, tx *txn, p *policy.RunPart) error {
	sum, err := json.Marshal(partSummary{Policies: p.Policies, Totals: p.Totals})
	if err != nil {
		return err
	}
	var from any
	if p.CarriedFrom > 0 {
		from = p.CarriedFrom
	}
	_, err = tx.exec(ctx, `INSERT INTO policy_run_parts (`+runPartColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.RunID, p.Shard, p.Shards, p.Enterprises, p.Eligible, int64(p.TotalFen), p.NeedsData, p.Excluded, p.Errors, p.Snapshot,
		p.AsOf.String(), p.BaseSeq, from, p.Carried, string(sum), p.StoredAt.UnixMilli(), p.StoredBy)
	return err
}

const runPartColumns = `run_id, shard, shards, enterprises, eligible, total_fen, needs_data, excluded, errors, snapshot, as_of, base_seq, carried_from, carried, summary, stored_at, stored_by`

func scanRunPart(row interface{ Scan(...any) error }) (*policy.RunPart, error) {
	var (
		p      policy.RunPart
		total  int64
		sum    string
		asOf   sql.NullString
		from   sql.NullInt64
		stored sql.NullInt64
	)
	if err := row.Scan(&p.RunID, &p.Shard, &p.Shards, &p.Enterprises, &p.Eligible, &total, &p.NeedsData, &p.Excluded, &p.Errors, &p.Snapshot,
		&asOf, &p.BaseSeq, &from, &p.Carried, &sum, &stored, &p.StoredBy); err != nil {
		return nil, err
	}
	var err error
	if p.AsOf, err = parseDate(asOf); err != nil {
		return nil, err
	}
	p.CarriedFrom = from.Int64
	var s partSummary
	if err := json.Unmarshal([]byte(sum), &s); err != nil {
		return nil, fmt.Errorf("run %d part %d: summary: %w", p.RunID, p.Shard, err)
	}
	p.TotalFen, p.Policies, p.Totals, p.StoredAt = chanye.Fen(total), s.Policies, s.Totals, fromMillis(stored)
	return &p, nil
}

func findRunPart(ctx context.Context, tx *txn, runID int64, shard int) (*policy.RunPart, error) {
	p, err := scanRunPart(tx.queryRow(ctx, `SELECT `+runPartColumns+` FROM policy_run_parts WHERE run_id = ? AND shard = ?`, runID, shard))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "批次 %d 无分片 %d / run %d has no part %d", runID, shard, runID, shard)
	}
	return p, err
}

// FindRunPart returns the record of a run's part: on a shard, the part as
// it stored it; on the coordinator, the part as recorded. ENOTFOUND.
func (s *Store) FindRunPart(ctx context.Context, runID int64, shard int) (*policy.RunPart, error) {
	var out *policy.RunPart
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findRunPart(ctx, tx, runID, shard)
		return err
	})
	return out, err
}

// FindRunParts returns the parts of a run recorded so far, by shard.
func (s *Store) FindRunParts(ctx context.Context, runID int64) ([]*policy.RunPart, error) {
	var out []*policy.RunPart
	err := s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, `SELECT `+runPartColumns+` FROM policy_run_parts WHERE run_id = ? ORDER BY shard`, runID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanRunPart(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// CompleteRunPart records on the coordinator a part its shard has stored.
// When it is the run's last part, the run's counts and totals become the
// sums of its parts', checked (money that would overflow refuses the
// part), its first errors those of the parts in code order, and its
// snapshot the digest of theirs. A part recorded already changes nothing.
// It returns the run as it then stands.
func (s *Store) CompleteRunPart(ctx context.Context, part *policy.RunPart) (*policy.Run, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out *policy.Run
	err := s.db.transact(ctx, false, func(tx *txn) error {
		// The run's row locked first: parts completing together add up
		// one after the other.
		if tx.conn != nil {
			if _, err := tx.exec(ctx, `SELECT id FROM policy_runs WHERE id = ? FOR UPDATE`, part.RunID); err != nil {
				return err
			}
		}
		run, err := findRun(ctx, tx, part.RunID)
		if err != nil {
			return err
		}
		if run.Parts == 0 {
			return chanye.Errorf(chanye.EINVALID, "批次 %d 不是分片计算 / run %d is not sharded", run.ID, run.ID)
		}
		if part.Shards != run.Parts || part.Shard < 0 || part.Shard >= run.Parts {
			return chanye.Invalid("分片与批次不符 / the part does not fit the run",
				map[string]string{"shard": fmt.Sprintf("%d/%d，批次分 %d 片 / the run has %d parts", part.Shard, part.Shards, run.Parts, run.Parts)})
		}
		if _, err := findRunPart(ctx, tx, run.ID, part.Shard); err == nil {
			out = run
			return nil // recorded already
		} else if chanye.ErrorCode(err) != chanye.ENOTFOUND {
			return err
		}
		if err := insertRunPart(ctx, tx, part); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE policy_runs SET parts_done = parts_done + 1 WHERE id = ?`, run.ID); err != nil {
			return err
		}
		run.PartsDone++
		if err := tx.audit(ctx, "record", "policy_run_part", partKey(run.ID, part.Shard), nil, partAudit(part)); err != nil {
			return err
		}
		if run.Complete() {
			if err := sumParts(ctx, tx, run); err != nil {
				return err
			}
			if err := tx.audit(ctx, "complete", "policy_run", itoa(run.ID), nil, run); err != nil {
				return err
			}
		}
		out = run
		return nil
	})
	return out, err
}

// sumParts sets a complete sharded run's counts, totals, first errors and
// snapshot from its parts.
func sumParts(ctx context.Context, tx *txn, run *policy.Run) error {
	rows, err := tx.query(ctx, `SELECT `+runPartColumns+` FROM policy_run_parts WHERE run_id = ? ORDER BY shard`, run.ID)
	if err != nil {
		return err
	}
	var parts []*policy.RunPart
	for rows.Next() {
		p, err := scanRunPart(rows)
		if err != nil {
			rows.Close()
			return err
		}
		parts = append(parts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	type key struct {
		policy string
		dim    policy.Dimension
		bucket string
	}
	type sum struct {
		eligible int
		fen      chanye.FenSum
	}
	totals := map[key]*sum{}
	type polSum struct {
		policy.RunPolicy
		fen     chanye.FenSum
		samples []policy.RunError
	}
	pols := map[string]*polSum{}
	for _, rp := range run.Policies {
		pols[rp.ID] = &polSum{RunPolicy: policy.RunPolicy{ID: rp.ID, Version: rp.Version}}
	}
	digest := sha256.New()
	run.Enterprises = 0
	for _, p := range parts {
		run.Enterprises += p.Enterprises
		fmt.Fprintf(digest, "%d:%s\n", p.Shard, p.Snapshot)
		for _, rp := range p.Policies {
			ps := pols[rp.ID]
			if ps == nil {
				return fmt.Errorf("run %d part %d: policy %s is not the run's", run.ID, p.Shard, rp.ID)
			}
			ps.Eligible += rp.Eligible
			ps.fen.Add(rp.AmountFen)
			ps.NotEligible += rp.NotEligible
			ps.NeedsData += rp.NeedsData
			ps.Excluded += rp.Excluded
			ps.Errors += rp.Errors
			ps.samples = append(ps.samples, rp.ErrorSamples...)
		}
		for _, t := range p.Totals {
			k := key{t.PolicyID, t.Dimension, t.Key}
			s := totals[k]
			if s == nil {
				s = &sum{}
				totals[k] = s
			}
			s.eligible += t.Eligible
			s.fen.Add(t.AmountFen)
		}
	}
	run.Snapshot = "parts:" + hex.EncodeToString(digest.Sum(nil))
	run.Eligible, run.NeedsData, run.Excluded, run.Errors = 0, 0, 0, 0
	var runFen chanye.FenSum
	for i := range run.Policies {
		ps := pols[run.Policies[i].ID]
		fen, err := ps.fen.Total("amount_fen")
		if err != nil {
			return fmt.Errorf("run %d policy %s: %w", run.ID, ps.ID, err)
		}
		ps.AmountFen = fen
		slices.SortFunc(ps.samples, func(a, b policy.RunError) int { return cmp.Compare(a.Code, b.Code) })
		ps.ErrorSamples = ps.samples[:min(len(ps.samples), policy.MaxRunErrors)]
		run.Policies[i] = ps.RunPolicy
		run.Eligible += ps.Eligible
		run.NeedsData += ps.NeedsData
		run.Excluded += ps.Excluded
		run.Errors += ps.Errors
		runFen.Add(fen)
		if _, err := tx.exec(ctx, `UPDATE policy_run_policies SET eligible = ?, amount_fen = ?, not_eligible = ?, needs_data = ?, errors = ?, excluded = ?
			WHERE run_id = ? AND policy_id = ?`, ps.Eligible, int64(fen), ps.NotEligible, ps.NeedsData, ps.Errors, ps.Excluded, run.ID, ps.ID); err != nil {
			return err
		}
		for seq, re := range ps.ErrorSamples {
			if _, err := tx.exec(ctx, `INSERT INTO policy_run_errors (run_id, policy_id, seq, code, message) VALUES (?, ?, ?, ?, ?)`,
				run.ID, ps.ID, seq, re.Code, re.Message); err != nil {
				return err
			}
		}
	}
	var err2 error
	if run.TotalFen, err2 = runFen.Total("total_fen"); err2 != nil {
		return fmt.Errorf("run %d total: %w", run.ID, err2)
	}
	keys := make([]key, 0, len(totals))
	for k := range totals {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.policy, b.policy), cmp.Compare(a.dim, b.dim), cmp.Compare(a.bucket, b.bucket))
	})
	targs := make([]any, 0, len(keys)*6)
	for _, k := range keys {
		fen, err := totals[k].fen.Total("amount_fen")
		if err != nil {
			return fmt.Errorf("run %d total of %s by %s %q: %w", run.ID, k.policy, k.dim, k.bucket, err)
		}
		targs = append(targs, run.ID, k.policy, string(k.dim), k.bucket, totals[k].eligible, int64(fen))
	}
	if err := inChunks(ctx, tx, targs, 6, func(n int) string {
		return `INSERT INTO policy_run_totals (run_id, policy_id, dimension, bucket, eligible, amount_fen) VALUES ` + placeholders(n, 6)
	}, nil); err != nil {
		return err
	}
	run.FinishedAt = tx.now
	_, err = tx.exec(ctx, `UPDATE policy_runs SET enterprises = ?, eligible = ?, total_fen = ?, needs_data = ?, errors = ?, excluded = ?, snapshot = ?, finished_at = ?
		WHERE id = ?`, run.Enterprises, run.Eligible, int64(run.TotalFen), run.NeedsData, run.Errors, run.Excluded, run.Snapshot, tx.now.UnixMilli(), run.ID)
	return err
}

func partKey(runID int64, shard int) string { return itoa(runID) + "/" + itoa(int64(shard)) }

// partAudit is what the audit log keeps of a part: all but its totals by
// dimension, which follow from the decisions.
func partAudit(p *policy.RunPart) any {
	c := *p
	c.Totals = nil
	return &c
}

// Carry is what a part carries from an earlier run of its shard: every
// decision of FromRun but those of the firms in Again (sorted), whose
// decisions the part gives itself.
type Carry struct {
	FromRun int64
	Again   []string
}

// carried is what carryDecisions copied, counted for storeDecisions.
type carried struct {
	rows                int
	needsData, excluded map[string]int
	groups              []carriedGroup
}

// carriedGroup sums the eligible decisions carried of one policy, district,
// size and set of industries.
type carriedGroup struct {
	policy, district, size, industries string
	n                                  int
	fen                                chanye.Fen
}

// carryDecisions copies into run runID, inside the database, the eligible,
// needs-data and excluded decisions of carry.FromRun of every firm not in
// carry.Again, as computed decisions of the new run, and counts them.
func carryDecisions(ctx context.Context, tx *txn, runID int64, by string, carry *Carry) (*carried, error) {
	if tx.conn != nil {
		if _, err := tx.exec(ctx, `CREATE TEMP TABLE carry_again (code TEXT PRIMARY KEY) ON COMMIT DROP`); err != nil {
			return nil, err
		}
	} else {
		if _, err := tx.exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS carry_again (code TEXT PRIMARY KEY)`); err != nil {
			return nil, err
		}
		if _, err := tx.exec(ctx, `DELETE FROM carry_again`); err != nil {
			return nil, err
		}
	}
	args := make([]any, 0, len(carry.Again))
	for _, c := range carry.Again {
		args = append(args, c)
	}
	if err := tx.insertMany(ctx, "carry_again", []string{"code"}, args); err != nil {
		return nil, err
	}
	now := tx.now.UnixMilli()
	const notAgain = ` AND NOT EXISTS (SELECT 1 FROM carry_again a WHERE a.code = d.code)`
	out := &carried{needsData: map[string]int{}, excluded: map[string]int{}}
	for _, q := range []struct {
		query string
		args  []any
	}{
		{`INSERT INTO policy_decisions (` + strings.Join(decisionInsertColumns, ", ") + `)
			SELECT ?, policy_id, version, code, name, district, industries, size_class, period, amount_fen, params, conditions, ?, ?, ?, adjustments
			FROM policy_decisions d WHERE d.run_id = ?` + notAgain, []any{runID, string(policy.DecisionComputed), now, by, carry.FromRun}},
		{`INSERT INTO policy_needs_data (` + strings.Join(needsInsertColumns, ", ") + `)
			SELECT ?, policy_id, version, code, name, district, industries, size_class, period, needs, params, conditions, ?
			FROM policy_needs_data d WHERE d.run_id = ?` + notAgain, []any{runID, now, carry.FromRun}},
		{`INSERT INTO policy_excluded (` + strings.Join(excludedInsertColumns, ", ") + `)
			SELECT ?, policy_id, version, code, name, district, industries, size_class, period, adjustments, params, conditions, ?
			FROM policy_excluded d WHERE d.run_id = ?` + notAgain, []any{runID, now, carry.FromRun}},
	} {
		res, err := tx.exec(ctx, q.query, q.args...)
		if err != nil {
			return nil, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, err
		}
		out.rows += int(n)
	}
	if tx.conn == nil {
		if _, err := tx.exec(ctx, `DROP TABLE temp.carry_again`); err != nil {
			return nil, err
		}
	}
	// Only carried decisions are in the run yet.
	err := eachRowArgs(ctx, tx, `SELECT policy_id, district, size_class, industries, COUNT(*), COALESCE(SUM(amount_fen), 0)
		FROM policy_decisions WHERE run_id = ? GROUP BY policy_id, district, size_class, industries`, []any{runID}, func(rows *sql.Rows) error {
		var g carriedGroup
		var fen int64
		if err := rows.Scan(&g.policy, &g.district, &g.size, &g.industries, &g.n, &fen); err != nil {
			return err
		}
		g.fen = chanye.Fen(fen)
		out.groups = append(out.groups, g)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for table, m := range map[string]map[string]int{"policy_needs_data": out.needsData, "policy_excluded": out.excluded} {
		err := eachRowArgs(ctx, tx, `SELECT policy_id, COUNT(*) FROM `+table+` WHERE run_id = ? GROUP BY policy_id`, []any{runID}, func(rows *sql.Rows) error {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			m[id] = n
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LastRunPart returns the part stored last on this shard (of the highest
// run), the one a daily part carries from; ENOTFOUND when there is none.
func (s *Store) LastRunPart(ctx context.Context) (*policy.RunPart, error) {
	var out *policy.RunPart
	err := s.db.transact(ctx, true, func(tx *txn) error {
		p, err := scanRunPart(tx.queryRow(ctx, `SELECT `+runPartColumns+` FROM policy_run_parts ORDER BY run_id DESC LIMIT 1`))
		if errors.Is(err, sql.ErrNoRows) {
			return chanye.Errorf(chanye.ENOTFOUND, "本分片尚无批次 / no run part on this shard")
		}
		out = p
		return err
	})
	return out, err
}
