// Package media decides what an uploaded file is from its bytes, never its
// name, and how long it plays, measured from the file itself (R12): images
// (JPEG, PNG, GIF, WebP), video (MP4, WebM) and voice notes (WebM/Opus,
// Ogg Opus/Vorbis, MP3, M4A). Anything else, and any video or voice note
// whose duration cannot be established, is refused.
//
// Every parser works on the whole file in memory (uploads are at most
// 1 MB) and only ever slices it: a length field that lies points past the
// end and is refused, it never sizes an allocation.
package media

import (
	"errors"
	"fmt"
	"time"

	"github.com/gabriel-vasile/mimetype"
)

// Kind is what an attachment is to a reader.
type Kind string

// The kinds of attachment.
const (
	Image Kind = "image"
	Video Kind = "video"
	Audio Kind = "audio"
)

// Info is what Inspect learnt from a file's bytes.
type Info struct {
	MediaType string // e.g. image/png, video/webm, audio/ogg
	Kind      Kind
	// Duration is the playing time of video and audio; 0 for images.
	Duration time.Duration
	// Ext is the usual file name extension for MediaType, with its dot.
	Ext string
}

// ErrUnsupported: the bytes are not one of the accepted types.
var ErrUnsupported = errors.New("this kind of file is not accepted; send an image (JPEG, PNG, GIF, WebP), a video (MP4, WebM) or a voice note (WebM, Ogg, MP3, M4A)")

// ErrNoDuration: a video or voice note whose playing time cannot be
// established from the file.
var ErrNoDuration = errors.New("the length of this video or voice note cannot be read from the file")

// maxSeconds bounds durations so arithmetic on lying fields never
// overflows: anything longer is reported as this long.
const maxSeconds = 1 << 30

// Inspect decides the type of a file from its bytes and, for video and
// audio, measures its duration. The error is ErrUnsupported or
// ErrNoDuration, wrapped with a reason.
func Inspect(b []byte) (Info, error) {
	mt := mimetype.Detect(b)
	switch {
	case mt.Is("image/jpeg"), mt.Is("image/png"), mt.Is("image/gif"), mt.Is("image/webp"):
		return inspectImage(mt.String(), b)
	case mt.Is("video/webm"):
		return inspectWebM(b)
	case mt.Is("audio/ogg"), mt.Is("video/ogg"), mt.Is("application/ogg"):
		return inspectOgg(b)
	case mt.Is("audio/mpeg"):
		return inspectMP3(b)
	case mt.Is("video/mp4"), mt.Is("audio/mp4"), mt.Is("audio/x-m4a"):
		return inspectMP4(b)
	}
	return Info{}, fmt.Errorf("%w (found %s)", ErrUnsupported, mt.String())
}

// unsupported wraps ErrUnsupported with a reason.
func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

// noDuration wraps ErrNoDuration with a reason.
func noDuration(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNoDuration, fmt.Sprintf(format, args...))
}

// ticks converts n units of 1/rate second into a duration, saturating at
// maxSeconds.
func ticks(n, rate uint64) time.Duration {
	if rate == 0 {
		return 0
	}
	secs := n / rate
	if secs >= maxSeconds {
		return maxSeconds * time.Second
	}
	rem := n % rate
	return time.Duration(secs)*time.Second + time.Duration(rem*uint64(time.Second)/rate)
}
