package policy

import "testing"

func TestShippedCasesPass(t *testing.T) {
	ps := Shipped()
	if len(ps) < 6 {
		t.Fatalf("got %d shipped policies, want at least 6", len(ps))
	}
	official := 0
	for _, p := range ps {
		if p.Official {
			official++
		}
		if len(p.Cases) < 3 {
			t.Errorf("%s: %d cases, want at least 3", p.ID, len(p.Cases))
		}
		if err := CanPublish(p); err != nil {
			t.Errorf("%s: %v", p.ID, err)
		}
	}
	if official != 3 {
		t.Errorf("got %d official policies, want the 2 clauses of 穗府办规〔2025〕13号 and the technical retrofit of 穗府办规〔2024〕12号", official)
	}
}
