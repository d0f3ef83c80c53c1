package dataio

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
)

// Export writes the enterprises selected by filter (paging fields ignored),
// or their facts or tiers, to w as format, with the columns Import reads, so
// that an export imports back unchanged. It streams the registry in code
// order and returns the rows written.
func (fs *Files) Export(ctx context.Context, kind Kind, w io.Writer, format Format, filter chanye.EnterpriseFilter) (int, error) {
	if _, ok := schemas[kind]; !ok {
		return 0, chanye.Errorf(chanye.EINVALID, "未知数据类型 %q / unknown kind", kind)
	}
	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	cols := exportHeader(kind)
	if err := out.Write(cols); err != nil {
		return 0, err
	}
	n := 0
	cells := make([]string, len(cols))
	emit := func() error {
		n++
		return out.Write(cells)
	}
	switch kind {
	case Enterprises:
		err = fs.Enterprises.ScanEnterprises(ctx, filter, func(e *chanye.Enterprise) error {
			industries := ""
			if e.IndustriesOverride {
				industries = strings.Join(e.Industries, ";")
			}
			copy(cells, []string{e.Code, e.Name, e.DistrictCode, e.IndustryClass, e.Founded.String(), industries})
			return emit()
		})
	case Facts:
		// Every report, not the merged figures, so that an import restores
		// each source.
		err = fs.Enterprises.ScanFacts(ctx, filter, func(f *chanye.FactsRecord) error {
			cells[0], cells[1] = f.Code, strconv.Itoa(f.Year)
			for i, v := range f.Values() {
				switch {
				case v == nil:
					cells[2+i] = ""
				case chanye.FactFields[i].Money:
					cells[2+i] = chanye.Fen(*v).Yuan()
				default:
					cells[2+i] = strconv.FormatInt(*v, 10)
				}
			}
			cells[len(cells)-2], cells[len(cells)-1] = f.Source, f.AsOf.String()
			return emit()
		})
	case Tiers:
		err = fs.Enterprises.ScanTiers(ctx, filter, func(t *chanye.TierRecord) error {
			copy(cells, []string{t.Code, string(t.Kind), string(t.Level), t.From.String(), t.To.String(), t.Source})
			return emit()
		})
	case Scopes:
		err = fs.Enterprises.ScanScopes(ctx, filter, func(s *chanye.ScopeRecord) error {
			copy(cells, []string{s.Code, s.Text, s.Source, s.AsOf.String()})
			return emit()
		})
	}
	if err != nil {
		return n, err
	}
	return n, out.Close()
}
