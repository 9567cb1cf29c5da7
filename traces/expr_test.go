package traces

import (
	"strings"
	"testing"
)

func TestExprEval(t *testing.T) {
	names := map[string]uint64{"base": 0x10000, "i": 3, "j": 5, "x_1": 7}
	value := func(n string) (uint64, bool) { v, ok := names[n]; return v, ok }
	for _, tc := range []struct {
		text string
		want uint64
	}{
		{"base", 0x10000},
		{"base+i*4096", 0x13000},
		{"i*4096+base", 0x13000},
		{"base+i*j", 0x1000f},
		{"2+3*4-1", 13}, // * first, then left to right
		{"10-3-2", 5},   // left to right
		{"(2+3)*4", 20}, // parentheses
		{"((i))*(j-1)", 12},
		{"-1", ^uint64(0)}, // wraps, as uint64
		{"i-j", ^uint64(0) - 1},
		{"0-base", ^uint64(0x10000) + 1},
		{"-i*2", ^uint64(6) + 1},
		{"0xffffffffffffffff+2", 1}, // overflow wraps
		{"0x8000000000000000*2", 0},
		{"x_1*0x10", 0x70},
		{"1_000", 1000}, // Go's digit separators
	} {
		e, err := compileExpr(tc.text, 1)
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		if got, undef, _ := e.Eval(value); undef != "" || got != tc.want {
			t.Errorf("%s = %#x (undefined %q), want %#x", tc.text, got, undef, tc.want)
		}
	}
}

// A mistake names its column on the line: the word starts at column 10.
func TestExprErrors(t *testing.T) {
	for _, tc := range []struct {
		text string
		col  int
		msg  string
	}{
		{"base+", 15, "expected a number or a name at the end"},
		{"base**2", 15, `expected a number or a name, not "*"`},
		{"(base+8", 10, "this parenthesis is not closed"},
		{"base)", 14, `unexpected ")"`},
		{"4096i", 10, `"4096i" is not a number`},
		{"0x1_0000_0000_0000_0000", 10, "is not a number"},
		{"base/2", 14, `unexpected "/"`},
		{"a+$", 12, `not "$"`},
	} {
		_, err := compileExpr(tc.text, 10)
		ee, ok := err.(*exprError)
		if !ok || ee.col != tc.col || !strings.Contains(ee.msg, tc.msg) {
			t.Errorf("%s: error %v (column %d), want column %d and %q", tc.text, err, colOf(ee), tc.col, tc.msg)
		}
	}
	deep := ""
	for range 40 {
		deep += "("
	}
	if _, err := compileExpr(deep+"1", 1); err == nil || !strings.Contains(err.Error(), "parentheses deep") {
		t.Errorf("40 parentheses: %v", err)
	}
}

func colOf(e *exprError) int {
	if e == nil {
		return 0
	}
	return e.col
}

func TestExprUndefinedName(t *testing.T) {
	e, err := compileExpr("base+n*2", 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, name, at := e.Eval(func(n string) (uint64, bool) { return 1, n == "base" }); name != "n" || at != 5 {
		t.Errorf("undefined %q at offset %d, want n at 5", name, at)
	}
}
