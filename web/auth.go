package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

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

// homeFor returns where a user lands after sign-in when the request names
// no safe page: an enterprise its own profile (我的企业), an official
// 我的待办, anyone else the overview.
func homeFor(u *auth.User) string {
	if u != nil && u.Role == chanye.RoleEnterprise && u.Code != "" {
		return "/enterprises/" + url.PathEscape(u.Code)
	}
	if u != nil && official(u.Role) {
		return "/todo"
	}
	return "/"
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.accounts(); err != nil {
		return err
	}
	v := &loginView{page: s.newPage(r, ""), Next: httpauth.SafeNext(r.URL.Query().Get("next"))}
	v.Title = v.L.T("login.title")
	return s.render(w, "login", v)
}

// login signs in. Every outcome is logged with the request id, the login
// tried and the client address (never the password); the audit log keeps
// changes only, and a stranger's failures must not fill its chain.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	accounts, m, err := s.accounts()
	if err != nil {
		return err
	}
	v := &loginView{page: s.newPage(r, ""), Name: r.PostFormValue("name"), Next: httpauth.SafeNext(r.PostFormValue("next"))}
	v.Title = v.L.T("login.title")
	addr := httpauth.ClientAddr(r)
	log := s.log.With("request_id", chanye.RequestIDFrom(r.Context()), "name", auth.LoginName(v.Name), "addr", addr)
	u, err := accounts.Authenticate(r.Context(), v.Name, r.PostFormValue("password"), addr)
	switch chanye.ErrorCode(err) {
	case "":
		if err := m.StartSession(w, r, u); err != nil {
			return err
		}
		log.Info("sign-in", "user_id", u.ID, "role", string(u.Role))
		next := v.Next
		if next == "" {
			next = homeFor(u)
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	case chanye.EUNAUTHORIZED:
		log.Warn("sign-in failed")
		v.Error = v.L.T("login.wrong")
		return s.renderStatus(w, http.StatusUnauthorized, "login", v)
	case chanye.ETOOMANY:
		d := auth.RetryAfter(err)
		budget := ""
		if re := (*auth.RetryError)(nil); errors.As(err, &re) {
			budget = re.Budget
		}
		log.Warn("sign-in throttled", "retry_after", d.String(), "budget", budget)
		w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())))
		v.Error = v.L.Tf("login.throttled", waitText(v.L, d))
		return s.renderStatus(w, http.StatusTooManyRequests, "login", v)
	}
	return err
}

// waitText says a wait in whole seconds under a minute, else in minutes
// rounded up.
func waitText(l Lang, d time.Duration) string {
	if d < time.Minute {
		n := max(int((d+time.Second-1)/time.Second), 1)
		return l.Pick(fmt.Sprintf("%d 秒", n), fmt.Sprintf("%d s", n))
	}
	n := int((d + time.Minute - 1) / time.Minute)
	return l.Pick(fmt.Sprintf("%d 分钟", n), fmt.Sprintf("%d min", n))
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
	Changed  *auth.PasswordChange // a password just changed: what it revoked
	NewToken string               // a token just created: shown this once
	TokenFor string
	// Scopes words each user's scope: its department, its industry by
	// name or its enterprise's code. Industries are the create form's
	// choices.
	Scopes     map[int64]string
	Industries []option
	// Districts are the create form's choices of district (区).
	Districts []option
	// Departments are the create form's choices of department: the
	// list's, in its order (the catalog's departments are the list's).
	Departments []option
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
	c, err := s.cfg.Catalog.FindCatalog(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	v.Industries = []option{{"", v.L.T("dash"), v.Form.IndustryID == ""}}
	for _, ind := range c.Industries {
		names[ind.ID] = v.L.Pick(ind.NameZH, ind.NameEN)
		v.Industries = append(v.Industries, option{ind.ID, names[ind.ID], ind.ID == v.Form.IndustryID})
	}
	districts := map[string]string{}
	v.Districts = []option{{"", v.L.T("dash"), v.Form.District == ""}}
	for _, d := range c.Districts {
		districts[d.Code] = v.L.Pick(d.NameZH, d.NameEN)
		v.Districts = append(v.Districts, option{d.Code, districts[d.Code], d.Code == v.Form.District})
	}
	v.Departments = []option{{"", v.L.T("dash"), v.Form.Department == ""}}
	found := v.Form.Department == ""
	for _, d := range c.Departments {
		text := d.NameZH
		if v.L == "en" && d.NameEN != "" {
			text = d.NameEN + " · " + d.NameZH
		}
		v.Departments = append(v.Departments, option{d.NameZH, text, d.NameZH == v.Form.Department})
		found = found || d.NameZH == v.Form.Department
	}
	if !found { // a refused value, kept to be corrected
		v.Departments = append(v.Departments, option{v.Form.Department, v.L.Tf("lists.notlisted", v.Form.Department), true})
	}
	v.Scopes = map[int64]string{}
	for _, u := range users {
		switch {
		case u.Department != "":
			v.Scopes[u.ID] = u.Department
		case u.IndustryID != "":
			v.Scopes[u.ID] = orDefault(names[u.IndustryID], u.IndustryID)
		case u.District != "":
			v.Scopes[u.ID] = orDefault(districts[u.District], u.District)
		default:
			v.Scopes[u.ID] = u.Code
		}
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
		IndustryID: r.PostFormValue("industry_id"), District: r.PostFormValue("district"), Code: r.PostFormValue("code"), Email: r.PostFormValue("email")}
	err = accounts.CreateUser(r.Context(), u, r.PostFormValue("password"))
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderUsers(w, r, http.StatusBadRequest, &usersView{Form: u, Fields: errFields(r, err), Message: errText(r, err)})
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
		return s.changePassword(w, r, accounts, id)
	case "email":
		upd.Email = new(r.PostFormValue("email"))
	default:
		return chanye.Invalid("未知操作 / unknown action", map[string]string{"action": r.PostFormValue("action")})
	}
	_, err = accounts.UpdateUser(r.Context(), id, upd)
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderUsers(w, r, http.StatusBadRequest, &usersView{Fields: errFields(r, err), Message: errText(r, err)})
	}
	return err
}

// changePassword sets a user's password and says what it revoked: every
// session and every API token of the user. An admin who changed their own
// password is signed in again at once, with a new session.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, accounts auth.Service, id int64) error {
	pc, err := accounts.ChangePassword(r.Context(), id, r.PostFormValue("password"))
	switch chanye.ErrorCode(err) {
	case "":
	case chanye.EINVALID:
		return s.renderUsers(w, r, http.StatusBadRequest, &usersView{Fields: errFields(r, err), Message: errText(r, err)})
	default:
		return err
	}
	if chanye.ActorFrom(r.Context()).UserID == pc.User.ID {
		if err := s.cfg.Auth.StartSession(w, r, pc.User); err != nil {
			return err
		}
	}
	return s.renderUsers(w, r, http.StatusOK, &usersView{Changed: pc})
}

// RevokedTokens lists the tokens a password change revoked as
// " (#1, #2)", or "" for none.
func (v *usersView) RevokedTokens() string {
	if v.Changed == nil || len(v.Changed.TokenIDs) == 0 {
		return ""
	}
	ids := v.Changed.TokenIDs
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = "#" + strconv.FormatInt(id, 10)
	}
	return " (" + strings.Join(s, ", ") + ")"
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
		return s.renderUsers(w, r, http.StatusBadRequest, &usersView{Fields: errFields(r, err), Message: errText(r, err)})
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

type accountView struct {
	page
	Done, Message string
	Errs          map[string]string
	Email         string // the address for notifications, as stored or as typed
}

// accountPage is the signed-in user's own page: who it is and the form to
// change its password. The public is sent to sign in.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	v := &accountView{page: s.newPage(r, "")}
	if v.Actor == nil || v.Actor.UserID == 0 {
		return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	v.Title = v.L.T("acct.title")
	if r.URL.Query().Get("changed") == "1" {
		v.Done = v.L.T("acct.done")
	}
	if r.URL.Query().Get("email") == "1" {
		v.Done = v.L.T("acct.email.done")
	}
	if accounts, _, err := s.accounts(); err == nil {
		u, err := accounts.FindOwnUser(r.Context())
		if err != nil {
			return err
		}
		v.Email = u.Email
	}
	return s.render(w, "account", v)
}

// changeOwnPassword changes the signed-in user's password, the current
// one given; every session and token of the user ends, and this browser is
// signed in again with a new session.
func (s *Server) changeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	accounts, _, err := s.accounts()
	if err != nil {
		return err
	}
	v := &accountView{page: s.newPage(r, "")}
	if v.Actor == nil || v.Actor.UserID == 0 {
		return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	v.Title = v.L.T("acct.title")
	var pc *auth.PasswordChange
	if r.PostFormValue("password") != r.PostFormValue("repeat") {
		err = chanye.Invalid("两次输入的新密码不同 / the new passwords differ", map[string]string{"repeat": "两次输入的新密码不同 / the new passwords differ"})
	} else {
		pc, err = accounts.ChangeOwnPassword(r.Context(), r.PostFormValue("current"), r.PostFormValue("password"))
	}
	switch chanye.ErrorCode(err) {
	case "":
	case chanye.EINVALID:
		v.Message, v.Errs = errText(r, err), errFields(r, err)
		return s.renderStatus(w, http.StatusBadRequest, "account", v)
	default:
		return err
	}
	if err := s.cfg.Auth.StartSession(w, r, pc.User); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?changed=1", http.StatusSeeOther)
	return nil
}
