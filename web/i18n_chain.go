package web

// chainMessages are the labels of the industry chain pages (chains.go).
var chainMessages = map[string][2]string{
	"nav.chains":             {"产业链", "Chains"},
	"chain.index":            {"产业链", "Industry chains"},
	"chain.index.intro":      {"各产业的产业链结构：上游、中游、下游的环节，每个环节的产品、技术、行业代码和挂链关键词，以及环节之间的供给关系。", "Each industry's chain: its links upstream, midstream and downstream, each with its products, technologies, industry classes and placement keywords, and which link supplies which."},
	"chain.index.note":       {"结构由本平台作者依据所列公开资料整理，并非官方产业链图谱；各地可导入自己的产业链。", "The structure is a reading of the listed public sources by chanye's authors, not an official chain map; a city loads its own."},
	"chain.industry":         {"产业", "Industry"},
	"chain.links":            {"环节", "Links"},
	"chain.subs":             {"子环节", "Sub-segments"},
	"chain.relations":        {"供给关系", "Supply relations"},
	"chain.none":             {"尚未载入产业链。", "No chains are loaded."},
	"chain.nochain":          {"该产业尚无产业链。", "This industry has no chain yet."},
	"chain.title":            {"%s · 产业链", "%s · chain"},
	"chain.map":              {"产业链图", "Chain map"},
	"chain.map.note":         {"从左到右为上游、中游、下游；箭头表示供给方向，虚线连接子环节。点击环节查看详情。", "Upstream, midstream and downstream from left to right; arrows point from supplier to buyer, dashed lines join sub-segments. Click a link for its details."},
	"chain.map.alt":          {"产业链图：%d 个环节、%d 条供给关系，下方按上中下游列出全部环节。", "Chain map: %d links and %d supply relations; every link is listed below by stage."},
	"chain.products":         {"产品", "Products"},
	"chain.tech":             {"技术", "Technologies"},
	"chain.classes":          {"行业代码", "Industry classes"},
	"chain.keywords":         {"挂链关键词", "Placement keywords"},
	"chain.supplies":         {"供给", "Supplies"},
	"chain.suppliedby":       {"来自", "Supplied by"},
	"chain.parent":           {"所属环节", "Part of"},
	"chain.sources":          {"资料来源", "Sources"},
	"chain.edit":             {"编辑产业链", "Edit the chain"},
	"chain.edit.title":       {"编辑产业链 · %s", "Edit the chain · %s"},
	"chain.edit.intro":       {"以 JSON 编辑本产业的产业链：环节（id、parent、stage、name_zh、name_en、description、products、technologies、classes、keywords）和供给关系（from、to）。保存时整体校验，错误指明环节和字段；保存记入审计日志。", "Edit this industry's chain as JSON: its links (id, parent, stage, name_zh, name_en, description, products, technologies, classes, keywords) and supply relations (from, to). Saving checks it whole; errors name the link and the field; every save is audited."},
	"chain.edit.source":      {"产业链 JSON", "The chain as JSON"},
	"chain.edit.save":        {"保存", "Save"},
	"chain.edit.cancel":      {"返回", "Back"},
	"chain.edit.saved":       {"已保存：%d 个环节，删去 %d 个环节。", "Saved: %d links, %d removed."},
	"chain.edit.badjson":     {"JSON 无法解析：%s", "The JSON cannot be read: %s"},
	"chain.edit.errors":      {"产业链有误，未保存", "The chain has errors and was not saved"},
	"chain.stage.upstream":   {"上游", "Upstream"},
	"chain.stage.midstream":  {"中游", "Midstream"},
	"chain.stage.downstream": {"下游", "Downstream"},
}

func init() {
	for k, v := range chainMessages {
		if _, dup := messages[k]; dup {
			panic("web: message " + k + " defined twice")
		}
		messages[k] = v
	}
}
