// Package scorecard builds a scorecard for each city leader, lead
// department and task force of the 12218 system: the target status of
// their industries, their key projects by colour, overdue nodes, warnings
// still open and, for a department, how fast the 免申即享 payouts of the
// policies it issues follow their approval.
//
// Who answers for what comes from the industries' responsibilities and the
// projects' own department and city leader (project.EffectiveOwners). The
// scorecards read through the services they are given, so the guards of
// package authz apply to what they count.
package scorecard

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// Kind is whom a scorecard is for.
type Kind string

// The kinds of scorecard.
const (
	Leader     Kind = "leader"     // a city leader (市领导)
	Department Kind = "department" // a lead department (牵头部门)
	TaskForce  Kind = "task_force" // a task force (专班)
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{Leader, Department, TaskForce}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// ParseKind returns the kind named s, or EINVALID.
func ParseKind(s string) (Kind, error) {
	k := Kind(s)
	if !k.Valid() {
		return "", chanye.NewError(chanye.EINVALID, fmt.Sprintf("未知记分卡类型 %q，可选 leader、department、task_force / unknown scorecard kind %q, one of leader, department, task_force", s, s), map[string]string{"kind": "须为 leader、department 或 task_force / must be leader, department or task_force"})
	}
	return k, nil
}

// Card is one scorecard.
type Card struct {
	Kind         Kind             `json:"kind"`
	Name         string           `json:"name"`
	AsOf         chanye.Date      `json:"as_of"`
	Industries   []IndustryStatus `json:"industries"`
	Projects     Colours          `json:"projects"`
	OverdueNodes int              `json:"overdue_nodes"`
	Overdue      []OverdueNode    `json:"overdue"` // the longest overdue first, at most MaxListed
	OpenWarnings int              `json:"open_warnings"`
	Red          []ProjectRef     `json:"red"` // the red projects, at most MaxListed
	// Payout is null where it does not apply (leaders, task forces) or
	// where no payment has been made yet: there is nothing to measure.
	Payout *Payout `json:"payout"`
	// Demo says some of the card's projects are demo data (chanye demo's).
	Demo bool `json:"demo,omitempty"`
}

// MaxListed bounds the lists of a card.
const MaxListed = 50

// IndustryStatus is one industry of a card and its target status; Status
// is empty when the industry has no target or no yearly value yet.
type IndustryStatus struct {
	ID       string              `json:"id"`
	NameZH   string              `json:"name_zh"`
	NameEN   string              `json:"name_en"`
	Status   project.TrackStatus `json:"status,omitempty"`
	ReasonZH string              `json:"reason_zh,omitempty"`
	ReasonEN string              `json:"reason_en,omitempty"`
	Projects Colours             `json:"projects"`
}

// Colours counts projects by colour.
type Colours struct {
	Total  int `json:"total"`
	Red    int `json:"red"`
	Yellow int `json:"yellow"`
	Green  int `json:"green"`
}

// Add counts one project of colour c.
func (c *Colours) Add(col project.Colour) {
	c.Total++
	switch col {
	case project.Red:
		c.Red++
	case project.Yellow:
		c.Yellow++
	default:
		c.Green++
	}
}

// ProjectRef names a project.
type ProjectRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// OverdueNode is a node past its deadline and not done.
type OverdueNode struct {
	ProjectID       string      `json:"project_id"`
	ProjectName     string      `json:"project_name"`
	Seq             int         `json:"seq"`
	Name            string      `json:"name"`
	OwnerDepartment string      `json:"owner_department"`
	PlannedDate     chanye.Date `json:"planned_date"`
	DaysOverdue     int         `json:"days_overdue"`
}

// Payout is how long payments took after approval, for the policies a
// department issues: days from the approval of a decision to its payment.
type Payout struct {
	Policies   int     `json:"policies"`
	Payments   int     `json:"payments"`
	MedianDays float64 `json:"median_days"`
	MaxDays    float64 `json:"max_days"`
	Within15   int     `json:"within_15_days"` // paid within 15 days of approval
}

// maxPayments bounds the payments measured per department, newest first;
// each needs the decision's history.
const maxPayments = 500

// Service builds scorecards. Versions, Runs and Ledger measure the payout
// timeliness of a department's policies; without a Ledger there is none.
type Service struct {
	Catalog  chanye.CatalogService
	Projects project.Service
	Versions policy.VersionService
	Runs     policy.RunService // when each paid decision was approved
	Ledger   policy.LedgerService
	// Lists order the scorecards of a kind as the managed list of its
	// names does (chanye.OrgLists): the administrators' order. Names not on
	// the list follow, by name; without Lists all are by name.
	Lists chanye.OrgUnitService
}

// Subject is one leader, department or task force with the number of
// industries and projects it answers for.
type Subject struct {
	Kind       Kind   `json:"kind"`
	Name       string `json:"name"`
	Industries int    `json:"industries"`
	Projects   int    `json:"projects"`
}

// base is what every card is computed from.
type base struct {
	asOf       chanye.Date
	catalog    *chanye.Catalog
	indicators map[string][]*chanye.Indicator
	projects   []*project.Project
	owners     map[string]project.Owners
	warnings   map[string][]project.Warning
	nodes      map[string][]*project.Node
	published  []*policy.Version // read once, for the first department's payout
	lists      chanye.OrgLists
}

// check refuses scorecards to the public (sign in) and to enterprises:
// they are the officials' view of their own work.
func check(ctx context.Context) error {
	a := chanye.ActorFrom(ctx)
	switch {
	case a == nil || a.Role == chanye.RolePublic:
		return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in to see scorecards")
	case a.Role == chanye.RoleEnterprise:
		return chanye.Errorf(chanye.EFORBIDDEN, "记分卡仅供政府用户 / scorecards are for government accounts")
	}
	return nil
}

func (s *Service) load(ctx context.Context, asOf chanye.Date) (*base, error) {
	if err := check(ctx); err != nil {
		return nil, err
	}
	b := &base{asOf: asOf, owners: map[string]project.Owners{}, warnings: map[string][]project.Warning{},
		indicators: map[string][]*chanye.Indicator{}, nodes: map[string][]*project.Node{}}
	var err error
	if b.catalog, err = s.Catalog.FindCatalog(ctx); err != nil {
		return nil, err
	}
	ins, err := s.Catalog.FindIndicators(ctx, chanye.IndicatorFilter{})
	if err != nil {
		return nil, err
	}
	for _, in := range ins {
		b.indicators[in.IndustryID] = append(b.indicators[in.IndustryID], in)
	}
	// One read of the projects, their nodes and their warnings, the rules
	// evaluated once, rather than a page of projects, the warnings and each
	// project's nodes apart.
	board, err := s.Projects.FindBoard(ctx, project.ProjectFilter{AsOf: asOf})
	if err != nil {
		return nil, err
	}
	if s.Lists != nil {
		if b.lists, err = s.Lists.FindOrgUnits(ctx, chanye.OrgUnitFilter{}); err != nil {
			return nil, err
		}
	}
	b.projects, b.nodes = board.Projects, board.Nodes
	for _, p := range b.projects {
		b.owners[p.ID] = p.EffectiveOwners(b.catalog.Industry(p.IndustryID))
	}
	for _, w := range board.Warnings {
		b.warnings[w.ProjectID] = append(b.warnings[w.ProjectID], w)
	}
	return b, nil
}

// responsible returns the name an industry's responsibility gives kind.
func responsible(ind *chanye.Industry, k Kind) string {
	switch k {
	case Leader:
		return ind.Responsibility.CityLeader
	case Department:
		return ind.Responsibility.LeadDepartment
	}
	return ind.Responsibility.TaskForce
}

// industriesOf returns the ids of the industries name answers for.
func (b *base) industriesOf(k Kind, name string) []string {
	var out []string
	for _, ind := range b.catalog.Industries {
		if responsible(ind, k) == name {
			out = append(out, ind.ID)
		}
	}
	return out
}

// belongs reports whether project p is name's: by its effective
// department or leader, or for a task force by its industry.
func (b *base) belongs(p *project.Project, k Kind, name string, inds []string) bool {
	o := b.owners[p.ID]
	switch k {
	case Leader:
		return o.CityLeader == name
	case Department:
		return o.Department == name
	}
	return slices.Contains(inds, p.IndustryID)
}

// Subjects lists everyone of kind k who answers for an industry or a
// project, in the order of the list of kind k (see Service.Lists).
func (s *Service) Subjects(ctx context.Context, k Kind, asOf chanye.Date) ([]Subject, error) {
	b, err := s.load(ctx, asOf)
	if err != nil {
		return nil, err
	}
	return b.subjects(k), nil
}

func (b *base) subjects(k Kind) []Subject {
	names := map[string]bool{}
	for _, ind := range b.catalog.Industries {
		if n := responsible(ind, k); n != "" {
			names[n] = true
		}
	}
	if k != TaskForce {
		for _, p := range b.projects {
			o := b.owners[p.ID]
			n := o.CityLeader
			if k == Department {
				n = o.Department
			}
			if n != "" {
				names[n] = true
			}
		}
	}
	var out []Subject
	for n := range names {
		inds := b.industriesOf(k, n)
		sub := Subject{Kind: k, Name: n, Industries: len(inds)}
		for _, p := range b.projects {
			if b.belongs(p, k, n, inds) {
				sub.Projects++
			}
		}
		out = append(out, sub)
	}
	rank := b.lists.Rank(chanye.OrgKind(k))
	sort.Slice(out, func(i, j int) bool {
		ri, iok := rank[out[i].Name]
		rj, jok := rank[out[j].Name]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Cards returns the scorecard of everyone of the kinds, kind by kind and
// within a kind in the order of its list (see Service.Lists).
func (s *Service) Cards(ctx context.Context, asOf chanye.Date, kinds ...Kind) ([]*Card, error) {
	b, err := s.load(ctx, asOf)
	if err != nil {
		return nil, err
	}
	out := []*Card{}
	for _, k := range kinds {
		for _, sub := range b.subjects(k) {
			c, err := s.card(ctx, b, k, sub.Name)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// Card returns the scorecard of name. ENOTFOUND when name answers for no
// industry and no project.
func (s *Service) Card(ctx context.Context, k Kind, name string, asOf chanye.Date) (*Card, error) {
	b, err := s.load(ctx, asOf)
	if err != nil {
		return nil, err
	}
	for _, sub := range b.subjects(k) {
		if sub.Name == name {
			return s.card(ctx, b, k, name)
		}
	}
	return nil, chanye.Errorf(chanye.ENOTFOUND, "没有 %q 的记分卡 / no scorecard for %q", name, name)
}

func (s *Service) card(ctx context.Context, b *base, k Kind, name string) (*Card, error) {
	inds := b.industriesOf(k, name)
	c := &Card{Kind: k, Name: name, AsOf: b.asOf, Industries: []IndustryStatus{}, Overdue: []OverdueNode{}, Red: []ProjectRef{}}
	byInd := map[string]int{}
	for _, id := range inds {
		ind := b.catalog.Industry(id)
		is := IndustryStatus{ID: id, NameZH: ind.NameZH, NameEN: ind.NameEN}
		if t := project.TargetStatus(ind, b.indicators[id], b.asOf); t != nil {
			is.Status, is.ReasonZH, is.ReasonEN = t.Status, t.ReasonZH, t.ReasonEN
		}
		byInd[id] = len(c.Industries)
		c.Industries = append(c.Industries, is)
	}
	for _, p := range b.projects {
		if !b.belongs(p, k, name, inds) {
			continue
		}
		col := project.ProjectColour(b.warnings[p.ID], p.ID)
		c.Demo = c.Demo || p.Demo
		c.Projects.Add(col)
		if i, ok := byInd[p.IndustryID]; ok {
			c.Industries[i].Projects.Add(col)
		}
		if col == project.Red && len(c.Red) < MaxListed {
			c.Red = append(c.Red, ProjectRef{p.ID, p.Name})
		}
		c.OpenWarnings += len(b.warnings[p.ID])
		for _, n := range b.nodes[p.ID] {
			if n.Overdue(b.asOf) {
				c.OverdueNodes++
				c.Overdue = append(c.Overdue, OverdueNode{ProjectID: p.ID, ProjectName: p.Name, Seq: n.Seq, Name: n.Name,
					OwnerDepartment: n.OwnerDepartment, PlannedDate: n.PlannedDate,
					DaysOverdue: int(b.asOf.Sub(n.PlannedDate.Time).Hours() / 24)})
			}
		}
	}
	sort.SliceStable(c.Overdue, func(i, j int) bool { return c.Overdue[i].DaysOverdue > c.Overdue[j].DaysOverdue })
	if len(c.Overdue) > MaxListed {
		c.Overdue = c.Overdue[:MaxListed]
	}
	if k == Department && s.Ledger != nil {
		p, err := s.payout(ctx, b, name)
		if err != nil {
			return nil, err
		}
		c.Payout = p
	}
	return c, nil
}

// payout measures the days from approval to payment of the decisions of
// the published policies dept administers. It returns nil when the
// actor may not read the ledger or nothing has been paid.
func (s *Service) payout(ctx context.Context, b *base, dept string) (*Payout, error) {
	if b.published == nil {
		st := policy.StatusPublished
		vs, _, err := s.Versions.FindPolicies(ctx, policy.VersionFilter{Status: &st, Limit: 1000})
		if err != nil {
			return nil, err
		}
		b.published = append([]*policy.Version{}, vs...)
	}
	out := &Payout{}
	pay := policy.LedgerPayment
	var (
		entries []*policy.LedgerEntry
		refs    []policy.DecisionRef
	)
	for _, v := range b.published {
		if v.Policy.Department != dept {
			continue
		}
		out.Policies++
		id := v.Policy.ID
		es, _, err := s.Ledger.FindLedger(ctx, policy.LedgerFilter{PolicyID: &id, Kind: &pay, Limit: maxPayments})
		switch code := chanye.ErrorCode(err); {
		case code == chanye.EFORBIDDEN || code == chanye.EUNAUTHORIZED:
			return nil, nil // not the actor's to see: shown as no data
		case err != nil:
			return nil, err
		}
		entries = append(entries, es...)
		for _, e := range es {
			refs = append(refs, e.Decision)
		}
	}
	// When each paid decision was approved, read at once rather than each
	// decision's history apart.
	approvals, err := s.Runs.FindApprovals(ctx, refs)
	if err != nil {
		return nil, err
	}
	var days []float64
	for _, e := range entries {
		if len(days) >= maxPayments {
			break
		}
		approved := approvals[e.Decision]
		if approved.IsZero() || e.At.Before(approved) {
			continue
		}
		days = append(days, e.At.Sub(approved).Hours()/24)
	}
	if len(days) == 0 {
		return nil, nil
	}
	slices.Sort(days)
	out.Payments = len(days)
	out.MaxDays = round1(days[len(days)-1])
	m := len(days) / 2
	out.MedianDays = days[m]
	if len(days)%2 == 0 {
		out.MedianDays = (days[m-1] + days[m]) / 2
	}
	out.MedianDays = round1(out.MedianDays)
	for _, d := range days {
		if d <= 15 {
			out.Within15++
		}
	}
	return out, nil
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }
