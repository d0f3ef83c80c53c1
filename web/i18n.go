package web

import (
	"fmt"
	"net/http"
	"net/url"
)

// Lang is the language of a page: "zh" (the default) or "en".
type Lang string

// messages is the one table of page labels: key → {Chinese, English}.
// Templates call {{.L.T "key"}}; a missing key renders as ⟦key⟧ and is
// caught by the tests, which fail on that marker.
var messages = map[string][2]string{
	"site.name":       {"广州现代化产业体系", "Guangzhou modern industrial system"},
	"site.tagline":    {"“12218”产业体系平台", "The “12218” industrial system platform"},
	"nav.overview":    {"产业体系", "Overview"},
	"nav.enterprises": {"企业", "Enterprises"},
	"lang.switch":     {"English", "中文"},
	"footer.version":  {"版本", "Version"},
	"footer.source":   {"数据来源：广州市高质量发展大会讲话（2025-02-06）及公开资料", "Sources: speech at Guangzhou's High-Quality Development Conference (2025-02-06) and public records"},

	"ov.title":       {"“12218”现代化产业体系", "The “12218” modern industrial system"},
	"ov.one":         {"1 个总体要求", "1 overall requirement"},
	"ov.two":         {"2 个主攻方向", "2 main directions"},
	"ov.2108":        {"“21+8”重点产业", "“21+8” key industries"},
	"ov.2108.note":   {"15 个战略性产业集群 + 6 个未来产业 = 21；另有 8 个现代服务业", "15 strategic clusters + 6 future industries = 21, plus 8 modern service industries"},
	"ov.clusters":    {"战略性产业集群", "Strategic industry clusters"},
	"ov.future":      {"未来产业", "Future industries"},
	"ov.services":    {"现代服务业", "Modern service industries"},
	"ov.unnamed":     {"另 %d 个%s待公布（讲话原文未列名称）", "%d more %s not yet named (the source does not name them)"},
	"ov.unnamed.fut": {"未来产业", "future industries"},
	"ov.unnamed.svc": {"现代服务业", "service industries"},
	"ov.baseline":    {"基数", "Baseline"},
	"ov.baseline.v":  {"%d 个集群，%d 年营业收入 %s，近 %d 年年均增长 %s", "%d clusters, revenue %[3]s in %[2]d, growing %[5]s a year over %[4]d years"},
	"ov.total":       {"总目标", "Total target"},
	"ov.total.v":     {"到 %d 年 15 个集群合计超过 %s", "the 15 clusters together above %[2]s by %[1]d"},
	"ov.offices":     {"5 个产业发展办公室（实体化运作）", "5 industry development offices (run as real bodies)"},
	"ov.chart":       {"各集群最新营业收入与目标（亿元）", "Latest revenue vs target by cluster (100M yuan)"},
	"ov.goal.fut":    {"目标：5–10 年实现倍数级增长", "Goal: multiple-fold growth in 5–10 years"},
	"ov.count":       {"%d 个", "%d"},

	"col.name":        {"产业", "Industry"},
	"col.group":       {"分组", "Group"},
	"col.target":      {"目标", "Target"},
	"col.latest":      {"最新营收", "Latest revenue"},
	"col.progress":    {"进度", "Progress"},
	"col.growth":      {"所需 / 实际年增速", "Required / actual growth"},
	"col.resp":        {"责任", "Responsibility"},
	"col.code":        {"统一社会信用代码", "Credit code"},
	"col.ename":       {"企业名称", "Name"},
	"col.district":    {"区", "District"},
	"col.classcode":   {"代码", "Code"},
	"col.class":       {"行业小类", "Industry class"},
	"col.industries":  {"所属产业", "Industries"},
	"col.tiers":       {"现有梯度", "Current tiers"},
	"col.size":        {"规模", "Size"},
	"col.year":        {"年度", "Year"},
	"col.source":      {"来源", "Source"},
	"col.asof":        {"数据日期", "As of"},
	"col.tier":        {"梯度", "Tier"},
	"col.from":        {"起", "From"},
	"col.to":          {"止", "To"},
	"col.count":       {"数量", "Count"},
	"col.figure":      {"指标", "Figure"},
	"resp.leader":     {"市领导", "City leader"},
	"resp.dept":       {"牵头部门", "Lead department"},
	"resp.taskforce":  {"工作专班", "Task force"},
	"resp.none":       {"未指定", "not assigned"},
	"growth.required": {"所需", "required"},
	"growth.actual":   {"实际", "actual"},
	"by.year":         {"%d 年", "by %d"},
	"as.of":           {"%d 年", "%d"},
	"nodata":          {"暂无数据", "no data yet"},

	"ind.kind":         {"类型", "Kind"},
	"ind.office":       {"产业发展办公室", "Development office"},
	"ind.progress":     {"目标与进度", "Target and progress"},
	"ind.share":        {"完成度", "Share of target"},
	"ind.projected":    {"按实际增速推算 %d 年", "Projected for %d at actual growth"},
	"ind.reach":        {"可达标", "on track"},
	"ind.miss":         {"未达标", "short of target"},
	"ind.classes":      {"国民经济行业分类（GB/T 4754-2017）", "Industry classes (GB/T 4754-2017)"},
	"ind.classes.none": {"尚未指定行业小类", "No classes assigned yet"},
	"ind.indicators":   {"指标走势", "Indicators over time"},
	"ind.enterprises":  {"本产业企业", "Enterprises in this industry"},
	"ind.total":        {"共 %d 家企业", "%d enterprises"},
	"ind.bytier":       {"按梯度", "By tier"},
	"ind.bysize":       {"按规模", "By size"},
	"ind.bydistrict":   {"按区", "By district"},
	"ind.list":         {"查看企业名单 →", "See the enterprise list →"},
	"kind.cluster":     {"战略性产业集群", "Strategic industry cluster"},
	"kind.future":      {"未来产业", "Future industry"},
	"kind.service":     {"现代服务业", "Modern service industry"},

	"ent.title":     {"企业名录", "Enterprise registry"},
	"ent.filter":    {"筛选", "Filter"},
	"ent.all":       {"全部", "All"},
	"ent.q":         {"名称或代码", "Name or code"},
	"ent.total":     {"共 %d 家，第 %d / %d 页", "%d enterprises, page %d of %d"},
	"ent.none":      {"没有符合条件的企业", "No enterprise matches"},
	"ent.prev":      {"← 上一页", "← Previous"},
	"ent.next":      {"下一页 →", "Next →"},
	"ent.reset":     {"清除", "Clear"},
	"ent.founded":   {"成立日期", "Founded"},
	"ent.tiers":     {"企业梯度", "Tiers"},
	"ent.held":      {"现有", "held"},
	"ent.ended":     {"已到期", "ended"},
	"ent.notiers":   {"暂无梯度认定", "No tiers recorded"},
	"ent.size":      {"企业规模", "Size class"},
	"ent.size.rule": {"按《统计上大中小微型企业划分办法（2017）》", "per the NBS rules for large, medium, small and micro enterprises (2017)"},
	"ent.size.none": {"未划分（缺少年度数据）", "not classified (no yearly figures)"},
	"ent.facts":     {"历年数据", "Figures over the years"},
	"ent.facts.all": {"全部报送数据", "Every reported figure"},
	"ent.nofacts":   {"暂无年度数据", "No yearly figures yet"},
	"ent.unit.wan":  {"万元", "10k yuan"},
	"ent.people":    {"人", "people"},

	"err.title": {"出错了", "Something went wrong"},
	"err.home":  {"返回首页", "Back to the overview"},
	"err.400":   {"请求有误", "Bad request"},
	"err.404":   {"未找到", "Not found"},
	"err.500":   {"内部错误", "Internal error"},
	"unit.yi":   {"亿元", "100M yuan"},
	"dash":      {"—", "—"},
}

// T returns the label for key in the page's language.
func (l Lang) T(key string) string {
	m, ok := messages[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if l == "en" {
		return m[1]
	}
	return m[0]
}

// Tf formats the label for key with args.
func (l Lang) Tf(key string, args ...any) string {
	return fmt.Sprintf(l.T(key), args...)
}

// Pick returns en in English when it is set, zh otherwise.
func (l Lang) Pick(zh, en string) string {
	if l == "en" && en != "" {
		return en
	}
	return zh
}

// HTML returns the value of the html lang attribute.
func (l Lang) HTML() string {
	if l == "en" {
		return "en"
	}
	return "zh-CN"
}

// EN reports whether the page is in English.
func (l Lang) EN() bool { return l == "en" }

// langOf returns the language asked for by ?lang=, then the lang cookie,
// then Chinese.
func langOf(r *http.Request) Lang {
	if v := r.URL.Query().Get("lang"); v == "en" || v == "zh" {
		return Lang(v)
	}
	if c, err := r.Cookie("lang"); err == nil && c.Value == "en" {
		return "en"
	}
	return "zh"
}

// page holds what the layout needs on every page.
type page struct {
	L         Lang
	Title     string
	Nav       string // "overview" or "enterprises": the active nav item
	Version   string
	SwitchURL string // the same page in the other language
}

func (s *Server) newPage(r *http.Request, nav string) page {
	l := langOf(r)
	other := "en"
	if l == "en" {
		other = "zh"
	}
	return page{L: l, Nav: nav, Version: s.cfg.Version, SwitchURL: withQuery(r.URL, "lang", other)}
}

// withQuery returns u's path and query with key set to value.
func withQuery(u *url.URL, key, value string) string {
	q := u.Query()
	q.Set(key, value)
	return u.Path + "?" + q.Encode()
}
