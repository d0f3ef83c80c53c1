package dataio

import (
	"context"
	"fmt"
	"io"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// PaymentColumns are the columns of the payment file, in order: the
// entitlement (policy/period/code), the enterprise's credit code and name,
// the amount to transfer in yuan (exact, two decimals), the policy's title
// and document number, the bank batch and the voucher, the day paid, and
// the row's status (approved: to pay; paid: paid).
var PaymentColumns = []string{"entitlement", "code", "name", "amount_yuan", "policy", "document", "batch", "voucher", "paid_on", "status"}

// PaymentSources are the services the payment file reads: the caller's,
// guarded as its caller is.
type PaymentSources struct {
	Versions policy.VersionService
	Runs     policy.RunService
	Ledger   policy.LedgerService
}

// pageOf is how many records each read of the payment file asks for.
const pageOf = 1000

// WritePayments writes the payment file of one policy in one run for the
// treasury system (国库集中支付), as CSV (every cell through CSVCell, like
// every CSV chanye writes) or XLSX (text cells): first the entries the
// ledger paid for the run's decisions — a payment, or an adjustment a
// later run found —, with their batch, voucher and day; then the approved
// decisions still to pay, with the amount still owed on their entitlement
// (the decided amount less what earlier runs paid), batch and voucher
// empty for the treasury to fill in. An approved decision whose
// entitlement is paid in full already owes nothing and is left out. It
// returns the rows written. ENOTFOUND (no such run, or the run did not
// decide the policy).
func WritePayments(ctx context.Context, src PaymentSources, runID int64, policyID string, w io.Writer, format Format) (int, error) {
	run, err := src.Runs.FindRun(ctx, runID)
	if err != nil {
		return 0, err
	}
	version := 0
	for _, p := range run.Policies {
		if p.ID == policyID {
			version = p.Version
		}
	}
	if version == 0 {
		return 0, chanye.Errorf(chanye.ENOTFOUND, "批量计算 %d 未计算政策 %s / run %d did not evaluate policy %s", runID, policyID, runID, policyID)
	}
	v, err := src.Versions.FindPolicyVersion(ctx, policyID, version)
	if err != nil {
		return 0, err
	}
	title, document := v.Policy.TitleZH, v.Policy.Document

	approved, err := decisionsIn(ctx, src.Runs, runID, policyID, policy.DecisionApproved)
	if err != nil {
		return 0, err
	}
	paid, err := decisionsIn(ctx, src.Runs, runID, policyID, policy.DecisionPaid)
	if err != nil {
		return 0, err
	}
	reversed, err := decisionsIn(ctx, src.Runs, runID, policyID, policy.DecisionReversed)
	if err != nil {
		return 0, err
	}
	names, status := map[string]string{}, map[string]policy.DecisionStatus{}
	for _, d := range append(append(approved, paid...), reversed...) {
		names[d.Code], status[d.Code] = d.Name, d.Status
	}
	entries, err := ledgerOf(ctx, src.Ledger, policy.LedgerFilter{PolicyID: &policyID, RunID: &runID})
	if err != nil {
		return 0, err
	}
	// What each entitlement of the approved decisions has received, from
	// any run. A run decides each policy for one period.
	net := map[string]chanye.Fen{}
	if len(approved) > 0 {
		period := approved[0].Period
		all, err := ledgerOf(ctx, src.Ledger, policy.LedgerFilter{PolicyID: &policyID, Period: &period})
		if err != nil {
			return 0, err
		}
		for _, e := range all {
			if net[e.Entitlement.Code], err = chanye.AddFen(net[e.Entitlement.Code], e.AmountFen); err != nil {
				return 0, err
			}
		}
	}

	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	if err := out.Write(PaymentColumns); err != nil {
		return 0, err
	}
	n := 0
	entitlement := func(period int, code string) string { return fmt.Sprintf("%s/%d/%s", policyID, period, code) }
	for _, e := range entries {
		if e.Kind == policy.LedgerReversal {
			continue
		}
		if err := out.Write([]string{entitlement(e.Entitlement.Period, e.Entitlement.Code), e.Entitlement.Code, names[e.Entitlement.Code],
			e.AmountFen.Yuan(), title, document, e.Batch, e.Voucher, e.PaidOn.String(), string(status[e.Entitlement.Code])}); err != nil {
			return n, err
		}
		n++
	}
	for _, d := range approved {
		owed, err := chanye.SubFen(d.AmountFen, net[d.Code])
		if err != nil {
			return n, err
		}
		if owed == 0 {
			continue
		}
		if err := out.Write([]string{entitlement(d.Period, d.Code), d.Code, d.Name, owed.Yuan(), title, document, "", "", "",
			string(policy.DecisionApproved)}); err != nil {
			return n, err
		}
		n++
	}
	return n, out.Close()
}

// decisionsIn reads every decision of one policy in a run in one status.
func decisionsIn(ctx context.Context, runs policy.RunService, runID int64, policyID string, st policy.DecisionStatus) ([]*policy.StoredDecision, error) {
	return chanye.All(pageOf, func(off, limit int) ([]*policy.StoredDecision, int, error) {
		return runs.FindDecisions(ctx, policy.DecisionFilter{RunID: &runID, PolicyID: &policyID, Status: &st, Offset: off, Limit: limit})
	})
}

// ledgerOf reads every ledger entry of a filter, in order.
func ledgerOf(ctx context.Context, ledger policy.LedgerService, f policy.LedgerFilter) ([]*policy.LedgerEntry, error) {
	return chanye.All(pageOf, func(off, limit int) ([]*policy.LedgerEntry, int, error) {
		return ledger.FindLedger(ctx, policy.LedgerFilter{PolicyID: f.PolicyID, Period: f.Period, RunID: f.RunID, Offset: off, Limit: limit})
	})
}
