package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/web"
)

// Content-Security-Policy values. Pages get the strictest policy they
// allow; the admin guard replaces pagePolicy for GoAdmin's pages (inline
// scripts) after this middleware ran. API and health answers are data,
// never documents: nothing may load, frame or submit from them.
const (
	pagePolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
	dataPolicy = "default-src 'none'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
	// adminPolicy is what GoAdmin's pages need (inline scripts and
	// handlers, data: fonts), until the admin guard sets a stricter one.
	adminPolicy = "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
		"script-src 'self' 'unsafe-inline' 'unsafe-eval'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)

// isData reports whether path answers JSON (the API and health checks).
func isData(path string) bool {
	return path == web.APIPrefix || strings.HasPrefix(path, web.APIPrefix+"/") ||
		path == "/healthz" || path == "/readyz"
}

// securityHeaders sets the headers every response carries. They are set
// before the handlers run, so a handler (the admin guard) may override them.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if isData(c.Request.URL.Path) {
		h.Set("Content-Security-Policy", dataPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
	} else {
		policy := pagePolicy
		if p := c.Request.URL.Path; p == "/admin" || strings.HasPrefix(p, "/admin/") {
			policy = adminPolicy
		}
		h.Set("Content-Security-Policy", policy)
		h.Set("X-Frame-Options", "SAMEORIGIN")
	}
	c.Next()
}

// requestIDHeader carries the request id: a caller's (or proxy's) value is
// kept when it is a plain token, otherwise one is generated.
const requestIDHeader = "X-Request-ID"

func requestID(given string) string {
	if n := len(given); n > 0 && n <= 64 && strings.Trim(given, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") == "" {
		return given
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// accessLog writes one line per request with its request id (echoed in
// X-Request-ID). Refusals (4xx) are INFO with the domain code and message,
// no stack; only 5xx answers are ERROR, with the error that caused them.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		id := requestID(c.GetHeader(requestIDHeader))
		c.Header(requestIDHeader, id)
		// On the request too: GoAdmin answers with the request's id and
		// would otherwise mint one of its own.
		c.Request.Header.Set(requestIDHeader, id)
		c.Next()
		status := c.Writer.Status()
		attrs := []slog.Attr{
			slog.String("request_id", id),
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.Duration("took", time.Since(start)),
			slog.String("ip", c.ClientIP()),
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		if err := c.Errors.Last(); err != nil {
			if e := models.AsError(err.Err); e != nil && status < 500 {
				attrs = append(attrs, slog.String("code", string(e.Code)), slog.String("reason", e.Message))
			} else {
				attrs = append(attrs, slog.String("err", err.Err.Error()))
			}
		}
		log.LogAttrs(c.Request.Context(), level, "request", attrs...)
	}
}

// recovery turns a panic into a logged 500 (with its stack: a panic is a
// bug). Unlike gin.Recovery it never dumps the request's headers, which
// hold credentials.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				_ = c.Error(fmt.Errorf("panic: %v", v))
				c.AbortWithStatus(http.StatusInternalServerError)
			}
		}()
		c.Next()
	}
}

// backOffice is where "/" leads.
const backOffice = "/admin/dashboard/conversation"

const notFoundPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found · Parley</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}a{color:#2660a4}</style>
</head><body><h1>Page not found</h1><p>There is nothing at this address.</p>
<p><a href="` + backOffice + `">Go to the back office</a></p></body></html>
`

// notFound answers unknown paths outside the API with a 404 page.
func notFound(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusNotFound, "text/html; charset=utf-8", []byte(notFoundPage))
}
