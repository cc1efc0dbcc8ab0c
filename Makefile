# lstm-gradcheck — build, test and benchmark with the Swift toolchain alone.
#
# The release build is portable (it runs on any x86-64 or arm64 CPU) and runs at this CPU's
# vector width: the batched kernels (Sources/CKernels) are compiled for the baseline, for
# x86-64-v3 (AVX2) and x86-64-v4 (AVX-512), and each run takes the widest path its CPU has.
# Every path computes the same bits. LSTM_GRADCHECK_KERNELS=baseline|x86-64-v3|x86-64-v4
# holds a run to one path (if the CPU has it), to compare them.

PREFIX ?= /usr/local
SWIFT ?= swift
BIN = lstm-gradcheck
DEBUG_BIN = .build/debug/$(BIN)
# All the Swift code for this CPU too (the binary then runs only on CPUs like it), for `make
# bench-native` alone.
NATIVE_FLAGS = -Xswiftc -target-cpu -Xswiftc native
KERNEL_PATHS = baseline x86-64-v3 x86-64-v4

.PHONY: all build build-native test test-asan regress same-builds run install bench bench-native bench-native-build fuzz-build fuzz clean

all: build

build:
	$(SWIFT) build -c release --product $(BIN)

# Kept for the scripts that call it: the release build already runs the kernels at this CPU's
# vector width. (`make bench-native` measures what compiling all the Swift code for this CPU
# would add; within the noise on the benchmark networks.)
build-native: build

# Unit and end-to-end tests, then the fixture regression: every test runs once.
test:
	$(SWIFT) test --skip FixtureRegressionTests
	$(MAKE) regress
	$(MAKE) same-builds

# Every fixture in Fixtures/: the routes against the numerical gradient and against
# the committed expected gradients (FixtureRegressionTests), then the built binary's
# exit status on each fixture.
regress:
	$(SWIFT) test --filter FixtureRegressionTests
	@passed=0; failed=0; \
	for f in Fixtures/*.json; do \
	  if $(DEBUG_BIN) check --fixture "$$f" --format json > /dev/null; then passed=$$((passed+1)); \
	  else echo "regress: $$f: check exited $$?"; failed=$$((failed+1)); fi; \
	done; \
	echo "regress: $$passed passed, $$failed failed"; \
	test $$failed -eq 0

# The release build prints what the debug build prints, byte for byte, and exits alike: the
# optimiser may not change a result; nor may the kernels' CPU path (the release build is run
# on each path this CPU has). A few cheap commands (one per renderer and reference).
SAME_BUILD_COMMANDS = "" "check --format json --seed 3 --methods all" "check --reference numerical --n-a 8 --steps 6 --format json" \
	"check --cell rnn --format markdown" "check --sample 5 --format json" "check --projection --methods all --format json" \
	"grads --method coursera" "check --fixture Fixtures/upstream-da.json --reference numerical --format json" \
	"check --format junit --seed 3 --methods all" "explain --flow --compare --format json"
same-builds:
	$(SWIFT) build --product $(BIN)
	$(SWIFT) build -c release --product $(BIN)
	@release="$$($(SWIFT) build -c release --show-bin-path)/$(BIN)"; failed=0; \
	for args in $(SAME_BUILD_COMMANDS); do \
	  $(DEBUG_BIN) $$args > .build/same-builds.debug; d=$$?; \
	  for path in default $(KERNEL_PATHS); do \
	    if [ $$path = default ]; then "$$release" $$args > .build/same-builds.release; r=$$?; \
	    else LSTM_GRADCHECK_KERNELS=$$path "$$release" $$args > .build/same-builds.release; r=$$?; fi; \
	    if [ $$d -ne $$r ] || ! cmp -s .build/same-builds.debug .build/same-builds.release; then \
	      echo "same-builds: 'lstm-gradcheck $$args': debug and release ($$path kernels) differ (exit $$d vs $$r)"; failed=1; fi; \
	  done; \
	done; \
	test $$failed -eq 0 && echo "same-builds: debug and release, on every kernel path, print the same bytes"

# The test suite under the address sanitizer, then the parallel references (the only
# code that runs on several threads) under the thread sanitizer; each in its own build folder.
test-asan:
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp $(SWIFT) test --sanitize=address --scratch-path .build-asan
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan --filter "ExactGradientTests|BatchedTangentsTests|FiniteDifferencesTests|BatchedFiniteDifferencesTests|SampledAndProjectionTests|KernelsTests"

run:
	$(SWIFT) run -c release $(BIN)

# The binary in $(PREFIX)/bin and its manual page, which the binary prints from its own option
# specs, in $(MANDIR)/man1; DESTDIR prefixes both (staged installs, packages).
MANDIR ?= $(PREFIX)/share/man
install: build
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(MANDIR)/man1"
	bin="$$($(SWIFT) build -c release --show-bin-path)/$(BIN)"; \
	install -m 755 "$$bin" "$(DESTDIR)$(PREFIX)/bin/$(BIN)" && \
	"$$bin" --generate-manual > .build/$(BIN).1 && \
	install -m 644 .build/$(BIN).1 "$(DESTDIR)$(MANDIR)/man1/$(BIN).1"

# The README's build (`swift build -c release`) on the widest kernel path this CPU has, and the
# same binary held to the baseline path (the small network only: without FMA instructions its
# products call libm's fma); in the same run the peers, each skipped when python3
# lacks it: NumPy's loop (Benchmarks/numpy_check.py) and JAX's jitted finite differences
# (Benchmarks/jax_fd.py; `pip install jax`). BENCH_ARGS="--networks small,medium" leaves out the
# large network, whose rows (and the catalogue and shard sections) take many minutes.
BENCH_ARGS ?=
bench:
	$(SWIFT) build -c release --product lstm-gradcheck-bench
	$(SWIFT) build -c release --product $(BIN)
	"$$($(SWIFT) build -c release --show-bin-path)/lstm-gradcheck-bench" \
	  --cli "$$($(SWIFT) build -c release --show-bin-path)/$(BIN)" $(BENCH_ARGS)

# The same, and a third table for a build of all the Swift code for this CPU (NATIVE_FLAGS).
bench-native: bench-native-build
	"$$($(SWIFT) build -c release --show-bin-path)/lstm-gradcheck-bench" \
	  --cli "$$($(SWIFT) build -c release --show-bin-path)/$(BIN)" \
	  --native "$$($(SWIFT) build -c release $(NATIVE_FLAGS) --scratch-path .build-native --show-bin-path)/lstm-gradcheck-bench" \
	  --native-cli "$$($(SWIFT) build -c release $(NATIVE_FLAGS) --scratch-path .build-native --show-bin-path)/$(BIN)"

bench-native-build:
	$(SWIFT) build -c release --product lstm-gradcheck-bench
	$(SWIFT) build -c release --product $(BIN)
	$(SWIFT) build -c release --product lstm-gradcheck-bench $(NATIVE_FLAGS) --scratch-path .build-native
	$(SWIFT) build -c release --product $(BIN) $(NATIVE_FLAGS) --scratch-path .build-native

# Fuzzing (Tests/Fuzz): one libFuzzer binary per file reader, built by swiftc straight from
# the library's sources (the entry file joins the module, so internal readers are reachable)
# and the kernels' C object, built by clang with the same sanitizer.
# `make fuzz` runs each for FUZZ_SECONDS, one after the other in a single niced process (the
# machine is shared), from the committed seed corpus; new inputs go to .build-fuzz/corpus/ so
# the repository's corpus stays small, crashes to .build-fuzz/artifacts/TARGET/. Any crash,
# timeout or out-of-memory makes it fail after the remaining targets have run. Swift's own
# crash backtracer is off: libFuzzer's handler reports and saves the input, and the
# backtracer, reading memory under ASan, can stall or add a spurious ASan report.
SWIFTC ?= swiftc
CLANG ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR = .build-fuzz
FUZZ_TARGETS = fixture-json gradient-json npy npz inflate shard-json
FUZZ_BINS = $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
# Inputs that once crashed a target seed it too, so a regression fails `make fuzz` at once.
FUZZ_CRASHES = Tests/LSTMGradCheckTests/Vectors/fuzz
LIB_SOURCES = $(shell find Sources/LSTMGradCheck -name '*.swift' | sort)
C_SOURCES = $(shell find Sources/CKernels -name '*.[ch]' -o -name '*.modulemap' | sort)
FUZZ_KERNELS = $(FUZZ_DIR)/CKernels.o

fuzz-build: $(FUZZ_BINS)

$(FUZZ_KERNELS): $(C_SOURCES)
	@mkdir -p $(FUZZ_DIR)
	$(CLANG) -O2 -fsanitize=address -I Sources/CKernels/include -c Sources/CKernels/kernels.c -o $@

$(FUZZ_BINS): $(FUZZ_DIR)/%: Tests/Fuzz/%.swift $(LIB_SOURCES) $(FUZZ_KERNELS)
	@mkdir -p $(FUZZ_DIR)
	$(SWIFTC) -O -sanitize=fuzzer,address -use-ld=lld -parse-as-library -module-name LSTMGradCheck \
	  -I Sources/CKernels/include $(LIB_SOURCES) $< $(FUZZ_KERNELS) -o $@

fuzz: fuzz-build
	@failed=""; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/artifacts/$$t; \
	  case $$t in *-json) dict=-dict=Tests/Fuzz/json.dict ;; *) dict= ;; esac; \
	  crashes=$(FUZZ_CRASHES)/$$t; [ -d $$crashes ] || crashes=; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  SWIFT_BACKTRACE=enable=no nice -n 10 $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 $$dict \
	    -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t/ $(FUZZ_DIR)/corpus/$$t Tests/Fuzz/corpus/$$t $$crashes \
	    || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: findings in:$$failed (see $(FUZZ_DIR)/artifacts/)"; exit 1; fi; \
	echo "fuzz: no findings"

clean:
	rm -rf .build .build-native .build-asan .build-tsan .build-wide $(FUZZ_DIR)

# The sharded row of `make bench` alone: the large network's numerical gradient as three
# shards one after another, merged and byte-compared with one unsharded run (portable build).
.PHONY: bench-shards
bench-shards:
	$(SWIFT) build -c release --product lstm-gradcheck-bench
	$(SWIFT) build -c release --product $(BIN)
	"$$($(SWIFT) build -c release --show-bin-path)/lstm-gradcheck-bench" shards \
	  --cli "$$($(SWIFT) build -c release --show-bin-path)/$(BIN)"
