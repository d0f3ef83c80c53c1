package dataio

// CSVCell returns the text of a CSV cell holding s, safe to open in a
// spreadsheet. Every CSV chanye writes (exports of every kind, the rejects
// of an import) passes each cell through it.
//
// A spreadsheet runs a cell that begins with = + - @, a tab or a carriage
// return as a formula (=HYPERLINK to leak the row, +cmd|… to run a
// program). Such a cell is written behind a single quote, the OWASP rule,
// so that the spreadsheet shows the text instead: "=1+1" → "'=1+1". A
// plain number is not a formula and is kept as it is, so that negative
// amounts stay numbers in the spreadsheet and on re-import: an optional
// sign, ASCII digits and at most one decimal point ("-12.50", "+3", "-.5").
// A cell that already begins with a quote followed by one of those
// characters, a line feed or another quote gets one more quote, so that
// ReadCSVCell can tell the two apart and every text round-trips. (The line
// feed because CSV readers, encoding/csv among them, read a line break
// written \r\n inside a cell as \n: "\r\n=1" is written "'\r\n=1",
// comes back "'\n=1" and reads as "\n=1".)
//
// XLSX exports need none of this: their cells are text cells, which no
// spreadsheet evaluates.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch {
	case formulaStart(s[0]):
		if plainNumber(s) {
			return s
		}
		return "'" + s
	case marked(s):
		return "'" + s
	}
	return s
}

// ReadCSVCell returns the text a CSV cell holds: it drops the quote that
// CSVCell puts before = + - @ tab, carriage return, line feed or another
// quote, and keeps every other cell as it is ("'abc" stays "'abc"). Imports
// read every CSV cell through it (before trimming spaces), so
// ReadCSVCell(CSVCell(s)) == s for every s; a hand-made file's "'-12.50"
// reads as "-12.50", as a spreadsheet would show it.
func ReadCSVCell(s string) string {
	if marked(s) {
		return s[1:]
	}
	return s
}

// marked reports whether s begins with a quote CSVCell may have put there.
func marked(s string) bool {
	return len(s) > 1 && s[0] == '\'' && (formulaStart(s[1]) || s[1] == '\n' || s[1] == '\'')
}

// formulaStart reports whether a spreadsheet may read a cell beginning
// with b as a formula.
func formulaStart(b byte) bool {
	switch b {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// plainNumber reports whether s is an optional sign, ASCII digits and at
// most one decimal point, with at least one digit.
func plainNumber(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	digits, points := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			points++
		default:
			return false
		}
	}
	return digits > 0 && points <= 1
}
