package tlb

import (
	"fmt"
	"slices"

	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

// Set presets the entry at set and way, for machine state files and tests:
// valid or not (an invalid entry keeps its contents, which At shows, as the
// TLB figures of CS:APP print tags of invalid entries). The entry must belong
// there: its page size one the TLB holds, its VPN within a 64-bit address and
// indexing to set, and, if valid, no other valid entry of the set for the
// same page and size under the same PCID (or, if e is global, a global one).
// The zero Entry with valid false clears the slot. A valid entry counts as a
// fill for the replacement policy (in call order) but not in the counters.
func (t *TLB) Set(set, way int, e Entry, valid bool) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("tlb %q: set %d way %d: "+format, append([]any{t.cfg.Name, set, way}, a...)...)
	}
	switch {
	case set < 0 || set >= t.Sets():
		return bad("set out of range (0 to %d)", t.Sets()-1)
	case way < 0 || way >= t.ways:
		return bad("way out of range (0 to %d)", t.ways-1)
	}
	i := set*t.ways + way
	if !valid && e == (Entry{}) {
		t.put(i, Entry{}, false)
		return nil
	}
	switch {
	case !slices.Contains(t.shifts, e.PageShift):
		return bad("page shift %d is not a size this TLB holds %v", e.PageShift, t.shifts)
	case e.PageShift < 64 && e.VPN > ^uint64(0)>>e.PageShift:
		return bad("VPN %#x does not fit a 64-bit address with %d-bit pages", e.VPN, e.PageShift)
	case int(e.VPN&t.setMask) != set:
		return bad("VPN %#x belongs in set %d (its low %d bits)", e.VPN, e.VPN&t.setMask, t.setBits)
	}
	if valid {
		for w := range t.ways {
			o := set*t.ways + w
			if w != way && t.valid(o) && samePage(&t.ents[o], &e) {
				return bad("VPN %#x PCID %d is already valid in way %d (same page and PCID, or both global)", e.VPN, e.PCID, w)
			}
		}
	}
	t.put(i, e, valid)
	if valid {
		t.repl.Renumber()
		t.repl.Update(&replacement.Access{Set: set, Way: way, Addr: e.VPN << e.PageShift, Kind: sim.Load})
	}
	return nil
}

// At returns the contents of the entry at set and way and whether it is
// valid. Out of range, it returns the zero Entry, invalid.
func (t *TLB) At(set, way int) (Entry, bool) {
	if set < 0 || set >= t.Sets() || way < 0 || way >= t.ways {
		return Entry{}, false
	}
	i := set*t.ways + way
	return t.ents[i], t.valid(i)
}

// Entries lists the valid entries in set, then way, order.
func (t *TLB) Entries() []Slot {
	var out []Slot
	for i, e := range t.ents {
		if t.valid(i) {
			out = append(out, Slot{Set: i / t.ways, Way: i % t.ways, Entry: e})
		}
	}
	return out
}
