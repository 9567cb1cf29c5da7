package machine

import "github.com/vmemu/vmemu/traces"

// input is what this machine's core reads of a trace: the trace, or with
// access.fetch: ignore its loads, stores and modifies alone, each then an
// instruction of its own, as Cache Lab's csim reads a trace. Run and
// RunMany apply it, so that every caller replays a trace as the
// configuration says.
func (m *Machine) input(r traces.Reader) traces.Reader {
	if m.ignoreFetches {
		return traces.WithoutFetches(r)
	}
	return r
}
