package dataio

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/uscc"
)

// MaxProblems is how many problems an import reports one by one; the rest
// are counted.
const MaxProblems = 100

// Options control an import.
type Options struct {
	Format Format // CSV when empty
	// SkipInvalid imports the good rows and reports the bad ones, instead of
	// importing nothing when any row is bad.
	SkipInvalid bool
	// RejectsPath is where Import writes the rejected rows (CSV: the
	// original cells plus a reason column) when SkipInvalid is set.
	RejectsPath string
	// Progress, when set, is called now and then with the rows and bytes
	// read so far.
	Progress func(rows int, bytes int64)
	Now      time.Time // the day rows are validated against (no future founding dates…); required
	Workers  int       // validating goroutines; GOMAXPROCS when zero
	// Limits bound the rows, columns and cells of each file and the size
	// of an XLSX file; zero fields take the defaults.
	Limits Limits
}

// errNoClock is a caller's mistake: imports validate dates against the
// caller's clock, never the wall clock behind its back.
var errNoClock = errors.New("dataio: Options.Now is required")

// Problem is what is wrong with one cell or row of a file.
type Problem struct {
	Row    int    // 1-based row of the file, the header being row 1
	Column string // the header cell as the file spells it; "" for the whole row
	Reason string
}

func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("第 %d 行 / row %d: %s", p.Row, p.Row, p.Reason)
	}
	return fmt.Sprintf("第 %d 行 / row %d, 列 / column %s: %s", p.Row, p.Row, p.Column, p.Reason)
}

// Report counts what an import did with a file.
type Report struct {
	Kind     Kind
	Read     int       // data rows read
	Valid    int       // rows that passed validation
	Written  int       // rows upserted (0 when the import was rolled back)
	Rejected int       // rows with at least one problem
	Problems []Problem // the first MaxProblems problems, in file order
	Total    int       // problems in all, including those not listed
}

func (r *Report) addProblems(ps []Problem) {
	r.Total += len(ps)
	for _, p := range ps {
		if len(r.Problems) < MaxProblems {
			r.Problems = append(r.Problems, p)
		}
	}
}

// ProblemsError is returned when rows are bad and nothing was imported. It
// unwraps to a chanye EINVALID error whose Fields locate each problem.
type ProblemsError struct {
	Problems []Problem // the first MaxProblems
	Total    int
	Rows     int // bad rows
}

func (e *ProblemsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d 行有误，未导入任何数据 / %d bad rows, nothing imported", e.Rows, e.Rows)
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	if more := e.Total - len(e.Problems); more > 0 {
		fmt.Fprintf(&b, "\n  …另有 %d 处问题 / and %d more", more, more)
	}
	return b.String()
}

// Unwrap lets chanye.ErrorCode and friends see an EINVALID error.
func (e *ProblemsError) Unwrap() error {
	fields := make(map[string]string, len(e.Problems))
	for _, p := range e.Problems {
		fields[fmt.Sprintf("row %d, column %s", p.Row, p.Column)] = p.Reason
	}
	return chanye.NewError(chanye.EINVALID, fmt.Sprintf("文件有 %d 行有误 / %d bad rows", e.Rows, e.Rows), fields)
}

// Files moves the registry to and from files.
type Files struct {
	Catalog     chanye.CatalogService
	Enterprises chanye.EnterpriseService
}

// Source is one file of an import batch.
type Source struct {
	Kind    Kind
	Format  Format // CSV when empty
	Reader  io.Reader
	Rejects io.Writer // where rejected rows go when Options.SkipInvalid; nil drops them
}

// Import reads one file of kind from r and upserts its rows in one
// transaction. With opts.SkipInvalid it imports the good rows and writes
// the bad ones to opts.RejectsPath; otherwise one bad row imports nothing
// and the error is a *ProblemsError. Importing the same file twice changes
// nothing the second time.
func (fs *Files) Import(ctx context.Context, kind Kind, r io.Reader, opts Options) (Report, error) {
	return importOne(ctx, kind, r, opts, fs.ImportBatch)
}

// importOne imports r as a batch of one source, whose rejected rows go to
// a new file at opts.RejectsPath when opts.SkipInvalid is set.
func importOne(ctx context.Context, kind Kind, r io.Reader, opts Options,
	batch func(context.Context, []Source, Options) ([]Report, error)) (Report, error) {
	src := Source{Kind: kind, Format: opts.Format, Reader: r}
	if opts.SkipInvalid && opts.RejectsPath != "" {
		f, err := os.Create(opts.RejectsPath)
		if err != nil {
			return Report{Kind: kind}, err
		}
		defer f.Close()
		src.Rejects = f
	}
	reports, err := batch(ctx, []Source{src}, opts)
	if len(reports) == 0 {
		return Report{Kind: kind}, err
	}
	return reports[0], err
}

// problemsError gathers the problems of every report into one error.
func problemsError(reports []Report) *ProblemsError {
	var pe ProblemsError
	for _, r := range reports {
		pe.Total += r.Total
		pe.Rows += r.Rejected
		for _, p := range r.Problems {
			if len(pe.Problems) < MaxProblems {
				pe.Problems = append(pe.Problems, p)
			}
		}
	}
	return &pe
}

// openRows opens a file of format (CSV when empty) within lim and reads its
// header row, which it requires.
func openRows(format Format, r io.Reader, lim Limits) (rowReader, []string, error) {
	if format == "" {
		format = CSV
	}
	rr, err := newRowReader(format, r, lim.withDefaults())
	if err != nil {
		return nil, nil, asInvalid(err, "%v", err)
	}
	first, err := rr.Read()
	if err == io.EOF {
		rr.Close()
		return nil, nil, chanye.Errorf(chanye.EINVALID, "文件为空，须有表头行 / the file is empty; a header row is required")
	} else if err != nil {
		rr.Close()
		return nil, nil, asInvalid(err, "无法读取文件 / cannot read the file: %v", err)
	}
	return rr, first, nil
}

// asInvalid returns err when it is a domain error already (a file over the
// Limits), else an EINVALID error with the message.
func asInvalid(err error, format string, args ...any) error {
	var e *chanye.Error
	if errors.As(err, &e) {
		return err
	}
	return chanye.Errorf(chanye.EINVALID, format, args...)
}

// rejectsWriter returns where the rejected rows of src go, the header
// written, or nil when they are not kept. The caller closes it.
func rejectsWriter(opts Options, src Source, names []string) *csvWriter {
	if !opts.SkipInvalid || src.Rejects == nil {
		return nil
	}
	w := newCSVWriter(src.Rejects)
	w.Write(append(append([]string{}, names...), "错误原因 reason"))
	return w
}

// reject counts a bad row in rep. Without opts.SkipInvalid it reports that
// the import has failed; with it, the row goes to rejects (when not nil),
// its cells padded to the header and its reasons in a last column.
func reject(rep *Report, ps []Problem, cells, names []string, opts Options, rejects *csvWriter) (failed bool, err error) {
	rep.Rejected++
	rep.addProblems(ps)
	if !opts.SkipInvalid {
		return true, nil
	}
	if rejects == nil {
		return false, nil
	}
	reasons := make([]string, len(ps))
	for i, p := range ps {
		reasons[i] = p.Reason
		if p.Column != "" {
			reasons[i] = p.Column + ": " + p.Reason
		}
	}
	cells = append(cells[:len(cells):len(cells)], make([]string, max(0, len(names)-len(cells)))...)
	return false, rejects.Write(append(cells, strings.Join(reasons, "; ")))
}

// ImportBatch imports several files in one transaction, in order, so that
// facts and tiers may name enterprises from an earlier file of the batch.
func (fs *Files) ImportBatch(ctx context.Context, sources []Source, opts Options) ([]Report, error) {
	cat, err := fs.Catalog.FindCatalog(ctx)
	if err != nil {
		return nil, err
	}
	st := &importState{
		opts:     opts,
		cat:      cat,
		classIdx: cat.ClassIndex(),
		now:      opts.Now,
		workers:  opts.Workers,
		reports:  make([]Report, len(sources)),
	}
	if st.now.IsZero() {
		return nil, errNoClock
	}
	if st.workers <= 0 {
		st.workers = runtime.GOMAXPROCS(0)
	}
	for i, s := range sources {
		st.reports[i].Kind = s.Kind
		if s.Kind != Enterprises {
			st.known = map[[18]byte]struct{}{}
		}
	}
	// Existing codes are read before the write transaction opens: a
	// single-writer database would otherwise wait on itself.
	if st.known != nil {
		if err := loadCodes(ctx, fs.Enterprises, st.known); err != nil {
			return st.reports, err
		}
	}
	err = fs.Enterprises.Bulk(ctx, func(w chanye.BulkWriter) error {
		for i, s := range sources {
			if err := st.load(ctx, w, s, &st.reports[i]); err != nil {
				return err
			}
		}
		if !st.failed {
			if err := st.pending.write(ctx, w); err != nil {
				return err
			}
		}
		if st.failed {
			return problemsError(st.reports)
		}
		return w.Finish()
	})
	if err != nil {
		for i := range st.reports {
			st.reports[i].Written = 0
		}
	}
	return st.reports, err
}

// loadCodes adds the code of every stored enterprise to into.
func loadCodes(ctx context.Context, es chanye.EnterpriseService, into map[[18]byte]struct{}) error {
	return es.ScanCodes(ctx, chanye.EnterpriseFilter{}, func(code string) error {
		into[codeKey(code)] = struct{}{}
		return nil
	})
}

type importState struct {
	opts     Options
	cat      *chanye.Catalog
	classIdx map[string][]string
	now      time.Time
	workers  int
	reports  []Report
	known    map[[18]byte]struct{} // codes facts and tiers may name; nil when none are imported
	pending  pending               // the good rows, written once all are read
	failed   bool                  // a bad row was seen without SkipInvalid: write nothing more
	rows     int                   // rows done in earlier sources, for progress
	bytes    int64
}

// row is one data row on its way from the reader through a validator to
// the writer.
type row struct {
	line     int
	cells    []string
	code     string
	ent      *chanye.Enterprise
	facts    *chanye.FactsRecord
	tier     *chanye.TierRecord
	scope    *chanye.ScopeRecord
	problems []Problem
}

type batch struct {
	rows []row
	done chan struct{}
}

const batchSize = 512

// load streams one source: a reader goroutine cuts rows into batches,
// validators check batches in parallel, and this goroutine writes them in
// file order.
func (st *importState) load(ctx context.Context, w chanye.BulkWriter, src Source, rep *Report) error {
	cr := &countingReader{r: src.Reader}
	rr, first, err := openRows(src.Format, cr, st.opts.Limits)
	if err != nil {
		return err
	}
	defer rr.Close()
	h, err := parseHeader(src.Kind, first)
	if err != nil {
		return err
	}
	rejects := rejectsWriter(st.opts, src, h.names)
	if rejects != nil {
		defer rejects.Close()
	}

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// Cancel first so that a reader blocked on a full channel returns, then
	// wait for the validators.
	defer func() { cancel(); wg.Wait() }()
	jobs := make(chan *batch, st.workers*2)
	order := make(chan *batch, st.workers*4)
	var readErr error
	go func() {
		defer close(order)
		defer close(jobs)
		line := 1
		b := &batch{done: make(chan struct{})}
		send := func() bool {
			select {
			case jobs <- b:
			case <-ctx.Done():
				return false
			}
			select {
			case order <- b:
			case <-ctx.Done():
				return false
			}
			b = &batch{rows: make([]row, 0, batchSize), done: make(chan struct{})}
			return true
		}
		for {
			cells, err := rr.Read()
			line++
			if err == io.EOF {
				break
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) && pe.Err != csv.ErrFieldCount {
					readErr = chanye.Errorf(chanye.EINVALID, "第 %d 行无法解析 / row %d cannot be parsed: %v", pe.StartLine, pe.StartLine, pe.Err)
				} else {
					readErr = err
				}
				break
			}
			if blank(cells) {
				continue
			}
			b.rows = append(b.rows, row{line: line, cells: cells})
			if len(b.rows) == batchSize && !send() {
				return
			}
		}
		if len(b.rows) > 0 {
			send()
		}
	}()
	for range st.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := validator{st: st, h: h}
			for b := range jobs {
				for i := range b.rows {
					v.check(src.Kind, &b.rows[i])
				}
				close(b.done)
			}
		}()
	}
	for b := range order {
		select {
		case <-b.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		for i := range b.rows {
			if err := st.write(w, src.Kind, &b.rows[i], rep, rejects, h); err != nil {
				return err
			}
		}
		if st.opts.Progress != nil {
			st.opts.Progress(st.rows+rep.Read, st.bytes+cr.n.Load())
		}
	}
	if readErr != nil {
		return readErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	st.rows += rep.Read
	st.bytes += cr.n.Load()
	return nil
}

// write checks what needs file order (codes named by facts and tiers),
// then writes a good row or reports a bad one.
func (st *importState) write(w chanye.BulkWriter, kind Kind, r *row, rep *Report, rejects *csvWriter, h *header) error {
	rep.Read++
	if len(r.problems) == 0 && kind != Enterprises {
		if _, ok := st.known[codeKey(r.code)]; !ok {
			r.problems = append(r.problems, Problem{r.line, h.name("code"),
				fmt.Sprintf("企业 %s 不存在，请先导入企业 / no enterprise with this code; import enterprises first", r.code)})
		}
	}
	if len(r.problems) > 0 {
		failed, err := reject(rep, r.problems, r.cells, h.names, st.opts, rejects)
		if failed {
			st.failed = true
		}
		return err
	}
	rep.Valid++
	if st.failed {
		return nil
	}
	if kind == Enterprises && st.known != nil {
		st.known[codeKey(r.ent.Code)] = struct{}{}
	}
	if err := st.pending.put(w, kind, r); err != nil {
		return fmt.Errorf("row %d: %w", r.line, err)
	}
	rep.Written++
	return nil
}

func codeKey(code string) (k [18]byte) {
	copy(k[:], code)
	return k
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// validator parses and validates rows; each validating goroutine has its own.
type validator struct {
	st *importState
	h  *header
}

func (v *validator) check(kind Kind, r *row) {
	// Row numbers are unique per row, so problems are collected per column
	// and the first reason for a column wins: a parse error says more than
	// the "required" the domain validator would add for the zero value.
	seen := map[string]bool{}
	add := func(key, reason string) {
		if seen[key] {
			return
		}
		seen[key] = true
		col := ""
		if key != "" {
			col = v.h.name(key)
		}
		r.problems = append(r.problems, Problem{r.line, col, reason})
	}
	var err error
	switch kind {
	case Enterprises:
		err = v.enterprise(r, add)
	case Facts:
		err = v.facts(r, add)
	case Tiers:
		err = v.tier(r, add)
	case Scopes:
		err = v.scope(r, add)
	}
	fields := chanye.ErrorFields(err)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(fieldColumn(k), fields[k])
	}
	if len(v.h.names) < len(r.cells) && !blank(r.cells[len(v.h.names):]) {
		add("", fmt.Sprintf("有 %d 个单元格，表头只有 %d 列 / %d cells but the header has %d columns", len(r.cells), len(v.h.names), len(r.cells), len(v.h.names)))
	}
	sort.SliceStable(r.problems, func(i, j int) bool { return v.pos(r.problems[i].Column) < v.pos(r.problems[j].Column) })
}

// pos orders problems by the column's position, row-wide ones last.
func (v *validator) pos(name string) int {
	for i, n := range v.h.names {
		if n == name {
			return i
		}
	}
	return len(v.h.names)
}

// fieldColumn maps a field name of a domain validation error to a column
// key: "industries[2]" → "industries", "revenue_fen" → "revenue_yuan",
// "facts" (no figure at all) → the whole row.
func fieldColumn(field string) string {
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	for _, f := range chanye.FactFields {
		if f.Key == field {
			return figureKey(f)
		}
	}
	switch field {
	case "facts":
		return ""
	case "text": // a scope's text is the file's scope column
		return "scope"
	}
	return field
}

func (v *validator) enterprise(r *row, add func(key, reason string)) error {
	h := v.h
	e := &chanye.Enterprise{
		Code:          h.get(r.cells, "code"),
		Name:          h.get(r.cells, "name"),
		DistrictCode:  h.get(r.cells, "district_code"),
		IndustryClass: h.get(r.cells, "industry_class"),
	}
	if s := h.get(r.cells, "founded"); s != "" {
		d, err := parseDate(s)
		if err != nil {
			add("founded", err.Error())
		}
		e.Founded = d
	}
	if s := h.get(r.cells, "industries"); s != "" {
		e.Industries = splitList(s)
		e.IndustriesOverride = true
	}
	err := e.Validate(v.st.cat, v.st.now)
	if !e.IndustriesOverride {
		e.Industries = v.st.classIdx[e.IndustryClass]
	}
	r.ent, r.code = e, e.Code
	return err
}

func (v *validator) facts(r *row, add func(key, reason string)) error {
	h := v.h
	code := v.code(r, add)
	f := chanye.Facts{Source: h.get(r.cells, "source")}
	if s := h.get(r.cells, "year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil {
			add("year", fmt.Sprintf("年度 %q 须为整数 / year must be a whole number", s))
		}
		f.Year = y
	}
	if s := h.get(r.cells, "as_of"); s != "" {
		d, err := parseDate(s)
		if err != nil {
			add("as_of", err.Error())
		}
		f.AsOf = d
	}
	store := make([]int64, len(chanye.FactFields))
	vals := make([]*int64, len(chanye.FactFields))
	for i, ff := range chanye.FactFields {
		key := figureKey(ff)
		s := h.get(r.cells, key)
		if s == "" {
			continue
		}
		if ff.Money {
			fen, err := chanye.ParseYuan(s)
			if err != nil {
				add(key, err.Error())
				continue
			}
			store[i] = int64(fen)
		} else {
			n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
			if err != nil {
				add(key, fmt.Sprintf("%q 须为整数 / must be a whole number", s))
				continue
			}
			store[i] = n
		}
		vals[i] = &store[i]
	}
	f.SetValues(vals)
	r.facts = &chanye.FactsRecord{Code: code, Facts: f}
	return f.Validate(v.st.now)
}

func (v *validator) tier(r *row, add func(key, reason string)) error {
	h := v.h
	code := v.code(r, add)
	t := chanye.Tier{Source: h.get(r.cells, "source")}
	if s := h.get(r.cells, "kind"); s != "" {
		k, err := chanye.ParseTierKind(s)
		if err != nil {
			add("kind", err.Error())
		}
		t.Kind = k
	}
	if s := h.get(r.cells, "level"); s != "" {
		l, err := chanye.ParseTierLevel(s)
		if err != nil {
			add("level", err.Error())
		}
		t.Level = l
	}
	for _, c := range []struct {
		key string
		d   *chanye.Date
	}{{"from", &t.From}, {"to", &t.To}} {
		if s := h.get(r.cells, c.key); s != "" {
			d, err := parseDate(s)
			if err != nil {
				add(c.key, err.Error())
			}
			*c.d = d
		}
	}
	if !t.From.IsZero() && t.From.After(v.st.now) {
		add("from", "不能晚于今天 / must not be in the future")
	}
	r.tier = &chanye.TierRecord{Code: code, Tier: t}
	return t.Validate()
}

func (v *validator) scope(r *row, add func(key, reason string)) error {
	h := v.h
	code := v.code(r, add)
	s := chanye.Scope{Text: h.get(r.cells, "scope"), Source: h.get(r.cells, "source")}
	if d := h.get(r.cells, "as_of"); d != "" {
		day, err := parseDate(d)
		if err != nil {
			add("as_of", err.Error())
		}
		s.AsOf = day
	}
	err := s.Validate(v.st.now)
	r.scope = &chanye.ScopeRecord{Code: code, Scope: s}
	return err
}

// code reads and checks the code column of a facts, tiers or scopes row.
func (v *validator) code(r *row, add func(key, reason string)) string {
	code := uscc.Normalize(v.h.get(r.cells, "code"))
	if err := uscc.Validate(code); err != nil {
		add("code", err.Error())
	}
	r.code = code
	return code
}

// splitList splits a list cell on semicolons (either width) or commas.
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == ',' || r == '，' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseDate reads the date layouts spreadsheets produce besides the
// canonical 2006-01-02.
func parseDate(s string) (chanye.Date, error) {
	d, err := chanye.ParseDate(s)
	if err == nil {
		return d, nil
	}
	for _, layout := range []string{"2006/1/2", "2006-1-2", "2006.1.2", "2006年1月2日", "20060102"} {
		if t, e := time.Parse(layout, strings.TrimSpace(s)); e == nil {
			return chanye.Date{Time: t}, nil
		}
	}
	return chanye.Date{}, err
}
