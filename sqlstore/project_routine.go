package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
)

// Projects as routine work: warnings closed (销号) and supervision items
// (督办). Every step writes its row, its event where the item has a
// history, and an audit entry in one transaction.

var _ project.ClosureService = (*Store)(nil)

const closureColumns = `id, project_id, rule_id, colour, month, message_zh, message_en, note,
	file_name, file_type, file_size, file_sha256, closed_by, closed_at`

func scanClosure(row interface{ Scan(...any) error }) (*project.Closure, error) {
	var c project.Closure
	var at int64
	if err := row.Scan(&c.ID, &c.ProjectID, &c.RuleID, &c.Colour, &c.Month, &c.MessageZH, &c.MessageEN, &c.Note,
		&c.File.Name, &c.File.ContentType, &c.File.Size, &c.File.SHA256, &c.ClosedBy, &at); err != nil {
		return nil, err
	}
	c.ClosedAt = fromMillis(sql.NullInt64{Int64: at, Valid: true})
	return &c, nil
}

func queryClosures(ctx context.Context, tx *txn, query string, args ...any) ([]*project.Closure, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*project.Closure
	for rows.Next() {
		c, err := scanClosure(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CloseWarning closes the open warning of a rule on a project as of the
// transaction's day. EINVALID, ENOTFOUND, ECONFLICT.
func (s *Store) CloseWarning(ctx context.Context, projectID, ruleID, note string, file project.Upload) (*project.Closure, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	note, file.Name = strings.TrimSpace(note), strings.TrimSpace(file.Name)
	if err := project.CheckClosure(note, file); err != nil {
		return nil, err
	}
	var out *project.Closure
	err = s.db.transact(ctx, false, func(tx *txn) error {
		p, err := findProject(ctx, tx, projectID)
		if err != nil {
			return err
		}
		today := chanye.DateOf(tx.now)
		rs, d, err := s.ruleData(ctx, tx, []*project.Project{p}, today)
		if err != nil {
			return err
		}
		var w *project.Warning
		for _, x := range project.Evaluate(rs, d, today) {
			if x.RuleID == ruleID {
				w = &x
			}
		}
		switch {
		case w == nil:
			return chanye.Errorf(chanye.ECONFLICT, "项目 %s 今日没有规则 %s 的预警，无需销号 / project %s has no warning of rule %s today", p.ID, ruleID, p.ID, ruleID)
		case w.Closed != nil:
			return chanye.Errorf(chanye.ECONFLICT, "项目 %s 规则 %s 的预警本月已销号 / the warning of rule %s on project %s is closed this month", p.ID, ruleID, ruleID, p.ID)
		}
		sum := sha256.Sum256(file.Data)
		c := &project.Closure{ProjectID: p.ID, RuleID: ruleID, Colour: w.Colour, Month: project.MonthOf(today),
			MessageZH: w.MessageZH, MessageEN: w.MessageEN, Note: note, ClosedBy: by, ClosedAt: tx.now,
			File: project.FileInfo{Name: file.Name, ContentType: file.ContentType, Size: int64(len(file.Data)), SHA256: hex.EncodeToString(sum[:])}}
		// The unique (project, rule, month) turns a concurrent second
		// closing into ECONFLICT.
		if err := tx.queryRow(ctx, `INSERT INTO project_warning_closures (project_id, rule_id, colour, month, message_zh, message_en, note,
			file_name, file_type, file_size, file_sha256, file_data, closed_by, closed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.ProjectID, c.RuleID, string(c.Colour), c.Month, c.MessageZH, c.MessageEN, c.Note,
			c.File.Name, c.File.ContentType, c.File.Size, c.File.SHA256, blob(file.Data), c.ClosedBy, tx.now.UnixMilli()).Scan(&c.ID); err != nil {
			return err
		}
		out = c
		return tx.audit(ctx, "close", "project_warning", fmt.Sprintf("%s/%s/%s", c.ProjectID, c.RuleID, c.Month), nil, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindClosures returns a project's closures, newest first. ENOTFOUND.
func (s *Store) FindClosures(ctx context.Context, projectID string) ([]*project.Closure, error) {
	var out []*project.Closure
	err := s.db.transact(ctx, true, func(tx *txn) error {
		p, err := findProject(ctx, tx, projectID)
		if err != nil {
			return err
		}
		out, err = queryClosures(ctx, tx, `SELECT `+closureColumns+` FROM project_warning_closures WHERE project_id = ? ORDER BY id DESC`, p.ID)
		return err
	})
	if out == nil && err == nil {
		out = []*project.Closure{}
	}
	return out, err
}

// FindClosureFile returns a closure with its evidence file. ENOTFOUND.
func (s *Store) FindClosureFile(ctx context.Context, projectID string, id int64) (*project.Closure, []byte, error) {
	var (
		c    *project.Closure
		data []byte
	)
	err := s.db.transact(ctx, true, func(tx *txn) error {
		var err error
		c, err = scanClosure(tx.queryRow(ctx, `SELECT `+closureColumns+` FROM project_warning_closures WHERE id = ? AND project_id = ?`, id, strings.TrimSpace(projectID)))
		if errors.Is(err, sql.ErrNoRows) {
			return chanye.Errorf(chanye.ENOTFOUND, "销号记录 %d 不存在 / no closure %d", id, id)
		} else if err != nil {
			return err
		}
		return tx.queryRow(ctx, `SELECT file_data FROM project_warning_closures WHERE id = ?`, id).Scan(&data)
	})
	if err != nil {
		return nil, nil, err
	}
	return c, data, nil
}

// truncRunes cuts s to at most n characters.
func truncRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
