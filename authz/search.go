package authz

import (
	"context"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/search"
)

// searchGuard narrows each kind of a search to what the actor may read,
// by the rules of the records themselves: the registry's ReadRegistry, the
// projects' ReadProjects, the policies' ReadPolicies. Search has no rule
// of its own, so that it never shows what the record's page would refuse.
type searchGuard struct {
	inner search.Service
}

// Search returns inner guarded by the rules of the records it finds.
func Search(inner search.Service) search.Service { return &searchGuard{inner: inner} }

var _ search.Service = (*searchGuard)(nil)

// searchRules gives, for each kind, the rules and the action that reading
// a record of that kind needs.
var searchRules = map[search.Kind]struct {
	rules Rules
	act   Action
}{
	search.Enterprises: {registryRules, ReadRegistry},
	search.Projects:    {projectRules, ReadProjects},
	search.Policies:    {policyRules, ReadPolicies},
}

// SearchKinds returns the kinds a role may search, in order: for the
// header's search box and tests.
func SearchKinds(role chanye.Role) []search.Kind {
	var out []search.Kind
	for _, k := range search.Kinds {
		r := searchRules[k]
		if r.rules.Grant(role, r.act) != Deny {
			out = append(out, k)
		}
	}
	return out
}

// Search narrows the filter: kinds the actor may not read are left out
// (asked for by name, they are denied); an enterprise finds only itself
// and its own projects; who may read only published policies finds only
// published and retired versions.
func (s *searchGuard) Search(ctx context.Context, f search.Filter) (*search.Results, error) {
	a := chanye.ActorFrom(ctx)
	if !a.Role.Valid() {
		return nil, chanye.Errorf(chanye.EFORBIDDEN, "未知角色 %q / unknown role", a.Role)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	asked := f.Kinds
	f.Kinds, f.EnterpriseCode, f.ProjectOwner, f.PublishedOnly = nil, nil, nil, false
	for _, k := range search.Kinds {
		if len(asked) > 0 && !slices.Contains(asked, k) {
			continue
		}
		r := searchRules[k]
		switch g := r.rules.Grant(a.Role, r.act); {
		case g == Deny && len(asked) > 0:
			return nil, deny(a, r.act)
		case g == Allow:
		case g == Published:
			f.PublishedOnly = true
		case g == Own && a.Code != "" && k == search.Enterprises:
			f.EnterpriseCode = &a.Code
		case g == Own && a.Code != "" && k == search.Projects:
			f.ProjectOwner = &a.Code
		default:
			continue // not the actor's to read
		}
		f.Kinds = append(f.Kinds, k)
	}
	if len(f.Kinds) == 0 {
		return &search.Results{Query: strings.TrimSpace(f.Q), Groups: []search.Group{}}, nil
	}
	return s.inner.Search(ctx, f)
}
