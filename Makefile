# SPDX-License-Identifier: MIT
# Wrapper around CMake and the project scripts. The two commands of the README:
#   make demo    install what is missing, build, run the daemon on the simulated household
#   make check   install what is missing, build, run every test
#   make deb     build the Debian packages into build/packages (then lintian); ARCH=arm64 or
#                ARCH=armhf cross-builds that architecture's package (Raspberry Pi)
#   make rpm     build the RPMs into build/packages (then rpmlint)
#   make repo REPO_KEY=FILE   a signed apt repository in build/repo (REPO_OUT) of the .debs
#                that make deb (ARCH=...) put in build/packages, for publishing as static files:
#                REPO_KEY is the secret signing key (gpg --export-secret-keys, no passphrase),
#                REPO_KEY_ID picks one key when the file holds several, REPO_URI is where it
#                will be served (written into meteremu.sources) (scripts/build-repo)
#   make bench   the performance budgets against references (wrk, nginx), report in
#                build/bench/report.md; fails when a budget fails (not part of make check)
#   make check-asan / check-tsan   the suite under AddressSanitizer+UBSan / ThreadSanitizer,
#                in build-asan/ and build-tsan/
#   make check-cross   for arm64 and armhf: the unit tests cross-built (build-arm64/,
#                build-armhf/) and run under qemu-user, the package built and its daemon run
#                (make check does the packages only)
#   make fuzz FUZZ_SECONDS=N   each libFuzzer target of tests/fuzz for N seconds (clang)
#   make sim     the closed-loop simulator's matrix (batteries × sources × latencies × serve
#                policies), report, JSON and plots in build/sim (docs/simulator.md)
#   make soak    ten minutes (SOAK_SECONDS) of mixed load; fails on leaks or a wrong answer
#   make check-without-mqtt   a build without the mqtt backend (as without libmosquitto), in
#                build-nomqtt/: only mqtt configurations are refused, with the reason
#   make tidy    clang-tidy (.clang-tidy) over src/ with build/compile_commands.json; fails on
#                any finding
# CMAKE_FLAGS reach every configure step, the sanitizer builds too (CI: -DMETEREMU_WERROR=ON).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 60
SOAK_SECONDS ?= 600
# make deb only: the Debian architecture to build for; empty is this machine's.
ARCH ?=
# make repo only: the signing key file (required), which key of it, where the repository goes.
REPO_KEY ?=
REPO_KEY_ID ?=
REPO_URI ?=
REPO_OUT ?= $(BUILD)/repo

SOURCES = $(shell git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' 2>/dev/null || \
                  find src tests bench -name '*.[ch]pp')

.PHONY: all deps configure build demo check check-asan check-tsan check-cross fuzz soak sim deb \
        rpm repo bench format format-check tidy clean check-without-mqtt

all: build

deps:
	scripts/install-deps

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) --parallel $(JOBS)

demo: build
	@echo "meteremu demo: try  curl -s 'http://127.0.0.1:8080/rpc/EM.GetStatus?id=0'  (Ctrl-C stops)"
	$(BUILD)/src/meteremu --demo

# The cross compilers too: the arm64 and armhf packages are built and run under qemu-user.
check: build
	scripts/install-deps cross
	cd $(BUILD) && ctest --output-on-failure --parallel $(JOBS)

check-cross: deps
	scripts/install-deps cross
	CMAKE_FLAGS="$(CMAKE_FLAGS)" JOBS=$(JOBS) scripts/check-cross $(BUILD)

# The whole suite (but the package builds, see the script) built with sanitizers, each in a
# build directory of its own; any sanitizer report fails the run.
check-asan: deps
	CMAKE_FLAGS="$(CMAKE_FLAGS)" JOBS=$(JOBS) scripts/check-sanitized address,undefined $(BUILD)-asan

check-tsan: deps
	CMAKE_FLAGS="$(CMAKE_FLAGS)" JOBS=$(JOBS) scripts/check-sanitized thread $(BUILD)-tsan

check-without-mqtt: deps
	CMAKE_FLAGS="$(CMAKE_FLAGS)" JOBS=$(JOBS) scripts/check-without-mqtt $(BUILD)-nomqtt

# Mixed HTTP, WebSocket and UDP load on the demo backend, sampling the daemon's RSS and fds.
soak: build
	$(BUILD)/tests/meteremu_soak --seconds $(SOAK_SECONDS)

# The simulator alone needs only core/: build it and run the whole matrix.
sim: configure
	cmake --build $(BUILD) --parallel $(JOBS) --target meteremu-sim
	$(BUILD)/sim/meteremu-sim --matrix --jobs $(JOBS) --out $(BUILD)/sim
	$(BUILD)/sim/meteremu-sim --fleets --out $(BUILD)/sim

# libFuzzer on every fuzz target in turn; make check replays their corpora without clang.
fuzz:
	scripts/install-deps fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) scripts/fuzz $(BUILD)-fuzz

# From a clean tree: a source tarball of the checkout, built in build/deb-staging and
# build/rpm-staging; neither needs `make build` first. A cross build (ARCH=arm64) stages in
# build/deb-staging-arm64 and needs the cross compiler and that architecture's libraries.
deb:
	scripts/install-deps $(if $(ARCH),cross)
	JOBS=$(JOBS) scripts/build-deb $(if $(ARCH),--arch $(ARCH)) --out $(BUILD)/packages \
	    --staging $(BUILD)/deb-staging$(if $(ARCH),-$(ARCH))

rpm: deps
	scripts/build-rpm --out $(BUILD)/packages --staging $(BUILD)/rpm-staging

# Publishes what make deb built (every architecture present); it builds nothing itself.
repo: deps
	@test -n "$(REPO_KEY)" || { echo "make repo: set REPO_KEY=FILE, the secret key that signs" \
	    "the repository (gpg --export-secret-keys KEYID >FILE); REPO_KEY_ID=ID picks one key" >&2; \
	    exit 2; }
	scripts/build-repo --packages $(BUILD)/packages --out $(REPO_OUT) --key $(REPO_KEY) \
	    $(if $(REPO_KEY_ID),--key-id $(REPO_KEY_ID)) $(if $(REPO_URI),--uri $(REPO_URI))

# Builds only what the benchmark runs (the daemon, the fake Envoy, bench/'s programs).
bench:
	scripts/install-deps bench
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) --parallel $(JOBS) --target meteremu fake_envoy bench_programs
	/usr/bin/python3 bench/run_bench.py --build $(BUILD) --out $(BUILD)/bench

format: deps
	clang-format -i $(SOURCES)

format-check: deps
	@echo "clang-format --dry-run --Werror (all C++ sources)"
	@clang-format --dry-run --Werror $(SOURCES)

# The checks of .clang-tidy over the daemon's sources (and the project headers they include),
# one clang-tidy per file in parallel; any finding is an error (WarningsAsErrors).
tidy: configure
	run-clang-tidy -quiet -p $(BUILD) -j $(JOBS) '^$(CURDIR)/src/' >$(BUILD)/tidy.log 2>&1 || \
	    { grep -v -e '^clang-tidy' -e 'warnings\? generated\.$$' $(BUILD)/tidy.log; exit 1; }
	@echo "clang-tidy: no finding in src/"

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan $(BUILD)-fuzz $(BUILD)-arm64 $(BUILD)-armhf
