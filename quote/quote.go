package quote

import (
	"fmt"
	"strconv"
	"strings"
)

// Max is the most bytes of an input an error quotes.
const Max = 64

// Input quotes s as %q does; past Max bytes it quotes the first Max and
// says how long s was.
func Input(s string) string {
	if len(s) <= Max {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%q... (%d bytes)", s[:Max], len(s))
}

// Cut is s as it is when it holds at most Max bytes, else its first Max
// and how long it was: for input a message shows unquoted, as the
// "--set key=value" an error is about.
func Cut(s string) string {
	if len(s) <= Max {
		return s
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:Max], len(s))
}

// Shorten cuts every double-quoted Go string in msg that holds more than
// Max bytes, as Input would have quoted it. It reads msg once: a quote
// that does not open a valid Go string is left as it is.
func Shorten(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); {
		j := strings.IndexByte(msg[i:], '"')
		if j < 0 {
			b.WriteString(msg[i:])
			break
		}
		b.WriteString(msg[i : i+j])
		i += j
		end := closing(msg, i)
		if end < 0 {
			b.WriteByte('"')
			i++
			continue
		}
		s, err := strconv.Unquote(msg[i : end+1])
		if err != nil || len(s) <= Max {
			b.WriteString(msg[i : end+1])
		} else {
			b.WriteString(Input(s))
		}
		i = end + 1
	}
	return b.String()
}

// closing is the index of the quote that closes the one at msg[open], or
// -1 when a line or msg ends first.
func closing(msg string, open int) int {
	for k := open + 1; k < len(msg); k++ {
		switch msg[k] {
		case '\\':
			k++
		case '"':
			return k
		case '\n':
			return -1
		}
	}
	return -1
}
