package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startPaced serves a handler that reads the whole body behind
// newHTTPServer with the given limits.
func startPaced(t *testing.T, l httpLimits) string {
	t.Helper()
	srv := newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "read %d", n)
	}), l)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// trickle sends headers, then body bytes at the given pace, and reports how
// long the server kept reading and what it answered ("" when it just hung
// up).
func trickle(t *testing.T, addr string, size int, chunk int, every time.Duration, give time.Duration) (time.Duration, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", size)
	answered := make(chan string, 1)
	go func() {
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answered <- ""
			return
		}
		b, _ := io.ReadAll(res.Body)
		answered <- fmt.Sprintf("%d %s", res.StatusCode, strings.TrimSpace(string(b)))
	}()
	sent := 0
	tick := time.NewTicker(every)
	defer tick.Stop()
	deadline := time.After(give)
	for {
		select {
		case a := <-answered:
			return time.Since(start), a
		case <-deadline:
			t.Fatalf("server still reading after %s (%d bytes sent)", give, sent)
		case <-tick.C:
			if sent < size {
				n := min(chunk, size-sent)
				if _, err := conn.Write([]byte(strings.Repeat("x", n))); err == nil {
					sent += n
				}
			}
		}
	}
}

// Item 13: a body trickled at 1 byte/s is cut once its grace time is over;
// one above the minimum rate is read whole; no body outlasts the cap; and
// headers must come within the header timeout.
func TestSlowClientsAreCut(t *testing.T) {
	limits := httpLimits{HeaderTimeout: time.Second, BodyGrace: time.Second, BodyMinRate: 1024, BodyTimeout: 3 * time.Second}
	addr := startPaced(t, limits)

	t.Run("1 byte per second", func(t *testing.T) {
		took, answer := trickle(t, addr, 1000, 1, time.Second, 8*time.Second)
		if took > 3*time.Second || strings.HasPrefix(answer, "200") {
			t.Errorf("cut after %s with %q, want within ~1 s of the grace time", took, answer)
		}
	})
	t.Run("steady upload above the minimum rate", func(t *testing.T) {
		// 48 KB at ~20 KB/s: longer than the grace time, well above 1 KB/s.
		took, answer := trickle(t, addr, 48<<10, 4<<10, 200*time.Millisecond, 8*time.Second)
		if answer != fmt.Sprintf("200 read %d", 48<<10) {
			t.Errorf("upload answered %q after %s", answer, took)
		}
	})
	t.Run("absolute cap", func(t *testing.T) {
		// 2 KB/s keeps the rate but would take 10 s: the 3 s cap cuts it.
		took, answer := trickle(t, addr, 20<<10, 200, 100*time.Millisecond, 8*time.Second)
		if took > 4*time.Second || strings.HasPrefix(answer, "200") {
			t.Errorf("cut after %s with %q, want at the 3 s cap", took, answer)
		}
	})
	t.Run("slow headers", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		fmt.Fprint(conn, "POST /upload HTTP/1.1\r\nHost: x\r\n")
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		conn.Read(make([]byte, 512))
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("half-sent headers held the connection for %s", took)
		}
	})
}
