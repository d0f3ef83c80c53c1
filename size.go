package chanye

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"strconv"
)

// SizeClass is an enterprise's size under the statistics bureau's
// 《统计上大中小微型企业划分办法（2017）》.
type SizeClass string

// The four size classes; "" means unknown.
const (
	SizeLarge  SizeClass = "large"
	SizeMedium SizeClass = "medium"
	SizeSmall  SizeClass = "small"
	SizeMicro  SizeClass = "micro"
)

// sizeOrder lists the classes from the largest down; a class's index is its
// rank in ClassifySize.
var sizeOrder = [...]SizeClass{SizeLarge, SizeMedium, SizeSmall, SizeMicro}

// Valid reports whether s is one of the four size classes.
func (s SizeClass) Valid() bool {
	return s == SizeLarge || s == SizeMedium || s == SizeSmall || s == SizeMicro
}

// NameZH returns the Chinese name, or "未知" for an unknown class.
func (s SizeClass) NameZH() string {
	switch s {
	case SizeLarge:
		return "大型"
	case SizeMedium:
		return "中型"
	case SizeSmall:
		return "小型"
	case SizeMicro:
		return "微型"
	}
	return "未知"
}

// NameEN returns the English name, or "Unknown".
func (s SizeClass) NameEN() string {
	switch s {
	case SizeLarge:
		return "Large"
	case SizeMedium:
		return "Medium"
	case SizeSmall:
		return "Small"
	case SizeMicro:
		return "Micro"
	}
	return "Unknown"
}

// sizerules.csv holds the standard's thresholds; see sizerules.md for its
// source.
//
//go:embed sizerules.csv
var sizeRulesCSV []byte

// sizeRule is one indicator of a sector with its lower bounds for large,
// medium and small, in 人 or in fen.
type sizeRule struct {
	indicator byte // 'X' employees, 'Y' revenue, 'Z' total assets
	min       [3]int64
}

// sizeRules maps a sector (the standard's row name) to its indicators. It is
// parsed once; the file is embedded, so an error is a build defect.
var sizeRules = func() map[string][]sizeRule {
	rows, err := csv.NewReader(bytes.NewReader(sizeRulesCSV)).ReadAll()
	if err != nil {
		panic("chanye: sizerules.csv: " + err.Error())
	}
	rules := map[string][]sizeRule{}
	for _, r := range rows[1:] {
		ind := r[1][len(r[1])-1] // 从业人员X -> 'X'
		scale := int64(1)
		if r[2] == "万元" {
			scale = 1_000_000 // fen in 1 万元
		}
		var rule sizeRule
		rule.indicator = ind
		for i := range 3 {
			n, err := strconv.ParseInt(r[3+i], 10, 64)
			if err != nil || ind != 'X' && ind != 'Y' && ind != 'Z' {
				panic("chanye: sizerules.csv: bad row " + r[0] + " " + r[1])
			}
			rule.min[i] = n * scale
		}
		rules[r[0]] = append(rules[r[0]], rule)
	}
	return rules
}()

// SizeSector maps a 4-digit GB/T 4754-2017 class to the row of the size
// table that applies to it, or "" for a malformed code. Railway transport
// (53) is excluded from 交通运输业 by the standard and falls to 其他未列明行业;
// loading and unloading (5910) counts as 交通运输业 and the rest of
// division 59 as 仓储业, as the standard's notes on the two rows say.
func SizeSector(class string) string {
	if len(class) != 4 {
		return ""
	}
	div := 0
	for i := 0; i < 4; i++ {
		if class[i] < '0' || class[i] > '9' {
			return ""
		}
		if i < 2 {
			div = div*10 + int(class[i]-'0')
		}
	}
	switch {
	case div < 1 || div > 97:
		return ""
	case div <= 5:
		return "农、林、牧、渔业"
	case div <= 46:
		return "工业" // mining, manufacturing, utilities
	case div <= 50:
		return "建筑业"
	case div == 51:
		return "批发业"
	case div == 52:
		return "零售业"
	case div >= 54 && div <= 58, class[:3] == "591":
		return "交通运输业"
	case div == 59:
		return "仓储业"
	case div == 60:
		return "邮政业"
	case div == 61:
		return "住宿业"
	case div == 62:
		return "餐饮业"
	case div == 63, div == 64:
		return "信息传输业"
	case div == 65:
		return "软件和信息技术服务业"
	case class == "7010":
		return "房地产开发经营"
	case class == "7020":
		return "物业管理"
	case div == 71, div == 72:
		return "租赁和商务服务业"
	}
	return "其他未列明行业"
}

// ClassifySize returns the size class of an enterprise in a GB/T 4754
// class from its employees and its revenue and total assets in fen; nil
// means not reported. Large, medium and small need every indicator of the
// sector to reach the lower bound, otherwise the enterprise drops a level;
// micro needs only one. So the result is the smallest class any indicator
// allows: a single known indicator below the small bound makes it micro even
// when others are missing, and otherwise a missing indicator the sector
// needs makes the result "" (unknown), as does an unknown class.
func ClassifySize(class string, employees, revenueFen, assetsFen *int64) SizeClass {
	rules := sizeRules[SizeSector(class)]
	if len(rules) == 0 {
		return ""
	}
	rank, missing := 0, false
	for _, r := range rules {
		var v *int64
		switch r.indicator {
		case 'X':
			v = employees
		case 'Y':
			v = revenueFen
		case 'Z':
			v = assetsFen
		}
		if v == nil {
			missing = true
			continue
		}
		i := 0
		for i < 3 && *v < r.min[i] {
			i++
		}
		rank = max(rank, i)
	}
	if missing && sizeOrder[rank] != SizeMicro {
		return ""
	}
	return sizeOrder[rank]
}
