package machine

import "testing"

// Every caller of Run gets what the configuration says of a trace's
// records: with -c cachelab (access.fetch: ignore) trans.trace's I lines
// are not accesses, as csim-ref counts it (238 at s=5 E=1 b=5, not 616),
// and with access.fetch: simulate they are.
func TestRunAppliesTheFetchFilter(t *testing.T) {
	trace := refdata(t, "cachelab/traces/trans.trace")
	for _, tc := range []struct {
		sets     []string
		accesses uint64
	}{
		{nil, 238},
		{[]string{"access.fetch=simulate"}, 616},
	} {
		rep := runPreset(t, "cachelab", trace, tc.sets...)
		if rep.Accesses != tc.accesses {
			t.Errorf("-c cachelab %v: %d accesses, want %d", tc.sets, rep.Accesses, tc.accesses)
		}
	}
}
