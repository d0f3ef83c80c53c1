package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore"
)

const policyHelp = `chanye policy <command> [flags]

免申即享政策：规则、测试用例、批量计算、解释与模拟。
Benefit policies granted without applying: rules, cases, runs, explanations, what-ifs.

命令 / commands:
  add FILE...                      保存为新草稿版本 / store each file as a new draft version
  publish ID [--version N]         发布（默认最新草稿）/ publish a version (default: the latest draft)
  list                             列出各版本 / list the versions
  test FILE|DIR                    运行测试用例（无需数据库）/ run the cases, no database needed
  run [--as-of DATE]               计算所有生效的已发布政策并保存 / decide every published policy in force and store the run
  explain --policy ID --enterprise CODE [--as-of DATE] [--version N]
                                   逐条解释一家企业的结果 / explain one decision condition by condition
  simulate FILE [--as-of DATE]     在现有企业库上模拟草稿，不写入 / what-if of a draft on the live base, writing nothing
  payments --run N --policy ID [--format csv|xlsx] [--out FILE]
                                   国库支付文件 / the payment file of one policy in one run, for the treasury
  applications [--policy ID] [--status S] [--code CODE] [--id N]
                                   快申快享申报及审核期限 / applications and their review deadlines

"chanye policy <command> --help" 说明各命令 / explains each command.
`

func runPolicy(ctx context.Context, cfg Config, args []string) error {
	return dispatch(ctx, cfg, args, "policy", policyHelp, map[string]func(context.Context, Config, []string) error{
		"add":          runPolicyAdd,
		"publish":      runPolicyPublish,
		"list":         runPolicyList,
		"test":         runPolicyTest,
		"run":          runPolicyRun,
		"explain":      runPolicyExplain,
		"simulate":     runPolicySimulate,
		"payments":     runPolicyPayments,
		"applications": runPolicyApplications,
	})
}

// newEngine opens the database and returns the engine over it.
func newEngine(ctx context.Context, cfg Config) (*sqlstore.DB, *sqlstore.Store, *engine.Engine, error) {
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	return db, store, engine.New(engine.Config{Catalog: store, Enterprises: store, Versions: store, Runs: store, Budgets: store, Inputs: store, Snapshots: store, Logger: cfg.Logger, Now: cfg.Now}), nil
}

// ensureShipped stores and publishes the shipped policies when the database
// has none, for serve and demo: the pages then have something to show. The
// illustrative examples are published only with examples (a demo): a real
// database starts with the city's real policies alone.
func ensureShipped(ctx context.Context, eng *engine.Engine, log *slog.Logger, examples bool) error {
	n, err := eng.EnsureShipped(ctx, examples)
	if err != nil {
		return fmt.Errorf("内置政策 / shipped policies: %w", err)
	}
	if n > 0 {
		log.Info("shipped policies published", "policies", n)
	}
	return nil
}

func dateFlag(s string) (chanye.Date, error) {
	if s == "" {
		return chanye.Date{}, nil
	}
	return chanye.ParseDate(s)
}

const policyAddHelp = `chanye policy add FILE... [--db PATH]

把每个 YAML 文件校验、编译后保存为该政策的新草稿版本（版本号自动递增）。
Parses, compiles and stores each YAML file as a new draft version of its policy
(the next version number).
`

func runPolicyAdd(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "policy add", policyAddHelp)
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("缺少文件 / no file given")
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		v, err := store.CreatePolicyVersion(ctx, src)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		fmt.Fprintf(cfg.Stdout, "%s v%d 草稿已保存 / draft stored (%s)\n", v.PolicyID, v.Version, f)
	}
	return nil
}

const policyPublishHelp = `chanye policy publish ID [--version N] [--db PATH]

发布一个草稿版本（默认最新版本）并停用此前发布的版本；有未通过的测试用例时不能发布。
Publishes a draft version (default: the latest) and retires the version published
before it; a policy with a failing case cannot be published.
`

func runPolicyPublish(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "policy publish", policyPublishHelp)
	version := fs.Int("version", 0, "版本号，默认最新 / version, default the latest")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("须指定一个政策编号 / give one policy id")
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	id, n := pos[0], *version
	if n == 0 {
		vs, _, err := store.FindPolicies(ctx, policy.VersionFilter{PolicyID: &id, Latest: true})
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return chanye.Errorf(chanye.ENOTFOUND, "没有政策 %s / no policy %s", id, id)
		}
		n = vs[0].Version
	}
	v, err := store.PublishPolicyVersion(ctx, id, n)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "%s v%d 已发布 / published\n", v.PolicyID, v.Version)
	for _, c := range v.Conflicts {
		fmt.Fprintf(cfg.Stdout, "注意 / warning: %s / %s\n", c.ReasonZH, c.ReasonEN)
	}
	return nil
}

const policyListHelp = `chanye policy list [--db PATH]

列出所有政策的各个版本：编号、版本、状态、有效期、预算、标题。
Lists every version of every policy: id, version, status, effective period,
budget and title.
`

func runPolicyList(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "policy list", policyListHelp)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	tw := tabwriter.NewWriter(cfg.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "编号 id\t版本 version\t状态 status\t有效期 effective\t预算（元） budget ¥\t标题 title")
	err = chanye.EachPage(1000, func(off, limit int) ([]*policy.Version, int, error) {
		return store.FindPolicies(ctx, policy.VersionFilter{Offset: off, Limit: limit})
	}, func(vs []*policy.Version) error {
		for _, v := range vs {
			p := v.Policy
			to := p.Effective.To.String()
			if to == "" {
				to = "…"
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s – %s\t%s\t%s / %s\n", v.PolicyID, v.Version, v.Status,
				p.Effective.From, to, p.BudgetFen.Yuan(), p.TitleZH, p.TitleEN)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}

const policyTestHelp = `chanye policy test FILE|DIR... [--verbose]

运行政策文件（目录中所有 .yaml/.yml）中的测试用例，不需要数据库：逐条打印通过或失败，
失败时打印期望、实际结果和逐条件的解释；再检查覆盖（发布时同样检查）：用例须含符合与不符合
条件的企业，且每个条件至少在一个用例中不满足，否则列出未覆盖的条件。有任何失败或覆盖不足则
退出码非零。
Runs the cases written in policy files (every .yaml/.yml of a directory) without
a database: prints each case as passed or failed and, for a mismatch, what was
expected, what was decided and the explanation; then checks coverage, as
publishing does: the cases must hold an eligible and an ineligible enterprise
and make every condition fail at least once, else the conditions not covered
are named. Exits non-zero on any failure or gap in coverage.
`

func runPolicyTest(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "policy test", policyTestHelp)
	verbose := fs.Bool("verbose", false, "通过的用例也打印解释 / explain passing cases too")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return errors.New("缺少文件或目录 / no file or directory given")
	}
	var files []string
	for _, p := range pos {
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		for _, pat := range []string{"*.yaml", "*.yml"} {
			m, _ := filepath.Glob(filepath.Join(p, pat))
			files = append(files, m...)
		}
	}
	sort.Strings(files)
	pass, fail, broken, uncovered := 0, 0, 0, 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		p, err := policy.Parse(src)
		var results []policy.CaseResult
		if err == nil {
			results, err = policy.RunCases(p)
		}
		if err != nil {
			broken++
			fmt.Fprintf(cfg.Stdout, "✗ %s: %s\n", f, describe(err))
			continue
		}
		fmt.Fprintf(cfg.Stdout, "%s (%s v%d): %d 个用例 / cases\n", f, p.ID, p.Version, len(results))
		for _, r := range results {
			if r.Pass {
				pass++
				fmt.Fprintf(cfg.Stdout, "  ✓ 通过 / pass  %s\n", r.Name)
				if *verbose {
					fmt.Fprintln(cfg.Stdout, indent(r.Decision.Explain(), "      "))
				}
				continue
			}
			fail++
			fmt.Fprintf(cfg.Stdout, "  ✗ 失败 / FAIL  %s\n%s\n", r.Name, indent(r.Message, "      "))
		}
		cv := policy.CoverageOf(p, results)
		fmt.Fprintf(cfg.Stdout, "  覆盖 / coverage: 符合 %d，不符合 %d，条件 %d 个中 %d 个未覆盖 / %d eligible, %d ineligible, %d of %d conditions not covered\n",
			cv.Eligible, cv.Ineligible, len(p.Conds), len(cv.Uncovered), cv.Eligible, cv.Ineligible, len(cv.Uncovered), len(p.Conds))
		if problems := cv.Problems(p); len(problems) > 0 {
			uncovered++
			keys := make([]string, 0, len(problems))
			for k := range problems {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(cfg.Stdout, "  ✗ 覆盖不足 / NOT COVERED  %s: %s\n", k, problems[k])
			}
		}
	}
	fmt.Fprintf(cfg.Stdout, "通过 %d，失败 %d，覆盖不足的文件 %d，无法编译的文件 %d / %d passed, %d failed, %d files not covered, %d files broken\n",
		pass, fail, uncovered, broken, pass, fail, uncovered, broken)
	if fail > 0 || broken > 0 || uncovered > 0 {
		return fmt.Errorf("%d 个用例失败、%d 个文件覆盖不足、%d 个文件有误 / %d cases failed, %d files not covered, %d files broken",
			fail, uncovered, broken, fail, uncovered, broken)
	}
	if len(files) == 0 {
		return errors.New("没有找到政策文件 / no policy file found")
	}
	return nil
}

func indent(s, pre string) string {
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre)
}

const policyRunHelp = `chanye policy run [--as-of YYYY-MM-DD] [--db PATH]

按基准日（默认今天）对全部企业计算所有生效的已发布政策，在一个事务中保存全部符合条件的决定
及其解释、待补充数据的决定及其所需数据（全部成功或全部不写）；打印批次号、数据快照和各政策的
符合、不符合、待补充数据、出错的企业数与金额（元），以及出错的决定（每项政策至多 10 个）。
有决定出错时，批次照样保存并标明出错，命令以非零状态退出。
Decides every published policy in force on the as-of day (default today) for
every enterprise and stores, in one transaction (all or nothing), the eligible
decisions with their explanations and the needs-data decisions with the
figures they need; prints the run id, the data snapshot and per policy the
firms eligible, not eligible, needing data and in error with the money in
yuan, then the failed decisions (up to 10 per policy). A run with failed
decisions is stored and marked as such, and the command exits non-zero.

分片计算 / sharded (issue 16): --shards N 在协调库建立批次，把每个分片的部分放入
队列（NATS JetStream，--queue 或 $CHANYE_QUEUE），由各分片旁的 chanye worker 计算并存储；
--wait 等待全部分片完成后打印结果；--resume ID 把尚未完成的分片再次放入队列。
--shards N creates the run on the coordinator (--db) and puts one part per shard
on the queue (NATS JetStream, --queue or $CHANYE_QUEUE) for the chanye worker
processes beside the shards to decide and store; --wait DURATION waits until
every part is stored and prints the run; --resume ID queues again the parts of
run ID not yet stored.
`

func runPolicyRun(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "policy run", policyRunHelp)
	asOfS := fs.String("as-of", "", "基准日 / as-of date (YYYY-MM-DD), default today")
	var sh shardedFlags
	sh.add(fs, cfg)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	asOf, err := dateFlag(*asOfS)
	if err != nil {
		return err
	}
	softMemoryLimit()
	db, store, eng, err := newEngine(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	var run *policy.Run
	if sh.on() {
		run, err = runSharded(ctx, cfg, store, eng, asOf, sh)
		if run == nil || err != nil || !run.Complete() {
			return err
		}
	} else if run, err = eng.Run(ctx, asOf); err != nil {
		return err
	}
	return printRun(ctx, cfg.Stdout, store, run)
}

// printRun prints a stored run: its counts per policy, its budgets' use
// and its first failed decisions (an error when there are any).
func printRun(ctx context.Context, w io.Writer, store *sqlstore.Store, run *policy.Run) error {
	fmt.Fprintf(w, "批次 / run %d  基准日 / as of %s  企业 / enterprises %d  用时 / elapsed %s\n", run.ID, run.AsOf, run.Enterprises,
		run.FinishedAt.Sub(run.StartedAt).Round(1e6))
	fmt.Fprintf(w, "数据快照 / snapshot %s\n", run.Snapshot)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "政策 policy\t版本 version\t符合 eligible\t不符合 not eligible\t待补充数据 needs data\t出错 errors\t已排除 excluded\t金额（元） amount ¥\t")
	notEligible := 0
	for _, p := range run.Policies {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", p.ID, p.Version, p.Eligible, p.NotEligible, p.NeedsData, p.Errors, p.Excluded, p.AmountFen.Yuan())
		notEligible += p.NotEligible
	}
	fmt.Fprintf(tw, "合计 total\t\t%d\t%d\t%d\t%d\t%d\t%s\t\n", run.Eligible, notEligible, run.NeedsData, run.Errors, run.Excluded, run.TotalFen.Yuan())
	if err := tw.Flush(); err != nil {
		return err
	}
	if run.Excluded > 0 {
		fmt.Fprintf(w, "已排除：与其他政策就高不重复、互斥、需先获得，或预算已用完（chanye policy explain 说明原因）/ excluded by a relation with another policy or the budget (chanye policy explain says why)\n")
	}
	if err := printBudgetUse(ctx, w, store, run); err != nil {
		return err
	}
	if !run.HasErrors() {
		return nil
	}
	fmt.Fprintln(w, "出错的决定 / failed decisions:")
	for _, p := range run.Policies {
		for _, e := range p.ErrorSamples {
			fmt.Fprintf(w, "  %s  %s  %s\n", p.ID, e.Code, e.Message)
		}
		if more := p.Errors - len(p.ErrorSamples); more > 0 {
			fmt.Fprintf(w, "  %s  …另有 %d 个 / %d more\n", p.ID, more, more)
		}
	}
	return fmt.Errorf("批次 %d 已保存，但有 %d 个决定计算出错，见上 / run %d is stored, but %d decisions failed, see above", run.ID, run.Errors, run.ID, run.Errors)
}

const policyExplainHelp = `chanye policy explain --policy ID --enterprise CODE [--as-of YYYY-MM-DD] [--version N] [--db PATH]

用参考求值器（cel-go）计算一家企业在一项政策下的结果，逐条列出条件、所见数值，以及未满足的
数值条件还差多少。默认已发布版本、今天。
Decides one policy for one enterprise with the reference evaluator (cel-go) and
prints each condition with the values it saw and, for a failed numeric
comparison, how far it is from passing. Default: the published version, today.
`

func runPolicyExplain(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "policy explain", policyExplainHelp)
	id := fs.String("policy", "", "政策编号 / policy id")
	code := fs.String("enterprise", "", "统一社会信用代码 / enterprise code")
	version := fs.Int("version", 0, "版本号，0 为已发布版本 / version, 0 for the published one")
	asOfS := fs.String("as-of", "", "基准日 / as-of date (YYYY-MM-DD), default today")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *id == "" || *code == "" {
		return errors.New("须指定 --policy 和 --enterprise / --policy and --enterprise are required")
	}
	asOf, err := dateFlag(*asOfS)
	if err != nil {
		return err
	}
	db, _, eng, err := newEngine(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	pd, err := eng.Explain(ctx, *id, *version, *code, asOf)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "%s / %s（%s %s）\n", pd.TitleZH, pd.TitleEN, pd.Document, pd.Clause)
	fmt.Fprintln(cfg.Stdout, pd.Decision.Explain())
	return nil
}

const policySimulateHelp = `chanye policy simulate FILE [--as-of YYYY-MM-DD] [--db PATH]

在现有企业库上运行一份政策草稿（无需保存），不写入任何数据：打印符合企业数和金额、预算、
按区/产业/规模的分布，以及与同编号已发布版本相比的增减（谁多得、谁少得、多少）。
Runs a draft policy file (it need not be stored) on the live base, writing
nothing: prints the eligible firms and money, the budget, the breakdown by
district, industry and size, and against the published version of the same id
who gains and who loses, and how much.
`

func runPolicySimulate(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "policy simulate", policySimulateHelp)
	asOfS := fs.String("as-of", "", "基准日 / as-of date (YYYY-MM-DD), default today")
	top := fs.Int("top", 10, "列出变化最大的企业数 / changes to list")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("须指定一个政策文件 / give one policy file")
	}
	asOf, err := dateFlag(*asOfS)
	if err != nil {
		return err
	}
	src, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	draft, err := policy.Parse(src)
	if err != nil {
		return err
	}
	db, _, eng, err := newEngine(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	sim, err := eng.Simulate(ctx, draft, asOf)
	if err != nil {
		return err
	}
	printSimulation(cfg.Stdout, sim, *top)
	return nil
}

// printBudgetUse prints the budget line of each policy of run that has a
// budget: its period, what happens at the limit, the budget, what the run
// decides, what is approved and paid across runs and what is left.
func printBudgetUse(ctx context.Context, w io.Writer, store *sqlstore.Store, run *policy.Run) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	header := false
	for _, rp := range run.Policies {
		v, err := store.FindPolicyVersion(ctx, rp.ID, rp.Version)
		if err != nil {
			return err
		}
		p := v.Policy
		if p.BudgetFen == 0 {
			continue
		}
		u, err := store.FindBudgetUse(ctx, p.ID, p.Period(run.AsOf))
		if err != nil {
			return err
		}
		if !header {
			fmt.Fprintln(w, "预算 / budgets:")
			fmt.Fprintln(tw, "政策 policy\t年度 period\t超出时 at limit\t预算 budget ¥\t本批 decided ¥\t已审批 approved ¥\t已拨付 paid ¥\t余额 left ¥\t\t")
			header = true
		}
		left := p.BudgetFen - max(rp.AmountFen, u.ApprovedFen)
		over := ""
		if left < 0 {
			over = "超出 OVER"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", p.ID, u.Period, u.AtLimit, p.BudgetFen.Yuan(), rp.AmountFen.Yuan(),
			u.ApprovedFen.Yuan(), u.PaidFen.Yuan(), left.Yuan(), over)
	}
	return tw.Flush()
}

func printSimulation(w io.Writer, sim *engine.Simulation, top int) {
	fmt.Fprintf(w, "政策 / policy %s  基准日 / as of %s  企业 / enterprises %d  用时 / elapsed %d ms\n", sim.PolicyID, sim.AsOf, sim.Enterprises, sim.ElapsedMS)
	fmt.Fprintf(w, "草稿 / draft: 符合 %d 家 / %d eligible, 金额 / amount ¥%s\n", sim.Draft.Eligible, sim.Draft.Eligible, sim.Draft.AmountFen.Yuan())
	if sim.Draft.NeedsData > 0 || sim.Draft.Errors > 0 {
		fmt.Fprintf(w, "  待补充数据 %d 家、计算出错 %d 家 / %d need data, %d failed\n", sim.Draft.NeedsData, sim.Draft.Errors, sim.Draft.NeedsData, sim.Draft.Errors)
	}
	if sim.Draft.Excluded > 0 || sim.Draft.ReducedFen > 0 {
		fmt.Fprintf(w, "  与其他政策的关系或预算排除 %d 家、核减 ¥%s / excluded %d by a relation or the budget, ¥%s taken off\n",
			sim.Draft.Excluded, sim.Draft.ReducedFen.Yuan(), sim.Draft.Excluded, sim.Draft.ReducedFen.Yuan())
	}
	if b := sim.Budget; b != nil {
		over := ""
		if b.Over {
			over = "  超出 / OVER"
		}
		fmt.Fprintf(w, "预算 / budget %d（%s）: ¥%s  草稿 / decided ¥%s  已审批 / approved ¥%s  已拨付 / paid ¥%s  余 / left ¥%s%s\n",
			b.Period, b.AtLimit, b.BudgetFen.Yuan(), b.DecidedFen.Yuan(), b.ApprovedFen.Yuan(), b.PaidFen.Yuan(), b.RemainingFen.Yuan(), over)
	}
	switch {
	case sim.BudgetFen == 0:
		fmt.Fprintln(w, "预算 / budget: 未设定 / none")
	case sim.OverBudget:
		fmt.Fprintf(w, "预算 / budget ¥%s: 超出 / OVER by ¥%s\n", sim.BudgetFen.Yuan(), (sim.Draft.AmountFen - sim.BudgetFen).Yuan())
	default:
		fmt.Fprintf(w, "预算 / budget ¥%s: 余 / left ¥%s\n", sim.BudgetFen.Yuan(), (sim.BudgetFen - sim.Draft.AmountFen).Yuan())
	}
	for _, g := range []struct {
		zh, en string
		bs     []engine.Bucket
	}{{"区", "district", sim.Draft.ByDistrict}, {"产业", "industry", sim.Draft.ByIndustry}, {"规模", "size", sim.Draft.BySize}} {
		fmt.Fprintf(w, "\n按%s / by %s:\n", g.zh, g.en)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		for _, b := range g.bs {
			fmt.Fprintf(tw, "  %s\t%s / %s\t%d\t¥%s\t\n", b.Key, b.NameZH, b.NameEN, b.Eligible, b.AmountFen.Yuan())
		}
		tw.Flush()
	}
	if sim.Published == nil {
		fmt.Fprintln(w, "\n没有已发布版本可比较 / no published version to compare with")
		return
	}
	fmt.Fprintf(w, "\n已发布版本 / published: 符合 %d 家 / %d eligible, ¥%s\n", sim.Published.Eligible, sim.Published.Eligible, sim.Published.AmountFen.Yuan())
	fmt.Fprintf(w, "多得 / gainers %d (+¥%s)  少得 / losers %d (−¥%s)\n", sim.Gainers, sim.GainFen.Yuan(), sim.Losers, sim.LossFen.Yuan())
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	for i, c := range sim.Changes {
		if i == top {
			break
		}
		fmt.Fprintf(tw, "  %s\t%s\t¥%s →\t¥%s\t\n", c.Code, c.Name, c.BeforeFen.Yuan(), c.AfterFen.Yuan())
	}
	tw.Flush()
}

const policyPaymentsHelp = `chanye policy payments --run N --policy ID [--format csv|xlsx] [--out FILE] [--db PATH]

写出一项政策在一个批次中的国库支付文件：已支付的每笔（含银行批次号、凭证号和支付日期），
以及已审批、尚未支付的决定（金额为仍应支付的部分，批次号、凭证号留空）。金额以元为单位，精确到分；
CSV 中会被表格软件当作公式的单元格前加单引号。格式由 --format 或 --out 的扩展名决定，默认 CSV。
Writes the payment file of one policy in one run for the treasury system: every
payment made (with its bank batch, voucher and day), then the approved decisions
still to pay (the amount still owed; batch and voucher empty). Amounts are
yuan, exact to the fen; CSV cells a spreadsheet would run as formulas are
written behind a quote. The format is --format, else --out's extension, else CSV.

列 / columns: entitlement, code, name, amount_yuan, policy, document, batch, voucher, paid_on, status
`

// runPolicyPayments writes the payment file (dataio.WritePayments).
func runPolicyPayments(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "policy payments", policyPaymentsHelp)
	runID := fs.Int64("run", 0, "批次 / run id")
	pid := fs.String("policy", "", "政策编号 / policy id")
	formatFlag := fs.String("format", "", "csv 或 xlsx / csv or xlsx")
	out := fs.String("out", "", "输出文件，默认标准输出 / output file, default stdout")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *runID < 1 || *pid == "" {
		fs.Usage()
		return errors.New("须给出 --run 和 --policy / give --run and --policy")
	}
	format := dataio.CSV
	switch {
	case *formatFlag != "":
		f, err := dataio.ParseFormat(*formatFlag)
		if err != nil {
			return err
		}
		format = f
	case *out != "":
		if f, err := dataio.FormatOf(*out); err == nil {
			format = f
		}
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	// Built whole first, so that an error leaves no half-written file.
	var buf bytes.Buffer
	n, err := dataio.WritePayments(ctx, dataio.PaymentSources{Versions: store, Runs: store, Ledger: store}, *runID, *pid, &buf, format)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := cfg.Stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已写出 / wrote %d 行 rows to %s\n", n, *out)
	return nil
}

// ensureDemoLifecycle carries demo decisions through every state of the
// lifecycle (demo.Lifecycle) when the database has no runs yet: serve
// --demo then shows runs whose 公示 has ended, objections answered both
// ways, approvals, payments, a reversal, a list in its window and
// applications in review and returned. The store
// and the demo's engine read one clock, moved through the past weeks and
// put back.
func ensureDemoLifecycle(ctx context.Context, db *sqlstore.DB, store *sqlstore.Store, cfg Config, log *slog.Logger) error {
	if _, total, err := store.FindRuns(ctx, policy.RunFilter{Limit: 1}); err != nil || total > 0 {
		return err
	}
	now := cfg.Now
	clock := now
	realNow := db.Now
	db.Now = func() time.Time { return clock() }
	eng := engine.New(engine.Config{Catalog: store, Enterprises: store, Versions: store, Runs: store, Budgets: store, Inputs: store, Snapshots: store, Logger: cfg.Logger, Now: func() time.Time { return clock() }})
	st, err := demo.Lifecycle(ctx, demo.LifecycleOptions{
		Today:    chanye.DateOf(now()),
		Services: store.PolicyServices(),
		Run:      eng.Run,
		SetClock: func(t time.Time) { clock = func() time.Time { return t } },
		Restore:  func() { db.Now = realNow },
	})
	if err != nil {
		return fmt.Errorf("演示流程 / demo lifecycle: %w", err)
	}
	log.Info("demo lifecycle", "runs", st.Runs, "publicised", st.Publicised, "objections", st.Objections,
		"approved", st.Approved, "paid", st.Paid, "reversed", st.Reversed, "needs_data", st.NeedsData, "applications", st.Applications)
	return nil
}

const policyApplicationsHelp = `chanye policy applications [--policy ID] [--status S] [--code CODE] [--id N]

列出快申快享申报：企业、政策、状态、提交日与审核截止日（逾期标出）、申报的数据。
--status 为 draft、submitted、returned、accepted 或 withdrawn。--id 显示一份申报的数据、附件和处理记录。
Lists applications: enterprise, policy, status, the day submitted and the review
deadline (overdue marked), the figures given. --status is draft, submitted,
returned, accepted or withdrawn. --id shows one application with its figures,
files and timeline.
`

func runPolicyApplications(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "policy applications", policyApplicationsHelp)
	pid := fs.String("policy", "", "政策编号 / policy id")
	status := fs.String("status", "", "状态 / status")
	code := fs.String("code", "", "企业信用代码 / enterprise credit code")
	id := fs.Int64("id", 0, "申报编号 / application id")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var f policy.ApplicationFilter
	if *pid != "" {
		f.PolicyID = pid
	}
	if *code != "" {
		f.Code = code
	}
	if *status != "" {
		st := policy.AppStatus(*status)
		if !st.Valid() {
			return fmt.Errorf("--status %q 须为 draft、submitted、returned、accepted 或 withdrawn / must be draft, submitted, returned, accepted or withdrawn", *status)
		}
		f.Status = &st
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	today := chanye.DateOf(cfg.Now())
	values := func(a *policy.Application) (string, error) {
		v, err := store.FindPolicyVersion(ctx, a.PolicyID, a.Version)
		if err != nil {
			return "", err
		}
		var parts []string
		for _, in := range v.Policy.AppliedInputs() {
			if zh, _ := a.ValueText(in); zh != "" {
				parts = append(parts, in.LabelZH+" "+zh)
			}
		}
		return strings.Join(parts, "；"), nil
	}
	if *id > 0 {
		a, err := store.FindApplicationByID(ctx, *id)
		if err != nil {
			return err
		}
		vals, err := values(a)
		if err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stdout, "申报 / application %d: %s %s — %s v%d\n", a.ID, a.Code, a.Name, a.PolicyID, a.Version)
		fmt.Fprintf(cfg.Stdout, "状态 / status: %s / %s", a.Status.NameZH(), a.Status.NameEN())
		if !a.DueOn.IsZero() {
			fmt.Fprintf(cfg.Stdout, "，提交 %s，审核截止 %s / submitted %s, due %s", a.SubmittedOn, a.DueOn, a.SubmittedOn, a.DueOn)
		}
		if a.Overdue(today) {
			fmt.Fprint(cfg.Stdout, "（已逾期 / overdue）")
		}
		fmt.Fprintln(cfg.Stdout)
		if a.Reason != "" {
			fmt.Fprintf(cfg.Stdout, "退回原因 / returned: %s\n", a.Reason)
		}
		fmt.Fprintf(cfg.Stdout, "数据 / figures: %s\n", vals)
		for _, fl := range a.Files {
			fmt.Fprintf(cfg.Stdout, "附件 / file %d: %s (%s, %d bytes, sha256 %s)\n", fl.ID, fl.Name, fl.ContentType, fl.Size, fl.SHA256)
		}
		for _, e := range a.Events {
			fmt.Fprintf(cfg.Stdout, "  %s  %-8s %s → %s  %s  %s\n", e.At.UTC().Format("2006-01-02 15:04"), e.Action, e.From, e.To, e.By, e.Note)
		}
		return nil
	}
	tw := tabwriter.NewWriter(cfg.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "编号 id\t企业 enterprise\t政策 policy\t状态 status\t提交 submitted\t截止 due\t数据 figures")
	n := 0
	err = chanye.EachPage(1000, func(off, limit int) ([]*policy.Application, int, error) {
		f.Offset, f.Limit = off, limit
		return store.FindApplications(ctx, f)
	}, func(apps []*policy.Application) error {
		for _, a := range apps {
			vals, err := values(a)
			if err != nil {
				return err
			}
			due := a.DueOn.String()
			if a.Overdue(today) {
				due += " 逾期/overdue"
			}
			fmt.Fprintf(tw, "%d\t%s %s\t%s\t%s / %s\t%s\t%s\t%s\n", a.ID, a.Code, a.Name, a.PolicyID, a.Status.NameZH(), a.Status.NameEN(),
				a.SubmittedOn, due, vals)
			n++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "共 %d 份 / %d applications\n", n, n)
	return nil
}

// runMemoryLimit is the Go heap a batch run keeps near (a soft limit: the
// collector works harder rather than let the heap double): 3.6 M
// enterprises' base and the decisions being stored live in about 0.7 GiB.
const runMemoryLimit = 1 << 30

// softMemoryLimit sets runMemoryLimit for a batch run unless GOMEMLIMIT
// says otherwise.
func softMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" { // the runtime reads the real environment
		debug.SetMemoryLimit(runMemoryLimit)
	}
}
