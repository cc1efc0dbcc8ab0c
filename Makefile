# lstm-gradcheck — build, test and benchmark with the Swift toolchain alone.
#
# The release build is portable (it runs on any x86-64 or arm64 CPU). For the
# machine you are on, `make build-native` adds -target-cpu so that SIMD code uses
# AVX2/AVX-512 (the binary then runs only on CPUs with those instructions).

PREFIX ?= /usr/local
SWIFT ?= swift
BIN = lstm-gradcheck
DEBUG_BIN = .build/debug/$(BIN)
NATIVE_FLAGS = -Xswiftc -target-cpu -Xswiftc native -Xswiftc -DWIDE_SIMD

.PHONY: all build build-native test regress run install bench clean

all: build

build:
	$(SWIFT) build -c release --product $(BIN)

build-native:
	$(SWIFT) build -c release --product $(BIN) $(NATIVE_FLAGS) --scratch-path .build-native

# Unit and end-to-end tests, then the fixture regression: every test runs once.
test:
	$(SWIFT) test --skip FixtureRegressionTests
	$(MAKE) regress

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

run:
	$(SWIFT) run -c release $(BIN)

install: build
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 "$$($(SWIFT) build -c release --show-bin-path)/$(BIN)" "$(DESTDIR)$(PREFIX)/bin/$(BIN)"

# The portable and the native build side by side, NumPy beside them when python3 has it.
bench:
	$(SWIFT) build -c release --product lstm-gradcheck-bench
	$(SWIFT) build -c release --product $(BIN)
	$(SWIFT) build -c release --product lstm-gradcheck-bench $(NATIVE_FLAGS) --scratch-path .build-native
	"$$($(SWIFT) build -c release --show-bin-path)/lstm-gradcheck-bench" \
	  --cli "$$($(SWIFT) build -c release --show-bin-path)/$(BIN)" \
	  --native "$$($(SWIFT) build -c release $(NATIVE_FLAGS) --scratch-path .build-native --show-bin-path)/lstm-gradcheck-bench"

clean:
	rm -rf .build .build-native
