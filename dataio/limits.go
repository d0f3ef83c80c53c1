package dataio

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/xuri/excelize/v2"
)

// The default Limits. They are generous for the largest files chanye is
// meant to take: the registry of 3.6 M enterprises in one CSV, and a full
// XLSX sheet (1,048,576 rows) of the widest file it writes, facts, which is
// about 750 MB unpacked.
const (
	DefaultMaxRows          = 10_000_000
	DefaultMaxColumns       = 200
	DefaultMaxCellChars     = 32_767 // Excel's own limit
	DefaultMaxXLSXBytes     = 2 << 30
	DefaultMaxXLSXPartBytes = 1 << 30
	DefaultMaxXLSXRatio     = 200
)

// Limits bound what one imported file may hold, so that a broken or hostile
// file is refused with a clear error (ETOOLARGE, naming the limit and, where
// it applies, the row and column) instead of taking the machine's memory and
// minutes of work. A file over a limit imports nothing, with or without
// Options.SkipInvalid. Zero fields take the defaults (DefaultMaxRows…).
type Limits struct {
	// MaxRows is the data rows a file may hold after its header row
	// (10,000,000: 3.6 M enterprises, or nearly three years of their facts,
	// in one file). Rows are counted as they are read: a file of 50 M rows
	// fails at row MaxRows+2 and its reading stops there.
	MaxRows int
	// MaxColumns is the cells a row may hold, empty ones included (200;
	// the widest file chanye writes has 13, a projects file 12 and one per
	// plan year).
	MaxColumns int
	// MaxCellChars is the characters a cell may hold (32,767, Excel's own
	// limit). A CSV cell far over it is refused as its bytes arrive, before
	// the line is read whole; see csvGuard.
	MaxCellChars int
	// MaxXLSXBytes bounds an XLSX file: its own size, and the sum of the
	// sizes of its parts unpacked (2 GiB).
	MaxXLSXBytes int64
	// MaxXLSXPartBytes bounds each part of an XLSX file unpacked: a sheet,
	// the shared strings, the styles (1 GiB).
	MaxXLSXPartBytes int64
	// MaxXLSXRatio bounds how many times larger than packed a part of over
	// 1 MiB may be unpacked (200). Sheets pack 8 to 30 times; whitespace,
	// the stuff of zip bombs, about 1000 times.
	MaxXLSXRatio int
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def64 := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxRows, DefaultMaxRows)
	def(&l.MaxColumns, DefaultMaxColumns)
	def(&l.MaxCellChars, DefaultMaxCellChars)
	def64(&l.MaxXLSXBytes, DefaultMaxXLSXBytes)
	def64(&l.MaxXLSXPartBytes, DefaultMaxXLSXPartBytes)
	def(&l.MaxXLSXRatio, DefaultMaxXLSXRatio)
	return l
}

// overLimit is a row or cell past one of the Limits, found by a reader that
// does not know the header; boundedRows names the column.
type overLimit struct {
	row, col int // 1-based; col 0 for the whole row
	reason   string
}

func (o *overLimit) Error() string {
	return fmt.Sprintf("row %d, column %d: %s", o.row, o.col, o.reason)
}

func (l Limits) tooManyRows(row int) *overLimit {
	return &overLimit{row, 0, fmt.Sprintf("超过 %d 行数据的上限，请拆分文件 / over the limit of %d data rows; split the file", l.MaxRows, l.MaxRows)}
}

func (l Limits) tooManyColumns(row int) *overLimit {
	return &overLimit{row, l.MaxColumns + 1, fmt.Sprintf("超过每行 %d 列的上限 / over the limit of %d columns a row", l.MaxColumns, l.MaxColumns)}
}

func (l Limits) cellTooLong(row, col int) *overLimit {
	return &overLimit{row, col, fmt.Sprintf("单元格超过 %d 个字符的上限 / the cell is over the limit of %d characters", l.MaxCellChars, l.MaxCellChars)}
}

// boundedRows checks every row a rowReader yields against the Limits and
// turns a limit error into an ETOOLARGE error naming row and column, the
// column by its header cell when it has one.
type boundedRows struct {
	rr     rowReader
	lim    Limits
	row    int
	header []string
}

func (b *boundedRows) Read() ([]string, error) {
	cells, err := b.rr.Read()
	if err != nil {
		if o := (*overLimit)(nil); errors.As(err, &o) {
			return nil, b.error(o)
		}
		return nil, err
	}
	b.row++
	if b.row > b.lim.MaxRows+1 {
		return nil, b.error(b.lim.tooManyRows(b.row))
	}
	if len(cells) > b.lim.MaxColumns {
		return nil, b.error(b.lim.tooManyColumns(b.row))
	}
	for i, c := range cells {
		// Counting is needed only when the bytes could be too many.
		if len(c) > b.lim.MaxCellChars && utf8.RuneCountInString(c) > b.lim.MaxCellChars {
			return nil, b.error(b.lim.cellTooLong(b.row, i+1))
		}
		// The store refuses NUL in text (sqlstore.checkArgs), but
		// could not say where it was: it is refused here, located.
		if strings.IndexByte(c, 0) >= 0 {
			col := b.column(b.row, i+1)
			return nil, chanye.NewError(chanye.EINVALID, fmt.Sprintf("第 %d 行 %s 列含空字符（NUL），未导入任何数据 / row %d, column %s holds a NUL character, nothing imported", b.row, col, b.row, col),
				map[string]string{fmt.Sprintf("row %d, column %s", b.row, col): "不能含有空字符 / must not contain a NUL character"})
		}
	}
	if b.row == 1 {
		b.header = cells
	}
	return cells, nil
}

func (b *boundedRows) Close() error { return b.rr.Close() }

// error returns o as the ETOOLARGE error of the file.
func (b *boundedRows) error(o *overLimit) error {
	p := Problem{Row: o.row, Reason: o.reason}
	field := fmt.Sprintf("row %d", o.row)
	if o.col > 0 {
		p.Column = b.column(o.row, o.col)
		field += ", column " + p.Column
	}
	return chanye.NewError(chanye.ETOOLARGE, "文件超出上限，未导入任何数据 / the file is over a limit, nothing imported: "+p.String(), map[string]string{field: o.reason})
}

// column names the col-th column: its header cell, or its letters (A, B…
// AA) where the header has none or is the row at fault.
func (b *boundedRows) column(row, col int) string {
	if row > 1 && col <= len(b.header) {
		if h := b.header[col-1]; h != "" && utf8.RuneCountInString(h) <= 64 {
			return h
		}
	}
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// csvGuard sits between a CSV file and the parser and follows its quoting
// as encoding/csv does, counting rows, cells and the bytes of each cell, so
// that a row or cell over the Limits is refused as its bytes arrive: the
// parser would otherwise read a 100 MB cell whole before anyone could look
// at it. It bounds memory, not characters: it allows a cell 4 bytes a
// character (UTF-8), twice the limit (a \r\n in a cell reads as \n) and
// the quote CSVCell adds; boundedRows counts the characters of the text
// once the row is read.
type csvGuard struct {
	r     io.Reader
	lim   Limits
	state csvState
	row   int // rows begun, the header being 1; empty lines are not rows
	col   int // cells begun in the row
	bytes int // bytes in the cell so far
	err   error
}

type csvState uint8

const (
	atRow    csvState = iota // before a row: an empty line is skipped
	atRowCR                  // a carriage return at the start of a line
	atCell                   // before a cell
	inCell                   // in an unquoted cell
	inQuotes                 // in a quoted cell
	atQuote                  // a quote in a quoted cell: its end, or the first of ""
)

func (g *csvGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if i, e := g.scan(p[:n]); e != nil {
		g.err = e
		return i, e
	}
	return n, err
}

// scan follows p. The bytes inside a cell, nearly all of them, are passed
// over in a tight loop.
func (g *csvGuard) scan(p []byte) (int, error) {
	maxBytes := 4 * (2*g.lim.MaxCellChars + 1)
	for i := 0; i < len(p); {
		b := p[i]
		switch g.state {
		case atRow:
			switch b {
			case '\n':
				i++
				continue
			case '\r':
				g.state = atRowCR
				i++
				continue
			}
			// b is read again as the first byte of the row.
			if err := g.beginRow(); err != nil {
				return i, err
			}
		case atRowCR:
			if b == '\n' { // "\r\n" is an empty line too
				g.state = atRow
				i++
				continue
			}
			// A lone carriage return is the first byte of the first cell.
			if err := g.beginRow(); err != nil {
				return i, err
			}
			if err := g.beginCell(); err != nil {
				return i, err
			}
			g.state, g.bytes = inCell, 1
		case atCell:
			if err := g.beginCell(); err != nil {
				return i, err
			}
			switch b {
			case '"':
				g.state = inQuotes
				i++
			case ',': // an empty cell; the next one begins
				i++
			case '\n':
				g.state = atRow
				i++
			default: // b is read again in the cell
				g.state = inCell
			}
		case inCell:
			j := i
			for j < len(p) && p[j] != ',' && p[j] != '\n' {
				j++
			}
			g.bytes += j - i
			if i = j; i < len(p) {
				if p[i] == ',' {
					g.state = atCell
				} else {
					g.state = atRow
				}
				i++
			}
		case inQuotes:
			k := bytes.IndexByte(p[i:], '"')
			if k < 0 {
				k = len(p) - i
			}
			g.bytes += k
			if i += k; i < len(p) {
				g.state = atQuote
				i++
			}
		case atQuote:
			switch b {
			case '"': // an escaped quote
				g.state = inQuotes
				g.bytes++
			case ',':
				g.state = atCell
			case '\n':
				g.state = atRow
			case '\r': // before the \n of a \r\n
			default: // the parser refuses this; count on
				g.state = inCell
				g.bytes++
			}
			i++
		}
		if g.bytes > maxBytes {
			return i, g.lim.cellTooLong(g.row, g.col)
		}
	}
	return len(p), nil
}

func (g *csvGuard) beginRow() error {
	g.row++
	g.col = 0
	g.state = atCell
	if g.row > g.lim.MaxRows+1 {
		return g.lim.tooManyRows(g.row)
	}
	return nil
}

func (g *csvGuard) beginCell() error {
	g.col++
	g.bytes = 0
	if g.col > g.lim.MaxColumns {
		return g.lim.tooManyColumns(g.row)
	}
	return nil
}

// openXLSX reads an XLSX file within the Limits. The file's directory is
// checked before anything is unpacked: the size of each part and of all,
// and how much each part grows. Then every part is unpacked once, counting
// what comes out, since a part can say it is smaller than it is; the zip
// reader stops at the size a part declares, and this pass turns a part that
// does not match its declaration into a clear error before excelize, which
// would silently cut it short, reads it.
func openXLSX(r io.Reader, lim Limits) (*excelize.File, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxXLSXBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > lim.MaxXLSXBytes {
		return nil, chanye.Errorf(chanye.ETOOLARGE, "XLSX 文件超过 %s 的上限 / the XLSX file is over the limit of %s",
			byteSize(lim.MaxXLSXBytes), byteSize(lim.MaxXLSXBytes))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, chanye.Errorf(chanye.EINVALID, "无法读取 XLSX 文件 / cannot read XLSX file: %v", err)
	}
	var total uint64
	for _, f := range zr.File {
		size := f.UncompressedSize64
		if size > uint64(lim.MaxXLSXPartBytes) {
			return nil, chanye.Errorf(chanye.ETOOLARGE, "XLSX 文件的 %s 解压后 %s，超过每部分 %s 的上限 / %s of the XLSX file is %s unpacked, over the limit of %s a part",
				f.Name, byteSize(int64(size)), byteSize(lim.MaxXLSXPartBytes), f.Name, byteSize(int64(size)), byteSize(lim.MaxXLSXPartBytes))
		}
		if total += size; total > uint64(lim.MaxXLSXBytes) {
			return nil, chanye.Errorf(chanye.ETOOLARGE, "XLSX 文件解压后超过 %s 的上限 / the XLSX file is over the limit of %s unpacked",
				byteSize(lim.MaxXLSXBytes), byteSize(lim.MaxXLSXBytes))
		}
		if ratio := size / max(f.CompressedSize64, 1); size > 1<<20 && ratio > uint64(lim.MaxXLSXRatio) {
			return nil, chanye.Errorf(chanye.ETOOLARGE, "XLSX 文件的 %s 压缩比 %d:1，超过 %d:1 的上限，疑为压缩炸弹 / %s of the XLSX file is packed %d:1, over the limit of %d:1 (a zip bomb?)",
				f.Name, ratio, lim.MaxXLSXRatio, f.Name, ratio, lim.MaxXLSXRatio)
		}
	}
	for _, f := range zr.File {
		if err := checkPart(f); err != nil {
			return nil, chanye.Errorf(chanye.EINVALID, "XLSX 文件已损坏：%s 与其声明的大小或校验和不符 / the XLSX file is damaged: %s does not match its declared size or checksum (%v)",
				f.Name, f.Name, err)
		}
	}
	xml := min(lim.MaxXLSXBytes, 16<<20) // sheets larger than this are unpacked to a temporary file
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.MaxXLSXBytes, UnzipXMLSizeLimit: xml})
	if err != nil {
		return nil, fmt.Errorf("无法读取 XLSX 文件 / cannot read XLSX file: %w", err)
	}
	return f, nil
}

// checkPart unpacks f to nowhere: the zip reader fails when more comes out
// than f declares, or less, or the checksum differs.
func checkPart(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	if err == nil && uint64(n) != f.UncompressedSize64 {
		err = zip.ErrFormat
	}
	return err
}

// byteSize writes n as people read it: 1 GiB, 512 MiB, 1.5 GiB, 900 KiB.
func byteSize(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size {
			if n%u.size == 0 {
				return fmt.Sprintf("%d %s", n/u.size, u.name)
			}
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.size), u.name)
		}
	}
	return fmt.Sprintf("%d B", n)
}
