package uscc

import (
	"encoding/csv"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestVectors(t *testing.T) {
	f, err := os.Open("testdata/vectors.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		code, valid := row[0], row[1] == "true"
		err := Validate(code)
		if got := err == nil; got != valid {
			t.Errorf("Validate(%q) = %v, want valid %v (%s)", code, err, valid, row[2])
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		code string
		pos  int
		msg  string // substring of the message; "" for a valid code
	}{
		{"9144011661842063XT", 0, ""},
		{"91440101MA5ALP4R4C", 0, ""},
		{"9144011661842063XX", 18, "第18位校验码应为 T，实为 X / character 18 (check character) should be T, got X"},
		{"914401166184206", 0, "长度为 15，应为 18 / length is 15, must be 18"},
		{"9144011661842063XT0", 0, "长度为 19，应为 18"},
		{"", 0, "长度为 0"},
		{"9144I11661842063XT", 5, "第5位 'I' 不是合法字符"},
		{"91440116618420630T", 17, "第17位组织机构代码校验码应为 X，实为 0"},
		{"9144011661842063xT", 17, "第17位 'x' 不是合法字符"},
		{"9144011661842063ＸT", 17, "第17位 'Ｘ' 不是合法字符"}, // 18 runes, 20 bytes
		{"0144011661842063XT", 1, "第1位登记管理部门代码 '0' 无效"},
		{"B144011661842063XT", 1, "character 1 (registration authority)"},
		{"914A011661842063XT", 4, "第4位应为数字（行政区划码），实为 'A'"},
		{"91440101MA5ALP4R5C", 17, "第17位组织机构代码校验码应为 4，实为 5"},
		{"91440101MA5C7K9L2X", 17, "character 17 (organisation code check) should be 9, got 2"},
	}
	for _, tt := range tests {
		err := Validate(tt.code)
		if tt.msg == "" {
			if err != nil {
				t.Errorf("Validate(%q) = %v, want nil", tt.code, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Validate(%q) = %v, want *Error", tt.code, err)
			continue
		}
		if e.Pos != tt.pos {
			t.Errorf("Validate(%q).Pos = %d, want %d", tt.code, e.Pos, tt.pos)
		}
		if !strings.Contains(e.Error(), tt.msg) {
			t.Errorf("Validate(%q) = %q, want it to contain %q", tt.code, e.Error(), tt.msg)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{" 9144011661842063xt\t", "9144011661842063XT"},
		{"\u3000９１４４０１１６６１８４２０６３ＸＴ\u3000", "9144011661842063XT"},
		{"91440101ma5alp4r4c", "91440101MA5ALP4R4C"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestComplete(t *testing.T) {
	tests := []struct {
		first17, want string
		ok            bool
	}{
		{"9144011661842063X", "9144011661842063XT", true},
		{"91310110666007217", "91310110666007217T", true},
		{"91440101MA5ALP4R4", "91440101MA5ALP4R4C", true},
		{"91440101MA5ALP4R5", "", false}, // wrong organisation check
		{"9144011661842063", "", false},
		{"9144011661842063O", "", false},
	}
	for _, tt := range tests {
		got, err := Complete(tt.first17)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("Complete(%q) = %q, %v; want %q, ok %v", tt.first17, got, err, tt.want, tt.ok)
		}
	}
}

func TestOrgCheckChar(t *testing.T) {
	tests := []struct {
		first8 string
		want   byte
		ok     bool
	}{
		{"61842063", 'X', true},
		{"MA5ALP4R", '4', true},
		{"66600721", '7', true},
		{"59169385", '6', true},
		{"00000000", '0', true}, // 11 - 0 = 11 -> '0'
		{"6184206", 0, false},
		{"6184206-", 0, false},
	}
	for _, tt := range tests {
		got, err := OrgCheckChar(tt.first8)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("OrgCheckChar(%q) = %q, %v; want %q, ok %v", tt.first8, got, err, tt.want, tt.ok)
		}
	}
}

func TestValidateDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = Validate("91440101MA5ALP4R4C") }); n != 0 {
		t.Errorf("Validate allocated %v times, want 0", n)
	}
}

func BenchmarkValidate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate("91440101MA5ALP4R4C"); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{"9144011661842063XT", "91440101MA5ALP4R4C", "91440101MA5C7K9L2X", "", "ＡＢ", "9144I11661842063XT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if Normalize(n) != n {
			t.Errorf("Normalize not idempotent on %q", s)
		}
		err := Validate(s)
		if err == nil {
			if got, cerr := Complete(s[:17]); got != s || cerr != nil {
				t.Errorf("Complete(%q) = %q, %v; want %q", s[:17], got, cerr, s)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Pos < 0 || e.Pos > Length {
			t.Errorf("Validate(%q) = %#v, want *Error with Pos in 0..18", s, err)
		}
	})
}
