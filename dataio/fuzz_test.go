package dataio_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// FuzzImportCSV imports arbitrary CSV into a real store, all or nothing.
// Whatever the bytes: no panic; success, or an EINVALID error that lists
// rows and columns (or names the header's fault), or an ETOOLARGE one for a
// file over the Limits, with the store unchanged.
func FuzzImportCSV(f *testing.F) {
	kinds := []dataio.Kind{dataio.Enterprises, dataio.Facts, dataio.Tiers}
	files, _ := filepath.Glob("testdata/*.csv")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for k, kind := range kinds {
			if strings.HasPrefix(filepath.Base(name), string(kind)) {
				f.Add(uint8(k), b)
			}
		}
	}
	f.Add(uint8(0), []byte("code,name,district_code,industry_class,founded\n\"unterminated,x\n"))
	f.Add(uint8(1), []byte("code,year\n9144011661842063XT,99999999999999999999\n"))
	f.Add(uint8(2), []byte("\ufeff\ufeffcode,kind,from\n,,\n"))

	_, store := sqlstoretest.NewWithDB(f)
	fs := &dataio.Files{Catalog: store, Enterprises: store}
	ctx := context.Background()
	good, err := os.Open("testdata/enterprises_good.csv")
	if err != nil {
		f.Fatal(err)
	}
	if _, err := fs.Import(ctx, dataio.Enterprises, good, dataio.Options{Now: testclock.Now(), Workers: 1}); err != nil {
		f.Fatal(err)
	}
	good.Close()
	snapshot := func(t *testing.T) []byte {
		var all bytes.Buffer
		for _, k := range kinds {
			if _, err := fs.Export(ctx, k, &all, dataio.CSV, chanye.EnterpriseFilter{}); err != nil {
				t.Fatal(err)
			}
		}
		return all.Bytes()
	}

	f.Fuzz(func(t *testing.T, k uint8, data []byte) {
		kind := kinds[int(k)%len(kinds)]
		before := snapshot(t)
		var (
			rep  dataio.Report
			err  error
			done = make(chan struct{})
		)
		go func() {
			defer close(done)
			rep, err = fs.Import(ctx, kind, bytes.NewReader(data), dataio.Options{Now: testclock.Now(), Workers: 1})
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			buf := make([]byte, 1<<20)
			t.Fatalf("%s import of %q did not end within 20 s:\n%s", kind, data, buf[:runtime.Stack(buf, true)])
		}
		if err == nil {
			if rep.Rejected != 0 || rep.Written != rep.Valid {
				t.Fatalf("import succeeded with report %+v", rep)
			}
			return
		}
		if code := chanye.ErrorCode(err); code != chanye.EINVALID && code != chanye.ETOOLARGE {
			t.Fatalf("%s import: error %v (code %s), want EINVALID or ETOOLARGE", kind, err, code)
		}
		if rep.Written != 0 {
			t.Fatalf("%s import failed but reports %d written", kind, rep.Written)
		}
		var pe *dataio.ProblemsError
		if errors.As(err, &pe) {
			if len(pe.Problems) == 0 || pe.Rows == 0 {
				t.Fatalf("problems error lists nothing: %v", err)
			}
			for _, p := range pe.Problems {
				if p.Row < 1 || p.Reason == "" {
					t.Fatalf("problem %+v names no row or reason", p)
				}
			}
		} else if len(chanye.ErrorFields(err)) == 0 && !strings.Contains(err.Error(), "row") && !strings.Contains(err.Error(), "line") {
			t.Fatalf("%s import: error %q locates nothing", kind, err)
		}
		if after := snapshot(t); !bytes.Equal(before, after) {
			t.Fatalf("%s import failed with %v but changed the store", kind, err)
		}
	})
}
