package sqlstore

import (
	"context"
	"slices"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/space"
)

// FindBlockUse returns the use of every block the filter selects (its
// paging ignored: the ranking is over all of them) as of today: their
// units with the allocations active today, the latest year's registry
// figures of the firms on their land (revenue as output, tax paid; the
// registry has no value added, so the value added per 亩 is unknown) and
// the stored thresholds, summed by space.Use. All is read in one
// snapshot. ErrOverflow (EINVALID) when a sum leaves the int64 range.
func (s *Store) FindBlockUse(ctx context.Context, f space.BlockFilter) ([]*space.BlockUse, error) {
	var out []*space.BlockUse
	err := s.db.snapshot(ctx, func(tx *txn) error {
		today := chanye.DateOf(tx.now)
		_, th, err := findSpaceSettings(ctx, tx)
		if err != nil {
			return err
		}
		w := blockWhere(f.DistrictCode, f.IndustryID)
		blocks, err := queryAll(ctx, tx, scanBlock, `SELECT `+blockColumns+` FROM space_blocks b`+w.String()+` ORDER BY b.code`, w.args...)
		if err != nil {
			return err
		}
		byID := make(map[int64]*space.Block, len(blocks))
		for _, b := range blocks {
			byID[b.ID] = b
		}
		if err := blockIndustries(ctx, tx, byID, true); err != nil {
			return err
		}
		units, err := queryAll(ctx, tx, scanUnit, `SELECT `+unitColumns+unitFrom+w.String()+` ORDER BY u.id`, w.args...)
		if err != nil {
			return err
		}
		aw := w
		aw.conds, aw.args = append(slices.Clone(w.conds), "a.ended = 0"), slices.Clone(w.args)
		allocs, err := queryAll(ctx, tx, scanAllocation, `SELECT `+allocColumns+allocFrom+` JOIN space_units u ON u.id = a.unit_id
			JOIN space_blocks b ON b.id = u.block_id`+aw.String()+` ORDER BY a.id`, aw.args...)
		if err != nil {
			return err
		}
		active := map[int64][]*space.Allocation{}
		for _, a := range allocs {
			if a.Active(today) {
				active[a.UnitID] = append(active[a.UnitID], a)
			}
		}
		states := make([]space.UnitState, len(units))
		var codes []any
		seen := map[string]bool{}
		for i, u := range units {
			states[i] = space.UnitState{Unit: u, Active: active[u.ID]}
			if u.Kind != space.Land {
				continue
			}
			for _, a := range active[u.ID] {
				if !seen[a.Code] {
					seen[a.Code] = true
					codes = append(codes, a.Code)
				}
			}
		}
		figures, err := landFigures(ctx, tx, codes)
		if err != nil {
			return err
		}
		out, err = space.Use(blocks, states, figures, th, today)
		return err
	})
	if out == nil {
		out = []*space.BlockUse{}
	}
	return out, err
}

// landFigures reads the latest year's figures of the firms of codes, by
// code: the reports of that year merged (chanye.MergeFacts). A firm
// without any report has none; value added is never known.
func landFigures(ctx context.Context, tx *txn, codes []any) (map[string]space.Figures, error) {
	out := make(map[string]space.Figures, len(codes))
	for chunk := range slices.Chunk(codes, codesChunk) {
		recs, err := findFacts(ctx, tx, chunk, true)
		if err != nil {
			return nil, err
		}
		// findFacts orders by code: each run of one code is one firm's.
		for i := 0; i < len(recs); {
			j := i
			var reports []*chanye.Facts
			for ; j < len(recs) && recs[j].Code == recs[i].Code; j++ {
				reports = append(reports, &recs[j].Facts)
			}
			if m := chanye.MergeFacts(reports); m != nil {
				out[recs[i].Code] = space.Figures{Revenue: m.Revenue, Tax: m.TaxPaid, ValueAdded: m.ValueAdded}
			}
			i = j
		}
	}
	return out, nil
}
