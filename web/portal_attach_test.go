package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/media/mediatest"
)

// postFile sends the thread page's file form as a browser would.
func (c *browserClient) postFile(path, name string, data []byte, fields url.Values) page {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if _, ok := fields["csrf"]; !ok {
		_ = w.WriteField("csrf", c.csrf())
	}
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = w.Close()
	req, _ := http.NewRequest("POST", c.p.srv.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", c.p.srv.URL)
	return c.do(req)
}

// On her thread page alice sends a photo with a line of text; it shows
// inline and is served to her; an HTML file named .png is refused in the
// page with nothing stored; bob cannot fetch her file; a post without the
// form's token is refused.
func TestPortalUploadsAPhoto(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, _ := e.customer(t, "alice@example.com")
		e.customer(t, "bob@example.com")
		conv := e.start(t, alice, 0, "Broken mug")
		p := newPortal(t, e)
		c := p.client(t)
		c.signIn("alice@example.com")
		path := "/dashboard/messages/" + itoa(conv.ID)
		if c.get(path).doc.Find(`form#attach-form[enctype="multipart/form-data"] input[type=file]`).Length() != 1 {
			t.Fatal("the thread page has no file form")
		}
		r := c.postFile(path+"/attachments", `mug <img src=x onerror=alert(1)>.png`, mediatest.PNG(), url.Values{"body": {"Here it is"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", r.code, r.doc.Find(".error").Text())
		}
		th := c.get(path)
		img := th.doc.Find("figure.parley-attachment img")
		src, _ := img.Attr("src")
		if img.Length() != 1 || !strings.HasPrefix(src, "/dashboard/messages/attachments/") || !strings.Contains(th.body, "Here it is") {
			t.Fatalf("the photo is not shown: %d images, src %q", img.Length(), src)
		}
		if alt, _ := img.Attr("alt"); alt != `mug <img src=x onerror=alert(1)>.png` || th.doc.Find(`img[src="x"]`).Length() != 0 {
			t.Fatalf("file name not shown as text: alt %q", alt)
		}
		file := c.get(src)
		if file.code != http.StatusOK || file.hdr.Get("Content-Type") != "image/png" || file.hdr.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("serving: %d %v", file.code, file.hdr)
		}
		bob := p.client(t)
		bob.signIn("bob@example.com")
		if r := bob.get(src); r.code != http.StatusNotFound {
			t.Fatalf("bob fetched alice's file: %d", r.code)
		}
		count := func() int {
			var n int
			if err := e.st.DB.QueryRow(`SELECT COUNT(*) FROM attachments`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		r = c.postFile(path+"/attachments", "photo.png", mediatest.HTML(), nil)
		if r.code != http.StatusBadRequest || r.doc.Find(".error").Length() == 0 || count() != before {
			t.Fatalf("HTML named .png: %d %q", r.code, r.doc.Find(".error").Text())
		}
		if r := c.postFile(path+"/attachments", "a.png", mediatest.PNG(), url.Values{"csrf": {"0123456789abcdef0123456789abcdef"}}); r.code != http.StatusForbidden {
			t.Fatalf("wrong form token: %d", r.code)
		}
	})
}
