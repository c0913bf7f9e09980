package media_test

import (
	"os"
	"testing"
	"time"

	"github.com/parleyhq/parley/media"
)

// Files recorded by Chromium's MediaRecorder (fake microphone and camera,
// 2.5 s): no Duration in their headers, Segment and Clusters of unknown
// size. The duration must come from walking the clusters.
func TestInspectRealMediaRecorderFiles(t *testing.T) {
	cases := []struct {
		file, mediaType string
	}{
		{"testdata/mediarecorder-voice.webm", "audio/webm"},
		{"testdata/mediarecorder-video.webm", "video/webm"},
	}
	for _, tc := range cases {
		b, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		info, err := media.Inspect(b)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if info.MediaType != tc.mediaType || info.Duration < 2*time.Second || info.Duration > 3*time.Second {
			t.Errorf("%s: %s %v, want %s about 2.5 s", tc.file, info.MediaType, info.Duration, tc.mediaType)
		}
	}
}
