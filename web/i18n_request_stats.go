package web

func init() {
	addMessages(map[string][2]string{
		"rs.title":           {"企业诉求办理公开统计", "Enterprise requests: open figures"},
		"rs.intro":           {"诉求的受理、签收、办结与评价情况，按类别、牵头部门、产业或分管市领导汇总；只有数字，不含任何企业名称。同样的数据：", "How requests are taken in, acknowledged, closed and rated, by category, lead department, industry or city leader; figures only, never an enterprise's name. The same as"},
		"rs.groupings":       {"汇总口径", "Groupings"},
		"rs.by.category":     {"诉求类别", "Category"},
		"rs.by.department":   {"牵头部门", "Lead department"},
		"rs.by.industry":     {"产业", "Industry"},
		"rs.by.leader":       {"分管市领导", "City leader"},
		"rs.none.category":   {"（无类别）", "(no category)"},
		"rs.none.department": {"（未分派）", "(not routed)"},
		"rs.none.industry":   {"（不属于任何产业）", "(no industry)"},
		"rs.none.leader":     {"（未指定）", "(none assigned)"},
		"rs.requests":        {"诉求", "Requests"},
		"rs.open":            {"办理中", "Open"},
		"rs.overdue":         {"超时", "Overdue"},
		"rs.closed":          {"已办结", "Closed"},
		"rs.ontime":          {"按时办结率", "Closed on time"},
		"rs.ackontime":       {"按时签收率", "Acknowledged on time"},
		"rs.reopen":          {"重办率", "Reopened"},
		"rs.content":         {"满意率", "Satisfied"},
		"rs.acktime":         {"平均签收用时", "Mean time to acknowledge"},
		"rs.closetime":       {"平均办结用时", "Mean time to close"},
		"rs.minutes":         {"%d 分钟", "%d min"},
		"rs.hours":           {"%d 小时", "%d h"},
		"rs.total":           {"合计", "Total"},
		"rs.demo":            {"其中 %d 件为演示数据（合成，非真实诉求）。", "%d of these are demo data (synthetic, not real requests)."},
		"rs.notes":           {"按时：在该类别的办结时限内办结（工作日按国务院放假安排计算）。满意率：满意与基本满意占已评价的比例；经回访办结、企业未评价的不计入。“—”表示尚无可计算的数据。", "On time: closed within the category's limit (working days by the State Council's holiday schedule). Satisfied: 满意 and 基本满意 of those rated; requests closed after a callback without a rating are not counted. \"—\": nothing to measure yet."},
		"rs.empty":           {"尚无诉求。", "No requests yet."},
	})
}
