package sqlstore

import (
	"context"
	"database/sql"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/uscc"
)

// upsertScopes returns the statement for n scopes (code, scope, source,
// as_of, updated_at). A changed text forgets its words, so that the next
// placement segments it again; an identical row is left untouched.
func upsertScopes(d dialect, n int) string {
	return `INSERT INTO enterprise_scopes (code, scope, source, as_of, updated_at) VALUES ` + placeholders(n, 5) + `
		ON CONFLICT (code) DO UPDATE SET scope = excluded.scope, source = excluded.source, as_of = excluded.as_of,
			updated_at = excluded.updated_at,
			words = CASE WHEN enterprise_scopes.scope = excluded.scope THEN enterprise_scopes.words ELSE '' END,
			vocab = CASE WHEN enterprise_scopes.scope = excluded.scope THEN enterprise_scopes.vocab ELSE 0 END
		WHERE ` + differ(d, "enterprise_scopes", "scope", "source", "as_of")
}

// FindScope returns an enterprise's business scope. ENOTFOUND.
func (s *Store) FindScope(ctx context.Context, code string) (*chanye.Scope, error) {
	code = uscc.Normalize(code)
	var out *chanye.Scope
	err := s.db.transact(ctx, true, func(tx *txn) error {
		var sc chanye.Scope
		var asOf string
		err := tx.queryRow(ctx, `SELECT scope, source, as_of FROM enterprise_scopes WHERE code = ?`, code).Scan(&sc.Text, &sc.Source, &asOf)
		if err == sql.ErrNoRows {
			return chanye.Errorf(chanye.ENOTFOUND, "企业 %s 没有经营范围记录 / no business scope on record", code)
		} else if err != nil {
			return err
		}
		if sc.AsOf, err = parseDate(sql.NullString{String: asOf, Valid: true}); err != nil {
			return err
		}
		out = &sc
		return nil
	})
	return out, err
}

// PutScope stores an enterprise's business scope. ENOTFOUND, EINVALID.
func (s *Store) PutScope(ctx context.Context, code string, sc *chanye.Scope) error {
	if err := sc.Validate(s.db.Now()); err != nil {
		return err
	}
	code = uscc.Normalize(code)
	return s.db.transact(ctx, false, func(tx *txn) error {
		var before *chanye.Scope
		var old chanye.Scope
		var asOf string
		switch err := tx.queryRow(ctx, `SELECT scope, source, as_of FROM enterprise_scopes WHERE code = ?`, code).Scan(&old.Text, &old.Source, &asOf); err {
		case nil:
			old.AsOf, _ = chanye.ParseDate(asOf)
			before = &old
		case sql.ErrNoRows:
			if _, err := findEnterprise(ctx, tx, code); err != nil {
				return err
			}
		default:
			return err
		}
		if _, err := tx.exec(ctx, upsertScopes(tx.db.dialect, 1), code, sc.Text, sc.Source, sc.AsOf.String(), tx.now.UnixMilli()); err != nil {
			return err
		}
		return tx.audit(ctx, "update", "enterprise_scopes", code, before, sc)
	})
}

// ScanScopes calls fn for every scope of the filter's selection, in code
// order.
func (s *Store) ScanScopes(ctx context.Context, filter chanye.EnterpriseFilter, fn func(*chanye.ScopeRecord) error) error {
	return s.walk(ctx, filter, false, func(tx *txn, codes []string, _ []*chanye.Enterprise) error {
		selected := make(map[string]bool, len(codes))
		for _, c := range codes {
			selected[c] = true
		}
		cond, args := inRange(codes)
		rows, err := tx.query(ctx, `SELECT code, scope, source, as_of FROM enterprise_scopes WHERE `+cond+` ORDER BY code`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r chanye.ScopeRecord
			var asOf string
			if err := rows.Scan(&r.Code, &r.Text, &r.Source, &asOf); err != nil {
				return err
			}
			if !selected[r.Code] {
				continue
			}
			if r.AsOf, err = chanye.ParseDate(asOf); err != nil {
				return err
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// PutScope upserts a business scope by code.
func (w *bulkWriter) PutScope(r *chanye.ScopeRecord) error {
	w.counts.Scopes++
	if i, ok := w.scopeKeys[r.Code]; ok {
		w.scopes[i] = *r
		return nil
	}
	w.scopeKeys[r.Code] = len(w.scopes)
	w.scopes = append(w.scopes, *r)
	if len(w.scopes) >= bulkRows {
		return w.flushScopes()
	}
	return nil
}

func (w *bulkWriter) flushScopes() error {
	if len(w.scopes) == 0 {
		return nil
	}
	if err := w.flushEnterprises(); err != nil {
		return err
	}
	args := w.args[:0]
	now := w.tx.now.UnixMilli()
	for _, r := range w.scopes {
		args = append(args, r.Code, r.Text, r.Source, r.AsOf.String(), now)
	}
	d := w.tx.db.dialect
	err := inChunks(w.ctx, w.tx, args, 5, func(n int) string { return upsertScopes(d, n) }, nil)
	w.scopes = w.scopes[:0]
	clear(w.scopeKeys)
	w.args = args[:0]
	return err
}
