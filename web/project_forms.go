package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// The forms of the project page: a monthly report and, on each node, its
// actual date and evidence. Who may send them is authz.Projects' answer;
// mayReport and mayRecord only decide whether to show the forms.

// reportForm is the monthly report form as typed, kept when refused.
type reportForm struct {
	Month, Invested, Cumulative, Progress, Problems string
	Unit                                            string // yuan or wan (万元, the default: the pages show 万元)
	Units                                           []option
}

// moneyUnits are the units a money field is typed in, unit selected.
func moneyUnits(l Lang, unit string) []option {
	return []option{{"wan", l.T("lc.unit.wan"), unit == "wan"}, {"yuan", l.T("unit.yuan"), unit != "wan"}}
}

// moneyBad is the field error of an amount that does not parse.
const moneyBad = "须为金额（元至多两位小数，万元至多六位）/ must be an amount (yuan with two decimals, 10k yuan with six)"

// parseMoney reads an amount typed in 元 or 万元 (unit yuan or wan), as a
// declared money input is read: exact, not negative, bounded.
func parseMoney(s, unit string) (chanye.Fen, error) {
	in := policy.Input{Name: "amount", Type: policy.InputMoney, LabelZH: "金额", LabelEN: "amount"}
	v, err := in.ParseInput(s, unit)
	if err != nil {
		return 0, err
	}
	return chanye.Fen(v.(int64)), nil
}

// parseReportMoney reads an amount of a monthly report typed in unit:
// 万元 exactly to the fen (up to six decimals), 元 as before (a negative
// or too large amount is left to the report's own check, which names it).
// The message is the field error, "" when it parses.
func parseReportMoney(s, unit string) (chanye.Fen, string) {
	if unit == "wan" {
		f, err := parseMoney(s, unit)
		if err != nil {
			return 0, err.Error()
		}
		return f, ""
	}
	f, err := chanye.ParseYuan(s)
	if err != nil {
		return 0, "须为金额（元，至多两位小数）/ must be an amount in yuan, at most two decimals"
	}
	return f, ""
}

// nodeForm is a node's form as typed, kept when refused.
type nodeForm struct {
	Actual, Note, Link string
}

// lastMonth is the month before now's, YYYY-MM.
func lastMonth(now time.Time) string {
	return time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

// mayReport: officials who may report, and the project's owner.
func mayReport(a *chanye.Actor, p *project.Project) bool {
	if a == nil {
		return false
	}
	switch a.Role {
	case chanye.RoleAdmin, chanye.RoleDepartment, chanye.RoleTaskForce:
		return true
	case chanye.RoleEnterprise:
		return a.Code != "" && strings.EqualFold(a.Code, p.OwnerCode)
	}
	return false
}

// mayRecord: the officials who may change projects.
func mayRecord(a *chanye.Actor) bool {
	return a != nil && (a.Role == chanye.RoleAdmin || a.Role == chanye.RoleDepartment || a.Role == chanye.RoleTaskForce)
}

// projectForm is the preamble of a project's forms: the project service,
// the form parsed, and the project's id from the path.
func (s *Server) projectForm(r *http.Request) (project.Service, string, error) {
	ps, err := s.projectService()
	if err != nil {
		return nil, "", err
	}
	if err := r.ParseForm(); err != nil {
		return nil, "", chanye.Errorf(chanye.EINVALID, "表单有误 / bad form")
	}
	return ps, r.PathValue("id"), nil
}

// projectHref is the project page of id.
func projectHref(id string) string { return "/projects/" + url.PathEscape(id) }

// putReport saves the monthly report form: EINVALID shows the page again
// with the errors beside the fields and what was typed.
func (s *Server) putReport(w http.ResponseWriter, r *http.Request) error {
	ps, id, err := s.projectForm(r)
	if err != nil {
		return err
	}
	form := reportForm{Month: strings.TrimSpace(r.PostFormValue("month")), Invested: r.PostFormValue("invested_fen"),
		Cumulative: r.PostFormValue("cumulative_fen"), Progress: r.PostFormValue("progress_pct"), Problems: r.PostFormValue("problems"),
		Unit: r.PostFormValue("unit")}
	if form.Unit != "yuan" {
		form.Unit = "wan"
	}
	rep := &project.Report{ProjectID: id, Month: form.Month, Problems: strings.TrimSpace(form.Problems), ReportedBy: actor(r)}
	bad := map[string]string{}
	var msg string
	if rep.InvestedFen, msg = parseReportMoney(form.Invested, form.Unit); msg != "" {
		bad["invested_fen"] = msg
	}
	if rep.CumulativeFen, msg = parseReportMoney(form.Cumulative, form.Unit); msg != "" {
		bad["cumulative_fen"] = msg
	}
	if rep.ProgressPct, err = strconv.ParseFloat(strings.TrimSpace(form.Progress), 64); err != nil {
		bad["progress_pct"] = "须为 0–100 的数 / must be a number 0–100"
	}
	if len(bad) == 0 {
		err = ps.PutReport(r.Context(), rep)
	} else {
		err = chanye.Invalid("月报有误 / invalid report", bad)
	}
	return s.projectFormDone(w, r, id, "#reports", err, func(v *projectView) {
		form.Units = moneyUnits(v.L, form.Unit)
		v.Form, v.Message, v.Errs = form, errText(r, err), errFields(r, err)
	})
}

// projectFormDone ends a form of the project page: on success back to the
// section (anchor) it changed; on invalid input the page again, 400, with
// what was typed and the errors, which show puts on the view; any other
// error as such.
func (s *Server) projectFormDone(w http.ResponseWriter, r *http.Request, id, anchor string, err error, show func(v *projectView)) error {
	if err == nil {
		http.Redirect(w, r, projectHref(id)+anchor, http.StatusSeeOther)
		return nil
	}
	if chanye.ErrorCode(err) != chanye.EINVALID {
		return err
	}
	v, verr := s.projectView(r)
	if verr != nil {
		return verr
	}
	show(v)
	return s.renderStatus(w, http.StatusBadRequest, "project", v)
}

// putNode records a node's actual date and evidence from its form; the
// file already attached is kept.
func (s *Server) putNode(w http.ResponseWriter, r *http.Request) error {
	ps, id, err := s.projectForm(r)
	if err != nil {
		return err
	}
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil {
		return chanye.Errorf(chanye.ENOTFOUND, "节点不存在 / node not found")
	}
	form := nodeForm{Actual: strings.TrimSpace(r.PostFormValue("actual_date")), Note: strings.TrimSpace(r.PostFormValue("note")),
		Link: strings.TrimSpace(r.PostFormValue("link"))}
	var upd project.NodeUpdate
	if form.Actual != "" {
		d, perr := chanye.ParseDate(form.Actual)
		if perr != nil {
			err = chanye.Invalid("节点有误 / invalid node", map[string]string{"actual_date": "须为 YYYY-MM-DD / must be YYYY-MM-DD"})
		}
		upd.ActualDate = &d
	}
	if err == nil && (form.Note != "" || form.Link != "") {
		ev := project.Evidence{Note: form.Note, Link: form.Link}
		if form.Link != "" {
			if u, perr := url.Parse(form.Link); perr != nil || (u.Scheme != "http" && u.Scheme != "https") {
				err = chanye.Invalid("节点有误 / invalid node", map[string]string{"link": "须为 http(s) 链接 / must be an http(s) link"})
			}
		}
		upd.Evidence = &ev
	}
	if err == nil && upd.Evidence != nil {
		// Evidence is replaced whole: carry the file over.
		var nodes []*project.Node
		if nodes, err = ps.FindNodes(r.Context(), id); err != nil {
			return err
		}
		for _, n := range nodes {
			if n.Seq == seq {
				upd.Evidence.File = n.Evidence.File
			}
		}
	}
	if err == nil {
		_, err = ps.PutNode(r.Context(), id, seq, upd)
	}
	if err == nil {
		http.Redirect(w, r, projectHref(id)+"#node-"+strconv.Itoa(seq), http.StatusSeeOther)
		return nil
	}
	if chanye.ErrorCode(err) != chanye.EINVALID {
		return err
	}
	v, verr := s.projectView(r)
	if verr != nil {
		return verr
	}
	v.NodeSeq, v.NodeForm, v.Message, v.Errs = seq, form, errText(r, err), errFields(r, err)
	return s.renderStatus(w, http.StatusBadRequest, "project", v)
}

// inputsForm shows and edits the figures of a project that policies read
// as declared inputs (policy.ProjectInputs): the equipment and the plant
// construction investment, in 元 or 万元, and the completion date. A blank
// field is unknown.
type inputsForm struct {
	Equipment, Plant, Unit, Finished string
	EquipmentText, PlantText         string
	Units                            []option
	Errs                             map[string]string
	Message                          string
}

func inputsFormOf(l Lang, p *project.Project) inputsForm {
	f := inputsForm{Unit: "yuan", Units: moneyUnits(l, "yuan")}
	if p.EquipmentInvestmentFen != nil {
		f.Equipment, f.EquipmentText = p.EquipmentInvestmentFen.Yuan(), exactMoney(l, *p.EquipmentInvestmentFen)
	}
	if p.PlantInvestmentFen != nil {
		f.Plant, f.PlantText = p.PlantInvestmentFen.Yuan(), exactMoney(l, *p.PlantInvestmentFen)
	}
	if p.FinishedOn != nil {
		f.Finished = p.FinishedOn.String()
	}
	return f
}

// putInputs saves the project's input figures; a blank field clears one.
func (s *Server) putInputs(w http.ResponseWriter, r *http.Request) error {
	ps, id, err := s.projectForm(r)
	if err != nil {
		return err
	}
	unit := r.PostFormValue("unit")
	upd := project.ProjectUpdate{ClearInputs: true}
	bad := map[string]string{}
	money := func(key string, dst **chanye.Fen) {
		s := strings.TrimSpace(r.PostFormValue(key))
		if s == "" {
			return
		}
		f, err := parseMoney(s, unit)
		if err != nil {
			bad[key] = moneyBad
			return
		}
		*dst = &f
	}
	money("equipment_investment_fen", &upd.EquipmentInvestmentFen)
	money("plant_investment_fen", &upd.PlantInvestmentFen)
	if s := strings.TrimSpace(r.PostFormValue("finished_on")); s != "" {
		d, err := chanye.ParseDate(s)
		if err != nil {
			bad["finished_on"] = "须为 YYYY-MM-DD / must be YYYY-MM-DD"
		}
		upd.FinishedOn = &d
	}
	if len(bad) == 0 {
		_, err = ps.UpdateProject(r.Context(), id, upd)
	} else {
		err = chanye.Invalid("项目数据有误 / invalid project figures", bad)
	}
	return s.projectFormDone(w, r, id, "#inputs", err, func(v *projectView) {
		v.Inputs.Equipment, v.Inputs.Plant, v.Inputs.Finished = r.PostFormValue("equipment_investment_fen"), r.PostFormValue("plant_investment_fen"), r.PostFormValue("finished_on")
		v.Inputs.Unit = unit
		pick(v.Inputs.Units, unit)
		v.Inputs.Errs, v.Inputs.Message = errFields(r, err), errText(r, err)
	})
}

// exactMoney shows an amount exactly to the fen, in 元 or 万元.
func exactMoney(l Lang, f chanye.Fen) string {
	zh, en := policy.MoneyText(f)
	return l.Pick(zh, en)
}
