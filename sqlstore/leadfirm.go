package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
)

var _ chain.LeadFirmService = (*Store)(nil)

const leadFirmColumns = `f.id, f.industry_id, f.code, COALESCE(e.name, ''), f.designated_on, f.source, f.scores, f.note, f.ended_on, f.created_by`

const leadFirmFrom = ` FROM chain_lead_firms f LEFT JOIN enterprises e ON e.code = f.code`

func scanLeadFirm(row interface{ Scan(...any) error }) (*chain.LeadFirm, error) {
	var (
		x         chain.LeadFirm
		on, ended string
		scores    string
	)
	if err := row.Scan(&x.ID, &x.IndustryID, &x.Code, &x.Name, &on, &x.Source, &scores, &x.Note, &ended, &x.By); err != nil {
		return nil, err
	}
	var err error
	if x.DesignatedOn, err = parseDate(sql.NullString{String: on, Valid: true}); err != nil {
		return nil, err
	}
	if ended != "" {
		if x.EndedOn, err = parseDate(sql.NullString{String: ended, Valid: true}); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal([]byte(scores), &x.Scores); err != nil {
		return nil, err
	}
	return &x, nil
}

// FindLeadFirms returns an industry's 链主 designations, current first,
// then the latest designated first.
func (s *Store) FindLeadFirms(ctx context.Context, industryID string) ([]*chain.LeadFirm, error) {
	var out []*chain.LeadFirm
	err := s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, `SELECT `+leadFirmColumns+leadFirmFrom+` WHERE f.industry_id = ?
			ORDER BY CASE WHEN f.ended_on = '' THEN 0 ELSE 1 END, f.designated_on DESC, f.created_at, f.code, f.id`, industryID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			x, err := scanLeadFirm(rows)
			if err != nil {
				return err
			}
			out = append(out, x)
		}
		return rows.Err()
	})
	if out == nil {
		out = []*chain.LeadFirm{}
	}
	return out, err
}

// DesignateLeadFirm stores a designation. EINVALID, ENOTFOUND, ECONFLICT.
func (s *Store) DesignateLeadFirm(ctx context.Context, x *chain.LeadFirm) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	if err := x.Validate(); err != nil {
		return err
	}
	if x.DesignatedOn.After(s.db.Now()) {
		return chanye.Invalid("链主认定有误 / invalid 链主 designation", map[string]string{"designated_on": "不能晚于今天 / cannot be in the future"})
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		if _, err := findIndustry(ctx, tx, x.IndustryID); err != nil {
			return err
		}
		var name string
		if err := tx.queryRow(ctx, `SELECT name FROM enterprises WHERE code = ?`, x.Code).Scan(&name); err == sql.ErrNoRows {
			return chanye.Invalid("链主认定有误 / invalid 链主 designation", map[string]string{"code": "企业库中没有该企业 / no such enterprise in the registry"})
		} else if err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM chain_lead_firms WHERE industry_id = ? AND code = ? AND ended_on = ''`, x.IndustryID, x.Code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return chanye.Errorf(chanye.ECONFLICT, "该企业已是本产业链的链主 / the firm is already a 链主 of this chain")
		}
		scores, err := json.Marshal(x.Scores)
		if err != nil {
			return err
		}
		x.Name, x.By, x.EndedOn = name, by, chanye.Date{}
		if err := tx.queryRow(ctx, `INSERT INTO chain_lead_firms (industry_id, code, designated_on, source, scores, note, ended_on, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, '', ?, ?) RETURNING id`, x.IndustryID, x.Code, x.DesignatedOn.String(), x.Source, string(scores), x.Note, by, tx.now.UnixMilli()).Scan(&x.ID); err != nil {
			return err
		}
		return tx.audit(ctx, "designate", "lead_firm", x.IndustryID+"/"+x.Code, nil, x)
	})
}

// EndLeadFirm ends a designation on a day. ENOTFOUND, ECONFLICT, EINVALID.
func (s *Store) EndLeadFirm(ctx context.Context, industryID string, id int64, on chanye.Date) (*chain.LeadFirm, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out *chain.LeadFirm
	err := s.db.transact(ctx, false, func(tx *txn) error {
		x, err := scanLeadFirm(tx.queryRow(ctx, `SELECT `+leadFirmColumns+leadFirmFrom+` WHERE f.id = ? AND f.industry_id = ?`, id, industryID))
		if err == sql.ErrNoRows {
			return chanye.Errorf(chanye.ENOTFOUND, "链主认定 %d 不存在 / designation %d not found", id, id)
		} else if err != nil {
			return err
		}
		switch {
		case !x.EndedOn.IsZero():
			return chanye.Errorf(chanye.ECONFLICT, "该认定已于 %s 结束 / the designation ended on %s", x.EndedOn, x.EndedOn)
		case on.IsZero() || on.Before(x.DesignatedOn.Time) || on.After(tx.now):
			return chanye.Invalid("链主认定有误 / invalid 链主 designation", map[string]string{"ended_on": "须在认定日与今天之间 / must fall between the designation and today"})
		}
		before := *x
		x.EndedOn = on
		if _, err := tx.exec(ctx, `UPDATE chain_lead_firms SET ended_on = ? WHERE id = ?`, on.String(), id); err != nil {
			return err
		}
		out = x
		return tx.audit(ctx, "end", "lead_firm", x.IndustryID+"/"+x.Code, &before, x)
	})
	return out, err
}
