package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/schollz/progressbar/v3"
)

const demoHelp = `chanye demo [--enterprises N] [--projects N] [--seed S] [--as-of YYYY-MM-DD] [--db PATH]

生成确定性的演示企业数据（同一种子得到同样的数据）：信用代码、名称、区县、行业、
三年财务数据、企业梯度，以及各产业的营收指标；打印用时和每秒行数。重复运行不改变数据。
尚无政策时保存并发布内置政策。随后生成 1,246 个市重点项目（总投资约 5.6 万亿元）及节点和月报。
挂链后，尚无招商线索时生成演示招商：外地企业名单、弱链缺链的三张清单、约 300 条各阶段线索，
其中 10 条落地转为重点项目（ZS-0001…），均标明演示数据。
尚无产业区块时生成演示产业空间：690 个区块（示意边界）约 2 万个单元，三分之一地块出让给有数据的企业，
部分楼层、厂房出租或出售，为重点项目和招商线索预留单元（其一一周内到期），一份租约提前终止。

Generates a deterministic demo base (same seed, same data): codes, names, districts,
classes, three years of facts, tiers and industry revenue series; prints the elapsed
time and rows per second. Every industry without one gets a demo city leader,
lead department and task force, from the lists (names the demo invents say 演示).
Running it again changes nothing. When no policy is
stored, the shipped policies are stored and published. Then the 1,246 city key
projects (about 5.6 trillion yuan) are added with their nodes and monthly reports.
After placement, a database without leads gets the demo's 招商: a roster of outside
firms, the three lists for weak and missing links, about 300 leads in every stage,
10 of them landed as key projects (ZS-0001 …), all marked 演示数据. A database
without enterprise requests (诉求) gets 60 raised over the past four weeks in every
state — waiting, overdue and escalated, in hand, answered, confirmed, reopened,
closed after a callback — also marked 演示数据. A database without industrial blocks
gets the demo's industrial space: 690 blocks over 626 km² with about 20,000 units
(schematic boundaries), a third of the land transferred to registry firms (a few
blocks' to a firm without figures, so their 亩均 is unknown), a share of each block's
floors and plants let or sold, units held for key projects and leads (one hold ending
within a week) and a lease given up early.
`

func runDemo(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "demo", demoHelp)
	n := fs.Int("enterprises", 20000, "企业数 / number of enterprises")
	seed := fs.Int64("seed", 1, "随机种子 / random seed")
	asOf := fs.String("as-of", "", "数据日期，默认今天 / as-of date, default today")
	projects := fs.Int("projects", demo.KeyProjects, "重点项目数，0 不生成 / key projects, 0 for none")
	shardS := fs.String("shard", "", "只写入一个分片的企业（K/N，chanye.ShardOf），不生成其他演示数据 / write only shard K of N's enterprises (chanye.ShardOf), and no other demo data")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	opts := demo.Options{Enterprises: *n, Seed: *seed, AsOf: chanye.DateOf(cfg.Now())}
	if *shardS != "" {
		k, n, err := parseShard(*shardS)
		if err != nil {
			return err
		}
		opts.Keep = func(code string) bool { return chanye.ShardOf(code, n) == k }
	}
	if *asOf != "" {
		d, err := chanye.ParseDate(*asOf)
		if err != nil {
			return err
		}
		opts.AsOf = d
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if isTerminal(cfg.Stderr) {
		bar := progressbar.NewOptions(*n, progressbar.OptionSetWriter(cfg.Stderr), progressbar.OptionSetDescription("生成 / generating"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish())
		opts.Progress = func(done int) { bar.Set(done) }
		defer bar.Finish()
	}
	if opts.Chains, err = store.FindChains(ctx); err != nil {
		return err
	}
	start := time.Now()
	st, err := demo.Generate(ctx, store, opts)
	if err != nil {
		return err
	}
	el := time.Since(start)
	if opts.Keep != nil { // one shard's enterprises: the rest is the coordinator's
		fmt.Fprintf(cfg.Stdout, "演示数据 / demo data, shard %s: %d 家企业 enterprises, %d 条年度数据 facts, %d 个梯度 tiers\n", *shardS, st.Enterprises, st.Facts, st.Tiers)
		return nil
	}
	assigned, err := demo.Responsibilities(ctx, store)
	if err != nil {
		return err
	}
	if assigned > 0 {
		fmt.Fprintf(cfg.Stdout, "演示责任分工 / demo responsibilities: %d 个产业 industries\n", assigned)
	}
	leads, err := demo.LeadFirms(ctx, store)
	if err != nil {
		return fmt.Errorf("演示链主 / demo 链主: %w", err)
	}
	if leads > 0 {
		fmt.Fprintf(cfg.Stdout, "演示链主 / demo 链主: %d 家企业 firms\n", leads)
	}
	eng := engine.New(engine.Config{Catalog: store, Enterprises: store, Versions: store, Runs: store, Budgets: store, Inputs: store, Snapshots: store, Logger: cfg.Logger, Now: cfg.Now})
	if err := ensureShipped(ctx, eng, cfg.Logger, true); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "演示数据 / demo data: %d 家企业 enterprises, %d 条年度数据 facts, %d 个梯度 tiers, %d 个指标 indicators\n",
		st.Enterprises, st.Facts, st.Tiers, st.Indicators)
	fmt.Fprintf(cfg.Stdout, "用时 / elapsed %s, %s 企业/秒 enterprises/s, %s 行/秒 rows/s\n",
		el.Round(time.Millisecond), rate(st.Enterprises, el), rate(st.Rows(), el))
	if *projects > 0 {
		start := time.Now()
		ps, err := generateProjects(ctx, store, demo.ProjectOptions{Projects: *projects, Seed: *seed, AsOf: opts.AsOf}, chanye.DateOf(cfg.Now()))
		if err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stdout, "重点项目 / key projects: %d 个 projects, 总投资 total %.4g 万亿元 trillion yuan, %d 个节点 nodes, %d 份月报 reports, 用时 elapsed %s\n",
			ps.Projects, float64(ps.Total)/1e14, ps.Nodes, ps.Reports, time.Since(start).Round(time.Millisecond))
	}
	if err := placeDemo(ctx, cfg, store, st.Enterprises); err != nil {
		return err
	}
	ls, err := demo.Leads(ctx, store, demo.LeadOptions{Seed: *seed, Today: chanye.DateOf(cfg.Now())})
	if err != nil {
		return fmt.Errorf("演示招商 / demo leads: %w", err)
	}
	if ls.Leads > 0 {
		fmt.Fprintf(cfg.Stdout, "演示招商 / demo 招商: 名单 roster %d 家 firms, %d 个缺链 gaps, 对象 targets %d 招商 attract / %d 科技转化 tech / %d 增资扩产 expand, %d 条线索 leads (%d 逾期 overdue, %d 流失 lost), %d 个转为重点项目 key projects, %d 条督办 under supervision\n",
			ls.Roster, ls.Gaps, ls.Targets[invest.ListAttract], ls.Targets[invest.ListTech], ls.Targets[invest.ListExpand],
			ls.Leads, ls.Overdue, ls.ByStage[invest.StageLost], ls.Projects, sum(ls.Supervisions))
	}
	rs, err := ensureDemoRequests(ctx, db, store, cfg.Now, uint64(*seed))
	if err != nil {
		return err
	}
	if len(rs.ByStatus) > 0 {
		fmt.Fprintln(cfg.Stdout, requestSummary(rs))
	}
	ss, err := ensureDemoScenarios(ctx, db, store, cfg.Now)
	if err != nil {
		return err
	}
	if len(ss.ByStatus) > 0 {
		fmt.Fprintln(cfg.Stdout, scenarioSummary(ss))
	}
	ms, err := ensureDemoMatchmaking(ctx, db, store, cfg.Now)
	if err != nil {
		return err
	}
	if ms.Supplies > 0 {
		fmt.Fprintln(cfg.Stdout, matchSummary(ms))
	}
	sp, err := ensureDemoSpace(ctx, db, store, cfg.Now)
	if err != nil {
		return err
	}
	if sp.Blocks > 0 {
		fmt.Fprintln(cfg.Stdout, spaceSummary(sp))
	}
	return nil
}

const importHelp = `chanye import enterprises|facts|tiers|scopes FILE [KIND FILE …] [--skip-invalid] [--rejects FILE] [--db PATH]
chanye import projects|nodes|reports FILE [KIND FILE …] [--skip-invalid] [--rejects FILE] [--db PATH]
chanye import catalog FILE.json [--db PATH]
chanye import chains FILE.json [--db PATH]
chanye import roster FILE.csv|FILE.xlsx --source NAME [--db PATH]
chanye import placements FILE.csv|FILE.xlsx [--db PATH]
chanye import targets FILE.csv|FILE.xlsx [--db PATH]   # 招商对象: industry_id, link_id, kind, name, code, city, brings, source, note
chanye import requests FILE.csv|FILE.xlsx [--db PATH]   # 企业诉求 from another platform: code, category_id, title, description, external_source, external_ref
chanye import leads FILE.csv|FILE.xlsx [--db PATH]   # 招商线索, the sheet export leads writes with its id column empty
chanye import chain-links FILE.csv|FILE.xlsx [--db PATH]   # the sheet export chain-links writes, edited
chanye import scenarios FILE.csv|FILE.xlsx [--db PATH]   # 应用场景 as drafts: title, offerer, offerer_kind, industry_id, requirements, deadline, pilot_start, pilot_end, criteria
chanye import supplies|demands FILE.csv|FILE.xlsx [--db PATH]   # 供需对接的供给、需求 (see below)
chanye import space FILE.xlsx|FILE.csv|FILE.geojson [--db PATH]   # 产业空间: blocks, units or a whole inventory workbook (see below)

从 CSV（UTF-8，可带 BOM）或 XLSX（按扩展名）导入，逐行校验，一个事务写入：默认只要有一行
有误就不导入任何数据，并列出问题（行、列、原因）；--skip-invalid 导入正确的行，把错误行及
原因写到 --rejects 文件（CSV）。多个文件（如先 enterprises 再 facts）在同一事务中导入。
scopes 为经营范围（code, scope 经营范围, source 来源, as_of 数据日期），挂链时读取。
catalog 导入产业目录 JSON，chains 导入产业链 JSON（替换全部产业链，错误指明产业链、环节和字段）。
roster 导入外地企业名单（招商候选），整体替换 --source 来源的名单：列 name 企业名称、code 统一社会信用代码、
city 城市、province 省份、class 行业代码、products 主营产品、tier 梯度。表头用英文键或中文名，例如 code/统一社会信用代码。
leads 导入招商线索：export leads 导出的表，id 列须为空（导入只新建线索）；target_id、stage（或 stage_zh）、stage_on
必填，签约、落地须填 signed_on、signed_fen，落地须填 landed_on，流失须填 lost_reason；target、industry_id、
project_id、enterprise_code 列不导入。
scenarios 导入应用场景（首试首用）为征集稿：export scenarios 导出的表，id 列须为空；criteria 评审标准写作
编号:名称:权重（或 编号:名称:英文名:权重），以分号分隔，权重合计 100；budget_yuan 预算为元。
上限：每个文件 1000 万行，每行 200 列，每格 32767 字；XLSX 解压后 2 GiB。导出的 CSV 在
以 = + - @ 开头的文字前加 '（防公式注入），导入时去掉。

Imports CSV (UTF-8, optional BOM) or XLSX files (by extension), validating every
row, in one transaction: by default one bad row imports nothing and the problems
are listed (row, column, reason); --skip-invalid imports the good rows and writes
the bad ones with their reasons to the --rejects file (CSV). Several files (say
enterprises, then facts) import in one transaction. "scopes" are business scopes
(code, scope, source, as_of), which placement on the chains reads. "catalog" imports a catalog
JSON file, "chains" a chains JSON file (it replaces every chain; errors name the
chain, the link and the field). "roster" replaces the --source roster of outside firms
(candidates for 招商) with the file: columns name, code, city, province, class, products,
tier. Headers are English keys or Chinese names, e.g. code/统一社会信用代码.
"leads" adds 招商 leads from the sheet export leads writes, its id column empty (an
import only creates leads): target_id, stage (or stage_zh) and stage_on are required; a
signed or landed lead gives signed_on and signed_fen, a landed one landed_on, a lost one
lost_reason; the columns target, industry_id, project_id and enterprise_code are not imported.
Limits: 10 M rows a file, 200 columns a row, 32,767 characters a cell; XLSX 2 GiB
unpacked. CSV exports put ' before text beginning with = + - @ (no formulas);
imports drop it.

供需对接 / matchmaking: supplies（code 统一社会信用代码, products 产品, link_id 环节, classes 行业代码, capacity 产能,
district_code 区县, certifications 认证, status 状态）、demands（code, needs 需求, link_id, classes, quantity 数量,
needed_by 需求日期, district_code, status）；行业代码、认证用 ; 或 , 分隔；id 列须为空（导入只新增）。先逐行核对
（企业在库、环节在产业链上、区县在目录中），有一行有误则不导入；然后逐行写入。
Supplies and demands of matchmaking: classes and certifications are lists separated by
; or ,; the id column must be empty (an import only adds). Every row is checked first
(the firm in the registry, the link on a chain, the district in the catalog) and one
bad row imports nothing; then each row is stored in its own transaction.

产业空间 / industrial space: space 导入 XLSX 工作簿（工作表“区块”“单元”，可只有其一，即 export space 所写）、
区块或单元的 CSV（按表头区分）或区块的 GeoJSON FeatureCollection（要素的几何为边界，属性为区块各列）；区块按编号、
单元按区块编号与单元编号新增或更新，已预留或已供的单元保持其状态与类型；金额为元；全部成功或全部不导入，问题
按行、列（GeoJSON 按要素）列出。
Industrial space: "space" imports an XLSX workbook (sheets 区块 and 单元, either or both, as
export space writes it), a CSV file of blocks or of units (told apart by its header) or
a GeoJSON FeatureCollection of blocks (each feature's geometry the boundary, its
properties the block's columns); blocks are matched by code and units by block code
and code, created or updated; a unit held or allocated keeps its status and kind;
amounts in yuan; all or nothing, each problem by row and column (by feature for GeoJSON).

重点项目 / key projects: projects（id 项目编号, name, owner_code, industry, district_code,
kind, stage, total_investment_yuan, planned_start, planned_completion, department,
city_leader, plan_YYYY_yuan 或 YYYY年计划投资(元)）、nodes（project_id, seq, name, …；
给出的节点替换该项目的全部节点 / the nodes given replace the project's nodes）、
reports（project_id, month, invested_yuan, cumulative_yuan, progress_pct, problems）。
`

func runImport(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "import", importHelp)
	skip := fs.Bool("skip-invalid", false, "跳过错误行 / import the good rows, skip the bad ones")
	rejectsPath := fs.String("rejects", "", "错误行写入此 CSV（需 --skip-invalid）/ write rejected rows to this CSV (with --skip-invalid)")
	source := fs.String("source", "", "名单来源（import roster）/ the roster's source, such as 国家级专精特新“小巨人”名单 (import roster)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 || len(pos)%2 != 0 {
		fs.Usage()
		return errors.New("须给出 类型 文件 / give KIND FILE pairs")
	}
	if *rejectsPath != "" && !*skip {
		return errors.New("--rejects 需与 --skip-invalid 一起使用 / --rejects needs --skip-invalid")
	}
	if dataio.IsProjectKind(pos[0]) {
		return importProjects(ctx, cfg, pos, *skip, *rejectsPath)
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	// The JSON files, each imported on its own: the file's data in, what
	// was imported out.
	jsonKinds := map[string]func(data []byte) (string, error){
		"catalog": func(data []byte) (string, error) {
			c, err := chanye.ParseCatalog(data)
			if err != nil {
				return "", err
			}
			if err := store.ImportCatalog(ctx, c); err != nil {
				return "", err
			}
			return fmt.Sprintf("已导入产业目录 / catalog imported: %d 个产业 industries, %d 个区县 districts", len(c.Industries), len(c.Districts)), nil
		},
		"chains": func(data []byte) (string, error) {
			c, err := store.FindCatalog(ctx)
			if err != nil {
				return "", err
			}
			set, err := chain.Parse(data, c)
			if err != nil {
				return "", err
			}
			imp, err := store.ImportChains(ctx, set)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("已导入产业链 / chains imported: %d 条产业链 chains, %d 个环节 links, 删去 removed %d 个环节 links", imp.Chains, imp.Links, imp.Removed), nil
		},
	}
	// Kinds imported one file at a time, each on its own.
	sheetKinds := map[string]func(path string) error{
		string(dataio.Roster):     func(path string) error { return importRoster(ctx, cfg, store, path, *source) },
		string(dataio.Placements): func(path string) error { return importPlacements(ctx, cfg, store, path) },
		string(dataio.Targets):    func(path string) error { return importTargets(ctx, cfg, store, path) },
		string(dataio.Requests):   func(path string) error { return importRequests(ctx, cfg, store, path) },
		string(dataio.Leads):      func(path string) error { return importLeads(ctx, cfg, store, path) },
		string(dataio.ChainLinks): func(path string) error { return importChainLinks(ctx, cfg, store, path) },
		string(dataio.Scenarios):  func(path string) error { return importScenarios(ctx, cfg, store, path) },
		string(dataio.Supplies):   func(path string) error { return importSupplies(ctx, cfg, store, path) },
		string(dataio.Demands):    func(path string) error { return importDemands(ctx, cfg, store, path) },
		"space":                   func(path string) error { return importSpace(ctx, cfg, store, path) },
	}
	if imp, ok := sheetKinds[pos[0]]; ok {
		if len(pos) != 2 {
			return fmt.Errorf("%s 须单独导入 / import %s on its own", pos[0], pos[0])
		}
		return imp(pos[1])
	}
	if imp, ok := jsonKinds[pos[0]]; ok {
		if len(pos) != 2 {
			return fmt.Errorf("%s 须单独导入 / import %s on its own", pos[0], pos[0])
		}
		data, err := os.ReadFile(pos[1])
		if err != nil {
			return err
		}
		done, err := imp(data)
		if err != nil {
			return err
		}
		fmt.Fprintln(cfg.Stdout, done)
		return nil
	}

	in, err := openImportFiles(pos, *rejectsPath, dataio.ParseKind)
	if err != nil {
		return err
	}
	defer in.Close()
	opts := dataio.Options{SkipInvalid: *skip, Now: cfg.Now()}
	if isTerminal(cfg.Stderr) {
		bar := progressbar.NewOptions64(in.total, progressbar.OptionSetWriter(cfg.Stderr), progressbar.OptionSetDescription("导入 / importing"),
			progressbar.OptionShowBytes(true), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
		opts.Progress = func(_ int, bytes int64) { bar.Set64(bytes) }
		defer bar.Finish()
	}
	files := &dataio.Files{Catalog: store, Enterprises: store}
	start := time.Now()
	reports, err := files.ImportBatch(ctx, in.sources, opts)
	el := time.Since(start)
	printImport(cfg, in.names, reports, err)
	if err != nil {
		return err
	}
	read := 0
	for _, r := range reports {
		read += r.Read
	}
	fmt.Fprintf(cfg.Stdout, "用时 / elapsed %s, %s 行/秒 rows/s\n", el.Round(time.Millisecond), rate(read, el))
	return nil
}

// importFiles are the opened KIND FILE pairs of an import and the rejects
// file of each.
type importFiles struct {
	sources []dataio.Source
	names   []string // the paths, in order
	total   int64    // bytes, as far as known
	closers []io.Closer
}

// openImportFiles opens the KIND FILE pairs of pos, the kinds parsed with
// parseKind. With rejectsPath, each source gets a rejects file: that path
// for one file, else one per kind (rejects.facts.csv).
func openImportFiles(pos []string, rejectsPath string, parseKind func(string) (dataio.Kind, error)) (*importFiles, error) {
	in := &importFiles{}
	for i := 0; i < len(pos); i += 2 {
		kind, err := parseKind(pos[i])
		if err != nil {
			in.Close()
			return nil, err
		}
		path := pos[i+1]
		format, err := dataio.FormatOf(path)
		if err != nil {
			in.Close()
			return nil, err
		}
		f, err := os.Open(path)
		if err != nil {
			in.Close()
			return nil, err
		}
		in.closers = append(in.closers, f)
		if fi, err := f.Stat(); err == nil {
			in.total += fi.Size()
		}
		src := dataio.Source{Kind: kind, Format: format, Reader: f}
		if rejectsPath != "" {
			rp := rejectsPath
			if len(pos) > 2 {
				ext := filepath.Ext(rp)
				rp = strings.TrimSuffix(rp, ext) + "." + string(kind) + ext
			}
			rf, err := os.Create(rp)
			if err != nil {
				in.Close()
				return nil, err
			}
			in.closers = append(in.closers, rf)
			src.Rejects = rf
		}
		in.sources = append(in.sources, src)
		in.names = append(in.names, path)
	}
	return in, nil
}

// Close closes the files, the last opened first.
func (in *importFiles) Close() {
	for i := len(in.closers) - 1; i >= 0; i-- {
		in.closers[i].Close()
	}
}

// importRoster replaces the firms of the roster source with the rows of
// the file, all or nothing; the problems name the file's rows and columns.
func importRoster(ctx context.Context, cfg Config, rosters invest.RosterService, path, source string) error {
	f, format, err := openSheet(path)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := dataio.ReadRoster(f, format)
	if err != nil {
		return err
	}
	err = invest.ValidateRoster(source, file.Rows)
	if err == nil {
		err = rosters.ImportRoster(ctx, source, file.Rows)
	}
	if err := sheetProblems(cfg, path, file.Problems(err), err); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已导入名单 / roster imported: %s, %d 家企业 firms\n", strings.TrimSpace(source), len(file.Rows))
	return nil
}

// openSheet opens a CSV or XLSX file, its format read from its name.
func openSheet(path string) (*os.File, dataio.Format, error) {
	format, err := dataio.FormatOf(path)
	if err != nil {
		return nil, "", err
	}
	f, err := os.Open(path)
	return f, format, err
}

// sheetProblems prints the problems of a file read whole (a roster,
// placements), row and column first, and returns err said of the file.
func sheetProblems(cfg Config, path string, problems []dataio.Problem, err error) error {
	if len(problems) == 0 {
		return err
	}
	for _, p := range problems {
		if p.Row == 0 {
			fmt.Fprintf(cfg.Stderr, "  %s: %s\n", p.Column, p.Reason)
		} else {
			fmt.Fprintln(cfg.Stderr, "  "+p.String())
		}
	}
	return fmt.Errorf("%s：未导入 / nothing imported: %w", path, err)
}

// importPlacements places the file's firms on their links by import, all
// or nothing; the problems name the file's rows and columns.
func importPlacements(ctx context.Context, cfg Config, places chain.PlacementService, path string) error {
	f, format, err := openSheet(path)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := dataio.ReadPlacements(f, format)
	if err != nil {
		return err
	}
	imp, err := places.ImportPlacements(ctx, file.Rows)
	if err := sheetProblems(cfg, path, file.Problems(err), err); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已导入挂链 / placements imported: 新增 added %d, 更新 updated %d, 手工挂链保留 kept by hand %d\n", imp.Added, imp.Updated, imp.Kept)
	return nil
}

// importTargets adds the file's targets to the 招商 lists, all or
// nothing; the problems name the file's rows and columns.
func importTargets(ctx context.Context, cfg Config, targets invest.TargetService, path string) error {
	f, format, err := openSheet(path)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := dataio.ReadTargets(f, format)
	if err != nil {
		return err
	}
	n, err := targets.ImportTargets(ctx, file.Rows)
	if err := sheetProblems(cfg, path, file.Problems(err), err); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已导入招商对象 / targets imported: %d\n", n)
	return nil
}

// importLeads adds the file's leads, each at its stage, all or nothing;
// the problems name the file's rows and columns.
func importLeads(ctx context.Context, cfg Config, leads invest.LeadImporter, path string) error {
	f, format, err := openSheet(path)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := dataio.ReadLeads(f, format)
	if err != nil {
		return err
	}
	n := 0
	if err = file.Err(); err == nil {
		n, err = leads.ImportLeads(ctx, file.Rows)
	}
	if err := sheetProblems(cfg, path, file.Problems(err), err); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已导入线索 / leads imported: %d\n", n)
	return nil
}

func exportTargets(ctx context.Context, cfg Config, format dataio.Format, out, industry string) error {
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	f := invest.TargetFilter{Limit: invest.MaxPage}
	if industry != "" {
		f.IndustryID = &industry
	}
	all, err := allPages(func(offset int) ([]*invest.Target, int, error) {
		f.Offset = offset
		return store.FindTargets(ctx, f)
	})
	if err != nil {
		return err
	}
	return exportTo(cfg, out, "个招商对象 targets", func(w io.Writer) (int, error) { return dataio.ExportTargets(w, format, all) })
}

// importChainLinks replaces the chains a links sheet holds (each keeping
// the stored chain's sources) and stores the whole set, all or nothing;
// the problems name the sheet's rows and columns.
func importChainLinks(ctx context.Context, cfg Config, chains chain.Service, path string) error {
	f, format, err := openSheet(path)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := dataio.ReadChainLinks(f, format)
	if err != nil {
		return err
	}
	set, err := chains.FindChains(ctx)
	if err != nil {
		return err
	}
	for _, ch := range file.Chains {
		if old := set.Chain(ch.IndustryID); old != nil {
			ch.Sources = old.Sources
			*old = *ch
		} else {
			set.Chains = append(set.Chains, ch)
		}
	}
	imp, err := chains.ImportChains(ctx, set)
	if err := sheetProblems(cfg, path, file.Problems(err), err); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已导入产业链 / chains imported: %d 条产业链 chains from the sheet, %d 个环节 links in all, 删去 removed %d 个环节 links\n", len(file.Chains), imp.Links, imp.Removed)
	return nil
}

func exportPlacements(ctx context.Context, cfg Config, format dataio.Format, out string) error {
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return exportTo(cfg, out, "个挂链 placements", func(w io.Writer) (int, error) {
		return dataio.ExportPlacements(w, format, func(fn func(*chain.Placement) error) error { return store.ScanPlacements(ctx, fn) })
	})
}

// printImport writes what the import did with each file and, when the
// good rows were imported, the problems of the bad ones.
func printImport(cfg Config, names []string, reports []dataio.Report, err error) {
	for i, r := range reports {
		fmt.Fprintf(cfg.Stdout, "%s (%s): 读取 read %d, 有效 valid %d, 写入 written %d, 拒绝 rejected %d\n",
			names[i], r.Kind, r.Read, r.Valid, r.Written, r.Rejected)
		if err == nil && r.Rejected > 0 {
			for _, p := range r.Problems {
				fmt.Fprintln(cfg.Stderr, "  "+p.String())
			}
			if more := r.Total - len(r.Problems); more > 0 {
				fmt.Fprintf(cfg.Stderr, "  …另有 %d 处问题 / and %d more\n", more, more)
			}
		}
	}
}

const exportHelp = `chanye export enterprises|facts|tiers|scopes [--format csv|xlsx] [--out FILE]
              [--district CODE] [--industry ID] [--tier KIND] [--size large|medium|small|micro] [--db PATH]
chanye export projects|nodes|reports [--format csv|xlsx] [--out FILE] [--district CODE] [--industry ID]
chanye export chains [--out FILE.json]
chanye export chain-links [--format csv|xlsx] [--out FILE]   # one row per link, for people
chanye export leads [--format csv|xlsx] [--out FILE] [--industry ID]   # 招商线索, the latest first
chanye export requests [--format csv|xlsx] [--out FILE] [--industry ID]   # 企业诉求, overdue first, with their clocks
chanye export placements [--format csv|xlsx] [--out FILE]   # 挂链: code, link_id, note, source, placed_on, name
chanye export targets [--format csv|xlsx] [--out FILE] [--industry ID]   # 招商对象
chanye export scenarios [--format csv|xlsx] [--out FILE] [--industry ID]   # 应用场景 with their results, the latest first
chanye export supplies|demands [--format csv|xlsx] [--out FILE] [--industry ID]   # 供需对接, the latest first
chanye export space [--format csv|xlsx|geojson] [--out FILE] [--district CODE] [--industry ID]   # 产业空间 (see below)

导出企业、年度数据、梯度或经营范围，列与 import 相同（导出后可原样导入）。默认写到标准输出，
格式取自 --out 的扩展名，否则为 csv。筛选：区县代码、产业 id、当前持有的梯度、规模。

Exports enterprises, facts, tiers or scopes with the columns import reads, so an export
imports back unchanged. Writes to stdout unless --out is given; the format comes
from --format, else the --out extension, else csv. Filters: district code,
industry id, tier held today, size class.

产业空间 / industrial space: export space 默认写一个 XLSX 工作簿（工作表“区块”“单元”）；csv 写
--out 旁的 NAME.blocks.csv 与 NAME.units.csv 两个文件；geojson 写区块及其边界。均可原样导入。
"space" writes one XLSX workbook by default (sheets 区块 and 单元); csv writes two files
beside --out, NAME.blocks.csv and NAME.units.csv; geojson the blocks with their
boundaries. Each imports back with import space.
`

func runExport(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "export", exportHelp)
	formatFlag := fs.String("format", "", "csv 或 xlsx / csv or xlsx")
	out := fs.String("out", "", "输出文件，默认标准输出 / output file, default stdout")
	district := fs.String("district", "", "区县代码 / district code")
	industry := fs.String("industry", "", "产业 id / industry id")
	tier := fs.String("tier", "", "梯度 / tier held today (id or Chinese name)")
	size := fs.String("size", "", "规模 / size class")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("须给出一个类型 / give one kind: enterprises, facts, tiers or scopes")
	}
	if pos[0] == "space" {
		return exportSpace(ctx, cfg, *formatFlag, *out, *district, *industry)
	}
	format := dataio.CSV
	switch {
	case *formatFlag != "":
		if format, err = dataio.ParseFormat(*formatFlag); err != nil {
			return err
		}
	case *out != "":
		if f, err := dataio.FormatOf(*out); err == nil {
			format = f
		}
	}
	if pos[0] == "chains" {
		return exportChains(ctx, cfg, *out)
	}
	if pos[0] == "chain-links" {
		return exportChainLinks(ctx, cfg, format, *out)
	}
	if pos[0] == "leads" {
		return exportLeads(ctx, cfg, format, *out, *industry)
	}
	if pos[0] == string(dataio.Requests) {
		return exportRequests(ctx, cfg, format, *out, *industry)
	}
	if pos[0] == string(dataio.Scenarios) {
		return exportScenarios(ctx, cfg, format, *out, *industry)
	}
	if pos[0] == string(dataio.Placements) {
		return exportPlacements(ctx, cfg, format, *out)
	}
	if pos[0] == string(dataio.Supplies) || pos[0] == string(dataio.Demands) {
		return exportListings(ctx, cfg, dataio.Kind(pos[0]), format, *out, *industry)
	}
	if pos[0] == string(dataio.Targets) {
		return exportTargets(ctx, cfg, format, *out, *industry)
	}
	if dataio.IsProjectKind(pos[0]) {
		kind, _ := dataio.ParseProjectKind(pos[0])
		return exportProjects(ctx, cfg, kind, format, *out, *district, *industry)
	}
	kind, err := dataio.ParseKind(pos[0])
	if err != nil {
		return err
	}
	var filter chanye.EnterpriseFilter
	if *district != "" {
		filter.DistrictCode = district
	}
	if *industry != "" {
		filter.IndustryID = industry
	}
	if *tier != "" {
		k, err := chanye.ParseTierKind(*tier)
		if err != nil {
			return err
		}
		filter.Tier = &k
	}
	if *size != "" {
		s := chanye.SizeClass(*size)
		if !s.Valid() {
			return fmt.Errorf("未知规模 %q，可选 large、medium、small、micro / unknown size class", *size)
		}
		filter.SizeClass = &s
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	var w io.Writer = cfg.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	files := &dataio.Files{Catalog: store, Enterprises: store}
	start := time.Now()
	n, err := files.Export(ctx, kind, w, format, filter)
	if err != nil {
		if *out != "" {
			os.Remove(*out)
		}
		return err
	}
	if *out != "" {
		if f, ok := w.(*os.File); ok {
			if err := f.Close(); err != nil {
				return err
			}
		}
		el := time.Since(start)
		fmt.Fprintf(cfg.Stdout, "已导出 / exported %d 行 rows to %s in %s (%s 行/秒 rows/s)\n", n, *out, el.Round(time.Millisecond), rate(n, el))
	}
	return nil
}

// exportChains writes the stored chains as the JSON file import reads.
func exportChains(ctx context.Context, cfg Config, out string) error {
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	set, err := store.FindChains(ctx)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if out == "" {
		_, err = cfg.Stdout.Write(data)
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已导出 / exported %d 条产业链 chains to %s\n", len(set.Chains), out)
	return nil
}

// exportLeads writes every 招商 lead (of the industry, when given), the
// latest created first.
func exportLeads(ctx context.Context, cfg Config, format dataio.Format, out, industry string) error {
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	f := invest.LeadFilter{Limit: invest.MaxPage}
	if industry != "" {
		f.IndustryID = &industry
	}
	leads, err := allPages(func(offset int) ([]*invest.Lead, int, error) {
		f.Offset = offset
		return store.FindLeads(ctx, f)
	})
	if err != nil {
		return err
	}
	return exportTo(cfg, out, "条线索 leads", func(w io.Writer) (int, error) { return dataio.ExportLeads(w, format, leads) })
}

// exportChainLinks writes one row per link of the stored chains.
func exportChainLinks(ctx context.Context, cfg Config, format dataio.Format, out string) error {
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	set, err := store.FindChains(ctx)
	if err != nil {
		return err
	}
	c, err := store.FindCatalog(ctx)
	if err != nil {
		return err
	}
	return exportTo(cfg, out, "个环节 links", func(w io.Writer) (int, error) { return dataio.ExportChainLinks(w, format, set, c) })
}

// allPages reads a paged list whole: find returns the page at offset and
// the total.
func allPages[T any](find func(offset int) ([]T, int, error)) ([]T, error) {
	var all []T
	for {
		page, total, err := find(len(all))
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) == 0 || len(all) >= total {
			return all, nil
		}
	}
}

// sum adds up the counts of a map.
func sum[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// importRequests takes in a file of requests another platform hands over
// (code, category_id, title, description, external_source, external_ref),
// all or nothing; a reference taken in before is not taken again.
func importRequests(ctx context.Context, cfg Config, store *sqlstore.Store, path string) error {
	f, format, err := openSheet(path)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := dataio.ReadRequests(f, format)
	if err != nil {
		return err
	}
	created, existing, err := store.ImportRequests(ctx, file.Rows)
	if err := sheetProblems(cfg, path, file.Problems(err), err); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已导入诉求 / requests taken in: %d 新 new, %d 此前已导入 taken in before\n", created, existing)
	return nil
}

// exportRequests writes the requests, overdue first, with their clocks.
func exportRequests(ctx context.Context, cfg Config, format dataio.Format, out, industry string) error {
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	f := request.Filter{Limit: request.MaxPage}
	if industry != "" {
		f.IndustryID = &industry
	}
	rs, err := allPages(func(offset int) ([]*request.Request, int, error) {
		f.Offset = offset
		return store.FindRequests(ctx, f)
	})
	if err != nil {
		return err
	}
	return exportTo(cfg, out, "件诉求 requests", func(w io.Writer) (int, error) { return dataio.ExportRequests(w, format, rs) })
}

// parseShard reads K/N, 0 ≤ K < N ≤ policy.MaxShards.
func parseShard(s string) (k, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || n > policy.MaxShards || k < 0 || k >= n {
		return 0, 0, fmt.Errorf("--shard %q 须为 K/N，0 ≤ K < N ≤ %d / must be K/N with 0 ≤ K < N ≤ %d", s, policy.MaxShards, policy.MaxShards)
	}
	return k, n, nil
}
