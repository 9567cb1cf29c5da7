package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxBaseDepth bounds a chain of files based on files: deeper than any
// real use, and short enough that a runaway chain is reported at once
// (a cycle used to recurse until the stack overflowed, after 42 s and
// 1.5 GB). A preset at the end of the chain does not count.
const maxBaseDepth = 16

// loadBase loads the base that the file or preset called name names. A
// relative path is read from the naming file's folder, as a sweep file
// reads its paths. A base already in the chain (a cycle), or a chain of
// more than maxBaseDepth files, is an error that names the chain.
func loadBase(name string, base setting, chain []string) (*Config, error) {
	spec := base.value
	if spec == "" {
		return nil, &Error{Where: base.where, Key: "base", Msg: fmt.Sprintf("empty; name a preset (%s) or a file", strings.Join(Presets(), ", "))}
	}
	if base.dir != "" && !isPreset(spec) && !filepath.IsAbs(spec) {
		spec = filepath.Join(base.dir, spec)
	}
	chain = append(slices.Clone(chain), name)
	shown := strings.Join(append(slices.Clone(chain), spec), " -> ")
	if isPreset(spec) {
		return load(spec, chain)
	}
	if slices.ContainsFunc(chain, func(n string) bool { return sameFile(n, spec) }) {
		return nil, &Error{Where: base.where, Key: "base", Msg: "the bases form a cycle: " + shown}
	}
	if len(chain) >= maxBaseDepth {
		return nil, &Error{Where: base.where, Key: "base", Msg: fmt.Sprintf("more than %d files deep: %s", maxBaseDepth, shown)}
	}
	return load(spec, chain)
}

// sameFile says whether two paths name one file, through links too.
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	absA, _ := filepath.Abs(a)
	absB, _ := filepath.Abs(b)
	return absA == absB
}
