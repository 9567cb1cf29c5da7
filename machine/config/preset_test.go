package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPresetLoadsAreIndependent checks that a preset, parsed once and then
// copied, gives every Load its own configuration: a change to one is not
// seen by the next, and a copy equals a fresh parse, key by key.
func TestPresetLoadsAreIndependent(t *testing.T) {
	a, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"l2.size=256KiB", "levels=l1i+l1d,l2", "seed=9"} {
		if err := a.SetArg(s); err != nil {
			t.Fatal(err)
		}
	}
	b, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	data, err := presetFiles.ReadFile("presets/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := fromLayers("default", data, "preset default", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, want := map[string]string{}, map[string]string{}
	for _, k := range b.Keys() {
		got[k.Name] = b.Get(k.Name) + " from " + b.Origin(k.Name)
	}
	for _, k := range fresh.Keys() {
		want[k.Name] = fresh.Get(k.Name) + " from " + fresh.Origin(k.Name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("second load (-fresh parse +loaded):\n%s", diff)
	}
	if a.Get("l2.size") == b.Get("l2.size") || len(a.Levels()) == len(b.Levels()) {
		t.Errorf("the changed copy and the next load agree: l2.size %s and %s, %d and %d levels",
			a.Get("l2.size"), b.Get("l2.size"), len(a.Levels()), len(b.Levels()))
	}
}
