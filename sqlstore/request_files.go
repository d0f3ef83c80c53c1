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
	"github.com/chanye-org/chanye/request"
)

var _ request.FileService = (*Store)(nil)

// AddFile attaches a file to an open request, checked as an application's
// (type by the bytes, size, name), with its checksum, an event and an
// audit entry.
func (s *Store) AddFile(ctx context.Context, id int64, name string, data []byte) (*request.File, error) {
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
	f := &request.File{Name: name, ContentType: sniffed, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), By: by}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		r, err := findRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Status == request.Closed {
			return chanye.Errorf(chanye.ECONFLICT, "诉求 %d 已办结，不能再添加附件 / request %d is closed", id, id)
		}
		n, err := count(ctx, tx, `SELECT COUNT(*) FROM request_files WHERE request_id = ?`, id)
		if err != nil {
			return err
		}
		if n >= policy.MaxAttachments {
			return chanye.Errorf(chanye.ECONFLICT, "每件诉求至多 %d 个附件 / at most %d files a request", policy.MaxAttachments, policy.MaxAttachments)
		}
		f.At = tx.now
		if err := tx.queryRow(ctx, `INSERT INTO request_files (code, request_id, name, content_type, size, sha256, data, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.Code, id, f.Name, f.ContentType, f.Size, f.SHA256, data, tx.now.UnixMilli(), by).Scan(&f.ID); err != nil {
			return err
		}
		if err := tx.requestEvents(ctx, r.Code, id, []*request.Event{{Action: "attach", From: r.Status, To: r.Status, By: by, At: tx.now, Note: f.Name}}); err != nil {
			return err
		}
		return tx.audit(ctx, "attach", "request", itoa(id), nil, map[string]any{"file": f.ID, "name": f.Name, "size": f.Size, "sha256": f.SHA256})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

const requestFileColumns = `id, name, content_type, size, sha256, created_by, created_at`

func scanRequestFile(row interface{ Scan(...any) error }, data *[]byte) (*request.File, error) {
	var (
		f  request.File
		at int64
	)
	dest := []any{&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.By, &at}
	if data != nil {
		dest = append(dest, data)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	f.At = fromMs(at)
	return &f, nil
}

// FindFiles lists a request's files, without their bytes. ENOTFOUND.
func (s *Store) FindFiles(ctx context.Context, id int64) ([]*request.File, error) {
	out := []*request.File{}
	err := s.db.transact(ctx, true, func(tx *txn) error {
		if n, err := count(ctx, tx, `SELECT COUNT(*) FROM requests WHERE id = ?`, id); err != nil {
			return err
		} else if n == 0 {
			return chanye.Errorf(chanye.ENOTFOUND, "诉求 %d 不存在 / no request %d", id, id)
		}
		// By id: one request's files are one firm's, on one shard on Citus.
		rows, err := tx.query(ctx, `SELECT `+requestFileColumns+` FROM request_files WHERE request_id = ? ORDER BY id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			f, err := scanRequestFile(rows, nil)
			if err != nil {
				return err
			}
			out = append(out, f)
		}
		return rows.Err()
	})
	return out, err
}

// FindFile returns one file of a request with its bytes. ENOTFOUND.
func (s *Store) FindFile(ctx context.Context, id, fileID int64) (*request.File, []byte, error) {
	var (
		f    *request.File
		data []byte
	)
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		f, err = scanRequestFile(tx.queryRow(ctx, `SELECT `+requestFileColumns+`, data FROM request_files WHERE request_id = ? AND id = ?`, id, fileID), &data)
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
