package config

import "sort"

// Error is a configuration mistake: where it is (file:line, or --set), the
// key, and what is wrong.
type Error struct {
	Where string
	Key   string
	Msg   string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return e.Where + ": " + e.Msg
	}
	return e.Where + ": " + e.Key + ": " + e.Msg
}

// nearest returns the key name closest to name, if it is close enough to be
// a likely misspelling.
func nearest(name string, keys []Key) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	sort.Strings(names)
	return Nearest(name, names)
}

// Nearest returns the candidate closest to name by edit distance, if it is
// close enough to be a likely misspelling (the first of equals), or "".
func Nearest(name string, candidates []string) string {
	best, bestD := "", len(name)/2+1
	for _, n := range candidates {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Blame places a complaint about keys that must agree (a cache's size,
// ways and line; tREFI and tRFC) at the one set last, since that is the
// change that broke the agreement: a value the user set rather than the
// preset's it disagrees with. Ties go to the first key.
func (c *Config) Blame(msg string, keys ...string) *Error {
	key := keys[0]
	for _, k := range keys[1:] {
		if c.origin[k].seq > c.origin[key].seq {
			key = k
		}
	}
	return &Error{Where: c.Origin(key), Key: key, Msg: msg}
}
