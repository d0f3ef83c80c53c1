package scenario

import (
	"cmp"
	"slices"
)

// Count is what Progress counts of a year: the scenarios published in it
// and the first uses confirmed in it. A scenario published in one year
// and first used in the next counts in each year once.
type Count struct {
	Published int `json:"published"`
	FirstUses int `json:"first_uses"`
}

// IndustryCount is one industry's Count.
type IndustryCount struct {
	IndustryID string `json:"industry_id"`
	Count
}

// OffererCount is one offering unit's Count; a unit is its name and kind.
type OffererCount struct {
	Offerer
	Count
}

// YearProgress is a year against the city's pledge: Target (TargetPerYear)
// scenarios published, Remaining the ones still to publish (0 once
// reached), the first uses alongside; then the counts by industry (by id)
// and by offering unit (by kind in OffererKinds order, then name), each
// group listed when it counts something.
type YearProgress struct {
	Year      int `json:"year"`
	Target    int `json:"target"`
	Remaining int `json:"remaining"`
	Count
	ByIndustry []IndustryCount `json:"by_industry"`
	ByOfferer  []OffererCount  `json:"by_offerer"`
}

// Progress counts year's published scenarios (PublishedOn in the year,
// whatever their status now, closed ones included) and confirmed first
// uses (FirstUseOn in the year) among scenarios.
func Progress(scenarios []Scenario, year int) YearProgress {
	p := YearProgress{Year: year, Target: TargetPerYear, ByIndustry: []IndustryCount{}, ByOfferer: []OffererCount{}}
	byInd := map[string]*Count{}
	byOff := map[Offerer]*Count{}
	for i := range scenarios {
		s := &scenarios[i]
		pub, first := s.PublishedIn(year), s.FirstUsedIn(year)
		if !pub && !first {
			continue
		}
		ci, co := byInd[s.IndustryID], byOff[s.Offerer]
		if ci == nil {
			ci = &Count{}
			byInd[s.IndustryID] = ci
		}
		if co == nil {
			co = &Count{}
			byOff[s.Offerer] = co
		}
		for _, c := range []*Count{&p.Count, ci, co} {
			if pub {
				c.Published++
			}
			if first {
				c.FirstUses++
			}
		}
	}
	p.Remaining = max(0, p.Target-p.Published)
	for id, c := range byInd {
		p.ByIndustry = append(p.ByIndustry, IndustryCount{id, *c})
	}
	slices.SortFunc(p.ByIndustry, func(x, y IndustryCount) int { return cmp.Compare(x.IndustryID, y.IndustryID) })
	for o, c := range byOff {
		p.ByOfferer = append(p.ByOfferer, OffererCount{o, *c})
	}
	slices.SortFunc(p.ByOfferer, func(x, y OffererCount) int {
		return cmp.Or(cmp.Compare(x.Kind.order(), y.Kind.order()), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Name, y.Name))
	})
	return p
}
