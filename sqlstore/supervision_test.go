package sqlstore

import (
	"maps"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
)

// TestLeadSupervision: a 招商 lead is supervised as a project is — issued
// to the lead's owner, answered, returned, closed, each step an event, a
// notification to whoever acts next and an audit entry — with ids of its
// own; a landed or lost lead takes none; the scope filters read the
// lead's industry, owner and the issuer.
func TestLeadSupervision(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, op := investStore(t, db)
		sups := s.LeadSupervisions()
		ctx := chanye.WithActor(op, &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: "工信局"})
		tg := &invest.Target{IndustryID: "auto", LinkID: "auto.parts.battery", Kind: invest.ListAttract, Name: "某电池公司", Source: "名单"}
		if err := s.CreateTarget(op, tg); err != nil {
			t.Fatal(err)
		}
		district := &invest.Lead{TargetID: tg.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106", NextAction: "约见", NextActionOn: date("2025-06-01")}
		dept := &invest.Lead{TargetID: tg.ID, OwnerKind: invest.OwnerDepartment, OwnerName: "工信局"}
		lost := &invest.Lead{TargetID: tg.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440103"}
		for _, l := range []*invest.Lead{district, dept, lost} {
			if err := s.CreateLead(op, l); err != nil {
				t.Fatalf("lead: %v %v", err, chanye.ErrorFields(err))
			}
		}
		if _, err := s.MoveLead(op, lost.ID, invest.Move{To: invest.StageLost, LostReason: "已落户外地"}); err != nil {
			t.Fatal(err)
		}
		// A project's item shares no ids with a lead's.
		if err := s.CreateProject(op, testProjectN(t, 1)); err != nil {
			t.Fatal(err)
		}
		p, err := s.CreateSupervision(ctx, &project.Supervision{ProjectID: "GZ2025-0001", Addressee: project.ToOwner, Instruction: "开工", DueOn: date("2025-07-01")})
		if err != nil {
			t.Fatal(err)
		}

		for name, tc := range map[string]struct {
			x    *project.Supervision
			code string
			key  string
		}{
			"no lead":        {&project.Supervision{Instruction: "跟进", DueOn: date("2025-07-01")}, chanye.EINVALID, "lead_id"},
			"unknown lead":   {&project.Supervision{LeadID: 999, Instruction: "跟进", DueOn: date("2025-07-01")}, chanye.ENOTFOUND, ""},
			"lost lead":      {&project.Supervision{LeadID: lost.ID, Instruction: "跟进", DueOn: date("2025-07-01")}, chanye.ECONFLICT, ""},
			"to a project's": {&project.Supervision{LeadID: district.ID, Addressee: project.ToOwner, Instruction: "跟进", DueOn: date("2025-07-01")}, chanye.EINVALID, "addressee"},
			"no instruction": {&project.Supervision{LeadID: district.ID, DueOn: date("2025-07-01")}, chanye.EINVALID, "instruction"},
			"past due":       {&project.Supervision{LeadID: district.ID, Instruction: "跟进", DueOn: date("2025-06-14")}, chanye.EINVALID, "due_on"},
		} {
			_, err := sups.CreateSupervision(ctx, tc.x)
			wantCode(t, err, tc.code)
			if tc.key != "" && chanye.ErrorFields(err)[tc.key] == "" {
				t.Errorf("%s: fields %v", name, chanye.ErrorFields(err))
			}
		}

		a, err := sups.CreateSupervision(ctx, &project.Supervision{LeadID: district.ID, Instruction: "本周内约见董事长", DueOn: date("2025-06-20")})
		if err != nil {
			t.Fatalf("issue: %v %v", err, chanye.ErrorFields(err))
		}
		if a.Addressee != project.ToLeadOwner || a.LeadName != "某电池公司" || a.LeadOwnerKind != "district" || a.LeadOwnerName != "440106" ||
			a.IndustryID != "auto" || a.ProjectID != "" || a.Status != project.SupIssued || len(a.Events) != 1 || a.ID != p.ID {
			t.Fatalf("issued = %+v (the project's item is %d)", a, p.ID)
		}
		b, err := sups.CreateSupervision(chanye.WithActor(op, &chanye.Actor{Name: "市领导", Role: chanye.RoleLeader}),
			&project.Supervision{LeadID: dept.ID, Instruction: "报送洽谈进展", DueOn: date("2025-07-15")})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []struct {
			action project.SupAction
			note   string
			want   project.SupStatus
		}{{project.SupAnswer, "已约见", project.SupAnswered}, {project.SupReturn, "请附纪要", project.SupReturned},
			{project.SupAnswer, "已约见，附纪要", project.SupAnswered}, {project.SupClose, "", project.SupClosed}} {
			x, err := sups.MoveSupervision(ctx, a.ID, st.action, st.note)
			if err != nil || x.Status != st.want {
				t.Fatalf("%s: %+v, %v", st.action, x, err)
			}
		}
		_, err = sups.MoveSupervision(ctx, a.ID, project.SupAnswer, "再答")
		wantCode(t, err, chanye.ECONFLICT)
		// The project's item is untouched by the lead's steps.
		if x, err := s.FindSupervisionByID(ctx, p.ID); err != nil || x.Status != project.SupIssued || len(x.Events) != 1 {
			t.Errorf("the project's item: %+v, %v", x, err)
		}
		if n := auditCount(t, s, "lead_supervision"); n != 6 {
			t.Errorf("%d lead supervision audit entries, want 6", n)
		}
		// The district heard of a's issue, return and close; the
		// department of each answer; the department owning b of b.
		told := map[string]int{}
		rows, err := db.db.QueryContext(op, `SELECT scope_role, scope_key, link FROM notifications WHERE kind = 'supervision' AND link LIKE '/leads/%'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var role, key, link string
			if err := rows.Scan(&role, &key, &link); err != nil {
				t.Fatal(err)
			}
			told[role+"/"+key]++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if want := map[string]int{"district/440106": 3, "department/工信局": 3}; !maps.Equal(told, want) {
			t.Errorf("lead supervision notifications: %v, want %v", told, want)
		}

		// A month on, b (due 07-15) is overdue, a closed.
		db.Now = func() time.Time { return today.AddDate(0, 2, 0) }
		list, total, err := sups.FindSupervisions(ctx, project.SupervisionFilter{})
		if err != nil || total != 2 || list[0].ID != b.ID || !list[0].Overdue || list[1].ID != a.ID || len(list[1].Events) != 5 {
			t.Fatalf("list = %+v (%d), %v", list, total, err)
		}
		for name, tc := range map[string]struct {
			f    project.SupervisionFilter
			want int
		}{
			"the lead's":          {project.SupervisionFilter{LeadID: &district.ID}, 1},
			"the district's":      {project.SupervisionFilter{District: ptr("440106")}, 1},
			"another district's":  {project.SupervisionFilter{District: ptr("440103")}, 0},
			"the owning dept's":   {project.SupervisionFilter{Department: ptr("工信局")}, 2}, // owns b, issued a
			"another dept's":      {project.SupervisionFilter{Department: ptr("发改委")}, 0},
			"the industry's":      {project.SupervisionFilter{IndustryID: ptr("auto")}, 2},
			"open":                {project.SupervisionFilter{Open: true}, 1},
			"a project's filter":  {project.SupervisionFilter{ProjectID: ptr("GZ2025-0001")}, 0},
			"an enterprise's":     {project.SupervisionFilter{OwnerCode: ptr(code(t, 1))}, 0},
			"projects: a lead's":  {project.SupervisionFilter{LeadID: &district.ID}, -1},
			"projects: districts": {project.SupervisionFilter{District: ptr("440106")}, -1},
		} {
			svc, want := sups, tc.want
			if want < 0 { // the projects' service selects no lead's items
				svc, want = s, 0
			}
			if _, n, err := svc.FindSupervisions(ctx, tc.f); err != nil || n != want {
				t.Errorf("%s: %d, %v; want %d", name, n, err, want)
			}
		}
	})
}
