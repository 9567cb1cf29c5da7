package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/traces"
)

// statsDoc is the page that lists the registry's counters.
const statsDoc = "../../docs/stats.md"

// docs/stats.md lists every counter of the default machine as its
// registry describes it (go test -update rewrites it).
func TestStatsDoc(t *testing.T) {
	m, err := machine.BuildFrom("default")
	if err != nil {
		t.Fatal(err)
	}
	// The core registers its counters when a run makes it: one load will do.
	r, err := traces.NewReader("one.lackey", strings.NewReader(" L 10000,8\n"))
	if err == nil {
		_, err = m.Run(r, machine.RunOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`# Statistics

Every counter of the default machine's registry (` + "`sim.Stats`" + `), in the order the
components register them. ` + "`emu run --json`" + ` writes them all under ` + "`stats`" + `; a sweep
metric or ` + "`emu plot metric --y`" + ` names one as ` + "`stats.NAME`" + `. The other machines name
their levels and TLBs as their configurations do. The interval file (` + "`--interval`" + `)
has every counter but the details. Warm-up resets every one of them. This page is
written by ` + "`go test ./cmd/emu -update`" + `.

| name | unit | detail | what it counts |
|---|---|---|---|
`)
	for _, i := range m.Stats.Infos() {
		name, unit, detail := i.Name, i.Unit, ""
		if i.Bins > 0 {
			name += ".LOW"
		}
		if unit == "" {
			unit = "count"
		}
		if i.Detail {
			detail = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", name, unit, detail, i.Doc)
	}
	goldenFile(t, statsDoc, b.String())
}
