package main

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
)

// gcTrace reads the live heap from the server's GODEBUG=gctrace=1 output
// (its stderr, sent to a file): each collection's line has "a->b->c MB",
// c being the heap still live after it. VmRSS undercounts a stream's
// heap: pages allocated but never written are not resident.
type gcTrace struct {
	path string
}

// offset is the file's current length: the lines after it come later.
func (g gcTrace) offset() int64 {
	fi, err := os.Stat(g.path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// live answers the live heap in MiB after each collection logged between
// byte offsets from and to (to < 0: the end).
func (g gcTrace) live(from, to int64) []int {
	f, err := os.Open(g.path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return nil
	}
	var r io.Reader = f
	if to >= 0 {
		r = io.LimitReader(f, to-from)
	}
	return parseGCTrace(r)
}

func parseGCTrace(r io.Reader) []int {
	var out []int
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "gc ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			parts := strings.Split(f, "->")
			if len(parts) != 3 {
				continue
			}
			if n, err := strconv.Atoi(parts[2]); err == nil {
				out = append(out, n)
			}
			break
		}
	}
	return out
}
