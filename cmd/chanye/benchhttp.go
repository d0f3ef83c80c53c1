package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

const benchHTTPHelp = `chanye bench http [--url http://127.0.0.1:8080] [--concurrency 32] [--duration 10s | --requests N] [--route PATH]… [--token T] [--json]

对运行中的服务逐个路由施压：每个路由由 --concurrency 个并发客户端持续请求 --duration（或共 --requests 次），
输出每个路由的请求数、每秒请求数、p50/p90/p99/最大延迟和出错数（非 2xx 或连接错误，按状态码分列）。
路径中的 {code} 依次换成从 /api/v1/enterprises 读到的企业信用代码。令牌取自 --token 或环境变量
CHANYE_TOKEN（chanye user token NAME）。被测服务请以 --rate-limit 0 启动，否则计算类路由答 429。

Loads a running server route by route: --concurrency clients request each route
for --duration (or --requests in all) and it prints, per route, the requests,
requests per second, p50/p90/p99/max latency and the errors (non-2xx by status,
and transport errors). {code} in a path is replaced by credit codes read from
/api/v1/enterprises, in turn. The token is --token or CHANYE_TOKEN (chanye user
token NAME). Start the server with --rate-limit 0, or the evaluating routes
answer 429.
`

// defaultBenchRoutes are the operations issue 10's table names.
var defaultBenchRoutes = []string{
	"/api/v1/enterprises/{code}",
	"/api/v1/enterprises?industry=software&limit=50",
	"/projects",
	"/public/publicity",
}

// routeResult is one route's figures.
type routeResult struct {
	Route     string         `json:"route"`
	Requests  int            `json:"requests"`
	PerSecond float64        `json:"per_second"`
	P50       time.Duration  `json:"p50_ns"`
	P90       time.Duration  `json:"p90_ns"`
	P99       time.Duration  `json:"p99_ns"`
	Max       time.Duration  `json:"max_ns"`
	Errors    int            `json:"errors"`
	Statuses  map[string]int `json:"statuses"` // "200", "429", "transport"
}

// httpLoad is one load generation: the client, where, and how much.
type httpLoad struct {
	client      *http.Client
	base        *url.URL
	token       string
	concurrency int
	duration    time.Duration // used when requests is 0
	requests    int
	codes       []string
}

func runBenchHTTP(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "bench http", benchHTTPHelp)
	base := fs.String("url", "http://127.0.0.1:8080", "服务地址 / server URL")
	conc := fs.Int("concurrency", 32, "并发客户端数（1–1024）/ concurrent clients (1–1024)")
	dur := fs.Duration("duration", 10*time.Second, "每个路由的时长（100ms–1h）/ time per route (100ms–1h)")
	reqs := fs.Int("requests", 0, "每个路由的请求总数（给出则不看 --duration，至多 10,000,000）/ requests per route instead of a duration (at most 10,000,000)")
	token := fs.String("token", cfg.Token, "API 令牌 / API token (env CHANYE_TOKEN)")
	asJSON := fs.Bool("json", false, "输出 JSON / print JSON")
	var routes []string
	fs.Func("route", "要测的路径，可多次给出 / a path to load, repeatable (default: "+strings.Join(defaultBenchRoutes, ", ")+")", func(s string) error {
		if !strings.HasPrefix(s, "/") {
			return fmt.Errorf("路径须以 / 开头 / a route is a path beginning with /: %q", s)
		}
		routes = append(routes, s)
		return nil
	})
	if _, err := parse(fs, args); err != nil {
		return err
	}
	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url 须为 http(s)://主机[:端口] / --url must be http(s)://host[:port]: %q", *base)
	}
	switch {
	case *conc < 1 || *conc > 1024:
		return errors.New("--concurrency 须在 1 到 1024 之间 / must be 1 to 1024")
	case *reqs < 0 || *reqs > 10_000_000:
		return errors.New("--requests 须在 0 到 10,000,000 之间 / must be 0 to 10,000,000")
	case *reqs == 0 && (*dur < 100*time.Millisecond || *dur > time.Hour):
		return errors.New("--duration 须在 100ms 到 1h 之间 / must be 100ms to 1h")
	}
	if len(routes) == 0 {
		routes = defaultBenchRoutes
	}
	l := &httpLoad{
		client:      &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}},
		base:        u,
		token:       *token,
		concurrency: *conc,
		duration:    *dur,
		requests:    *reqs,
	}
	if slices.ContainsFunc(routes, func(r string) bool { return strings.Contains(r, "{code}") }) {
		if l.codes, err = l.enterpriseCodes(ctx); err != nil {
			return err
		}
	}
	var results []*routeResult
	for _, r := range routes {
		if !*asJSON {
			fmt.Fprintf(cfg.Stderr, "%s …\n", r)
		}
		res, err := l.run(ctx, r)
		if err != nil {
			return err
		}
		results = append(results, res)
	}
	if *asJSON {
		enc := json.NewEncoder(cfg.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	fmt.Fprintf(cfg.Stdout, "并发 / concurrency %d, %s\n", l.concurrency, l.amount())
	tw := tabwriter.NewWriter(cfg.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "路由 route\t请求 requests\t每秒 req/s\tp50\tp90\tp99\t最大 max\t出错 errors\t状态 statuses\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%d\t%s\t\n", r.Route, r.Requests, r.PerSecond,
			ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max), r.Errors, statusList(r.Statuses))
	}
	return tw.Flush()
}

func (l *httpLoad) amount() string {
	if l.requests > 0 {
		return fmt.Sprintf("每个路由 %d 次请求 / %d requests per route", l.requests, l.requests)
	}
	return fmt.Sprintf("每个路由 %s / %s per route", l.duration, l.duration)
}

// enterpriseCodes reads up to 1,000 credit codes for {code}.
func (l *httpLoad) enterpriseCodes(ctx context.Context) ([]string, error) {
	req, err := l.request(ctx, "/api/v1/enterprises?limit=1000")
	if err != nil {
		return nil, err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("读取企业代码 / reading credit codes: %s: %s", resp.Status, b)
	}
	var body struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("读取企业代码 / reading credit codes: %w", err)
	}
	codes := make([]string, 0, len(body.Items))
	for _, it := range body.Items {
		codes = append(codes, it.Code)
	}
	if len(codes) == 0 {
		return nil, errors.New("服务中没有企业，{code} 无从替换 / the server has no enterprises to put in {code}")
	}
	return codes, nil
}

func (l *httpLoad) request(ctx context.Context, path string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.base.JoinPath().String()+path, nil)
	if err != nil {
		return nil, err
	}
	if l.token != "" {
		req.Header.Set("Authorization", "Bearer "+l.token)
	}
	return req, nil
}

// run loads one route and sums up what its clients saw.
func (l *httpLoad) run(ctx context.Context, route string) (*routeResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if l.requests == 0 {
		ctx, cancel = context.WithTimeout(ctx, l.duration)
		defer cancel()
	}
	var (
		next    atomic.Int64 // the next request's number, for the quota and {code}
		mu      sync.Mutex
		lat     []time.Duration
		status  = map[string]int{}
		errs    int
		wg      sync.WaitGroup
		started = time.Now()
	)
	for range l.concurrency {
		wg.Go(func() {
			var mine []time.Duration
			seen := map[string]int{}
			bad := 0
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if l.requests > 0 && i >= int64(l.requests) {
					break
				}
				path := route
				if len(l.codes) > 0 {
					path = strings.ReplaceAll(route, "{code}", l.codes[i%int64(len(l.codes))])
				}
				code, d, err := l.once(ctx, path)
				if err != nil && ctx.Err() != nil {
					break // cut off by the end of the duration: not a result
				}
				mine = append(mine, d)
				switch {
				case err != nil:
					seen["transport"]++
					bad++
				default:
					seen[fmt.Sprint(code)]++
					if code < 200 || code > 299 {
						bad++
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, v := range seen {
				status[k] += v
			}
			errs += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(started)
	slices.Sort(lat)
	res := &routeResult{Route: route, Requests: len(lat), Errors: errs, Statuses: status}
	if len(lat) > 0 {
		res.PerSecond = float64(len(lat)) / elapsed.Seconds()
		res.P50, res.P90, res.P99, res.Max = quantile(lat, 50), quantile(lat, 90), quantile(lat, 99), lat[len(lat)-1]
	}
	return res, nil
}

// once sends one request and reads the whole answer, as a browser would.
func (l *httpLoad) once(ctx context.Context, path string) (int, time.Duration, error) {
	req, err := l.request(ctx, path)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start), err
}

// quantile is the nearest-rank q-th percentile of sorted durations.
func quantile(sorted []time.Duration, q int) time.Duration {
	i := (len(sorted)*q + 99) / 100
	return sorted[max(i-1, 0)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func statusList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
