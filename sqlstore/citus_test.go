package sqlstore

import (
	"slices"
	"strings"
	"testing"
)

// TestCitusStatements checks the calls that place the tables on Citus:
// reference tables first, each table once, those already placed skipped.
func TestCitusStatements(t *testing.T) {
	all := citusStatements(nil)
	want := map[string]string{
		"industries":                `SELECT create_reference_table('industries')`,
		"policy_runs":               `SELECT create_reference_table('policy_runs')`,
		"enterprises":               `SELECT create_distributed_table('enterprises', 'code', colocate_with => 'none')`,
		"policy_decisions":          `SELECT create_distributed_table('policy_decisions', 'code', colocate_with => 'enterprises')`,
		"policy_application_values": `SELECT create_distributed_table('policy_application_values', 'code', colocate_with => 'enterprises')`,
	}
	for table, q := range want {
		if !slices.Contains(all, q) {
			t.Errorf("%s: no statement %s", table, q)
		}
	}
	var refs, dists int
	for i, q := range all {
		switch {
		case strings.Contains(q, "create_reference_table"):
			refs++
			if dists > 0 {
				t.Errorf("statement %d, %s, follows a distributed table", i, q)
			}
		case strings.Contains(q, "create_distributed_table"):
			dists++
		default:
			t.Errorf("statement %d: %s", i, q)
		}
		if strings.Contains(q, "'users'") || strings.Contains(q, "'audit_log'") {
			t.Errorf("a coordinator table is placed: %s", q)
		}
	}
	var wantRefs, wantDists int
	for _, p := range citusPlan {
		switch p.kind {
		case citusReference:
			wantRefs++
		case citusDistributed:
			wantDists++
		}
	}
	if refs != wantRefs || dists != wantDists {
		t.Errorf("got %d reference and %d distributed tables, want %d and %d", refs, dists, wantRefs, wantDists)
	}

	done := map[string]bool{"industries": true, "enterprises": true}
	rest := citusStatements(done)
	if len(rest) != len(all)-2 {
		t.Errorf("with two tables placed: %d statements, want %d", len(rest), len(all)-2)
	}
	for _, q := range rest {
		if strings.Contains(q, "('industries'") || strings.Contains(q, "('enterprises'") {
			t.Errorf("a placed table is placed again: %s", q)
		}
	}
	if got := citusStatements(placedAll()); len(got) != 0 {
		t.Errorf("everything placed: got %v, want nothing", got)
	}
}

func placedAll() map[string]bool {
	done := map[string]bool{}
	for _, p := range citusPlan {
		done[p.name] = true
	}
	return done
}

// TestCitusPlanNamesEveryTable checks that citusPlan places every table of
// the migrated schema, and no other, on both databases: a new table fails
// here, by name, until it is placed.
func TestCitusPlanNamesEveryTable(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		q := `SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')`
		if db.dialect.name == "sqlite" {
			// Less the FTS5 search tables (0022) and their shadow tables.
			q = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
				AND name NOT LIKE 'search\_%' ESCAPE '\' UNION SELECT 'search_docs'`
		}
		tables := map[string]bool{}
		for _, name := range queryStrings(t, db, q) {
			tables[name] = true
		}
		planned := map[string]bool{}
		for _, p := range citusPlan {
			if planned[p.name] {
				t.Errorf("%s: placed twice", p.name)
			}
			planned[p.name] = true
			if !tables[p.name] {
				t.Errorf("%s: placed by citusPlan but not in the schema", p.name)
			}
		}
		for name := range tables {
			if !planned[name] {
				t.Errorf("%s: not placed by citusPlan (sqlstore/citus.go): distributed by code, reference or coordinator?", name)
			}
		}
	})
}

func queryStrings(t *testing.T, db *DB, q string) []string {
	t.Helper()
	rows, err := db.db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
