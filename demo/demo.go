// Package demo generates a plausible, deterministic synthetic enterprise base
// for a catalog: credit codes that validate, Chinese company names, districts
// and classes weighted like Guangzhou's, heavy-tailed revenue, three years of
// facts, enterprise tiers in realistic proportions, and industry indicator
// series. The same seed always yields the same data.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
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
	// years before it, tiers are held on it. Required.
	AsOf chanye.Date
	// Chains, when set, are the chains whose keywords the firms' business
	// scopes name (see scope); without them scopes name classes only.
	Chains *chain.Set
	// Progress, when set, is called with the enterprises written so far.
	Progress func(done int)
	// Keep, when set, says which of the generated enterprises to write:
	// one shard's share of the same base (issue 16), the others generated
	// alike but not written.
	Keep func(code string) bool
}

// Stats counts what Generate wrote.
type Stats struct {
	Enterprises int
	Facts       int
	Tiers       int                     // tier records, past certificates included
	TiersByKind map[chanye.TierKind]int // holders on AsOf
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
		return stats, errors.New("demo: Options.AsOf is required")
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
	order := g.writeOrder()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []record, 4)
	go func() {
		defer close(batches)
		for lo := 0; lo < len(order); lo += genBatch {
			b := make([]record, min(genBatch, len(order)-lo))
			for i := range b {
				g.record(int(order[lo+i]), &b[i])
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
				if opts.Keep != nil && !opts.Keep(r.ent.Code) {
					continue
				}
				if err := w.PutEnterprise(&r.ent); err != nil {
					return err
				}
				for j := range r.nfacts {
					if err := w.PutFacts(&r.facts[j]); err != nil {
						return err
					}
				}
				if err := w.PutScope(&r.scope); err != nil {
					return err
				}
				for j := range r.ntiers {
					if err := w.PutTier(&r.tiers[j]); err != nil {
						return err
					}
					if r.tiers[j].ActiveOn(opts.AsOf) {
						stats.TiersByKind[r.tiers[j].Kind]++
					}
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
	vals   [3][10]int64
	nfacts int
	tiers  [maxTierRecords]chanye.TierRecord
	ntiers int
	scope  chanye.ScopeRecord
}

// firm holds what the first pass draws for each enterprise: the facts that
// decide who may hold which tier, so tiers are chosen from the firms whose
// figures qualify before anything is written.
type firm struct {
	z        float32 // size score, standard normal: revenue rises with it
	growth   float32 // yearly revenue growth
	prod     float32 // revenue per employee, yuan
	assets   float32 // total assets per yuan of revenue
	founded  int32   // days since 1970-01-01
	class    uint16  // index into generator.classes
	tiers    uint16  // bit i set: holds tierOrder[i]
	district uint8
	rd       uint8 // R&D spending, per mille of revenue
	rdStaff  uint8 // R&D staff, per cent of employees
	dormant  bool  // a shell that reports nothing sold
}

// tierOrder fixes the bit of each tier in firm.tiers.
var tierOrder = []chanye.TierKind{chanye.TierAboveScale, chanye.TierHighTech, chanye.TierSRDI, chanye.TierLittleGiant,
	chanye.TierSingleChampion, chanye.TierUnicorn, chanye.TierGazelle, chanye.TierLeading, chanye.TierChainLeader}

func tierBit(k chanye.TierKind) uint16 { return 1 << slices.Index(tierOrder, k) }

type class struct {
	code     string
	words    []string // 行业词 for names
	tech     bool     // high-tech manufacturing, software, research
	manuf    bool
	minScale float64 // 规上 revenue threshold in yuan; 0: not counted
	clusters []uint8 // indices of the clusters that list the class
}

type generator struct {
	opts       Options
	asOf       chanye.Date
	scopeWords map[string][]string // class → keywords of its links
	firms      []firm
	codes      [][18]byte // credit code of each firm, set by writeOrder
	classes    []class
	classCum   []float64
	districts  []chanye.District
	distCum    []float64
	nclusters  int
	rng        *rand.Rand
	pcg        *rand.PCG
	orgOff     [2]uint64
}

func newGenerator(cat *chanye.Catalog, opts Options) (*generator, error) {
	g := &generator{opts: opts, asOf: opts.AsOf, scopeWords: scopeKeywords(opts.Chains), pcg: rand.NewPCG(0, 0)}
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
	clusterIdx := map[string]uint8{}
	for _, ind := range cat.Industries {
		if ind.Kind == chanye.KindCluster && len(clusterIdx) < 255 {
			clusterIdx[ind.ID] = uint8(len(clusterIdx))
		}
	}
	g.nclusters = len(clusterIdx)
	byClass := cat.ClassIndex()
	acc = 0
	for _, cw := range classWeights() {
		div := cw.code[:2]
		acc += cw.weight
		c := class{code: cw.code, words: wordsFor(div), tech: techDivisions[div], manuf: div >= "13" && div <= "43",
			minScale: aboveScaleRevenue(cw.code)}
		for _, id := range byClass[cw.code] {
			if k, ok := clusterIdx[id]; ok {
				c.clusters = append(c.clusters, k)
			}
		}
		g.classes = append(g.classes, c)
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
		r := g.rng
		f := &g.firms[i]
		f.district = uint8(pick(g.distCum, r))
		f.class = uint16(pick(g.classCum, r))
		c := &g.classes[f.class]
		z := r.NormFloat64()
		if c.manuf {
			z += 0.3 // factories are bigger than shops and consultancies
		}
		f.z = float32(z)
		// Most firms are young: ages are exponential with a mean of seven
		// years, the big ones older.
		age := r.ExpFloat64()*7 + max(0, z)*3
		f.founded = max(earliest, asOf-int32(age*365.25)-1)
		f.growth = float32(max(-0.5, 0.06+0.15*r.NormFloat64()))
		f.dormant = z < -1 && r.Float64() < 0.3
		f.prod = float32(4e5 * math.Exp(0.6*r.NormFloat64()))
		f.assets = float32(1.2 * math.Exp(0.5*r.NormFloat64()))
		// R&D: most tech firms of some size do it, fewer factories, few
		// others. Spending is 1–12 % of revenue, staff 5–30 %.
		var p float64
		switch {
		case c.tech:
			p = 0.2
			if z > -0.5 {
				p = 0.9
			}
		case c.manuf:
			p = 0.1
			if z > 0 {
				p = 0.45
			}
		case z > 0.5:
			p = 0.08
		}
		if r.Float64() < p {
			if c.tech {
				f.rd = uint8(20 + r.IntN(101))
			} else {
				f.rd = uint8(10 + r.IntN(61))
			}
			f.rdStaff = uint8(5 + r.IntN(26))
		}
	}
	g.chooseTiers()
}

// figures are the facts of one fiscal year that tiers depend on.
type figures struct {
	revenue   float64 // yuan
	employees int64
	rdStaff   int64
	rdFen     int64
	revFen    int64
	assetsFen int64
}

// figures returns firm f's figures for the fiscal year k years before the
// latest one; ok is false when the firm did not exist yet. record writes
// exactly these numbers, so tiers chosen from them match what is stored.
func (g *generator) figures(f *firm, k int) (fg figures, ok bool) {
	year := g.asOf.Year() - 1 - k
	fy := dateOf(f.founded).Year()
	if year < fy {
		return fg, false
	}
	if f.dormant {
		return fg, true
	}
	rev := revenueYuan(float64(f.z)) * math.Pow(1+float64(f.growth), -float64(k))
	if year == fy {
		rev *= 0.4 // a part year
	}
	emp := max(1, math.Round(rev/float64(f.prod)))
	fg.revenue = rev
	fg.revFen = fen(rev)
	fg.employees = int64(emp)
	fg.rdStaff = int64(math.Floor(emp * float64(f.rdStaff) / 100))
	fg.rdFen = fen(rev * float64(f.rd) / 1000)
	fg.assetsFen = fen(rev * float64(f.assets))
	return fg, true
}

// writeOrder computes every firm's credit code and returns the firm indices
// in code order. Writing in key order appends to the store's B-trees instead
// of splitting pages all over them, which makes a 3.6 M load several times
// faster on SQLite; the data written is the same in any order.
func (g *generator) writeOrder() []int32 {
	g.codes = make([][18]byte, len(g.firms))
	order := make([]int32, len(g.firms))
	for i := range g.firms {
		copy(g.codes[i][:], g.code(i, &g.firms[i]))
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return bytes.Compare(g.codes[a][:], g.codes[b][:]) })
	return order
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
		Code:          string(g.codes[i][:]),
		Name:          g.name(c, float64(f.z)),
		DistrictCode:  g.districts[f.district].Code,
		IndustryClass: c.code,
		Founded:       founded,
	}
	holds := func(k chanye.TierKind) bool { return f.tiers&tierBit(k) != 0 }
	techFirm := c.tech || f.rd > 0
	z := float64(f.z)
	taxRatio := 0.01 + 0.05*rng.Float64()
	if holds(chanye.TierUnicorn) {
		taxRatio = 0.002 + 0.005*rng.Float64() // mostly loss-making: little income tax
	}
	var exportRatio float64
	if c.manuf && rng.Float64() < 0.15 {
		exportRatio = 0.05 + 0.45*rng.Float64()
	}
	// Value added is a share of revenue, smaller for manufacturing (more
	// is bought in); no draw, so the demo's other figures stay as they were.
	vaRatio := 0.35
	if c.manuf {
		vaRatio = 0.22
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

	r.nfacts = 0
	for k := 0; k < 3; k++ {
		fg, ok := g.figures(f, k)
		if !ok {
			break
		}
		year := g.asOf.Year() - 1 - k
		rev := fg.revenue
		emp := fg.employees
		if f.dormant {
			emp = int64(1 + rng.IntN(3))
		}
		v := &r.vals[k]
		v[0] = fg.revFen
		v[1] = fg.rdFen
		v[2] = emp
		v[3] = fg.rdStaff
		v[4] = fg.assetsFen
		v[5] = fen(rev * taxRatio)
		v[6] = fen(rev * exportRatio)
		v[7] = int64(patents * math.Pow(0.85, float64(k)))
		v[8] = fen(rev * equipRatio)
		v[9] = fen(rev * vaRatio)
		fr := &r.facts[r.nfacts]
		fr.Code = r.ent.Code
		fr.Facts = chanye.Facts{Year: year, Source: Source, AsOf: g.reportDate(year)}
		fr.SetValues([]*int64{&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]})
		r.nfacts++
	}

	r.ntiers = 0
	// The 专精特新 recognition comes before (or in the same year as) the
	// 小巨人 one, so the batch is drawn first.
	lgYear := 0
	if holds(chanye.TierLittleGiant) {
		lgYear = g.littleGiantYear(f, rng)
	}
	var srdiFrom time.Time
	if holds(chanye.TierSRDI) {
		srdiFrom = g.srdiFirst(f, lgYear, rng)
	}
	for _, k := range tierOrder {
		if !holds(k) {
			continue
		}
		for _, t := range g.tierDates(k, f, lgYear, srdiFrom, rng) {
			t.Kind, t.Level, t.Source = k, tierLevels[k], Source
			r.tiers[r.ntiers] = chanye.TierRecord{Code: r.ent.Code, Tier: t}
			r.ntiers++
		}
	}
	g.scope(i, c, r)
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
