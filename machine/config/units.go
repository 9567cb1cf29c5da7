package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Unit says how a key's value is written and read.
type Unit uint8

const (
	Bytes  Unit = iota // 48KiB, 2MiB, 64 (binary multiples: K = KiB = 1024)
	Cycles             // core clock cycles
	Count              // a plain number
	Hertz              // 4GHz, 2400MHz
	Bool               // true or false
	Choice             // one of a fixed set of words
	Levels             // the cache levels, top first: l1i+l1d,l2,llc
	Sizes              // a list of sizes: 4KiB,2MiB
	Word               // a name checked when the machine is built (a level, a file)
)

var unitNames = [...]string{"bytes", "cycles", "count", "Hz", "bool", "choice", "levels", "sizes", "word"}

func (u Unit) String() string { return unitNames[u] }

var byteSuffixes = []struct {
	suffix string
	mult   uint64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"tb", 1 << 40},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// ParseBytes reads a size such as "48KiB", "2 MiB" or "4096" (binary
// multiples: K = KiB = 1024). unit says whether a unit was written, so that
// a sweep can write the values of a range back the way they came.
func ParseBytes(s string) (n uint64, unit bool, err error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if h, ok := strings.CutPrefix(t, "0x"); ok { // an address: hex, no unit
		n, err = strconv.ParseUint(h, 16, 64)
		if err != nil {
			return 0, false, fmt.Errorf("%q is not a size (write it like 32KiB, 2MiB, 4096 or 0x1000)", s)
		}
		return n, false, nil
	}
	mult := uint64(1)
	for _, b := range byteSuffixes {
		if strings.HasSuffix(t, b.suffix) {
			t, mult, unit = strings.TrimSpace(strings.TrimSuffix(t, b.suffix)), b.mult, true
			break
		}
	}
	n, err = strconv.ParseUint(t, 10, 64)
	if err != nil || n > math.MaxUint64/mult {
		return 0, false, fmt.Errorf("%q is not a size (write it like 32KiB, 2MiB, 4096 or 0x1000)", s)
	}
	return n * mult, unit, nil
}

// FormatBytes writes a size in the largest binary unit that divides it.
func FormatBytes(n uint64) string {
	for _, u := range []struct {
		name string
		mult uint64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return fmt.Sprintf("%d%s", n/u.mult, u.name)
		}
	}
	return fmt.Sprintf("%dB", n)
}

// ParseHertz reads a frequency such as "4GHz", "3.2 GHz" or "2400MHz".
func ParseHertz(s string) (uint64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range []struct {
		suffix string
		mult   float64
	}{{"ghz", 1e9}, {"mhz", 1e6}, {"khz", 1e3}, {"hz", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f <= 0 || f*mult > 1e12 {
		return 0, fmt.Errorf("%q is not a frequency (write it like 4GHz or 2400MHz)", s)
	}
	return uint64(math.Round(f * mult)), nil
}

func formatHertz(n uint64) string {
	switch {
	case n%1e9 == 0:
		return fmt.Sprintf("%dGHz", n/1e9)
	case n%1e6 == 0:
		return fmt.Sprintf("%dMHz", n/1e6)
	}
	return fmt.Sprintf("%dHz", n)
}

// ParseBool reads true, yes, on or 1, and false, no, off or 0.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

// ParseCount reads a whole number, which may end in "cycles".
func ParseCount(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(t, "cycles")
	n, err := strconv.ParseUint(strings.TrimSpace(t), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return n, nil
}

// ParseSizes reads a list of sizes such as "4KiB, 2MiB".
func ParseSizes(s string) ([]uint64, error) {
	var out []uint64
	for _, part := range strings.Split(s, ",") {
		n, _, err := ParseBytes(part)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}
