package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/request"
)

// Common problems (共性问题): the requests of one category from several
// firms on one chain link, or else one industry, grouped into an issue for
// the industry's task force.

var _ request.IssueService = (*Store)(nil)

// issueGroup is a candidate issue: its key and the requests that make it,
// with their enterprises.
type issueGroup struct {
	category, industry, link string
	requests                 []int64
	codes                    []string
	firms                    int
}

// GroupRequests raises the issues the ungrouped requests of the last
// GroupWindowDays make: per category and chain link first (a firm's
// placements), then per category and industry for those left, each with
// at least GroupMinFirms distinct firms. Each issue tells the industry's
// task force, records a "grouped" event on its requests and is audited.
func (s *Store) GroupRequests(ctx context.Context) (int, error) {
	by, err := actor(ctx)
	if err != nil {
		return 0, err
	}
	raised := 0
	err = s.db.transact(ctx, false, func(tx *txn) error {
		since := tx.now.AddDate(0, 0, -request.GroupWindowDays).UnixMilli()
		ungrouped := ` FROM requests r WHERE r.received_at >= ? AND NOT EXISTS (SELECT 1 FROM request_issue_members m WHERE m.code = r.code AND m.request_id = r.id)`
		taken := map[int64]bool{}
		// By chain link first, then by industry for the requests left.
		for _, pass := range []string{
			`SELECT r.category_id, p.industry_id, p.link_id, r.id, r.code` + strings.Replace(ungrouped, " WHERE ", " JOIN chain_placements p ON p.code = r.code WHERE ", 1) +
				` ORDER BY r.category_id, p.link_id, r.received_at, r.code, r.id`,
			`SELECT r.category_id, r.industry_id, '', r.id, r.code` + ungrouped + ` AND r.industry_id <> '' ORDER BY r.category_id, r.industry_id, r.received_at, r.code, r.id`,
		} {
			rows, err := tx.query(ctx, pass, since)
			if err != nil {
				return err
			}
			var groups []*issueGroup
			byKey := map[string]*issueGroup{}
			for rows.Next() {
				var (
					g    issueGroup
					id   int64
					code string
				)
				if err := rows.Scan(&g.category, &g.industry, &g.link, &id, &code); err != nil {
					rows.Close()
					return err
				}
				key := g.category + "|" + g.industry + "|" + g.link
				x := byKey[key]
				if x == nil {
					x = &issueGroup{category: g.category, industry: g.industry, link: g.link}
					byKey[key] = x
					groups = append(groups, x)
				}
				x.requests, x.codes = append(x.requests, id), append(x.codes, code)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, g := range groups {
				// The requests not taken by an issue of this sweep already
				// (a firm on two links), and their distinct firms.
				var ids []int64
				firms := map[string]bool{}
				for i, id := range g.requests {
					if !taken[id] {
						ids = append(ids, id)
						firms[g.codes[i]] = true
					}
				}
				if g.firms = len(firms); g.firms < request.GroupMinFirms {
					continue
				}
				if err := s.raiseIssue(ctx, tx, g, ids, by); err != nil {
					return err
				}
				for _, id := range ids {
					taken[id] = true
				}
				raised++
			}
		}
		return nil
	})
	return raised, err
}

// raiseIssue stores one issue of the requests ids.
func (s *Store) raiseIssue(ctx context.Context, tx *txn, g *issueGroup, ids []int64, by string) error {
	taskForce := ""
	if ind, err := findIndustry(ctx, tx, g.industry); err == nil {
		taskForce = ind.Responsibility.TaskForce
	} else if chanye.ErrorCode(err) != chanye.ENOTFOUND {
		return err
	}
	firms := g.firms
	var id int64
	if err := tx.queryRow(ctx, `INSERT INTO request_issues (category_id, industry_id, link_id, task_force, firms, raised_at, solved_at, note)
		VALUES (?, ?, ?, ?, ?, ?, 0, '') RETURNING id`, g.category, g.industry, g.link, taskForce, firms, tx.now.UnixMilli()).Scan(&id); err != nil {
		return err
	}
	where := "产业 " + g.industry
	if g.link != "" {
		where = "产业链环节 " + g.link
	}
	note := fmt.Sprintf("与 %d 家企业的同类诉求归为共性问题 #%d（%s），提交专班统筹解决 / grouped with %d firms' requests into issue #%d", firms, id, where, firms, id)
	for _, rid := range ids {
		var (
			code string
			st   request.Status
		)
		if err := tx.queryRow(ctx, `SELECT code, status FROM requests WHERE id = ?`, rid).Scan(&code, &st); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO request_issue_members (code, request_id, issue_id) VALUES (?, ?, ?)`, code, rid, id); err != nil {
			return err
		}
		if err := tx.requestEvents(ctx, code, rid, []*request.Event{{Action: "grouped", From: st, To: st, By: by, At: tx.now, Note: note}}); err != nil {
			return err
		}
	}
	title := fmt.Sprintf("共性问题 #%d：%d 家企业的%s类诉求（%s）", id, firms, g.category, where)
	m := notify.Message{Kind: notify.Request, Subject: fmt.Sprintf("request-issue/%d", id), Link: "/requests/issues#issue-" + itoa(id),
		TitleZH: truncRunes(title, 200), TitleEN: truncRunes(fmt.Sprintf("Common issue #%d: %s requests of %d firms (%s)", id, g.category, firms, g.industry+" "+g.link), 200),
		BodyZH: note, BodyEN: note}
	to := []notify.Scope{notify.Admins}
	if g.industry != "" {
		to = []notify.Scope{notify.TaskForce(g.industry)}
	}
	if err := tx.notify(ctx, m, to...); err != nil {
		return err
	}
	return tx.audit(ctx, "raise", "request_issue", itoa(id), nil, map[string]any{"category_id": g.category, "industry_id": g.industry,
		"link_id": g.link, "firms": firms, "requests": ids})
}

// FindIssues returns the issues with their members, open first, the latest
// first (at most 500).
func (s *Store) FindIssues(ctx context.Context, f request.IssueFilter) ([]*request.Issue, error) {
	var w where
	if f.IndustryIDs != nil {
		if len(f.IndustryIDs) == 0 {
			return []*request.Issue{}, nil
		}
		w.add("x.industry_id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.IndustryIDs)), ",")+")", anys(f.IndustryIDs)...)
	}
	if f.Open {
		w.add("x.solved_at = 0")
	}
	var out []*request.Issue
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findIssues(ctx, tx, w)
		return err
	})
	return out, err
}

func findIssues(ctx context.Context, tx *txn, w where) ([]*request.Issue, error) {
	out := []*request.Issue{}
	rows, err := tx.query(ctx, `SELECT x.id, x.category_id, x.industry_id, x.link_id, x.task_force, x.firms, x.raised_at, x.solved_at, x.note
		FROM request_issues x`+w.String()+` ORDER BY CASE WHEN x.solved_at = 0 THEN 0 ELSE 1 END, x.id DESC LIMIT 500`, w.args...)
	if err != nil {
		return nil, err
	}
	by := map[int64]*request.Issue{}
	for rows.Next() {
		var (
			x              request.Issue
			raised, solved int64
		)
		if err := rows.Scan(&x.ID, &x.CategoryID, &x.IndustryID, &x.LinkID, &x.TaskForce, &x.Firms, &raised, &solved, &x.Note); err != nil {
			rows.Close()
			return nil, err
		}
		x.RaisedAt, x.SolvedAt, x.Solved = fromMs(raised), fromMs(solved), solved != 0
		x.Members = []request.IssueMember{}
		out = append(out, &x)
		by[x.ID] = &x
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	args := make([]any, len(out))
	for i, x := range out {
		args[i] = x.ID
	}
	rows, err = tx.query(ctx, `SELECT m.issue_id, r.id, r.code, COALESCE(e.name, ''), r.title, r.status FROM request_issue_members m
		JOIN requests r ON r.code = m.code AND r.id = m.request_id LEFT JOIN enterprises e ON e.code = r.code
		WHERE m.issue_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(out)), ",")+`) ORDER BY m.issue_id, r.received_at, r.code, r.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id int64
			m  request.IssueMember
		)
		if err := rows.Scan(&id, &m.RequestID, &m.Code, &m.EnterpriseName, &m.Title, &m.Status); err != nil {
			return nil, err
		}
		by[id].Members = append(by[id].Members, m)
	}
	return out, rows.Err()
}

// SolveIssue records how an issue was solved, audited.
func (s *Store) SolveIssue(ctx context.Context, id int64, note string) (*request.Issue, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if n := utf8.RuneCountInString(note); n == 0 || n > request.MaxTextRunes {
		return nil, chanye.Invalid("共性问题办结有误 / invalid solution", map[string]string{"note": fmt.Sprintf("须写明解决情况（1–%d 个字符）/ say how it was solved (1–%d characters)", request.MaxTextRunes, request.MaxTextRunes)})
	}
	var out *request.Issue
	err := s.db.transact(ctx, false, func(tx *txn) error {
		var solved int64
		err := tx.queryRow(ctx, `SELECT solved_at FROM request_issues WHERE id = ?`, id).Scan(&solved)
		if errors.Is(err, sql.ErrNoRows) {
			return chanye.Errorf(chanye.ENOTFOUND, "共性问题 %d 不存在 / no issue %d", id, id)
		} else if err != nil {
			return err
		}
		if solved != 0 {
			return chanye.Errorf(chanye.ECONFLICT, "共性问题 %d 已办结 / issue %d is solved already", id, id)
		}
		if _, err := tx.exec(ctx, `UPDATE request_issues SET solved_at = ?, note = ? WHERE id = ?`, tx.now.UnixMilli(), note, id); err != nil {
			return err
		}
		if err := tx.audit(ctx, "solve", "request_issue", itoa(id), nil, map[string]any{"note": note}); err != nil {
			return err
		}
		var w where
		w.add("x.id = ?", id)
		xs, err := findIssues(ctx, tx, w)
		if err == nil && len(xs) == 1 {
			out = xs[0]
		}
		return err
	})
	return out, err
}
