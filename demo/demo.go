// Package demo generates a plausible, deterministic synthetic enterprise base
// for a catalog: credit codes that validate, Chinese company names, districts
// and classes weighted like Guangzhou's, heavy-tailed revenue, three years of
// facts, enterprise tiers in realistic proportions, and industry indicator
// series. The same seed always yields the same data.
package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/uscc"
)

// Source is the source of every generated fact and tier.
const Source = "演示数据 demo"

// IndicatorSource is the source of the generated indicator series.
const IndicatorSource = "演示数据 demo (synthetic)"

// Store is what Generate writes to.
type Store interface {
	chanye.CatalogService
	chanye.EnterpriseService
}

// Options control Generate.
type Options struct {
	Enterprises int
	Seed        int64
	// AsOf is the day the data describes: facts cover the three fiscal
	// years before it, tiers are held on it. Today when zero.
	AsOf chanye.Date
	// Progress, when set, is called with the enterprises written so far.
	Progress func(done int)
}

// Stats counts what Generate wrote.
type Stats struct {
	Enterprises int
	Facts       int
	Tiers       int
	TiersByKind map[chanye.TierKind]int
	Indicators  int
}

// Rows returns the records written, for rates.
func (s Stats) Rows() int { return s.Enterprises + s.Facts + s.Tiers }

// Generate writes the synthetic base through one Bulk transaction: one
// goroutine generates while the caller's goroutine writes. It upserts, so
// running it twice with the same options changes nothing.
func Generate(ctx context.Context, store Store, opts Options) (Stats, error) {
	stats := Stats{TiersByKind: map[chanye.TierKind]int{}}
	if opts.Enterprises < 0 || opts.Enterprises > 100_000_000 {
		return stats, chanye.Errorf(chanye.EINVALID, "企业数 %d 无效 / invalid number of enterprises", opts.Enterprises)
	}
	if opts.AsOf.IsZero() {
		opts.AsOf = chanye.DateOf(time.Now())
	}
	cat, err := store.FindCatalog(ctx)
	if err != nil {
		return stats, err
	}
	g, err := newGenerator(cat, opts)
	if err != nil {
		return stats, err
	}
	g.plan()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []record, 4)
	go func() {
		defer close(batches)
		for lo := 0; lo < len(g.firms); lo += genBatch {
			b := make([]record, min(genBatch, len(g.firms)-lo))
			for i := range b {
				g.record(lo+i, &b[i])
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	err = store.Bulk(ctx, func(w chanye.BulkWriter) error {
		for b := range batches {
			for i := range b {
				r := &b[i]
				if err := w.PutEnterprise(&r.ent); err != nil {
					return err
				}
				for j := range r.nfacts {
					if err := w.PutFacts(&r.facts[j]); err != nil {
						return err
					}
				}
				for j := range r.ntiers {
					if err := w.PutTier(&r.tiers[j]); err != nil {
						return err
					}
					stats.TiersByKind[r.tiers[j].Kind]++
				}
				stats.Enterprises++
				stats.Facts += r.nfacts
				stats.Tiers += r.ntiers
			}
			if opts.Progress != nil {
				opts.Progress(stats.Enterprises)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return w.Finish()
	})
	if err != nil {
		return stats, err
	}
	values := Indicators(cat, opts.Seed, opts.AsOf)
	if err := store.UpsertIndicators(ctx, values); err != nil {
		return stats, fmt.Errorf("demo indicators: %w", err)
	}
	stats.Indicators = len(values)
	return stats, nil
}

const genBatch = 1024

// record is one enterprise with its facts and tiers, in fixed arrays so a
// batch is one allocation. The store copies what it is given, but facts
// point into vals, so a batch is never reused.
type record struct {
	ent    chanye.Enterprise
	facts  [3]chanye.FactsRecord
	vals   [3][9]int64
	nfacts int
	tiers  [4]chanye.TierRecord
	ntiers int
}

// firm holds what the first pass draws for each enterprise: enough to rank
// firms and choose who holds which tier before anything is written.
type firm struct {
	z        float32 // size score, standard normal: revenue rises with it
	growth   float32 // yearly revenue growth
	founded  int32   // days since 1970-01-01
	class    uint16  // index into generator.classes
	district uint8
	tiers    uint16 // bit i set: holds tierOrder[i]
}

// tierOrder fixes the bit of each tier in firm.tiers.
var tierOrder = []chanye.TierKind{chanye.TierAboveScale, chanye.TierHighTech, chanye.TierSRDI, chanye.TierLittleGiant,
	chanye.TierSingleChampion, chanye.TierUnicorn, chanye.TierGazelle, chanye.TierLeading, chanye.TierChainLeader}

func tierBit(k chanye.TierKind) uint16 { return 1 << slices.Index(tierOrder, k) }

type class struct {
	code  string
	words []string // 行业词 for names
	tech  bool     // high-tech manufacturing, software, research
	manuf bool
}

type generator struct {
	opts      Options
	asOf      chanye.Date
	firms     []firm
	classes   []class
	classCum  []float64
	districts []chanye.District
	distCum   []float64
	rng       *rand.Rand
	pcg       *rand.PCG
	orgOff    [2]uint64
}

func newGenerator(cat *chanye.Catalog, opts Options) (*generator, error) {
	g := &generator{opts: opts, asOf: opts.AsOf, pcg: rand.NewPCG(0, 0)}
	g.rng = rand.New(g.pcg)
	if len(cat.Districts) == 0 {
		return nil, chanye.Errorf(chanye.EINVALID, "目录没有区县，无法生成演示数据 / the catalog has no districts")
	}
	acc := 0.0
	for _, d := range cat.Districts {
		w, ok := districtWeights[d.Code]
		if !ok {
			w = 3
		}
		acc += w
		g.districts = append(g.districts, d)
		g.distCum = append(g.distCum, acc)
	}
	acc = 0
	for _, cw := range classWeights() {
		div := cw.code[:2]
		acc += cw.weight
		g.classes = append(g.classes, class{code: cw.code, words: wordsFor(div), tech: techDivisions[div], manuf: div >= "13" && div <= "43"})
		g.classCum = append(g.classCum, acc)
	}
	if len(g.classes) == 0 {
		return nil, chanye.Errorf(chanye.EINTERNAL, "没有行业小类权重 / no class weights")
	}
	g.seed(1<<62, 0)
	g.orgOff = [2]uint64{g.rng.Uint64N(orgSpace[0]), g.rng.Uint64N(orgSpace[1])}
	return g, nil
}

// seed restarts the random stream for one purpose and firm, so every firm's
// draws are independent of the others' and of the order of generation.
func (g *generator) seed(stream uint64, i int) {
	g.pcg.Seed(uint64(g.opts.Seed), stream<<40^uint64(i))
}

func pick(cum []float64, r *rand.Rand) int {
	x := r.Float64() * cum[len(cum)-1]
	i, _ := slices.BinarySearch(cum, x)
	return min(i, len(cum)-1)
}

var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

func dayOf(d chanye.Date) int32 { return int32(d.Sub(epoch).Hours() / 24) }
func dateOf(day int32) chanye.Date {
	return chanye.Date{Time: epoch.AddDate(0, 0, int(day))}
}

// plan draws every firm and chooses the tier holders.
func (g *generator) plan() {
	n := g.opts.Enterprises
	g.firms = make([]firm, n)
	asOf := dayOf(g.asOf)
	earliest := dayOf(chanye.Date{Time: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)})
	for i := range g.firms {
		g.seed(1, i)
		f := &g.firms[i]
		f.district = uint8(pick(g.distCum, g.rng))
		f.class = uint16(pick(g.classCum, g.rng))
		z := g.rng.NormFloat64()
		if g.classes[f.class].manuf {
			z += 0.3 // factories are bigger than shops and consultancies
		}
		f.z = float32(z)
		// Most firms are young: ages are exponential with a mean of seven
		// years, the big ones older.
		age := g.rng.ExpFloat64()*7 + max(0, z)*3
		f.founded = max(earliest, asOf-int32(age*365.25)-1)
		f.growth = float32(0.06 + 0.15*g.rng.NormFloat64())
	}
	g.chooseTiers()
}

// baseCounts are the tier holders in a base of 3.6 M enterprises, the size of
// Guangzhou's registry. Above-scale (规上) counts industrial and service
// enterprises over the statistical thresholds together — about 20,000 in
// Guangzhou, of which some 7,000 industrial; the demo does not separate them.
var baseCounts = map[chanye.TierKind]int{
	chanye.TierAboveScale:     20000,
	chanye.TierHighTech:       15000,
	chanye.TierSRDI:           3000,
	chanye.TierLittleGiant:    150,
	chanye.TierSingleChampion: 20,
	chanye.TierUnicorn:        30,
	chanye.TierGazelle:        200,
	chanye.TierLeading:        50,
	chanye.TierChainLeader:    20,
}

const baseEnterprises = 3_600_000

// TierTarget returns how many holders of tier k a base of n enterprises gets:
// the base count scaled linearly, at least one from 20,000 enterprises up.
func TierTarget(k chanye.TierKind, n int) int {
	t := int(math.Round(float64(baseCounts[k]) * float64(n) / baseEnterprises))
	if t == 0 && n >= 20000 {
		t = 1
	}
	return t
}

func (g *generator) chooseTiers() {
	n := len(g.firms)
	byZ := make([]int32, n)
	for i := range byZ {
		byZ[i] = int32(i)
	}
	slices.SortFunc(byZ, func(a, b int32) int {
		if c := -cmpF(g.firms[a].z, g.firms[b].z); c != 0 {
			return c
		}
		return int(a - b)
	})
	g.seed(2, 0)
	asOf := dayOf(g.asOf)
	young := func(i int32) bool { return asOf-g.firms[i].founded < 10*365 }
	tech := func(i int32) bool { return g.classes[g.firms[i].class].tech }
	manuf := func(i int32) bool { return g.classes[g.firms[i].class].manuf }
	has := func(i int32, k chanye.TierKind) bool { return g.firms[i].tiers&tierBit(k) != 0 }
	// top returns the first m firms by size that pass ok.
	top := func(m int, ok func(int32) bool) []int32 {
		var out []int32
		for _, i := range byZ {
			if len(out) == m {
				break
			}
			if ok(i) {
				out = append(out, i)
			}
		}
		return out
	}
	// award gives tier k to t firms drawn from candidates.
	award := func(k chanye.TierKind, t int, cands []int32) {
		for j := 0; j < t && j < len(cands); j++ {
			r := j + g.rng.IntN(len(cands)-j)
			cands[j], cands[r] = cands[r], cands[j]
			g.firms[cands[j]].tiers |= tierBit(k)
		}
	}
	target := func(k chanye.TierKind) int { return TierTarget(k, n) }
	all := func(int32) bool { return true }

	award(chanye.TierLeading, target(chanye.TierLeading), top(3*target(chanye.TierLeading), all))
	award(chanye.TierChainLeader, target(chanye.TierChainLeader), top(3*target(chanye.TierChainLeader), manuf))
	award(chanye.TierSingleChampion, target(chanye.TierSingleChampion), top(10*target(chanye.TierSingleChampion), manuf))
	award(chanye.TierAboveScale, target(chanye.TierAboveScale), top(target(chanye.TierAboveScale), all))
	award(chanye.TierUnicorn, target(chanye.TierUnicorn), top(3*target(chanye.TierUnicorn), func(i int32) bool { return young(i) && tech(i) }))
	award(chanye.TierGazelle, target(chanye.TierGazelle), top(8*target(chanye.TierGazelle), func(i int32) bool {
		return young(i) && !has(i, chanye.TierUnicorn)
	}))
	// 专精特新 are specialised SMEs: sizeable but not the giants.
	giants := max(100, target(chanye.TierAboveScale)/10)
	var srdi []int32
	for _, i := range byZ[min(giants, n):] {
		if z := g.firms[i].z; z > 0.8 && z < 3 && (tech(i) || manuf(i)) {
			srdi = append(srdi, i)
		}
	}
	award(chanye.TierSRDI, target(chanye.TierSRDI), srdi)
	var holders []int32
	for _, i := range srdi {
		if has(i, chanye.TierSRDI) && g.firms[i].z > 1.3 {
			holders = append(holders, i)
		}
	}
	award(chanye.TierLittleGiant, target(chanye.TierLittleGiant), holders)
	// 高新技术企业: most tech tier holders, topped up from tech firms of
	// above-median size.
	ht := 0
	for i := range g.firms {
		f := &g.firms[i]
		if f.tiers&(tierBit(chanye.TierLittleGiant)|tierBit(chanye.TierUnicorn)) != 0 ||
			f.tiers&tierBit(chanye.TierSRDI) != 0 && tech(int32(i)) && g.rng.Float64() < 0.8 {
			f.tiers |= tierBit(chanye.TierHighTech)
			ht++
		}
	}
	var techCands []int32
	for _, i := range byZ {
		if g.firms[i].z > 0 && tech(i) && !has(i, chanye.TierHighTech) {
			techCands = append(techCands, i)
		}
	}
	award(chanye.TierHighTech, max(0, target(chanye.TierHighTech)-ht), techCands)
	for i := range g.firms {
		if g.firms[i].tiers&tierBit(chanye.TierGazelle) != 0 {
			g.firms[i].growth = float32(0.3 + 0.3*g.rng.Float64())
		}
	}
}

func cmpF(a, b float32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// orgSpace is the number of organisation-code bodies of each shape: "MA"
// plus six code characters (market-regulator identifiers since 2015), and
// eight digits (the older organisation codes).
var orgSpace = [2]uint64{31 * 31 * 31 * 31 * 31 * 31, 100_000_000}

// Multipliers coprime to the spaces, so i → (i·m + off) mod space is a
// bijection and codes are unique without a set.
var orgMul = [2]uint64{104_729 * 2, 48_271 * 7}

const charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var maEra = dayOf(chanye.Date{Time: time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC)})

// code builds firm i's credit code: 9 (market regulation), 1 (enterprise),
// the registering division, an organisation code and the check characters.
func (g *generator) code(i int, f *firm) string {
	var b [17]byte
	b[0], b[1] = '9', '1'
	div := g.districts[f.district].Code
	if i%10 == 0 && strings.HasPrefix(div, "4401") {
		div = "440101" // registered with the city bureau
	}
	copy(b[2:8], div)
	if f.founded >= maEra {
		x := (uint64(i)*orgMul[0] + g.orgOff[0]) % orgSpace[0]
		b[8], b[9] = 'M', 'A'
		for j := 15; j >= 10; j-- {
			b[j] = charset[x%31]
			x /= 31
		}
	} else {
		x := (uint64(i)*orgMul[1] + g.orgOff[1]) % orgSpace[1]
		for j := 15; j >= 8; j-- {
			b[j] = byte('0' + x%10)
			x /= 10
		}
	}
	c, err := uscc.OrgCheckChar(string(b[8:16]))
	if err != nil {
		panic(err) // the body is built from valid characters
	}
	b[16] = c
	code, err := uscc.Complete(string(b[:]))
	if err != nil {
		panic(err)
	}
	return code
}

// revenueYuan is the latest yearly revenue of a firm of size score z:
// log-normal around 500,000 yuan with a heavier tail above z = 2, so the
// largest of 3.6 M reach the hundreds of 亿.
func revenueYuan(z float64) float64 {
	ln := math.Log(5e5) + 1.5*z
	if z > 2 {
		ln += 2.5 * math.Sqrt(z-2)
	}
	return math.Exp(ln)
}

// record fills r with firm i: enterprise, facts and tiers.
func (g *generator) record(i int, r *record) {
	f := &g.firms[i]
	c := &g.classes[f.class]
	g.seed(3, i)
	rng := g.rng
	founded := dateOf(f.founded)
	r.ent = chanye.Enterprise{
		Code:          g.code(i, f),
		Name:          g.name(c, float64(f.z)),
		DistrictCode:  g.districts[f.district].Code,
		IndustryClass: c.code,
		Founded:       founded,
	}
	holds := func(k chanye.TierKind) bool { return f.tiers&tierBit(k) != 0 }
	techFirm := c.tech || holds(chanye.TierHighTech)

	// Ratios fixed per firm, applied to each year's revenue.
	z := float64(f.z)
	latest := revenueYuan(z)
	if z < -1 && rng.Float64() < 0.3 {
		latest = 0 // dormant shells report nothing sold
	}
	productivity := 4e5 * math.Exp(0.6*rng.NormFloat64())
	assetRatio := 1.2 * math.Exp(0.5*rng.NormFloat64())
	taxRatio := 0.01 + 0.05*rng.Float64()
	var rdRatio, rdStaffRatio, exportRatio float64
	if techFirm && (z > -0.5 || holds(chanye.TierHighTech)) {
		rdRatio = 0.02 + 0.06*rng.Float64()
		if holds(chanye.TierHighTech) {
			rdRatio = max(rdRatio, 0.035)
		}
		rdStaffRatio = 0.1 + 0.2*rng.Float64()
	}
	if c.manuf && rng.Float64() < 0.15 {
		exportRatio = 0.05 + 0.45*rng.Float64()
	}
	equipRatio := 0.01 * rng.Float64()
	if c.manuf {
		equipRatio = 0.01 + 0.04*rng.Float64()
	}
	patents := 0.0
	if techFirm {
		patents = rng.ExpFloat64() * math.Exp(max(0, z))
		if holds(chanye.TierHighTech) {
			patents += 1
		}
	}

	lastYear := g.asOf.Year() - 1
	r.nfacts = 0
	for k := 0; k < 3; k++ {
		year := lastYear - k
		if year < founded.Year() {
			break
		}
		scale := math.Pow(1+float64(f.growth), -float64(k))
		if year == founded.Year() {
			scale *= 0.4 // a part year
		}
		rev := latest * scale
		emp := max(1, math.Round(rev/productivity))
		if rev == 0 {
			emp = float64(1 + rng.IntN(3))
		}
		v := &r.vals[k]
		v[0] = fen(rev)
		v[1] = fen(rev * rdRatio)
		v[2] = int64(emp)
		v[3] = int64(math.Floor(emp * rdStaffRatio))
		v[4] = fen(rev * assetRatio)
		v[5] = fen(rev * taxRatio)
		v[6] = fen(rev * exportRatio)
		v[7] = int64(patents * math.Pow(0.85, float64(k)))
		v[8] = fen(rev * equipRatio)
		fr := &r.facts[r.nfacts]
		fr.Code = r.ent.Code
		fr.Facts = chanye.Facts{Year: year, Source: Source, AsOf: g.reportDate(year)}
		fr.SetValues([]*int64{&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]})
		r.nfacts++
	}

	r.ntiers = 0
	for _, k := range tierOrder {
		if !holds(k) || r.ntiers == len(r.tiers) {
			continue
		}
		t := g.tierDates(k, founded, rng)
		t.Kind, t.Source = k, Source
		r.tiers[r.ntiers] = chanye.TierRecord{Code: r.ent.Code, Tier: t}
		r.ntiers++
	}
}

func fen(yuan float64) int64 { return int64(math.Round(yuan * 100)) }

// reportDate is when the figures of a fiscal year were reported: the annual
// report deadline, 31 May of the next year, or AsOf if that is earlier.
func (g *generator) reportDate(year int) chanye.Date {
	d := time.Date(year+1, 5, 31, 0, 0, 0, 0, time.UTC)
	if d.After(g.asOf.Time) {
		return g.asOf
	}
	return chanye.Date{Time: d}
}

// tierDates draws when a tier was recognised, never before the firm was
// founded nor after AsOf, and until when for the tiers reviewed every three
// years.
func (g *generator) tierDates(k chanye.TierKind, founded chanye.Date, rng *rand.Rand) chanye.Tier {
	y := g.asOf.Year()
	var from time.Time
	threeYears := false
	switch k {
	case chanye.TierAboveScale:
		from = time.Date(y-1-rng.IntN(6), 1, 1, 0, 0, 0, 0, time.UTC)
	case chanye.TierHighTech, chanye.TierSRDI:
		from = time.Date(y-rng.IntN(3), time.Month(10+rng.IntN(3)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		threeYears = true
	case chanye.TierLittleGiant:
		// Recognised in yearly national batches since 2019; some in the
		// current year's batch (announced in summer).
		from = time.Date(2019+rng.IntN(y-2019+1), 7, 15+rng.IntN(15), 0, 0, 0, 0, time.UTC)
	case chanye.TierSingleChampion:
		from = time.Date(y-1-rng.IntN(8), 12, 1, 0, 0, 0, 0, time.UTC)
	case chanye.TierUnicorn, chanye.TierGazelle:
		from = time.Date(y-rng.IntN(3), 4, 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	default: // leading, chain leader: named by the city's task forces
		from = time.Date(y-1-rng.IntN(3), 3, 1, 0, 0, 0, 0, time.UTC)
	}
	if from.After(g.asOf.Time) {
		from = from.AddDate(-1, 0, 0)
	}
	if min := founded.AddDate(0, 1, 0); from.Before(min) {
		from = min
	}
	if from.After(g.asOf.Time) {
		from = g.asOf.Time
	}
	t := chanye.Tier{From: chanye.Date{Time: from}}
	if threeYears {
		t.To = chanye.Date{Time: from.AddDate(3, 0, -1)}
	}
	return t
}
