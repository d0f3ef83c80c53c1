package policy

import (
	"io/fs"
	"sort"
)

// ShippedSources returns the YAML of the shipped policies as written, in
// file name order, for storing them through VersionService.CreatePolicyVersion.
func ShippedSources() [][]byte {
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
		out = append(out, b)
	}
	return out
}
