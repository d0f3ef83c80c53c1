package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/chain"
)

var _ chain.Service = (*Store)(nil)

// FindChains returns the stored set of chains, an empty one when none is
// stored.
func (s *Store) FindChains(ctx context.Context) (*chain.Set, error) {
	var out *chain.Set
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findChains(ctx, tx)
		return err
	})
	return out, err
}

func findChains(ctx context.Context, tx *txn) (*chain.Set, error) {
	var doc string
	err := tx.queryRow(ctx, `SELECT doc FROM chain_sets WHERE id = 1`).Scan(&doc)
	if err == sql.ErrNoRows {
		return &chain.Set{Sources: []chain.Source{}, Chains: []*chain.Chain{}}, nil
	} else if err != nil {
		return nil, err
	}
	var set chain.Set
	if err := json.Unmarshal([]byte(doc), &set); err != nil {
		return nil, err
	}
	return &set, nil
}

// ImportChains replaces the stored set. EINVALID, EFORBIDDEN.
func (s *Store) ImportChains(ctx context.Context, set *chain.Set) (chain.Imported, error) {
	if err := auth.RequireAdmin(ctx); err != nil {
		return chain.Imported{}, err
	}
	var out chain.Imported
	err := s.db.transact(ctx, false, func(tx *txn) (err error) {
		if out, err = s.storeChains(ctx, tx, set); err != nil {
			return err
		}
		return tx.audit(ctx, "import", "chains", "", nil, out)
	})
	return out, err
}

// PutChain replaces one industry's chain in the stored set. EINVALID.
func (s *Store) PutChain(ctx context.Context, ch *chain.Chain) (chain.Imported, error) {
	var out chain.Imported
	err := s.db.transact(ctx, false, func(tx *txn) error {
		set, err := findChains(ctx, tx)
		if err != nil {
			return err
		}
		if set.City == "" {
			c, err := s.currentCatalog(ctx, tx)
			if err != nil {
				return err
			}
			set.City = c.City.NameZH
		}
		before := set.Chain(ch.IndustryID)
		if before == nil {
			set.Chains = append(set.Chains, ch)
		}
		for i, x := range set.Chains {
			if x.IndustryID == ch.IndustryID {
				set.Chains[i] = ch
			}
		}
		if out, err = s.storeChains(ctx, tx, set); err != nil {
			return err
		}
		return tx.audit(ctx, "update", "chain", ch.IndustryID, before, ch)
	})
	return out, err
}

// EnsureChains stores the set def returns when none is stored, keeping
// only the chains of industries the catalog lists (a city with its own
// catalog starts with the default chains that fit it) and the sources
// they cite. def is called only then: every command opens the store, and
// reading the default set is work a database that has one need not do.
// It reports whether it stored them.
func (s *Store) EnsureChains(ctx context.Context, def func() *chain.Set) (loaded bool, err error) {
	err = s.db.transact(ctx, false, func(tx *txn) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM chain_sets`).Scan(&n); err != nil || n > 0 {
			return err
		}
		c, err := s.currentCatalog(ctx, tx)
		if err != nil {
			return err
		}
		set := def()
		fit := &chain.Set{City: set.City, Note: set.Note}
		cited := map[string]bool{}
		for _, ch := range set.Chains {
			if c.Industry(ch.IndustryID) != nil {
				fit.Chains = append(fit.Chains, ch)
				for _, id := range ch.Sources {
					cited[id] = true
				}
			}
		}
		for _, src := range set.Sources {
			if cited[src.ID] {
				fit.Sources = append(fit.Sources, src)
			}
		}
		if len(fit.Chains) == 0 {
			return nil
		}
		loaded = true
		_, err = s.storeChains(ctx, tx, fit)
		return err
	})
	return loaded && err == nil, err
}

// storeChains checks set against the stored catalog and writes it, with
// its links, in tx. The callers audit.
func (s *Store) storeChains(ctx context.Context, tx *txn, set *chain.Set) (chain.Imported, error) {
	var out chain.Imported
	c, err := s.currentCatalog(ctx, tx)
	if err != nil {
		return out, err
	}
	if err := set.Validate(c); err != nil {
		return out, err
	}
	doc, err := json.Marshal(set)
	if err != nil {
		return out, err
	}
	by := "operator"
	if a := chanye.ActorFrom(ctx); a.Name != "" {
		by = a.Name
	}
	if _, err := tx.exec(ctx, `INSERT INTO chain_sets (id, doc, updated_at, updated_by) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		string(doc), tx.now.UnixMilli(), by); err != nil {
		return out, err
	}
	keep := map[string]bool{}
	for _, ch := range set.Chains {
		out.Chains++
		for i, l := range ch.Links {
			out.Links++
			keep[l.ID] = true
			if _, err := tx.exec(ctx, `INSERT INTO chain_links (id, industry_id, parent, stage, position) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET industry_id = excluded.industry_id, parent = excluded.parent, stage = excluded.stage, position = excluded.position`,
				l.ID, ch.IndustryID, l.Parent, string(l.Stage), i); err != nil {
				return out, err
			}
		}
	}
	rows, err := tx.query(ctx, `SELECT id FROM chain_links`)
	if err != nil {
		return out, err
	}
	var gone []string
	for rows.Next() {
		var lid string
		if err := rows.Scan(&lid); err != nil {
			rows.Close()
			return out, err
		}
		if !keep[lid] {
			gone = append(gone, lid)
		}
	}
	if err := rows.Close(); err != nil {
		return out, err
	}
	for _, lid := range gone {
		if _, err := tx.exec(ctx, `DELETE FROM chain_links WHERE id = ?`, lid); err != nil {
			return out, err
		}
	}
	out.Removed = len(gone)
	return out, nil
}

// pruneChains removes from the stored set the chains of industries c does
// not list, with their links and the sources no chain cites any more, for
// a catalog import; it returns how many chains it removed.
func pruneChains(ctx context.Context, tx *txn, c *chanye.Catalog) (int, error) {
	set, err := findChains(ctx, tx)
	if err != nil || len(set.Chains) == 0 {
		return 0, err
	}
	kept := set.Chains[:0]
	cited := map[string]bool{}
	var gone []any
	for _, ch := range set.Chains {
		if c.Industry(ch.IndustryID) == nil {
			gone = append(gone, ch.IndustryID)
			continue
		}
		kept = append(kept, ch)
		for _, id := range ch.Sources {
			cited[id] = true
		}
	}
	if len(gone) == 0 {
		return 0, nil
	}
	set.Chains = kept
	sources := set.Sources[:0]
	for _, src := range set.Sources {
		if cited[src.ID] {
			sources = append(sources, src)
		}
	}
	set.Sources = sources
	doc, err := json.Marshal(set)
	if err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `UPDATE chain_sets SET doc = ?, updated_at = ? WHERE id = 1`, string(doc), tx.now.UnixMilli()); err != nil {
		return 0, err
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(gone)), ",")
	if _, err := tx.exec(ctx, `DELETE FROM chain_links WHERE industry_id IN (`+in+`)`, gone...); err != nil {
		return 0, err
	}
	return len(gone), nil
}
