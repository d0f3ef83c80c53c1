package demo_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/space"
)

var spaceIndustries = []string{"icv-nev", "biomedicine", "ai", "semiconductors", "new-materials", "smart-equipment", "software-internet", "new-energy-storage"}

// TestSpace: 690 valid blocks of exactly 626 km² over the 11 districts,
// each planned for 1–3 of the industries, schematic and demo; about
// 20,000 valid units within their bounds whose areas stay within their
// block's; the same seed gives the same inventory, another seed another.
func TestSpace(t *testing.T) {
	asOf := chanye.Date{Time: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)}
	opts := demo.SpaceOptions{Seed: 7, Industries: spaceIndustries, AsOf: asOf}
	blocks, units, err := demo.Space(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != demo.SpaceBlocks {
		t.Fatalf("%d blocks, want %d", len(blocks), demo.SpaceBlocks)
	}
	var total int64
	byCode := map[string]*space.Block{}
	districts := map[string]int{}
	for _, b := range blocks {
		if err := b.Validate(); err != nil {
			t.Fatalf("block %s: %v %v", b.Code, err, chanye.ErrorFields(err))
		}
		if byCode[b.Code] != nil {
			t.Fatalf("block code %s twice", b.Code)
		}
		byCode[b.Code] = b
		total += b.AreaM2
		districts[b.DistrictCode]++
		if !b.Demo || !b.Schematic || len(b.Boundary) == 0 {
			t.Errorf("block %s: demo %v, schematic %v, boundary %d bytes", b.Code, b.Demo, b.Schematic, len(b.Boundary))
		}
		if n := len(b.Industries); n < 1 || n > 3 {
			t.Errorf("block %s planned for %d industries", b.Code, n)
		}
		if !strings.HasPrefix(b.Code, "DEMO-"+b.DistrictCode+"-") || !strings.HasPrefix(b.Name, "演示产业区块 ") {
			t.Errorf("block %s named %q", b.Code, b.Name)
		}
		var g struct {
			Type        string
			Coordinates [][][2]float64
		}
		if err := json.Unmarshal(b.Boundary, &g); err != nil || g.Type != "Polygon" || len(g.Coordinates[0]) != 5 {
			t.Errorf("block %s: boundary %s is not a square", b.Code, b.Boundary)
		}
		// Inside Guangzhou's rough box.
		for _, p := range g.Coordinates[0] {
			if p[0] < 112.9 || p[0] > 114.1 || p[1] < 22.5 || p[1] > 23.95 {
				t.Errorf("block %s: position %v outside Guangzhou", b.Code, p)
			}
		}
	}
	if total != demo.SpaceAreaM2 {
		t.Errorf("blocks cover %d m², want %d", total, demo.SpaceAreaM2)
	}
	if len(districts) != 11 {
		t.Errorf("blocks in %d districts, want 11: %v", len(districts), districts)
	}
	if n := len(units); n < 18_000 || n > 23_000 {
		t.Errorf("%d units, want about 20,000", n)
	}
	used := map[string]int64{}
	seen := map[string]bool{}
	kinds := map[space.Kind]int{}
	statuses := map[space.Status]int{}
	later := 0
	for _, iu := range units {
		b := byCode[iu.BlockCode]
		if b == nil {
			t.Fatalf("unit %s in unknown block %q", iu.Code, iu.BlockCode)
		}
		key := iu.BlockCode + "/" + iu.Code
		if seen[key] {
			t.Fatalf("unit %s twice", key)
		}
		seen[key] = true
		u := iu.Unit
		u.BlockID = 1 // the store sets it
		if err := u.Validate(); err != nil {
			t.Fatalf("unit %s: %v %v", key, err, chanye.ErrorFields(err))
		}
		if !u.Demo {
			t.Errorf("unit %s is not demo", key)
		}
		used[iu.BlockCode] += u.AreaM2
		kinds[u.Kind]++
		statuses[u.Status]++
		if !u.AvailableOn.IsZero() {
			later++
			if !u.AvailableOn.After(asOf.Time) || u.AvailableOn.After(asOf.AddDate(1, 0, 0)) {
				t.Errorf("unit %s available on %s", key, u.AvailableOn)
			}
		}
		var lo, hi int64
		switch u.Kind {
		case space.Land:
			lo, hi = 10_000, 200_000
			if u.PriceFen == nil || u.RentFenM2Month != nil || u.PlotRatio == 0 {
				t.Errorf("parcel %s: price %v, rent %v, plot ratio %d", key, u.PriceFen, u.RentFenM2Month, u.PlotRatio)
			} else if mu := space.PerMu(*u.PriceFen, u.AreaM2); mu < 30*1_000_000 || mu > 400*1_000_000 {
				t.Errorf("parcel %s: %s 元 a 亩", key, mu.Yuan())
			}
		case space.Floor:
			lo, hi = 1_000, 5_000
			if u.Level < 1 || u.Level > 20 || u.LoadKgM2 == 0 || u.CeilingCM == 0 || u.Building == "" {
				t.Errorf("floor %s: level %d, load %d, ceiling %d", key, u.Level, u.LoadKgM2, u.CeilingCM)
			}
		case space.Plant:
			lo, hi = 500, 3_000
		}
		if u.AreaM2 < lo || u.AreaM2 > hi {
			t.Errorf("%s %s: %d m², want %d–%d", u.Kind, key, u.AreaM2, lo, hi)
		}
		if u.Kind != space.Land && (u.RentFenM2Month == nil || *u.RentFenM2Month < 2_000 || *u.RentFenM2Month > 6_000) {
			t.Errorf("%s %s: rent %v, want 2,000–6,000 fen", u.Kind, key, u.RentFenM2Month)
		}
	}
	for code, m2 := range used {
		if m2 > byCode[code].AreaM2 {
			t.Errorf("block %s: units of %d m² in %d m²", code, m2, byCode[code].AreaM2)
		}
	}
	for _, k := range []space.Kind{space.Land, space.Floor, space.Plant} {
		if kinds[k] == 0 {
			t.Errorf("no %s", k)
		}
	}
	if statuses[space.Reserve] == 0 || statuses[space.Available] < len(units)/2 || later == 0 {
		t.Errorf("statuses %v, %d available later", statuses, later)
	}

	again, againUnits, err := demo.Space(opts)
	if err != nil || !reflect.DeepEqual(again, blocks) || !reflect.DeepEqual(againUnits, units) {
		t.Error("the same seed gives another inventory")
	}
	opts.Seed = 8
	other, _, err := demo.Space(opts)
	if err != nil || reflect.DeepEqual(other, blocks) {
		t.Error("another seed gives the same inventory")
	}
	if _, _, err := demo.Space(demo.SpaceOptions{Seed: 7, Industries: []string{" "}}); chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("no industries: %v", err)
	}
}

// TestSpaceOneIndustry: with a single industry every block is planned
// for it alone.
func TestSpaceOneIndustry(t *testing.T) {
	blocks, _, err := demo.Space(demo.SpaceOptions{Seed: 1, Industries: []string{"ai", "ai"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if !reflect.DeepEqual(b.Industries, []string{"ai"}) {
			t.Fatalf("block %s planned for %v", b.Code, b.Industries)
		}
	}
}
