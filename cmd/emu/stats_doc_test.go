package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
	r, err := traces.Open("../../examples/matmul.lackey.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := m.Run(r, machine.RunOptions{Max: 1}); err != nil { // the core registers when it is made
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
	got := b.String()
	if *update {
		if err := os.WriteFile(statsDoc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(statsDoc)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-file +registry):\n%s", statsDoc, diff)
	}
}
