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

// ran builds a machine and runs one load on it: the core registers its
// counters when a run makes it.
func ran(t *testing.T, preset string, sets ...string) *machine.Machine {
	t.Helper()
	m, err := machine.BuildFrom(preset, sets...)
	if err != nil {
		t.Fatal(err)
	}
	r, err := traces.NewReader("one.lackey", strings.NewReader(" L 10000,8\n"))
	if err == nil {
		_, err = m.Run(r, machine.RunOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// docs/stats.md lists every counter of the default machine as its
// registry describes it, then those a machine with prefetchers adds, and
// the figures made from them (go test -update rewrites it).
func TestStatsDoc(t *testing.T) {
	m := ran(t, "default")
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
	writePrefetchStats(&b, m, ran(t, "modern", "stlb.prefetcher=next-page"))
	goldenFile(t, statsDoc, b.String())
}

// writePrefetchStats lists the counters a machine with prefetchers has
// that the default one does not, and the figures made from counters.
func writePrefetchStats(b *strings.Builder, def, pf *machine.Machine) {
	b.WriteString(`
## With prefetchers

A level with a prefetcher (` + "`LEVEL.prefetcher`" + `), and the MMU with a TLB prefetcher
(` + "`stlb.prefetcher`" + `), add these counters: here the ` + "`modern`" + ` preset's, with
` + "`stlb.prefetcher=next-page`" + `. Other levels count under their own names.

| name | unit | detail | what it counts |
|---|---|---|---|
`)
	have := map[string]bool{}
	for _, i := range def.Stats.Infos() {
		have[i.Name] = true
	}
	for _, i := range pf.Stats.Infos() {
		if have[i.Name] {
			continue
		}
		detail := ""
		if i.Detail {
			detail = "yes"
		}
		fmt.Fprintf(b, "| `%s` | count | %s | %s |\n", i.Name, detail, i.Doc)
	}
	b.WriteString(`
They make these figures, which are not counters: the JSON report has them in each level's
` + "`prefetch`" + ` object (and ` + "`translation.prefetch`" + `), a sweep names them there
(` + "`levels.l2.prefetch.accuracy`" + `), and the interval file has each over the run and the
interval (` + "`interval_NAME`" + `).

| name | what it is |
|---|---|
`)
	for _, d := range pf.Stats.Derived() {
		fmt.Fprintf(b, "| `%s` | %s |\n", d.Name, d.Doc)
	}
}
