package authz_test

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestChains: everyone reads the chains; a task force changes its own
// industry's, a department those it leads, an admin any; only an admin
// replaces the set.
func TestChains(t *testing.T) {
	store := sqlstoretest.New(t)
	op := chanye.WithActor(context.Background(), chanye.Operator)
	dept := "市工业和信息化局"
	if _, err := store.UpdateResponsibility(op, "icv-nev", chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	svc := authz.Chains(store, store)
	set, err := store.FindChains(op)
	if err != nil {
		t.Fatal(err)
	}
	as := func(a *chanye.Actor) context.Context { return chanye.WithActor(context.Background(), a) }
	tf := as(&chanye.Actor{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"})
	other := as(&chanye.Actor{Name: "tf-ai", Role: chanye.RoleTaskForce, IndustryID: "ai"})
	lead := as(&chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: dept})
	ent := as(&chanye.Actor{Name: "e", Role: chanye.RoleEnterprise, Code: "91440101MA5CXXXX0X"})
	public := as(&chanye.Actor{Role: chanye.RolePublic})
	for name, tc := range map[string]struct {
		ctx  context.Context
		call func(context.Context) error
		want string
	}{
		"public reads":          {public, func(ctx context.Context) error { _, err := svc.FindChains(ctx); return err }, ""},
		"task force its own":    {tf, func(ctx context.Context) error { _, err := svc.PutChain(ctx, set.Chain("icv-nev")); return err }, ""},
		"department it leads":   {lead, func(ctx context.Context) error { _, err := svc.PutChain(ctx, set.Chain("icv-nev")); return err }, ""},
		"task force another":    {other, func(ctx context.Context) error { _, err := svc.PutChain(ctx, set.Chain("icv-nev")); return err }, chanye.EFORBIDDEN},
		"department another":    {lead, func(ctx context.Context) error { _, err := svc.PutChain(ctx, set.Chain("ai")); return err }, chanye.EFORBIDDEN},
		"enterprise changes":    {ent, func(ctx context.Context) error { _, err := svc.PutChain(ctx, set.Chain("icv-nev")); return err }, chanye.EFORBIDDEN},
		"public changes":        {public, func(ctx context.Context) error { _, err := svc.PutChain(ctx, set.Chain("icv-nev")); return err }, chanye.EUNAUTHORIZED},
		"task force imports":    {tf, func(ctx context.Context) error { _, err := svc.ImportChains(ctx, set); return err }, chanye.EFORBIDDEN},
		"admin imports":         {op, func(ctx context.Context) error { _, err := svc.ImportChains(ctx, set); return err }, ""},
		"admin changes any one": {op, func(ctx context.Context) error { _, err := svc.PutChain(ctx, set.Chain("ai")); return err }, ""},
	} {
		if got := chanye.ErrorCode(tc.call(tc.ctx)); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
	var _ chain.Service = svc
}
