package dataio_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/chanye-org/chanye/uscc"
	"github.com/xuri/excelize/v2"
)

// TestWritePayments: the payment file of a run's policy lists what the
// ledger paid with its batch, voucher and day, then what is approved and
// still owed, amounts exact in yuan; CSV cells are neutralised, XLSX holds
// the same rows as text.
func TestWritePayments(t *testing.T) {
	db, store := sqlstoretest.NewWithDB(t)
	now := time.Date(2025, 6, 16, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	as := func(name string) context.Context {
		return chanye.WithActor(context.Background(), &chanye.Actor{Name: name, Role: chanye.RoleAdmin})
	}
	src, err := os.ReadFile("../policy/policies/example-equipment-upgrade.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v, err := store.CreatePolicyVersion(as("editor"), src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishPolicyVersion(as("editor"), v.PolicyID, v.Version); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for i := 0; len(codes) < 3; i++ {
		if c, err := uscc.Complete(fmt.Sprintf("91440101MA%07d", i)); err == nil {
			codes = append(codes, c)
		}
	}
	names := []string{"广州甲有限公司", `=HYPERLINK("http://evil.example","x")`, "广州丙有限公司"}
	amounts := []chanye.Fen{3_450_994_35, 1_207_847_90, 1}
	var ds []*policy.StoredDecision
	for i, c := range codes {
		ds = append(ds, &policy.StoredDecision{PolicyID: v.PolicyID, Version: v.Version, Code: c, Name: names[i], District: "440106",
			Industries: []string{}, Size: "small", Period: 2025, Eligible: true, AmountFen: amounts[i], Params: []byte(`{}`), Conditions: []byte(`[]`)})
	}
	run := &policy.Run{AsOf: chanye.DateOf(now), Snapshot: "s", Enterprises: 3, Policies: []policy.RunPolicy{{ID: v.PolicyID, Version: v.Version}}}
	if err := store.CreateRun(as("runner"), run, func(yield func(*policy.StoredDecision, error) bool) {
		for _, d := range ds {
			if !yield(d, nil) {
				return
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Publicise(as("clerk"), run.ID, v.PolicyID, 1); err != nil {
		t.Fatal(err)
	}
	now = now.AddDate(0, 0, 5)
	var refs []policy.DecisionRef
	for _, c := range codes {
		refs = append(refs, policy.DecisionRef{RunID: run.ID, PolicyID: v.PolicyID, Code: c})
	}
	if err := store.Approve(as("director"), refs); err != nil {
		t.Fatal(err)
	}
	paidOn := chanye.DateOf(now)
	if _, _, err := store.Pay(as("treasury"), refs[0], policy.Payout{PaidOn: paidOn, Voucher: "记-0621", Batch: "+GK0621"}); err != nil {
		t.Fatal(err)
	}
	srcs := dataio.PaymentSources{Versions: store, Runs: store, Ledger: store}

	var buf bytes.Buffer
	n, err := dataio.WritePayments(context.Background(), srcs, run.ID, v.PolicyID, &buf, dataio.CSV)
	if err != nil || n != 3 {
		t.Fatalf("CSV: %d rows, %v", n, err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	entitlement := func(i int) string { return v.PolicyID + "/2025/" + codes[i] }
	want := [][]string{
		dataio.PaymentColumns,
		{entitlement(0), codes[0], names[0], "3450994.35", v.Policy.TitleZH, v.Policy.Document, "'+GK0621", "记-0621", paidOn.String(), "paid"},
		{entitlement(1), codes[1], `'=HYPERLINK("http://evil.example","x")`, "1207847.90", v.Policy.TitleZH, v.Policy.Document, "", "", "", "approved"},
		{entitlement(2), codes[2], names[2], "0.01", v.Policy.TitleZH, v.Policy.Document, "", "", "", "approved"},
	}
	if len(rows) != len(want) {
		t.Fatalf("CSV rows:\n%q\nwant\n%q", rows, want)
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("CSV row %d:\n got %q\nwant %q", i, rows[i], want[i])
		}
	}

	buf.Reset()
	if n, err := dataio.WritePayments(context.Background(), srcs, run.ID, v.PolicyID, &buf, dataio.XLSX); err != nil || n != 3 {
		t.Fatalf("XLSX: %d rows, %v", n, err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if len(xrows) != 4 || xrows[1][6] != "+GK0621" || xrows[2][2] != names[1] || xrows[2][3] != "1207847.90" {
		t.Errorf("XLSX rows %q", xrows)
	}

	if _, err := dataio.WritePayments(context.Background(), srcs, run.ID, "no-such-policy", &buf, dataio.CSV); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("a policy the run did not decide: %v, want ENOTFOUND", err)
	}
}
