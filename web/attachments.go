package web

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// Attachments (R12): POST …/conversations/{id}/attachments (multipart,
// one message with its files) and GET …/attachments/{id}, on both sides.

// MaxUploadBody caps an upload request: the most files of one message at
// the largest size the settings allow, plus the form's text.
const MaxUploadBody = inbox.MaxAttachmentsPerMessage*(1<<20+1) + 64<<10

// maxFilePart is read of each file part: one byte over the largest
// attachment the settings allow, so the service can refuse it by size.
const maxFilePart = 1<<20 + 1

// maxTextPart bounds the body and kind fields of an upload form.
const maxTextPart = 64 << 10

func isUpload(c *gin.Context) bool {
	return c.Request.Method == http.MethodPost && strings.HasSuffix(c.FullPath(), "/attachments")
}

// attachment is an attachment as the API shows it; url is on the
// reader's own side of the API.
type attachment struct {
	ID         int64  `json:"id"`
	MediaType  string `json:"media_type"`
	SizeBytes  int64  `json:"size_bytes"`
	DurationMS *int64 `json:"duration_ms"`
	Filename   string `json:"filename"`
	URL        string `json:"url"`
}

// AttachmentURL is where the API serves an attachment to the given side.
func AttachmentURL(id int64, staff bool) string {
	if staff {
		return APIPrefix + "/staff/attachments/" + strconv.FormatInt(id, 10)
	}
	return APIPrefix + "/attachments/" + strconv.FormatInt(id, 10)
}

func attachmentViews(as []models.Attachment, staff bool) []attachment {
	out := make([]attachment, 0, len(as))
	for _, a := range as {
		out = append(out, attachment{ID: a.ID, MediaType: a.MediaType, SizeBytes: a.SizeBytes, DurationMS: a.DurationMS,
			Filename: a.Filename, URL: AttachmentURL(a.ID, staff)})
	}
	return out
}

// sendAttachments is POST …/conversations/{id}/attachments: multipart with
// one or more "file" parts, an optional "body" and, for staff, an optional
// "kind" (reply or note). Nothing is stored unless every file passes.
func (a *API) sendAttachments(render renderPosted) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c)
		if err != nil {
			writeError(c, err)
			return
		}
		me := actor(c)
		in, err := ReadUploadForm(c.Request, me.IsStaff())
		if err != nil {
			writeError(c, err)
			return
		}
		m, conv, err := a.svc.SendAttachments(c.Request.Context(), me, id, in)
		if err != nil {
			writeError(c, err)
			return
		}
		writePosted(c, render, conv, m)
	}
}

// ReadUploadForm reads an upload form strictly: only "file" parts (at
// most inbox.MaxAttachmentsPerMessage), one "body" and, when withKind, one
// "kind"; text in valid UTF-8. Each file is read to one byte over the
// largest allowed size, so a larger one is refused by size without being
// held whole. The back office's upload route uses it too.
func ReadUploadForm(r *http.Request, withKind bool) (inbox.AttachInput, error) {
	var in inbox.AttachInput
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return in, models.Errorf(models.EINVALID, "send the files as multipart/form-data")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	seen := map[string]bool{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return in, formError(err)
		}
		name := part.FormName()
		switch {
		case name == "file":
			if len(in.Files) == inbox.MaxAttachmentsPerMessage {
				return in, models.Errorf(models.EINVALID, "at most %d files per message", inbox.MaxAttachmentsPerMessage)
			}
			data, err := io.ReadAll(io.LimitReader(part, maxFilePart))
			if err != nil {
				return in, formError(err)
			}
			if len(data) == maxFilePart { // more may follow: skip it unread
				if _, err := io.Copy(io.Discard, part); err != nil {
					return in, formError(err)
				}
			}
			in.Files = append(in.Files, inbox.Upload{Filename: part.FileName(), Data: data})
		case (name == "body" || (name == "kind" && withKind)) && part.FileName() == "" && !seen[name]:
			seen[name] = true
			b, err := io.ReadAll(io.LimitReader(part, maxTextPart+1))
			if err != nil {
				return in, formError(err)
			}
			if len(b) > maxTextPart || !utf8.Valid(b) {
				return in, models.Errorf(models.EINVALID, "field %q must be valid UTF-8 text", name)
			}
			if name == "body" {
				in.Body = string(b)
			} else {
				in.Kind = string(b)
			}
		case seen[name]:
			return in, models.Errorf(models.EINVALID, "field %q is given twice", name)
		default:
			return in, models.Errorf(models.EINVALID, "unknown field %q", truncate(name, 40))
		}
	}
	return in, nil
}

func formError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return models.Errorf(models.ETOOLARGE, "the upload is larger than %d bytes", tooLarge.Limit)
	}
	if e := models.AsError(err); e != nil {
		return e // the server's own reason (a body too slow)
	}
	return models.Errorf(models.EINVALID, "the upload form cannot be read")
}

// getAttachment is GET …/attachments/{id}: the file, to readers of its
// message only (a customer never gets a note's file); anyone else gets 404.
func (a *API) getAttachment(c *gin.Context) {
	id, ok := models.ParseID(c.Param("id"))
	if !ok {
		writeError(c, models.Errorf(models.ENOTFOUND, "attachment not found"))
		return
	}
	att, f, err := a.svc.Attachment(c.Request.Context(), actor(c), id)
	if err != nil {
		writeError(c, err)
		return
	}
	defer f.Close()
	ServeAttachment(c.Writer, c.Request, att, f)
	c.Abort()
}

// ServeAttachment writes an attachment's file with the headers that keep
// it a file: its type as found in the bytes, nosniff, a sandboxing CSP,
// Content-Disposition (inline for images, video and audio, a download for
// anything else) with the file name sanitized and RFC 5987-encoded, and
// Range support for seeking in video.
func ServeAttachment(w http.ResponseWriter, r *http.Request, att models.Attachment, f io.ReadSeeker) {
	h := w.Header()
	h.Set("Content-Type", att.MediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "private, no-store")
	disposition := "attachment"
	for _, p := range []string{"image/", "video/", "audio/"} {
		if strings.HasPrefix(att.MediaType, p) {
			disposition = "inline"
		}
	}
	h.Set("Content-Disposition", ContentDisposition(disposition, att.Filename))
	http.ServeContent(w, r, "", att.CreatedAt, f)
}

// ContentDisposition builds the header with an ASCII fallback filename
// (quotes, backslashes, controls and non-ASCII replaced) and the exact
// name as filename* (RFC 5987).
func ContentDisposition(disposition, name string) string {
	var ascii strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	return disposition + `; filename="` + ascii.String() + `"; filename*=UTF-8''` + rfc5987(name)
}

// rfc5987 percent-encodes every byte that is not an attr-char.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
