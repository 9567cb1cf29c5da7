package prefetch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// SPP by hand, with the paper's signature: sig' = (sig << 3) XOR delta,
// 12 bits, a delta in 7-bit sign-magnitude.
//
// Page 5 is read at offsets 0, 1, 2, 3. Its first access gives signature
// 0; the second, delta +1, signature 1 (a page's first delta follows no
// signature, so nothing is learnt); the third learns "+1 after 1" and
// moves to signature (1 << 3) ^ 1 = 9; the fourth learns "+1 after 9" and
// moves to 73. Nothing is prefetched: no signature it reached had been
// seen before.
//
// Page 6, offsets 0 and 1: signature 1 again, whose only delta, +1, has
// confidence 1/1 = 100% (>= T_f = 90%): offset 2 is prefetched into the
// L2. The lookahead goes on from signature 9 at offset 2, where the path's
// confidence is alpha x 1/1 x 100%, alpha, the global accuracy, being 0
// of 1 prefetch used so far: below T_p = 25%, it stops. The demand access
// to offset 2 finds it in the filter (alpha: 1 of 1) and, at signature 9,
// prefetches offset 3; signature 73 has nothing.
//
// Page 7, offsets 0 and 1: signature 1 (now 2 of 2 for +1) prefetches
// offset 2 into the L2; alpha is 1 of 2 prefetches, so the path to offset
// 3 has confidence 50% x 1/1 x 100% = 50%: over T_p, under T_f, offset 3 is
// prefetched into the level below.
func TestSPPSignaturesAndLookahead(t *testing.T) {
	l := &issuer{size: 32}
	p := build(t, "spp", Data, Config{})
	visit := func(page uint64, offs ...uint64) []ask {
		for _, o := range offs {
			p.Operate(load(page*64+o, 1, false, 0), l)
		}
		got := l.take()
		for i := range got {
			got[i].Line -= page * 64 // back to offsets within the page
		}
		return got
	}
	if got := visit(5, 0, 1, 2, 3); got != nil {
		t.Errorf("page 5 prefetched %v", got)
	}
	s := p.(*spp)
	if s.pt[1].delta[0] != 1 || s.pt[1].cDelta[0] != 1 || s.pt[9].cSig != 1 || s.pages[find(s.tags[:], 5)].sig != 73 {
		t.Errorf("after page 5: PT[1] %+v, PT[9] %+v, sig %d", s.pt[1], s.pt[9], s.pages[find(s.tags[:], 5)].sig)
	}
	if diff := cmp.Diff([]ask{{2, true}}, visit(6, 0, 1)); diff != "" {
		t.Errorf("page 6 offsets 0, 1 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]ask{{3, true}}, visit(6, 2)); diff != "" {
		t.Errorf("page 6 offset 2 (-want +got):\n%s", diff)
	}
	if s.issued != 2 || s.useful != 1 {
		t.Errorf("global counters: %d issued, %d useful; want 2, 1", s.issued, s.useful)
	}
	if diff := cmp.Diff([]ask{{2, true}, {3, false}}, visit(7, 0, 1)); diff != "" {
		t.Errorf("page 7 (-want +got):\n%s", diff)
	}
	// A prefetch stays in its page: a path that leaves it asks for nothing
	// beyond (offset 63, signature 9 predicting +1).
	if got := visit(8, 61, 62, 63); got != nil {
		for _, a := range got {
			if a.Line >= 64 {
				t.Errorf("page 8 prefetched offset %d", a.Line)
			}
		}
	}
}
