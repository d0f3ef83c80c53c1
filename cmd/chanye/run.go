package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/smtpmail"
	"github.com/chanye-org/chanye/sqlstore"
	"golang.org/x/term"
)

// Config is everything the subcommands are configured with: flags first,
// the environment as fallback. It is built in run and passed down.
type Config struct {
	DB string // SQLite path or postgres:// URL
	// AuditKeyFile is the audit key file; "" means <DB>.audit-key for
	// SQLite and none for PostgreSQL (writes refused).
	AuditKeyFile string
	Version      string
	// AdminPassword is the first admin's password, from
	// CHANYE_ADMIN_PASSWORD; serve generates one when it is empty.
	AdminPassword string
	// Token is the API token the client commands send (bench http), from
	// CHANYE_TOKEN.
	Token  string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Logger *slog.Logger
	// Now is the one clock of the process: the store, the engine, the
	// pages, the API and every command read "now" and "today" from it.
	// main passes time.Now; tests pass a fixed clock.
	Now func() time.Time
	// RateLimit is serve's limit on the expensive routes per client:
	// CHANYE_RATE_LIMIT (a minute) and CHANYE_RATE_BURST, else
	// httpmw.DefaultRateLimit; serve's flags override both.
	RateLimit httpmw.RateLimit
	// SMTP is where serve e-mails notifications: CHANYE_SMTP_HOST, _PORT,
	// _FROM, _USERNAME, _PASSWORD and _STARTTLS, serve's flags overriding
	// all but the password. No host: no e-mail, the inbox only.
	SMTP smtpmail.Config
	// BaseURL is the site's address as users reach it, for the links in
	// e-mails (CHANYE_BASE_URL).
	BaseURL string
	// Queue is the NATS JetStream server of sharded runs (CHANYE_QUEUE).
	Queue string
}

const usage = `chanye — 现代化产业体系平台 / modern industrial system platform

用法 / usage: chanye <command> [flags]

命令 / commands:
  serve     启动网站与接口 / run the web server and API
  demo      生成演示企业数据 / generate demo enterprises
  import    从 CSV/XLSX/JSON 导入 / import from CSV, XLSX or JSON
  export    导出为 CSV/XLSX / export to CSV or XLSX
  report    重点项目月度调度会 XLSX / the monthly meeting workbook on key projects
  migrate   升级数据库结构 / apply database migrations
  backup    在线备份 SQLite 数据库 / back up the SQLite database while serving
  restore   从备份恢复 / restore the database from a backup
  audit     审计日志：核验哈希链、查询 / the audit log: verify the chain, list entries
  policy    免申即享政策：保存、发布、测试、计算、解释、模拟 / benefit policies: add, publish, test, run, explain, simulate
  bench     基准测试 / benchmarks (bench policies)
  project   重点项目：预警巡检、销号、督办 / key projects: red sweep, closing warnings, supervision
  chains    产业链：挂链、诊断、环节企业 / industry chains: place firms, diagnose links, list a link's firms
  calendar  工作日历：放假安排与调休 / the working-day calendar: holidays and 调休 working days
  match     供需对接：运行匹配 / supply–demand matchmaking: run matching
  space     产业空间：按规模分流 / industrial space: route needs by the size rule
  search    搜索企业、项目、政策；重建搜索索引 / search enterprises, projects, policies; reindex
  user      账号：新建、列出、停用、接口令牌 / accounts: add, list, disable, API tokens
  worker    分片计算工作进程 / a worker of sharded runs, beside its shards
  version   显示版本 / print the version

"chanye <command> --help" 说明各命令 / explains each command.
数据库 / database: --db PATH 或 postgres://…，默认 / default $CHANYE_DB, then chanye.db
审计密钥 / audit key: --audit-key FILE，默认 / default $CHANYE_AUDIT_KEY_FILE, then PATH.audit-key (SQLite)
`

// errHelp is returned after printing help, so the exit status is zero.
var errHelp = flag.ErrHelp

// run is the whole program; main only adds the process around it.
func run(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := Config{
		Now:           now,
		DB:            getenv("CHANYE_DB"),
		AuditKeyFile:  getenv("CHANYE_AUDIT_KEY_FILE"),
		Version:       version(),
		AdminPassword: getenv("CHANYE_ADMIN_PASSWORD"),
		Token:         getenv("CHANYE_TOKEN"),
		Stdin:         stdin,
		Stdout:        stdout,
		Stderr:        stderr,
		Logger:        slog.New(slog.NewTextHandler(stderr, nil)),
	}
	if cfg.DB == "" {
		cfg.DB = "chanye.db"
	}
	cfg.RateLimit = httpmw.DefaultRateLimit
	if v := getenv("CHANYE_RATE_LIMIT"); v != "" {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("CHANYE_RATE_LIMIT %q 须为非负数 / must be a non-negative number", v)
		}
		cfg.RateLimit.PerMinute = n
	}
	if v := getenv("CHANYE_RATE_BURST"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("CHANYE_RATE_BURST %q 须为正整数 / must be a positive integer", v)
		}
		cfg.RateLimit.Burst = n
	}
	cfg.SMTP = smtpmail.Config{Host: getenv("CHANYE_SMTP_HOST"), From: getenv("CHANYE_SMTP_FROM"),
		Username: getenv("CHANYE_SMTP_USERNAME"), Password: getenv("CHANYE_SMTP_PASSWORD")}
	cfg.BaseURL = getenv("CHANYE_BASE_URL")
	cfg.Queue = getenv("CHANYE_QUEUE")
	if v := getenv("CHANYE_SMTP_PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("CHANYE_SMTP_PORT %q 须为 1–65535 / must be 1–65535", v)
		}
		cfg.SMTP.Port = n
	}
	if v := getenv("CHANYE_SMTP_STARTTLS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("CHANYE_SMTP_STARTTLS %q 须为 true 或 false / must be true or false", v)
		}
		cfg.SMTP.StartTLS = b
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("缺少命令 / missing command")
	}
	cmds := map[string]func(context.Context, Config, []string) error{
		"serve":    runServe,
		"demo":     runDemo,
		"import":   runImport,
		"export":   runExport,
		"report":   runReport,
		"migrate":  runMigrate,
		"backup":   runBackup,
		"restore":  runRestore,
		"audit":    runAudit,
		"policy":   runPolicy,
		"bench":    runBench,
		"search":   runSearch,
		"project":  runProject,
		"chains":   runChains,
		"calendar": runCalendar,
		"match":    runMatch,
		"space":    runSpace,
		"user":     runUser,
		"worker":   runWorker,
		"version": func(_ context.Context, cfg Config, _ []string) error {
			fmt.Fprintln(cfg.Stdout, "chanye", cfg.Version)
			return nil
		},
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, ok := cmds[name]
	if !ok {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("未知命令 %q / unknown command", name)
	}
	if name != "serve" {
		// Whoever runs a command can read the database already: the
		// command acts as the operator, with every right. serve does not,
		// lest a request without an account inherit the operator: each
		// request acts as its signed-in account, or the public.
		ctx = chanye.WithActor(ctx, chanye.Operator)
	}
	err := cmd(ctx, cfg, rest)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// version is the module version stamped by the go tool, or "dev".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// newFlags returns a flag set for a subcommand that prints its help, and
// the --db flag every subcommand shares.
// dispatch runs the subcommand of a command (policy, audit, project) named
// by args[0]; help, a missing or an unknown name print the command's help.
func dispatch(ctx context.Context, cfg Config, args []string, command, help string, cmds map[string]func(context.Context, Config, []string) error) error {
	if len(args) == 0 {
		fmt.Fprint(cfg.Stderr, help)
		return fmt.Errorf("缺少子命令 / missing %s command", command)
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(cfg.Stdout, help)
		return nil
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprint(cfg.Stderr, help)
		return fmt.Errorf("未知子命令 %q / unknown %s command", args[0], command)
	}
	return cmd(ctx, cfg, args[1:])
}

func newFlags(cfg *Config, name, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(cfg.Stderr)
	fs.Usage = func() {
		fmt.Fprint(cfg.Stdout, help)
		fmt.Fprintln(cfg.Stdout, "\n选项 / flags:")
		fs.SetOutput(cfg.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(cfg.Stderr)
	}
	fs.StringVar(&cfg.DB, "db", cfg.DB, "数据库：SQLite 文件路径或 postgres:// URL / SQLite path or postgres:// URL (env CHANYE_DB)")
	fs.StringVar(&cfg.AuditKeyFile, "audit-key", cfg.AuditKeyFile, "审计密钥文件，SQLite 默认为数据库旁的 PATH.audit-key，PostgreSQL 必填 / audit key file; SQLite: PATH.audit-key beside the database by default; PostgreSQL: required to write (env CHANYE_AUDIT_KEY_FILE)")
	return fs
}

// parse parses flags wherever they stand among the arguments, so that
// "import facts f.csv --skip-invalid" works, and returns the positionals.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// open opens and migrates the database and loads its audit keys (creating
// them on first start, see auditkey.go).
func open(ctx context.Context, cfg Config) (*sqlstore.DB, *sqlstore.Store, []string, error) {
	db, err := sqlstore.Open(ctx, cfg.DB)
	if err != nil {
		return nil, nil, nil, err
	}
	db.Now = cfg.Now
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	store := sqlstore.NewStore(db)
	var missing *missingKeyError
	if db.AuditKeys, err = loadAuditKeys(ctx, cfg, db, store); errors.As(err, &missing) {
		warn(cfg, "%s", missing) // reads work; every write fails
	} else if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	if _, err := store.EnsureCatalog(ctx, catalog.Default()); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	// The default chains, on a database without any: those of the
	// catalog's industries.
	if _, err := store.EnsureChains(ctx, chain.DefaultSet); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return db, store, applied, nil
}

func runMigrate(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "migrate", "chanye migrate [--db PATH]\n\n应用尚未执行的数据库迁移并列出 / applies pending migrations and lists them.\n")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, _, applied, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(applied) == 0 {
		fmt.Fprintln(cfg.Stdout, "数据库已是最新 / database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(cfg.Stdout, "已应用 / applied", m)
	}
	return nil
}

// isTerminal reports whether w is a terminal, for progress bars.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// rate formats a count per second.
func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(n)/d.Seconds())
}
