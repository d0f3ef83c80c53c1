package chanye

import (
	"errors"
	"fmt"
	"testing"
)

// TestErrorLanguages: every constructor gives the message in each language
// as its own field, and ErrorText finds them through wrapping; an error of
// one language serves both; a foreign error is an internal one.
func TestErrorLanguages(t *testing.T) {
	for _, tt := range []struct {
		err    error
		zh, en string
	}{
		{Errorf(ENOTFOUND, "项目 %s 不存在 / project %s not found", "GZ-1", "GZ-1"), "项目 GZ-1 不存在", "project GZ-1 not found"},
		{Invalid("筛选条件有误 / invalid filter", map[string]string{"x": "y"}), "筛选条件有误", "invalid filter"},
		{Bilingual(EINVALID, "日期有误 / 斜杠", "bad date"), "日期有误 / 斜杠", "bad date"},
		{NewError(ECONFLICT, "记录已存在 / record already exists", nil), "记录已存在", "record already exists"},
		{fmt.Errorf("saving: %w", Errorf(EFORBIDDEN, "无权查看 / may not read")), "无权查看", "may not read"},
		{Errorf(EINVALID, "只有中文"), "只有中文", "只有中文"},
		{Errorf(EINVALID, "须为金额（元）/ must be an amount (yuan) / x"), "须为金额（元）", "must be an amount (yuan) / x"},
		{Errorf(EINVALID, "列出记录。/ Lists (a / b)."), "列出记录。", "Lists (a / b)."},
		{Errorf(EINVALID, "甲 / a（b）/ c"), "甲", "a（b）/ c"},
		{errors.New("disk full / boom"), "内部错误", "internal error"},
	} {
		zh, en := ErrorText(tt.err)
		if zh != tt.zh || en != tt.en {
			t.Errorf("ErrorText(%v) = %q, %q; want %q, %q", tt.err, zh, en, tt.zh, tt.en)
		}
	}
}

// TestErrorFieldLanguages: field messages are split once where the error is
// made, WithFields included, and ErrorFieldsIn finds them through
// wrapping; a field message in one language serves both.
func TestErrorFieldLanguages(t *testing.T) {
	for _, tt := range []struct {
		err    error
		zh, en map[string]string
	}{
		{Invalid("筛选条件有误 / invalid filter", map[string]string{"q": "过长 / too long", "x": "只有中文"}),
			map[string]string{"q": "过长", "x": "只有中文"}, map[string]string{"q": "too long", "x": "只有中文"}},
		{fmt.Errorf("saving: %w", NewError(ECONFLICT, "已存在 / exists", map[string]string{"name": "已有同名项 / taken"})),
			map[string]string{"name": "已有同名项"}, map[string]string{"name": "taken"}},
		{Bilingual(EINVALID, "不在名单中", "not on its list").WithFields(map[string]string{"leader": "已停用 / retired"}),
			map[string]string{"leader": "已停用"}, map[string]string{"leader": "retired"}},
		{ErrOverflow("total_fen"), map[string]string{"total_fen": "合计溢出"}, map[string]string{"total_fen": "the total overflows"}},
		{Errorf(ENOTFOUND, "没有 / none"), nil, nil},
		{errors.New("boom"), nil, nil},
	} {
		if zh := ErrorFieldsIn(tt.err, false); fmt.Sprint(zh) != fmt.Sprint(tt.zh) {
			t.Errorf("ErrorFieldsIn(%v, zh) = %v; want %v", tt.err, zh, tt.zh)
		}
		if en := ErrorFieldsIn(tt.err, true); fmt.Sprint(en) != fmt.Sprint(tt.en) {
			t.Errorf("ErrorFieldsIn(%v, en) = %v; want %v", tt.err, en, tt.en)
		}
	}
}
