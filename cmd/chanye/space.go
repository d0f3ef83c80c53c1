package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/space"
	"github.com/chanye-org/chanye/sqlstore"
)

const spaceHelp = `chanye space route --area M2 [--investment 元] [--industry ID] [--power kVA] [--env M1|M2|M3]
                   [--district CODE[,CODE…]] [--kind land|floor|plant] [--limit N] [--repeat N] [--db PATH]

  route  按本市分级供地规则（大项目供地、中项目供楼、小项目租赁厂房）在全部可供单元中分流：
         打印所得类型及原因、候选单元（得分、满足的条件、未满足的需求）和用时；--repeat N
         再算 N 次，打印首次（读入库存）用时和其后的中位数、最长用时 / routes needs over the
         whole inventory by the city's size rule (large projects get land, medium ones
         floors, small ones rent plants): prints the kind and why, the candidates with
         their score, the reasons and the needs they leave unmet, and the time taken;
         --repeat N answers N times more and prints the first answer's time (it reads
         the inventory) and the median and the longest of the rest

投资额为元（可带两位小数），面积为平方米；--district 可给多个区县代码，以逗号分隔。
规则由管理员在 PUT /api/v1/space/size-rule 设定。库存由 chanye import space FILE 导入，export space 导出。
The investment is in yuan (two decimals at most), the area in m²; --district takes
district codes separated by commas. Administrators set the rule (PUT
/api/v1/space/size-rule). The inventory comes in with chanye import space FILE and
goes out with chanye export space.
`

func runSpace(ctx context.Context, cfg Config, args []string) error {
	return dispatch(ctx, cfg, args, "space", spaceHelp, map[string]func(context.Context, Config, []string) error{
		"route": runSpaceRoute,
	})
}

func runSpaceRoute(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "space route", spaceHelp)
	area := fs.Int64("area", 0, "所需面积，平方米（必填）/ the area needed, m² (required)")
	investment := fs.String("investment", "", "计划投资，元 / planned investment, yuan")
	industry := fs.String("industry", "", "产业 id / industry id")
	power := fs.Int("power", 0, "所需供电容量，千伏安 / power needed, kVA")
	env := fs.String("env", "", "用途的环境类别 M1、M2 或 M3 / environmental class of the use: M1, M2 or M3")
	district := fs.String("district", "", "意向区县代码，逗号分隔 / preferred district codes, separated by commas")
	kind := fs.String("kind", "", "指定类型 land、floor 或 plant，默认按规则 / the kind asked for: land, floor or plant; default the rule's")
	limit := fs.Int("limit", 5, "列出的候选数 / candidates to list")
	repeat := fs.Int("repeat", 0, "再算 N 次并打印中位数、最长用时 / answer N times more and print the median and the longest time")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("多余的参数 %q / unexpected arguments", pos)
	}
	n := space.Needs{Kind: space.Kind(*kind), AreaM2: *area, IndustryID: strings.TrimSpace(*industry), PowerKVA: *power}
	if *investment != "" {
		f, err := chanye.ParseYuan(*investment)
		if err != nil {
			return fmt.Errorf("--investment: %w", err)
		}
		n.InvestmentFen = f
	}
	if *env != "" {
		c, err := parseEnv(*env)
		if err != nil {
			return err
		}
		n.Env = c
	}
	for d := range strings.SplitSeq(*district, ",") {
		if d = strings.TrimSpace(d); d != "" {
			n.Districts = append(n.Districts, d)
		}
	}
	if *limit < 1 || *limit > space.MaxCandidates || *repeat < 0 {
		return fmt.Errorf("--limit 须为 1–%d，--repeat 不能为负 / --limit must be 1–%d, --repeat not negative", space.MaxCandidates, space.MaxCandidates)
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	r, err := store.Route(ctx, n, *limit)
	if err != nil {
		return err
	}
	first := time.Since(start)
	var took []time.Duration
	for range *repeat {
		start := time.Now()
		if _, err := store.Route(ctx, n, *limit); err != nil {
			return err
		}
		took = append(took, time.Since(start))
	}
	c, err := store.FindCatalog(ctx)
	if err != nil {
		return err
	}
	printRouting(cfg.Stdout, r, c)
	fmt.Fprintf(cfg.Stdout, "用时 / took %s", roundDuration(first))
	if len(took) > 0 {
		slices.Sort(took)
		fmt.Fprintf(cfg.Stdout, "（首次，读入库存 / the first, reading the inventory）；再算 %d 次 / %d more: 中位数 median %s, 最长 max %s",
			len(took), len(took), roundDuration(took[len(took)/2]), roundDuration(took[len(took)-1]))
	}
	fmt.Fprintln(cfg.Stdout)
	return nil
}

// roundDuration rounds d for printing: to the microsecond under a
// millisecond, else to a tenth of one.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(100 * time.Microsecond)
}

// parseEnv reads an environmental class: M1–M3 or 1–3.
func parseEnv(s string) (space.EnvClass, error) {
	v := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "M")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 3 {
		return 0, fmt.Errorf("--env %q 须为 M1、M2 或 M3 / must be M1, M2 or M3", s)
	}
	return space.EnvClass(n), nil
}

// printRouting writes a routing: the kind and why, then each candidate
// with its block, its reasons and the needs it leaves unmet.
func printRouting(w io.Writer, r *space.Routing, c *chanye.Catalog) {
	districts := map[string]string{}
	for _, d := range c.Districts {
		districts[d.Code] = d.NameZH
	}
	fmt.Fprintf(w, "分流 / routing: %s %s — %s / %s\n", r.Kind.NameZH(), r.Kind, r.Why.TextZH, r.Why.TextEN)
	fmt.Fprintf(w, "可供的%s / available %ss: %d\n", r.Kind.NameZH(), r.Kind.NameEN(), r.Considered)
	for i, cand := range r.Candidates {
		u := cand.Unit
		fmt.Fprintf(w, "%2d. %s %s  %d m²", i+1, u.BlockCode, u.Code, u.AreaM2)
		if b := cand.Block; b != nil {
			fmt.Fprintf(w, "  %s，%s %s", b.Name, districts[b.DistrictCode], b.DistrictCode)
		}
		switch {
		case u.Kind == space.Land && u.PriceFen != nil:
			fmt.Fprintf(w, "  出让价 / price %s 元", u.PriceFen.Yuan())
		case u.RentFenM2Month != nil:
			fmt.Fprintf(w, "  租金 / rent %s 元/m²·月", u.RentFenM2Month.Yuan())
		}
		if !u.AvailableOn.IsZero() {
			fmt.Fprintf(w, "  可供 / from %s", u.AvailableOn)
		}
		fmt.Fprintf(w, "  得分 / score %d\n", cand.Score)
		for _, x := range cand.Reasons {
			fmt.Fprintf(w, "      + %s / %s (%d)\n", x.TextZH, x.TextEN, x.Points)
		}
		for _, x := range cand.Unmet {
			fmt.Fprintf(w, "      − %s / %s\n", x.TextZH, x.TextEN)
		}
	}
	if len(r.Candidates) == 0 {
		fmt.Fprintln(w, "没有可供的单元 / no unit of the kind is available")
	}
}

// importSpace stores the blocks and units of a file all or nothing: an
// XLSX workbook with the sheet 区块, the sheet 单元 or both; a CSV file of
// blocks or of units (told apart by its header); a GeoJSON
// FeatureCollection of blocks. Each problem is printed by its row and
// column (by its feature for GeoJSON) and nothing is stored.
func importSpace(ctx context.Context, cfg Config, store *sqlstore.Store, path string) error {
	var st space.ImportStats
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".geojson", ".json":
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		file, err := dataio.ReadBlocksGeoJSON(f)
		if err != nil {
			return err
		}
		if err = file.Err(); err == nil {
			st, err = store.ImportInventory(ctx, file.Blocks, nil)
		}
		if err != nil {
			faults := file.Faults(err)
			if len(faults) == 0 {
				return err
			}
			for _, k := range sortedFaults(faults) {
				fmt.Fprintf(cfg.Stderr, "  %s: %s\n", k, faults[k])
			}
			return fmt.Errorf("%s：未导入 / nothing imported: %w", path, err)
		}
	case ".xlsx":
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		file, err := dataio.ReadInventory(f)
		if err != nil {
			return err
		}
		if err = file.Err(); err == nil {
			var blocks []*space.Block
			var units []*space.ImportUnit
			if file.Blocks != nil {
				blocks = file.Blocks.Rows
			}
			if file.Units != nil {
				units = file.Units.Rows
			}
			st, err = store.ImportInventory(ctx, blocks, units)
		}
		if err != nil {
			bp, up := file.Problems(err)
			if len(bp)+len(up) == 0 {
				return err
			}
			for _, s := range []struct {
				name     string
				problems []dataio.Problem
			}{{"工作表 区块 / sheet 区块 (blocks)", bp}, {"工作表 单元 / sheet 单元 (units)", up}} {
				if len(s.problems) > 0 {
					fmt.Fprintln(cfg.Stderr, s.name+":")
					printProblems(cfg, s.problems)
				}
			}
			return fmt.Errorf("%s：未导入 / nothing imported: %w", path, err)
		}
	case ".csv":
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if st, err = importSpaceCSV(ctx, cfg, store, path, data); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s：须为 .xlsx、.csv 或 .geojson 文件 / must be an .xlsx, .csv or .geojson file", path)
	}
	fmt.Fprintf(cfg.Stdout, "已导入产业空间 / space imported: 区块 blocks 新增 created %d, 更新 updated %d; 单元 units 新增 created %d, 更新 updated %d\n",
		st.BlocksCreated, st.BlocksUpdated, st.UnitsCreated, st.UnitsUpdated)
	return nil
}

// importSpaceCSV imports a CSV file of units or, when its header is not a
// units file's, of blocks.
func importSpaceCSV(ctx context.Context, cfg Config, store *sqlstore.Store, path string, data []byte) (space.ImportStats, error) {
	units, uerr := dataio.ReadUnits(bytes.NewReader(data), dataio.CSV)
	if uerr == nil {
		var st space.ImportStats
		err := units.Err()
		if err == nil {
			st, err = store.ImportInventory(ctx, nil, units.Rows)
		}
		return st, sheetProblems(cfg, path, units.Problems(dataio.AsRows(err, "units")), err)
	}
	blocks, berr := dataio.ReadBlocks(bytes.NewReader(data), dataio.CSV)
	if berr != nil {
		return space.ImportStats{}, fmt.Errorf("%s 既不是单元表也不是区块表 / is neither a units nor a blocks file: %w", path, errors.Join(uerr, berr))
	}
	var st space.ImportStats
	err := blocks.Err()
	if err == nil {
		st, err = store.ImportInventory(ctx, blocks.Rows, nil)
	}
	return st, sheetProblems(cfg, path, blocks.Problems(dataio.AsRows(err, "blocks")), err)
}

// printProblems prints a file's problems, row and column first.
func printProblems(cfg Config, problems []dataio.Problem) {
	for _, p := range problems {
		if p.Row == 0 {
			fmt.Fprintf(cfg.Stderr, "  %s: %s\n", p.Column, p.Reason)
		} else {
			fmt.Fprintln(cfg.Stderr, "  "+p.String())
		}
	}
}

// sortedFaults returns the keys of faults (features[N].field) by feature
// number, then field.
func sortedFaults(faults map[string]string) []string {
	index := func(k string) int {
		if _, rest, ok := strings.Cut(k, "["); ok {
			if n, err := strconv.Atoi(rest[:strings.IndexByte(rest+"]", ']')]); err == nil {
				return n
			}
		}
		return -1
	}
	keys := make([]string, 0, len(faults))
	for k := range faults {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if d := index(a) - index(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return keys
}

// exportSpace writes the inventory (of a district, of blocks planned for
// an industry): as one XLSX workbook with the sheets 区块 and 单元; as two
// CSV files beside --out (NAME.blocks.csv, NAME.units.csv); or the blocks
// as a GeoJSON FeatureCollection. The format is --format's, else --out's
// extension, else xlsx.
func exportSpace(ctx context.Context, cfg Config, format, out, district, industry string) error {
	if format == "" {
		switch ext := strings.ToLower(filepath.Ext(out)); ext {
		case ".csv", ".geojson":
			format = ext[1:]
		case ".json":
			format = "geojson"
		default:
			format = "xlsx"
		}
	}
	format = strings.ToLower(strings.TrimPrefix(format, "."))
	if format != "csv" && format != "xlsx" && format != "geojson" {
		return fmt.Errorf("--format %q 须为 csv、xlsx 或 geojson / must be csv, xlsx or geojson", format)
	}
	if format == "csv" && out == "" {
		return errors.New("CSV 为区块、单元两个文件，须给出 --out / CSV is two files, blocks and units: give --out")
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	bf := space.BlockFilter{Limit: space.MaxPage}
	uf := space.UnitFilter{Limit: space.MaxPage}
	if district != "" {
		bf.DistrictCode, uf.DistrictCode = &district, &district
	}
	if industry != "" {
		bf.IndustryID, uf.IndustryID = &industry, &industry
	}
	blocks, err := allPages(func(offset int) ([]*space.Block, int, error) {
		bf.Offset = offset
		return store.FindBlocks(ctx, bf)
	})
	if err != nil {
		return err
	}
	if format == "geojson" {
		return exportTo(cfg, out, "个区块 blocks", func(w io.Writer) (int, error) { return dataio.ExportBlocksGeoJSON(w, blocks, "") })
	}
	units, err := allPages(func(offset int) ([]*space.Unit, int, error) {
		uf.Offset = offset
		return store.FindUnits(ctx, uf)
	})
	if err != nil {
		return err
	}
	if format == "xlsx" {
		return exportTo(cfg, out, fmt.Sprintf("个区块 blocks, %d 个单元 units", len(units)), func(w io.Writer) (int, error) {
			return len(blocks), dataio.ExportInventory(w, blocks, units)
		})
	}
	stem := strings.TrimSuffix(out, filepath.Ext(out))
	if err := exportTo(cfg, stem+".blocks.csv", "个区块 blocks", func(w io.Writer) (int, error) {
		return dataio.ExportBlocks(w, dataio.CSV, blocks)
	}); err != nil {
		return err
	}
	return exportTo(cfg, stem+".units.csv", "个单元 units", func(w io.Writer) (int, error) {
		return dataio.ExportUnits(w, dataio.CSV, units)
	})
}
