package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// The demo's officials. Their names say they are demo data wherever the
// pages show who did what; the approver differs from the clerk who ran and
// publicised, as the four-eyes rule (四眼原则) requires.
var (
	demoClerk    = chanye.Actor{Name: "演示经办人", Role: chanye.RoleDepartment}
	demoApprover = chanye.Actor{Name: "演示审核人", Role: chanye.RoleDepartment}
)

// LifecycleOptions are what Lifecycle needs: the policy services, a run of
// every published policy, and a way to move the clock the store and the run
// read, so that the demo lives through the past weeks day by day.
type LifecycleOptions struct {
	Today    chanye.Date
	Services policy.Services
	// Run runs every published policy as of a day (engine.Run).
	Run func(ctx context.Context, asOf chanye.Date) (*policy.Run, error)
	// SetClock moves the clock of the store and of Run to t; Lifecycle
	// sets it back to Today's real time itself through Restore.
	SetClock func(t time.Time)
	// Restore puts the real clock back.
	Restore func()
}

// LifecycleStats counts what Lifecycle did.
type LifecycleStats struct {
	Runs, Publicised, Objections, Approved, Paid, Reversed int
	NeedsData                                              int
	Applications                                           int // 快申快享: one in review, one returned
}

// Lifecycle carries demo decisions through every state of 免申即享, so that
// a newcomer sees the whole loop at once (`serve --demo` on a database with
// no runs): a run six weeks ago whose 公示 has ended, with objections upheld
// and rejected, decisions approved by another person, paid with voucher and
// bank batch, one payment reversed with a reason and approved decisions
// still owed; and a run of yesterday whose list is in its window with an
// objection open. Both runs hold needs-data (待补充数据) decisions; two
// firms the technical-retrofit policy needs figures from have applied
// (快申快享), one in review, one returned with a reason. Every
// step goes through the services, audited like any; the officials' names
// say 演示. It does nothing when the examples are not published (a real
// database) or decide no one.
func Lifecycle(ctx context.Context, o LifecycleOptions) (st LifecycleStats, err error) {
	defer o.Restore()
	at := func(daysAgo int) chanye.Date {
		d := chanye.Date{Time: o.Today.AddDate(0, 0, -daysAgo)}
		o.SetClock(d.Add(2 * time.Hour)) // 10:00 in Guangzhou
		return d
	}
	clerk := chanye.WithActor(ctx, &demoClerk)
	approver := chanye.WithActor(ctx, &demoApprover)
	svc := o.Services

	// Six weeks ago: the run, and its lists on 公示 for five working days.
	run1, err := o.Run(clerk, at(42))
	if err != nil {
		return st, fmt.Errorf("run: %w", err)
	}
	st.Runs++
	st.NeedsData += run1.NeedsData
	var pool []policy.DecisionRef
	for _, rp := range run1.Policies {
		refs, err := eligible(ctx, svc, run1.ID, rp.ID)
		if err != nil || len(refs) == 0 {
			continue
		}
		if _, err := svc.Publicity.Publicise(clerk, run1.ID, rp.ID, 5); err != nil {
			return st, fmt.Errorf("publicise %s: %w", rp.ID, err)
		}
		st.Publicised++
		pool = append(pool, refs...)
	}
	if len(pool) < 8 {
		return st, nil // too few firms decided to show every state
	}

	// The next day two firms object; the department answers two days later,
	// one upheld (the decision is withdrawn) and one rejected (back on the
	// list).
	at(41)
	upheld := &policy.Objection{Ref: pool[0], Reason: "我司上年度营业收入统计口径有误，请重新核定。（演示数据）"}
	rejected := &policy.Objection{Ref: pool[1], Reason: "金额偏低，请按实际数据重新计算。（演示数据）"}
	for _, ob := range []*policy.Objection{upheld, rejected} {
		if err := svc.Publicity.CreateObjection(asEnterprise(ctx, ob.Ref.Code), ob); err != nil {
			return st, fmt.Errorf("objection: %w", err)
		}
		st.Objections++
	}
	at(39)
	if _, err := svc.Publicity.ResolveObjection(clerk, upheld.ID, true, "经核实，数据确有差错，撤回该决定，更正数据后重新认定。（演示数据）"); err != nil {
		return st, fmt.Errorf("uphold: %w", err)
	}
	if _, err := svc.Publicity.ResolveObjection(clerk, rejected.ID, false, "金额按政策规定的标准计算，经复核无误。（演示数据）"); err != nil {
		return st, fmt.Errorf("reject: %w", err)
	}

	// After the window another person approves three quarters of the
	// decisions; the rest wait on the approval page.
	at(30)
	approved := pool[1 : 1+(len(pool)-1)*3/4]
	if err := svc.Ledger.Approve(approver, approved); err != nil {
		return st, fmt.Errorf("approve: %w", err)
	}
	st.Approved = len(approved)

	// The treasury pays all but two of them in two bank batches; a later
	// audit reverses one payment.
	day := at(25)
	for i, ref := range approved[:len(approved)-2] {
		p := policy.Payout{PaidOn: day, Voucher: fmt.Sprintf("演示凭证-%s-%04d", day.Format("20060102"), i+1),
			Batch: fmt.Sprintf("演示批次-%s-%02d", day.Format("20060102"), 1+i%2)}
		if _, _, err := svc.Ledger.Pay(clerk, ref, p); err != nil {
			return st, fmt.Errorf("pay %s: %w", ref, err)
		}
		st.Paid++
	}
	at(18)
	if _, err := svc.Ledger.Reverse(approver, approved[0], "企业已注销，资金依规收回。（演示数据）"); err != nil {
		return st, fmt.Errorf("reverse: %w", err)
	}
	st.Reversed++

	// 快申快享: two firms the technical-retrofit policy needs figures from
	// apply with their project's figures and the acceptance report; one
	// waits in review, the department returned the other.
	if st.Applications, err = demoApplications(ctx, svc, run1.ID, at); err != nil {
		return st, err
	}

	// Yesterday: a new run; its largest list on 公示 now, with an
	// objection open.
	run2, err := o.Run(clerk, at(1))
	if err != nil {
		return st, fmt.Errorf("run: %w", err)
	}
	st.Runs++
	st.NeedsData += run2.NeedsData
	var open []policy.DecisionRef
	var openPolicy string
	for _, rp := range run2.Policies {
		refs, err := eligible(ctx, svc, run2.ID, rp.ID)
		if err != nil {
			return st, err
		}
		if len(refs) > len(open) {
			open, openPolicy = refs, rp.ID
		}
	}
	if len(open) == 0 {
		return st, nil
	}
	if _, err := svc.Publicity.Publicise(clerk, run2.ID, openPolicy, 10); err != nil {
		return st, fmt.Errorf("publicise %s: %w", openPolicy, err)
	}
	st.Publicised++
	ob := &policy.Objection{Ref: open[len(open)-1], Reason: "申报的投资额未包含二期建设的部分，请核实。（演示数据）"}
	if err := svc.Publicity.CreateObjection(asEnterprise(ctx, ob.Ref.Code), ob); err != nil {
		return st, fmt.Errorf("objection: %w", err)
	}
	st.Objections++
	return st, nil
}

// retrofitPolicy is the shipped policy whose figures come from an
// application when no key project records them.
const retrofitPolicy = "gz-tech-retrofit"

// demoPDF is a minimal PDF: the demo's acceptance report.
var demoPDF = []byte("%PDF-1.4\n% 演示数据 demo data\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// demoApplications submits applications for two firms of run runID that
// need figures for the technical-retrofit policy: one is in review today,
// the other was returned with a reason. None when the policy decided no
// one needing data.
func demoApplications(ctx context.Context, svc policy.Services, runID int64, at func(daysAgo int) chanye.Date) (int, error) {
	if svc.Applications == nil {
		return 0, nil
	}
	nd, pid := policy.VerdictNeedsData, retrofitPolicy
	ds, _, err := svc.Runs.FindDecisions(ctx, policy.DecisionFilter{RunID: &runID, PolicyID: &pid, Verdict: &nd, Limit: 2})
	if chanye.ErrorCode(err) == chanye.ENOTFOUND || len(ds) < 2 {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	clerk := chanye.WithActor(ctx, &demoClerk)
	n := 0
	for i, d := range ds {
		day := at(4 - i) // the one returned was submitted first
		firm := asEnterprise(ctx, d.Code)
		a, err := svc.Applications.SaveApplication(firm, &policy.Application{PolicyID: retrofitPolicy, Code: d.Code, Values: map[string]any{
			"equipment_investment": int64(12_345_678_901 + i*1_000_000_00), // 123,456,789.01 元 and 124,456,789.01 元
			"plant_investment":     int64(300_000_000_00),                  // 3 亿元
			"finished_on":          chanye.Date{Time: day.AddDate(-1, -2, 0)},
		}})
		if err != nil {
			return n, fmt.Errorf("application: %w", err)
		}
		if _, err := svc.Applications.AttachFile(firm, a.ID, "竣工验收报告（演示数据）.pdf", "application/pdf", demoPDF); err != nil {
			return n, fmt.Errorf("attachment: %w", err)
		}
		if _, err := svc.Applications.MoveApplication(firm, a.ID, policy.AppSubmitted, ""); err != nil {
			return n, fmt.Errorf("submit: %w", err)
		}
		if i == 0 {
			at(3) // returned the next day
			if _, err := svc.Applications.MoveApplication(clerk, a.ID, policy.AppReturned, "设备投资额与验收报告所列金额不一致，请核对后重新提交。（演示数据）"); err != nil {
				return n, fmt.Errorf("return: %w", err)
			}
		}
		n++
	}
	return n, nil
}

// eligible lists the eligible decisions of one policy in a run, in the
// store's order (at most 1,000: the demo needs a few).
func eligible(ctx context.Context, svc policy.Services, runID int64, policyID string) ([]policy.DecisionRef, error) {
	ds, _, err := svc.Runs.FindDecisions(ctx, policy.DecisionFilter{RunID: &runID, PolicyID: &policyID, Limit: 1000})
	if chanye.ErrorCode(err) == chanye.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	refs := make([]policy.DecisionRef, len(ds))
	for i, d := range ds {
		refs[i] = d.Ref()
	}
	return refs, nil
}

// asEnterprise is the context of a demo enterprise's own account.
func asEnterprise(ctx context.Context, code string) context.Context {
	return chanye.WithActor(ctx, &chanye.Actor{Name: "演示企业-" + code, Role: chanye.RoleEnterprise, Code: code})
}
