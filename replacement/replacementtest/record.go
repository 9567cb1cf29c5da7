// Package replacementtest has a replacement policy for the tests of the
// caches and the TLBs: LRU that records every call made of it, so a test
// can check the context its cache or TLB gives a policy, and that a
// registered policy is called at all.
package replacementtest

import "github.com/vmemu/vmemu/replacement"

// RegisterRecorder registers, under name, LRU that appends every Access it
// is given (to Update and to Victim) to the slice it returns. The slice
// holds the calls made of the last policy built under name.
func RegisterRecorder(name string) *[]replacement.Access {
	calls := new([]replacement.Access)
	replacement.Register(name, replacement.Registration{New: func(c replacement.Config) replacement.Policy {
		lru, err := replacement.New(replacement.LRU, c)
		if err != nil {
			panic(err) // unreachable: New checked c as LRU checks it
		}
		*calls = nil
		return recorder{&lru, calls}
	}})
	return calls
}

type recorder struct {
	*replacement.State
	calls *[]replacement.Access
}

func (r recorder) Update(a replacement.Access) {
	*r.calls = append(*r.calls, a)
	r.State.Update(&a)
}

func (r recorder) Victim(a replacement.Access) int {
	*r.calls = append(*r.calls, a)
	return r.State.Victim(a.Set, a.Addr, a.IP, a.Kind)
}
