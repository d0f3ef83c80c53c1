package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/httpapi"
	"github.com/chanye-org/chanye/httpauth"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/metrics"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/shardrun"
	"github.com/chanye-org/chanye/smtpmail"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/web"
	"github.com/chanye-org/chanye/workday"
)

// demoServeEnterprises is the size of the base "serve --demo" fills an
// empty database with: enough for every tier to have holders.
const demoServeEnterprises = 20000

const serveHelp = `chanye serve [--addr :8080] [--db PATH|postgres://…] [--audit-key FILE] [--demo] [--tls-proxy] [--rate-limit 30] [--rate-burst 10]
             [--smtp-host HOST --smtp-from ADDR [--smtp-port 587] [--smtp-user NAME] [--smtp-starttls] [--base-url URL]]

升级数据库、载入默认产业目录（首次），在同一端口提供网页（/）和接口（/api/、/healthz）。
--demo 在数据库没有企业时生成约 2 万家演示企业（种子 1），没有项目时生成 1,246 个重点项目，没有招商线索时生成演示招商（约 300 条各阶段线索）。没有任何政策时保存并发布本市的正式政策（加 --demo 时另加（示例）政策），没有计算批次时生成演示流程（公示、异议、审批、拨付、追回）。没有产业区块时生成演示产业空间（690 个区块、约 2 万个单元，部分已供地、出租、预留）。首次启动创建管理员 admin，
密码取自环境变量 CHANYE_ADMIN_PASSWORD，未设置则随机生成并只显示一次；加 --demo 时另建各角色的演示账号（密码相同）。首次启动创建审计密钥文件（SQLite 默认在数据库旁，
PostgreSQL 须以 --audit-key 指定）。Ctrl-C 或 SIGTERM 平稳退出。
测试、模拟、计算、预警和记分卡每个账号（未登录则每个地址）每分钟至多 --rate-limit 次（默认 30，
环境变量 CHANYE_RATE_LIMIT），可连续 --rate-burst 次（默认 10，CHANYE_RATE_BURST），超出答 429。

Migrates the database, loads the default catalog on first start, and serves the
web pages (/) and the API (/api/, /healthz) on one port, with /readyz (the
database answers) and /metrics (Prometheus). With --demo an empty
database is filled with about 20,000 demo enterprises (seed 1), and one without
projects with the 1,246 key projects, and one without leads with the demo's
招商 (a roster, the three lists, about 300 leads in every stage). When no policy is
stored, the city's official shipped policies are stored and published (with
--demo the illustrative （示例） ones too), and with --demo a database without
runs gets the demo lifecycle: runs, 公示, objections answered both ways,
approvals, payments and a reversal, and one without enterprise requests 60 of
them in every state (演示数据); one without industrial blocks gets the demo's
690 blocks and about 20,000 units, a third of the land transferred, floors and
plants let, units held for key projects and leads. The first start creates
the account admin with the password in CHANYE_ADMIN_PASSWORD, or a random one
printed once; with --demo also one demo account per role with the same
password (demo-leader, demo-department, demo-taskforce, demo-enterprise,
demo-owner, demo-district, demo-buyer, demo-supplier), each where the demo
gives it something to do. The first start creates the audit key file (beside a SQLite
database by default; PostgreSQL needs --audit-key). Stops gracefully on
Ctrl-C or SIGTERM. Tests, simulations, runs, warnings and scorecards are
limited per account (per address without one) to --rate-limit a minute (30, or
CHANYE_RATE_LIMIT; 0 turns it off), --rate-burst at once (10, or
CHANYE_RATE_BURST); past it they answer 429 with Retry-After.

通知邮件：给出 --smtp-host 与 --smtp-from 时，每 30 秒把新通知发到所在范围内留有邮箱的账号；密码只取自环境变量
CHANYE_SMTP_PASSWORD。失败的邮件至多试 5 次，错误记录在案，管理员在“通知”页看到。
Notification e-mail: with --smtp-host and --smtp-from (or CHANYE_SMTP_HOST,
CHANYE_SMTP_FROM, CHANYE_SMTP_PORT, CHANYE_SMTP_USERNAME, CHANYE_SMTP_STARTTLS),
every 30 seconds the new notifications are e-mailed to the accounts of their
scope that gave an address; the password only from CHANYE_SMTP_PASSWORD. A
failed e-mail is tried at most 5 times, each error recorded and shown to
admins on their 通知 page, logged and counted in /metrics.
`

func runServe(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "serve", serveHelp)
	addr := fs.String("addr", ":8080", "监听地址 / listen address (\":0\" picks a free port)")
	withDemo := fs.Bool("demo", false, "空库时生成演示数据 / fill an empty database with demo data")
	rateLimit := fs.Float64("rate-limit", cfg.RateLimit.PerMinute, "每个账号（未登录则每个地址）每分钟可发起的测试、模拟、计算、预警和记分卡请求数，0 为不限 / expensive requests (tests, simulations, runs, warnings, scorecards) a minute per account, or per address without one; 0 turns the limit off")
	rateBurst := fs.Int("rate-burst", cfg.RateLimit.Burst, "上述请求可连续发起的次数 / how many of them may come at once")
	tlsProxy := fs.Bool("tls-proxy", false, "在终止 TLS 的反向代理之后：Cookie 加 Secure，客户端地址取自 X-Forwarded-For / behind a TLS-terminating proxy: Secure cookies, client address from X-Forwarded-For")
	fs.StringVar(&cfg.SMTP.Host, "smtp-host", cfg.SMTP.Host, "发送通知邮件的 SMTP 服务器，空则不发邮件 / SMTP server for notification e-mail; empty: none (env CHANYE_SMTP_HOST)")
	fs.IntVar(&cfg.SMTP.Port, "smtp-port", cfg.SMTP.Port, "SMTP 端口，0 为 587（STARTTLS）或 25 / SMTP port; 0: 587 with STARTTLS, else 25 (env CHANYE_SMTP_PORT)")
	fs.StringVar(&cfg.SMTP.From, "smtp-from", cfg.SMTP.From, "发件地址 / sender address (env CHANYE_SMTP_FROM)")
	fs.StringVar(&cfg.SMTP.Username, "smtp-user", cfg.SMTP.Username, "SMTP 用户名，密码取自 CHANYE_SMTP_PASSWORD / SMTP user name; the password comes from CHANYE_SMTP_PASSWORD (env CHANYE_SMTP_USERNAME)")
	fs.BoolVar(&cfg.SMTP.StartTLS, "smtp-starttls", cfg.SMTP.StartTLS, "先以 STARTTLS 加密，服务器不支持则不发 / require STARTTLS (env CHANYE_SMTP_STARTTLS)")
	var sharded queueFlags
	sharded.add(fs, cfg)
	shards := fs.Int("shards", 0, fmt.Sprintf("批量计算分片数（由 chanye worker 计算），0 为在本进程计算 / decide the pages' and the API's runs in this many shards, by chanye worker processes; 0 decides them here (at most %d)", policy.MaxShards))
	fs.StringVar(&cfg.BaseURL, "base-url", cfg.BaseURL, "用户访问本站的地址，用于邮件中的链接 / the site's address as users reach it, for links in e-mails (env CHANYE_BASE_URL)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var mailer *smtpmail.Mailer
	if cfg.SMTP.Enabled() {
		var err error
		if mailer, err = smtpmail.New(cfg.SMTP); err != nil {
			return err
		}
	}
	if *rateLimit < 0 || *rateBurst < 1 {
		return fmt.Errorf("--rate-limit 须为非负数，--rate-burst 须为正整数 / --rate-limit must not be negative, --rate-burst must be positive")
	}
	// Requests act as their signed-in accounts; what serve does itself
	// before serving (migrate, demo data, shipped policies) the operator does.
	opCtx := chanye.WithActor(ctx, chanye.Operator)
	db, store, applied, err := open(opCtx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.AuditKeys == nil {
		// Every write is audited: without a key the server could only fail.
		if path := auditKeyPath(cfg, db); path != "" {
			return fmt.Errorf("审计密钥文件 %s 不可用，拒绝启动 / the audit key file %s is missing: not starting", path, path)
		}
		return errors.New("PostgreSQL 需要审计密钥文件：--audit-key FILE 或 CHANYE_AUDIT_KEY_FILE（首次启动时创建）/ PostgreSQL needs an audit key file: --audit-key FILE or CHANYE_AUDIT_KEY_FILE (created on first start)")
	}
	log := cfg.Logger
	if len(applied) > 0 {
		log.Info("migrated", "applied", applied)
	}
	if *withDemo {
		_, total, err := store.FindEnterprises(opCtx, chanye.EnterpriseFilter{Limit: 1})
		if err != nil {
			return err
		}
		if total == 0 {
			chains, err := store.FindChains(opCtx)
			if err != nil {
				return err
			}
			start := time.Now()
			st, err := demo.Generate(opCtx, store, demo.Options{Enterprises: demoServeEnterprises, Seed: 1, AsOf: chanye.DateOf(cfg.Now()), Chains: chains})
			if err != nil {
				return fmt.Errorf("演示数据 / demo data: %w", err)
			}
			log.Info("demo data generated", "enterprises", st.Enterprises, "facts", st.Facts, "tiers", st.Tiers, "elapsed", time.Since(start).Round(time.Millisecond))
			leads, err := demo.LeadFirms(opCtx, store)
			if err != nil {
				return fmt.Errorf("演示链主 / demo 链主: %w", err)
			}
			log.Info("demo 链主 designated", "firms", leads)
		} else {
			log.Info("demo data skipped: database has enterprises", "enterprises", total)
		}
		if err := ensureDemoProjects(opCtx, store, log, chanye.DateOf(cfg.Now())); err != nil {
			return err
		}
		if run, err := store.LastPlaceRun(opCtx); err != nil {
			return err
		} else if run == nil {
			run, byHand, err := demoPlacements(opCtx, store, demoServeEnterprises)
			if err != nil {
				return err
			}
			log.Info("demo firms placed on the chains", "placed", run.Placed, "placements", run.Placements, "by_hand", byHand, "elapsed", run.Took)
		}
		ls, err := demo.Leads(opCtx, store, demo.LeadOptions{Seed: 1, Today: chanye.DateOf(cfg.Now())})
		if err != nil {
			return fmt.Errorf("演示招商 / demo leads: %w", err)
		}
		if ls.Leads > 0 {
			log.Info("demo 招商 generated", "roster", ls.Roster, "gaps", ls.Gaps, "targets", ls.Targets, "leads", ls.Leads,
				"overdue", ls.Overdue, "projects", ls.Projects, "supervised", sum(ls.Supervisions))
		}
	}

	met := metrics.New()
	policies := met.Policies(store.PolicyServices()) // counts runs, stored decisions and payments
	engCfg := engine.Config{Catalog: store, Enterprises: store, Versions: policies.Versions, Runs: policies.Runs, Budgets: policies.Ledger, Inputs: store, Snapshots: store, Logger: log, Now: cfg.Now}
	var eng *engine.Engine
	if *shards < 0 || *shards > policy.MaxShards {
		return fmt.Errorf("--shards 须在 0–%d 之间 / --shards must be 0–%d", policy.MaxShards, policy.MaxShards)
	} else if *shards > 0 {
		q, err := sharded.open(opCtx)
		if err != nil {
			return err
		}
		defer q.Close()
		engCfg.Sharded = func(ctx context.Context, asOf chanye.Date) (*policy.Run, error) {
			return shardrun.Start(ctx, store, eng, q, asOf, *shards)
		}
	}
	eng = engine.New(engCfg)
	if err := ensureShipped(opCtx, eng, log, *withDemo); err != nil {
		return err
	}
	if *withDemo {
		if err := ensureDemoLifecycle(opCtx, db, store, cfg, log); err != nil {
			return err
		}
		if rs, err := ensureDemoRequests(opCtx, db, store, cfg.Now, 1); err != nil {
			return err
		} else if len(rs.ByStatus) > 0 {
			log.Info(requestSummary(rs))
		}
		if ss, err := ensureDemoScenarios(opCtx, db, store, cfg.Now); err != nil {
			return err
		} else if len(ss.ByStatus) > 0 {
			log.Info(scenarioSummary(ss))
		}
		if ms, err := ensureDemoMatchmaking(opCtx, db, store, cfg.Now); err != nil {
			return err
		} else if ms.Supplies > 0 {
			log.Info(matchSummary(ms))
		}
		if sp, err := ensureDemoSpace(opCtx, db, store, cfg.Now); err != nil {
			return err
		} else if sp.Blocks > 0 {
			log.Info(spaceSummary(sp))
		}
	}
	// The API and the pages reach the services only through authz, which
	// checks the request's actor. The engine reads the whole base through
	// the unguarded services; authz guards its outer calls.
	guarded := guard(store, policies, eng, cfg.Now)
	// One limiter for the API and the pages: a client's budget on the
	// expensive routes is one, whichever way it comes.
	limiter := httpmw.NewLimiter(httpmw.RateLimit{PerMinute: *rateLimit, Burst: *rateBurst})
	if limiter != nil {
		limiter.Key = clientKey
	}
	api := httpapi.NewHandler(httpapi.Config{Catalog: guarded.catalog, Enterprises: guarded.enterprises, Policies: guarded.policies, Engine: guarded.engine, Logger: log, Version: cfg.Version,
		Audit: authz.Audit(store), Projects: guarded.projects, Closures: guarded.closures, Supervisions: guarded.supervisions, Now: cfg.Now, Limiter: limiter, Lists: guarded.lists, Calendar: guarded.calendar, Requests: guarded.requests, RequestIssues: guarded.issues, RequestFiles: guarded.requestFiles,
		Notifications: guarded.notifications, Search: authz.Search(store), Chains: guarded.chains,
		LeadFirms: guarded.leadFirms, Placements: guarded.placements, Invest: guarded.invest, Scenarios: guarded.scenarios, Match: guarded.match,
		Space: guarded.space})
	// Accounts: sign-in throttled per account and address, the counters in
	// the database (auth.Limits); the first start creates an admin. The
	// middleware turns each request's token or
	// session cookie into its actor and checks forms' CSRF tokens.
	accounts := auth.NewThrottle(store, store)
	password, err := ensureAdmin(opCtx, accounts, cfg.AdminPassword, cfg.Stderr)
	if err != nil {
		return err
	}
	if *withDemo && password != "" {
		if err := ensureDemoAccounts(opCtx, store, password, cfg.Stderr); err != nil {
			return err
		}
	}
	authn := httpauth.New(httpauth.Config{Accounts: accounts, Logger: log, Secure: *tlsProxy, TrustProxy: *tlsProxy})
	pages, err := web.NewHandler(web.Config{Catalog: guarded.catalog, Enterprises: guarded.enterprises, Policies: guarded.policies, Engine: guarded.engine, Logger: log, Version: cfg.Version,
		Accounts: accounts, Auth: authn, Audit: authz.Audit(store), Projects: guarded.projects, Closures: guarded.closures, Supervisions: guarded.supervisions,
		Now: cfg.Now, Limiter: limiter, Lists: guarded.lists, Calendar: guarded.calendar, Requests: guarded.requests, RequestIssues: guarded.issues, RequestFiles: guarded.requestFiles, Notifications: guarded.notifications, Deliveries: guarded.deliveries, Search: authz.Search(store),
		Chains: guarded.chains, LeadFirms: guarded.leadFirms, Placements: guarded.placements, Invest: guarded.webInvest(),
		Scenarios: guarded.webScenarios(), Match: guarded.webMatch(), Space: guarded.webSpace()})
	if err != nil {
		return err
	}
	if mailer != nil {
		// The sender works for no request: it acts as the operator.
		sender := &notify.Sender{Store: store, Mailer: mailer, Now: cfg.Now, Log: log, BaseURL: cfg.BaseURL, Observe: met.ObserveEmail}
		senderCtx, stopSender := context.WithCancel(opCtx)
		done := make(chan struct{})
		go func() { defer close(done); sender.Run(senderCtx) }()
		defer func() { stopSender(); <-done }()
		log.Info("notification e-mail on", "smtp", cfg.SMTP.Host, "from", cfg.SMTP.From, "starttls", cfg.SMTP.StartTLS)
	}
	// The red sweep tells of projects turned red by time alone (a report
	// missing, a node past its date): now and every hour, the day read
	// from the clock; a second sweep the same day tells no one twice.
	sweepCtx, stopSweep := context.WithCancel(opCtx)
	swept := make(chan struct{})
	go func() { defer close(swept); sweepEvery(sweepCtx, store, log, time.Hour) }()
	defer func() { stopSweep(); <-swept }()
	mux := newMux(api, pages, httpmw.Ready(db.Ping, log), met.Handler())

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           httpmw.Wrap(mux, httpmw.Config{Logger: log, Metrics: met, Authenticate: authn.Authenticate}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute, // exports of big selections stream for a while
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(cfg.Stdout, "chanye 已启动 / listening on %s\n", listenURL(ln.Addr()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(cfg.Stdout, "chanye 已停止 / stopped")
	return nil
}

// clientKey names a request's client for the rate limit: the signed-in
// account, else the address as the sign-in throttle sees it (behind
// --tls-proxy, from X-Forwarded-For).
func clientKey(r *http.Request) string {
	if chanye.ActorFrom(r.Context()).Role != chanye.RolePublic {
		return httpmw.ClientKey(r)
	}
	return "addr:" + httpauth.ClientAddr(r)
}

// newMux puts the API, the pages and the operations endpoints on one mux.
// The route × role matrix test serves through it too.
func newMux(api, pages, ready, metrics http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle("/healthz", api)
	for pattern, h := range opsHandlers(ready, metrics) {
		mux.Handle(pattern, h)
	}
	mux.Handle("/", pages)
	return mux
}

// opsHandlers are the routes serve mounts beside the API and the pages.
func opsHandlers(ready, metrics http.Handler) map[string]http.Handler {
	return map[string]http.Handler{"GET /readyz": ready, "GET /metrics": metrics}
}

// guarded holds the services as requests may use them.
type guarded struct {
	catalog       chanye.CatalogService
	enterprises   chanye.EnterpriseService
	policies      policy.Services
	engine        *authz.EngineGuard
	projects      project.Service
	closures      project.ClosureService
	supervisions  project.SupervisionService
	lists         chanye.OrgUnitService
	calendar      workday.Service
	requests      request.Service
	issues        request.IssueService
	requestFiles  request.FileService
	notifications notify.Service
	deliveries    notify.DeliveryReader
	chains        chain.Service
	leadFirms     chain.LeadFirmService
	placements    chain.Placements
	invest        *httpapi.InvestServices
	scenarios     *httpapi.ScenarioServices
	match         *httpapi.MatchServices
	space         *httpapi.SpaceServices
}

// guard wraps the services and the engine with authz.
func guard(store *sqlstore.Store, policies policy.Services, eng *engine.Engine, now func() time.Time) guarded {
	return guarded{catalog: authz.Catalog(store), enterprises: authz.Enterprises(store, now),
		policies: authz.Policies(policies), engine: authz.Engine(eng, policies.Versions), projects: authz.Projects(store, store),
		closures: authz.Closures(store, store, store), supervisions: authz.Supervisions(store, store, store),
		lists: authz.OrgUnits(store), calendar: authz.Calendar(store), requests: authz.Requests(store, store), issues: authz.Issues(store, store), requestFiles: authz.RequestFiles(store, store, store), notifications: authz.Notifications(store), deliveries: authz.Deliveries(store),
		chains: authz.Chains(store, store), leadFirms: authz.LeadFirms(store, store), placements: authz.Placements(store, store),
		invest: &httpapi.InvestServices{Targets: authz.Targets(store, store), Roster: authz.Rosters(store), Candidates: authz.Candidates(store, store),
			Leads: authz.Leads(store, store, store), Conversions: authz.Conversions(store, store, store), Funnel: authz.Funnel(store, store),
			Supervisions: authz.LeadSupervisions(store.LeadSupervisions(), store, store), Imports: authz.LeadImports(store, store, store)},
		scenarios: &httpapi.ScenarioServices{Scenarios: authz.Scenarios(store, store, store), Applications: authz.ScenarioApplications(store, store, store, store),
			Reviews: authz.ScenarioReviews(store, store, store, store), Files: authz.ScenarioFiles(store, store, store, store, store)},
		match: &httpapi.MatchServices{Listings: authz.MatchListings(store, store), Matches: authz.Matches(store, store, store),
			Events: authz.MatchEvents(store, store, store), Lazy: &match.LazySegmenter{}},
		space: &httpapi.SpaceServices{Inventory: authz.SpaceInventory(store), Allocations: authz.SpaceAllocations(store, store, store, store, store),
			Use: authz.SpaceUse(store)}}
}

// webInvest is the 招商 the pages use: the same guarded services as the API.
func (g guarded) webInvest() web.InvestServices {
	i := g.invest
	return web.InvestServices{Targets: i.Targets, Candidates: i.Candidates, Leads: i.Leads, Conversions: i.Conversions, Funnel: i.Funnel,
		Supervisions: i.Supervisions, Imports: i.Imports}
}

// webScenarios are the application scenarios the pages use: the same
// guarded services as the API.
func (g guarded) webScenarios() web.ScenarioServices {
	return web.ScenarioServices{Scenarios: g.scenarios.Scenarios, Applications: g.scenarios.Applications, Reviews: g.scenarios.Reviews,
		Files: g.scenarios.Files}
}

// webMatch is the matchmaking the pages use: the same guarded services as
// the API, and its segmenter, loaded once for both.
func (g guarded) webMatch() web.MatchServices {
	m := g.match
	return web.MatchServices{Listings: m.Listings, Matches: m.Matches, Events: m.Events, Segmenter: m.Segmenter, Lazy: m.Lazy}
}

// webSpace is the industrial space the pages use: the same guarded
// services as the API.
func (g guarded) webSpace() web.SpaceServices {
	return web.SpaceServices{Inventory: g.space.Inventory, Allocations: g.space.Allocations, Use: g.space.Use}
}

// listenURL is the URL to open for a bound address: an unspecified host
// (":8080", "[::]:8080") is shown as 127.0.0.1.
func listenURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// sweepEvery runs the red sweep (Store.SweepRed), the escalation of
// overdue requests (Store.Escalate), their grouping into common problems
// (Store.GroupRequests) and the expiry of space holds and lapsed leases
// with the warnings of holds ending soon (Store.ExpireHolds) now and then
// every interval until ctx ends, logging what each sweep did. ctx acts
// as the operator: ExpireHolds is the administrators'.
func sweepEvery(ctx context.Context, store *sqlstore.Store, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if sw, err := store.SweepRed(ctx); err != nil && ctx.Err() == nil {
			log.Error("red sweep failed", "err", err)
		} else if sw.TurnedRed > 0 {
			log.Info("red sweep", "projects", sw.Projects, "turned_red", sw.TurnedRed)
		}
		if n, err := store.Escalate(ctx); err != nil && ctx.Err() == nil {
			log.Error("request escalation failed", "err", err)
		} else if n > 0 {
			log.Info("requests escalated", "requests", n)
		}
		if n, err := store.GroupRequests(ctx); err != nil && ctx.Err() == nil {
			log.Error("request grouping failed", "err", err)
		} else if n > 0 {
			log.Info("common problems raised", "issues", n)
		}
		if ex, err := store.ExpireHolds(ctx); err != nil && ctx.Err() == nil {
			log.Error("space hold expiry failed", "err", err)
		} else if ex.Expired+ex.Warned+ex.LeasesEnded > 0 {
			log.Info("space holds swept", "expired", ex.Expired, "warned", ex.Warned, "leases_ended", ex.LeasesEnded)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
