package admin

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"
)

// bufferedWriter holds an /admin response until the guard has checked it:
// the gin adapter replaces headers with c.Header and writes the body at
// once, so cookies, redirects and error bodies are fixed up on the way out.
type bufferedWriter struct {
	gin.ResponseWriter
	status int
	body   bytes.Buffer
}

func newBufferedWriter(w gin.ResponseWriter) *bufferedWriter {
	return &bufferedWriter{ResponseWriter: w}
}

func (w *bufferedWriter) WriteHeader(code int) {
	if w.status == 0 && code > 0 {
		w.status = code
	}
}

func (w *bufferedWriter) WriteHeaderNow() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
}

func (w *bufferedWriter) Write(b []byte) (int, error) {
	w.WriteHeaderNow()
	return w.body.Write(b)
}

func (w *bufferedWriter) WriteString(s string) (int, error) {
	w.WriteHeaderNow()
	return w.body.WriteString(s)
}

func (w *bufferedWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *bufferedWriter) Size() int {
	if w.status == 0 {
		return -1
	}
	return w.body.Len()
}

func (w *bufferedWriter) Written() bool { return w.status != 0 }

// Flush is a no-op: the response leaves in one piece from flush.
func (w *bufferedWriter) Flush() {}

// reset drops whatever was written (to answer something else instead).
func (w *bufferedWriter) reset() {
	w.status = 0
	w.body.Reset()
}

// flush sends the held response to the real writer.
func (w *bufferedWriter) flush() {
	w.ResponseWriter.WriteHeader(w.Status())
	if w.body.Len() > 0 {
		w.ResponseWriter.Write(w.body.Bytes())
	}
	w.ResponseWriter.WriteHeaderNow()
}
