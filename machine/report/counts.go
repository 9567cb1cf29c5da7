package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Count is one count with its name.
type Count struct {
	Name string
	N    uint64
}

// Counts are named counts in a fixed order (faults: getrusage's minor and
// major first, then their breakdown). In JSON they are one object whose
// keys keep that order.
type Counts []Count

// Get returns the count called name, or 0.
func (c Counts) Get(name string) uint64 {
	for _, x := range c {
		if x.Name == name {
			return x.N
		}
	}
	return 0
}

// Add adds o's counts to c's of the same names, appending the names c
// lacks.
func (c Counts) Add(o Counts) Counts {
	for _, x := range o {
		found := false
		for i := range c {
			if c[i].Name == x.Name {
				c[i].N += x.N
				found = true
				break
			}
		}
		if !found {
			c = append(c, x)
		}
	}
	return c
}

// nonZero lists the counts after the first skip that are not 0, as
// "name n, name n", or "none".
func (c Counts) nonZero(skip int) string {
	var parts []string
	for _, x := range c[min(skip, len(c)):] {
		if x.N != 0 {
			parts = append(parts, x.Name+" "+Group(x.N))
		}
	}
	if parts == nil {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// MarshalJSON writes the counts as one object, in their order.
func (c Counts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(x.Name)
		fmt.Fprintf(&b, "%s:%d", name, x.N)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object of counts, keeping its keys' order.
func (c *Counts) UnmarshalJSON(data []byte) error {
	d := json.NewDecoder(bytes.NewReader(data))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("counts: want an object of numbers")
	}
	*c = Counts{}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		var n uint64
		if err := d.Decode(&n); err != nil {
			return fmt.Errorf("counts: %s: %v", t, err)
		}
		*c = append(*c, Count{Name: t.(string), N: n})
	}
	_, err := d.Token()
	return err
}
