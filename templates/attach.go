package templates

import (
	_ "embed" // attach.js, live.js
	"fmt"
	"html/template"
	"strings"
)

//go:embed attach.js
var attachJS []byte

//go:embed live.js
var liveJS []byte

// LiveJS is the back office's live layer (live.js): every page of the
// layout loads it from /admin/live.js.
func LiveJS() []byte { return liveJS }

// AttachJS is the reply box's upload script: a file picker and a voice
// recorder (MediaRecorder) that post to the box's data-upload-url. A page
// includes it with <script src="/admin/attach.js" defer></script> next to
//
//	<div data-parley-attach data-upload-url="/admin/conversation/attachments"
//	     data-conversation="123" data-conversation-field="id"
//	     data-kind-select="#reply-kind" data-max-bytes="1048576" data-max-seconds="60"></div>
//
// (the attributes are described at the top of attach.js).
func AttachJS() []byte { return attachJS }

// AttachmentTemplate is the template that shows one attachment: an image,
// a video or an audio player, and a link to the file.
const AttachmentTemplate = "attachment"

// AttachmentView is one attachment as a page shows it.
type AttachmentView struct {
	URL        string // where the reader's side serves the file
	MediaType  string
	Filename   string
	SizeBytes  int64
	DurationMS *int64
}

// Kind is image, video, audio or file, from the media type.
func (a AttachmentView) Kind() string {
	for _, k := range []string{"image", "video", "audio"} {
		if strings.HasPrefix(a.MediaType, k+"/") {
			return k
		}
	}
	return "file"
}

// Size is the file's size for people.
func (a AttachmentView) Size() string {
	switch {
	case a.SizeBytes >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(a.SizeBytes)/(1<<20))
	case a.SizeBytes >= 1<<10:
		return fmt.Sprintf("%d KB", (a.SizeBytes+512)>>10)
	}
	return fmt.Sprintf("%d bytes", a.SizeBytes)
}

// Duration is a video's or voice note's length as m:ss, or "".
func (a AttachmentView) Duration() string {
	if a.DurationMS == nil {
		return ""
	}
	s := (*a.DurationMS + 500) / 1000
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Attachment renders one attachment as HTML (every value escaped):
// <img>, <video controls>, <audio controls> or a download link.
func Attachment(a AttachmentView) (template.HTML, error) { return render(AttachmentTemplate, a) }
