package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// Config is what the engine reads and writes through.
type Config struct {
	Catalog     chanye.CatalogService
	Enterprises chanye.EnterpriseService
	Versions    policy.VersionService // the policies to decide
	Runs        policy.RunService     // where runs are stored and decisions read back
	// Budgets, when set, gives a simulation's budget line what is
	// approved and paid already (policy.LedgerService.FindBudgetUse).
	Budgets interface {
		FindBudgetUse(ctx context.Context, policyID string, period int) (*policy.BudgetUse, error)
	}
	// Inputs reads the declared inputs' values (key projects, accepted
	// applications); nil: none, every declared input is unknown.
	Inputs policy.InputService
	Logger *slog.Logger
	Now    func() time.Time
	// Snapshots, when set, keeps the last base between processes: a run
	// stores the base it decided on, and the next process refreshes it
	// instead of reading the whole base (see resident.go).
	Snapshots BaseStore
	// Sharded, when set, is how Run runs: it starts a run decided shard
	// by shard by workers beside the data (shardrun.Start) and returns it
	// incomplete, its parts still to come.
	Sharded func(ctx context.Context, asOf chanye.Date) (*policy.Run, error)
}

// Engine decides policies for the enterprise base. It holds compiled
// policy versions (which never change once stored) and the last base it
// built, brought up to date with every stamped change before each use
// (resident.go); it is safe for concurrent use.
type Engine struct {
	cfg Config

	mu       sync.Mutex
	compiled map[versionKey]*policy.Compiled

	// resMu guards res, the last base built. A base is never changed once
	// built: runs and simulations share it while the next is built.
	resMu sync.Mutex
	res   *base
	loads atomic.Int64 // whole reads of the base, for the tests
}

type versionKey struct {
	id      string
	version int
}

// New returns an engine over the given services.
func New(cfg Config) *Engine {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Engine{cfg: cfg, compiled: map[versionKey]*policy.Compiled{}}
}

// compile returns the compiled form of a stored version, cached: a stored
// version's source never changes.
func (e *Engine) compile(v *policy.Version) (*policy.Compiled, error) {
	k := versionKey{v.PolicyID, v.Version}
	e.mu.Lock()
	c, ok := e.compiled[k]
	e.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := policy.Compile(v.Policy)
	if err != nil {
		return nil, fmt.Errorf("policy %s v%d: %w", v.PolicyID, v.Version, err)
	}
	e.mu.Lock()
	e.compiled[k] = c
	e.mu.Unlock()
	return c, nil
}

// published returns every published policy version, compiled, by id.
func (e *Engine) published(ctx context.Context) ([]*policy.Compiled, error) {
	st := policy.StatusPublished
	var out []*policy.Compiled
	err := chanye.EachPage(1000, func(off, limit int) ([]*policy.Version, int, error) {
		return e.cfg.Versions.FindPolicies(ctx, policy.VersionFilter{Status: &st, Offset: off, Limit: limit})
	}, func(vs []*policy.Version) error {
		for _, v := range vs {
			c, err := e.compile(v)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// version returns a stored version compiled; version 0 is the published one.
func (e *Engine) version(ctx context.Context, id string, version int) (*policy.Compiled, error) {
	v, err := e.cfg.Versions.FindPolicyVersion(ctx, id, version)
	if err != nil {
		return nil, err
	}
	return e.compile(v)
}

// The days a decision may be taken as of. A run is stored, publicised and
// paid: it decides on facts known today, so not after today. A simulation
// or an explanation writes nothing and may look ahead, to a policy year
// about to start, up to MaxAheadDays. Nothing may go back before MinAsOf:
// no enterprise fact or policy of chanye's is older, and an earlier date
// is a typo (so is 9999-12-31).
var (
	MinAsOf      = chanye.Date{Time: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
	MaxAheadDays = 366
)

// asOfOrToday returns d, or today when d is zero, after checking it lies
// from MinAsOf to ahead days after today. EINVALID names as_of.
func (e *Engine) asOfOrToday(d chanye.Date, ahead int) (chanye.Date, error) {
	today := chanye.DateOf(e.cfg.Now())
	if d.IsZero() {
		return today, nil
	}
	last := chanye.Date{Time: today.AddDate(0, 0, ahead)}
	var zh, en string
	switch {
	case d.Before(MinAsOf.Time):
		zh, en = fmt.Sprintf("不能早于 %s", MinAsOf), fmt.Sprintf("must not be before %s", MinAsOf)
	case d.After(last.Time) && ahead == 0:
		zh, en = fmt.Sprintf("不能晚于今天 %s", today), fmt.Sprintf("must not be after today, %s", today)
	case d.After(last.Time):
		zh, en = fmt.Sprintf("至多为今天后 %d 天（%s）", ahead, last), fmt.Sprintf("must be at most %d days after today (%s)", ahead, last)
	default:
		return d, nil
	}
	return d, chanye.NewError(chanye.EINVALID, fmt.Sprintf("基准日 %s %s / the as-of date %s %s", d, zh, d, en), map[string]string{"as_of": zh + " / " + en})
}

// inputs reads the declared inputs' values of the enterprises codes (all
// when none is named), or none without an InputService.
func (e *Engine) inputs(ctx context.Context, codes ...string) (map[string]*policy.Inputs, error) {
	if e.cfg.Inputs == nil {
		return map[string]*policy.Inputs{}, nil
	}
	return e.cfg.Inputs.FindInputs(ctx, codes...)
}

// subject is ent as the rules see it on day asOf, with its declared
// inputs read.
func (e *Engine) subject(ctx context.Context, ent *chanye.Enterprise, asOf chanye.Date) (policy.Subject, error) {
	ins, err := e.inputs(ctx, ent.Code)
	if err != nil {
		return policy.Subject{}, err
	}
	return policy.NewSubject(ent, asOf).WithInputs(ins[ent.Code]), nil
}
