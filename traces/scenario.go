package traces

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	inputquote "github.com/vmemu/vmemu/quote"
	"github.com/vmemu/vmemu/sim"
)

// A scenario (.emu) is a text file of operations, one a line, each run by a
// process: memory accesses with values, system calls, and files placed on
// the emulated disk. The grammar, one line:
//
//	line     = { loop } [ name "=" ] proc op { arg } [ "==" expect ] [ "#" comment ]
//	         | "file" path source                      (a file on the disk)
//	         | "set" key "=" value                     (a machine key, before the run)
//	loop     = "for" name "in" expr ".." expr ":"      (the line once per value, both ends included)
//	proc     = "p1" | name                             (a name bound by fork or thread)
//	op       = load | store | modify | fetch | fork | thread | execve | mmap
//	         | munmap | mprotect | madvise | brk | open | close | read | write
//	         | msync | exit | wait
//	arg      = expr | word
//	expr     = numbers, names, + - * and parentheses, no spaces (Expr)
//	expect   = expr | errno (EINVAL, EBADF, ENOMEM, ...) | "SIGSEGV" | "SIGBUS"
//	source   = "text=" quoted | "bytes=" number [ "seed=" number ]
//	         | "words=" number | "host=" path
//
// Numbers are decimal or 0x hex; arithmetic wraps modulo 2^64 (Expr). "for
// i in 0..255: p1 store base+i*4096 8 i" stores to 256 pages, i bound in
// the line's expressions; loops nest (for i in 0..3: for j in 0..i: ...),
// an inner range may use the outer variables, and a range is evaluated
// when its loop starts. A line's loops run it at most MaxLoopRuns times in
// all, and a range whose end is below its start is an error. "buf = p1 mmap 0 8192 PROT_READ|PROT_WRITE
// MAP_PRIVATE|MAP_ANONYMOUS -1 0" binds buf to the address returned; "c = p1
// fork" binds c to the child, which then runs lines as "c store buf 8 1";
// "t = p1 thread" binds t to a new thread of p1 (clone: it shares p1's
// address space), which runs lines as "t load buf 8". On a machine of
// several cores, "core=N" after fork or thread places the child or the
// thread on core N (0 first); without it, it runs on its parent's core.
// "t exit" ends the thread alone; "p1 exit" the whole process.
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
	// Loops are the line's "for" prefixes, the outermost first.
	Loops []Loop
	// Core is the core a fork or thread line places its child on
	// ("core=N"), or -1: its parent's.
	Core int
}

// Loop is one "for Var in From..To:" of a line: the line runs once for
// each value from From to To, both included, with Var bound to it.
type Loop struct {
	Var      string
	Col      int // of the variable
	From, To Token
}

// MaxLoopRuns is the most times one line's loops may run it, all nested
// loops together, so that a scenario of a few lines cannot run without end.
const MaxLoopRuns = 1 << 20

// Token is one word of a line, with its column (1-based) for errors. A
// word that is a number has it in Num (IsNum), read once at parse time;
// an argument or expectation that is an expression has it compiled in
// Expr.
type Token struct {
	Text  string
	Num   uint64
	Expr  *Expr
	Col   int32 // beside IsNum: a scenario holds many tokens
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
	"fork": {0, 1}, "thread": {0, 1}, "execve": {1, 5}, "mmap": {4, 6}, "munmap": {2, 2},
	"mprotect": {3, 3}, "brk": {1, 1}, "open": {1, 2}, "close": {1, 1},
	"read": {3, 3}, "write": {3, 3}, "msync": {2, 2}, "exit": {0, 1}, "wait": {0, 1},
	"madvise": {3, 3},
}

// Scenario is a parsed scenario file.
type Scenario struct {
	Name string
	Ops  []ScenarioOp
	// MaxCore is the largest core a fork or thread line places its child
	// on (core=N), -1 if none does: a run checks it against the machine's
	// cores without reading every line.
	MaxCore int
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
	s := &Scenario{Name: name, MaxCore: -1}
	procs := map[string]bool{"p1": true}
	values := map[string]bool{}
	procNames := map[string]string{}
	exprs := map[string]*Expr{} // one for each text: operands repeat
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxScenarioLine)
	line := 1
	for ; sc.Scan(); line++ {
		op, err := parseScenarioLine(sc.Text(), line, exprs)
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
		if op.Op == "fork" || op.Op == "thread" {
			s.MaxCore = max(s.MaxCore, op.Core)
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
//
// The words are gathered on the stack and handed out in a slice of their
// own size (a scenario keeps every line's), and only a word that can be a
// number is parsed as one: a failed strconv parse allocates its error.
func scenarioTokens(text string) []Token {
	var buf [16]Token
	out := buf[:0]
	for i := 0; i < len(text); {
		switch c := text[i]; {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			return slices.Clip(slices.Clone(out))
		default:
			j := i
			inQuote := false
			for j < len(text) && (inQuote || (text[j] != ' ' && text[j] != '\t' && text[j] != '#')) {
				if text[j] == '"' {
					inQuote = !inQuote
				}
				j++
			}
			t := Token{Text: text[i:j], Col: int32(i + 1)}
			if c >= '0' && c <= '9' || c == '-' || c == '+' {
				t.Num, t.IsNum = parseNumber(t.Text)
			}
			out = append(out, t)
			i = j
		}
	}
	return slices.Clip(slices.Clone(out))
}

func parseScenarioLine(text string, line int, exprs map[string]*Expr) (*ScenarioOp, error) {
	toks := scenarioTokens(text)
	if len(toks) == 0 {
		return nil, nil
	}
	bad := func(t Token, field, format string, a ...any) error {
		return &scenarioError{line, int(t.Col), field, fmt.Sprintf(format, a...)}
	}
	op := &ScenarioOp{Line: line}
	loops, toks, err := parseLoops(toks, line, exprs)
	if err != nil {
		return nil, err
	}
	if len(toks) > 0 && len(loops) > 0 && (toks[0].Text == "file" || toks[0].Text == "set") {
		return nil, bad(toks[0], "loop", "a loop runs a process's operation, not a %s line", toks[0].Text)
	}
	if len(toks) > 0 {
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
	}
	op.Loops = loops
	if len(toks) >= 2 && toks[1].Text == "=" {
		if !isScenarioName(toks[0].Text) {
			return nil, bad(toks[0], "name", "%s is not a name (letters, digits, _; starting with a letter)", inputquote.Input(toks[0].Text))
		}
		op.Bind, toks = toks[0].Text, toks[2:]
	}
	if len(toks) < 2 {
		at := Token{Col: int32(len(text) + 1)}
		if len(toks) == 1 {
			at = toks[0]
		}
		return nil, bad(at, "operation", "expected a process and an operation (like: p1 load buf 8)")
	}
	op.Proc, op.Op = toks[0].Text, toks[1].Text
	if !isScenarioName(op.Proc) {
		return nil, bad(toks[0], "process", "%s is not a process (p1, or a name bound by fork or thread)", inputquote.Input(op.Proc))
	}
	n, ok := scenarioArity[op.Op]
	if !ok {
		return nil, bad(toks[1], "operation", "unknown operation %s (load, store, modify, fetch, fork, thread, execve, mmap, munmap, mprotect, madvise, brk, open, close, read, write, msync, exit, wait)", inputquote.Input(op.Op))
	}
	args, err := splitExpectation(op, toks[2:], bad)
	if err != nil {
		return nil, err
	}
	if len(args) < n[0] || len(args) > n[1] {
		at := Token{Col: int32(len(text) + 1)}
		if len(args) > n[1] {
			at = args[n[1]]
		}
		return nil, bad(at, "arguments", "%s takes %s, not %d", op.Op, scenarioArgCount(n), len(args))
	}
	op.Args = args
	if err := readPlacement(op, bad); err != nil {
		return nil, err
	}
	if err := compileOperands(op, exprs); err != nil {
		return nil, err
	}
	readLiteral(op)
	return op, nil
}

// readPlacement reads fork's and thread's "core=N" into op.Core, and
// makes sure a thread is named: nothing else could run its lines.
func readPlacement(op *ScenarioOp, bad func(Token, string, string, ...any) error) error {
	if op.Op != "fork" && op.Op != "thread" {
		return nil
	}
	if op.Op == "thread" && op.Bind == "" {
		return bad(Token{Col: 1}, "name", "a thread needs a name to run lines (t = %s thread)", op.Proc)
	}
	op.Core = -1
	if len(op.Args) == 0 {
		return nil
	}
	t := op.Args[0]
	v, ok := strings.CutPrefix(t.Text, "core=")
	n, err := strconv.ParseUint(v, 0, 8)
	if !ok || err != nil || n >= sim.MaxCores {
		return bad(t, "core", "%s: expected core=N, N a core from 0 to %d", inputquote.Input(t.Text), sim.MaxCores-1)
	}
	op.Core = int(n)
	return nil
}

// splitExpectation takes a line's "== VALUE" off its arguments into
// op.Expect.
func splitExpectation(op *ScenarioOp, args []Token, bad func(Token, string, string, ...any) error) ([]Token, error) {
	for i, t := range args {
		if t.Text == "==" {
			if i+2 != len(args) {
				return nil, bad(t, "expectation", "== takes one value, at the end of the line")
			}
			e := args[i+1]
			op.Expect = &e
			return args[:i], nil
		}
	}
	return args, nil
}

// readLiteral decodes an access whose operands are all numbers now, so
// that running it reads no token.
func readLiteral(op *ScenarioOp) {
	switch op.Op {
	case "load", "store", "modify", "fetch":
	default:
		return
	}
	op.Literal = true
	for _, t := range op.Args {
		op.Literal = op.Literal && t.IsNum
	}
	if op.Literal {
		op.Addr, op.Size = op.Args[0].Num, op.Args[1].Num
		if len(op.Args) == 3 {
			op.Value = op.Args[2].Num
		}
	}
}

// parseLoops reads the "for NAME in FROM..TO:" prefixes of a line and
// returns them with the words after them.
func parseLoops(toks []Token, line int, exprs map[string]*Expr) ([]Loop, []Token, error) {
	bad := func(t Token, format string, a ...any) error {
		return &scenarioError{line, int(t.Col), "loop", fmt.Sprintf(format, a...)}
	}
	var loops []Loop
	runs := uint64(1) // of the loops whose ranges are numbers
	for len(toks) > 0 && toks[0].Text == "for" {
		if len(toks) < 4 || toks[2].Text != "in" {
			return nil, nil, bad(toks[0], "a loop is: for NAME in FROM..TO: OPERATION")
		}
		v, rng, rest := toks[1], toks[3], toks[4:]
		if !isScenarioName(v.Text) {
			return nil, nil, bad(v, "%s is not a name (letters, digits, _; starting with a letter)", inputquote.Input(v.Text))
		}
		text, colon := strings.CutSuffix(rng.Text, ":")
		if !colon && len(rest) > 0 && rest[0].Text == ":" {
			colon, rest = true, rest[1:]
		}
		if !colon {
			return nil, nil, bad(rng, "expected \":\" after the range %s", inputquote.Cut(rng.Text))
		}
		from, to, ok := strings.Cut(text, "..")
		if !ok {
			return nil, nil, bad(rng, "%s is not a range FROM..TO", inputquote.Input(text))
		}
		l := Loop{Var: v.Text, Col: int(v.Col), From: Token{Text: from, Col: rng.Col}, To: Token{Text: to, Col: rng.Col + int32(len(from)+2)}}
		for _, t := range []*Token{&l.From, &l.To} {
			if t.Num, t.IsNum = parseNumber(t.Text); !t.IsNum {
				if err := compileToken(t, line, exprs); err != nil {
					return nil, nil, err
				}
			}
		}
		if l.From.IsNum && l.To.IsNum {
			if l.To.Num < l.From.Num {
				return nil, nil, bad(rng, "the range %s is empty: its end is below its start", inputquote.Cut(text))
			}
			if n := l.To.Num - l.From.Num; n >= MaxLoopRuns || runs*(n+1) > MaxLoopRuns {
				return nil, nil, bad(rng, "the line would run more than %d times (2^20), the most its loops may run it", MaxLoopRuns)
			}
			runs *= l.To.Num - l.From.Num + 1
		}
		loops = append(loops, l)
		toks = rest
	}
	return loops, toks, nil
}

// compileOperands compiles the operands of op that are expressions, and
// its expectation unless it is a signal or an errno.
func compileOperands(op *ScenarioOp, exprs map[string]*Expr) error {
	for i := range op.Args {
		if a := &op.Args[i]; !a.IsNum && !symbolic(op.Op, i) && !isSymbol(a.Text) {
			if err := compileToken(a, op.Line, exprs); err != nil {
				return err
			}
		}
	}
	if e := op.Expect; e != nil && !e.IsNum && !IsSignalOrErrno(e.Text) {
		return compileToken(e, op.Line, exprs)
	}
	return nil
}

// IsSignalOrErrno reports an expectation that names a signal (SIGSEGV,
// SIGBUS) or an errno (EINVAL, ...), not a value.
func IsSignalOrErrno(s string) bool {
	if strings.HasPrefix(s, "SIG") {
		return true
	}
	return len(s) > 1 && s[0] == 'E' && strings.ToUpper(s) == s
}

// compileToken compiles t, which is not a number (IsNum), as an
// expression, or finds it in exprs, compiled for an operand of the same
// text.
func compileToken(t *Token, line int, exprs map[string]*Expr) error {
	if e, ok := exprs[t.Text]; ok {
		t.Expr = e
		return nil
	}
	e, err := compileExpr(t.Text, int(t.Col))
	if err != nil {
		ee := err.(*exprError)
		return &scenarioError{line, ee.col, "value", ee.msg}
	}
	t.Expr, exprs[t.Text] = e, e
	return nil
}

// parseNumber reads a number as a line's word: decimal or 0x hex, a
// negative one as its two's complement.
func parseNumber(s string) (uint64, bool) {
	if v, err := strconv.ParseInt(s, 0, 64); err == nil {
		return uint64(v), true
	}
	if v, err := strconv.ParseUint(s, 0, 64); err == nil {
		return v, true
	}
	return 0, false
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
			spec.SourceCol = int(t.Col)
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

// checkScenarioNames makes sure every name is defined before use, and
// defines the names a line binds. A loop's variable is defined in its
// line alone (and in the ranges of the loops inside it), and must not be
// a name defined already.
func checkScenarioNames(op *ScenarioOp, procs, values map[string]bool) error {
	bad := func(col int, msg string) error { return &scenarioError{op.Line, col, "name", msg} }
	if op.Op == "file" || op.Op == "set" {
		return nil
	}
	var loopVars []string
	defined := func(name string) bool { return values[name] || procs[name] || slices.Contains(loopVars, name) }
	var err error
	check := func(t *Token) {
		if t.Expr != nil && err == nil {
			t.Expr.Names(func(name string, at int) {
				if err == nil && !defined(name) {
					err = bad(int(t.Col)+at, fmt.Sprintf("name %s is not defined", inputquote.Input(name)))
				}
			})
		}
	}
	for i := range op.Loops {
		l := &op.Loops[i]
		check(&l.From)
		if check(&l.To); err != nil {
			return err
		}
		if defined(l.Var) {
			return bad(l.Col, fmt.Sprintf("the loop variable %s is a name defined already", inputquote.Input(l.Var)))
		}
		loopVars = append(loopVars, l.Var)
	}
	if !procs[op.Proc] {
		return bad(1, fmt.Sprintf("process %s is not defined (p1, or a name bound by fork or thread)", inputquote.Input(op.Proc)))
	}
	for i := range op.Args {
		check(&op.Args[i])
	}
	if op.Expect != nil {
		check(op.Expect)
	}
	if err != nil {
		return err
	}
	if op.Bind != "" {
		if slices.Contains(loopVars, op.Bind) {
			return bad(1, fmt.Sprintf("%s is the line's loop variable: it cannot be bound", inputquote.Input(op.Bind)))
		}
		if op.Op == "fork" || op.Op == "thread" {
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
	case "fork", "thread":
		return true
	}
	return false
}

// isSymbol reports arguments that are symbols, not names: PROT_*, MAP_*,
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
