package sqlstore

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// The notifications of the store's own actions, each called in the
// action's transaction (see tx.notify).

// policyNames returns a policy's titles and its department, from the
// given version or the published one (0); a policy no longer found is
// named by its id, with no department to tell.
func policyNames(ctx context.Context, tx *txn, id string, version int) (zh, en, dept string, err error) {
	v, err := findVersion(ctx, tx, id, version)
	if chanye.ErrorCode(err) == chanye.ENOTFOUND {
		return id, id, "", nil
	} else if err != nil {
		return "", "", "", err
	}
	return v.Policy.TitleZH, v.Policy.TitleEN, v.Policy.Department, nil
}

// decisionVersion is the policy version a decision was made under, or 0
// (the published one) for an absent decision.
func decisionVersion(ctx context.Context, tx *txn, ref policy.DecisionRef) (int, error) {
	d, err := findDecision(ctx, tx, ref)
	if chanye.ErrorCode(err) == chanye.ENOTFOUND {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return d.Version, nil
}

// notifyObjectionFiled tells the department that administers the policy.
func notifyObjectionFiled(ctx context.Context, tx *txn, o *policy.Objection) error {
	v, err := decisionVersion(ctx, tx, o.Ref)
	if err != nil {
		return err
	}
	zh, en, dept, err := policyNames(ctx, tx, o.Ref.PolicyID, v)
	if err != nil {
		return err
	}
	return tx.notify(ctx, notify.Message{Kind: notify.ObjectionFiled, Subject: "objection/" + itoa(o.ID),
		TitleZH: fmt.Sprintf("收到异议：%s（%s）", zh, o.Ref.Code), TitleEN: fmt.Sprintf("Objection received: %s (%s)", en, o.Ref.Code),
		BodyZH: "理由：" + o.Reason, BodyEN: "Reason: " + o.Reason, Link: "/objections/" + itoa(o.ID)}, notify.Department(dept))
}

// notifyObjectionResolved tells the enterprise the answer.
func notifyObjectionResolved(ctx context.Context, tx *txn, o *policy.Objection) error {
	v, err := decisionVersion(ctx, tx, o.Ref)
	if err != nil {
		return err
	}
	zh, en, _, err := policyNames(ctx, tx, o.Ref.PolicyID, v)
	if err != nil {
		return err
	}
	verdictZH, verdictEN := "未予采纳", "rejected"
	if o.Status == policy.ObjectionUpheld {
		verdictZH, verdictEN = "已采纳", "upheld"
	}
	return tx.notify(ctx, notify.Message{Kind: notify.ObjectionResolved, Subject: "objection/" + itoa(o.ID),
		TitleZH: fmt.Sprintf("异议已答复（%s）：%s", verdictZH, zh), TitleEN: fmt.Sprintf("Objection answered (%s): %s", verdictEN, en),
		BodyZH: "处理意见：" + o.Resolution, BodyEN: "Resolution: " + o.Resolution,
		Link: "/enterprises/" + url.PathEscape(o.Ref.Code) + "/policies"}, notify.Enterprise(o.Ref.Code))
}

// notifyApplication tells of an application's move: the reviewing
// department of a submission, the enterprise of a return (with the
// reason) or an acceptance. eventID names the move.
func notifyApplication(ctx context.Context, tx *txn, a *policy.Application, eventID int64) error {
	zh, en, _, err := policyNames(ctx, tx, a.PolicyID, a.Version)
	if err != nil {
		return err
	}
	m := notify.Message{Subject: "application_event/" + itoa(eventID), Link: "/applications/" + itoa(a.ID)}
	to := notify.Enterprise(a.Code)
	switch a.Status {
	case policy.AppSubmitted:
		m.Kind, to = notify.ApplicationSubmitted, notify.Department(a.Department)
		m.TitleZH, m.TitleEN = fmt.Sprintf("收到申报：%s（%s）", zh, a.Name), fmt.Sprintf("Application received: %s (%s)", en, a.Name)
		m.BodyZH, m.BodyEN = "办理期限："+a.DueOn.String(), "Due: "+a.DueOn.String()
	case policy.AppReturned:
		m.Kind = notify.ApplicationReturned
		m.TitleZH, m.TitleEN = "申报被退回："+zh, "Application returned: "+en
		m.BodyZH, m.BodyEN = "原因："+a.Reason, "Reason: "+a.Reason
	case policy.AppAccepted:
		m.Kind = notify.ApplicationAccepted
		m.TitleZH, m.TitleEN = "申报已受理："+zh, "Application accepted: "+en
	default:
		return nil // drafts and withdrawals are the enterprise's own doing
	}
	return tx.notify(ctx, m, to)
}

// notifyPayment tells the enterprise of a ledger entry that moved money
// to it.
func notifyPayment(ctx context.Context, tx *txn, e *policy.LedgerEntry) error {
	if e.AmountFen <= 0 {
		return nil
	}
	v, err := decisionVersion(ctx, tx, e.Decision)
	if err != nil {
		return err
	}
	zh, en, _, err := policyNames(ctx, tx, e.Entitlement.PolicyID, v)
	if err != nil {
		return err
	}
	yuan := e.AmountFen.Yuan()
	m := notify.Message{Kind: notify.PaymentMade, Subject: "ledger/" + itoa(e.ID),
		TitleZH: fmt.Sprintf("已拨付 %s 元：%s", yuan, zh), TitleEN: fmt.Sprintf("Paid ¥%s: %s", yuan, en),
		Link: "/enterprises/" + url.PathEscape(e.Entitlement.Code) + "/policies"}
	if !e.PaidOn.IsZero() {
		m.BodyZH = fmt.Sprintf("支付日期 %s，凭证号 %s", e.PaidOn, e.Voucher)
		m.BodyEN = fmt.Sprintf("Paid on %s, voucher %s", e.PaidOn, e.Voucher)
	}
	return tx.notify(ctx, m, notify.Enterprise(e.Entitlement.Code))
}

// projectColour evaluates the stored warning rules on one project as of
// the transaction's day, in the transaction: what the board would show
// after it commits. It returns the red warnings too.
func (s *Store) projectColour(ctx context.Context, tx *txn, p *project.Project) (project.Colour, []project.Warning, *chanye.Industry, error) {
	asOf := chanye.DateOf(tx.now)
	rs, d, err := s.ruleData(ctx, tx, []*project.Project{p}, asOf)
	if err != nil {
		return "", nil, nil, err
	}
	var red []project.Warning
	ws := project.Evaluate(rs, d, asOf)
	for _, w := range ws {
		if w.ProjectID == p.ID && w.Colour == project.Red {
			red = append(red, w)
		}
	}
	return project.ProjectColour(ws, p.ID), red, d.Industries[p.IndustryID], nil
}

// watchRed runs write, which changes project id, and tells the owner, the
// industry's task force and the responsible department when the change
// turns the project red. A project that turns red more than once a day
// is told of once that day.
func (s *Store) watchRed(ctx context.Context, tx *txn, id string, write func() error) error {
	p, err := findProject(ctx, tx, id)
	if err != nil {
		return err
	}
	before, _, _, err := s.projectColour(ctx, tx, p)
	if err != nil {
		return err
	}
	if err := write(); err != nil {
		return err
	}
	if p, err = findProject(ctx, tx, id); err != nil {
		return err
	}
	after, red, ind, err := s.projectColour(ctx, tx, p)
	if err != nil {
		return err
	}
	if err := tx.seeColour(ctx, p.ID, after); err != nil || before == project.Red || after != project.Red {
		return err
	}
	return tx.notifyRed(ctx, p, red, ind)
}

// notifyRed tells the owner, the industry's task force and the responsible
// department that project p turned red today, for the red warnings given.
func (tx *txn) notifyRed(ctx context.Context, p *project.Project, red []project.Warning, ind *chanye.Industry) error {
	m := notify.Message{Kind: notify.ProjectRed, Subject: "project/" + p.ID + "/" + tx.today(),
		TitleZH: fmt.Sprintf("项目转为红色预警：%s（%s）", p.Name, p.ID), TitleEN: fmt.Sprintf("Project turned red: %s (%s)", p.Name, p.ID),
		Link: "/projects/" + url.PathEscape(p.ID)}
	var zh, en []string
	for _, w := range red {
		if w.ProjectID == p.ID && w.Colour == project.Red {
			zh, en = append(zh, w.MessageZH), append(en, w.MessageEN)
		}
	}
	m.BodyZH, m.BodyEN = clip(strings.Join(zh, "；"), 2000), clip(strings.Join(en, "; "), 2000)
	owners := p.EffectiveOwners(ind)
	return tx.notify(ctx, m, notify.Enterprise(owners.OwnerCode), notify.TaskForce(p.IndustryID), notify.Department(owners.Department))
}

// seeColour records that project id is seen in colour c today, keeping the
// day it was first seen in it.
func (tx *txn) seeColour(ctx context.Context, id string, c project.Colour) error {
	_, err := tx.exec(ctx, `INSERT INTO project_colours (project_id, colour, since) VALUES (?, ?, ?)
		ON CONFLICT (project_id) DO UPDATE SET colour = excluded.colour, since = excluded.since
		WHERE project_colours.colour <> excluded.colour`, id, string(c), tx.today())
	return err
}

// Sweep is what one SweepRed did.
type Sweep struct {
	Projects  int `json:"projects"`   // projects evaluated
	TurnedRed int `json:"turned_red"` // seen red today, not red when last seen: told of
	Changed   int `json:"changed"`    // whose colour changed since last seen, red or not
}

// SweepRed evaluates every project as of today and tells of each one that
// turned red since it was last seen — by time alone, a report missing or a
// node past its date, which no write announces. A project seen for the
// first time is recorded, not told of: the sweep tells of changes. Run
// daily by serve and by `chanye project sweep`; a second sweep the same
// day tells no one twice. Admins (the operator) only.
func (s *Store) SweepRed(ctx context.Context) (Sweep, error) {
	var out Sweep
	if err := auth.RequireAdmin(ctx); err != nil {
		return out, err
	}
	err := s.db.transact(ctx, false, func(tx *txn) error {
		out = Sweep{}
		asOf := chanye.DateOf(tx.now)
		ps, _, err := findPage(ctx, tx, projectColumns, projectFrom, where{}, "p.id", 1<<30, 0, scanProject)
		if err != nil || len(ps) == 0 {
			return err
		}
		seen := map[string]project.Colour{}
		rows, err := tx.query(ctx, `SELECT project_id, colour FROM project_colours`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, c string
			if err := rows.Scan(&id, &c); err != nil {
				rows.Close()
				return err
			}
			seen[id] = project.Colour(c)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		rs, d, err := s.ruleData(ctx, tx, ps, asOf)
		if err != nil {
			return err
		}
		ws := project.Evaluate(rs, d, asOf)
		out.Projects = len(ps)
		for _, p := range ps {
			now := project.ProjectColour(ws, p.ID)
			before, known := seen[p.ID]
			if known && before == now {
				continue
			}
			if err := tx.seeColour(ctx, p.ID, now); err != nil {
				return err
			}
			if !known {
				continue
			}
			out.Changed++
			if now == project.Red {
				out.TurnedRed++
				if err := tx.notifyRed(ctx, p, ws, d.Industries[p.IndustryID]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
