package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
)

const projectHelp = `chanye project <command> [flags]

重点项目的日常工作：预警巡检、销号、督办。命令以操作员（管理员）身份执行并记入审计日志。
Key projects as routine work: the red sweep, closing warnings (销号) and
supervision (督办). Commands act as the operator (an admin) and are audited.

命令 / commands:
  sweep                            巡检：对今天转为红色的项目发通知（serve 每小时自动执行）/ tell of projects turned red today (serve runs it hourly)
  close --project ID --rule RULE --note TEXT --evidence FILE
                                   销号：关闭项目当月的一条预警，附说明和证明材料 / close a warning of this month with a note and an evidence file
  closures --project ID            列出项目的销号记录 / list a project's closures
  supervise --project ID --to owner|task_force --due DATE --instruction TEXT
                                   督办：向业主或专班下达督办事项 / issue a supervision item to the owner or the task force
  supervisions [--project ID] [--status S] [--open]
                                   列出督办事项，逾期在前 / list supervision items, overdue first
  supervision answer|return|close ID --note TEXT
                                   答复、退回或办结督办事项 / answer, send back or close an item

"chanye project <command> --help" 说明各命令 / explains each command.
`

func runProject(ctx context.Context, cfg Config, args []string) error {
	return dispatch(ctx, cfg, args, "project", projectHelp, map[string]func(context.Context, Config, []string) error{
		"sweep":        runProjectSweep,
		"close":        runProjectClose,
		"closures":     runProjectClosures,
		"supervise":    runProjectSupervise,
		"supervisions": runProjectSupervisions,
		"supervision":  runProjectSupervision,
	})
}

func runProjectSweep(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "project sweep", "chanye project sweep [--db PATH]\n\n按今天的日期计算每个项目的颜色，对上次巡检后转为红色的项目通知业主、专班和责任部门；同一天重复执行不重复通知。\nEvaluates every project as of today and tells the owner, the task force and the\nresponsible department of each one turned red since the last sweep; a second\nsweep the same day tells no one twice.\n")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	sw, err := store.SweepRed(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "巡检 / swept %d 个项目 projects: 颜色变化 changed %d, 转为红色并已通知 turned red and told %d\n", sw.Projects, sw.Changed, sw.TurnedRed)
	return nil
}

func runProjectClose(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "project close", "chanye project close --project ID --rule RULE --note TEXT --evidence FILE [--db PATH]\n\n销号：关闭项目当月的一条预警（规则编号见预警看板），证明材料为 PDF、JPEG 或 PNG，至多 10 MB。\nCloses this month's warning of a rule on a project (rule ids as on the warning\nboard); the evidence is a PDF, JPEG or PNG of at most 10 MB.\n")
	pid := fs.String("project", "", "项目编号 / project id")
	rule := fs.String("rule", "", "预警规则编号 / warning rule id")
	note := fs.String("note", "", "销号说明 / the note")
	evidence := fs.String("evidence", "", "证明材料文件 / evidence file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *pid == "" || *rule == "" {
		return errors.New("须给出 --project 和 --rule / give --project and --rule")
	}
	var up project.Upload
	if *evidence != "" {
		data, err := os.ReadFile(*evidence)
		if err != nil {
			return err
		}
		up = project.Upload{Name: filepath.Base(*evidence), ContentType: http.DetectContentType(data), Data: data}
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := store.CloseWarning(ctx, *pid, *rule, *note, up)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已销号 / closed: 项目 project %s, 规则 rule %s, %s 月 month, 记录 record %d\n  %s\n", c.ProjectID, c.RuleID, c.Month, c.ID, c.MessageZH)
	return nil
}

func runProjectClosures(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "project closures", "chanye project closures --project ID [--db PATH]\n\n列出项目的销号记录。/ Lists a project's closures.\n")
	pid := fs.String("project", "", "项目编号 / project id")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *pid == "" {
		return errors.New("须给出 --project / give --project")
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := store.FindClosures(ctx, *pid)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(cfg.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "编号 id\t月份 month\t规则 rule\t颜色 colour\t销号人 by\t时间 at\t说明 note\t材料 file")
	for _, c := range cs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s (%d B)\n", c.ID, c.Month, c.RuleID, c.Colour, c.ClosedBy, c.ClosedAt.Format("2006-01-02 15:04"), c.Note, c.File.Name, c.File.Size)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "共 / total %d\n", len(cs))
	return nil
}

func runProjectSupervise(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "project supervise", "chanye project supervise --project ID --to owner|task_force --due YYYY-MM-DD --instruction TEXT [--db PATH]\n\n督办：向项目业主（owner）或产业专班（task_force）下达督办事项，限期答复（至多一年后）。\nIssues a supervision item to the project's owner or its industry's task force,\nto be answered by the due date (at most a year ahead).\n")
	pid := fs.String("project", "", "项目编号 / project id")
	to := fs.String("to", "owner", "owner（业主）或 task_force（专班）/ owner or task_force")
	due := fs.String("due", "", "答复期限 / due date")
	text := fs.String("instruction", "", "督办内容 / the instruction")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	dueOn, err := dateFlag(*due)
	if err != nil {
		return fmt.Errorf("--due: %w", err)
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	sv, err := store.CreateSupervision(ctx, &project.Supervision{ProjectID: *pid, Addressee: project.Addressee(*to), DueOn: dueOn, Instruction: *text})
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已督办 / issued: 事项 item %d, 项目 project %s, 期限 due %s\n", sv.ID, sv.ProjectID, sv.DueOn)
	return nil
}

func runProjectSupervisions(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "project supervisions", "chanye project supervisions [--project ID] [--status issued|answered|returned|closed] [--open] [--db PATH]\n\n列出督办事项：未办结在前，逾期的更前，再按期限。/ Lists supervision items: open first, overdue before the others, then by due date.\n")
	pid := fs.String("project", "", "项目编号 / project id")
	status := fs.String("status", "", "状态 / status")
	open_ := fs.Bool("open", false, "只列未办结 / only items not closed")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	f := project.SupervisionFilter{Open: *open_}
	if *pid != "" {
		f.ProjectID = pid
	}
	if *status != "" {
		st := project.SupStatus(*status)
		if !st.Valid() {
			return fmt.Errorf("--status %q 须为 issued、answered、returned 或 closed / must be issued, answered, returned or closed", *status)
		}
		f.Status = &st
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	tw := tabwriter.NewWriter(cfg.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "编号 id\t项目 project\t对象 to\t状态 status\t期限 due\t下达 by\t督办内容 instruction")
	total := 0
	err = chanye.EachPage(1000, func(off, limit int) ([]*project.Supervision, int, error) {
		f.Offset, f.Limit = off, limit
		items, n, err := store.FindSupervisions(ctx, f)
		total = n
		return items, n, err
	}, func(items []*project.Supervision) error {
		for _, sv := range items {
			status := sv.Status.NameZH()
			if sv.Overdue {
				status += "（逾期）"
			}
			fmt.Fprintf(tw, "%d\t%s %s\t%s\t%s\t%s\t%s\t%s\n", sv.ID, sv.ProjectID, sv.ProjectName, sv.Addressee, status, sv.DueOn, sv.IssuedBy, sv.Instruction)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "共 / total %d\n", total)
	return nil
}

func runProjectSupervision(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "project supervision", "chanye project supervision answer|return|close ID --note TEXT [--db PATH]\n\n答复（业主或专班）、退回或办结（下达者）一项督办事项，说明必填。\nAnswers (the owner or the task force), sends back or closes (the issuer) a\nsupervision item; the note is required.\n")
	note := fs.String("note", "", "答复或说明 / the answer or note")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New("须给出动作和编号，如 answer 12 / give the action and the id, e.g. answer 12")
	}
	action := project.SupAction(pos[0])
	switch action {
	case project.SupAnswer, project.SupReturn, project.SupClose:
	default:
		return fmt.Errorf("动作 %q 须为 answer、return 或 close / the action %q must be answer, return or close", pos[0], pos[0])
	}
	var id int64
	if _, err := fmt.Sscan(pos[1], &id); err != nil || id <= 0 {
		return fmt.Errorf("编号 %q 须为正整数 / the id %q must be a positive integer", pos[1], pos[1])
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	sv, err := store.MoveSupervision(ctx, id, action, *note)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "督办事项 / item %d: %s / %s\n", sv.ID, sv.Status.NameZH(), sv.Status.NameEN())
	return nil
}
