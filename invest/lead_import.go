package invest

import (
	"context"
	"fmt"
	"strings"

	"github.com/chanye-org/chanye"
)

// MaxLeadRows bounds the rows of one import of leads. A city's 招商 keeps
// leads by the thousand, not the hundred thousand of a roster; each row is
// checked against the store, so a larger file is split.
const MaxLeadRows = 10_000

// ImportNote is the note of the first event of an imported lead.
const ImportNote = "从文件导入 / imported from a file"

// ValidateImport checks a lead read from a file, as of today, besides what
// Validate checks: no id (an import only creates leads); a known stage
// reached on StageOn, neither after today nor more than MaxLeadAgeYears
// before it; and the days and amounts of that stage, none of another. A
// signed or landed lead gives its signing day and a positive signed
// investment (a lost one may, when it was lost after signing); a signed
// lead signed on StageOn, a landed one landed on it (LandedOn) after
// signing; a lost lead gives its reason. No day but the next action's lies
// after today. The store checks the target, the link and the owner.
func (l *Lead) ValidateImport(today chanye.Date) error {
	bad := map[string]string{}
	for k, v := range chanye.ErrorFields(l.Validate()) {
		bad[k] = v
	}
	l.LostReason = strings.TrimSpace(l.LostReason)
	if l.ID != 0 {
		bad["id"] = "导入只新建线索，id 须为空 / import only creates leads: id must be empty"
	}
	switch {
	case l.Stage == "":
		bad["stage"] = "必填 / required"
	case !l.Stage.Valid():
		bad["stage"] = fmt.Sprintf("未知阶段 %q，可选 clue、contact、visit、negotiate、signed、landed、lost / unknown stage %q", l.Stage, l.Stage)
	}
	switch {
	case l.StageOn.IsZero():
		bad["stage_on"] = "必填 / required"
	case l.StageOn.After(today.Time) || l.StageOn.Before(today.AddDate(-MaxLeadAgeYears, 0, 0)):
		bad["stage_on"] = fmt.Sprintf("须在今天及以前 %d 年内 / must be today or within %d years before", MaxLeadAgeYears, MaxLeadAgeYears)
	}
	signed := l.Stage == StageSigned || l.Stage == StageLanded
	switch {
	case l.SignedOn.IsZero() && signed:
		bad["signed_on"] = "签约、落地的线索须填签约日期 / a signed or landed lead gives its signing day"
	case l.SignedOn.IsZero():
	case !signed && l.Stage != StageLost:
		bad["signed_on"] = "只有签约、落地或流失的线索有签约日期 / only a signed, landed or lost lead has a signing day"
	case l.SignedOn.After(today.Time):
		bad["signed_on"] = "不能晚于今天 / cannot be in the future"
	case l.Stage == StageSigned && !l.SignedOn.Equal(l.StageOn.Time):
		bad["signed_on"] = "签约阶段的签约日期即 stage_on / a signed lead was signed on its stage_on"
	case l.SignedOn.After(l.StageOn.Time):
		bad["signed_on"] = "不能晚于 stage_on / cannot be after stage_on"
	}
	switch {
	case l.SignedFen == nil && !l.SignedOn.IsZero():
		bad["signed_fen"] = "签约须填签约投资额 / give the signed investment"
	case l.SignedFen == nil:
	case l.SignedOn.IsZero():
		bad["signed_fen"] = "未签约的线索没有签约投资额 / a lead not signed has no signed investment"
	case *l.SignedFen <= 0:
		bad["signed_fen"] = "须大于 0 / must be positive"
	default:
		if msg := chanye.CheckFen(*l.SignedFen, MaxLeadFen); msg != "" {
			bad["signed_fen"] = msg
		}
	}
	switch {
	case l.LandedOn.IsZero() && l.Stage == StageLanded:
		bad["landed_on"] = "落地的线索须填落地日期 / a landed lead gives its landing day"
	case l.LandedOn.IsZero():
	case l.Stage != StageLanded:
		bad["landed_on"] = "只有落地的线索有落地日期 / only a landed lead has a landing day"
	case !l.LandedOn.Equal(l.StageOn.Time):
		bad["landed_on"] = "落地阶段的落地日期即 stage_on / a landed lead landed on its stage_on"
	}
	switch {
	case l.Stage == StageLost:
		text(bad, "lost_reason", l.LostReason, 1, MaxNoteRunes)
	case l.LostReason != "":
		bad["lost_reason"] = "只有流失的线索有流失原因 / only a lost lead has a lost reason"
	}
	return chanye.Invalid("线索有误 / invalid lead", bad)
}

// ImportHistory returns the stage events of a lead imported at its stage,
// by whom: every stage on the path up to it (up to 签约 for a lead lost
// after signing, 线索 for one lost before), the stages up to 签约 on the
// signing day and the later ones on StageOn, then lost for a lost lead. A
// stage left the same day is passed on the way (Skipped), as Apply records
// it, so that the funnel counts the lead as having reached each stage
// without measuring a stay it never had. The first event says the lead was
// imported.
func (l *Lead) ImportHistory(by string) []*Event {
	last := l.Stage.Ordinal()
	if l.Stage == StageLost {
		last = 0
		if !l.SignedOn.IsZero() {
			last = StageSigned.Ordinal()
		}
	}
	var out []*Event
	from := Stage("")
	add := func(to Stage, on chanye.Date) {
		out = append(out, &Event{LeadID: l.ID, On: on, Kind: EventStage, From: from, To: to, By: by})
		from = to
	}
	for i := 0; i <= last; i++ {
		on := l.StageOn
		if !l.SignedOn.IsZero() && i <= StageSigned.Ordinal() {
			on = l.SignedOn
		}
		add(Path[i], on)
	}
	if l.Stage == StageLost {
		add(StageLost, l.StageOn)
	}
	for i, e := range out[:len(out)-1] {
		e.Skipped = out[i+1].On.Equal(e.On.Time)
	}
	out[0].Note = ImportNote
	return out
}

// LeadImporter loads leads from a file, as when a task force or a
// department moves from an older system.
type LeadImporter interface {
	// ImportLeads stores the rows as new leads, all or none, each at its
	// stage (see ValidateImport) with the history ImportHistory gives,
	// and returns how many it stored; the import is audited. A lead takes
	// its target's industry and (unless given) link, as CreateLead does.
	// EINVALID naming rows[N].field (N from 0), also for an unknown
	// target, link or owner.
	ImportLeads(ctx context.Context, rows []*Lead) (int, error)
}
