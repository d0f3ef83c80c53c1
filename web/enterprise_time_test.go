package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestEnterprisePoliciesAsOf: a little giant paid ¥1,000,000 by a run as of
// 2026-06-30 whose recognition ended in September is not granted on today's
// data. The page shows the stored decision with its run's day and the
// explanation as of that day, says which day the live explanation is of,
// and explains as of any day asked (issue 9, point 6: it said "目前没有符合条件
// 的政策" beside stored ¥1,000,000 decisions).
func TestEnterprisePoliciesAsOf(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	db, store := sqlstoretest.NewWithDB(t)
	db.Now = policyToday // 2026-11-16
	const code = "91440106MA5B1K2X9F"
	if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: code, Name: "广州示例精密有限公司", DistrictCode: "440112",
		IndustryClass: "3562", Founded: day(t, "2012-03-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.PutTier(ctx, code, chanye.Tier{Kind: chanye.TierLittleGiant, Level: chanye.LevelNational,
		From: day(t, "2025-07-15"), To: day(t, "2026-09-30"), Source: "工信部"}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Now: policyToday, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	if _, err := eng.EnsureShipped(ctx, true); err != nil {
		t.Fatal(err)
	}
	run, err := eng.Run(ctx, day(t, "2026-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Config{Now: policyToday, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Engine: eng, Version: "v-test"})
	if err != nil {
		t.Fatal(err)
	}
	f := &policyFixture{h: asOperator(h), store: store, run: run}
	for _, tc := range []struct {
		name, path  string
		status      int
		want, avoid []string
	}{
		{"today", "/enterprises/" + code + "/policies", 200, []string{
			`class="nowrap run-asof">2026-06-30</td>`, "按 2026-06-30 的解释", "1,000,000.00", "现为专精特新“小巨人”企业",
			"2025 年认定、2026 年兑现", "本批认定年度 2025 年", `">2025</td>`, // the cohort's year keys the entitlement
			"按 2026-11-16 的数据解释", "（今天）", "按 2026-11-16 的数据，没有符合条件的政策。", "以其为准", `href="/enterprises/` + code + `/policies?as_of=2026-06-30"`,
		}, []string{"目前没有符合条件的政策", `id="granted"`}},
		{"as of the run's day", "/enterprises/" + code + "/policies?as_of=2026-06-30", 200, []string{
			"按 2026-06-30 的数据解释", `id="granted"`, `data-policy="gz-little-giant-reward"`,
		}, []string{"（今天）", "没有符合条件的政策。"}},
		{"english", "/enterprises/" + code + "/policies?lang=en", 200, []string{
			"Why, as of 2026-06-30", "Explained as of 2026-11-16", "No policy is granted on the data as of 2026-11-16.", "Policy year",
		}, nil},
		{"bad day", "/enterprises/" + code + "/policies?as_of=2026-13-01", 400, []string{"基准日有误"}, nil},
		{"day out of bounds", "/enterprises/" + code + "/policies?as_of=1999-12-31", 400, []string{"as_of"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := f.do(t, "GET", tc.path, nil)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%.3000s", res.StatusCode, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tc.avoid {
				if strings.Contains(body, w) {
					t.Errorf("page has %q", w)
				}
			}
			checkPage(t, body)
		})
	}
}

func day(t *testing.T, s string) chanye.Date {
	t.Helper()
	d, err := chanye.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestValueTextDates: a recognition day rules read as YYYYMMDD shows as a
// date, and the cohort's year with its label.
func TestValueTextDates(t *testing.T) {
	l := Lang("zh")
	for _, tc := range []struct {
		name  string
		value int64
		want  string
	}{
		{"e.tier.little_giant.first_date", 20250715, "专精特新“小巨人”首次认定日期（YYYYMMDD） = 2025-07-15"},
		{"e.tier.little_giant.date", 0, "专精特新“小巨人”最近认定日期（YYYYMMDD） = —"},
		{"p.cohort_year", 2025, "本批认定年度 = 2025"},
		{"p.cohort_year", 0, "基准日所在年度没有兑现批次"},
	} {
		if got := valueText(l, policy.Value{Name: tc.name, Value: tc.value}); got != tc.want {
			t.Errorf("valueText(%s = %d) = %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
}
