package policy

import (
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

// TestContact: a policy names where objections go; what it says is checked,
// and a phone or an address is only ever what the file says.
func TestContact(t *testing.T) {
	base := readRD(t)
	withContact := func(block string) string {
		return strings.Replace(base, "\nissuer:", "\ncontact:\n"+block+"issuer:", 1)
	}
	for _, tc := range []struct {
		name, block string
		want        *Contact
		field       string
	}{
		{"unit only", "  unit: 市科技局\n", &Contact{Unit: "市科技局"}, ""},
		{"full", "  unit: 市科技局\n  phone: 020-83124567\n  email: objections@example.gov.cn\n",
			&Contact{Unit: "市科技局", Phone: "020-83124567", Email: "objections@example.gov.cn"}, ""},
		{"mobile and extension", "  unit: 市科技局\n  phone: (020) 8312 4567 转 802\n", &Contact{Unit: "市科技局", Phone: "(020) 8312 4567 转 802"}, ""},
		{"no unit", "  phone: 020-83124567\n", nil, "contact.unit"},
		{"bad phone", "  unit: 市科技局\n  phone: 请致电\n", nil, "contact.phone"},
		{"bad email", "  unit: 市科技局\n  email: 市科技局信箱\n", nil, "contact.email"},
		{"named email", "  unit: 市科技局\n  email: 科技局 <a@example.gov.cn>\n", nil, "contact.email"},
		{"unknown key", "  unit: 市科技局\n  fax: 020-1\n", nil, "contact.fax"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(withContact(tc.block)))
			if tc.field != "" {
				if _, ok := chanye.ErrorFields(err)[tc.field]; !ok {
					t.Fatalf("error %v, fields %v; want one on %s", err, chanye.ErrorFields(err), tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *p.Contact != *tc.want {
				t.Errorf("contact %+v, want %+v", *p.Contact, *tc.want)
			}
		})
	}
	if p := mustParse(t, base); p.Contact != nil {
		t.Errorf("a policy without a contact has %+v", p.Contact)
	}
}

// TestShippedContacts: each shipped policy sends objections to the
// department that administers it, and invents no phone or e-mail.
func TestShippedContacts(t *testing.T) {
	for _, p := range Shipped() {
		if p.Contact == nil || p.Contact.Unit != p.Department {
			t.Errorf("%s: contact %+v, want the unit %s", p.ID, p.Contact, p.Department)
			continue
		}
		if p.Contact.Phone != "" || p.Contact.Email != "" {
			t.Errorf("%s: contact %+v names a phone or e-mail no source gives", p.ID, p.Contact)
		}
	}
}
