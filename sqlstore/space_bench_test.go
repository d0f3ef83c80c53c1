package sqlstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/space"
)

// benchInventory is a city's inventory: blocks blocks over the test
// catalog's districts and industries and units units in them — a fifth
// land, three fifths floors, a fifth plants —, two fifths allocated and
// one in twenty held (set in SQL: the benchmark measures reading).
func benchInventory(tb testing.TB, s *Store, blocks, units int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(15, 37))
	districts, industries := []string{"440103", "440106"}, []string{"auto", "ict", "quantum"}
	bs := make([]*space.Block, blocks)
	for i := range bs {
		bs[i] = &space.Block{Code: fmt.Sprintf("B%04d", i), Name: fmt.Sprintf("产业区块%d", i), DistrictCode: districts[i%2],
			AreaM2: 200_000 + int64(rng.IntN(2_000_000)), Industries: []string{industries[i%3]}}
		if i%4 == 0 {
			bs[i].Industries = append(bs[i].Industries, industries[(i+1)%3])
		}
	}
	us := make([]*space.ImportUnit, units)
	for i := range us {
		u := space.Unit{Code: fmt.Sprintf("U%05d", i), AreaM2: 500 + int64(rng.IntN(40_000)), PowerKVA: rng.IntN(5000), Env: space.EnvClass(rng.IntN(4))}
		rent := chanye.Fen(2000 + rng.IntN(6000))
		switch k := rng.IntN(5); {
		case k == 0:
			u.Kind, u.PlotRatio, u.HeightM, u.LandUse = space.Land, 150+rng.IntN(300), 24+rng.IntN(80), "M1"
			price := chanye.Fen(u.AreaM2) * 150_000
			u.PriceFen = &price
		case k <= 3:
			u.Kind, u.Building, u.Level, u.LoadKgM2, u.CeilingCM, u.FreightLift = space.Floor, "1栋", 1+rng.IntN(20), 500+rng.IntN(1000), 400+rng.IntN(400), rng.IntN(2) == 0
			u.RentFenM2Month = &rent
		default:
			u.Kind = space.Plant
			u.RentFenM2Month = &rent
		}
		if rng.IntN(10) == 0 {
			u.AvailableOn = chanye.DateOf(today.AddDate(0, 0, rng.IntN(365)))
		}
		us[i] = &space.ImportUnit{BlockCode: bs[rng.IntN(blocks)].Code, Unit: u}
	}
	start := time.Now()
	if _, err := s.ImportInventory(operator(), bs, us); err != nil {
		tb.Fatalf("import: %v %v", err, chanye.ErrorFields(err))
	}
	tb.Logf("imported %d blocks and %d units in %v", blocks, units, time.Since(start).Round(time.Millisecond))
	if _, err := s.db.db.Exec(`UPDATE space_units SET status = CASE WHEN id % 20 = 0 THEN 'held' WHEN id % 5 < 2 THEN 'allocated' ELSE status END`); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkRoute answers needs of each kind over a city's inventory —
// 690 blocks, 20,000 units — on SQLite: Route must answer in 100 ms.
// The cold cases raise the inventory's generation before each call, as a
// write does, so that Route reads the available units again; the worst
// makes every unit an available floor.
//
//	go test -run '^$' -bench BenchmarkRoute -benchtime 20x ./sqlstore/
func BenchmarkRoute(b *testing.B) {
	db := openTestDB(b, filepath.Join(b.TempDir(), "chanye.db"))
	s := NewStore(db)
	if _, err := s.EnsureCatalog(context.Background(), testCatalog()); err != nil {
		b.Fatal(err)
	}
	benchInventory(b, s, 690, 20_000)
	ctx := operator()
	for _, bc := range []struct {
		name string
		n    space.Needs
	}{
		{"land", space.Needs{InvestmentFen: 800_000_000_00, AreaM2: 30_000, IndustryID: "auto", PowerKVA: 2000, Env: space.M2}},
		{"floor", space.Needs{InvestmentFen: 80_000_000_00, AreaM2: 3_000, IndustryID: "ict", LoadKgM2: 800, FreightLift: true, Districts: []string{"440106"}}},
		{"plant", space.Needs{InvestmentFen: 5_000_000_00, AreaM2: 800, IndustryID: "quantum", MaxRentFenM2Month: ptr(chanye.Fen(5000))}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				r, err := s.Route(ctx, bc.n, 0)
				if err != nil || len(r.Candidates) == 0 {
					b.Fatalf("route: %+v %v", r, err)
				}
			}
		})
	}
	floor := space.Needs{Kind: space.Floor, AreaM2: 3_000, IndustryID: "ict", LoadKgM2: 800}
	cold := func(b *testing.B) {
		for b.Loop() {
			if _, err := s.db.db.Exec(`UPDATE space_generation SET gen = gen + 1`); err != nil {
				b.Fatal(err)
			}
			if r, err := s.Route(ctx, floor, 0); err != nil || len(r.Candidates) == 0 {
				b.Fatalf("route: %+v %v", r, err)
			}
		}
	}
	b.Run("floor/cold", cold)
	if _, err := s.db.db.Exec(`UPDATE space_units SET status = 'available', kind = 'floor', plot_ratio = 0, height_m = 0`); err != nil {
		b.Fatal(err)
	}
	b.Run("worst/cold", cold)
	b.Run("worst", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Route(ctx, floor, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
