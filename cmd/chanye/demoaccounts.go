package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore"
)

// demoAccounts returns an account for each role a newcomer to serve --demo
// should be able to sign in as, each where the demo data gives it
// something to do: the department that administers a policy objected to,
// the task force of a red project's industry, the owner of a project under
// supervision, the enterprise that objected. A role the data gives nothing
// to (no objection, say) is left out rather than pointed at nothing.
func demoAccounts(ctx context.Context, store *sqlstore.Store) ([]*auth.User, error) {
	out := []*auth.User{{Name: "demo-leader", DisplayName: "演示市领导 / demo city leader", Role: chanye.RoleLeader}}
	obs, _, err := store.FindObjections(ctx, policy.ObjectionFilter{Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(obs) > 0 {
		vs, _, err := store.FindPolicies(ctx, policy.VersionFilter{PolicyID: &obs[0].Ref.PolicyID, Latest: true, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(vs) > 0 && vs[0].Policy.Department != "" {
			out = append(out, &auth.User{Name: "demo-department", DisplayName: "演示部门 / demo department", Role: chanye.RoleDepartment, Department: vs[0].Policy.Department})
		}
		out = append(out, &auth.User{Name: "demo-enterprise", DisplayName: "演示企业（异议、拨付）/ demo enterprise (objection, payment)", Role: chanye.RoleEnterprise, Code: obs[0].Ref.Code})
	}
	red := project.Red
	ps, _, err := store.FindProjects(ctx, project.ProjectFilter{Colour: &red, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(ps) > 0 {
		out = append(out, &auth.User{Name: "demo-taskforce", DisplayName: "演示专班 / demo task force", Role: chanye.RoleTaskForce, IndustryID: ps[0].IndustryID})
	}
	// The district of the demo's first overdue district lead, else of its
	// first district lead.
	dk := invest.OwnerDistrict
	for _, find := range []func(context.Context, invest.LeadFilter) ([]*invest.Lead, int, error){store.FindOverdueLeads, store.FindLeads} {
		ls, _, err := find(ctx, invest.LeadFilter{OwnerKind: &dk, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(ls) > 0 {
			out = append(out, &auth.User{Name: "demo-district", DisplayName: "演示区（招商线索）/ demo district (招商 leads)", Role: chanye.RoleDistrict, District: ls[0].OwnerName})
			break
		}
	}
	sv, _, err := store.FindSupervisions(ctx, project.SupervisionFilter{Open: true, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(sv) > 0 {
		out = append(out, &auth.User{Name: "demo-owner", DisplayName: "演示项目业主（督办）/ demo project owner (supervision)", Role: chanye.RoleEnterprise, Code: sv[0].OwnerCode})
	}
	// The two sides of the best proposed match neither has answered, of
	// firms registered for the demo's latest fair when there is one: a
	// newcomer accepts it as each, follows it to a contract and meets at
	// the fair.
	proposed := match.Proposed
	ms, _, err := store.FindMatches(ctx, match.MatchFilter{Status: &proposed, Limit: match.MaxPage})
	if err != nil {
		return nil, err
	}
	registered := map[string]bool{}
	if evs, _, err := store.FindEvents(ctx, match.EventFilter{Limit: 1}); err != nil {
		return nil, err
	} else if len(evs) > 0 {
		plan, err := store.FindEventByID(ctx, evs[0].ID)
		if err != nil {
			return nil, err
		}
		for _, r := range plan.Registrations {
			registered[string(r.Role)+r.Code] = true
		}
	}
	slices.SortStableFunc(ms, func(a, b *match.Match) int {
		at := registered[string(match.SideBuyer)+a.BuyerCode] && registered[string(match.SideSupplier)+a.SupplierCode]
		bt := registered[string(match.SideBuyer)+b.BuyerCode] && registered[string(match.SideSupplier)+b.SupplierCode]
		switch {
		case at && !bt:
			return -1
		case bt && !at:
			return 1
		}
		return 0
	})
	for _, m := range ms {
		if m.BuyerDecision == match.Pending && m.SupplierDecision == match.Pending {
			out = append(out, &auth.User{Name: "demo-buyer", DisplayName: "演示需求方（供需对接）/ demo buyer (matchmaking)", Role: chanye.RoleEnterprise, Code: m.BuyerCode},
				&auth.User{Name: "demo-supplier", DisplayName: "演示供应方（供需对接）/ demo supplier (matchmaking)", Role: chanye.RoleEnterprise, Code: m.SupplierCode})
			break
		}
	}
	return out, nil
}

// ensureDemoAccounts creates the demo accounts with the admin's first
// password, on the first start of serve --demo (when it creates the
// admin), and says who they are.
func ensureDemoAccounts(ctx context.Context, store *sqlstore.Store, password string, stderr io.Writer) error {
	us, err := demoAccounts(ctx, store)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "演示账号（密码与 admin 的初始密码相同）/ demo accounts (with the admin's first password):")
	for _, u := range us {
		if err := store.CreateUser(ctx, u, password); err != nil {
			return fmt.Errorf("演示账号 / demo account %s: %w", u.Name, err)
		}
		fmt.Fprintf(stderr, "    %-16s %s\n", u.Name, u.DisplayName)
	}
	// The demo's judges exist already, with a password no one knows: they
	// get the same as the others.
	for _, name := range demo.Judges {
		u, err := store.FindUserByName(ctx, name)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		if _, err := store.ChangePassword(ctx, u.ID, password); err != nil {
			return fmt.Errorf("演示账号 / demo account %s: %w", u.Name, err)
		}
		fmt.Fprintf(stderr, "    %-16s %s\n", u.Name, u.DisplayName)
	}
	return nil
}
