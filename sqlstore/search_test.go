package sqlstore

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/search"
)

// keysOf returns the keys of the group of kind in r, in order.
func keysOf(r *search.Results, kind search.Kind) []string {
	keys := []string{}
	for _, g := range r.Groups {
		if g.Kind == kind {
			for _, h := range g.Hits {
				keys = append(keys, h.Key)
			}
		}
	}
	return keys
}

func TestSearch(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		names := []string{
			"广州汽车集团股份有限公司",      // 1
			"广汽本田汽车有限公司",        // 2
			"广州汽车零部件有限公司",       // 3
			"广州ABB智能科技有限公司",     // 4: mixed
			"广州天河软件园有限公司",       // 5
			"深圳汽车零部件贸易有限公司",     // 6
			"广州旧名称有限公司",         // 7: renamed below
			"Huawei 华为技术广州有限公司", // 8
		}
		for i, n := range names {
			e := enterprise(t, i+1, "440106", "3612")
			e.Name = n
			if err := s.CreateEnterprise(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		newName := "广州明珠新能源有限公司"
		if _, err := s.UpdateEnterprise(ctx, code(t, 7), chanye.EnterpriseUpdate{Name: &newName}); err != nil {
			t.Fatal(err)
		}
		// Imported in bulk, and one of them renamed by a second bulk.
		var bulk []*chanye.Enterprise
		for i := 100; i < 103; i++ {
			e := enterprise(t, i, "440103", "3911")
			e.Name = "批量导入芯片企业" + string(rune('甲'+i-100)) + "有限公司"
			bulk = append(bulk, e)
		}
		if err := s.Bulk(ctx, writeAll(bulk, nil, nil)); err != nil {
			t.Fatal(err)
		}
		bulk[2].Name = "批量改名光电有限公司"
		if err := s.Bulk(ctx, writeAll(bulk[2:], nil, nil)); err != nil {
			t.Fatal(err)
		}
		p := testProjectN(t, 3)
		p.Name = "汽车零部件产业园项目"
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		publishedPolicy(t, s)

		find := func(q string, kinds ...search.Kind) *search.Results {
			t.Helper()
			r, err := s.Search(ctx, search.Filter{Q: q, Kinds: kinds})
			if err != nil {
				t.Fatalf("Search(%q): %v", q, err)
			}
			return r
		}
		ent := func(q string) []string { return keysOf(find(q, search.Enterprises), search.Enterprises) }
		codes := func(ns ...int) []string {
			out := []string{}
			for _, n := range ns {
				out = append(out, code(t, n))
			}
			return out
		}
		for _, tc := range []struct {
			q    string
			want []string // in rank order
		}{
			{"广汽", codes(2)},
			// The name that starts with the query, then the one holding it
			// whole; 深圳 holds the bigrams too, in a longer name.
			{"汽车零部件", codes(3, 6)},
			{"广州汽车集团股份有限公司", codes(1)},
			{"abb", codes(4)},
			{"广州ABB", codes(4)},
			{"华为 huawei", codes(8)},
			{"hua", codes(8)},
			{"明珠", codes(7)},
			{"旧名称", codes()},
			{"芯片", codes(100, 101)},
			{"光电", codes(102)},
			{"不存在的名字", codes()},
			{code(t, 5), codes(5)},
			{"  " + code(t, 5)[:16] + " ", codes(5)}, // the start of a code, trimmed
		} {
			if got := ent(tc.q); !slices.Equal(got, tc.want) {
				t.Errorf("enterprises for %q = %v, want %v", tc.q, got, tc.want)
			}
		}
		// One Han character finds names that hold it anywhere, also last.
		if got := ent("园"); !slices.Equal(got, codes(5)) {
			t.Errorf("enterprises for 园 = %v, want %v", got, codes(5))
		}
		r := find("广汽")
		if len(r.Groups) != 3 || r.Groups[0].Hits[0].Match != search.MatchPrefix {
			t.Errorf("groups for 广汽 = %+v", r.Groups)
		}
		if got := keysOf(find("汽车零部件", search.Projects), search.Projects); !slices.Equal(got, []string{p.ID}) {
			t.Errorf("projects for 汽车零部件 = %v", got)
		}
		// A credit code finds its enterprise and its projects.
		r = find(code(t, 3))
		if got := keysOf(r, search.Projects); !slices.Equal(got, []string{p.ID}) {
			t.Errorf("projects for code 3 = %v", got)
		}
		if h := r.Groups[0].Hits; len(h) != 1 || h[0].Match != search.MatchExact {
			t.Errorf("enterprise hit for code 3 = %+v", h)
		}
		for _, q := range []string{"设备更新", "equipment", "示例"} {
			if got := keysOf(find(q, search.Policies), search.Policies); !slices.Equal(got, []string{testPolicyID}) {
				t.Errorf("policies for %q = %v", q, got)
			}
		}
		// Scopes: one enterprise, one owner, public versions only.
		own := code(t, 3)
		r, err := s.Search(ctx, search.Filter{Q: "汽车", EnterpriseCode: &own, ProjectOwner: &own, PublishedOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := keysOf(r, search.Enterprises); !slices.Equal(got, []string{own}) {
			t.Errorf("own enterprises for 汽车 = %v", got)
		}
		other := code(t, 4)
		r, err = s.Search(ctx, search.Filter{Q: "汽车", EnterpriseCode: &other, ProjectOwner: &other})
		if err != nil {
			t.Fatal(err)
		}
		if len(keysOf(r, search.Enterprises))+len(keysOf(r, search.Projects)) != 0 {
			t.Errorf("enterprise 4 finds %+v", r.Groups)
		}
		// A draft is found by officials, not by the public.
		src := []byte(replaceLine(string(policySource(t)), "title_zh:", "title_zh: 草稿中的新标题"))
		if _, err := s.CreatePolicyVersion(as(context.Background(), "editor"), src); err != nil {
			t.Fatal(err)
		}
		if got := keysOf(find("新标题", search.Policies), search.Policies); !slices.Equal(got, []string{testPolicyID}) {
			t.Errorf("officials' policies for 新标题 = %v", got)
		}
		r, err = s.Search(ctx, search.Filter{Q: "新标题", PublishedOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := keysOf(r, search.Policies); len(got) != 0 {
			t.Errorf("public policies for 新标题 = %v", got)
		}
		for _, q := range []string{"", "  ", "——", string(make([]rune, 101))} {
			_, err := s.Search(ctx, search.Filter{Q: q})
			wantCode(t, err, chanye.EINVALID)
		}
		_, err = s.Search(ctx, search.Filter{Q: "汽车", Kinds: []search.Kind{"people"}})
		wantCode(t, err, chanye.EINVALID)

		// Reindex rebuilds the same answers.
		if err := s.Reindex(ctx); err != nil {
			t.Fatal(err)
		}
		if got := ent("明珠"); !slices.Equal(got, codes(7)) {
			t.Errorf("after reindex, 明珠 = %v", got)
		}
		if got := ent("汽车零部件"); !slices.Equal(got, codes(3, 6)) {
			t.Errorf("after reindex, 汽车零部件 = %v", got)
		}
	})
}

// replaceLine replaces the lines of src that start with prefix.
func replaceLine(src, prefix, line string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			lines[i] = line
		}
	}
	return strings.Join(lines, "\n")
}

// The migration fills the index for the records stored before it.
func TestSearchBackfill(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		e := enterprise(t, 1, "440106", "3612")
		e.Name = "广州回填测试有限公司"
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		// As if the index were never written: the migration's Go runs again.
		if err := db.transact(context.Background(), false, func(tx *txn) error {
			if _, err := tx.exec(ctx, `DELETE FROM search_docs`); err != nil {
				return err
			}
			return afterMigration["0022_search.sql"](ctx, tx)
		}); err != nil {
			t.Fatal(err)
		}
		r, err := s.Search(ctx, search.Filter{Q: "回填"})
		if err != nil {
			t.Fatal(err)
		}
		if got := keysOf(r, search.Enterprises); !slices.Equal(got, []string{e.Code}) {
			t.Errorf("回填 = %v", got)
		}
	})
}

// A first import into an empty registry builds the index at the end
// (PostgreSQL drops and rebuilds its GIN index): its rows are found.
func TestSearchAfterFirstImport(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		var es []*chanye.Enterprise
		for i, n := range []string{"广州首批导入甲有限公司", "广州首批导入乙有限公司", "深圳其他有限公司"} {
			e := enterprise(t, i+1, "440106", "3612")
			e.Name = n
			es = append(es, e)
		}
		if err := s.Bulk(ctx, writeAll(es, nil, nil)); err != nil {
			t.Fatal(err)
		}
		r, err := s.Search(ctx, search.Filter{Q: "首批导入"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := keysOf(r, search.Enterprises), []string{code(t, 1), code(t, 2)}; !slices.Equal(got, want) {
			t.Errorf("首批导入 = %v, want %v", got, want)
		}
	})
}
