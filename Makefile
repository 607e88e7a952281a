# secstore: the only build entry point (SPEC §1).
#
#   make deps         install build and test dependencies (Debian 12 or 13, as root)
#   make              library, module, command
#   make check        unit, real-libpam and command tests; prints "N passed, N failed"
#   make install      DESTDIR=, PREFIX=, LIBDIR=, PAMDIR=, ... (GNU conventions)
#   make deb          the Debian packages (dpkg-buildpackage -us -uc -b)
#   make bench        session-open cost beside pam_permit and pam_cap
#   make fuzz         libFuzzer targets, FUZZ_SECONDS each
#   make system-check real su/runuser/login, sudo, cron in a Debian chroot (DIST=bookworm|trixie)
#   make vm-check     the same in a booted guest, with sshd, a console, systemd (DIST=)
#   make fleet-check  roles from LDAP groups through sssd and nslcd (DIST=bookworm|trixie)
#   make fleet-bench  the bench's session rows with sssd, then nslcd, as NSS in that root (DIST=)
#   make dist-check   DIST=trixie|bookworm: build as non-root, lintian, autopkgtest in a clean root
#   make role-graph   doc/examples-roles.svg, the README's picture (needs graphviz)
#   make cross-check  the index checksum built for arm64 and run under qemu-user (as root
#                     it installs its own cross compiler and qemu; or make cross-deps)
#
# CXXFLAGS/LDFLAGS come from the environment (dpkg-buildflags in Debian);
# what the code needs to build at all is in the *_REQUIRED variables.

PACKAGE    := secstore
VERSION    := 0.1.0
SOVERSION  := 1

PREFIX     ?= /usr/local
EXEC_PREFIX ?= $(PREFIX)
BINDIR     ?= $(EXEC_PREFIX)/bin
LIBDIR     ?= $(EXEC_PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
PAMDIR     ?= $(LIBDIR)/security
# The module and the command look here by default; not under PREFIX, because
# PAM modules are configured in /etc whatever prefix they were built for.
SYSCONFDIR ?= /etc
SECURITYDIR ?= $(SYSCONFDIR)/security
PAMCONFIGSDIR ?= $(DATADIR)/pam-configs
DOCDIR     ?= $(DATADIR)/doc/$(PACKAGE)
comma := ,

CXX        ?= g++
CXXFLAGS   ?= -O2 -g
LDFLAGS    ?=
CPPFLAGS   ?=
WERROR     ?= -Werror
SANITIZE   ?=

# Sanitized objects are not link-compatible with plain ones: a SANITIZE build
# gets its own tree unless B is given.
B ?= $(if $(SANITIZE),build-san,build)

# GCC 12's maybe-uninitialized misfires inside <regex> and <functional> once
# the sanitizers instrument them; the plain build keeps the warning an error.
SAN_FLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all \
	-Wno-error=maybe-uninitialized)
CXXFLAGS_REQUIRED := -std=c++20 -fPIC -fvisibility=hidden -fvisibility-inlines-hidden \
	-Wall -Wextra $(WERROR) $(SAN_FLAGS) -MMD -MP
# Only the library (and its tests) see lib/src: the module, the command and
# secstore-shell use the public headers, as any other program would.
CPPFLAGS_REQUIRED := -Ilib/include \
	-DSECSTORE_VERSION='"$(VERSION)"' \
	-DSECSTORE_DEFAULT_STORE='"$(SECURITYDIR)/Security.store"' \
	-DSECSTORE_DEFAULT_CONF='"$(SECURITYDIR)/secstore.conf"'
LDFLAGS_REQUIRED := $(SAN_FLAGS) -Wl,--as-needed -Wl,-z,defs
ALL_CXXFLAGS = $(CPPFLAGS_REQUIRED) $(PRIVATE_CPPFLAGS) $(CPPFLAGS) $(CXXFLAGS_REQUIRED) $(CXXFLAGS)
ALL_LDFLAGS = $(LDFLAGS_REQUIRED) $(LDFLAGS)

LIB_SRCS    := $(sort $(wildcard lib/src/*/*.cpp))
MODULE_SRCS := $(sort $(wildcard module/*.cpp))
TOOL_SRCS   := $(sort $(wildcard tools/*.cpp))
LIB_OBJS    := $(LIB_SRCS:%.cpp=$(B)/%.o)
MODULE_OBJS := $(MODULE_SRCS:%.cpp=$(B)/%.o)
TOOL_OBJS   := $(TOOL_SRCS:%.cpp=$(B)/%.o)

LIB_A    := $(B)/libsecstore.a
LIB_SO   := $(B)/libsecstore.so.$(SOVERSION).0.0
LIB_SONAME := libsecstore.so.$(SOVERSION)
MODULE   := $(B)/pam_secstore.so
TOOL     := $(B)/secstore
PCFILE   := $(B)/secstore.pc

.PHONY: all deps check install uninstall deb bench fuzz fuzz-build leak-check system-check vm-check fleet-check fleet-bench \
	clean man dist-deb dist-check role-graph cross-check cross-deps
all: $(LIB_A) $(LIB_SO) $(MODULE) $(TOOL) $(PCFILE)

$(B)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

$(LIB_OBJS): PRIVATE_CPPFLAGS := -Ilib/src

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# The shared library exports its API only (lib/libsecstore.map).
$(LIB_SO): $(LIB_OBJS) lib/libsecstore.map
	$(CXX) -shared -Wl,-soname,$(LIB_SONAME) -Wl,--version-script=lib/libsecstore.map \
		$(ALL_CXXFLAGS) $(ALL_LDFLAGS) -o $@ $(LIB_OBJS) -lcap
	ln -sf $(notdir $@) $(B)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(B)/libsecstore.so

# The module and the command use the shared library (SPEC §6): one library
# update reaches every program that asks. The module exports only pam_sm_*
# (module/module.map). In the build tree they find it through
# LD_LIBRARY_PATH (see `check`); installed, through the linker's path.
LINK_LIBSECSTORE := -L$(B) -lsecstore
$(MODULE): $(MODULE_OBJS) $(LIB_SO) module/module.map
	$(CXX) -shared -Wl,--version-script=module/module.map $(ALL_CXXFLAGS) $(ALL_LDFLAGS) \
		-o $@ $(MODULE_OBJS) $(LINK_LIBSECSTORE) -lpam -lcap

$(TOOL): $(TOOL_OBJS) $(LIB_SO)
	$(CXX) $(ALL_CXXFLAGS) -fPIE -pie $(ALL_LDFLAGS) -o $@ $(TOOL_OBJS) $(LINK_LIBSECSTORE)

$(PCFILE): lib/secstore.pc.in Makefile
	@mkdir -p $(B)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' $< > $@

# ---------------------------------------------------------------- tests
GTEST_LIBS := -lgmock -lgtest -lpthread
UNIT_SRCS   := $(sort $(wildcard tests/unit/*.cpp))
MODUNIT_SRCS := $(sort $(wildcard tests/module/*.cpp))
PAMTEST_SRCS := $(sort $(wildcard tests/pam/*.cpp))
CLITEST_SRCS := $(sort $(wildcard tests/cli/*.cpp))
CAPITEST_SRCS := $(sort $(wildcard tests/capi/*.cpp))
UNIT_TESTS  := $(B)/tests/unit-tests
MODUNIT_TESTS := $(B)/tests/module-unit-tests
PAM_TESTS   := $(B)/tests/pam-tests
CLI_TESTS   := $(B)/tests/cli-tests
CAPI_TESTS  := $(B)/tests/capi-tests
TEST_BINS   := $(if $(UNIT_SRCS),$(UNIT_TESTS)) $(if $(MODUNIT_SRCS),$(MODUNIT_TESTS)) \
	$(if $(PAMTEST_SRCS),$(PAM_TESTS)) $(if $(CLITEST_SRCS),$(CLI_TESTS)) \
	$(if $(CAPITEST_SRCS),$(CAPI_TESTS))
TEST_CPPFLAGS := -Itests -Ilib/src -DSECSTORE_BUILD_DIR='"$(abspath $(B))"' \
	-DSECSTORE_SOURCE_DIR='"$(abspath .)"' -DSECSTORE_SANITIZE_FLAGS='"$(if $(SANITIZE),-fsanitize=$(SANITIZE))"'

$(B)/tests/%.o: tests/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) $(TEST_CPPFLAGS) -c -o $@ $<

$(UNIT_TESTS): $(UNIT_SRCS:%.cpp=$(B)/%.o) $(LIB_A)
	$(CXX) $(ALL_CXXFLAGS) $(ALL_LDFLAGS) -o $@ $^ -lcap $(GTEST_LIBS) -lgtest_main

# The module's own code, linked unchanged against a libpam seam (tests/module/).
$(MODUNIT_TESTS): $(MODUNIT_SRCS:%.cpp=$(B)/%.o) $(MODULE_OBJS) $(LIB_A)
	$(CXX) $(ALL_CXXFLAGS) $(ALL_LDFLAGS) -o $@ $^ -lcap $(GTEST_LIBS) -lgtest_main

# The matrix runs `secstore check` beside the module, and the audit tests
# run `secstore audit` against the sessions they open (tests/cli/run_command).
$(PAM_TESTS): $(PAMTEST_SRCS:%.cpp=$(B)/%.o) $(B)/tests/cli/run_command.o $(LIB_A) | $(MODULE) $(TOOL)
	$(CXX) $(ALL_CXXFLAGS) $(ALL_LDFLAGS) -o $@ $^ -lpam -lcap $(GTEST_LIBS) -lgtest_main

$(CLI_TESTS): $(CLITEST_SRCS:%.cpp=$(B)/%.o) | $(TOOL)
	$(CXX) $(ALL_CXXFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(GTEST_LIBS) -lgtest_main

# The C API through the shared library, as a program using pkg-config would.
$(CAPI_TESTS): $(CAPITEST_SRCS:%.cpp=$(B)/%.o) $(LIB_SO)
	$(CXX) $(ALL_CXXFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) -L$(B) -lsecstore \
		-Wl,-rpath,'$$ORIGIN/..' $(GTEST_LIBS) -lgtest_main

# The peer pam_cap.so (for the import-pam-cap comparison test) is unpacked
# when the Debian archive is reachable; without it that one test skips.
check: all $(TEST_BINS)
	@$(MAKE) --no-print-directory -s $(PEER_DIR)/.unpacked >/dev/null 2>&1 || \
		echo "note: could not unpack libpam-cap; the import-pam-cap peer test will skip"
	@LD_LIBRARY_PATH=$(abspath $(B))$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH} tests/run-tests.sh $(TEST_BINS)

# ---------------------------------------------------------------- fuzz
# libFuzzer targets (tests/fuzz/*_fuzzer.cpp), built with clang into
# $(B)/fuzz/ with the library sources compiled by clang too, instrumented.
# Each runs FUZZ_SECONDS from the seed corpus (tests/fuzz/corpus/TARGET) and
# the regression corpus (tests/fuzz/regressions/TARGET); what it learns goes to
# $(B)/fuzz/corpus/TARGET, crashes to $(B)/fuzz/artifacts/TARGET/. A crash
# fails `make fuzz`; copy its input into tests/fuzz/regressions/TARGET/ so
# `make check` replays it (tests/unit/fuzz_regressions_test.cpp).
FUZZ_SECONDS ?= 60
FUZZ_CXX     ?= clang++
FUZZ_B       := $(B)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CXXFLAGS := $(CPPFLAGS_REQUIRED) -Ilib/src -Itests -std=c++20 -g -O1 -Wall -Wextra \
	-fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP
FUZZ_TARGET_SRCS := $(sort $(wildcard tests/fuzz/*_fuzzer.cpp))
FUZZ_TARGETS := $(FUZZ_TARGET_SRCS:tests/fuzz/%.cpp=$(FUZZ_B)/%)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.cpp=$(FUZZ_B)/%.o)
# Shipped and test files are seeds for every target (a store is a bad conf).
FUZZ_SEED_DIRS := $(wildcard conf tests/data)
# Inputs are mutated up to 8 KiB (throughput); the larger hand-made seeds
# (10,000-deep paths, huge lines) are replayed whole by `make check`, also
# under SANITIZE=address,undefined.
FUZZ_RUN_FLAGS ?= -max_len=8192 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
# Keep the instrumented objects between runs (they are intermediate files).
.SECONDARY: $(FUZZ_LIB_OBJS) $(FUZZ_TARGETS:$(FUZZ_B)/%=$(FUZZ_B)/tests/fuzz/%.o)

$(FUZZ_B)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -c -o $@ $<

$(FUZZ_B)/%_fuzzer: $(FUZZ_B)/tests/fuzz/%_fuzzer.o $(FUZZ_LIB_OBJS)
	$(FUZZ_CXX) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ -lcap

fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	  name=$$(basename $$t _fuzzer); \
	  mkdir -p $(FUZZ_B)/corpus/$$name $(FUZZ_B)/artifacts/$$name tests/fuzz/regressions/$$name; \
	  dict=; [ -f tests/fuzz/$$name.dict ] && dict=-dict=tests/fuzz/$$name.dict; \
	  echo "=== fuzz $$name for $(FUZZ_SECONDS) s"; \
	  $$t $(FUZZ_RUN_FLAGS) $$dict -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(FUZZ_B)/artifacts/$$name/ \
	    $(FUZZ_B)/corpus/$$name tests/fuzz/corpus/$$name tests/fuzz/regressions/$$name $(FUZZ_SEED_DIRS) \
	    > $(FUZZ_B)/$$name.log 2>&1 || { tail -n 60 $(FUZZ_B)/$$name.log; \
	      echo "*** fuzz $$name: crash; input in $(FUZZ_B)/artifacts/$$name/"; exit 1; }; \
	  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' $(FUZZ_B)/$$name.log || true; \
	done

# ---------------------------------------------------------------- leak-check
# The leak tests (tests/pam/leak_test.cpp, tests/capi/leak_test.cpp) under
# valgrind memcheck: a definitely lost byte or a memory error in the process
# (or the forked child that runs the PAM transactions) fails it. valgrind
# re-translates the module at every dlopen (~0.3 s a transaction), so the PAM
# test runs LEAK_CYCLES_VALGRIND transactions here; the full 10,000 run under
# LeakSanitizer in `make check SANITIZE=address,undefined`.
VALGRIND ?= valgrind
VALGRIND_FLAGS ?= --quiet --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --error-exitcode=99
LEAK_CYCLES_VALGRIND ?= 200
leak-check: all $(PAM_TESTS) $(CAPI_TESTS)
	@if [ -n "$(SANITIZE)" ]; then echo "leak-check: valgrind cannot run sanitized binaries; use a plain build" >&2; exit 2; fi
	LD_LIBRARY_PATH=$(abspath $(B)) SECSTORE_LEAK_CYCLES=$(LEAK_CYCLES_VALGRIND) $(VALGRIND) $(VALGRIND_FLAGS) \
		$(PAM_TESTS) --gtest_filter='PamLeak.*'
	LD_LIBRARY_PATH=$(abspath $(B)) $(VALGRIND) $(VALGRIND_FLAGS) $(CAPI_TESTS) --gtest_filter='CapiLeak.*'

# ---------------------------------------------------------------- bench
# Session-open cost beside pam_permit and pam_cap, store-size scaling, library
# throughput and callgrind counts (tests/bench/); table on stdout, figures in
# $(B)/bench.json. Needs root. Missed targets are reported, not fatal; a
# broken measurement is. The peer pam_cap.so is unpacked from Debian's
# libpam-cap into $(B)/peer, never installed (its postinst edits /etc/pam.d).
# BENCH_ARGS: e.g. --calls=2000 --sizes=1000,100000 --no-audit-pass.
BENCH_SRCS := $(sort $(wildcard tests/bench/*.cpp))
BENCH      := $(B)/bench/secstore-bench
PEER_DIR   := $(B)/peer
BENCH_ARGS ?=

# audit_open and __syslog_chk are exported so that libpam binds to the
# bench's (tests/bench/audit_switch.hpp, log_capture.hpp) before the libraries'.
$(BENCH): $(BENCH_SRCS:%.cpp=$(B)/%.o) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) $(ALL_LDFLAGS) -Wl,--export-dynamic-symbol=audit_open \
		-Wl,--export-dynamic-symbol=__syslog_chk -o $@ $^ -lpam -lcap

$(PEER_DIR)/.unpacked:
	rm -rf $(PEER_DIR) && mkdir -p $(PEER_DIR)/deb
	cd $(PEER_DIR)/deb && apt-get download libpam-cap
	dpkg-deb -x $(PEER_DIR)/deb/libpam-cap_*.deb $(PEER_DIR)
	touch $@

bench: $(MODULE) $(BENCH) $(PEER_DIR)/.unpacked
	LD_LIBRARY_PATH=$(abspath $(B)) $(BENCH) --module=$(abspath $(MODULE)) \
		--pam-cap=$$(find $(abspath $(PEER_DIR)) -name pam_cap.so -path '*/security/*' | head -n 1) \
		--work=$(abspath $(B))/bench --json=$(B)/bench.json \
		--valgrind=$$(command -v valgrind) --strace=$$(command -v strace) $(BENCH_ARGS)

# ---------------------------------------------------------------- install
install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PAMDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(INCLUDEDIR)/secstore $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0644 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libsecstore.so
	install -m 0644 $(MODULE) $(DESTDIR)$(PAMDIR)/
	install -m 0755 $(TOOL) $(DESTDIR)$(BINDIR)/
	install -m 0644 lib/include/secstore/*.h lib/include/secstore/*.hpp $(DESTDIR)$(INCLUDEDIR)/secstore/
	install -m 0644 $(PCFILE) $(DESTDIR)$(PKGCONFIGDIR)/
	install -D -m 0644 conf/bash-completion/secstore $(DESTDIR)$(BASHCOMPDIR)/secstore
	install -d $(addprefix $(DESTDIR)$(MANDIR)/man,1 3 5 8)
	$(foreach m,$(MANPAGES),install -m 0644 $(m) $(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/ &&) true
	install -d $(DESTDIR)$(PAMCONFIGSDIR) $(DESTDIR)$(DOCDIR)/examples/pam.d
	install -m 0644 conf/pam-configs/secstore $(DESTDIR)$(PAMCONFIGSDIR)/secstore
	cp -R conf/examples/. $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 conf/pam.d/*.example $(DESTDIR)$(DOCDIR)/examples/pam.d/
	chmod -R u=rwX,go=rX $(DESTDIR)$(DOCDIR)/examples
	@# Never overwrite an admin's files on a real install (DESTDIR empty).
	install -d $(DESTDIR)$(SECURITYDIR)
	for f in Security.store secstore.conf; do \
		if [ -n "$(DESTDIR)" ] || [ ! -e $(SECURITYDIR)/$$f ]; then \
			install -m 0644 conf/$$f $(DESTDIR)$(SECURITYDIR)/$$f; \
		else echo "install: keeping existing $(SECURITYDIR)/$$f"; fi; \
	done

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libsecstore.so* $(DESTDIR)$(PAMDIR)/pam_secstore.so \
		$(DESTDIR)$(BINDIR)/secstore $(DESTDIR)$(PKGCONFIGDIR)/secstore.pc \
		$(DESTDIR)$(PAMCONFIGSDIR)/secstore $(DESTDIR)$(BASHCOMPDIR)/secstore \
		$(foreach m,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	rm -rf $(DESTDIR)$(INCLUDEDIR)/secstore $(DESTDIR)$(DOCDIR)/examples

# ---------------------------------------------------------------- man, deb
MANPAGES := doc/secstore.1 doc/libsecstore.3 doc/Security.store.5 doc/secstore.conf.5 \
	doc/pam_secstore.8 doc/secstore-shell.8

# Renders every page and fails on any groff or man warning, also as
# lintian renders it (paged, -Z, 120 columns: its groff-message check).
man:
	@for m in $(MANPAGES); do \
		out=$$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -l $$m 2>&1 >/dev/null; \
			LC_ALL=C.UTF-8 MANROFFSEQ= MANWIDTH=120 man --warnings -E UTF-8 -l -Tutf8 -Z $$m 2>&1 >/dev/null; \
			groff -t -ww -z -man -Tutf8 $$m 2>&1); \
		if [ -n "$$out" ]; then echo "$$m:"; echo "$$out"; exit 1; fi; \
		lexgrog $$m >/dev/null || { echo "$$m: lexgrog cannot read NAME"; exit 1; }; \
		if grep -q '^\.TS' $$m && ! head -n 1 $$m | grep -q "^'\\\\\" [a-z]*t"; then \
			echo "$$m: has a table but no '\\\" t first line (man runs tbl only then)"; exit 1; fi; \
	done; echo "man pages: $(words $(MANPAGES)) clean"

# The README's role graph: the stores of the shipped examples read as one
# store, drawn by `secstore audit --dot` and Graphviz's dot (`make deps`
# installs graphviz). The result is committed.
role-graph: $(TOOL)
	cat conf/examples/*/Security.store > $(B)/examples.store
	cd $(B) && LD_LIBRARY_PATH=. ./secstore audit --dot --store examples.store > examples-roles.dot
	dot -Tsvg $(B)/examples-roles.dot > doc/examples-roles.svg

# The packages are built from a private copy of the tree under build/ (so
# dpkg-buildpackage's clean never touches build/, and two runs at once do not
# collide) and published in build/deb/ (see debian/build-debs). The build runs
# `make check` (dh_auto_test); DEB_BUILD_OPTIONS=nocheck skips it. lintian
# must report no error or warning; LINTIAN= skips the run.
LINTIAN ?= lintian
deb:
	debian/build-debs $(B) $(B)/deb '$(LINTIAN)'

# ---------------------------------------------------------------- shell wrapper
# secstore-shell (shell/): the login-shell wrapper for sshd sessions, which
# raises in the ambient set what the policy grants the user as ambient (from
# the files, never the environment), of what the session holds inheritable
# (see secstore-shell(8)). Installed with file-inheritable capabilities by the
# package's postinst (setcap all=i), never setuid.
LIBEXECDIR ?= $(EXEC_PREFIX)/libexec
SHELL_WRAPPER := $(B)/secstore-shell
all: $(SHELL_WRAPPER)
$(SHELL_WRAPPER): $(B)/shell/secstore-shell.o $(LIB_SO)
	$(CXX) $(ALL_CXXFLAGS) -fPIE -pie $(ALL_LDFLAGS) -o $@ $(B)/shell/secstore-shell.o $(LINK_LIBSECSTORE) -lcap
# The real-libpam tests run it as sshd would (tests/pam/secstore_shell_test).
$(PAM_TESTS): | $(SHELL_WRAPPER)

.PHONY: install-shell-wrapper
install: install-shell-wrapper
install-shell-wrapper: $(SHELL_WRAPPER)
	install -D -m 0755 $(SHELL_WRAPPER) $(DESTDIR)$(LIBEXECDIR)/secstore/secstore-shell

# ---------------------------------------------------------------- system, vm
# Real su/runuser/login, sudo, sudo-rs, cron in a Debian chroot
# (build/system/DIST/; DIST=bookworm or trixie) with the .debs installed,
# pam_secstore beside that release's pam_cap; then the same root booted
# under qemu with systemd, sshd and a serial console (build/vm/DIST/). Both
# need root; neither touches the host's /etc. The roots are cached in
# build/system/cache/. Both DISTs install the .debs `make deb` builds here
# (Debian 12). DEBS=DIR (for system-check, vm-check and fleet-check) uses
# the .debs already in DIR instead of building them again (CI: one build for
# every suite). tests/system/run.sh DIST --raw $(B) runs without .debs.
DIST ?= bookworm
FLEET_DEBS ?=
DEBS ?= $(FLEET_DEBS)
system-check: $(if $(DEBS),,deb)
	tests/system/run.sh $(DIST) --debs $(or $(DEBS),$(B)/deb)

vm-check: $(if $(DEBS),,deb)
	tests/vm/run.sh $(DIST) --debs $(or $(DEBS),$(B)/deb)

# Roles and capabilities from directory groups (tests/fleet/): a real slapd
# in a Debian root (DIST=bookworm or trixie) inside its own network, mount
# and PID namespaces (loopback only), NSS through sssd and then nslcd, real
# su/runuser/login/pamtester sessions and `secstore explain` for the same
# users, and the directory stopped. The root is cached in build/fleet/cache.
# Both DISTs install the .debs `make deb` builds here (Debian 12).
# DEBS=DIR (or FLEET_DEBS=DIR) uses the .debs already in DIR instead of
# building them again.
fleet-check: $(if $(DEBS),,deb)
	tests/fleet/run.sh $(DIST) --debs $(or $(DEBS),$(B)/deb)

# The bench's session rows in the fleet-check root (tests/fleet/bench.sh):
# slapd up, sssd and then nslcd as the name service, a directory user in
# directory groups as the session user; the module is the one our package
# installs there, pam_cap the bench's. FLEET_BENCH_ARGS: e.g. --calls=2000.
FLEET_BENCH_ARGS ?=
fleet-bench: $(if $(DEBS),,deb) $(BENCH) $(PEER_DIR)/.unpacked
	tests/fleet/run.sh $(DIST) --debs $(or $(DEBS),$(B)/deb) --bench $(BENCH) \
		$$(find $(abspath $(PEER_DIR)) -name pam_cap.so -path '*/security/*' | head -n 1) $(FLEET_BENCH_ARGS)

# ---------------------------------------------------------------- dist
# One release's packages built and tested as Debian does it, in a clean
# mmdebstrap root of DIST (bookworm or trixie; debian/dist-check): only the
# Build-Depends installed, dpkg-buildpackage as nobody without network,
# lintian --pedantic of that release (no error or warning), then (dist-check)
# that release's autopkgtest with the virt-unshare backend. The .debs stay in
# $(B)/dist/DIST/ (for a later install, e.g. a system check of DIST); root
# tarballs are cached in $(B)/dist/cache/. Needs root, as system-check does.
DIST_DIR := $(B)/dist
dist-deb dist-check:
	@case "$(DIST)" in bookworm|trixie) ;; \
	  *) echo "make $@: say DIST=bookworm or DIST=trixie" >&2; exit 2 ;; esac
	debian/dist-check $(patsubst dist-%,%,$@) $(DIST) $(DIST_DIR)

# ---------------------------------------------------------------- cross
# The index checksum's arm64 path (crc32c_armv8 in lib/src/index/format.hpp)
# really run: tests/cross/crc32c_check.cpp, which needs only that header,
# built for this machine and run, then built statically for arm64 with
# Debian's cross compiler and run under qemu-user with -cpu max (CRC32
# instructions, HWCAP_CRC32 in AT_HWCAP). Debian 12's qemu-user (7.2) has no
# arm64 CPU model without them (every model it offers has CRC32, and no
# property turns it off), so the dispatch's other side, the tables, is
# checked by calling them directly. The cross compiler and qemu are not in
# `make deps` (no other target needs them): run as root, cross-check
# installs them when they are missing (make cross-deps), by names bookworm
# and trixie both have.
CROSS_CXX    ?= aarch64-linux-gnu-g++
QEMU_AARCH64 ?= qemu-aarch64
CROSS_DEPS   := g++-aarch64-linux-gnu qemu-user
CROSS_B      := $(B)/cross
CROSS_CHECK_FLAGS := -std=c++20 -O2 -Wall -Wextra -Werror -Ilib/src
cross-deps:
	@if [ "$$(id -u)" != 0 ]; then echo "make cross-deps: run as root (it calls apt-get)" >&2; exit 2; fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(CROSS_DEPS)

cross-check:
	@if ! command -v $(CROSS_CXX) >/dev/null || ! command -v $(QEMU_AARCH64) >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory cross-deps; \
	  else echo "make cross-check: $(CROSS_CXX) or $(QEMU_AARCH64) is missing (make cross-deps, as root)" >&2; \
	    exit 2; fi; \
	fi
	@mkdir -p $(CROSS_B)
	$(CXX) $(CROSS_CHECK_FLAGS) -o $(CROSS_B)/crc32c_check tests/cross/crc32c_check.cpp
	$(CROSS_B)/crc32c_check
	$(CROSS_CXX) $(CROSS_CHECK_FLAGS) -static -o $(CROSS_B)/crc32c_check-arm64 tests/cross/crc32c_check.cpp
	$(QEMU_AARCH64) -cpu max $(CROSS_B)/crc32c_check-arm64 --expect=instruction

# ---------------------------------------------------------------- deps
# Everything `make`, `make check`, `make deb`, `make bench`, `make fuzz`,
# `make system-check`, `make vm-check`, `make fleet-check` and `make
# dist-check` need (not `make cross-check`, which installs its own), by
# names that Debian 12 (bookworm) and Debian 13 (trixie) both have: one
# list, no release in it. The clang runtime (libFuzzer, sanitizers) is
# libclang-rt-dev, the llvm-defaults package that pulls in the release's
# libclang-rt-N-dev. passwd: the real-libpam tests add their users with
# useradd; iproute2: fleet-check brings up loopback.
# pam_cap (the peer) is not installed: its postinst would edit this
# machine's /etc/pam.d; bench and system-check unpack it privately instead.
DEPS := g++ make pkg-config libpam0g-dev libcap-dev libcap2-bin libgtest-dev libgmock-dev \
	libbenchmark-dev valgrind strace clang libclang-rt-dev debhelper fakeroot dpkg-dev lintian \
	mmdebstrap util-linux passwd expect man-db groff-base python3 qemu-system-x86 openssh-client \
	socat e2fsprogs build-essential iproute2 bash-completion graphviz
deps:
	@if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root (it calls apt-get)" >&2; exit 2; fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEPS)

clean:
	rm -rf $(B)

# Only the .d beside each object: build/ also holds chroots (etc/rc2.d,
# usr/sbin/invoke-rc.d) and the package build's own copy (deb-src).
-include $(wildcard $(patsubst %.o,%.d,$(shell find $(B) -path '$(B)/deb-src*' -prune -o -name '*.o' -type f -print 2>/dev/null)))
