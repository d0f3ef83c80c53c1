package sqlstore

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/scenario"
)

// TestScenarioFiles: an applicant attaches PDFs to its application while
// the call is open, up to scenario.MaxFiles, each checked by its bytes
// and checksummed; a withdrawn application and a closed call take none;
// the files are listed without their bytes and read one by one. The same
// on both databases.
func TestScenarioFiles(t *testing.T) {
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db)
		now := setClock(db)
		firms := make([]*chanye.Enterprise, 2)
		for i := range firms {
			firms[i] = enterprise(t, i+1, "440106", "3841")
			if err := s.CreateEnterprise(ctx, firms[i]); err != nil {
				t.Fatal(err)
			}
		}
		x := testScenario(10)
		if err := s.CreateScenario(ctx, x); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActPublish}); err != nil {
			t.Fatal(err)
		}
		apps := make([]*scenario.Application, 2)
		for i := range apps {
			apps[i] = &scenario.Application{ScenarioID: x.ID, Code: firms[i].Code, Solution: "方案"}
			if err := s.CreateScenarioApplication(ctx, apps[i]); err != nil {
				t.Fatal(err)
			}
		}
		a := apps[0].ID

		f, err := s.AttachScenarioFile(ctx, a, " 方案书.pdf ", pdf)
		if err != nil || f.ID == 0 || f.Name != "方案书.pdf" || f.ContentType != "application/pdf" || f.Size != int64(len(pdf)) || len(f.SHA256) != 64 || f.ApplicationID != a {
			t.Fatalf("attach: %+v %v %v", f, err, chanye.ErrorFields(err))
		}
		for name, tc := range map[string]struct {
			file string
			data []byte
		}{
			"text called a PDF": {"a.pdf", []byte("plain text, not a PDF")},
			"an executable":     {"a.exe", pdf},
			"empty":             {"a.pdf", nil},
			"no name":           {" ", pdf},
		} {
			if _, err := s.AttachScenarioFile(ctx, a, tc.file, tc.data); chanye.ErrorFields(err)["file"] == "" {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := s.AttachScenarioFile(ctx, a+100, "a.pdf", pdf); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("an unknown application: %v", err)
		}
		for i := 1; i < scenario.MaxFiles; i++ {
			if _, err := s.AttachScenarioFile(ctx, a, fmt.Sprintf("附件%d.pdf", i), pdf); err != nil {
				t.Fatalf("file %d: %v", i, err)
			}
		}
		if _, err := s.AttachScenarioFile(ctx, a, "多余.pdf", pdf); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("file %d: %v", scenario.MaxFiles+1, err)
		}
		if _, err := s.WithdrawScenarioApplication(ctx, apps[1].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AttachScenarioFile(ctx, apps[1].ID, "a.pdf", pdf); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a withdrawn application: %v", err)
		}

		list, err := s.FindScenarioFiles(ctx, a)
		if err != nil || len(list) != scenario.MaxFiles || list[0].ID != f.ID || list[0].By != f.By || !list[0].At.Equal(f.At) {
			t.Fatalf("list: %d %v", len(list), err)
		}
		if list, err := s.FindScenarioFiles(ctx, apps[1].ID); err != nil || list == nil || len(list) != 0 {
			t.Errorf("no files: %v %v", list, err)
		}
		if _, err := s.FindScenarioFiles(ctx, a+100); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("the files of an unknown application: %v", err)
		}
		got, data, err := s.FindScenarioFile(ctx, a, f.ID)
		if err != nil || !bytes.Equal(data, pdf) || got.SHA256 != f.SHA256 {
			t.Errorf("read: %+v %q %v", got, data, err)
		}
		if _, _, err := s.FindScenarioFile(ctx, apps[1].ID, f.ID); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("a file under another application: %v", err)
		}

		// The deadline passes: no more files (the call's reason, before
		// the count's).
		*now = now.AddDate(0, 0, 11)
		if _, err := s.AttachScenarioFile(ctx, a, "迟到.pdf", pdf); chanye.ErrorCode(err) != chanye.ECONFLICT || !strings.Contains(chanye.ErrorMessage(err), "截止") {
			t.Errorf("after the deadline: %v", err)
		}
		// 2 applications created, one withdrawn, MaxFiles files attached.
		if n := auditCount(t, s, "scenario_application"); n != 3+scenario.MaxFiles {
			t.Errorf("application audit entries: %d", n)
		}
	})
}
