package demo

import (
	"context"
	"fmt"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
)

// Routine work on the demo projects, so that a newcomer sees every state:
// a few warnings closed (销号) with a note and an evidence file, and
// supervision items (督办) issued, answered, sent back and closed. Every
// note says 演示数据. The store's clock decides "today": closures hold for
// its month, and an item due today turns overdue the next day (a due date
// in the past cannot be given).

// RoutineStats counts what GenerateRoutine wrote.
type RoutineStats struct {
	Closures     int
	Supervisions map[project.SupStatus]int
}

// demoEvidence is the evidence file of the demo's closures: a PDF.
var demoEvidence = []byte("%PDF-1.4\n% 演示数据 demo evidence\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")

var (
	demoLeader = chanye.Actor{Name: "演示市领导", Role: chanye.RoleLeader}
	demoDept   = chanye.Actor{Name: "演示责任部门", Role: chanye.RoleDepartment}
)

// GenerateRoutine closes up to closures open warnings of the projects and
// issues supervision items on the next projects with warnings, one left in
// each status. today is the store's today (its clock decides what is in
// the past). It writes nothing when the store has supervision items
// already, so that running it again adds nothing.
func GenerateRoutine(ctx context.Context, ps project.Service, cs project.ClosureService, ss project.SupervisionService, today chanye.Date, closures int) (RoutineStats, error) {
	st := RoutineStats{Supervisions: map[project.SupStatus]int{}}
	if _, total, err := ss.FindSupervisions(ctx, project.SupervisionFilter{Limit: 1}); err != nil || total > 0 {
		return st, err
	}
	ws, err := ps.FindWarnings(ctx, project.ProjectFilter{})
	if err != nil {
		return st, err
	}
	// Distinct projects with an open warning, in order.
	var ids []string
	first := map[string]project.Warning{}
	for _, w := range ws {
		if w.Closed != nil {
			continue
		}
		if _, ok := first[w.ProjectID]; !ok {
			first[w.ProjectID] = w
			ids = append(ids, w.ProjectID)
		}
	}
	// The first projects get closures, the next ones supervision items.
	for _, id := range ids[:min(closures, len(ids))] {
		w := first[id]
		dctx := chanye.WithActor(ctx, &demoDept)
		if _, err := cs.CloseWarning(dctx, id, w.RuleID, "演示数据：已现场核实，整改措施已落实 / demo: checked on site, fixed", project.Upload{
			Name: "演示证明材料.pdf", ContentType: "application/pdf", Data: demoEvidence}); err != nil {
			return st, fmt.Errorf("demo closure of %s: %w", id, err)
		}
		st.Closures++
	}
	rest := ids[min(closures, len(ids)):]
	steps := [][]project.SupAction{
		nil,                                    // issued: waiting for the answer
		{project.SupAnswer},                    // answered: waiting for the issuer
		{project.SupAnswer, project.SupReturn}, // sent back
		{project.SupAnswer, project.SupClose},  // closed
	}
	lctx := chanye.WithActor(ctx, &demoLeader)
	for i, path := range steps {
		if i >= len(rest) {
			break
		}
		p, err := ps.FindProjectByID(ctx, rest[i])
		if err != nil {
			return st, err
		}
		w := first[p.ID]
		due := chanye.DateOf(today.AddDate(0, 0, 7*i)) // the first is due today: overdue from tomorrow
		x, err := ss.CreateSupervision(lctx, &project.Supervision{ProjectID: p.ID, Addressee: project.ToOwner, DueOn: due,
			Instruction: fmt.Sprintf("演示数据：请就“%s”于 %s 前报送整改情况 / demo: report on %q by %s", w.MessageZH, due, w.MessageEN, due)})
		if err != nil {
			return st, fmt.Errorf("demo supervision of %s: %w", p.ID, err)
		}
		owner := chanye.WithActor(ctx, &chanye.Actor{Name: "演示项目业主", Role: chanye.RoleEnterprise, Code: p.OwnerCode})
		for _, a := range path {
			actx, note := lctx, "演示数据：请补充佐证材料 / demo: add evidence"
			switch a {
			case project.SupAnswer:
				actx, note = owner, "演示数据：已制定整改方案，本月底前完成 / demo: a plan is in place, done by month end"
			case project.SupClose:
				note = "演示数据：整改到位，办结 / demo: done"
			}
			if x, err = ss.MoveSupervision(actx, x.ID, a, note); err != nil {
				return st, fmt.Errorf("demo supervision %d: %w", x.ID, err)
			}
		}
		st.Supervisions[x.Status]++
	}
	return st, nil
}
