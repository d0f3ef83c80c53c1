package match_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/uscc"
)

// code returns the n-th valid credit code of a test.
func code(t testing.TB, n int) string {
	t.Helper()
	body := fmt.Sprintf("MA%06d", n)
	oc, err := uscc.OrgCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	c, err := uscc.Complete("91440101" + body + string(oc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fields returns the sorted field names of a validation error.
func fields(err error) []string {
	var out []string
	for k := range chanye.ErrorFields(err) {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestSupplyValidate(t *testing.T) {
	good := func() *match.Supply {
		return &match.Supply{Code: " " + strings.ToLower(code(t, 1)), Products: " 伺服电机、电机控制器 ", LinkID: "icv-nev.e-drive",
			Classes: []string{"3812"}, Capacity: "年产 50 万台", DistrictCode: "440112", Certifications: []string{"IATF 16949", "ISO 9001"}}
	}
	for _, tc := range []struct {
		name string
		edit func(*match.Supply)
		want []string
	}{
		{"good", func(*match.Supply) {}, nil},
		{"no district, no certifications", func(s *match.Supply) { s.DistrictCode, s.Certifications = "", nil }, nil},
		{"bad code", func(s *match.Supply) { s.Code = "91440101MA5CXXXX0" }, []string{"code"}},
		{"no products", func(s *match.Supply) { s.Products = "  " }, []string{"products"}},
		{"products of 2000", func(s *match.Supply) { s.Products = strings.Repeat("电", match.MaxTextRunes) }, nil},
		{"products of 2001", func(s *match.Supply) { s.Products = strings.Repeat("电", match.MaxTextRunes+1) }, []string{"products"}},
		{"no link", func(s *match.Supply) { s.LinkID = "" }, []string{"link_id"}},
		{"bad link", func(s *match.Supply) { s.LinkID = "E-Drive" }, []string{"link_id"}},
		{"no class", func(s *match.Supply) { s.Classes = nil }, []string{"classes"}},
		{"bad class", func(s *match.Supply) { s.Classes = []string{"38120"} }, []string{"classes"}},
		{"no such division", func(s *match.Supply) { s.Classes = []string{"0012"} }, []string{"classes"}},
		{"class twice", func(s *match.Supply) { s.Classes = []string{"3812", " 3812"} }, []string{"classes"}},
		{"too many classes", func(s *match.Supply) { s.Classes = slices.Repeat([]string{"3812"}, match.MaxClasses+1) }, []string{"classes"}},
		{"capacity too long", func(s *match.Supply) { s.Capacity = strings.Repeat("件", match.MaxAmountRunes+1) }, []string{"capacity"}},
		{"bad district", func(s *match.Supply) { s.DistrictCode = "44011" }, []string{"district_code"}},
		{"empty certification", func(s *match.Supply) { s.Certifications = []string{" "} }, []string{"certifications"}},
		{"certification twice", func(s *match.Supply) { s.Certifications = []string{"ISO 9001", "ISO 9001 "} }, []string{"certifications"}},
		{"bad status", func(s *match.Supply) { s.Status = "sold" }, []string{"status"}},
		{"many faults", func(s *match.Supply) { s.Code, s.Products, s.LinkID = "", "", "" }, []string{"code", "link_id", "products"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := good()
			tc.edit(s)
			err := s.Validate()
			if got := fields(err); !slices.Equal(got, tc.want) {
				t.Fatalf("fields %q, want %q (%v)", got, tc.want, err)
			}
			if err != nil {
				if chanye.ErrorCode(err) != chanye.EINVALID {
					t.Errorf("code %s", chanye.ErrorCode(err))
				}
				for k, msg := range chanye.ErrorFields(err) {
					if zh, en := chanye.SplitBilingual(msg); zh == "" || en == "" || zh == en {
						t.Errorf("%s: %q is not 中文 / English", k, msg)
					}
				}
				return
			}
			if tc.name == "good" && (s.Code != code(t, 1) || s.Products != "伺服电机、电机控制器" || s.Status != match.Open) {
				t.Errorf("not normalised: %q %q %q", s.Code, s.Products, s.Status)
			}
		})
	}
}

func TestDemandValidate(t *testing.T) {
	good := func() *match.Demand {
		return &match.Demand{Code: code(t, 2), Needs: "采购伺服电机", Quantity: "每月 2000 台", Status: match.Closed}
	}
	for _, tc := range []struct {
		name string
		edit func(*match.Demand)
		want []string
	}{
		{"good without link or classes", func(*match.Demand) {}, nil},
		{"with link and classes", func(d *match.Demand) { d.LinkID, d.Classes = "icv-nev.vehicle", []string{"3612", "3670"} }, nil},
		{"bad code", func(d *match.Demand) { d.Code = "not a code" }, []string{"code"}},
		{"no needs", func(d *match.Demand) { d.Needs = "" }, []string{"needs"}},
		{"needs too long", func(d *match.Demand) { d.Needs = strings.Repeat("需", match.MaxTextRunes+1) }, []string{"needs"}},
		{"bad link", func(d *match.Demand) { d.LinkID = "vehicle" }, []string{"link_id"}},
		{"bad class", func(d *match.Demand) { d.Classes = []string{"36"} }, []string{"classes"}},
		{"quantity too long", func(d *match.Demand) { d.Quantity = strings.Repeat("台", match.MaxAmountRunes+1) }, []string{"quantity"}},
		{"bad district", func(d *match.Demand) { d.DistrictCode = "天河区" }, []string{"district_code"}},
		{"bad status", func(d *match.Demand) { d.Status = "done" }, []string{"status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := good()
			tc.edit(d)
			if got := fields(d.Validate()); !slices.Equal(got, tc.want) {
				t.Fatalf("fields %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStatusNames(t *testing.T) {
	for _, x := range match.Statuses {
		if !x.Status.Valid() || x.Status.NameZH() != x.NameZH || x.Status.NameEN() != x.NameEN {
			t.Errorf("%s", x.Status)
		}
	}
	for _, x := range match.MatchStatuses {
		if !x.Status.Valid() || x.Status.NameZH() != x.NameZH || x.Status.NameEN() != x.NameEN {
			t.Errorf("%s", x.Status)
		}
	}
	for _, x := range match.Sides {
		if !x.Side.Valid() || x.Side.NameZH() != x.NameZH || x.Side.NameEN() != x.NameEN {
			t.Errorf("%s", x.Side)
		}
	}
	if match.Status("x").Valid() || match.MatchStatus("x").Valid() || match.Side("x").Valid() || match.MeetingOutcome("x").Valid() {
		t.Error("an unknown value is valid")
	}
}
