package scenario

import (
	inputquote "github.com/vmemu/vmemu/quote"
	"github.com/vmemu/vmemu/traces"
)

// unbound is why a name a line was to bind has no value: the line's call
// failed, or its load faulted. A later use says so, rather than calling
// the name undefined.
type unbound struct {
	line int
	op   string
	why  string // the errno, or SIGSEGV
}

// bind gives a name the value its line produced, or, when the line failed
// (why is not ""), takes any value it had away and remembers why.
func (r *scenarioRun) bind(line *traces.ScenarioOp, v uint64, why string) {
	name := line.Bind
	if why == "" {
		r.values[name] = v
		delete(r.unbound, name)
		return
	}
	delete(r.values, name)
	if line.Op == "fork" || line.Op == "thread" {
		delete(r.procs, name)
		delete(r.tasks, name)
		r.lastName = "" // the name may have meant another process
	}
	r.unbound[name] = unbound{line.Line, line.Op, why}
}

// undefined is the error for a use of a name with no value (text is the
// whole argument, as "buf+8").
func (r *scenarioRun) undefined(op *traces.ScenarioOp, t traces.Token, name, text string) error {
	if u, ok := r.unbound[name]; ok {
		return r.errAt(op, t, "value", "%s has no value: the %s on line %d that was to bind it failed with %s", name, u.op, u.line, u.why)
	}
	return r.errAt(op, t, "value", "%s is not a number or a defined name", inputquote.Input(text))
}
