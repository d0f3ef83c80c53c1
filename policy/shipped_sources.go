package policy

import (
	"fmt"
	"io/fs"
	"sort"
)

// ShippedSources returns the YAML of the shipped policies as written, in
// file name order, for storing them through VersionService.CreatePolicyVersion:
// the city's official policies and, with examples, the illustrative ones
// too (official: false, titled （示例）), which only a demo publishes.
func ShippedSources(examples bool) [][]byte {
	names, err := fs.Glob(shippedFS, "policies/*.yaml")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	out := make([][]byte, 0, len(names))
	for _, n := range names {
		b, err := shippedFS.ReadFile(n)
		if err != nil {
			panic(err)
		}
		if !examples {
			p, err := Parse(b)
			if err != nil {
				panic(fmt.Sprintf("policy: shipped %s: %v", n, err))
			}
			if !p.Official {
				continue
			}
		}
		out = append(out, b)
	}
	return out
}
