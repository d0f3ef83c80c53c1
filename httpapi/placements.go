package httpapi

import (
	"net/http"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
)

// Placement (挂链) and diagnosis: which firms sit on which links, by rule,
// by hand or by file, and each link judged strong, weak or missing against
// editable thresholds.

// placementsService returns the placements service, or ENOTFOUND.
func (s *server) placementsService() (chain.Placements, error) {
	if s.placements == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置挂链 / no placement configured")
	}
	return s.placements, nil
}

// placeAll places every enterprise by the rule (administrators).
func (s *server) placeAll(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementsService()
	if err != nil {
		return err
	}
	run, err := svc.PlaceAll(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, run)
}

// diagnosisView is an industry's chain judged link by link.
type diagnosisView struct {
	IndustryID string            `json:"industry_id"`
	Year       int               `json:"year"`       // the fiscal year of the figures; 0 before any placement
	PlacedAt   *time.Time        `json:"placed_at"`  // the placement the figures come from; null before any
	Thresholds chain.Thresholds  `json:"thresholds"` // in force
	Counts     map[string]int    `json:"counts"`     // links per verdict
	Links      []diagnosisLinkVw `json:"links"`      // in the chain's order
}

type diagnosisLinkVw struct {
	*chain.Diagnosis
	Change chain.Reason `json:"change"`
}

func (s *server) chainDiagnosis(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementsService()
	if err != nil {
		return err
	}
	chains, err := s.chainsService()
	if err != nil {
		return err
	}
	set, ch, err := findChain(r, chains)
	if err != nil {
		return err
	}
	ctx := r.Context()
	run, err := svc.LastPlaceRun(ctx)
	if err != nil {
		return err
	}
	th, err := svc.FindThresholds(ctx)
	if err != nil {
		return err
	}
	v := diagnosisView{IndustryID: ch.IndustryID, Thresholds: th, Counts: map[string]int{}, Links: []diagnosisLinkVw{}}
	stats := map[string]map[int]*chain.LinkStats{}
	if run != nil {
		v.Year, v.PlacedAt = run.Year, &run.At
		if stats, err = svc.FindLinkStats(ctx, run.Year); err != nil {
			return err
		}
	}
	one := &chain.Set{City: set.City, Sources: set.Sources, Chains: []*chain.Chain{ch}}
	for _, d := range th.Diagnose(one, stats, v.Year) {
		v.Counts[string(d.Verdict)]++
		v.Links = append(v.Links, diagnosisLinkVw{Diagnosis: d, Change: d.Change()})
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *server) listPlacements(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementsService()
	if err != nil {
		return err
	}
	q, err := query(r, "offset", "limit")
	if err != nil {
		return err
	}
	offset, limit := 0, 50
	if v, ok := q["offset"]; ok {
		if offset, err = queryInt("offset", v, 0, 1<<31-1); err != nil {
			return err
		}
	}
	if v, ok := q["limit"]; ok {
		if limit, err = queryInt("limit", v, 1, chain.MaxPlacePage); err != nil {
			return err
		}
	}
	ps, total, err := svc.FindPlacements(r.Context(), r.PathValue("link"), offset, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(ps, total, offset, limit))
}

func (s *server) placeFirm(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementsService()
	if err != nil {
		return err
	}
	var body struct {
		Code string `json:"code"`
		Note string `json:"note"`
	}
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	x := &chain.Placement{LinkID: r.PathValue("link"), Code: body.Code, Note: body.Note, Source: chain.ByHand}
	if err := svc.Place(r.Context(), x); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, x)
}

func (s *server) unplaceFirm(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementsService()
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	x, err := svc.Unplace(r.Context(), r.PathValue("link"), r.PathValue("code"), body.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}

func (s *server) listRemovals(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementsService()
	if err != nil {
		return err
	}
	xs, err := svc.FindRemovals(r.Context(), r.PathValue("industry"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(xs))
}

func (s *server) undoRemoval(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementsService()
	if err != nil {
		return err
	}
	x, err := svc.UndoRemoval(r.Context(), r.PathValue("link"), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}

func (s *server) getThresholds(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementsService()
	if err != nil {
		return err
	}
	th, err := svc.FindThresholds(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, th)
}

func (s *server) putThresholds(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementsService()
	if err != nil {
		return err
	}
	var th chain.Thresholds
	if err := s.decodeJSON(w, r, &th); err != nil {
		return err
	}
	if err := svc.PutThresholds(r.Context(), th); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, th)
}

func (s *server) enterprisePlacements(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.placementsService()
	if err != nil {
		return err
	}
	ps, err := svc.FindEnterprisePlacements(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(ps))
}

func (s *server) getScope(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.enterprises.FindScope(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sc)
}

func (s *server) putScope(w http.ResponseWriter, r *http.Request) error {
	var sc chanye.Scope
	if err := s.decodeJSON(w, r, &sc); err != nil {
		return err
	}
	if err := s.enterprises.PutScope(r.Context(), r.PathValue("code"), &sc); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sc)
}
