package media

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Part is one uploaded file of a form: the sender's name for it and its
// bytes (at most ReadForm's maxFileBytes+1 of them).
type Part struct {
	Filename string
	Data     []byte
}

// Form is an upload form read by ReadForm.
type Form struct {
	Fields map[string]string
	Files  []Part
}

// FormError explains why an upload form was refused; TooLarge when the
// request body ran over its cap.
type FormError struct {
	TooLarge bool
	Msg      string
}

func (e *FormError) Error() string { return e.Msg }

// maxFieldBytes bounds a text field of an upload form.
const maxFieldBytes = 64 << 10

// ReadForm reads a multipart/form-data upload strictly and in one pass:
// "file" parts (at most maxFiles) and each named field at most once, in
// valid UTF-8; any other part is refused. Each file is read to one byte
// over maxFileBytes — enough for the caller to refuse it by size — and the
// rest of it is skipped unread, so memory stays bounded whatever is sent.
func ReadForm(r *http.Request, fields []string, maxFiles, maxFileBytes int) (Form, error) {
	f := Form{Fields: map[string]string{}}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return f, &FormError{Msg: "send the files as multipart/form-data"}
	}
	allowed := map[string]bool{}
	for _, n := range fields {
		allowed[n] = true
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return f, readError(err)
		}
		name := part.FormName()
		switch {
		case name == "file":
			if len(f.Files) == maxFiles {
				return f, &FormError{Msg: fmt.Sprintf("at most %d files per message", maxFiles)}
			}
			data, err := io.ReadAll(io.LimitReader(part, int64(maxFileBytes)+1))
			if err != nil {
				return f, readError(err)
			}
			if _, err := io.Copy(io.Discard, part); err != nil {
				return f, readError(err)
			}
			f.Files = append(f.Files, Part{Filename: part.FileName(), Data: data})
		case allowed[name] && part.FileName() == "":
			if _, dup := f.Fields[name]; dup {
				return f, &FormError{Msg: fmt.Sprintf("field %q is given twice", name)}
			}
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil {
				return f, readError(err)
			}
			if len(b) > maxFieldBytes || !utf8.Valid(b) {
				return f, &FormError{Msg: fmt.Sprintf("field %q must be valid UTF-8 text", name)}
			}
			f.Fields[name] = string(b)
		default:
			if len(name) > 40 || !utf8.ValidString(name) {
				name = "?"
			}
			return f, &FormError{Msg: fmt.Sprintf("unknown field %q", name)}
		}
	}
}

func readError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &FormError{TooLarge: true, Msg: fmt.Sprintf("the upload is larger than %d bytes", tooLarge.Limit)}
	}
	return fmt.Errorf("read upload form: %w", err)
}

// Serve writes an attachment's file with the headers that keep it a file:
// its type as found in the bytes, nosniff, a sandboxing CSP,
// Content-Disposition (inline for images, video and audio, a download for
// anything else) with the file name sanitized and RFC 5987-encoded, and
// Range support for seeking in video.
func Serve(w http.ResponseWriter, r *http.Request, mediaType, filename string, modified time.Time, f io.ReadSeeker) {
	h := w.Header()
	h.Set("Content-Type", mediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "private, no-store")
	disposition := "attachment"
	for _, p := range []string{"image/", "video/", "audio/"} {
		if strings.HasPrefix(mediaType, p) {
			disposition = "inline"
		}
	}
	h.Set("Content-Disposition", ContentDisposition(disposition, filename))
	http.ServeContent(w, r, "", modified, f)
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
