package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parleyhq/parley/models"
)

// getRaw sends a GET and returns the recorder (the answer may be CSV).
func (e *env) getRaw(t *testing.T, url, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

func TestExportCSVAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, bobTok := e.customer(t, "bob@example.com")
		admin, adminTok := e.staff(t, "chatadmin", models.RoleChatAdmin)
		conv := e.start(t, alice, 0, "Where is my parcel?")
		if _, _, err := e.svc.Send(context.Background(), admin, conv.ID, models.KindNote, "secret note about alice"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Send(context.Background(), admin, conv.ID, models.KindReply, "@SUM(1+1) on its way"); err != nil {
			t.Fatal(err)
		}
		custURL := idURL("/api/v1/conversations", conv.ID, "/export.csv")
		staffURL := idURL("/api/v1/staff/conversations", conv.ID, "/export.csv")

		check := func(t *testing.T, w *httptest.ResponseRecorder) [][]string {
			t.Helper()
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cd := w.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "conversation-") {
				t.Errorf("Content-Disposition %q", cd)
			}
			if w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("headers %v", w.Header())
			}
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(w.Body.String(), "\uFEFF"))).ReadAll()
			if err != nil {
				t.Fatalf("not CSV: %v", err)
			}
			return recs
		}
		t.Run("alice downloads her own without notes", func(t *testing.T) {
			w := e.getRaw(t, custURL, aliceTok)
			recs := check(t, w)
			if strings.Contains(w.Body.String(), "secret note") {
				t.Fatalf("customer CSV contains a note (R8):\n%s", w.Body)
			}
			if len(recs) != 3 || !strings.HasPrefix(recs[2][7], "'@SUM") {
				t.Errorf("records %q", recs)
			}
		})
		t.Run("staff download with the note marked", func(t *testing.T) {
			w := e.getRaw(t, staffURL, adminTok)
			check(t, w)
			if !strings.Contains(w.Body.String(), "note (staff only)") || !strings.Contains(w.Body.String(), "secret note about alice") {
				t.Errorf("staff CSV misses the marked note:\n%s", w.Body)
			}
		})
		e.run(t, []scenario{
			{Name: "bob gets 404 on alice's export", Method: "GET", URL: custURL, Token: bobTok, ExpectedStatus: 404, ExpectedCode: "not_found"},
			{Name: "no token is 401", Method: "GET", URL: custURL, ExpectedStatus: 401},
			{Name: "a customer token on the staff export is 401", Method: "GET", URL: staffURL, Token: aliceTok, ExpectedStatus: 401},
			{Name: "a forged id is 404", Method: "GET", URL: "/api/v1/conversations/01/export.csv", Token: aliceTok, ExpectedStatus: 404},
		})
	})
}
