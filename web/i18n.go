package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/httpauth"
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
	"nav.mine":        {"我的企业", "My enterprise"},
	"nav.label":       {"主导航", "Main navigation"},
	"nav.enterprises": {"企业", "Enterprises"},
	"nav.policies":    {"惠企政策", "Policies"},
	"nav.decisions":   {"决定", "Decisions"},
	"nav.publicity":   {"公示", "Publicity"},

	"pol.title":           {"惠企政策", "Benefit policies"},
	"pol.intro":           {"每项政策写成规则：条件与金额公式由平台按登记数据逐户判定，免申即享的政策无需企业申报。", "Each policy is written as rules: the platform decides the conditions and the amount for every enterprise from registry data; no-application policies need no application."},
	"pol.new":             {"新建政策", "New policy"},
	"pol.none":            {"尚无政策", "No policies yet"},
	"pol.col.title":       {"政策", "Policy"},
	"pol.col.document":    {"文号与条款", "Document and clause"},
	"pol.col.issuer":      {"发文单位", "Issuer"},
	"pol.col.mode":        {"兑现方式", "Mode"},
	"pol.col.status":      {"状态", "Status"},
	"pol.col.period":      {"有效期", "Effective"},
	"pol.col.budget":      {"预算（万元）", "Budget (10k yuan)"},
	"pol.example":         {"示例，非正式文件", "Example, not an official text"},
	"pol.open":            {"长期", "open-ended"},
	"pol.published.v":     {"已发布 v%d", "published v%d"},
	"pol.publish":         {"发布此版本", "Publish this version"},
	"pol.simulate":        {"模拟测算", "Run a simulation"},
	"pol.edit":            {"编辑", "Edit"},
	"pol.source":          {"原文", "Source"},
	"pol.params":          {"参数", "Parameters"},
	"pol.param":           {"参数", "Parameter"},
	"pol.value":           {"取值", "Value"},
	"pol.current":         {"现行", "in force"},
	"pol.conditions":      {"条件", "Conditions"},
	"pol.cond.id":         {"编号", "ID"},
	"pol.cond.label":      {"条件", "Condition"},
	"pol.cond.clause":     {"条款", "Clause"},
	"pol.cond.expr":       {"CEL 表达式", "CEL expression"},
	"pol.amount":          {"金额公式（分）", "Amount formula (fen)"},
	"pol.cap":             {"封顶 %s 元", "capped at %s yuan"},
	"pol.floor.yuan":      {"取整到元", "rounded down to whole yuan"},
	"pol.floor.wan_yuan":  {"取整到万元", "rounded down to 10,000 yuan"},
	"pol.cases":           {"测试用例", "Test cases"},
	"pol.cases.n":         {"%d 个，未通过 %d 个", "%d, %d failing"},
	"pol.nocases":         {"没有测试用例", "No test cases"},
	"pol.case":            {"用例", "Case"},
	"pol.want":            {"期望", "Expected"},
	"pol.got":             {"实际", "Got"},
	"pol.pass":            {"通过", "pass"},
	"pol.fail":            {"未通过", "fail"},
	"pol.versions":        {"版本", "Versions"},
	"pol.version":         {"版本", "Version"},
	"pol.created":         {"创建", "Created"},
	"pol.publishedat":     {"发布", "Published"},
	"mode.no_application": {"免申即享", "No application"},
	"mode.on_application": {"需申报", "On application"},
	"vstatus.draft":       {"草稿", "draft"},
	"vstatus.published":   {"已发布", "published"},
	"vstatus.retired":     {"已停用", "retired"},
	"unit.yuan":           {"元", "yuan"},
	"unit.fen":            {"分", "fen"},
	"unit.people":         {"人", "people"},
	"unit.count":          {"件", "count"},
	"unit.ratio":          {"比例", "ratio"},
	"unit.year":           {"年份", "year"},
	"unit.years":          {"年", "years"},
	"unit.date":           {"日期", "date"},
	"unit.code":           {"代码", "code"},

	"edit.title":     {"编辑政策", "Edit policy"},
	"edit.new":       {"新建政策", "New policy"},
	"edit.source":    {"政策文件（YAML）", "Policy file (YAML)"},
	"edit.check":     {"检查 Check", "Check"},
	"edit.signin":    {"登录后可检查用例或保存", "Sign in to check the cases or save"},
	"edit.save":      {"保存为新版本 Save as new version", "Save as new version"},
	"edit.cancel":    {"取消", "Cancel"},
	"edit.line":      {"第 %d 行", "line %d"},
	"edit.cond":      {"条件", "condition"},
	"edit.pos":       {"表达式位置", "in expression at"},
	"edit.annotated": {"出错位置", "Where the errors are"},
	"edit.failing":   {"编译通过；%[2]d 个用例中 %[1]d 个未通过，不能发布", "Compiles; %d of %d cases fail, so it cannot be published"},
	"edit.ok":        {"编译通过，%d 个用例全部通过", "Compiles; all %d cases pass"},
	"edit.vars":      {"可用变量", "Schema variables"},
	"edit.vars.note": {"条件与金额公式可读取以下企业变量；参数写作 p.名称，金额单位为分。", "Conditions and the amount may read these enterprise variables; parameters are p.NAME; money is in fen."},
	"edit.var":       {"变量", "Variable"},
	"edit.type":      {"类型 / 单位", "Type / unit"},

	"sim.title":      {"模拟测算", "Simulation"},
	"sim.asof":       {"基准日", "As of"},
	"sim.evaluated":  {"测算 %d 家企业，用时 %d 毫秒", "%d enterprises evaluated in %d ms"},
	"sim.firms":      {"符合企业", "Eligible firms"},
	"sim.money":      {"金额", "Money"},
	"sim.budget":     {"预算", "Budget"},
	"sim.used":       {"占预算 %s", "%s of the budget"},
	"sim.over":       {"超出预算", "over budget"},
	"sim.vs":         {"与已发布版本相比", "Against the published version"},
	"sim.nopub":      {"尚无已发布版本", "No published version yet"},
	"sim.bydistrict": {"按区（万元）：柱为各区金额，折线为累计，虚线为预算", "By district (10k yuan): bars per district, the line their running total, the dashed line the budget"},
	"sim.byindustry": {"按产业", "By industry"},
	"sim.bysize":     {"按规模", "By size"},
	"sim.draft":      {"本版本", "This version"},
	"sim.published":  {"已发布版本", "Published version"},
	"sim.cumulative": {"累计", "Running total"},
	"sim.unknown":    {"未划分", "not classified"},
	"sim.none":       {"无符合企业", "No eligible firm"},
	"sim.changes":    {"变化最大的企业", "Largest changes"},
	"sim.before":     {"已发布版本", "Published"},
	"sim.after":      {"本版本", "This version"},
	"sim.diff":       {"增减", "Change"},
	"sim.yuan":       {"金额单位：元", "Amounts in yuan"},
	"sim.nochange":   {"与已发布版本没有差别", "No difference from the published version"},

	"dec.title":          {"政策兑现决定", "Decisions"},
	"dec.run":            {"批次", "Run"},
	"dec.policy":         {"政策", "Policy"},
	"dec.status":         {"状态", "Status"},
	"dec.amount":         {"金额（元）", "Amount (yuan)"},
	"dec.window":         {"公示期", "Publicity window"},
	"dec.total":          {"共 %d 条，第 %d / %d 页", "%d decisions, page %d of %d"},
	"dec.none":           {"没有符合条件的决定", "No decision matches"},
	"dec.yes":            {"符合", "eligible"},
	"dec.no":             {"不符合", "not eligible"},
	"dstatus.computed":   {"已计算", "computed"},
	"dstatus.publicised": {"公示中", "publicised"},
	"dstatus.objected":   {"有异议", "objected"},
	"dstatus.withdrawn":  {"已撤回", "withdrawn"},
	"dstatus.approved":   {"已批准", "approved"},
	"dstatus.paid":       {"已拨付", "paid"},
	"dstatus.reversed":   {"已冲回", "reversed"},
	"ostatus.open":       {"处理中", "open"},
	"ostatus.upheld":     {"成立", "upheld"},
	"ostatus.rejected":   {"不成立", "rejected"},

	"run.title":              {"批量计算", "Runs"},
	"run.label":              {"第 %d 批（基准日 %s）", "Run %d (as of %s)"},
	"run.asof":               {"基准日", "As of"},
	"run.run":                {"运行 Run", "Run"},
	"run.note":               {"按基准日对全部企业计算所有已发布政策，结果整体写入或整体不写入。", "Evaluates every published policy for every enterprise as of the day; written whole or not at all."},
	"run.none":               {"尚无批量计算", "No runs yet"},
	"run.id":                 {"批次", "Run"},
	"run.enterprises":        {"企业数", "Enterprises"},
	"run.policies":           {"政策数", "Policies"},
	"run.eligible":           {"符合", "Eligible"},
	"run.finished":           {"完成", "Finished"},
	"run.snapshot":           {"数据快照", "Data snapshot"},
	"run.bypolicy":           {"按政策", "By policy"},
	"run.publicise":          {"公示 5 个工作日", "Publicise for 5 working days"},
	"run.noteligible":        {"不符合", "Not eligible"},
	"run.needs":              {"待补充数据", "Needs data"},
	"run.errors":             {"出错", "Errors"},
	"run.errbadge":           {"有决定计算出错", "Some decisions failed"},
	"run.partial":            {"分片计算中：已完成 %d/%d 片，数字尚不完整", "Sharded run in progress: %d of %d parts stored, figures incomplete"},
	"run.sharded":            {"分 %d 片计算", "Decided in %d shards"},
	"run.errlist":            {"出错的决定", "Failed decisions"},
	"run.errmore":            {"另有 %d 个", "%d more"},
	"dec.verdict":            {"结果", "Verdict"},
	"dec.verdict.eligible":   {"符合", "Eligible"},
	"dec.verdict.needs_data": {"待补充数据", "Needs data"},
	"dec.needs":              {"所需数据", "Figures needed"},
	"need.year":              {"（%d 年度）", " (fiscal year %d)"},
	"need.zero":              {"为 0", " is 0"},
	"ep.needs.note":          {"缺少下列数据，暂不能判定是否符合条件；补充后重新计算。未补充前不予兑现。", "These figures are missing, so eligibility cannot be decided yet; decided again once they are supplied. Nothing is paid until then."},

	"pub.title":   {"免申即享公示", "Public notice of benefits (公示)"},
	"pub.intro":   {"以下企业经平台按登记数据认定符合政策条件，拟按“免申即享”方式兑现，现予公示。", "The platform found these enterprises eligible from registry data; the benefits are to be paid without application and are hereby made public."},
	"pub.today":   {"今天 %s 在公示期内的名单", "Entries in their window today, %s"},
	"pub.total":   {"共 %d 条，第 %d / %d 页", "%d entries, page %d of %d"},
	"pub.none":    {"当前没有公示中的名单", "Nothing is under publicity now"},
	"pub.object":  {"提出异议", "Object"},
	"pub.howto":   {"如何提出异议", "How to object"},
	"pub.howto.1": {"对名单中的认定或金额有异议，或认为本企业符合条件却未列入，可在公示期内提出。", "If you dispute an entry or its amount, or believe your enterprise qualifies but is not listed, object within the window."},
	"pub.howto.2": {"打开本企业的“惠企政策”页（企业名录 › 企业 › 惠企政策），可看到每项条件的判定与数据。", "Open your enterprise's Policies tab (Enterprises › your enterprise › Policies) to see each condition and the figures it used."},
	"pub.howto.3": {"在页面底部的异议表中选择政策、写明理由后提交；未列入的请勾选“对未获认定提出异议”。", "Use the objection form at the bottom: choose the policy, give your reason and submit; if you were left out, tick “I was left out”."},

	"ep.title":             {"惠企政策", "Policies"},
	"ep.tab.profile":       {"企业概况", "Profile"},
	"ep.asof":              {"按 %s 的登记数据判定，仅为说明；以公示名单为准。", "Decided on the registry data as of %s; for information, the public list is authoritative."},
	"ep.live":              {"按 %s 的数据解释", "Explained as of %s"},
	"ep.today":             {"（今天）", "(today)"},
	"ep.explain":           {"按此基准日解释", "Explain as of this day"},
	"ep.granted":           {"符合条件", "Granted"},
	"ep.nogranted":         {"按 %s 的数据，没有符合条件的政策。", "No policy is granted on the data as of %s."},
	"ep.nogranted.stored":  {"上方“已计算的决定”是各批量计算按其基准日作出的决定，以其为准。", "The stored decisions above were made by runs as of their own days, and stand."},
	"ep.cohort.year":       {"本批认定年度", "year of the batch paid"},
	"ep.cohort.none":       {"基准日所在年度没有兑现批次", "no batch is paid in the as-of year"},
	"ep.runasof":           {"基准日", "As of"},
	"ep.period":            {"政策年度", "Policy year"},
	"ep.stored.note":       {"每项决定按其批量计算的基准日作出，解释亦按该日的数据。", "Each decision was made, and is explained, as of its run's day."},
	"ep.stored.why":        {"按 %s 的解释", "Why, as of %s"},
	"ep.stored.live":       {"按 %s 的现有数据重新解释", "Explain again on today's data as of %s"},
	"ep.near":              {"差一项条件", "Near misses"},
	"ep.nonear":            {"没有只差一项条件的政策", "No policy is missed by one condition"},
	"ep.pending":           {"已计算的决定", "Stored decisions"},
	"ep.nostored":          {"批量计算中尚无本企业的决定", "No stored decision for this enterprise yet"},
	"ep.storedneeds":       {"批量计算中待补充数据的决定", "Stored decisions that need data"},
	"ep.others":            {"其他政策（%d 项）", "Other policies (%d)"},
	"ep.capped":            {"已封顶", "capped"},
	"ep.missing":           {"：未报送", ": not reported"},
	"ep.true":              {"是", "yes"},
	"ep.false":             {"否", "no"},
	"ep.target":            {"%s · 第 %d 批", "%s · run %d"},
	"ep.target.absent":     {"未列入", "not listed"},
	"ep.object":            {"提出异议", "Object"},
	"ep.object.policy":     {"政策", "Policy"},
	"ep.object.reason":     {"理由", "Reason"},
	"ep.object.absent":     {"对未获认定提出异议 I was left out", "I was left out (对未获认定提出异议)"},
	"ep.object.submit":     {"提交异议", "Submit the objection"},
	"ep.object.none":       {"当前没有公示中的政策，公示期内方可提出异议。", "No policy is under publicity now; objections are taken within a publicity window."},
	"ep.object.note":       {"尚未提出异议", "No objections yet"},
	"ep.object.done":       {"异议已提交，主管部门处理后将在此显示结果。", "Objection submitted; the department's resolution will show here."},
	"ep.err.form":          {"异议未提交，请修改标出的内容", "The objection was not submitted; correct what is marked"},
	"ep.err.target":        {"请选择政策", "Choose a policy"},
	"ep.err.target.closed": {"该政策不在公示期内", "That policy is not under publicity"},
	"ep.err.reason":        {"请写明理由", "Give a reason"},
	"ep.err.reason.long":   {"理由不超过 %d 字", "At most %d characters"},
	"ep.err.absent.has":    {"本企业已在该名单中，异议针对已有决定时请勿勾选“未获认定”", "Your enterprise is on that list; untick “I was left out” to dispute its decision"},
	"ep.err.absent.none":   {"本企业不在该名单中；如认为应当列入，请勾选“对未获认定提出异议”", "Your enterprise is not on that list; tick “I was left out” if it should be"},
	"lang.switch":          {"English", "中文"},
	"footer.version":       {"版本", "Version"},
	"footer.demo":          {"本页数字含演示数据（合成，非官方统计）；产业体系结构来源：广州市高质量发展大会讲话（2025-02-06）", "Figures on this page include demo data (synthetic, not official statistics); the structure of the system: speech at Guangzhou's High-Quality Development Conference (2025-02-06)"},
	"demo.note":            {"演示数据：本页的营收等数字由 chanye demo 合成，用于演示，不是官方统计。", "演示数据 Demo data: revenue and other figures on this page are synthetic (chanye demo), not official statistics."},
	"footer.source":        {"数据来源：广州市高质量发展大会讲话（2025-02-06）及公开资料", "Sources: speech at Guangzhou's High-Quality Development Conference (2025-02-06) and public records"},

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
	"ent.level":     {"认定级别", "Level"},
	"ent.nolevel":   {"未记录", "not recorded"},
	"ent.since":     {"认定日期", "Recognised on"},
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
	"err.403":   {"无权访问", "Not allowed"},
	"err.403.msg": {"%s（%s）的账号无权打开此页面或执行此操作。可用的页面见上方导航。",
		"The account %s (%s) may not open this page or do this. The navigation above shows the pages it may use."},
	"err.500": {"内部错误", "Internal error"},
	"unit.yi": {"亿元", "100M yuan"},
	"dash":    {"—", "—"},

	"nav.login":            {"登录", "Sign in"},
	"nav.logout":           {"退出", "Sign out"},
	"nav.users":            {"账号", "Accounts"},
	"acct.title":           {"我的账号", "My account"},
	"acct.current":         {"当前密码", "Current password"},
	"acct.new":             {"新密码", "New password"},
	"acct.repeat":          {"再次输入新密码", "New password again"},
	"acct.note":            {"新密码至少 12 个字符。修改后本账号的其他登录和全部接口令牌失效，本浏览器保持登录。", "At least 12 characters. Changing it ends this account's other sign-ins and revokes all its API tokens; this browser stays signed in."},
	"acct.submit":          {"修改密码", "Change password"},
	"acct.done":            {"密码已修改；其他登录和接口令牌已失效。", "Password changed; other sign-ins and API tokens have ended."},
	"login.title":          {"登录", "Sign in"},
	"login.name":           {"登录名", "Login name"},
	"login.password":       {"密码", "Password"},
	"login.submit":         {"登录", "Sign in"},
	"login.wrong":          {"登录名或密码错误", "Wrong login name or password"},
	"login.throttled":      {"登录失败次数过多，请 %s 后再试", "Too many failed sign-ins: try again in %s"},
	"users.title":          {"账号管理", "Accounts"},
	"users.name":           {"登录名", "Login name"},
	"users.display":        {"显示名称", "Display name"},
	"users.role":           {"角色", "Role"},
	"users.scope":          {"范围", "Scope"},
	"users.status":         {"状态", "Status"},
	"users.enabled":        {"启用", "enabled"},
	"users.disabled":       {"已停用", "disabled"},
	"users.enable":         {"启用", "Enable"},
	"users.disable":        {"停用", "Disable"},
	"users.tokens":         {"接口令牌", "API tokens"},
	"users.token.name":     {"令牌名称", "token name"},
	"users.token.new":      {"新建令牌", "New token"},
	"users.token.once":     {"新令牌只显示这一次，请立即复制保存：", "The new token is shown this once; copy it now:"},
	"users.revoke":         {"撤销", "Revoke"},
	"users.revoked":        {"已撤销", "revoked"},
	"users.actions":        {"操作", "Actions"},
	"users.password":       {"初始密码（至少 12 个字符）", "Initial password (at least 12 characters)"},
	"users.password.new":   {"新密码", "new password"},
	"users.password.reset": {"重设密码", "Reset password"},
	"users.password.note":  {"重设密码会结束该账号的所有会话，并吊销其全部接口令牌。", "Resetting a password ends all the account's sessions and revokes all its API tokens."},
	"users.password.done":  {"已为 %s 设置新密码：结束 %d 个会话，已吊销 %d 个接口令牌%s。如仍需接口访问，请新建令牌。", "New password set for %s: %d sessions ended, %d API tokens revoked%s. Create a new token if API access is still needed."},
	"users.create":         {"新建账号", "New account"},
	"users.department":     {"部门（部门账号）", "Department (department accounts)"},
	"users.industry":       {"产业编号（专班账号）", "Industry id (task force accounts)"},
	"users.district":       {"区县（区账号）", "District (district accounts)"},
	"users.code":           {"统一社会信用代码（企业账号）", "Credit code (enterprise accounts)"},
	"role.admin":           {"管理员", "Admin"},
	"role.leader":          {"市领导", "Leader"},
	"role.department":      {"部门", "Department"},
	"role.task_force":      {"专班", "Task force"},
	"role.district":        {"区", "District"},
	"role.enterprise":      {"企业", "Enterprise"},
	"role.public":          {"公众", "Public"},

	"audit.title":    {"审计日志", "Audit log"},
	"audit.intro":    {"每次写入都记录操作人、对象、前后内容与时间；每行以库外保存的密钥对自身与前一行签名，改动或删除可由 chanye audit verify 查出（末尾的删除须用 --expect 核对另存的链头）。", "Every write is recorded with who, which record, before and after, and when; each row is signed, with a key kept outside the database, over itself and the row before it, so that chanye audit verify finds an altered or removed row (rows removed from the end: with --expect and a head kept elsewhere)."},
	"audit.time":     {"时间", "Time"},
	"audit.actor":    {"操作人", "Actor"},
	"audit.action":   {"操作", "Action"},
	"audit.entity":   {"对象", "Entity"},
	"audit.key":      {"键", "Key"},
	"audit.chain":    {"审计链", "Chain"},
	"audit.from":     {"起", "From"},
	"audit.to":       {"止", "To"},
	"audit.changes":  {"变更", "Changes"},
	"audit.field":    {"字段", "Field"},
	"audit.before":   {"变更前", "Before"},
	"audit.after":    {"变更后", "After"},
	"audit.created":  {"新建", "created"},
	"audit.deleted":  {"删除", "deleted"},
	"audit.nochange": {"无字段变化", "no field changed"},
	"audit.request":  {"请求编号", "Request id"},
	"audit.total":    {"共 %d 条，第 %d / %d 页", "%d entries, page %d of %d"},
	"audit.none":     {"没有符合条件的记录", "No entries match"},

	// Key projects, the warning board, scorecards and the meeting report.
	"nav.projects":           {"重点项目", "Projects"},
	"colour.red":             {"红", "Red"},
	"colour.yellow":          {"黄", "Yellow"},
	"colour.green":           {"绿", "Green"},
	"unit.wan":               {"万元", "10k yuan"},
	"proj.title":             {"重点项目", "Key projects"},
	"proj.list":              {"项目清单", "Project list"},
	"proj.id":                {"项目编号", "Number"},
	"proj.name":              {"项目", "Project"},
	"proj.kind":              {"类型", "Kind"},
	"proj.stage":             {"阶段", "Stage"},
	"proj.colour":            {"预警", "Colour"},
	"proj.owner":             {"项目业主", "Owner"},
	"proj.investment":        {"总投资", "Total investment"},
	"proj.dates":             {"计划开工 / 竣工", "Planned start / completion"},
	"proj.total":             {"共 %d 个项目，第 %d / %d 页", "%d projects, page %d of %d"},
	"proj.none":              {"没有符合条件的项目", "No project matches"},
	"proj.plan":              {"年度计划投资", "Yearly planned investment"},
	"proj.progress":          {"形象进度", "Progress"},
	"proj.progress.planned":  {"计划进度（截至今日）", "Planned progress (to date)"},
	"proj.progress.reported": {"最近报送进度", "Latest reported progress"},
	"proj.warnings":          {"预警", "Warnings"},
	"proj.nowarnings":        {"当前无预警（绿灯）", "No open warning (green)"},
	"proj.chart":             {"投资完成与计划（万元）", "Investment against plan (10k yuan)"},
	"proj.invested":          {"当月完成投资", "Invested in the month"},
	"proj.cumulative":        {"累计完成投资", "Cumulative investment"},
	"proj.planned":           {"累计计划投资", "Cumulative planned investment"},
	"proj.noreports":         {"尚无月报", "No monthly report yet"},
	"proj.nodes":             {"节点进度", "Node timeline"},
	"proj.node":              {"节点", "Node"},
	"proj.node.planned":      {"计划", "Planned"},
	"proj.node.actual":       {"实际", "Actual"},
	"proj.node.late":         {"逾期 %d 天", "%d days overdue"},
	"proj.evidence.link":     {"佐证链接", "Evidence link"},
	"proj.days":              {"逾期天数", "Days overdue"},
	"proj.reports":           {"月报", "Monthly reports"},
	"proj.month":             {"月份", "Month"},
	"proj.problems":          {"存在问题", "Problems raised"},
	"proj.reportedby":        {"报送人", "Reported by"},
	"hint.owner":             {"项目业主", "Owner"},
	"hint.department":        {"责任部门", "Department"},
	"hint.leader":            {"市领导", "City leader"},
	"board.title":            {"预警看板", "Warning board"},
	"board.counts":           {"共 %d 个项目", "%d projects"},
	"board.red":              {"红色预警", "Red warnings"},
	"board.yellow":           {"黄色预警", "Yellow warnings"},
	"board.none":             {"无", "None"},
	"board.rule":             {"预警规则", "Rule"},
	"board.values":           {"规则取值", "Values"},
	"board.owner":            {"责任方", "Owner"},
	"board.byowner":          {"按责任方", "By owner"},
	"board.byrule":           {"按规则", "By rule"},
	"sc.title":               {"记分卡", "Scorecards"},
	"sc.intro":               {"按产业责任与项目责任汇总：所负责产业的目标状态、项目红黄绿、逾期节点、未销号预警，以及牵头部门所发政策的免申即享兑付时效。无数据处显示“—”。", "From the industries' responsibilities and the projects' owners: the target status of their industries, their projects by colour, overdue nodes, warnings still open and, for a lead department, how fast its no-application payouts follow approval. “—” where there is no data."},
	"sc.kind.leader":         {"市领导", "City leaders"},
	"sc.kind.department":     {"牵头部门", "Lead departments"},
	"sc.kind.task_force":     {"专班", "Task forces"},
	"sc.name":                {"责任人 / 单位", "Name"},
	"sc.industries":          {"负责产业与目标状态", "Industries and target status"},
	"sc.target":              {"目标状态", "Target status"},
	"sc.projects":            {"项目（红 / 黄 / 绿）", "Projects (red / yellow / green)"},
	"sc.overdue":             {"逾期节点", "Overdue nodes"},
	"sc.open":                {"未销号预警", "Open warnings"},
	"sc.payout":              {"兑付时效", "Payout timeliness"},
	"sc.payout.v":            {"审批后中位 %s 天支付", "paid %s days after approval (median)"},
	"sc.payout.note":         {"%d 笔支付，%d 项政策；15 天内 %d 笔，最长 %s 天", "%d payments, %d policies; %d within 15 days, longest %s days"},
	"sc.payout.none":         {"所发政策尚无支付记录", "no payment yet for the policies it issues"},
	"sc.payout.na":           {"不适用：兑付时效按发文部门统计", "not applicable: measured for issuing departments"},
	"sc.none":                {"尚无记分卡：产业未设责任人，也没有项目", "No scorecard yet: no responsibility set and no project"},
	"sc.noindustries":        {"不牵头任何产业", "Leads no industry"},
	"sc.red":                 {"红色项目", "Red projects"},
	"sc.nooverdue":           {"没有逾期节点", "No overdue node"},
	"track.on_track":         {"可达成", "on track"},
	"track.at_risk":          {"有风险", "at risk"},
	"track.off_track":        {"难达成", "off track"},
	"rep.title":              {"重点项目月度调度会报告 %s", "Key projects: monthly meeting report %s"},
	"rep.short":              {"月度调度会报告", "Monthly meeting report"},
	"rep.asof":               {"截至 %s", "as of %s"},
	"rep.print":              {"用浏览器打印（Ctrl+P）即得纸质版。", "Print from the browser (Ctrl+P) for the paper copy."},
	"rep.byindustry":         {"按产业汇总", "Summary by industry"},
	"rep.bydistrict":         {"按区汇总", "Summary by district"},
	"rep.planned":            {"%s 年计划投资", "Planned for %s"},
	"rep.done":               {"本年已完成", "Done this year"},
	"rep.share":              {"完成率", "Share done"},
	"rep.red":                {"红色项目清单", "Red list"},
	"rep.more":               {"仅列出逾期最久的 %d 个，共 %d 个", "The %d longest overdue of %d are listed"},
	"rep.total":              {"合计", "Total"},
	"ov.projects":            {"重点项目", "Key projects"},
	"ov.projects.note":       {"重点项目红 / 黄 / 绿个数，详见预警看板", "Key projects red / yellow / green; see the warning board"},
	"proj.node.record":       {"填报完成情况", "Record completion"},
	"proj.evidence.note":     {"佐证说明", "Evidence note"},
	"proj.save":              {"保存", "Save"},
	"proj.report.submit":     {"报送月报", "Send the monthly report"},
	"wr.title":               {"预警规则", "Warning rules"},
	"wr.note":                {"规则为对项目变量的 CEL 表达式，为真时项目得到相应颜色的预警；仅管理员可修改。", "Each rule is a CEL expression over the project variables; when true the project gets a warning of its colour. Only administrators change them."},
	"wr.position":            {"顺序", "Position"},
	"wr.id":                  {"编号", "ID"},
	"wr.group":               {"分组", "Group"},
	"wr.label":               {"名称", "Label"},
	"wr.label.zh":            {"中文名称", "Label (zh)"},
	"wr.label.en":            {"英文名称", "Label (en)"},
	"wr.expr":                {"CEL 表达式", "CEL expression"},
	"wr.owner":               {"提醒对象", "Addressed to"},
	"wr.edit":                {"修改规则", "Edit the rules"},
	"wr.new":                 {"新增规则", "New rule"},
	"wr.delete":              {"删除", "Delete"},
	"wr.vars":                {"规则可用变量", "Variables rules may read"},
	"wr.type":                {"类型", "Type"},
	"wr.desc":                {"说明", "Meaning"},
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
	L          Lang
	Title      string
	Nav        string // the active nav item: overview, enterprises, policies, decisions or publicity
	AppVersion string // chanye's version, in the footer; not Version, which views use for a policy version
	SwitchURL  string // the same page in the other language
	CSRF       string // the token every POST form carries in its hidden "csrf" field
	Actor      *chanye.Actor
	// Demo is set by pages that show demo figures (chanye demo's): the
	// page says 演示数据 above them and the footer names no real source.
	Demo bool
	// query is the request's query: the filter a list shows, for links
	// that keep it (ExportURL).
	query url.Values
	// unread counts the account's unread notifications, when the layout
	// asks (see Unread).
	unread func() int
	// searchable says the search service is configured (search.go).
	searchable bool
	// requests says the requests are served (requests.go).
	requests bool
	// scenarios says the scenarios are served (scenarios.go).
	scenarios bool
	// matchmaking says matchmaking is served (match.go).
	matchmaking bool
	// space says the industrial space is served (space.go).
	space bool
}

func (s *Server) newPage(r *http.Request, nav string) page {
	l := langOf(r)
	other := "en"
	if l == "en" {
		other = "zh"
	}
	return page{L: l, Nav: nav, AppVersion: s.cfg.Version, SwitchURL: withQuery(r.URL, "lang", other),
		CSRF: httpauth.CSRFToken(r), Actor: chanye.ActorFrom(r.Context()), query: r.URL.Query(), unread: s.unreadCount(r),
		searchable: s.cfg.Search != nil, requests: s.cfg.Requests != nil,
		scenarios: s.cfg.Scenarios.Scenarios != nil, matchmaking: s.cfg.Match.Listings != nil,
		space: s.cfg.Space.Inventory != nil}
}

// withQuery returns u's path and query with key set to value.
func withQuery(u *url.URL, key, value string) string {
	q := u.Query()
	q.Set(key, value)
	return u.Path + "?" + q.Encode()
}

// addMessages adds a page family's labels to messages; a key defined twice
// is a build defect.
func addMessages(m map[string][2]string) {
	for k, v := range m {
		if _, dup := messages[k]; dup {
			panic("web: message " + k + " defined twice")
		}
		messages[k] = v
	}
}

// errText returns err's message in the language of r's page: a domain
// error's own, "内部错误" or "internal error" for anything else.
func errText(r *http.Request, err error) string {
	zh, en := chanye.ErrorText(err)
	return langOf(r).Pick(zh, en)
}

// errFields returns err's field messages in the language of r's page.
func errFields(r *http.Request, err error) map[string]string {
	return chanye.ErrorFieldsIn(err, langOf(r).EN())
}
