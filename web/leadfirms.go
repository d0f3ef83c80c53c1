package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/chain"
)

// The 链主 of a chain on its page (issue 12): officials see the
// designations; those who may change the chain designate and end them.

// leadFirmRow is a designation as the chain page lists it.
type leadFirmRow struct {
	*chain.LeadFirm
	Href   string
	Scores string
}

// leadFirmsSection is the chain page's 链主 section; nil hides it.
type leadFirmsSection struct {
	Rows    []leadFirmRow
	MayEdit bool
	Today   string
	// The designation form, shown again with its errors.
	Form    url.Values
	Message string
	Errs    map[string]string
}

// leadFirmsOf reads the section for a, nil when a may not read 链主 or
// the pages have no 链主 service.
func (s *Server) leadFirmsOf(r *http.Request, a *chanye.Actor, ind *chanye.Industry, l Lang) (*leadFirmsSection, error) {
	if s.cfg.LeadFirms == nil || !may(a, authz.ChainRules(), authz.ReadLeads) {
		return nil, nil
	}
	xs, err := s.cfg.LeadFirms.FindLeadFirms(r.Context(), ind.ID)
	if err != nil {
		return nil, err
	}
	sec := &leadFirmsSection{MayEdit: mayEditChain(a, ind), Today: chanye.DateOf(s.now()).String()}
	for _, x := range xs {
		var scores []string
		for _, sc := range x.Scores {
			scores = append(scores, sc.Criterion+" "+strconv.Itoa(sc.Value))
		}
		sec.Rows = append(sec.Rows, leadFirmRow{LeadFirm: x, Href: "/enterprises/" + url.PathEscape(x.Code), Scores: strings.Join(scores, l.Pick("；", "; "))})
	}
	return sec, nil
}

// parseScores reads "criterion value" lines (also "criterion=value",
// "criterion：value"); a line it cannot read is named by its number.
func parseScores(text string) ([]chain.Score, map[string]string) {
	var out []chain.Score
	bad := map[string]string{}
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		for _, sep := range []string{"=", "：", ":"} {
			line = strings.ReplaceAll(line, sep, " ")
		}
		cut := strings.LastIndex(line, " ")
		v, err := strconv.Atoi(strings.TrimSpace(line[max(cut, 0):]))
		if cut < 0 || err != nil {
			bad["scores"] = "第 " + strconv.Itoa(i+1) + " 行须为“评分项 分数”，如“营收规模 90” / line " + strconv.Itoa(i+1) + " must be \"criterion score\", e.g. \"营收规模 90\""
			continue
		}
		out = append(out, chain.Score{Criterion: strings.TrimSpace(line[:cut]), Value: v})
	}
	return out, bad
}

// designateLeadFirm designates a 链主 from the chain page's form; errors
// show the page again with the form as typed.
func (s *Server) designateLeadFirm(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.LeadFirms == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	if err := s.mayDesignate(r); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	ind := r.PathValue("industry")
	scores, bad := parseScores(r.PostFormValue("scores"))
	x := &chain.LeadFirm{IndustryID: ind, Code: r.PostFormValue("code"), Source: r.PostFormValue("source"), Note: r.PostFormValue("note"), Scores: scores}
	d, err := chanye.ParseDate(r.PostFormValue("designated_on"))
	if err != nil {
		bad["designated_on"] = "日期须为 YYYY-MM-DD / the date must be YYYY-MM-DD"
	}
	x.DesignatedOn = d
	if len(bad) == 0 {
		err = s.cfg.LeadFirms.DesignateLeadFirm(r.Context(), x)
		switch chanye.ErrorCode(err) {
		case "":
			http.Redirect(w, r, "/chains/"+url.PathEscape(ind)+"#lead-firms", http.StatusSeeOther)
			return nil
		case chanye.EINVALID, chanye.ECONFLICT:
			bad = errFields(r, err)
		default:
			return err
		}
	}
	return s.chainPageWith(w, r, func(sec *leadFirmsSection, l Lang) {
		sec.Form = r.PostForm
		sec.Errs = bad
		if err != nil {
			sec.Message = errText(r, err)
		} else {
			sec.Message = l.T("lead.invalid")
		}
	})
}

// endLeadFirm ends a designation on the day the row's form gives.
func (s *Server) endLeadFirm(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.LeadFirms == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	if err := s.mayDesignate(r); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return chanye.Errorf(chanye.ENOTFOUND, "链主认定不存在 / no such designation")
	}
	ind := r.PathValue("industry")
	on, err := chanye.ParseDate(r.PostFormValue("ended_on"))
	if err == nil {
		_, err = s.cfg.LeadFirms.EndLeadFirm(r.Context(), ind, id, on)
	} else {
		err = chanye.Invalid("日期有误 / invalid date", map[string]string{"ended_on": "日期须为 YYYY-MM-DD / the date must be YYYY-MM-DD"})
	}
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/chains/"+url.PathEscape(ind)+"#lead-firms", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.chainPageWith(w, r, func(sec *leadFirmsSection, l Lang) {
			sec.Message = errText(r, err)
			sec.Errs = errFields(r, err)
		})
	}
	return err
}

// mayDesignate returns the error for an actor who may not designate the
// industry's 链主: sign in for the public, 403 for the others.
func (s *Server) mayDesignate(r *http.Request) error {
	a := chanye.ActorFrom(r.Context())
	if err := refuse(a, authz.ChainRules(), authz.WriteLeads); err != nil {
		return err
	}
	ind, err := s.cfg.Catalog.FindIndustryByID(r.Context(), r.PathValue("industry"))
	if err != nil {
		return err
	}
	if !mayEditChain(a, ind) {
		return chanye.Errorf(chanye.EFORBIDDEN, "只能认定本产业的链主 / may designate only the 链主 of its own industries")
	}
	return nil
}
