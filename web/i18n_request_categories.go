package web

func init() {
	addMessages(map[string][2]string{
		"cat.title":      {"诉求类别与办理时限", "Request categories and their time limits"},
		"cat.intro":      {"每类诉求的牵头部门（或按企业所属产业的牵头部门分派）与签收、答复、办结时限；时限按工作小时或工作日计，按工作日历跳过节假日。", "Each category's department in charge (or the lead department of the enterprise's industry) and its limits to acknowledge, answer and close, in working hours or days on the working-day calendar."},
		"cat.done":       {"已保存。", "Saved."},
		"cat.new":        {"新增类别", "New category"},
		"cat.id":         {"编号（小写字母、数字、_）", "Id (a-z, 0-9, _)"},
		"cat.namezh":     {"中文名称", "Chinese name"},
		"cat.nameen":     {"英文名称", "English name"},
		"cat.dept":       {"牵头部门", "Department in charge"},
		"cat.byindustry": {"按企业所属产业的牵头部门", "the lead department of the enterprise's industry"},
		"cat.ack":        {"签收时限", "Acknowledge within"},
		"cat.answer":     {"答复时限", "Answer within"},
		"cat.close":      {"办结时限", "Close within"},
		"cat.n":          {"数量", "Number"},
		"cat.unit":       {"单位", "Unit"},
		"cat.hours":      {"工作小时", "working hours"},
		"cat.days":       {"工作日", "working days"},
		"cat.yellow":     {"黄灯阈值（时限的千分比，1–999）", "Yellow past (‰ of the limit, 1–999)"},
		"cat.confirm":    {"企业确认期（工作日，1–60）", "Days for the enterprise to confirm (working days, 1–60)"},
		"cat.position":   {"排序", "Position"},
		"cat.save":       {"保存", "Save"},
	})
}
