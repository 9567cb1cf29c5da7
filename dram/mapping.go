package dram

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Location is where one access lands: the bank, the row, and the column in
// units of whole bursts (Column c holds bytes [c, c+1) x LineBytes of the row).
type Location struct {
	Channel, Rank, BankGroup, Bank, Row, Column int
}

// Address fields, in the order a Location lists them.
const (
	fieldCh = iota
	fieldRa
	fieldBg
	fieldBa
	fieldRo
	fieldCo
	numFields
)

var fieldNames = [numFields]string{"ch", "ra", "bg", "ba", "ro", "co"}

// Named mappings, most significant field first. "Ba" in Ramulator 2's names
// is the bank and its bank group, the group in the lower bits for RoBaRaCoCh
// and the upper for ChRaBaRoCo, exactly as Ramulator 2's linear mappers
// slice them (src/addr_mapper/impl/linear_mappers.cpp).
var namedMappings = map[string][]int{
	"robaracoch": {fieldRo, fieldBa, fieldBg, fieldRa, fieldCo, fieldCh},
	"chrabaroco": {fieldCh, fieldRa, fieldBg, fieldBa, fieldRo, fieldCo},
}

// piece is a run of address bits that lands in one field.
type piece struct {
	field      int
	width      uint
	addrShift  uint // where the run starts in the address (above the line offset)
	fieldShift uint // where it starts in the field
}

// Mapping turns physical addresses into Locations and back. It is a pure
// function of its spec and the geometry.
type Mapping struct {
	spec   string
	offset uint // log2(line bytes): byte-in-line bits, ignored
	pieces []piece
	widths [numFields]uint
	// xor permutes the bank: bank group and bank bits are XORed with the
	// lowest row bits (permutation-based page interleaving, Zhang, Zhu and
	// Zhang, MICRO 2000), so rows that conflict in one bank spread over many.
	xor      bool
	bankBits uint // bg + ba bits, the width the permutation covers
	capacity uint64
}

// ParseMapping reads a mapping spec for geometry g. A spec is either a name,
// "RoBaRaCoCh" or "ChRaBaRoCo" (Ramulator 2's), or a bit-field string listing
// fields from the most significant bit down, in DRAMsim3's compact form
// ("rorabgbacoch") or as tokens separated by spaces, commas or dashes, each
// a field name with an optional width ("ro ba:1 bg ba:1 ra co ch") so a field
// can be split; a field named without a width takes its remaining bits.
// Fields: ch, ra, bg, ba, ro, co; one with zero bits in g may be left out.
// A final "-xor" (or token "xor") adds the row-XOR-bank permutation:
// "RoBaRaCoCh-xor". Names are case-insensitive.
func ParseMapping(spec string, g Geometry) (*Mapping, error) {
	if err := g.validate(DDR5); err != nil { // the widest geometry any protocol allows
		return nil, err
	}
	m := &Mapping{spec: spec, offset: log2(g.LineBytes()), capacity: g.Capacity()}
	m.widths = [numFields]uint{log2(g.Channels), log2(g.Ranks), log2(g.BankGroups), log2(g.BanksPerGroup), log2(g.Rows), log2(g.Columns / g.BurstLength)}
	m.bankBits = m.widths[fieldBg] + m.widths[fieldBa]
	s := strings.ToLower(strings.TrimSpace(spec))
	if base, ok := strings.CutSuffix(s, "-xor"); ok {
		m.xor, s = true, base
	}
	tokens, xor, err := mappingTokens(s)
	m.xor = m.xor || xor
	if err != nil {
		return nil, &ConfigError{Field: "policy.mapping", Msg: fmt.Sprintf("%q: %v", spec, err)}
	}
	if err := m.layout(tokens); err != nil {
		// A layout that does not fit may be a geometry changed under it.
		return nil, badWith("policy.mapping", []string{"geometry.channels", "geometry.ranks", "geometry.bank_groups",
			"geometry.banks_per_group", "geometry.rows", "geometry.columns", "geometry.burst_length"}, "%q: %v", spec, err)
	}
	return m, nil
}

// token is one field of a bit-field string; width < 0 means "the rest".
type token struct {
	field int
	width int
}

func mappingTokens(s string) (out []token, xor bool, err error) {
	if order, ok := namedMappings[s]; ok {
		out = make([]token, len(order))
		for i, f := range order {
			out[i] = token{f, -1}
		}
		return out, false, nil
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '-' || r == '_' || r == '\t' })
	if len(words) == 0 {
		return nil, false, fmt.Errorf("empty: want a name (RoBaRaCoCh, ChRaBaRoCo, RoBaRaCoCh-xor) or fields like \"robabgracoch\"")
	}
	if len(words) == 1 && !strings.Contains(s, ":") {
		words = compactWords(s)
		if words == nil {
			return nil, false, fmt.Errorf("not a mapping name (RoBaRaCoCh, ChRaBaRoCo) nor a field string like \"robabgracoch\"")
		}
	}
	for _, w := range words {
		if w == "xor" {
			xor = true
			continue
		}
		t, err := parseToken(w)
		if err != nil {
			return nil, false, err
		}
		out = append(out, t)
	}
	return out, xor, nil
}

// compactWords splits "robabgracoch" into two-letter field names.
func compactWords(s string) []string {
	if len(s)%2 != 0 || len(s) == 0 {
		return nil
	}
	var out []string
	for i := 0; i < len(s); i += 2 {
		out = append(out, s[i:i+2])
	}
	return out
}

func parseToken(w string) (token, error) {
	name, width, hasWidth := strings.Cut(w, ":")
	f := -1
	for i, n := range fieldNames {
		if n == name {
			f = i
		}
	}
	if f < 0 {
		return token{}, fmt.Errorf("unknown field %q (fields: ch ra bg ba ro co)", name)
	}
	if !hasWidth {
		return token{f, -1}, nil
	}
	n, err := strconv.Atoi(width)
	if err != nil || n < 0 || n > 64 {
		return token{}, fmt.Errorf("field %s: width %q is not a number of bits", name, width)
	}
	return token{f, n}, nil
}

// layout turns the tokens (most significant first) into pieces, checking
// that every field gets exactly the bits the geometry needs.
func (m *Mapping) layout(tokens []token) error {
	var given [numFields]int
	var rest [numFields]int
	for _, t := range tokens {
		if t.width < 0 {
			rest[t.field]++
		} else {
			given[t.field] += t.width
		}
	}
	for f := range numFields {
		need := int(m.widths[f])
		switch {
		case rest[f] > 1:
			return fmt.Errorf("field %s appears more than once without a width", fieldNames[f])
		case given[f] > need:
			return fmt.Errorf("field %s has %d bits but the geometry needs %d", fieldNames[f], given[f], need)
		case rest[f] == 0 && given[f] != need:
			return fmt.Errorf("field %s has %d bits but the geometry needs %d", fieldNames[f], given[f], need)
		}
	}
	// Lay the pieces out from the least significant bit up; a field's first
	// listed piece holds its highest bits, so walk each field downwards.
	var fieldShift [numFields]uint
	var addrShift uint
	for i := len(tokens) - 1; i >= 0; i-- {
		t := tokens[i]
		w := uint(t.width)
		if t.width < 0 {
			w = m.widths[t.field] - uint(given[t.field])
		}
		if w == 0 {
			continue
		}
		m.pieces = append(m.pieces, piece{field: t.field, width: w, addrShift: addrShift, fieldShift: fieldShift[t.field]})
		fieldShift[t.field] += w
		addrShift += w
	}
	return nil
}

// Spec is the text the mapping was parsed from.
func (m *Mapping) Spec() string { return m.spec }

// Capacity is the bytes the mapping covers; Decode ignores higher bits.
func (m *Mapping) Capacity() uint64 { return m.capacity }

// Decode finds where the line holding addr lives. Bits above the capacity
// are ignored (callers check the range when it matters).
func (m *Mapping) Decode(addr uint64) Location {
	var f [numFields]uint64
	a := addr >> m.offset
	for _, p := range m.pieces {
		f[p.field] |= (a >> p.addrShift & (1<<p.width - 1)) << p.fieldShift
	}
	if m.xor {
		bank := f[fieldBa]<<m.widths[fieldBg] | f[fieldBg]
		bank ^= f[fieldRo] & (1<<m.bankBits - 1)
		f[fieldBg] = bank & (1<<m.widths[fieldBg] - 1)
		f[fieldBa] = bank >> m.widths[fieldBg]
	}
	return Location{int(f[fieldCh]), int(f[fieldRa]), int(f[fieldBg]), int(f[fieldBa]), int(f[fieldRo]), int(f[fieldCo])}
}

// Encode is the inverse of Decode: the address of the first byte of the line
// at l. Fields wider than the geometry are truncated.
func (m *Mapping) Encode(l Location) uint64 {
	f := [numFields]uint64{uint64(l.Channel), uint64(l.Rank), uint64(l.BankGroup), uint64(l.Bank), uint64(l.Row), uint64(l.Column)}
	for i := range f {
		f[i] &= 1<<m.widths[i] - 1
	}
	if m.xor {
		bank := f[fieldBa]<<m.widths[fieldBg] | f[fieldBg]
		bank ^= f[fieldRo] & (1<<m.bankBits - 1)
		f[fieldBg] = bank & (1<<m.widths[fieldBg] - 1)
		f[fieldBa] = bank >> m.widths[fieldBg]
	}
	var a uint64
	for _, p := range m.pieces {
		a |= (f[p.field] >> p.fieldShift & (1<<p.width - 1)) << p.addrShift
	}
	return a << m.offset
}

func log2(n int) uint {
	if n <= 1 {
		return 0
	}
	return uint(bits.Len(uint(n)) - 1)
}
