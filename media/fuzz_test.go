package media

import (
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/media/mediatest"
)

// Fuzz targets for the sniffer and each duration parser: no input may
// panic, take a second, report a negative duration, or allocate far beyond its own size
// (a lying length field must never size an allocation).

// allocBound is the most a parser may allocate for an input of n bytes.
func allocBound(n int) uint64 { return 16<<20 + 64*uint64(n) }

func checkParser(t *testing.T, b []byte, parse func([]byte) (Info, error)) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	info, err := parse(b)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if took > time.Second {
		t.Fatalf("%d bytes of input took %v", len(b), took)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > allocBound(len(b)) {
		t.Fatalf("%d bytes of input allocated %d bytes", len(b), got)
	}
	if err == nil && info.Kind != Image && info.Duration <= 0 {
		t.Fatalf("accepted %s without a duration", info.MediaType)
	}
	if info.Duration < 0 {
		t.Fatalf("negative duration %v", info.Duration)
	}
}

func seeds(f *testing.F, files ...[]byte) {
	for _, b := range files {
		f.Add(b)
	}
}

func FuzzInspect(f *testing.F) {
	seeds(f, mediatest.PNG(), mediatest.JPEG(), mediatest.GIF(), mediatest.WebP(), mediatest.HTML(),
		mediatest.WebM{Seconds: 1, MediaRecorder: true}.Bytes(), mediatest.OggOpus(1), mediatest.MP3(0.5, true),
		mediatest.MP4(1, true))
	f.Fuzz(func(t *testing.T, b []byte) { checkParser(t, b, Inspect) })
}

func FuzzWebM(f *testing.F) {
	seeds(f, mediatest.WebM{Seconds: 0.5, MediaRecorder: true}.Bytes(), mediatest.WebM{Seconds: 0.3, Video: true}.Bytes())
	for _, name := range []string{"testdata/mediarecorder-voice.webm", "testdata/mediarecorder-video.webm"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkParser(t, b, inspectWebM) })
}

func FuzzOgg(f *testing.F) {
	seeds(f, mediatest.OggOpus(1), mediatest.OggVorbis(1))
	f.Fuzz(func(t *testing.T, b []byte) { checkParser(t, b, inspectOgg) })
}

func FuzzMP3(f *testing.F) {
	seeds(f, mediatest.MP3(0.2, false), mediatest.MP3(0.2, true))
	f.Fuzz(func(t *testing.T, b []byte) { checkParser(t, b, inspectMP3) })
}

func FuzzMP4(f *testing.F) {
	seeds(f, mediatest.MP4(1, true), mediatest.MP4(1, false))
	f.Fuzz(func(t *testing.T, b []byte) { checkParser(t, b, inspectMP4) })
}

// FuzzReadForm: any body under any boundary is read within its bounds or
// refused, never a panic, never more files or bytes than allowed.
func FuzzReadForm(f *testing.F) {
	f.Add("b", "--b\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhi\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nPNGDATA\r\n--b--\r\n")
	f.Add("b", "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n")
	f.Fuzz(func(t *testing.T, boundary, body string) {
		r, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		form, err := ReadForm(r, []string{"body", "kind"}, 2, 16)
		if err != nil {
			return
		}
		if len(form.Files) > 2 {
			t.Fatalf("%d files", len(form.Files))
		}
		for _, p := range form.Files {
			if len(p.Data) > 17 {
				t.Fatalf("file of %d bytes kept", len(p.Data))
			}
		}
		for k, v := range form.Fields {
			if (k != "body" && k != "kind") || !utf8.ValidString(v) {
				t.Fatalf("field %q = %q", k, v)
			}
		}
	})
}
