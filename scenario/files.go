package scenario

import (
	"context"
	"time"

	"github.com/chanye-org/chanye"
)

// MaxFiles bounds the attachments of one application.
const MaxFiles = 10

// File is an attachment of an application (揭榜材料): a plan, a test
// report, a certificate. The store checks it as a policy application's
// attachment (policy.CheckAttachment): a PDF, JPEG or PNG by its bytes,
// whatever the browser says, named with a matching extension, 1 byte to
// 10 MB; at most MaxFiles an application. It is checksummed and only ever
// served as a download.
type File struct {
	ID            int64     `json:"id"`
	ApplicationID int64     `json:"application_id"`
	Name          string    `json:"name"`
	ContentType   string    `json:"content_type"`
	Size          int64     `json:"size"`
	SHA256        string    `json:"sha256"`
	By            string    `json:"by"`
	At            time.Time `json:"at"`
}

// CanAttach returns nil when a file may be added to a, an application to
// s that holds files already, today: a is submitted (not withdrawn, not
// yet decided), s takes applications (CanApply: published, the deadline
// not past) and a has fewer than MaxFiles. ECONFLICT otherwise; EINVALID
// when a is not to s.
func (a *Application) CanAttach(s *Scenario, files int, today chanye.Date) error {
	switch {
	case a.ScenarioID != s.ID:
		return chanye.Errorf(chanye.EINVALID, "申请不属于该场景 / the application is not to this scenario")
	case a.Status != Submitted:
		return chanye.Errorf(chanye.ECONFLICT, "申请状态为「%s」，不能再添加附件 / the application is %s: it takes no more files", a.Status.NameZH(), a.Status.NameEN())
	}
	if err := s.CanApply(today); err != nil {
		return err
	}
	if files >= MaxFiles {
		return chanye.Errorf(chanye.ECONFLICT, "每份揭榜申请至多 %d 个附件 / at most %d files an application", MaxFiles, MaxFiles)
	}
	return nil
}

// FileService keeps the attachments of applications. Besides the codes
// listed, any method may return EFORBIDDEN or EUNAUTHORIZED from authz.
type FileService interface {
	// AttachScenarioFile adds a file to an application (the store checks
	// it as File says, then Application.CanAttach), with an audit entry.
	// ENOTFOUND, EINVALID keyed "file", ECONFLICT.
	AttachScenarioFile(ctx context.Context, appID int64, name string, data []byte) (*File, error)
	// FindScenarioFiles lists an application's files in the order they
	// were added, without their bytes. ENOTFOUND.
	FindScenarioFiles(ctx context.Context, appID int64) ([]*File, error)
	// FindScenarioFile returns one file of an application with its
	// bytes. ENOTFOUND.
	FindScenarioFile(ctx context.Context, appID, fileID int64) (*File, []byte, error)
}
