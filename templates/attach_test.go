package templates_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/parleyhq/parley/templates"
)

func TestAttachmentRendersEachKindWithNamesAsText(t *testing.T) {
	const xss = `"><script>alert(1)</script><img src=x onerror=alert(2)>.png`
	secs := int64(61_400)
	cases := []struct {
		view templates.AttachmentView
		tag  string // the element that shows the media
	}{
		{templates.AttachmentView{URL: "/f/1", MediaType: "image/png", Filename: xss, SizeBytes: 2048}, "img"},
		{templates.AttachmentView{URL: "/f/2", MediaType: "video/webm", Filename: xss, SizeBytes: 1 << 20, DurationMS: &secs}, "video"},
		{templates.AttachmentView{URL: "/f/3", MediaType: "audio/ogg", Filename: xss, SizeBytes: 10}, "audio"},
		{templates.AttachmentView{URL: "/f/4", MediaType: "application/pdf", Filename: xss, SizeBytes: 10}, ""},
	}
	for _, tc := range cases {
		html, err := templates.Attachment(tc.view)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(html)))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Find("script").Length() != 0 || doc.Find("img[onerror]").Length() != 0 {
			t.Errorf("%s: the file name became markup: %s", tc.view.MediaType, html)
		}
		link := doc.Find("figcaption a")
		if link.Text() != xss || link.AttrOr("href", "") != tc.view.URL {
			t.Errorf("%s: link %q → %q", tc.view.MediaType, link.Text(), link.AttrOr("href", ""))
		}
		if tc.tag != "" {
			m := doc.Find(tc.tag)
			if m.Length() != 1 || m.AttrOr("src", "") != tc.view.URL {
				t.Errorf("%s: no <%s src>: %s", tc.view.MediaType, tc.tag, html)
			}
			if tc.tag != "img" && m.AttrOr("controls", "-") == "-" {
				t.Errorf("%s: no controls", tc.view.MediaType)
			}
		}
	}
	if d := cases[1].view.Duration(); d != "1:01" {
		t.Errorf("duration %q", d)
	}
}

func TestAttachJSEmbedded(t *testing.T) {
	js := string(templates.AttachJS())
	if !strings.Contains(js, "MediaRecorder") || strings.Contains(js, "innerHTML") {
		t.Errorf("attach.js: recorder missing or HTML parsing used")
	}
}
