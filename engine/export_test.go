package engine

import (
	"context"

	"github.com/chanye-org/chanye"
)

// SetExplainChunk changes how many enterprises Run reads back at once, for
// tests of many chunks; it returns the restore.
func SetExplainChunk(n int) func() {
	old := explainChunk
	explainChunk = n
	return func() { explainChunk = old }
}

// BaseSnapshot returns the snapshot of the base holding every variable
// that the engine decides on as of asOf, brought up to date as a run's.
func (e *Engine) BaseSnapshot(ctx context.Context, asOf chanye.Date) (string, error) {
	b, err := e.current(ctx, asOf, nil, nil)
	if err != nil {
		return "", err
	}
	return b.snapshotOf(b.cols.Vars()), nil
}

// FreshSnapshot reads the whole base as of asOf, holding every variable,
// and returns its snapshot.
func (e *Engine) FreshSnapshot(ctx context.Context, asOf chanye.Date) (string, error) {
	b, err := e.load(ctx, asOf, nil)
	if err != nil {
		return "", err
	}
	return b.snapshotOf(b.cols.Vars()), nil
}

// Loads is how many times the engine read the whole base.
func (e *Engine) Loads() int64 { return e.loads.Load() }
