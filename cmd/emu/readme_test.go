package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// The README cannot go stale: every fenced block of it is classified, and
// checked against what emu does now.
//
//   - A block of "$ " lines is a transcript: each command runs (with bash,
//     the emu of this tree first on PATH, in a folder that has the
//     repository's examples, testdata and traces), and what it prints must
//     be the lines that follow it.
//   - A ```sh block is commands: each must succeed ("make T" must be a
//     target of the Makefile: make -n T).
//   - <!-- output of: CMD --> above a block: the block is what CMD prints
//     ("make run": what the emu commands of make -n run print).
//   - <!-- usage --> above a block: the commands' synopsis, from their help.
//   - <!-- file: NAME --> above a block: a file the commands use, written
//     into the folder first.
//   - <!-- text --> above a block: prose in a block (a grammar), not run.
//
// go test ./cmd/emu -update rewrites the transcripts, outputs and synopsis
// from what the commands print. Every relative link must lead to a file of
// the repository.
func TestReadme(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	blocks, err := readmeBlocks(lines)
	if err != nil {
		t.Fatal(err)
	}
	checkLinks(t, string(data))
	r := newReadmeRunner(t)
	for _, b := range blocks {
		if name, ok := strings.CutPrefix(b.note, "file: "); ok {
			r.write(name, b.body(lines))
		}
	}
	var out []string
	last := 0
	for _, b := range blocks {
		want := b.body(lines)
		got, checked := r.check(b, want)
		if checked && got != want && !*update {
			t.Errorf("README.md:%d: the block is not what emu prints (-README +emu; go test ./cmd/emu -update rewrites it):\n%s",
				b.open+1, cmp.Diff(want, got))
		}
		out = append(out, lines[last:b.open+1]...)
		if got != "" || want == "" {
			out = append(out, strings.Split(got, "\n")...)
		}
		last = b.close
	}
	out = append(out, lines[last:]...)
	if *update {
		if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readmeBlock is one fenced block: its fences' line indexes, its language
// and the note above it.
type readmeBlock struct {
	open, close int
	lang, note  string
}

func (b readmeBlock) body(lines []string) string {
	return strings.Join(lines[b.open+1:b.close], "\n")
}

var noteRE = regexp.MustCompile(`^<!-- (.*) -->$`)

func readmeBlocks(lines []string) ([]readmeBlock, error) {
	var out []readmeBlock
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		b := readmeBlock{open: i, lang: strings.TrimPrefix(lines[i], "```")}
		for j := i - 1; j >= 0; j-- {
			if m := noteRE.FindStringSubmatch(lines[j]); m != nil {
				b.note = m[1]
			}
			if strings.TrimSpace(lines[j]) != "" {
				break
			}
		}
		for i++; i < len(lines) && lines[i] != "```"; i++ {
		}
		if i == len(lines) {
			return nil, fmt.Errorf("README.md:%d: the block never closes", b.open+1)
		}
		b.close = i
		out = append(out, b)
	}
	return out, nil
}

// checkLinks finds the README's relative links and checks each leads to a
// file or folder of the repository.
func checkLinks(t *testing.T, text string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`\]\(([^)#]+)(#[^)]*)?\)`).FindAllStringSubmatch(text, -1) {
		target := m[1]
		if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
			continue
		}
		if strings.HasPrefix(target, "../") {
			t.Errorf("README.md links to %s, outside the repository (nothing there in a clone)", target)
			continue
		}
		if _, err := os.Stat(filepath.Join("..", "..", target)); err != nil {
			t.Errorf("README.md links to %s: %v", target, err)
		}
	}
}

// readmeRunner runs the README's commands in a folder of its own.
type readmeRunner struct {
	t        *testing.T
	dir, bin string
}

func newReadmeRunner(t *testing.T) *readmeRunner {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash to run the README's commands")
	}
	r := &readmeRunner{t: t, dir: t.TempDir(), bin: t.TempDir()}
	build := exec.Command("go", "build", "-ldflags", "-X main.version=dev", "-o", filepath.Join(r.bin, "emu"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	for _, name := range []string{"examples", "testdata", "traces"} {
		if err := os.Symlink(filepath.Join(root, name), filepath.Join(r.dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func (r *readmeRunner) write(name, text string) {
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(text+"\n"), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// shell runs a command line with bash in the folder and returns what it
// printed on standard output and error, in order, and whether it succeeded.
func (r *readmeRunner) shell(line string) (string, bool) {
	cmd := exec.Command("bash", "-c", line)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "PATH="+r.bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err == nil
}

// check says what the block should hold now, and whether it is checked.
func (r *readmeRunner) check(b readmeBlock, body string) (string, bool) {
	lines := strings.Split(body, "\n")
	note, _, _ := strings.Cut(b.note, ":")
	switch {
	case note == "usage":
		return usage(newRoot(nil, nil)), true
	case note == "output of":
		return r.outputOf(strings.TrimSpace(strings.TrimPrefix(b.note, "output of:"))), true
	case note == "file" || note == "text":
		return body, false
	case b.lang == "sh":
		r.commands(b, lines)
		return body, false
	case strings.HasPrefix(lines[0], "$ "):
		return r.transcript(lines), true
	}
	r.t.Errorf("README.md:%d: a block that is neither commands (```sh), a transcript ($ lines), nor noted (<!-- output of: CMD -->, usage, file: NAME, text)", b.open+1)
	return body, false
}

// transcript runs each "$ " line and puts what it prints under it.
func (r *readmeRunner) transcript(lines []string) string {
	var out []string
	for _, l := range lines {
		cmd, ok := strings.CutPrefix(l, "$ ")
		if !ok {
			continue
		}
		printed, _ := r.shell(cmd)
		out = append(out, l)
		if printed = strings.TrimSuffix(printed, "\n"); printed != "" {
			out = append(out, strings.Split(printed, "\n")...)
		}
	}
	return strings.Join(out, "\n")
}

// commands runs a ```sh block's lines, which must succeed.
func (r *readmeRunner) commands(b readmeBlock, lines []string) {
	for i, l := range lines {
		cmd := strings.TrimSpace(l)
		if cmd == "" || strings.HasPrefix(cmd, "#") {
			continue
		}
		if target, ok := strings.CutPrefix(cmd, "make "); ok {
			r.makeRecipe(strings.Fields(strings.SplitN(target, "#", 2)[0])[0])
			continue
		}
		if strings.Contains(cmd, "emu record") {
			if _, err := exec.LookPath("valgrind"); err != nil {
				r.t.Logf("README.md:%d: skipped, valgrind is not installed: %s", b.open+2+i, cmd)
				continue
			}
		}
		if out, ok := r.shell(cmd); !ok {
			r.t.Errorf("README.md:%d: %s failed:\n%s", b.open+2+i, cmd, out)
		}
	}
}

// makeRecipe returns the emu commands make would run for target, as run
// from the folder ("./bin/emu" is emu on PATH).
func (r *readmeRunner) makeRecipe(target string) []string {
	cmd := exec.Command("make", "-n", target)
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Errorf("make -n %s: %v\n%s", target, err, out)
		return nil
	}
	var emus []string
	for _, l := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(l, "./bin/emu "); ok {
			emus = append(emus, "emu "+rest)
		}
	}
	return emus
}

func (r *readmeRunner) outputOf(cmd string) string {
	cmds := []string{cmd}
	if target, ok := strings.CutPrefix(cmd, "make "); ok {
		cmds = r.makeRecipe(target)
	}
	var out string
	for _, c := range cmds {
		printed, ok := r.shell(c)
		if !ok {
			r.t.Errorf("%s failed:\n%s", c, printed)
		}
		out += printed
	}
	return strings.TrimSuffix(out, "\n")
}

// usage is every command's synopsis, "emu " and its use line, wrapped at
// 100 columns between its options.
func usage(root *cobra.Command) string {
	var lines []string
	var walk func(c *cobra.Command, path string)
	walk = func(c *cobra.Command, path string) {
		if c.Runnable() && !c.Hidden && c.Name() != "help" {
			lines = append(lines, wrapUse(path+c.Use))
		}
		for _, sub := range c.Commands() {
			walk(sub, path+c.Name()+" ")
		}
	}
	for _, name := range []string{"run", "record", "csim", "explain", "dram", "trace", "sweep", "plot", "config", "calibrate"} {
		c, _, err := root.Find([]string{name})
		if err == nil {
			walk(c, "emu ")
		}
	}
	return strings.Join(lines, "\n")
}

// wrapUse breaks a use line at 100 columns, between options (never inside
// brackets), the rest indented under the first option.
func wrapUse(use string) string {
	var words []string
	depth, start := 0, 0
	for i, c := range use {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case ' ':
			if depth == 0 {
				words = append(words, use[start:i])
				start = i + 1
			}
		}
	}
	words = append(words, use[start:])
	indent := strings.Repeat(" ", len(words[0])+len(words[1])+2)
	out, line := "", words[0]
	for _, w := range words[1:] {
		if len(line)+1+len(w) > 100 {
			out += line + "\n"
			line = indent[:len(indent)-1]
		}
		line += " " + w
	}
	return out + line
}

// docs/design.md is a copy of the project's shared map, so that the
// README's link leads somewhere in a clone; where the original sits beside
// the repository, the copy must equal it.
func TestDesignCopyMatchesShared(t *testing.T) {
	shared, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "DESIGN.md"))
	if err != nil {
		t.Skipf("no shared DESIGN.md beside the repository: %v", err)
	}
	copied, err := os.ReadFile(filepath.Join("..", "..", "docs", "design.md"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(shared), string(copied)); diff != "" {
		t.Errorf("docs/design.md differs from ../shared/DESIGN.md (-shared +copy):\n%s", diff)
	}
}
