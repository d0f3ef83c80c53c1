package project

import (
	"fmt"
	"time"

	"github.com/chanye-org/chanye"
)

// The departments that own nodes by default. They are the usual municipal
// bureaus; a city that names them differently edits the nodes it imports.
const (
	deptDRC      = "市发展改革委"
	deptLand     = "市规划和自然资源局"
	deptHousing  = "市住房城乡建设局"
	deptIndustry = "市工业和信息化局"
	deptEcology  = "市生态环境局"
	deptOwner    = "项目业主"
)

// nodeTemplate places a node in time. Before the start, a node sits
// Months months before the planned start; from the start on, at Frac of
// the way from start to completion; after completion, Months months after
// the planned completion.
type nodeTemplate struct {
	Name, Dept string
	Anchor     anchor
	Months     int
	Frac       float64
}

type anchor int

const (
	beforeStart anchor = iota
	during
	afterCompletion
)

var templates = map[Kind][]nodeTemplate{
	KindIndustrial: {
		{"立项备案", deptDRC, beforeStart, 6, 0},
		{"用地预审", deptLand, beforeStart, 5, 0},
		{"环评批复", deptEcology, beforeStart, 3, 0},
		{"规划许可", deptLand, beforeStart, 2, 0},
		{"施工许可", deptHousing, beforeStart, 1, 0},
		{"开工", deptOwner, during, 0, 0},
		{"主体封顶", deptOwner, during, 0, 0.6},
		{"竣工验收", deptHousing, during, 0, 1},
		{"投产", deptIndustry, afterCompletion, 2, 0},
		{"达产", deptIndustry, afterCompletion, 12, 0},
	},
	KindInfrastructure: {
		{"立项", deptDRC, beforeStart, 9, 0},
		{"可行性研究批复", deptDRC, beforeStart, 6, 0},
		{"用地预审", deptLand, beforeStart, 5, 0},
		{"初步设计批复", deptDRC, beforeStart, 3, 0},
		{"施工许可", deptHousing, beforeStart, 1, 0},
		{"开工", deptOwner, during, 0, 0},
		{"主体完工", deptOwner, during, 0, 0.8},
		{"竣工验收", deptHousing, during, 0, 1},
		{"交付使用", deptOwner, afterCompletion, 1, 0},
	},
	KindDigitalRetrofit: {
		{"立项备案", deptIndustry, beforeStart, 3, 0},
		{"改造方案评审", deptIndustry, beforeStart, 1, 0},
		{"开工", deptOwner, during, 0, 0},
		{"设备采购到位", deptOwner, during, 0, 0.4},
		{"系统上线", deptOwner, during, 0, 0.8},
		{"竣工验收", deptIndustry, during, 0, 1},
		{"投产", deptIndustry, afterCompletion, 1, 0},
	},
	KindRnD: {
		{"立项", deptDRC, beforeStart, 6, 0},
		{"规划许可", deptLand, beforeStart, 2, 0},
		{"施工许可", deptHousing, beforeStart, 1, 0},
		{"开工", deptOwner, during, 0, 0},
		{"主体封顶", deptOwner, during, 0, 0.6},
		{"竣工验收", deptHousing, during, 0, 1},
		{"投入运营", deptOwner, afterCompletion, 3, 0},
	},
	KindServices: {
		{"立项备案", deptDRC, beforeStart, 6, 0},
		{"用地预审", deptLand, beforeStart, 5, 0},
		{"规划许可", deptLand, beforeStart, 2, 0},
		{"施工许可", deptHousing, beforeStart, 1, 0},
		{"开工", deptOwner, during, 0, 0},
		{"主体封顶", deptOwner, during, 0, 0.6},
		{"竣工验收", deptHousing, during, 0, 1},
		{"开业运营", deptOwner, afterCompletion, 2, 0},
	},
}

// StartNode is the name of the node whose actual date marks the start
// (开工) in every template.
const StartNode = "开工"

// NodesFor returns the nodes of a project of the kind, numbered from 1,
// with planned dates placed around the planned start and completion.
// ProjectID is left empty. An unknown kind gets the industrial template.
func NodesFor(kind Kind, plannedStart, plannedCompletion chanye.Date) []*Node {
	ts, ok := templates[kind]
	if !ok {
		ts = templates[KindIndustrial]
	}
	span := plannedCompletion.Sub(plannedStart.Time)
	out := make([]*Node, len(ts))
	for i, t := range ts {
		var d time.Time
		switch t.Anchor {
		case beforeStart:
			d = plannedStart.AddDate(0, -t.Months, 0)
		case during:
			d = plannedStart.Add(time.Duration(float64(span) * t.Frac))
		case afterCompletion:
			d = plannedCompletion.AddDate(0, t.Months, 0)
		}
		out[i] = &Node{Seq: i + 1, Name: t.Name, OwnerDepartment: t.Dept, PlannedDate: chanye.DateOf(d)}
	}
	return out
}

// CheckNodeDates checks the actual dates of a project's nodes against its
// start: no node after the start node (开工) in the template — 主体封顶,
// 竣工验收, 投产, 达产 … — may be done before the project started, which is
// the start node's actual date once recorded and the planned start until
// then. Nodes before the start (approvals, permits) are not bounded. A
// project without a start node is not checked. EINVALID keyed actual_date,
// naming the node at fault.
func CheckNodeDates(p *Project, nodes []*Node) error {
	var start *Node
	for _, n := range nodes {
		if n.Name == StartNode {
			start = n
		}
	}
	if start == nil {
		return nil
	}
	from, zh, en := p.PlannedStart, "计划开工日期", "the planned start"
	if !start.ActualDate.IsZero() {
		from, zh, en = start.ActualDate, "开工节点的实际日期", "the start node's actual date"
	}
	for _, n := range nodes {
		if n.Seq > start.Seq && !n.ActualDate.IsZero() && n.ActualDate.Before(from.Time) {
			return chanye.Invalid("节点日期有误 / invalid node date", map[string]string{"actual_date": fmt.Sprintf(
				"「%s」的实际日期 %s 早于项目开工 %s（%s）/ %s on %s is before the project's start on %s (%s)",
				n.Name, n.ActualDate, from, zh, n.Name, n.ActualDate, from, en)})
		}
	}
	return nil
}
