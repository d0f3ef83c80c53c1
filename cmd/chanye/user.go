package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
)

const userHelp = `chanye user add NAME --role R [--department D] [--industry ID] [--district CODE] [--enterprise CODE] [--display NAME] [--email ADDR]
chanye user list
chanye user email NAME [--email ADDR]
chanye user disable NAME
chanye user enable NAME
chanye user password NAME
chanye user token NAME [--name N]
chanye user revoke-token ID

管理账号。密码从标准输入读取（终端中不回显），从不作为参数。角色：admin、leader、
department（须 --department）、task_force（须 --industry）、district（区，须 --district
区县代码）、enterprise（须 --enterprise）。
token 新建接口令牌并只显示这一次。password 设置新密码，同时结束该账号的所有
会话并吊销其全部接口令牌，并列出吊销了哪些。email 设置（不给 --email 则清除）通知邮箱。

Manages accounts. Passwords are read from stdin (without echo on a terminal),
never taken as an argument. Roles: admin, leader, department (needs
--department), task_force (needs --industry), district (a 区, needs --district
and its code), enterprise (needs --enterprise).
token creates an API token and prints it this once. password sets a new
password, ends all the account's sessions and revokes all its API tokens,
and lists the tokens it revoked. email sets the address notifications are
e-mailed to (clears it without --email).
`

func runUser(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "user", userHelp)
	role := fs.String("role", "", "角色 / role: admin, leader, department, task_force, district, enterprise")
	dept := fs.String("department", "", "部门名称 / the department (role department)")
	industry := fs.String("industry", "", "产业编号 / industry id (role task_force)")
	district := fs.String("district", "", "区县代码 / district code (role district)")
	code := fs.String("enterprise", "", "统一社会信用代码 / credit code (role enterprise)")
	display := fs.String("display", "", "显示名称 / display name")
	tokenName := fs.String("name", "cli", "令牌名称 / token name")
	email := fs.String("email", "", "通知邮箱 / e-mail address for notifications")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return errors.New("缺少子命令 / missing subcommand")
	}
	want := map[string]int{"add": 2, "list": 1, "disable": 2, "enable": 2, "password": 2, "token": 2, "revoke-token": 2, "email": 2}
	if n, ok := want[pos[0]]; !ok {
		return fmt.Errorf("未知子命令 %q / unknown subcommand", pos[0])
	} else if len(pos) != n {
		return fmt.Errorf("user %s: 参数个数不对 / wrong number of arguments (see chanye user --help)", pos[0])
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	// The command line is the operator: whoever can read the database
	// already holds every right.
	ctx = chanye.WithActor(ctx, chanye.Operator)

	switch pos[0] {
	case "add":
		u := &auth.User{Name: pos[1], DisplayName: *display, Role: chanye.Role(*role), Department: *dept, IndustryID: *industry, District: *district, Code: *code, Email: *email}
		if err := u.Validate(); err != nil {
			return err
		}
		pw, err := readPassword(cfg, "密码 / password: ")
		if err != nil {
			return err
		}
		if err := store.CreateUser(ctx, u, pw); err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stdout, "已创建账号 / created user %s (%s) id %d\n", u.Name, u.Role, u.ID)
	case "list":
		users, _, err := store.FindUsers(ctx, auth.UserFilter{Limit: 1000})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(cfg.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tSCOPE\tSTATUS\tDISPLAY")
		for _, u := range users {
			status := "enabled"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Name, u.Role, u.Department+u.IndustryID+u.District+u.Code, status, u.DisplayName)
		}
		return tw.Flush()
	case "email":
		u, err := store.FindUserByName(ctx, pos[1])
		if err != nil {
			return err
		}
		if u, err = store.UpdateUser(ctx, u.ID, auth.UserUpdate{Email: email}); err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stdout, "已更新 / updated %s: %q\n", u.Name, u.Email)
	case "disable", "enable":
		u, err := store.FindUserByName(ctx, pos[1])
		if err != nil {
			return err
		}
		if _, err := store.UpdateUser(ctx, u.ID, auth.UserUpdate{Disabled: new(pos[0] == "disable")}); err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stdout, "已更新 / updated %s\n", u.Name)
	case "password":
		u, err := store.FindUserByName(ctx, pos[1])
		if err != nil {
			return err
		}
		pw, err := readPassword(cfg, "新密码 / new password: ")
		if err != nil {
			return err
		}
		pc, err := store.ChangePassword(ctx, u.ID, pw)
		if err != nil {
			return err
		}
		ids := make([]string, len(pc.TokenIDs))
		for i, id := range pc.TokenIDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		revoked := ""
		if len(ids) > 0 {
			revoked = " (" + strings.Join(ids, ", ") + ")"
		}
		fmt.Fprintf(cfg.Stdout, "已为 %s 设置新密码：结束 %d 个会话，已吊销 %d 个接口令牌%s / new password set for %s: %d sessions ended, %d API tokens revoked%s\n",
			u.Name, pc.SessionsEnded, pc.TokensRevoked, revoked, u.Name, pc.SessionsEnded, pc.TokensRevoked, revoked)
		if pc.TokensRevoked > 0 {
			fmt.Fprintf(cfg.Stdout, "如仍需接口访问，请新建令牌 / for API access, create a new token: chanye user token %s\n", u.Name)
		}
	case "token":
		u, err := store.FindUserByName(ctx, pos[1])
		if err != nil {
			return err
		}
		t, secret, err := store.CreateToken(ctx, u.ID, *tokenName)
		if err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stderr, "令牌 %d（%s · %s）只显示这一次 / token %d (%s · %s) is shown this once:\n", t.ID, u.Name, t.Name, t.ID, u.Name, t.Name)
		fmt.Fprintln(cfg.Stdout, secret)
	case "revoke-token":
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil {
			return fmt.Errorf("令牌编号须为数字 / token id must be a number: %q", pos[1])
		}
		if err := store.RevokeToken(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stdout, "已撤销令牌 / revoked token %d\n", id)
	}
	return nil
}

// readPassword reads a password: without echo from a terminal, asking on
// stderr; otherwise the first line of stdin, so scripts can pipe it in.
func readPassword(cfg Config, prompt string) (string, error) {
	if f, ok := cfg.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(cfg.Stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(cfg.Stderr)
		if err != nil {
			return "", err
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(io.LimitReader(cfg.Stdin, 4096)).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", errors.New("从标准输入读取密码失败 / no password on stdin")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// ensureAdmin creates the account admin when no enabled admin exists, with
// password, or else a random one printed once to stderr. It returns the
// password when it created the account, "" when an admin existed.
func ensureAdmin(ctx context.Context, accounts auth.Service, password string, stderr io.Writer) (string, error) {
	ctx = chanye.WithActor(ctx, chanye.Operator)
	n, err := accounts.CountAdmins(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	generated := password == ""
	if generated {
		password = auth.NewSecret()[:24]
	}
	u := &auth.User{Name: "admin", DisplayName: "管理员 / Administrator", Role: chanye.RoleAdmin}
	if err := accounts.CreateUser(ctx, u, password); err != nil {
		return "", fmt.Errorf("创建管理员账号 / creating the admin account: %w", err)
	}
	if generated {
		fmt.Fprintf(stderr, `
================================================================
已创建管理员账号 admin，初始密码（只显示这一次，请立即保存并登录后修改）：
Created the admin account "admin"; its password (shown this once: save it,
then change it after signing in):

    %s

下次可用环境变量 CHANYE_ADMIN_PASSWORD 指定 / set CHANYE_ADMIN_PASSWORD to choose it.
================================================================

`, password)
	} else {
		fmt.Fprintln(stderr, "已用 CHANYE_ADMIN_PASSWORD 创建管理员账号 admin / created the admin account \"admin\" with CHANYE_ADMIN_PASSWORD")
	}
	return password, nil
}
