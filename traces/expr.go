package traces

import (
	"fmt"
	"strconv"

	inputquote "github.com/vmemu/vmemu/quote"
)

// Expr is a scenario's number: an argument or an expected value written
// with numbers (decimal or 0x hex), names, +, -, * and parentheses, with
// the usual precedence (* before + and -, left to right), and no spaces,
// since spaces separate a line's words: base+i*4096, (end-start)*2, -1.
// Arithmetic is uint64's: it wraps modulo 2^64, as C's unsigned arithmetic
// does (base-8 below 8, or -1, is 2^64 minus something), so an address
// computed past the top wraps rather than stopping the scenario.
//
// It is compiled once, when the scenario is parsed, into steps run on a
// small stack, and shared by every operand of the same text (positions in
// it are offsets in the word); names are looked up when it is evaluated.
type Expr struct {
	steps []exprStep
	depth int // the deepest the stack goes
	// short holds the steps of a short expression (name+number is three),
	// so that one takes one allocation: a scenario has one per operand.
	short [3]exprStep
}

// exprStep is one step of an expression in postfix order: push a number
// or a name's value, or apply an operator to the top of the stack.
type exprStep struct {
	op   byte // 'n' number, 'v' name, '+', '-', '*', '~' (negate)
	num  uint64
	name string
	at   int // where the name starts in the word, for errors
}

// exprError is a mistake in an expression, at a column of the line.
type exprError struct {
	col int
	msg string
}

func (e *exprError) Error() string { return e.msg }

// compileExpr compiles text, the word at column col of its line.
func compileExpr(text string, col int) (*Expr, error) {
	e := &Expr{}
	p := exprParser{text: text, col: col, steps: e.short[:0]}
	p.sum()
	if p.err == nil && p.pos < len(text) {
		p.fail(p.pos, "unexpected %q", text[p.pos:p.pos+1])
	}
	if p.err != nil {
		return nil, p.err
	}
	e.steps, e.depth = p.steps, p.maxDepth
	return e, nil
}

// exprParser is a recursive-descent parser over one word.
type exprParser struct {
	text            string
	col, pos        int
	steps           []exprStep
	depth, maxDepth int
	nest            int
	err             *exprError
}

// maxNest bounds the parentheses, so that a hostile word cannot recurse
// without end.
const maxNest = 32

func (p *exprParser) fail(at int, format string, a ...any) {
	if p.err == nil {
		p.err = &exprError{col: p.col + at, msg: fmt.Sprintf(format, a...)}
	}
}

func (p *exprParser) emit(s exprStep, push int) {
	p.steps = append(p.steps, s)
	p.depth += push
	p.maxDepth = max(p.maxDepth, p.depth)
}

// sum = product { ("+" | "-") product }
func (p *exprParser) sum() {
	p.product()
	for p.err == nil && p.pos < len(p.text) && (p.text[p.pos] == '+' || p.text[p.pos] == '-') {
		op := p.text[p.pos]
		p.pos++
		p.product()
		p.emit(exprStep{op: op}, -1)
	}
}

// product = unary { "*" unary }
func (p *exprParser) product() {
	p.unary()
	for p.err == nil && p.pos < len(p.text) && p.text[p.pos] == '*' {
		p.pos++
		p.unary()
		p.emit(exprStep{op: '*'}, -1)
	}
}

// unary = "-" unary | "(" sum ")" | number | name
func (p *exprParser) unary() {
	if p.pos == len(p.text) {
		p.fail(p.pos, "expected a number or a name at the end of %s", inputquote.Input(p.text))
		return
	}
	switch c := p.text[p.pos]; {
	case c == '-':
		p.pos++
		p.unary()
		p.emit(exprStep{op: '~'}, 0)
	case c == '(':
		if p.nest++; p.nest > maxNest {
			p.fail(p.pos, "more than %d parentheses deep", maxNest)
			return
		}
		open := p.pos
		p.pos++
		p.sum()
		if p.err == nil && (p.pos == len(p.text) || p.text[p.pos] != ')') {
			p.fail(open, "this parenthesis is not closed")
			return
		}
		p.pos++
		p.nest--
	case isDigit(c):
		start := p.pos
		p.word()
		n, err := strconv.ParseUint(p.text[start:p.pos], 0, 64)
		if err != nil {
			p.fail(start, "%s is not a number (decimal or 0x hex, below 2^64)", inputquote.Input(p.text[start:p.pos]))
			return
		}
		p.emit(exprStep{op: 'n', num: n}, 1)
	case isNameStart(c):
		start := p.pos
		p.word()
		name := p.text[start:p.pos]
		if !isScenarioName(name) {
			p.fail(start, "%s is not a name (letters, digits, _; starting with a letter)", inputquote.Input(name))
			return
		}
		p.emit(exprStep{op: 'v', name: name, at: start}, 1)
	default:
		p.fail(p.pos, "expected a number or a name, not %q", p.text[p.pos:p.pos+1])
	}
}

// word moves past letters, digits and underscores.
func (p *exprParser) word() {
	for p.pos < len(p.text) && (isDigit(p.text[p.pos]) || isNameStart(p.text[p.pos])) {
		p.pos++
	}
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isNameStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// Names calls f with each name the expression uses and where it starts in
// the word (0 for the word's first byte).
func (e *Expr) Names(f func(name string, at int)) {
	for _, s := range e.steps {
		if s.op == 'v' {
			f(s.name, s.at)
		}
	}
}

// Eval computes the expression, looking its names up with value. A name
// value does not know is returned with where it starts in the word, and
// the value is then 0.
func (e *Expr) Eval(value func(name string) (uint64, bool)) (v uint64, undefined string, at int) {
	var small [16]uint64
	st := small[:0]
	if e.depth > len(small) {
		st = make([]uint64, 0, e.depth)
	}
	for _, s := range e.steps {
		n := len(st)
		switch s.op {
		case 'n':
			st = append(st, s.num)
		case 'v':
			x, ok := value(s.name)
			if !ok {
				return 0, s.name, s.at
			}
			st = append(st, x)
		case '~':
			st[n-1] = -st[n-1]
		case '+':
			st[n-2] += st[n-1]
			st = st[:n-1]
		case '-':
			st[n-2] -= st[n-1]
			st = st[:n-1]
		case '*':
			st[n-2] *= st[n-1]
			st = st[:n-1]
		}
	}
	return st[0], "", 0
}
