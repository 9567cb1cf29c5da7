package tlb

// Invalidation, as Intel SDM Vol. 3A §4.10.4.1 defines it for the TLBs (the
// paging-structure caches those instructions also flush are mmu/'s). Each
// call returns how many valid entries it removed and adds them to the
// invalidations counter. The replacement state is left alone: an invalid way
// is filled first anyway. The doc comment of the package maps every
// instruction to its call.

// InvalidatePage models INVLPG va executed under PCID pcid (SDM §4.10.4.1:
// "invalidates any TLB entries that are for a page number corresponding to
// the linear address and that are associated with the current PCID. It also
// invalidates any global TLB entries with that page number, regardless of
// PCID"). It does so at every page size the TLB holds: the 4 KiB page of va,
// the 2 MiB page that contains it, and so on. Entries for the same page under
// another PCID, non-global, stay.
func (t *TLB) InvalidatePage(va uint64, pcid uint16) int {
	return t.invalidateAddr(va, func(e *Entry) bool { return e.PCID == pcid || e.Global })
}

// InvalidateAddr models INVPCID type 0, individual-address invalidation
// (SDM §4.10.4.1): the entries for the page of va, at every size the TLB
// holds, tagged with pcid, except global ones.
func (t *TLB) InvalidateAddr(va uint64, pcid uint16) int {
	return t.invalidateAddr(va, func(e *Entry) bool { return e.PCID == pcid && !e.Global })
}

// InvalidatePCID models INVPCID type 1, single-context invalidation: every
// non-global entry tagged with pcid. It also models MOV to CR3, which
// invalidates the non-global entries of the PCID being loaded (of PCID 0 when
// CR4.PCIDE = 0); with CR4.PCIDE = 1 and bit 63 of the source set, MOV to CR3
// invalidates nothing and the caller does not call this.
func (t *TLB) InvalidatePCID(pcid uint16) int {
	return t.invalidateAll(func(e *Entry) bool { return e.PCID == pcid && !e.Global })
}

// InvalidateAll models all-context invalidation: INVPCID type 3 with
// keepGlobal (every entry but the global ones) and INVPCID type 2 without
// (every entry, global ones too). MOV to CR4 that changes CR4.PGE, or clears
// CR4.PCIDE, is InvalidateAll(false).
func (t *TLB) InvalidateAll(keepGlobal bool) int {
	return t.invalidateAll(func(e *Entry) bool { return !keepGlobal || !e.Global })
}

func (t *TLB) invalidateAddr(va uint64, match func(*Entry) bool) int {
	n := 0
	for _, s := range t.shifts {
		vpn := va >> s
		base := int(vpn&t.setMask) * t.ways
		for i := base; i < base+t.ways; i++ {
			if t.valid(i) && t.vpns[i] == vpn && t.ents[i].PageShift == s && match(&t.ents[i]) {
				t.meta[i] &^= metaValid
				n++
			}
		}
	}
	t.n.Invalidations += uint64(n)
	t.lastOK = false
	t.gen++
	return n
}

func (t *TLB) invalidateAll(match func(*Entry) bool) int {
	n := 0
	for i := range t.ents {
		if t.valid(i) && match(&t.ents[i]) {
			t.meta[i] &^= metaValid
			n++
		}
	}
	t.n.Invalidations += uint64(n)
	t.lastOK = false
	t.gen++
	return n
}
