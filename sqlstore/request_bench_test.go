package sqlstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/request"
)

// BenchmarkRequests100k reads the request queue and the boards (the
// figures by department and by industry) over 100,000 requests on SQLite:
// thirty departments, the test catalog's industries, every status, received
// over ninety days, a fifth of the open ones overdue.
//
//	go test -run '^$' -bench BenchmarkRequests100k -benchtime 20x ./sqlstore/
func BenchmarkRequests100k(b *testing.B) {
	db := openTestDB(b, filepath.Join(b.TempDir(), "chanye.db"))
	s := NewStore(db)
	if _, err := s.EnsureCatalog(context.Background(), testCatalog()); err != nil {
		b.Fatal(err)
	}
	now := today
	db.Now = func() time.Time { return now }
	const n = 100_000
	rng := rand.New(rand.NewPCG(1, 2))
	statuses := []request.Status{request.Submitted, request.Acknowledged, request.Answered, request.Closed, request.Closed}
	industries := []string{"auto", "ict", "quantum", ""}
	cats := []string{"permit", "utilities", "land", "finance", "talent", "policy", "other"}
	ctx := context.Background()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, db.dialect.rebind(`INSERT INTO requests (code, industry_id, category_id, title, description, channel, external_source,
		external_ref, status, department, task_force, escalation, reopened, answer, rating, yellow_per_mille, received_at, clock_start,
		acknowledge_due, answer_due, close_due, acknowledged_at, answered_at, confirm_due, closed_at, closed_by, created_by)
		VALUES (?, ?, ?, '诉求', '详情', 'online', '', '', ?, ?, '', 0, 0, '', ?, 800, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, 'bench')`))
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		st := statuses[rng.IntN(len(statuses))]
		received := now.Add(-time.Duration(rng.IntN(90*24)) * time.Hour)
		if st != request.Closed && rng.IntN(5) > 0 { // most open requests are recent: a fifth overdue
			received = now.Add(-time.Duration(rng.IntN(48)) * time.Hour)
		}
		ack, closed, rating, closedBy := int64(0), int64(0), "", ""
		if st != request.Submitted {
			ack = received.Add(3 * time.Hour).UnixMilli()
		}
		if st == request.Closed {
			closed, rating, closedBy = received.Add(time.Duration(24+rng.IntN(200))*time.Hour).UnixMilli(), []string{"satisfied", "basic", "unsatisfied", ""}[rng.IntN(4)], "confirmed"
		}
		if _, err := stmt.ExecContext(ctx, fmt.Sprintf("91440101%010d", i), industries[rng.IntN(len(industries))], cats[rng.IntN(len(cats))],
			string(st), fmt.Sprintf("部门%02d", rng.IntN(30)), rating, received.UnixMilli(), received.UnixMilli(),
			received.Add(24*time.Hour).UnixMilli(), received.Add(72*time.Hour).UnixMilli(), received.Add(168*time.Hour).UnixMilli(),
			ack, closed, closedBy); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	op := chanye.WithActor(ctx, chanye.Operator)
	dept := "部门07"
	for _, bc := range []struct {
		name string
		run  func() error
	}{
		{"queue/all", func() error { _, _, err := s.FindRequests(op, request.Filter{Open: true}); return err }},
		{"queue/department", func() error { _, _, err := s.FindRequests(op, request.Filter{Department: &dept}); return err }},
		{"queue/overdue", func() error { _, _, err := s.FindRequests(op, request.Filter{Overdue: true}); return err }},
		{"board/department", func() error { _, err := s.FindStats(op, request.StatsFilter{By: request.ByDepartment}); return err }},
		{"board/industry", func() error { _, err := s.FindStats(op, request.StatsFilter{By: request.ByIndustry}); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
