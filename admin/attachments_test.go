package admin_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/parleyhq/parley/admin"
	"github.com/parleyhq/parley/media/mediatest"
	"github.com/parleyhq/parley/models"
)

// upload posts the reply box's form: fields and files.
func (c *client) upload(fields map[string]string, hdr map[string]string, files map[string][]byte) response {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, env.srv.URL+admin.AttachPath, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	return c.do(req, hdr)
}

func messagesOf(t *testing.T, id int64) []models.Message {
	t.Helper()
	ms, err := env.store.Messages(context.Background(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestAttachmentBackOfficeUploadAndRead(t *testing.T) {
	agent := newStaff(t, models.RoleAgent)
	c := login(t, agent)
	conv := newConversation(t, "Photo please", "hello")
	id := fmt.Sprint(conv.ID)
	png := mediatest.PNG()

	res := c.upload(map[string]string{"id": id, "kind": "note", "body": "internal"}, nil, map[string][]byte{`<b>x</b>.png`: png})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, res.body)
	}
	out := res.json(t)
	atts := out["attachments"].([]any)
	if out["kind"] != "note" || len(atts) != 1 {
		t.Fatalf("answer: %s", res.body)
	}
	url := atts[0].(map[string]any)["url"].(string)
	if !strings.HasPrefix(url, admin.AttachFilePrefix) {
		t.Fatalf("url %q", url)
	}
	f := c.get(url)
	if f.StatusCode != http.StatusOK || f.body != string(png) {
		t.Fatalf("GET %s: %d", url, f.StatusCode)
	}
	if f.Header.Get("Content-Type") != "image/png" || f.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(f.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("file headers: %v", f.Header)
	}

	// A refused file stores nothing.
	before := len(messagesOf(t, conv.ID))
	for name, data := range map[string][]byte{"page.png": mediatest.HTML(), "long.webm": mediatest.WebM{Seconds: 61, Video: true, MediaRecorder: true}.Bytes()} {
		if r := c.upload(map[string]string{"id": id}, nil, map[string][]byte{name: data}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, r.StatusCode, r.body)
		}
	}
	if r := c.upload(map[string]string{"id": id}, nil, map[string][]byte{"big.png": mediatest.PNGOfSize(1<<20 + 1)}); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("1 MB + 1: %d %s", r.StatusCode, r.body)
	}
	// Cross-site posts are refused before anything is read.
	if r := c.upload(map[string]string{"id": id}, map[string]string{"Origin": "https://evil.example"}, map[string][]byte{"a.png": png}); r.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site upload: %d", r.StatusCode)
	}
	if n := len(messagesOf(t, conv.ID)); n != before {
		t.Errorf("%d messages stored by refused uploads", n-before)
	}
}

func TestAttachmentBackOfficeScope(t *testing.T) {
	owner := newStaff(t, models.RoleAgent)
	other := newStaff(t, models.RoleAgent)
	conv := takenBy(t, owner, "Mine only")
	res := login(t, owner).upload(map[string]string{"id": fmt.Sprint(conv.ID)}, nil, map[string][]byte{"a.gif": mediatest.GIF()})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, res.body)
	}
	url := res.json(t)["attachments"].([]any)[0].(map[string]any)["url"].(string)
	c := login(t, other)
	if r := c.get(url); r.StatusCode != http.StatusNotFound {
		t.Errorf("another agent reads the file: %d", r.StatusCode)
	}
	if r := c.upload(map[string]string{"id": fmt.Sprint(conv.ID)}, nil, map[string][]byte{"b.gif": mediatest.GIF()}); r.StatusCode != http.StatusNotFound {
		t.Errorf("another agent uploads: %d %s", r.StatusCode, r.body)
	}
	if r := newClient(t).get(url); r.StatusCode == http.StatusOK {
		t.Errorf("signed out: %d", r.StatusCode)
	}
}

func TestAttachmentScriptServed(t *testing.T) {
	c := login(t, newStaff(t, models.RoleAgent))
	r := c.get(admin.AttachJSPath)
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(r.body, "data-parley-attach") {
		t.Fatalf("attach.js: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
}

// The conversation page shows each message's files where they were sent
// (a file name is text, never markup) and offers the file box, pointed at
// Parley's upload route with the store's limits.
func TestThreadPageShowsAttachments(t *testing.T) {
	agent := newStaff(t, models.RoleAgent)
	c := login(t, agent)
	conv := newConversation(t, "Broken plate", "photo follows")
	name := `<img src=x onerror=alert(1)>.png`
	res := c.upload(map[string]string{"id": fmt.Sprint(conv.ID), "body": "what we received"}, nil, map[string][]byte{name: mediatest.PNG()})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, res.body)
	}
	url := res.json(t)["attachments"].([]any)[0].(map[string]any)["url"].(string)
	page := c.get(editPath(conv.ID))
	if page.StatusCode != http.StatusOK {
		t.Fatalf("page: %d", page.StatusCode)
	}
	doc := page.doc(t)
	msg := doc.Find(".conv-msg").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Find(".conv-body").Text(), "what we received")
	})
	if msg.Find(`img[src="`+url+`"]`).Length() != 1 {
		t.Fatalf("the message does not show its image %s: %s", url, msg.Text())
	}
	if doc.Find(`img[src="x"]`).Length() != 0 || !strings.Contains(msg.Text(), name) {
		t.Errorf("the file name is not shown as text: %q", msg.Text())
	}
	box := doc.Find("[data-parley-attach]")
	if box.AttrOr("data-upload-url", "") != admin.AttachPath || box.AttrOr("data-conversation", "") != fmt.Sprint(conv.ID) ||
		box.AttrOr("data-max-bytes", "") != "1048576" || doc.Find(`script[src="`+admin.AttachJSPath+`"]`).Length() != 1 {
		t.Errorf("file box: %v", box.Nodes)
	}
}
