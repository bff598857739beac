# Roam: the front door.
#
#   make deps      check Open MPI 4.x, pkg-config, make, gcc and a JDK 17+; install what is
#                  missing with apt-get when root, else say what to install
#   make / build   deps, then build and install every module (no tests)
#   make test      deps, then the full build with every test (C `make check` and JUnit)
#   make demo      build, then scripts/auto-demo.sh (as root: agents on namespace hosts
#                  steal a throttled node's rank by themselves; else demo-manual)
#   make demo-manual  build, then samples/heat-diffusion/demo.sh (ranks moved by hand)
#   make bench     build, then the benchmarks (results in benchmarks/results/)
#   make install   install libpcm under PREFIX (default /usr/local)
#   make clean     remove every build output
#
# Maven runs through ./mvnw (Maven 3.9.9, fetched from Maven Central on first use).
# Extra Maven flags: make test MVN_ARGS='-pl pcm-native -am'.

SHELL := /bin/bash
.DEFAULT_GOAL := build

PREFIX ?= /usr/local
MVN_ARGS ?=
DEMO_ARGS ?=
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

.PHONY: all build deps check-deps test demo demo-manual bench install clean help

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

demo: build
	@if [ "$$(id -u)" = 0 ]; then \
	  bash $(DEMO) $(DEMO_ARGS); \
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

## install: libpcm (header, library, pkg-config file) under PREFIX.
install: deps
	$(MAKE) -C $(PCM_C_DIR) install PREFIX=$(abspath $(PREFIX)) BUILD=$(CURDIR)/pcm-native/target/native

clean:
	$(MVNW) -q clean
	rm -f benchmarks/results/*.tmp

help:
	@sed -n '3,14s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))
