package traces

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	inputquote "github.com/vmemu/vmemu/quote"
)

// A scenario (.emu) is a text file of operations, one a line, each run by a
// process: memory accesses with values, system calls, and files placed on
// the emulated disk. The grammar, one line:
//
//	line     = [ name "=" ] proc op { arg } [ "==" expect ] [ "#" comment ]
//	         | "file" path source                      (a file on the disk)
//	         | "set" key "=" value                     (a machine key, before the run)
//	proc     = "p1" | name                             (a name bound by fork)
//	op       = load | store | modify | fetch | fork | execve | mmap | munmap
//	         | mprotect | madvise | brk | open | close | read | write | msync
//	         | exit | wait
//	arg      = number | name | name "+" number | name "-" number | word
//	expect   = number | errno (EINVAL, EBADF, ENOMEM, ...) | "SIGSEGV"
//	source   = "text=" quoted | "bytes=" number [ "seed=" number ]
//	         | "words=" number | "host=" path
//
// Numbers are decimal or 0x hex. "buf = p1 mmap 0 8192 PROT_READ|PROT_WRITE
// MAP_PRIVATE|MAP_ANONYMOUS -1 0" binds buf to the address returned; "c = p1
// fork" binds c to the child, which then runs lines as "c store buf 8 1".
// "== v" after a load states the value it must return (a mismatch fails
// the run); after a system call, its result or errno; "== SIGSEGV" says an
// access must be refused. A file of "words=N" bytes holds, in each 8-byte
// word, its own offset (little-endian), so scenarios can state what a load
// of any word must return.

// ScenarioOp is one line of a scenario.
type ScenarioOp struct {
	Line   int
	Bind   string // the name the result is bound to, or ""
	Proc   string // "p1" or a name bound by fork
	Op     string
	Args   []Token
	Expect *Token
	// For "file" lines: the file's name and source.
	File *FileSpec
	// Literal says a load, store, modify or fetch has only numbers for
	// operands: they are then in Addr, Size and Value too, so that a run
	// of many accesses reads them from the line itself, not its tokens.
	Literal           bool
	Addr, Size, Value uint64
}

// Token is one word of a line, with its column (1-based) for errors. A
// word that is a number has it in Num (IsNum), read once at parse time.
type Token struct {
	Text  string
	Col   int
	Num   uint64
	IsNum bool
}

// FileSpec says what a "file" line puts on the disk.
type FileSpec struct {
	Path  string
	Text  string // text=...
	Bytes uint64 // bytes=N: N bytes of a seeded pattern
	Seed  uint64
	Host  string // host=PATH: a file of the host
	Words uint64 // words=N: N bytes, each 8-byte word holding its offset
	// SourceCol is the column of the source (text=, bytes=, words= or
	// host=) named last, for errors about it.
	SourceCol int
}

// scenarioOpNames holds each operation's name once (see ParseScenario).
var scenarioOpNames = func() map[string]string {
	m := map[string]string{"file": "file", "set": "set"}
	for k := range scenarioArity {
		m[k] = k
	}
	return m
}()

// scenarioArity gives each operation's argument count range.
var scenarioArity = map[string][2]int{
	"load": {2, 2}, "store": {3, 3}, "modify": {3, 3}, "fetch": {2, 2},
	"fork": {0, 0}, "execve": {1, 5}, "mmap": {4, 6}, "munmap": {2, 2},
	"mprotect": {3, 3}, "brk": {1, 1}, "open": {1, 2}, "close": {1, 1},
	"read": {3, 3}, "write": {3, 3}, "msync": {2, 2}, "exit": {0, 1}, "wait": {0, 1},
	"madvise": {3, 3},
}

// Scenario is a parsed scenario file.
type Scenario struct {
	Name string
	Ops  []ScenarioOp
}

// Settings returns the scenario's "set key=value" lines, which configure
// the machine it runs on.
func (s *Scenario) Settings() []string {
	var out []string
	for _, op := range s.Ops {
		if op.Op == "set" {
			out = append(out, op.Args[0].Text)
		}
	}
	return out
}

// IsScenario says whether the file called name is a scenario rather than
// a trace: its name ends in .emu. A scenario is not a trace format: it is
// parsed whole and run (scenario.Run in machine/scenario), not streamed and replayed,
// so it is not registered, and Open refuses one as not a trace.
func IsScenario(name string) bool { return strings.HasSuffix(name, ".emu") }

// ReadScenario parses a scenario file.
func ReadScenario(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseScenario(path, f)
}

// ParseScenario parses a scenario from r; name stands for the file.
func ParseScenario(name string, r io.Reader) (*Scenario, error) {
	s := &Scenario{Name: name}
	procs := map[string]bool{"p1": true}
	values := map[string]bool{}
	procNames := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxScenarioLine)
	line := 1
	for ; sc.Scan(); line++ {
		op, err := parseScenarioLine(sc.Text(), line)
		if err != nil {
			return nil, s.errorAt(err)
		}
		if op == nil {
			continue
		}
		if err := checkScenarioNames(op, procs, values); err != nil {
			return nil, s.errorAt(err)
		}
		// One copy of each operation and process name, so that comparing
		// them while running finds the same pointer and reads no bytes.
		if c, ok := scenarioOpNames[op.Op]; ok {
			op.Op = c
		}
		if c, ok := procNames[op.Proc]; ok {
			op.Proc = c
		} else {
			procNames[op.Proc] = op.Proc
		}
		s.Ops = append(s.Ops, *op)
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, &Error{File: name, Line: line, Field: "line", Msg: "longer than 1 MiB (not a scenario?)", Err: err}
	} else if err != nil {
		return nil, &Error{File: name, Msg: err.Error(), Err: err}
	}
	return s, nil
}

// maxScenarioLine bounds a line, so that a file that is not a scenario
// cannot take memory without end.
const maxScenarioLine = 1 << 20

// scenarioError is an error at a column of a line.
type scenarioError struct {
	line, col int
	field     string
	msg       string
}

func (e *scenarioError) Error() string { return e.msg }

func (s *Scenario) errorAt(err error) error {
	le := err.(*scenarioError)
	return &Error{File: fmt.Sprintf("%s", s.Name), Line: le.line, Field: fmt.Sprintf("column %d: %s", le.col, le.field), Msg: le.msg}
}

// scenarioTokens splits a line into words with their columns; a quoted string is
// one word (quotes kept), a # starts a comment.
func scenarioTokens(text string) []Token {
	var out []Token
	for i := 0; i < len(text); {
		switch c := text[i]; {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			return out
		default:
			j := i
			inQuote := false
			for j < len(text) && (inQuote || (text[j] != ' ' && text[j] != '\t' && text[j] != '#')) {
				if text[j] == '"' {
					inQuote = !inQuote
				}
				j++
			}
			t := Token{Text: text[i:j], Col: i + 1}
			if v, err := strconv.ParseInt(t.Text, 0, 64); err == nil {
				t.Num, t.IsNum = uint64(v), true
			} else if v, err := strconv.ParseUint(t.Text, 0, 64); err == nil {
				t.Num, t.IsNum = v, true
			}
			out = append(out, t)
			i = j
		}
	}
	return out
}

func parseScenarioLine(text string, line int) (*ScenarioOp, error) {
	toks := scenarioTokens(text)
	if len(toks) == 0 {
		return nil, nil
	}
	bad := func(t Token, field, format string, a ...any) error {
		return &scenarioError{line, t.Col, field, fmt.Sprintf(format, a...)}
	}
	op := &ScenarioOp{Line: line}
	switch toks[0].Text {
	case "file":
		return parseFileLine(op, toks, bad)
	case "set":
		if len(toks) != 2 || !strings.Contains(toks[1].Text, "=") {
			return nil, bad(toks[0], "set", "a set line is: set key=value")
		}
		op.Op, op.Args = "set", toks[1:]
		return op, nil
	}
	if len(toks) >= 2 && toks[1].Text == "=" {
		if !isScenarioName(toks[0].Text) {
			return nil, bad(toks[0], "name", "%s is not a name (letters, digits, _; starting with a letter)", inputquote.Input(toks[0].Text))
		}
		op.Bind, toks = toks[0].Text, toks[2:]
	}
	if len(toks) < 2 {
		at := Token{Col: len(text) + 1}
		if len(toks) == 1 {
			at = toks[0]
		}
		return nil, bad(at, "operation", "expected a process and an operation (like: p1 load buf 8)")
	}
	op.Proc, op.Op = toks[0].Text, toks[1].Text
	if !isScenarioName(op.Proc) {
		return nil, bad(toks[0], "process", "%s is not a process (p1, or a name bound by fork)", inputquote.Input(op.Proc))
	}
	n, ok := scenarioArity[op.Op]
	if !ok {
		return nil, bad(toks[1], "operation", "unknown operation %s (load, store, modify, fetch, fork, execve, mmap, munmap, mprotect, madvise, brk, open, close, read, write, msync, exit, wait)", inputquote.Input(op.Op))
	}
	args := toks[2:]
	for i, t := range args {
		if t.Text == "==" {
			if i+2 != len(args) {
				return nil, bad(t, "expectation", "== takes one value, at the end of the line")
			}
			e := args[i+1]
			op.Expect = &e
			args = args[:i]
			break
		}
	}
	if len(args) < n[0] || len(args) > n[1] {
		at := Token{Col: len(text) + 1}
		if len(args) > n[1] {
			at = args[n[1]]
		}
		return nil, bad(at, "arguments", "%s takes %s, not %d", op.Op, scenarioArgCount(n), len(args))
	}
	op.Args = args
	switch op.Op {
	case "load", "store", "modify", "fetch":
		op.Literal = true
		for _, t := range args {
			op.Literal = op.Literal && t.IsNum
		}
		if op.Literal {
			op.Addr, op.Size = args[0].Num, args[1].Num
			if len(args) == 3 {
				op.Value = args[2].Num
			}
		}
	}
	return op, nil
}

func scenarioArgCount(n [2]int) string {
	if n[0] == n[1] {
		return fmt.Sprintf("%d arguments", n[0])
	}
	return fmt.Sprintf("%d to %d arguments", n[0], n[1])
}

func parseFileLine(op *ScenarioOp, toks []Token, bad func(Token, string, string, ...any) error) (*ScenarioOp, error) {
	if len(toks) < 3 {
		return nil, bad(toks[0], "file", `a file line is: file PATH text="..." | bytes=N [seed=S] | host=PATH`)
	}
	spec := &FileSpec{Path: toks[1].Text}
	for _, t := range toks[2:] {
		k, v, ok := strings.Cut(t.Text, "=")
		if !ok {
			return nil, bad(t, "file", "%s: expected key=value", inputquote.Input(t.Text))
		}
		var err error
		switch k {
		case "text", "bytes", "words", "host":
			if spec.SourceCol != 0 {
				return nil, bad(t, k, "a file has one source (text=, bytes=, words= or host=), and this one has two")
			}
			spec.SourceCol = t.Col
		}
		switch k {
		case "text":
			if spec.Text, err = strconv.Unquote(v); err != nil {
				return nil, bad(t, "text", "%s is not a quoted string", inputquote.Input(v))
			}
		case "bytes", "seed", "words":
			n, err := strconv.ParseUint(v, 0, 64)
			if err != nil {
				return nil, bad(t, k, "%s is not a number", inputquote.Input(v))
			}
			switch k {
			case "bytes":
				spec.Bytes = n
			case "words":
				spec.Words = n
			default:
				spec.Seed = n
			}
		case "host":
			spec.Host = v
		default:
			return nil, bad(t, "file", "unknown key %s (text, bytes, seed, words, host)", inputquote.Input(k))
		}
	}
	op.Op, op.File = "file", spec
	return op, nil
}

// checkNames makes sure every name is defined before use, and defines the
// names a line binds.
func checkScenarioNames(op *ScenarioOp, procs, values map[string]bool) error {
	bad := func(t Token, msg string) error { return &scenarioError{op.Line, t.Col, "name", msg} }
	if op.Op == "file" || op.Op == "set" {
		return nil
	}
	if !procs[op.Proc] {
		return bad(Token{Col: 1}, fmt.Sprintf("process %s is not defined (p1, or a name bound by fork)", inputquote.Input(op.Proc)))
	}
	for i, a := range op.Args {
		if symbolic(op.Op, i) {
			continue // a path or flags, not a name
		}
		if base := scenarioName(a.Text); base != "" && !values[base] && !procs[base] && !isSymbol(a.Text) {
			return bad(a, fmt.Sprintf("name %s is not defined", inputquote.Input(base)))
		}
	}
	if op.Bind != "" {
		if op.Op == "fork" {
			procs[op.Bind] = true
		}
		values[op.Bind] = true
	}
	return nil
}

// symbolic reports the arguments that are paths or flags: execve's and
// open's path and layout, open's flags, mmap's and mprotect's protection,
// mmap's flags and madvise's advice.
func symbolic(op string, i int) bool {
	switch op {
	case "open", "execve":
		return true
	case "mmap":
		return i == 2 || i == 3
	case "mprotect", "madvise":
		return i == 2
	}
	return false
}

// scenarioName returns the name an argument starts with ("buf" of "buf+0x10").
func scenarioName(s string) string {
	end := strings.IndexAny(s, "+-")
	if end < 0 {
		end = len(s)
	}
	if isScenarioName(s[:end]) {
		return s[:end]
	}
	return ""
}

// isWord reports arguments that are symbols, not names: PROT_*, MAP_*,
// O_*, and quoted paths.
func isSymbol(s string) bool {
	return strings.HasPrefix(s, "PROT_") || strings.HasPrefix(s, "MAP_") || strings.HasPrefix(s, "O_") ||
		strings.HasPrefix(s, `"`) || strings.Contains(s, "=") || strings.Contains(s, "|") || strings.Contains(s, "/") ||
		strings.Contains(s, ".")
}

func isScenarioName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z' || s[0] == '_') {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
