// Package uscc validates and completes unified social credit codes
// (统一社会信用代码, GB 32100-2015), the 18-character key of every enterprise.
//
// Layout: [1] registration authority, [2] entity type, [3-8] GB/T 2260
// division of the registering authority, [9-17] the GB 11714 organisation
// code whose 9th character is its own check, [18] the check character.
package uscc

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length is the number of characters in a code.
const Length = 18

// charset holds the 31 symbols of GB 32100; a symbol's value is its index.
// I, O, S, V and Z are left out so they cannot be mistaken for 1, 0, 5, U and 2.
const charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// weights[i] = 3^i mod 31, for characters 1-17.
var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgWeights are the GB 11714 weights for the 8 body characters of an
// organisation code.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// values maps a byte to its charset value, or -1.
var values = func() (v [256]int8) {
	for i := range v {
		v[i] = -1
	}
	for i := 0; i < len(charset); i++ {
		v[charset[i]] = int8(i)
	}
	return v
}()

// Error says what is wrong with a code. Pos is the 1-based position of the
// faulty character, or 0 when the fault is with the whole code (its length).
type Error struct {
	Pos    int
	Reason string // Chinese, then English after " / "
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Reason }

func errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Reason: fmt.Sprintf(format, args...)}
}

// Normalize trims spaces (including the ideographic space), turns
// full-width letters and digits into ASCII and upper-cases the result, so
// that codes pasted from documents validate.
func Normalize(s string) string {
	s = strings.TrimFunc(s, unicode.IsSpace)
	return strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' { // full-width forms U+FF01-FF5E
			r -= 0xFEE0
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}, s)
}

// Validate checks an already normalised code: its length, character set,
// registration authority, division digits, embedded organisation code
// check and check character. It returns nil or an *Error naming the first
// faulty character. It does not allocate when the code is valid.
func Validate(code string) error {
	if len(code) != Length {
		if n := utf8.RuneCountInString(code); n != Length {
			return errorf(0, "长度为 %d，应为 %d / length is %d, must be %d", n, Length, n, Length)
		}
	}
	pos := 0
	for _, r := range code {
		pos++
		if r >= utf8.RuneSelf || values[r] < 0 {
			return errorf(pos, "第%d位 %q 不是合法字符（只用数字和大写字母，不使用 I、O、S、V、Z）/ character %d %q is not allowed (digits and upper-case letters except I, O, S, V, Z)", pos, r, pos, r)
		}
	}
	if !authority(code[0]) {
		return errorf(1, "第1位登记管理部门代码 %q 无效，应为 1-9、A、N 或 Y / character 1 (registration authority) %q is not valid, must be 1-9, A, N or Y", code[0], code[0])
	}
	for i := 2; i < 8; i++ {
		if c := code[i]; c < '0' || c > '9' {
			return errorf(i+1, "第%d位应为数字（行政区划码），实为 %q / character %d (division code) must be a digit, got %q", i+1, c, i+1, c)
		}
	}
	// The organisation code check holds for every public vector, including
	// the "MA…" identifiers that market regulators issue since 2015, so it is
	// enforced.
	if want, _ := orgCheck(code[8:16]); code[16] != want {
		return errorf(17, "第17位组织机构代码校验码应为 %c，实为 %c / character 17 (organisation code check) should be %c, got %c", want, code[16], want, code[16])
	}
	if want := check(code[:17]); code[17] != want {
		return errorf(18, "第18位校验码应为 %c，实为 %c / character 18 (check character) should be %c, got %c", want, code[17], want, code[17])
	}
	return nil
}

// authority reports whether c is a registration authority code of the
// standard: 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教,
// 8 工会, 9 工商 (market regulation), A 中央军委改革和编制办公室, N 农业,
// Y 其他.
func authority(c byte) bool {
	return c >= '1' && c <= '9' || c == 'A' || c == 'N' || c == 'Y'
}

// check computes the check character of 17 valid characters.
func check(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(values[first17[i]]) * weights[i]
	}
	return charset[(31-sum%31)%31]
}

// orgCheck computes the GB 11714 check of 8 characters: digits count as
// themselves, letters A-Z as 10-35 (their place in the alphabet, not their
// value in the credit code charset). It returns false on any other byte.
func orgCheck(first8 string) (byte, bool) {
	sum := 0
	for i := 0; i < 8; i++ {
		c := first8[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0, false
		}
		sum += v * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', true
	case 11:
		return '0', true
	default:
		return byte('0' + c), true
	}
}

// CheckChar returns the check character (position 18) for the first 17
// characters of a code. It checks only their length and character set.
func CheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		n := utf8.RuneCountInString(first17)
		return 0, errorf(0, "前17位长度为 %d，应为 17 / length is %d, must be 17", n, n)
	}
	for i := 0; i < 17; i++ {
		if values[first17[i]] < 0 {
			r, _ := utf8.DecodeRuneInString(first17[i:])
			return 0, errorf(i+1, "第%d位 %q 不是合法字符（不使用 I、O、S、V、Z）/ character %d %q is not allowed", i+1, r, i+1, r)
		}
	}
	return check(first17), nil
}

// OrgCheckChar returns the GB 11714 check character (position 17 of a
// credit code) for the 8 body characters of an organisation code
// (positions 9-16).
func OrgCheckChar(first8 string) (byte, error) {
	if len(first8) != 8 {
		n := utf8.RuneCountInString(first8)
		return 0, errorf(0, "组织机构代码本体长度为 %d，应为 8 / length is %d, must be 8", n, n)
	}
	c, ok := orgCheck(first8)
	if !ok {
		for i := 0; i < 8; i++ {
			if b := first8[i]; !(b >= '0' && b <= '9' || b >= 'A' && b <= 'Z') {
				r, _ := utf8.DecodeRuneInString(first8[i:])
				return 0, errorf(i+1, "第%d位 %q 应为数字或大写字母 / character %d %q must be a digit or an upper-case letter", i+1, r, i+1, r)
			}
		}
	}
	return c, nil
}

// Complete appends the check character to the first 17 characters and
// validates the result, so a generator that got position 17 wrong (see
// OrgCheckChar) is told so.
func Complete(first17 string) (string, error) {
	c, err := CheckChar(first17)
	if err != nil {
		return "", err
	}
	code := first17 + string(c)
	if err := Validate(code); err != nil {
		return "", err
	}
	return code, nil
}
