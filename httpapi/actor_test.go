package httpapi

import (
	"net/http"

	"github.com/chanye-org/chanye"
)

// actorHeader names, in these tests only, an administrator other than
// chanye.Operator to act as, so that "who did it" fields can differ.
const actorHeader = "X-Test-Actor"

// asActor stands in for the sign-in middleware: every request acts as
// chanye.Operator, or as the administrator actorHeader names.
func asActor(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := chanye.Operator
		if name := r.Header.Get(actorHeader); name != "" {
			a = &chanye.Actor{Name: name, Role: chanye.RoleAdmin}
		}
		h.ServeHTTP(w, r.WithContext(chanye.WithActor(r.Context(), a)))
	})
}
