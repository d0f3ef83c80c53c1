package match_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/match"
)

// TestDictSegmenter: the production segmenter cuts words by the
// dictionary — 电机 is not a word of 发电机组 — and leaves out stop words,
// single characters and numbers. It loads a dictionary (~1.5 s).
func TestDictSegmenter(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the dictionary")
	}
	seg, err := match.NewSegmenter("电机控制器")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"发电机及发电机组制造；电池模组销售", []string{"发电机", "发电机组", "电池", "模组"}},
		{"驱动电机、电机控制器研发生产", []string{"驱动", "电机", "电机控制器"}}, // 电机控制器 added
		{"采购伺服电机 控制器 每月2000台，长期合作", []string{"伺服电机", "控制器"}},
		{"需通过IATF16949认证", []string{"iatf16949", "认证"}},
		{"激光雷达 激光雷达", []string{"激光雷达"}},
		{"", nil},
	} {
		if got := seg.Words(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("Words(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}

	// Through Propose: motors and controllers are needed; a maker of
	// generator sets shares no word with that, a maker of drive motors and
	// controllers does.
	in := match.Input{Words: seg, Districts: districts,
		Demands: []*match.Demand{{ID: 1, Code: "B", Needs: "采购电机、控制器", Classes: []string{"3812"}, DistrictCode: "440106"}},
		Supplies: []*match.Supply{
			{ID: 1, Code: "S1", Products: "发电机组、柴油发电机", LinkID: "icv-nev.e-drive", Classes: []string{"3812"}, DistrictCode: "440106"},
			{ID: 2, Code: "S2", Products: "驱动电机、控制器", LinkID: "icv-nev.e-drive", Classes: []string{"3812"}, DistrictCode: "440106"},
		}}
	got := match.Propose(in)
	if len(got) != 1 || got[0].SupplyID != 2 {
		t.Fatalf("got %d matches", len(got))
	}
	if r := got[0].Reasons[1]; r.TextZH != "产品与需求共有词：电机、控制器" {
		t.Errorf("words: %q", r.TextZH)
	}

	// Safe from many goroutines, and the same every time.
	want := seg.Words("动力电池包研发；正极材料销售")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if w := seg.Words("动力电池包研发；正极材料销售"); !slices.Equal(w, want) {
					t.Errorf("concurrent Words = %q, want %q", w, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestChainWords: the chains' keywords and products, each once, sorted.
func TestChainWords(t *testing.T) {
	words := match.ChainWords(chain.DefaultSet())
	if !slices.IsSorted(words) || len(slices.Compact(slices.Clone(words))) != len(words) {
		t.Errorf("not sorted and unique: %q", words)
	}
	for _, w := range []string{"电机控制器", "电芯", "激光雷达"} {
		if !slices.Contains(words, w) {
			t.Errorf("lacks %s", w)
		}
	}
	if got := match.ChainWords(nil); len(got) != 0 {
		t.Errorf("no chains: %q", got)
	}
}
