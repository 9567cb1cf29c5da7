package dram

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// BenchmarkSaturatingRandomReads replays uniform random reads over 1 GiB as
// fast as the controller accepts them (the tFAW-bound stream of the
// checks) and reports simulated requests per second of host time, wall
// clock and CPU (the second is steady on a shared machine). The issue's
// target is 2 million; DRAMsim3 and Ramulator 2.1 do 100-250 thousand.
func BenchmarkSaturatingRandomReads(b *testing.B) {
	cfg := preset(b, "ddr4-2400")
	const n = 200_000
	recs := randomReads(1, n, 1<<30, 0)
	b.ResetTimer()
	cpu := cpuSeconds()
	for b.Loop() {
		if _, err := Replay(cfg, Records(recs)); err != nil {
			b.Fatal(err)
		}
	}
	cpu = cpuSeconds() - cpu
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "requests/s")
	if cpu > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/cpu, "requests/cpu-s")
	}
}

// BenchmarkIdleGaps replays the same number of reads spread a billion DRAM
// cycles apart (about 107,000 refresh intervals each): the cost per request
// is that of an isolated read, whatever the gap.
func BenchmarkIdleGaps(b *testing.B) {
	for _, gap := range []uint64{200, 1_000_000_000} {
		b.Run(map[uint64]string{200: "gap=200", 1_000_000_000: "gap=1e9"}[gap], func(b *testing.B) {
			cfg := preset(b, "ddr4-2400")
			const n = 20_000
			recs := randomReads(2, n, 1<<30, gap)
			var res Result
			for b.Loop() {
				var err error
				if res, err = Replay(cfg, Records(recs)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*b.N), "ns/request")
			b.ReportMetric(float64(res.REF), "refreshes")
		})
	}
}

// BenchmarkPortAccess is the controller under a cache: reads through the
// sim.Port with completions at their cycle, at a 4 GHz core clock.
func BenchmarkPortAccess(b *testing.B) {
	cfg := preset(b, "ddr4-2400")
	var eng sim.Engine
	ctl, err := New(&eng, cfg, 4_000_000_000, nil, "")
	if err != nil {
		b.Fatal(err)
	}
	rng := sim.NewRNG(3)
	reqs := make([]sim.Request, 64)
	free := make(chan int, len(reqs))
	for i := range reqs {
		free <- i
	}
	done := doneFunc(func(req *sim.Request, _ sim.Cycle) { free <- int(req.ID) })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var k int
		select {
		case k = <-free:
		default:
			eng.Step()
			i--
			continue
		}
		reqs[k] = sim.Request{Addr: uint64(rng.IntN(1<<24)) * 64, Size: 64, Kind: sim.Load, Done: done, ID: uint64(k)}
		ctl.Access(eng.Now(), &reqs[k])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

type doneFunc func(*sim.Request, sim.Cycle)

func (f doneFunc) Complete(r *sim.Request, at sim.Cycle) { f(r, at) }
