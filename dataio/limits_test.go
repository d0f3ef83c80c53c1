package dataio_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/xuri/excelize/v2"
)

// bombSheet returns a worksheet of n bytes, nearly all whitespace, deflated,
// and the checksum of the n bytes.
func bombSheet(t *testing.T, n int) ([]byte, uint32) {
	t.Helper()
	head := []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	tail := []byte(`</sheetData></worksheet>`)
	var out bytes.Buffer
	fw, _ := flate.NewWriter(&out, flate.BestSpeed)
	crc := crc32.NewIEEE()
	w := io.MultiWriter(fw, crc)
	w.Write(head)
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	left := n - len(head) - len(tail)
	for left > 0 {
		k := min(left, len(chunk))
		w.Write(chunk[:k])
		left -= k
	}
	w.Write(tail)
	fw.Close()
	return out.Bytes(), crc.Sum32()
}

// withSheet returns a new workbook whose first sheet is replaced by the
// deflated data, its header saying the sheet is size bytes.
func withSheet(t *testing.T, deflated []byte, crc uint32, size uint64) []byte {
	t.Helper()
	var base bytes.Buffer
	if err := excelize.NewFile().Write(&base); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(base.Bytes()), int64(base.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: zf.Name, Method: zip.Deflate, CRC32: crc,
				CompressedSize64: uint64(len(deflated)), UncompressedSize64: size})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(deflated)
			continue
		}
		w, err := zw.CreateRaw(&zf.FileHeader)
		if err != nil {
			t.Fatal(err)
		}
		r, err := zf.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(w, r)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestXLSXBombRefused: a small XLSX holding hundreds of MB of whitespace,
// or saying it does, is refused before it is unpacked, and imports nothing.
func TestXLSXBombRefused(t *testing.T) {
	const size = 256 << 20
	deflated, crc := bombSheet(t, size)
	honest := withSheet(t, deflated, crc, size)
	t.Logf("bomb: %d bytes holding %d", len(honest), size)
	for _, tc := range []struct {
		name   string
		file   []byte
		limits dataio.Limits
		code   string
		want   []string
	}{
		{"ratio", honest, dataio.Limits{}, chanye.ETOOLARGE, []string{"xl/worksheets/sheet1.xml", "200:1", "压缩比"}},
		{"total", honest, dataio.Limits{MaxXLSXBytes: 64 << 20}, chanye.ETOOLARGE, []string{"64 MiB", "解压后"}},
		{"part", honest, dataio.Limits{MaxXLSXPartBytes: 32 << 20, MaxXLSXRatio: 10000}, chanye.ETOOLARGE, []string{"xl/worksheets/sheet1.xml", "32 MiB"}},
		// Declared sizes are checked before anything is unpacked…
		{"declared", withSheet(t, deflated, crc, 2<<30), dataio.Limits{}, chanye.ETOOLARGE, []string{"xl/worksheets/sheet1.xml", "1 GiB"}},
		// …and enforced while unpacking: a sheet longer than it says stops
		// at the size it says.
		{"understated", withSheet(t, deflated, crc, 1000), dataio.Limits{}, chanye.EINVALID, []string{"XLSX", "损坏"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			var err error
			start := time.Now()
			alloc := allocated(func() {
				_, err = e.files.Import(context.Background(), dataio.Enterprises, bytes.NewReader(tc.file),
					dataio.Options{Now: testclock.Now(), Format: dataio.XLSX, Limits: tc.limits})
			})
			t.Logf("refused in %v, %d KiB allocated: %v", time.Since(start), alloc>>10, err)
			if code := chanye.ErrorCode(err); code != tc.code {
				t.Fatalf("error %v (code %q), want code %q", err, code, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if alloc > 32<<20 {
				t.Errorf("refusing the bomb allocated %d MiB", alloc>>20)
			}
			if n := e.count(t); n != 0 {
				t.Errorf("%d enterprises imported, want none", n)
			}
		})
	}
}

// repeatReader yields n bytes of b.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return int(k), nil
}

// wantLimit checks that err is a limit error naming field and saying want.
func wantLimit(t *testing.T, err error, field, want string) {
	t.Helper()
	if code := chanye.ErrorCode(err); code != chanye.ETOOLARGE {
		t.Fatalf("error %v (code %q), want %q", err, code, chanye.ETOOLARGE)
	}
	reason, ok := chanye.ErrorFields(err)[field]
	if !ok {
		t.Errorf("error %v names no %q", err, field)
	}
	if !strings.Contains(reason, want) || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v: reason %q, want one saying %q", err, reason, want)
	}
}

// TestCSVLimits: a cell too long, a row too wide and too many rows are
// refused with the row and column, and nothing is imported.
func TestCSVLimits(t *testing.T) {
	const header = "code,name,district_code,industry_class,founded\n"
	const good = "9144011661842063XT,广州示例汽车有限公司,440106,3611,2008-03-15\n"
	for _, tc := range []struct {
		name   string
		file   io.Reader
		limits dataio.Limits
		field  string
		want   string
	}{
		{"long cell", strings.NewReader(header + good + "91440101MA5ALP4R4C," + strings.Repeat("长", 40000) + ",440106,6513,2017-06-01\n"),
			dataio.Limits{}, "row 3, column name", "32767"},
		{"100 MB cell", io.MultiReader(strings.NewReader(header+good+good+`91440101MA5ALP4R4C,广州,440106,"`), &repeatReader{'x', 100 << 20}),
			dataio.Limits{}, "row 4, column industry_class", "32767"},
		{"wide row", strings.NewReader(header + good + strings.Repeat(",", 200) + "\n"),
			dataio.Limits{}, "row 3, column GS", "200"},
		{"wide row, custom", strings.NewReader(header + good + "9144011661842063XT,x,440106,3611,2008-03-15,\n"),
			dataio.Limits{MaxColumns: 5}, "row 3, column F", "5"},
		{"many rows", strings.NewReader(header + strings.Repeat(good, 8)),
			dataio.Limits{MaxRows: 5}, "row 7", "5"},
		// Rows are numbered as they are read: empty lines are skipped.
		{"many rows, empty lines", strings.NewReader(header + strings.Repeat(good+"\n", 1000)),
			dataio.Limits{MaxRows: 999}, "row 1001", "999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			var err error
			alloc := allocated(func() {
				_, err = e.files.Import(context.Background(), dataio.Enterprises, tc.file, dataio.Options{Now: testclock.Now(), Limits: tc.limits})
			})
			wantLimit(t, err, tc.field, tc.want)
			if alloc > 16<<20 {
				t.Errorf("refusing the file allocated %d MiB", alloc>>20)
			}
			if n := e.count(t); n != 0 {
				t.Errorf("%d enterprises imported, want none", n)
			}
		})
	}
}

// TestProjectCSVLimits: the project files have the same bounds.
func TestProjectCSVLimits(t *testing.T) {
	e := withProjects(t)
	in := "project_id,month,invested_yuan,cumulative_yuan,progress_pct,problems\n" +
		"GZ2025-0001,2025-04,1,1,1,ok\n" +
		"GZ2025-0001,2025-05,1,2,1," + strings.Repeat("x", 101) + "\n"
	_, err := projectFiles(e.store).Import(context.Background(), dataio.Reports, strings.NewReader(in),
		dataio.Options{Now: projectNow, Limits: dataio.Limits{MaxCellChars: 100}})
	wantLimit(t, err, "row 3, column problems", "100")
	if _, n := e.projectCount(t); n != 0 {
		t.Errorf("%d reports imported, want none", n)
	}
}

// TestXLSXLimits: XLSX files have the same row and cell bounds.
func TestXLSXLimits(t *testing.T) {
	book := func(rows ...[]any) []byte {
		f := excelize.NewFile()
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	header := []any{"统一社会信用代码", "企业名称", "区县代码", "行业代码", "成立日期"}
	good := []any{"9144011661842063XT", "广州示例汽车有限公司", "440106", "3611", "2008-03-15"}
	for _, tc := range []struct {
		name   string
		file   []byte
		limits dataio.Limits
		field  string
		want   string
	}{
		{"long cell", book(header, good, []any{"91440101MA5ALP4R4C", strings.Repeat("长", 101), "440106", "6513", "2017-06-01"}),
			dataio.Limits{MaxCellChars: 100}, "row 3, column 企业名称", "100"},
		{"wide row", book(header, append(good, "", "", "x")), dataio.Limits{MaxColumns: 7}, "row 2, column H", "7"},
		{"many rows", book(header, good, good, good, good), dataio.Limits{MaxRows: 3}, "row 5", "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.files.Import(context.Background(), dataio.Enterprises, bytes.NewReader(tc.file),
				dataio.Options{Now: testclock.Now(), Format: dataio.XLSX, Limits: tc.limits})
			wantLimit(t, err, tc.field, tc.want)
			if n := e.count(t); n != 0 {
				t.Errorf("%d enterprises imported, want none", n)
			}
		})
	}
}
