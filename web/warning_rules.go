package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/project"
)

// The warning rules page (/warnings/rules) lists the rules and the
// variables they read; administrators edit them in place. The project
// service refuses changes to anyone else, so the forms are a convenience.

// ruleForm is one rule as shown and edited, with the errors of its last
// save when that failed.
type ruleForm struct {
	project.Rule
	New      bool
	Position string // as typed, so a bad number is kept
	Message  string
	Fields   map[string]string
}

type warningRulesView struct {
	page
	Admin   bool
	Rules   []*ruleForm
	NewRule *ruleForm
	Vars    []schemaVar
	Colours []project.Colour
	Owners  []project.OwnerHint
}

func (s *Server) warningRulesView(r *http.Request) (*warningRulesView, error) {
	ps, err := s.projectService()
	if err != nil {
		return nil, err
	}
	rules, err := ps.FindWarningRules(r.Context())
	if err != nil {
		return nil, err
	}
	v := &warningRulesView{page: s.newPage(r, "projects"),
		Colours: []project.Colour{project.Yellow, project.Red},
		Owners:  []project.OwnerHint{project.OwnerEnterprise, project.OwnerDepartment, project.OwnerLeader}}
	v.Title = v.L.T("wr.title")
	v.Admin = v.Actor != nil && v.Actor.Role == chanye.RoleAdmin
	for _, ru := range rules {
		v.Rules = append(v.Rules, &ruleForm{Rule: *ru, Position: strconv.Itoa(ru.Position)})
	}
	v.NewRule = &ruleForm{New: true, Rule: project.Rule{Colour: project.Yellow, Owner: project.OwnerDepartment},
		Position: strconv.Itoa((len(rules) + 1) * 10)}
	for _, pv := range project.Variables() {
		v.Vars = append(v.Vars, schemaVar{Name: pv.Name, Type: pv.Type, Label: v.L.Pick(pv.DescZH, pv.DescEN)})
	}
	return v, nil
}

func (s *Server) warningRules(w http.ResponseWriter, r *http.Request) error {
	v, err := s.warningRulesView(r)
	if err != nil {
		return err
	}
	return s.render(w, "warning_rules", v)
}

// saveWarningRule creates or replaces a rule; on a validation or compile
// error the page comes back with the error beside the rule and the input kept.
func (s *Server) saveWarningRule(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.projectService()
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.ETOOLARGE, "表单过大 / the form is too large")
	}
	f := &ruleForm{New: r.PostFormValue("new") != "", Position: strings.TrimSpace(r.PostFormValue("position")),
		Rule: project.Rule{
			ID:      strings.TrimSpace(r.PostFormValue("id")),
			Group:   strings.TrimSpace(r.PostFormValue("group")),
			Colour:  project.Colour(r.PostFormValue("colour")),
			LabelZH: strings.TrimSpace(r.PostFormValue("label_zh")),
			LabelEN: strings.TrimSpace(r.PostFormValue("label_en")),
			Expr:    strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("expr"), "\r\n", "\n")),
			Owner:   project.OwnerHint(r.PostFormValue("owner")),
		}}
	rule := f.Rule
	if f.Position != "" {
		if rule.Position, err = strconv.Atoi(f.Position); err != nil {
			err = chanye.Invalid("规则有误 / the rule is invalid", map[string]string{"position": "须为整数 / must be a whole number"})
		}
	}
	if err == nil {
		err = ps.SaveWarningRule(r.Context(), &rule)
	}
	if err == nil {
		http.Redirect(w, r, "/warnings/rules#rule-"+rule.ID, http.StatusSeeOther)
		return nil
	}
	if chanye.ErrorCode(err) != chanye.EINVALID {
		return err
	}
	v, verr := s.warningRulesView(r)
	if verr != nil {
		return verr
	}
	f.Message, f.Fields = errText(r, err), errFields(r, err)
	placed := false
	if !f.New {
		for i, ru := range v.Rules {
			if ru.ID == f.ID {
				v.Rules[i], placed = f, true
			}
		}
	}
	if !placed {
		f.New = true
		v.NewRule = f
	}
	return s.renderStatus(w, http.StatusBadRequest, "warning_rules", v)
}

func (s *Server) deleteWarningRule(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.projectService()
	if err != nil {
		return err
	}
	// Deleting is confirmed by a box of its own form, apart from 保存;
	// who may not delete is told so before that.
	if a := chanye.ActorFrom(r.Context()); authz.ProjectRules().Grant(a.Role, authz.WriteWarningRules) == authz.Deny {
		return ps.DeleteWarningRule(r.Context(), r.PathValue("id")) // the service's own refusal
	}
	if r.PostFormValue("confirm") != "1" {
		return chanye.Invalid("删除须确认 / deleting needs confirming", map[string]string{"confirm": "请勾选确认删除 / tick the box to confirm"})
	}
	if err := ps.DeleteWarningRule(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/warnings/rules", http.StatusSeeOther)
	return nil
}
