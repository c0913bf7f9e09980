package inbox_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/media/mediatest"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/ratelimit"
)

// withFiles is e's service with an attachments directory of its own.
func (e *env) withFiles() (*inbox.Service, string) {
	e.t.Helper()
	dir := e.t.TempDir()
	files, err := media.NewDir(dir)
	if err != nil {
		e.t.Fatal(err)
	}
	rdb, prefix := storetest.Redis(e.t)
	return inbox.New(e.st, e.pol, e.clock, ratelimit.NewLimiter(rdb, prefix), inbox.WithFiles(files)), dir
}

func png(name string) inbox.Upload { return inbox.Upload{Filename: name, Data: mediatest.PNG()} }

func TestAttachmentGuestUploadLimitFromSettings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		svc, dir := e.withFiles()
		g := models.Customer{Name: "Guest", IsGuest: true, CreatedAt: e.clock.Now()}
		if err := e.st.InsertCustomer(e.ctx, &g, ""); err != nil {
			t.Fatal(err)
		}
		guest := models.Actor{Kind: models.ActorGuest, ID: g.ID, Role: models.RoleGuest, Name: "guest", IP: "203.0.113.9"}
		c := e.MustStart(guest, inbox.StartInput{Subject: "Widget", Body: "hi"})
		// The default guest limit is 5 uploads a minute; two files count two.
		for i := 0; i < 2; i++ {
			if _, _, err := svc.SendAttachments(e.ctx, guest, c.ID, inbox.AttachInput{Files: []inbox.Upload{png("a.png"), png("b.png")}}); err != nil {
				t.Fatalf("upload %d: %v", i+1, err)
			}
		}
		before := len(e.MustMessages(c.ID))
		_, _, err := svc.SendAttachments(e.ctx, guest, c.ID, inbox.AttachInput{Files: []inbox.Upload{png("c.png"), png("d.png")}})
		wantCode(t, err, models.ERATELIMITED)
		if n := len(e.MustMessages(c.ID)); n != before {
			t.Errorf("a refused upload stored %d messages", n-before)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 4 {
			t.Errorf("%d files stored, want 4", len(ents))
		}
	})
}

func TestAttachmentFollowsMessageIntoFollowUp(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		svc, _ := e.withFiles()
		cu, closed := e.MustConvIn(models.StatusClosed)
		m, landed, err := svc.SendAttachments(e.ctx, cu, closed.ID, inbox.AttachInput{Body: "one more", Files: []inbox.Upload{png("x.png")}})
		if err != nil {
			t.Fatal(err)
		}
		if landed.ID == closed.ID || len(m.Attachments) != 1 || m.Attachments[0].ConversationID != landed.ID {
			t.Fatalf("landed in %d, attachment %+v", landed.ID, m.Attachments)
		}
		att, f, err := svc.Attachment(e.ctx, cu, m.Attachments[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if att.MediaType != "image/png" || att.Filename != "x.png" {
			t.Errorf("attachment %+v", att)
		}
		// A message of only files previews as its first file.
		m2, conv, err := svc.SendAttachments(e.ctx, cu, landed.ID, inbox.AttachInput{Files: []inbox.Upload{png("receipt.png")}})
		if err != nil || m2.Body != "" {
			t.Fatal(err)
		}
		if conv.PublicPreview != "Attachment: receipt.png" || e.MustConv(landed.ID).LastPreview != "Attachment: receipt.png" {
			t.Errorf("previews %q / %q", conv.PublicPreview, e.MustConv(landed.ID).LastPreview)
		}
		// Listed with its message in the timeline.
		found := false
		for _, tm := range e.MustMessages(landed.ID) {
			found = found || (tm.ID == m.ID && len(tm.Attachments) == 1 && tm.Attachments[0].ID == att.ID)
		}
		if !found {
			t.Errorf("message %d is not listed with its attachment", m.ID)
		}
	})
}

func TestAttachmentOfNoteHiddenFromCustomer(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		svc, _ := e.withFiles()
		cu, c := e.MustCustomerConv()
		m, _, err := svc.SendAttachments(e.ctx, e.agent, c.ID, inbox.AttachInput{Kind: models.KindNote, Files: []inbox.Upload{png("n.png")}})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = svc.Attachment(e.ctx, cu, m.Attachments[0].ID)
		wantCode(t, err, models.ENOTFOUND)
		if _, f, err := svc.Attachment(e.ctx, e.agent, m.Attachments[0].ID); err != nil {
			t.Errorf("staff: %v", err)
		} else {
			f.Close()
		}
		// Customers cannot write notes, with or without files.
		_, _, err = svc.SendAttachments(e.ctx, cu, c.ID, inbox.AttachInput{Kind: models.KindNote, Files: []inbox.Upload{png("n.png")}})
		wantCode(t, err, models.EFORBIDDEN)
	})
}

func TestAttachmentFilesRemoved(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		svc, dir := e.withFiles()
		cu, c := e.MustCustomerConv()
		m, _, err := svc.SendAttachments(e.ctx, cu, c.ID, inbox.AttachInput{Files: []inbox.Upload{png("a.png"), png("b.png")}})
		if err != nil {
			t.Fatal(err)
		}
		keys, err := e.st.AttachmentKeysOfMessages(e.ctx, []int64{m.ID})
		if err != nil || len(keys) != 2 {
			t.Fatalf("keys %v %v", keys, err)
		}
		if byConv, _ := e.st.AttachmentKeysOfConversations(e.ctx, []int64{c.ID}); len(byConv) != 2 {
			t.Errorf("keys of conversation: %v", byConv)
		}
		// Removing twice, or a key that is not a file name, is harmless.
		for i := 0; i < 2; i++ {
			if err := svc.RemoveAttachmentFiles(e.ctx, append(keys, "../../etc/passwd")); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range keys {
			if _, err := os.Stat(filepath.Join(dir, k)); !os.IsNotExist(err) {
				t.Errorf("file %s still there: %v", k, err)
			}
		}
	})
}

func TestCleanFilename(t *testing.T) {
	cases := []struct{ name, ext, want string }{
		{"photo.png", ".png", "photo.png"},
		{"photo.PNG", ".png", "photo.PNG"},
		{"page.html", ".png", "page.html.png"},
		{"../../etc/passwd", ".jpg", "_.._etc_passwd.jpg"},
		{"", ".gif", "attachment.gif"},
		{"  ..  ", ".gif", "attachment.gif"},
		{"a\x00b\u202ec.webm", ".webm", "a_b_c.webm"},
		{"pic.jpeg", ".jpg", "pic.jpeg"},
		{"song.mp4", ".m4a", "song.mp4"},
		{`<script>alert(1)</script>.png`, ".png", `<script>alert(1)<_script>.png`},
		{"\xff\xfe.png", ".png", "png.png"},
	}
	for _, tc := range cases {
		if got := inbox.CleanFilename(tc.name, tc.ext); got != tc.want {
			t.Errorf("CleanFilename(%q, %q) = %q, want %q", tc.name, tc.ext, got, tc.want)
		}
	}
	long := inbox.CleanFilename(strings.Repeat("é", 300)+".png", ".png")
	if n := len([]rune(long)); n != 120 {
		t.Errorf("long name has %d runes", n)
	}
}
