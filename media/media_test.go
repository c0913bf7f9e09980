package media_test

import (
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/media/mediatest"
)

func TestInspectAccepts(t *testing.T) {
	cases := []struct {
		name      string
		file      []byte
		mediaType string
		kind      media.Kind
		duration  time.Duration // 0 for images
	}{
		{"png", mediatest.PNG(), "image/png", media.Image, 0},
		{"jpeg", mediatest.JPEG(), "image/jpeg", media.Image, 0},
		{"gif", mediatest.GIF(), "image/gif", media.Image, 0},
		{"webp", mediatest.WebP(), "image/webp", media.Image, 0},
		{"webm video with duration", mediatest.WebM{Seconds: 5, Video: true}.Bytes(), "video/webm", media.Video, 5 * time.Second},
		{"webm voice from MediaRecorder", mediatest.WebM{Seconds: 12.5, MediaRecorder: true}.Bytes(), "audio/webm", media.Audio, 12500 * time.Millisecond},
		{"webm video from MediaRecorder", mediatest.WebM{Seconds: 30, Video: true, MediaRecorder: true}.Bytes(), "video/webm", media.Video, 30 * time.Second},
		{"ogg opus", mediatest.OggOpus(7), "audio/ogg", media.Audio, 7 * time.Second},
		{"ogg vorbis", mediatest.OggVorbis(3), "audio/ogg", media.Audio, 3 * time.Second},
		{"mp3 frames", mediatest.MP3(4.8, false), "audio/mpeg", media.Audio, 4800 * time.Millisecond},
		{"mp3 with info header", mediatest.MP3(4.8, true), "audio/mpeg", media.Audio, 4800 * time.Millisecond},
		{"m4a", mediatest.MP4(9, false), "audio/mp4", media.Audio, 9 * time.Second},
		{"mp4", mediatest.MP4(20, true), "video/mp4", media.Video, 20 * time.Second},
		{"fragmented m4a", mediatest.MP4Of(0, 0, 6, false), "audio/mp4", media.Audio, 6 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, err := media.Inspect(tc.file)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if info.MediaType != tc.mediaType || info.Kind != tc.kind {
				t.Errorf("type %s/%s, want %s/%s", info.MediaType, info.Kind, tc.mediaType, tc.kind)
			}
			if d := info.Duration - tc.duration; d < -30*time.Millisecond || d > 30*time.Millisecond {
				t.Errorf("duration %v, want %v", info.Duration, tc.duration)
			}
		})
	}
}

func TestInspectMeasuresLongFiles(t *testing.T) {
	cases := map[string][]byte{
		"webm video":               mediatest.WebM{Seconds: 61, Video: true}.Bytes(),
		"MediaRecorder webm video": mediatest.WebM{Seconds: 61, Video: true, MediaRecorder: true}.Bytes(),
		"MediaRecorder webm voice": mediatest.WebM{Seconds: 61, MediaRecorder: true}.Bytes(),
		// The header lies (1 s); the clusters run 61 s.
		"webm with a short Duration": mediatest.WebM{Seconds: 61, Duration: 1}.Bytes(),
		"ogg":                        mediatest.OggOpus(61),
		"mp3":                        mediatest.MP3(61, false),
		"mp4":                        mediatest.MP4(61, true),
		// Headers claim 5 s; the sample table holds 61 s.
		"mp4 with short headers": mediatest.MP4Of(5, 61, 0, true),
		// Fragmented, headers without a duration (Safari's MediaRecorder).
		"fragmented m4a": mediatest.MP4Of(0, 0, 61, false),
	}
	for name, file := range cases {
		t.Run(name, func(t *testing.T) {
			info, err := media.Inspect(file)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if info.Duration < 60900*time.Millisecond || info.Duration > 61100*time.Millisecond {
				t.Errorf("duration %v, want 61s", info.Duration)
			}
		})
	}
}

func TestInspectRefuses(t *testing.T) {
	webm := mediatest.WebM{Seconds: 3, MediaRecorder: true}.Bytes()
	ogg := mediatest.OggOpus(3)
	badCRC := append([]byte{}, ogg...)
	badCRC[len(badCRC)-1] ^= 0xFF
	cases := []struct {
		name string
		file []byte
		want error
	}{
		{"html", mediatest.HTML(), media.ErrUnsupported},
		{"text", []byte("hello, this is plain text"), media.ErrUnsupported},
		{"empty", nil, media.ErrUnsupported},
		{"pdf", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"), media.ErrUnsupported},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), media.ErrUnsupported},
		{"png header only", mediatest.PNG()[:20], media.ErrUnsupported},
		{"webm without blocks", webm[:200], media.ErrNoDuration},
		{"webm truncated", webm[:len(webm)-3], media.ErrNoDuration},
		{"ogg with a bad checksum", badCRC, media.ErrNoDuration},
		{"ogg truncated", ogg[:len(ogg)-10], media.ErrNoDuration},
		{"mp3 of one frame", mediatest.MP3(0.03, false), media.ErrNoDuration},
		{"mp4 without duration", mediatest.MP4(0, true), media.ErrNoDuration},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, err := media.Inspect(tc.file)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Inspect = %+v, %v; want %v", info, err, tc.want)
			}
		})
	}
}

func TestPNGOfSize(t *testing.T) {
	b := mediatest.PNGOfSize(1<<20 + 1)
	if len(b) != 1<<20+1 {
		t.Fatalf("len %d", len(b))
	}
	if _, err := media.Inspect(b); err != nil {
		t.Fatalf("a padded PNG is still a PNG: %v", err)
	}
}
