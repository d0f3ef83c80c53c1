package sqlstore

import (
	"fmt"
	"strings"
	"sync"

	"github.com/chanye-org/chanye/project"
)

// compiledRules remembers the rule sets compiled from stored warning rules.
// Compiling is a pure function of the rules, and a RuleSet is immutable
// and safe for concurrent use, so rules seen before give the set compiled
// then and nothing can be stale: a saved rule is other text, compiled anew.
// Compiling the CEL of every rule was a tenth of what a page of projects
// cost. At most maxCompiled sets are kept; past that the memo starts over.
var compiledRules = struct {
	sync.Mutex
	m map[string]*project.RuleSet
}{m: map[string]*project.RuleSet{}}

const maxCompiled = 100

// compileRules is project.CompileRules, remembered by the rules' fields.
func compileRules(rules []*project.Rule) (*project.RuleSet, error) {
	var b strings.Builder
	for _, r := range rules {
		fmt.Fprintf(&b, "%q %q %q %q %q %q %q %d\n", r.ID, r.Group, r.Colour, r.LabelZH, r.LabelEN, r.Expr, r.Owner, r.Position)
	}
	key := b.String()
	compiledRules.Lock()
	rs, ok := compiledRules.m[key]
	compiledRules.Unlock()
	if ok {
		return rs, nil
	}
	rs, err := project.CompileRules(rules)
	if err != nil {
		return nil, err
	}
	compiledRules.Lock()
	if len(compiledRules.m) >= maxCompiled {
		clear(compiledRules.m)
	}
	compiledRules.m[key] = rs
	compiledRules.Unlock()
	return rs, nil
}
