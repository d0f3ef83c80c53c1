package web

// homeMessages are the labels of the roles' homes: 我的待办 (todo.go) for
// officials and the sections 我的企业 adds to an enterprise's own profile.
var homeMessages = map[string][2]string{
	"nav.todo":               {"我的待办", "My tasks"},
	"todo.title":             {"我的待办", "My tasks"},
	"todo.intro":             {"等待您处理的事项（范围：%s）。每类列出最早的几项，点标题进入完整队列。", "What waits on you (scope: %s). Each kind lists the first few; its title opens the whole queue."},
	"todo.scope.city":        {"全市", "the whole city"},
	"todo.empty":             {"目前没有等待您处理的事项。", "Nothing waits on you now."},
	"todo.none":              {"无", "None"},
	"todo.more":              {"查看全部 %d 项", "See all %d"},
	"todo.decisions":         {"%s：%d 项", "%s: %d"},
	"todo.approve":           {"待审批", "To approve"},
	"todo.approve.note":      {"公示期已满、无异议的免申即享决定，等待审批。", "No-application decisions whose publicity has ended without objection, waiting for approval."},
	"todo.pay":               {"待拨付", "To pay"},
	"todo.pay.note":          {"已审批、尚未拨付的决定。", "Approved decisions not yet paid."},
	"todo.objections":        {"待答复异议", "Objections to answer"},
	"todo.objections.note":   {"企业对决定提出的异议，最早的在前。", "Objections raised by enterprises, the oldest first."},
	"todo.applications":      {"待审核申报", "Applications to check"},
	"todo.applications.note": {"企业已提交、等待审核的申报，期限最近的在前。", "Applications submitted and waiting for review, the nearest deadline first."},
	"todo.red":               {"红色预警项目", "Red projects"},
	"todo.red.note":          {"按预警规则为红色的重点项目。", "Key projects the warning rules mark red."},
	"todo.overdue":           {"逾期节点", "Overdue nodes"},
	"todo.overdue.note":      {"已过计划日期仍未完成的项目节点，逾期最久的在前；部门看本部门负责的项目，专班看本产业的项目，与记分卡的口径一致。", "Project nodes past their planned date and not done, the longest overdue first: a department's the projects it answers for, a task force's its industry's, as the scorecards count them."},
	"todo.overdue.item":      {"%s · %s", "%s · %s"},
	"todo.overdue.sub":       {"计划 %s，逾期 %d 天", "planned %s, %d days late"},
	"todo.sup":               {"督办事项", "Supervision items"},
	"todo.sup.note":          {"您范围内未办结的督办事项，逾期的在前：待您答复的，或已答复、待您办结的。", "Open supervision items in your scope, overdue first: to answer, or answered and waiting for you to close."},
	"todo.sup.sub":           {"%s · 期限 %s", "%s · due %s"},
	"todo.leadsup":           {"招商线索督办", "Supervision of 招商 leads"},
	"todo.leadsup.note":      {"您范围内未办结的招商线索督办，逾期的在前：待您（线索跟进单位）答复的，或已答复、待您办结的。", "Open supervision items of 招商 leads in your scope, overdue first: to answer as the lead's owner, or answered and waiting for you to close."},
	"home.summary":           {"概要", "Summary"},
	"home.projects":          {"本企业的重点项目", "This enterprise's key projects"},
	"home.projects.none":     {"本企业没有登记重点项目。", "No key project of this enterprise is registered."},
	"home.benefits":          {"惠企政策与兑现", "Benefits and payments"},
	"home.benefits.link":     {"查看判定、申报、异议与拨付", "See decisions, applications, objections and payments"},
}

func init() { addMessages(homeMessages) }
