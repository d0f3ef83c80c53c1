package policy

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed policies/*.yaml
var shippedFS embed.FS

// Shipped returns the policies that come with chanye, sorted by id: the
// clauses of 穗府办规〔2025〕13号 and examples marked official: false. The
// files are embedded, so a parse error is a build defect and panics.
func Shipped() []*Policy {
	names, err := fs.Glob(shippedFS, "policies/*.yaml")
	if err != nil {
		panic(err)
	}
	out := make([]*Policy, 0, len(names))
	for _, n := range names {
		b, err := shippedFS.ReadFile(n)
		if err != nil {
			panic(err)
		}
		p, err := Parse(b)
		if err != nil {
			panic(fmt.Sprintf("policy: shipped %s: %v", n, err))
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
