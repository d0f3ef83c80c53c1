package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/policy/vector"
)

// errStop ends a scan early when the consumer of decisions stops.
var errStop = errors.New("engine: stop")

// explainChunk is how many enterprises Run reads back at once to explain
// their decisions.
var explainChunk = 4096

// Run evaluates every published policy active on asOf for every enterprise
// and stores the run, all or nothing: per policy the eligible, not
// eligible, needs-data and failed decisions counted, the eligible and
// needs-data decisions with their explanations (and what a needs-data
// decision needs), and the first failed decisions with their messages.
// Verdicts, amounts and needs come from the fast path; each stored
// decision and each listed error is then explained by the reference
// evaluator, which must agree. A run with errors is stored with its
// errors (policy.Run.HasErrors): decisions never fail silently. The run is
// recorded as the context's actor's. EINVALID when no published policy is
// active on asOf, or asOf is after today or before MinAsOf. With
// Config.Sharded, the run is started shard by shard instead.
func (e *Engine) Run(ctx context.Context, asOf chanye.Date) (*policy.Run, error) {
	if e.cfg.Sharded != nil {
		return e.cfg.Sharded(ctx, asOf)
	}
	run, _, err := e.RunTimed(ctx, asOf)
	return run, err
}

// Timings says where a run's time went, for chanye bench run and the log.
type Timings struct {
	Base    BaseSource    // where the base came from
	Read    time.Duration // the base made ready: read whole, or a kept one refreshed
	Decide  time.Duration // the fast path, relations and budgets
	Store   time.Duration // decisions explained and stored, in one transaction
	Keep    time.Duration // the base stored for the next process
	Changed int           // rows read again to refresh a kept base
	Columns int64         // bytes of the base's columns
}

// BaseSource is where the base a run decided on came from.
type BaseSource string

const (
	BaseWhole  BaseSource = "whole"  // the whole base read
	BaseStored BaseSource = "stored" // the base a run stored, refreshed
	BaseKept   BaseSource = "kept"   // the base this process kept, refreshed
)

// RunTimed is Run, also saying where the time went.
func (e *Engine) RunTimed(ctx context.Context, asOf chanye.Date) (*policy.Run, Timings, error) {
	var tm Timings
	run, err := e.run(ctx, asOf, &tm)
	return run, tm, err
}

func (e *Engine) run(ctx context.Context, asOf chanye.Date, tm *Timings) (*policy.Run, error) {
	start := e.cfg.Now()
	asOf, pols, err := e.inForce(ctx, asOf)
	if err != nil {
		return nil, err
	}
	d, err := e.decide(ctx, asOf, pols, tm)
	if err != nil {
		return nil, err
	}
	run := d.Run
	run.StartedAt = start
	t0 := time.Now()
	if err := e.cfg.Runs.CreateRun(ctx, run, d.Decisions); err != nil {
		return nil, err
	}
	tm.Store = time.Since(t0)
	t0 = time.Now()
	e.Keep(ctx, d) // for the next process
	tm.Keep = time.Since(t0)
	log := e.cfg.Logger.Info
	if run.HasErrors() {
		log = e.cfg.Logger.Warn
	}
	log("policy run", "run", run.ID, "as_of", asOf.String(), "enterprises", run.Enterprises,
		"policies", len(pols), "eligible", run.Eligible, "needs_data", run.NeedsData, "errors", run.Errors, "total_fen", int64(run.TotalFen),
		"excluded", run.Excluded, "base", tm.Base, "changed", tm.Changed, "read", tm.Read.Round(time.Millisecond), "decide", tm.Decide.Round(time.Millisecond),
		"store", tm.Store.Round(time.Millisecond), "keep", tm.Keep.Round(time.Millisecond), "columns_mib", d.base.cols.Bytes()>>20)
	return run, nil
}

// inForce checks asOf (today when zero) and returns it with the published
// policies in force on it; EINVALID when there is none.
func (e *Engine) inForce(ctx context.Context, asOf chanye.Date) (chanye.Date, []*policy.Compiled, error) {
	asOf, err := e.asOfOrToday(asOf, 0)
	if err != nil {
		return asOf, nil, err
	}
	all, err := e.published(ctx)
	if err != nil {
		return asOf, nil, err
	}
	var pols []*policy.Compiled
	for _, c := range all {
		if c.Policy.Effective.Contains(asOf) {
			pols = append(pols, c)
		}
	}
	if len(pols) == 0 {
		return asOf, nil, chanye.Errorf(chanye.EINVALID, "%s 没有生效的已发布政策 / no published policy is in force on %s", asOf, asOf)
	}
	return asOf, pols, nil
}

// Decided is what the engine decided for a base: the run as counted
// (per policy: not eligible, errors and the first errors; no id, and the
// eligible, needs-data and excluded counts left for the store to add up
// from Decisions), and the decisions to store, explained as they are
// consumed. Decisions can be consumed once.
type Decided struct {
	Run       *policy.Run
	Decisions iter.Seq2[*policy.StoredDecision, error]
	base      *base
	pols      []*policy.Compiled
	reads     []string
	explain   func(keep func(code string) bool) iter.Seq2[*policy.StoredDecision, error]
}

// Codes returns the number of enterprises decided and calls fn with each
// code until it returns false.
func (d *Decided) Codes(fn func(code string) bool) {
	for _, c := range d.base.codes {
		if !fn(c) {
			return
		}
	}
}

// Keep stores the base d was decided on for the next process, when the
// engine keeps bases (Config.Snapshots) and the stored one is stale.
func (e *Engine) Keep(ctx context.Context, d *Decided) { e.store(ctx, d.base) }

// decide decides pols for the current base as of asOf: the fast path, the
// relations and budgets, the per-policy counts and the first errors.
func (e *Engine) decide(ctx context.Context, asOf chanye.Date, pols []*policy.Compiled, tm *Timings) (*Decided, error) {
	prog := vector.Compile(asOf, pols...)
	t0 := time.Now()
	b, err := e.current(ctx, asOf, prog.Reads(), tm)
	if err != nil {
		return nil, err
	}
	tm.Read = time.Since(t0)
	tm.Columns = b.cols.Bytes()
	t0 = time.Now()
	res := vector.Run(b.cols, prog)
	tm.Decide = time.Since(t0)
	for _, pr := range res.Policies {
		if pr.Overflow {
			return nil, fmt.Errorf("engine: run: policy %s: %w", pr.PolicyID, chanye.ErrOverflow("total_fen"))
		}
	}
	// Relations between the policies and budgets that cut, over the
	// eligible rows only.
	t0 = time.Now()
	resolved := Resolve(pols, &res, func(row int) string { return b.codes[row] })
	tm.Decide += time.Since(t0)

	run := &policy.Run{AsOf: asOf, Snapshot: b.snapshotOf(prog.Reads()), Enterprises: b.Len()}
	for k, c := range pols {
		pr := &res.Policies[k]
		rp := policy.RunPolicy{ID: c.Policy.ID, Version: c.Policy.Version, Errors: pr.ErrorCount,
			NotEligible: b.Len() - pr.Count - pr.NeedsCount - pr.ErrorCount}
		if rp.ErrorSamples, err = e.errorSamples(ctx, b, c, pr); err != nil {
			return nil, err
		}
		run.Policies = append(run.Policies, rp)
	}
	d := &Decided{Run: run, base: b, pols: pols, reads: prog.Reads()}
	d.Decisions = e.explained(ctx, b, pols, &res, resolved, nil)
	d.explain = func(keep func(string) bool) iter.Seq2[*policy.StoredDecision, error] {
		return e.explained(ctx, b, pols, &res, resolved, keep)
	}
	return d, nil
}

// errorSamples explains the first failed decisions of a policy with the
// reference evaluator, which must fail too, for the run to list.
func (e *Engine) errorSamples(ctx context.Context, b *base, c *policy.Compiled, pr *vector.PolicyResult) ([]policy.RunError, error) {
	var out []policy.RunError
	for w, x := range pr.Errors {
		for ; x != 0 && len(out) < policy.MaxRunErrors; x &= x - 1 {
			row := w*64 + trailingZeros(x)
			ent, err := e.cfg.Enterprises.FindEnterpriseByCode(ctx, b.codes[row])
			if err != nil {
				return nil, err
			}
			d := c.Evaluate(policy.NewSubject(ent, b.asOf).WithInputs(b.inputs[ent.Code]), b.asOf)
			if d.Status != policy.VerdictError {
				return nil, fmt.Errorf("engine: %s for %s: fast path failed, reference %s (data changed during the run?)", c.Policy.ID, ent.Code, d.Status)
			}
			out = append(out, policy.RunError{Code: ent.Code, Message: d.Err})
		}
	}
	return out, nil
}

// explained yields the stored decisions of the eligible and needs-data
// rows of res in row order, the eligible ones explained by the reference
// evaluator on the row's values as the base holds them (the data the
// snapshot names): the fast path's verdict and amount must be the
// reference's, or the run ends with an error. Needs-data decisions carry
// the fast path's needs. Chunks of rows are explained on every core
// while the store writes the chunks before them.
func (e *Engine) explained(ctx context.Context, b *base, pols []*policy.Compiled, res *vector.Result, resolved *policy.Resolution, keep func(code string) bool) iter.Seq2[*policy.StoredDecision, error] {
	return func(yield func(*policy.StoredDecision, error) bool) {
		// rows eligible for or needing data under any policy, ascending
		anyRow := make([]uint64, (b.Len()+63)/64)
		for k := range res.Policies {
			for w, x := range res.Policies[k].Eligible {
				anyRow[w] |= x | res.Policies[k].NeedsData[w]
			}
		}
		var rows []int
		for w, x := range anyRow {
			for ; x != 0; x &= x - 1 {
				rows = append(rows, w*64+trailingZeros(x))
			}
		}
		// Cut the rows in chunks, each with the index of its first amount
		// and first needs per policy (both are by row).
		var jobs []*explainJob
		amounts, needs := make([]int, len(pols)), make([]int, len(pols))
		for len(rows) > 0 {
			j := &explainJob{rows: rows[:min(len(rows), explainChunk)], amounts: slices.Clone(amounts), needs: slices.Clone(needs), done: make(chan struct{})}
			rows = rows[len(j.rows):]
			for _, row := range j.rows {
				countPast(res, row, amounts, needs)
			}
			jobs = append(jobs, j)
		}
		ctx, cancel := context.WithCancel(ctx)
		workers := runtime.GOMAXPROCS(0)
		queue := make(chan *explainJob)
		var wg sync.WaitGroup
		defer func() { cancel(); wg.Wait() }()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range queue {
					j.out, j.err = e.explainChunk(ctx, b, pols, res, resolved, j, keep)
					close(j.done)
				}
			}()
		}
		go func() { // at most 2 chunks per worker ahead of the writer
			defer close(queue)
			for i, j := range jobs {
				if i >= 2*workers {
					select {
					case <-jobs[i-2*workers].done:
					case <-ctx.Done():
						return
					}
				}
				select {
				case queue <- j:
				case <-ctx.Done():
					return
				}
			}
		}()
		for _, j := range jobs {
			select {
			case <-j.done:
			case <-ctx.Done():
				yield(nil, ctx.Err())
				return
			}
			if j.err != nil {
				yield(nil, j.err)
				return
			}
			for _, sd := range j.out {
				if !yield(sd, nil) {
					return
				}
			}
			j.out = nil
		}
	}
}

// countPast moves the indexes of each policy's next amount and next needs
// past row: amounts and needs are kept by row, for the eligible and the
// needs-data rows.
func countPast(res *vector.Result, row int, amounts, needs []int) {
	for k := range res.Policies {
		switch res.Policies[k].Verdict(row) {
		case policy.VerdictEligible:
			amounts[k]++
		case policy.VerdictNeedsData:
			needs[k]++
		}
	}
}

// explainJob is a chunk of rows to explain: amounts and needs are the
// indexes of its first amount and needs per policy.
type explainJob struct {
	rows           []int
	amounts, needs []int
	out            []*policy.StoredDecision
	err            error
	done           chan struct{}
}

// explainChunk explains the decisions of the rows of j (see explained).
// keep, when not nil, says whose decisions to explain: the others are
// skipped (their amounts and needs counted past).
func (e *Engine) explainChunk(ctx context.Context, b *base, pols []*policy.Compiled, res *vector.Result, resolved *policy.Resolution, j *explainJob, keep func(code string) bool) ([]*policy.StoredDecision, error) {
	codes := make([]string, 0, len(j.rows))
	for _, row := range j.rows {
		if keep == nil || keep(b.codes[row]) {
			codes = append(codes, b.codes[row])
		}
	}
	names, err := e.cfg.Enterprises.FindNames(ctx, codes)
	if err != nil {
		return nil, err
	}
	amounts, needs := j.amounts, j.needs
	// The parameters in force, as Evaluate gives them, marshalled once per
	// policy for every decision stored.
	params := make([]json.RawMessage, len(pols))
	paramsOf := func(k int) (json.RawMessage, error) {
		if params[k] == nil {
			ps, err := pols[k].Policy.ParamsAt(b.asOf)
			if err != nil {
				return nil, err
			}
			if params[k], err = json.Marshal(ps); err != nil {
				return nil, err
			}
		}
		return params[k], nil
	}
	var out []*policy.StoredDecision
	for _, row := range j.rows {
		code := b.codes[row]
		if keep != nil && !keep(code) {
			countPast(res, row, amounts, needs)
			continue
		}
		s := b.cols.Subject(row, code, b.asOf)
		// stored with the decision: the size the rules saw
		ent := &chanye.Enterprise{Code: code, Name: names[code], DistrictCode: b.districts[b.district[row]],
			SizeClass: chanye.SizeClass(b.sizes[b.size[row]]), Industries: b.indSets[b.inds[row]]}
		for k, c := range pols {
			pr := &res.Policies[k]
			verdict := pr.Verdict(row)
			var amount int64
			i := amounts[k]
			switch verdict {
			case policy.VerdictEligible:
				amount = pr.Amounts[i]
				amounts[k]++
			case policy.VerdictNeedsData:
				needs[k]++
				if res.Shared { // the fast path's needs may be short: the reference's are stored
					break
				}
				// Stored with its needs, without conditions (see
				// policy.NewStoredDecisionParams): the reference is not
				// asked, the differential tests holding the fast path's
				// needs equal to its.
				ps, err := paramsOf(k)
				if err != nil {
					return nil, err
				}
				d := policy.Decision{PolicyID: c.Policy.ID, Version: c.Policy.Version, Code: code, AsOf: b.asOf, Active: true,
					Status: verdict, Needs: c.NeedsOf(s, b.asOf, res.NeedNames(pr.Needs[needs[k]-1]))}
				sd, err := policy.NewStoredDecisionParams(&d, c.Policy.Period(b.asOf), ent, ps)
				if err != nil {
					return nil, err
				}
				out = append(out, sd)
				continue
			default:
				continue
			}
			d := c.Evaluate(s, b.asOf)
			if d.Status != verdict || int64(d.AmountFen) != amount {
				return nil, fmt.Errorf("engine: %s for %s: fast path %s with %d fen, reference %s with %d fen",
					c.Policy.ID, code, verdict, amount, d.Status, d.AmountFen)
			}
			if resolved != nil && verdict == policy.VerdictEligible {
				d.Adjust(resolved.Adjustments(k, int32(i)))
			}
			ps, err := paramsOf(k)
			if err != nil {
				return nil, err
			}
			sd, err := policy.NewStoredDecisionParams(&d, c.Policy.Period(b.asOf), ent, ps)
			if err != nil {
				return nil, err
			}
			out = append(out, sd)
		}
	}
	return out, nil
}

// Resolve applies the relations and budgets of pols (res.Policies[k] is
// pols[k]'s) to the eligible rows of res, nil when none is declared:
// bitmaps and amounts in, per-policy adjustments out, no evaluation.
// codes gives a row's credit code (budgets granted in order read it).
func Resolve(pols []*policy.Compiled, res *vector.Result, codes func(row int) string) *policy.Resolution {
	rs := policy.NewResolver(policiesOf(pols))
	if !rs.Active() {
		return nil
	}
	return rs.Resolve(res.Rows, grantsOf(res), codes)
}

// grantsOf lists each policy's eligible rows with their amounts.
func grantsOf(res *vector.Result) []policy.Grants {
	out := make([]policy.Grants, len(res.Policies))
	for k := range res.Policies {
		pr := &res.Policies[k]
		rows := make([]int32, 0, pr.Count)
		for w, x := range pr.Eligible {
			for ; x != 0; x &= x - 1 {
				rows = append(rows, int32(w*64+trailingZeros(x)))
			}
		}
		out[k] = policy.Grants{Rows: rows, Amounts: pr.Amounts}
	}
	return out
}
