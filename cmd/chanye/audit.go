package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chanye-org/chanye"
)

const auditHelp = `chanye audit <command> [flags]

审计日志：每次写入的操作人、对象、前后内容与时间，逐行以密钥哈希（HMAC-SHA-256）相连。
The audit log: who changed which record, before and after, when; each row
carries a keyed hash (HMAC-SHA-256) of itself and the row before it.

命令 / commands:
  verify      核验哈希链与预期链头，核对资金表，输出链头 / check the chain and an expected head, reconcile the money tables, print the head
  list        按条件列出记录（最新在前）/ list entries, newest first, with filters
  rotate-key  新增签名密钥，旧密钥保留用于核验 / add a signing key; older keys stay to verify older rows

"chanye audit <command> --help" 说明各命令 / explains each command.
`

func runAudit(ctx context.Context, cfg Config, args []string) error {
	return dispatch(ctx, cfg, args, "audit", auditHelp, map[string]func(context.Context, Config, []string) error{
		"verify":     runAuditVerify,
		"list":       runAuditList,
		"rotate-key": runAuditRotateKey,
	})
}

const auditVerifyHelp = `chanye audit verify [--chain K] [--expect [CHAIN:]ID:HASH]... [--db PATH] [--audit-key FILE]

审计日志是若干条链：0 号链属协调节点，1…N 号链各属一段统一社会信用代码（分布式数据库的分片），
各自独立核验；单机数据库只有 0 号链。逐行用审计密钥重算每条链，检查密钥文件记录的链头和
--expect 给出的链头（可多次给出，各属其链），再核对资金表（支付台账、批量计算、项目月报与投资、
企业财务数据）与审计记录是否一致。完好则输出 OK、行数和每条链的链头（head ID:HASH，
0 号以外的链为 head CHAIN:ID:HASH）；否则指出第一处问题所在的链和行并以非零状态退出，
其余各链照常核验并逐条报告。--chain K 只核验第 K 号链（不核对资金表）。把输出的链头另行保存，
下次以 --expect 传入：末尾被删除的行只有这样才能发现。

The log is several chains, each verified on its own: chain 0 is the
coordinator's, chains 1...N each hold a range of credit codes (the shards of
a distributed database); a single database has chain 0 only. Recomputes each
chain with the audit keys, checks the heads the key file pins and those given
with --expect (repeatable, each of its chain), then reconciles the money
tables (the payment ledger, policy runs, project reports and investment,
enterprise facts) with the log. Prints OK, the row count and each chain's
head (head ID:HASH; head CHAIN:ID:HASH for chains other than 0), or names the
chain and row of the first problem and exits non-zero; the other chains are
still verified, each reported. --chain K verifies chain K alone (without
reconciling the tables). Keep the printed heads somewhere else and pass them
with --expect next time: rows removed from the end of a chain are found only
that way.
`

// runAuditVerify prints the outcome and the heads, and fails unless the
// log is intact, so that the exit status says so.
func runAuditVerify(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "audit verify", auditVerifyHelp)
	var v chanye.AuditVerify
	fs.Func("expect", "预期链头 [CHAIN:]ID:HASH（之前 verify 输出的 head），可多次给出 / a head a previous verify printed, [CHAIN:]ID:HASH; repeatable", func(s string) error {
		h, err := chanye.ParseAuditHead(s)
		if err != nil {
			return err
		}
		v.Expect = append(v.Expect, h)
		return nil
	})
	chainFlag(fs, &v.Chain, "只核验第 K 号链 / verify chain K alone")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.AuditKeys == nil {
		return errors.New("核验需要审计密钥文件：--audit-key FILE 或 CHANYE_AUDIT_KEY_FILE / verification needs the audit key file: --audit-key FILE or CHANYE_AUDIT_KEY_FILE")
	}
	rep, err := store.VerifyAuditChains(ctx, v)
	if err != nil {
		return err
	}
	printAuditReport(cfg.Stdout, rep, v)
	if !rep.OK {
		return fmt.Errorf("审计日志核验失败（%s）/ audit log verification failed (%s)", rep.Problem, rep.Problem)
	}
	return nil
}

// auditRow names row id of chain: "row 7", or "chain 2 row 7".
func auditRow(chain int, id int64) string {
	if chain == 0 {
		return fmt.Sprintf("row %d", id)
	}
	return fmt.Sprintf("chain %d row %d", chain, id)
}

// printAuditReport writes the report: its first line is "OK N rows …" or
// "FAIL …", then each chain when there are several, the heads, the keys
// and what was reconciled. A log of chain 0 alone prints as before chains
// existed.
func printAuditReport(w io.Writer, rep *chanye.AuditReport, v chanye.AuditVerify) {
	// one is the chain of a report of one chain: the one verified, or the
	// only one there is.
	one := 0
	if v.Chain != nil {
		one = *v.Chain
	} else if len(rep.Chains) == 1 {
		one = rep.Chains[0].Chain
	}
	several := len(rep.Chains) > 1 || one != 0
	switch {
	case rep.OK && len(rep.Chains) > 1:
		fmt.Fprintf(w, "OK %d rows in %d chains\n", rep.Rows, len(rep.Chains))
	case rep.OK && one != 0:
		fmt.Fprintf(w, "OK %d rows (chain %d, last id %d)\n", rep.Rows, one, rep.LastID)
	case rep.OK:
		fmt.Fprintf(w, "OK %d rows (last id %d)\n", rep.Rows, rep.LastID)
	case rep.BadID > 0:
		fmt.Fprintf(w, "FAIL %s (%s): %s\n", auditRow(rep.BadChain, rep.BadID), rep.Problem, rep.Message)
	case rep.Problem != "reconcile" && rep.BadChain != 0:
		fmt.Fprintf(w, "FAIL chain %d (%s): %s\n", rep.BadChain, rep.Problem, rep.Message)
	default:
		fmt.Fprintf(w, "FAIL (%s): %s\n", rep.Problem, rep.Message)
	}
	if several {
		for _, c := range rep.Chains {
			switch {
			case !c.OK && c.BadID > 0:
				fmt.Fprintf(w, "chain %d: FAIL row %d (%s)\n", c.Chain, c.BadID, c.Problem)
			case !c.OK:
				fmt.Fprintf(w, "chain %d: FAIL (%s)\n", c.Chain, c.Problem)
			default:
				fmt.Fprintf(w, "chain %d: OK %d rows (last id %d)%s\n", c.Chain, c.Rows, c.LastID, keyList(", keys ", c.KeyIDs))
			}
		}
	}
	heads := 0
	for _, c := range rep.Chains {
		if c.Head != nil {
			fmt.Fprintf(w, "head %s\n", c.Head)
			heads++
		}
	}
	switch {
	case heads > 0:
	case v.Chain != nil:
		fmt.Fprintf(w, "head - (审计链 %d 为空 / chain %d is empty)\n", *v.Chain, *v.Chain)
	default:
		fmt.Fprintln(w, "head - (审计日志为空 / the log is empty)")
	}
	for _, e := range v.Expect {
		for _, c := range rep.Chains {
			if c.Chain == e.Chain && (c.OK || rep.Problem == "reconcile") {
				fmt.Fprintf(w, "expected head %s: found / 预期链头完好\n", e)
			}
		}
	}
	if rep.LegacyRows > 0 {
		fmt.Fprintf(w, "legacy rows 1–%d: unkeyed SHA-256 chain written before audit keys, pinned by the key file / 密钥启用前的无密钥旧链，由密钥文件固定\n", rep.LegacyRows)
	}
	var keys []int
	for _, c := range rep.Chains {
		keys = append(keys, c.KeyIDs...)
	}
	slices.Sort(keys)
	if keys = slices.Compact(keys); len(keys) > 0 {
		fmt.Fprintf(w, "signed with keys %s / 签名密钥\n", keyList("", keys))
	}
	if v.Chain != nil && rep.OK {
		fmt.Fprintln(w, "not reconciled: one chain verified; the money tables reconcile with all chains / 仅核验一条链，未核对资金表")
	}
	if len(rep.Reconciled) > 0 {
		fmt.Fprintf(w, "reconciled / 已核对: %s\n", tableCounts(rep.Reconciled))
	}
	if len(rep.Unreconciled) > 0 {
		fmt.Fprintf(w, "not reconciled, last written by an import or before the log / 未核对（最后由批量导入写入，或早于审计日志）: %s\n", tableCounts(rep.Unreconciled))
	}
	if rep.MismatchCount > 0 {
		fmt.Fprintf(w, "mismatches / 账实不符: %d\n", rep.MismatchCount)
		for _, m := range rep.Mismatches {
			fmt.Fprintf(w, "  %s %s %s: table %s, audit log %s\n", m.Table, m.Key, m.Field, m.Stored, m.Audited)
		}
		if more := rep.MismatchCount - len(rep.Mismatches); more > 0 {
			fmt.Fprintf(w, "  … %d more / 另有 %d 处\n", more, more)
		}
	}
}

// keyList formats key ids "1, 2" after prefix, "" for none.
func keyList(prefix string, ids []int) string {
	if len(ids) == 0 {
		return ""
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return prefix + strings.Join(s, ", ")
}

// tableCounts formats "table n, table n" in table order.
func tableCounts(m map[string]int) string {
	var parts []string
	for _, t := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", t, m[t]))
	}
	return strings.Join(parts, ", ")
}

const auditRotateHelp = `chanye audit rotate-key [--db PATH] [--audit-key FILE]

先核验审计日志，再在密钥文件中新增一把密钥（编号加一），此后各链的记录由新密钥签名；旧密钥保留，
用于核验旧记录，各链当前的链头写入密钥文件。轮换后把新文件分发到每个实例并重启它们：仍持旧文件的
进程会拒绝写入。

Verifies the log, then adds a key (the next id) to the key file: rows of
every chain from now on are signed with it; the older keys stay to verify
older rows, and each chain's current head is pinned in the file. Then copy the file to every instance and
restart them: a process still holding the old file refuses to write.
`

func runAuditRotateKey(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "audit rotate-key", auditRotateHelp)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	keys := db.AuditKeys
	if keys == nil {
		return errors.New("轮换需要审计密钥文件：--audit-key FILE 或 CHANYE_AUDIT_KEY_FILE / rotation needs the audit key file: --audit-key FILE or CHANYE_AUDIT_KEY_FILE")
	}
	rep, err := store.VerifyAudit(ctx, nil)
	if err != nil {
		return err
	}
	if !rep.OK {
		printAuditReport(cfg.Stdout, rep, chanye.AuditVerify{})
		return errors.New("审计日志核验失败，未轮换密钥 / the audit log does not verify: the key was not rotated")
	}
	// Every chain's head is pinned: chain 0's by Rotate, the others' by Pin.
	var pinned []chanye.AuditHead
	for _, c := range rep.Chains {
		if c.Chain != 0 && c.Head != nil {
			pinned = append(pinned, *c.Head)
		}
	}
	keys.Pin(pinned...)
	id, err := keys.Rotate(rep.Head)
	if err != nil {
		return err
	}
	if rep.Head != nil {
		pinned = append([]chanye.AuditHead{*rep.Head}, pinned...)
	}
	path := auditKeyPath(cfg, db)
	if err := replaceAuditKeys(path, keys); err != nil {
		return err
	}
	if err := store.RecordAuditKey(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已新增密钥 %d，写入 %s；请分发到每个实例并重启 / key %d added to %s: copy it to every instance and restart them\n", id, path, id, path)
	for _, h := range pinned {
		fmt.Fprintf(cfg.Stdout, "pinned head %s\n", h)
	}
	return nil
}

func runAuditList(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "audit list", "chanye audit list [--actor A] [--entity E] [--key K] [--action X] [--chain K] [--from DATE] [--to DATE] [--limit N] [--offset N]\n\n"+
		"列出审计记录，最新在前；0 号以外的链的记录编号为 CHAIN:ID / lists audit entries, newest first; entries of chains other than 0 are numbered CHAIN:ID.\n")
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
	chainFlag(fs, &f.Chain, "只列第 K 号链 / entries of chain K only")
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Ref(), e.At.Format("2006-01-02 15:04:05"), e.Actor, e.Action, e.Entity,
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

// chainFlag defines --chain K, an audit chain's number (0 or more), set
// into *chain when given.
func chainFlag(fs *flag.FlagSet, chain **int, usage string) {
	fs.Func("chain", usage, func(s string) error {
		k, err := strconv.Atoi(s)
		if err != nil || k < 0 {
			return fmt.Errorf("审计链编号为 0 或正整数 / a chain is 0 or more, not %q", s)
		}
		*chain = &k
		return nil
	})
}
