# SPDX-License-Identifier: GPL-2.0
#
# grecap: out-of-tree kernel module, its tests and packaging.
#
#   make                  build grecap.ko for the running kernel (or the
#                         newest one with headers under /lib/modules)
#   make KVER=<release>   ... for that release;  make KDIR=<tree> for a tree
#   make W=1 / make C=1   extra warnings / sparse
#   make demo             the seeds' situation in the test VM, without and
#                         with grecap; grecap0's captures go to build/demo/
#   make check            build and run every selftest in a QEMU guest
#   make check KVER=<release>   ... booting that installed Debian kernel
#   make check-unstable   ... on Debian unstable's kernel (7.x)
#   make check-matrix     ... on 6.1, 6.12 and 7.x, each built with W=1
#                         (6.12 installed for the run when missing)
#   make check-debug      ... on a debug kernel (KASAN, lockdep, kmemleak,
#                         fault injection), built from linux-source-6.12
#                         once (GRECAP_DEBUG_SERIES=6.1: from 6.1) and
#                         cached
#   make check-style      W=1 and sparse on each kernel's tree, checkpatch
#                         --strict (after check, check-debug, check-unstable)
#   make plugin           tools/iproute2/link_grecap.so, "ip link ... type
#                         grecap", against the installed iproute2's source
#   make load             insmod grecap.ko, its dependencies loaded first
#                         (LINK=eth1: create grecap0 on eth1)
#   make install          modules_install + depmod, the plugin, and
#                         grecap@.service with grecap-links
#   make dkms-install     register and build with DKMS
#   make deb              Debian packages grecap-dkms and grecap-iproute2,
#                         into build/deb/
#   make bench            receive rates: grecap, bare receive, the kernel's
#                         tunnels (test VM, about 20 minutes)
#   make bench-insns      the same paths' guest instructions per frame,
#                         counted by QEMU (BENCH_RX=1: the receiving
#                         CPU's own table too)

# The version, in one place: debian/changelog.
VERSION := $(shell sed -n '1s/^grecap .\([0-9][0-9A-Za-z.+~-]*\).*/\1/p' debian/changelog)

KVER ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then uname -r; \
	else ls -d /lib/modules/*/build 2>/dev/null | sed 's|/lib/modules/||;s|/build||' | sort -V | tail -n 1; fi)
KDIR ?= /lib/modules/$(KVER)/build

# The kernel the test VM boots, and the module built for it.
VM_KVER = $(shell selftests/vm/kernel-release.sh)

.PHONY: all modules plugin load demo deb clean install dkms-install dkms-remove check bench bench-insns deps deps-bench \
	check-debug check-unstable check-matrix check-style deps-debug

all: modules

modules:
	@test -d "$(KDIR)" || { echo "no kernel build tree at '$(KDIR)': install linux-headers-$(KVER) (or linux-headers-amd64), or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	@echo "grecap.ko built for $(KVER). Load it with: make load  (insmod alone lacks its dependencies: $$(modinfo -F depends grecap.ko))"

plugin:
	$(MAKE) -C tools/iproute2

# insmod resolves no dependencies: modprobe what modinfo lists first.
load:
	@test -f grecap.ko || { echo "no grecap.ko: run make first" >&2; exit 1; }
	for m in $$(modinfo -F depends grecap.ko | tr , ' '); do modprobe $$m || exit 1; done
	insmod grecap.ko $(if $(LINK),link=$(LINK))

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools/iproute2 clean
	rm -rf build

install: modules plugin
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KVER)
	$(MAKE) -C tools/iproute2 install
	install -D -m 0755 tools/systemd/grecap-links $(DESTDIR)/usr/sbin/grecap-links
	install -D -m 0644 tools/systemd/grecap@.service \
		$(DESTDIR)/lib/systemd/system/grecap@.service

# DKMS from a copy of the module's sources whose dkms.conf has the version.
DKMS_SRC = build/dkms/grecap-$(VERSION)
dkms-install:
	rm -rf build/dkms
	mkdir -p $(DKMS_SRC)
	cp -r Kbuild Makefile module include $(DKMS_SRC)/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	dkms remove grecap/$(VERSION) --all 2>/dev/null || true
	dkms add $(CURDIR)/$(DKMS_SRC)
	dkms install grecap/$(VERSION) -k $(KVER)

dkms-remove:
	dkms remove grecap/$(VERSION) --all

# Built from a copy of the sources: dpkg-buildpackage writes to the parent.
DEB_SRC = build/deb/grecap-$(VERSION)
deb:
	rm -rf build/deb
	mkdir -p $(DEB_SRC)
	cp -r Kbuild Makefile dkms.conf module include tools debian README.md \
		Documentation $(DEB_SRC)/
	rm -f $(DEB_SRC)/tools/iproute2/link_grecap.so
	cd $(DEB_SRC) && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -n 30 ../build.log; exit 1; }
	@ls build/deb/*.deb

deps:
	selftests/vm/install-deps.sh

# TESTS="a b:c,d": only those selftests (names under selftests/net/), or
# some cases of one (b:c,d: the cases c and d of b.sh's ALL_TESTS).
# KVER=<release> (or VM_KVER=): boot that installed Debian kernel instead.
check: deps
	$(if $(filter command line,$(origin KVER)),VM_KVER=$(KVER)) \
		selftests/check.sh $(TESTS)

# Debian unstable's kernel (7.x), from a minimal unstable root made once
# with mmdebstrap and cached in /var/cache/grecap.
check-unstable: deps
	selftests/check.sh --unstable $(TESTS)

# The whole suite on 6.1, 6.12 and unstable's 7.x, each after a W=1 build.
check-matrix: deps
	selftests/matrix.sh $(TESTS)

# In the test VM (Debian's kernel, like make check), about a minute.
demo: deps
	$(MAKE) -s KVER=$(VM_KVER) modules
	$(MAKE) -s plugin
	selftests/vm/run-vm.sh -r $(VM_KVER) -o build/demo -t 600 -- \
		tools/demo/demo.sh $(CURDIR)/grecap.ko $(CURDIR)/build/demo

# Receive rates of grecap beside bare receive and the kernel's tunnel
# devices, in the test VM (about 20 minutes): tools/bench/guest.sh.
bench: deps-bench
	tools/bench/bench.sh

# The same paths' cost in guest instructions per frame, counted by a QEMU
# plugin: repeatable where rates are noisy (tools/bench/bench.sh).
bench-insns: deps-bench
	BENCH_INSNS=1 tools/bench/bench.sh

deps-debug: deps
	selftests/vm/install-deps.sh debug

deps-bench: deps
	selftests/vm/install-deps.sh bench

check-debug: deps-debug
	selftests/check.sh --debug $(TESTS)

check-style: deps
	selftests/style.sh
