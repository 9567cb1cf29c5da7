package cache

import "fmt"

// The names the configuration uses for each choice, in constant order.
var (
	WriteNames     = []string{"write-back", "write-through", "as-read"}
	InclusionNames = []string{"non-inclusive", "inclusive", "exclusive"}
	StraddleNames  = []string{"first", "lines", "whole"}
)

func (w WritePolicy) String() string { return nameOf(WriteNames, int(w)) }
func (i Inclusion) String() string   { return nameOf(InclusionNames, int(i)) }
func (s Straddle) String() string    { return nameOf(StraddleNames, int(s)) }

func nameOf(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("?%d", i)
}

// Lookup returns the index of name in names, or -1.
func Lookup(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}
