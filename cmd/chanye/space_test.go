package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/space"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestSpaceCommands: chanye import space takes a workbook, a CSV file of
// units or blocks (told apart by the header) and GeoJSON, all or
// nothing, printing each problem by its row and column or its feature;
// export space writes a workbook, two CSV files or GeoJSON, each of which
// imports back unchanged; space route prints the kind, why and the
// candidates with their reasons and unmet needs, and with --repeat the
// median and the longest time.
func TestSpaceCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	path := func(name string) string { return filepath.Join(dir, name) }
	mustRun(t, db, "migrate")
	boundary := json.RawMessage(`{"type":"Polygon","coordinates":[[[113.35,23.12],[113.36,23.12],[113.36,23.13],[113.35,23.12]]]}`)
	rent, price := chanye.Fen(4500), chanye.Fen(30_000_000_00)
	blocks := []*space.Block{{Code: "TH-01", Name: "天河智谷", DistrictCode: "440106", AreaM2: 1_000_000, Industries: []string{"icv-nev"}, Boundary: boundary, Schematic: true}}
	units := []*space.Unit{
		{BlockCode: "TH-01", Kind: space.Land, Code: "DK-01", AreaM2: 30_000, LandUse: "M1 一类工业用地", PlotRatio: 250, PriceFen: &price, Status: space.Available},
		{BlockCode: "TH-01", Kind: space.Floor, Code: "B1-F03", AreaM2: 2_500, Building: "1号楼", Level: 3, FreightLift: true, RentFenM2Month: &rent, Status: space.Available},
		{BlockCode: "TH-01", Kind: space.Plant, Code: "CF-01", AreaM2: 900, RentFenM2Month: &rent, Status: space.Available},
	}
	var wb bytes.Buffer
	if err := dataio.ExportInventory(&wb, blocks, units); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path("inventory.xlsx"), wb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, db, "import", "space", path("inventory.xlsx")); !strings.Contains(out, "区块 blocks 新增 created 1, 更新 updated 0; 单元 units 新增 created 3") {
		t.Errorf("import: %s", out)
	}
	// The boundaries come as GeoJSON; a workbook imported again keeps them.
	var geo bytes.Buffer
	if _, err := dataio.ExportBlocksGeoJSON(&geo, blocks, ""); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path("in.geojson"), geo.Bytes(), 0o644)
	if out := mustRun(t, db, "import", "space", path("in.geojson")); !strings.Contains(out, "区块 blocks 新增 created 0, 更新 updated 1") {
		t.Errorf("import GeoJSON: %s", out)
	}
	if out := mustRun(t, db, "import", "space", path("inventory.xlsx")); !strings.Contains(out, "区块 blocks 新增 created 0, 更新 updated 0; 单元 units 新增 created 0, 更新 updated 0") {
		t.Errorf("the workbook again: %s", out)
	}

	// Faults: a unit of no area in a CSV, a block of no district in GeoJSON.
	os.WriteFile(path("units.csv"), []byte("区块编号,类型,编号,面积\nTH-01,厂房,CF-02,0\n"), 0o644)
	os.WriteFile(path("blocks.geojson"), []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"code":"HZ-01","name":"海珠","area_m2":1000}}]}`), 0o644)
	for file, want := range map[string]string{"units.csv": "第 2 行 / row 2, 列 / column 面积", "blocks.geojson": "features[0].district_code"} {
		if _, stderr, err := runStd(t, db, "import", "space", path(file)); err == nil || !strings.Contains(stderr, want) {
			t.Errorf("%s: %v, stderr lacks %q:\n%s", file, err, want, stderr)
		}
	}
	// A blocks file told from its header; a block unknown to a unit.
	os.WriteFile(path("blocks.csv"), []byte("code,name,district_code,area_m2,industries\nHZ-01,海珠区块,440105,500000,icv-nev\n"), 0o644)
	if out := mustRun(t, db, "import", "space", path("blocks.csv")); !strings.Contains(out, "新增 created 1") {
		t.Errorf("blocks.csv: %s", out)
	}
	os.WriteFile(path("orphan.csv"), []byte("block_code,kind,code,area_m2\nXX-99,plant,CF-01,800\n"), 0o644)
	if _, stderr, err := runStd(t, db, "import", "space", path("orphan.csv")); err == nil || !strings.Contains(stderr, "row 2, 列 / column block_code") {
		t.Errorf("a unit of no block: %v\n%s", err, stderr)
	}

	// Exports import back unchanged.
	mustRun(t, db, "export", "space", "--out", path("out.xlsx"))
	mustRun(t, db, "export", "space", "--format", "csv", "--out", path("out.csv"))
	mustRun(t, db, "export", "space", "--format", "geojson", "--out", path("out.geojson"))
	for _, file := range []string{"out.xlsx", "out.blocks.csv", "out.units.csv", "out.geojson"} {
		if out := mustRun(t, db, "import", "space", path(file)); !strings.Contains(out, "新增 created 0, 更新 updated 0; 单元 units 新增 created 0, 更新 updated 0") {
			t.Errorf("%s back: %s", file, out)
		}
	}
	if units, _ := os.ReadFile(path("out.units.csv")); strings.Count(string(units), "\n") != 4 || !strings.Contains(string(units), "45.00") {
		t.Errorf("units.csv:\n%s", units)
	}
	if geo, _ := os.ReadFile(path("out.geojson")); !bytes.Contains(geo, []byte(`"code":"TH-01"`)) || !bytes.Contains(geo, []byte(`"Polygon"`)) {
		t.Errorf("geojson:\n%s", geo)
	}
	if _, err := runCmd(t, db, "export", "space", "--format", "csv"); err == nil {
		t.Error("CSV to stdout: no error")
	}

	// Routing: 8,000 万元 is a medium project (floors); 30,000 m² large.
	out := mustRun(t, db, "space", "route", "--area", "2000", "--investment", "80000000", "--industry", "icv-nev", "--district", "440106,440105", "--repeat", "3")
	for _, want := range []string{"中项目供楼 / a medium project gets floors", "TH-01 B1-F03  2500 m²  天河智谷，天河区 440106", "+ 区块规划主导产业相符", "中位数 median"} {
		if !strings.Contains(out, want) {
			t.Errorf("route lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, db, "space", "route", "--area", "40000", "--env", "M3", "--power", "100")
	for _, want := range []string{"大项目供地", "TH-01 DK-01", "− 面积 30000 平方米，少于所需 40000 平方米", "− 环境类别未知"} {
		if !strings.Contains(out, want) {
			t.Errorf("route lacks %q:\n%s", want, out)
		}
	}
	if _, err := runCmd(t, db, "space", "route", "--area", "100", "--env", "M4"); err == nil {
		t.Error("--env M4: no error")
	}
}

// TestSweepExpiresHolds: serve's hourly sweep ends the holds past their
// day and tells the holders of those ending soon, and logs it.
func TestSweepExpiresHolds(t *testing.T) {
	db, store := sqlstoretest.NewWithDB(t)
	now := testclock.Now()
	db.Now = func() time.Time { return now }
	ctx := chanye.WithActor(t.Context(), chanye.Operator)
	code := "91440101MA5ALP4R4C"
	founded, _ := chanye.ParseDate("2015-06-01")
	if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: code, Name: "企业", DistrictCode: "440106", IndustryClass: "3612", Founded: founded}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateProject(ctx, &project.Project{ID: "GZ-S1", Name: "预留项目", OwnerCode: code, IndustryID: "icv-nev", DistrictCode: "440106",
		Kind: project.KindIndustrial, TotalInvestmentFen: 100_000_000_00, PlannedStart: chanye.DateOf(now.AddDate(0, 2, 0)),
		PlannedCompletion: chanye.DateOf(now.AddDate(2, 0, 0)), Stage: project.StageSigned}); err != nil {
		t.Fatal(err)
	}
	b := &space.Block{Code: "TH-01", Name: "天河", DistrictCode: "440106", AreaM2: 1_000_000, Industries: []string{"icv-nev"}}
	if err := store.CreateBlock(ctx, b); err != nil {
		t.Fatal(err)
	}
	var holds []*space.Hold
	for i, days := range []int{1, 20} {
		u := &space.Unit{BlockID: b.ID, Kind: space.Plant, Code: "CF-0" + string(rune('1'+i)), AreaM2: 800}
		if err := store.CreateUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
		h := &space.Hold{UnitID: u.ID, ForKind: space.ForProject, ForID: "GZ-S1", Until: chanye.DateOf(now.AddDate(0, 0, days))}
		if err := store.HoldUnit(ctx, h); err != nil {
			t.Fatal(err)
		}
		holds = append(holds, h)
	}
	now = now.AddDate(0, 0, 14) // the first hold is past, the second ends within a week
	logs := make(chan string, 16)
	log := slog.New(&chanHandler{msgs: logs})
	sweepCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); sweepEvery(sweepCtx, store, log, time.Hour) }()
	for msg := range logs {
		if strings.HasPrefix(msg, "space") {
			if msg != "space holds swept expired=1 warned=1 leases_ended=0" {
				t.Errorf("logged %q", msg)
			}
			break
		}
	}
	stop()
	<-done
	if h, _ := store.FindHoldByID(ctx, holds[0].ID); h.Status != space.HoldExpired {
		t.Errorf("the hold past its day: %s", h.Status)
	}
	tf := chanye.WithActor(ctx, &chanye.Actor{Name: "tf", UserID: 99, Role: chanye.RoleTaskForce, IndustryID: "icv-nev"})
	ns, _, _, err := store.FindNotifications(tf, notify.Filter{Limit: 10})
	if err != nil || len(ns) != 1 || ns[0].Kind != notify.Space {
		t.Errorf("the task force's inbox: %+v %v", ns, err)
	}
}

// chanHandler sends each record's message and attributes to a channel.
type chanHandler struct{ msgs chan string }

func (h *chanHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *chanHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *chanHandler) WithGroup(string) slog.Handler            { return h }
func (h *chanHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	})
	select {
	case h.msgs <- b.String():
	default:
	}
	return nil
}

// TestDemoSpace: the demo's industrial space is the generator's, used: a
// third of the land transferred (a few blocks' to firms without figures,
// their 亩均 unknown), floors and plants let in some blocks and not
// others, units held for key projects (one ending within a week, its
// holders told), a lease given up early; a second call does nothing.
func TestDemoSpace(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 20,000 units")
	}
	db, store := sqlstoretest.NewWithDB(t)
	ctx := chanye.WithActor(t.Context(), chanye.Operator)
	asOf := testclock.Today()
	if _, err := demo.Generate(ctx, store, demo.Options{AsOf: asOf, Enterprises: 3000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := generateProjects(ctx, store, demo.ProjectOptions{Projects: 120, Seed: 1, AsOf: asOf}, asOf); err != nil {
		t.Fatal(err)
	}
	realNow := db.Now
	st, err := ensureDemoSpace(ctx, db, store, testclock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(spaceSummary(st))
	if db.Now().Compare(realNow()) != 0 {
		t.Error("the store's clock was not put back")
	}
	if st.Blocks != demo.SpaceBlocks || st.Units < 19_000 || st.Transferred < 400 || st.Leased < 300 || st.Ended != 1 ||
		st.Unknown < 3 || st.Known < 100 || st.Flagged == 0 || st.Held < 3 || st.Expiring != 1 {
		t.Errorf("stats: %+v", st)
	}
	use, err := store.FindBlockUse(ctx, space.BlockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	occupied, empty := 0, 0
	for _, u := range use {
		switch {
		case u.OccupancyPerMille == nil:
		case *u.OccupancyPerMille > 0:
			occupied++
		default:
			empty++
		}
	}
	if occupied < 50 || empty < 50 {
		t.Errorf("occupancy does not vary: %d blocks let, %d not", occupied, empty)
	}
	ended := true
	if as, n, err := store.FindAllocations(ctx, space.AllocationFilter{Ended: &ended}); err != nil || n != 1 || as[0].Kind != space.Lease {
		t.Errorf("ended: %d %v", n, err)
	}
	notes, _, err := store.FindHolds(ctx, space.HoldFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range notes {
		if h.Note != "演示预留 / demo hold" {
			t.Errorf("hold %d: note %q", h.ID, h.Note)
		}
	}
	if again, err := ensureDemoSpace(ctx, db, store, testclock.Now); err != nil || again.Blocks != 0 {
		t.Errorf("again: %+v %v", again, err)
	}
}
