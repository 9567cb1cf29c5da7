package sweep

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The machine's own size parser is private to it; ranges need only this
// much of it: a count, or a size with a binary unit.
var sizeUnits = []struct {
	suffix string
	mult   uint64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"tb", 1 << 40},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// parseAmount reads "48KiB", "2 MiB" or "4096"; sized says whether a unit
// was written, so the values of a range are written back the same way.
func parseAmount(s string) (n uint64, sized bool, err error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := uint64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult, sized = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult, true
			break
		}
	}
	n, err = strconv.ParseUint(t, 10, 64)
	if err != nil || n > math.MaxUint64/mult {
		return 0, false, fmt.Errorf("%q is not a number or a size (write it like 16, 32KiB or 2MiB)", s)
	}
	return n * mult, sized, nil
}

// formatSize writes a size in the largest binary unit that divides it.
func formatSize(n uint64) string {
	for _, u := range []struct {
		name string
		mult uint64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return fmt.Sprintf("%d%s", n/u.mult, u.name)
		}
	}
	return fmt.Sprintf("%dB", n)
}

// ParseSize reads a value as a number, for plotting: "256KiB" is 262144
// and sized; "8" is 8. ok is false for anything else.
func ParseSize(s string) (v float64, sized, ok bool) {
	n, sized, err := parseAmount(s)
	if err == nil {
		return float64(n), sized, true
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, false, err == nil
}

// FormatSize writes bytes in the largest binary unit that divides them.
func FormatSize(n uint64) string { return formatSize(n) }
