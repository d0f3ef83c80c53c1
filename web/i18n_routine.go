package web

// routineMessages are the labels of 销号 and 督办 (routine.go) and of the
// exports (exports.go).
var routineMessages = map[string][2]string{
	"close.title":   {"销号", "Close"},
	"close.action":  {"销号…", "Close…"},
	"close.closed":  {"已销号", "closed"},
	"close.by":      {"%s 销号：%s", "closed by %s: %s"},
	"close.note":    {"销号说明", "Note"},
	"close.file":    {"证明材料（PDF、JPEG、PNG，10 MB 以内）", "Evidence (PDF, JPEG or PNG, at most 10 MB)"},
	"close.submit":  {"确认销号", "Close the warning"},
	"close.history": {"销号记录", "Closed warnings"},
	"close.none":    {"尚无销号记录", "No warning closed yet"},
	"close.who":     {"销号人", "Closed by"},
	"close.rule":    {"销号只对本月有效：下月规则仍成立的，作为新预警重新出现。", "A closure holds for this month only: a rule still true next month opens a new warning."},

	"sup.title":         {"督办", "Supervision"},
	"sup.intro":         {"领导或责任部门下达督办，项目业主或专班答复，下达方办结或退回；逾期未答复的排在最前。", "A leader or the responsible department instructs; the owner or the task force answers; the issuer closes or sends back. Overdue items come first."},
	"sup.issue":         {"下达督办…", "Issue an instruction…"},
	"sup.addressee":     {"督办对象", "Addressed to"},
	"sup.to.owner":      {"项目业主", "the owner enterprise"},
	"sup.to.task_force": {"产业专班", "the task force"},
	"sup.instruction":   {"督办要求", "Instruction"},
	"sup.due":           {"办理时限", "Due on"},
	"sup.submit":        {"下达", "Issue"},
	"sup.none":          {"没有督办事项", "No supervision items"},
	"sup.overdue":       {"逾期", "overdue"},
	"sup.meta":          {"%s 于 %s 下达 · 督办对象：%s · 时限 %s", "issued by %s on %s · to %s · due %s"},
	"sup.answer":        {"答复：", "Answer:"},
	"sup.history":       {"办理过程", "History"},
	"sup.note":          {"答复或意见", "Answer or remark"},
	"sup.status":        {"状态", "Status"},
	"sup.open":          {"未办结", "open"},
	"sup.act.issue":     {"下达", "issued"},
	"sup.act.answer":    {"答复", "Answer"},
	"sup.act.return":    {"退回", "Send back"},
	"sup.act.close":     {"办结", "Close"},

	"rep.district": {"区", "District"},
	"rep.industry": {"产业", "Industry"},
	"rep.xlsx":     {"下载调度会工作簿（XLSX）", "Download the meeting workbook (XLSX)"},
	"export.csv":   {"导出 CSV", "Export CSV"},
	"export.limit": {"导出当前筛选的全部记录（至多 %d 行）", "every record of the current filter (at most %d rows)"},
	"sup.total":    {"共 %d 项，第 %d / %d 页", "%d items, page %d of %d"},
	"wr.confirm":   {"确认删除此规则", "Yes, delete this rule"},
	"wr.danger":    {"删除规则…", "Delete the rule…"},
	"board.page":   {"第 %d / %d 页，共 %d 条预警", "page %d of %d, %d warnings"},
	"board.closed": {"本月已销号 %d 条（见项目页）", "%d closed this month (see the projects)"},
}

func init() { addMessages(routineMessages) }
