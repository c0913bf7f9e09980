package models

import (
	"context"
	"fmt"
)

// InsertAudit writes an audit entry (R20).
func (q Queries) InsertAudit(ctx context.Context, e *AuditEntry) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO audit_log (actor_type, actor_id, actor_name, action, subject_type,
		subject_id, before_json, after_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ActorType, e.ActorID, e.ActorName, e.Action, e.SubjectType, e.SubjectID, e.Before, e.After, e.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert audit entry: %w", translate(err))
	}
	e.ID, err = res.LastInsertId()
	return err
}

// AuditEntries lists the newest audit entries, optionally for one subject.
func (q Queries) AuditEntries(ctx context.Context, subjectType string, subjectID int64, limit int) ([]AuditEntry, error) {
	query := `SELECT id, actor_type, actor_id, actor_name, action, subject_type, subject_id, before_json, after_json, created_at FROM audit_log`
	var args []any
	if subjectType != "" {
		query += ` WHERE subject_type = ? AND subject_id = ?`
		args = append(args, subjectType, subjectID)
	}
	rows, err := q.q.QueryContext(ctx, query+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("audit entries: %w", translate(err))
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.ActorType, &e.ActorID, &e.ActorName, &e.Action, &e.SubjectType, &e.SubjectID, &e.Before, &e.After, &e.CreatedAt); err != nil {
			return nil, err
		}
		e.CreatedAt = e.CreatedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
