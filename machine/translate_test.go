package machine

import (
	"io"
	"os"
	"testing"

	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// distinctPages counts the 4 KiB pages a trace touches, accesses over a
// page boundary touching both.
func distinctPages(t *testing.T, path string) int {
	r, err := traces.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pages := map[uint64]bool{}
	buf := make([]traces.Record, 4096)
	for {
		n, err := r.Read(buf)
		for _, rec := range buf[:n] {
			pages[rec.Addr>>12] = true
			pages[(rec.Addr+uint64(rec.Size)-1)>>12] = true
		}
		if err == io.EOF {
			return len(pages)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A lackey trace replays end to end with translation on: every page it
// touches is mapped on first touch, once, and nothing else faults; page-table
// reads go through L1D as their own kind; the breakdown adds up.
func TestLackeyWithTranslation(t *testing.T) {
	path := refdata(t, "lackey/matmul.lackey.gz")
	rep := runPreset(t, "default", path)
	tr := rep.Translation
	if tr == nil {
		t.Fatal("no translation report")
	}
	if want := uint64(distinctPages(t, path)); tr.MinorFaults != want {
		t.Errorf("minor faults = %d, want %d (the distinct pages touched)", tr.MinorFaults, want)
	}
	if tr.SIGSEGV != 0 {
		t.Errorf("SIGSEGV = %d, want 0", tr.SIGSEGV)
	}
	var l1d report.LevelReport
	for _, l := range rep.Levels {
		if l.Name == "l1d" {
			l1d = l
		}
	}
	pte := l1d.ByKind[sim.PTERead.String()]
	if pte.Hits+pte.Misses != tr.PTEReads["l1d"]+tr.PTEReads["l2"]+tr.PTEReads["llc"]+tr.PTEReads["memory"] {
		t.Errorf("l1d saw %d page-table reads, the walker made %v", pte.Hits+pte.Misses, tr.PTEReads)
	}
	if tr.Walks < tr.MinorFaults || tr.Translations != rep.Kinds[0].Accesses+rep.Kinds[1].Accesses+rep.Kinds[2].Accesses {
		t.Errorf("walks %d, translations %d, accesses %+v", tr.Walks, tr.Translations, rep.Kinds)
	}
	var sum uint64
	for _, b := range rep.Breakdown {
		sum += b.Cycles
	}
	if sum != rep.Cycles {
		t.Errorf("breakdown sums to %d, cycles are %d", sum, rep.Cycles)
	}
}

func TestTranslationDeterministicWithRandomFrames(t *testing.T) {
	path := refdata(t, "lackey/matmul.lackey.gz")
	a := runPreset(t, "default", path, "os.frames=random")
	b := runPreset(t, "default", path, "os.frames=random")
	if a.Cycles != b.Cycles {
		t.Errorf("two runs with random frames: %d and %d cycles", a.Cycles, b.Cycles)
	}
}
