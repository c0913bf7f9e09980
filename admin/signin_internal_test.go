package admin

import (
	stdctx "context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
)

// Item 1: after GoAdmin signs in, the session it created must be the
// checked user's; any other session ends and the sign-in fails.
func TestCheckSigninVerifiesTheSessionUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := stdctx.Background()
		pol, err := policies.New()
		if err != nil {
			t.Fatal(err)
		}
		acc := inbox.NewAccounts(st, pol, inbox.SystemClock{}, nil, []byte("secret"), time.Hour)
		hash, _ := inbox.HashPassword("a-long-password")
		checked, err := acc.CreateStaff(ctx, models.System, "checked", models.RoleAgent, "c@example.com", hash)
		if err != nil {
			t.Fatal(err)
		}
		other, err := acc.CreateStaff(ctx, models.System, "other", models.RoleOwner, "o@example.com", hash)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Format("2006-01-02 15:04:05")
		for sid, id := range map[string]int64{"sid-checked": checked.ID, "sid-other": other.ID} {
			if _, err := st.DB.ExecContext(ctx, "INSERT INTO goadmin_session (sid, `values`, created_at, updated_at) VALUES (?, ?, ?, ?)",
				sid, fmt.Sprintf(`{"user_id":%d}`, id), now, now); err != nil {
				t.Fatal(err)
			}
		}
		g := &guard{acc: acc, ttl: time.Hour, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		signin := func(sid string) (*httptest.ResponseRecorder, error) {
			rec := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(rec)
			c.Request = httptest.NewRequest(http.MethodPost, "/admin/signin", nil)
			c.Set(ctxSignin, checked.ID)
			bw := newBufferedWriter(c.Writer)
			bw.Header().Set("Set-Cookie", (&http.Cookie{Name: sessionCookie, Value: sid, Path: "/"}).String())
			bw.Header().Set("Content-Type", "application/json")
			bw.WriteHeader(http.StatusOK)
			bw.WriteString(`{"code":200,"data":{"url":"/admin/dashboard/conversation"}}`)
			g.finish(c, bw, Route{Kind: kindSignin})
			_, err := acc.AdminSession(ctx, sid, time.Hour)
			return rec, err
		}
		if rec, err := signin("sid-checked"); rec.Code != http.StatusOK || err != nil || rec.Header().Get("Set-Cookie") == "" {
			t.Errorf("the checked user's session: %d %v", rec.Code, err)
		}
		rec, err := signin("sid-other")
		if rec.Code == http.StatusOK || rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("another user's session was handed out: %d %v", rec.Code, rec.Header())
		}
		if models.ErrorCode(err) != models.EUNAUTHORIZED {
			t.Errorf("another user's session survived: %v", err)
		}
	})
}
