# SPDX-License-Identifier: GPL-2.0
#
# make                 build ktls.ko for the running kernel, or for every
#                      kernel whose headers are installed
# make KVER=<version>  build for one kernel into build/<version>/ktls.ko
# make check           the whole test suite (host unit tests, both kernels
#                      in QEMU); installs the Debian packages it needs
# make demo            build, boot Debian's 6.12 kernel, show ktls working
# make lint            checkpatch --strict and clang-format on the sources
# make tools           ktls-ctl and libktls (tools/), warnings are errors
# make install-tools   install them under DESTDIR: $(sbindir)/ktls-ctl,
#                      $(mandir)/man8/ktls-ctl.8, $(libdir)/libktls.{a,so*},
#                      $(includedir)/libktls.h and linux/ktls.h; prefix
#                      (/usr/local), sbindir, libdir, includedir and mandir
#                      as in the GNU conventions; CFLAGS, CPPFLAGS, LDFLAGS
#                      from the environment are honoured, nothing is stripped

RUNNING := $(shell uname -r)
INSTALLED := $(patsubst /lib/modules/%/build,%,$(wildcard /lib/modules/*/build))

ifneq ($(KVER),)
KVERS := $(KVER)
else ifneq ($(wildcard /lib/modules/$(RUNNING)/build),)
KVERS := $(RUNNING)
else
KVERS := $(INSTALLED)
endif

.PHONY: all module check demo lint unit clean deps bench tools install-tools

all: $(addprefix module-,$(KVERS))
	@test -n "$(KVERS)" || { echo "no kernel headers installed (linux-headers-*)"; exit 1; }

# DKMS entry point: make module KVER=<kernelver> [KDIR=<kernel_source_dir>]
module: all

module-%:
	@scripts/build-module.sh $* $(KDIR)

deps:
	@tests/deps.sh

check:
	@tests/check.sh

demo:
	@tests/demo.sh

lint:
	@scripts/lint.sh

# Throughput and memory, ktls vs the in-tree tls.ko vs plain TCP (not a test).
bench:
	@tests/bench.sh

unit:
	@$(MAKE) -s -C tests/unit run

# ktls-ctl links libktls statically, so the library comes first.
tools:
	$(MAKE) -C tools/libktls
	$(MAKE) -C tools/ktls-ctl

prefix ?= /usr/local
sbindir ?= $(prefix)/sbin
libdir ?= $(prefix)/lib
includedir ?= $(prefix)/include
mandir ?= $(prefix)/share/man
TOOLS_DIRS = prefix=$(prefix) libdir=$(libdir) includedir=$(includedir) mandir=$(mandir)

# ktls-ctl is an administrator's tool (section 8): it goes to sbindir.
install-tools: tools
	$(MAKE) -C tools/libktls install $(TOOLS_DIRS)
	$(MAKE) -C tools/ktls-ctl install $(TOOLS_DIRS) bindir=$(sbindir)

clean:
	rm -rf build
	-@$(MAKE) -s -C tests/unit clean 2>/dev/null
	-@$(MAKE) -s -C tools/ktls-ctl clean 2>/dev/null
	-@$(MAKE) -s -C tools/libktls clean 2>/dev/null

# Packaging (issue 7).
# make dist   ktls-<VERSION>.tar.gz at the top of the tree (git's file list)
# make deb    .debs built from that tarball, in build/deb/
# make rpm    source and binary RPMs built from it, in build/rpm/
# make sign   build, then sign build/<kver>/ktls.ko with DKMS's MOK key
.PHONY: dist deb rpm sign

dist:
	@scripts/dist.sh tarball

deb:
	@scripts/dist.sh deb

rpm:
	@scripts/dist.sh rpm

sign: all
	@scripts/sign.sh $(KVERS)
