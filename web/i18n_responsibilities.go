package web

// responsibilityMessages are the labels of the responsibilities page and
// the managed lists (responsibilities.go).
var responsibilityMessages = map[string][2]string{
	"nav.responsibilities":   {"责任分工", "Responsibilities"},
	"resp.page.title":        {"产业责任分工", "Who owns each industry"},
	"resp.page.intro":        {"每个产业由一位市领导、一个牵头部门和一个工作专班负责。从名单中选择后逐行保存；名单在此维护：", "Each industry has one city leader, one lead department and one task force. Choose from the lists and save each row; the lists are kept on"},
	"resp.page.own":          {"本部门牵头的产业可在此调整责任分工；其他产业仅供查看。", "You may change the owners of the industries your department leads; the others are shown for reference."},
	"resp.page.industry":     {"产业", "Industry"},
	"resp.page.save":         {"保存", "Save"},
	"resp.page.saved":        {"已保存：%s", "Saved: %s"},
	"resp.page.savedshort":   {"已保存", "Saved"},
	"resp.page.failed":       {"%s 未保存：%s", "%s was not saved: %s"},
	"resp.page.notyours":     {"非本部门牵头", "Not led by your department"},
	"lists.title":            {"名单管理", "Lists"},
	"lists.intro":            {"市领导、部门和工作专班的名单。顺序即各处（筛选、记分卡、页面）的显示顺序，由管理员排定，不按笔画或拼音；改名会同步到引用该名称的产业、账号和项目；已停用的名称不能再被选用，仍在使用的名称不能停用。", "The lists of city leaders, departments and task forces. Their order is the order shown everywhere (filters, scorecards, pages), set by administrators rather than by code point or pinyin; a rename is carried to the industries, accounts and projects naming it; a retired name cannot be chosen again, and a name in use cannot be retired."},
	"lists.kind.leader":      {"市领导", "City leaders"},
	"lists.kind.department":  {"部门", "Departments"},
	"lists.kind.task_force":  {"工作专班", "Task forces"},
	"lists.intro.leader":     {"按排序先后显示，如 市领导甲、乙、丙。", "Shown in this order, for instance by protocol rank."},
	"lists.intro.department": {"牵头部门、部门账号和政策主管部门均从此名单选择。政策文本写明的部门不能改名（政策文本不改写），可新增部门。", "Lead departments, department accounts and the departments of policies choose from this list. A department named by a policy text cannot be renamed (policy texts are not rewritten): add a new one instead."},
	"lists.intro.task_force": {"每个产业一个工作专班。", "One task force per industry."},
	"lists.position":         {"顺序", "Order"},
	"lists.name":             {"名称", "Name"},
	"lists.name_zh":          {"中文名称", "Chinese name"},
	"lists.name_en":          {"英文名称", "English name"},
	"lists.status":           {"状态", "Status"},
	"lists.order":            {"调整顺序", "Move"},
	"lists.state":            {"停用", "Retire"},
	"lists.active":           {"使用中", "Active"},
	"lists.retired":          {"已停用", "Retired"},
	"lists.rename":           {"保存名称", "Save name"},
	"lists.up":               {"上移", "Up"},
	"lists.down":             {"下移", "Down"},
	"lists.up.label":         {"上移 %s", "Move %s up"},
	"lists.down.label":       {"下移 %s", "Move %s down"},
	"lists.retire":           {"停用", "Retire"},
	"lists.restore":          {"恢复", "Restore"},
	"lists.add":              {"添加到%s", "Add to %s"},
	"lists.empty":            {"名单为空。", "The list is empty."},
	"lists.done":             {"已保存：%s", "Saved: %s"},
	"lists.notlisted":        {"%s（不在名单中）", "%s (not on the list)"},
}

func init() {
	for k, v := range responsibilityMessages {
		if _, dup := messages[k]; dup {
			panic("web: message " + k + " defined twice")
		}
		messages[k] = v
	}
}
