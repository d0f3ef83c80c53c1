package httpapi

import (
	"net/http"

	"github.com/chanye-org/chanye"
)

// listsService returns the list service, or ENOTFOUND without one.
func (s *server) listsService() (chanye.OrgUnitService, error) {
	if s.lists == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置名单 / no lists configured")
	}
	return s.lists, nil
}

// listOrgUnits returns the lists by kind, each in its order: the order
// every page and scorecard shows them in.
func (s *server) listOrgUnits(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.listsService()
	if err != nil {
		return err
	}
	q, err := query(r, "kind", "retired")
	if err != nil {
		return err
	}
	var f chanye.OrgUnitFilter
	if v, ok := q["kind"]; ok {
		k := chanye.OrgKind(v)
		if !k.Valid() {
			return paramError("kind", "须为 leader、department 或 task_force", "must be leader, department or task_force")
		}
		f.Kind = &k
	}
	if v, ok := q["retired"]; ok {
		switch v {
		case "true", "false":
			f.Retired = new(v == "true")
		default:
			return paramError("retired", "须为 true 或 false", "must be true or false")
		}
	}
	us, err := svc.FindOrgUnits(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(us))
}

// orgUnitBody is the body of POST /api/v1/org-units.
type orgUnitBody struct {
	Kind   chanye.OrgKind `json:"kind"`
	NameZH string         `json:"name_zh"`
	NameEN string         `json:"name_en"`
}

func (s *server) createOrgUnit(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.listsService()
	if err != nil {
		return err
	}
	var body orgUnitBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	u := &chanye.OrgUnit{Kind: body.Kind, NameZH: body.NameZH, NameEN: body.NameEN}
	if err := svc.CreateOrgUnit(r.Context(), u); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, u)
}

func (s *server) patchOrgUnit(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.listsService()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var upd chanye.OrgUnitUpdate
	if err := s.decodeJSON(w, r, &upd); err != nil {
		return err
	}
	u, err := svc.UpdateOrgUnit(r.Context(), id, upd)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *server) orgUnitUses(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.listsService()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	uses, err := svc.FindOrgUnitUses(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(uses))
}
