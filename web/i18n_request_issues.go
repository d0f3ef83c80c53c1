package web

func init() {
	addMessages(map[string][2]string{
		"iss.title":     {"共性问题", "Common problems"},
		"iss.intro":     {"30 天内同一产业链环节（或同一产业）至少 3 家企业提出的同类诉求，归为一个共性问题交产业专班统筹解决；各条诉求仍分别办理并由企业确认。", "Requests of one category from at least three firms on one chain link (or in one industry) within 30 days are grouped into one problem for the industry's task force; each request is still handled and confirmed on its own."},
		"iss.open":      {"未解决", "Open"},
		"iss.all":       {"全部", "All"},
		"iss.done":      {"已记录解决情况。", "Solution recorded."},
		"iss.firms":     {"%d 家企业", "%d firms"},
		"iss.solved":    {"已解决", "solved"},
		"iss.unsolved":  {"待解决", "open"},
		"iss.raised":    {"%s 归集", "grouped %s"},
		"iss.tf":        {"专班：", "task force: "},
		"iss.solvedat":  {"%s 解决", "solved %s"},
		"iss.note":      {"解决情况：", "How it was solved:"},
		"iss.request":   {"诉求", "Request"},
		"iss.firm":      {"企业", "Enterprise"},
		"iss.status":    {"状态", "Status"},
		"iss.howsolved": {"解决情况", "How it was solved"},
		"iss.solve":     {"记录解决", "Record the solution"},
		"iss.none":      {"没有共性问题。", "No common problems."},
	})
}
