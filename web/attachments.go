package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/models"
)

// Attachments (R12): POST …/conversations/{id}/attachments (multipart,
// one message with its files) and GET …/attachments/{id}, on both sides.

// MaxUploadBody caps an upload request: the most files of one message at
// the largest size the settings allow, plus the form's text.
const MaxUploadBody = inbox.MaxAttachmentsPerMessage*(1<<20+1) + 64<<10

// maxAttachment is the largest attachment any settings allow
// (models.SettingMaxAttachmentBytes); the service applies the store's own.
const maxAttachment = 1 << 20

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
		in, err := readUploadForm(c.Request, me.IsStaff())
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

// readUploadForm reads an upload form (media.ReadForm): "file" parts, an
// optional "body" and, for staff, "kind".
func readUploadForm(r *http.Request, staff bool) (inbox.AttachInput, error) {
	fields := []string{"body"}
	if staff {
		fields = append(fields, "kind")
	}
	f, err := media.ReadForm(r, fields, inbox.MaxAttachmentsPerMessage, maxAttachment)
	if err != nil {
		return inbox.AttachInput{}, FormError(err)
	}
	in := inbox.AttachInput{Kind: f.Fields["kind"], Body: f.Fields["body"]}
	for _, p := range f.Files {
		in.Files = append(in.Files, inbox.Upload{Filename: p.Filename, Data: p.Data})
	}
	return in, nil
}

// FormError turns a media.ReadForm error into a domain error.
func FormError(err error) error {
	var fe *media.FormError
	switch {
	case errors.As(err, &fe) && fe.TooLarge:
		return models.Errorf(models.ETOOLARGE, "%s", fe.Msg)
	case errors.As(err, &fe):
		return models.Errorf(models.EINVALID, "%s", fe.Msg)
	case models.AsError(err) != nil:
		return models.AsError(err) // the server's own reason (a body too slow)
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
	media.Serve(c.Writer, c.Request, att.MediaType, att.Filename, att.CreatedAt, f)
	c.Abort()
}
