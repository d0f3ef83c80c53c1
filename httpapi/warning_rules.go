package httpapi

import (
	"net/http"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
)

// ruleList is the body of the warning-rule routes: every rule in order.
type ruleList struct {
	Items []*project.Rule `json:"items"`
}

func (s *server) listWarningRules(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.projectService()
	if err != nil {
		return err
	}
	return s.writeRules(w, r, ps)
}

// putWarningRule creates or replaces the rule named in the path. The store
// compiles it first: a type error or an expression over the cost limit is a
// 400 naming the rule and the line:column.
func (s *server) putWarningRule(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.projectService()
	if err != nil {
		return err
	}
	var rule project.Rule
	if err := s.decodeJSON(w, r, &rule); err != nil {
		return err
	}
	id := r.PathValue("id")
	if rule.ID == "" {
		rule.ID = id
	} else if rule.ID != id {
		return chanye.Invalid("规则有误 / invalid rule", map[string]string{"id": "须与路径中的规则编号一致 / must match the rule id in the path"})
	}
	if err := ps.SaveWarningRule(r.Context(), &rule); err != nil {
		return err
	}
	return s.writeRules(w, r, ps)
}

func (s *server) deleteWarningRule(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.projectService()
	if err != nil {
		return err
	}
	if err := ps.DeleteWarningRule(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return s.writeRules(w, r, ps)
}

func (s *server) writeRules(w http.ResponseWriter, r *http.Request, ps project.Service) error {
	rules, err := ps.FindWarningRules(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ruleList{Items: rules})
}
