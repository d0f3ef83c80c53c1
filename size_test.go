package chanye

import "testing"

func TestSizeSector(t *testing.T) {
	tests := []struct{ class, want string }{
		{"0111", "农、林、牧、渔业"},
		{"0610", "工业"},
		{"3612", "工业"},
		{"4610", "工业"},
		{"4710", "建筑业"},
		{"5090", "建筑业"},
		{"5199", "批发业"},
		{"5299", "零售业"},
		{"5311", "其他未列明行业"}, // railways are outside 交通运输业
		{"5431", "交通运输业"},
		{"5910", "交通运输业"},
		{"5920", "仓储业"},
		{"6020", "邮政业"},
		{"6110", "住宿业"},
		{"6210", "餐饮业"},
		{"6311", "信息传输业"},
		{"6429", "信息传输业"},
		{"6513", "软件和信息技术服务业"},
		{"7010", "房地产开发经营"},
		{"7020", "物业管理"},
		{"7030", "其他未列明行业"},
		{"7111", "租赁和商务服务业"},
		{"7212", "租赁和商务服务业"},
		{"8040", "其他未列明行业"},
		{"9700", "其他未列明行业"},
		{"9800", ""},
		{"0011", ""},
		{"651", ""},
		{"65a3", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got := SizeSector(tt.class)
		if got != tt.want {
			t.Errorf("SizeSector(%q) = %q, want %q", tt.class, got, tt.want)
		}
		if got != "" && len(sizeRules[got]) == 0 {
			t.Errorf("SizeSector(%q) = %q has no rules in sizerules.csv", tt.class, got)
		}
	}
}

func TestClassifySize(t *testing.T) {
	const wan = 1_000_000 // fen in 1 万元
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		name             string
		class            string
		emp, rev, assets *int64
		want             SizeClass
	}{
		// Public example: 软件和信息技术服务业, 103人, 营业收入15735.28万元.
		{"software example", "6513", n(103), n(1573528 * 10_000), nil, SizeMedium},
		{"software micro", "6513", n(9), n(20000 * wan), nil, SizeMicro},

		{"industry large at bounds", "3612", n(1000), n(40000 * wan), nil, SizeLarge},
		{"industry one employee short", "3612", n(999), n(40000 * wan), nil, SizeMedium},
		{"industry one fen short", "3612", n(1000), n(40000*wan - 1), nil, SizeMedium},
		{"industry medium at bounds", "3670", n(300), n(2000 * wan), nil, SizeMedium},
		{"industry small at bounds", "3670", n(20), n(300 * wan), nil, SizeSmall},
		{"industry micro by employees", "3670", n(19), n(50000 * wan), nil, SizeMicro},
		{"industry micro by revenue", "3670", n(5000), n(300*wan - 1), nil, SizeMicro},
		{"industry micro with revenue missing", "3670", n(5), nil, nil, SizeMicro},
		{"industry revenue missing", "3670", n(500), nil, nil, ""},
		{"industry nothing known", "3670", nil, nil, nil, ""},

		{"wholesale large", "5199", n(200), n(40000 * wan), nil, SizeLarge},
		{"wholesale medium", "5199", n(199), n(40000 * wan), nil, SizeMedium},
		{"wholesale medium at bounds", "5179", n(20), n(5000 * wan), nil, SizeMedium},
		{"wholesale small at bounds", "5179", n(5), n(1000 * wan), nil, SizeSmall},
		{"wholesale micro", "5179", n(4), n(100000 * wan), nil, SizeMicro},

		{"construction large", "4710", nil, n(80000 * wan), n(80000 * wan), SizeLarge},
		{"construction medium by assets", "4710", nil, n(80000 * wan), n(79999 * wan), SizeMedium},
		{"construction medium at bounds", "4710", n(3), n(6000 * wan), n(5000 * wan), SizeMedium},
		{"construction small", "4790", nil, n(6000 * wan), n(5000*wan - 1), SizeSmall},
		{"construction small at bounds", "4790", nil, n(300 * wan), n(300 * wan), SizeSmall},
		{"construction micro", "4790", nil, n(300*wan - 1), n(10000 * wan), SizeMicro},
		{"construction assets missing", "4790", nil, n(100000 * wan), nil, ""},

		{"real estate large", "7010", nil, n(200000 * wan), n(10000 * wan), SizeLarge},
		{"real estate medium", "7010", nil, n(199999 * wan), n(10000 * wan), SizeMedium},
		{"real estate medium at bounds", "7010", nil, n(1000 * wan), n(5000 * wan), SizeMedium},
		{"real estate small at bounds", "7010", nil, n(100 * wan), n(2000 * wan), SizeSmall},
		{"real estate micro by assets", "7010", nil, n(500000 * wan), n(2000*wan - 1), SizeMicro},

		{"agriculture small", "0111", nil, n(50 * wan), nil, SizeSmall},
		{"other small by employees only", "8040", n(10), nil, nil, SizeSmall},
		{"bad class", "98xx", n(10), n(10), n(10), ""},
	}
	for _, tt := range tests {
		if got := ClassifySize(tt.class, tt.emp, tt.rev, tt.assets); got != tt.want {
			t.Errorf("%s: ClassifySize(%s) = %q, want %q", tt.name, tt.class, got, tt.want)
		}
	}
}

func TestSizeClassNames(t *testing.T) {
	tests := []struct {
		s      SizeClass
		zh, en string
		valid  bool
	}{
		{SizeLarge, "大型", "Large", true},
		{SizeMedium, "中型", "Medium", true},
		{SizeSmall, "小型", "Small", true},
		{SizeMicro, "微型", "Micro", true},
		{"", "未知", "Unknown", false},
		{"huge", "未知", "Unknown", false},
	}
	for _, tt := range tests {
		if got := tt.s.NameZH(); got != tt.zh {
			t.Errorf("%q.NameZH() = %q, want %q", tt.s, got, tt.zh)
		}
		if got := tt.s.NameEN(); got != tt.en {
			t.Errorf("%q.NameEN() = %q, want %q", tt.s, got, tt.en)
		}
		if got := tt.s.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v, want %v", tt.s, got, tt.valid)
		}
	}
}

// TestSizeClassOn: a manufacturer small in fiscal 2024 and medium in 2025 is
// small on every as-of date of 2025 and medium from 2026 on (issue 9, point
// 6); the stored class, from the newest year, is medium throughout.
func TestSizeClassOn(t *testing.T) {
	const wan = 1_000_000
	n := func(v int64) *int64 { return &v }
	e := &Enterprise{IndustryClass: "3670", Facts: []*Facts{
		{Year: 2025, Employees: n(320), Revenue: (*Fen)(n(2500 * wan))},
		{Year: 2024, Employees: n(120), Revenue: (*Fen)(n(900 * wan))},
	}}
	e.DeriveSizeClass()
	if e.SizeClass != SizeMedium {
		t.Fatalf("stored class %q, want medium", e.SizeClass)
	}
	for _, tc := range []struct {
		on   string
		want SizeClass
	}{
		{"2024-06-30", ""}, // no fiscal year had ended with facts
		{"2025-01-01", SizeSmall},
		{"2025-12-31", SizeSmall},
		{"2026-01-01", SizeMedium},
		{"2031-03-15", SizeMedium}, // the newest complete year with facts
	} {
		if got := e.SizeClassOn(day(tc.on)); got != tc.want {
			t.Errorf("SizeClassOn(%s) = %q, want %q", tc.on, got, tc.want)
		}
	}
	// Two reports of one year are merged, the later report winning.
	e.Facts = append(e.Facts, &Facts{Year: 2024, Employees: n(15), AsOf: day("2025-07-01")})
	if got := e.SizeClassOn(day("2025-08-01")); got != SizeMicro {
		t.Errorf("with a later 2024 report of 15 employees: %q, want micro", got)
	}
	// Without facts the class given is kept.
	if got := (&Enterprise{SizeClass: SizeLarge}).SizeClassOn(day("2025-01-01")); got != SizeLarge {
		t.Errorf("no facts: %q, want the class given", got)
	}
}
