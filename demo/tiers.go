package demo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/chanye-org/chanye"
)

// baseCounts are the tier holders in a base of 3.6 M enterprises, the size of
// Guangzhou's registry. Above-scale (规上) counts industrial and service
// enterprises over the statistical thresholds together — about 20,000 in
// Guangzhou, of which some 7,000 industrial; the demo does not separate them.
var baseCounts = map[chanye.TierKind]int{
	chanye.TierAboveScale:     20000,
	chanye.TierHighTech:       15000,
	chanye.TierSRDI:           3000,
	chanye.TierLittleGiant:    450,
	chanye.TierSingleChampion: 20,
	chanye.TierUnicorn:        30,
	chanye.TierGazelle:        200,
	chanye.TierLeading:        50,
	chanye.TierChainLeader:    20,
}

const baseEnterprises = 3_600_000

// tierLevels is the level of the body that recognises each kind of tier,
// as the demo records it:
//   - 专精特新“小巨人” national and 专精特新中小企业 provincial: 《优质中小企业
//     梯度培育管理暂行办法》(工信部企业〔2022〕63号) has the ministry recognise
//     little giants and the provincial SME authority recognise SRDI SMEs (and
//     assess 创新型中小企业, a kind chanye does not hold);
//   - 制造业单项冠军 national: recognised by the ministry (《制造业单项冠军企业
//     认定管理办法》); the city's reward (穗府办规〔2025〕13号) is for the
//     national ones, and provincial lists are not generated;
//   - 高新技术企业 national: a national qualification that provincial science,
//     finance and tax bodies recognise (《高新技术企业认定管理办法》,
//     国科发火〔2016〕32号);
//   - 独角兽 municipal: Guangzhou's list is published under the city's science
//     and technology bureau (广州独角兽创新企业榜单, 市科学技术局指导);
//   - 龙头企业 and 链主企业 municipal: named by the city's industry task forces
//     (the demo draws them per cluster, see chooseTiers);
//   - 瞪羚企业 not recorded: no source confirms who lists them in Guangzhou;
//   - 规上企业 not recorded: a statistical threshold, not a recognition.
var tierLevels = map[chanye.TierKind]chanye.TierLevel{
	chanye.TierLittleGiant:    chanye.LevelNational,
	chanye.TierSingleChampion: chanye.LevelNational,
	chanye.TierHighTech:       chanye.LevelNational,
	chanye.TierSRDI:           chanye.LevelProvincial,
	chanye.TierUnicorn:        chanye.LevelMunicipal,
	chanye.TierLeading:        chanye.LevelMunicipal,
	chanye.TierChainLeader:    chanye.LevelMunicipal,
}

// TierTarget returns how many holders of tier k a base of n enterprises gets:
// the base count scaled linearly, at least one from 20,000 enterprises up.
func TierTarget(k chanye.TierKind, n int) int {
	t := int(math.Round(float64(baseCounts[k]) * float64(n) / baseEnterprises))
	if t == 0 && n >= 20000 {
		t = 1
	}
	return t
}

// The thresholds of the recognitions, as the demo applies them to a firm's
// latest fiscal year.
const (
	littleGiantMinRevenue = 1e8  // 1 亿元
	littleGiantMaxRevenue = 1e9  // 10 亿元
	championMinRevenue    = 4e8  // 4 亿元
	srdiMinRevenue        = 1e7  // 1000 万元
	gazelleMinRevenue     = 1e7  // 1000 万元
	unicornMinRevenue     = 5e7  // 5000 万元: real sales, whatever the losses
	gazelleMinGrowth      = 0.2  // 20 % a year
	firstLittleGiantBatch = 2019 // the first national batch
	// latestBatchShare is the part of a city's 小巨人 recognised in the latest
	// batch: batches have grown, and Guangzhou rewarded 126 new ones in 2025
	// against a few hundred in all.
	latestBatchShare = 0.28
	// latestBatchBit in firm.tiers marks a 小巨人 of the latest batch.
	latestBatchBit       = 1 << 15
	maxTierRecords       = 13   // all kinds, a past 高企 and three past 专精特新 certificates
	srdiTerms            = 4    // 专精特新 terms kept: back to the earliest a 小巨人 of 2019 needs
	minRDPerMille        = 30   // 3 %: 专精特新 and the 高企 floor for large revenue
	maxLittleGiantRD     = 100  // 10 %
	highTechStaffPercent = 10   // R&D staff share a 高企 needs
	youngDays            = 3652 // ten years
)

// aboveScaleRevenue is the yearly revenue in yuan from which a firm of a
// GB/T 4754 class is counted above designated size (规模以上 / 限额以上):
// 2000 万 for industry, construction, wholesale, transport, IT; 500 万 for
// retail and residents' services; 200 万 for hotels and restaurants; 1000
// 万 for the other services. Finance is outside these statistics: 0.
func aboveScaleRevenue(class string) float64 {
	div := class[:2]
	switch {
	case div >= "06" && div <= "51", div >= "53" && div <= "60", div >= "63" && div <= "65":
		return 2e7
	case div == "52", div >= "76" && div <= "81", div >= "85" && div <= "90", div <= "05":
		return 5e6
	case div == "61", div == "62":
		return 2e6
	case div >= "66" && div <= "69", div >= "91":
		return 0
	}
	return 1e7
}

// highTechMinRD is the R&D spending a 高企 needs, per mille of revenue: 5 %
// below 5000 万 of revenue, 4 % up to 2 亿, 3 % above.
func highTechMinRD(revenue float64) uint8 {
	switch {
	case revenue < 5e7:
		return 50
	case revenue < 2e8:
		return 40
	}
	return minRDPerMille
}

// cand is a firm eligible for a tier, with the revenue that ranks it.
type cand struct {
	i   int32
	rev float64
}

func byRevenue(a, b cand) int {
	if c := cmp.Compare(b.rev, a.rev); c != 0 {
		return c
	}
	return cmp.Compare(a.i, b.i)
}

// topK keeps the k largest candidates by revenue, sorted.
type topK struct {
	k   int
	top []cand
}

func (t *topK) add(c cand) {
	if len(t.top) == t.k && byRevenue(c, t.top[len(t.top)-1]) >= 0 {
		return
	}
	j, _ := slices.BinarySearchFunc(t.top, c, byRevenue)
	t.top = slices.Insert(t.top, j, c)
	if len(t.top) > t.k {
		t.top = t.top[:t.k]
	}
}

// chooseTiers gives each tier to firms whose latest figures qualify for it,
// as the recognising bodies would: size, revenue, R&D, age and growth.
func (g *generator) chooseTiers() {
	n := len(g.firms)
	target := func(k chanye.TierKind) int { return TierTarget(k, n) }
	asOf := dayOf(g.asOf)
	firstFactYear := g.asOf.Year() - 3
	lastBatch := g.lastBatch()

	var above, highTech, srdi, giants, champions, unicorns, gazelles []cand
	keep := target(chanye.TierLeading) + target(chanye.TierChainLeader) + 1
	leaders := make([]topK, g.nclusters)
	chain := make([]topK, g.nclusters)
	for k := range leaders {
		leaders[k].k, chain[k].k = keep, keep
	}
	for i := range g.firms {
		f := &g.firms[i]
		if f.dormant || f.rd == 0 && float64(f.z) < 0.5 {
			continue // nothing sold, or too small for any tier without R&D
		}
		fg, ok := g.figures(f, 0)
		if !ok || fg.revenue <= 0 {
			continue
		}
		c := &g.classes[f.class]
		rev := fg.revenue
		x := cand{int32(i), rev}
		age := asOf - f.founded
		if c.minScale > 0 && rev >= c.minScale {
			above = append(above, x)
		}
		for _, k := range c.clusters {
			leaders[k].add(x)
			if c.manuf {
				chain[k].add(x)
			}
		}
		if f.rd == 0 {
			continue
		}
		if (c.tech || c.manuf) && age >= 365 && f.rd >= highTechMinRD(rev) &&
			fg.rdStaff >= 1 && fg.rdStaff*100 >= highTechStaffPercent*fg.employees {
			highTech = append(highTech, x)
		}
		if c.tech && age < youngDays && rev >= unicornMinRevenue {
			unicorns = append(unicorns, x)
		}
		if age < youngDays && dateOf(f.founded).Year() < firstFactYear && f.growth >= gazelleMinGrowth && rev >= gazelleMinRevenue {
			gazelles = append(gazelles, x)
		}
		if rev < srdiMinRevenue {
			continue
		}
		size := chanye.ClassifySize(c.code, &fg.employees, &fg.revFen, &fg.assetsFen)
		if c.manuf && rev >= championMinRevenue && (size == chanye.SizeLarge || size == chanye.SizeMedium) {
			champions = append(champions, x)
		}
		if (c.tech || c.manuf) && (size == chanye.SizeMedium || size == chanye.SizeSmall) && age >= 2*365 && f.rd >= minRDPerMille {
			srdi = append(srdi, x)
			if rev >= littleGiantMinRevenue && rev <= littleGiantMaxRevenue && f.rd <= maxLittleGiantRD &&
				dateOf(f.founded).Year()+3 <= lastBatch {
				giants = append(giants, x)
			}
		}
	}

	g.seed(2, 0)
	rng := g.rng
	has := func(i int32, k chanye.TierKind) bool { return g.firms[i].tiers&tierBit(k) != 0 }
	// award gives tier k to up to t more firms drawn at random from cands
	// that pass ok, and returns how many it gave.
	award := func(k chanye.TierKind, t int, cands []cand, ok func(int32) bool) int {
		cands = slices.DeleteFunc(slices.Clone(cands), func(c cand) bool { return has(c.i, k) || ok != nil && !ok(c.i) })
		j := 0
		for ; j < t && j < len(cands); j++ {
			r := j + rng.IntN(len(cands)-j)
			cands[j], cands[r] = cands[r], cands[j]
			g.firms[cands[j].i].tiers |= tierBit(k)
		}
		return j
	}
	largest := func(cands []cand, m int) []cand {
		slices.SortFunc(cands, byRevenue)
		return cands[:min(m, len(cands))]
	}

	// 龙头 and 链主 are the largest firms of their clusters: the first of
	// every cluster, then the second, and so on, biggest first in each round.
	rounds := func(k chanye.TierKind, lists []topK) {
		left := target(k)
		for r := 0; left > 0 && r < keep; r++ {
			var round []cand
			for _, l := range lists {
				if r < len(l.top) && !has(l.top[r].i, k) {
					round = append(round, l.top[r])
				}
			}
			slices.SortFunc(round, byRevenue)
			for _, c := range round[:min(left, len(round))] {
				g.firms[c.i].tiers |= tierBit(k)
				left--
			}
		}
	}
	rounds(chanye.TierLeading, leaders)
	rounds(chanye.TierChainLeader, chain)

	award(chanye.TierSingleChampion, target(chanye.TierSingleChampion), largest(champions, 5*target(chanye.TierSingleChampion)), nil)
	// 小巨人 are mostly manufacturers; every one also holds 专精特新.
	lg := target(chanye.TierLittleGiant)
	got := award(chanye.TierLittleGiant, lg*85/100, giants, func(i int32) bool { return g.classes[g.firms[i].class].manuf })
	got += award(chanye.TierLittleGiant, lg-got, giants, nil)
	heldSRDI, latest := 0, int(math.Ceil(latestBatchShare*float64(got)))
	for _, c := range giants {
		if has(c.i, chanye.TierLittleGiant) {
			g.firms[c.i].tiers |= tierBit(chanye.TierSRDI)
			if heldSRDI < latest {
				g.firms[c.i].tiers |= latestBatchBit
			}
			heldSRDI++
		}
	}
	award(chanye.TierSRDI, target(chanye.TierSRDI)-heldSRDI, srdi, nil)
	award(chanye.TierUnicorn, target(chanye.TierUnicorn), largest(unicorns, 3*target(chanye.TierUnicorn)), nil)
	award(chanye.TierGazelle, target(chanye.TierGazelle), gazelles, func(i int32) bool { return !has(i, chanye.TierUnicorn) })
	// Nearly every qualifying holder of an innovation tier is also a 高企;
	// the rest are drawn from all qualifying firms.
	innovators := tierBit(chanye.TierLittleGiant) | tierBit(chanye.TierSRDI) | tierBit(chanye.TierSingleChampion) | tierBit(chanye.TierUnicorn)
	ht := 0
	for _, c := range highTech {
		if g.firms[c.i].tiers&innovators != 0 && rng.Float64() < 0.9 {
			g.firms[c.i].tiers |= tierBit(chanye.TierHighTech)
			ht++
		}
	}
	award(chanye.TierHighTech, target(chanye.TierHighTech)-ht, highTech, nil)
	// 规上 is a threshold, not a prize: the largest firms over it.
	for _, c := range largest(above, target(chanye.TierAboveScale)) {
		g.firms[c.i].tiers |= tierBit(chanye.TierAboveScale)
	}
}

// lastBatch is the year of the latest 小巨人 batch published by AsOf: each
// year's is announced in July and August.
func (g *generator) lastBatch() int {
	y := g.asOf.Year()
	if g.asOf.Month() < time.September {
		y--
	}
	return y
}

// littleGiantYear draws the batch that recognised firm f: from the first
// batch, or three years after the firm was founded, to the latest.
func (g *generator) littleGiantYear(f *firm, rng *rand.Rand) int {
	last := g.lastBatch()
	first := min(last, max(firstLittleGiantBatch, dateOf(f.founded).Year()+3))
	if first == last || f.tiers&latestBatchBit != 0 {
		return last
	}
	return first + rng.IntN(last-first)
}

// srdiFirst draws when firm f was first recognised 专精特新: for a 小巨人
// (lgYear > 0), in its batch year before the summer or up to two years
// before; for others within the current three-year term.
func (g *generator) srdiFirst(f *firm, lgYear int, rng *rand.Rand) time.Time {
	minYear := dateOf(f.founded).Year() + 2
	if lgYear == 0 {
		y := max(minYear, g.asOf.Year()-rng.IntN(3))
		from := time.Date(y, time.Month(9+rng.IntN(4)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		if from.After(g.asOf.Time) {
			from = from.AddDate(-1, 0, 0)
		}
		return from
	}
	if y := max(minYear, lgYear-rng.IntN(3)); y < lgYear {
		return time.Date(y, time.Month(9+rng.IntN(4)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	}
	return time.Date(lgYear, time.Month(3+rng.IntN(4)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
}

// tierDates draws the recognitions of kind k held by firm f, never before
// it was founded nor after AsOf. 高企 certificates run three years and are
// renewed when they lapse, so an older firm has its previous certificate
// too; 专精特新 terms likewise run from srdiFrom on. lgYear is the firm's
// 小巨人 batch.
func (g *generator) tierDates(k chanye.TierKind, f *firm, lgYear int, srdiFrom time.Time, rng *rand.Rand) []chanye.Tier {
	founded := dateOf(f.founded)
	y := g.asOf.Year()
	var from time.Time
	switch k {
	case chanye.TierAboveScale:
		from = time.Date(y-1-rng.IntN(6), 1, 1, 0, 0, 0, 0, time.UTC)
	case chanye.TierHighTech:
		from = time.Date(y-rng.IntN(3), time.Month(10+rng.IntN(3)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		if from.After(g.asOf.Time) {
			from = from.AddDate(-1, 0, 0)
		}
		from = later(from, founded.AddDate(1, 0, 0))
		var out []chanye.Tier
		if prev := from.AddDate(-3, 0, 0); !prev.Before(founded.AddDate(1, 0, 0)) {
			out = append(out, threeYears(prev))
		}
		return append(out, threeYears(from))
	case chanye.TierSRDI:
		var out []chanye.Tier
		for from = srdiFrom; !from.After(g.asOf.Time); from = from.AddDate(3, 0, 0) {
			out = append(out, threeYears(from))
		}
		if len(out) == 0 {
			out = append(out, threeYears(g.asOf.Time))
		}
		return out[max(0, len(out)-srdiTerms):]
	case chanye.TierLittleGiant:
		from = time.Date(lgYear, time.Month(7+rng.IntN(2)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		return []chanye.Tier{{From: chanye.Date{Time: from}}}
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
	from = later(from, founded.AddDate(0, 1, 0))
	if from.After(g.asOf.Time) {
		from = g.asOf.Time
	}
	return []chanye.Tier{{From: chanye.Date{Time: from}}}
}

// threeYears is a certificate issued on from, valid three years.
func threeYears(from time.Time) chanye.Tier {
	return chanye.Tier{From: chanye.Date{Time: from}, To: chanye.Date{Time: from.AddDate(3, 0, -1)}}
}

func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}
