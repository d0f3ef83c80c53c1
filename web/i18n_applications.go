package web

// applicationMessages are the labels of the 快申快享 application pages
// (applications.go) and of the applications on the enterprise's page.
var applicationMessages = map[string][2]string{
	"app.queue":       {"快申快享审核", "Applications"},
	"app.queue.intro": {"企业为政策所需数据提交的申报。审核中的排在最前，按截止日先后；逾期的标红。工作日按周一至周五计。", "Applications giving the figures a policy needs. Those in review come first, nearest deadline first; overdue ones are marked. Working days are Monday to Friday."},
	"app.none":        {"没有符合条件的申报", "No application matches"},
	"app.one":         {"申报 #%d", "Application #%d"},
	"app.for":         {"快申快享申报：%s", "Application: %s"},
	"app.figures":     {"申报数据", "Figures"},
	"app.due":         {"审核截止", "Review due"},
	"app.submitted":   {"提交于", "submitted"},
	"app.overdue":     {"已逾期", "Overdue"},
	"app.review":      {"主管部门在提交后 %d 个工作日内审核。", "The department reviews within %d working days of submission."},
	"app.returned":    {"退回原因", "Returned"},
	"app.form.note":   {"金额可按元（两位小数）或万元（六位小数）填写，精确换算到分；比例按百分数填写；留空表示暂不填写。", "Money in yuan (two decimals) or 10k yuan (six decimals), converted exactly to the fen; ratios in percent; leave a field blank to fill it in later."},
	"app.fromproject": {"（重点项目已登记的，以项目为准）", "(a figure the key project records comes first)"},
	"app.yes":         {"是", "Yes"},
	"app.no":          {"否", "No"},
	"app.save":        {"保存草稿", "Save draft"},
	"app.savesubmit":  {"保存并提交", "Save and submit"},
	"app.submit":      {"提交审核", "Submit for review"},
	"app.withdraw":    {"撤回申报", "Withdraw"},
	"app.files":       {"附件", "Attachments"},
	"app.nofiles":     {"尚无附件", "No attachment yet"},
	"app.file":        {"上传附件（PDF、JPEG 或 PNG，每个不超过 %d MB，至多 %d 个）", "Attach a file (PDF, JPEG or PNG, at most %d MB each, %d files)"},
	"app.upload":      {"上传", "Upload"},
	"app.reviewit":    {"审核", "Review"},
	"app.reason":      {"意见（退回时必填，企业可见）", "Note (required to return; the enterprise sees it)"},
	"app.accept":      {"采纳", "Accept"},
	"app.return":      {"退回", "Return"},
	"app.apply":       {"填报", "Apply"},
	"app.open":        {"查看申报", "Open"},
	"app.ep.title":    {"快申快享", "Applications"},
	"app.ep.note":     {"以下政策需要企业提供登记数据以外的数字。填报并提交后由主管部门审核；采纳后按同一规则重新判定。", "These policies need figures beyond the registry. Fill them in and submit; once the department accepts them, the same rules decide again."},
	"app.ep.needs":    {"所需数据", "Figures needed"},
	"app.nav":         {"我的申报", "My applications"},

	"pol.inputs":                 {"所需数据（登记数据以外）", "Declared inputs (beyond the registry)"},
	"pol.inputs.type":            {"类型", "Type"},
	"pol.inputs.from":            {"来源（按优先顺序）", "Sources (first wins)"},
	"pol.inputs.money":           {"金额", "money"},
	"pol.inputs.int":             {"整数", "integer"},
	"pol.inputs.ratio":           {"比例", "ratio"},
	"pol.inputs.date":            {"日期", "date"},
	"pol.inputs.bool":            {"是否", "yes/no"},
	"pol.inputs.src.project":     {"重点项目", "key project"},
	"pol.inputs.src.application": {"快申快享申报", "application"},
	"pol.inputs.review":          {"申报由主管部门在提交后 %d 个工作日内审核。", "Applications are reviewed within %d working days of submission."},

	"proj.inputs":           {"政策所需数据", "Figures policies read"},
	"proj.inputs.note":      {"技术改造等政策按项目的设备、厂房建设投资额与竣工日期判定；此处登记的数据优先于企业申报（留空为未知，不按 0 计）。", "Policies such as the technical retrofit read the project's equipment and plant construction investment and its completion date; figures recorded here come before the enterprise's application (blank is unknown, never 0)."},
	"proj.inputs.equipment": {"设备投资额", "Equipment investment"},
	"proj.inputs.plant":     {"厂房建设投资额", "Plant construction investment"},
	"proj.inputs.finished":  {"竣工日期", "Completion date"},
	"proj.inputs.unknown":   {"未登记", "not recorded"},
	"proj.inputs.edit":      {"登记或修改", "Record or change"},
	"proj.inputs.unit":      {"金额单位", "Unit of the amounts"},
	"proj.inputs.save":      {"保存", "Save"},

	"app.bounds.money": {"0 元至 100 万亿元，元至多两位小数，万元至多六位", "0 to 10^14 yuan, at most two decimals in yuan, six in 10k yuan"},
	"app.bounds.int":   {"0 至 1 亿的整数", "A whole number from 0 to 100,000,000"},
	"app.bounds.ratio": {"0% 至 100%", "0 % to 100 %"},
	"app.bounds.date":  {"不早于 1949-10-01", "Not before 1949-10-01"},
	"app.bounds.bool":  {"是或否", "Yes or no"},

	"app.err.to":     {"未知的操作", "Unknown action"},
	"app.err.reason": {"退回须写明原因", "Give the reason for returning it"},
	"app.err.file":   {"请选择要上传的文件", "Choose a file to upload"},

	"app.done.saved":     {"已保存草稿。", "Draft saved."},
	"app.done.submitted": {"已提交，等待主管部门审核。", "Submitted; the department reviews it."},
	"app.done.withdrawn": {"已撤回。", "Withdrawn."},
	"app.done.accepted":  {"已采纳：下一次批量计算或重新判定按申报数据判定。", "Accepted: the next run or re-decision decides with these figures."},
	"app.done.returned":  {"已退回，企业可修改后重新提交。", "Returned; the enterprise may change and resubmit it."},
	"app.done.attached":  {"已上传附件。", "File attached."},

	"astatus.draft":     {"草稿", "Draft"},
	"astatus.submitted": {"审核中", "In review"},
	"astatus.returned":  {"已退回", "Returned"},
	"astatus.accepted":  {"已采纳", "Accepted"},
	"astatus.withdrawn": {"已撤回", "Withdrawn"},

	"app.action.create":   {"创建", "created"},
	"app.action.save":     {"保存", "saved"},
	"app.action.attach":   {"上传附件", "attached"},
	"app.action.submit":   {"提交", "submitted"},
	"app.action.accept":   {"采纳", "accepted"},
	"app.action.return":   {"退回", "returned"},
	"app.action.withdraw": {"撤回", "withdrawn"},
}

func init() {
	for k, v := range applicationMessages {
		if _, dup := messages[k]; dup {
			panic("web: message " + k + " defined twice")
		}
		messages[k] = v
	}
}
