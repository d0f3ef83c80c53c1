package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/scenario"
)

var _ scenario.FileService = (*Store)(nil)

// AttachScenarioFile attaches a file to an application while its scenario
// takes applications: checked as a policy application's attachment (type
// by the bytes, size, name), then Application.CanAttach, with its
// checksum and an audit entry. ENOTFOUND, EINVALID, ECONFLICT.
func (s *Store) AttachScenarioFile(ctx context.Context, appID int64, name string, data []byte) (*scenario.File, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	sniffed := http.DetectContentType(data)
	if err := policy.CheckAttachment(name, sniffed, int64(len(data))); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	f := &scenario.File{ApplicationID: appID, Name: name, ContentType: sniffed, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), By: by}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		a, err := findScenarioApplication(ctx, tx, appID)
		if err != nil {
			return err
		}
		x, err := findScenario(ctx, tx, a.ScenarioID)
		if err != nil {
			return err
		}
		n, err := count(ctx, tx, `SELECT COUNT(*) FROM scenario_application_files WHERE application_id = ?`, appID)
		if err != nil {
			return err
		}
		if err := a.CanAttach(x, n, chanye.DateOf(tx.now)); err != nil {
			return err
		}
		f.At = tx.now
		if err := tx.queryRow(ctx, `INSERT INTO scenario_application_files (application_id, name, content_type, size, sha256, data, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, appID, f.Name, f.ContentType, f.Size, f.SHA256, data, ms(tx.now), by).Scan(&f.ID); err != nil {
			return err
		}
		return tx.audit(ctx, "attach", "scenario_application", itoa(appID), nil, map[string]any{"file": f.ID, "name": f.Name, "size": f.Size, "sha256": f.SHA256})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

const scenarioFileColumns = `id, application_id, name, content_type, size, sha256, created_by, created_at`

func scanScenarioFile(row interface{ Scan(...any) error }, data *[]byte) (*scenario.File, error) {
	var (
		f  scenario.File
		at int64
	)
	dest := []any{&f.ID, &f.ApplicationID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.By, &at}
	if data != nil {
		dest = append(dest, data)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	f.At = fromMs(at)
	return &f, nil
}

// FindScenarioFiles lists an application's files in the order they were
// added, without their bytes. ENOTFOUND.
func (s *Store) FindScenarioFiles(ctx context.Context, appID int64) ([]*scenario.File, error) {
	var out []*scenario.File
	err := s.db.transact(ctx, true, func(tx *txn) error {
		if _, err := findScenarioApplication(ctx, tx, appID); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (*scenario.File, error) { return scanScenarioFile(row, nil) },
			`SELECT `+scenarioFileColumns+` FROM scenario_application_files WHERE application_id = ? ORDER BY id`, appID)
		return err
	})
	if out == nil && err == nil {
		out = []*scenario.File{}
	}
	return out, err
}

// FindScenarioFile returns one file of an application with its bytes.
// ENOTFOUND.
func (s *Store) FindScenarioFile(ctx context.Context, appID, fileID int64) (*scenario.File, []byte, error) {
	var (
		f    *scenario.File
		data []byte
	)
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		f, err = scanScenarioFile(tx.queryRow(ctx, `SELECT `+scenarioFileColumns+`, data FROM scenario_application_files WHERE application_id = ? AND id = ?`,
			appID, fileID), &data)
		if errors.Is(err, sql.ErrNoRows) {
			return chanye.Errorf(chanye.ENOTFOUND, "附件不存在 / no such file")
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return f, data, nil
}
