package media_test

import (
	"testing"

	"github.com/parleyhq/parley/media"
)

func TestContentDisposition(t *testing.T) {
	cases := map[string]string{
		"photo.png":                          `inline; filename="photo.png"; filename*=UTF-8''photo.png`,
		`"><img src=x onerror=alert(1)>.png`: `inline; filename="_><img src=x onerror=alert(1)>.png"; filename*=UTF-8''%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.png`,
		"café; x.png":                        `inline; filename="caf__ x.png"; filename*=UTF-8''caf%C3%A9%3B%20x.png`,
		"a\"b\\c.png":                        `inline; filename="a_b_c.png"; filename*=UTF-8''a%22b%5Cc.png`,
		"x\r\nSet-Cookie: a=b":               `inline; filename="x__Set-Cookie: a=b"; filename*=UTF-8''x%0D%0ASet-Cookie%3A%20a%3Db`,
	}
	for name, want := range cases {
		if got := media.ContentDisposition("inline", name); got != want {
			t.Errorf("%q:\n got %s\nwant %s", name, got, want)
		}
	}
}
