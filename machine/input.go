package machine

import "github.com/vmemu/vmemu/traces"

// Input is what this machine's core reads of a trace: the trace, or with
// access.fetch: ignore its loads, stores and modifies alone, each then an
// instruction of its own, as Cache Lab's csim reads a trace.
func (m *Machine) Input(r traces.Reader) traces.Reader {
	if m.ignoreFetches {
		return traces.WithoutFetches(r)
	}
	return r
}
