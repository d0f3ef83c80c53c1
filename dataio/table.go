package dataio

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/xuri/excelize/v2"
)

// rowReader yields the rows of a file, header first, and io.EOF at the end.
type rowReader interface {
	Read() ([]string, error)
	Close() error
}

// countingReader counts the bytes read through it, for progress reports
// read from another goroutine.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// newRowReader opens r as format, every row checked against lim (see
// Limits). For XLSX the whole file is read first (a zip needs its directory
// at the end); rows are then streamed. CSV cells are read through
// ReadCSVCell, XLSX cells as they are.
func newRowReader(format Format, r io.Reader, lim Limits) (rowReader, error) {
	switch format {
	case CSV:
		br := bufio.NewReaderSize(&csvGuard{r: r, lim: lim}, 1<<16)
		if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
			br.Discard(3)
		}
		cr := csv.NewReader(br)
		cr.FieldsPerRecord = -1
		return &boundedRows{rr: csvReader{cr}, lim: lim}, nil
	case XLSX:
		f, err := openXLSX(r, lim)
		if err != nil {
			return nil, err
		}
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			f.Close()
			return nil, fmt.Errorf("XLSX 文件没有工作表 / XLSX file has no sheet")
		}
		rows, err := f.Rows(sheets[0])
		if err != nil {
			f.Close()
			return nil, err
		}
		return &boundedRows{rr: &xlsxReader{f: f, rows: rows}, lim: lim}, nil
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

type csvReader struct{ r *csv.Reader }

func (c csvReader) Read() ([]string, error) {
	cells, err := c.r.Read()
	for i, s := range cells {
		cells[i] = ReadCSVCell(s)
	}
	return cells, err
}

func (c csvReader) Close() error { return nil }

type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
}

func (x *xlsxReader) Read() ([]string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	return x.rows.Columns()
}

func (x *xlsxReader) Close() error {
	x.rows.Close()
	return x.f.Close()
}

// rowWriter writes rows of strings to a CSV or XLSX file.
type rowWriter interface {
	Write(row []string) error
	// Close flushes; for XLSX it writes the whole workbook to w.
	Close() error
}

func newRowWriter(format Format, w io.Writer) (rowWriter, error) {
	switch format {
	case CSV:
		bw := bufio.NewWriterSize(w, 1<<16)
		// The byte-order mark makes Excel read the file as UTF-8.
		if _, err := bw.WriteString("\ufeff"); err != nil {
			return nil, err
		}
		cw := newCSVWriter(bw)
		cw.bw = bw
		return cw, nil
	case XLSX:
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return nil, err
		}
		return &xlsxWriter{f: f, sw: sw, w: w}, nil
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// csvWriter writes rows as CSV, every cell through CSVCell: every CSV
// chanye writes goes through it.
type csvWriter struct {
	bw    *bufio.Writer // under cw, flushed on Close; nil when the caller buffers
	cw    *csv.Writer
	cells []string
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{cw: csv.NewWriter(w)} }

func (c *csvWriter) Write(row []string) error {
	c.cells = c.cells[:0]
	for _, s := range row {
		c.cells = append(c.cells, CSVCell(s))
	}
	return c.cw.Write(c.cells)
}

// Close flushes; the writer under it stays open.
func (c *csvWriter) Close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	if c.bw == nil {
		return nil
	}
	return c.bw.Flush()
}

// xlsxMaxRows is the row limit of a worksheet.
const xlsxMaxRows = 1048576

type xlsxWriter struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	w    io.Writer
	row  int
	vals []any
}

// Write writes every cell as text, so that codes and classes keep their
// leading zeros and amounts their exact decimals, and no cell is ever a
// formula: an XLSX export needs no CSVCell.
func (x *xlsxWriter) Write(row []string) error {
	if x.row >= xlsxMaxRows {
		return fmt.Errorf("XLSX 工作表最多 %d 行，请改用 CSV / an XLSX sheet holds at most %d rows, use CSV", xlsxMaxRows, xlsxMaxRows)
	}
	x.row++
	x.vals = x.vals[:0]
	for _, v := range row {
		x.vals = append(x.vals, v)
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.vals)
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.w)
	return err
}

// WriteCSV writes rows as CSV, every cell through CSVCell, for the exports
// that are not files an import reads back.
func WriteCSV(w io.Writer, rows [][]string) error {
	c := newCSVWriter(w)
	for _, row := range rows {
		if err := c.Write(row); err != nil {
			return err
		}
	}
	return c.Close()
}
