package os

import "testing"

// add must add every count, field by field; a count added to Faults and
// forgotten there fails here.
func TestFaultsAddCoversEveryCount(t *testing.T) {
	var o, f Faults
	for i, p := range o.fields() {
		*p = uint64(i + 1)
	}
	f.add(o)
	f.add(o)
	for i, p := range f.fields() {
		if *p != 2*uint64(i+1) {
			t.Errorf("%s: %d after adding %d twice", countNames[i], *p, i+1)
		}
	}
}
