package chain_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/chain"
)

// small is a valid set of one chain of three links, one nested.
func small() *chain.Set {
	return &chain.Set{City: "广州", Sources: []chain.Source{{ID: "s1", Title: "新能源汽车产业发展规划（2021—2035年）", Publisher: "国务院办公厅"}},
		Chains: []*chain.Chain{{IndustryID: "icv-nev", Sources: []string{"s1"},
			Links: []*chain.Link{
				{ID: "icv-nev.battery", Stage: chain.Upstream, NameZH: "动力电池", NameEN: "Traction batteries", Classes: []string{"3841"}, Keywords: []string{"动力电池", "电芯"}},
				{ID: "icv-nev.battery.cathode", Parent: "icv-nev.battery", Stage: chain.Upstream, NameZH: "正极材料", NameEN: "Cathode materials", Keywords: []string{"正极材料"}},
				{ID: "icv-nev.vehicle", Stage: chain.Midstream, NameZH: "整车制造", NameEN: "Vehicle making", Classes: []string{"3612"}, Keywords: []string{"新能源汽车"}},
			},
			Relations: []chain.Relation{{From: "icv-nev.battery", To: "icv-nev.vehicle"}, {From: "icv-nev.battery.cathode", To: "icv-nev.battery"}},
		}}}
}

func TestValidate(t *testing.T) {
	c := catalog.Default()
	if err := small().Validate(c); err != nil {
		t.Fatalf("a valid set: %v %v", err, chanye.ErrorFields(err))
	}
	for name, tc := range map[string]struct {
		change func(s *chain.Set)
		field  string
	}{
		"unknown industry": {func(s *chain.Set) { s.Chains[0].IndustryID = "steel" }, "chains[steel].industry_id"},
		"id outside its industry": {func(s *chain.Set) { s.Chains[0].Links[2].ID = "ai.vehicle" },
			"chains[icv-nev].links[ai.vehicle].id"},
		"bad id":       {func(s *chain.Set) { s.Chains[0].Links[2].ID = "icv-nev.Vehicle" }, "chains[icv-nev].links[icv-nev.Vehicle].id"},
		"three levels": {func(s *chain.Set) { s.Chains[0].Links[1].ID = "icv-nev.battery.cathode.x" }, "chains[icv-nev].links[icv-nev.battery.cathode.x].id"},
		"duplicate id": {func(s *chain.Set) { s.Chains[0].Links[2].ID = "icv-nev.battery" }, "chains[icv-nev].links[icv-nev.battery].id"},
		"bad stage":    {func(s *chain.Set) { s.Chains[0].Links[2].Stage = "middle" }, "chains[icv-nev].links[icv-nev.vehicle].stage"},
		"sub off its stage": {func(s *chain.Set) { s.Chains[0].Links[1].Stage = chain.Midstream },
			"chains[icv-nev].links[icv-nev.battery.cathode].stage"},
		"parent unknown": {func(s *chain.Set) { s.Chains[0].Links[1].Parent = "icv-nev.motor" },
			"chains[icv-nev].links[icv-nev.battery.cathode].parent"},
		"bad class":           {func(s *chain.Set) { s.Chains[0].Links[0].Classes = []string{"99x1"} }, "chains[icv-nev].links[icv-nev.battery].classes"},
		"short keyword":       {func(s *chain.Set) { s.Chains[0].Links[0].Keywords = []string{"电"} }, "chains[icv-nev].links[icv-nev.battery].keywords"},
		"nothing to place":    {func(s *chain.Set) { s.Chains[0].Links[1].Keywords = nil }, "chains[icv-nev].links[icv-nev.battery.cathode].keywords"},
		"long name":           {func(s *chain.Set) { s.Chains[0].Links[0].NameZH = strings.Repeat("电", 31) }, "chains[icv-nev].links[icv-nev.battery].name_zh"},
		"relation to nowhere": {func(s *chain.Set) { s.Chains[0].Relations[0].To = "icv-nev.motor" }, "chains[icv-nev].relations[0].to"},
		"self loop":           {func(s *chain.Set) { s.Chains[0].Relations[0].To = "icv-nev.battery" }, "chains[icv-nev].relations[0]"},
		"duplicate relation": {func(s *chain.Set) { s.Chains[0].Relations[1] = s.Chains[0].Relations[0] },
			"chains[icv-nev].relations[1]"},
		"uncited source": {func(s *chain.Set) { s.Sources = append(s.Sources, chain.Source{ID: "s2", Title: "x"}) }, "sources[s2]"},
		"unknown source": {func(s *chain.Set) { s.Chains[0].Sources = []string{"s9"} }, "chains[icv-nev].sources"},
		"bad url":        {func(s *chain.Set) { s.Sources[0].URL = "ftp://x" }, "sources[s1].url"},
		"chain twice":    {func(s *chain.Set) { s.Chains = append(s.Chains, s.Chains[0]) }, "chains[icv-nev].industry_id"},
		"no city":        {func(s *chain.Set) { s.City = "" }, "city"},
		"too many links": {func(s *chain.Set) {
			for len(s.Chains[0].Links) <= chain.MaxLinks {
				s.Chains[0].Links = append(s.Chains[0].Links, s.Chains[0].Links[2])
			}
		}, "chains[icv-nev].links"},
	} {
		t.Run(name, func(t *testing.T) {
			s := small()
			tc.change(s)
			err := s.Validate(c)
			if chanye.ErrorCode(err) != chanye.EINVALID || chanye.ErrorFields(err)[tc.field] == "" {
				t.Errorf("want EINVALID naming %s, got %v %v", tc.field, err, chanye.ErrorFields(err))
			}
		})
	}
}

func TestParse(t *testing.T) {
	c := catalog.Default()
	data, _ := json.Marshal(small())
	s, err := chain.Parse(data, c)
	if err != nil || s.Chain("icv-nev").Link("icv-nev.vehicle").NameZH != "整车制造" {
		t.Fatalf("Parse = %v, %v", s, err)
	}
	if kids := s.Chain("icv-nev").Children("icv-nev.battery"); len(kids) != 1 || kids[0].ID != "icv-nev.battery.cathode" {
		t.Errorf("children = %v", kids)
	}
	if _, err := chain.Parse([]byte(`{"city": "广州", "chians": []}`), c); chanye.ErrorCode(err) != chanye.EINVALID || !strings.Contains(err.Error(), "chians") {
		t.Errorf("an unknown key: %v", err)
	}
	if _, err := chain.Parse(make([]byte, chain.MaxFileBytes+1), c); chanye.ErrorCode(err) != chanye.ETOOLARGE {
		t.Errorf("a file too large: %v", err)
	}
}

// TestDefault: the embedded Guangzhou chains are valid against the
// catalog, cover the 15 clusters, and reach every stage in each.
func TestDefault(t *testing.T) {
	c := catalog.Default()
	s := chain.Default(c)
	for _, ind := range c.Industries {
		if ind.Kind != chanye.KindCluster {
			continue
		}
		ch := s.Chain(ind.ID)
		if ch == nil {
			t.Errorf("no chain for the cluster %s", ind.ID)
			continue
		}
		stages := map[chain.Stage]bool{}
		for _, l := range ch.Links {
			stages[l.Stage] = true
		}
		if len(stages) != 3 {
			t.Errorf("%s reaches stages %v, want all three", ind.ID, stages)
		}
	}
}
