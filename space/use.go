package space

import (
	"cmp"
	"math/big"
	"slices"

	"github.com/chanye-org/chanye"
)

// One 亩 is 10,000/15 m² (about 666.67 m²): a per-亩 figure is the sum ×
// 15 / 10,000 m² of the land, with no float on the way.
const (
	MuNumerator   = 10_000 // m² …
	MuDenominator = 15     // … per 15 亩
)

// Figures are a firm's latest year's figures from the registry, each nil
// when not known: revenue (output, 产值 as the registry has it), tax paid,
// value added (增加值).
type Figures struct {
	Revenue    *chanye.Fen `json:"revenue_fen,omitempty"`
	Tax        *chanye.Fen `json:"tax_fen,omitempty"`
	ValueAdded *chanye.Fen `json:"value_added_fen,omitempty"`
}

// Thresholds flag land used below them (亩均论英雄): a block of allocated
// land whose tax or revenue per 亩 is known and below, or whose land has
// stood allocated for IdleDays without any firm's figures. Zero turns a
// test off. The city edits them.
type Thresholds struct {
	MinTaxPerMuFen     chanye.Fen `json:"min_tax_per_mu_fen"`
	MinRevenuePerMuFen chanye.Fen `json:"min_revenue_per_mu_fen"`
	IdleDays           int        `json:"idle_days"`
}

// DefaultThresholds are the flags before the city sets its own: tax
// below 15 万元 a 亩, revenue below 300 万元 a 亩, land a year without
// figures.
var DefaultThresholds = Thresholds{MinTaxPerMuFen: 15_000_000, MinRevenuePerMuFen: 300_000_000, IdleDays: 365}

// Validate checks thresholds: amounts within chanye.MaxProjectFen, days
// within 0–3650.
func (t Thresholds) Validate() error {
	bad := map[string]string{}
	for k, f := range map[string]chanye.Fen{"min_tax_per_mu_fen": t.MinTaxPerMuFen, "min_revenue_per_mu_fen": t.MinRevenuePerMuFen} {
		if msg := chanye.CheckFen(f, chanye.MaxProjectFen); msg != "" {
			bad[k] = msg
		}
	}
	checkRange("idle_days", int64(t.IdleDays), 0, 3650, bad)
	return chanye.Invalid("亩均阈值有误 / invalid thresholds", bad)
}

// BlockUse is how a block is used on a day: its units by status and
// area, the occupancy of its floors and plants, and the 亩均 of its
// allocated land from the figures of the firms on it. A per-亩 figure is
// nil (unknown, never 0) when no land is allocated or a firm on it lacks
// the figure; Missing counts those firms.
type BlockUse struct {
	Block             *Block      `json:"block"`
	Units             int         `json:"units"`
	Available         int         `json:"available"`
	Held              int         `json:"held"`
	Allocated         int         `json:"allocated"`
	AreaM2            int64       `json:"area_m2"`
	AllocatedM2       int64       `json:"allocated_m2"`
	FloorM2           int64       `json:"floor_m2"`     // floors and plants: their area
	FloorLetM2        int64       `json:"floor_let_m2"` // of it let or sold
	OccupancyPerMille *int64      `json:"occupancy_per_mille"`
	LandM2            int64       `json:"land_m2"` // land transferred: the 亩均 base
	Firms             int         `json:"firms"`
	Missing           int         `json:"missing"`     // firms on the land without figures
	Revenue           *chanye.Fen `json:"revenue_fen"` // of the firms on the land, in all; nil unknown
	Tax               *chanye.Fen `json:"tax_fen"`
	ValueAdded        *chanye.Fen `json:"value_added_fen"`
	RevenuePerMu      *chanye.Fen `json:"revenue_per_mu_fen"`
	TaxPerMu          *chanye.Fen `json:"tax_per_mu_fen"`
	VAPerMu           *chanye.Fen `json:"value_added_per_mu_fen"`
	Flags             []Reason    `json:"flags,omitempty"`
	Rank              int         `json:"rank"` // by tax per 亩, from 1; 0 unknown
}

// UnitState is a unit with its allocations active on the day Use reads.
type UnitState struct {
	Unit   *Unit
	Active []*Allocation
}

// Use sums each block's units and the figures of the firms allocated its
// land, flags land under the thresholds and ranks the blocks by tax per
// 亩 (unknown last, then by code). figures are by credit code. ErrOverflow
// (EINVALID) when a sum leaves the int64 range.
func Use(blocks []*Block, units []UnitState, figures map[string]Figures, th Thresholds, today chanye.Date) ([]*BlockUse, error) {
	byID := map[int64]*BlockUse{}
	out := make([]*BlockUse, 0, len(blocks))
	for _, b := range blocks {
		u := &BlockUse{Block: b}
		byID[b.ID] = u
		out = append(out, u)
	}
	type sums struct {
		rev, tax, va chanye.FenSum
		known        [3]bool // every firm so far has the figure
		firms        map[string]bool
		oldest       chanye.Date // the earliest start of allocated land
	}
	acc := map[int64]*sums{}
	for _, st := range units {
		bu := byID[st.Unit.BlockID]
		if bu == nil {
			continue
		}
		s := acc[bu.Block.ID]
		if s == nil {
			s = &sums{known: [3]bool{true, true, true}, firms: map[string]bool{}}
			acc[bu.Block.ID] = s
		}
		u := st.Unit
		bu.Units++
		bu.AreaM2 += u.AreaM2
		if u.Kind != Land {
			bu.FloorM2 += u.AreaM2
		}
		switch u.Status {
		case Available:
			bu.Available++
		case Held:
			bu.Held++
		}
		if len(st.Active) == 0 {
			continue
		}
		bu.Allocated++
		bu.AllocatedM2 += u.AreaM2
		if u.Kind != Land {
			bu.FloorLetM2 += u.AreaM2
			continue
		}
		bu.LandM2 += u.AreaM2
		for _, a := range st.Active {
			if s.oldest.IsZero() || a.From.Before(s.oldest.Time) {
				s.oldest = a.From
			}
			if s.firms[a.Code] {
				continue
			}
			s.firms[a.Code] = true
			f := figures[a.Code]
			for i, v := range []*chanye.Fen{f.Revenue, f.Tax, f.ValueAdded} {
				if v == nil {
					s.known[i] = false
				}
			}
			if f.Revenue == nil && f.Tax == nil && f.ValueAdded == nil {
				bu.Missing++
			}
			for _, x := range []struct {
				v   *chanye.Fen
				sum *chanye.FenSum
			}{{f.Revenue, &s.rev}, {f.Tax, &s.tax}, {f.ValueAdded, &s.va}} {
				if x.v != nil {
					x.sum.Add(*x.v)
				}
			}
		}
	}
	for _, bu := range out {
		if bu.FloorM2 > 0 {
			per := bu.FloorLetM2 * 1000 / bu.FloorM2
			bu.OccupancyPerMille = &per
		}
		s := acc[bu.Block.ID]
		if s == nil || bu.LandM2 == 0 {
			continue
		}
		bu.Firms = len(s.firms)
		for i, x := range []struct {
			sum *chanye.FenSum
			to  **chanye.Fen
			key string
		}{{&s.rev, &bu.RevenuePerMu, "revenue_fen"}, {&s.tax, &bu.TaxPerMu, "tax_fen"}, {&s.va, &bu.VAPerMu, "value_added_fen"}} {
			if !s.known[i] {
				continue
			}
			total, err := x.sum.Total(x.key)
			if err != nil {
				return nil, err
			}
			v := PerMu(total, bu.LandM2)
			*x.to = &v
			switch i {
			case 0:
				bu.Revenue = &total
			case 1:
				bu.Tax = &total
			case 2:
				bu.ValueAdded = &total
			}
		}
		bu.Flags = flags(bu, s.oldest, th, today)
	}
	slices.SortStableFunc(out, func(a, b *BlockUse) int {
		switch {
		case a.TaxPerMu != nil && b.TaxPerMu == nil:
			return -1
		case a.TaxPerMu == nil && b.TaxPerMu != nil:
			return 1
		case a.TaxPerMu != nil && *a.TaxPerMu != *b.TaxPerMu:
			return cmp.Compare(*b.TaxPerMu, *a.TaxPerMu)
		}
		return cmp.Compare(a.Block.Code, b.Block.Code)
	})
	for i, bu := range out {
		if bu.TaxPerMu != nil {
			bu.Rank = i + 1
		}
	}
	return out, nil
}

// flags are the reasons block use bu is under the thresholds.
func flags(bu *BlockUse, since chanye.Date, th Thresholds, today chanye.Date) []Reason {
	var out []Reason
	if th.MinTaxPerMuFen > 0 && bu.TaxPerMu != nil && *bu.TaxPerMu < th.MinTaxPerMuFen {
		out = append(out, Reason{TextZH: "亩均税收低于阈值", TextEN: "tax per 亩 below the threshold"})
	}
	if th.MinRevenuePerMuFen > 0 && bu.RevenuePerMu != nil && *bu.RevenuePerMu < th.MinRevenuePerMuFen {
		out = append(out, Reason{TextZH: "亩均产值低于阈值", TextEN: "output per 亩 below the threshold"})
	}
	if th.IdleDays > 0 && bu.Missing == bu.Firms && !since.IsZero() && !since.AddDate(0, 0, th.IdleDays).After(today.Time) {
		out = append(out, Reason{TextZH: "已供地块长期没有企业数据，疑似闲置", TextEN: "land allocated long ago without any firm's figures: possibly idle"})
	}
	return out
}

// PerMu returns total per 亩 of landM2 square metres, rounded half away
// from zero to the fen: total × 10,000 / (landM2 × 15), exact. landM2
// must be positive.
func PerMu(total chanye.Fen, landM2 int64) chanye.Fen {
	num := new(big.Int).Mul(big.NewInt(int64(total)), big.NewInt(MuNumerator))
	den := big.NewInt(landM2 * MuDenominator)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	// Round half away from zero: |2r| ≥ den.
	if new(big.Int).Abs(new(big.Int).Mul(r, big.NewInt(2))).Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return chanye.Fen(q.Int64())
}

// Rollup is the use of a group of blocks — a district's, an industry's —
// summed from their BlockUse: units, areas, the occupancy of floors and
// plants (vacancy is its complement), and 亩均 over the land of them all,
// nil (unknown) when a block with land has the figure unknown.
type Rollup struct {
	Key               string      `json:"key"` // the district code or the industry id
	Blocks            int         `json:"blocks"`
	Units             int         `json:"units"`
	Available         int         `json:"available"`
	Held              int         `json:"held"`
	Allocated         int         `json:"allocated"`
	AreaM2            int64       `json:"area_m2"`
	FloorM2           int64       `json:"floor_m2"`
	FloorLetM2        int64       `json:"floor_let_m2"`
	OccupancyPerMille *int64      `json:"occupancy_per_mille"`
	VacancyPerMille   *int64      `json:"vacancy_per_mille"`
	LandM2            int64       `json:"land_m2"`
	RevenuePerMu      *chanye.Fen `json:"revenue_per_mu_fen"`
	TaxPerMu          *chanye.Fen `json:"tax_per_mu_fen"`
	VAPerMu           *chanye.Fen `json:"value_added_per_mu_fen"`
}

// ByDistrict keys a block by its district, for Roll.
func ByDistrict(b *Block) []string { return []string{b.DistrictCode} }

// ByIndustry keys a block by the industries it is planned for, for Roll.
func ByIndustry(b *Block) []string { return b.Industries }

// Roll sums uses by the keys each block gives (its district, or each
// industry it is planned for: a block of two industries counts in both),
// in the order the keys first appear. ErrOverflow (EINVALID) when a sum
// leaves the int64 range.
func Roll(uses []*BlockUse, keys func(*Block) []string) ([]*Rollup, error) {
	type acc struct {
		r               *Rollup
		rev, tax, va    chanye.FenSum
		revK, taxK, vaK bool
	}
	var order []*acc
	by := map[string]*acc{}
	for _, u := range uses {
		for _, k := range keys(u.Block) {
			a := by[k]
			if a == nil {
				a = &acc{r: &Rollup{Key: k}, revK: true, taxK: true, vaK: true}
				by[k] = a
				order = append(order, a)
			}
			r := a.r
			r.Blocks++
			r.Units += u.Units
			r.Available += u.Available
			r.Held += u.Held
			r.Allocated += u.Allocated
			r.AreaM2 += u.AreaM2
			r.FloorM2 += u.FloorM2
			r.FloorLetM2 += u.FloorLetM2
			r.LandM2 += u.LandM2
			if u.LandM2 == 0 {
				continue
			}
			for _, x := range []struct {
				v     *chanye.Fen
				sum   *chanye.FenSum
				known *bool
			}{{u.Revenue, &a.rev, &a.revK}, {u.Tax, &a.tax, &a.taxK}, {u.ValueAdded, &a.va, &a.vaK}} {
				if x.v == nil {
					*x.known = false
				} else {
					x.sum.Add(*x.v)
				}
			}
		}
	}
	out := make([]*Rollup, 0, len(order))
	for _, a := range order {
		r := a.r
		if r.FloorM2 > 0 {
			occ := r.FloorLetM2 * 1000 / r.FloorM2
			vac := 1000 - occ
			r.OccupancyPerMille, r.VacancyPerMille = &occ, &vac
		}
		if r.LandM2 > 0 {
			for _, x := range []struct {
				sum   chanye.FenSum
				known bool
				to    **chanye.Fen
				what  string
			}{{a.rev, a.revK, &r.RevenuePerMu, "revenue_fen"}, {a.tax, a.taxK, &r.TaxPerMu, "tax_fen"}, {a.va, a.vaK, &r.VAPerMu, "value_added_fen"}} {
				if !x.known {
					continue
				}
				total, err := x.sum.Total(x.what)
				if err != nil {
					return nil, err
				}
				v := PerMu(total, r.LandM2)
				*x.to = &v
			}
		}
		out = append(out, r)
	}
	return out, nil
}
