package ratelimit

import (
	"sync"
	"time"
)

// memory is the per-node sliding-window log the limiter falls back to while
// Redis is down. It is bounded: at most maxKeys keys, each holding at most
// its limit of hits. When the table is full, keys whose window has passed go
// first, then the key that was hit longest ago.
type memory struct {
	mu      sync.Mutex
	maxKeys int
	now     func() time.Time
	keys    map[string]*hits
}

// hits is one key's log, oldest first.
type hits struct {
	at     []time.Time
	ids    []string
	window time.Duration
}

func newMemory(maxKeys int, now func() time.Time) *memory {
	return &memory{maxKeys: maxKeys, now: now, keys: make(map[string]*hits)}
}

// prune drops the hits that left the window ending at now.
func (h *hits) prune(now time.Time) {
	n := 0
	for n < len(h.at) && !h.at[n].After(now.Add(-h.window)) {
		n++
	}
	h.at, h.ids = h.at[n:], h.ids[n:]
}

func (h *hits) last() time.Time {
	if len(h.at) == 0 {
		return time.Time{}
	}
	return h.at[len(h.at)-1]
}

func (m *memory) take(key string, limit int, window time.Duration, id string) (bool, time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	h := m.keys[key]
	if h == nil {
		m.makeRoom(now)
		h = &hits{}
		m.keys[key] = h
	}
	h.window = window
	h.prune(now)
	if len(h.at) < limit {
		h.at = append(h.at, now)
		h.ids = append(h.ids, id)
		return true, 0
	}
	retry := h.at[0].Add(window).Sub(now)
	if retry < time.Millisecond {
		retry = time.Millisecond
	}
	return false, retry
}

func (m *memory) giveBack(key, id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.keys[key]
	if h == nil {
		return
	}
	for i := range h.ids {
		if h.ids[i] == id {
			h.at = append(h.at[:i:i], h.at[i+1:]...)
			h.ids = append(h.ids[:i:i], h.ids[i+1:]...)
			return
		}
	}
}

// makeRoom keeps the table under maxKeys before a new key goes in.
func (m *memory) makeRoom(now time.Time) {
	if len(m.keys) < m.maxKeys {
		return
	}
	for k, h := range m.keys {
		if h.prune(now); len(h.at) == 0 {
			delete(m.keys, k)
		}
	}
	for len(m.keys) >= m.maxKeys {
		var oldest string
		var at time.Time
		found := false
		for k, h := range m.keys {
			if !found || h.last().Before(at) {
				oldest, at, found = k, h.last(), true
			}
		}
		delete(m.keys, oldest)
	}
}

// size is the number of keys held (tests).
func (m *memory) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}
