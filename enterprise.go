package chanye

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chanye-org/chanye/gbt4754"
	"github.com/chanye-org/chanye/uscc"
)

// Date is a calendar day without time of day, written 2006-01-02.
type Date struct{ time.Time }

// DateLayout is how dates are written everywhere: in JSON, files and SQL.
const DateLayout = "2006-01-02"

// ParseDate parses a 2006-01-02 date; it also accepts 2006/01/02 as
// spreadsheets write it.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(DateLayout, strings.ReplaceAll(s, "/", "-"))
	if err != nil {
		return Date{}, fmt.Errorf("日期 %q 须为 YYYY-MM-DD / date must be YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// DateOf returns the day of t in t's location.
func DateOf(t time.Time) Date {
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// String returns the date as 2006-01-02, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(DateLayout)
}

// MarshalJSON writes the date as a string, null for the zero date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads a 2006-01-02 string or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("日期须为字符串 YYYY-MM-DD / date must be a string YYYY-MM-DD")
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Fen is an amount of money in fen (分), 1/100 yuan. Money is never a float.
type Fen int64

// Yuan returns the amount formatted in yuan with two decimals, e.g. "1234.50".
func (f Fen) Yuan() string {
	sign, u := "", uint64(f)
	if f < 0 {
		sign, u = "-", -u // as unsigned, so that MinInt64 has a magnitude too
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// ParseYuan parses a yuan amount with at most two decimals ("1234.5",
// "1,234.50") into fen, exactly.
func ParseYuan(s string) (Fen, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || strings.Trim(whole, "0123456789") != "" || len(whole) > 15 ||
		(hasFrac && (len(frac) == 0 || len(frac) > 2 || strings.Trim(frac, "0123456789") != "")) {
		return 0, fmt.Errorf("金额 %q 须为元，最多两位小数 / amount must be yuan with at most two decimals", s)
	}
	var v int64
	for _, c := range whole {
		v = v*10 + int64(c-'0')
	}
	frac = (frac + "00")[:2]
	v = v*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	if neg {
		v = -v
	}
	return Fen(v), nil
}

// TierKind is a recognised status of an enterprise (企业梯度).
type TierKind string

// The tiers of the enterprise ladder, from the speech and provincial practice.
const (
	TierLeading        TierKind = "leading"         // 龙头企业
	TierChainLeader    TierKind = "chain_leader"    // 链主企业
	TierSRDI           TierKind = "srdi"            // 专精特新中小企业
	TierLittleGiant    TierKind = "little_giant"    // 专精特新“小巨人”
	TierSingleChampion TierKind = "single_champion" // 制造业单项冠军
	TierUnicorn        TierKind = "unicorn"         // 独角兽
	TierGazelle        TierKind = "gazelle"         // 瞪羚企业
	TierHighTech       TierKind = "high_tech"       // 高新技术企业
	TierAboveScale     TierKind = "above_scale"     // 规模以上企业（规上）
)

// TierKinds lists the tiers in display order, highest first.
var TierKinds = []TierKind{TierLeading, TierChainLeader, TierSingleChampion, TierLittleGiant, TierUnicorn, TierGazelle, TierSRDI, TierHighTech, TierAboveScale}

var tierNames = map[TierKind][2]string{
	TierLeading:        {"龙头企业", "Leading enterprise"},
	TierChainLeader:    {"链主企业", "Chain leader"},
	TierSRDI:           {"专精特新中小企业", "Specialised, refined, distinctive, innovative SME"},
	TierLittleGiant:    {"专精特新“小巨人”", "Little giant"},
	TierSingleChampion: {"制造业单项冠军", "Single champion"},
	TierUnicorn:        {"独角兽", "Unicorn"},
	TierGazelle:        {"瞪羚企业", "Gazelle"},
	TierHighTech:       {"高新技术企业", "High-tech enterprise"},
	TierAboveScale:     {"规上企业", "Above designated size"},
}

// Valid reports whether k is a known tier.
func (k TierKind) Valid() bool { _, ok := tierNames[k]; return ok }

// NameZH returns the Chinese name of the tier.
func (k TierKind) NameZH() string { return tierNames[k][0] }

// NameEN returns the English name of the tier.
func (k TierKind) NameEN() string { return tierNames[k][1] }

// ParseTierKind accepts a tier id or its Chinese name (as files from
// departments carry it), with or without the 企业 suffix.
func ParseTierKind(s string) (TierKind, error) {
	s = strings.TrimSpace(s)
	if k := TierKind(s); k.Valid() {
		return k, nil
	}
	for k, n := range tierNames {
		short := strings.TrimSuffix(n[0], "企业")
		if s == n[0] || s == short || strings.ReplaceAll(short, "“", "") == strings.ReplaceAll(strings.ReplaceAll(s, "\"", ""), "“", "") ||
			(k == TierLittleGiant && s == "小巨人") || (k == TierSingleChampion && s == "单项冠军") || (k == TierAboveScale && s == "规上") {
			return k, nil
		}
	}
	return "", fmt.Errorf("未知梯度 %q / unknown tier", s)
}

// TierLevel is the level of the body that recognised a tier (认定级别):
// a little giant is recognised by the ministry, an SRDI SME by the province.
type TierLevel string

// The levels of a recognition; "" means not recorded.
const (
	LevelNational   TierLevel = "national"   // 国家级
	LevelProvincial TierLevel = "provincial" // 省级
	LevelMunicipal  TierLevel = "municipal"  // 市级
)

// TierLevels lists the levels, highest first.
var TierLevels = []TierLevel{LevelNational, LevelProvincial, LevelMunicipal}

var levelNames = map[TierLevel][2]string{
	LevelNational:   {"国家级", "National"},
	LevelProvincial: {"省级", "Provincial"},
	LevelMunicipal:  {"市级", "Municipal"},
}

// Valid reports whether l is one of the three levels ("" is not).
func (l TierLevel) Valid() bool { _, ok := levelNames[l]; return ok }

// NameZH returns the Chinese name of the level, "" when not recorded.
func (l TierLevel) NameZH() string { return levelNames[l][0] }

// NameEN returns the English name of the level, "" when not recorded.
func (l TierLevel) NameEN() string { return levelNames[l][1] }

// ParseTierLevel accepts a level id or its Chinese name, with or without
// 级 (国家级, 国家, 省级, 省, 市级, 市); "" gives "" (not recorded).
func ParseTierLevel(s string) (TierLevel, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if l := TierLevel(strings.ToLower(s)); l.Valid() {
		return l, nil
	}
	for l, n := range levelNames {
		if s == n[0] || s == strings.TrimSuffix(n[0], "级") {
			return l, nil
		}
	}
	return "", fmt.Errorf("未知认定级别 %q，须为 国家级、省级 或 市级 / unknown level, must be national, provincial or municipal", s)
}

// Tier is a recognition held by an enterprise from the day it was
// recognised (From), until another or open-ended, with the level of the
// body that recognised it.
type Tier struct {
	Kind   TierKind  `json:"kind"`
	Level  TierLevel `json:"level"` // "": not recorded
	From   Date      `json:"from"`  // the day of recognition
	To     Date      `json:"to"`    // zero: still held
	Source string    `json:"source"`
}

// ActiveOn reports whether the tier is held on day d.
func (t Tier) ActiveOn(d Date) bool {
	return !t.From.After(d.Time) && (t.To.IsZero() || !t.To.Before(d.Time))
}

// Validate checks kind, level and dates.
func (t Tier) Validate() error {
	fields := map[string]string{}
	if !t.Kind.Valid() {
		fields["kind"] = fmt.Sprintf("未知梯度 %q / unknown tier", t.Kind)
	}
	if t.Level != "" && !t.Level.Valid() {
		fields["level"] = fmt.Sprintf("未知认定级别 %q，须为 national（国家级）、provincial（省级）或 municipal（市级）/ unknown level, must be national, provincial or municipal", t.Level)
	}
	if t.From.IsZero() {
		fields["from"] = "必填 / required"
	}
	if !t.To.IsZero() && t.To.Before(t.From.Time) {
		fields["to"] = "不能早于起始日期 / must not be before from"
	}
	return Invalid("梯度有误 / invalid tier", fields)
}

// Facts are an enterprise's figures for one fiscal year as one source
// reported them on one day. Nil means "not reported". An enterprise may have
// several Facts for a year from different sources; Merge picks per figure.
type Facts struct {
	Year               int    `json:"year"`
	Revenue            *Fen   `json:"revenue_fen"`
	RDSpending         *Fen   `json:"rd_spending_fen"`
	Employees          *int64 `json:"employees"`
	RDStaff            *int64 `json:"rd_staff"`
	TotalAssets        *Fen   `json:"total_assets_fen"`
	TaxPaid            *Fen   `json:"tax_paid_fen"`
	Exports            *Fen   `json:"exports_fen"`
	InventionPatents   *int64 `json:"invention_patents"`
	EquipmentPurchases *Fen   `json:"equipment_purchases_fen"`
	// ValueAdded is the year's value added (增加值): output less what was
	// bought in to make it, the base of 亩均增加值.
	ValueAdded *Fen   `json:"value_added_fen"`
	Source     string `json:"source"`
	AsOf       Date   `json:"as_of"`
}

// FactField describes one figure of Facts, for files, forms and charts.
type FactField struct {
	Key    string // JSON key and column name
	NameZH string
	NameEN string
	Money  bool
}

// FactFields lists the figures of Facts in file column order.
var FactFields = []FactField{
	{"revenue_fen", "营业收入", "Revenue", true},
	{"rd_spending_fen", "研发费用", "R&D spending", true},
	{"employees", "从业人员", "Employees", false},
	{"rd_staff", "研发人员", "R&D staff", false},
	{"total_assets_fen", "资产总额", "Total assets", true},
	{"tax_paid_fen", "纳税额", "Tax paid", true},
	{"exports_fen", "出口额", "Exports", true},
	{"invention_patents", "发明专利", "Invention patents", false},
	{"equipment_purchases_fen", "设备购置", "Equipment purchases", true},
	{"value_added_fen", "增加值", "Value added", true},
}

// Values returns pointers to the figures in FactFields order, so adapters can
// read and set them without a switch per field.
func (f *Facts) Values() []*int64 {
	return []*int64{(*int64)(f.Revenue), (*int64)(f.RDSpending), f.Employees, f.RDStaff, (*int64)(f.TotalAssets),
		(*int64)(f.TaxPaid), (*int64)(f.Exports), f.InventionPatents, (*int64)(f.EquipmentPurchases), (*int64)(f.ValueAdded)}
}

// SetValues sets the figures in FactFields order; nil leaves a figure unreported.
func (f *Facts) SetValues(v []*int64) {
	f.Revenue, f.RDSpending, f.Employees, f.RDStaff = (*Fen)(v[0]), (*Fen)(v[1]), v[2], v[3]
	f.TotalAssets, f.TaxPaid, f.Exports = (*Fen)(v[4]), (*Fen)(v[5]), (*Fen)(v[6])
	f.InventionPatents, f.EquipmentPurchases, f.ValueAdded = v[7], (*Fen)(v[8]), (*Fen)(v[9])
}

// Validate checks the year, the source and that figures are neither
// negative nor above their bound (MaxFactFen, MaxFactCount).
func (f *Facts) Validate(now time.Time) error {
	fields := map[string]string{}
	if f.Year < 1949 || f.Year > now.Year() {
		fields["year"] = fmt.Sprintf("年度 %d 无效 / invalid fiscal year", f.Year)
	}
	if strings.TrimSpace(f.Source) == "" {
		fields["source"] = "须注明来源 / a source is required"
	}
	if f.AsOf.IsZero() {
		fields["as_of"] = "须注明数据日期 / an as-of date is required"
	} else if f.AsOf.After(now) {
		fields["as_of"] = "不能晚于今天 / must not be in the future"
	}
	empty := true
	for i, v := range f.Values() {
		if v != nil {
			empty = false
			switch {
			case *v < 0:
				fields[FactFields[i].Key] = "不能为负 / must not be negative"
			case FactFields[i].Money && Fen(*v) > MaxFactFen:
				fields[FactFields[i].Key] = ExceedsFen(MaxFactFen)
			case !FactFields[i].Money && *v > MaxFactCount:
				fields[FactFields[i].Key] = ExceedsCount(MaxFactCount)
			}
		}
	}
	if empty {
		fields["facts"] = "至少填写一项数据 / at least one figure is required"
	}
	if f.RDStaff != nil && f.Employees != nil && *f.RDStaff > *f.Employees {
		fields["rd_staff"] = "研发人员不能多于从业人员 / R&D staff cannot exceed employees"
	}
	return Invalid("年度数据有误 / invalid facts", fields)
}

// MergeFacts combines the reports of one year into one Facts: per figure,
// the value from the report with the latest as-of date wins. Source and AsOf
// of the result are those of the latest report.
func MergeFacts(reports []*Facts) *Facts {
	if len(reports) == 0 {
		return nil
	}
	out := &Facts{Year: reports[0].Year}
	merged := make([]*int64, len(FactFields))
	asOf := make([]Date, len(FactFields))
	for _, r := range reports {
		for i, v := range r.Values() {
			if v != nil && (merged[i] == nil || !r.AsOf.Before(asOf[i].Time)) {
				x := *v
				merged[i], asOf[i] = &x, r.AsOf
			}
		}
		if !r.AsOf.Before(out.AsOf.Time) {
			out.Source, out.AsOf = r.Source, r.AsOf
		}
	}
	out.SetValues(merged)
	return out
}

// Enterprise is a registered business, keyed by its unified social credit
// code (统一社会信用代码).
type Enterprise struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	DistrictCode  string `json:"district_code"`
	IndustryClass string `json:"industry_class"`
	Founded       Date   `json:"founded"`
	// Industries are the ids of the 21+8 the enterprise belongs to: derived
	// from IndustryClass unless IndustriesOverride is set.
	Industries         []string  `json:"industries"`
	IndustriesOverride bool      `json:"industries_override"`
	Tiers              []Tier    `json:"tiers"`
	SizeClass          SizeClass `json:"size_class"`
	// Facts are the merged yearly figures, newest year first; filled by
	// FindEnterpriseByCode, empty in lists.
	Facts     []*Facts  `json:"facts,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Validate checks the enterprise against the catalog (districts, industry
// ids) and the standards (credit code, GB/T 4754 class). It normalises the
// code and trims the name.
func (e *Enterprise) Validate(c *Catalog, now time.Time) error {
	fields := map[string]string{}
	e.Code = uscc.Normalize(e.Code)
	if err := uscc.Validate(e.Code); err != nil {
		fields["code"] = err.Error()
	}
	e.Name = strings.TrimSpace(e.Name)
	if n := utf8.RuneCountInString(e.Name); n == 0 {
		fields["name"] = "必填 / required"
	} else if n > 200 {
		fields["name"] = "不超过 200 个字符 / at most 200 characters"
	}
	if _, ok := c.District(e.DistrictCode); !ok {
		fields["district_code"] = fmt.Sprintf("%q 不是本市的区县代码 / not a district of %s", e.DistrictCode, c.City.NameEN)
	}
	if err := gbt4754.Validate(e.IndustryClass); err != nil {
		fields["industry_class"] = err.Error()
	}
	if e.Founded.IsZero() {
		fields["founded"] = "必填 / required"
	} else if e.Founded.After(now) {
		fields["founded"] = "不能晚于今天 / must not be in the future"
	} else if e.Founded.Year() < 1949 {
		fields["founded"] = "早于 1949 年 / before 1949"
	}
	for i, id := range e.Industries {
		if c.Industry(id) == nil {
			fields[fmt.Sprintf("industries[%d]", i)] = fmt.Sprintf("未知产业 %q / unknown industry", id)
		}
	}
	for i, t := range e.Tiers {
		for k, v := range ErrorFields(t.Validate()) {
			fields[fmt.Sprintf("tiers[%d].%s", i, k)] = v
		}
	}
	return Invalid("企业信息有误 / invalid enterprise", fields)
}

// DeriveIndustries sets Industries from the class unless overridden.
func (e *Enterprise) DeriveIndustries(c *Catalog) {
	if !e.IndustriesOverride {
		e.Industries = c.IndustriesForClass(e.IndustryClass)
	}
}

// ActiveTiers returns the kinds of tier held on day d.
func (e *Enterprise) ActiveTiers(d Date) []TierKind {
	var out []TierKind
	for _, t := range e.Tiers {
		if t.ActiveOn(d) {
			out = append(out, t.Kind)
		}
	}
	return out
}

// LatestFacts returns the merged facts of the newest year, or nil.
func (e *Enterprise) LatestFacts() *Facts {
	if len(e.Facts) == 0 {
		return nil
	}
	return e.Facts[0]
}

// DeriveSizeClass sets SizeClass, the current class stored with the
// enterprise for lists and filters, from the class and the newest facts.
// Decisions and explanations use SizeClassOn their as-of date instead.
func (e *Enterprise) DeriveSizeClass() {
	f := e.LatestFacts()
	if f == nil {
		e.SizeClass = ""
		return
	}
	e.SizeClass = ClassifySize(e.IndustryClass, f.Employees, (*int64)(f.Revenue), (*int64)(f.TotalAssets))
}

// SizeClassOn returns the size class as of day d: that of the newest
// fiscal year with facts that had ended before d's year (the last complete
// fiscal year, or an earlier one while its figures are not in), so that a
// firm that grew from small to medium in 2025 is still small on an as-of
// date in 2025. Facts must be merged per year, newest first, as
// FindEnterpriseByCode returns them; unmerged reports of one year are
// merged here. An enterprise without facts (a list entry, a case written
// with a size) keeps its SizeClass.
func (e *Enterprise) SizeClassOn(d Date) SizeClass {
	if len(e.Facts) == 0 {
		return e.SizeClass
	}
	best := -1
	var year []*Facts
	for _, f := range e.Facts {
		if f == nil || f.Year >= d.Year() || f.Year < best {
			continue
		}
		if f.Year > best {
			best, year = f.Year, year[:0]
		}
		year = append(year, f)
	}
	if best < 0 {
		return ""
	}
	f := year[0]
	if len(year) > 1 {
		f = MergeFacts(year)
	}
	return ClassifySize(e.IndustryClass, f.Employees, (*int64)(f.Revenue), (*int64)(f.TotalAssets))
}

// EnterpriseUpdate holds the fields of an enterprise to change; nil means
// "leave as is". Setting Industries sets the override; ResetIndustries
// returns to the industries derived from the class.
type EnterpriseUpdate struct {
	Name            *string   `json:"name"`
	DistrictCode    *string   `json:"district_code"`
	IndustryClass   *string   `json:"industry_class"`
	Founded         *Date     `json:"founded"`
	Industries      *[]string `json:"industries"`
	ResetIndustries bool      `json:"reset_industries"`
}

// Apply changes e by u and re-derives its industries.
func (u EnterpriseUpdate) Apply(e *Enterprise, c *Catalog) {
	if u.Name != nil {
		e.Name = *u.Name
	}
	if u.DistrictCode != nil {
		e.DistrictCode = *u.DistrictCode
	}
	if u.IndustryClass != nil {
		e.IndustryClass = *u.IndustryClass
	}
	if u.Founded != nil {
		e.Founded = *u.Founded
	}
	if u.Industries != nil {
		e.Industries, e.IndustriesOverride = *u.Industries, true
	}
	if u.ResetIndustries {
		e.IndustriesOverride = false
	}
	e.DeriveIndustries(c)
}

// EnterpriseFilter selects enterprises; nil fields match all. Tier matches
// tiers held on the day of the query. Q matches a name substring or a code
// prefix.
type EnterpriseFilter struct {
	// Code narrows the selection to one enterprise: authz sets it for an
	// enterprise reading the registry, so the store applies the other
	// conditions to it as to any other.
	Code         *string
	DistrictCode *string
	IndustryID   *string
	Tier         *TierKind
	SizeClass    *SizeClass
	Q            *string
	Offset       int
	Limit        int // 0 means the default page of 50; at most 1000
}

// EnterpriseStats counts enterprises of a selection by tier, size class and
// district, for industry pages.
type EnterpriseStats struct {
	Total      int            `json:"total"`
	ByTier     map[string]int `json:"by_tier"`
	BySize     map[string]int `json:"by_size"`
	ByDistrict map[string]int `json:"by_district"`
}

// TierRecord is a tier held by a named enterprise, as files carry them.
type TierRecord struct {
	Code string `json:"code"`
	Tier
}

// FactsRecord is one report of facts for a named enterprise.
type FactsRecord struct {
	Code string `json:"code"`
	Facts
}

// EnterpriseService reads and changes the registry.
type EnterpriseService interface {
	// FindEnterpriseByCode returns the enterprise with tiers and merged facts.
	// ENOTFOUND when there is none.
	FindEnterpriseByCode(ctx context.Context, code string) (*Enterprise, error)
	// FindEnterprises returns one page, ordered by code, and the total.
	FindEnterprises(ctx context.Context, filter EnterpriseFilter) ([]*Enterprise, int, error)
	// ScanEnterprises calls fn for every enterprise of the filter's selection
	// (paging ignored) in code order, with industries and tiers but no facts,
	// reading in chunks so that a scan of millions costs one pass. It stops at
	// the first error of fn and returns it.
	ScanEnterprises(ctx context.Context, filter EnterpriseFilter, fn func(*Enterprise) error) error
	// ChangeSeq is the last change stamp given: every enterprise changed
	// after a reader read it has a greater stamp (ChangedCodes).
	ChangeSeq(ctx context.Context) (int64, error)
	// ChangedCodes returns the codes of the enterprises stamped after
	// stamp after and, with turning, those that may look different to the
	// rules on its two days of one year (a founding anniversary, or a tier
	// starting or ending, between them); the rest differ only in the day.
	ChangedCodes(ctx context.Context, after int64, turning *[2]Date) ([]string, error)
	// FindNames returns the names of the enterprises of codes that exist,
	// by code.
	FindNames(ctx context.Context, codes []string) (map[string]string, error)
	// ScanEnterprisesByCode calls fn for each of codes that exists, in code
	// order, with industries, tiers and merged facts as FindEnterpriseByCode
	// returns it; codes that do not exist are skipped. The reads form one
	// transaction.
	ScanEnterprisesByCode(ctx context.Context, codes []string, fn func(*Enterprise) error) error
	// ScanCodes calls fn with the code of every enterprise of the filter's
	// selection (paging ignored), in code order.
	ScanCodes(ctx context.Context, filter EnterpriseFilter, fn func(code string) error) error
	// ScanFacts calls fn for every report (not merged) of the enterprises of
	// the filter's selection, ordered by code, year and source.
	ScanFacts(ctx context.Context, filter EnterpriseFilter, fn func(*FactsRecord) error) error
	// ScanTiers calls fn for every tier of the enterprises of the filter's
	// selection, ordered by code, start date and kind.
	ScanTiers(ctx context.Context, filter EnterpriseFilter, fn func(*TierRecord) error) error
	// EnterpriseStats counts the selection of filter (paging ignored).
	EnterpriseStats(ctx context.Context, filter EnterpriseFilter) (*EnterpriseStats, error)
	// CreateEnterprise returns EINVALID or ECONFLICT when the code exists.
	CreateEnterprise(ctx context.Context, e *Enterprise) error
	// UpdateEnterprise returns ENOTFOUND or EINVALID.
	UpdateEnterprise(ctx context.Context, code string, upd EnterpriseUpdate) (*Enterprise, error)
	// FindFacts returns every report of the enterprise, newest year first.
	FindFacts(ctx context.Context, code string) ([]*Facts, error)
	// PutFacts upserts reports keyed by (code, year, source) and re-derives
	// the size class. ENOTFOUND, EINVALID.
	PutFacts(ctx context.Context, code string, facts []*Facts) (*Enterprise, error)
	// PutTier upserts a tier keyed by (code, kind, from). ENOTFOUND, EINVALID.
	PutTier(ctx context.Context, code string, t Tier) (*Enterprise, error)
	// DeleteTier removes a tier. ENOTFOUND.
	DeleteTier(ctx context.Context, code string, kind TierKind, from Date) (*Enterprise, error)
	// Bulk runs fn in one transaction: all of its writes land or none.
	Bulk(ctx context.Context, fn func(w BulkWriter) error) error
	// FindScope returns an enterprise's business scope. ENOTFOUND when the
	// enterprise has none.
	FindScope(ctx context.Context, code string) (*Scope, error)
	// PutScope stores an enterprise's business scope, to be placed on the
	// chains at the next placement. ENOTFOUND, EINVALID.
	PutScope(ctx context.Context, code string, s *Scope) error
	// ScanScopes calls fn for every scope of the filter's selection, by code.
	ScanScopes(ctx context.Context, filter EnterpriseFilter, fn func(*ScopeRecord) error) error
}

// BulkWriter upserts many records fast inside one transaction, for imports
// and the demo population. Records must be validated by the caller.
// Upserting the same record twice changes nothing.
type BulkWriter interface {
	PutEnterprise(e *Enterprise) error // by code; keeps tiers and facts
	PutFacts(r *FactsRecord) error     // by code, year, source
	PutTier(r *TierRecord) error       // by code, kind, from
	PutScope(r *ScopeRecord) error     // by code
	// Finish re-derives size classes of enterprises whose facts changed.
	Finish() error
}
