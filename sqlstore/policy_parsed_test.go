package sqlstore

import (
	"reflect"
	"testing"

	"github.com/chanye-org/chanye/policy"
)

// TestParsePolicyRemembers: a source parsed before gives what parsing it
// gives, as a copy of its own whose version and status are the caller's.
func TestParsePolicyRemembers(t *testing.T) {
	src := string(policy.ShippedSources(true)[0])
	want, err := policy.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := parsePolicy(src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := parsePolicy(src)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || !reflect.DeepEqual(a, want) || !reflect.DeepEqual(b, want) {
		t.Fatalf("parsePolicy gives %p and %p, want two copies equal to Parse", a, b)
	}
	a.Version, a.Status = 7, policy.StatusRetired
	if b.Version == 7 || b.Status == policy.StatusRetired {
		t.Errorf("setting one copy's version changed the other's: %d %s", b.Version, b.Status)
	}
	if _, err := parsePolicy("id: [unclosed"); err == nil {
		t.Error("a bad source parses")
	}
}
