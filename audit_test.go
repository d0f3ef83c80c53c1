package chanye

import (
	"strings"
	"testing"
)

func TestAuditHeadText(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	for _, c := range []struct {
		text string
		want AuditHead
	}{
		{"7:" + hash, AuditHead{ID: 7, Hash: hash}},
		{" 2:7:" + hash + "\n", AuditHead{Chain: 2, ID: 7, Hash: hash}},
		{"0:7:" + hash, AuditHead{ID: 7, Hash: hash}},
	} {
		got, err := ParseAuditHead(c.text)
		if err != nil || got != c.want {
			t.Errorf("ParseAuditHead(%q) = %v, %v; want %v", c.text, got, err, c.want)
		}
		if back, err := ParseAuditHead(got.String()); err != nil || back != got {
			t.Errorf("%v does not read back: %v, %v", got, back, err)
		}
	}
	if s := (AuditHead{Chain: 3, ID: 9, Hash: hash}).String(); s != "3:9:"+hash {
		t.Errorf("String = %s", s)
	}
	for _, bad := range []string{"", "7", "0:" + hash, "-1:7:" + hash, "x:7:" + hash, "+1:7:" + hash, "1:2:3:" + hash, "7:" + strings.ToUpper(hash), "7:beef"} {
		if _, err := ParseAuditHead(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseAuditHead(%q): %v, want EINVALID", bad, err)
		}
	}
}

func TestAuditEntryRef(t *testing.T) {
	for _, c := range []struct {
		e    AuditEntry
		want string
	}{
		{AuditEntry{ID: 12}, "12"},
		{AuditEntry{Chain: 4, ID: 12}, "4:12"},
	} {
		if got := c.e.Ref(); got != c.want {
			t.Errorf("Ref of chain %d id %d = %q, want %q", c.e.Chain, c.e.ID, got, c.want)
		}
	}
}
