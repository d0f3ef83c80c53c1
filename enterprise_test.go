package chanye

import (
	"strings"
	"testing"
	"time"
)

func TestParseYuan(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Fen
		err  bool
	}{
		{"0", 0, false},
		{"1234.5", 123450, false},
		{"1,234.56", 123456, false},
		{"-0.01", -1, false},
		{" 15735.28 ", 1573528, false},
		{"1.234", 0, true},
		{"1e5", 0, true},
		{"", 0, true},
		{"12.", 0, true},
		{"abc", 0, true},
	} {
		got, err := ParseYuan(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err == nil {
			back, _ := ParseYuan(got.Yuan())
			if back != got {
				t.Errorf("round trip of %q through %q gave %d", tc.in, got.Yuan(), back)
			}
		}
	}
}

func TestParseTierKind(t *testing.T) {
	for in, want := range map[string]TierKind{
		"little_giant": TierLittleGiant, "小巨人": TierLittleGiant, "专精特新“小巨人”": TierLittleGiant,
		"高新技术企业": TierHighTech, "高新技术": TierHighTech, "单项冠军": TierSingleChampion,
		"规上": TierAboveScale, "链主": TierChainLeader, "瞪羚企业": TierGazelle,
	} {
		got, err := ParseTierKind(in)
		if err != nil || got != want {
			t.Errorf("ParseTierKind(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseTierKind("大企业"); err == nil {
		t.Error("ParseTierKind(大企业): got no error, want unknown tier")
	}
}

func day(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestTierActiveOn(t *testing.T) {
	open := Tier{Kind: TierHighTech, From: day("2023-01-01")}
	closed := Tier{Kind: TierHighTech, From: day("2020-01-01"), To: day("2022-12-31")}
	for _, tc := range []struct {
		t    Tier
		on   string
		want bool
	}{
		{open, "2022-12-31", false}, {open, "2023-01-01", true}, {open, "2030-01-01", true},
		{closed, "2022-12-31", true}, {closed, "2023-01-01", false},
	} {
		if got := tc.t.ActiveOn(day(tc.on)); got != tc.want {
			t.Errorf("%v..%v on %s: got %v, want %v", tc.t.From, tc.t.To, tc.on, got, tc.want)
		}
	}
	if err := (Tier{Kind: TierHighTech, From: day("2023-01-01"), To: day("2022-01-01")}).Validate(); ErrorFields(err)["to"] == "" {
		t.Errorf("got %v, want an error on to before from", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestMergeFacts(t *testing.T) {
	tax := &Facts{Year: 2024, Revenue: ptr(Fen(100)), TaxPaid: ptr(Fen(7)), Source: "税务", AsOf: day("2025-05-31")}
	stat := &Facts{Year: 2024, Revenue: ptr(Fen(120)), Employees: ptr(int64(30)), Source: "统计年报", AsOf: day("2025-03-31")}
	got := MergeFacts([]*Facts{stat, tax})
	if *got.Revenue != 100 || *got.TaxPaid != 7 || *got.Employees != 30 {
		t.Errorf("got revenue %d tax %d employees %d, want 100 (latest report), 7, 30", *got.Revenue, *got.TaxPaid, *got.Employees)
	}
	if got.Source != "税务" || got.AsOf != day("2025-05-31") {
		t.Errorf("got source %q as of %v, want the latest report", got.Source, got.AsOf)
	}
	*got.Revenue = 1
	if *tax.Revenue != 100 {
		t.Error("MergeFacts must copy values, not alias the reports")
	}
}

func TestFactsValidate(t *testing.T) {
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	f := &Facts{Year: 2025, Revenue: ptr(Fen(-1)), Employees: ptr(int64(3)), RDStaff: ptr(int64(4)), AsOf: day("2027-01-01")}
	fields := ErrorFields(f.Validate(now))
	for _, k := range []string{"revenue_fen", "rd_staff", "source", "as_of"} {
		if fields[k] == "" {
			t.Errorf("got fields %v, want one for %s", fields, k)
		}
	}
	if err := (&Facts{Year: 2025, Source: "s", AsOf: day("2026-01-01")}).Validate(now); ErrorFields(err)["facts"] == "" {
		t.Errorf("empty facts: got %v, want an error", err)
	}
}

func testCatalog() *Catalog {
	return &Catalog{
		City:      Label{NameZH: "广州市", NameEN: "Guangzhou"},
		Districts: []District{{Code: "440106", NameZH: "天河区"}},
		Industries: []*Industry{
			{ID: "icv-nev", Kind: KindCluster, NameZH: "智能网联与新能源汽车", Classes: []string{"3612"}},
			{ID: "ai", Kind: KindCluster, NameZH: "人工智能", Classes: []string{"3612", "6513"}},
		},
	}
}

func TestEnterpriseValidate(t *testing.T) {
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	c := testCatalog()
	good := Enterprise{Code: " 91440101ma5alp4r4c ", Name: " 广州某某汽车有限公司 ", DistrictCode: "440106", IndustryClass: "3612", Founded: day("2015-03-02")}
	if err := good.Validate(c, now); err != nil {
		t.Fatalf("got %v, want valid", err)
	}
	if good.Code != "91440101MA5ALP4R4C" || good.Name != "广州某某汽车有限公司" {
		t.Errorf("got code %q name %q, want them normalised", good.Code, good.Name)
	}
	good.DeriveIndustries(c)
	if strings.Join(good.Industries, ",") != "icv-nev,ai" {
		t.Errorf("got industries %v, want [icv-nev ai]", good.Industries)
	}
	bad := Enterprise{Code: "91440101MA5ALP4R4X", DistrictCode: "440301", IndustryClass: "99", Founded: day("2027-01-01"),
		Industries: []string{"nope"}, Tiers: []Tier{{Kind: "vip"}}}
	fields := ErrorFields(bad.Validate(c, now))
	for _, k := range []string{"code", "name", "district_code", "industry_class", "founded", "industries[0]", "tiers[0].kind", "tiers[0].from"} {
		if fields[k] == "" {
			t.Errorf("got fields %v, want one for %s", fields, k)
		}
	}
	if !strings.Contains(fields["code"], "18") {
		t.Errorf("code error %q should name position 18", fields["code"])
	}
}

func TestEnterpriseUpdateApply(t *testing.T) {
	c := testCatalog()
	e := &Enterprise{IndustryClass: "3612"}
	e.DeriveIndustries(c)
	EnterpriseUpdate{Industries: &[]string{"ai"}}.Apply(e, c)
	if !e.IndustriesOverride || strings.Join(e.Industries, ",") != "ai" {
		t.Errorf("got %v override %v, want [ai] overridden", e.Industries, e.IndustriesOverride)
	}
	EnterpriseUpdate{IndustryClass: ptr("6513")}.Apply(e, c)
	if strings.Join(e.Industries, ",") != "ai" {
		t.Errorf("override must survive a class change, got %v", e.Industries)
	}
	EnterpriseUpdate{ResetIndustries: true}.Apply(e, c)
	if e.IndustriesOverride || strings.Join(e.Industries, ",") != "ai" {
		t.Errorf("after reset got %v override %v, want derived [ai] from 6513", e.Industries, e.IndustriesOverride)
	}
}

func TestCatalogValidate(t *testing.T) {
	c := testCatalog()
	c.OverallRequirement = Label{NameZH: "产业第一、制造业立市"}
	c.Declared = Declared{Clusters: 1}
	c.Industries = append(c.Industries, &Industry{ID: "ai", Kind: "other", Group: "x", Classes: []string{"12"}})
	fields := ErrorFields(c.Validate())
	for _, k := range []string{"industries[2].id", "industries[2].kind", "industries[2].group", "industries[2].name_zh", "industries[2].classes[0]", "declared.cluster"} {
		if fields[k] == "" {
			t.Errorf("got fields %v, want one for %s", fields, k)
		}
	}
}

func TestParseTierLevel(t *testing.T) {
	for in, want := range map[string]TierLevel{
		"national": LevelNational, "National": LevelNational, "国家级": LevelNational, "国家": LevelNational,
		"省级": LevelProvincial, "省": LevelProvincial, "provincial": LevelProvincial,
		"市级": LevelMunicipal, " 市 ": LevelMunicipal, "": "",
	} {
		got, err := ParseTierLevel(in)
		if err != nil || got != want {
			t.Errorf("ParseTierLevel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"区级", "county", "国家级级"} {
		if _, err := ParseTierLevel(in); err == nil {
			t.Errorf("ParseTierLevel(%q): no error, want unknown level", in)
		}
	}
	tier := Tier{Kind: TierLittleGiant, Level: "federal", From: day("2025-07-15")}
	if msg := ErrorFields(tier.Validate())["level"]; !strings.Contains(msg, "national") {
		t.Errorf("Validate of level federal: %q, want an error naming the levels", msg)
	}
	tier.Level = LevelNational
	if err := tier.Validate(); err != nil {
		t.Errorf("Validate of a national little giant: %v", err)
	}
	if LevelProvincial.NameZH() != "省级" || LevelMunicipal.NameEN() != "Municipal" || TierLevel("").NameZH() != "" {
		t.Error("level names wrong")
	}
}
