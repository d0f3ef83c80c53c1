package sqlstore

import (
	"context"
	"database/sql"
	"iter"
	"slices"

	"github.com/chanye-org/chanye"
)

// scanChunk is how many enterprises a scan reads per query: enough that the
// cost per query vanishes, few enough that memory stays flat. Each chunk
// starts after the last code of the one before (keyset paging), so a scan
// reads every row once, unlike OFFSET paging.
const scanChunk = 5000

// walk reads the filter's selection (paging ignored) in code order, one
// chunk per query, in one read transaction, and hands each chunk to fn:
// the codes, and with full the enterprises without industries and tiers.
// Related rows of a chunk are then read by the range of its codes, which
// the primary keys serve, rather than by a list of thousands of codes.
func (s *Store) walk(ctx context.Context, filter chanye.EnterpriseFilter, full bool,
	fn func(tx *txn, codes []string, es []*chanye.Enterprise) error) error {
	return s.db.transact(ctx, true, func(tx *txn) error {
		where, args := tx.where(filter)
		cols := "e.code"
		if full {
			cols = enterpriseColumns
		}
		chunk := s.chunk
		if chunk == 0 {
			chunk = scanChunk
		}
		st, err := tx.stmt(ctx, `SELECT `+cols+` FROM enterprises e WHERE `+where+` AND e.code > ? ORDER BY e.code LIMIT `+itoa(int64(chunk)))
		if err != nil {
			return err
		}
		codes := make([]string, 0, chunk)
		var es []*chanye.Enterprise
		for after := ""; ; after = codes[len(codes)-1] {
			codes, es = codes[:0], es[:0]
			rows, err := st.QueryContext(ctx, append(args[:len(args):len(args)], after)...)
			if err != nil {
				return err
			}
			if err := readChunk(rows, full, &codes, &es); err != nil {
				return err
			}
			if len(codes) == 0 {
				return nil
			}
			if err := fn(tx, codes, es); err != nil {
				return err
			}
			if len(codes) < chunk {
				return nil
			}
		}
	})
}

func readChunk(rows *sql.Rows, full bool, codes *[]string, es *[]*chanye.Enterprise) error {
	defer rows.Close()
	for rows.Next() {
		if full {
			e, err := scanEnterprise(rows)
			if err != nil {
				return err
			}
			*es = append(*es, e)
			*codes = append(*codes, e.Code)
			continue
		}
		var code string
		if err := rows.Scan(&code); err != nil {
			return err
		}
		*codes = append(*codes, code)
	}
	return rows.Err()
}

// inRange is the condition on a code column for the codes of a chunk.
func inRange(codes []string) (string, []any) {
	return `code >= ? AND code <= ?`, []any{codes[0], codes[len(codes)-1]}
}

// ScanEnterprises calls fn for every enterprise of the filter's selection
// (paging ignored) in code order, with industries and tiers but no facts.
// It returns the first error of fn. The reads form one transaction.
func (s *Store) ScanEnterprises(ctx context.Context, filter chanye.EnterpriseFilter, fn func(*chanye.Enterprise) error) error {
	return s.walk(ctx, filter, true, func(tx *txn, codes []string, es []*chanye.Enterprise) error {
		cond, args := inRange(codes)
		if err := attach(ctx, tx, es, cond, args); err != nil {
			return err
		}
		for _, e := range es {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// ScanCodes calls fn with the code of every enterprise of the filter's
// selection (paging ignored), in code order. It returns the first error of fn.
func (s *Store) ScanCodes(ctx context.Context, filter chanye.EnterpriseFilter, fn func(code string) error) error {
	return s.walk(ctx, filter, false, func(_ *txn, codes []string, _ []*chanye.Enterprise) error {
		for _, c := range codes {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	})
}

// ScanFacts calls fn for every stored report of the enterprises of the
// filter's selection, ordered by code, year and source (the primary key).
// It returns the first error of fn.
func (s *Store) ScanFacts(ctx context.Context, filter chanye.EnterpriseFilter, fn func(*chanye.FactsRecord) error) error {
	selected := make(map[string]bool, scanChunk)
	return s.walk(ctx, filter, false, func(tx *txn, codes []string, _ []*chanye.Enterprise) error {
		clear(selected)
		for _, c := range codes {
			selected[c] = true
		}
		cond, args := inRange(codes)
		return queryFacts(ctx, tx, cond, args, `f.code, f.year, f.source`, func(r *chanye.FactsRecord) error {
			if !selected[r.Code] {
				return nil
			}
			return fn(r)
		})
	})
}

// ScanTiers calls fn for every tier of the enterprises of the filter's
// selection, ordered by code, start date and kind. It returns the first
// error of fn.
func (s *Store) ScanTiers(ctx context.Context, filter chanye.EnterpriseFilter, fn func(*chanye.TierRecord) error) error {
	selected := make(map[string]bool, scanChunk)
	return s.walk(ctx, filter, false, func(tx *txn, codes []string, _ []*chanye.Enterprise) error {
		clear(selected)
		for _, c := range codes {
			selected[c] = true
		}
		cond, args := inRange(codes)
		return queryTiers(ctx, tx, cond, args, func(r *chanye.TierRecord) error {
			if !selected[r.Code] {
				return nil
			}
			return fn(r)
		})
	})
}

// codesChunk is how many codes one query of ScanEnterprisesByCode names:
// under every database's limit on bound parameters.
const codesChunk = 500

// codeArgs yields codes as query arguments, codesChunk at a time; the
// slice is reused between chunks.
func codeArgs(codes []string) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		args := make([]any, 0, codesChunk)
		for chunk := range slices.Chunk(codes, codesChunk) {
			args = args[:0]
			for _, c := range chunk {
				args = append(args, c)
			}
			if !yield(args) {
				return
			}
		}
	}
}

// ScanEnterprisesByCode calls fn for each enterprise of codes that exists,
// in code order, with industries, tiers and facts merged per year (newest
// first), as FindEnterpriseByCode returns it: many enterprises read by
// their keys in one read transaction, a few queries per 500 codes.
func (s *Store) ScanEnterprisesByCode(ctx context.Context, codes []string, fn func(*chanye.Enterprise) error) error {
	sorted := slices.Clone(codes)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	return s.db.transact(ctx, true, func(tx *txn) error {
		for args := range codeArgs(sorted) {
			cond := `code IN (` + inList(len(args)) + `)`
			rows, err := tx.query(ctx, `SELECT `+enterpriseColumns+` FROM enterprises e WHERE e.`+cond+` ORDER BY e.code`, args...)
			if err != nil {
				return err
			}
			var es []*chanye.Enterprise
			var got []string
			if err := readChunk(rows, true, &got, &es); err != nil {
				return err
			}
			if len(es) == 0 {
				continue
			}
			if err := attach(ctx, tx, es, cond, args); err != nil {
				return err
			}
			reports, err := findFacts(ctx, tx, args, false)
			if err != nil {
				return err
			}
			byCode := make(map[string][]*chanye.FactsRecord, len(es))
			for i := 0; i < len(reports); { // grouped by code, whatever the collation
				j := i + 1
				for j < len(reports) && reports[j].Code == reports[i].Code {
					j++
				}
				byCode[reports[i].Code] = reports[i:j]
				i = j
			}
			for _, e := range es {
				e.Facts = mergeByYear(byCode[e.Code])
				if err := fn(e); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// FindNames returns the names of the enterprises of codes that exist, by
// code, read in one transaction, 500 codes a query.
func (s *Store) FindNames(ctx context.Context, codes []string) (map[string]string, error) {
	out := make(map[string]string, len(codes))
	err := s.db.transact(ctx, true, func(tx *txn) error {
		for args := range codeArgs(codes) {
			rows, err := tx.query(ctx, `SELECT code, name FROM enterprises WHERE code IN (`+inList(len(args))+`)`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var code, name string
				if err := rows.Scan(&code, &name); err != nil {
					rows.Close()
					return err
				}
				out[code] = name
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
