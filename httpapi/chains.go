package httpapi

import (
	"mime"
	"net/http"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
)

// The industry chains (产业链): the structure is open data; a task force
// keeps its industry's chain, an administrator imports the whole set.

// chainsService returns the chains service, or ENOTFOUND without one.
func (s *server) chainsService() (chain.Service, error) {
	if s.chains == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置产业链 / no chains configured")
	}
	return s.chains, nil
}

// listChains returns the stored set: every chain with the sources.
func (s *server) listChains(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.chainsService()
	if err != nil {
		return err
	}
	set, err := svc.FindChains(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, set)
}

// chainView is one industry's chain with the sources it cites.
type chainView struct {
	*chain.Chain
	SourceList []chain.Source `json:"source_list"`
}

// findChain returns the chain of the path's industry. ENOTFOUND.
func findChain(r *http.Request, svc chain.Service) (*chain.Set, *chain.Chain, error) {
	set, err := svc.FindChains(r.Context())
	if err != nil {
		return nil, nil, err
	}
	ch := set.Chain(r.PathValue("industry"))
	if ch == nil {
		return nil, nil, chanye.Errorf(chanye.ENOTFOUND, "产业 %q 没有产业链 / industry %q has no chain", r.PathValue("industry"), r.PathValue("industry"))
	}
	return set, ch, nil
}

func (s *server) getChain(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.chainsService()
	if err != nil {
		return err
	}
	set, ch, err := findChain(r, svc)
	if err != nil {
		return err
	}
	v := chainView{Chain: ch, SourceList: []chain.Source{}}
	for _, src := range set.Sources {
		for _, id := range ch.Sources {
			if src.ID == id {
				v.SourceList = append(v.SourceList, src)
			}
		}
	}
	return writeJSON(w, http.StatusOK, v)
}

// putChain replaces one industry's chain; the body is the chain (its
// industry_id, when given, must be the path's).
func (s *server) putChain(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.chainsService()
	if err != nil {
		return err
	}
	var ch chain.Chain
	if err := s.decodeJSON(w, r, &ch); err != nil {
		return err
	}
	id := r.PathValue("industry")
	if ch.IndustryID != "" && ch.IndustryID != id {
		return fieldError("industry_id", "须与路径中的产业一致", "must be the path's industry", "")
	}
	ch.IndustryID = id
	imp, err := svc.PutChain(r.Context(), &ch)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, imp)
}

// importChains replaces the whole set with the body, a chains file (at
// most chain.MaxFileBytes).
func (s *server) importChains(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.chainsService()
	if err != nil {
		return err
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return chanye.Errorf(codeUnsupportedMedia, "请求体须为 application/json，而不是 %q / request body must be application/json, not %q", ct, ct)
		}
	}
	body, err := readBodyLimit(w, r, chain.MaxFileBytes)
	if err != nil {
		return err
	}
	c, err := s.catalog.FindCatalog(r.Context())
	if err != nil {
		return err
	}
	set, err := chain.Parse(body, c)
	if err != nil {
		return err
	}
	imp, err := svc.ImportChains(r.Context(), set)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, imp)
}

// leadFirmsService returns the 链主 service, or ENOTFOUND without one.
func (s *server) leadFirmsService() (chain.LeadFirmService, error) {
	if s.leadFirms == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置链主 / no 链主 designations configured")
	}
	return s.leadFirms, nil
}

func (s *server) listLeadFirms(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.leadFirmsService()
	if err != nil {
		return err
	}
	xs, err := svc.FindLeadFirms(r.Context(), r.PathValue("industry"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(xs))
}

// leadFirmBody is the body of a designation.
type leadFirmBody struct {
	Code         string        `json:"code"`
	DesignatedOn chanye.Date   `json:"designated_on"`
	Source       string        `json:"source"`
	Scores       []chain.Score `json:"scores"`
	Note         string        `json:"note"`
}

func (s *server) designateLeadFirm(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.leadFirmsService()
	if err != nil {
		return err
	}
	var body leadFirmBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	x := &chain.LeadFirm{IndustryID: r.PathValue("industry"), Code: body.Code, DesignatedOn: body.DesignatedOn, Source: body.Source,
		Scores: body.Scores, Note: body.Note}
	if err := svc.DesignateLeadFirm(r.Context(), x); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, x)
}

func (s *server) endLeadFirm(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.leadFirmsService()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		EndedOn chanye.Date `json:"ended_on"`
	}
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	x, err := svc.EndLeadFirm(r.Context(), r.PathValue("industry"), id, body.EndedOn)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}
