package web

import (
	"crypto/subtle"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/templates"
)

// upload is POST /dashboard/messages/{id}/attachments: the thread page's
// file form (multipart: csrf, file, optional body). The file goes through
// the same inbox call as the API's (R12's checks, the upload limits); a
// refusal shows in the page.
func (p *Portal) upload(c *gin.Context) {
	a, id, ok := p.conversationRequest(c)
	if !ok {
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxUploadBody)
	f, err := media.ReadForm(c.Request, []string{"csrf", "body"}, inbox.MaxAttachmentsPerMessage, maxAttachment)
	if err != nil {
		msg, status, retry := friendly(FormError(err))
		p.threadPage(c, a, id, "", status, "", msg, retry)
		return
	}
	// The form's token is inside the multipart body: check it with the
	// Origin like every other form (portal_auth.go).
	ck, cerr := c.Request.Cookie(csrfCookie)
	if !p.sameOrigin(c) || cerr != nil || len(ck.Value) != 32 || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(f.Fields["csrf"])) != 1 {
		pg := p.page(c, "Error")
		pg.Error = "This form has expired. Please reload the page and try again."
		p.render(c, http.StatusForbidden, templates.PortalErrorTemplate, pg)
		return
	}
	in := inbox.AttachInput{Body: formText(f.Fields["body"])}
	for _, part := range f.Files {
		in.Files = append(in.Files, inbox.Upload{Filename: part.Filename, Data: part.Data})
	}
	_, landed, err := p.svc.SendAttachments(c.Request.Context(), a, id, in)
	if err != nil {
		if models.ErrorCode(err) == models.ENOTFOUND {
			p.fail(c, err)
			return
		}
		msg, status, retry := friendly(err)
		p.threadPage(c, a, id, "", status, in.Body, msg, retry)
		return
	}
	c.Redirect(http.StatusSeeOther, PortalPath+"/"+strconv.FormatInt(landed.ID, 10))
}

// attachment is GET /dashboard/messages/attachments/{id}: a file of a
// message the signed-in customer may read (never a note's); anything else
// is 404.
func (p *Portal) attachment(c *gin.Context) {
	a, _, ok := p.signedIn(c)
	id, okID := models.ParseID(c.Param("id"))
	if !ok || !okID {
		c.Status(http.StatusNotFound)
		return
	}
	att, f, err := p.svc.Attachment(c.Request.Context(), a, id)
	if err != nil {
		c.Status(models.HTTPStatus(models.ErrorCode(err)))
		return
	}
	defer f.Close()
	media.Serve(c.Writer, c.Request, att.MediaType, att.Filename, att.CreatedAt, f)
}
