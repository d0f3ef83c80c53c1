package authz_test

import (
	"context"
	"slices"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/search"
)

// recordingSearch keeps the filter it was asked with.
type recordingSearch struct{ got *search.Filter }

func (r *recordingSearch) Search(_ context.Context, f search.Filter) (*search.Results, error) {
	r.got = &f
	return &search.Results{Query: f.Q, Groups: []search.Group{}}, nil
}

func TestSearchNarrowsByRole(t *testing.T) {
	const own = "91440101000000019F"
	all := []search.Kind{search.Enterprises, search.Projects, search.Policies}
	for _, tc := range []struct {
		actor     *chanye.Actor
		kinds     []search.Kind
		want      []search.Kind // nil: inner not called
		ownCode   bool
		published bool
		err       string
	}{
		{actor: &chanye.Actor{Role: chanye.RoleAdmin}, want: all},
		{actor: &chanye.Actor{Role: chanye.RoleLeader}, want: all},
		{actor: &chanye.Actor{Role: chanye.RoleDepartment, Department: "工信局"}, want: all},
		{actor: &chanye.Actor{Role: chanye.RoleTaskForce, IndustryID: "icv-nev"}, want: all},
		{actor: &chanye.Actor{Role: chanye.RoleEnterprise, Code: own}, want: all, ownCode: true, published: true},
		{actor: &chanye.Actor{Role: chanye.RoleEnterprise}, want: []search.Kind{search.Policies}, published: true},
		{actor: chanye.Public, want: []search.Kind{search.Policies}, published: true},
		{actor: chanye.Public, kinds: []search.Kind{search.Policies}, want: []search.Kind{search.Policies}, published: true},
		{actor: chanye.Public, kinds: []search.Kind{search.Enterprises}, err: chanye.EUNAUTHORIZED},
		{actor: &chanye.Actor{Role: chanye.RoleEnterprise, Code: own}, kinds: []search.Kind{search.Projects},
			want: []search.Kind{search.Projects}, ownCode: true},
		{actor: &chanye.Actor{Role: chanye.RoleAdmin}, kinds: []search.Kind{"people"}, err: chanye.EINVALID},
	} {
		inner := &recordingSearch{}
		_, err := authz.Search(inner).Search(chanye.WithActor(context.Background(), tc.actor), search.Filter{Q: "汽车", Kinds: tc.kinds})
		name := string(tc.actor.Role) + " " + tc.actor.Code
		if got := chanye.ErrorCode(err); got != tc.err {
			t.Errorf("%s %v: error %q (%v), want %q", name, tc.kinds, got, err, tc.err)
			continue
		}
		if tc.err != "" {
			continue
		}
		if inner.got == nil {
			t.Errorf("%s: inner not called", name)
			continue
		}
		f := inner.got
		if !slices.Equal(f.Kinds, tc.want) {
			t.Errorf("%s: kinds %v, want %v", name, f.Kinds, tc.want)
		}
		if f.PublishedOnly != tc.published {
			t.Errorf("%s: published only %v, want %v", name, f.PublishedOnly, tc.published)
		}
		if tc.ownCode != (f.EnterpriseCode != nil && *f.EnterpriseCode == own) && slices.Contains(f.Kinds, search.Enterprises) {
			t.Errorf("%s: enterprise scope %v", name, f.EnterpriseCode)
		}
		if tc.ownCode != (f.ProjectOwner != nil && *f.ProjectOwner == own) {
			t.Errorf("%s: project scope %v", name, f.ProjectOwner)
		}
	}
}

func TestSearchKinds(t *testing.T) {
	if got := authz.SearchKinds(chanye.RolePublic); !slices.Equal(got, []search.Kind{search.Policies}) {
		t.Errorf("public kinds = %v", got)
	}
	if got := authz.SearchKinds(chanye.RoleTaskForce); len(got) != 3 {
		t.Errorf("task force kinds = %v", got)
	}
}
