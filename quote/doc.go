// Package quote writes input into error messages: quoted as Go's %q
// quotes it, and cut to a readable length, so that a bad token of 70 KB
// (a binary file read as text, a line of garbage) still gives a one-line
// error. Input is for the places that quote a token; Shorten is the net
// under every message emu prints or records (cmd/emu, sweep results), for
// any place that quoted input with %q itself.
//
// It models nothing of the machine; it leaves out quoting for other
// purposes (shell scripts are sweep.ShellQuote's), and matches Go's
// strconv.Quote for what it keeps.
package quote
