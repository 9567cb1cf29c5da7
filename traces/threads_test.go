package traces

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nativeOf is recs written as a native trace that carries threads and
// processes, read back as instructions.
func nativeOf(t *testing.T, recs []Record) InstrReader {
	t.Helper()
	b := encodeNative(t, WriteOptions{Carries: CarriesThreads | CarriesPIDs, FrameRecords: 16}, recs, nil)
	r, err := NewReader("mem.vmt", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return Instructions(r, false)
}

// fetchLoad is an instruction of a thread: its fetch and a load.
func fetchLoad(pid uint16, th uint8, ip uint64) []Record {
	return []Record{{Addr: ip, Size: 4, Op: Fetch, PID: pid, Thread: th}, {Addr: 0x1000 + ip, Size: 8, Op: Load, PID: pid, Thread: th}}
}

func TestThreadsOfAndOnlyThread(t *testing.T) {
	var recs []Record
	for i := range uint64(40) {
		// Threads (1,2), (0,0) and (1,0) in turns, the last joining late.
		recs = append(recs, fetchLoad(1, 2, 0x400000+4*i)...)
		recs = append(recs, fetchLoad(0, 0, 0x500000+4*i)...)
		if i >= 30 {
			recs = append(recs, fetchLoad(1, 0, 0x600000+4*i)...)
		}
	}
	ids, err := ThreadsOf(nativeOf(t, recs), 8)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ThreadID{{1, 2}, {0, 0}, {1, 0}}, ids); diff != "" {
		t.Errorf("threads (-want +got):\n%s", diff)
	}
	tests := []struct {
		id   ThreadID
		base uint64
		n    int
	}{{ThreadID{1, 2}, 0x400000, 40}, {ThreadID{0, 0}, 0x500000, 40}, {ThreadID{1, 0}, 0x600000 + 4*30, 10}, {ThreadID{2, 2}, 0, 0}}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			var want []uint64
			for i := range tt.n {
				want = append(want, tt.base+4*uint64(i))
			}
			r := OnlyThread(nativeOf(t, recs), tt.id)
			var got []uint64
			buf := make([]Instr, 3) // smaller than a turn of the threads
			for {
				n, err := r.ReadInstrs(buf)
				for _, in := range buf[:n] {
					if Of(&in) != tt.id || in.NMem != 1 || in.Mem[0].Addr != 0x1000+in.IP {
						t.Fatalf("instruction %+v, want one of %v with its load", in, tt.id)
					}
					got = append(got, in.IP)
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("fetches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestThreadsOfLimit(t *testing.T) {
	var recs []Record
	for th := range uint8(5) {
		recs = append(recs, fetchLoad(0, th, 0x400000)...)
	}
	_, err := ThreadsOf(nativeOf(t, recs), 4)
	var tm *TooManyThreadsError
	if !errors.As(err, &tm) {
		t.Fatalf("error %v, want a TooManyThreadsError", err)
	}
	if diff := cmp.Diff(&TooManyThreadsError{Limit: 4, Next: ThreadID{0, 4}}, tm); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}
