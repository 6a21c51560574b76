# SPDX-License-Identifier: GPL-2.0
#
# nlb: dual-stack Layer-4 load balancer (nlb.ko) and its tool (nlbadm).
#
#   make               nlb.ko against KDIR, nlbadm, nlb-healthd, nlbadm.8
#   make demo          boot a VM and show IPv4 and IPv6 clients balanced
#   make bench         nlb against IPVS, nftables and plain routing, one VM run
#   make check         every test: builds, style, KUnit and selftests in a VM
#   make kernels       nlb.ko against stock 6.1, stock 6.12 and the VM kernel
#   make regen         regenerate uapi/linux/nlb.h, kmod/nl-gen.[ch]
#   make install       module (modules_install), nlbadm, nlb-healthd and its
#                      systemd units, man page

KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
DESTDIR ?=

all: module nlbadm healthd man

module:
	@test -e $(KDIR)/Makefile || { echo "no kernel build tree at $(KDIR):" \
		"install linux-headers-$$(uname -r) or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

nlbadm:
	$(MAKE) -C tools/nlbadm

healthd:
	$(MAKE) -C tools/healthd

man: Documentation/nlbadm.8

Documentation/nlbadm.8: Documentation/nlbadm.8.rst
	rst2man $< > $@

regen:
	tools/ynl-gen

check-gen:
	tools/ynl-gen --check

style:
	tools/style

kernels:
	tools/build-kernels

deps:
	tools/deps

check: deps
	tools/check

demo: deps
	tools/demo

bench: deps
	tools/bench/run

install: module nlbadm healthd man
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	$(MAKE) -C tools/nlbadm install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	$(MAKE) -C tools/healthd install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -D -m 644 -t $(DESTDIR)$(PREFIX)/lib/systemd/system \
		tools/systemd/nlb-healthd.service \
		tools/systemd/nlb-healthd@.service
	install -D -m 644 Documentation/nlbadm.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/nlbadm.8

clean:
	-test -e $(KDIR)/Makefile && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/nlbadm clean
	$(MAKE) -C tools/healthd clean
	rm -rf build Documentation/nlbadm.8

.PHONY: all module nlbadm healthd man regen check-gen style kernels deps check demo bench \
	install clean
