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
		{errors.New("disk full / boom"), "内部错误", "internal error"},
	} {
		zh, en := ErrorText(tt.err)
		if zh != tt.zh || en != tt.en {
			t.Errorf("ErrorText(%v) = %q, %q; want %q, %q", tt.err, zh, en, tt.zh, tt.en)
		}
	}
}
