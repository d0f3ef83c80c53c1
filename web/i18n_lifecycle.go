package web

// lifecycleMessages are the labels of the lifecycle pages (lifecycle.go),
// the reply and payment lines of the enterprise's page and the public
// list's issuer, contact and search. They join messages at start, kept in
// a table of their own so that the pages' labels stay beside each other.
var lifecycleMessages = map[string][2]string{
	"nav.lifecycle": {"办理", "Processing"},

	"lc.all":      {"全部", "All"},
	"lc.open":     {"办理", "Open"},
	"lc.run":      {"第 %d 批", "run %d"},
	"lc.asof":     {"基准日 %s", "as of %s"},
	"lc.until":    {"至 %s", "until %s"},
	"lc.more":     {"另有 %d 项未列出；“全部”按钮对全部生效。", "%d more not listed; the “all” button acts on every one."},
	"lc.ready":    {"待审批", "Ready to approve"},
	"lc.objected": {"另有 %d 项有异议待处理，处理前不能审批。", "%d more are objected to and cannot be approved until answered."},

	"lc.obj.title":      {"异议处理", "Objections"},
	"lc.obj.intro":      {"企业在公示期内提出的异议。处理中的排在最前；答复内容会显示在企业的“惠企政策”页。", "Objections raised within a publicity window, open ones first; the reply is shown on the enterprise's policies page."},
	"lc.obj.none":       {"没有符合条件的异议", "No objection matches"},
	"lc.obj.one":        {"异议 #%d", "Objection #%d"},
	"lc.obj.reason":     {"企业的理由", "The enterprise's reason"},
	"lc.obj.reply":      {"答复", "Reply"},
	"lc.obj.decision":   {"决定及依据", "The decision and its grounds"},
	"lc.obj.nodecision": {"该政策在本批次中没有本企业的判定说明。", "No explanation of this policy for the enterprise in this run."},
	"lc.obj.answer":     {"答复异议", "Answer the objection"},
	"lc.obj.replytext":  {"答复内容（企业可见）", "Reply (the enterprise sees it)"},
	"lc.obj.replynote":  {"异议成立：撤回本决定，可更正企业数据后重新判定。异议不成立：决定维持，重新进入公示名单。", "Upheld: the decision is withdrawn; correct the figures and decide again. Rejected: the decision stands and returns to the public list."},
	"lc.obj.uphold":     {"异议成立", "Uphold"},
	"lc.obj.reject":     {"异议不成立", "Reject"},

	"lc.done.uphold":    {"已答复：异议成立，决定已撤回。可在下方更正数据并重新判定。", "Answered: upheld, the decision is withdrawn. Correct the figures below and decide again."},
	"lc.done.reject":    {"已答复：异议不成立，决定维持。", "Answered: rejected, the decision stands."},
	"lc.done.corrected": {"数据已更正并记入企业库。请重新判定。", "The figures are corrected in the registry. Decide again."},
	"lc.done.approved":  {"已审批 %s 项。", "Approved %s decisions."},
	"lc.done.paid":      {"已记录 %s 笔支付。", "Recorded %s payments."},
	"lc.done.reversed":  {"已冲销，企业页将显示冲销原因。", "Reversed; the enterprise's page shows the reason."},

	"lc.err.reply":    {"请填写答复内容", "Write the reply"},
	"lc.err.decision": {"请选择异议成立或不成立", "Choose uphold or reject"},
	"lc.err.year":     {"请选择年度", "Choose the fiscal year"},
	"lc.err.figure":   {"请选择数据项", "Choose the figure"},
	"lc.err.form":     {"未保存，请修改标出的内容", "Not saved; correct what is marked"},

	"lc.fix.title":  {"更正企业数据", "Correct the enterprise's figures"},
	"lc.fix.note":   {"作为一份新的年度数据写入企业库，注明来源和数据日期，记入审计日志；原有数据保留。", "Written to the registry as a new report of the year with its source and date, and audited; the earlier reports are kept."},
	"lc.fix.year":   {"年度", "Fiscal year"},
	"lc.fix.figure": {"数据项", "Figure"},
	"lc.fix.value":  {"新数值", "New value"},
	"lc.fix.unit":   {"单位", "Unit"},
	"lc.fix.source": {"来源（如 企业提交的审计报告）", "Source (such as the audited accounts the enterprise sent)"},
	"lc.fix.asof":   {"数据日期", "As of"},
	"lc.fix.submit": {"保存更正", "Save the correction"},
	"lc.unit.wan":   {"万元", "10k yuan"},
	"lc.unit.yuan":  {"元", "yuan"},
	"lc.unit.count": {"个/人/件（计数）", "count"},

	"lc.redecide.title":  {"重新判定", "Decide again"},
	"lc.redecide.note":   {"按更正后的数据，以原批次的基准日 %s 对本企业重新判定该政策，结果作为单独一批保存，随后照常公示、审批（另一人）和支付；已支付的只补差额。", "Decides the policy again for this enterprise on the corrected figures, as of the run's day %s, stored as a run of its own; it is then publicised, approved (by another person) and paid as usual, and only the difference to what was paid is paid."},
	"lc.redecide.submit": {"重新判定", "Decide again"},

	"lc.events":           {"办理记录", "History"},
	"lc.events.at":        {"时间", "When"},
	"lc.events.action":    {"事项", "What"},
	"lc.events.by":        {"经办人", "By"},
	"lc.events.note":      {"说明", "Note"},
	"lc.action.publicise": {"公示", "publicised"},
	"lc.action.object":    {"提出异议", "objected"},
	"lc.action.uphold":    {"异议成立", "upheld"},
	"lc.action.reject":    {"异议不成立", "rejected"},
	"lc.action.approve":   {"审批", "approved"},
	"lc.action.pay":       {"支付", "paid"},
	"lc.action.adjust":    {"补差", "adjusted"},
	"lc.action.reverse":   {"冲销", "reversed"},
	"lc.action.correct":   {"更正数据", "figures corrected"},

	"lc.approvals.title":   {"审批", "Approvals"},
	"lc.approvals.one":     {"审批：%s（第 %d 批）", "Approve: %s (run %d)"},
	"lc.approvals.intro":   {"公示期满、无异议的决定，按批次和政策审批。审批人须与运行批量计算、公示名单的人不同（四眼原则）。", "Decisions whose publicity ended without objection, approved per run and policy. The approver must be another person than the one who ran the run or publicised the list (four-eyes rule)."},
	"lc.approvals.none":    {"没有待审批的决定", "Nothing to approve"},
	"lc.approvals.waiting": {"公示期至 %s，期满后方可审批。", "Under publicity until %s; approval follows."},
	"lc.approve.selected":  {"审批所选", "Approve the selected"},
	"lc.approve.all":       {"全部审批（%d 项）", "Approve all (%d)"},
	"lc.fourEyes":          {"四眼原则：运行本批次或公示本名单的人不能审批。", "Four-eyes rule: whoever ran this run or publicised this list may not approve it."},
	"lc.department":        {"主管部门", "Administered by"},
	"lc.budget":            {"预算（元）", "Budget (yuan)"},
	"lc.budget.left":       {"审批全部待审批项后余 %s 元", "%s yuan left once everything ready is approved"},
	"lc.budget.none":       {"未设预算", "No budget set"},
	"lc.pairs.none":        {"近期批次中没有公示过的政策", "No policy of the recent runs was publicised"},

	"lc.payments.title": {"支付", "Payments"},
	"lc.payments.one":   {"支付：%s（第 %d 批）", "Pay: %s (run %d)"},
	"lc.payments.intro": {"已审批的决定，按国库支付后登记支付日期、凭证号和银行批次号；可下载支付文件（CSV、XLSX）导入国库系统。", "Approved decisions: record the day, the voucher and the bank batch once the treasury has paid; download the payment file (CSV, XLSX) for the treasury system."},
	"lc.payments.none":  {"没有已审批或已支付的决定", "Nothing approved or paid"},
	"lc.file":           {"支付文件", "Payment file"},
	"lc.file.note":      {"已支付的含批次号和凭证号；待支付的留空，金额为仍应支付的部分。", "Paid rows carry batch and voucher; rows to pay leave them empty, with the amount still owed."},
	"lc.pay.legend":     {"登记支付", "Record a payment"},
	"lc.pay.paidon":     {"支付日期", "Paid on"},
	"lc.pay.voucher":    {"凭证号", "Voucher no."},
	"lc.pay.batch":      {"银行批次号", "Bank batch no."},
	"lc.pay.selected":   {"登记所选", "Record the selected"},
	"lc.pay.all":        {"全部登记（%d 项）", "Record all (%d)"},
	"lc.pay.reference":  {"支付信息", "Reference"},
	"lc.pay.ref":        {"%s · 凭证号 %s · 批次号 %s", "%s · voucher %s · batch %s"},
	"lc.reverse.title":  {"冲销", "Reverse a payment"},
	"lc.reverse.which":  {"已支付的决定", "Paid decision"},
	"lc.reverse.reason": {"冲销原因（企业可见）", "Reason (the enterprise sees it)"},
	"lc.reverse.submit": {"冲销", "Reverse"},

	"lc.ep.reply":    {"答复", "Reply"},
	"lc.ep.paid":     {"已拨付 %s · 凭证号 %s · 批次号 %s", "Paid %s · voucher %s · batch %s"},
	"lc.ep.paidold":  {"已拨付", "Paid"},
	"lc.ep.reversed": {"已冲回 %s：%s", "Reversed %s: %s"},

	"lc.pub.issuer":  {"发文单位", "Issued by"},
	"lc.pub.contact": {"异议受理", "Objections to"},
	"lc.pub.phone":   {"电话 %s", "phone %s"},
	"lc.pub.email":   {"邮箱 %s", "e-mail %s"},
	"lc.pub.form":    {"在线提出异议", "object online"},
	"lc.pub.search":  {"企业名称或信用代码", "Company name or credit code"},
}

func init() {
	for k, v := range lifecycleMessages {
		if _, dup := messages[k]; dup {
			panic("web: message " + k + " defined twice")
		}
		messages[k] = v
	}
}
