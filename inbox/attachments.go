package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Files is where attachment files live (R12): outside the web root, under
// random keys. media.Dir is the implementation.
type Files interface {
	Put(ctx context.Context, data []byte) (key string, err error)
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	FileRemover
}

var _ Files = (*media.Dir)(nil)

// WithFiles gives the service its attachment store; without one,
// attachments are refused.
func WithFiles(f Files) Option { return func(s *Service) { s.files = f } }

// MaxAttachmentsPerMessage bounds the files of one message.
const MaxAttachmentsPerMessage = 4

// maxFilenameRunes bounds a stored file name.
const maxFilenameRunes = 120

// Upload is one file as sent: the sender's name for it and its bytes.
type Upload struct {
	Filename string
	Data     []byte
}

// AttachInput is a message with files: a reply (either side) or a private
// note (staff), its optional text and one to MaxAttachmentsPerMessage files.
type AttachInput struct {
	Kind  string
	Body  string
	Files []Upload
}

// checked is an upload that passed R12's checks.
type checked struct {
	up   Upload
	info media.Info
	name string
}

// SendAttachments sends one message with its files (R12), all or nothing:
// every file is checked first (type from the bytes, size, duration from
// the file), then the message's own rules run as for Send (visibility,
// permission, chat enabled, block, monthly cap, message and upload rate
// limits), then the files are stored and the message and its attachment
// rows written in one transaction. A refusal at any step stores nothing.
func (s *Service) SendAttachments(ctx context.Context, a models.Actor, conversationID int64, in AttachInput) (models.Message, models.Conversation, error) {
	var m models.Message
	var landed models.Conversation
	if s.files == nil {
		return m, landed, models.Errorf(models.EFORBIDDEN, "attachments are not available")
	}
	kind := in.Kind
	if kind == "" {
		kind = models.KindReply
	}
	if kind != models.KindReply && kind != models.KindNote {
		return m, landed, models.Errorf(models.EINVALID, "kind must be %q or %q", models.KindReply, models.KindNote)
	}
	if in.Body != "" {
		if err := models.ValidateBody(in.Body); err != nil {
			return m, landed, err
		}
	}
	switch n := len(in.Files); {
	case n == 0:
		return m, landed, models.Errorf(models.EINVALID, "choose a file to send")
	case n > MaxAttachmentsPerMessage:
		return m, landed, models.Errorf(models.EINVALID, "at most %d files per message", MaxAttachmentsPerMessage)
	}
	c, err := s.load(ctx, s.store.Queries, a, conversationID, false)
	if err != nil {
		return m, landed, err
	}
	if err := s.mayWrite(a, c, kind); err != nil {
		return m, landed, err
	}
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return m, landed, err
	}
	files := make([]checked, 0, len(in.Files))
	for i, up := range in.Files {
		info, err := checkUpload(up, settings)
		if err != nil {
			if len(in.Files) > 1 {
				err = prefixError(fmt.Sprintf("file %d: ", i+1), err)
			}
			return m, landed, err
		}
		files = append(files, checked{up: up, info: info, name: CleanFilename(up.Filename, info.Ext)})
	}
	var mc monthlyCap
	if a.IsCustomer() {
		if mc, err = s.customerMay(ctx, s.store.Queries, a, c.CustomerEmail, false); err != nil {
			return m, landed, err
		}
		if err := s.uploadLimit(ctx, a, settings, len(files)); err != nil {
			return m, landed, err
		}
	}
	keys := make([]string, 0, len(files))
	for _, f := range files {
		key, err := s.files.Put(ctx, f.up.Data)
		if err != nil {
			s.removeFiles(ctx, keys)
			return m, landed, fmt.Errorf("send attachments to %d: %w", conversationID, err)
		}
		keys = append(keys, key)
	}
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		c, err := s.load(ctx, tx.Queries, a, conversationID, true)
		if err != nil {
			return err
		}
		if err := s.mayWrite(a, c, kind); err != nil {
			return err
		}
		if m, landed, err = s.send(ctx, tx, a, c, kind, in.Body); err != nil {
			return err
		}
		m.Attachments = nil // InTx may run this again
		for i, f := range files {
			att := models.Attachment{MessageID: m.ID, ConversationID: landed.ID, MediaType: f.info.MediaType,
				SizeBytes: int64(len(f.up.Data)), StorageKey: keys[i], Filename: f.name, CreatedAt: m.CreatedAt}
			if f.info.Kind != media.Image {
				ms := f.info.Duration.Milliseconds()
				att.DurationMS = &ms
			}
			if err := tx.InsertAttachment(ctx, &att); err != nil {
				return err
			}
			m.Attachments = append(m.Attachments, att)
		}
		if in.Body == "" {
			// Lists preview a message by its text; one of only files
			// shows the first file's name instead.
			p := models.Preview("Attachment: " + files[0].name)
			landed.LastPreview = p
			if m.Public {
				landed.PublicPreview = p
			}
			if err := tx.SaveConversation(ctx, landed); err != nil {
				return err
			}
		}
		if err := s.countInbound(ctx, tx, a, mc, m); err != nil {
			return err
		}
		return s.completeIdempotent(ctx, tx, landed, m)
	})
	if err != nil {
		s.removeFiles(ctx, keys)
		return models.Message{}, models.Conversation{}, fmt.Errorf("send attachments to %d: %w", conversationID, err)
	}
	s.publish(ctx, sent(landed, m)...)
	return m, landed, nil
}

// checkUpload applies R12 to one file: at most MaxAttachmentBytes, an
// accepted type decided from the bytes, and video or audio at most
// MaxMediaSeconds long as measured from the file.
func checkUpload(up Upload, st models.Settings) (media.Info, error) {
	if len(up.Data) > st.MaxAttachmentBytes {
		return media.Info{}, models.Errorf(models.ETOOLARGE, "the file is %s; the limit is %s", sizeText(len(up.Data)), sizeText(st.MaxAttachmentBytes))
	}
	info, err := media.Inspect(up.Data)
	switch {
	case errors.Is(err, media.ErrNoDuration):
		return info, models.Errorf(models.EINVALID, "the length of this video or voice note cannot be read from the file, so it cannot be sent")
	case err != nil:
		return info, models.Errorf(models.EINVALID, "%s", media.ErrUnsupported.Error())
	}
	if info.Kind != media.Image && info.Duration > time.Duration(st.MaxMediaSeconds)*time.Second {
		return info, models.Errorf(models.EINVALID, "the %s is %s long; the limit is %d seconds",
			map[media.Kind]string{media.Video: "video", media.Audio: "voice note"}[info.Kind], secondsText(info.Duration), st.MaxMediaSeconds)
	}
	return info, nil
}

func sizeText(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func secondsText(d time.Duration) string {
	return fmt.Sprintf("%.1f seconds", d.Seconds())
}

func prefixError(prefix string, err error) error {
	if e := models.AsError(err); e != nil {
		c := *e
		c.Message = prefix + c.Message
		return &c
	}
	return err
}

// uploadLimit is R11's upload limit, per minute, from the settings; each
// file counts once.
func (s *Service) uploadLimit(ctx context.Context, a models.Actor, st models.Settings, files int) error {
	limit := st.CustomerUploadsPerMinute
	if a.Kind == models.ActorGuest {
		limit = st.GuestUploadsPerMinute
	}
	key := fmt.Sprintf("rl:uploads:%s:%d", a.Kind, a.ID)
	for i := 0; i < files; i++ {
		ok, retry, err := s.limiter.Allow(ctx, key, limit, time.Minute)
		if err != nil {
			return fmt.Errorf("rate limit: %w", err)
		}
		if !ok {
			secs := max(int((retry+time.Second-1)/time.Second), 1)
			return &models.Error{Code: models.ERATELIMITED, RetryAfter: secs,
				Message: fmt.Sprintf("too many uploads: at most %d per minute; try again in %d s", limit, secs)}
		}
	}
	return nil
}

// CleanFilename makes a sender's file name safe to store and show: the
// last path element, valid UTF-8 without control or format characters,
// at most maxFilenameRunes, and ending in ext (the extension of the type
// found in the bytes), so a download never opens as another type.
func CleanFilename(name, ext string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(name, ". \t")
	if name == "" {
		name = "attachment"
	}
	lower := strings.ToLower(name)
	same := map[string][]string{".jpg": {".jpg", ".jpeg"}, ".m4a": {".m4a", ".mp4"}}[ext]
	if len(same) == 0 {
		same = []string{ext}
	}
	hasExt := false
	for _, e := range same {
		hasExt = hasExt || strings.HasSuffix(lower, e)
	}
	if !hasExt {
		name += ext
	}
	if utf8.RuneCountInString(name) > maxFilenameRunes {
		r := []rune(name)
		keep := maxFilenameRunes - utf8.RuneCountInString(ext)
		name = string(r[:keep]) + ext
	}
	return name
}

// Attachment answers an attachment and its file to a reader of the
// message it belongs to: staff who may read the conversation, or the
// customer when the message is public — never a note's file (R8). Anything
// else is not_found (R6a). The caller closes the file.
func (s *Service) Attachment(ctx context.Context, a models.Actor, id int64) (models.Attachment, io.ReadSeekCloser, error) {
	notFound := models.NotFound("attachment", id)
	if s.files == nil {
		return models.Attachment{}, nil, notFound
	}
	att, err := s.store.Attachment(ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return att, nil, notFound
	}
	if err != nil {
		return att, nil, err
	}
	m, err := s.store.Message(ctx, att.MessageID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return att, nil, notFound
	}
	if err != nil {
		return att, nil, err
	}
	c, err := s.store.Conversation(ctx, m.ConversationID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return att, nil, notFound
	}
	if err != nil {
		return att, nil, err
	}
	if !s.can(a, policies.Read, &c) || (!a.IsStaff() && !m.Public) || c.ID != att.ConversationID {
		return att, nil, notFound
	}
	f, err := s.files.Open(ctx, att.StorageKey)
	if err != nil {
		slog.WarnContext(ctx, "attachment file missing", "attachment", id, "err", err)
		return att, nil, notFound
	}
	return att, f, nil
}

// RemoveAttachmentFiles deletes attachment files by storage key once their
// rows are gone: the retention purge (R14) and a customer's erasure call it
// after their transaction commits (collect the keys first with
// models.Queries.AttachmentKeysOfMessages / AttachmentKeysOfConversations).
// A system operation: no authorization. Files already gone are fine.
func (s *Service) RemoveAttachmentFiles(ctx context.Context, keys []string) error {
	r := s.fileRemover()
	if r == nil || len(keys) == 0 {
		return nil
	}
	return r.Remove(ctx, keys...)
}

// removeFiles is RemoveAttachmentFiles where a failure can only be logged.
func (s *Service) removeFiles(ctx context.Context, keys []string) {
	if err := s.RemoveAttachmentFiles(context.WithoutCancel(ctx), keys); err != nil {
		slog.WarnContext(ctx, "remove attachment files", "err", err)
	}
}
