package config

import (
	"fmt"
	"io"
	"os"
)

// MaxFileBytes bounds a configuration or state file that a user names: far
// above any real one, so that a device such as /dev/zero is refused once
// this much is read, rather than read until memory runs out.
const MaxFileBytes = 16 << 20

// ErrTooLarge is ReadFile's error for a file of more than MaxFileBytes.
var ErrTooLarge = fmt.Errorf("larger than %d MiB, more than any configuration or state file", MaxFileBytes>>20)

// ReadFile reads a file that a user named, at most MaxFileBytes of it. A
// pipe is read too (-c <(...)); only its length is bounded.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, unwrapPath(err)
	}
	if len(data) > MaxFileBytes {
		return nil, ErrTooLarge
	}
	return data, nil
}
