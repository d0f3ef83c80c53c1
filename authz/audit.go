package authz

import (
	"context"

	"github.com/chanye-org/chanye"
)

// Audit actions.
const ReadAudit Action = "read the audit log"

// auditRules: the audit log is for administrators and leaders.
var auditRules = Rules{
	ReadAudit: {admin: Allow, leader: Allow},
}

// AuditRules returns the audit log's rules, for review and tests.
func AuditRules() Rules { return auditRules }

type audit struct {
	inner chanye.AuditService
}

// Audit returns inner guarded by auditRules.
func Audit(inner chanye.AuditService) chanye.AuditService {
	return &audit{inner: inner}
}

var _ chanye.AuditService = (*audit)(nil)

func (s *audit) FindAudit(ctx context.Context, filter chanye.AuditFilter) ([]*chanye.AuditEntry, int, error) {
	if _, _, err := check(ctx, auditRules, ReadAudit); err != nil {
		return nil, 0, err
	}
	return s.inner.FindAudit(ctx, filter)
}

func (s *audit) VerifyAudit(ctx context.Context, expect *chanye.AuditHead) (*chanye.AuditReport, error) {
	if _, _, err := check(ctx, auditRules, ReadAudit); err != nil {
		return nil, err
	}
	return s.inner.VerifyAudit(ctx, expect)
}

func (s *audit) VerifyAuditChains(ctx context.Context, v chanye.AuditVerify) (*chanye.AuditReport, error) {
	if _, _, err := check(ctx, auditRules, ReadAudit); err != nil {
		return nil, err
	}
	return s.inner.VerifyAuditChains(ctx, v)
}
