package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/space"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestSweepExpiresHolds: serve's hourly sweep ends the holds past their
// day and tells the holders of those ending soon, and logs it.
func TestSweepExpiresHolds(t *testing.T) {
	db, store := sqlstoretest.NewWithDB(t)
	now := testclock.Now()
	db.Now = func() time.Time { return now }
	ctx := chanye.WithActor(t.Context(), chanye.Operator)
	code := "91440101MA5ALP4R4C"
	founded, _ := chanye.ParseDate("2015-06-01")
	if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: code, Name: "企业", DistrictCode: "440106", IndustryClass: "3612", Founded: founded}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateProject(ctx, &project.Project{ID: "GZ-S1", Name: "预留项目", OwnerCode: code, IndustryID: "icv-nev", DistrictCode: "440106",
		Kind: project.KindIndustrial, TotalInvestmentFen: 100_000_000_00, PlannedStart: chanye.DateOf(now.AddDate(0, 2, 0)),
		PlannedCompletion: chanye.DateOf(now.AddDate(2, 0, 0)), Stage: project.StageSigned}); err != nil {
		t.Fatal(err)
	}
	b := &space.Block{Code: "TH-01", Name: "天河", DistrictCode: "440106", AreaM2: 1_000_000, Industries: []string{"icv-nev"}}
	if err := store.CreateBlock(ctx, b); err != nil {
		t.Fatal(err)
	}
	var holds []*space.Hold
	for i, days := range []int{1, 20} {
		u := &space.Unit{BlockID: b.ID, Kind: space.Plant, Code: "CF-0" + string(rune('1'+i)), AreaM2: 800}
		if err := store.CreateUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
		h := &space.Hold{UnitID: u.ID, ForKind: space.ForProject, ForID: "GZ-S1", Until: chanye.DateOf(now.AddDate(0, 0, days))}
		if err := store.HoldUnit(ctx, h); err != nil {
			t.Fatal(err)
		}
		holds = append(holds, h)
	}
	now = now.AddDate(0, 0, 14) // the first hold is past, the second ends within a week
	logs := make(chan string, 16)
	log := slog.New(&chanHandler{msgs: logs})
	sweepCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); sweepEvery(sweepCtx, store, log, time.Hour) }()
	for msg := range logs {
		if strings.HasPrefix(msg, "space") {
			if msg != "space holds swept expired=1 warned=1 leases_ended=0" {
				t.Errorf("logged %q", msg)
			}
			break
		}
	}
	stop()
	<-done
	if h, _ := store.FindHoldByID(ctx, holds[0].ID); h.Status != space.HoldExpired {
		t.Errorf("the hold past its day: %s", h.Status)
	}
	tf := chanye.WithActor(ctx, &chanye.Actor{Name: "tf", UserID: 99, Role: chanye.RoleTaskForce, IndustryID: "icv-nev"})
	ns, _, _, err := store.FindNotifications(tf, notify.Filter{Limit: 10})
	if err != nil || len(ns) != 1 || ns[0].Kind != notify.Space {
		t.Errorf("the task force's inbox: %+v %v", ns, err)
	}
}

// chanHandler sends each record's message and attributes to a channel.
type chanHandler struct{ msgs chan string }

func (h *chanHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *chanHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *chanHandler) WithGroup(string) slog.Handler            { return h }
func (h *chanHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	})
	select {
	case h.msgs <- b.String():
	default:
	}
	return nil
}
