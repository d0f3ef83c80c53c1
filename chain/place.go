package chain

import (
	"context"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-ego/gse"

	"github.com/chanye-org/chanye"
)

// Placement (挂链) puts enterprises on links: a firm sits on a link when its
// GB/T 4754 class is one of the link's classes and one of the link's
// keywords is a word of its business scope. Words, not substrings: the
// scope is segmented (分词) with a Chinese dictionary that also knows every
// keyword of the set, so "发电机组" does not place a firm on a link whose
// keyword is "电机", nor "电池模组" on one whose keyword is "电池模".
//
// Segmenting is the slow part (tens of thousands of texts a second per
// core), so it is done once per text and vocabulary: the store keeps, with
// each scope, the keywords found in it and the Vocab they were found with,
// and re-segments a scope only when the text or the set's keywords change.
// Placing from the stored words is a map lookup per word.

// PlacementSource says how an enterprise came to sit on a link.
type PlacementSource string

// The placement sources.
const (
	ByRule   PlacementSource = "rule"   // class and scope keywords
	ByHand   PlacementSource = "manual" // a task force or department put it there
	ByImport PlacementSource = "import" // a file of placements
)

// Placement is an enterprise on a link.
type Placement struct {
	LinkID     string          `json:"link_id"`
	IndustryID string          `json:"industry_id"`
	Code       string          `json:"code"`
	Name       string          `json:"name,omitempty"` // the registry's, when read
	Source     PlacementSource `json:"source"`
	PlacedOn   chanye.Date     `json:"placed_on"`
	By         string          `json:"by,omitempty"`
	Note       string          `json:"note,omitempty"`
}

// Removal is a firm taken off a link by hand: the rule does not put it
// back until the removal is undone.
type Removal struct {
	LinkID    string      `json:"link_id"`
	Code      string      `json:"code"`
	Name      string      `json:"name,omitempty"`
	RemovedOn chanye.Date `json:"removed_on"`
	By        string      `json:"by"`
	Reason    string      `json:"reason"`
}

// The bounds of a placement by hand.
const (
	MaxNoteRunes   = 200 // characters of a placement's note or a removal's reason
	MaxPlacePage   = 500 // firms of a link listed per page
	placerPageRows = 20_000
)

// PlaceRun is what a placement did.
type PlaceRun struct {
	Enterprises int64         `json:"enterprises"` // registry enterprises read
	Scopes      int64         `json:"scopes"`      // of them with a business scope
	Segmented   int64         `json:"segmented"`   // scopes segmented this run (new text or new keywords)
	Placed      int64         `json:"placed"`      // firms on at least one link
	Placements  int64         `json:"placements"`  // (firm, link) pairs in all, every source
	Added       int64         `json:"added"`       // rule placements added
	Dropped     int64         `json:"dropped"`     // rule placements dropped
	Unplaced    int64         `json:"unplaced"`    // firms of a chain class that no keyword placed
	NoScope     int64         `json:"no_scope"`    // firms of a chain class without a business scope
	Year        int           `json:"year"`        // the fiscal year the link figures are for
	Demo        bool          `json:"demo"`        // some placed firm's scope is demo data (演示数据)
	Took        time.Duration `json:"took_ns"`
	At          time.Time     `json:"at"`
}

// PlacementService keeps the placements. Writes are audited.
type PlacementService interface {
	// PlaceAll places every enterprise by the rule, keeping placements by
	// hand and by import and honouring removals, and recomputes the
	// figures of every link for the diagnosis.
	PlaceAll(ctx context.Context) (*PlaceRun, error)
	// LastPlaceRun returns the last placement's summary, nil before the first.
	LastPlaceRun(ctx context.Context) (*PlaceRun, error)
	// FindPlacements returns a link's firms (its sub-links' too), by hand
	// first, then by name; at most limit from offset, with the total.
	FindPlacements(ctx context.Context, linkID string, offset, limit int) ([]*Placement, int, error)
	// FindEnterprisePlacements returns the links an enterprise sits on.
	FindEnterprisePlacements(ctx context.Context, code string) ([]*Placement, error)
	// Place puts a registry enterprise on a link by hand (or by import),
	// undoing a removal. ENOTFOUND (link, enterprise), ECONFLICT when it
	// is already there by hand or import.
	Place(ctx context.Context, p *Placement) error
	// Unplace takes a firm off a link with a reason; a rule placement is
	// remembered as a removal. ENOTFOUND when it is not on the link.
	Unplace(ctx context.Context, linkID, code, reason string) (*Removal, error)
	// FindRemovals lists an industry's removals, newest first.
	FindRemovals(ctx context.Context, industryID string) ([]*Removal, error)
	// UndoRemoval lets the rule place the firm again (at the next
	// placement) and returns the removal undone. ENOTFOUND.
	UndoRemoval(ctx context.Context, linkID, code string) (*Removal, error)
	// ImportPlacements places the rows' firms on their links by import,
	// all or none: EINVALID naming rows[N].field for an unknown link or
	// enterprise or a note too long. A rule placement becomes an import; a
	// placement by hand is kept as it is; a removal is undone.
	ImportPlacements(ctx context.Context, rows []*Placement) (*PlaceImport, error)
	// ScanPlacements calls fn for every placement, by link and code.
	ScanPlacements(ctx context.Context, fn func(*Placement) error) error
}

// PlaceImport is what an import of placements did.
type PlaceImport struct {
	Added   int `json:"added"`   // new placements
	Updated int `json:"updated"` // rule or earlier import placements now this import's
	Kept    int `json:"kept"`    // placements by hand, left as they are
}

// MaxImportRows bounds a file of placements.
const MaxImportRows = 100_000

// Placer places firms on the links of a set.
type Placer struct {
	links   []*Link
	chainOf []string          // industry id of each link
	parent  []int             // index of each link's parent, -1 for a segment
	byWord  map[string][]int  // keyword → links that have it
	classes []map[string]bool // classes of each link
	index   map[string]int    // link id → index
	inClass map[string]bool   // classes of any link
	vocab   int64
	words   []string // the keywords, sorted
}

// NewPlacer indexes the keywords and classes of s.
func NewPlacer(s *Set) *Placer {
	p := &Placer{byWord: map[string][]int{}, index: map[string]int{}, inClass: map[string]bool{}}
	seen := map[string]bool{}
	for _, ch := range s.Chains {
		for _, l := range ch.Links {
			i := len(p.links)
			p.index[l.ID] = i
			p.links = append(p.links, l)
			p.chainOf = append(p.chainOf, ch.IndustryID)
			cl := map[string]bool{}
			for _, c := range l.Classes {
				cl[c], p.inClass[c] = true, true
			}
			p.classes = append(p.classes, cl)
			for _, k := range l.Keywords {
				p.byWord[k] = append(p.byWord[k], i)
				if !seen[k] {
					seen[k] = true
					p.words = append(p.words, k)
				}
			}
		}
	}
	p.parent = make([]int, len(p.links))
	for i, l := range p.links {
		p.parent[i] = -1
		if l.Parent != "" {
			p.parent[i] = p.index[l.Parent]
		}
	}
	slices.Sort(p.words)
	h := fnv.New64a()
	for _, w := range p.words {
		h.Write([]byte(w))
		h.Write([]byte{0})
	}
	p.vocab = int64(h.Sum64() >> 1) // positive: 0 means "never segmented"
	if p.vocab == 0 {
		p.vocab = 1
	}
	return p
}

// Vocab identifies the set's keywords: words found with another vocabulary
// must be found again.
func (p *Placer) Vocab() int64 { return p.vocab }

// Links returns the set's links in order; placements and Place name them by
// their index.
func (p *Placer) Links() []*Link { return p.links }

// Industry returns the industry of link i.
func (p *Placer) Industry(i int) string { return p.chainOf[i] }

// Parent returns the index of link i's parent, -1 for a segment.
func (p *Placer) Parent(i int) int { return p.parent[i] }

// Index returns the index of a link id, -1 when the set has no such link.
func (p *Placer) Index(id string) int {
	if i, ok := p.index[id]; ok {
		return i
	}
	return -1
}

// ChainClass reports whether some link lists the class: only firms of such
// classes can be placed by the rule.
func (p *Placer) ChainClass(class string) bool { return p.inClass[class] }

// Place returns the links (indexes, ascending) a firm of the class whose
// scope holds words sits on by the rule.
func (p *Placer) Place(class string, words []string, out []int) []int {
	out = out[:0]
	if !p.inClass[class] {
		return out
	}
	for _, w := range words {
		for _, i := range p.byWord[w] {
			if p.classes[i][class] && !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Segmenter finds the keywords of a set that are words of a text. It is
// safe for concurrent use.
type Segmenter struct {
	seg   *gse.Segmenter
	vocab map[string]bool
}

var (
	segMu    sync.Mutex
	segCache *Segmenter
	segVocab int64
)

// NewSegmenter returns a segmenter for the placer's keywords: the embedded
// dictionary of simplified Chinese (~1.5 s to load) with every keyword
// added as a word. The last one made is reused while the keywords stay.
func (p *Placer) NewSegmenter() (*Segmenter, error) {
	segMu.Lock()
	defer segMu.Unlock()
	if segCache != nil && segVocab == p.vocab {
		return segCache, nil
	}
	var seg gse.Segmenter
	seg.SkipLog = true
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, err
	}
	vocab := map[string]bool{}
	for _, w := range p.words {
		vocab[w] = true
		// A keyword the dictionary lacks gets a common word's frequency:
		// enough to be cut as one word, not so much that it wins over the
		// longer words that contain it ("发电机组" over "电机").
		if _, _, ok := seg.Find(w); !ok {
			if err := seg.AddToken(w, keywordFreq); err != nil {
				return nil, err
			}
		}
	}
	segCache, segVocab = &Segmenter{seg: &seg, vocab: vocab}, p.vocab
	return segCache, nil
}

// keywordFreq is the dictionary frequency given to keywords it lacks.
const keywordFreq = 1000

// Words returns the keywords that are words of text, sorted, each once.
func (s *Segmenter) Words(text string) []string {
	var out []string
	for _, w := range s.seg.Cut(text, false) {
		if s.vocab[w] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return out
}

// JoinWords and SplitWords are how stored words are written: space-separated.
func JoinWords(words []string) string { return strings.Join(words, " ") }

// SplitWords reads words written by JoinWords.
func SplitWords(s string) []string { return strings.Fields(s) }
