package media

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir keeps attachment files in one directory outside the web root, under
// random names: the data dir's attachments/ in embedded mode,
// PARLEY_ATTACHMENTS_DIR (shared by every node) in production. A file is
// written to a temporary name and renamed into place, so a reader never
// sees half of one.
type Dir struct {
	path string
}

// NewDir opens (creating it if needed) the directory at path.
func NewDir(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o750); err != nil {
		return nil, fmt.Errorf("attachments dir: %w", err)
	}
	return &Dir{path: path}, nil
}

// Path is the directory.
func (d *Dir) Path() string { return d.path }

// validKey accepts only the names Put makes: 32 lowercase hex digits.
func validKey(key string) bool {
	if len(key) != 32 {
		return false
	}
	for _, c := range key {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Put stores data under a new random key and returns the key.
func (d *Dir) Put(_ context.Context, data []byte) (string, error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	key := hex.EncodeToString(raw[:])
	tmp, err := os.CreateTemp(d.path, ".upload-*")
	if err != nil {
		return "", fmt.Errorf("store attachment: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("store attachment: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("store attachment: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("store attachment: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.path, key)); err != nil {
		return "", fmt.Errorf("store attachment: %w", err)
	}
	return key, nil
}

// Open opens the file under key; fs.ErrNotExist for an unknown or
// malformed key.
func (d *Dir) Open(_ context.Context, key string) (io.ReadSeekCloser, error) {
	if !validKey(key) {
		return nil, fs.ErrNotExist
	}
	return os.Open(filepath.Join(d.path, key))
}

// Remove deletes the files under keys; a file already gone is not an
// error, so a retried purge is harmless.
func (d *Dir) Remove(_ context.Context, keys ...string) error {
	var errs []error
	for _, k := range keys {
		if !validKey(k) {
			continue
		}
		if err := os.Remove(filepath.Join(d.path, k)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
