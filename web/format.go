package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
)

// Units in the smallest amount they are counted in. Money is integer
// arithmetic all the way to the string; floats appear only in rates.
const (
	yuanPerYi   = 100_000_000       // 1 亿元
	yuanPerWanY = 1_000_000_000_000 // 1 万亿元
	yuanPerBn   = 1_000_000_000
	fenPerWan   = 1_000_000      // 1 万元 = 10,000 yuan
	fenPerYi    = 10_000_000_000 // 1 亿元
	fenPerM     = 100_000_000    // 1 million yuan
	fenPerBn    = 100_000_000_000
)

// scaled writes v/unit rounded half away from zero to decimals places,
// with thousands separators and trailing zeros of the fraction kept.
func scaled(v, unit int64, decimals int) string {
	neg := v < 0
	if neg {
		v = -v
	}
	pow := int64(1)
	for range decimals {
		pow *= 10
	}
	// Split first so that rem*pow stays small: rem < unit ≤ 10^12, pow ≤ 10^3.
	whole, rem := v/unit, v%unit
	frac := (rem*pow + unit/2) / unit
	if frac >= pow {
		whole, frac = whole+1, frac-pow
	}
	s := group(whole)
	if decimals > 0 {
		s += "." + fmt.Sprintf("%0*d", decimals, frac)
	}
	if neg && (whole != 0 || frac != 0) {
		s = "-" + s
	}
	return s
}

// group writes n with a comma every three digits.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// trimZeros drops a zero fraction: "4.00" → "4", "4.50" → "4.5".
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// yiYuan formats whole yuan in 亿元 (billion yuan in English), as industry
// aggregates are reported.
func yiYuan(l Lang, yuan int64) string {
	if l.EN() {
		return trimZeros(scaled(yuan, yuanPerBn, 1)) + " bn yuan"
	}
	return trimZeros(scaled(yuan, yuanPerYi, 2)) + " 亿元"
}

// bigYuan formats a large whole-yuan total: 万亿元 from a trillion up.
func bigYuan(l Lang, yuan int64) string {
	if yuan >= yuanPerWanY || yuan <= -yuanPerWanY {
		if l.EN() {
			return trimZeros(scaled(yuan, yuanPerWanY, 2)) + " trillion yuan"
		}
		return trimZeros(scaled(yuan, yuanPerWanY, 2)) + " 万亿元"
	}
	return yiYuan(l, yuan)
}

// fenMoney formats an amount in fen: 万元 below one 亿元, 亿元 above
// (million / billion yuan in English).
func fenMoney(l Lang, f chanye.Fen) string {
	v := int64(f)
	if l.EN() {
		if v >= fenPerBn || v <= -fenPerBn {
			return scaled(v, fenPerBn, 2) + " bn yuan"
		}
		return scaled(v, fenPerM, 2) + " m yuan"
	}
	if v >= fenPerYi || v <= -fenPerYi {
		return scaled(v, fenPerYi, 2) + " 亿元"
	}
	return scaled(v, fenPerWan, 2) + " 万元"
}

// chartNumber is v/unit to decimals places as a JSON number, for chart data;
// it is built from the exact decimal string, not from float arithmetic.
func chartNumber(v, unit int64, decimals int) json.Number {
	return json.Number(strings.ReplaceAll(scaled(v, unit, decimals), ",", ""))
}

// percent formats a ratio (0.075) as "7.5%".
func percent(r float64) string {
	return strconv.FormatFloat(r*100, 'f', 1, 64) + "%"
}
