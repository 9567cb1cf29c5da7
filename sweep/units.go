package sweep

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/machine/config"
)

// parseAmount reads "48KiB", "2 MiB" or "4096" with the configuration's
// size parser; sized says whether a unit was written, so the values of a
// range are written back the same way.
func parseAmount(s string) (n uint64, sized bool, err error) {
	n, sized, err = config.ParseBytes(s)
	if err != nil {
		return 0, false, fmt.Errorf("%q is not a number or a size (write it like 16, 32KiB or 2MiB)", s)
	}
	return n, sized, nil
}

// formatSize writes a size in the largest binary unit that divides it.
// Sweeps write whole tebibytes as TiB, where config.FormatBytes (and so
// emu config list) goes no further than GiB: the names of points already
// run stay as they were.
func formatSize(n uint64) string {
	if n >= 1<<40 && n%(1<<40) == 0 {
		return fmt.Sprintf("%dTiB", n>>40)
	}
	return config.FormatBytes(n)
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
