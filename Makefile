# The two set-up commands: `make demo` and `make test` (both install what is missing, then build).
# The demo builds the library and the command line only (its figures come from the plotting modules,
# which need no build) and runs on one thread: with 50 particles a second thread only adds
# synchronisation. `make test` builds the library, the command line, the tests and the Python package;
# `make bench` the benchmark programs (no test runs them).
BUILD ?= build
JOBS ?= $(shell nproc)
OUT ?= results

.PHONY: deps build demo test bench clean

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target esvgd_cli
	$(BUILD)/esvgd run c4-gaussians --preset paper --out $(OUT)/c4-gaussians
	@echo ""
	@echo "figures: $(OUT)/c4-gaussians/*.png"
	@echo "numbers: $(OUT)/c4-gaussians/metrics.json (summary: $(OUT)/c4-gaussians/summary.md)"

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	cmake --build $(BUILD) -j $(JOBS) --target benchmarks
	$(BUILD)/bench/svgd_step_bench
	/usr/bin/python3 bench/compare --esvgd $(BUILD)/bench/svgd_step_time

clean:
	rm -rf $(BUILD)
