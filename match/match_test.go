package match_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/match"
)

// spaces is the tests' segmenter: the words of a text are its
// space-separated fields.
type spaces struct{}

func (spaces) Words(text string) []string { return strings.Fields(text) }

var _ match.Segmenter = spaces{}
var _ match.Segmenter = (*match.DictSegmenter)(nil)

// testSet is a chain of four links: batteries (with cells under them) and
// electric drives supply vehicles.
func testSet() *chain.Set {
	return &chain.Set{City: "广州", Chains: []*chain.Chain{{
		IndustryID: "icv-nev",
		Links: []*chain.Link{
			{ID: "icv-nev.battery", NameZH: "动力电池", NameEN: "Power batteries", Stage: chain.Upstream, Classes: []string{"3841"}},
			{ID: "icv-nev.battery.cell", Parent: "icv-nev.battery", NameZH: "电芯", NameEN: "Cells", Stage: chain.Upstream, Classes: []string{"3841"}},
			{ID: "icv-nev.e-drive", NameZH: "电驱动与电控", NameEN: "Electric drives", Stage: chain.Midstream, Classes: []string{"3812"}},
			{ID: "icv-nev.vehicle", NameZH: "整车制造", NameEN: "Vehicle manufacturing", Stage: chain.Downstream, Classes: []string{"3612"}},
		},
		Relations: []chain.Relation{{From: "icv-nev.battery", To: "icv-nev.vehicle"}, {From: "icv-nev.e-drive", To: "icv-nev.vehicle"}},
	}}}
}

var districts = []chanye.District{
	{Code: "440106", NameZH: "天河区", NameEN: "Tianhe"},
	{Code: "440112", NameZH: "黄埔区", NameEN: "Huangpu"},
}

var today = chanye.Date{Time: time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)}

// reason is a reason in short: its kind, Chinese text and points.
type reason struct {
	Kind   match.ReasonKind
	ZH     string
	Points int
}

func short(rs []match.Reason) []reason {
	var out []reason
	for _, r := range rs {
		out = append(out, reason{r.Kind, r.TextZH, r.Points})
	}
	return out
}

// TestProposeReasons: one demand and one supply, and the reasons — or
// none — they are proposed for.
func TestProposeReasons(t *testing.T) {
	const (
		battery = "icv-nev.battery"
		cell    = "icv-nev.battery.cell"
		vehicle = "icv-nev.vehicle"
	)
	linkBV := reason{match.KindLink, "供方环节“动力电池”供应需方环节“整车制造”", match.PointsSupplies}
	same3841 := reason{match.KindClass, "同一小类 3841", match.PointsSameClass}
	near := reason{match.KindClass, "相近行业：3841 与 3842 同属中类 384", match.PointsNearClass}
	same3812 := reason{match.KindClass, "同一小类 3812", match.PointsSameClass}
	tianhe := reason{match.KindDistrict, "同区（天河区）", match.PointsSameDistrict}
	words := reason{match.KindWords, "产品与需求共有词：电机、控制器", 2 * match.PointsPerWord}
	// A demand for motors and controllers, without a link, and a supplier
	// of them, of one class: 36 points before where they are.
	motorD := func() *match.Demand {
		return &match.Demand{ID: 1, Code: "B", Needs: "电机 控制器", Classes: []string{"3812"}, Status: match.Open}
	}
	motorS := func() *match.Supply {
		return &match.Supply{ID: 10, Code: "S", Products: "电机 控制器 减速器", LinkID: "icv-nev.e-drive", Classes: []string{"3812"}, Status: match.Open}
	}
	// A vehicle maker needing batteries, a battery maker: 50 points.
	carD := func() *match.Demand {
		return &match.Demand{ID: 1, Code: "B", Needs: "座椅", LinkID: vehicle, Classes: []string{"3841"}, Status: match.Open}
	}
	batS := func() *match.Supply {
		return &match.Supply{ID: 10, Code: "S", Products: "磷酸铁锂", LinkID: battery, Classes: []string{"3841"}, Status: match.Open}
	}
	for _, tc := range []struct {
		name  string
		d     *match.Demand
		s     *match.Supply
		edit  func(*match.Input)
		want  []reason // nil: not proposed
		score int
	}{
		{
			name: "the supply's link supplies the demand's, classes of one group",
			d:    &match.Demand{ID: 1, Code: "B", Needs: "座椅", LinkID: vehicle, Classes: []string{"3842"}, Status: match.Open},
			s:    batS(),
			want: []reason{linkBV, near}, score: 40,
		},
		{
			name: "a sub-link of a supplying link supplies",
			d:    carD(),
			s:    &match.Supply{ID: 10, Code: "S", Products: "磷酸铁锂", LinkID: cell, Classes: []string{"3841"}, Status: match.Open},
			want: []reason{{match.KindLink, "供方环节“电芯”供应需方环节“整车制造”", match.PointsSupplies}, same3841}, score: 50,
		},
		{
			name: "a sub-link of the demand's link",
			d:    &match.Demand{ID: 1, Code: "B", Needs: "储能", LinkID: battery, Classes: []string{"3841"}, Status: match.Open},
			s:    &match.Supply{ID: 10, Code: "S", Products: "磷酸铁锂", LinkID: cell, Classes: []string{"3841"}, Status: match.Open},
			want: []reason{{match.KindLink, "供方环节“电芯”属于需方环节“动力电池”", match.PointsSameLink}, same3841}, score: 45,
		},
		{
			name: "a link relation without a related class is not enough",
			d:    &match.Demand{ID: 1, Code: "B", Needs: "座椅", LinkID: vehicle, Classes: []string{"3612"}, Status: match.Open},
			s:    batS(),
		},
		{
			name: "relations run one way: vehicles do not supply batteries",
			d:    &match.Demand{ID: 1, Code: "B", Needs: "整车", LinkID: battery, Classes: []string{"3612"}, Status: match.Open},
			s:    &match.Supply{ID: 10, Code: "S", Products: "乘用车", LinkID: vehicle, Classes: []string{"3612"}, Status: match.Open},
		},
		{
			name: "shared words and a class, below the minimum",
			d:    motorD(), s: motorS(),
		},
		{
			name: "shared words and a class in one district",
			d:    motorD(), s: motorS(),
			edit: func(in *match.Input) { in.Demands[0].DistrictCode, in.Supplies[0].DistrictCode = "440106", "440106" },
			want: []reason{same3812, words, tianhe}, score: 44,
		},
		{
			name: "the districts from the registry when the listings give none",
			d:    motorD(), s: motorS(),
			edit: func(in *match.Input) {
				in.Firms = map[string]match.Firm{"B": {DistrictCode: "440106"}, "S": {DistrictCode: "440106"}}
			},
			want: []reason{same3812, words, tianhe}, score: 44,
		},
		{
			name: "one city, two districts",
			d:    motorD(), s: motorS(),
			edit: func(in *match.Input) { in.Demands[0].DistrictCode, in.Supplies[0].DistrictCode = "440106", "440112" },
			want: []reason{same3812, words, {match.KindDistrict, "同市不同区", match.PointsSameCity}}, score: 40,
		},
		{
			name: "another city",
			d:    motorD(), s: motorS(),
			edit: func(in *match.Input) { in.Demands[0].DistrictCode, in.Supplies[0].DistrictCode = "440106", "440306" },
		},
		{
			name: "words, not substrings: 电机 is not in 发电机组",
			d:    motorD(),
			s:    &match.Supply{ID: 10, Code: "S", Products: "发电机组 柴油发电机 电机控制器", LinkID: "icv-nev.e-drive", Classes: []string{"3812"}, Status: match.Open},
			edit: func(in *match.Input) { in.Demands[0].DistrictCode, in.Supplies[0].DistrictCode = "440106", "440106" },
		},
		{
			name: "at most four words count, named in the order of the needs",
			d:    &match.Demand{ID: 1, Code: "B", Needs: "轴承 齿轮 电机 控制器 减速器", Status: match.Open},
			s:    &match.Supply{ID: 10, Code: "S", Products: "减速器 控制器 电机 齿轮 轴承", LinkID: "icv-nev.e-drive", Classes: []string{"3812"}, Status: match.Open},
			edit: func(in *match.Input) { in.Demands[0].DistrictCode, in.Supplies[0].DistrictCode = "440106", "440106" },
			want: []reason{{match.KindWords, "产品与需求共有词：轴承、齿轮、电机、控制器", 4 * match.PointsPerWord}, tianhe}, score: 40,
		},
		{
			name: "the supplier's tier",
			d:    carD(), s: batS(),
			edit: func(in *match.Input) {
				in.Firms = map[string]match.Firm{"S": {Tiers: []chanye.TierKind{chanye.TierHighTech, chanye.TierLittleGiant}}}
			},
			want: []reason{linkBV, same3841, {match.KindTier, "供方为专精特新“小巨人”", 6}}, score: 56,
		},
		{
			name: "a large buyer and a small supplier",
			d:    carD(), s: batS(),
			edit: func(in *match.Input) {
				in.Firms = map[string]match.Firm{"B": {Size: chanye.SizeLarge}, "S": {Size: chanye.SizeSmall}}
			},
			want: []reason{linkBV, same3841, {match.KindSize, "大中小企业融通：大型需方对接小型供方", match.PointsLargeBuyer}}, score: 54,
		},
		{
			name: "two large firms",
			d:    carD(), s: batS(),
			edit: func(in *match.Input) {
				in.Firms = map[string]match.Firm{"B": {Size: chanye.SizeLarge}, "S": {Size: chanye.SizeLarge}}
			},
			want: []reason{linkBV, same3841}, score: 50,
		},
		{
			name: "never a firm with itself",
			d:    carD(), s: batS(),
			edit: func(in *match.Input) { in.Supplies[0].Code = "B" },
		},
		{
			name: "a contract before",
			d:    carD(), s: batS(),
			edit: func(in *match.Input) {
				in.Past = []match.Past{{BuyerCode: "B", SupplierCode: "S", Result: match.PastSigned}, {BuyerCode: "S", SupplierCode: "B", Result: match.PastDeclined}}
			},
			want: []reason{linkBV, same3841, {match.KindHistory, "双方曾签约", match.PointsPastContract}}, score: 60,
		},
		{
			name: "declined on these two listings: not again",
			d:    carD(), s: batS(),
			edit: func(in *match.Input) {
				in.Past = []match.Past{{BuyerCode: "B", SupplierCode: "S", DemandID: 1, SupplyID: 10, Result: match.PastDeclined}}
			},
		},
		{
			name: "declined on other listings: a malus",
			d:    &match.Demand{ID: 1, Code: "B", Needs: "电芯 电池包", LinkID: vehicle, Classes: []string{"3841"}, Status: match.Open},
			s:    &match.Supply{ID: 10, Code: "S", Products: "电池包 电芯 模组", LinkID: battery, Classes: []string{"3841"}, Status: match.Open},
			edit: func(in *match.Input) {
				in.Past = []match.Past{{BuyerCode: "B", SupplierCode: "S", DemandID: 7, SupplyID: 8, Result: match.PastDeclined}}
			},
			want: []reason{linkBV, same3841, {match.KindWords, "产品与需求共有词：电芯、电池包", 2 * match.PointsPerWord},
				{match.KindHistory, "双方曾谢绝对接", match.PointsPastDeclined}}, score: 46,
		},
		{
			name: "everything at once is capped",
			d:    &match.Demand{ID: 1, Code: "B", Needs: "电芯 电池包 模组 电解液", LinkID: vehicle, Classes: []string{"3841"}, DistrictCode: "440106", Status: match.Open},
			s:    &match.Supply{ID: 10, Code: "S", Products: "电池包 电芯 模组 电解液", LinkID: battery, Classes: []string{"3841"}, DistrictCode: "440106", Status: match.Open},
			edit: func(in *match.Input) {
				in.Firms = map[string]match.Firm{"B": {Size: chanye.SizeLarge}, "S": {Size: chanye.SizeMedium, Tiers: []chanye.TierKind{chanye.TierChainLeader}}}
				in.Past = []match.Past{{BuyerCode: "B", SupplierCode: "S", Result: match.PastSigned}}
			},
			want: []reason{linkBV, same3841, {match.KindWords, "产品与需求共有词：电芯、电池包、模组、电解液", 32}, tianhe,
				{match.KindTier, "供方为链主企业", 6}, {match.KindSize, "大中小企业融通：大型需方对接中型供方", 4}, {match.KindHistory, "双方曾签约", 10}},
			score: match.MaxScore,
		},
		{
			name: "a closed supply",
			d:    carD(), s: batS(),
			edit: func(in *match.Input) { in.Supplies[0].Status = match.Closed },
		},
		{
			name: "a demand needed by yesterday",
			d:    carD(), s: batS(),
			edit: func(in *match.Input) { in.Demands[0].NeededBy = chanye.Date{Time: today.AddDate(0, 0, -1)} },
		},
		{
			name: "a demand needed by today",
			d:    carD(), s: batS(),
			edit: func(in *match.Input) { in.Demands[0].NeededBy = today },
			want: []reason{linkBV, same3841}, score: 50,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := match.Input{Supplies: []*match.Supply{tc.s}, Demands: []*match.Demand{tc.d}, Chains: testSet(),
				Districts: districts, Words: spaces{}, Today: today}
			if tc.edit != nil {
				tc.edit(&in)
			}
			got := match.Propose(in)
			if tc.want == nil {
				if len(got) != 0 {
					t.Fatalf("proposed %d: %+v", got[0].Score, short(got[0].Reasons))
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d matches, want 1", len(got))
			}
			m := got[0]
			if !reflect.DeepEqual(short(m.Reasons), tc.want) {
				t.Errorf("reasons\n got %+v\nwant %+v", short(m.Reasons), tc.want)
			}
			if m.Score != tc.score {
				t.Errorf("score %d, want %d", m.Score, tc.score)
			}
			if m.DemandID != 1 || m.SupplyID != 10 || m.BuyerCode != "B" || m.SupplierCode != "S" || m.Status != match.Proposed || m.ProposedOn != today {
				t.Errorf("match %+v", m)
			}
			for _, r := range m.Reasons {
				if r.TextEN == "" || r.TextEN == r.TextZH {
					t.Errorf("reason %q has no English", r.TextZH)
				}
			}
		})
	}
}

// TestProposeEnglish: the reasons read in English too.
func TestProposeEnglish(t *testing.T) {
	got := match.Propose(match.Input{
		Supplies: []*match.Supply{{ID: 2, Code: "S", Products: "电机 控制器", LinkID: "icv-nev.e-drive", Classes: []string{"3812"}, DistrictCode: "440106"}},
		Demands:  []*match.Demand{{ID: 1, Code: "B", Needs: "控制器", LinkID: "icv-nev.vehicle", Classes: []string{"3813"}, DistrictCode: "440106"}},
		Chains:   testSet(), Districts: districts, Words: spaces{},
	})
	if len(got) != 1 {
		t.Fatalf("got %d matches", len(got))
	}
	var en []string
	for _, r := range got[0].Reasons {
		en = append(en, r.TextEN)
	}
	want := []string{
		"the supplier's link “Electric drives” supplies the buyer's link “Vehicle manufacturing”",
		"related industries: 3812 and 3813 are both in group 381",
		"products and needs share the words 控制器",
		"same district (Tianhe)",
	}
	if !slices.Equal(en, want) {
		t.Errorf("got  %q\nwant %q", en, want)
	}
	if got[0].Score != 56 || !got[0].Local || got[0].DemandLink != "icv-nev.vehicle" || got[0].SupplyLink != "icv-nev.e-drive" {
		t.Errorf("match %+v", got[0])
	}
}

// TestProposeBest: at most MaxPerDemand a demand, the best; ties by the
// supply's id; all sorted by score, then demand and supply ids.
func TestProposeBest(t *testing.T) {
	var supplies []*match.Supply
	for i := range 30 {
		s := &match.Supply{ID: int64(100 - i), Code: fmt.Sprintf("S%02d", i), Products: "电机 控制器 轴承", LinkID: "icv-nev.e-drive", Classes: []string{"3812"}, Status: match.Open}
		if i%3 == 0 {
			s.DistrictCode = "440106" // 8 points more
		}
		supplies = append(supplies, s)
	}
	demands := []*match.Demand{
		{ID: 2, Code: "B2", Needs: "电机 控制器 轴承", Status: match.Open}, // 24 words + 20 class
		{ID: 1, Code: "B1", Needs: "电机 控制器 轴承", DistrictCode: "440106", Status: match.Open},
	}
	for _, d := range demands {
		d.Classes = []string{"3812"}
	}
	got := match.Propose(match.Input{Supplies: supplies, Demands: demands, Chains: testSet(), Districts: districts, Words: spaces{}})
	per := map[int64][]*match.Match{}
	for _, m := range got {
		per[m.DemandID] = append(per[m.DemandID], m)
	}
	if len(per[1]) != match.MaxPerDemand || len(per[2]) != match.MaxPerDemand {
		t.Fatalf("per demand %d and %d, want %d each", len(per[1]), len(per[2]), match.MaxPerDemand)
	}
	// Demand 1 is in Tianhe: the ten supplies there first (52), then ten of
	// the others (44) by id.
	var ids []int64
	for _, m := range per[1] {
		ids = append(ids, m.SupplyID)
	}
	want := []int64{73, 76, 79, 82, 85, 88, 91, 94, 97, 100, 71, 72, 74, 75, 77, 78, 80, 81, 83, 84}
	if !slices.Equal(ids, want) {
		t.Errorf("demand 1's supplies %v, want %v", ids, want)
	}
	if per[1][0].Score != 52 || per[1][19].Score != 44 || per[2][0].Score != 44 {
		t.Errorf("scores %d %d %d", per[1][0].Score, per[1][19].Score, per[2][0].Score)
	}
	checkOrder(t, got)
}

// checkOrder checks the invariants of Propose's output.
func checkOrder(t *testing.T, got []*match.Match) {
	t.Helper()
	per := map[int64]int{}
	pairs := map[[2]int64]bool{}
	for i, m := range got {
		per[m.DemandID]++
		if per[m.DemandID] > match.MaxPerDemand {
			t.Fatalf("demand %d has more than %d matches", m.DemandID, match.MaxPerDemand)
		}
		if pairs[[2]int64{m.DemandID, m.SupplyID}] {
			t.Fatalf("pair %d–%d twice", m.DemandID, m.SupplyID)
		}
		pairs[[2]int64{m.DemandID, m.SupplyID}] = true
		if m.BuyerCode == m.SupplierCode {
			t.Fatalf("match %d–%d pairs %s with itself", m.DemandID, m.SupplyID, m.BuyerCode)
		}
		sum := 0
		for _, r := range m.Reasons {
			sum += r.Points
		}
		if m.Score < match.MinScore || m.Score > match.MaxScore || m.Score != min(max(sum, 0), match.MaxScore) {
			t.Fatalf("match %d–%d scores %d, its reasons %d", m.DemandID, m.SupplyID, m.Score, sum)
		}
		if i > 0 {
			p := got[i-1]
			if p.Score < m.Score || p.Score == m.Score && (p.DemandID > m.DemandID || p.DemandID == m.DemandID && p.SupplyID >= m.SupplyID) {
				t.Fatalf("out of order at %d: %d %d–%d before %d %d–%d", i, p.Score, p.DemandID, p.SupplyID, m.Score, m.DemandID, m.SupplyID)
			}
		}
	}
}

// TestProposeCommonWords: a word most supplies list pairs nothing.
func TestProposeCommonWords(t *testing.T) {
	var supplies []*match.Supply
	n := match.CommonWordMin + 1
	for i := range n {
		supplies = append(supplies, &match.Supply{ID: int64(i + 1), Code: fmt.Sprintf("S%d", i), Products: "设备 配件", LinkID: "icv-nev.e-drive", Classes: []string{"3812"}, DistrictCode: "440106"})
	}
	in := match.Input{Supplies: supplies, Words: spaces{},
		Demands: []*match.Demand{{ID: 1, Code: "B", Needs: "设备 配件 电机 控制器 轴承", Classes: []string{"3812"}, DistrictCode: "440106"}}}
	if got := match.Propose(in); len(got) != 0 {
		t.Fatalf("common words proposed %d: %+v", len(got), short(got[0].Reasons))
	}
	// One supply fewer, and they are words like any other.
	in.Supplies = supplies[:match.CommonWordMin]
	got := match.Propose(in)
	if len(got) != match.MaxPerDemand {
		t.Fatalf("got %d matches, want %d", len(got), match.MaxPerDemand)
	}
	if want := match.PointsSameClass + 2*match.PointsPerWord + match.PointsSameDistrict; got[0].Score != want {
		t.Errorf("score %d, want %d: %+v", got[0].Score, want, short(got[0].Reasons))
	}
}

// synth returns deterministic listings on the links of set: a supply's
// products are terms of its link and one of any link; a demand's needs
// are terms of a link that supplies its own (or of its own) and one of
// any; some carry a link or classes, some not.
func synth(set *chain.Set, nSupply, nDemand int, seed uint64) ([]*match.Supply, []*match.Demand, map[string]match.Firm) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var links []*chain.Link
	suppliers := map[string][]*chain.Link{}
	terms := map[string][]string{}
	var pool []string
	for _, ch := range set.Chains {
		byID := map[string]*chain.Link{}
		for _, l := range ch.Links {
			byID[l.ID] = l
			links = append(links, l)
			for _, w := range slices.Concat(l.Keywords, l.Products) {
				if !slices.Contains(terms[l.ID], w) {
					terms[l.ID] = append(terms[l.ID], w)
					pool = append(pool, w)
				}
			}
			if len(terms[l.ID]) == 0 {
				terms[l.ID] = []string{l.NameZH}
			}
		}
		for _, rel := range ch.Relations {
			suppliers[rel.To] = append(suppliers[rel.To], byID[rel.From])
		}
	}
	dists := []string{"440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114", "440115", "440117", "440118", "440306", "441302"}
	tiers := []chanye.TierKind{chanye.TierSRDI, chanye.TierHighTech, chanye.TierAboveScale, chanye.TierLittleGiant, chanye.TierLeading}
	sizes := []chanye.SizeClass{chanye.SizeLarge, chanye.SizeMedium, chanye.SizeSmall, chanye.SizeMicro, ""}
	nFirms := max(1, (nSupply+nDemand)/3)
	firms := make(map[string]match.Firm, nFirms)
	codes := make([]string, nFirms)
	for i := range codes {
		codes[i] = fmt.Sprintf("F%07d", i)
		f := match.Firm{DistrictCode: dists[r.IntN(len(dists))], Size: sizes[r.IntN(len(sizes))]}
		if r.IntN(4) == 0 {
			f.Tiers = []chanye.TierKind{tiers[r.IntN(len(tiers))]}
		}
		firms[codes[i]] = f
	}
	pick := func(list []string, n int) []string {
		var out []string
		for range n {
			if w := list[r.IntN(len(list))]; !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
		return out
	}
	classesOf := func(l *chain.Link) []string {
		if len(l.Classes) == 0 {
			return []string{"3841"}
		}
		return l.Classes
	}
	supplies := make([]*match.Supply, nSupply)
	for i := range supplies {
		l := links[r.IntN(len(links))]
		words := append(pick(terms[l.ID], 3+r.IntN(4)), pool[r.IntN(len(pool))])
		s := &match.Supply{ID: int64(i + 1), Code: codes[r.IntN(nFirms)], Products: strings.Join(words, " "), LinkID: l.ID,
			Classes: pick(classesOf(l), 1+r.IntN(2)), Status: match.Open}
		if r.IntN(3) == 0 {
			s.DistrictCode = dists[r.IntN(len(dists))]
		}
		supplies[i] = s
	}
	demands := make([]*match.Demand, nDemand)
	for i := range demands {
		l := links[r.IntN(len(links))]
		src := l
		if up := suppliers[l.ID]; len(up) > 0 && r.IntN(5) < 3 {
			src = up[r.IntN(len(up))]
		}
		words := append(pick(terms[src.ID], 2+r.IntN(3)), pool[r.IntN(len(pool))])
		d := &match.Demand{ID: int64(i + 1), Code: codes[r.IntN(nFirms)], Needs: strings.Join(words, " "), Status: match.Open}
		if r.IntN(10) < 7 {
			d.LinkID = l.ID
		}
		if r.IntN(2) == 0 {
			d.Classes = pick(classesOf(src), 1)
		}
		demands[i] = d
	}
	return supplies, demands, firms
}

// TestProposeDeterministic: the same listings in another order, on one
// goroutine or several, give the same matches.
func TestProposeDeterministic(t *testing.T) {
	set := chain.DefaultSet()
	supplies, demands, firms := synth(set, 3000, 3000, 7)
	var past []match.Past
	for i := range 200 {
		res := match.PastSigned
		if i%2 == 0 {
			res = match.PastDeclined
		}
		past = append(past, match.Past{BuyerCode: demands[i].Code, SupplierCode: supplies[i*7%len(supplies)].Code, DemandID: int64(i % 3), SupplyID: int64(i * 7 % 5), Result: res})
	}
	in := match.Input{Supplies: supplies, Demands: demands, Chains: set, Firms: firms, Past: past, Words: spaces{}, Today: today}
	want := match.Propose(in)
	if len(want) < 1000 {
		t.Fatalf("only %d matches: the synthetic listings do not exercise matching", len(want))
	}
	checkOrder(t, want)

	r := rand.New(rand.NewPCG(1, 2))
	for round := range 3 {
		shuffled := in
		shuffled.Supplies, shuffled.Demands, shuffled.Past = slices.Clone(supplies), slices.Clone(demands), slices.Clone(past)
		r.Shuffle(len(shuffled.Supplies), func(i, j int) {
			shuffled.Supplies[i], shuffled.Supplies[j] = shuffled.Supplies[j], shuffled.Supplies[i]
		})
		r.Shuffle(len(shuffled.Demands), func(i, j int) { shuffled.Demands[i], shuffled.Demands[j] = shuffled.Demands[j], shuffled.Demands[i] })
		r.Shuffle(len(shuffled.Past), func(i, j int) { shuffled.Past[i], shuffled.Past[j] = shuffled.Past[j], shuffled.Past[i] })
		procs := runtime.GOMAXPROCS(1 + round%2*3)
		got := match.Propose(shuffled)
		runtime.GOMAXPROCS(procs)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: %d matches, want the same %d", round, len(got), len(want))
		}
	}
}

// TestProposeEmpty: nothing to match, nothing proposed, and no segmenter
// compares no words.
func TestProposeEmpty(t *testing.T) {
	if got := match.Propose(match.Input{}); got != nil {
		t.Errorf("got %v", got)
	}
	in := match.Input{Chains: testSet(),
		Supplies: []*match.Supply{nil, {ID: 1, Code: "S", Products: "电机 控制器 轴承 齿轮", LinkID: "icv-nev.e-drive", Classes: []string{"3812"}}},
		Demands:  []*match.Demand{nil, {ID: 1, Code: "B", Needs: "电机 控制器 轴承 齿轮", Classes: []string{"3812"}}}}
	if got := match.Propose(in); len(got) != 0 {
		t.Errorf("no segmenter, yet %d matches", len(got))
	}
	in.Words = spaces{}
	if got := match.Propose(in); len(got) != 1 {
		t.Errorf("with a segmenter, %d matches", len(got))
	}
}

// BenchmarkMatch100k proposes matches among 50,000 supplies and 50,000
// demands on the links of the Guangzhou chains, with the spaces segmenter
// and with the dictionary one (loaded before the clock starts).
func BenchmarkMatch100k(b *testing.B) {
	set := chain.DefaultSet()
	supplies, demands, firms := synth(set, 50_000, 50_000, 1)
	in := match.Input{Supplies: supplies, Demands: demands, Chains: set, Firms: firms, Districts: districts, Words: spaces{}, Today: today}
	run := func(b *testing.B, in match.Input) {
		n := 0
		for b.Loop() {
			n += len(match.Propose(in))
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "matches/s")
		b.ReportMetric(float64(n)/float64(b.N), "matches/op")
	}
	b.Run("spaces", func(b *testing.B) { run(b, in) })
	b.Run("gse", func(b *testing.B) {
		var words []string
		for _, ch := range set.Chains {
			for _, l := range ch.Links {
				words = append(words, l.Keywords...)
				words = append(words, l.Products...)
			}
		}
		seg, err := match.NewSegmenter(words...)
		if err != nil {
			b.Fatal(err)
		}
		in := in
		in.Words = seg
		run(b, in)
	})
}
