// Package catalog ships the built-in catalog of Guangzhou's "12218" modern
// industrial system, transcribed from the sources listed in the file.
package catalog

import (
	_ "embed"
	"slices"

	"github.com/chanye-org/chanye"
)

//go:embed guangzhou.json
var guangzhouJSON []byte

// Default returns a freshly parsed copy of the Guangzhou catalog, which the
// caller may change. It panics if the embedded file is invalid: that is a
// build defect the tests catch.
func Default() *chanye.Catalog {
	c, err := chanye.ParseCatalog(guangzhouJSON)
	if err != nil {
		panic("catalog: embedded guangzhou.json: " + err.Error())
	}
	return c
}

// DefaultJSON returns a copy of the embedded catalog file.
func DefaultJSON() []byte {
	return slices.Clone(guangzhouJSON)
}
