# floodshield build. `make V=1` shows the commands.
.DELETE_ON_ERROR:
.PHONY: all deps test-deps test docs format demo fresh-check kernel-check unit-check bench bench-quick vmlinux clean install uninstall fuzz fuzz-build

PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/floodshield

CC        ?= cc
CLANG     ?= clang
BPFTOOL   ?= bpftool
BUILD     := build
ARCH      := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

# CFLAGS and LDFLAGS are the user's (make CFLAGS=...); the project's
# own flags are added in the rules, so overriding them never breaks the
# build.
CFLAGS    ?= -O2 -g
FS_CFLAGS := -Wall -Wextra -Werror -std=gnu11
LDLIBS    := -lxdp -lbpf -lelf -lz -lcap -lmicrohttpd -lpthread -linih -lunbound
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Layers (docs/design.md): cli -> daemon -> loader -> maps <- bpf. Every
# #include is a path relative to the file; scripts/check-layers.sh fails
# on one that points up. loader/ is a static library compiled with the
# build folder (its skeleton) as its only include path.
BPF_SRC   := bpf/floodshield.bpf.c
BPF_HDRS  := $(wildcard bpf/*.h) $(wildcard maps/*.h) vmlinux.h
SKEL      := $(BUILD)/floodshield.skel.h

MAPS_HDRS   := $(wildcard maps/*.h)
LOADER_HDRS := $(MAPS_HDRS) $(wildcard loader/*.h)
DAEMON_HDRS := $(LOADER_HDRS) $(wildcard userspace/daemon/*.h)
CLI_HDRS    := $(DAEMON_HDRS) $(wildcard userspace/cli/*.h)
TEST_HDRS   := $(CLI_HDRS) $(wildcard tests/*.h)

LOADER_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard loader/*.c))
DAEMON_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard userspace/daemon/*.c))
CLI_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(wildcard userspace/cli/*.c))
LIB        := $(BUILD)/libfloodshield.a
TEST_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/*.c))
# What tests link: every layer but the CLI's main().
TEST_LIBS  := $(filter-out $(BUILD)/userspace/cli/main.o,$(CLI_OBJ)) $(DAEMON_OBJ) $(LIB)

all: $(BUILD)/floodshield $(BUILD)/fs_test $(BUILD)/fs_insns $(BUILD)/fs_docgen
	$(Q)$(BUILD)/fs_insns || true

# Packages: deps for the build and the demo, test-deps adds the servers
# the tests start. Both are no-ops once everything is installed.
deps:
	$(Q)scripts/install-deps.sh

test-deps:
	$(Q)scripts/install-deps.sh --test

$(BUILD)/floodshield.bpf.o: $(BPF_SRC) $(BPF_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $(BUILD)/floodshield.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $(BUILD)/floodshield.tmp.o

$(SKEL): $(BUILD)/floodshield.bpf.o
	$(Q)$(BPFTOOL) gen skeleton $< name floodshield_bpf > $@

$(LOADER_OBJ): $(BUILD)/%.o: %.c $(LOADER_HDRS) $(SKEL)
	@mkdir -p $(@D)
	$(Q)$(CC) $(FS_CFLAGS) $(CFLAGS) -I$(BUILD) -c $< -o $@

$(LIB): $(LOADER_OBJ)
	$(Q)$(AR) rcs $@ $^

$(DAEMON_OBJ): $(BUILD)/%.o: %.c $(DAEMON_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(FS_CFLAGS) $(CFLAGS) -c $< -o $@

$(CLI_OBJ): $(BUILD)/%.o: %.c $(CLI_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(FS_CFLAGS) $(CFLAGS) -c $< -o $@

$(TEST_OBJ): $(BUILD)/%.o: %.c $(TEST_HDRS) $(SKEL)
	@mkdir -p $(@D)
	$(Q)$(CC) $(FS_CFLAGS) $(CFLAGS) -I$(BUILD) -c $< -o $@

$(BUILD)/floodshield: $(CLI_OBJ) $(DAEMON_OBJ) $(LIB)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/fs_test: $(TEST_OBJ) $(TEST_LIBS)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The verifier's verdict on the program (tests/tools/insns.c): `make`
# prints it, `make test` fails past FS_INSNS_MAX percent of the limit.
FS_INSNS_MAX ?= 90
$(BUILD)/fs_insns: tests/tools/insns.c $(LOADER_HDRS) $(SKEL) $(LIB)
	$(Q)$(CC) $(FS_CFLAGS) $(CFLAGS) -I$(BUILD) -o $@ $< $(LIB) $(LDLIBS)

# The docs tables (reasons, events, settings, maps) are generated from
# maps/tables.h by tests/tools/docgen.c: `make docs` rewrites the blocks
# between <!-- BEGIN GENERATED name --> and <!-- END GENERATED name -->
# in docs/*.md; `make test` fails when a committed file differs.
$(BUILD)/fs_docgen: tests/tools/docgen.c $(LOADER_HDRS) $(SKEL) $(LIB)
	$(Q)$(CC) $(FS_CFLAGS) $(CFLAGS) -I$(BUILD) -o $@ $< $(LIB) $(LDLIBS)

# The C sources in kernel style (.clang-format); `make test` checks.
format:
	$(Q)scripts/check-format.sh --fix

docs: $(BUILD)/fs_docgen
	$(Q)scripts/docs.sh $(BUILD)/fs_docgen

# Tests and the demo need root, bpffs and the packages from deps.
test: test-deps all fuzz-build
	$(Q)scripts/check-format.sh
	$(Q)scripts/check-layers.sh
	$(Q)scripts/check-writers.sh
	$(Q)scripts/docs.sh --check $(BUILD)/fs_docgen
	$(Q)$(BUILD)/fs_insns --max $(FS_INSNS_MAX)
	$(Q)$(BUILD)/fs_test
	$(Q)scripts/fuzz.sh --quick

# Fuzzing (docs/testing.md, "Fuzzing"): one libFuzzer target per parser
# of outside input (tests/fuzz/fuzz_*.c), built with Debian's clang under
# ASan and UBSan, and the XDP program driven with random and mutated
# frames (tests/fuzz/xdp_frames.c). `make fuzz` runs each target for
# FUZZ_TIME seconds (default 60) and 10^7 frames; `make test` runs each
# for a few seconds and 10^5 frames (scripts/fuzz.sh --quick).
FUZZ_TARGETS := config ledger hosts dns ring http
FUZZ_CFLAGS  := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -Wall -Wextra -Wno-string-plus-int \
		-Wno-string-concatenation -std=gnu11 -I$(BUILD)
FUZZ_SRC     := $(wildcard loader/*.c) $(wildcard userspace/daemon/*.c)
FUZZ_OBJ     := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_SRC))
# A target that includes a .c (to reach its static parsers) links
# without that file's object.
FUZZ_OWN_dns  := $(BUILD)/fuzz/obj/userspace/daemon/dns.o
FUZZ_OWN_ring := $(BUILD)/fuzz/obj/userspace/daemon/verifier.o

$(FUZZ_OBJ): $(BUILD)/fuzz/obj/%.o: %.c $(DAEMON_HDRS) $(SKEL)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(filter-out $(FUZZ_OWN_$*),$(FUZZ_OBJ)) $(LDLIBS)

FUZZ_FRAMES_OBJ := $(addprefix $(BUILD)/tests/,xdp_env.o pkt.o http_env.o)
$(BUILD)/fuzz/xdp_frames: tests/fuzz/xdp_frames.c $(TEST_HDRS) $(SKEL) $(FUZZ_FRAMES_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(FS_CFLAGS) $(CFLAGS) -I$(BUILD) -o $@ $< $(FUZZ_FRAMES_OBJ) \
		$(LIB) $(LDLIBS)

fuzz-build: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS)) $(BUILD)/fuzz/xdp_frames

FUZZ_TIME ?= 60
fuzz: fuzz-build
	$(Q)FUZZ_TIME=$(FUZZ_TIME) scripts/fuzz.sh

demo: deps all
	$(Q)scripts/demo.sh

# The README's quick start (demo, then the whole suite) in a fresh
# minimal Debian 12 root (debootstrap), on a clean clone of HEAD: proves
# that scripts/install-deps.sh installs everything. Not part of `test`;
# root, about 7 minutes. FRESH_ARGS=--rebuild refreshes the cached base,
# FRESH_ARGS=--bench adds `make bench` (the --bench packages).
fresh-check:
	$(Q)scripts/fresh-check.sh $(FRESH_ARGS)

# The XDP suites of fs_test on Debian 12's own kernel (6.1, from the
# package registry) under qemu (TCG): scripts/kernel-check.sh. Not part
# of `test`; root for apt-get download, about 3 minutes to load the
# program twice (KCHECK_ARGS=--insns: only that), more with the suites.
kernel-check: all
	$(Q)scripts/install-deps.sh --kernel-check
	$(Q)scripts/kernel-check.sh $(KCHECK_ARGS)

# The systemd unit under a real systemd: scripts/unit-check.sh boots a
# minimal Debian 12 root with systemd as init (systemd-nspawn), installs
# with `make install` there and starts, reloads and stops the unit. Not
# part of `test`; root, about 30 s (2 minutes more the first time: the
# root is made and cached).
unit-check: all $(BUILD)/floodshield.service
	$(Q)scripts/install-deps.sh --unit-check
	$(Q)scripts/unit-check.sh $(UNIT_ARGS)

# vmlinux.h is committed; regenerate it on a kernel with BTF with this.
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

$(BUILD)/floodshield.service: etc/floodshield.service.in
	@mkdir -p $(@D)
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@

# DESTDIR and PREFIX as usual. An existing configuration is never
# overwritten; uninstall leaves it (and the pinned state) in place.
install: $(BUILD)/floodshield $(BUILD)/floodshield.service
	install -D -m 0755 $(BUILD)/floodshield $(DESTDIR)$(SBINDIR)/floodshield
	install -D -m 0644 $(BUILD)/floodshield.service $(DESTDIR)$(UNITDIR)/floodshield.service
	install -D -m 0644 etc/floodshield.sysusers $(DESTDIR)$(SYSUSERSDIR)/floodshield.conf
	install -D -m 0644 docs/floodshield.8 $(DESTDIR)$(MANDIR)/man8/floodshield.8
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/floodshield
	test -e $(DESTDIR)$(SYSCONFDIR)/floodshield/floodshield.conf || \
		install -m 0644 etc/floodshield.conf $(DESTDIR)$(SYSCONFDIR)/floodshield/floodshield.conf
	# the daemon's user, now (systemd-sysusers at boot would make it too)
	test -n "$(DESTDIR)" || systemd-sysusers $(SYSUSERSDIR)/floodshield.conf || \
		{ echo "make install: make the user floodshield (see etc/floodshield.sysusers)" >&2; exit 1; }

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/floodshield $(DESTDIR)$(UNITDIR)/floodshield.service \
		$(DESTDIR)$(SYSUSERSDIR)/floodshield.conf $(DESTDIR)$(MANDIR)/man8/floodshield.8
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(BUILD)

# Benchmarks (bench/, docs/benchmarks.md). Not part of `all`: fs_bench
# is built by `make bench` and `make bench-quick` only.
BENCH_SRC  := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(BENCH_SRC))
BENCH_SKEL := $(BUILD)/bench.skel.h

$(BUILD)/bench.bpf.o: bench/bench.bpf.c bench/bench_abi.h vmlinux.h
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $(BUILD)/bench.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $(BUILD)/bench.tmp.o

$(BENCH_SKEL): $(BUILD)/bench.bpf.o
	$(Q)$(BPFTOOL) gen skeleton $< name bench_bpf > $@

$(BENCH_OBJ): $(BUILD)/bench/%.o: bench/%.c bench/bench.h bench/bench_abi.h $(TEST_HDRS) $(SKEL) $(BENCH_SKEL)
	@mkdir -p $(@D)
	$(Q)$(CC) $(FS_CFLAGS) $(CFLAGS) -I$(BUILD) -c $< -o $@

$(BUILD)/fs_bench: $(BENCH_OBJ) $(BUILD)/tests/pkt.o $(TEST_LIBS)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# make bench: every benchmark (about 10 minutes); make bench-quick: the
# per-packet table only. Both need root; results go to $(BUILD)/bench-results.
bench: $(BUILD)/fs_bench $(BUILD)/floodshield
	$(Q)bench/run.sh all

bench-quick: $(BUILD)/fs_bench
	$(Q)bench/run.sh quick
