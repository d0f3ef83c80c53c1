package scenario

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/uscc"
)

// ApplicationStatus is where an application (揭榜) stands.
type ApplicationStatus string

// The statuses of an application. A submitted application may be
// withdrawn while its scenario is published; selecting one marks it
// selected and every other submitted one not selected (MarkSelected).
const (
	Submitted   ApplicationStatus = "submitted"    // 已揭榜
	Withdrawn   ApplicationStatus = "withdrawn"    // 已撤回
	Selected    ApplicationStatus = "selected"     // 入选
	NotSelected ApplicationStatus = "not_selected" // 未入选
)

// ApplicationStatuses lists the application statuses with their names.
var ApplicationStatuses = []struct {
	Status         ApplicationStatus
	NameZH, NameEN string
}{
	{Submitted, "已揭榜", "submitted"},
	{Withdrawn, "已撤回", "withdrawn"},
	{Selected, "入选", "selected"},
	{NotSelected, "未入选", "not selected"},
}

// NameZH returns the status's Chinese name.
func (s ApplicationStatus) NameZH() string { zh, _, _ := s.names(); return zh }

// NameEN returns the status's English name.
func (s ApplicationStatus) NameEN() string { _, en, _ := s.names(); return en }

// Valid reports whether s is a known application status.
func (s ApplicationStatus) Valid() bool { _, _, ok := s.names(); return ok }

func (s ApplicationStatus) names() (string, string, bool) {
	for _, x := range ApplicationStatuses {
		if x.Status == s {
			return x.NameZH, x.NameEN, true
		}
	}
	return string(s), string(s), false
}

// Application is an enterprise's application (揭榜) to a scenario with its
// solution. Attachments are stored elsewhere, by application id.
type Application struct {
	ID             int64             `json:"id"`
	ScenarioID     int64             `json:"scenario_id"`
	Code           string            `json:"code"`                      // the applicant's credit code
	EnterpriseName string            `json:"enterprise_name,omitempty"` // read from the registry
	Solution       string            `json:"solution"`
	Status         ApplicationStatus `json:"status"`
	SubmittedAt    time.Time         `json:"submitted_at"`
	SubmittedBy    string            `json:"submitted_by,omitempty"`
	WithdrawnAt    time.Time         `json:"withdrawn_at,omitzero"`
}

// Validate checks an application and normalises its code and trims its
// solution: a scenario, a valid credit code (uscc.Validate), a solution of
// 1–MaxTextRunes, a known status. The store checks that the scenario
// takes applications (Scenario.CanApply) and that the enterprise is in
// the registry.
func (a *Application) Validate() error {
	bad := map[string]string{}
	a.Code, a.Solution = uscc.Normalize(a.Code), strings.TrimSpace(a.Solution)
	if a.ScenarioID <= 0 {
		bad["scenario_id"] = "必填 / required"
	}
	if err := uscc.Validate(a.Code); err != nil {
		bad["code"] = err.Error()
	}
	text(bad, "solution", a.Solution, 1, MaxTextRunes)
	if !a.Status.Valid() {
		bad["status"] = fmt.Sprintf("未知状态 %q / unknown status", a.Status)
	}
	return chanye.Invalid("揭榜申请有误 / invalid application", bad)
}

// CanApply returns nil when s takes applications today: it is published
// and today is not after its deadline; ECONFLICT otherwise.
func (s *Scenario) CanApply(today chanye.Date) error {
	switch {
	case s.Status != Published:
		return chanye.Errorf(chanye.ECONFLICT, "应用场景处于「%s」阶段，不接受揭榜 / the scenario is %s: it takes no applications", s.Status.NameZH(), s.Status.NameEN())
	case today.After(s.Deadline.Time):
		return chanye.Errorf(chanye.ECONFLICT, "揭榜已于 %s 截止 / applications closed on %s", s.Deadline, s.Deadline)
	}
	return nil
}

// Withdraw withdraws a submitted application to s while s is published
// (the review has not begun). ECONFLICT otherwise. The store sets
// WithdrawnAt.
func (a *Application) Withdraw(s *Scenario) error {
	switch {
	case a.ScenarioID != s.ID:
		return chanye.Errorf(chanye.EINVALID, "申请不属于该场景 / the application is not to this scenario")
	case a.Status != Submitted:
		return chanye.Errorf(chanye.ECONFLICT, "申请状态为「%s」，不能撤回 / the application is %s: it cannot be withdrawn", a.Status.NameZH(), a.Status.NameEN())
	case s.Status != Published:
		return chanye.Errorf(chanye.ECONFLICT, "应用场景处于「%s」阶段，不能撤回申请 / the scenario is %s: applications cannot be withdrawn", s.Status.NameZH(), s.Status.NameEN())
	}
	a.Status = Withdrawn
	return nil
}

// MarkSelected marks the application id selected and every other
// submitted one not selected, as the select step of a scenario whose
// applications apps are. EINVALID ("application_id") when id is not among
// apps; ECONFLICT when it is not submitted (withdrawn, or already
// decided). apps are changed only on success.
func MarkSelected(apps []*Application, id int64) error {
	i := slices.IndexFunc(apps, func(a *Application) bool { return a.ID == id })
	switch {
	case i < 0:
		return chanye.Invalid("入选申请有误 / invalid selection", map[string]string{"application_id": fmt.Sprintf("没有申请 %d / no application %d", id, id)})
	case apps[i].Status != Submitted:
		return chanye.Errorf(chanye.ECONFLICT, "申请 %d 状态为「%s」，不能入选 / application %d is %s: it cannot be selected", id, apps[i].Status.NameZH(), id, apps[i].Status.NameEN())
	}
	for _, a := range apps {
		if a.Status == Submitted {
			a.Status = NotSelected
		}
	}
	apps[i].Status = Selected
	return nil
}

// ValidatePanel checks a review panel and trims its names in place:
// MinPanel–MaxPanel distinct account names of 1–MaxMemberRunes. Faults
// name "panel" or "panel[i]".
func ValidatePanel(members []string) error {
	bad := map[string]string{}
	panel(bad, members)
	return chanye.Invalid("评审组有误 / invalid panel", bad)
}

func panel(bad map[string]string, members []string) {
	if len(members) < MinPanel || len(members) > MaxPanel {
		bad["panel"] = fmt.Sprintf("评审组须有 %d–%d 名成员 / a panel has %d–%d members", MinPanel, MaxPanel, MinPanel, MaxPanel)
	}
	seen := map[string]bool{}
	for i := range members {
		members[i] = strings.TrimSpace(members[i])
		key := fmt.Sprintf("panel[%d]", i)
		text(bad, key, members[i], 1, MaxMemberRunes)
		if seen[members[i]] {
			bad[key] = fmt.Sprintf("%s 重复 / %s is listed twice", members[i], members[i])
		}
		seen[members[i]] = true
	}
}

// Score is one panel member's score of one application on one criterion:
// 0–MaxPoints whole points. The store sets ScoredAt; a member scores as
// themselves (authz), and scoring again replaces the score.
type Score struct {
	ApplicationID int64     `json:"application_id"`
	Member        string    `json:"member"`
	CriterionID   string    `json:"criterion_id"`
	Points        int       `json:"points"`
	ScoredAt      time.Time `json:"scored_at,omitzero"`
}

// Validate checks a score on its own: an application, a member, a
// criterion id, points in 0–MaxPoints.
func (sc *Score) Validate() error {
	bad := map[string]string{}
	sc.Member, sc.CriterionID = strings.TrimSpace(sc.Member), strings.TrimSpace(sc.CriterionID)
	scoreFields(bad, "", sc)
	return chanye.Invalid("评分有误 / invalid score", bad)
}

func scoreFields(bad map[string]string, at string, sc *Score) {
	if sc.ApplicationID <= 0 {
		bad[at+"application_id"] = "必填 / required"
	}
	text(bad, at+"member", sc.Member, 1, MaxMemberRunes)
	if !slug.MatchString(sc.CriterionID) {
		bad[at+"criterion_id"] = "评审标准编号格式有误 / not a criterion id"
	}
	if sc.Points < 0 || sc.Points > MaxPoints {
		bad[at+"points"] = fmt.Sprintf("须为 0–%d 的整数 / a whole number of 0–%d", MaxPoints, MaxPoints)
	}
}

// Conflict is a panel member's declared conflict of interest (回避) with
// one application: the member may not score it, and scores given before
// the declaration do not count.
type Conflict struct {
	ApplicationID int64     `json:"application_id"`
	Member        string    `json:"member"`
	Reason        string    `json:"reason"`
	DeclaredAt    time.Time `json:"declared_at,omitzero"`
}

// Validate checks a declaration: an application, a member, a reason of
// 1–MaxTextRunes.
func (c *Conflict) Validate() error {
	bad := map[string]string{}
	c.Member, c.Reason = strings.TrimSpace(c.Member), strings.TrimSpace(c.Reason)
	if c.ApplicationID <= 0 {
		bad["application_id"] = "必填 / required"
	}
	text(bad, "member", c.Member, 1, MaxMemberRunes)
	text(bad, "reason", c.Reason, 1, MaxTextRunes)
	return chanye.Invalid("回避声明有误 / invalid declaration of conflict", bad)
}

// CheckScore checks a score against its scenario's review before the
// store writes it: Validate, a member of the panel and a criterion of the
// scenario (EINVALID), and no conflict declared by the member for the
// application (ECONFLICT). The store checks that the application is a
// submitted one of a scenario under review.
func CheckScore(sc *Score, criteria []Criterion, panel []string, conflicts []Conflict) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	bad := map[string]string{}
	if !slices.Contains(panel, sc.Member) {
		bad["member"] = fmt.Sprintf("%s 不是评审组成员 / %s is not on the panel", sc.Member, sc.Member)
	}
	if !slices.ContainsFunc(criteria, func(c Criterion) bool { return c.ID == sc.CriterionID }) {
		bad["criterion_id"] = fmt.Sprintf("没有评审标准 %s / no criterion %s", sc.CriterionID, sc.CriterionID)
	}
	if err := chanye.Invalid("评分有误 / invalid score", bad); err != nil {
		return err
	}
	if conflicted(conflicts, sc.ApplicationID, sc.Member) {
		return chanye.Errorf(chanye.ECONFLICT, "%s 已声明与申请 %d 存在利益冲突，不能评分 / %s declared a conflict of interest with application %d and cannot score it",
			sc.Member, sc.ApplicationID, sc.Member, sc.ApplicationID)
	}
	return nil
}

func conflicted(cs []Conflict, app int64, member string) bool {
	return slices.ContainsFunc(cs, func(c Conflict) bool { return c.ApplicationID == app && c.Member == member })
}

// PointScale is the fixed point of a ranking's totals and means: they are
// in hundredths of a point, 8550 being 85.50 points out of MaxPoints.
const PointScale = 100

// Ranking is the panel's ranking of a scenario's applications.
//
// For each application, the members who count are the panel less those
// who declared a conflict with it (their scores are ignored). The mean on
// a criterion is the sum of those members' points over their number n;
// the total is the weighted mean Σ weight × mean / WeightTotal. Both are
// exact rationals, N / (WeightTotal × n) with N = Σ weight × points; the
// order uses the exact values (compared by cross-multiplying, no
// rounding), highest first, equal totals by application id ascending.
// Total and Mean show them in hundredths of a point (PointScale), rounded
// half up; Tied marks entries whose exact total equals a neighbour's, so
// that an order by id is visible as such.
type Ranking struct {
	Entries []Entry `json:"entries"`
	// Ranked is how many applications the ranking ranks: len(Entries),
	// unless Entries was narrowed to one reader's own (authz).
	Ranked int `json:"ranked"`
	// Incomplete lists what RankComplete left out; Rank never fills it.
	Incomplete []Missing `json:"incomplete,omitempty"`
}

// Entry is one application's place in a Ranking.
type Entry struct {
	ApplicationID int64  `json:"application_id"`
	Code          string `json:"code"`
	Rank          int    `json:"rank"`    // 1 the best; distinct, ties broken by application id
	Total         int64  `json:"total"`   // hundredths of a point, 0–10000
	Means         []Mean `json:"means"`   // per criterion, in the scenario's order
	Members       int    `json:"members"` // members whose scores count
	Tied          bool   `json:"tied,omitempty"`
	num, den      int64  // the exact total is num / (WeightTotal × den) points
}

// Mean is an application's mean score on one criterion, in hundredths of
// a point.
type Mean struct {
	CriterionID string `json:"criterion_id"`
	Mean        int64  `json:"mean"`
}

// Missing is a score that keeps an application out of the ranking: the
// member's on the criterion, or, with Member "", every member of the
// panel declared a conflict.
type Missing struct {
	ApplicationID int64  `json:"application_id"`
	Member        string `json:"member,omitempty"`
	CriterionID   string `json:"criterion_id,omitempty"`
}

// Rank ranks apps (withdrawn ones left out) by the scores of the panel
// (see Ranking). It refuses an incomplete review: when a member without
// conflict has not scored an application on a criterion, or every member
// declared a conflict with one, it returns EINVALID naming each gap, e.g.
// field "scores[12][wang][tech]" (the first 20, then a count under
// "scores"). Use RankComplete to rank what is complete.
// EINVALID also for bad criteria or panel, duplicate applications, and
// scores or conflicts naming an unknown application, member or criterion
// (fields "scores[i]…", "conflicts[i]…"), or a score given twice. The
// inputs are not changed.
func Rank(criteria []Criterion, panel []string, scores []Score, conflicts []Conflict, apps []Application) (Ranking, error) {
	return rank(criteria, panel, scores, conflicts, apps, false)
}

// RankComplete ranks, as Rank does, the applications whose review is
// complete, and lists the gaps of the others in Ranking.Incomplete
// (ordered by application, member and criterion) instead of refusing
// them. Its other errors are Rank's.
func RankComplete(criteria []Criterion, panel []string, scores []Score, conflicts []Conflict, apps []Application) (Ranking, error) {
	return rank(criteria, panel, scores, conflicts, apps, true)
}

type scoreKey struct {
	app               int64
	member, criterion string
}

func rank(criteria []Criterion, members []string, scores []Score, conflicts []Conflict, apps []Application, partial bool) (Ranking, error) {
	criteria, members = slices.Clone(criteria), slices.Clone(members)
	bad := map[string]string{}
	capped := func(key, msg string) {
		if len(bad) < maxMissingListed {
			bad[key] = msg
		}
	}
	if err := ValidateCriteria(criteria); err != nil {
		for k, v := range chanye.ErrorFields(err) {
			bad[k] = v
		}
	}
	panel(bad, members)
	known := map[int64]*Application{}
	for i := range apps {
		a := &apps[i]
		switch {
		case a.ID <= 0:
			capped(fmt.Sprintf("applications[%d].id", i), "必填 / required")
		case known[a.ID] != nil:
			capped(fmt.Sprintf("applications[%d].id", i), fmt.Sprintf("申请 %d 重复 / application %d is listed twice", a.ID, a.ID))
		case a.ScenarioID != apps[0].ScenarioID:
			capped(fmt.Sprintf("applications[%d].scenario_id", i), "申请须属于同一场景 / the applications must be to one scenario")
		}
		known[a.ID] = a
	}
	onPanel := func(m string) bool { return slices.Contains(members, m) }
	hasCriterion := func(id string) bool {
		return slices.ContainsFunc(criteria, func(c Criterion) bool { return c.ID == id })
	}
	void := map[scoreKey]bool{} // (application, member) with a conflict
	for i, c := range conflicts {
		if len(bad) >= maxMissingListed {
			break
		}
		at := fmt.Sprintf("conflicts[%d].", i)
		if known[c.ApplicationID] == nil {
			capped(at+"application_id", fmt.Sprintf("没有申请 %d / no application %d", c.ApplicationID, c.ApplicationID))
		}
		if !onPanel(c.Member) {
			capped(at+"member", fmt.Sprintf("%s 不是评审组成员 / %s is not on the panel", c.Member, c.Member))
		}
		void[scoreKey{c.ApplicationID, c.Member, ""}] = true
	}
	points := map[scoreKey]int{}
	for i := range scores {
		if len(bad) >= maxMissingListed {
			break // enough to fix first
		}
		sc := scores[i]
		at := fmt.Sprintf("scores[%d].", i)
		before := len(bad)
		scoreFields(bad, at, &sc)
		if len(bad) > before {
			continue
		}
		k := scoreKey{sc.ApplicationID, sc.Member, sc.CriterionID}
		switch {
		case known[sc.ApplicationID] == nil:
			capped(at+"application_id", fmt.Sprintf("没有申请 %d / no application %d", sc.ApplicationID, sc.ApplicationID))
		case !onPanel(sc.Member):
			capped(at+"member", fmt.Sprintf("%s 不是评审组成员 / %s is not on the panel", sc.Member, sc.Member))
		case !hasCriterion(sc.CriterionID):
			capped(at+"criterion_id", fmt.Sprintf("没有评审标准 %s / no criterion %s", sc.CriterionID, sc.CriterionID))
		default:
			if _, dup := points[k]; dup {
				capped(fmt.Sprintf("scores[%d]", i), fmt.Sprintf("%s 对申请 %d 的「%s」评分重复 / %s scored application %d on %s twice",
					sc.Member, sc.ApplicationID, sc.CriterionID, sc.Member, sc.ApplicationID, sc.CriterionID))
			}
			points[k] = sc.Points
		}
	}
	if err := chanye.Invalid("评审数据有误 / invalid review data", bad); err != nil {
		return Ranking{}, err
	}

	var out Ranking
	var missing []Missing
	for _, a := range apps {
		if a.Status == Withdrawn {
			continue
		}
		var counted []string
		for _, m := range members {
			if !void[scoreKey{a.ID, m, ""}] {
				counted = append(counted, m)
			}
		}
		if len(counted) == 0 {
			missing = append(missing, Missing{ApplicationID: a.ID})
			continue
		}
		gaps := len(missing)
		n := int64(len(counted))
		e := Entry{ApplicationID: a.ID, Code: a.Code, Members: len(counted), den: n}
		for _, c := range criteria {
			var sum int64
			for _, m := range counted {
				p, ok := points[scoreKey{a.ID, m, c.ID}]
				if !ok {
					missing = append(missing, Missing{a.ID, m, c.ID})
				}
				sum += int64(p)
			}
			e.num += int64(c.Weight) * sum // ≤ 100 × 100 × MaxPanel
			e.Means = append(e.Means, Mean{c.ID, roundDiv(sum*PointScale, n)})
		}
		if len(missing) > gaps {
			continue
		}
		// num / (WeightTotal × n) points; num / n orders the same.
		e.Total = roundDiv(e.num*PointScale, WeightTotal*n)
		out.Entries = append(out.Entries, e)
	}
	if len(missing) > 0 && !partial {
		return Ranking{}, missingError(missing)
	}
	slices.SortFunc(missing, func(x, y Missing) int {
		return cmp.Or(cmp.Compare(x.ApplicationID, y.ApplicationID), cmp.Compare(x.Member, y.Member), cmp.Compare(x.CriterionID, y.CriterionID))
	})
	out.Incomplete = missing
	slices.SortFunc(out.Entries, func(x, y Entry) int {
		// x.num/x.den against y.num/y.den, highest first.
		return cmp.Or(cmp.Compare(y.num*x.den, x.num*y.den), cmp.Compare(x.ApplicationID, y.ApplicationID))
	})
	out.Ranked = len(out.Entries)
	for i := range out.Entries {
		e := &out.Entries[i]
		e.Rank = i + 1
		if i > 0 {
			p := &out.Entries[i-1]
			if p.num*e.den == e.num*p.den {
				p.Tied, e.Tied = true, true
			}
		}
	}
	return out, nil
}

// roundDiv returns a / b rounded half up, for a ≥ 0 and b > 0.
func roundDiv(a, b int64) int64 { return (2*a + b) / (2 * b) }

func missingError(missing []Missing) error {
	slices.SortFunc(missing, func(x, y Missing) int {
		return cmp.Or(cmp.Compare(x.ApplicationID, y.ApplicationID), cmp.Compare(x.Member, y.Member), cmp.Compare(x.CriterionID, y.CriterionID))
	})
	bad := map[string]string{}
	for i, m := range missing {
		if i == maxMissingListed {
			rest := len(missing) - i
			bad["scores"] = fmt.Sprintf("另有 %d 项评分缺失 / %d more scores are missing", rest, rest)
			break
		}
		if m.Member == "" {
			bad[fmt.Sprintf("scores[%d]", m.ApplicationID)] = fmt.Sprintf("评审组成员均已回避申请 %d，无人评分 / every panel member declared a conflict with application %d", m.ApplicationID, m.ApplicationID)
			continue
		}
		bad[fmt.Sprintf("scores[%d][%s][%s]", m.ApplicationID, m.Member, m.CriterionID)] = fmt.Sprintf("缺少 %s 对申请 %d「%s」的评分 / %s has not scored application %d on %s",
			m.Member, m.ApplicationID, m.CriterionID, m.Member, m.ApplicationID, m.CriterionID)
	}
	return chanye.Invalid("评分不全，无法排名 / the scores are incomplete: no ranking", bad)
}
