package web

func init() {
	addMessages(map[string][2]string{
		"cal.title":         {"工作日历", "Working-day calendar"},
		"cal.intro":         {"周六、周日休息，法定节假日休息，调休的周末上班。审核时限、公示期和诉求时限都按这份日历计算工作日。每年的安排以国务院办公厅发布的通知为准。", "Weekends and statutory holidays are off, 调休 weekends are worked. Review periods, 公示 windows and request clocks count working days on this calendar. Each year follows the State Council General Office's notice."},
		"cal.next":          {"%d 年及以后的放假安排尚未导入，暂按周一至周五计算；国务院办公厅发布后由管理员在此导入。", "No schedule is loaded for %d or later: Monday to Friday count until an administrator loads the State Council's notice here."},
		"cal.import":        {"导入放假安排", "Load a schedule"},
		"cal.import.help":   {"CSV 文件，表头 date,kind,name,source；kind 为 off（放假）或 work（调休上班，须为周末）；同一年各行的 source 写同一份通知。文件中的每一年整体替换原有安排，有误则全部不导入。", "A CSV file with the header date,kind,name,source; kind is off (a holiday) or work (a weekend day worked); every row of a year names the same notice. Each year in the file replaces that year whole; a file with a mistake loads nothing."},
		"cal.file":          {"文件", "File"},
		"cal.import.submit": {"导入", "Load"},
		"cal.loaded":        {"已导入 %d 个年份的放假安排。", "Schedules of %d years loaded."},
		"cal.counts":        {"放假 %d 天 · 调休上班 %d 天", "%d days off · %d weekend days worked"},
		"cal.source":        {"来源：", "Source: "},
		"cal.date":          {"日期", "Date"},
		"cal.weekday":       {"星期", "Weekday"},
		"cal.holiday":       {"节日", "Holiday"},
		"cal.kind":          {"安排", "Arrangement"},
		"cal.off":           {"放假", "off"},
		"cal.work":          {"调休上班", "worked (调休)"},
	})
}
