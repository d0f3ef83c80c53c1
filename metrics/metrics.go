// Package metrics holds chanye's Prometheus metrics: HTTP requests by route
// and status, policy runs, stored decisions and payments. One Metrics value
// is made in cmd/chanye and handed to the middleware and wrapped around the
// policy service; nothing registers into a global registry.
package metrics

import (
	"context"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chanye-org/chanye/policy"
)

// Metrics is the set of chanye's collectors and the registry they live in.
type Metrics struct {
	Registry *prometheus.Registry

	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	runs        *prometheus.CounterVec
	runDuration *prometheus.HistogramVec
	decisions   *prometheus.CounterVec
	amount      *prometheus.CounterVec
	// The ledger: each kind of entry on its own counters, so that every
	// counter only grows. Reversals and decreasing adjustments are
	// negative in the ledger; here they count their absolute amounts.
	payments    prometheus.Counter
	paidFen     prometheus.Counter
	adjustments *prometheus.CounterVec
	adjustedFen *prometheus.CounterVec
	reversals   prometheus.Counter
	reversedFen prometheus.Counter
	emails      *prometheus.CounterVec
}

// New returns metrics registered in a fresh registry, with the Go runtime
// and process collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chanye_http_requests_total",
			Help: "HTTP requests served, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chanye_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by method, route pattern and status.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"method", "route", "status"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chanye_policy_runs_total",
			Help: "Policy runs stored (outcome ok), stored with failed decisions (outcome with_errors) or failed (outcome error).",
		}, []string{"outcome"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chanye_policy_run_duration_seconds",
			Help:    "Time from the start of a policy run to its stored end, by outcome.",
			Buckets: []float64{.1, .25, .5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600},
		}, []string{"outcome"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chanye_policy_decisions_stored_total",
			Help: "Eligible decisions stored by policy runs, by policy.",
		}, []string{"policy"}),
		amount: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chanye_policy_decided_fen_total",
			Help: "Amounts of the eligible decisions stored by policy runs, in fen, by policy.",
		}, []string{"policy"}),
		payments: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chanye_payments_total",
			Help: "Payment entries written to the ledger; replays of a payment are not counted.",
		}),
		paidFen: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chanye_payments_fen_total",
			Help: "Amounts of the payment entries written to the ledger, in fen.",
		}),
		adjustments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chanye_adjustments_total",
			Help: "Adjustment entries written to the ledger by a later run, by direction (increase or decrease).",
		}, []string{"direction"}),
		adjustedFen: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chanye_adjustments_fen_total",
			Help: "Absolute amounts of the adjustment entries written to the ledger, in fen, by direction (increase or decrease).",
		}, []string{"direction"}),
		reversals: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chanye_reversals_total",
			Help: "Reversal entries written to the ledger.",
		}),
		reversedFen: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chanye_reversals_fen_total",
			Help: "Amounts reversed, in fen: the absolute value of the reversal entries written to the ledger.",
		}),
		emails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chanye_notification_emails_total",
			Help: "Attempts to e-mail a notification, by outcome (sent or failed); a failed one is retried up to notify.MaxAttempts times.",
		}, []string{"outcome"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.latency, m.runs, m.runDuration, m.decisions, m.amount,
		m.payments, m.paidFen, m.adjustments, m.adjustedFen, m.reversals, m.reversedFen, m.emails,
	)
	return m
}

// ObserveEmail counts one attempt to e-mail a notification: sent when err
// is nil, else failed.
func (m *Metrics) ObserveEmail(err error) {
	outcome := "sent"
	if err != nil {
		outcome = "failed"
	}
	m.emails.WithLabelValues(outcome).Inc()
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// ObserveRequest counts one HTTP request and its duration. route is the
// pattern that served it; the caller keeps its values few.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(method, route, s).Inc()
	m.latency.WithLabelValues(method, route, s).Observe(d.Seconds())
}

// ObserveRun counts a policy run that started at start and ended now; a
// nil err counts its stored decisions too.
func (m *Metrics) ObserveRun(run *policy.Run, start time.Time, err error) {
	outcome := "ok"
	switch {
	case err != nil:
		outcome = "error"
	case run != nil && run.HasErrors():
		outcome = "with_errors" // stored, with failed decisions listed
	}
	m.runs.WithLabelValues(outcome).Inc()
	m.runDuration.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
	if err != nil || run == nil {
		return
	}
	for _, p := range run.Policies {
		m.decisions.WithLabelValues(p.ID).Add(float64(p.Eligible))
		m.amount.WithLabelValues(p.ID).Add(float64(p.AmountFen))
	}
}

// ObserveLedger counts a ledger entry that was just written, on the
// counters of its kind. Call it once per entry written: never for an
// entry a replay returns.
func (m *Metrics) ObserveLedger(e *policy.LedgerEntry) {
	if e == nil {
		return
	}
	abs := float64(e.AmountFen)
	if abs < 0 {
		abs = -abs
	}
	switch e.Kind {
	case policy.LedgerPayment:
		m.payments.Inc()
		m.paidFen.Add(abs) // a payment is never negative; abs keeps the counter safe regardless
	case policy.LedgerAdjustment:
		dir := "increase"
		if e.AmountFen < 0 {
			dir = "decrease"
		}
		m.adjustments.WithLabelValues(dir).Inc()
		m.adjustedFen.WithLabelValues(dir).Add(abs)
	case policy.LedgerReversal:
		m.reversals.Inc()
		m.reversedFen.Add(abs)
	}
}

// Policies returns s with its runs and payments counted.
func (m *Metrics) Policies(s policy.Services) policy.Services {
	s.Runs = &runs{RunService: s.Runs, m: m}
	s.Ledger = &ledger{LedgerService: s.Ledger, m: m}
	return s
}

// runs is a policy.RunService that counts the runs it stores.
type runs struct {
	policy.RunService
	m *Metrics
}

var _ policy.RunService = (*runs)(nil)

func (p *runs) CreateRun(ctx context.Context, run *policy.Run, decisions iter.Seq2[*policy.StoredDecision, error]) error {
	start := run.StartedAt
	if start.IsZero() {
		start = time.Now()
	}
	err := p.RunService.CreateRun(ctx, run, decisions)
	p.m.ObserveRun(run, start, err)
	return err
}

// ledger is a policy.LedgerService that counts the entries it writes.
type ledger struct {
	policy.LedgerService
	m *Metrics
}

var _ policy.LedgerService = (*ledger)(nil)

func (p *ledger) Pay(ctx context.Context, ref policy.DecisionRef, po policy.Payout) (*policy.LedgerEntry, bool, error) {
	e, created, err := p.LedgerService.Pay(ctx, ref, po)
	// Pay is idempotent: paying again returns the entry written before,
	// which was counted then.
	if err == nil && created {
		p.m.ObserveLedger(e)
	}
	return e, created, err
}

func (p *ledger) Reverse(ctx context.Context, ref policy.DecisionRef, reason string) (*policy.LedgerEntry, error) {
	e, err := p.LedgerService.Reverse(ctx, ref, reason)
	if err == nil {
		p.m.ObserveLedger(e)
	}
	return e, err
}
