package httpapi

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"

	// scen: the package tests declare a type named scenario.
	scen "github.com/chanye-org/chanye/scenario"
)

// Application scenarios (首试首用): the calls, their applications (揭榜),
// the panel's review, the steps to first use and procurement, the year's
// progress against the target, and open feeds (JSON and Atom) of the
// published ones.

// ScenarioServices serves the scenarios; each is guarded by authz.
// Without Files the applications' attachments answer 404.
type ScenarioServices struct {
	Scenarios    scen.ScenarioService
	Applications scen.ApplicationService
	Reviews      scen.ReviewService
	Files        scen.FileService
}

func (s *server) withScenarios(h func(http.ResponseWriter, *http.Request, *ScenarioServices) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.scenarios == nil {
			return chanye.Errorf(chanye.ENOTFOUND, "未配置应用场景 / no application scenarios configured")
		}
		return h(w, r, s.scenarios)
	}
}

// scenarioFilter reads the list's query: status, industry, offerer_kind,
// year, offset, limit.
func scenarioFilter(r *http.Request) (scen.Filter, error) {
	q, err := query(r, "status", "industry", "offerer_kind", "year", "offset", "limit")
	if err != nil {
		return scen.Filter{}, err
	}
	var f scen.Filter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return f, err
	}
	if v, ok := q["status"]; ok {
		st := scen.Status(v)
		f.Status = &st
	}
	if v, ok := q["industry"]; ok {
		f.IndustryID = &v
	}
	if v, ok := q["offerer_kind"]; ok {
		k := scen.OffererKind(v)
		f.OffererKind = &k
	}
	if v, ok := q["year"]; ok {
		y, err := queryInt("year", v, scen.MinYear, scen.MaxYear)
		if err != nil {
			return f, err
		}
		f.Year = &y
	}
	return f, f.Validate()
}

func (s *server) listScenarios(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	f, err := scenarioFilter(r)
	if err != nil {
		return err
	}
	out, total, err := svc.Scenarios.FindScenarios(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(out, total, f.Offset, f.Limit))
}

func (s *server) createScenario(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	var x scen.Scenario
	if err := s.decodeJSON(w, r, &x); err != nil {
		return err
	}
	if err := svc.Scenarios.CreateScenario(r.Context(), &x); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/scenarios/"+strconv.FormatInt(x.ID, 10))
	return writeJSON(w, http.StatusCreated, &x)
}

func (s *server) getScenario(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	return byID(w, r, svc.Scenarios.FindScenarioByID)
}

func (s *server) patchScenario(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	return byIDWith(s, w, r, svc.Scenarios.UpdateScenario)
}

func (s *server) listScenarioEvents(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	evs, err := svc.Scenarios.FindScenarioEvents(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(evs))
}

func (s *server) moveScenario(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	return byIDWith(s, w, r, svc.Scenarios.MoveScenario)
}

func (s *server) getScenarioProgress(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	q, err := query(r, "year")
	if err != nil {
		return err
	}
	year := chanye.DateOf(s.now()).Year()
	if v, ok := q["year"]; ok {
		if year, err = queryInt("year", v, scen.MinYear, scen.MaxYear); err != nil {
			return err
		}
	}
	p, err := svc.Scenarios.FindProgress(r.Context(), year)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// Applications.

// listScenarioApplications lists one scenario's applications (the path's
// id) or, at /api/v1/scenario-applications, the caller's own: an
// enterprise's, filtered by ?status=.
func (s *server) listScenarioApplications(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	q, err := query(r, "status", "offset", "limit")
	if err != nil {
		return err
	}
	var f scen.ApplicationFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if r.PathValue("id") != "" {
		id, err := pathInt(r, "id")
		if err != nil {
			return err
		}
		f.ScenarioID = &id
	}
	if v, ok := q["status"]; ok {
		st := scen.ApplicationStatus(v)
		f.Status = &st
	}
	if err := f.Validate(); err != nil {
		return err
	}
	out, total, err := svc.Applications.FindScenarioApplications(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(out, total, f.Offset, f.Limit))
}

// scenarioApplicationBody is what an enterprise sends to apply: its solution; the
// code is the enterprise's own (the caller's when left out).
type scenarioApplicationBody struct {
	Code     string `json:"code"`
	Solution string `json:"solution"`
}

func (s *server) applyToScenario(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var b scenarioApplicationBody
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	a := scen.Application{ScenarioID: id, Code: ownCode(r, b.Code), Solution: b.Solution}
	if err := svc.Applications.CreateScenarioApplication(r.Context(), &a); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/scenario-applications/"+strconv.FormatInt(a.ID, 10))
	return writeJSON(w, http.StatusCreated, &a)
}

func (s *server) getScenarioApplication(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	return byID(w, r, svc.Applications.FindScenarioApplicationByID)
}

func (s *server) withdrawScenarioApplication(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	return byID(w, r, svc.Applications.WithdrawScenarioApplication)
}

// scenarioFiles returns the applications' attachments, ENOTFOUND when not
// served.
func scenarioFiles(svc *ScenarioServices) (scen.FileService, error) {
	if svc.Files == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置揭榜附件 / no application files configured")
	}
	return svc.Files, nil
}

// attachScenarioFile takes the body as the file (?name= its name), as a
// request's attachment is taken.
func (s *server) attachScenarioFile(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	files, err := scenarioFiles(svc)
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	q, err := query(r, "name")
	if err != nil {
		return err
	}
	data, err := readAttachment(w, r)
	if err != nil {
		return err
	}
	f, err := files.AttachScenarioFile(r.Context(), id, q["name"], data)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/scenario-applications/%d/files/%d", id, f.ID))
	return writeJSON(w, http.StatusCreated, f)
}

func (s *server) listScenarioFiles(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	files, err := scenarioFiles(svc)
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	fs, err := files.FindScenarioFiles(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(fs))
}

// getScenarioFile downloads a file as an attachment, never rendered
// inline.
func (s *server) getScenarioFile(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	files, err := scenarioFiles(svc)
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	fid, err := pathInt(r, "file")
	if err != nil {
		return err
	}
	f, data, err := files.FindScenarioFile(r.Context(), id, fid)
	if err != nil {
		return err
	}
	ServeAttachment(w, &policy.Attachment{Name: f.Name, ContentType: f.ContentType}, data)
	return nil
}

// The review.

// panelBody is a scenario's panel: account names in order.
type panelBody struct {
	Members []string `json:"members"`
}

func (s *server) getScenarioPanel(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	ms, err := svc.Reviews.FindPanel(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, panelBody{Members: ms})
}

func (s *server) putScenarioPanel(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var b panelBody
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	if err := svc.Reviews.SetPanel(r.Context(), id, b.Members); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

// conflictBody is a member's declaration: the application and why; the
// member is the caller.
type conflictBody struct {
	ApplicationID int64  `json:"application_id"`
	Reason        string `json:"reason"`
}

func (s *server) declareScenarioConflict(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	var b conflictBody
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	c := scen.Conflict{ApplicationID: b.ApplicationID, Member: chanye.ActorFrom(r.Context()).Name, Reason: b.Reason}
	if err := svc.Reviews.DeclareConflict(r.Context(), &c); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, &c)
}

// scoresBody is scores a member gives; the member is the caller.
type scoresBody struct {
	Scores []struct {
		ApplicationID int64  `json:"application_id"`
		CriterionID   string `json:"criterion_id"`
		Points        int    `json:"points"`
	} `json:"scores"`
}

// reviewBody is a scenario's review as the API shows it.
type reviewBody struct {
	Scores    []scen.Score    `json:"scores"`
	Conflicts []scen.Conflict `json:"conflicts"`
}

func (s *server) putScenarioScores(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var b scoresBody
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	member := chanye.ActorFrom(r.Context()).Name
	scores := make([]scen.Score, len(b.Scores))
	for i, x := range b.Scores {
		scores[i] = scen.Score{ApplicationID: x.ApplicationID, Member: member, CriterionID: x.CriterionID, Points: x.Points}
	}
	if err := svc.Reviews.PutScores(r.Context(), id, scores); err != nil {
		return err
	}
	return s.getScenarioScores(w, r, svc)
}

func (s *server) getScenarioScores(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	sc, cs, err := svc.Reviews.FindScores(r.Context(), id)
	if err != nil {
		return err
	}
	if sc == nil {
		sc = []scen.Score{}
	}
	if cs == nil {
		cs = []scen.Conflict{}
	}
	return writeJSON(w, http.StatusOK, reviewBody{Scores: sc, Conflicts: cs})
}

func (s *server) getScenarioRanking(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	q, err := query(r, "partial")
	if err != nil {
		return err
	}
	var partial bool
	if v, ok := q["partial"]; ok {
		if partial, err = queryBool("partial", v); err != nil {
			return err
		}
	}
	rk, err := svc.Reviews.FindRanking(r.Context(), id, partial)
	if err != nil {
		return err
	}
	if rk.Entries == nil {
		rk.Entries = []scen.Entry{}
	}
	return writeJSON(w, http.StatusOK, rk)
}

// The feeds of published scenarios and their results.

// maxFeedItems bounds a feed: the latest published.
const maxFeedItems = 200

// feedItem is one published scenario in the JSON feed.
type feedItem struct {
	ID           int64       `json:"id"`
	URL          string      `json:"url"`
	Title        string      `json:"title"`
	Offerer      string      `json:"offerer"`
	IndustryID   string      `json:"industry_id"`
	Status       string      `json:"status"`
	StatusZH     string      `json:"status_zh"`
	PublishedOn  chanye.Date `json:"published_on"`
	Deadline     chanye.Date `json:"deadline"`
	FirstUseOn   chanye.Date `json:"first_use_on,omitzero"`
	ProcuredFen  *int64      `json:"procured_fen,omitempty"`
	CloseReason  string      `json:"close_reason,omitempty"`
	Requirements string      `json:"requirements"`
	Demo         bool        `json:"demo,omitempty"`
}

// publishedScenarios reads the latest published scenarios as the caller
// may see them (published only, whoever asks).
func publishedScenarios(r *http.Request, svc *ScenarioServices) ([]feedItem, error) {
	list, _, err := svc.Scenarios.FindScenarios(r.Context(), scen.Filter{PublicOnly: true, Limit: maxFeedItems})
	if err != nil {
		return nil, err
	}
	out := make([]feedItem, 0, len(list))
	for _, x := range list {
		it := feedItem{ID: x.ID, URL: fmt.Sprintf("/scenarios/%d", x.ID), Title: x.Title, Offerer: x.Offerer.Name, IndustryID: x.IndustryID,
			Status: string(x.Status), StatusZH: x.Status.NameZH(), PublishedOn: x.PublishedOn, Deadline: x.Deadline,
			FirstUseOn: x.FirstUseOn, CloseReason: x.CloseReason, Requirements: x.Requirements, Demo: x.Demo}
		if len(x.Procurements) > 0 {
			total, err := x.ProcuredFen()
			if err != nil {
				return nil, err
			}
			v := int64(total)
			it.ProcuredFen = &v
		}
		out = append(out, it)
	}
	return out, nil
}

func (s *server) scenarioFeedJSON(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	items, err := publishedScenarios(r, svc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(items))
}

// atomFeed is an Atom 1.0 feed (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Link    atomLink    `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Summary string `xml:"summary"`
}

// scenarioFeedAtom writes the published scenarios as Atom; each entry's
// summary says its stage and result in Chinese, demo ones marked 演示数据.
func (s *server) scenarioFeedAtom(w http.ResponseWriter, r *http.Request, svc *ScenarioServices) error {
	items, err := publishedScenarios(r, svc)
	if err != nil {
		return err
	}
	stamp := func(d chanye.Date) string { return d.Format(time.RFC3339) }
	f := atomFeed{ID: "urn:chanye:scenarios", Title: "应用场景（首试首用）/ Application scenarios", Updated: stamp(chanye.DateOf(s.now())),
		Link: atomLink{Href: "/scenarios", Rel: "alternate"}}
	for _, it := range items {
		e := atomEntry{ID: fmt.Sprintf("urn:chanye:scenario:%d", it.ID), Title: it.Title, Updated: stamp(it.PublishedOn), Link: atomLink{Href: it.URL}}
		if it.FirstUseOn.After(it.PublishedOn.Time) {
			e.Updated = stamp(it.FirstUseOn)
		}
		e.Author.Name = it.Offerer
		e.Summary = fmt.Sprintf("%s · 揭榜截止 %s", it.StatusZH, it.Deadline)
		if !it.FirstUseOn.IsZero() {
			e.Summary += " · 首试首用 " + it.FirstUseOn.String()
		}
		if it.ProcuredFen != nil {
			e.Summary += " · 采购 " + chanye.Fen(*it.ProcuredFen).Yuan() + " 元"
		}
		if it.CloseReason != "" {
			e.Summary += " · 未成：" + it.CloseReason
		}
		if it.Demo {
			e.Summary = "演示数据 · " + e.Summary
		}
		f.Entries = append(f.Entries, e)
	}
	b, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(append([]byte(xml.Header), b...))
	return err
}
