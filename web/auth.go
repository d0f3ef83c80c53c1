package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/httpauth"
)

// accounts returns the account service, or ENOTFOUND when the pages run
// without accounts (tests of other pages).
func (s *Server) accounts() (auth.Service, *httpauth.Middleware, error) {
	if s.cfg.Accounts == nil || s.cfg.Auth == nil {
		return nil, nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	return s.cfg.Accounts, s.cfg.Auth, nil
}

type loginView struct {
	page
	Name  string
	Next  string
	Error string
}

// localNext returns next when it is a path on this site, else "/": the
// login form must not redirect elsewhere.
func localNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.accounts(); err != nil {
		return err
	}
	v := &loginView{page: s.newPage(r, ""), Next: localNext(r.URL.Query().Get("next"))}
	v.Title = v.L.T("login.title")
	return s.render(w, "login", v)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	accounts, m, err := s.accounts()
	if err != nil {
		return err
	}
	v := &loginView{page: s.newPage(r, ""), Name: r.PostFormValue("name"), Next: localNext(r.PostFormValue("next"))}
	v.Title = v.L.T("login.title")
	u, err := accounts.Authenticate(r.Context(), v.Name, r.PostFormValue("password"), httpauth.ClientAddr(r))
	switch chanye.ErrorCode(err) {
	case "":
		if err := m.StartSession(w, r, u); err != nil {
			return err
		}
		http.Redirect(w, r, v.Next, http.StatusSeeOther)
		return nil
	case chanye.EUNAUTHORIZED:
		v.Error = v.L.T("login.wrong")
		return s.renderStatus(w, http.StatusUnauthorized, "login", v)
	case chanye.ETOOMANY:
		d := auth.RetryAfter(err)
		w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())))
		v.Error = v.L.Tf("login.throttled", d.String())
		return s.renderStatus(w, http.StatusTooManyRequests, "login", v)
	}
	return err
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	_, m, err := s.accounts()
	if err != nil {
		return err
	}
	if err := m.EndSession(w, r); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

type usersView struct {
	page
	Users    []*auth.User
	Tokens   map[int64][]*auth.Token
	Roles    []chanye.Role
	Form     *auth.User // the create form, shown again with its errors
	Fields   map[string]string
	Message  string
	NewToken string // a token just created: shown this once
	TokenFor string
}

// userList shows every account with its tokens.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, http.StatusOK, &usersView{})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, v *usersView) error {
	accounts, _, err := s.accounts()
	if err != nil {
		return err
	}
	users, _, err := accounts.FindUsers(r.Context(), auth.UserFilter{Limit: 1000})
	if err != nil {
		return err
	}
	tokens, err := accounts.FindTokens(r.Context(), 0)
	if err != nil {
		return err
	}
	v.page = s.newPage(r, "users")
	v.Title = v.L.T("users.title")
	v.Users, v.Tokens = users, map[int64][]*auth.Token{}
	for _, t := range tokens {
		v.Tokens[t.UserID] = append(v.Tokens[t.UserID], t)
	}
	for _, role := range chanye.Roles {
		if role != chanye.RolePublic {
			v.Roles = append(v.Roles, role)
		}
	}
	if v.Form == nil {
		v.Form = &auth.User{Role: chanye.RoleLeader}
	}
	return s.renderStatus(w, status, "users", v)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	accounts, _, err := s.accounts()
	if err != nil {
		return err
	}
	u := &auth.User{Name: r.PostFormValue("name"), DisplayName: r.PostFormValue("display_name"),
		Role: chanye.Role(r.PostFormValue("role")), Department: r.PostFormValue("department"),
		IndustryID: r.PostFormValue("industry_id"), Code: r.PostFormValue("code")}
	err = accounts.CreateUser(r.Context(), u, r.PostFormValue("password"))
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderUsers(w, r, http.StatusBadRequest, &usersView{Form: u, Fields: chanye.ErrorFields(err), Message: chanye.ErrorMessage(err)})
	}
	return err
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, chanye.Errorf(chanye.ENOTFOUND, "记录不存在 / no such record")
	}
	return id, nil
}

// updateUser disables, enables or sets the password of a user, as the
// form's action says.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	accounts, _, err := s.accounts()
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var upd auth.UserUpdate
	switch r.PostFormValue("action") {
	case "disable":
		upd.Disabled = new(true)
	case "enable":
		upd.Disabled = new(false)
	case "password":
		upd.Password = new(r.PostFormValue("password"))
	default:
		return chanye.Invalid("未知操作 / unknown action", map[string]string{"action": r.PostFormValue("action")})
	}
	_, err = accounts.UpdateUser(r.Context(), id, upd)
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderUsers(w, r, http.StatusBadRequest, &usersView{Fields: chanye.ErrorFields(err), Message: chanye.ErrorMessage(err)})
	}
	return err
}

// createToken creates an API token and shows it once, on the page that
// answers the POST: it is never stored, so there is nothing to redirect to.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	accounts, _, err := s.accounts()
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, secret, err := accounts.CreateToken(r.Context(), id, r.PostFormValue("name"))
	switch chanye.ErrorCode(err) {
	case "":
		return s.renderUsers(w, r, http.StatusOK, &usersView{NewToken: secret, TokenFor: fmt.Sprintf("%s · %s", t.UserName, t.Name)})
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderUsers(w, r, http.StatusBadRequest, &usersView{Fields: chanye.ErrorFields(err), Message: chanye.ErrorMessage(err)})
	}
	return err
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	accounts, _, err := s.accounts()
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := accounts.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}
