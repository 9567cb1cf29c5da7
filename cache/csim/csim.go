package csim

import (
	"bufio"
	"fmt"
	"io"

	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// maxLines bounds the state a run allocates.
const maxLines = 1 << 24

// Result is what the Cache Lab reference simulator prints last.
type Result struct{ Hits, Misses, Evictions uint64 }

// Summary is the reference's last line, without its newline.
func (r Result) Summary() string {
	return fmt.Sprintf("hits:%d misses:%d evictions:%d", r.Hits, r.Misses, r.Evictions)
}

// Run replays a trace the way the CS:APP Cache Lab reference simulator
// (csim-ref) does: 2^s sets of E lines of 2^b bytes, LRU, instruction
// records ignored, a modify a load then a store, sizes ignored. With
// verbose, it writes the reference's per-access lines ("L 10,1 miss
// eviction ").
func Run(r traces.Reader, s, E, b int, verbose io.Writer) (Result, error) {
	if s < 0 || b < 0 || E < 1 || s+b > 63 {
		return Result{}, fmt.Errorf("impossible geometry: s=%d E=%d b=%d (need s >= 0, b >= 0, E >= 1, s+b <= 63)", s, E, b)
	}
	if s > 24 || E > 1<<24 || uint64(E)<<s > maxLines {
		return Result{}, fmt.Errorf("geometry too large to simulate: 2^%d sets x %d lines (at most %d lines in all)", s, E, maxLines)
	}
	c, err := cache.New(cache.Config{
		Name: "csim", Size: uint64(E) << (s + b), Ways: E, LineSize: 1 << b, Latency: 1, MSHRs: 1,
		Replacement: replacement.LRU, Write: cache.WriteAsRead, WriteAllocate: true, Straddle: cache.StraddleFirst,
	}, sim.Level{})
	if err != nil {
		return Result{}, err
	}
	cache.Connect(c, &cache.Memory{Latency: 1, Level: sim.Level{ID: 1, Depth: 1}})
	var stats sim.Stats
	c.Register(&stats)
	var out *bufio.Writer
	if verbose != nil {
		out = bufio.NewWriter(verbose)
	}
	var now sim.Cycle
	var req sim.Request
	access := func(kind sim.Kind, addr uint64) {
		req = sim.Request{Addr: addr, Size: 1, Kind: kind}
		now, _ = c.Access(now, &req)
		if out == nil {
			return
		}
		if req.Missed {
			out.WriteString(" miss")
		} else {
			out.WriteString(" hit")
		}
		if req.Evicted != 0 {
			out.WriteString(" eviction")
		}
	}
	buf := make([]traces.Record, 1024)
	for {
		n, rerr := r.Read(buf)
		for _, rec := range buf[:n] {
			if rec.Op == traces.Fetch {
				continue
			}
			if out != nil {
				fmt.Fprintf(out, "%s %x,%d", rec.Op, rec.Addr, rec.Size)
			}
			switch rec.Op {
			case traces.Load, traces.Modify:
				access(sim.Load, rec.Addr)
			case traces.Store:
				access(sim.Store, rec.Addr)
			}
			if rec.Op == traces.Modify {
				access(sim.Store, rec.Addr)
			}
			if out != nil {
				out.WriteString(" \n")
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return Result{}, rerr
		}
	}
	if out != nil {
		if err := out.Flush(); err != nil {
			return Result{}, err
		}
	}
	v := stats.Snapshot().Value
	return Result{
		Hits:      v("csim.load.hits") + v("csim.store.hits"),
		Misses:    v("csim.load.misses") + v("csim.store.misses"),
		Evictions: v("csim.evictions"),
	}, nil
}
