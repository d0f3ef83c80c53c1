package match

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/chanye-org/chanye/chain"
	"github.com/go-ego/gse"
)

// DictSegmenter is the production Segmenter: gse with its embedded
// dictionary of simplified Chinese, cutting by the dictionary alone (no
// HMM guesses, so the same text always gives the same words). It is safe
// for concurrent use; load it once (~1.5 s) and share it.
type DictSegmenter struct {
	seg *gse.Segmenter
}

// extraFreq is the dictionary frequency of a word added by NewSegmenter:
// a common word's, enough to be cut as one word, not so much that it wins
// over the longer words that contain it ("发电机组" over "电机").
const extraFreq = 1000

// stopWords are the words of listings that say nothing of what is made or
// needed, on top of gse's stop words: said by every listing, they would
// pair anything with anything.
var stopWords = []string{
	"采购", "需求", "需要", "寻找", "寻求", "求购", "提供", "供应", "供货", "生产", "销售", "制造", "加工",
	"产品", "服务", "公司", "企业", "有限公司", "相关", "各类", "各种", "系列", "我司", "本公司", "合作",
	"长期", "批量", "优质", "专业", "主要", "包括", "以及", "用于", "能够", "要求", "具备", "其他", "一批",
	"研发", "每月", "每年", "每天", "年产", "月产", "以上", "左右", "数量", "价格", "若干",
}

// NewSegmenter loads the embedded "zh_s" dictionary and gse's embedded
// stop words, and adds words, if given, that the dictionary lacks — the
// chains' keywords and products, say, so that "电机控制器" is one word.
func NewSegmenter(words ...string) (*DictSegmenter, error) {
	var seg gse.Segmenter
	seg.SkipLog = true
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, err
	}
	if err := seg.LoadStopEmbed(); err != nil {
		return nil, err
	}
	seg.LoadStopArr(stopWords)
	for _, w := range words {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		if _, _, ok := seg.Find(w); !ok {
			if err := seg.AddToken(w, extraFreq); err != nil {
				return nil, err
			}
		}
	}
	return &DictSegmenter{seg: &seg}, nil
}

// ChainWords returns the keywords and products of every link of the
// chains, each once, sorted: the words NewSegmenter is to add, so that a
// listing's text is cut as the chains name things.
func ChainWords(set *chain.Set) []string {
	var out []string
	if set == nil {
		return out
	}
	for _, ch := range set.Chains {
		for _, l := range ch.Links {
			out = append(out, l.Keywords...)
			out = append(out, l.Products...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Words returns the words of text of at least two characters that are
// not stop words and hold a letter (a Chinese character is one), Latin
// letters in lower case, each once, in the order of the text.
func (s *DictSegmenter) Words(text string) []string {
	var out []string
	for _, w := range s.seg.Cut(text, false) {
		w = strings.ToLower(strings.TrimSpace(w))
		if utf8.RuneCountInString(w) < 2 || s.seg.IsStop(w) || !strings.ContainsFunc(w, unicode.IsLetter) || slices.Contains(out, w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// LazySegmenter loads the production segmenter once per process, at its
// first Get, with the chains' keywords and products (none when chains is
// nil); the zero value is ready to use and safe for concurrent use. A
// mutex rather than sync.Once: a failed load (the chains unread) is tried
// again at the next run instead of failing every run until a restart.
type LazySegmenter struct {
	mu  sync.Mutex
	seg Segmenter
}

// Get returns the segmenter, loading it at the first call.
func (l *LazySegmenter) Get(ctx context.Context, chains chain.Service) (Segmenter, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seg != nil {
		return l.seg, nil
	}
	var words []string
	if chains != nil {
		set, err := chains.FindChains(ctx)
		if err != nil {
			return nil, err
		}
		words = ChainWords(set)
	}
	seg, err := NewSegmenter(words...)
	if err != nil {
		return nil, fmt.Errorf("loading the segmenter: %w", err)
	}
	l.seg = seg
	return seg, nil
}
