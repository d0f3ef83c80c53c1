package sqlstore

import (
	"sync"

	"github.com/chanye-org/chanye/policy"
)

// parsed remembers the policies parsed from stored sources. Parsing is a
// pure function of the source, so a source seen before gives the policy
// parsed then, whatever database or version it comes from, and nothing
// can be stale; parsing the YAML was most of what listing versions cost
// (the public list, the decisions and the scorecards list them on every
// request). At most maxParsed sources are kept; past that the memo starts
// over.
var parsed = struct {
	sync.Mutex
	m map[string]*policy.Policy
}{m: map[string]*policy.Policy{}}

const maxParsed = 1000

// parsePolicy returns the policy src parses to, as a copy of the one kept
// for src: callers set its version and status. The copy shares the parsed
// lists (parameters, conditions, cases), which nobody changes once parsed.
func parsePolicy(src string) (*policy.Policy, error) {
	parsed.Lock()
	p, ok := parsed.m[src]
	parsed.Unlock()
	if !ok {
		var err error
		if p, err = policy.Parse([]byte(src)); err != nil {
			return nil, err
		}
		parsed.Lock()
		if len(parsed.m) >= maxParsed {
			clear(parsed.m)
		}
		parsed.m[src] = p
		parsed.Unlock()
	}
	cp := *p
	return &cp, nil
}
