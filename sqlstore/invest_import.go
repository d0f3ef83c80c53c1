package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
)

var _ invest.LeadImporter = (*Store)(nil)

// ImportLeads stores the rows as new leads, all or none: EINVALID naming
// rows[N].field for every bad row. Each row is checked as CreateLead checks
// a lead (its target, the link, the owner: checkLead) and as of today by
// invest.Lead.ValidateImport; each lead gets the history ImportHistory
// gives; one audit entry records the import and the leads it made.
func (s *Store) ImportLeads(ctx context.Context, rows []*invest.Lead) (int, error) {
	by, err := actor(ctx)
	if err != nil {
		return 0, err
	}
	if len(rows) == 0 || len(rows) > invest.MaxLeadRows {
		return 0, chanye.Invalid("线索文件有误 / invalid leads",
			map[string]string{"rows": fmt.Sprintf("须有 1–%d 行 / must have 1–%d rows", invest.MaxLeadRows, invest.MaxLeadRows)})
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		bad, err := s.checkImportedLeads(ctx, tx, rows)
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			return chanye.Invalid(fmt.Sprintf("线索文件有 %d 处错误，未导入 / %d errors: nothing imported", len(bad), len(bad)), bad)
		}
		ids := make([]int64, len(rows))
		for i, l := range rows {
			if err := insertImportedLead(ctx, tx, l, by); err != nil {
				return err
			}
			ids[i] = l.ID
		}
		type summary struct {
			Rows int     `json:"rows"`
			IDs  []int64 `json:"ids"`
		}
		return tx.audit(ctx, "import", "invest_leads", "", nil, summary{len(rows), ids})
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// checkImportedLeads returns the field errors of every row, keyed
// rows[N].field, and fills each good row's industry, target name and
// default link from its target.
func (s *Store) checkImportedLeads(ctx context.Context, tx *txn, rows []*invest.Lead) (map[string]string, error) {
	today := chanye.DateOf(tx.now)
	bad := map[string]string{}
	targets := map[int64]*invest.Target{} // nil: no such target
	for i, l := range rows {
		prefix := fmt.Sprintf("rows[%d].", i)
		add := func(err error) {
			for k, v := range chanye.ErrorFields(err) {
				bad[prefix+k] = v
			}
		}
		add(l.ValidateImport(today))
		t, seen := targets[l.TargetID]
		if !seen && l.TargetID > 0 {
			var err error
			t, err = findTarget(ctx, tx, l.TargetID)
			if chanye.ErrorCode(err) == chanye.ENOTFOUND {
				t = nil
			} else if err != nil {
				return nil, err
			}
			targets[l.TargetID] = t
		}
		if t == nil {
			if l.TargetID > 0 {
				bad[prefix+"target_id"] = "招商对象不存在 / no such target"
			}
			continue
		}
		l.IndustryID, l.TargetName = t.IndustryID, t.Name
		if strings.TrimSpace(l.LinkID) == "" {
			l.LinkID = t.LinkID
		}
		if err := s.checkLead(ctx, tx, l, nil); chanye.ErrorCode(err) == chanye.EINVALID {
			add(err)
		} else if err != nil {
			return nil, err
		}
	}
	return bad, nil
}

// insertImportedLead writes a checked lead at its stage, with its history.
func insertImportedLead(ctx context.Context, tx *txn, l *invest.Lead, by string) error {
	l.ProjectID, l.EnterpriseCode = "", "" // a conversion's, never a file's
	l.CreatedAt, l.UpdatedAt, l.CreatedBy = tx.now, tx.now, by
	if err := tx.queryRow(ctx, `INSERT INTO invest_leads (target_id, industry_id, link_id, stage, stage_on, owner_kind, owner_name,
		expected_fen, next_action, next_action_on, signed_on, signed_fen, landed_on, lost_reason, project_id, enterprise_code,
		created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?) RETURNING id`,
		l.TargetID, l.IndustryID, l.LinkID, string(l.Stage), l.StageOn.String(), string(l.OwnerKind), l.OwnerName,
		fenArg(l.ExpectedFen), l.NextAction, dateArg(l.NextActionOn), dateArg(l.SignedOn), fenArg(l.SignedFen), dateArg(l.LandedOn),
		l.LostReason, tx.now.UnixMilli(), by, tx.now.UnixMilli()).Scan(&l.ID); err != nil {
		return err
	}
	for _, e := range l.ImportHistory(by) {
		if err := insertEvent(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}
