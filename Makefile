# vmemu: the two commands are `make run` and `make test`.
GO      ?= go
BIN     := bin/emu
TRACE   ?= examples/matmul.lackey.gz

.PHONY: all build run test bench fuzz hostile vet clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/emu

# Replays the bundled trace (a 64x64 matrix multiply, traced with valgrind
# lackey) on the default machine.
run: build
	./$(BIN) run $(TRACE)

# Every test, with vet first. The reference data is read from testdata/refdata
# (a copy of ../shared/refdata; or $$VMEMU_REFDATA).
test:
	$(GO) vet ./...
	$(GO) test ./...

# Every issue's speed figure, each with its ratio against a baseline measured
# in the same run (machines are noisy).
bench:
	mkdir -p bin
	( $(GO) test -run '^$$' -bench 'Matmul|Long' -benchtime 10x ./machine/ ; \
	  $(GO) test -run '^$$' -bench 'ScenarioVsTrace' -benchtime 10x ./machine/scenario/ ; \
	  $(GO) test -run '^$$' -bench 'THPVsSmallPages' -benchtime 3x ./machine/ ; \
	  $(GO) test -run '^$$' -bench 'OOORandom64MiB' -benchtime 1x -count 3 ./machine/ ; \
	  $(GO) test -run '^$$' -bench 'Cores' -benchtime 3x ./machine/ ; \
	  $(GO) test -run '^$$' -bench 'SaturatingRandomReads' ./dram/ ; \
	  $(GO) test -run '^$$' -bench 'ReadNative$$|ReadLackeyGz$$' ./traces/ ; \
	  $(GO) test -run '^$$' -bench 'Jobs' -benchtime 10x ./sweep/ ) | tee bin/bench.txt | scripts/bench-report

# Longer checks than `make test` does: the differential test of the kernel
# at 100,000 operations, and a minute each of fuzzing the trace parser,
# scenarios (with a bound on host memory), configuration files (with bases)
# and state files.
fuzz:
	$(GO) test -run Differential ./machine/scenario/ -args -diff-ops=100000
	$(GO) test -run '^$$' -fuzz FuzzLackey -fuzztime 60s ./traces/
	$(GO) test -run '^$$' -fuzz FuzzNative -fuzztime 60s ./traces/
	$(GO) test -run '^$$' -fuzz FuzzScenarioRun -fuzztime 60s ./machine/scenario/
	$(GO) test -run '^$$' -fuzz FuzzConfigFile -fuzztime 60s ./machine/
	$(GO) test -run '^$$' -fuzz FuzzStateFile -fuzztime 60s ./machine/

# Every hostile input of issue 16 (scripts/hostile has the table), each
# under a time and a memory limit: fails on a Go crash, a timeout or an
# exit status other than the documented one.
hostile:
	bash scripts/hostile

clean:
	rm -rf bin
