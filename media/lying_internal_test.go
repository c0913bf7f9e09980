package media

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"testing"
	"time"

	"github.com/parleyhq/parley/media/mediatest"
)

// Length fields that lie point past the end of the file: each is refused,
// none sizes an allocation.
func TestLyingLengthsRefusedCheaply(t *testing.T) {
	webm := mediatest.WebM{Seconds: 1, MediaRecorder: true}.Bytes()
	hugeBlock := append(append([]byte{}, webm...), 0xA3, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF) // SimpleBlock of 2^48 bytes
	mp4 := mediatest.MP4(1, false)
	bigBox := append([]byte{}, mp4...)
	binary.BigEndian.PutUint32(bigBox[len(bigBox)-72:], 0xFFFFFFF0) // mdat claims 4 GB
	mp3 := mediatest.MP3(1, false)
	bigTag := append([]byte{}, mp3...)
	copy(bigTag[6:10], []byte{0x7F, 0x7F, 0x7F, 0x7F}) // ID3 tag of 256 MB
	ogg := mediatest.OggOpus(1)
	bigPage := append([]byte{}, ogg[:27]...)
	bigPage[26] = 255 // 255 segments that are not there
	cases := map[string]struct {
		b     []byte
		parse func([]byte) (Info, error)
	}{
		"webm block":   {hugeBlock, inspectWebM},
		"mp4 box":      {bigBox, inspectMP4},
		"mp3 id3 size": {bigTag, inspectMP3},
		"ogg segments": {bigPage, inspectOgg},
	}
	for name, tc := range cases {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := tc.parse(tc.b)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
			t.Errorf("%s: allocated %d bytes", name, got)
		}
	}
}

// A sample table claiming 4 billion samples is a very long file, measured
// by multiplying: nothing is expanded per sample.
func TestMP4HugeSampleCount(t *testing.T) {
	b := mediatest.MP4Of(1, 1, 0, false)
	i := bytes.Index(b, []byte("stts"))
	binary.BigEndian.PutUint32(b[i+12:], 0xFFFFFFFF) // the entry's sample count
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	info, err := inspectMP4(b)
	runtime.ReadMemStats(&after)
	if err != nil || info.Duration < 1000*time.Hour {
		t.Fatalf("%v %v", info.Duration, err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("allocated %d bytes", got)
	}
}

func TestMP3WithoutTag(t *testing.T) {
	b := mediatest.MP3(2, false)
	b = b[20:] // drop the ID3v2 tag
	info, err := Inspect(b)
	if err != nil || info.MediaType != "audio/mpeg" {
		t.Fatalf("%+v %v", info, err)
	}
}
