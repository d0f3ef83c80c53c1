package sqlstore

import (
	"context"
	"database/sql"
	"regexp"
	"strings"

	"github.com/chanye-org/chanye/search"
	"github.com/chanye-org/chanye/uscc"
)

// The search index (migration 0022): search_docs names each record, and
// its terms (package search) are a tsvector on PostgreSQL and a row of
// the kind's contentless FTS5 table on SQLite. Every write of an
// enterprise's name, a project's name or a policy version's titles calls
// indexDocs in its own transaction.

var _ search.Service = (*Store)(nil)

// searchDoc is one record to index.
type searchDoc struct {
	ref     string
	version int
	text    string
	// fresh says the record is new to the index, so that SQLite need not
	// delete terms it never had.
	fresh bool
}

// ftsTable is the SQLite FTS5 table of a kind.
func ftsTable(kind search.Kind) string { return "search_" + string(kind) }

// tsvectorText is terms in PostgreSQL's tsvector input form: each lexeme
// quoted, taken verbatim.
func tsvectorText(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('\'')
		b.WriteString(strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(t))
		b.WriteByte('\'')
	}
	return b.String()
}

// indexDocs writes the terms of docs of one kind, replacing those they had.
func indexDocs(ctx context.Context, tx *txn, kind search.Kind, docs []searchDoc) error {
	if len(docs) == 0 {
		return nil
	}
	if tx.db.dialect.name == "postgres" {
		args := make([]any, 0, 4*len(docs))
		for _, d := range docs {
			args = append(args, string(kind), d.ref, d.version, tsvectorText(search.Terms(d.text)))
		}
		return inChunks(ctx, tx, args, 4, func(n int) string {
			return `INSERT INTO search_docs (kind, ref, version, terms) VALUES ` +
				strings.TrimSuffix(strings.Repeat(`(?, ?, ?, CAST(? AS tsvector)),`, n), ",") + `
				ON CONFLICT (kind, ref, version) DO UPDATE SET terms = excluded.terms
				WHERE search_docs.terms IS DISTINCT FROM excluded.terms`
		}, nil)
	}
	// SQLite: the ids of the records, then their old terms out and the new
	// ones in.
	type docKey struct {
		ref     string
		version int
	}
	args := make([]any, 0, 3*len(docs))
	for _, d := range docs {
		args = append(args, string(kind), d.ref, d.version)
	}
	ids := make(map[docKey]int64, len(docs))
	err := inChunks(ctx, tx, args, 3, func(n int) string {
		return `INSERT INTO search_docs (kind, ref, version) VALUES ` + placeholders(n, 3) + `
			ON CONFLICT (kind, ref, version) DO UPDATE SET version = excluded.version
			RETURNING id, ref, version`
	}, func(rows *sql.Rows) error {
		for rows.Next() {
			var k docKey
			var id int64
			if err := rows.Scan(&id, &k.ref, &k.version); err != nil {
				return err
			}
			ids[k] = id
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	var stale []any
	terms := make([]any, 0, 2*len(docs))
	for _, d := range docs {
		id := ids[docKey{d.ref, d.version}]
		if !d.fresh {
			stale = append(stale, id)
		}
		terms = append(terms, id, strings.Join(search.Terms(d.text), " "))
	}
	table := ftsTable(kind)
	err = inChunks(ctx, tx, stale, 1, func(n int) string {
		return `DELETE FROM ` + table + ` WHERE rowid IN (` + inList(n) + `)`
	}, nil)
	if err != nil {
		return err
	}
	return inChunks(ctx, tx, terms, 2, func(n int) string {
		return `INSERT INTO ` + table + ` (rowid, terms) VALUES ` + placeholders(n, 2)
	}, nil)
}

// policyText is what a policy version is found by.
func policyText(id, titleZH, titleEN, document string) string {
	return titleZH + " " + titleEN + " " + document + " " + id
}

// reindexRows is how many records reindex reads per query.
const reindexRows = 5000

// reindex rebuilds the whole index from the enterprises, projects and
// policy versions, in tx, reading each table a page at a time by its key.
func reindex(ctx context.Context, tx *txn) error {
	if _, err := tx.exec(ctx, `DELETE FROM search_docs`); err != nil {
		return err
	}
	if tx.db.dialect.name == "sqlite" {
		for _, k := range search.Kinds {
			if _, err := tx.exec(ctx, `INSERT INTO `+ftsTable(k)+` (`+ftsTable(k)+`) VALUES ('delete-all')`); err != nil {
				return err
			}
		}
	}
	pages := []struct {
		kind  search.Kind
		query string // the next page after the key ?
	}{
		{search.Enterprises, `SELECT code, name, '', '', 0 FROM enterprises WHERE code > ? ORDER BY code LIMIT ` + itoa(reindexRows)},
		{search.Projects, `SELECT id, name, '', '', 0 FROM projects WHERE id > ? ORDER BY id LIMIT ` + itoa(reindexRows)},
		// Policy versions are few: one page.
		{search.Policies, `SELECT policy_id, title_zh, title_en, document, version FROM policy_versions WHERE policy_id > ? ORDER BY policy_id, version`},
	}
	for _, p := range pages {
		after := ""
		for {
			rows, err := tx.query(ctx, p.query, after)
			if err != nil {
				return err
			}
			var docs []searchDoc
			for rows.Next() {
				var ref, name, en, doc string
				var version int
				if err := rows.Scan(&ref, &name, &en, &doc, &version); err != nil {
					rows.Close()
					return err
				}
				text := name
				if p.kind == search.Policies {
					text = policyText(ref, name, en, doc)
				}
				docs = append(docs, searchDoc{ref: ref, version: version, text: text, fresh: true})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if err := indexDocs(ctx, tx, p.kind, docs); err != nil {
				return err
			}
			if len(docs) < reindexRows || p.kind == search.Policies {
				break
			}
			after = docs[len(docs)-1].ref
		}
	}
	// The planner's statistics of the terms (see Bulk).
	return analyze(ctx, tx, "search_docs")
}

// Reindex rebuilds the search index from the records, in one transaction:
// for a database whose index was lost or written by hand. The index is
// kept by every write otherwise.
func (s *Store) Reindex(ctx context.Context) error {
	return s.db.transact(ctx, false, func(tx *txn) error { return reindex(ctx, tx) })
}

// matchText is the parsed query as the dialect's full-text query: FTS5
// strings ("广汽" "汽车" "广"*) or a tsquery ('广汽' & '汽车' & '广':*).
func (d dialect) matchText(p search.Parsed) string {
	parts := make([]string, len(p.Terms))
	for i, t := range p.Terms {
		if d.name == "sqlite" {
			parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
			if p.Prefix[i] {
				parts[i] += "*"
			}
		} else {
			parts[i] = tsvectorText([]string{t})
			if p.Prefix[i] {
				parts[i] += ":*"
			}
		}
	}
	if d.name == "sqlite" {
		return strings.Join(parts, " ")
	}
	return strings.Join(parts, " & ")
}

// matching is the FROM and WHERE of the search_docs rows (alias d) of kind
// whose terms match one argument, the text of matchText.
func (d dialect) matching(kind search.Kind) (from, cond string) {
	if d.name == "sqlite" {
		t := ftsTable(kind)
		return t + ` JOIN search_docs d ON d.id = ` + t + `.rowid`, t + ` MATCH ?`
	}
	return `search_docs d`, `d.kind = '` + string(kind) + `' AND d.terms @@ CAST(? AS tsquery)`
}

// codePrefix is a query that may be the start of a credit code.
var codePrefix = regexp.MustCompile(`^[0-9A-Z]{6,18}$`)

// Search answers a query: see search.Service. A valid credit code finds
// its enterprise and that enterprise's projects by key; a query that may
// start a code also finds codes that start with it.
func (s *Store) Search(ctx context.Context, f search.Filter) (*search.Results, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	q := strings.TrimSpace(f.Q)
	p := search.Query(q)
	code := uscc.Normalize(q)
	isCode := uscc.Validate(code) == nil
	out := &search.Results{Query: q, Groups: []search.Group{}}
	err := s.db.transact(ctx, true, func(tx *txn) error {
		match := tx.db.dialect.matchText(p)
		for _, kind := range search.Kinds {
			if !f.Wants(kind) {
				continue
			}
			var (
				hits []search.Hit
				err  error
			)
			switch kind {
			case search.Enterprises:
				hits, err = searchEnterprises(ctx, tx, f, p, match, code, isCode)
			case search.Projects:
				hits, err = searchProjects(ctx, tx, f, p, match, code, isCode)
			case search.Policies:
				hits, err = searchPolicies(ctx, tx, f, p, match)
			}
			if err != nil {
				return err
			}
			if hits == nil {
				hits = []search.Hit{}
			}
			search.Rank(hits)
			g := search.Group{Kind: kind, Hits: hits, More: len(hits) > f.Limit}
			if g.More {
				g.Hits = hits[:f.Limit]
			}
			out.Groups = append(out.Groups, g)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// collect runs query and adds a hit per row, made by scan, unless its key
// was seen.
func collect(ctx context.Context, tx *txn, seen map[string]bool, hits []search.Hit, scan func(rows *sql.Rows) (search.Hit, error), query string, args ...any) ([]search.Hit, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		h, err := scan(rows)
		if err != nil {
			return nil, err
		}
		if !seen[h.Key] {
			seen[h.Key] = true
			hits = append(hits, h)
		}
	}
	return hits, rows.Err()
}

func searchEnterprises(ctx context.Context, tx *txn, f search.Filter, p search.Parsed, match, code string, isCode bool) ([]search.Hit, error) {
	codeLike := isCode || codePrefix.MatchString(code)
	scope, scopeArgs := "", []any{}
	if f.EnterpriseCode != nil {
		scope, scopeArgs = ` AND e.code = ?`, []any{*f.EnterpriseCode}
	}
	scan := func(rows *sql.Rows) (search.Hit, error) {
		h := search.Hit{Kind: search.Enterprises}
		err := rows.Scan(&h.Key, &h.Name)
		h.Match = search.MatchOf(p, h.Name)
		if h.Key == code {
			h.Match = search.MatchExact
		} else if codeLike && strings.HasPrefix(h.Key, code) && h.Match != search.MatchExact {
			h.Match = search.MatchPrefix
		}
		return h, err
	}
	seen := map[string]bool{}
	var hits []search.Hit
	var err error
	// A code, or the start of one, by the primary key.
	if codeLike {
		hits, err = collect(ctx, tx, seen, hits, scan, `SELECT e.code, e.name FROM enterprises e
			WHERE e.code >= ? AND e.code < ?`+scope+` ORDER BY e.code LIMIT `+itoa(search.Candidates),
			append([]any{code, code + "~"}, scopeArgs...)...)
		if err != nil || isCode {
			return hits, err
		}
	}
	from, cond := tx.db.dialect.matching(search.Enterprises)
	if f.EnterpriseCode != nil {
		// One enterprise: found by its key first, then matched.
		return collect(ctx, tx, seen, hits, scan, `SELECT e.code, e.name FROM `+from+` JOIN enterprises e ON e.code = d.ref
			WHERE d.kind = 'enterprise' AND d.ref = ? AND d.version = 0 AND `+cond, *f.EnterpriseCode, match)
	}
	return collect(ctx, tx, seen, hits, scan, `SELECT e.code, e.name FROM `+from+` JOIN enterprises e ON e.code = d.ref
		WHERE `+cond+` LIMIT `+itoa(search.Candidates), match)
}

func searchProjects(ctx context.Context, tx *txn, f search.Filter, p search.Parsed, match, code string, isCode bool) ([]search.Hit, error) {
	scope, scopeArgs := "", []any{}
	if f.ProjectOwner != nil {
		scope, scopeArgs = ` AND p.owner_code = ?`, []any{*f.ProjectOwner}
	}
	scan := func(rows *sql.Rows) (search.Hit, error) {
		h := search.Hit{Kind: search.Projects}
		err := rows.Scan(&h.Key, &h.Name, &h.Detail)
		h.Match = search.MatchOf(p, h.Name)
		if isCode && h.Detail == code || search.MatchOf(p, h.Key) == search.MatchExact {
			h.Match = search.MatchExact
		}
		return h, err
	}
	seen := map[string]bool{}
	var hits []search.Hit
	var err error
	if isCode {
		// A credit code finds the projects its enterprise owns.
		hits, err = collect(ctx, tx, seen, hits, scan, `SELECT p.id, p.name, p.owner_code FROM projects p
			WHERE p.owner_code = ?`+scope+` ORDER BY p.id LIMIT `+itoa(search.Candidates), append([]any{code}, scopeArgs...)...)
		if err != nil {
			return nil, err
		}
	}
	from, cond := tx.db.dialect.matching(search.Projects)
	return collect(ctx, tx, seen, hits, scan, `SELECT p.id, p.name, p.owner_code FROM `+from+` JOIN projects p ON p.id = d.ref
		WHERE `+cond+scope+` LIMIT `+itoa(search.Candidates), append([]any{match}, scopeArgs...)...)
}

func searchPolicies(ctx context.Context, tx *txn, f search.Filter, p search.Parsed, match string) ([]search.Hit, error) {
	scope := ""
	if f.PublishedOnly {
		scope = ` AND v.status IN ('published', 'retired')`
	}
	from, cond := tx.db.dialect.matching(search.Policies)
	rows, err := tx.query(ctx, `SELECT v.policy_id, v.version, v.status, v.title_zh, v.title_en, v.document
		FROM `+from+` JOIN policy_versions v ON v.policy_id = d.ref AND v.version = d.version
		WHERE `+cond+scope+` LIMIT `+itoa(search.Candidates), match)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// One hit per policy: its newest version that matches.
	best := map[string]int{}
	var hits []search.Hit
	for rows.Next() {
		h := search.Hit{Kind: search.Policies}
		if err := rows.Scan(&h.Key, &h.Version, &h.Status, &h.Name, &h.NameEN, &h.Detail); err != nil {
			return nil, err
		}
		h.Match = search.MatchTerms
		for _, t := range []string{h.Name, h.NameEN, h.Detail, h.Key} {
			if m := search.MatchOf(p, t); search.Better(m, h.Match) {
				h.Match = m
			}
		}
		if i, ok := best[h.Key]; !ok {
			best[h.Key] = len(hits)
			hits = append(hits, h)
		} else if h.Version > hits[i].Version {
			hits[i] = h
		}
	}
	return hits, rows.Err()
}
