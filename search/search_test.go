package search

import (
	"slices"
	"testing"
)

func TestTerms(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"广州汽车", []string{"广州", "州汽", "汽车", "车"}},
		{"广", []string{"广"}},
		{"广州ABB智能", []string{"广州", "州", "abb", "智能", "能"}},
		{"Huawei 华为（广州）", []string{"huawei", "华为", "为", "广州", "州"}},
		{"ＡＢＣ１２３", []string{"abc123"}}, // fullwidth folded
		{"3D打印", []string{"3d", "打印", "印"}},
		{"汽车汽车", []string{"汽车", "车汽", "车"}}, // each once
		{"——，。", nil},
	} {
		if got := Terms(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("Terms(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestQuery(t *testing.T) {
	for _, tc := range []struct {
		q        string
		terms    []string
		prefix   []bool
		squeezed string
	}{
		{"广汽", []string{"广汽"}, []bool{false}, "广汽"},
		{"汽车零部件", []string{"汽车", "车零", "零部", "部件"}, []bool{false, false, false, false}, "汽车零部件"},
		{"园", []string{"园"}, []bool{true}, "园"},
		{"华为 Hua", []string{"华为", "hua"}, []bool{false, true}, "华为hua"},
		{"  ", nil, nil, ""},
	} {
		p := Query(tc.q)
		if !slices.Equal(p.Terms, tc.terms) || !slices.Equal(p.Prefix, tc.prefix) || p.Squeezed != tc.squeezed {
			t.Errorf("Query(%q) = %q %v %q, want %q %v %q", tc.q, p.Terms, p.Prefix, p.Squeezed, tc.terms, tc.prefix, tc.squeezed)
		}
	}
}

// Every query term of a part of a name matches one of the name's index
// terms, so a name is found by any part of itself — except a part that
// starts inside a Latin word: words match from their start (bb does not
// find ABB).
func TestQueryOfPartMatchesTerms(t *testing.T) {
	name := "广州ABB智能科技有限公司"
	terms := Terms(name)
	rs := []rune(name)
	latin := func(r rune) bool { return r < 0x80 }
	for i := range rs {
		if i > 0 && latin(rs[i]) && latin(rs[i-1]) {
			continue
		}
		for j := i + 1; j <= len(rs); j++ {
			p := Query(string(rs[i:j]))
			for k, q := range p.Terms {
				ok := slices.ContainsFunc(terms, func(t string) bool {
					return t == q || p.Prefix[k] && len(t) >= len(q) && t[:len(q)] == q
				})
				if !ok {
					t.Errorf("part %q: term %q matches none of %q", string(rs[i:j]), q, terms)
				}
			}
		}
	}
}

func TestRank(t *testing.T) {
	p := Query("汽车零部件")
	hits := []Hit{
		{Key: "d", Name: "深圳汽车零部件贸易有限公司"},
		{Key: "c", Name: "汽车零部件"},
		{Key: "b", Name: "广州汽车零部件有限公司"},
		{Key: "a", Name: "汽车零部件制造有限公司"},
		{Key: "e", Name: "零部件汽车公司"},
	}
	for i := range hits {
		hits[i].Match = MatchOf(p, hits[i].Name)
	}
	Rank(hits)
	var got []string
	for _, h := range hits {
		got = append(got, h.Key)
	}
	if want := []string{"c", "a", "b", "d", "e"}; !slices.Equal(got, want) {
		t.Errorf("ranked %v, want %v", got, want)
	}
}

func TestQueryLeavesOutLegalForms(t *testing.T) {
	if got := Query("云海汽车有限公司").Terms; !slices.Equal(got, []string{"云海", "海汽", "汽车", "车有"}) {
		t.Errorf("terms = %q", got)
	}
	// Nothing else to match: kept.
	if got := Query("有限公司").Terms; !slices.Equal(got, []string{"有限", "限公", "公司"}) {
		t.Errorf("terms = %q", got)
	}
}
