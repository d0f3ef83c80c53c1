package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/internal/pgtest"
	"github.com/chanye-org/chanye/uscc"
)

// today is the fixed "now" of every test.
var today = time.Date(2025, 6, 15, 9, 30, 0, 0, time.UTC)

// forEachDB runs fn on a fresh, migrated SQLite database and, when
// CHANYE_TEST_POSTGRES names a PostgreSQL database, on a fresh schema there
// that is dropped afterwards.
func forEachDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, openTestDB(t, filepath.Join(t.TempDir(), "chanye.db")))
	})
	if dsn := os.Getenv("CHANYE_TEST_POSTGRES"); dsn != "" {
		t.Run("postgres", func(t *testing.T) {
			t.Parallel()
			fn(t, openTestDB(t, migratedPostgres(t, dsn)))
		})
	}
}

// postgresDSN returns the PostgreSQL database CHANYE_TEST_POSTGRES names,
// or skips the test, which is of PostgreSQL alone.
func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("CHANYE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("CHANYE_TEST_POSTGRES not set")
	}
	return dsn
}

// postgresSchema creates an empty schema of its own for the test and
// returns dsn with the schema as search_path.
func postgresSchema(t testing.TB, dsn string) string {
	t.Helper()
	return pgtest.Schema(t, dsn)
}

// migratedPostgres returns the URL of a database of the test's own, a copy
// of one migrated once per SchemaDigest: migrating PostgreSQL anew took
// most of a short test's time.
func migratedPostgres(t testing.TB, dsn string) string {
	t.Helper()
	return pgtest.Clone(t, dsn, "chanye_tmpl", SchemaDigest(), migrateTemplate)
}

// migrateTemplate migrates the database at dsn, as a template of stores.
func migrateTemplate(dsn string) error {
	ctx := context.Background()
	db, err := Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.Now = func() time.Time { return today }
	_, err = db.Migrate(ctx)
	return err
}

func openTestDB(t testing.TB, dsn string) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return today }
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := NewAuditKeys(nil)
	if err != nil {
		t.Fatal(err)
	}
	db.AuditKeys = keys
	return db
}

// code returns the n-th valid credit code of the tests.
func code(t testing.TB, n int) string {
	t.Helper()
	body := fmt.Sprintf("%08d", n)
	oc, err := uscc.OrgCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	c, err := uscc.Complete("91440101" + body + string(oc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testCatalog is a small catalog: three industries over four classes, two
// districts. Class 3911 belongs to two industries.
func testCatalog() *chanye.Catalog {
	return &chanye.Catalog{
		City:               chanye.Label{NameZH: "测试市", NameEN: "Test City"},
		OverallRequirement: chanye.Label{NameZH: "总体要求", NameEN: "Overall requirement"},
		Declared:           chanye.Declared{Clusters: 2, Future: 1, Services: 1},
		Groups:             []chanye.Group{{ID: "pillar", Kind: chanye.KindCluster, NameZH: "新兴支柱", NameEN: "Pillar"}},
		TargetTiers:        []chanye.TargetTier{{ID: "trillion", NameZH: "万亿级", NameEN: "Trillion", ValueYuan: 1_000_000_000_000}},
		Districts: []chanye.District{
			{Code: "440103", NameZH: "荔湾区", NameEN: "Liwan"},
			{Code: "440106", NameZH: "天河区", NameEN: "Tianhe"},
		},
		Industries: []*chanye.Industry{
			{ID: "auto", Kind: chanye.KindCluster, Group: "pillar", Ordinal: 1, NameZH: "智能网联与新能源汽车", NameEN: "Vehicles",
				Target: &chanye.Target{Tier: "trillion", Year: 2035}, Classes: []string{"3612", "3911"},
				Responsibility: chanye.Responsibility{CityLeader: "甲", LeadDepartment: "工信局", TaskForce: "汽车专班"}},
			{ID: "ict", Kind: chanye.KindCluster, Group: "pillar", Ordinal: 2, NameZH: "新一代信息技术", NameEN: "ICT",
				Classes: []string{"3911", "3971"}},
			{ID: "quantum", Kind: chanye.KindFuture, Ordinal: 1, NameZH: "量子科技", NameEN: "Quantum", Classes: []string{}},
		},
	}
}

func newStore(t *testing.T, db *DB) *Store {
	t.Helper()
	s := NewStore(db)
	if loaded, err := s.EnsureCatalog(context.Background(), testCatalog()); err != nil || !loaded {
		t.Fatalf("EnsureCatalog = %v, %v; want true, nil", loaded, err)
	}
	return s
}

func date(s string) chanye.Date {
	d, err := chanye.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func enterprise(t testing.TB, n int, district, class string) *chanye.Enterprise {
	return &chanye.Enterprise{Code: code(t, n), Name: fmt.Sprintf("测试企业%d有限公司", n), DistrictCode: district,
		IndustryClass: class, Founded: date("2010-01-02")}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := chanye.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func ptr[T any](v T) *T { return &v }

func TestMigrateIsIdempotent(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		// openTestDB migrated once already.
		applied, err := db.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Errorf("second Migrate applied %v, want nothing", applied)
		}
		var n int
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		names, _ := fs.Glob(migrations, "migrations/*.sql")
		if n != len(names) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(names))
		}
	})
}

func TestMigrateFresh(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "fresh.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Dialect() != "sqlite" {
		t.Errorf("Dialect() = %q, want sqlite", db.Dialect())
	}
	applied, err := db.Migrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Every embedded migration, in name order: the list grows with each
	// new file, so it is read rather than written out here.
	paths, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range paths {
		want = append(want, filepath.Base(p))
	}
	if len(want) < 2 || want[0] != "0001_init.sql" || want[1] != "0002_policies.sql" || fmt.Sprint(applied) != fmt.Sprint(want) {
		t.Errorf("applied = %v, want %v", applied, want)
	}
}

func TestEnsureCatalogOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := NewStore(db)
		if _, err := s.FindCatalog(ctx); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Fatalf("FindCatalog before load: %v, want ENOTFOUND", err)
		}
		loaded, err := s.EnsureCatalog(ctx, testCatalog())
		if err != nil || !loaded {
			t.Fatalf("first EnsureCatalog = %v, %v", loaded, err)
		}
		other := testCatalog()
		other.City.NameEN = "Other City"
		if loaded, err := s.EnsureCatalog(ctx, other); err != nil || loaded {
			t.Fatalf("second EnsureCatalog = %v, %v; want false, nil", loaded, err)
		}
		c, err := s.FindCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.City.NameEN != "Test City" {
			t.Errorf("city = %q, want the first catalog's", c.City.NameEN)
		}
		if len(c.Districts) != 2 || len(c.Industries) != 3 {
			t.Fatalf("got %d districts, %d industries; want 2, 3", len(c.Districts), len(c.Industries))
		}
		auto := c.Industries[0]
		if auto.ID != "auto" || auto.Target == nil || auto.Target.ValueYuan != 1_000_000_000_000 || auto.Target.Year != 2035 {
			t.Errorf("auto = %+v target %+v", auto, auto.Target)
		}
		if fmt.Sprint(auto.Classes) != "[3612 3911]" || auto.Responsibility.TaskForce != "汽车专班" {
			t.Errorf("auto classes %v, responsibility %+v", auto.Classes, auto.Responsibility)
		}
		if q := c.Industries[2]; q.ID != "quantum" || q.Classes == nil || len(q.Classes) != 0 {
			t.Errorf("quantum = %+v", q)
		}
		kind := chanye.KindCluster
		inds, err := s.FindIndustries(ctx, chanye.IndustryFilter{Kind: &kind})
		if err != nil || len(inds) != 2 || inds[1].ID != "ict" {
			t.Errorf("FindIndustries(cluster) = %v, %v", inds, err)
		}
		if _, err := s.FindIndustryByID(ctx, "nope"); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("FindIndustryByID(nope): %v", err)
		}
		bad := testCatalog()
		bad.Industries[1].ID = "auto"
		_, err = s.EnsureCatalog(ctx, bad)
		wantCode(t, err, chanye.EINVALID)
	})
}

func TestUpdateResponsibility(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		addUnits(t, s, chanye.OrgLeader, "乙")
		addUnits(t, s, chanye.OrgTaskForce, "信息专班")
		ind, err := s.UpdateResponsibility(ctx, "ict", chanye.ResponsibilityUpdate{CityLeader: ptr(" 乙 "), TaskForce: ptr("信息专班")})
		if err != nil {
			t.Fatal(err)
		}
		if r := ind.Responsibility; r.CityLeader != "乙" || r.TaskForce != "信息专班" || !r.UpdatedAt.Equal(today) {
			t.Errorf("returned responsibility %+v", r)
		}
		got, err := s.FindIndustryByID(ctx, "ict")
		if err != nil {
			t.Fatal(err)
		}
		if got.Responsibility != ind.Responsibility {
			t.Errorf("stored %+v, want %+v", got.Responsibility, ind.Responsibility)
		}
		_, err = s.UpdateResponsibility(ctx, "nope", chanye.ResponsibilityUpdate{CityLeader: ptr("丙")})
		wantCode(t, err, chanye.ENOTFOUND)
		long := string(make([]rune, 101))
		_, err = s.UpdateResponsibility(ctx, "ict", chanye.ResponsibilityUpdate{TaskForce: &long})
		wantCode(t, err, chanye.EINVALID)
	})
}

func TestImportCatalogKeepsWhatRemains(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		addUnits(t, s, chanye.OrgLeader, "丁")
		if _, err := s.UpdateResponsibility(ctx, "auto", chanye.ResponsibilityUpdate{CityLeader: ptr("丁")}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertIndicators(ctx, []*chanye.Indicator{
			{IndustryID: "auto", Metric: "revenue", Period: "2024", Value: 100, Source: "统计局"},
			{IndustryID: "ict", Metric: "revenue", Period: "2024", Value: 200, Source: "统计局"},
		}); err != nil {
			t.Fatal(err)
		}
		derived := enterprise(t, 1, "440103", "3971") // ict only
		manual := enterprise(t, 2, "440103", "3971")
		manual.Industries, manual.IndustriesOverride = []string{"quantum"}, true
		moved := enterprise(t, 3, "440106", "3612") // auto
		for _, e := range []*chanye.Enterprise{derived, manual, moved} {
			if err := s.CreateEnterprise(ctx, e); err != nil {
				t.Fatal(err)
			}
		}

		// Drop ict, move 3971 to a new industry, and 3612 to quantum too.
		c := testCatalog()
		c.Industries[0].Responsibility.CityLeader = "文件里的人"
		c.Industries = []*chanye.Industry{c.Industries[0], c.Industries[2],
			{ID: "chips", Kind: chanye.KindCluster, Ordinal: 3, NameZH: "集成电路", Classes: []string{"3971"}}}
		c.Industries[1].Classes = []string{"3612"}
		if err := s.ImportCatalog(ctx, c); err != nil {
			t.Fatal(err)
		}
		auto, err := s.FindIndustryByID(ctx, "auto")
		if err != nil {
			t.Fatal(err)
		}
		if auto.Responsibility.CityLeader != "丁" {
			t.Errorf("auto leader = %q, want the stored 丁", auto.Responsibility.CityLeader)
		}
		if _, err := s.FindIndustryByID(ctx, "ict"); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("ict still there: %v", err)
		}
		vals, err := s.FindIndicators(ctx, chanye.IndicatorFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(vals) != 1 || vals[0].IndustryID != "auto" || vals[0].Value != 100 {
			t.Errorf("indicators after import = %+v, want auto's only", vals)
		}
		for _, tc := range []struct {
			code string
			want string
		}{
			{derived.Code, "[chips]"},
			{manual.Code, "[quantum]"},
			{moved.Code, "[auto quantum]"},
		} {
			e, err := s.FindEnterpriseByCode(ctx, tc.code)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(e.Industries); got != tc.want {
				t.Errorf("%s industries = %s, want %s", tc.code, got, tc.want)
			}
		}
		// Enterprises are validated against the new catalog from now on.
		e := enterprise(t, 4, "440103", "3971")
		e.Industries, e.IndustriesOverride = []string{"ict"}, true
		err = s.CreateEnterprise(ctx, e)
		wantCode(t, err, chanye.EINVALID)
		if _, ok := chanye.ErrorFields(err)["industries[0]"]; !ok {
			t.Errorf("fields = %v, want industries[0]", chanye.ErrorFields(err))
		}
	})
}

func TestIndicators(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		in := []*chanye.Indicator{
			{IndustryID: "ict", Metric: "revenue", Period: "2023", Value: 5, Source: "a"},
			{IndustryID: "auto", Metric: "revenue", Period: "2024", Value: 7, Source: "a"},
			{IndustryID: "auto", Metric: "investment", Period: "2024-Q1", Value: 3, Source: "a"},
		}
		if err := s.UpsertIndicators(ctx, in); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertIndicators(ctx, []*chanye.Indicator{{IndustryID: "auto", Metric: "revenue", Period: "2024", Value: 8, Source: "b"}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindIndicators(ctx, chanye.IndicatorFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var s1 string
		for _, v := range got {
			s1 += fmt.Sprintf("%s/%s/%s=%d%s;", v.IndustryID, v.Metric, v.Period, v.Value, v.Unit)
		}
		if want := "auto/investment/2024-Q1=3yuan;auto/revenue/2024=8yuan;ict/revenue/2023=5yuan;"; s1 != want {
			t.Errorf("indicators = %s, want %s", s1, want)
		}
		got, err = s.FindIndicators(ctx, chanye.IndicatorFilter{IndustryID: ptr("auto"), Metric: ptr("revenue")})
		if err != nil || len(got) != 1 || got[0].Source != "b" {
			t.Errorf("filtered = %v, %v", got, err)
		}

		err = s.UpsertIndicators(ctx, []*chanye.Indicator{
			{IndustryID: "quantum", Metric: "revenue", Period: "2024", Value: 1, Source: "a"},
			{IndustryID: "quantum", Metric: "revenue", Period: "2024-13", Value: 1, Source: "a"},
		})
		wantCode(t, err, chanye.EINVALID)
		if _, ok := chanye.ErrorFields(err)["indicators[1].period"]; !ok {
			t.Errorf("fields = %v, want indicators[1].period", chanye.ErrorFields(err))
		}
		err = s.UpsertIndicators(ctx, []*chanye.Indicator{
			{IndustryID: "quantum", Metric: "revenue", Period: "2024", Value: 1, Source: "a"},
			{IndustryID: "nope", Metric: "revenue", Period: "2024", Value: 1, Source: "a"},
		})
		wantCode(t, err, chanye.ENOTFOUND)
		got, err = s.FindIndicators(ctx, chanye.IndicatorFilter{IndustryID: ptr("quantum")})
		if err != nil || len(got) != 0 {
			t.Errorf("quantum indicators after failed upserts = %v, %v; want none", got, err)
		}
	})
}

func TestEnterpriseCreateFindUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		e := enterprise(t, 10, "440106", "3911")
		e.Code = " " + toLower(e.Code) + " "
		e.Tiers = []chanye.Tier{{Kind: chanye.TierHighTech, From: date("2022-01-01"), To: date("2024-12-31"), Source: "科技局"}}
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.Code != code(t, 10) {
			t.Errorf("code not normalised: %q", e.Code)
		}
		got, err := s.FindEnterpriseByCode(ctx, toLower(e.Code))
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != e.Name || got.DistrictCode != "440106" || !got.Founded.Equal(e.Founded.Time) ||
			!got.CreatedAt.Equal(today) || !got.UpdatedAt.Equal(today) || got.SizeClass != "" {
			t.Errorf("found %+v", got)
		}
		if fmt.Sprint(got.Industries) != "[auto ict]" {
			t.Errorf("industries = %v, want [auto ict]", got.Industries)
		}
		if len(got.Tiers) != 1 || got.Tiers[0] != e.Tiers[0] {
			t.Errorf("tiers = %+v, want %+v", got.Tiers, e.Tiers)
		}

		dup := enterprise(t, 10, "440103", "3612")
		wantCode(t, s.CreateEnterprise(ctx, dup), chanye.ECONFLICT)
		bad := enterprise(t, 11, "440103", "3612")
		bad.Code = bad.Code[:17] + "0"
		if bad.Code == code(t, 11) {
			bad.Code = bad.Code[:17] + "1"
		}
		err = s.CreateEnterprise(ctx, bad)
		wantCode(t, err, chanye.EINVALID)
		if _, ok := chanye.ErrorFields(err)["code"]; !ok {
			t.Errorf("fields = %v, want code", chanye.ErrorFields(err))
		}
		_, err = s.FindEnterpriseByCode(ctx, code(t, 11))
		wantCode(t, err, chanye.ENOTFOUND)

		db.Now = func() time.Time { return today.Add(time.Hour) }
		up, err := s.UpdateEnterprise(ctx, e.Code, chanye.EnterpriseUpdate{Name: ptr("新名字"), IndustryClass: ptr("3971")})
		if err != nil {
			t.Fatal(err)
		}
		if up.Name != "新名字" || fmt.Sprint(up.Industries) != "[ict]" || !up.UpdatedAt.Equal(today.Add(time.Hour)) {
			t.Errorf("updated %+v", up)
		}
		up, err = s.UpdateEnterprise(ctx, e.Code, chanye.EnterpriseUpdate{Industries: &[]string{"quantum", "auto"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err = s.FindEnterpriseByCode(ctx, e.Code)
		if err != nil {
			t.Fatal(err)
		}
		if !got.IndustriesOverride || fmt.Sprint(got.Industries) != "[auto quantum]" || got.Name != "新名字" || !got.CreatedAt.Equal(today) {
			t.Errorf("after override: %+v", got)
		}
		got, err = s.UpdateEnterprise(ctx, e.Code, chanye.EnterpriseUpdate{ResetIndustries: true})
		if err != nil || got.IndustriesOverride || fmt.Sprint(got.Industries) != "[ict]" {
			t.Errorf("after reset: %+v, %v", got, err)
		}
		_, err = s.UpdateEnterprise(ctx, e.Code, chanye.EnterpriseUpdate{DistrictCode: ptr("110101")})
		wantCode(t, err, chanye.EINVALID)
		_, err = s.UpdateEnterprise(ctx, code(t, 12), chanye.EnterpriseUpdate{Name: ptr("x")})
		wantCode(t, err, chanye.ENOTFOUND)
	})
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func TestFindEnterprisesFilters(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		// 1-6 in Liwan, 7-9 in Tianhe; classes alternate 3612 (auto) / 3971 (ict).
		for n := 1; n <= 9; n++ {
			district, class := "440103", "3612"
			if n > 6 {
				district = "440106"
			}
			if n%2 == 0 {
				class = "3971"
			}
			e := enterprise(t, n, district, class)
			if n == 5 {
				e.Name = "广州小马智行科技有限公司"
			}
			switch n {
			case 2, 7:
				e.Tiers = []chanye.Tier{{Kind: chanye.TierSRDI, From: date("2024-01-01")}}
			case 4:
				e.Tiers = []chanye.Tier{{Kind: chanye.TierSRDI, From: date("2020-01-01"), To: date("2023-12-31")}}
			case 6:
				e.Tiers = []chanye.Tier{{Kind: chanye.TierSRDI, From: date("2025-07-01")}}
			}
			if err := s.CreateEnterprise(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.PutFacts(ctx, code(t, 3), []*chanye.Facts{{Year: 2024, Employees: ptr(int64(5000)), Revenue: ptr(chanye.Fen(9e12)),
			TotalAssets: ptr(chanye.Fen(9e12)), Source: "统计局", AsOf: date("2025-03-01")}}); err != nil {
			t.Fatal(err)
		}
		big := chanye.ClassifySize("3612", ptr(int64(5000)), ptr(int64(9e12)), ptr(int64(9e12)))
		if big == "" {
			t.Fatal("ClassifySize gave no class for a large manufacturer")
		}

		srdi := chanye.TierSRDI
		for _, tc := range []struct {
			name   string
			filter chanye.EnterpriseFilter
			want   []int
		}{
			{"all", chanye.EnterpriseFilter{}, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}},
			{"district", chanye.EnterpriseFilter{DistrictCode: ptr("440106")}, []int{7, 8, 9}},
			{"industry", chanye.EnterpriseFilter{IndustryID: ptr("ict")}, []int{2, 4, 6, 8}},
			{"industry and district", chanye.EnterpriseFilter{IndustryID: ptr("auto"), DistrictCode: ptr("440103")}, []int{1, 3, 5}},
			{"tier held today", chanye.EnterpriseFilter{Tier: &srdi}, []int{2, 7}},
			{"size", chanye.EnterpriseFilter{SizeClass: &big}, []int{3}},
			{"name", chanye.EnterpriseFilter{Q: ptr("小马智行")}, []int{5}},
			{"code prefix, lower case", chanye.EnterpriseFilter{Q: ptr(toLower(code(t, 8)[:16]))}, []int{8}},
			{"no match", chanye.EnterpriseFilter{Q: ptr("%")}, nil},
			{"page", chanye.EnterpriseFilter{Offset: 2, Limit: 3}, []int{3, 4, 5}},
		} {
			page, total, err := s.FindEnterprises(ctx, tc.filter)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var got, want []string
			for _, e := range page {
				got = append(got, e.Code)
			}
			for _, n := range tc.want {
				want = append(want, code(t, n))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, want)
			}
			wantTotal := len(tc.want)
			if tc.name == "page" {
				wantTotal = 9
			}
			if total != wantTotal {
				t.Errorf("%s: total %d, want %d", tc.name, total, wantTotal)
			}
		}
		page, _, err := s.FindEnterprises(ctx, chanye.EnterpriseFilter{IndustryID: ptr("ict"), Limit: 1})
		if err != nil || len(page) != 1 || fmt.Sprint(page[0].Industries) != "[ict]" || len(page[0].Tiers) != 1 || page[0].Facts != nil {
			t.Errorf("list entry = %+v, %v", page, err)
		}
		_, _, err = s.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 1001})
		wantCode(t, err, chanye.EINVALID)

		st, err := s.EnterpriseStats(ctx, chanye.EnterpriseFilter{DistrictCode: ptr("440103")})
		if err != nil {
			t.Fatal(err)
		}
		if st.Total != 6 || st.ByTier[string(chanye.TierSRDI)] != 1 || len(st.ByTier) != 1 ||
			st.BySize[string(big)] != 1 || st.BySize[""] != 5 || st.ByDistrict["440103"] != 6 || len(st.ByDistrict) != 1 {
			t.Errorf("stats = %+v", st)
		}
		st, err = s.EnterpriseStats(ctx, chanye.EnterpriseFilter{Limit: 1})
		if err != nil || st.Total != 9 || st.ByTier[string(chanye.TierSRDI)] != 2 || st.ByDistrict["440106"] != 3 {
			t.Errorf("stats of all = %+v, %v", st, err)
		}
	})
}

func TestTiers(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		e := enterprise(t, 1, "440103", "3612")
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		gazelle := chanye.TierGazelle
		held := func() int {
			_, total, err := s.FindEnterprises(ctx, chanye.EnterpriseFilter{Tier: &gazelle})
			if err != nil {
				t.Fatal(err)
			}
			return total
		}
		got, err := s.PutTier(ctx, e.Code, chanye.Tier{Kind: gazelle, From: date("2025-06-15"), To: date("2025-06-15"), Source: "a"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Tiers) != 1 || held() != 1 {
			t.Errorf("tiers %+v, held %d; want one held on its only day", got.Tiers, held())
		}
		// Same key: an upsert that ends the tier yesterday.
		got, err = s.PutTier(ctx, e.Code, chanye.Tier{Kind: gazelle, From: date("2025-06-15"), To: date("2025-06-16"), Source: "b"})
		if err != nil || len(got.Tiers) != 1 || got.Tiers[0].Source != "b" || got.Tiers[0].To != date("2025-06-16") {
			t.Errorf("after upsert: %+v, %v", got, err)
		}
		if _, err := s.PutTier(ctx, e.Code, chanye.Tier{Kind: gazelle, From: date("2020-01-01"), To: date("2021-01-01")}); err != nil {
			t.Fatal(err)
		}
		got, err = s.FindEnterpriseByCode(ctx, e.Code)
		if err != nil || len(got.Tiers) != 2 || got.Tiers[0].From != date("2020-01-01") {
			t.Errorf("tiers by from: %+v, %v", got.Tiers, err)
		}
		db.Now = func() time.Time { return today.AddDate(0, 0, 2) }
		if held() != 0 {
			t.Errorf("tier held after its end")
		}
		_, err = s.PutTier(ctx, e.Code, chanye.Tier{Kind: "emperor", From: date("2020-01-01")})
		wantCode(t, err, chanye.EINVALID)
		_, err = s.PutTier(ctx, code(t, 2), chanye.Tier{Kind: gazelle, From: date("2020-01-01")})
		wantCode(t, err, chanye.ENOTFOUND)
		got, err = s.DeleteTier(ctx, e.Code, gazelle, date("2020-01-01"))
		if err != nil || len(got.Tiers) != 1 {
			t.Errorf("after delete: %+v, %v", got, err)
		}
		_, err = s.DeleteTier(ctx, e.Code, gazelle, date("2020-01-01"))
		wantCode(t, err, chanye.ENOTFOUND)
	})
}

// TestTierLevel: the level of a tier is stored by PutTier, by a bulk upsert
// (which rewrites a tier whose level alone changed) and with a new
// enterprise, is read back by FindEnterpriseByCode and ScanTiers, and an
// unknown level is refused naming the field (issue 9, point 6).
func TestTierLevel(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		e := enterprise(t, 1, "440103", "3612")
		e.Tiers = []chanye.Tier{{Kind: chanye.TierSRDI, Level: chanye.LevelProvincial, From: date("2024-10-10"), Source: "广东省工信厅"}}
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		lg := chanye.Tier{Kind: chanye.TierLittleGiant, Level: chanye.LevelNational, From: date("2025-07-15"), Source: "工信部"}
		got, err := s.PutTier(ctx, e.Code, lg)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Tiers) != 2 || got.Tiers[0].Level != chanye.LevelProvincial || got.Tiers[1] != lg {
			t.Errorf("tiers %+v, want the provincial SRDI and the national little giant of 2025-07-15", got.Tiers)
		}
		_, err = s.PutTier(ctx, e.Code, chanye.Tier{Kind: chanye.TierGazelle, Level: "county", From: date("2025-01-01")})
		wantCode(t, err, chanye.EINVALID)
		if !strings.Contains(chanye.ErrorFields(err)["level"], "municipal") {
			t.Errorf("fields %v, want level naming the levels", chanye.ErrorFields(err))
		}
		// A bulk upsert of the same tier with another level changes it.
		err = s.Bulk(ctx, func(w chanye.BulkWriter) error {
			return w.PutTier(&chanye.TierRecord{Code: e.Code, Tier: chanye.Tier{Kind: chanye.TierSRDI, Level: chanye.LevelMunicipal,
				From: date("2024-10-10"), Source: "广东省工信厅"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		var scanned []chanye.TierRecord
		if err := s.ScanTiers(ctx, chanye.EnterpriseFilter{}, func(r *chanye.TierRecord) error {
			scanned = append(scanned, *r)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(scanned) != 2 || scanned[0].Level != chanye.LevelMunicipal || scanned[0].From != date("2024-10-10") || scanned[1].Level != chanye.LevelNational {
			t.Errorf("scanned %+v, want the SRDI now municipal and the little giant national", scanned)
		}
	})
}

func TestFactsMergeAndSizeClass(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		e := enterprise(t, 1, "440103", "3612")
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		n := func(v int64) *int64 { return &v }
		fen := func(v int64) *chanye.Fen { f := chanye.Fen(v); return &f }
		got, err := s.PutFacts(ctx, e.Code, []*chanye.Facts{
			{Year: 2023, Employees: n(5000), Revenue: fen(9e12), TotalAssets: fen(9e12), Source: "统计局", AsOf: date("2024-03-01")},
			{Year: 2024, Employees: n(5000), Revenue: fen(9e12), RDStaff: n(40), Source: "统计局", AsOf: date("2025-03-01")},
			{Year: 2024, Employees: n(8), Revenue: fen(1e6), Source: "税务局", AsOf: date("2025-04-01")},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Facts) != 2 || got.Facts[0].Year != 2024 || got.Facts[1].Year != 2023 {
			t.Fatalf("facts = %+v, want 2024 then 2023", got.Facts)
		}
		f := got.Facts[0]
		if *f.Employees != 8 || *f.Revenue != 1e6 || f.RDStaff == nil || *f.RDStaff != 40 || f.Source != "税务局" || f.AsOf != date("2025-04-01") {
			t.Errorf("merged 2024 = employees %v revenue %v rd %v source %s", *f.Employees, *f.Revenue, f.RDStaff, f.Source)
		}
		small := chanye.ClassifySize("3612", n(8), n(1e6), nil)
		large := chanye.ClassifySize("3612", n(5000), n(9e12), n(9e12))
		if small == large {
			t.Fatalf("ClassifySize does not tell 8 from 5000 employees: %q", small)
		}
		if got.SizeClass != small {
			t.Errorf("size class = %q, want %q", got.SizeClass, small)
		}
		reports, err := s.FindFacts(ctx, e.Code)
		if err != nil || len(reports) != 3 || reports[0].Year != 2024 || reports[2].Year != 2023 {
			t.Errorf("FindFacts = %+v, %v", reports, err)
		}

		// A correction from the statistics bureau, dated later, wins.
		got, err = s.PutFacts(ctx, e.Code, []*chanye.Facts{
			{Year: 2024, Employees: n(5000), Revenue: fen(9e12), TotalAssets: fen(9e12), Source: "统计局", AsOf: date("2025-05-01")},
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.SizeClass != large {
			t.Errorf("size class after correction = %q, want %q", got.SizeClass, large)
		}
		st, err := s.EnterpriseStats(ctx, chanye.EnterpriseFilter{})
		if err != nil || st.BySize[string(large)] != 1 {
			t.Errorf("stats = %+v, %v", st, err)
		}

		_, err = s.PutFacts(ctx, e.Code, []*chanye.Facts{
			{Year: 2024, Employees: n(1), Source: "a", AsOf: date("2025-01-01")},
			{Year: 2030, Employees: n(1), Source: "a", AsOf: date("2025-01-01")},
		})
		wantCode(t, err, chanye.EINVALID)
		if _, ok := chanye.ErrorFields(err)["facts[1].year"]; !ok {
			t.Errorf("fields = %v, want facts[1].year", chanye.ErrorFields(err))
		}
		if reports, _ := s.FindFacts(ctx, e.Code); len(reports) != 3 {
			t.Errorf("a rejected PutFacts stored something: %d reports", len(reports))
		}
		_, err = s.PutFacts(ctx, code(t, 2), []*chanye.Facts{{Year: 2024, Employees: n(1), Source: "a", AsOf: date("2025-01-01")}})
		wantCode(t, err, chanye.ENOTFOUND)
		_, err = s.FindFacts(ctx, code(t, 2))
		wantCode(t, err, chanye.ENOTFOUND)
	})
}

// TestDefaultCatalogRoundTrip stores the built-in Guangzhou catalog and reads
// back the same document; the other tests use testCatalog, whose few classes
// make memberships easy to reason about.
func TestDefaultCatalogRoundTrip(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := NewStore(db)
		if loaded, err := s.EnsureCatalog(ctx, catalog.Default()); err != nil || !loaded {
			t.Fatalf("EnsureCatalog = %v, %v", loaded, err)
		}
		got, err := s.FindCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := catalog.Default()
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("stored catalog differs from catalog.Default():\n got %.300s\nwant %.300s", gotJSON, wantJSON)
		}
		// An enterprise in a mapped class joins the catalog's industries.
		var class string
		for _, ind := range want.Industries {
			if len(ind.Classes) > 0 {
				class = ind.Classes[0]
				break
			}
		}
		e := enterprise(t, 1, want.Districts[0].Code, class)
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		stored, err := s.FindEnterpriseByCode(ctx, e.Code)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(stored.Industries), fmt.Sprint(want.IndustriesForClass(class)); got != want || got == "[]" {
			t.Errorf("industries of class %s = %s, want %s", class, got, want)
		}
	})
}

// TestNULRefused: a NUL in a text the store would write or look up is
// EINVALID on both databases (PostgreSQL used to fail with an internal
// error, SQLite to store it and to match every name with it).
func TestNULRefused(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := chanye.WithActor(context.Background(), chanye.Operator)
		s := newStore(t, db)
		e := enterprise(t, 1, "440106", "3612")
		e.Name = "广州\x00示例"
		wantCode(t, s.CreateEnterprise(ctx, e), chanye.EINVALID)
		if _, err := s.FindEnterpriseByCode(ctx, e.Code); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("the enterprise with a NUL in its name was stored: %v", err)
		}
		e.Name = "广州示例"
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		_, _, err := s.FindEnterprises(ctx, chanye.EnterpriseFilter{Q: ptr("\x00"), Limit: 10})
		wantCode(t, err, chanye.EINVALID)
		_, err = s.UpdateEnterprise(ctx, e.Code, chanye.EnterpriseUpdate{Name: ptr("a\x00b")})
		wantCode(t, err, chanye.EINVALID)
		_, err = s.FindPolicyVersion(ctx, "a\x00", 0)
		wantCode(t, err, chanye.EINVALID)
		_, err = s.UpdateResponsibility(ctx, "auto", chanye.ResponsibilityUpdate{CityLeader: ptr("张\x00三")})
		wantCode(t, err, chanye.EINVALID)
	})
}
