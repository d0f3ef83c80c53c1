package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/uscc"
)

var _ chain.Placements = (*Store)(nil)

// placePage is how many enterprises one transaction of PlaceAll handles.
const placePage = 20_000

// segCacheLimit bounds the texts PlaceAll remembers the words of: registry
// scopes repeat (the same template filled in by many firms).
const segCacheLimit = 200_000

// PlaceAll places every enterprise on the chains by the rule, page by page
// of placePage enterprises in code order, each page its own transaction: a
// page's placements are those of the old rule or the new, never a mix, and
// a run cut short is finished by the next. Scopes whose words were found
// with other keywords (or none yet) are segmented on the way. The figures of
// every link are computed in the same pass and stored with the run's summary
// at the end. Administrators only.
func (s *Store) PlaceAll(ctx context.Context) (*chain.PlaceRun, error) {
	if err := auth.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	start := s.db.Now()
	set, err := s.FindChains(ctx)
	if err != nil {
		return nil, err
	}
	pl := chain.NewPlacer(set)
	today := chanye.DateOf(start)
	p := &placing{store: s, pl: pl, today: today, year: today.Year() - 1, cache: map[string]string{}}
	p.ends = [2]string{dayOf(p.year, 12, 31).String(), dayOf(p.year-1, 12, 31).String()}
	p.run.Year = p.year
	p.stats = make([][2]statAcc, len(pl.Links()))
	if err := s.db.transact(ctx, true, p.loadShared); err != nil {
		return nil, err
	}
	after := ""
	for {
		var n int
		err := s.db.transact(ctx, false, func(tx *txn) (err error) {
			n, after, err = p.page(ctx, tx, after)
			return err
		})
		if err != nil {
			return nil, err
		}
		if n < placePage {
			break
		}
	}
	p.run.At = s.db.Now()
	p.run.Took = p.run.At.Sub(start)
	err = s.db.transact(ctx, false, func(tx *txn) error {
		if _, err := tx.exec(ctx, `DELETE FROM chain_link_stats`); err != nil {
			return err
		}
		var args []any
		for i, l := range pl.Links() {
			for k, y := range []int{p.year, p.year - 1} {
				doc, err := json.Marshal(p.stats[i][k].finish(l.ID, y))
				if err != nil {
					return err
				}
				args = append(args, l.ID, y, string(doc))
			}
		}
		if err := tx.insertMany(ctx, "chain_link_stats", []string{"link_id", "year", "doc"}, args); err != nil {
			return err
		}
		doc, err := json.Marshal(p.run)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO chain_place_runs (id, doc) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`, string(doc)); err != nil {
			return err
		}
		if len(pl.Links()) > 0 {
			if err := analyze(ctx, tx, "chain_placements"); err != nil {
				return err
			}
		}
		return tx.audit(ctx, "place", "chains", "", nil, p.run)
	})
	if err != nil {
		return nil, err
	}
	return &p.run, nil
}

// placing is one run of PlaceAll.
type placing struct {
	store *Store
	pl    *chain.Placer
	seg   *chain.Segmenter
	today chanye.Date
	year  int       // the fiscal year of the figures; year-1 is computed too
	ends  [2]string // the last days of year and year-1
	run   chain.PlaceRun

	removed  map[string]bool      // link + " " + code
	projects map[string][]projFig // owner code → projects
	paid     map[string][2]int64  // code → paid in year, year-1
	cache    map[string]string    // scope text → words
	stats    [][2]statAcc         // per link: year, year-1
	links    []int                // scratch
}

type projFig struct {
	start      string
	investment int64
}

// loadShared reads what every page needs: removals, projects and payments.
func (p *placing) loadShared(tx *txn) error {
	ctx := context.Background()
	p.removed = map[string]bool{}
	rows, err := tx.query(ctx, `SELECT link_id, code FROM chain_removals`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var l, c string
		if err := rows.Scan(&l, &c); err != nil {
			rows.Close()
			return err
		}
		p.removed[l+" "+c] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	p.projects = map[string][]projFig{}
	rows, err = tx.query(ctx, `SELECT owner_code, planned_start, total_investment_fen FROM projects`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var code string
		var f projFig
		if err := rows.Scan(&code, &f.start, &f.investment); err != nil {
			rows.Close()
			return err
		}
		p.projects[code] = append(p.projects[code], f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	p.paid = map[string][2]int64{}
	from := dayOf(p.year-1, 1, 1).UnixMilli()
	to := dayOf(p.year+1, 1, 1).UnixMilli()
	split := dayOf(p.year, 1, 1).UnixMilli()
	rows, err = tx.query(ctx, `SELECT code, at, amount_fen FROM policy_ledger WHERE at >= ? AND at < ?`, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var at, fen int64
		if err := rows.Scan(&code, &at, &fen); err != nil {
			return err
		}
		k := 1
		if at >= split {
			k = 0
		}
		v := p.paid[code]
		sum, err := chanye.AddFen(chanye.Fen(v[k]), chanye.Fen(fen))
		if err != nil {
			return err
		}
		v[k] = int64(sum)
		p.paid[code] = v
	}
	return rows.Err()
}

// firm is one enterprise of a page.
type firm struct {
	code, class, size, founded string
	source                     string // of the scope
	hasScope                   bool
	words                      []string
	stale                      *string // the scope text when its words must be found again
	revenue                    [3]*int64
	revAsOf                    [3]string
	tiers                      []tierSpan
	placed                     map[int]chain.PlacementSource // link index → source, as stored
}

type tierSpan struct {
	kind     chanye.TierKind
	from, to string // to "" while held
}

// page places the enterprises after the code after, returning how many it
// read and the last code.
func (p *placing) page(ctx context.Context, tx *txn, after string) (int, string, error) {
	vocab := p.pl.Vocab()
	rows, err := tx.query(ctx, `SELECT e.code, e.industry_class, e.size_class, e.founded, s.code IS NOT NULL, COALESCE(s.source, ''),
			CASE WHEN s.vocab = ? THEN s.words ELSE '' END, CASE WHEN s.vocab = ? THEN NULL ELSE s.scope END
		FROM enterprises e LEFT JOIN enterprise_scopes s ON s.code = e.code
		WHERE e.code > ? ORDER BY e.code LIMIT `+strconv.Itoa(placePage), vocab, vocab, after)
	if err != nil {
		return 0, after, err
	}
	var firms []*firm
	index := map[string]*firm{}
	for rows.Next() {
		f := &firm{}
		var words string
		var scope sql.NullString
		if err := rows.Scan(&f.code, &f.class, &f.size, &f.founded, &f.hasScope, &f.source, &words, &scope); err != nil {
			rows.Close()
			return 0, after, err
		}
		f.words = chain.SplitWords(words)
		if f.hasScope && scope.Valid {
			f.stale = &scope.String
		}
		firms = append(firms, f)
		index[f.code] = f
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(firms) == 0 {
		return 0, after, err
	}
	lo, hi := firms[0].code, firms[len(firms)-1].code
	if err := p.readPage(ctx, tx, lo, hi, index); err != nil {
		return 0, after, err
	}
	if err := p.segment(ctx, tx, firms); err != nil {
		return 0, after, err
	}
	var adds, drops []any
	var placed []*firm
	day := p.today.String()
	for _, f := range firms {
		p.run.Enterprises++
		if f.hasScope {
			p.run.Scopes++
		}
		rule := p.pl.Place(f.class, f.words, p.links)
		p.links = rule
		for _, i := range rule {
			if _, ok := f.placed[i]; ok || p.removed[p.pl.Links()[i].ID+" "+f.code] {
				continue
			}
			if f.placed == nil {
				f.placed = map[int]chain.PlacementSource{}
			}
			f.placed[i] = chain.ByRule
			adds = append(adds, p.pl.Links()[i].ID, f.code, p.pl.Industry(i), string(chain.ByRule), day)
			p.run.Added++
		}
		for i, src := range f.placed {
			if src == chain.ByRule && !slices.Contains(rule, i) {
				delete(f.placed, i)
				drops = append(drops, p.pl.Links()[i].ID, f.code)
				p.run.Dropped++
			}
		}
		if p.pl.ChainClass(f.class) && len(rule) == 0 {
			if f.hasScope {
				p.run.Unplaced++
			} else {
				p.run.NoScope++
			}
		}
		if len(f.placed) > 0 {
			p.run.Demo = p.run.Demo || chanye.DemoSource(f.source)
			p.run.Placed++
			p.run.Placements += int64(len(f.placed))
			placed = append(placed, f)
		}
	}
	// The figures are read for the placed firms only: a third of the
	// registry at Guangzhou's scale.
	if err := p.readFigures(ctx, tx, placed, index); err != nil {
		return 0, after, err
	}
	for _, f := range placed {
		if err := p.count(f); err != nil {
			return 0, after, err
		}
	}
	for len(drops) > 0 {
		n := min(len(drops)/2, 400)
		if _, err := tx.exec(ctx, `DELETE FROM chain_placements WHERE source = 'rule' AND (link_id, code) IN (VALUES `+placeholders(n, 2)+`)`, drops[:2*n]...); err != nil {
			return 0, after, err
		}
		drops = drops[2*n:]
	}
	err = tx.insertMany(ctx, "chain_placements", []string{"link_id", "code", "industry_id", "source", "placed_on"}, adds)
	return len(firms), hi, err
}

// readPage reads the stored placements of the page's firms.
func (p *placing) readPage(ctx context.Context, tx *txn, lo, hi string, index map[string]*firm) error {
	rows, err := tx.query(ctx, `SELECT code, link_id, source FROM chain_placements WHERE code >= ? AND code <= ?`, lo, hi)
	if err != nil {
		return err
	}
	for rows.Next() {
		var code, link, src string
		if err := rows.Scan(&code, &link, &src); err != nil {
			rows.Close()
			return err
		}
		f := index[code]
		i := p.pl.Index(link)
		if f == nil || i < 0 {
			continue // a link the set no longer has: pruned with the set
		}
		if f.placed == nil {
			f.placed = map[int]chain.PlacementSource{}
		}
		f.placed[i] = chain.PlacementSource(src)
	}
	rows.Close()
	return rows.Err()
}

// readFigures reads the revenues and tiers of the placed firms, codesChunk
// at a time.
func (p *placing) readFigures(ctx context.Context, tx *txn, placed []*firm, index map[string]*firm) error {
	for chunk := range slices.Chunk(placed, codesChunk) {
		args := make([]any, 0, len(chunk)+2)
		for _, f := range chunk {
			args = append(args, f.code)
		}
		if err := p.readChunk(ctx, tx, args, index); err != nil {
			return err
		}
	}
	return nil
}

func (p *placing) readChunk(ctx context.Context, tx *txn, codes []any, index map[string]*firm) error {
	in := inList(len(codes))
	rows, err := tx.query(ctx, `SELECT code, year, as_of, revenue_fen FROM enterprise_facts
		WHERE code IN (`+in+`) AND year >= ? AND year <= ? AND revenue_fen IS NOT NULL`, append(codes, p.year-2, p.year)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var code, asOf string
		var year int
		var rev int64
		if err := rows.Scan(&code, &year, &asOf, &rev); err != nil {
			rows.Close()
			return err
		}
		// Reports of one year from several sources: the latest wins, as
		// chanye.MergeFacts has it.
		if f := index[code]; f != nil {
			k := p.year - year
			if f.revenue[k] == nil || asOf >= f.revAsOf[k] {
				f.revenue[k], f.revAsOf[k] = &rev, asOf
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.query(ctx, `SELECT code, kind, from_date, COALESCE(to_date, '') FROM enterprise_tiers WHERE code IN (`+in+`)`, codes[:len(codes):len(codes)]...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var t tierSpan
		if err := rows.Scan(&code, &t.kind, &t.from, &t.to); err != nil {
			return err
		}
		if f := index[code]; f != nil {
			f.tiers = append(f.tiers, t)
		}
	}
	return rows.Err()
}

// segment finds the words of the page's stale scopes, on every core, and
// stores them.
func (p *placing) segment(ctx context.Context, tx *txn, firms []*firm) error {
	var todo []*firm
	for _, f := range firms {
		if f.stale == nil {
			continue
		}
		if w, ok := p.cache[*f.stale]; ok {
			f.words = chain.SplitWords(w)
			continue
		}
		todo = append(todo, f)
	}
	if len(todo) > 0 && p.seg == nil {
		var err error
		if p.seg, err = p.pl.NewSegmenter(); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	next := make(chan *firm)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for f := range next {
				f.words = p.seg.Words(*f.stale)
			}
		})
	}
	for _, f := range todo {
		next <- f
	}
	close(next)
	wg.Wait()
	var args []any
	for _, f := range firms {
		if f.stale == nil {
			continue
		}
		w := chain.JoinWords(f.words)
		if len(p.cache) < segCacheLimit {
			p.cache[*f.stale] = w
		}
		args = append(args, f.code, w)
		p.run.Segmented++
	}
	for len(args) > 0 {
		n := min(len(args)/2, bulkRows)
		if _, err := tx.exec(ctx, `UPDATE enterprise_scopes SET words = v.column2, vocab = ?
			FROM (VALUES `+placeholders(n, 2)+`) AS v WHERE enterprise_scopes.code = v.column1`,
			append([]any{p.pl.Vocab()}, args[:2*n]...)...); err != nil {
			return err
		}
		args = args[2*n:]
	}
	return nil
}

// count adds a placed firm to the figures of its links and their parents,
// once per link.
func (p *placing) count(f *firm) error {
	var on []int
	for i := range f.placed {
		for j := i; j >= 0; j = p.pl.Parent(j) {
			if !slices.Contains(on, j) {
				on = append(on, j)
			}
		}
	}
	for k := range 2 {
		end := p.ends[k]
		if f.founded > end {
			continue
		}
		// The tiers held at the year's end, once per firm, not per link.
		var held uint16
		for _, t := range f.tiers {
			if i := slices.Index(chanye.TierKinds, t.kind); i >= 0 && t.from <= end && (t.to == "" || t.to >= end) {
				held |= 1 << i
			}
		}
		for _, i := range on {
			if err := p.stats[i][k].add(f, k, end, held, p.projects[f.code], p.paid[f.code][k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// statAcc sums a link's figures for a year.
type statAcc struct {
	firms, reported, comparable int64
	bySize                      map[chanye.SizeClass]int64
	tiers                       [16]int64 // by index in chanye.TierKinds
	revenue, top                chanye.Fen
	topCode                     string
	compNow, compPrev           chanye.Fen
	projects                    int64
	investment, paid            chanye.Fen
}

// add counts firm f in the year k years before the run's, which ends on end.
// held has bit i set for the i-th of chanye.TierKinds held at the end.
func (a *statAcc) add(f *firm, k int, end string, held uint16, projects []projFig, paid int64) (err error) {
	if a.bySize == nil {
		a.bySize = map[chanye.SizeClass]int64{}
	}
	a.firms++
	a.bySize[chanye.SizeClass(f.size)]++
	for i := range chanye.TierKinds {
		if held&(1<<i) != 0 {
			a.tiers[i]++
		}
	}
	if r := f.revenue[k]; r != nil {
		a.reported++
		if a.revenue, err = chanye.AddFen(a.revenue, chanye.Fen(*r)); err != nil {
			return err
		}
		if a.topCode == "" || chanye.Fen(*r) > a.top {
			a.top, a.topCode = chanye.Fen(*r), f.code
		}
		if prev := f.revenue[k+1]; prev != nil {
			a.comparable++
			if a.compNow, err = chanye.AddFen(a.compNow, chanye.Fen(*r)); err != nil {
				return err
			}
			if a.compPrev, err = chanye.AddFen(a.compPrev, chanye.Fen(*prev)); err != nil {
				return err
			}
		}
	}
	for _, pr := range projects {
		if pr.start <= end {
			a.projects++
			if a.investment, err = chanye.AddFen(a.investment, chanye.Fen(pr.investment)); err != nil {
				return err
			}
		}
	}
	a.paid, err = chanye.AddFen(a.paid, chanye.Fen(paid))
	return err
}

func (a *statAcc) finish(link string, year int) *chain.LinkStats {
	tiers := map[chanye.TierKind]int64{}
	for i, k := range chanye.TierKinds {
		if a.tiers[i] > 0 {
			tiers[k] = a.tiers[i]
		}
	}
	s := &chain.LinkStats{LinkID: link, Year: year, Firms: a.firms, BySize: a.bySize, Tiers: tiers,
		Reported: a.reported, TopCode: a.topCode, Comparable: a.comparable,
		ComparableNow: int64(a.compNow), ComparablePrev: int64(a.compPrev),
		Projects: a.projects, Investment: int64(a.investment), Paid: int64(a.paid)}
	if s.BySize == nil {
		s.BySize = map[chanye.SizeClass]int64{}
	}
	if a.reported > 0 {
		rev, top := int64(a.revenue), int64(a.top)
		s.Revenue, s.TopRevenue = &rev, &top
	}
	return s
}

// LastPlaceRun returns the last placement's summary, nil before the first.
func (s *Store) LastPlaceRun(ctx context.Context) (*chain.PlaceRun, error) {
	var out *chain.PlaceRun
	err := s.db.transact(ctx, true, func(tx *txn) error {
		var doc string
		switch err := tx.queryRow(ctx, `SELECT doc FROM chain_place_runs WHERE id = 1`).Scan(&doc); err {
		case sql.ErrNoRows:
			return nil
		case nil:
			out = &chain.PlaceRun{}
			return json.Unmarshal([]byte(doc), out)
		default:
			return err
		}
	})
	return out, err
}

const placementColumns = `p.link_id, p.industry_id, p.code, COALESCE(e.name, ''), p.source, p.placed_on, p.placed_by, p.note`

func scanPlacement(rows *sql.Rows) (*chain.Placement, error) {
	var x chain.Placement
	var on string
	if err := rows.Scan(&x.LinkID, &x.IndustryID, &x.Code, &x.Name, &x.Source, &on, &x.By, &x.Note); err != nil {
		return nil, err
	}
	var err error
	x.PlacedOn, err = chanye.ParseDate(on)
	return &x, err
}

// FindPlacements returns the firms of a link and its sub-links, by code.
func (s *Store) FindPlacements(ctx context.Context, linkID string, offset, limit int) ([]*chain.Placement, int, error) {
	if limit <= 0 || limit > chain.MaxPlacePage {
		limit = chain.MaxPlacePage
	}
	out := []*chain.Placement{}
	var total int
	err := s.db.transact(ctx, true, func(tx *txn) error {
		cond := `(p.link_id = ? OR (p.link_id > ? AND p.link_id < ?))`
		args := []any{linkID, linkID + ".", linkID + "/"}
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM chain_placements p WHERE `+cond, args...).Scan(&total); err != nil {
			return err
		}
		return queryPlacements(ctx, tx, &out, `WHERE `+cond+` ORDER BY p.code, p.link_id LIMIT ? OFFSET ?`, append(args, limit, max(offset, 0))...)
	})
	return out, total, err
}

// queryPlacements appends to out the placements of the query's tail (its
// WHERE and ORDER BY), with the firms' names.
func queryPlacements(ctx context.Context, tx *txn, out *[]*chain.Placement, tail string, args ...any) error {
	return eachRowArgs(ctx, tx, `SELECT `+placementColumns+` FROM chain_placements p LEFT JOIN enterprises e ON e.code = p.code `+tail, args,
		func(r *sql.Rows) error {
			x, err := scanPlacement(r)
			if err == nil {
				*out = append(*out, x)
			}
			return err
		})
}

// FindEnterprisePlacements returns the links an enterprise sits on.
func (s *Store) FindEnterprisePlacements(ctx context.Context, code string) ([]*chain.Placement, error) {
	code = uscc.Normalize(code)
	out := []*chain.Placement{}
	err := s.db.transact(ctx, true, func(tx *txn) error {
		return queryPlacements(ctx, tx, &out, `WHERE p.code = ? ORDER BY p.link_id`, code)
	})
	return out, err
}

// placementLink checks that the stored set has the link and returns its
// industry.
func placementLink(ctx context.Context, tx *txn, linkID string) (string, error) {
	var industry string
	err := tx.queryRow(ctx, `SELECT industry_id FROM chain_links WHERE id = ?`, linkID).Scan(&industry)
	if err == sql.ErrNoRows {
		return "", chanye.Errorf(chanye.ENOTFOUND, "产业链环节 %s 不存在 / no such chain link", linkID)
	}
	return industry, err
}

// Place puts an enterprise on a link by hand or by import.
func (s *Store) Place(ctx context.Context, x *chain.Placement) error {
	x.Code = uscc.Normalize(x.Code)
	x.Note = strings.TrimSpace(x.Note)
	if x.Source != chain.ByHand && x.Source != chain.ByImport {
		return chanye.Invalid("挂链有误 / invalid placement", map[string]string{"source": "须为 manual 或 import / must be manual or import"})
	}
	if n := len([]rune(x.Note)); n > chain.MaxNoteRunes {
		return chanye.Invalid("挂链有误 / invalid placement", map[string]string{"note": "说明过长 / note too long"})
	}
	a := chanye.ActorFrom(ctx)
	return s.db.transact(ctx, false, func(tx *txn) error {
		industry, err := placementLink(ctx, tx, x.LinkID)
		if err != nil {
			return err
		}
		if _, err := findEnterprise(ctx, tx, x.Code); err != nil {
			return err
		}
		var src string
		switch err := tx.queryRow(ctx, `SELECT source FROM chain_placements WHERE link_id = ? AND code = ?`, x.LinkID, x.Code).Scan(&src); err {
		case nil:
			if src != string(chain.ByRule) {
				return chanye.Errorf(chanye.ECONFLICT, "企业 %s 已在环节 %s 上 / already on the link", x.Code, x.LinkID)
			}
			if _, err := tx.exec(ctx, `DELETE FROM chain_placements WHERE link_id = ? AND code = ?`, x.LinkID, x.Code); err != nil {
				return err
			}
		case sql.ErrNoRows:
		default:
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM chain_removals WHERE link_id = ? AND code = ?`, x.LinkID, x.Code); err != nil {
			return err
		}
		x.IndustryID, x.PlacedOn, x.By = industry, chanye.DateOf(tx.now), a.Name
		if _, err := tx.exec(ctx, `INSERT INTO chain_placements (link_id, code, industry_id, source, placed_on, placed_by, note)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, x.LinkID, x.Code, industry, string(x.Source), x.PlacedOn.String(), x.By, x.Note); err != nil {
			return err
		}
		return tx.audit(ctx, "place", "chain_placements", x.LinkID+"/"+x.Code, nil, x)
	})
}

// Unplace takes a firm off a link and remembers the removal.
func (s *Store) Unplace(ctx context.Context, linkID, code, reason string) (*chain.Removal, error) {
	code, reason = uscc.Normalize(code), strings.TrimSpace(reason)
	if n := len([]rune(reason)); n == 0 || n > chain.MaxNoteRunes {
		return nil, chanye.Invalid("移出有误 / invalid removal", map[string]string{"reason": "须说明理由，不超过 200 字 / a reason of at most 200 characters is required"})
	}
	a := chanye.ActorFrom(ctx)
	var out *chain.Removal
	err := s.db.transact(ctx, false, func(tx *txn) error {
		industry, err := placementLink(ctx, tx, linkID)
		if err != nil {
			return err
		}
		var before chain.Placement
		var on string
		err = tx.queryRow(ctx, `SELECT source, placed_on FROM chain_placements WHERE link_id = ? AND code = ?`, linkID, code).Scan(&before.Source, &on)
		if err == sql.ErrNoRows {
			return chanye.Errorf(chanye.ENOTFOUND, "企业 %s 不在环节 %s 上 / not on the link", code, linkID)
		} else if err != nil {
			return err
		}
		before.LinkID, before.Code, before.IndustryID = linkID, code, industry
		before.PlacedOn, _ = chanye.ParseDate(on)
		if _, err := tx.exec(ctx, `DELETE FROM chain_placements WHERE link_id = ? AND code = ?`, linkID, code); err != nil {
			return err
		}
		r := chain.Removal{LinkID: linkID, Code: code, RemovedOn: chanye.DateOf(tx.now), By: a.Name, Reason: reason}
		out = &r
		if _, err := tx.exec(ctx, `INSERT INTO chain_removals (link_id, code, industry_id, removed_on, removed_by, reason) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (link_id, code) DO UPDATE SET removed_on = excluded.removed_on, removed_by = excluded.removed_by, reason = excluded.reason`,
			linkID, code, industry, r.RemovedOn.String(), r.By, r.Reason); err != nil {
			return err
		}
		return tx.audit(ctx, "unplace", "chain_placements", linkID+"/"+code, before, r)
	})
	return out, err
}

// ImportPlacements places the rows' firms by import, all or none.
func (s *Store) ImportPlacements(ctx context.Context, rows []*chain.Placement) (*chain.PlaceImport, error) {
	if len(rows) == 0 || len(rows) > chain.MaxImportRows {
		return nil, chanye.Invalid("挂链文件有误 / invalid placements",
			map[string]string{"rows": fmt.Sprintf("须有 1–%d 行 / must have 1–%d rows", chain.MaxImportRows, chain.MaxImportRows)})
	}
	by := chanye.ActorFrom(ctx).Name
	out := &chain.PlaceImport{}
	err := s.db.transact(ctx, false, func(tx *txn) error {
		links := map[string]string{} // link id → industry
		err := eachRowArgs(ctx, tx, `SELECT id, industry_id FROM chain_links`, nil, func(r *sql.Rows) error {
			var id, ind string
			if err := r.Scan(&id, &ind); err != nil {
				return err
			}
			links[id] = ind
			return nil
		})
		if err != nil {
			return err
		}
		bad := map[string]string{}
		for i, x := range rows {
			key := fmt.Sprintf("rows[%d].", i)
			x.Code, x.Note, x.LinkID = uscc.Normalize(x.Code), strings.TrimSpace(x.Note), strings.TrimSpace(x.LinkID)
			x.Source, x.PlacedOn, x.By = chain.ByImport, chanye.DateOf(tx.now), by
			if x.IndustryID = links[x.LinkID]; x.IndustryID == "" {
				bad[key+"link_id"] = fmt.Sprintf("产业链环节 %q 不存在 / no such chain link", x.LinkID)
			}
			if err := uscc.Validate(x.Code); err != nil {
				bad[key+"code"] = err.Error()
			} else if _, err := findEnterprise(ctx, tx, x.Code); chanye.ErrorCode(err) == chanye.ENOTFOUND {
				bad[key+"code"] = "企业不存在 / no such enterprise"
			} else if err != nil {
				return err
			}
			if len([]rune(x.Note)) > chain.MaxNoteRunes {
				bad[key+"note"] = fmt.Sprintf("不超过 %d 个字符 / at most %d characters", chain.MaxNoteRunes, chain.MaxNoteRunes)
			}
		}
		if len(bad) > 0 {
			return chanye.Invalid(fmt.Sprintf("挂链文件有 %d 处错误，未导入 / %d errors: nothing imported", len(bad), len(bad)), bad)
		}
		for _, x := range rows {
			var src string
			switch err := tx.queryRow(ctx, `SELECT source FROM chain_placements WHERE link_id = ? AND code = ?`, x.LinkID, x.Code).Scan(&src); {
			case err == sql.ErrNoRows:
				out.Added++
			case err != nil:
				return err
			case src == string(chain.ByHand):
				out.Kept++
				continue
			default:
				out.Updated++
				if _, err := tx.exec(ctx, `DELETE FROM chain_placements WHERE link_id = ? AND code = ?`, x.LinkID, x.Code); err != nil {
					return err
				}
			}
			if _, err := tx.exec(ctx, `DELETE FROM chain_removals WHERE link_id = ? AND code = ?`, x.LinkID, x.Code); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO chain_placements (link_id, code, industry_id, source, placed_on, placed_by, note)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, x.LinkID, x.Code, x.IndustryID, string(x.Source), x.PlacedOn.String(), x.By, x.Note); err != nil {
				return err
			}
		}
		return tx.audit(ctx, "import", "chain_placements", "", nil, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScanPlacements calls fn for every placement, by link and code.
func (s *Store) ScanPlacements(ctx context.Context, fn func(*chain.Placement) error) error {
	return s.db.transact(ctx, true, func(tx *txn) error {
		return eachRowArgs(ctx, tx, `SELECT `+placementColumns+` FROM chain_placements p LEFT JOIN enterprises e ON e.code = p.code
			ORDER BY p.link_id, p.code`, nil, func(r *sql.Rows) error {
			x, err := scanPlacement(r)
			if err != nil {
				return err
			}
			return fn(x)
		})
	})
}

// FindRemovals lists an industry's removals, newest first.
func (s *Store) FindRemovals(ctx context.Context, industryID string) ([]*chain.Removal, error) {
	out := []*chain.Removal{}
	err := s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, `SELECT r.link_id, r.code, COALESCE(e.name, ''), r.removed_on, r.removed_by, r.reason
			FROM chain_removals r LEFT JOIN enterprises e ON e.code = r.code
			WHERE r.industry_id = ? ORDER BY r.removed_on DESC, r.link_id, r.code`, industryID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r chain.Removal
			var on string
			if err := rows.Scan(&r.LinkID, &r.Code, &r.Name, &on, &r.By, &r.Reason); err != nil {
				return err
			}
			if r.RemovedOn, err = chanye.ParseDate(on); err != nil {
				return err
			}
			out = append(out, &r)
		}
		return rows.Err()
	})
	return out, err
}

// UndoRemoval lets the rule place the firm on the link again.
func (s *Store) UndoRemoval(ctx context.Context, linkID, code string) (*chain.Removal, error) {
	code = uscc.Normalize(code)
	var r chain.Removal
	err := s.db.transact(ctx, false, func(tx *txn) error {
		var on string
		err := tx.queryRow(ctx, `SELECT removed_on, removed_by, reason FROM chain_removals WHERE link_id = ? AND code = ?`, linkID, code).Scan(&on, &r.By, &r.Reason)
		if err == sql.ErrNoRows {
			return chanye.Errorf(chanye.ENOTFOUND, "企业 %s 未从环节 %s 移出 / no such removal", code, linkID)
		} else if err != nil {
			return err
		}
		r.LinkID, r.Code = linkID, code
		if r.RemovedOn, err = chanye.ParseDate(on); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM chain_removals WHERE link_id = ? AND code = ?`, linkID, code); err != nil {
			return err
		}
		return tx.audit(ctx, "undo", "chain_removals", linkID+"/"+code, r, nil)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// FindLinkStats returns the figures of every link for the year and the
// one before.
func (s *Store) FindLinkStats(ctx context.Context, year int) (map[string]map[int]*chain.LinkStats, error) {
	out := map[string]map[int]*chain.LinkStats{}
	err := s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, `SELECT doc FROM chain_link_stats WHERE year = ? OR year = ?`, year, year-1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var doc string
			if err := rows.Scan(&doc); err != nil {
				return err
			}
			var st chain.LinkStats
			if err := json.Unmarshal([]byte(doc), &st); err != nil {
				return err
			}
			if out[st.LinkID] == nil {
				out[st.LinkID] = map[int]*chain.LinkStats{}
			}
			out[st.LinkID][st.Year] = &st
		}
		return rows.Err()
	})
	return out, err
}

// FindThresholds returns the thresholds in force: the defaults until an
// administrator changes them.
func (s *Store) FindThresholds(ctx context.Context) (chain.Thresholds, error) {
	t := chain.DefaultThresholds()
	err := s.db.transact(ctx, true, func(tx *txn) error {
		var doc string
		switch err := tx.queryRow(ctx, `SELECT doc FROM chain_thresholds WHERE id = 1`).Scan(&doc); err {
		case sql.ErrNoRows:
			return nil
		case nil:
			return json.Unmarshal([]byte(doc), &t)
		default:
			return err
		}
	})
	return t, err
}

// PutThresholds replaces the thresholds. EINVALID, EFORBIDDEN.
func (s *Store) PutThresholds(ctx context.Context, t chain.Thresholds) error {
	if err := auth.RequireAdmin(ctx); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	before, err := s.FindThresholds(ctx)
	if err != nil {
		return err
	}
	doc, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		if _, err := tx.exec(ctx, `INSERT INTO chain_thresholds (id, doc, updated_at, updated_by) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			string(doc), tx.now.UnixMilli(), chanye.ActorFrom(ctx).Name); err != nil {
			return err
		}
		return tx.audit(ctx, "update", "chain_thresholds", "", before, t)
	})
}

// dayOf returns the day y-m-d.
func dayOf(y, m, d int) chanye.Date {
	return chanye.Date{Time: time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)}
}
