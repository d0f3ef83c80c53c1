package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/space"
)

// The demo inventory's size, from issue 15: Guangzhou's 690 industrial
// blocks covering 626 km².
const (
	SpaceBlocks = 690
	SpaceAreaM2 = 626_000_000
)

// SpaceOptions say how Space draws the demo inventory.
type SpaceOptions struct {
	Seed uint64
	// Industries are the catalog's industry ids the blocks are planned
	// for, each block for 1–3 of them. Required.
	Industries []string
	// AsOf, when set, makes some units available only from a day of the
	// year after it (buildings and plants being finished, land being
	// cleared); when zero, every unit is available now.
	AsOf chanye.Date
}

// spaceDistrict is one of Guangzhou's districts as the demo lays out its
// blocks. The centre and the half-extents (micro-degrees of longitude
// and latitude) are rough, read off a small-scale map: they only keep a
// district's schematic grid near where the district lies, and are no
// survey. Blocks is the district's share of the 690 blocks, Size the
// relative area of its blocks (the outer manufacturing districts hold
// the large ones), LandWan the price of its industrial land in 万元 a 亩.
type spaceDistrict struct {
	code, name       string
	lon, lat         int64 // centre, µ°
	halfLon, halfLat int64 // µ°
	blocks           int
	size             int64
	landWan          int64
	urban            bool // central: floors more than land, M0 land
}

var spaceDistricts = []spaceDistrict{
	{"440103", "荔湾", 113_244_000, 23_126_000, 25_000, 30_000, 18, 1, 200, true},
	{"440104", "越秀", 113_267_000, 23_129_000, 15_000, 15_000, 6, 1, 300, true},
	{"440105", "海珠", 113_318_000, 23_093_000, 45_000, 20_000, 14, 1, 250, true},
	{"440106", "天河", 113_361_000, 23_125_000, 45_000, 45_000, 22, 1, 300, true},
	{"440111", "白云", 113_273_000, 23_258_000, 90_000, 110_000, 95, 3, 90, false},
	{"440112", "黄埔", 113_480_000, 23_181_000, 80_000, 110_000, 110, 4, 130, false},
	{"440113", "番禺", 113_384_000, 22_937_000, 100_000, 70_000, 90, 3, 100, false},
	{"440114", "花都", 113_220_000, 23_404_000, 140_000, 110_000, 95, 4, 60, false},
	{"440115", "南沙", 113_525_000, 22_801_000, 110_000, 120_000, 100, 5, 80, false},
	{"440117", "从化", 113_586_000, 23_548_000, 180_000, 180_000, 55, 4, 40, false},
	{"440118", "增城", 113_811_000, 23_261_000, 130_000, 180_000, 85, 4, 60, false},
}

// The bounds of the demo's units.
const (
	parcelMinM2, parcelMaxM2 = 10_000, 200_000
	plateMinM2, plateMaxM2   = 1_000, 5_000
	plantMinM2, plantMaxM2   = 500, 3_000
	rentMinFen, rentMaxFen   = 2_000, 6_000 // per m² and month: 20–60 元
	// Shares of a block's area its units may take, in per cent: the rest
	// is roads, green and what is already built.
	landShare, floorShare, plantShare = 50, 30, 15
)

// Space draws the demo's industrial space from opts.Seed: SpaceBlocks
// blocks over Guangzhou's 11 districts whose areas add up to exactly
// SpaceAreaM2, each planned for 1–3 of opts.Industries, and about 20,000
// units in them — land parcels (some in reserve), the floors of
// industrial buildings of 6–20 storeys, standard plants for rent — whose
// areas in a block never add up to more than the block's. Every record
// is Demo; every boundary is a square on a grid inside the district's
// rough extent, marked Schematic: a drawing, not the blocks' real
// places. Units name their block by code (their BlockID is 0). The same
// options give the same inventory.
func Space(opts SpaceOptions) ([]*space.Block, []*space.ImportUnit, error) {
	var industries []string
	for _, id := range opts.Industries {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(industries, id) {
			industries = append(industries, id)
		}
	}
	if len(industries) == 0 {
		return nil, nil, chanye.Errorf(chanye.EINVALID, "没有产业，无法生成演示产业空间 / no industries to plan the demo blocks for")
	}
	g := &spaceGen{opts: opts, industries: industries}
	blocks := g.blocks()
	var units []*space.ImportUnit
	for i, b := range blocks {
		units = g.units(units, i, b)
	}
	return blocks, units, nil
}

type spaceGen struct {
	opts       SpaceOptions
	industries []string
	district   []int // blocks[i]'s index in spaceDistricts
}

// rng returns the random stream of one purpose and index, so that a
// block's draws depend on the seed and the block alone.
func (g *spaceGen) rng(stream, i uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.opts.Seed, 21<<40^stream<<32^i))
}

// blocks draws the blocks: the areas in whole m², shared out exactly.
func (g *spaceGen) blocks() []*space.Block {
	var blocks []*space.Block
	var weights []int64
	var total int64
	for d, sd := range spaceDistricts {
		themes := g.rng(1, uint64(d)).Perm(len(g.industries))
		cols, rows := grid(sd.blocks, sd.halfLon, sd.halfLat)
		for k := range sd.blocks {
			i := len(blocks)
			r := g.rng(2, uint64(i))
			// Most blocks are mid-sized, one in five far larger.
			w := sd.size * (50 + r.Int64N(101))
			if r.IntN(5) == 0 {
				w += sd.size * r.Int64N(300)
			}
			weights = append(weights, w)
			total += w
			b := &space.Block{Code: fmt.Sprintf("DEMO-%s-%03d", sd.code, k+1), Name: fmt.Sprintf("演示产业区块 %03d（%s）", k+1, sd.name),
				DistrictCode: sd.code, Industries: g.plan(r, themes), Schematic: true, Demo: true,
				Boundary: square(sd, cols, rows, k)}
			blocks = append(blocks, b)
			g.district = append(g.district, d)
		}
	}
	// Each block gets its share rounded down; the metres left over go one
	// each to the first blocks, so that the sum is exact.
	var given int64
	for i, b := range blocks {
		b.AreaM2 = SpaceAreaM2 * weights[i] / total
		given += b.AreaM2
	}
	for i := 0; given < SpaceAreaM2; i++ {
		blocks[i].AreaM2++
		given++
	}
	return blocks
}

// plan picks 1–3 distinct industries, mostly among the district's first
// five (its themes), so that a district's blocks share a profile.
func (g *spaceGen) plan(r *rand.Rand, themes []int) []string {
	n := min(1+r.IntN(3), len(g.industries))
	var out []string
	for len(out) < n {
		j := themes[r.IntN(min(5, len(themes)))]
		if r.IntN(5) == 0 {
			j = r.IntN(len(g.industries))
		}
		if id := g.industries[j]; !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// grid returns the columns and rows of a grid of n cells in a box of the
// half-extents, about as wide as the box.
func grid(n int, halfLon, halfLat int64) (cols, rows int) {
	cols = 1
	for cols*cols*int(halfLat) < n*int(halfLon) {
		cols++
	}
	cols = min(cols, n)
	return cols, (n + cols - 1) / cols
}

// square returns the schematic boundary of the k-th block of district
// sd: a square of 60 % of its cell on a cols × rows grid filling the
// district's box, the first row at the top. Positions are written with
// six decimals from whole micro-degrees, so the ring closes exactly.
func square(sd spaceDistrict, cols, rows, k int) []byte {
	cell := min(2*sd.halfLon/int64(cols), 2*sd.halfLat/int64(rows))
	side := cell * 6 / 10
	west := sd.lon - cell*int64(cols)/2
	north := sd.lat + cell*int64(rows)/2
	x0 := west + cell*int64(k%cols) + (cell-side)/2
	y1 := north - cell*int64(k/cols) - (cell-side)/2
	x1, y0 := x0+side, y1-side
	pt := func(x, y int64) string { return fmt.Sprintf("[%d.%06d,%d.%06d]", x/1e6, x%1e6, y/1e6, y%1e6) }
	return fmt.Appendf(nil, `{"type":"Polygon","coordinates":[[%s,%s,%s,%s,%s]]}`, pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0))
}

// units appends the units of block b, the i-th: its land parcels, the
// floors of its buildings and its plants, each kind within its share of
// the block's area.
func (g *spaceGen) units(out []*space.ImportUnit, i int, b *space.Block) []*space.ImportUnit {
	sd := spaceDistricts[g.district[i]]
	r := g.rng(3, uint64(i))
	add := func(u space.Unit) {
		u.BlockCode, u.Demo = b.Code, true
		if u.Status == "" {
			u.Status = space.Available
		}
		out = append(out, &space.ImportUnit{BlockCode: b.Code, Unit: u})
	}
	// Land: 1–5 parcels (0–2 in the centre), within landShare.
	left := b.AreaM2 * landShare / 100
	parcels := 1 + r.IntN(5)
	if sd.urban {
		parcels = r.IntN(3)
	}
	for p := range parcels {
		a := min(round(parcelMinM2+r.Int64N(parcelMaxM2-parcelMinM2+1), 10), left)
		if a < parcelMinM2 {
			break
		}
		left -= a
		u := space.Unit{Kind: space.Land, Code: fmt.Sprintf("DK-%02d", p+1), Name: fmt.Sprintf("地块 %02d", p+1), AreaM2: a,
			PowerKVA: int(2_000 + 500*r.Int64N(37)), AvailableOn: g.later(r, 8)}
		switch {
		case sd.urban || r.IntN(6) == 0:
			u.LandUse, u.Env, u.PlotRatio, u.HeightM = "M0 新型产业用地", space.M1, int(300+10*r.Int64N(31)), 100
		case r.IntN(4) == 0:
			u.LandUse, u.Env, u.PlotRatio, u.HeightM = "M2 二类工业用地", space.M2, int(120+10*r.Int64N(14)), int(24+4*r.Int64N(5))
		default:
			u.LandUse, u.Env, u.PlotRatio, u.HeightM = "M1 一类工业用地", space.M1, int(150+10*r.Int64N(21)), int(40+10*r.Int64N(3))
		}
		// The price: the district's 万元 a 亩, ±20 %, times the 亩
		// (m² × 15 / 10,000), rounded to the yuan.
		perMu := sd.landWan * (80 + r.Int64N(41)) * 10_000 // fen a 亩
		price := chanye.Fen(round(a*perMu*space.MuDenominator/space.MuNumerator, 100))
		u.PriceFen = &price
		if r.IntN(4) == 0 {
			u.Status = space.Reserve
		}
		add(u)
	}
	// Buildings: 0–2 (1–3 in the centre) of 6–20 floors, within floorShare.
	left = b.AreaM2 * floorShare / 100
	buildings := []int{0, 1, 1, 2, 2}[r.IntN(5)]
	if sd.urban {
		buildings++
	}
	rentBase := int64(rentMinFen)
	if sd.urban {
		rentBase = 3_500
	}
	for k := range buildings {
		levels := 6 + r.Int64N(15)
		plate := min(round(plateMinM2+r.Int64N(plateMaxM2-plateMinM2+1), 50), left/levels)
		if plate < plateMinM2 {
			break
		}
		left -= plate * levels
		lift := r.IntN(10) != 0
		rent := rentBase + 50*r.Int64N((rentMaxFen-rentBase)/100+1) // the lower half of the range
		var sale int64                                              // fen a m²; 0: not for sale
		if r.IntN(5) == 0 {
			sale = 100 * (6_000 + 500*r.Int64N(19)) // 6,000–15,000 元
		}
		on := g.later(r, 10)
		bld := fmt.Sprintf("%d号楼", k+1)
		for l := int64(1); l <= levels; l++ {
			u := space.Unit{Kind: space.Floor, Code: fmt.Sprintf("B%d-F%02d", k+1, l), Name: fmt.Sprintf("%s %d层", bld, l), AreaM2: plate,
				Building: bld, Level: int(l), LoadKgM2: 500 + 50*int(r.Int64N(7)), CeilingCM: 420 + 30*int(r.Int64N(5)), FreightLift: lift,
				PowerKVA: 200 + 50*int(r.Int64N(13)), Env: space.M1, AvailableOn: on}
			if l <= 2 {
				// Heavy work goes on the ground and first floors.
				u.LoadKgM2, u.CeilingCM = 1_000+250*int(r.Int64N(3)), 600+50*int(r.Int64N(5))
			}
			fen := chanye.Fen(min(rent+10*(l-1), rentMaxFen))
			u.RentFenM2Month = &fen
			if sale > 0 {
				price := chanye.Fen(plate * sale)
				u.PriceFen = &price
			}
			add(u)
		}
	}
	// Plants: 4–20, within plantShare.
	left = b.AreaM2 * plantShare / 100
	plants := 4 + r.IntN(17)
	for p := range plants {
		a := round(plantMinM2+r.Int64N(plantMaxM2-plantMinM2+1), 50)
		if a > left {
			break
		}
		left -= a
		env := space.M1
		if !sd.urban && r.IntN(3) == 0 {
			env = space.M2
		}
		rent := chanye.Fen(rentMinFen + 50*r.Int64N((rentMaxFen-rentMinFen)/50+1))
		add(space.Unit{Kind: space.Plant, Code: fmt.Sprintf("CF-%02d", p+1), Name: fmt.Sprintf("标准厂房 %02d", p+1), AreaM2: a,
			LoadKgM2: 2_000 + 500*int(r.Int64N(7)), CeilingCM: 800 + 50*int(r.Int64N(9)), PowerKVA: 100 + 50*int(r.Int64N(11)), Env: env,
			RentFenM2Month: &rent, AvailableOn: g.later(r, 10)})
	}
	return out
}

// later returns, one time in oneIn when opts.AsOf is set, a day 30 to
// 365 days after it; else the zero day (available now).
func (g *spaceGen) later(r *rand.Rand, oneIn int) chanye.Date {
	if r.IntN(oneIn) != 0 || g.opts.AsOf.IsZero() {
		return chanye.Date{}
	}
	return chanye.DateOf(g.opts.AsOf.AddDate(0, 0, 30+r.IntN(336)))
}

// round rounds a non-negative n to the nearest multiple of step.
func round(n, step int64) int64 { return (n + step/2) / step * step }
