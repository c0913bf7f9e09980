package templates

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// R3: links are clickable, nothing else is interpreted.
func TestSegments(t *testing.T) {
	got := Segments("see https://shop.example/a?b=1&c=2. or (http://x.example/y) javascript:alert(1) <b>")
	var links []string
	var text strings.Builder
	for _, s := range got {
		text.WriteString(s.Text)
		if s.URL != "" {
			links = append(links, s.URL)
		}
	}
	if strings.Join(links, " ") != "https://shop.example/a?b=1&c=2 http://x.example/y" {
		t.Errorf("links %q", links)
	}
	if text.String() != "see https://shop.example/a?b=1&c=2. or (http://x.example/y) javascript:alert(1) <b>" {
		t.Errorf("text changed: %q", text.String())
	}
}

func TestThreadEscapes(t *testing.T) {
	p := `<script>alert(1)</script>`
	html, err := Thread(ThreadPage{ID: 1, Subject: p, CustomerName: p, Messages: []MessageView{{ID: 1, Kind: "reply", Body: Segments(p + " https://x.example/\"onmouseover=alert(1)")}},
		QuickReplies: []QuickReplyOption{{ID: 1, Title: p, Text: p}}, Customer: &CustomerPanel{Name: p, Note: p}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(html), "<script>alert") || strings.Contains(string(html), `"onmouseover`) {
		t.Errorf("not escaped")
	}
}

func FuzzSegments(f *testing.F) {
	f.Add("see https://a.example/x. ok")
	f.Add("http://")
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		for _, seg := range Segments(s) {
			if seg.URL != "" && (seg.URL != seg.Text || !(strings.HasPrefix(seg.URL, "http://") || strings.HasPrefix(seg.URL, "https://"))) {
				t.Fatalf("bad link %q", seg.URL)
			}
			b.WriteString(seg.Text)
		}
		if b.String() != s && utf8.ValidString(s) {
			t.Fatalf("text lost: %q -> %q", s, b.String())
		}
	})
}
