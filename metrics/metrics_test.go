package metrics

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// ledgerService answers Pay and Reverse with the entries it is given, as
// the store would: created tells a written entry from a replay.
type ledgerService struct {
	policy.LedgerService
	pay     *policy.LedgerEntry
	created bool
	reverse *policy.LedgerEntry
}

func (l *ledgerService) Pay(context.Context, policy.DecisionRef, policy.Payout) (*policy.LedgerEntry, bool, error) {
	return l.pay, l.created, nil
}

func (l *ledgerService) Reverse(context.Context, policy.DecisionRef, string) (*policy.LedgerEntry, error) {
	return l.reverse, nil
}

// TestLedgerCounters: each kind of ledger entry is counted once, on its own
// counters, with non-negative amounts; a replayed payment is not counted and
// a reversal (a negative entry) no longer panics the request.
func TestLedgerCounters(t *testing.T) {
	ctx := context.Background()
	m := New()
	inner := &ledgerService{}
	s := m.Policies(policy.Services{Ledger: inner}).Ledger
	ref := policy.DecisionRef{RunID: 1, PolicyID: "p", Code: "c"}

	inner.pay, inner.created = &policy.LedgerEntry{Kind: policy.LedgerPayment, AmountFen: 100_00}, true
	if _, _, err := s.Pay(ctx, ref, policy.Payout{}); err != nil {
		t.Fatal(err)
	}
	inner.created = false // the same payment again: a replay
	for range 3 {
		if _, _, err := s.Pay(ctx, ref, policy.Payout{}); err != nil {
			t.Fatal(err)
		}
	}
	inner.pay, inner.created = &policy.LedgerEntry{Kind: policy.LedgerAdjustment, AmountFen: -30_00}, true
	if _, _, err := s.Pay(ctx, ref, policy.Payout{}); err != nil {
		t.Fatal(err)
	}
	inner.pay = &policy.LedgerEntry{Kind: policy.LedgerAdjustment, AmountFen: 5_00}
	if _, _, err := s.Pay(ctx, ref, policy.Payout{}); err != nil {
		t.Fatal(err)
	}
	inner.reverse = &policy.LedgerEntry{Kind: policy.LedgerReversal, AmountFen: chanye.Fen(-75_00)}
	if _, err := s.Reverse(ctx, ref, "错付"); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		got  float64
		want float64
	}{
		{"payments", value(t, m.payments), 1},
		{"payments fen", value(t, m.paidFen), 100_00},
		{"adjustments decrease", value(t, m.adjustments.WithLabelValues("decrease")), 1},
		{"adjustments fen decrease", value(t, m.adjustedFen.WithLabelValues("decrease")), 30_00},
		{"adjustments increase", value(t, m.adjustments.WithLabelValues("increase")), 1},
		{"adjustments fen increase", value(t, m.adjustedFen.WithLabelValues("increase")), 5_00},
		{"reversals", value(t, m.reversals), 1},
		{"reversals fen", value(t, m.reversedFen), 75_00},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if _, err := m.Registry.Gather(); err != nil {
		t.Errorf("gather: %v", err)
	}
}

// value reads a counter's value.
func value(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
