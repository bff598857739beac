# Roam: the front door.
#
#   make deps      check Open MPI 4.x, pkg-config, make, gcc and a JDK 17+; install what is
#                  missing with apt-get when root, else say what to install
#   make / build   deps, then build and install every module (no tests)
#   make test      deps, then the full build with every test: the unit phase (C `make check`
#                  and Surefire) and the system phase (Failsafe: the tests tagged "system")
#   make test-unit    deps, then the build with the unit phase only (-DskipITs)
#   make test-system  deps, then the build with the system phase only (Surefire's tests off)
#   make demo      build, then scripts/auto-demo.sh (as root: agents on namespace hosts
#                  steal a throttled node's rank by themselves; else demo-manual)
#   make demo SCENARIO=grow   the second scenario (root): a node joins mid-run and the
#                  malleable heat job grows onto it by itself
#   make demo-manual  build, then samples/heat-diffusion/demo.sh (ranks moved by hand)
#   make bench     build, then the benchmarks (results in benchmarks/results/); the agent
#                  benchmarks are the module benchmarks/java (roam-bench, not in the agents jar)
#   make install   install the roam command, the agent's unit roam-agent.service and libpcm
#                  under PREFIX (default /usr/local; the unit in SYSTEMD_UNIT_DIR); needs make first
#   make clean     remove every build output
#
# Maven runs through ./mvnw (Maven 3.9.9, fetched from Maven Central on first use).
# Extra Maven flags: make test MVN_ARGS='-pl pcm-native -am'; one system test:
# make test-system MVN_ARGS='-pl agents -am -Dit.test=TlsClusterTest -Dfailsafe.failIfNoSpecifiedTests=false'.

SHELL := /bin/bash
.DEFAULT_GOAL := build

PREFIX ?= /usr/local
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
MVN_ARGS ?=
DEMO_ARGS ?=
SCENARIO ?=
BENCH_ARGS ?=

# Maven, not this make, drives the nested makes of the modules: keep this make's flags
# and command-line variables (which travel in MAKEFLAGS) away from them.
MVNW := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ./mvnw -B -ntp $(MVN_ARGS)

PCM_C_DIR := pcm-native/src/main/c
DEMO := scripts/auto-demo.sh
MANUAL_DEMO := samples/heat-diffusion/demo.sh

# Open MPI refuses to start as root unless told that it is meant.
ifeq ($(shell id -u),0)
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
endif

.PHONY: all build deps check-deps test test-unit test-system demo demo-manual bench install clean help

all: build

## deps: a cheap check first; installs only when something is missing.
deps:
	@scripts/deps.sh

## check-deps: the check alone, no install (exit status 1 when something is missing).
check-deps:
	@scripts/deps.sh --check

build: deps
	$(MVNW) -q -DskipTests install

test: deps
	$(MVNW) install

## test-unit: Surefire and the C tests; every test tagged "system" is left to test-system.
test-unit: deps
	$(MVNW) install -DskipITs

## test-system: Failsafe's tests alone (the C tests of `make check` still run in the build).
test-system: deps
	$(MVNW) install -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false

demo: build
	@if [ "$$(id -u)" = 0 ]; then \
	  ROAM_DEMO_SCENARIO='$(SCENARIO)' bash $(DEMO) $(DEMO_ARGS); \
	elif [ -n '$(SCENARIO)' ]; then \
	  echo "make demo SCENARIO=$(SCENARIO): needs root (network namespaces and CPU cgroups)" >&2; exit 2; \
	else \
	  echo "make demo: not root, so no namespace hosts: running the manual migration demo instead" >&2; \
	  bash $(MANUAL_DEMO); \
	fi

demo-manual: build
	bash $(MANUAL_DEMO) $(DEMO_ARGS)

bench: build
	bash benchmarks/pcm-migration.sh $(BENCH_ARGS)
	bash benchmarks/pcm-overhead.sh
	bash benchmarks/pmpi-overhead.sh
	bash benchmarks/agents.sh
	bash benchmarks/profiling.sh

## install: libpcm (header, library, pkg-config file) under PREFIX; the roam command as
## PREFIX/bin/roam over PREFIX/lib/roam (the agents' jar and its libraries); the unit
## roam-agent.service, running PREFIX/bin/roam agent, in SYSTEMD_UNIT_DIR (docs/operations.md).
AGENTS_JAR = $(firstword $(filter-out %-tests.jar,$(wildcard agents/target/roam-agents-*.jar)))
install: deps
	@if [ -z "$(AGENTS_JAR)" ] || [ ! -d agents/target/lib ]; then \
	  echo "make install: the agents are not built (no agents/target/roam-agents-*.jar): run make first" >&2; \
	  exit 1; \
	fi
	$(MAKE) -C $(PCM_C_DIR) install PREFIX=$(abspath $(PREFIX)) BUILD=$(CURDIR)/pcm-native/target/native
	install -d $(PREFIX)/bin $(PREFIX)/lib/roam/lib $(SYSTEMD_UNIT_DIR)
	rm -f $(PREFIX)/lib/roam/lib/*.jar $(PREFIX)/lib/roam/roam-agent.jsa
	install -m 644 $(AGENTS_JAR) $(PREFIX)/lib/roam/roam-agents.jar
	install -m 644 agents/target/lib/*.jar $(PREFIX)/lib/roam/lib/
	install -m 755 bin/roam $(PREFIX)/bin/roam
	sed 's|@PREFIX@|$(abspath $(PREFIX))|g' deploy/systemd/roam-agent.service.in > $(SYSTEMD_UNIT_DIR)/roam-agent.service
	chmod 644 $(SYSTEMD_UNIT_DIR)/roam-agent.service
	@echo "installed $(PREFIX)/bin/roam and $(SYSTEMD_UNIT_DIR)/roam-agent.service (docs/operations.md: systemctl daemon-reload, enable --now roam-agent)"

clean:
	$(MVNW) -q clean
	rm -f benchmarks/results/*.tmp

help:
	@sed -n '3,23s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))
