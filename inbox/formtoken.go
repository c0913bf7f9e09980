package inbox

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/models"
)

// The conversation page's reply form carries a token Parley signs:
//
//	pf1.<issued, unix seconds>.<nonce, 32 hex>.<HMAC-SHA256, 64 hex>
//
// over the staff member, the conversation, the time and the nonce. Making
// one writes nothing (GoAdmin's form tokens were a goadmin_session row per
// page view, and only the node that made one accepted it); sending the
// form checks the signature, the signer, the conversation and the age,
// then uses the nonce once (models.UseFormNonce).

// FormTokenTTL is how long a reply form may stay open before sending it
// asks for a reload.
const FormTokenTTL = 24 * time.Hour

const formTokenPrefix = "pf1."

// FormTokenState is what sending a form token found.
type FormTokenState int

const (
	FormTokenFresh   FormTokenState = iota // valid and now used
	FormTokenUsed                          // valid, sent before (back button, double click)
	FormTokenInvalid                       // forged, for someone or something else, or expired
	FormTokenForeign                       // not Parley's (GoAdmin's own form pages)
)

// NewFormToken makes the reply form's token for a staff member and a
// conversation.
func (s *Accounts) NewFormToken(staffID, conversationID int64) string {
	var n [16]byte
	_, _ = rand.Read(n[:]) // crypto/rand.Read never fails (Go 1.24+)
	issued := strconv.FormatInt(s.clock.Now().Unix(), 10)
	nonce := hex.EncodeToString(n[:])
	return formTokenPrefix + issued + "." + nonce + "." + s.formMAC(staffID, conversationID, issued, nonce)
}

func (s *Accounts) formMAC(staffID, conversationID int64, issued, nonce string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("reply-form|" + strconv.FormatInt(staffID, 10) + "|" + strconv.FormatInt(conversationID, 10) + "|" + issued + "|" + nonce))
	return hex.EncodeToString(m.Sum(nil))
}

// UseFormToken checks a sent reply form's token for the staff member and
// conversation and uses it: Fresh the first time, Used after that.
func (s *Accounts) UseFormToken(ctx context.Context, staffID, conversationID int64, token string) (FormTokenState, error) {
	now := s.clock.Now()
	nonce, state := s.verifyFormToken(staffID, conversationID, token, now)
	if state != FormTokenFresh {
		return state, nil
	}
	fresh, err := s.store.UseFormNonce(ctx, nonce, models.Now(now), models.Now(now.Add(-FormTokenTTL-time.Minute)))
	if err != nil {
		return FormTokenInvalid, err
	}
	if !fresh {
		return FormTokenUsed, nil
	}
	return FormTokenFresh, nil
}

// verifyFormToken checks a token's form, signature and age at now and
// answers its nonce with FormTokenFresh (not yet looked up), or why not.
func (s *Accounts) verifyFormToken(staffID, conversationID int64, token string, now time.Time) (string, FormTokenState) {
	rest, ok := strings.CutPrefix(token, formTokenPrefix)
	if !ok {
		return "", FormTokenForeign
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 || len(parts[1]) != 32 || len(parts[2]) != 64 {
		return "", FormTokenInvalid
	}
	issued, nonce, mac := parts[0], parts[1], parts[2]
	secs, ok := models.ParseID(issued) // plain decimal, positive
	if !ok || !isHex(nonce) || !hmac.Equal([]byte(mac), []byte(s.formMAC(staffID, conversationID, issued, nonce))) {
		return "", FormTokenInvalid
	}
	if age := now.Sub(time.Unix(secs, 0)); age > FormTokenTTL || age < -time.Minute {
		return "", FormTokenInvalid
	}
	return nonce, FormTokenFresh
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}
