package scenario

import (
	"math"
	"strings"
	"testing"
	"unicode"

	"github.com/chanye-org/chanye"
)

func day(s string) chanye.Date {
	d, err := chanye.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func fen(v int64) *chanye.Fen { f := chanye.Fen(v); return &f }

const (
	codeA = "9144011661842063XT"
	codeB = "91440101MA5ALP4R4C"
)

func criteriaFixture() []Criterion {
	return []Criterion{
		{ID: "tech", NameZH: "技术先进性", NameEN: "technology", Weight: 40},
		{ID: "cost", NameZH: "成本", NameEN: "cost", Weight: 30},
		{ID: "delivery", NameZH: "交付能力", NameEN: "delivery", Weight: 30},
	}
}

// draft is a valid scenario being collected: applications until 31 July,
// a pilot planned from 1 September.
func draft() *Scenario {
	return &Scenario{
		ID: 1, Title: "城市道路无人驾驶清扫", Offerer: Offerer{Name: "市城市管理和综合执法局", Kind: OffererDepartment},
		IndustryID: "auto", LinkID: "auto.parts", Requirements: "在 3 条主干道夜间连续清扫 30 天", Site: "天河区",
		BudgetFen: fen(500_000_00), Deadline: day("2025-07-31"), PilotStart: day("2025-09-01"), PilotEnd: day("2026-03-01"),
		Criteria: criteriaFixture(), Status: Draft,
	}
}

// at returns the fixture as it stands in status s, its dates consistent
// with the moves that took it there.
func at(s Status) *Scenario {
	sc := draft()
	if s == Draft {
		return sc
	}
	sc.Status, sc.PublishedOn, sc.Applications = Published, day("2025-06-01"), 2
	if s == Published {
		return sc
	}
	if s == Closed {
		sc.Status, sc.ClosedOn, sc.CloseReason = Closed, day("2025-06-10"), "无人揭榜"
		return sc
	}
	sc.Status, sc.ReviewOn = Reviewing, day("2025-08-01")
	if s == Reviewing {
		return sc
	}
	sc.Status, sc.SelectedID, sc.PilotOn = Piloting, 7, day("2025-08-20")
	sc.Milestones = []Milestone{{No: 1, Name: "设备进场", Due: day("2025-09-15")}}
	if s == Piloting {
		return sc
	}
	sc.Status, sc.FirstUseOn, sc.FirstUseEvidence, sc.FirstUseBy = FirstUse, day("2025-12-01"), "验收报告", "cgj"
	if s == FirstUse {
		return sc
	}
	sc.Status = Procured
	sc.Procurements = []Procurement{{Buyer: "越秀区城管局", AmountFen: 1_000_000_00, On: day("2026-01-05"), By: "cgj"}}
	return sc
}

func code(err error) string { return chanye.ErrorCode(err) }

// bilingual reports whether m splits into a Chinese half and an English
// half without Chinese.
func bilingual(m string) bool {
	zh, en := chanye.SplitBilingual(m)
	if zh == en {
		return false
	}
	for _, r := range en {
		if unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// TestNames: every listed status, kind and action is valid and named in
// both languages; unknown ones are not valid.
func TestNames(t *testing.T) {
	for _, x := range Statuses {
		if !x.Status.Valid() || x.Status.NameZH() != x.NameZH || x.Status.NameEN() != x.NameEN || x.NameZH == "" || x.NameEN == "" {
			t.Errorf("status %q", x.Status)
		}
	}
	for _, x := range OffererKinds {
		if !x.Kind.Valid() || x.Kind.NameZH() != x.NameZH || x.Kind.NameEN() != x.NameEN {
			t.Errorf("kind %q", x.Kind)
		}
	}
	for _, x := range ApplicationStatuses {
		if !x.Status.Valid() || x.Status.NameZH() != x.NameZH || x.Status.NameEN() != x.NameEN {
			t.Errorf("application status %q", x.Status)
		}
	}
	for _, x := range Actions {
		if !x.Action.Valid() || len(x.Action.From()) == 0 {
			t.Errorf("action %q", x.Action)
		}
	}
	if Status("x").Valid() || Status("").Valid() || OffererKind("x").Valid() || ApplicationStatus("x").Valid() || Action("x").Valid() || ActCreate.Valid() {
		t.Error("unknown names are valid")
	}
	if Status("x").NameZH() != "x" {
		t.Error("an unknown status is named by itself")
	}
	for s, want := range map[Status]bool{Draft: false, Published: false, Reviewing: false, Piloting: false, FirstUse: true, Procured: true, Closed: true} {
		if s.Terminal() != want {
			t.Errorf("%s terminal = %v", s, !want)
		}
	}
}

// TestValidate: a fault in each field is reported under its name; texts
// are trimmed.
func TestValidate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("字", n) }
	for name, tc := range map[string]struct {
		edit  func(*Scenario)
		field string
	}{
		"fine":                {func(*Scenario) {}, ""},
		"no budget":           {func(s *Scenario) { s.BudgetFen = nil }, ""},
		"no link":             {func(s *Scenario) { s.LinkID = "" }, ""},
		"no site":             {func(s *Scenario) { s.Site = "" }, ""},
		"title longest":       {func(s *Scenario) { s.Title = long(MaxTitleRunes) }, ""},
		"title blank":         {func(s *Scenario) { s.Title = "  " }, "title"},
		"title long":          {func(s *Scenario) { s.Title = long(MaxTitleRunes + 1) }, "title"},
		"offerer name":        {func(s *Scenario) { s.Offerer.Name = "" }, "offerer.name"},
		"offerer name long":   {func(s *Scenario) { s.Offerer.Name = long(MaxNameRunes + 1) }, "offerer.name"},
		"offerer kind":        {func(s *Scenario) { s.Offerer.Kind = "school" }, "offerer.kind"},
		"offerer kind empty":  {func(s *Scenario) { s.Offerer.Kind = "" }, "offerer.kind"},
		"industry missing":    {func(s *Scenario) { s.IndustryID, s.LinkID = "", "" }, "industry_id"},
		"industry shape":      {func(s *Scenario) { s.IndustryID, s.LinkID = "Auto!", "" }, "industry_id"},
		"link shape":          {func(s *Scenario) { s.LinkID = "auto" }, "link_id"},
		"link elsewhere":      {func(s *Scenario) { s.LinkID = "ict.chips" }, "link_id"},
		"link too deep":       {func(s *Scenario) { s.LinkID = "auto.a.b.c" }, "link_id"},
		"requirements":        {func(s *Scenario) { s.Requirements = "" }, "requirements"},
		"requirements long":   {func(s *Scenario) { s.Requirements = long(MaxTextRunes + 1) }, "requirements"},
		"requirements at max": {func(s *Scenario) { s.Requirements = long(MaxTextRunes) }, ""},
		"site long":           {func(s *Scenario) { s.Site = long(MaxNameRunes + 1) }, "site"},
		"budget zero":         {func(s *Scenario) { s.BudgetFen = fen(0) }, "budget_fen"},
		"budget negative":     {func(s *Scenario) { s.BudgetFen = fen(-1) }, "budget_fen"},
		"budget at max":       {func(s *Scenario) { s.BudgetFen = fen(int64(MaxBudgetFen)) }, ""},
		"budget over":         {func(s *Scenario) { s.BudgetFen = fen(int64(MaxBudgetFen) + 1) }, "budget_fen"},
		"deadline missing":    {func(s *Scenario) { s.Deadline = chanye.Date{} }, "deadline"},
		"deadline year":       {func(s *Scenario) { s.Deadline = day("1999-12-31") }, "deadline"},
		"pilot start missing": {func(s *Scenario) { s.PilotStart = chanye.Date{} }, "pilot_start"},
		"pilot at deadline":   {func(s *Scenario) { s.PilotStart = s.Deadline }, "pilot_start"},
		"pilot end missing":   {func(s *Scenario) { s.PilotEnd = chanye.Date{} }, "pilot_end"},
		"pilot end early":     {func(s *Scenario) { s.PilotEnd = day("2025-08-31") }, "pilot_end"},
		"pilot one day":       {func(s *Scenario) { s.PilotEnd = s.PilotStart }, ""},
		"pilot too long":      {func(s *Scenario) { s.PilotEnd = day("2031-01-01") }, "pilot_end"},
		"pilot end year":      {func(s *Scenario) { s.PilotEnd = day("2101-01-01") }, "pilot_end"},
		"no criteria":         {func(s *Scenario) { s.Criteria = nil }, "criteria"},
		"criterion weight":    {func(s *Scenario) { s.Criteria[1].Weight = 0 }, "criteria[1].weight"},
		"weights sum":         {func(s *Scenario) { s.Criteria[1].Weight = 31 }, "criteria"},
		"criterion id":        {func(s *Scenario) { s.Criteria[2].ID = "Delivery" }, "criteria[2].id"},
		"criterion name":      {func(s *Scenario) { s.Criteria[0].NameZH = "" }, "criteria[0].name_zh"},
		"status":              {func(s *Scenario) { s.Status = "" }, "status"},
	} {
		s := draft()
		tc.edit(s)
		err := s.Validate()
		got := chanye.ErrorFields(err)
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v, want nil", name, err)
		case tc.field != "" && (code(err) != chanye.EINVALID || got[tc.field] == ""):
			t.Errorf("%s: %v, want a fault in %q", name, err, tc.field)
		case tc.field != "" && !bilingual(got[tc.field]):
			t.Errorf("%s: %q is not in both languages", name, got[tc.field])
		}
	}
	s := draft()
	s.Title, s.Offerer.Name, s.Criteria[0].ID = "  标题 ", " 单位\t", " tech "
	if err := s.Validate(); err != nil || s.Title != "标题" || s.Offerer.Name != "单位" || s.Criteria[0].ID != "tech" {
		t.Errorf("trim: %v %q %q %q", err, s.Title, s.Offerer.Name, s.Criteria[0].ID)
	}
}

// TestValidateCriteria: counts, ids, names and weights, the weights adding
// up to 100.
func TestValidateCriteria(t *testing.T) {
	c := func(id string, w int) Criterion { return Criterion{ID: id, NameZH: "标准", Weight: w} }
	ten := make([]Criterion, MaxCriteria)
	for i := range ten {
		ten[i] = c("c"+string(rune('a'+i)), 10)
	}
	for name, tc := range map[string]struct {
		cs    []Criterion
		field string
	}{
		"one":          {[]Criterion{c("all", 100)}, ""},
		"ten":          {ten, ""},
		"eleven":       {append(ten[:MaxCriteria:MaxCriteria], c("ck", 0)), "criteria"},
		"none":         {nil, "criteria"},
		"sum short":    {[]Criterion{c("aa", 50), c("bb", 49)}, "criteria"},
		"sum over":     {[]Criterion{c("aa", 50), c("bb", 51)}, "criteria"},
		"weight over":  {[]Criterion{c("aa", 101)}, "criteria[0].weight"},
		"weight minus": {[]Criterion{c("aa", -1), c("bb", 101)}, "criteria[0].weight"},
		"duplicate":    {[]Criterion{c("aa", 50), c("aa", 50)}, "criteria[1].id"},
		"short id":     {[]Criterion{c("a", 100)}, "criteria[0].id"},
		"digit first":  {[]Criterion{c("1a", 100)}, "criteria[0].id"},
		"name en long": {[]Criterion{{ID: "aa", NameZH: "甲", NameEN: strings.Repeat("x", MaxCriterionENRunes+1), Weight: 100}}, "criteria[0].name_en"},
		"name zh long": {[]Criterion{{ID: "aa", NameZH: strings.Repeat("甲", MaxCriterionZHRunes+1), Weight: 100}}, "criteria[0].name_zh"},
	} {
		err := ValidateCriteria(tc.cs)
		if got := chanye.ErrorFields(err); (tc.field == "" && err != nil) || (tc.field != "" && got[tc.field] == "") {
			t.Errorf("%s: %v, want a fault in %q", name, err, tc.field)
		}
	}
	// A weight out of range is told once, not again as a wrong total.
	if got := chanye.ErrorFields(ValidateCriteria([]Criterion{c("aa", 0), c("bb", 100)})); got["criteria"] != "" || len(got) != 1 {
		t.Errorf("weight out of range: %v", got)
	}
}

// TestUpdate: what each status lets change; the deadline only later once
// published; the scenario unchanged on a refusal.
func TestUpdate(t *testing.T) {
	today := day("2025-06-15")
	str := func(s string) *string { return &s }
	dp := func(s string) *chanye.Date { d := day(s); return &d }
	for name, tc := range map[string]struct {
		status Status
		u      ScenarioUpdate
		code   string
		field  string
	}{
		"draft title":               {Draft, ScenarioUpdate{Title: str("新标题")}, "", ""},
		"draft criteria":            {Draft, ScenarioUpdate{Criteria: []Criterion{{ID: "all", NameZH: "综合", Weight: 100}}}, "", ""},
		"draft bad criteria":        {Draft, ScenarioUpdate{Criteria: []Criterion{{ID: "all", NameZH: "综合", Weight: 90}}}, chanye.EINVALID, "criteria"},
		"draft deadline earlier":    {Draft, ScenarioUpdate{Deadline: dp("2025-07-01")}, "", ""},
		"draft clear budget":        {Draft, ScenarioUpdate{ClearBudget: true}, "", ""},
		"draft clear and set":       {Draft, ScenarioUpdate{ClearBudget: true, BudgetFen: fen(1)}, chanye.EINVALID, "budget_fen"},
		"draft budget zero":         {Draft, ScenarioUpdate{BudgetFen: fen(0)}, chanye.EINVALID, "budget_fen"},
		"draft link elsewhere":      {Draft, ScenarioUpdate{IndustryID: str("bio")}, chanye.EINVALID, "link_id"},
		"published title":           {Published, ScenarioUpdate{Title: str("新标题")}, "", ""},
		"published criteria":        {Published, ScenarioUpdate{Criteria: []Criterion{{ID: "all", NameZH: "综合", Weight: 100}}}, chanye.ECONFLICT, ""},
		"published deadline later":  {Published, ScenarioUpdate{Deadline: dp("2025-08-15")}, "", ""},
		"published deadline sooner": {Published, ScenarioUpdate{Deadline: dp("2025-07-30")}, chanye.EINVALID, "deadline"},
		"published past pilot":      {Published, ScenarioUpdate{Deadline: dp("2025-09-01")}, chanye.EINVALID, "pilot_start"},
		"reviewing site":            {Reviewing, ScenarioUpdate{Site: str("海珠区")}, "", ""},
		"reviewing pilot":           {Reviewing, ScenarioUpdate{PilotStart: dp("2025-10-01"), PilotEnd: dp("2026-04-01")}, "", ""},
		"reviewing title":           {Reviewing, ScenarioUpdate{Title: str("新标题")}, chanye.ECONFLICT, ""},
		"reviewing deadline":        {Reviewing, ScenarioUpdate{Deadline: dp("2025-08-15")}, chanye.ECONFLICT, ""},
		"piloting budget":           {Piloting, ScenarioUpdate{BudgetFen: fen(1)}, "", ""},
		"piloting offerer":          {Piloting, ScenarioUpdate{Offerer: &Offerer{Name: "x", Kind: OffererOther}}, chanye.ECONFLICT, ""},
		"first use site":            {FirstUse, ScenarioUpdate{Site: str("x")}, chanye.ECONFLICT, ""},
		"procured budget":           {Procured, ScenarioUpdate{ClearBudget: true}, chanye.ECONFLICT, ""},
		"closed pilot":              {Closed, ScenarioUpdate{PilotEnd: dp("2026-04-01")}, chanye.ECONFLICT, ""},
		"nothing given when closed": {Closed, ScenarioUpdate{}, "", ""},
		"same title when closed":    {Closed, ScenarioUpdate{Title: str("城市道路无人驾驶清扫 ")}, "", ""},
		"same criteria reviewing":   {Reviewing, ScenarioUpdate{Criteria: criteriaFixture(), Deadline: dp("2025-07-31")}, "", ""},
		"same budget first use":     {FirstUse, ScenarioUpdate{BudgetFen: fen(500_000_00)}, "", ""},
		"new budget first use":      {FirstUse, ScenarioUpdate{BudgetFen: fen(500_000_01)}, chanye.ECONFLICT, ""},
		"frozen before invalid":     {Reviewing, ScenarioUpdate{Title: str("")}, chanye.ECONFLICT, ""},
	} {
		s := at(tc.status)
		before := *s
		err := s.Update(tc.u, today)
		if code(err) != tc.code || (tc.field != "" && chanye.ErrorFields(err)[tc.field] == "") {
			t.Errorf("%s: %v, want %q %q", name, err, tc.code, tc.field)
		}
		if err != nil && (s.Title != before.Title || s.Deadline != before.Deadline || s.BudgetFen != before.BudgetFen) {
			t.Errorf("%s: changed on a refusal", name)
		}
	}
	s := at(Published)
	if err := s.Update(ScenarioUpdate{Title: str(" 新 "), Deadline: dp("2025-08-15")}, today); err != nil || s.Title != "新" || s.Deadline != day("2025-08-15") {
		t.Errorf("update: %v %+v", err, s)
	}
	s = at(Published) // deadline passed, review not begun: other edits go on
	s.Deadline, s.PilotStart = day("2025-06-01"), day("2025-07-01")
	if err := s.Update(ScenarioUpdate{Title: str("新"), Deadline: dp("2025-06-01")}, today); err != nil {
		t.Errorf("same past deadline: %v", err)
	}
	s = at(Published)
	s.Deadline = day("2025-06-01")
	s.PilotStart = day("2025-07-01")
	if err := s.Update(ScenarioUpdate{Deadline: dp("2025-06-10")}, today); chanye.ErrorFields(err)["deadline"] == "" {
		t.Errorf("a deadline moved later but still past: %v", err)
	}
	s = at(Draft)
	if err := s.Update(ScenarioUpdate{ClearBudget: true}, today); err != nil || s.BudgetFen != nil {
		t.Errorf("clear budget: %v %v", err, s.BudgetFen)
	}
}

// moves is a valid move of each action and a day it may be taken on from
// the fixture's status (at).
var moves = map[Action]struct {
	m     Move
	today string
}{
	ActPublish:           {Move{Action: ActPublish}, "2025-06-01"},
	ActStartReview:       {Move{Action: ActStartReview}, "2025-08-01"},
	ActSelect:            {Move{Action: ActSelect, ApplicationID: 7}, "2025-08-20"},
	ActAddMilestone:      {Move{Action: ActAddMilestone, Name: "中期评估", Due: day("2025-11-01")}, "2025-09-10"},
	ActCompleteMilestone: {Move{Action: ActCompleteMilestone, MilestoneNo: 1, Evidence: "进场照片与签收单"}, "2025-09-12"},
	ActConfirmFirstUse:   {Move{Action: ActConfirmFirstUse, Evidence: "用户单位验收意见"}, "2025-12-01"},
	ActProcure:           {Move{Action: ActProcure, Buyer: "海珠区城管局", AmountFen: 2_000_000_00}, "2026-02-01"},
	ActClose:             {Move{Action: ActClose, Reason: "需求取消"}, "2025-06-10"},
}

// TestApplyMatrix: every action from every status: allowed where Actions
// says so, with its event; ECONFLICT elsewhere, the scenario unchanged.
func TestApplyMatrix(t *testing.T) {
	want := map[Action]map[Status]Status{ // from → to
		ActPublish:           {Draft: Published},
		ActStartReview:       {Published: Reviewing},
		ActSelect:            {Reviewing: Piloting},
		ActAddMilestone:      {Piloting: Piloting},
		ActCompleteMilestone: {Piloting: Piloting},
		ActConfirmFirstUse:   {Piloting: FirstUse},
		ActProcure:           {FirstUse: Procured, Procured: Procured},
		ActClose:             {Draft: Closed, Published: Closed, Reviewing: Closed, Piloting: Closed},
	}
	for _, a := range Actions {
		mv := moves[a.Action]
		for _, st := range Statuses {
			s := at(st.Status)
			before := *s
			ev, err := s.Apply(mv.m, day(mv.today), "cgj")
			to, ok := want[a.Action][st.Status]
			switch {
			case ok && err != nil:
				t.Errorf("%s from %s: %v", a.Action, st.Status, err)
			case ok && (len(ev) != 1 || ev[0].Action != a.Action || ev[0].From != st.Status || ev[0].To != to || s.Status != to ||
				ev[0].By != "cgj" || ev[0].On != day(mv.today) || ev[0].ScenarioID != 1):
				t.Errorf("%s from %s: %+v, status %s, want %s", a.Action, st.Status, ev, s.Status, to)
			case !ok && (code(err) != chanye.ECONFLICT || !bilingual(chanye.ErrorMessage(err))):
				t.Errorf("%s from %s: %v, want conflict", a.Action, st.Status, err)
			case !ok && (s.Status != before.Status || len(s.Milestones) != len(before.Milestones) || len(s.Procurements) != len(before.Procurements)):
				t.Errorf("%s from %s: changed on a refusal", a.Action, st.Status)
			}
		}
	}
	if _, err := at(Draft).Apply(Move{Action: "fly"}, day("2025-06-01"), "x"); chanye.ErrorFields(err)["action"] == "" {
		t.Errorf("unknown action: %v", err)
	}
}

// TestApplyEffects: what each step records on the scenario and its event.
func TestApplyEffects(t *testing.T) {
	apply := func(s *Scenario, a Action) *Event {
		t.Helper()
		mv := moves[a]
		ev, err := s.Apply(mv.m, day(mv.today), "cgj")
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		return ev[0]
	}
	s := at(Draft)
	apply(s, ActPublish)
	if s.PublishedOn != day("2025-06-01") || !s.Public() || !s.PublishedIn(2025) || s.PublishedIn(2024) {
		t.Errorf("publish: %+v", s)
	}
	s.Applications = 1
	apply(s, ActStartReview)
	if s.ReviewOn != day("2025-08-01") {
		t.Errorf("review: %v", s.ReviewOn)
	}
	if ev := apply(s, ActSelect); s.SelectedID != 7 || s.PilotOn != day("2025-08-20") || ev.ApplicationID != 7 {
		t.Errorf("select: %+v %+v", s, ev)
	}
	if ev := apply(s, ActAddMilestone); len(s.Milestones) != 1 || s.Milestones[0].No != 1 || s.Milestones[0].Due != day("2025-11-01") || ev.MilestoneNo != 1 || ev.Note != "中期评估" {
		t.Errorf("add milestone: %+v %+v", s.Milestones, ev)
	}
	if ev := apply(s, ActCompleteMilestone); !s.Milestones[0].IsDone() || s.Milestones[0].Done != day("2025-09-12") || s.Milestones[0].Evidence != "进场照片与签收单" || ev.MilestoneNo != 1 {
		t.Errorf("complete milestone: %+v %+v", s.Milestones, ev)
	}
	if _, err := s.Apply(moves[ActCompleteMilestone].m, day("2025-09-13"), "cgj"); code(err) != chanye.ECONFLICT {
		t.Errorf("a milestone done twice: %v", err)
	}
	apply(s, ActConfirmFirstUse)
	if s.FirstUseOn != day("2025-12-01") || s.FirstUseBy != "cgj" || s.FirstUseEvidence != "用户单位验收意见" || !s.FirstUsedIn(2025) {
		t.Errorf("first use: %+v", s)
	}
	ev := apply(s, ActProcure)
	ev2 := apply(s, ActProcure)
	total, err := s.ProcuredFen()
	if len(s.Procurements) != 2 || s.Procurements[1].On != day("2026-02-01") || s.Procurements[0].By != "cgj" || total != 4_000_000_00 || err != nil ||
		*ev.AmountFen != 2_000_000_00 || ev.Note != "海珠区城管局" || ev2.From != Procured {
		t.Errorf("procure: %+v %v %v %+v", s.Procurements, total, err, ev)
	}
	c := at(Reviewing)
	if ev := apply(c, ActClose); c.ClosedOn != day("2025-06-10") || c.CloseReason != "需求取消" || ev.Note != "需求取消" {
		t.Errorf("close: %+v %+v", c, ev)
	}
	// A note given is the event's note; the move's copy of the fixture's
	// milestones is not shared with the scenario before it.
	p := at(Piloting)
	old := p.Milestones
	m := moves[ActCompleteMilestone].m
	m.Note = "提前完成"
	if ev, err := p.Apply(m, day("2025-09-12"), "cgj"); err != nil || ev[0].Note != "提前完成" || old[0].IsDone() {
		t.Errorf("note: %v %+v %+v", err, ev, old)
	}
}

// TestApplyRefused: the date rules and the input of each step, EINVALID
// naming the field or ECONFLICT for a step the moment does not allow.
func TestApplyRefused(t *testing.T) {
	many := func(s Status, n int) *Scenario {
		sc := at(s)
		for range n {
			sc.Milestones = append(sc.Milestones, Milestone{Name: "m", Due: day("2025-10-01")})
			sc.Procurements = append(sc.Procurements, Procurement{Buyer: "b", AmountFen: 1, On: day("2026-01-01")})
		}
		return sc
	}
	for name, tc := range map[string]struct {
		s     *Scenario
		m     Move
		today string
		code  string
		field string
	}{
		"publish past deadline":     {at(Draft), Move{Action: ActPublish}, "2025-08-01", chanye.EINVALID, "deadline"},
		"publish on deadline":       {at(Draft), Move{Action: ActPublish}, "2025-07-31", "", ""},
		"publish invalid":           {func() *Scenario { s := at(Draft); s.Title = ""; return s }(), Move{Action: ActPublish}, "2025-06-01", chanye.EINVALID, "title"},
		"review on deadline":        {at(Published), Move{Action: ActStartReview}, "2025-07-31", chanye.ECONFLICT, ""},
		"review no application":     {func() *Scenario { s := at(Published); s.Applications = 0; return s }(), Move{Action: ActStartReview}, "2025-08-01", chanye.ECONFLICT, ""},
		"select nothing":            {at(Reviewing), Move{Action: ActSelect}, "2025-08-20", chanye.EINVALID, "application_id"},
		"milestone no name":         {at(Piloting), Move{Action: ActAddMilestone, Due: day("2025-10-01")}, "2025-09-10", chanye.EINVALID, "name"},
		"milestone no due":          {at(Piloting), Move{Action: ActAddMilestone, Name: "x"}, "2025-09-10", chanye.EINVALID, "due"},
		"milestone due early":       {at(Piloting), Move{Action: ActAddMilestone, Name: "x", Due: day("2025-08-19")}, "2025-09-10", chanye.EINVALID, "due"},
		"milestone due on pilot":    {at(Piloting), Move{Action: ActAddMilestone, Name: "x", Due: day("2025-08-20")}, "2025-09-10", "", ""},
		"milestones full":           {many(Piloting, MaxMilestones), Move{Action: ActAddMilestone, Name: "x", Due: day("2025-10-01")}, "2025-09-10", chanye.EINVALID, "milestones"},
		"complete unknown":          {at(Piloting), Move{Action: ActCompleteMilestone, MilestoneNo: 2, Evidence: "x"}, "2025-09-10", chanye.EINVALID, "milestone_no"},
		"complete zero":             {at(Piloting), Move{Action: ActCompleteMilestone, Evidence: "x"}, "2025-09-10", chanye.EINVALID, "milestone_no"},
		"complete no evidence":      {at(Piloting), Move{Action: ActCompleteMilestone, MilestoneNo: 1, Evidence: " "}, "2025-09-10", chanye.EINVALID, "evidence"},
		"complete future":           {at(Piloting), Move{Action: ActCompleteMilestone, MilestoneNo: 1, Evidence: "x", On: day("2025-09-11")}, "2025-09-10", chanye.EINVALID, "on"},
		"complete before pilot":     {at(Piloting), Move{Action: ActCompleteMilestone, MilestoneNo: 1, Evidence: "x", On: day("2025-08-19")}, "2025-09-10", chanye.EINVALID, "on"},
		"first use no evidence":     {at(Piloting), Move{Action: ActConfirmFirstUse}, "2025-12-01", chanye.EINVALID, "evidence"},
		"first use future":          {at(Piloting), Move{Action: ActConfirmFirstUse, Evidence: "x", On: day("2025-12-02")}, "2025-12-01", chanye.EINVALID, "on"},
		"first use before start":    {at(Piloting), Move{Action: ActConfirmFirstUse, Evidence: "x", On: day("2025-08-31")}, "2025-12-01", chanye.EINVALID, "on"},
		"first use on start":        {at(Piloting), Move{Action: ActConfirmFirstUse, Evidence: "x", On: day("2025-09-01")}, "2025-12-01", "", ""},
		"first use before pilot on": {func() *Scenario { s := at(Piloting); s.PilotOn = day("2025-10-01"); return s }(), Move{Action: ActConfirmFirstUse, Evidence: "x", On: day("2025-09-30")}, "2025-12-01", chanye.EINVALID, "on"},
		"procure no buyer":          {at(FirstUse), Move{Action: ActProcure, AmountFen: 1}, "2026-01-10", chanye.EINVALID, "buyer"},
		"procure zero":              {at(FirstUse), Move{Action: ActProcure, Buyer: "b"}, "2026-01-10", chanye.EINVALID, "amount_fen"},
		"procure negative":          {at(FirstUse), Move{Action: ActProcure, Buyer: "b", AmountFen: -5}, "2026-01-10", chanye.EINVALID, "amount_fen"},
		"procure over":              {at(FirstUse), Move{Action: ActProcure, Buyer: "b", AmountFen: MaxProcurementFen + 1}, "2026-01-10", chanye.EINVALID, "amount_fen"},
		"procure at max":            {at(FirstUse), Move{Action: ActProcure, Buyer: "b", AmountFen: MaxProcurementFen}, "2026-01-10", "", ""},
		"procure before first use":  {at(FirstUse), Move{Action: ActProcure, Buyer: "b", AmountFen: 1, On: day("2025-11-30")}, "2026-01-10", chanye.EINVALID, "on"},
		"procure on first use":      {at(FirstUse), Move{Action: ActProcure, Buyer: "b", AmountFen: 1, On: day("2025-12-01")}, "2026-01-10", "", ""},
		"procure future":            {at(Procured), Move{Action: ActProcure, Buyer: "b", AmountFen: 1, On: day("2026-01-11")}, "2026-01-10", chanye.EINVALID, "on"},
		"procurements full":         {many(Procured, MaxProcurements), Move{Action: ActProcure, Buyer: "b", AmountFen: 1}, "2026-01-10", chanye.EINVALID, "procurements"},
		"close no reason":           {at(Published), Move{Action: ActClose}, "2025-06-10", chanye.EINVALID, "reason"},
		"close long reason":         {at(Published), Move{Action: ActClose, Reason: strings.Repeat("字", MaxTextRunes+1)}, "2025-06-10", chanye.EINVALID, "reason"},
		"long note":                 {at(Draft), Move{Action: ActPublish, Note: strings.Repeat("字", MaxTextRunes+1)}, "2025-06-01", chanye.EINVALID, "note"},
	} {
		before := tc.s.Status
		_, err := tc.s.Apply(tc.m, day(tc.today), "cgj")
		if code(err) != tc.code || (tc.field != "" && !bilingual(chanye.ErrorFields(err)[tc.field])) {
			t.Errorf("%s: %v %v, want %q %q", name, err, chanye.ErrorFields(err), tc.code, tc.field)
		}
		if err != nil && !bilingual(chanye.ErrorMessage(err)) {
			t.Errorf("%s: message %q", name, chanye.ErrorMessage(err))
		}
		if err != nil && tc.s.Status != before {
			t.Errorf("%s: moved on a refusal", name)
		}
	}
}

// TestProcurementOverflow: a total that would leave int64 is refused,
// never wrapped.
func TestProcurementOverflow(t *testing.T) {
	s := at(Procured)
	s.Procurements = []Procurement{{Buyer: "a", AmountFen: math.MaxInt64 - 50, On: day("2026-01-05")}}
	if total, err := s.ProcuredFen(); err != nil || total != math.MaxInt64-50 {
		t.Fatalf("total: %v %v", total, err)
	}
	_, err := s.Apply(Move{Action: ActProcure, Buyer: "b", AmountFen: 100}, day("2026-01-10"), "cgj")
	if code(err) != chanye.EINVALID || chanye.ErrorFields(err)["amount_fen"] == "" || len(s.Procurements) != 1 {
		t.Errorf("overflow: %v %d", err, len(s.Procurements))
	}
	if _, err := s.Apply(Move{Action: ActProcure, Buyer: "b", AmountFen: 50}, day("2026-01-10"), "cgj"); err != nil {
		t.Errorf("up to the limit: %v", err)
	}
	s.Procurements = append(s.Procurements, Procurement{AmountFen: 1})
	if _, err := s.ProcuredFen(); code(err) != chanye.EINVALID {
		t.Errorf("stored overflow: %v", err)
	}
}

// TestApplication: validation, when applications are taken, withdrawal
// and selection.
func TestApplication(t *testing.T) {
	for name, tc := range map[string]struct {
		a     Application
		field string
	}{
		"fine":        {Application{ScenarioID: 1, Code: codeA, Solution: "方案", Status: Submitted}, ""},
		"lower code":  {Application{ScenarioID: 1, Code: " 91440101ma5alp4r4c ", Solution: "方案", Status: Submitted}, ""},
		"no scenario": {Application{Code: codeA, Solution: "方案", Status: Submitted}, "scenario_id"},
		"bad code":    {Application{ScenarioID: 1, Code: "9144011661842063XX", Solution: "方案", Status: Submitted}, "code"},
		"no code":     {Application{ScenarioID: 1, Solution: "方案", Status: Submitted}, "code"},
		"no solution": {Application{ScenarioID: 1, Code: codeA, Solution: " ", Status: Submitted}, "solution"},
		"long":        {Application{ScenarioID: 1, Code: codeA, Solution: strings.Repeat("字", MaxTextRunes+1), Status: Submitted}, "solution"},
		"status":      {Application{ScenarioID: 1, Code: codeA, Solution: "方案"}, "status"},
	} {
		err := tc.a.Validate()
		if got := chanye.ErrorFields(err); (tc.field == "" && err != nil) || (tc.field != "" && got[tc.field] == "") {
			t.Errorf("%s: %v, want a fault in %q", name, err, tc.field)
		}
	}
	a := Application{ScenarioID: 1, Code: " 91440101ma5alp4r4c ", Solution: "方案", Status: Submitted}
	if a.Validate(); a.Code != codeB {
		t.Errorf("normalised code %q", a.Code)
	}

	for name, tc := range map[string]struct {
		s     *Scenario
		today string
		code  string
	}{
		"published":   {at(Published), "2025-06-15", ""},
		"on deadline": {at(Published), "2025-07-31", ""},
		"after":       {at(Published), "2025-08-01", chanye.ECONFLICT},
		"draft":       {at(Draft), "2025-06-15", chanye.ECONFLICT},
		"reviewing":   {at(Reviewing), "2025-06-15", chanye.ECONFLICT},
		"closed":      {at(Closed), "2025-06-15", chanye.ECONFLICT},
	} {
		if err := tc.s.CanApply(day(tc.today)); code(err) != tc.code {
			t.Errorf("can apply, %s: %v", name, err)
		}
	}

	for name, tc := range map[string]struct {
		a    Application
		s    *Scenario
		code string
	}{
		"published":     {Application{ScenarioID: 1, Status: Submitted}, at(Published), ""},
		"reviewing":     {Application{ScenarioID: 1, Status: Submitted}, at(Reviewing), chanye.ECONFLICT},
		"withdrawn":     {Application{ScenarioID: 1, Status: Withdrawn}, at(Published), chanye.ECONFLICT},
		"other":         {Application{ScenarioID: 2, Status: Submitted}, at(Published), chanye.EINVALID},
		"selected":      {Application{ScenarioID: 1, Status: Selected}, at(Piloting), chanye.ECONFLICT},
		"closed call":   {Application{ScenarioID: 1, Status: Submitted}, at(Closed), chanye.ECONFLICT},
		"not selected.": {Application{ScenarioID: 1, Status: NotSelected}, at(Piloting), chanye.ECONFLICT},
	} {
		before := tc.a.Status
		err := tc.a.Withdraw(tc.s)
		if code(err) != tc.code || (err == nil && tc.a.Status != Withdrawn) || (err != nil && tc.a.Status != before) {
			t.Errorf("withdraw, %s: %v %s", name, err, tc.a.Status)
		}
	}

	apps := func() []*Application {
		return []*Application{{ID: 1, Status: Submitted}, {ID: 2, Status: Withdrawn}, {ID: 3, Status: Submitted}}
	}
	as := apps()
	if err := MarkSelected(as, 3); err != nil || as[0].Status != NotSelected || as[1].Status != Withdrawn || as[2].Status != Selected {
		t.Errorf("select: %v %s %s %s", err, as[0].Status, as[1].Status, as[2].Status)
	}
	if err := MarkSelected(as, 1); code(err) != chanye.ECONFLICT {
		t.Errorf("select again: %v", err)
	}
	as = apps()
	if err := MarkSelected(as, 2); code(err) != chanye.ECONFLICT || as[0].Status != Submitted {
		t.Errorf("select withdrawn: %v", err)
	}
	if err := MarkSelected(as, 9); chanye.ErrorFields(err)["application_id"] == "" || as[0].Status != Submitted {
		t.Errorf("select unknown: %v", err)
	}
}

// TestPanelScoreConflict: the panel, a score and a declaration on their
// own and against the review.
func TestPanelScoreConflict(t *testing.T) {
	for name, tc := range map[string]struct {
		panel []string
		field string
	}{
		"three":     {[]string{"wang", "li", "zhang"}, ""},
		"two":       {[]string{"wang", "li"}, "panel"},
		"sixteen":   {strings.Split(strings.Repeat("x,", MaxPanel)+"y", ","), "panel"},
		"blank":     {[]string{"wang", " ", "li"}, "panel[1]"},
		"twice":     {[]string{"wang", "li", " wang"}, "panel[2]"},
		"long name": {[]string{"wang", "li", strings.Repeat("x", MaxMemberRunes+1)}, "panel[2]"},
	} {
		err := ValidatePanel(tc.panel)
		if got := chanye.ErrorFields(err); (tc.field == "" && err != nil) || (tc.field != "" && got[tc.field] == "") {
			t.Errorf("panel %s: %v, want a fault in %q", name, err, tc.field)
		}
	}
	panel := []string{"wang", "li", "zhang"}
	conflicts := []Conflict{{ApplicationID: 2, Member: "li", Reason: "曾任顾问"}}
	for name, tc := range map[string]struct {
		sc    Score
		code  string
		field string
	}{
		"fine":          {Score{ApplicationID: 1, Member: "li", CriterionID: "tech", Points: 80}, "", ""},
		"zero":          {Score{ApplicationID: 1, Member: "li", CriterionID: "tech", Points: 0}, "", ""},
		"hundred":       {Score{ApplicationID: 1, Member: "li", CriterionID: "tech", Points: 100}, "", ""},
		"over":          {Score{ApplicationID: 1, Member: "li", CriterionID: "tech", Points: 101}, chanye.EINVALID, "points"},
		"negative":      {Score{ApplicationID: 1, Member: "li", CriterionID: "tech", Points: -1}, chanye.EINVALID, "points"},
		"no app":        {Score{Member: "li", CriterionID: "tech", Points: 1}, chanye.EINVALID, "application_id"},
		"no member":     {Score{ApplicationID: 1, CriterionID: "tech", Points: 1}, chanye.EINVALID, "member"},
		"not on panel":  {Score{ApplicationID: 1, Member: "zhao", CriterionID: "tech", Points: 1}, chanye.EINVALID, "member"},
		"bad criterion": {Score{ApplicationID: 1, Member: "li", CriterionID: "Tech", Points: 1}, chanye.EINVALID, "criterion_id"},
		"no criterion":  {Score{ApplicationID: 1, Member: "li", CriterionID: "price", Points: 1}, chanye.EINVALID, "criterion_id"},
		"conflicted":    {Score{ApplicationID: 2, Member: "li", CriterionID: "tech", Points: 1}, chanye.ECONFLICT, ""},
		"others free":   {Score{ApplicationID: 2, Member: "wang", CriterionID: "tech", Points: 1}, "", ""},
	} {
		err := CheckScore(&tc.sc, criteriaFixture(), panel, conflicts)
		if code(err) != tc.code || (tc.field != "" && chanye.ErrorFields(err)[tc.field] == "") {
			t.Errorf("score %s: %v, want %q %q", name, err, tc.code, tc.field)
		}
	}
	for name, tc := range map[string]struct {
		c     Conflict
		field string
	}{
		"fine":      {Conflict{ApplicationID: 1, Member: "li", Reason: "亲属任职"}, ""},
		"no app":    {Conflict{Member: "li", Reason: "亲属任职"}, "application_id"},
		"no member": {Conflict{ApplicationID: 1, Reason: "亲属任职"}, "member"},
		"no reason": {Conflict{ApplicationID: 1, Member: "li"}, "reason"},
	} {
		err := tc.c.Validate()
		if got := chanye.ErrorFields(err); (tc.field == "" && err != nil) || (tc.field != "" && got[tc.field] == "") {
			t.Errorf("conflict %s: %v, want a fault in %q", name, err, tc.field)
		}
	}
}

// sheet returns the scores of member on application app, one per
// criterion id in the order given.
func sheet(app int64, member string, ids []string, points ...int) []Score {
	var out []Score
	for i, id := range ids {
		out = append(out, Score{ApplicationID: app, Member: member, CriterionID: id, Points: points[i]})
	}
	return out
}

// TestRank: weights decide, not plain sums; a conflicted member's scores
// do not count; ties fall to the lower id, and only exact ties are ties;
// incomplete reviews are refused or, by RankComplete, left out.
func TestRank(t *testing.T) {
	cs := criteriaFixture()
	ids := []string{"tech", "cost", "delivery"}
	panel := []string{"wang", "li", "zhang"}
	apps := []Application{
		{ID: 1, ScenarioID: 1, Code: codeA, Status: Submitted},
		{ID: 2, ScenarioID: 1, Code: codeB, Status: Submitted},
		{ID: 3, ScenarioID: 1, Status: Submitted},
		{ID: 4, ScenarioID: 1, Status: Withdrawn},
	}
	var scores []Score
	for _, m := range panel {
		// 1 and 2 have the same plain sum (210); 2 is stronger on the
		// criteria weighing 60 together.
		scores = append(scores, sheet(1, m, ids, 90, 60, 60)...)
		scores = append(scores, sheet(2, m, ids, 60, 90, 90)...)
	}
	// zhang declared a conflict with 3 after scoring it 0: the zeros do
	// not count, and 3 needs no score from zhang.
	scores = append(scores, sheet(3, "wang", ids, 80, 80, 80)...)
	scores = append(scores, sheet(3, "li", ids, 81, 80, 79)...)
	scores = append(scores, sheet(3, "zhang", ids, 0, 0, 0)...)
	conflicts := []Conflict{{ApplicationID: 3, Member: "zhang", Reason: "曾任顾问"}}
	r, err := Rank(cs, panel, scores, conflicts, apps)
	if err != nil {
		t.Fatal(err)
	}
	if r.Ranked != 3 || len(r.Entries) != 3 {
		t.Errorf("ranked %d, entries %d, want 3 (the withdrawn left out)", r.Ranked, len(r.Entries))
	}
	type row struct {
		id          int64
		rank        int
		total       int64
		members     int
		tied        bool
		tech, deliv int64
	}
	var got []row
	for _, e := range r.Entries {
		got = append(got, row{e.ApplicationID, e.Rank, e.Total, e.Members, e.Tied, e.Means[0].Mean, e.Means[2].Mean})
	}
	// 3: 40×80.5 + 30×80 + 30×79.5 = 8005 → 80.05 over two members.
	want := []row{{3, 1, 8005, 2, false, 8050, 7950}, {2, 2, 7800, 3, false, 6000, 9000}, {1, 3, 7200, 3, false, 9000, 6000}}
	if len(got) != len(want) || r.Incomplete != nil {
		t.Fatalf("ranking %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if r.Entries[1].Code != codeB || r.Entries[0].Means[1].CriterionID != "cost" {
		t.Errorf("entry fields: %+v", r.Entries[1])
	}
	if scores[0].Member != "wang" || panel[0] != "wang" || cs[0].ID != "tech" {
		t.Error("inputs changed")
	}

	// Incomplete: li has not scored 2 on cost.
	var gap []Score
	for _, s := range scores {
		if !(s.ApplicationID == 2 && s.Member == "li" && s.CriterionID == "cost") {
			gap = append(gap, s)
		}
	}
	_, err = Rank(cs, panel, gap, conflicts, apps)
	if f := chanye.ErrorFields(err); code(err) != chanye.EINVALID || len(f) != 1 || !strings.Contains(f["scores[2][li][cost]"], "li") || !bilingual(f["scores[2][li][cost]"]) {
		t.Errorf("incomplete: %v", err)
	}
	r, err = RankComplete(cs, panel, gap, conflicts, apps)
	if err != nil || len(r.Entries) != 2 || r.Entries[0].ApplicationID != 3 || r.Entries[1].ApplicationID != 1 || r.Entries[1].Rank != 2 ||
		len(r.Incomplete) != 1 || r.Incomplete[0] != (Missing{2, "li", "cost"}) {
		t.Errorf("complete only: %v %+v", err, r)
	}

	// Every member conflicted with 3.
	all := append(conflicts, Conflict{ApplicationID: 3, Member: "wang"}, Conflict{ApplicationID: 3, Member: "li"})
	if _, err := Rank(cs, panel, scores, all, apps); chanye.ErrorFields(err)["scores[3]"] == "" {
		t.Errorf("all conflicted: %v", err)
	}
	if r, err := RankComplete(cs, panel, scores, all, apps); err != nil || len(r.Entries) != 2 || r.Incomplete[0] != (Missing{ApplicationID: 3}) {
		t.Errorf("all conflicted, complete only: %v %+v", err, r)
	}

	// Many gaps: the first ones named, the rest counted.
	_, err = Rank(cs, panel, nil, nil, apps)
	if f := chanye.ErrorFields(err); len(f) != maxMissingListed+1 || !strings.Contains(f["scores"], "7 ") {
		t.Errorf("many gaps (27): %d fields, %q", len(f), f["scores"])
	}
	if r, err := Rank(cs, panel, nil, nil, nil); err != nil || len(r.Entries) != 0 {
		t.Errorf("no applications: %v %+v", err, r)
	}
}

// TestRankTies: equal exact totals are tied and ordered by id; totals
// that round alike but differ exactly are ordered by the exact value.
func TestRankTies(t *testing.T) {
	panel := []string{"a", "b", "c"}
	apps := []Application{{ID: 9, Status: Submitted}, {ID: 5, Status: Submitted}, {ID: 7, Status: Selected}}
	one := []Criterion{{ID: "all", NameZH: "综合", Weight: 100}}
	var scores []Score
	for _, m := range panel {
		scores = append(scores, sheet(9, m, []string{"all"}, 70)...)
		scores = append(scores, sheet(5, m, []string{"all"}, 70)...)
		scores = append(scores, sheet(7, m, []string{"all"}, 50)...)
	}
	r, err := Rank(one, panel, scores, nil, apps)
	if err != nil || r.Entries[0].ApplicationID != 5 || r.Entries[1].ApplicationID != 9 || !r.Entries[0].Tied || !r.Entries[1].Tied ||
		r.Entries[2].Tied || r.Entries[2].Rank != 3 || r.Entries[0].Total != 7000 {
		t.Errorf("tie: %v %+v", err, r.Entries)
	}

	// A tie across panels of different size: 75 from two members equals
	// 75 from three.
	scores = append(sheet(5, "a", []string{"all"}, 70), sheet(5, "b", []string{"all"}, 80)...)
	scores = append(scores, sheet(9, "a", []string{"all"}, 75)...)
	scores = append(scores, sheet(9, "b", []string{"all"}, 75)...)
	scores = append(scores, sheet(9, "c", []string{"all"}, 75)...)
	scores = append(scores, sheet(7, "a", []string{"all"}, 1)...)
	scores = append(scores, sheet(7, "b", []string{"all"}, 0)...)
	scores = append(scores, sheet(7, "c", []string{"all"}, 0)...)
	r, err = Rank(one, panel, scores, []Conflict{{ApplicationID: 5, Member: "c"}}, apps)
	if err != nil || r.Entries[0].ApplicationID != 5 || !r.Entries[0].Tied || r.Entries[0].Members != 2 || r.Entries[1].Members != 3 ||
		r.Entries[2].Total != 33 || r.Entries[2].Means[0].Mean != 33 {
		t.Errorf("tie across sizes: %v %+v", err, r.Entries)
	}

	// Weights 1 and 99: 5 totals 210.99/3 = 70.33, 9 totals 211/3 =
	// 70.3333…; both show 7033, 9 ranks first and neither is tied.
	two := []Criterion{{ID: "minor", NameZH: "次要", Weight: 1}, {ID: "major", NameZH: "主要", Weight: 99}}
	ids := []string{"minor", "major"}
	scores = nil
	for i, m := range panel {
		scores = append(scores, sheet(5, m, ids, 4, 71)...)
		scores = append(scores, sheet(9, m, ids, []int{5, 4, 4}[i], 71)...)
		scores = append(scores, sheet(7, m, ids, 0, 0)...)
	}
	r, err = Rank(two, panel, scores, nil, apps)
	if err != nil || r.Entries[0].ApplicationID != 9 || r.Entries[1].ApplicationID != 5 || r.Entries[0].Total != 7033 || r.Entries[1].Total != 7033 ||
		r.Entries[0].Tied || r.Entries[1].Tied {
		t.Errorf("rounded alike: %v %+v", err, r.Entries)
	}
	// Half up: 2/3 of a point shows as 67 hundredths; 0.005 rounds up.
	if roundDiv(200, 3) != 67 || roundDiv(100, 3) != 33 || roundDiv(1, 2) != 1 || roundDiv(0, 3) != 0 {
		t.Error("roundDiv")
	}
}

// TestRankRefusesBadInput: the review data is checked before anything is
// ranked, each fault named.
func TestRankRefusesBadInput(t *testing.T) {
	cs := criteriaFixture()
	panel := []string{"wang", "li", "zhang"}
	apps := []Application{{ID: 1, ScenarioID: 1, Status: Submitted}, {ID: 2, ScenarioID: 1, Status: Submitted}}
	good := Score{ApplicationID: 1, Member: "wang", CriterionID: "tech", Points: 50}
	with := func(edit func(*Score)) []Score { s := good; edit(&s); return []Score{s} }
	for name, tc := range map[string]struct {
		cs        []Criterion
		panel     []string
		scores    []Score
		conflicts []Conflict
		apps      []Application
		field     string
	}{
		"weights":          {[]Criterion{{ID: "aa", NameZH: "甲", Weight: 99}}, panel, nil, nil, apps, "criteria"},
		"small panel":      {cs, panel[:2], nil, nil, apps, "panel"},
		"panel twice":      {cs, []string{"wang", "li", "wang"}, nil, nil, apps, "panel[2]"},
		"unknown app":      {cs, panel, with(func(s *Score) { s.ApplicationID = 9 }), nil, apps, "scores[0].application_id"},
		"unknown member":   {cs, panel, with(func(s *Score) { s.Member = "zhao" }), nil, apps, "scores[0].member"},
		"unknown crit":     {cs, panel, with(func(s *Score) { s.CriterionID = "price" }), nil, apps, "scores[0].criterion_id"},
		"points":           {cs, panel, with(func(s *Score) { s.Points = 101 }), nil, apps, "scores[0].points"},
		"twice":            {cs, panel, []Score{good, good}, nil, apps, "scores[1]"},
		"conflict app":     {cs, panel, nil, []Conflict{{ApplicationID: 9, Member: "li"}}, apps, "conflicts[0].application_id"},
		"conflict member":  {cs, panel, nil, []Conflict{{ApplicationID: 1, Member: "zhao"}}, apps, "conflicts[0].member"},
		"app twice":        {cs, panel, nil, nil, []Application{apps[0], apps[0]}, "applications[1].id"},
		"app without id":   {cs, panel, nil, nil, []Application{{ScenarioID: 1}}, "applications[0].id"},
		"two scenarios":    {cs, panel, nil, nil, []Application{apps[0], {ID: 3, ScenarioID: 2}}, "applications[1].scenario_id"},
		"withdrawn scores": {cs, panel, []Score{good}, nil, []Application{{ID: 1, ScenarioID: 1, Status: Withdrawn}}, ""},
	} {
		for _, f := range []func([]Criterion, []string, []Score, []Conflict, []Application) (Ranking, error){Rank, RankComplete} {
			r, err := f(tc.cs, tc.panel, tc.scores, tc.conflicts, tc.apps)
			switch {
			case tc.field == "" && (err != nil || len(r.Entries) != 0):
				t.Errorf("%s: %v %+v", name, err, r)
			case tc.field != "" && (code(err) != chanye.EINVALID || chanye.ErrorFields(err)[tc.field] == ""):
				t.Errorf("%s: %v, want a fault in %q", name, err, tc.field)
			}
		}
	}
}

// TestProgress: a year's publications and first uses, by industry and by
// offering unit in a fixed order.
func TestProgress(t *testing.T) {
	mk := func(ind, unit string, kind OffererKind, published, firstUse string, st Status) Scenario {
		s := Scenario{IndustryID: ind, Offerer: Offerer{Name: unit, Kind: kind}, Status: st}
		if published != "" {
			s.PublishedOn = day(published)
		}
		if firstUse != "" {
			s.FirstUseOn = day(firstUse)
		}
		return s
	}
	scenarios := []Scenario{
		mk("bio", "省人民医院", OffererHospital, "2025-03-01", "", Reviewing),
		mk("auto", "广汽集团", OffererStateOwned, "2025-01-01", "2025-12-31", Procured),
		mk("auto", "市城管局", OffererDepartment, "2024-12-31", "2025-06-01", FirstUse), // published the year before
		mk("auto", "市城管局", OffererDepartment, "2025-05-01", "", Closed),             // closed later: still published
		mk("ict", "某企业", OffererEnterprise, "", "", Draft),                          // never published
		mk("ict", "某企业", OffererEnterprise, "2026-01-01", "", Published),            // next year
		mk("bio", "市卫健委", OffererDepartment, "2025-02-01", "", Piloting),
	}
	p := Progress(scenarios, 2025)
	if p.Year != 2025 || p.Target != TargetPerYear || p.Published != 4 || p.FirstUses != 2 || p.Remaining != TargetPerYear-4 {
		t.Errorf("year: %+v", p)
	}
	wantInd := []IndustryCount{{"auto", Count{2, 2}}, {"bio", Count{2, 0}}}
	if len(p.ByIndustry) != len(wantInd) {
		t.Fatalf("by industry: %+v", p.ByIndustry)
	}
	for i, w := range wantInd {
		if p.ByIndustry[i] != w {
			t.Errorf("by industry %d = %+v, want %+v", i, p.ByIndustry[i], w)
		}
	}
	wantOff := []OffererCount{
		{Offerer{"市卫健委", OffererDepartment}, Count{1, 0}},
		{Offerer{"市城管局", OffererDepartment}, Count{1, 1}},
		{Offerer{"广汽集团", OffererStateOwned}, Count{1, 1}},
		{Offerer{"省人民医院", OffererHospital}, Count{1, 0}},
	}
	if len(p.ByOfferer) != len(wantOff) {
		t.Fatalf("by offerer: %+v", p.ByOfferer)
	}
	for i, w := range wantOff {
		if p.ByOfferer[i] != w {
			t.Errorf("by offerer %d = %+v, want %+v", i, p.ByOfferer[i], w)
		}
	}
	if q := Progress(scenarios, 2024); q.Published != 1 || q.FirstUses != 0 || len(q.ByIndustry) != 1 {
		t.Errorf("2024: %+v", q)
	}
	if q := Progress(nil, 2030); q.Published != 0 || q.Remaining != TargetPerYear || q.ByIndustry == nil || q.ByOfferer == nil {
		t.Errorf("empty year: %+v", q)
	}
	many := make([]Scenario, TargetPerYear+5)
	for i := range many {
		many[i] = mk("auto", "x", OffererOther, "2025-07-01", "", Published)
	}
	if q := Progress(many, 2025); q.Remaining != 0 || q.Published != TargetPerYear+5 {
		t.Errorf("past the target: %+v", q)
	}
}

// TestFilters: bounds of the list filters, the default page.
func TestFilters(t *testing.T) {
	st, bad := Published, Status("x")
	k, badK := OffererHospital, OffererKind("x")
	ind, badInd := "auto", "Auto"
	y, badY := 2025, 1999
	for name, tc := range map[string]struct {
		f     Filter
		field string
	}{
		"empty":         {Filter{}, ""},
		"all":           {Filter{Status: &st, IndustryID: &ind, OffererKind: &k, Year: &y, PublicOnly: true, Offset: 10, Limit: MaxPage}, ""},
		"status":        {Filter{Status: &bad}, "status"},
		"industry":      {Filter{IndustryID: &badInd}, "industry_id"},
		"kind":          {Filter{OffererKind: &badK}, "offerer_kind"},
		"year":          {Filter{Year: &badY}, "year"},
		"offset":        {Filter{Offset: -1}, "offset"},
		"limit":         {Filter{Limit: MaxPage + 1}, "limit"},
		"limit minus":   {Filter{Limit: -1}, "limit"},
		"limit one":     {Filter{Limit: 1}, ""},
		"offset bigger": {Filter{Offset: 1 << 20}, ""},
	} {
		err := tc.f.Validate()
		if got := chanye.ErrorFields(err); (tc.field == "" && err != nil) || (tc.field != "" && got[tc.field] == "") {
			t.Errorf("%s: %v, want a fault in %q", name, err, tc.field)
		}
	}
	f := Filter{}
	if f.Validate(); f.Limit != DefaultPage {
		t.Errorf("default limit %d", f.Limit)
	}
	lower, badCode, as := "91440101ma5alp4r4c", "914401", Submitted
	af := ApplicationFilter{Code: &lower, Status: &as}
	if err := af.Validate(); err != nil || *af.Code != codeB || af.Limit != DefaultPage {
		t.Errorf("application filter: %v %+v", err, af)
	}
	af = ApplicationFilter{Code: &badCode, Limit: MaxPage + 1}
	if f := chanye.ErrorFields(af.Validate()); !strings.Contains(f["code"], "长度为 6") || f["limit"] == "" {
		t.Errorf("bad application filter: %v", f)
	}
	app := Application{ScenarioID: 1, Code: badCode, Solution: "方案", Status: Submitted}
	if f := chanye.ErrorFields(app.Validate()); !strings.Contains(f["code"], "长度为 6") {
		t.Errorf("bad application code: %q, want the code's own fault", f["code"])
	}
}
