package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// sseEvent is one Server-Sent Event as web/events.go writes it.
type sseEvent struct {
	ID, Type, Data string
}

// sseReader reads a stream strictly: "id", "event" and "data" fields,
// ":" comments and blank lines ending an event; anything else, a line over
// the buffer or a "\r" is an error (Parley writes none of them).
type sseReader struct {
	r        *bufio.Reader
	Comments int // ": ping" and any other comment lines
}

func newSSEReader(r io.Reader) *sseReader {
	return &sseReader{r: bufio.NewReaderSize(r, 2048)}
}

var errLineTooLong = errors.New("sse: line too long")

// Next answers the next event; io.EOF when the stream ends between events.
func (s *sseReader) Next() (sseEvent, error) {
	var e sseEvent
	seen, data := false, false
	for {
		line, err := s.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return e, errLineTooLong
		}
		if err != nil {
			if err == io.EOF && (len(line) > 0 || seen) {
				return e, io.ErrUnexpectedEOF
			}
			return e, err
		}
		line = line[:len(line)-1]
		if bytes.IndexByte(line, '\r') >= 0 {
			return e, fmt.Errorf("sse: carriage return in %q", line)
		}
		if len(line) == 0 {
			if seen {
				return e, nil
			}
			continue
		}
		if line[0] == ':' {
			s.Comments++
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return e, fmt.Errorf("sse: line without a field name: %q", line)
		}
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(name) {
		case "id":
			e.ID = string(value)
		case "event":
			e.Type = string(value)
		case "data":
			if data {
				e.Data += "\n"
			}
			e.Data, data = e.Data+string(value), true
		default:
			return e, fmt.Errorf("sse: unknown field %q", name)
		}
		seen = true
	}
}
