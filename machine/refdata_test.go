package machine

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// refdata returns the path of a file under the reference data: the copy of
// ../shared/refdata in testdata/refdata at the top of the repository, or
// VMEMU_REFDATA.
func refdata(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv("VMEMU_REFDATA")
	if dir == "" {
		dir = filepath.Join("..", "testdata", "refdata")
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("reference data missing: %v (set VMEMU_REFDATA to the refdata folder)", err)
	}
	return p
}

// The repository carries a copy of the project's shared reference data so
// that a clean clone tests on its own; where the original sits beside the
// repository, the copy must equal it file for file.
func TestRefdataCopyMatchesShared(t *testing.T) {
	shared := filepath.Join("..", "..", "shared", "refdata")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("no shared reference data beside the repository: %v", err)
	}
	files := func(root string) map[string][]byte {
		out := map[string][]byte{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			out[rel] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want, got := files(shared), files(filepath.Join("..", "testdata", "refdata"))
	if len(want) == 0 {
		t.Fatal("shared reference data is empty")
	}
	for name := range want {
		if !bytes.Equal(want[name], got[name]) {
			t.Errorf("testdata/refdata/%s differs from ../shared/refdata/%s", name, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("testdata/refdata/%s is not in ../shared/refdata", name)
		}
	}
}
