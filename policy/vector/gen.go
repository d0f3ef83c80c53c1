package vector

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// Industries and districts that generated enterprises draw from.
var (
	genIndustries = []string{"ai", "semiconductors", "biomedicine", "embodied-ai", "new-energy-vehicles", "smart-equipment", "low-altitude", "fashion"}
	genDistricts  = []string{"440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114", "440115", "440117", "440118"}
	genSizes      = []string{"large", "medium", "small", "micro"}
	genLevels     = []string{"", "", "", "", "", "national", "provincial", "municipal"}
)

// SyntheticSubjects returns n generated enterprises as of day asOf, with
// the spread of a real register: most small, few with tiers, some facts
// unreported. The same seed gives the same subjects.
func SyntheticSubjects(n int, asOf chanye.Date, seed uint64) []policy.Subject {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]policy.Subject, n)
	y := int64(asOf.Year())
	plan := genPlan()
	iClass, iDivision, iGrowth, iCAGR := schemaIndex["e.class"], schemaIndex["e.division"], schemaIndex["e.revenue_growth"], schemaIndex["e.revenue_cagr3"]
	iRev := [3]int{schemaIndex["e.fy1.revenue"], schemaIndex["e.fy2.revenue"], schemaIndex["e.fy3.revenue"]}
	// One backing array per batch of subjects: fewer, larger allocations.
	vbuf, mbuf := make([]any, n*len(schema)), make([]bool, n*len(schema))
	for k := range out {
		vals, missing := vbuf[k*len(schema):(k+1)*len(schema):(k+1)*len(schema)], mbuf[k*len(schema):(k+1)*len(schema):(k+1)*len(schema)]
		var rev [policy.MaxFiscalYears]int64
		var reported [policy.MaxFiscalYears]bool
		for fy := range reported {
			reported[fy] = r.IntN(10) != 0
		}
		for i, g := range plan {
			switch g.kind {
			case genAsOf:
				vals[i] = y*10000 + int64(asOf.Month())*100 + int64(asOf.Day())
			case genPolicyYear:
				vals[i] = y
			case genDistrict:
				vals[i] = genDistricts[r.IntN(len(genDistricts))]
			case genClass:
				vals[i] = classCodes[r.IntN(3000)]
			case genDivision:
				vals[i] = "" // set from the class below
			case genIndustryList:
				var l []string
				for _, ind := range genIndustries {
					if r.IntN(6) == 0 {
						l = append(l, ind)
					}
				}
				vals[i] = append([]string{}, l...)
			case genSize:
				vals[i] = genSizes[min(r.IntN(10), 3)]
			case genAge:
				vals[i] = int64(r.IntN(40))
			case genHeld:
				vals[i] = r.IntN(12) == 0
			case genYear:
				if r.IntN(8) == 0 {
					vals[i] = y - int64(r.IntN(8))
				} else {
					vals[i] = int64(0)
				}
			case genDate:
				if r.IntN(8) == 0 {
					vals[i] = (y-int64(r.IntN(8)))*10000 + int64(1+r.IntN(12))*100 + int64(1+r.IntN(28))
				} else {
					vals[i] = int64(0)
				}
			case genLevel:
				vals[i] = genLevels[r.IntN(len(genLevels))]
			case genReported:
				vals[i] = reported[g.fy-1]
			case genFigure:
				// A year not reported has no figures; a reported one lacks
				// some.
				if !reported[g.fy-1] || r.IntN(10) == 0 {
					vals[i], missing[i] = int64(0), true
					continue
				}
				x := int64(math.Exp(r.Float64()*12 + 8))
				if g.count {
					x = int64(r.IntN(2000))
				}
				vals[i] = x
				if g.revenue {
					rev[g.fy-1] = x
				}
			case genRatio:
				vals[i] = r.Float64() * 0.3
			}
		}
		// A ratio is missing where what it divides is, or its base is 0.
		for _, rt := range ratios {
			missing[rt.of] = missing[rt.num] || missing[rt.den] || vals[rt.den] == int64(0)
		}
		cls := vals[iClass].(string)
		vals[iDivision] = cls[:2]
		vals[iGrowth], missing[iGrowth] = 0.0, true
		if rev[1] != 0 && !missing[iRev[0]] && !missing[iRev[1]] {
			vals[iGrowth], missing[iGrowth] = float64(rev[0]-rev[1])/float64(rev[1]), false
		}
		missing[iCAGR] = missing[iRev[0]] || missing[iRev[2]] || rev[2] == 0
		out[k] = policy.SubjectOf(fmt.Sprintf("S%07d", k), asOf, vals, missing)
	}
	return out
}

type genKind uint8

const (
	genAsOf genKind = iota + 1
	genPolicyYear
	genDistrict
	genClass
	genDivision
	genIndustryList
	genSize
	genAge
	genHeld
	genYear
	genDate
	genLevel
	genReported
	genFigure
	genRatio
)

// genStep says how SyntheticSubjects draws one schema variable.
type genStep struct {
	kind    genKind
	count   bool // a figure in people or a count
	fy      int  // the fiscal year (1 to policy.MaxFiscalYears) of a figure or of reported, else 0
	revenue bool // the figure is revenue
}

// ratios are the derived ratios of the schema: of = num / den.
var ratios = func() (out []struct{ of, num, den int }) {
	for fy := 1; fy <= policy.MaxFiscalYears; fy++ {
		p := fmt.Sprintf("e.fy%d.", fy)
		out = append(out,
			struct{ of, num, den int }{schemaIndex[p+"rd_ratio"], schemaIndex[p+"rd_spending"], schemaIndex[p+"revenue"]},
			struct{ of, num, den int }{schemaIndex[p+"rd_staff_ratio"], schemaIndex[p+"rd_staff"], schemaIndex[p+"employees"]})
	}
	return out
}()

// classCodes are the industry classes generated enterprises draw from.
var classCodes = func() []string {
	out := make([]string, 3000)
	for i := range out {
		out[i] = fmt.Sprintf("%04d", 1300+i)
	}
	return out
}()

// genPlan classifies the schema once, rather than per generated subject.
func genPlan() []genStep {
	plan := make([]genStep, len(schema))
	for i, v := range schema {
		name, g := v.Name, &plan[i]
		switch {
		case name == "as_of":
			g.kind = genAsOf
		case name == "policy_year":
			g.kind = genPolicyYear
		case name == "e.district":
			g.kind = genDistrict
		case name == "e.class":
			g.kind = genClass
		case name == "e.division":
			g.kind = genDivision
		case name == "e.industries":
			g.kind = genIndustryList
		case name == "e.size":
			g.kind = genSize
		case name == "e.age":
			g.kind = genAge
		case strings.HasSuffix(name, ".held"):
			g.kind = genHeld
		case strings.HasSuffix(name, "first_year"), strings.HasSuffix(name, ".year"):
			g.kind = genYear
		case strings.HasSuffix(name, "date"): // e.tier.K.date, .first_date
			g.kind = genDate
		case strings.HasSuffix(name, "level"): // e.tier.K.level, .first_level
			g.kind = genLevel
		case strings.HasSuffix(name, ".reported"):
			g.kind = genReported
			fmt.Sscanf(name, "e.fy%d.", &g.fy)
		case v.Type == "int": // a fact figure
			g.kind = genFigure
			g.count = v.Unit == policy.UnitPeople || v.Unit == policy.UnitCount
			fmt.Sscanf(name, "e.fy%d.", &g.fy)
			g.revenue = strings.HasSuffix(name, ".revenue")
		case v.Type == "double":
			g.kind = genRatio
		default:
			panic("vector: unexpected schema variable " + name)
		}
	}
	return plan
}

// RealisticPolicies returns n variants of the shipped policies (those
// without declared inputs) with
// thresholds, rates and caps varied, compiled, as a benchmark's load.
func RealisticPolicies(n int, seed uint64) ([]*policy.Compiled, error) {
	r := rand.New(rand.NewPCG(seed, 2))
	// Policies with declared inputs are left out: the generated base holds
	// no project or application, and the benchmark's SQL peers read only
	// the schema's columns. TestDifferentialInputs covers them.
	var shipped []*policy.Policy
	for _, p := range policy.Shipped() {
		if len(p.Inputs) == 0 {
			shipped = append(shipped, p)
		}
	}
	var out []*policy.Compiled
	for k := 0; k < n; k++ {
		p := *shipped[k%len(shipped)]
		p.ID = fmt.Sprintf("%s-v%d", p.ID, k)
		p.Cases = nil
		p.Params = append([]policy.Param(nil), p.Params...)
		for i := range p.Params {
			pa := &p.Params[i]
			pa.Values = append([]policy.ParamValue(nil), pa.Values...)
			for j := range pa.Values {
				switch v := pa.Values[j].Value.(type) {
				case int64:
					pa.Values[j].Value = v * int64(50+r.IntN(100)) / 100
				case float64:
					pa.Values[j].Value = v * float64(50+r.IntN(100)) / 100
				}
			}
		}
		// Some variants narrow the policy to a district or a size class.
		p.Conds = append([]policy.Condition(nil), p.Conds...)
		switch r.IntN(3) {
		case 0:
			p.Conds = append(p.Conds, policy.Condition{ID: "district", LabelZH: "区", LabelEN: "district",
				Expr: fmt.Sprintf("e.district in [%q, %q]", genDistricts[r.IntN(len(genDistricts))], genDistricts[r.IntN(len(genDistricts))])})
		case 1:
			p.Conds = append(p.Conds, policy.Condition{ID: "size", LabelZH: "规模", LabelEN: "size",
				Expr: fmt.Sprintf("e.size != %q", genSizes[r.IntN(len(genSizes))])})
		}
		if p.Amount.CapFen > 0 {
			p.Amount.CapFen = p.Amount.CapFen * chanye.Fen(50+r.IntN(100)) / 100
		}
		c, err := policy.Compile(&p)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// WithRelations declares relations on half the policies, as the benchmark
// and the differential tests put them in play: every even-numbered policy
// joins an exclusive group of five (就高不重复), the first of each group
// declaring a cap per enterprise of capFen (0: none), and every tenth
// odd-numbered policy requires the policy before it. It changes the
// policies in place; compiled programs are unaffected (relations are
// resolved after evaluation).
func WithRelations(pols []*policy.Compiled, capFen chanye.Fen) {
	for k, c := range pols {
		p := c.Policy
		switch {
		case k%2 == 0:
			g := fmt.Sprintf("bench-g%d", k/10)
			p.Relations = policy.Relations{ExclusiveGroup: g}
			if k%10 == 0 && capFen > 0 {
				p.Groups = []policy.Group{{ID: g, CapPerEnterpriseFen: capFen}}
			}
		case k%10 == 1:
			p.Relations = policy.Relations{Requires: []string{pols[k-1].Policy.ID}}
		}
	}
}
