package chain_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/chanye-org/chanye/chain"
)

// TestPlacer: a firm sits on a link when its class is the link's and a
// keyword of the link is a word of its scope — a word, not a substring.
func TestPlacer(t *testing.T) {
	set := small()
	set.Chains[0].Links[0].Classes = []string{"3841"}
	set.Chains[0].Links[0].Keywords = []string{"动力电池", "电机"}
	set.Chains[0].Links[1].Classes = []string{"3841", "3985"}
	set.Chains[0].Links[1].Keywords = []string{"正极材料", "电池模"}
	p := chain.NewPlacer(set)
	seg, err := p.NewSegmenter()
	if err != nil {
		t.Fatal(err)
	}
	ids := func(is []int) []string {
		var out []string
		for _, i := range is {
			out = append(out, p.Links()[i].ID)
		}
		return out
	}
	for _, tc := range []struct {
		class, scope string
		words        []string
		links        []string
	}{
		{"3841", "锂离子电池制造；动力电池包研发、生产和销售；正极材料销售", []string{"动力电池", "正极材料"}, []string{"icv-nev.battery", "icv-nev.battery.cathode"}},
		// 电机 inside 发电机组, 电池模 inside 电池模组: substrings, not words.
		{"3841", "发电机及发电机组制造；电池模组销售", nil, nil},
		// The words are there but the class is not the link's.
		{"3985", "动力电池回收", []string{"动力电池"}, nil},
		{"3985", "正极材料研发", []string{"正极材料"}, []string{"icv-nev.battery.cathode"}},
		{"3841", "", nil, nil},
	} {
		words := seg.Words(tc.scope)
		if !slices.Equal(words, tc.words) {
			t.Errorf("Words(%q) = %q, want %q", tc.scope, words, tc.words)
		}
		if got := ids(p.Place(tc.class, words, nil)); !slices.Equal(got, tc.links) {
			t.Errorf("Place(%s, %q) = %q, want %q", tc.class, tc.scope, got, tc.links)
		}
	}
	if !p.ChainClass("3985") || p.ChainClass("6513") {
		t.Error("ChainClass")
	}
	// The vocabulary changes with the keywords, not with anything else.
	same := small()
	same.Chains[0].Links[0].Keywords = []string{"动力电池", "电机"}
	same.Chains[0].Links[1].Keywords = []string{"正极材料", "电池模"}
	same.Chains[0].Links[0].NameZH = "电池"
	if chain.NewPlacer(same).Vocab() != p.Vocab() {
		t.Error("a name changed the vocabulary")
	}
	same.Chains[0].Links[2].Keywords = []string{"新能源汽车", "整车"}
	if chain.NewPlacer(same).Vocab() == p.Vocab() {
		t.Error("a new keyword left the vocabulary as it was")
	}
	// Segmenting is safe from many goroutines (placement uses every core).
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if w := seg.Words("动力电池包研发；正极材料销售"); len(w) != 2 {
					t.Errorf("concurrent Words = %q", w)
					return
				}
			}
		})
	}
	wg.Wait()
}
