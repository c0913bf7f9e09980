package models

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const conversationColumns = `id, customer_id, customer_name, customer_email, subject, order_id, status,
	assigned_to, follow_up_of, is_read_by_admin, is_read_by_user, created_at, updated_at,
	last_message_at, last_preview, message_count, public_last_at, public_preview, public_message_count`

type scanner interface{ Scan(dest ...any) error }

func scanConversation(row scanner) (Conversation, error) {
	var c Conversation
	var orderID, assigned, followUp sql.NullInt64
	err := row.Scan(&c.ID, &c.CustomerID, &c.CustomerName, &c.CustomerEmail, &c.Subject, &orderID, &c.Status,
		&assigned, &followUp, &c.IsReadByAdmin, &c.IsReadByUser, &c.CreatedAt, &c.UpdatedAt,
		&c.LastMessageAt, &c.LastPreview, &c.MessageCount, &c.PublicLastAt, &c.PublicPreview, &c.PublicMessages)
	if err != nil {
		return c, err
	}
	c.OrderID, c.AssignedTo, c.FollowUpOf = nullID(orderID), nullID(assigned), nullID(followUp)
	c.CreatedAt, c.UpdatedAt, c.LastMessageAt, c.PublicLastAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC(), c.LastMessageAt.UTC(), c.PublicLastAt.UTC()
	return c, nil
}

func nullID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func idArg(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Conversation loads one conversation.
func (q Queries) Conversation(ctx context.Context, id int64) (Conversation, error) {
	c, err := scanConversation(q.q.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("conversation %d: %w", id, translate(err))
	}
	return c, nil
}

// LockConversation loads a conversation and locks its row until the
// transaction ends.
func (q Queries) LockConversation(ctx context.Context, id int64) (Conversation, error) {
	c, err := scanConversation(q.q.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = ?`+q.forUpdate(), id))
	if err != nil {
		return c, fmt.Errorf("lock conversation %d: %w", id, translate(err))
	}
	return c, nil
}

// LockConversations loads and locks several conversations, in id order.
func (q Queries) LockConversations(ctx context.Context, ids []int64) ([]Conversation, error) {
	in, args := inList(ids)
	rows, err := q.q.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id IN (`+in+`) ORDER BY id`+q.forUpdate(), args...)
	if err != nil {
		return nil, fmt.Errorf("lock conversations: %w", translate(err))
	}
	return collectConversations(rows)
}

func collectConversations(rows *sql.Rows) ([]Conversation, error) {
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, fmt.Errorf("scan conversation: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// InsertConversation stores a new conversation and sets its id.
func (q Queries) InsertConversation(ctx context.Context, c *Conversation) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO conversations (customer_id, customer_name, customer_email, subject,
		order_id, status, assigned_to, follow_up_of, is_read_by_admin, is_read_by_user, created_at, updated_at,
		last_message_at, last_preview, message_count, public_last_at, public_preview, public_message_count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.CustomerID, c.CustomerName, c.CustomerEmail, c.Subject, idArg(c.OrderID), c.Status, idArg(c.AssignedTo),
		idArg(c.FollowUpOf), c.IsReadByAdmin, c.IsReadByUser, c.CreatedAt, c.UpdatedAt, c.LastMessageAt,
		c.LastPreview, c.MessageCount, c.PublicLastAt, c.PublicPreview, c.PublicMessages)
	if err != nil {
		return fmt.Errorf("insert conversation: %w", translate(err))
	}
	c.ID, err = res.LastInsertId()
	return err
}

// SaveConversation writes a conversation's mutable fields (call it with the
// row locked).
func (q Queries) SaveConversation(ctx context.Context, c Conversation) error {
	_, err := q.q.ExecContext(ctx, `UPDATE conversations SET status = ?, assigned_to = ?, is_read_by_admin = ?,
		is_read_by_user = ?, updated_at = ?, last_message_at = ?, last_preview = ?, message_count = ?,
		public_last_at = ?, public_preview = ?, public_message_count = ? WHERE id = ?`,
		c.Status, idArg(c.AssignedTo), c.IsReadByAdmin, c.IsReadByUser, c.UpdatedAt, c.LastMessageAt,
		c.LastPreview, c.MessageCount, c.PublicLastAt, c.PublicPreview, c.PublicMessages, c.ID)
	if err != nil {
		return fmt.Errorf("save conversation %d: %w", c.ID, translate(err))
	}
	return nil
}

// SetAssigneeIf assigns a conversation only while its assignee is still
// `expected` (nil = unassigned): a compare-and-set, so of two simultaneous
// "take it" only one changes a row. It reports whether the row changed.
func (q Queries) SetAssigneeIf(ctx context.Context, id int64, expected, to *int64, at time.Time) (bool, error) {
	cond, args := "assigned_to IS NULL", []any{idArg(to), at, id}
	if expected != nil {
		cond = "assigned_to = ?"
		args = append(args, *expected)
	}
	res, err := q.q.ExecContext(ctx, `UPDATE conversations SET assigned_to = ?, updated_at = ? WHERE id = ? AND `+cond, args...)
	if err != nil {
		return false, fmt.Errorf("assign conversation %d: %w", id, translate(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkRead sets one side's read flag.
func (q Queries) MarkRead(ctx context.Context, id int64, admin bool) error {
	col := "is_read_by_user"
	if admin {
		col = "is_read_by_admin"
	}
	_, err := q.q.ExecContext(ctx, `UPDATE conversations SET `+col+` = ? WHERE id = ? AND `+col+` = ?`, true, id, false)
	if err != nil {
		return fmt.Errorf("mark conversation %d read: %w", id, translate(err))
	}
	return nil
}

// OpenFollowUp finds the follow-up of a closed conversation that is not
// itself closed.
func (q Queries) OpenFollowUp(ctx context.Context, closedID int64) (Conversation, bool, error) {
	c, err := scanConversation(q.q.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE follow_up_of = ? AND status <> ? ORDER BY id DESC LIMIT 1`+q.forUpdate(), closedID, StatusClosed))
	if err == sql.ErrNoRows {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("follow-up of %d: %w", closedID, translate(err))
	}
	return c, true, nil
}

// DeleteClosedConversations deletes the given conversations with their
// messages, attachments and notifications, only where they are CLOSED (R2).
// It returns how many conversations it deleted; the caller compares that
// with len(ids) and rolls back on a shortfall.
func (q Queries) DeleteClosedConversations(ctx context.Context, ids []int64) (int, error) {
	in, args := inList(ids)
	closed := `SELECT id FROM conversations WHERE id IN (` + in + `) AND status = ?`
	cargs := append(append([]any{}, args...), StatusClosed)
	// Derived table: MySQL refuses a subquery on the table being updated.
	if _, err := q.q.ExecContext(ctx, `UPDATE conversations SET follow_up_of = NULL WHERE follow_up_of IN (SELECT id FROM (`+closed+`) AS d)`, cargs...); err != nil {
		return 0, fmt.Errorf("unlink follow-ups: %w", translate(err))
	}
	for _, child := range []string{"notifications", "attachments", "messages"} {
		if _, err := q.q.ExecContext(ctx, `DELETE FROM `+child+` WHERE conversation_id IN (`+closed+`)`, cargs...); err != nil {
			return 0, fmt.Errorf("delete %s: %w", child, translate(err))
		}
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM conversations WHERE id IN (`+in+`) AND status = ?`, cargs...)
	if err != nil {
		return 0, fmt.Errorf("delete conversations: %w", translate(err))
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Scope is a SQL condition over the conversations columns with its
// arguments: one branch of a caller's visibility (policies builds them).
type Scope struct {
	Where string
	Args  []any
}

// ConversationFilter narrows a conversation list. The caller's scope (R6a)
// comes separately as a SQL fragment from policies.
type ConversationFilter struct {
	Statuses   []Status
	AssignedTo *int64 // a staff id
	Unassigned bool
	Unread     *bool
	CustomerID *int64
	// Public lists by the customer's view: public activity, read by user.
	Public bool
	Limit  int
	Cursor string
	// Offset pages by number instead of cursor (the admin list).
	Offset int
}

// ConversationPage is one page of a list.
type ConversationPage struct {
	Items      []Conversation
	NextCursor string // "" at the end
}

// EncodeCursor makes the opaque cursor for a position in the list.
func EncodeCursor(at time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "." + strconv.FormatInt(id, 10)))
}

// Cursor times lie within what both dialects store (MySQL DATETIME ends
// in 9999); activity never predates 1970.
var (
	minCursorTime = time.Unix(0, 0).UTC()
	maxCursorTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// DecodeCursor reads a cursor made by EncodeCursor. Only the exact text
// EncodeCursor gives out is accepted, with a time the database can store:
// a forged cursor is EINVALID, never a database error.
func DecodeCursor(s string) (time.Time, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		if a, b2, ok := strings.Cut(string(b), "."); ok {
			us, err1 := strconv.ParseInt(a, 10, 64)
			id, err2 := strconv.ParseInt(b2, 10, 64)
			if err1 == nil && err2 == nil && id > 0 {
				at := time.UnixMicro(us).UTC()
				if !at.Before(minCursorTime) && !at.After(maxCursorTime) && EncodeCursor(at, id) == s {
					return at, id, nil
				}
			}
		}
	}
	return time.Time{}, 0, Errorf(EINVALID, "invalid cursor")
}

// activity is the column the list is ordered by.
func (f ConversationFilter) activity() string {
	if f.Public {
		return "public_last_at"
	}
	return "last_message_at"
}

// where builds the filter's conditions within one scope branch.
func (f ConversationFilter) where(scope Scope) (string, []any) {
	conds := []string{"(" + scope.Where + ")"}
	args := append([]any{}, scope.Args...)
	if len(f.Statuses) > 0 {
		conds = append(conds, "status IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.Statuses)), ",")+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	if f.Unassigned {
		conds = append(conds, "assigned_to IS NULL")
	} else if f.AssignedTo != nil {
		conds = append(conds, "assigned_to = ?")
		args = append(args, *f.AssignedTo)
	}
	if f.Unread != nil {
		col := "is_read_by_admin"
		if f.Public {
			col = "is_read_by_user"
		}
		conds = append(conds, col+" = ?")
		args = append(args, !*f.Unread)
	}
	if f.CustomerID != nil {
		conds = append(conds, "customer_id = ?")
		args = append(args, *f.CustomerID)
	}
	return strings.Join(conds, " AND "), args
}

// union selects the rows of every scope branch, each walked in activity
// order with its own limit (an index range scan), merged and cut to limit
// rows from offset. extra is appended to each branch's conditions.
func (f ConversationFilter) union(scopes []Scope, extra string, extraArgs []any, limit, offset int) (string, []any) {
	act := f.activity()
	order := ` ORDER BY ` + act + ` DESC, id DESC`
	var parts []string
	var args []any
	for i, sc := range scopes {
		w, a := f.where(sc)
		parts = append(parts, fmt.Sprintf(`SELECT * FROM (SELECT `+conversationColumns+` FROM conversations WHERE %s%s%s LIMIT ?) AS b%d`, w, extra, order, i))
		args = append(append(append(args, a...), extraArgs...), limit+offset)
	}
	if len(parts) == 1 {
		w, a := f.where(scopes[0])
		return `SELECT ` + conversationColumns + ` FROM conversations WHERE ` + w + extra + order + ` LIMIT ? OFFSET ?`,
			append(append(a, extraArgs...), limit, offset)
	}
	return strings.Join(parts, " UNION ") + order + ` LIMIT ? OFFSET ?`, append(args, limit, offset)
}

// ListConversations lists conversations newest activity first, within the
// union of the scope branches, by cursor.
func (q Queries) ListConversations(ctx context.Context, scopes []Scope, f ConversationFilter) (ConversationPage, error) {
	if len(scopes) == 0 {
		return ConversationPage{}, nil
	}
	act := f.activity()
	var extra string
	var extraArgs []any
	if f.Cursor != "" {
		at, id, err := DecodeCursor(f.Cursor)
		if err != nil {
			return ConversationPage{}, err
		}
		extra = " AND (" + act + " < ? OR (" + act + " = ? AND id < ?))"
		extraArgs = []any{at, at, id}
	}
	query, args := f.union(scopes, extra, extraArgs, f.Limit+1, 0)
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return ConversationPage{}, fmt.Errorf("list conversations: %w", translate(err))
	}
	items, err := collectConversations(rows)
	if err != nil {
		return ConversationPage{}, err
	}
	page := ConversationPage{Items: items}
	if len(items) > f.Limit {
		page.Items = items[:f.Limit]
		last := page.Items[f.Limit-1]
		at := last.LastMessageAt
		if f.Public {
			at = last.PublicLastAt
		}
		page.NextCursor = EncodeCursor(at, last.ID)
	}
	return page, nil
}

// ConversationSorts whitelists the columns a page-numbered list may sort by.
var ConversationSorts = map[string]string{
	"last_message_at": "last_message_at", "created_at": "created_at", "id": "id",
	"status": "status", "subject": "subject", "customer_name": "customer_name",
}

// ListConversationsPage lists one numbered page with the total count, for
// the admin list. sort must be a key of ConversationSorts; the default order
// (activity, newest first) walks each scope branch in index order.
func (q Queries) ListConversationsPage(ctx context.Context, scopes []Scope, f ConversationFilter, sort string, desc bool) ([]Conversation, int, error) {
	col, ok := ConversationSorts[sort]
	if !ok {
		return nil, 0, Errorf(EINVALID, "cannot sort by %q", sort)
	}
	if len(scopes) == 0 {
		return nil, 0, nil
	}
	var ors []string
	var orArgs []any
	for _, sc := range scopes {
		ors = append(ors, "("+sc.Where+")")
		orArgs = append(orArgs, sc.Args...)
	}
	all := Scope{Where: strings.Join(ors, " OR "), Args: orArgs}
	where, args := f.where(all)
	var total int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversations WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count conversations: %w", translate(err))
	}
	var query string
	if col == f.activity() && desc {
		query, args = f.union(scopes, "", nil, f.Limit, f.Offset)
	} else {
		dir := "ASC"
		if desc {
			dir = "DESC"
		}
		query = `SELECT ` + conversationColumns + ` FROM conversations WHERE ` + where + ` ORDER BY ` + col + ` ` + dir + `, id ` + dir + ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list conversations: %w", translate(err))
	}
	items, err := collectConversations(rows)
	return items, total, err
}
