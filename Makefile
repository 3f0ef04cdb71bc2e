# SPDX-License-Identifier: GPL-2.0
#
# grecap: out-of-tree kernel module, its tests and packaging.
#
#   make                  build grecap.ko for the running kernel (or the
#                         newest one with headers under /lib/modules)
#   make KVER=<release>   ... for that release;  make KDIR=<tree> for a tree
#   make W=1 / make C=1   extra warnings / sparse
#   make check            build and run every selftest in a QEMU guest
#   make check-debug      ... on a debug kernel (KASAN, lockdep, kmemleak),
#                         built from linux-source-6.1 once and cached
#   make plugin           tools/iproute2/link_grecap.so, "ip link ... type
#                         grecap", against the installed iproute2's source
#   make install          modules_install + depmod, and the plugin
#   make dkms-install     register and build with DKMS

VERSION := $(shell sed -n 's/^\#define GRECAP_VERSION[[:space:]]*"\(.*\)"/\1/p' module/grecap.h)

KVER ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then uname -r; \
	else ls -d /lib/modules/*/build 2>/dev/null | sed 's|/lib/modules/||;s|/build||' | sort -V | tail -n 1; fi)
KDIR ?= /lib/modules/$(KVER)/build

# The kernel the test VM boots, and the module built for it.
VM_KVER = $(shell selftests/vm/kernel-release.sh)

.PHONY: all modules plugin clean install dkms-install dkms-remove check deps \
	check-debug deps-debug

all: modules

modules:
	@test -d "$(KDIR)" || { echo "no kernel build tree at '$(KDIR)': install linux-headers-$(KVER) (or linux-headers-amd64), or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

plugin:
	$(MAKE) -C tools/iproute2

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools/iproute2 clean
	rm -rf build

install: modules plugin
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KVER)
	$(MAKE) -C tools/iproute2 install

dkms-install:
	dkms remove grecap/$(VERSION) --all 2>/dev/null || true
	dkms add $(CURDIR)
	dkms install grecap/$(VERSION) -k $(KVER)

dkms-remove:
	dkms remove grecap/$(VERSION) --all

deps:
	selftests/vm/install-deps.sh

# TESTS="a b": only those selftests (names under selftests/net/).
check: deps
	selftests/check.sh $(TESTS)

deps-debug: deps
	selftests/vm/install-deps.sh debug

check-debug: deps-debug
	selftests/check.sh --debug $(TESTS)
