package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDepthName(t *testing.T) {
	c, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set("levels", "l1i+l1d, l2, llc"); err != nil {
		t.Fatal(err)
	}
	var joined, data []string
	for d := range 5 {
		joined = append(joined, c.DepthName(d, false))
		data = append(data, c.DepthName(d, true))
	}
	if diff := cmp.Diff([]string{"l1i+l1d", "l2", "llc", "memory", "memory"}, joined); diff != "" {
		t.Errorf("both sides (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"l1d", "l2", "llc", "memory", "memory"}, data); diff != "" {
		t.Errorf("data side (-want +got):\n%s", diff)
	}
}

// A level may not take a name another block's counters go under.
func TestLevelNamesReserved(t *testing.T) {
	for _, name := range []string{"walker", "pwc", "swap", "core", "dram", "dtlb"} {
		c, err := Load("default")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Set("levels", "l1i+l1d,"+name); err == nil {
			t.Errorf("a level called %s was accepted", name)
		}
	}
}
