package inbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DirFiles removes attachment files kept under one directory by their
// storage keys (relative paths). A fallback FileRemover for when the
// attachment store does not provide one; keys that would leave the
// directory are refused.
type DirFiles string

// Remove deletes the files; missing ones are fine.
func (d DirFiles) Remove(ctx context.Context, keys []string) error {
	var errs []error
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		if k == "" || filepath.IsAbs(k) || !filepath.IsLocal(k) || strings.ContainsRune(k, 0) {
			errs = append(errs, fmt.Errorf("storage key %q is not a relative path", k))
			continue
		}
		if err := os.Remove(filepath.Join(string(d), k)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
