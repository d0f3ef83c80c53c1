package invest

import (
	"cmp"
	"context"
	"slices"

	"github.com/chanye-org/chanye"
)

// StageCount is one stage of a funnel.
type StageCount struct {
	Stage   Stage `json:"stage"`
	Now     int   `json:"now"`     // leads at the stage now
	Reached int   `json:"reached"` // leads that reached it, passing it on the way or not
	Lost    int   `json:"lost"`    // leads lost while at it
	// ToNextPerMille is, of the leads that reached the stage, how many
	// reached the next, in per mille rounded down; nil for 落地 and for a
	// stage no lead reached.
	ToNextPerMille *int `json:"to_next_per_mille"`
	// Stays counts the stays measured for the days: every time a lead
	// was at the stage, except stages passed on the way (Skipped) and the
	// closed stages; a stay still going counts until today.
	Stays      int      `json:"stays"`
	MedianDays *float64 `json:"median_days"` // nil without stays; for display only
	MeanDays   *float64 `json:"mean_days"`
}

// Funnel counts leads by stage, with their investment. Amounts are nil
// when no lead gives one (unknown, not zero) and for the public, which
// gets the counts only.
type Funnel struct {
	Leads         int          `json:"leads"`
	Stages        []StageCount `json:"stages"` // Path, in order
	Lost          int          `json:"lost"`
	ExpectedFen   *chanye.Fen  `json:"expected_fen"` // of the leads not lost that give one
	ExpectedLeads int          `json:"expected_leads"`
	SignedFen     *chanye.Fen  `json:"signed_fen"` // of the leads signed or landed
	SignedLeads   int          `json:"signed_leads"`
	LandedFen     *chanye.Fen  `json:"landed_fen"` // signed investment of the landed leads
	LandedLeads   int          `json:"landed_leads"`
}

// Tally computes the funnel of leads from their stage events (events of
// other leads and contact records are ignored) as of today. ErrOverflow
// naming the amount when a sum leaves the int64 range.
func Tally(leads []*Lead, events []*Event, today chanye.Date) (*Funnel, error) {
	f := &Funnel{Leads: len(leads), Stages: make([]StageCount, len(Path))}
	for i, s := range Path {
		f.Stages[i].Stage = s
	}
	byLead := map[int64][]*Event{}
	for _, e := range events {
		if e.Kind == EventStage {
			byLead[e.LeadID] = append(byLead[e.LeadID], e)
		}
	}
	days := make([][]int, len(Path))
	var expected, signed, landed chanye.FenSum
	for _, l := range leads {
		if i := l.Stage.Ordinal(); i >= 0 {
			f.Stages[i].Now++
		}
		evs := byLead[l.ID]
		slices.SortStableFunc(evs, func(a, b *Event) int {
			return cmp.Or(a.On.Compare(b.On.Time), cmp.Compare(a.ID, b.ID))
		})
		reached := map[Stage]bool{}
		for j, e := range evs {
			if e.To == StageLost {
				if i := e.From.Ordinal(); i >= 0 {
					f.Stages[i].Lost++
				}
				continue
			}
			i := e.To.Ordinal()
			if i < 0 {
				continue
			}
			reached[e.To] = true
			if e.Skipped || e.To.Closed() {
				continue
			}
			end := today
			if j+1 < len(evs) {
				end = evs[j+1].On
			} else if l.Stage != e.To {
				continue // a history that ends before the lead's stage: nothing to measure
			}
			days[i] = append(days[i], int(end.Sub(e.On.Time).Hours()/24))
		}
		for s := range reached {
			f.Stages[s.Ordinal()].Reached++
		}
		if l.Stage == StageLost {
			f.Lost++
		} else if l.ExpectedFen != nil {
			expected.Add(*l.ExpectedFen)
			f.ExpectedLeads++
		}
		if l.SignedFen != nil && (l.Stage == StageSigned || l.Stage == StageLanded) {
			signed.Add(*l.SignedFen)
			f.SignedLeads++
			if l.Stage == StageLanded {
				landed.Add(*l.SignedFen)
				f.LandedLeads++
			}
		}
	}
	for i := range f.Stages {
		s := &f.Stages[i]
		if i+1 < len(Path) && s.Reached > 0 {
			v := f.Stages[i+1].Reached * 1000 / s.Reached
			s.ToNextPerMille = &v
		}
		s.Stays = len(days[i])
		s.MedianDays, s.MeanDays = median(days[i]), mean(days[i])
	}
	var err error
	if f.ExpectedFen, err = total(expected, f.ExpectedLeads, "expected_fen"); err != nil {
		return nil, err
	}
	if f.SignedFen, err = total(signed, f.SignedLeads, "signed_fen"); err != nil {
		return nil, err
	}
	if f.LandedFen, err = total(landed, f.LandedLeads, "landed_fen"); err != nil {
		return nil, err
	}
	return f, nil
}

// total returns the checked sum of n amounts, nil when n is 0.
func total(s chanye.FenSum, n int, what string) (*chanye.Fen, error) {
	if n == 0 {
		return nil, nil
	}
	v, err := s.Total(what)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func median(xs []int) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := float64(s[len(s)/2])
	if len(s)%2 == 0 {
		m = float64(s[len(s)/2-1]+s[len(s)/2]) / 2
	}
	return &m
}

func mean(xs []int) *float64 {
	if len(xs) == 0 {
		return nil
	}
	sum := 0
	for _, x := range xs {
		sum += x
	}
	m := float64(sum) / float64(len(xs))
	return &m
}

// Counts returns f without its amounts: what the public may see.
func (f *Funnel) Counts() *Funnel {
	c := *f
	c.Stages = slices.Clone(f.Stages)
	c.ExpectedFen, c.SignedFen, c.LandedFen = nil, nil, nil
	return &c
}

// FunnelService counts the leads.
type FunnelService interface {
	// FindFunnel tallies the leads the filter selects (its Stage, Open,
	// Offset and Limit ignored) as of today: per industry, link, owner or
	// district as the filter says. ErrOverflow (EINVALID) when a sum
	// leaves the int64 range.
	FindFunnel(ctx context.Context, filter LeadFilter) (*Funnel, error)
}
