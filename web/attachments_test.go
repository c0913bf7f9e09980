package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/media/mediatest"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/web"
)

// file is one part of an upload form.
type file struct {
	name string
	data []byte
}

// upload posts a multipart form: fields (body, kind) and files.
func (e *env) upload(t *testing.T, url, token string, fields map[string]string, files ...file) response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, url, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	r := response{Code: w.Code, Header: w.Header(), Body: w.Body.String()}
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &r.JSON); err != nil {
			t.Fatalf("answer is not JSON: %v: %q", err, r.Body)
		}
	}
	return r
}

// fetch GETs a file without decoding it.
func (e *env) fetch(t *testing.T, url, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

func (e *env) storedFiles(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir(e.files)
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func (e *env) messageCount(t *testing.T, convID int64) int {
	t.Helper()
	ms, err := e.st.Messages(context.Background(), convID, false)
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

func attachURL(id int64) string {
	return "/api/v1/conversations/" + strconv.FormatInt(id, 10) + "/attachments"
}

const xssName = `"><img src=x onerror=alert(1)>.png`

func TestAttachmentCustomerUploadsAndReads(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, staffTok := e.staff(t, "agent1", models.RoleAgent)
		conv := e.start(t, alice, 0, "Broken mug")
		png := mediatest.PNG()
		voice := mediatest.WebM{Seconds: 4, MediaRecorder: true}.Bytes()
		r := e.upload(t, attachURL(conv.ID), aliceTok, map[string]string{"body": "see the photo"},
			file{xssName, png}, file{"voice.webm", voice})
		if r.Code != http.StatusCreated {
			t.Fatalf("upload: %d %s", r.Code, r.Body)
		}
		if r.str("message.body") != "see the photo" || len(r.list("message.attachments")) != 2 {
			t.Fatalf("message: %s", r.Body)
		}
		if got := r.str("message.attachments.0.filename"); got != xssName {
			t.Errorf("filename %q, want %q kept as text", got, xssName)
		}
		if r.str("message.attachments.0.media_type") != "image/png" || r.num("message.attachments.0.size_bytes") != int64(len(png)) {
			t.Errorf("image attachment: %s", r.Body)
		}
		if r.get("message.attachments.0.duration_ms") != nil {
			t.Errorf("an image has no duration: %v", r.get("message.attachments.0.duration_ms"))
		}
		if r.str("message.attachments.1.media_type") != "audio/webm" || r.num("message.attachments.1.duration_ms") < 3900 {
			t.Errorf("voice attachment: %s", r.Body)
		}
		url := r.str("message.attachments.0.url")
		if !strings.HasPrefix(url, "/api/v1/attachments/") {
			t.Fatalf("url %q", url)
		}
		w := e.fetch(t, url, aliceTok)
		if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), png) {
			t.Fatalf("GET %s: %d", url, w.Code)
		}
		h := w.Header()
		if h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("headers: %v", h)
		}
		if cd := h.Get("Content-Disposition"); cd != media.ContentDisposition("inline", xssName) {
			t.Errorf("Content-Disposition %q", cd)
		}
		// The thread lists the attachments with the message, on both sides.
		th := e.do(t, "GET", "/api/v1/conversations/"+strconv.FormatInt(conv.ID, 10), aliceTok, nil)
		msgs := th.list("messages")
		last := msgs[len(msgs)-1].(map[string]any)
		if atts, _ := last["attachments"].([]any); len(atts) != 2 {
			t.Fatalf("thread message attachments: %s", th.Body)
		}
		st := e.do(t, "GET", "/api/v1/staff/conversations/"+strconv.FormatInt(conv.ID, 10), staffTok, nil)
		smsgs := st.list("messages")
		satt := smsgs[len(smsgs)-1].(map[string]any)["attachments"].([]any)[0].(map[string]any)
		surl := satt["url"].(string)
		if !strings.HasPrefix(surl, "/api/v1/staff/attachments/") {
			t.Fatalf("staff url %q", surl)
		}
		if w := e.fetch(t, surl, staffTok); w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), png) {
			t.Errorf("staff GET: %d", w.Code)
		}
		// Each side's token is good on its own side only.
		if w := e.fetch(t, surl, aliceTok); w.Code != http.StatusUnauthorized {
			t.Errorf("customer token on the staff route: %d", w.Code)
		}
		if w := e.fetch(t, url, staffTok); w.Code != http.StatusUnauthorized {
			t.Errorf("staff token on the customer route: %d", w.Code)
		}
		// Range requests work (video seeking).
		req := httptest.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+aliceTok)
		req.Header.Set("Range", "bytes=0-3")
		rw := httptest.NewRecorder()
		e.h.ServeHTTP(rw, req)
		if rw.Code != http.StatusPartialContent || rw.Body.Len() != 4 {
			t.Errorf("range: %d %d", rw.Code, rw.Body.Len())
		}
	})
}

// TestAttachmentRefused: R12's refusals store nothing — no message, no file.
func TestAttachmentRefused(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, tok := e.customer(t, "alice@example.com")
		conv := e.start(t, alice, 0, "Refusals")
		cases := []struct {
			name   string
			f      file
			status int
			code   string
		}{
			{"html named .png", file{"photo.png", mediatest.HTML()}, http.StatusBadRequest, "invalid"},
			{"1 MB + 1 byte image", file{"big.png", mediatest.PNGOfSize(1<<20 + 1)}, http.StatusRequestEntityTooLarge, "too_large"},
			{"61-second webm video", file{"clip.webm", mediatest.WebM{Seconds: 61, Video: true}.Bytes()}, http.StatusBadRequest, "invalid"},
			{"61-second MediaRecorder webm", file{"rec.webm", mediatest.WebM{Seconds: 61, Video: true, MediaRecorder: true}.Bytes()}, http.StatusBadRequest, "invalid"},
			{"61-second MediaRecorder voice", file{"rec.webm", mediatest.WebM{Seconds: 61, MediaRecorder: true}.Bytes()}, http.StatusBadRequest, "invalid"},
			{"61-second mp4", file{"clip.mp4", mediatest.MP4(61, true)}, http.StatusBadRequest, "invalid"},
			{"61-second ogg", file{"note.ogg", mediatest.OggOpus(61)}, http.StatusBadRequest, "invalid"},
			{"61-second mp3", file{"note.mp3", mediatest.MP3(61, false)}, http.StatusBadRequest, "invalid"},
			{"video without a length", file{"clip.mp4", mediatest.MP4(0, true)}, http.StatusBadRequest, "invalid"},
		}
		before := e.messageCount(t, conv.ID)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.upload(t, attachURL(conv.ID), tok, map[string]string{"body": "hello"}, tc.f)
				if r.Code != tc.status || r.str("error.code") != tc.code {
					t.Fatalf("%d %s, want %d %s", r.Code, r.Body, tc.status, tc.code)
				}
			})
		}
		// One bad file among good ones refuses the whole message.
		r := e.upload(t, attachURL(conv.ID), tok, nil, file{"ok.png", mediatest.PNG()}, file{"bad.png", mediatest.HTML()})
		if r.Code != http.StatusBadRequest || !strings.HasPrefix(r.str("error.message"), "file 2: ") {
			t.Fatalf("mixed: %d %s", r.Code, r.Body)
		}
		if n := e.messageCount(t, conv.ID); n != before {
			t.Errorf("%d messages stored by refused uploads", n-before)
		}
		if n := e.storedFiles(t); n != 0 {
			t.Errorf("%d files left by refused uploads", n)
		}
		// A 60-second voice note is fine.
		if r := e.upload(t, attachURL(conv.ID), tok, nil, file{"note.ogg", mediatest.OggOpus(60)}); r.Code != http.StatusCreated {
			t.Errorf("60 s: %d %s", r.Code, r.Body)
		}
	})
}

func TestAttachmentFormIsStrict(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, tok := e.customer(t, "alice@example.com")
		conv := e.start(t, alice, 0, "Forms")
		png := file{"a.png", mediatest.PNG()}
		for name, r := range map[string]response{
			"no file":          e.upload(t, attachURL(conv.ID), tok, map[string]string{"body": "hi"}),
			"unknown field":    e.upload(t, attachURL(conv.ID), tok, map[string]string{"colour": "red"}, png),
			"kind as customer": e.upload(t, attachURL(conv.ID), tok, map[string]string{"kind": "note"}, png),
			"five files":       e.upload(t, attachURL(conv.ID), tok, nil, png, png, png, png, png),
			"json body":        e.do(t, "POST", attachURL(conv.ID), tok, map[string]string{"body": "x"}),
		} {
			if r.Code != http.StatusBadRequest {
				t.Errorf("%s: %d %s", name, r.Code, r.Body)
			}
		}
	})
}

// TestAttachmentOfNoteNeverReachesCustomer: R8 for files.
func TestAttachmentOfNoteNeverReachesCustomer(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, staffTok := e.staff(t, "agent1", models.RoleAgent)
		conv := e.start(t, alice, 0, "Notes")
		surl := "/api/v1/staff/conversations/" + strconv.FormatInt(conv.ID, 10) + "/attachments"
		r := e.upload(t, surl, staffTok, map[string]string{"kind": "note", "body": "internal photo"}, file{"secret.png", mediatest.PNG()})
		if r.Code != http.StatusCreated || r.str("message.kind") != "note" {
			t.Fatalf("note upload: %d %s", r.Code, r.Body)
		}
		id := r.num("message.attachments.0.id")
		if w := e.fetch(t, web.AttachmentURL(id, false), aliceTok); w.Code != http.StatusNotFound {
			t.Errorf("customer GET of a note's file: %d", w.Code)
		}
		if w := e.fetch(t, web.AttachmentURL(id, true), staffTok); w.Code != http.StatusOK {
			t.Errorf("staff GET of a note's file: %d", w.Code)
		}
		th := e.do(t, "GET", "/api/v1/conversations/"+strconv.FormatInt(conv.ID, 10), aliceTok, nil)
		if strings.Contains(th.Body, "secret.png") || strings.Contains(th.Body, "internal photo") {
			t.Errorf("the customer's thread shows the note: %s", th.Body)
		}
		// A staff reply with a file reaches the customer.
		r = e.upload(t, surl, staffTok, map[string]string{"kind": "reply"}, file{"label.gif", mediatest.GIF()})
		if r.Code != http.StatusCreated {
			t.Fatalf("reply upload: %d %s", r.Code, r.Body)
		}
		if w := e.fetch(t, web.AttachmentURL(r.num("message.attachments.0.id"), false), aliceTok); w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/gif" {
			t.Errorf("customer GET of a reply's file: %d", w.Code)
		}
	})
}

func TestAttachmentOtherCustomer404(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, bobTok := e.customer(t, "bob@example.com")
		conv := e.start(t, alice, 0, "Mine")
		r := e.upload(t, attachURL(conv.ID), aliceTok, nil, file{"a.jpg", mediatest.JPEG()})
		if r.Code != http.StatusCreated {
			t.Fatalf("upload: %d %s", r.Code, r.Body)
		}
		id := r.num("message.attachments.0.id")
		for _, u := range []string{web.AttachmentURL(id, false), web.AttachmentURL(id+1000, false), "/api/v1/attachments/abc"} {
			if w := e.fetch(t, u, bobTok); w.Code != http.StatusNotFound {
				t.Errorf("bob GET %s: %d", u, w.Code)
			}
		}
		if r := e.upload(t, attachURL(conv.ID), bobTok, nil, file{"b.png", mediatest.PNG()}); r.Code != http.StatusNotFound {
			t.Errorf("bob uploads to alice's thread: %d", r.Code)
		}
		if n := e.storedFiles(t); n != 1 {
			t.Errorf("%d files, want alice's one", n)
		}
	})
}

// TestAttachmentUploadRateLimit: R11's upload limit comes from the
// settings; over it the answer is 429 and nothing is stored.
func TestAttachmentUploadRateLimit(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, tok := e.customer(t, "alice@example.com")
		conv := e.start(t, alice, 0, "Many photos")
		if err := e.st.PutSetting(context.Background(), models.SettingCustomerUploadsPerMin, "2", time.Now()); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if r := e.upload(t, attachURL(conv.ID), tok, nil, file{"p.png", mediatest.PNG()}); r.Code != http.StatusCreated {
				t.Fatalf("upload %d: %d %s", i+1, r.Code, r.Body)
			}
		}
		before, files := e.messageCount(t, conv.ID), e.storedFiles(t)
		r := e.upload(t, attachURL(conv.ID), tok, map[string]string{"body": "third"}, file{"p.png", mediatest.PNG()})
		if r.Code != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Fatalf("third upload: %d %s", r.Code, r.Body)
		}
		if e.messageCount(t, conv.ID) != before || e.storedFiles(t) != files {
			t.Errorf("a 429 stored something")
		}
	})
}

func TestAttachmentFilesGoWithDeletedConversation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, tok := e.customer(t, "alice@example.com")
		_, adminTok := e.staff(t, "chief", models.RoleChatAdmin)
		conv := e.start(t, alice, 0, "Short-lived")
		if r := e.upload(t, attachURL(conv.ID), tok, nil, file{"p.png", mediatest.PNG()}); r.Code != http.StatusCreated {
			t.Fatalf("upload: %d %s", r.Code, r.Body)
		}
		e.setStatus(t, conv.ID, models.StatusClosed)
		if r := e.do(t, "DELETE", "/api/v1/staff/conversations/"+strconv.FormatInt(conv.ID, 10), adminTok, nil); r.Code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.Code, r.Body)
		}
		if n := e.storedFiles(t); n != 0 {
			t.Errorf("%d files left after the delete", n)
		}
	})
}
