package httpapi

import (
	"net/http"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/search"
)

// search answers one box of text with the enterprises, projects and
// policies the actor may read (kind=enterprise,project narrows it).
func (s *server) search(w http.ResponseWriter, r *http.Request) error {
	if s.searcher == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "未配置搜索 / no search configured")
	}
	q, err := query(r, "q", "kind", "limit")
	if err != nil {
		return err
	}
	f := search.Filter{Q: q["q"]}
	if v, ok := q["kind"]; ok {
		for _, k := range strings.Split(v, ",") {
			f.Kinds = append(f.Kinds, search.Kind(strings.TrimSpace(k)))
		}
	}
	if v, ok := q["limit"]; ok {
		if f.Limit, err = queryInt("limit", v, 1, search.MaxLimit); err != nil {
			return err
		}
	}
	res, err := s.searcher.Search(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
