package httpapi

import (
	"context"
	"net/http"
)

// byID answers 200 with the record the path's {id} names, as call reads or
// changes it (a read, a withdrawal).
func byID[T any](w http.ResponseWriter, r *http.Request, call func(context.Context, int64) (T, error)) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := call(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}

// byIDWith decodes the body as a B and answers 200 with the record the
// path's {id} names, as call changes it with the body (an update, a step).
func byIDWith[B, T any](s *server, w http.ResponseWriter, r *http.Request, call func(context.Context, int64, B) (T, error)) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var b B
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	x, err := call(r.Context(), id, b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}
