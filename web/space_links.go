package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/space"
)

// The industrial space on the pages of what it is held for: a key
// project's holds and allocations and a link that routes its needs, a 招商
// lead's holds and the link to its candidate spaces.

// forSpace is the space of a project or a lead on its page.
type forSpace struct {
	RouteHref string
	Holds     []spaceHoldRow
	Allocs    []spaceAllocRow
	// ReadsHolds says the reader sees holds (the officials).
	ReadsHolds bool
}

// spaceHoldRow is a hold on the page of what it is for.
type spaceHoldRow struct {
	*space.Hold
	Unit, UnitHref, StatusName string
}

// spaceAllocRow is an allocation on the page of what it is for.
type spaceAllocRow struct {
	allocRow
	Unit, UnitHref string
}

// forSpaceOf reads the holds of what kind k and id name, and the
// allocations for it among those of firm code ("" none); nil when the
// space is not served.
func (s *Server) forSpaceOf(r *http.Request, k space.ForKind, id, code string) (*forSpace, error) {
	svc, err := s.spaceServices()
	if err != nil {
		return nil, nil
	}
	ctx, l := r.Context(), langOf(r)
	out := &forSpace{RouteHref: "/space/route?" + url.Values{string(k): {id}}.Encode()}
	// A unit is named and linked for those who read it: an enterprise
	// reads the available units only, not the one it was given.
	unit := func(unitID int64) (string, string) {
		if u, err := svc.Inventory.FindUnitByID(ctx, unitID); err == nil {
			return l.Pick(u.Kind.NameZH(), u.Kind.NameEN()) + " " + u.Code, "/space/units/" + strconv.FormatInt(unitID, 10)
		}
		return "#" + strconv.FormatInt(unitID, 10), ""
	}
	hs, _, err := svc.Allocations.FindHolds(ctx, space.HoldFilter{ForKind: &k, ForID: &id, Limit: space.MaxPage})
	switch {
	case err == nil:
		out.ReadsHolds = true
		for _, h := range hs {
			row := spaceHoldRow{Hold: h, StatusName: l.Pick(h.Status.NameZH(), h.Status.NameEN())}
			row.Unit, row.UnitHref = unit(h.UnitID)
			out.Holds = append(out.Holds, row)
		}
	case !hidden(err):
		return nil, err
	}
	if code == "" {
		return out, nil
	}
	xs, _, err := svc.Allocations.FindAllocations(ctx, space.AllocationFilter{Code: &code, Limit: space.MaxPage})
	if hidden(err) {
		return out, nil
	} else if err != nil {
		return nil, err
	}
	today := chanye.DateOf(s.now())
	for _, x := range xs {
		if x.ForKind != k || x.ForID != id {
			continue
		}
		row := spaceAllocRow{allocRow: newAllocRow(l, x, today)}
		row.Unit, row.UnitHref = unit(x.UnitID)
		out.Allocs = append(out.Allocs, row)
	}
	return out, nil
}

// projectSpace is a key project's space: its holds, the allocations to
// its owner for it, and the link that routes it.
func (s *Server) projectSpace(r *http.Request, p *project.Project) (*forSpace, error) {
	return s.forSpaceOf(r, space.ForProject, p.ID, p.OwnerCode)
}

// leadSpace is a 招商 lead's space: its holds, the allocations for it to
// the firm it became, and the link to its candidate spaces.
func (s *Server) leadSpace(r *http.Request, x *invest.Lead) (*forSpace, error) {
	return s.forSpaceOf(r, space.ForLead, strconv.FormatInt(x.ID, 10), x.EnterpriseCode)
}
