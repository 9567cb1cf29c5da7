package traces

import "strings"

// Holds says what a format can hold beyond each reference's kind and
// address. Its low bits are Carries' (what a reader's records may hold);
// sizes and modifies, which a Record always has room for, only some
// formats keep.
type Holds uint16

const (
	HoldsRegs     = Holds(CarriesRegs)    // registers and branch outcomes of fetches
	HoldsValues   = Holds(CarriesValues)  // values of loads and stores
	HoldsPIDs     = Holds(CarriesPIDs)    // processes other than 0
	HoldsThreads  = Holds(CarriesThreads) // threads other than 0
	HoldsSizes    = Holds(1 << 8)         // each reference's size
	HoldsModifies = Holds(1 << 9)         // modify records (a load and a store of the same bytes)

	holdsCarried = Holds(carriesAll)
)

// holdings lists what a format may hold, in the order of conversion notes,
// each with what a writer that cannot hold it does unless its format says
// (Format.Instead).
var holdings = []struct {
	h             Holds
	what, dropped string
}{
	{HoldsValues, "values", "they are dropped"},
	{HoldsPIDs, "process ids", "every record goes to one process"},
	{HoldsThreads, "thread ids", "every record goes to one thread"},
	{HoldsRegs, "registers or branches", "they are dropped, and a core then sees no dependencies (the loads of a pointer chase look independent)"},
	{HoldsSizes, "access sizes", "they are dropped"},
	{HoldsModifies, "modifies", "they are dropped"},
}

// HoldsOf says what the records of r may hold: what its format can, less
// what r says its records do not carry (CarriesOf). A reader of no
// registered format (a generator) may hold sizes and modifies.
func HoldsOf(r Reader) Holds {
	h := HoldsSizes | HoldsModifies
	if f := formatOf(r.Format()); f != nil {
		h = f.Holds &^ holdsCarried
	}
	return h | Holds(CarriesOf(r))
}

// Losses says what writing records that hold have in f loses: a note for
// each thing f drops, then one for all it writes another way (Instead).
func (f *Format) Losses(have Holds) []string {
	var notes, instead []string
	for _, c := range holdings {
		if have&c.h == 0 || f.Holds&c.h != 0 {
			continue
		}
		if how, ok := f.Instead[c.h]; ok {
			instead = append(instead, "no "+c.what+" ("+how+")")
		} else {
			notes = append(notes, f.Title+" traces hold no "+c.what+": "+c.dropped)
		}
	}
	if len(instead) > 0 {
		notes = append(notes, f.Title+" traces hold "+strings.Join(instead, " and "))
	}
	return notes
}
