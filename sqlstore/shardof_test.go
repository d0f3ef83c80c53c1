package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

// chanye.ShardOf is the shard Citus places a firm on: PostgreSQL's hashtext
// of the code, in shards equal ranges of the 32-bit hashes. Checked against
// the server's own hashtext, for strings of every length a block and its
// tail take, in ASCII and in Chinese.
func TestShardOfIsCitusShard(t *testing.T) {
	db, err := sql.Open("pgx", postgresDSN(t)) // hashtext is PostgreSQL's
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var inputs []string
	for n := range 40 {
		inputs = append(inputs, strings.Repeat("x", n), strings.Repeat("产", n))
	}
	for i := range 500 {
		inputs = append(inputs, code(t, i*7919))
	}
	for _, s := range inputs {
		var want int32
		var shards [3]int
		if err := db.QueryRowContext(context.Background(), `SELECT hashtext($1),
			((hashtext($1)::bigint + 2147483648) / (4294967296 / 4))::int,
			LEAST(((hashtext($1)::bigint + 2147483648) / (4294967296 / 7))::int, 6),
			LEAST(((hashtext($1)::bigint + 2147483648) / (4294967296 / 128))::int, 127)`, s).Scan(&want, &shards[0], &shards[1], &shards[2]); err != nil {
			t.Fatal(err)
		}
		if got := chanye.HashText(s); got != want {
			t.Fatalf("HashText(%q) = %d, PostgreSQL's hashtext %d", s, got, want)
		}
		for i, n := range []int{4, 7, 128} {
			if got := chanye.ShardOf(s, n); got != shards[i] {
				t.Errorf("ShardOf(%q, %d) = %d, Citus's range %d", s, n, got, shards[i])
			}
		}
	}
}
