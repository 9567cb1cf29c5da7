package traces

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// WithoutFetches hands on the data records in order, reading past batches
// that hold fetches only, and then the end.
func TestWithoutFetches(t *testing.T) {
	tests := []struct {
		name, text string
		want       []Record
	}{
		{"lackey", "I  0400,3\n L 10,4\nI  0403,2\nI  0405,2\n S 20,8\n M 30,1\n",
			[]Record{{Addr: 0x10, Size: 4, Op: Load}, {Addr: 0x20, Size: 8, Op: Store}, {Addr: 0x30, Size: 1, Op: Modify}}},
		{"fetches only", "I  0400,3\nI  0403,2\n", nil},
		{"no fetches", " L 10,4\n", []Record{{Addr: 0x10, Size: 4, Op: Load}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader("t.trace", strings.NewReader(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			f := WithoutFetches(r)
			var got []Record
			buf := make([]Record, 1) // one at a time: batches of fetches alone
			for {
				n, err := f.Read(buf)
				if err == io.EOF {
					break
				}
				if err != nil || n == 0 {
					t.Fatalf("Read = %d, %v", n, err)
				}
				got = append(got, buf[:n]...)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
