package models

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of R3.
const (
	MaxBodyRunes    = 10000
	MaxSubjectRunes = 200
)

// ValidateBody checks a message body (R3): 1 to 10,000 code points, valid
// UTF-8, not blank, no control characters other than newlines and tabs.
func ValidateBody(body string) error {
	if !utf8.ValidString(body) {
		return Errorf(EINVALID, "message is not valid UTF-8 text")
	}
	n := utf8.RuneCountInString(body)
	if n > MaxBodyRunes {
		return Errorf(ETOOLARGE, "message is %d characters long; the limit is %d", n, MaxBodyRunes)
	}
	if blank(body) {
		return Errorf(EINVALID, "message must not be empty")
	}
	if hasControl(body) {
		return Errorf(EINVALID, "message contains control characters")
	}
	return nil
}

// NormalizeSubject trims and validates a subject (R3): 1 to 200 code points.
func NormalizeSubject(subject string) (string, error) {
	if !utf8.ValidString(subject) {
		return "", Errorf(EINVALID, "subject is not valid UTF-8 text")
	}
	s := strings.TrimSpace(subject)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 || blank(s):
		return "", Errorf(EINVALID, "subject must not be empty")
	case n > MaxSubjectRunes:
		return "", Errorf(EINVALID, "subject is %d characters long; the limit is %d", n, MaxSubjectRunes)
	case strings.ContainsAny(s, "\r\n") || hasControl(s):
		return "", Errorf(EINVALID, "subject must be a single line of text")
	}
	return s, nil
}

// blank reports text that shows nothing: only white space and invisible
// characters (format characters such as U+200B ZERO WIDTH SPACE, U+2060
// WORD JOINER and U+FEFF, and the blank fillers of Hangul and Braille).
func blank(s string) bool {
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), unicode.Is(unicode.Cf, r):
		case r == '\u115F', r == '\u1160', r == '\u3164', r == '\uFFA0', r == '\u2800', r == '\u034F':
		default:
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// Preview shortens a body for list columns.
func Preview(body string) string {
	s := strings.Join(strings.Fields(body), " ")
	const max = 140
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
