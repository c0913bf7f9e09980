package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// The back office's attachments (R12): staff upload from the reply box
// through Parley's own route (never a GoAdmin form: the guard refuses file
// parts on GoAdmin's), and read files through the guard, which checks the
// message's visibility like the API.
const (
	// AttachPath takes a multipart upload: id (the conversation), kind
	// (reply or note), an optional body and one or more file parts.
	AttachPath = tables.AttachPath
	// AttachFilePrefix + id serves an attachment's file.
	AttachFilePrefix = tables.AttachFilePrefix
	// AttachJSPath serves templates/attach.js, the reply box's file
	// picker and voice recorder.
	AttachJSPath = tables.AttachJSPath
)

// maxAdminUpload caps an upload's body: the most files of one message at
// the largest size any settings allow, plus the form's text.
const maxAdminUpload = inbox.MaxAttachmentsPerMessage*(1<<20+1) + 64<<10

// AttachmentURL is where the back office serves an attachment.
func AttachmentURL(id int64) string { return tables.AttachmentURL(id) }

// attachedAnswer is the upload's JSON answer.
type attachedAnswer struct {
	ConversationID int64          `json:"conversation_id"`
	MessageID      int64          `json:"message_id"`
	Kind           string         `json:"kind"`
	Attachments    []attachedFile `json:"attachments"`
}

type attachedFile struct {
	ID        int64  `json:"id"`
	MediaType string `json:"media_type"`
	Filename  string `json:"filename"`
	URL       string `json:"url"`
}

// attachUpload is POST AttachPath (same-origin checked by the guard).
func (g *guard) attachUpload(c *gin.Context) {
	a, _ := tables.ActorFrom(c.Request.Context())
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxAdminUpload)
	form, err := media.ReadForm(c.Request, []string{"id", "kind", "body"}, inbox.MaxAttachmentsPerMessage, 1<<20)
	if err != nil {
		g.domainFail(c, formError(err))
		return
	}
	id, ok := models.ParseID(form.Fields["id"])
	if !ok {
		g.fail(c, http.StatusBadRequest, "invalid conversation id")
		return
	}
	in := inbox.AttachInput{Kind: form.Fields["kind"], Body: form.Fields["body"]}
	for _, p := range form.Files {
		in.Files = append(in.Files, inbox.Upload{Filename: p.Filename, Data: p.Data})
	}
	m, conv, err := g.svc.SendAttachments(c.Request.Context(), a, id, in)
	if err != nil {
		g.domainFail(c, err)
		return
	}
	out := attachedAnswer{ConversationID: conv.ID, MessageID: m.ID, Kind: m.Kind, Attachments: []attachedFile{}}
	for _, att := range m.Attachments {
		out.Attachments = append(out.Attachments, attachedFile{ID: att.ID, MediaType: att.MediaType, Filename: att.Filename, URL: AttachmentURL(att.ID)})
	}
	c.Set(ctxAnswered, true)
	c.JSON(http.StatusCreated, out)
	c.Abort()
}

func formError(err error) error {
	if fe, ok := err.(*media.FormError); ok {
		if fe.TooLarge {
			return models.Errorf(models.ETOOLARGE, "%s", fe.Msg)
		}
		return models.Errorf(models.EINVALID, "%s", fe.Msg)
	}
	if e := models.AsError(err); e != nil {
		return e
	}
	return models.Errorf(models.EINVALID, "the upload form cannot be read")
}

// attachFile is GET AttachFilePrefix{id}: a stream route, so the file keeps
// its own headers (type, nosniff, sandbox CSP, Content-Disposition).
func (g *guard) attachFile(c *gin.Context) {
	a, _ := tables.ActorFrom(c.Request.Context())
	id, ok := models.ParseID(c.Param("id"))
	if !ok {
		g.fail(c, http.StatusNotFound, "This page does not exist.")
		return
	}
	att, f, err := g.svc.Attachment(c.Request.Context(), a, id)
	if err != nil {
		g.domainFail(c, err)
		return
	}
	defer f.Close()
	c.Set(ctxAnswered, true)
	media.Serve(c.Writer, c.Request, att.MediaType, att.Filename, att.CreatedAt, f)
	c.Abort()
}

// attachJS is GET AttachJSPath.
func (g *guard) attachJS(c *gin.Context) {
	c.Set(ctxAnswered, true)
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", templates.AttachJS())
	c.Abort()
}
