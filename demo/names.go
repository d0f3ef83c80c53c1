package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/gbt4754"
)

// districtWeights are rough shares of Guangzhou's registered enterprises by
// district (GB/T 2260): the central business district and the big suburban
// manufacturing districts lead.
var districtWeights = map[string]float64{
	"440106": 17, // 天河
	"440111": 16, // 白云
	"440113": 13, // 番禺
	"440112": 10, // 黄埔
	"440105": 10, // 海珠
	"440104": 8,  // 越秀
	"440118": 7,  // 增城
	"440114": 7,  // 花都
	"440115": 6,  // 南沙
	"440103": 5,  // 荔湾
	"440117": 2,  // 从化
}

// techDivisions are the GB/T 4754 divisions whose firms do R&D and hold
// high-tech recognitions: medicine, special equipment, vehicles other than
// cars, electronics, instruments, software and IT, research.
var techDivisions = map[string]bool{
	"27": true, "35": true, "37": true, "39": true, "40": true,
	"63": true, "64": true, "65": true, "73": true, "74": true, "75": true,
}

// divisionWords are the 行业词 a name carries, by division range.
var divisionWords = []struct {
	from, to string
	words    []string
}{
	{"01", "05", []string{"农业科技", "生态农业", "农产品"}},
	{"06", "12", []string{"矿业"}},
	{"13", "15", []string{"食品", "饮料", "食品科技"}},
	{"16", "16", []string{"烟草"}},
	{"17", "19", []string{"服饰", "纺织", "鞋业", "皮具"}},
	{"20", "21", []string{"家具", "木业"}},
	{"22", "24", []string{"纸业", "印刷", "文体用品"}},
	{"25", "25", []string{"石化", "能源"}},
	{"26", "26", []string{"化工", "新材料", "日化"}},
	{"27", "27", []string{"医药", "生物科技", "药业", "生物医药"}},
	{"28", "29", []string{"塑料制品", "橡胶", "高分子材料"}},
	{"30", "30", []string{"建材", "陶瓷", "玻璃"}},
	{"31", "33", []string{"金属制品", "五金", "铝业"}},
	{"34", "35", []string{"机械设备", "智能装备", "自动化设备", "机器人"}},
	{"36", "36", []string{"汽车", "汽车零部件", "汽车科技"}},
	{"37", "37", []string{"轨道交通装备", "船舶", "航空科技"}},
	{"38", "38", []string{"电气", "新能源", "电池", "电器"}},
	{"39", "39", []string{"电子科技", "光电", "半导体", "通信技术", "显示科技"}},
	{"40", "40", []string{"仪器", "检测设备"}},
	{"41", "43", []string{"制品", "工艺品"}},
	{"44", "46", []string{"能源", "燃气", "水务"}},
	{"47", "50", []string{"建设工程", "建筑工程", "装饰工程"}},
	{"51", "51", []string{"贸易", "商贸", "进出口"}},
	{"52", "52", []string{"百货", "商贸", "电子商务"}},
	{"53", "60", []string{"物流", "运输", "供应链管理"}},
	{"61", "62", []string{"餐饮管理", "酒店管理"}},
	{"63", "65", []string{"信息技术", "网络科技", "软件", "数据科技", "智能科技"}},
	{"66", "69", []string{"投资", "投资咨询", "保险代理"}},
	{"70", "70", []string{"置业", "房地产开发", "物业管理"}},
	{"71", "72", []string{"企业管理", "商务咨询", "广告", "人力资源"}},
	{"73", "75", []string{"科技", "检测技术", "技术服务"}},
	{"76", "79", []string{"环保科技", "家政服务", "园林"}},
	{"80", "81", []string{"维修服务", "汽车服务"}},
	{"82", "82", []string{"教育科技", "培训"}},
	{"83", "84", []string{"医疗", "健康管理"}},
	{"85", "90", []string{"文化传媒", "文化传播", "体育", "影视"}},
}

func wordsFor(div string) []string {
	for _, w := range divisionWords {
		if div >= w.from && div <= w.to {
			return w.words
		}
	}
	return []string{"实业"}
}

// syllables make up 字号 (trade names): two of them, sometimes three.
var syllables = []rune("华粤穗创恒信达盛鑫宏泰嘉越汇美康联智通源祥瑞丰隆安科新博天和兴明德宇中成金星海云腾飞凯利铭晟昊俊卓远致弘锦圣晖启澳展骏亿力百佳润雅诺朗昌耀航")

// name builds a company name: 广州 + 字号 + 行业词 + 有限公司, large firms
// sometimes 股份有限公司.
func (g *generator) name(c *class, z float64) string {
	r := g.rng
	var b strings.Builder
	b.Grow(48)
	b.WriteString("广州")
	n := 2
	if r.IntN(5) == 0 {
		n = 3
	}
	for range n {
		b.WriteRune(syllables[r.IntN(len(syllables))])
	}
	b.WriteString(c.words[r.IntN(len(c.words))])
	if z > 2 && r.IntN(3) == 0 {
		b.WriteString("股份有限公司")
	} else {
		b.WriteString("有限公司")
	}
	return b.String()
}

// clusterShares are the demo shares of the clusters without a scale target,
// matched by a word of the industry's Chinese name; they split what the
// targeted clusters leave of the total.
var clusterShares = []struct {
	word  string
	share float64
}{
	{"装备", 0.28}, {"人工智能", 0.18}, {"集成电路", 0.12}, {"低空", 0.14}, {"生物制造", 0.10}, {"船舶", 0.18},
}

// serviceRevenue are demo 2024 revenues of the modern services in yuan, by a
// word of the name: trade and finance lead, exhibitions are small.
var serviceRevenue = []struct {
	word string
	yuan float64
}{
	{"金融", 8e11}, {"科技服务", 3.5e11}, {"专业服务", 4e11}, {"商贸", 1.2e12},
	{"物流", 4.5e11}, {"会展", 6e10}, {"文化", 5e11}, {"旅游", 3.5e11},
}

// Cluster totals: about 4 万亿 yuan in 2024, growing 7.5 % a year, as the
// speech gives the baseline.
const (
	clusterTotal2024 = 4e12
	clusterGrowth    = 0.075
	indicatorBase    = 2024
)

// targetShare is the range of a targeted cluster's 2024 revenue as a share
// of its target: the trillion one about 60 %, the 500-billion ones 40–90 %,
// the 100-billion ones 45–80 %.
func targetShare(value int64) (lo, hi float64) {
	switch {
	case value >= 1e12:
		return 0.55, 0.65
	case value >= 5e11:
		return 0.40, 0.90
	}
	return 0.45, 0.80
}

// Indicators returns demo revenue series for every industry of the
// catalog: years 2022–2024, and 2025 once its figures would be out (AsOf
// past mid-2026). A cluster with a target starts 2024 short of it, and grows
// at about the rate the target needs: alternately a little faster (on
// track) and a little slower (behind). The clusters without a target fill
// the rest, so that each year the clusters sum to 4 万亿 in 2024 grown or
// shrunk at 7.5 % a year. Everything is drawn deterministically from seed.
func Indicators(cat *chanye.Catalog, seed int64, asOf chanye.Date) []*chanye.Indicator {
	years := []int{2022, 2023, 2024}
	if asOf.Year() > 2026 || asOf.Year() == 2026 && asOf.Month() > 6 {
		years = append(years, 2025)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 4<<40))
	base := map[string]float64{}   // 2024 value
	growth := map[string]float64{} // yearly growth
	var free []*chanye.Industry    // clusters without a target
	weights := map[string]float64{}
	targeted := 0
	for _, ind := range cat.Industries {
		switch {
		case ind.Kind == chanye.KindCluster && ind.Target != nil && ind.Target.ValueYuan > 0:
			lo, hi := targetShare(ind.Target.ValueYuan)
			share := lo + (hi-lo)*rng.Float64()
			base[ind.ID] = share * float64(ind.Target.ValueYuan)
			need := math.Pow(1/share, 1/float64(max(1, ind.Target.Year-indicatorBase))) - 1
			if targeted%2 == 0 {
				growth[ind.ID] = need + 0.005 + 0.025*rng.Float64()
			} else {
				growth[ind.ID] = max(0.02, need-0.01-0.03*rng.Float64())
			}
			targeted++
		case ind.Kind == chanye.KindCluster:
			free = append(free, ind)
			w := 1.0 / 6
			for _, s := range clusterShares {
				if strings.Contains(ind.NameZH, s.word) {
					w = s.share
					break
				}
			}
			weights[ind.ID] = w * math.Exp(0.1*rng.NormFloat64())
			growth[ind.ID] = clusterGrowth + 0.02*rng.NormFloat64()
		case ind.Kind == chanye.KindFuture:
			// 百亿级 and rising several-fold within the decade.
			base[ind.ID] = math.Exp(math.Log(8e9) + math.Log(30e9/8e9)*rng.Float64())
			growth[ind.ID] = 0.18 + 0.17*rng.Float64()
		default:
			v := 2e11
			for _, s := range serviceRevenue {
				if strings.Contains(ind.NameZH, s.word) {
					v = s.yuan
					break
				}
			}
			base[ind.ID] = v * (0.85 + 0.3*rng.Float64())
			growth[ind.ID] = 0.04 + 0.05*rng.Float64()
		}
	}
	at := func(id string, y int) float64 { return base[id] * math.Pow(1+growth[id], float64(y-indicatorBase)) }
	var out []*chanye.Indicator
	for _, y := range years {
		// The free clusters share what the targeted ones leave of the
		// year's total, each at its own rate from its 2024 weight.
		rest := clusterTotal2024 * math.Pow(1+clusterGrowth, float64(y-indicatorBase))
		for _, ind := range cat.Industries {
			if ind.Kind == chanye.KindCluster && ind.Target != nil && ind.Target.ValueYuan > 0 {
				rest -= at(ind.ID, y)
			}
		}
		sum := 0.0
		for _, ind := range free {
			sum += weights[ind.ID] * math.Pow(1+growth[ind.ID], float64(y-indicatorBase))
		}
		for _, ind := range cat.Industries {
			var v float64
			if w, ok := weights[ind.ID]; ok {
				v = max(0, rest) * w * math.Pow(1+growth[ind.ID], float64(y-indicatorBase)) / sum
			} else {
				v = at(ind.ID, y)
			}
			out = append(out, &chanye.Indicator{
				IndustryID: ind.ID, Metric: "revenue", Period: strconv.Itoa(y),
				Value: int64(math.Round(v)), Unit: "yuan", Source: IndicatorSource,
			})
		}
	}
	return out
}

type classWeight struct {
	code   string
	weight float64
}

// classWeights are the demo weights of GB/T 4754 classes, dropping any the
// standard's validator would reject.
func classWeights() []classWeight {
	var out []classWeight
	for _, w := range gbt4754.Weights() {
		if w.Weight > 0 && gbt4754.Validate(w.Code) == nil {
			out = append(out, classWeight{w.Code, float64(w.Weight)})
		}
	}
	return out
}
