package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chanye-org/chanye"
)

const auditHelp = `chanye audit <command> [flags]

审计日志：每次写入的操作人、对象、前后内容与时间，逐行以哈希相连。
The audit log: who changed which record, before and after, when; each row
carries the hash of the row before it.

命令 / commands:
  verify    逐行核验哈希链，报告第一处被改动或删除的行 / walk the chain and name the first altered or removed row
  list      按条件列出记录（最新在前）/ list entries, newest first, with filters

"chanye audit <command> --help" 说明各命令 / explains each command.
`

func runAudit(ctx context.Context, cfg Config, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(cfg.Stderr, auditHelp)
		return errors.New("缺少子命令 / missing audit command")
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(ctx, cfg, args[1:])
	case "list":
		return runAuditList(ctx, cfg, args[1:])
	case "help", "-h", "--help", "-help":
		fmt.Fprint(cfg.Stdout, auditHelp)
		return nil
	}
	fmt.Fprint(cfg.Stderr, auditHelp)
	return fmt.Errorf("未知子命令 %q / unknown audit command", args[0])
}

// runAuditVerify prints OK with the row count, or the first bad row and
// fails, so that the exit status says whether the log is intact.
func runAuditVerify(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "audit verify", "chanye audit verify [--db PATH]\n\n逐行重算哈希链；完好则输出 OK 与行数，否则指出第一处问题并以非零状态退出。\nRecomputes the hash chain; prints OK and the row count, or names the first bad row and exits non-zero.\n")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := store.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if !rep.OK {
		fmt.Fprintf(cfg.Stdout, "FAIL row %d (%s): %s\n", rep.BadID, rep.Problem, rep.Message)
		return fmt.Errorf("审计日志第 %d 行核验失败 / audit log fails at row %d", rep.BadID, rep.BadID)
	}
	fmt.Fprintf(cfg.Stdout, "OK %d rows (last id %d)\n", rep.Rows, rep.LastID)
	return nil
}

func runAuditList(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "audit list", "chanye audit list [--actor A] [--entity E] [--key K] [--action X] [--from DATE] [--to DATE] [--limit N] [--offset N]\n\n列出审计记录，最新在前 / lists audit entries, newest first.\n")
	var (
		f                                    chanye.AuditFilter
		actor, entity, key, action, from, to string
	)
	fs.StringVar(&actor, "actor", "", "操作人，如 \"alice (admin)\" / the actor as recorded")
	fs.StringVar(&entity, "entity", "", "对象类型，如 enterprise / entity, e.g. enterprise")
	fs.StringVar(&key, "key", "", "对象键，如统一社会信用代码 / the record's key")
	fs.StringVar(&action, "action", "", "操作，如 update / action, e.g. update")
	fs.StringVar(&from, "from", "", "起始日期（含）YYYY-MM-DD / from this date (inclusive)")
	fs.StringVar(&to, "to", "", "截止日期（含）YYYY-MM-DD / to this date (inclusive)")
	fs.IntVar(&f.Limit, "limit", 50, "条数 / entries")
	fs.IntVar(&f.Offset, "offset", 0, "跳过 / entries to skip")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	for _, p := range []struct {
		v   string
		dst **string
	}{{actor, &f.Actor}, {entity, &f.Entity}, {key, &f.EntityKey}, {action, &f.Action}} {
		if p.v != "" {
			*p.dst = &p.v
		}
	}
	for _, p := range []struct {
		name, v string
		days    int // a day added: --to names the last day included
		dst     **time.Time
	}{{"from", from, 0, &f.From}, {"to", to, 1, &f.To}} {
		if p.v == "" {
			continue
		}
		d, err := chanye.ParseDate(p.v)
		if err != nil {
			return fmt.Errorf("--%s: %w", p.name, err)
		}
		t := d.Time.AddDate(0, 0, p.days)
		*p.dst = &t
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	entries, total, err := store.FindAudit(ctx, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(cfg.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME (UTC)\tACTOR\tACTION\tENTITY\tKEY\tREQUEST")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.At.Format("2006-01-02 15:04:05"), e.Actor, e.Action, e.Entity,
			dashIfEmpty(e.EntityKey), dashIfEmpty(e.RequestID))
	}
	tw.Flush()
	fmt.Fprintf(cfg.Stdout, "%d / %d\n", len(entries), total)
	return nil
}

func dashIfEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
