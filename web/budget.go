package web

import (
	"context"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// budgetRow is one budget line: a policy's budget for a period against
// what is decided, approved and paid, and what is left (issue 9, point 4).
type budgetRow struct {
	Policy                                     string
	Period                                     int
	Mode                                       string
	Budget, Decided, Approved, Paid, Remaining string
	Over                                       bool // decided or approved beyond the budget
	Group                                      *budgetRow
}

// budgetLine is p's budget line for period, decided being what the run or
// simulation shown decides; nil when p has no budget. Approved and paid
// are across runs, from the ledger service.
func (s *Server) budgetLine(ctx context.Context, l Lang, p *policy.Policy, period int, decided chanye.Fen) (*budgetRow, error) {
	if p.BudgetFen == 0 || s.cfg.Policies.Ledger == nil {
		return nil, nil
	}
	u, err := s.cfg.Policies.Ledger.FindBudgetUse(ctx, p.ID, period)
	switch {
	case chanye.ErrorCode(err) == chanye.ENOTFOUND: // a draft: nothing approved yet
		u = &policy.BudgetUse{PolicyID: p.ID, Period: period}
	case err != nil:
		return nil, err
	}
	mode := p.PolicyBudget().Mode()
	row := &budgetRow{Policy: l.Pick(p.TitleZH, p.TitleEN), Period: period, Mode: l.T("budget.mode." + string(mode)),
		Budget: yuan(p.BudgetFen), Decided: yuan(decided), Approved: yuan(u.ApprovedFen), Paid: yuan(u.PaidFen)}
	left, err := chanye.SubFen(p.BudgetFen, max(decided, u.ApprovedFen))
	if err != nil {
		return nil, err
	}
	row.Remaining, row.Over = yuan(left), left < 0
	if g := u.Group; g != nil && g.BudgetFen > 0 {
		gl, err := chanye.SubFen(g.BudgetFen, g.ApprovedFen)
		if err != nil {
			return nil, err
		}
		row.Group = &budgetRow{Policy: g.ID, Period: period, Budget: yuan(g.BudgetFen), Approved: yuan(g.ApprovedFen),
			Paid: yuan(g.PaidFen), Remaining: yuan(gl), Over: gl < 0, Decided: "—"}
	}
	return row, nil
}
