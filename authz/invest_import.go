package authz

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
)

// ImportLeads is loading 招商 leads from a file. investRules grants it as
// WriteInvestLeads, narrower for a department: administrators import any
// lead; a task force its industry's; a department the leads it owns
// within the industries it leads; a district the leads it owns.
const ImportLeads Action = "import 招商 leads"

type leadImports struct {
	inner   invest.LeadImporter
	targets invest.TargetService
	cat     chanye.CatalogService
}

// LeadImports returns inner guarded by investRules. targets, unguarded,
// gives each row's industry (its target's).
func LeadImports(inner invest.LeadImporter, targets invest.TargetService, cat chanye.CatalogService) invest.LeadImporter {
	return &leadImports{inner: inner, targets: targets, cat: cat}
}

var _ invest.LeadImporter = (*leadImports)(nil)

// ImportLeads checks every row as it will be stored; an Own grant that
// does not cover some rows refuses the file, EFORBIDDEN naming each such
// row (rows[N].target_id for an industry not the actor's, rows[N].owner_name
// for a lead a department does not own). A row whose target does not exist
// is left to the store, which refuses the file for it.
func (s *leadImports) ImportLeads(ctx context.Context, rows []*invest.Lead) (int, error) {
	a, g, err := check(ctx, investRules, ImportLeads)
	if err != nil {
		return 0, err
	}
	if g == Own {
		if err := s.own(ctx, a, rows); err != nil {
			return 0, err
		}
	}
	return s.inner.ImportLeads(ctx, rows)
}

// own refuses the rows an Own grant does not cover.
func (s *leadImports) own(ctx context.Context, a *chanye.Actor, rows []*invest.Lead) error {
	led, err := ledIndustries(ctx, s.cat, a)
	if err != nil {
		return err
	}
	sc, err := leadScope(ctx, s.cat, a, false)
	if err != nil {
		return err
	}
	industry := map[int64]string{} // target → industry; "" for no such target
	bad := map[string]string{}
	for i, l := range rows {
		ind, seen := industry[l.TargetID]
		if !seen {
			t, err := s.targets.FindTargetByID(ctx, l.TargetID)
			switch {
			case err == nil:
				ind = t.IndustryID
			case chanye.ErrorCode(err) != chanye.ENOTFOUND:
				return err
			}
			industry[l.TargetID] = ind
		}
		if ind == "" {
			continue
		}
		next := *l
		next.IndustryID, next.OwnerName = ind, strings.TrimSpace(l.OwnerName)
		switch {
		case a.Role != chanye.RoleDistrict && !slices.Contains(led, ind): // a district's leads may be of any industry
			bad[fmt.Sprintf("rows[%d].target_id", i)] = fmt.Sprintf("招商对象属于产业 %s，不在你的职责范围 / the target is of industry %s, not one you answer for", ind, ind)
		case !inScope(sc, &next):
			bad[fmt.Sprintf("rows[%d].owner_name", i)] = "部门和区只导入本单位负责的线索 / a department or a district imports only the leads it owns"
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return chanye.NewError(chanye.EFORBIDDEN, fmt.Sprintf("%d 行超出职责范围，未导入 / %s (%s) may not import %d rows: nothing imported",
		len(bad), a.Name, a.Role, len(bad)), bad)
}
