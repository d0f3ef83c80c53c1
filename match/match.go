package match

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
)

// Segmenter cuts a text into words. Propose calls it from several
// goroutines, so it must be safe for concurrent use, and it must be
// deterministic: the same text, the same words. NewSegmenter makes the
// production one; tests may split on spaces.
type Segmenter interface {
	Words(text string) []string
}

// Firm is what Propose reads of a registry enterprise: its registered
// district (GB/T 2260), the tiers it holds today and its size class (""
// unknown).
type Firm struct {
	DistrictCode string
	Tiers        []chanye.TierKind
	Size         chanye.SizeClass
}

// PastResult is how an earlier match between two firms ended.
type PastResult string

// The past results Propose reads.
const (
	PastSigned   PastResult = "signed"   // they signed a contract
	PastDeclined PastResult = "declined" // one of them declined the match
)

// Past is an earlier match of a buyer with a supplier and how it ended;
// DemandID and SupplyID are its listings (0 when it came from elsewhere,
// say a fair). The pair is ordered: the buyer's code, then the
// supplier's.
type Past struct {
	BuyerCode    string     `json:"buyer_code"`
	SupplierCode string     `json:"supplier_code"`
	DemandID     int64      `json:"demand_id,omitempty"`
	SupplyID     int64      `json:"supply_id,omitempty"`
	Result       PastResult `json:"result"`
}

// Input is what Propose matches: the listings (closed ones are left
// out), the chains whose relations say which link supplies which, the
// registry's facts of the firms by credit code, the districts' names for
// the reasons, the past results between firms, the segmenter (nil: no
// words are compared) and today (ProposedOn of the matches; a demand
// needed by an earlier day is left out; zero leaves none out).
type Input struct {
	Supplies  []*Supply
	Demands   []*Demand
	Chains    *chain.Set
	Firms     map[string]Firm
	Districts []chanye.District
	Past      []Past
	Words     Segmenter
	Today     chanye.Date
}

// ReasonKind is what a reason is about.
type ReasonKind string

// The kinds of reason.
const (
	KindLink     ReasonKind = "link"     // the chain links of the two listings
	KindClass    ReasonKind = "class"    // their GB/T 4754 classes
	KindWords    ReasonKind = "words"    // words the products and the needs share
	KindDistrict ReasonKind = "district" // where the two firms are
	KindTier     ReasonKind = "tier"     // the supplier's tier
	KindSize     ReasonKind = "size"     // a large buyer with a smaller supplier
	KindHistory  ReasonKind = "history"  // what the pair did before
)

// Reason is one reason a pair is proposed, in words, with the points it
// gave (negative for a malus).
type Reason struct {
	Kind   ReasonKind `json:"kind"`
	TextZH string     `json:"text_zh"`
	TextEN string     `json:"text_en"`
	Points int        `json:"points"`
}

// The scale of a match's score: the sum of its reasons' points, clamped
// to 0–MaxScore. Propose returns a pair only when it scores at least
// MinScore and at most MaxPerDemand pairs a demand, the best.
//
// A pair must share something about what is made and what is needed: a
// word of the products and the needs (each counts PointsPerWord, at most
// MaxWordsCounted of them), or a class (same or of one group) together
// with a chain link relation. A link relation alone says the supplier's
// link feeds the buyer's, not that the supplier makes what is needed;
// district, the supplier's tier (its best: 2–6 points, 6 for a 链主,
// 龙头, 单项冠军 or 小巨人), size and history add to a pair that shares
// something, never make one. A word listed by more than CommonWordPerMille ‰ of the
// open supplies (and more than CommonWordMin of them) tells nothing and
// is not compared: in a city's listings 设备 or 材料 would pair everything.
const (
	MaxScore     = 100
	MinScore     = 40
	MaxPerDemand = 20

	PointsSupplies     = 30 // the supply's link supplies the demand's (chain.Relation, sub-links included)
	PointsSameLink     = 25 // one link, or one the sub-link of the other
	PointsSameClass    = 20 // a class of the supply is one of the demand's
	PointsNearClass    = 10 // classes of one group (中类: the first three digits)
	PointsPerWord      = 8
	MaxWordsCounted    = 4
	PointsSameDistrict = 8
	PointsSameCity     = 4  // districts of one city (the first four digits of GB/T 2260)
	PointsLargeBuyer   = 4  // 大中小企业融通: a large buyer, a small, medium or micro supplier
	PointsPastContract = 10 // the pair signed a contract before
	// PointsPastDeclined is the malus of a pair one of whom declined a
	// match of the other before, on other listings. A pair declined on
	// the same two listings is not proposed again at all.
	PointsPastDeclined = -20

	CommonWordPerMille = 20
	CommonWordMin      = 200
	// MaxWorkers bounds the goroutines of Propose (also by GOMAXPROCS).
	MaxWorkers = 8
)

// tierPoints are the points of the best tier the supplier holds, the
// highest first: a recognised supplier is a safer one to propose.
var tierPoints = []struct {
	Tier   chanye.TierKind
	Points int
}{
	{chanye.TierChainLeader, 6},
	{chanye.TierLeading, 6},
	{chanye.TierSingleChampion, 6},
	{chanye.TierLittleGiant, 6},
	{chanye.TierSRDI, 4},
	{chanye.TierUnicorn, 4},
	{chanye.TierGazelle, 4},
	{chanye.TierHighTech, 3},
	{chanye.TierAboveScale, 2},
}

// The link relations of a supply to a demand, best first.
const (
	relNone      uint8 = iota
	relSupplies        // the supply's link (or its parent) supplies the demand's (or its parent or a sub-link)
	relSame            // one link
	relSubOfNeed       // the supply's link is a sub-link of the demand's
	relNeedIsSub       // the demand's link is a sub-link of the supply's
)

// Propose pairs each open demand with the open supplies that fit it and
// returns the pairs as proposed matches, the best first: by score, then
// demand id, then supply id. It never pairs a firm with itself, and never
// a pair one of whom declined the other on the same two listings. The
// same input gives the same output whatever the order of its slices.
//
// Supplies are indexed by word and by link, so a demand scores only the
// supplies that share a word with it or sit on a related link with a
// related class; the demands are spread over at most MaxWorkers
// goroutines, and so is segmenting.
func Propose(in Input) []*Match {
	p := newProposer(in)
	if len(p.dems) == 0 || len(p.sups) == 0 {
		return nil
	}
	results := make([][]*Match, len(p.dems))
	states := make([]*worker, workers(len(p.dems)))
	forEach(len(p.dems), func(w, i int) {
		if states[w] == nil {
			states[w] = p.newWorker()
		}
		results[i] = p.propose(states[w], i)
	})
	// The demands are in id order and each one's matches in supply id
	// order within a score: bucketed by score, they are in order.
	var count [MaxScore + 1]int
	n := 0
	for _, r := range results {
		for _, m := range r {
			count[m.Score]++
		}
		n += len(r)
	}
	var at [MaxScore + 1]int
	for score, i := MaxScore-1, count[MaxScore]; score >= 0; score-- {
		at[score] = i
		i += count[score]
	}
	out := make([]*Match, n)
	for _, r := range results {
		for _, m := range r {
			out[at[m.Score]] = m
			at[m.Score]++
		}
	}
	return out
}

// facts are what scoring reads of a listing, as small numbers rather than
// strings, so that the thousands of candidates of a demand stay in the
// processor's cache.
type facts struct {
	firm     int32 // index in proposer.firms
	link     int32 // index in proposer.links, -1 none
	district int32 // index in proposer.districtCodes, -1 unknown
	city     int32 // the district's first four digits, -1 unknown
	classes  int32 // the first of the listing's classes in proposer.classes
	nClasses uint8
	tier     int8 // index in tierPoints, -1 none
	size     int8 // index in sizes
}

// sizes are the size classes, by facts.size.
var sizes = []chanye.SizeClass{"", chanye.SizeLarge, chanye.SizeMedium, chanye.SizeSmall, chanye.SizeMicro}

type linkInfo struct {
	id, zh, en string
	parent     int32
	children   []int32
	suppliers  []int32 // links with a relation to this one
}

type relLink struct {
	link int32
	kind uint8
}

type pastInfo struct {
	signed, declined bool
	listings         map[[2]int64]bool // declined on these (demand, supply)
}

type proposer struct {
	in            Input
	sups          []*Supply // open, by link, then id
	srank         []int32   // each supply's place in id order
	sfacts        []facts
	swords        [][]int32 // word ids, ascending, common words left out
	dems          []*Demand // open and still needed, by id
	dfacts        []facts
	dwords        [][]int32 // word ids in the order of the needs, each once, common words left out
	classes       []uint16  // the listings' classes as numbers
	firms         map[string]int32
	districtIndex map[string]int32
	districtCodes []string
	cities        map[string]int32
	links         []linkInfo
	linkIndex     map[string]int32
	byLink        [][]int32   // supplies on each link
	related       [][]relLink // for each link a demand sits on: the supply links related to it
	words         []string    // word id → word
	postings      [][]int32   // word id → supplies, ascending; nil for a common word
	past          map[[2]int32]*pastInfo
	districts     map[string]chanye.District
}

func newProposer(in Input) *proposer {
	p := &proposer{in: in, firms: map[string]int32{}, districtIndex: map[string]int32{}, cities: map[string]int32{},
		linkIndex: map[string]int32{}, past: map[[2]int32]*pastInfo{}, districts: map[string]chanye.District{}}
	for _, d := range in.Districts {
		p.districts[d.Code] = d
	}
	p.indexChains(in.Chains)

	open := func(s Status) bool { return s == Open || s == "" }
	for _, s := range in.Supplies {
		if s != nil && open(s.Status) {
			p.sups = append(p.sups, s)
		}
	}
	// Ids are unique in a store; the rest of the key keeps the order
	// whatever the input's, should they not be.
	slices.SortFunc(p.sups, func(a, b *Supply) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Code, b.Code), cmp.Compare(a.LinkID, b.LinkID), cmp.Compare(a.Products, b.Products))
	})
	for _, d := range in.Demands {
		if d != nil && open(d.Status) && (in.Today.IsZero() || d.NeededBy.IsZero() || !d.NeededBy.Before(in.Today.Time)) {
			p.dems = append(p.dems, d)
		}
	}
	slices.SortFunc(p.dems, func(a, b *Demand) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Code, b.Code), cmp.Compare(a.LinkID, b.LinkID), cmp.Compare(a.Needs, b.Needs))
	})

	supplyWords := p.segment(len(p.sups), func(i int) string { return p.sups[i].Products })
	demandWords := p.segment(len(p.dems), func(i int) string { return p.dems[i].Needs })

	p.sfacts = make([]facts, len(p.sups))
	for i, s := range p.sups {
		p.sfacts[i] = p.facts(s.Code, s.LinkID, s.DistrictCode, s.Classes)
	}
	// The supplies of a link lie together, so that a demand reads those
	// of its related links one after another; rank keeps the id order.
	order := make([]int32, len(p.sups))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(p.sfacts[a].link, p.sfacts[b].link) })
	sups, sfacts, words := p.sups, p.sfacts, supplyWords
	p.sups, p.sfacts, supplyWords, p.srank = make([]*Supply, len(order)), make([]facts, len(order)), make([][]string, len(order)), order
	for i, j := range order {
		p.sups[i], p.sfacts[i], supplyWords[i] = sups[j], sfacts[j], words[j]
	}

	p.swords = make([][]int32, len(p.sups))
	wordIndex := map[string]int32{}
	for i := range p.sups {
		for _, w := range supplyWords[i] {
			id, ok := wordIndex[w]
			if !ok {
				id = int32(len(p.words))
				wordIndex[w] = id
				p.words = append(p.words, w)
				p.postings = append(p.postings, nil)
			}
			p.swords[i] = append(p.swords[i], id)
			p.postings[id] = append(p.postings[id], int32(i))
		}
	}
	common := max(CommonWordMin, len(p.sups)*CommonWordPerMille/1000)
	for id, list := range p.postings {
		if len(list) > common {
			p.postings[id] = nil
		}
	}
	for i, ws := range p.swords {
		ws = slices.DeleteFunc(ws, func(id int32) bool { return p.postings[id] == nil })
		slices.Sort(ws)
		p.swords[i] = ws
	}

	p.dfacts = make([]facts, len(p.dems))
	p.dwords = make([][]int32, len(p.dems))
	for i, d := range p.dems {
		p.dfacts[i] = p.facts(d.Code, d.LinkID, d.DistrictCode, d.Classes)
		for _, w := range demandWords[i] {
			if id, ok := wordIndex[w]; ok && p.postings[id] != nil {
				p.dwords[i] = append(p.dwords[i], id)
			}
		}
	}

	p.byLink = make([][]int32, len(p.links))
	for i, f := range p.sfacts {
		if f.link >= 0 {
			p.byLink[f.link] = append(p.byLink[f.link], int32(i))
		}
	}
	p.related = make([][]relLink, len(p.links))
	done := make([]bool, len(p.links))
	for _, f := range p.dfacts {
		if f.link >= 0 && !done[f.link] {
			done[f.link] = true
			p.related[f.link] = p.relate(f.link)
		}
	}

	for _, x := range in.Past {
		b, okB := p.firms[x.BuyerCode]
		s, okS := p.firms[x.SupplierCode]
		if !okB || !okS {
			continue // a firm without open listings
		}
		pi := p.past[[2]int32{b, s}]
		if pi == nil {
			pi = &pastInfo{listings: map[[2]int64]bool{}}
			p.past[[2]int32{b, s}] = pi
		}
		switch x.Result {
		case PastSigned:
			pi.signed = true
		case PastDeclined:
			if x.DemandID != 0 && x.SupplyID != 0 {
				pi.listings[[2]int64{x.DemandID, x.SupplyID}] = true
			}
			pi.declined = true
		}
	}
	return p
}

// facts reads a listing's facts, with the registry's for the firm.
func (p *proposer) facts(code, link, district string, classes []string) facts {
	f := facts{link: p.link(link), district: -1, city: -1, tier: -1}
	id, ok := p.firms[code]
	if !ok {
		id = int32(len(p.firms))
		p.firms[code] = id
	}
	firm := p.in.Firms[code]
	f.firm, f.size = id, int8(max(0, slices.Index(sizes, firm.Size)))
	for t, x := range tierPoints {
		if slices.Contains(firm.Tiers, x.Tier) {
			f.tier = int8(t)
			break
		}
	}
	if district = cmp.Or(district, firm.DistrictCode); district != "" {
		i, ok := p.districtIndex[district]
		if !ok {
			i = int32(len(p.districtCodes))
			p.districtIndex[district] = i
			p.districtCodes = append(p.districtCodes, district)
		}
		f.district = i
		if len(district) == 6 {
			c, ok := p.cities[district[:4]]
			if !ok {
				c = int32(len(p.cities))
				p.cities[district[:4]] = c
			}
			f.city = c
		}
	}
	f.classes = int32(len(p.classes))
	for _, c := range classes {
		if n, err := strconv.Atoi(c); err == nil && len(c) == 4 && n >= 0 && f.nClasses < MaxClasses {
			p.classes = append(p.classes, uint16(n))
			f.nClasses++
		}
	}
	return f
}

// segment returns the words of n texts, each list deduplicated in the
// order of the text.
func (p *proposer) segment(n int, text func(int) string) [][]string {
	out := make([][]string, n)
	if p.in.Words == nil {
		return out
	}
	forEach(n, func(_, i int) {
		var ws []string
		for _, w := range p.in.Words.Words(text(i)) {
			if w != "" && !slices.Contains(ws, w) {
				ws = append(ws, w)
			}
		}
		out[i] = ws
	})
	return out
}

// indexChains reads the links and relations of a set.
func (p *proposer) indexChains(set *chain.Set) {
	if set == nil {
		return
	}
	for _, ch := range set.Chains {
		for _, l := range ch.Links {
			i := p.link(l.ID)
			p.links[i].zh, p.links[i].en = l.NameZH, l.NameEN
		}
	}
	for _, ch := range set.Chains {
		for _, l := range ch.Links {
			if l.Parent != "" {
				i, parent := p.link(l.ID), p.link(l.Parent)
				p.links[i].parent = parent
				p.links[parent].children = append(p.links[parent].children, i)
			}
		}
		for _, r := range ch.Relations {
			from, to := p.link(r.From), p.link(r.To)
			if from != to && !slices.Contains(p.links[to].suppliers, from) {
				p.links[to].suppliers = append(p.links[to].suppliers, from)
			}
		}
	}
}

// link returns the index of a link id, adding it when new; -1 for "".
func (p *proposer) link(id string) int32 {
	if id == "" {
		return -1
	}
	if i, ok := p.linkIndex[id]; ok {
		return i
	}
	i := int32(len(p.links))
	p.linkIndex[id] = i
	p.links = append(p.links, linkInfo{id: id, zh: id, en: id, parent: -1})
	return i
}

// relate returns the supply links related to a demand's link d, by link
// index. Relations may be drawn between segments or sub-segments: a
// supply on a sub-link of a supplying link supplies too, and so does one
// supplying d's parent or one of d's sub-links.
func (p *proposer) relate(d int32) []relLink {
	kinds := map[int32]uint8{}
	set := func(l int32, k uint8) {
		if old, ok := kinds[l]; !ok || k < old {
			kinds[l] = k
		}
	}
	targets := append([]int32{d}, p.links[d].children...)
	if par := p.links[d].parent; par >= 0 {
		targets = append(targets, par)
	}
	for _, t := range targets {
		for _, x := range p.links[t].suppliers {
			set(x, relSupplies)
			for _, c := range p.links[x].children {
				set(c, relSupplies)
			}
		}
	}
	set(d, relSame)
	for _, c := range p.links[d].children {
		set(c, relSubOfNeed)
	}
	if par := p.links[d].parent; par >= 0 {
		set(par, relNeedIsSub)
	}
	out := make([]relLink, 0, len(kinds))
	for l, k := range kinds {
		out = append(out, relLink{l, k})
	}
	slices.SortFunc(out, func(a, b relLink) int { return cmp.Compare(a.link, b.link) })
	return out
}

// worker is one goroutine's scratch space.
type worker struct {
	seen     []uint32 // the demand (index+1) a supply was last met for
	shared   []uint16 // words it shares with that demand
	touched  []int32
	linkKind []uint8
	best     [MaxScore + 1][]int32 // the candidates by score
	scratch  []Reason
	cache    map[reasonKey]Reason
}

// reasonKey names a reason many pairs share: its kind and two numbers.
type reasonKey struct {
	kind byte
	a, b int32
}

func (p *proposer) newWorker() *worker {
	return &worker{seen: make([]uint32, len(p.sups)), shared: make([]uint16, len(p.sups)),
		linkKind: make([]uint8, len(p.links)), cache: map[reasonKey]Reason{}}
}

// propose returns the matches of demand di, the best first.
func (p *proposer) propose(w *worker, di int) []*Match {
	d := &p.dfacts[di]
	gen := uint32(di + 1)
	w.touched = w.touched[:0]
	for _, id := range p.dwords[di] {
		for _, si := range p.postings[id] {
			if w.seen[si] != gen {
				w.seen[si], w.shared[si] = gen, 0
				w.touched = append(w.touched, si)
			}
			w.shared[si]++
		}
	}
	var rel []relLink
	if d.link >= 0 {
		rel = p.related[d.link]
		for _, r := range rel {
			w.linkKind[r.link] = r.kind
		}
		if d.nClasses > 0 {
			for _, r := range rel {
				for _, si := range p.byLink[r.link] {
					if w.seen[si] != gen {
						if k, _, _ := p.classRel(&p.sfacts[si], d); k != 0 {
							w.seen[si], w.shared[si] = gen, 0
							w.touched = append(w.touched, si)
						}
					}
				}
			}
		}
	}
	for _, si := range w.touched {
		if pt, ok := p.score(w, di, int(si), int(w.shared[si])); ok {
			if t := pt.total(); t >= MinScore {
				w.best[t] = append(w.best[t], si)
			}
		}
	}
	// The best MaxPerDemand, by score, then by supply id.
	n := 0
	for t := MaxScore; t >= MinScore; t-- {
		n += len(w.best[t])
	}
	n = min(n, MaxPerDemand)
	out := make([]*Match, 0, n)
	ms := make([]Match, n) // one allocation for the demand's matches
	dm := p.dems[di]
	for t := MaxScore; t >= MinScore; t-- {
		if len(out) < n {
			slices.SortFunc(w.best[t], func(a, b int32) int { return cmp.Compare(p.srank[a], p.srank[b]) })
		}
		for _, si := range w.best[t] {
			if len(out) == n {
				break
			}
			s, sf := p.sups[si], &p.sfacts[si]
			pt, _ := p.score(w, di, int(si), int(w.shared[si]))
			m := &ms[len(out)]
			*m = Match{DemandID: dm.ID, SupplyID: s.ID, BuyerCode: dm.Code, SupplierCode: s.Code,
				DemandLink: dm.LinkID, SupplyLink: s.LinkID, Local: d.city >= 0 && d.city == sf.city,
				Score: t, Reasons: p.reasons(w, di, int(si), pt), Status: Proposed, ProposedOn: p.in.Today}
			out = append(out, m)
		}
		w.best[t] = w.best[t][:0]
	}
	for _, r := range rel {
		w.linkKind[r.link] = relNone
	}
	return out
}

// parts are the points of a pair, before they are added up or written
// as reasons.
type parts struct {
	link             uint8 // relNone…
	class            uint8 // 2 one class, 1 one group, 0 neither
	sc, dc           uint16
	shared           int
	place            uint8 // 2 one district, 1 one city, 0 neither or unknown
	tier             int8  // index in tierPoints, -1 none
	largeBuyer       bool  // a large buyer, a small, medium or micro supplier
	signed, declined bool
}

func (pt *parts) total() int {
	t := 0
	switch pt.link {
	case relNone:
	case relSupplies:
		t += PointsSupplies
	default:
		t += PointsSameLink
	}
	switch pt.class {
	case 2:
		t += PointsSameClass
	case 1:
		t += PointsNearClass
	}
	t += PointsPerWord * min(pt.shared, MaxWordsCounted)
	switch pt.place {
	case 2:
		t += PointsSameDistrict
	case 1:
		t += PointsSameCity
	}
	if pt.tier >= 0 {
		t += tierPoints[pt.tier].Points
	}
	if pt.largeBuyer {
		t += PointsLargeBuyer
	}
	if pt.signed {
		t += PointsPastContract
	}
	if pt.declined {
		t += PointsPastDeclined
	}
	return min(max(t, 0), MaxScore)
}

// score returns the parts of supply si for demand di, which share that
// many words, and whether the pair may be proposed at all.
func (p *proposer) score(w *worker, di, si, shared int) (parts, bool) {
	d, s := &p.dfacts[di], &p.sfacts[si]
	if s.firm == d.firm {
		return parts{}, false
	}
	pt := parts{shared: shared, tier: s.tier}
	if len(p.past) > 0 {
		if past := p.past[[2]int32{d.firm, s.firm}]; past != nil {
			if past.listings[[2]int64{p.dems[di].ID, p.sups[si].ID}] {
				return parts{}, false
			}
			pt.signed, pt.declined = past.signed, past.declined
		}
	}
	if s.link >= 0 {
		pt.link = w.linkKind[s.link]
	}
	pt.class, pt.sc, pt.dc = p.classRel(s, d)
	if shared == 0 && (pt.class == 0 || pt.link == relNone) {
		return parts{}, false
	}
	switch {
	case d.district >= 0 && d.district == s.district:
		pt.place = 2
	case d.city >= 0 && d.city == s.city:
		pt.place = 1
	}
	pt.largeBuyer = sizes[d.size] == chanye.SizeLarge && s.size > 1
	return pt, true
}

// classRel returns how a supply's classes relate to a demand's: 2 one
// class in both, 1 two classes of one group (中类, the first three
// digits), 0 neither; with the supply's and the demand's class that do,
// the first in the demand's order.
func (p *proposer) classRel(s, d *facts) (uint8, uint16, uint16) {
	sc, dc := p.classes[s.classes:s.classes+int32(s.nClasses)], p.classes[d.classes:d.classes+int32(d.nClasses)]
	for _, c := range dc {
		if slices.Contains(sc, c) {
			return 2, c, c
		}
	}
	for _, c := range dc {
		for _, x := range sc {
			if x/10 == c/10 {
				return 1, x, c
			}
		}
	}
	return 0, 0, 0
}

// reasons writes the parts of a pair as reasons, in the order of the
// points' table.
func (p *proposer) reasons(w *worker, di, si int, pt parts) []Reason {
	d, s := &p.dfacts[di], &p.sfacts[si]
	out := w.scratch[:0]
	add := func(r Reason, pts int) {
		r.Points = pts
		out = append(out, r)
	}
	switch pt.link {
	case relNone:
	case relSupplies:
		add(p.linkReason(w, pt.link, s.link, d.link), PointsSupplies)
	default:
		add(p.linkReason(w, pt.link, s.link, d.link), PointsSameLink)
	}
	switch pt.class {
	case 2:
		add(w.reason(reasonKey{'c', int32(pt.sc), 0}, func() Reason {
			c := fmt.Sprintf("%04d", pt.sc)
			return Reason{Kind: KindClass, TextZH: "同一小类 " + c, TextEN: "same class " + c}
		}), PointsSameClass)
	case 1:
		add(w.reason(reasonKey{'n', int32(pt.sc), int32(pt.dc)}, func() Reason {
			sc, dc, g := fmt.Sprintf("%04d", pt.sc), fmt.Sprintf("%04d", pt.dc), fmt.Sprintf("%03d", pt.sc/10)
			return Reason{Kind: KindClass, TextZH: "相近行业：" + sc + " 与 " + dc + " 同属中类 " + g,
				TextEN: "related industries: " + sc + " and " + dc + " are both in group " + g}
		}), PointsNearClass)
	}
	if pt.shared > 0 {
		add(p.wordsReason(di, si), PointsPerWord*min(pt.shared, MaxWordsCounted))
	}
	switch pt.place {
	case 2:
		add(w.reason(reasonKey{'d', d.district, 0}, func() Reason {
			code := p.districtCodes[d.district]
			x, ok := p.districts[code]
			if !ok {
				x = chanye.District{Code: code, NameZH: code, NameEN: code}
			}
			return Reason{Kind: KindDistrict, TextZH: "同区（" + x.NameZH + "）", TextEN: "same district (" + x.NameEN + ")"}
		}), PointsSameDistrict)
	case 1:
		add(Reason{Kind: KindDistrict, TextZH: "同市不同区", TextEN: "same city, another district"}, PointsSameCity)
	}
	if pt.tier >= 0 {
		t := tierPoints[pt.tier]
		add(Reason{Kind: KindTier, TextZH: "供方为" + t.Tier.NameZH(), TextEN: "the supplier's tier: " + t.Tier.NameEN()}, t.Points)
	}
	if pt.largeBuyer {
		size := sizes[s.size]
		add(Reason{Kind: KindSize, TextZH: "大中小企业融通：大型需方对接" + size.NameZH() + "供方",
			TextEN: "a large buyer with a " + strings.ToLower(size.NameEN()) + " supplier"}, PointsLargeBuyer)
	}
	if pt.signed {
		add(Reason{Kind: KindHistory, TextZH: "双方曾签约", TextEN: "the pair has signed a contract before"}, PointsPastContract)
	}
	if pt.declined {
		add(Reason{Kind: KindHistory, TextZH: "双方曾谢绝对接", TextEN: "one of the pair declined a match with the other before"}, PointsPastDeclined)
	}
	w.scratch = out
	return slices.Clone(out)
}

// reason returns the reason cached under key, making it once: the
// reasons of many pairs read alike, and share their strings.
func (w *worker) reason(key reasonKey, mk func() Reason) Reason {
	if r, ok := w.cache[key]; ok {
		return r
	}
	r := mk()
	w.cache[key] = r
	return r
}

func (p *proposer) linkReason(w *worker, kind uint8, s, d int32) Reason {
	return w.reason(reasonKey{'l' + kind, s, d}, func() Reason {
		sl, dl := p.links[s], p.links[d]
		r := Reason{Kind: KindLink}
		switch kind {
		case relSupplies:
			r.TextZH = "供方环节“" + sl.zh + "”供应需方环节“" + dl.zh + "”"
			r.TextEN = "the supplier's link “" + sl.en + "” supplies the buyer's link “" + dl.en + "”"
		case relSame:
			r.TextZH, r.TextEN = "同一环节“"+sl.zh+"”", "the same link “"+sl.en+"”"
		case relSubOfNeed:
			r.TextZH = "供方环节“" + sl.zh + "”属于需方环节“" + dl.zh + "”"
			r.TextEN = "the supplier's link “" + sl.en + "” is part of the buyer's link “" + dl.en + "”"
		case relNeedIsSub:
			r.TextZH = "需方环节“" + dl.zh + "”属于供方环节“" + sl.zh + "”"
			r.TextEN = "the buyer's link “" + dl.en + "” is part of the supplier's link “" + sl.en + "”"
		}
		return r
	})
}

// wordsReason names the words the pair shares, in the order of the
// needs, at most MaxWordsCounted.
func (p *proposer) wordsReason(di, si int) Reason {
	var zh, en strings.Builder
	zh.Grow(96)
	en.Grow(96)
	zh.WriteString("产品与需求共有词：")
	en.WriteString("products and needs share the words ")
	n := 0
	for _, id := range p.dwords[di] {
		if _, ok := slices.BinarySearch(p.swords[si], id); ok && n < MaxWordsCounted {
			if n > 0 {
				zh.WriteString("、")
				en.WriteString(", ")
			}
			zh.WriteString(p.words[id])
			en.WriteString(p.words[id])
			n++
		}
	}
	return Reason{Kind: KindWords, TextZH: zh.String(), TextEN: en.String()}
}

const chunk = 64

func workers(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), MaxWorkers, (n+chunk-1)/chunk))
}

// forEach calls fn for 0 ≤ i < n on at most workers(n) goroutines, in
// chunks; w is the goroutine's number, for its scratch space.
func forEach(n int, fn func(w, i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers(n) {
		wg.Go(func() {
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					fn(w, i)
				}
			}
		})
	}
	wg.Wait()
}
