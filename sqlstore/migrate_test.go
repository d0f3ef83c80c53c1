package sqlstore

import "testing"

// TestMigrationText checks the dialect comments of migrations: each
// dialect's own become SQL, over several lines too, the other's stay
// comments.
func TestMigrationText(t *testing.T) {
	const text = "CREATE TABLE t (\n" +
		"    id /*sqlite: INTEGER PRIMARY KEY, --*/ BIGINT PRIMARY KEY\n" +
		");\n" +
		"/*postgres: ALTER TABLE t\n" +
		"    ADD COLUMN x TEXT; -- PostgreSQL only\n" +
		"CREATE INDEX t_x ON t (x);*/\n" +
		"/*sqlite: CREATE INDEX t_id ON t (id);*/\n"
	for _, c := range []struct {
		d    dialect
		want string
	}{
		{sqliteDialect, "CREATE TABLE t (\n" +
			"    id INTEGER PRIMARY KEY, -- BIGINT PRIMARY KEY\n" +
			");\n" +
			"/*postgres: ALTER TABLE t\n" +
			"    ADD COLUMN x TEXT; -- PostgreSQL only\n" +
			"CREATE INDEX t_x ON t (x);*/\n" +
			"CREATE INDEX t_id ON t (id);\n"},
		{postgres, "CREATE TABLE t (\n" +
			"    id /*sqlite: INTEGER PRIMARY KEY, --*/ BIGINT PRIMARY KEY\n" +
			");\n" +
			"ALTER TABLE t\n" +
			"    ADD COLUMN x TEXT; -- PostgreSQL only\n" +
			"CREATE INDEX t_x ON t (x);\n" +
			"/*sqlite: CREATE INDEX t_id ON t (id);*/\n"},
	} {
		if got := c.d.migration(text); got != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q", c.d.name, got, c.want)
		}
	}
}
