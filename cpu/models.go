package cpu

import (
	"slices"

	"github.com/vmemu/vmemu/sim"
)

// A model is one kind of core, stepped by the machine through Core. It
// works on the run's shared parts (run: the feed of instructions, the
// meter that counts retirements, the tally of the CPI stack) and ends the
// run with run.finish.
type model interface {
	next() sim.Cycle
	step(now, limit sim.Cycle)
	// free is the first cycle, from now, at which the core could run: its
	// own clock (a core that runs ahead) or the end of an interrupt it is
	// in.
	free(now sim.Cycle) sim.Cycle
	// interrupt stops the core from at to until (a shootdown's interrupt:
	// it retires, dispatches and fetches nothing), charged to shootdown.
	interrupt(at, until sim.Cycle)
	// charged is the first cycle not yet charged to the CPI stack, where
	// a measurement that starts now starts.
	charged() sim.Cycle
}

// models holds every kind of core by name. A new kind is a file that
// implements model and registers itself from init (see the in-order core,
// inorder.go, and the test-only ideal core, ideal_test.go).
var models = map[Model]modelInfo{}

type modelInfo struct {
	doc   string
	build func(r *run) model
}

// register makes a core model known to New and to the core.model key; doc
// says in a line what it models.
func register(name Model, doc string, build func(r *run) model) {
	if _, dup := models[name]; dup {
		panic("cpu: model " + string(name) + " registered twice")
	}
	models[name] = modelInfo{doc, build}
}

// ModelNames lists the registered models, sorted.
func ModelNames() []string {
	var names []string
	for m := range models {
		names = append(names, string(m))
	}
	slices.Sort(names)
	return names
}

// ModelDoc says in a line what a registered model is.
func ModelDoc(name string) string { return models[Model(name)].doc }
