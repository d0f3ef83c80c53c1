package sqlstore

import (
	"context"
	"slices"
	"sync"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/space"
)

// Route reads the available units from memory: reading them from SQLite
// on every call took 110 ms for 20,000 available floors (BenchmarkRoute
// measures the kept copy). The copy is the one of the inventory's
// generation (space_generation), which every write of blocks, units,
// holds and allocations raises in its transaction (touchSpace): a Route
// that reads another generation than the copy's reads the units again,
// so that writes by another process are seen too.

// spaceCache is the available units and the blocks as of a generation.
type spaceCache struct {
	mu   sync.Mutex
	snap *spaceSnapshot
}

// spaceSnapshot is never changed once kept: Route copies what it returns.
type spaceSnapshot struct {
	gen    int64
	units  map[space.Kind][]*space.Unit // available, by id
	blocks map[int64]*space.Block       // without boundaries
}

// touchSpace raises the inventory's generation: the transaction changed
// blocks, units, holds or allocations.
func (tx *txn) touchSpace(ctx context.Context) error {
	_, err := tx.exec(ctx, `UPDATE space_generation SET gen = gen + 1 WHERE id = 1`)
	return err
}

// spaceSnapshot returns the available units and blocks as of the
// transaction, from memory when the kept copy is of its generation.
func (s *Store) spaceSnapshot(ctx context.Context, tx *txn) (*spaceSnapshot, error) {
	var gen int64
	if err := tx.queryRow(ctx, `SELECT gen FROM space_generation WHERE id = 1`).Scan(&gen); err != nil {
		return nil, err
	}
	s.space.mu.Lock()
	snap := s.space.snap
	s.space.mu.Unlock()
	if snap != nil && snap.gen == gen {
		return snap, nil
	}
	snap = &spaceSnapshot{gen: gen, units: map[space.Kind][]*space.Unit{}}
	units, err := queryAll(ctx, tx, scanUnit, `SELECT `+unitColumns+unitFrom+` WHERE u.status = 'available' ORDER BY u.id`)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		snap.units[u.Kind] = append(snap.units[u.Kind], u)
	}
	blocks, err := queryAll(ctx, tx, scanBlock, `SELECT b.id, b.code, b.name, b.district_code, b.area_m2, NULL, b.schematic, b.demo FROM space_blocks b`)
	if err != nil {
		return nil, err
	}
	snap.blocks = make(map[int64]*space.Block, len(blocks))
	for _, b := range blocks {
		snap.blocks[b.ID] = b
	}
	if err := blockIndustries(ctx, tx, snap.blocks, true); err != nil {
		return nil, err
	}
	s.space.mu.Lock()
	// A later generation kept meanwhile stays: generations only grow.
	if s.space.snap == nil || s.space.snap.gen < gen {
		s.space.snap = snap
	}
	s.space.mu.Unlock()
	return snap, nil
}

// Route answers needs over the available units of the kind the needs
// get (theirs, or the stored size rule's), with the rule. The candidates'
// blocks come without their boundaries (FindBlockByID has them); the
// units and blocks returned are the caller's to change. EINVALID
// (Needs.Validate).
func (s *Store) Route(ctx context.Context, n space.Needs, limit int) (*space.Routing, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	var out space.Routing
	err := s.db.snapshot(ctx, func(tx *txn) error {
		rule, _, err := findSpaceSettings(ctx, tx)
		if err != nil {
			return err
		}
		snap, err := s.spaceSnapshot(ctx, tx)
		if err != nil {
			return err
		}
		kind := n.Kind
		if kind == "" {
			kind, _ = rule.KindFor(n.InvestmentFen, n.AreaM2)
		}
		out = space.Route(snap.units[kind], snap.blocks, n, rule, limit)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, c := range out.Candidates {
		u := *c.Unit
		u.PriceFen, u.RentFenM2Month = cloneFen(u.PriceFen), cloneFen(u.RentFenM2Month)
		out.Candidates[i].Unit = &u
		if c.Block != nil {
			b := *c.Block
			b.Industries = slices.Clone(c.Block.Industries)
			out.Candidates[i].Block = &b
		}
	}
	if out.Candidates == nil {
		out.Candidates = []space.Candidate{}
	}
	return &out, nil
}

func cloneFen(f *chanye.Fen) *chanye.Fen {
	if f == nil {
		return nil
	}
	x := *f
	return &x
}
