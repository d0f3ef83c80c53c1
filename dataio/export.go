package dataio

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
)

// exportPage is the page size used to walk the registry.
const exportPage = 1000

// Export writes the enterprises selected by filter (paging fields ignored),
// or their facts or tiers, to w as format, with the columns Import reads, so
// that an export imports back unchanged. It returns the rows written.
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
	filter.Limit = exportPage
	for filter.Offset = 0; ; filter.Offset += exportPage {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		page, _, err := fs.Enterprises.FindEnterprises(ctx, filter)
		if err != nil {
			return n, err
		}
		for _, e := range page {
			switch kind {
			case Enterprises:
				industries := ""
				if e.IndustriesOverride {
					industries = strings.Join(e.Industries, ";")
				}
				copy(cells, []string{e.Code, e.Name, e.DistrictCode, e.IndustryClass, e.Founded.String(), industries})
				err = emit()
			case Facts:
				err = exportFacts(ctx, fs.Enterprises, e.Code, cells, emit)
			case Tiers:
				for _, t := range e.Tiers {
					copy(cells, []string{e.Code, string(t.Kind), t.From.String(), t.To.String(), t.Source})
					if err = emit(); err != nil {
						break
					}
				}
			}
			if err != nil {
				return n, err
			}
		}
		if len(page) < exportPage {
			break
		}
	}
	return n, out.Close()
}

// exportFacts writes every report of one enterprise, not the merged
// figures, so that an import restores each source.
func exportFacts(ctx context.Context, es chanye.EnterpriseService, code string, cells []string, emit func() error) error {
	reports, err := es.FindFacts(ctx, code)
	if err != nil {
		return err
	}
	for _, f := range reports {
		cells[0], cells[1] = code, strconv.Itoa(f.Year)
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
		if err := emit(); err != nil {
			return err
		}
	}
	return nil
}
