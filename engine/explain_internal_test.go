package engine

import (
	"context"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/policy/vector"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// BenchmarkExplainEnterprise times explaining one enterprise across every
// policy, the database read excluded: the shipped policies and 100
// realistic variants.
func BenchmarkExplainEnterprise(b *testing.B) {
	ctx := context.Background()
	store := sqlstoretest.New(b)
	asOf, _ := chanye.ParseDate("2026-06-30")
	if _, err := demo.Generate(ctx, store, demo.Options{Enterprises: 500, Seed: 1, AsOf: asOf}); err != nil {
		b.Fatal(err)
	}
	var ents []*chanye.Enterprise
	store.ScanCodes(ctx, chanye.EnterpriseFilter{}, func(c string) error {
		e, err := store.FindEnterpriseByCode(ctx, c)
		ents = append(ents, e)
		return err
	})
	var shipped []*policy.Compiled
	for _, p := range policy.Shipped() {
		c, err := policy.Compile(p)
		if err != nil {
			b.Fatal(err)
		}
		shipped = append(shipped, c)
	}
	realistic, err := vector.RealisticPolicies(100, 1)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		pols []*policy.Compiled
	}{{"shipped", shipped}, {"realistic100", realistic}} {
		b.Run(tc.name, func(b *testing.B) {
			i := 0
			start := time.Now()
			for b.Loop() {
				explainAll(ents[i%len(ents)], tc.pols, asOf)
				i++
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(i)/1e6, "ms/enterprise")
		})
	}
}
