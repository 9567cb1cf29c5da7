package machine

import (
	"os"
	"path/filepath"
	"testing"
)

// refdata returns the path of a file under the shared reference data, which
// sits beside the repository (../shared/refdata), or VMEMU_REFDATA.
func refdata(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv("VMEMU_REFDATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "refdata")
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("reference data missing: %v (set VMEMU_REFDATA to the refdata folder)", err)
	}
	return p
}
