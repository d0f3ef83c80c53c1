package sqlstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// guard enforces, inside an approval or payment transaction, what the
// relations between policies and the budgets promise whatever the runs
// decided (issue 9, points 3 and 4): two policies of one exclusive group,
// or one excluding the other, never both carry one firm's money for one
// period; a policy requiring another's award carries only firms that hold
// it; a group's cap per enterprise is never exceeded; and nothing is
// approved or paid beyond a policy's or a group's budget for its period.
// "Carried" counts, per entitlement, the most of what was approved and
// what the ledger holds (paidOnly: the ledger alone, for payments).
// Budgets and groups are locked (policy_locks) before anything is read,
// so two transactions never both pass one check.
type guard struct {
	tx       *txn
	paidOnly bool
	pub      map[string]*policy.Policy        // published, by id
	own      map[string]*policy.Policy        // a decision's version, by versionKey
	carried  map[string]map[string]chanye.Fen // policy/period → code → carried
	totals   map[string]chanye.Fen            // policy/period → sum of carried
}

func newGuard(ctx context.Context, tx *txn, paidOnly bool) (*guard, error) {
	g := &guard{tx: tx, paidOnly: paidOnly, pub: map[string]*policy.Policy{}, own: map[string]*policy.Policy{},
		carried: map[string]map[string]chanye.Fen{}, totals: map[string]chanye.Fen{}}
	rows, err := tx.query(ctx, `SELECT policy_id, source FROM policy_versions WHERE status = 'published'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, src string
		if err := rows.Scan(&id, &src); err != nil {
			return nil, err
		}
		p, err := parsePolicy(src)
		if err != nil {
			return nil, fmt.Errorf("stored policy %s: %w", id, err)
		}
		g.pub[id] = p
	}
	return g, rows.Err()
}

// policyOf is the version that decided d.
func (g *guard) policyOf(ctx context.Context, d *policy.StoredDecision) (*policy.Policy, error) {
	k := versionKey(d.PolicyID, d.Version)
	if p := g.own[k]; p != nil {
		return p, nil
	}
	v, err := findVersion(ctx, g.tx, d.PolicyID, d.Version)
	if err != nil {
		return nil, err
	}
	g.own[k] = v.Policy
	return v.Policy, nil
}

// partners are the policies that may not carry money for a firm that p
// carries: the other members of its exclusive group, those it excludes
// and those that exclude it.
func (g *guard) partners(p *policy.Policy) []string {
	var out []string
	for _, id := range p.Relations.Excludes {
		out = append(out, id)
	}
	for id, q := range g.pub {
		if id == p.ID {
			continue
		}
		if grp := p.Relations.ExclusiveGroup; grp != "" && q.Relations.ExclusiveGroup == grp || slices.Contains(q.Relations.Excludes, p.ID) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// group returns p's group as declared (by p or a published member) and
// its members, p included; ok false when p is in no group.
func (g *guard) group(p *policy.Policy) (grp policy.Group, members []string, ok bool) {
	id := p.Relations.ExclusiveGroup
	if id == "" {
		return grp, nil, false
	}
	grp.ID = id
	members = []string{p.ID}
	declared := false
	for _, x := range p.Groups {
		if x.ID == id {
			grp, declared = x, true
		}
	}
	for _, qid := range sortedKeys(g.pub) {
		q := g.pub[qid]
		if qid == p.ID || q.Relations.ExclusiveGroup != id {
			continue
		}
		members = append(members, qid)
		for _, x := range q.Groups {
			if x.ID == id && !declared {
				grp, declared = x, true
			}
		}
	}
	return grp, members, true
}

// locks are the names d's check takes: its policy's and each partner's
// budget for the period, and its group's.
func (g *guard) locks(ctx context.Context, d *policy.StoredDecision) ([]string, error) {
	p, err := g.policyOf(ctx, d)
	if err != nil {
		return nil, err
	}
	out := []string{fmt.Sprintf("policy:%s:%d", p.ID, d.Period)}
	for _, q := range g.partners(p) {
		out = append(out, fmt.Sprintf("policy:%s:%d", q, d.Period))
	}
	if grp, _, ok := g.group(p); ok {
		out = append(out, fmt.Sprintf("group:%s:%d", grp.ID, d.Period))
	}
	return out, nil
}

// lockAll takes the locks of ds, in name order so that two transactions
// never wait on each other.
func (g *guard) lockAll(ctx context.Context, ds []*policy.StoredDecision) error {
	var names []string
	for _, d := range ds {
		ls, err := g.locks(ctx, d)
		if err != nil {
			return err
		}
		names = append(names, ls...)
	}
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		if _, err := g.tx.exec(ctx, `INSERT INTO policy_locks (name, at) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET at = excluded.at`, n, g.tx.now.UnixMilli()); err != nil {
			return err
		}
	}
	return nil
}

// load reads what policy id carries for period, once per transaction.
func (g *guard) load(ctx context.Context, id string, period int) (map[string]chanye.Fen, error) {
	k := fmt.Sprintf("%s/%d", id, period)
	if m := g.carried[k]; m != nil {
		return m, nil
	}
	q := `SELECT code, net_fen FROM policy_entitlements WHERE policy_id = ? AND period = ?`
	args := []any{id, period}
	if !g.paidOnly {
		q = `SELECT code, amount_fen FROM policy_decisions WHERE policy_id = ? AND period = ? AND status IN ('approved', 'paid')
			UNION ALL ` + q
		args = append(args, id, period)
	}
	rows, err := g.tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]chanye.Fen{}
	for rows.Next() {
		var code string
		var fen int64
		if err := rows.Scan(&code, &fen); err != nil {
			return nil, err
		}
		m[code] = max(m[code], chanye.Fen(fen))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var sum chanye.FenSum
	for _, f := range m {
		sum.Add(f)
	}
	total, err := sum.Total("carried_fen")
	if err != nil {
		return nil, err
	}
	g.carried[k], g.totals[k] = m, total
	return m, nil
}

// check refuses d when carrying it breaks a relation, a group cap or a
// budget, and otherwise records it as carried, so that the next decision
// of the same call counts it.
func (g *guard) check(ctx context.Context, d *policy.StoredDecision) error {
	p, err := g.policyOf(ctx, d)
	if err != nil {
		return err
	}
	state, stateEN := "审批", "approved"
	if g.paidOnly {
		state, stateEN = "拨付", "paid"
	}
	for _, q := range g.partners(p) {
		m, err := g.load(ctx, q, d.Period)
		if err != nil {
			return err
		}
		if m[d.Code] > 0 {
			kind, kindEN := "互斥", "excludes"
			if grp := p.Relations.ExclusiveGroup; grp != "" && g.pub[q] != nil && g.pub[q].Relations.ExclusiveGroup == grp {
				kind, kindEN = "就高不重复", "is exclusive with"
			}
			return chanye.Errorf(chanye.ECONFLICT, "与 %s %s：企业 %s 的 %d 年度已%s该项 %s，不能再%s %s / %s %s %s: %s was %s %s for %d",
				q, kind, d.Code, d.Period, state, yuanText(m[d.Code]), state, p.ID,
				p.ID, kindEN, q, d.Code, stateEN, yuanText(m[d.Code]), d.Period)
		}
	}
	for _, q := range p.Relations.Requires {
		ok, err := g.granted(ctx, q, d)
		if err != nil {
			return err
		}
		if !ok {
			return chanye.Errorf(chanye.ECONFLICT, "需先获得 %s：企业 %s 的 %s 决定已撤回、已追回或未获批，不能%s %s / %s requires %s: %s's decision of %s is withdrawn, reversed or not approved, so %s cannot be %s",
				q, d.Code, q, state, p.ID, p.ID, q, d.Code, q, p.ID, stateEN)
		}
	}
	mine, err := g.load(ctx, p.ID, d.Period)
	if err != nil {
		return err
	}
	before, after := mine[d.Code], max(mine[d.Code], d.AmountFen)
	k := fmt.Sprintf("%s/%d", p.ID, d.Period)
	total, err := chanye.AddFen(g.totals[k]-before, after)
	if err != nil {
		return err
	}
	if b := p.BudgetFen; b > 0 && total > b {
		return chanye.Errorf(chanye.ECONFLICT, "超出预算：政策 %s %d 年度预算 %s 元，已%s %s 元，本项 %s 元 / over the budget of %s for %d, ¥%s: ¥%s %s, this one ¥%s",
			p.ID, d.Period, b.Yuan(), state, g.totals[k].Yuan(), d.AmountFen.Yuan(), p.ID, d.Period, b.Yuan(), g.totals[k].Yuan(), stateEN, d.AmountFen.Yuan())
	}
	if grp, members, ok := g.group(p); ok && (grp.CapPerEnterpriseFen > 0 || grp.Budget.Fen > 0) {
		var firm, all chanye.FenSum
		for _, q := range members {
			m, err := g.load(ctx, q, d.Period)
			if err != nil {
				return err
			}
			if q == p.ID {
				firm.Add(after)
				all.Add(total)
				continue
			}
			firm.Add(m[d.Code])
			all.Add(g.totals[fmt.Sprintf("%s/%d", q, d.Period)])
		}
		f, err := firm.Total("group_firm_fen")
		if err != nil {
			return err
		}
		a, err := all.Total("group_fen")
		if err != nil {
			return err
		}
		if c := grp.CapPerEnterpriseFen; c > 0 && f > c {
			return chanye.Errorf(chanye.ECONFLICT, "超出组 %s 每户上限：企业 %s 的 %d 年度合计 %s 元，上限 %s 元 / over group %s's cap per enterprise: %s would get ¥%s for %d, the cap is ¥%s",
				grp.ID, d.Code, d.Period, f.Yuan(), c.Yuan(), grp.ID, d.Code, f.Yuan(), d.Period, c.Yuan())
		}
		if b := grp.Budget.Fen; b > 0 && a > b {
			return chanye.Errorf(chanye.ECONFLICT, "超出组 %s 的预算：%d 年度预算 %s 元，合计将达 %s 元 / over group %s's budget for %d: ¥%s, the total would be ¥%s",
				grp.ID, d.Period, b.Yuan(), a.Yuan(), grp.ID, d.Period, b.Yuan(), a.Yuan())
		}
	}
	mine[d.Code], g.totals[k] = after, total
	return nil
}

// granted reports whether the firm of d holds the award of policy q that
// d's policy requires: approved or paid for d's period (from any run), or
// decided in d's own run and neither withdrawn nor reversed since (the run
// resolved requires within itself).
func (g *guard) granted(ctx context.Context, q string, d *policy.StoredDecision) (bool, error) {
	m, err := g.load(ctx, q, d.Period)
	if err != nil || m[d.Code] > 0 {
		return err == nil, err
	}
	var n int
	err = g.tx.queryRow(ctx, `SELECT COUNT(*) FROM policy_decisions WHERE run_id = ? AND policy_id = ? AND code = ? AND status NOT IN (?, ?)`,
		d.RunID, q, d.Code, string(policy.DecisionWithdrawn), string(policy.DecisionReversed)).Scan(&n)
	return n > 0, err
}

func yuanText(f chanye.Fen) string { return f.Yuan() + " 元" }

// FindBudgetUse returns what the published version of a policy and its
// group carry for one period.
func (s *Store) FindBudgetUse(ctx context.Context, policyID string, period int) (*policy.BudgetUse, error) {
	var out *policy.BudgetUse
	err := s.db.transact(ctx, true, func(tx *txn) error {
		v, err := findVersion(ctx, tx, policyID, 0)
		if err != nil {
			return err
		}
		p := v.Policy
		out = &policy.BudgetUse{PolicyID: p.ID, Period: period, BudgetFen: p.BudgetFen, AtLimit: p.PolicyBudget().Mode()}
		approved, err := newGuard(ctx, tx, false)
		if err != nil {
			return err
		}
		paid, err := newGuard(ctx, tx, true)
		if err != nil {
			return err
		}
		sum := func(g *guard, ids ...string) (chanye.Fen, error) {
			var t chanye.FenSum
			for _, id := range ids {
				if _, err := g.load(ctx, id, period); err != nil {
					return 0, err
				}
				t.Add(g.totals[fmt.Sprintf("%s/%d", id, period)])
			}
			return t.Total("carried_fen")
		}
		if out.ApprovedFen, err = sum(approved, p.ID); err != nil {
			return err
		}
		if out.PaidFen, err = sum(paid, p.ID); err != nil {
			return err
		}
		if grp, members, ok := approved.group(p); ok && (grp.Budget.Fen > 0 || grp.CapPerEnterpriseFen > 0) {
			gu := &policy.GroupUse{ID: grp.ID, BudgetFen: grp.Budget.Fen, CapPerEnterpriseFen: grp.CapPerEnterpriseFen}
			if gu.ApprovedFen, err = sum(approved, members...); err != nil {
				return err
			}
			if gu.PaidFen, err = sum(paid, members...); err != nil {
				return err
			}
			out.Group = gu
		}
		return nil
	})
	return out, err
}
