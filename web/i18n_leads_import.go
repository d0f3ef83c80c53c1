package web

// leadsImportMessages are the labels of the import form of /leads
// (leads_import.go).
var leadsImportMessages = map[string][2]string{
	"inv.import":          {"导入线索", "Import leads"},
	"inv.import.intro":    {"上传 CSV 或 XLSX 表格，格式同“导出线索”：id 列须为空（导入只新建线索）；target_id（招商对象编号）、stage（阶段，或 stage_zh 阶段名称）、stage_on（进入阶段日期）必填；签约、落地须填 signed_on 和 signed_fen（分），落地须填 landed_on，流失须填 lost_reason。target、industry_id、project_id、enterprise_code 列不导入。有一行出错就不导入任何线索。", "Upload a CSV or XLSX sheet laid out as the export of leads: the id column empty (an import only creates leads); target_id, stage (or stage_zh) and stage_on required; a signed or landed lead gives signed_on and signed_fen (in fen), a landed one landed_on, a lost one lost_reason. The columns target, industry_id, project_id and enterprise_code are not imported. One bad row imports nothing."},
	"inv.import.file":     {"表格文件（CSV 或 XLSX）", "Sheet (CSV or XLSX)"},
	"inv.import.submit":   {"导入", "Import"},
	"inv.import.done":     {"已导入 %d 条线索。", "%d leads imported."},
	"inv.import.refused":  {"未导入任何线索。请改正以下问题后重新上传：", "Nothing was imported. Correct these problems and upload the sheet again:"},
	"inv.import.row":      {"行", "Row"},
	"inv.import.column":   {"列", "Column"},
	"inv.import.reason":   {"问题", "Problem"},
	"inv.import.whole":    {"整个文件", "The whole file"},
	"inv.import.problems": {"导入问题", "Problems of the import"},
}

func init() { addMessages(leadsImportMessages) }
