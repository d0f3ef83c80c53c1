package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCitusPlan checks the migrated PostgreSQL schema against the rules
// Citus sets for citusPlan: a distributed table has its distribution
// column, of one type for the whole co-location group, and every primary
// key and unique index includes it; a foreign key between distributed
// tables pairs their distribution columns; a reference or coordinator table
// refers to no distributed one, and a reference table to reference tables
// only; the plan names a table after those it refers to.
func TestCitusPlan(t *testing.T) {
	db := openTestDB(t, migratedPostgres(t, postgresDSN(t)))
	ctx := context.Background()

	plan := map[string]citusTable{}
	pos := map[string]int{}
	for i, p := range citusPlan {
		plan[p.name], pos[p.name] = p, i
	}
	// The distribution column's number and type, per distributed table.
	attnum := map[string]int{}
	for _, p := range citusPlan {
		if p.kind != citusDistributed {
			continue
		}
		var n int
		var typ string
		err := db.db.QueryRowContext(ctx, `SELECT a.attnum, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
			WHERE a.attrelid = $1::regclass AND a.attname = $2 AND NOT a.attisdropped`, p.name, p.column).Scan(&n, &typ)
		if err != nil {
			t.Errorf("%s: no distribution column %s: %v", p.name, p.column, err)
			continue
		}
		attnum[p.name] = n
		if typ != "text" {
			t.Errorf("%s.%s is %s, want text like every column of the co-location group", p.name, p.column, typ)
		}
		if p.colocate != "none" && plan[p.colocate].kind != citusDistributed {
			t.Errorf("%s: co-located with %q, not a distributed table", p.name, p.colocate)
		}
	}

	// Every primary key and unique index of a distributed table includes
	// its distribution column.
	rows, err := db.db.QueryContext(ctx, `SELECT t.relname, c.relname, i.indkey::text FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
		WHERE t.relnamespace = current_schema()::regnamespace AND i.indisunique ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, index, keys string
		if err := rows.Scan(&table, &index, &keys); err != nil {
			t.Fatal(err)
		}
		p := plan[table]
		if p.kind != citusDistributed {
			continue
		}
		if !slices.Contains(attnums(t, keys, " "), attnum[table]) {
			t.Errorf("%s: unique index %s lacks the distribution column %s", table, index, p.column)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	// Foreign keys.
	rows, err = db.db.QueryContext(ctx, `SELECT c.conname, t.relname, r.relname, c.conkey::text, c.confkey::text FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace ORDER BY 2, 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, from, to, keys, refs string
		if err := rows.Scan(&name, &from, &to, &keys, &refs); err != nil {
			t.Fatal(err)
		}
		a, b := plan[from], plan[to]
		switch {
		case a.kind == citusDistributed && b.kind == citusDistributed:
			i := slices.Index(attnums(t, strings.Trim(keys, "{}"), ","), attnum[from])
			j := slices.Index(attnums(t, strings.Trim(refs, "{}"), ","), attnum[to])
			if i < 0 || i != j {
				t.Errorf("%s: foreign key %s to %s does not pair their distribution columns", from, name, to)
			}
			if colocation(plan, a) != colocation(plan, b) {
				t.Errorf("%s: foreign key %s to %s, which is not co-located with it", from, name, to)
			}
		case a.kind == citusDistributed && b.kind == citusLocal:
			t.Errorf("%s: distributed, with foreign key %s to the coordinator table %s", from, name, to)
		case a.kind != citusDistributed && b.kind == citusDistributed:
			t.Errorf("%s: %s table with foreign key %s to the distributed table %s", from, a.kind, name, to)
		case a.kind == citusReference && b.kind != citusReference:
			t.Errorf("%s: reference table with foreign key %s to the %s table %s", from, name, b.kind, to)
		}
		if a.kind == b.kind && a.kind != citusLocal && from != to && pos[to] > pos[from] {
			t.Errorf("%s: placed before %s, which its foreign key %s refers to", from, to, name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// colocation names the co-location group of a distributed table: the
// table that began it.
func colocation(plan map[string]citusTable, p citusTable) string {
	for i := 0; p.colocate != "none" && i < len(plan); i++ {
		p = plan[p.colocate]
	}
	return p.name
}

// attnums parses a list of column numbers separated by sep.
func attnums(t *testing.T, list, sep string) []int {
	t.Helper()
	var out []int
	for _, f := range strings.Split(list, sep) {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			t.Fatalf("column numbers %q: %v", list, err)
		}
		out = append(out, n)
	}
	return out
}

// TestCitusKeysMigration stores applications and requests with what hangs
// off them as migration 0040 finds them, then runs it: every row it gives a
// code has its parent's, and on PostgreSQL a row written without one fails.
func TestCitusKeysMigration(t *testing.T) {
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "chanye.db")}
	if dsn := os.Getenv("CHANYE_TEST_POSTGRES"); dsn != "" {
		dsns["postgres"] = postgresSchema(t, dsn)
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, err := Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.migrate(ctx, "0038_value_added.sql"); err != nil {
				t.Fatal(err)
			}
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := db.db.ExecContext(ctx, db.dialect.rebind(q), args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(`INSERT INTO policy_versions (policy_id, version, status, source, title_zh, title_en, document, created_at, created_by)
				VALUES ('p', 1, 'published', '', '政策', 'policy', '', 0, 'test')`)
			exec(`INSERT INTO request_issues (category_id, industry_id, link_id, task_force, firms, raised_at, solved_at, note)
				VALUES ('permit', '', '', '', 2, 0, 0, '')`)
			// Two firms, their rows interleaved so that ids and codes differ.
			for i := range 2 {
				c := code(t, i+1)
				exec(`INSERT INTO enterprises (code, name, district_code, industry_class, founded, created_at, updated_at)
					VALUES (?, '企业', '440106', '3612', '2020-01-01', 0, 0)`, c)
				exec(`INSERT INTO policy_applications (policy_id, version, code, status, review_days, created_at, created_by, updated_at)
					VALUES ('p', 1, ?, 'draft', 10, 0, 'test', 0)`, c)
				exec(`INSERT INTO requests (code, industry_id, category_id, title, description, channel, external_source, external_ref,
					status, department, task_force, escalation, reopened, answer, rating, yellow_per_mille, received_at, clock_start,
					acknowledge_due, answer_due, close_due, acknowledged_at, answered_at, confirm_due, closed_at, closed_by, created_by)
					VALUES (?, '', 'permit', '诉求', '', 'online', '', '', 'submitted', '', '', 0, 0, '', '', 800, 0, 0, 0, 0, 0, 0, 0, 0, 0, '', 'test')`, c)
			}
			for i := range 2 {
				app, req := i+1, i+1
				exec(`INSERT INTO policy_application_values (application_id, name, value) VALUES (?, 'x', '1')`, app)
				exec(`INSERT INTO policy_application_files (application_id, name, content_type, size, sha256, data, created_at, created_by)
					VALUES (?, 'a.pdf', 'application/pdf', 1, '', ?, 0, 'test')`, app, []byte("x"))
				exec(`INSERT INTO policy_application_events (application_id, from_status, to_status, action, actor, at) VALUES (?, '', 'draft', 'create', 'test', 0)`, app)
				exec(`INSERT INTO request_handlers (request_id, department) VALUES (?, '财政局')`, req)
				exec(`INSERT INTO request_events (request_id, action, from_status, to_status, actor, at, note, department) VALUES (?, 'submit', '', 'submitted', 'test', 0, '', '')`, req)
				exec(`INSERT INTO request_files (request_id, name, content_type, size, sha256, data, created_at, created_by)
					VALUES (?, 'a.pdf', 'application/pdf', 1, '', ?, 0, 'test')`, req, []byte("x"))
				exec(`INSERT INTO request_issue_members (request_id, issue_id) VALUES (?, 1)`, req)
			}

			if _, err := db.migrate(ctx, "0040_citus_keys.sql"); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ table, key, parent string }{
				{"policy_application_values", "application_id", "policy_applications"},
				{"policy_application_files", "application_id", "policy_applications"},
				{"policy_application_events", "application_id", "policy_applications"},
				{"request_handlers", "request_id", "requests"},
				{"request_events", "request_id", "requests"},
				{"request_files", "request_id", "requests"},
				{"request_issue_members", "request_id", "requests"},
			} {
				var rows, same int
				err := db.db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(p.id) FROM `+c.table+` x
					LEFT JOIN `+c.parent+` p ON p.id = x.`+c.key+` AND p.code = x.code`).Scan(&rows, &same)
				if err != nil {
					t.Fatal(err)
				}
				if rows != 2 || same != 2 {
					t.Errorf("%s: %d rows, %d with their parent's code, want 2 and 2", c.table, rows, same)
				}
			}
			if name == "postgres" {
				_, err := db.db.ExecContext(ctx, `INSERT INTO request_handlers (request_id, department) VALUES (1, '工信局')`)
				if err == nil {
					t.Error("a request handler without its code was stored")
				}
			}
		})
	}
}
