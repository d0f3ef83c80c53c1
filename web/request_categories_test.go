package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

// TestCategoriesPage: the administrator routes a category to a department
// of the list and changes its limits; limits the wrong way round are
// refused and kept as typed; a department may not open the page.
func TestCategoriesPage(t *testing.T) {
	f := newFixture(t)
	admin := pagesAs(t, f, &chanye.Actor{Name: "admin", Role: chanye.RoleAdmin})
	_, body := getAs(t, admin, "/admin/request-categories?lang=zh")
	if !strings.Contains(body, `id="cat-permit"`) || !strings.Contains(body, "按企业所属产业的牵头部门") || !strings.Contains(body, `id="cat-new"`) {
		t.Fatalf("the routing table:\n%.2000s", body)
	}
	form := url.Values{"id": {"permit"}, "name_zh": {"审批许可"}, "department": {testDept}, "ack_n": {"8"}, "ack_unit": {"hours"},
		"answer_n": {"2"}, "answer_unit": {"days"}, "close_n": {"5"}, "close_unit": {"days"}, "yellow_per_mille": {"750"}, "confirm_days": {"3"}, "position": {"1"}}
	res, _ := postAs(t, admin, "/admin/request-categories", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saved: %d", res.StatusCode)
	}
	cs, _ := f.store.FindCategories(t.Context())
	if cs[0].ID != "permit" || cs[0].Department != testDept || cs[0].Acknowledge.N != 8 || cs[0].YellowPerMille != 750 {
		t.Errorf("stored: %+v", cs[0])
	}
	form.Set("ack_n", "9")
	form.Set("ack_unit", "days")
	res, body = postAs(t, admin, "/admin/request-categories?lang=zh", form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "答复时限不能短于签收时限") || !strings.Contains(body, `value="9"`) {
		t.Fatalf("limits the wrong way round: %d\n%.1500s", res.StatusCode, body)
	}
	if res, _ := getAs(t, pagesAs(t, f, &chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: testDept}), "/admin/request-categories"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a department opens the table: %d", res.StatusCode)
	}
}
