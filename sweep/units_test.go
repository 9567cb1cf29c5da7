package sweep

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAmountsRoundTrip checks what a range needs of the size parser: the
// value, whether a unit was written, the words of an error, and a size
// written back in the largest unit that divides it (TiB included).
func TestAmountsRoundTrip(t *testing.T) {
	type result struct {
		N      uint64
		Sized  bool
		Err    string
		Format string
	}
	tests := []struct {
		in   string
		want result
	}{
		{"16", result{16, false, "", "16B"}},
		{"64B", result{64, true, "", "64B"}},
		{"48KiB", result{48 << 10, true, "", "48KiB"}},
		{" 2 MiB ", result{2 << 20, true, "", "2MiB"}},
		{"3g", result{3 << 30, true, "", "3GiB"}},
		{"1536MiB", result{1536 << 20, true, "", "1536MiB"}},
		{"2TiB", result{2 << 40, true, "", "2TiB"}},
		{"1024tb", result{1 << 50, true, "", "1024TiB"}},
		{"1.5MiB", result{0, false, `"1.5MiB" is not a number or a size (write it like 16, 32KiB or 2MiB)`, "0B"}},
		{"99999999999TiB", result{0, false, `"99999999999TiB" is not a number or a size (write it like 16, 32KiB or 2MiB)`, "0B"}},
	}
	for _, tc := range tests {
		n, sized, err := parseAmount(tc.in)
		got := result{N: n, Sized: sized, Format: formatSize(n)}
		if err != nil {
			got.Err = err.Error()
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.in, diff)
		}
	}
}
