package web

import "github.com/chanye-org/chanye"

// sizeClasses are the size classes in display order, for the filter.
var sizeClasses = []chanye.SizeClass{chanye.SizeLarge, chanye.SizeMedium, chanye.SizeSmall, chanye.SizeMicro}

// sizeName returns the name of a size class, "—" when unclassified.
func sizeName(l Lang, k chanye.SizeClass) string {
	if k == "" {
		return l.T("dash")
	}
	return l.Pick(k.NameZH(), k.NameEN())
}
