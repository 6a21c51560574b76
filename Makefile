# SPDX-License-Identifier: GPL-2.0
#
# nlb: dual-stack Layer-4 load balancer (nlb.ko) and its tool (nlbadm).
#
#   make               nlb.ko against KDIR, nlbadm, nlb-healthd, nlbadm.8
#   make demo          boot a VM and show IPv4 and IPv6 clients balanced
#   make bench         nlb against IPVS, nftables and plain routing, one VM run
#   make check         every test: builds, style, KUnit and selftests in a VM
#   make soak          the long runs outside CI: 512 MiB translated bulk
#                      transfers, a million malformed packets, pool churn,
#                      reloads under load, the hardening suite's long
#                      stress loops, the health checker restarted and
#                      1,000 checked backends (tools/soak)
#   make kernels       nlb.ko against stock 6.1, stock 6.12 and the VM kernel
#   make regen         regenerate uapi/linux/nlb.h, kmod/nl-gen.[ch]
#   make install       module (modules_install), and install-tools:
#                      nlbadm, nlb-healthd, man page, systemd units, bash
#                      completion

KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
DESTDIR ?=
UNITDIR ?= $(PREFIX)/lib/systemd/system

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

soak: deps
	tools/soak

demo: deps
	tools/demo

bench: deps
	tools/bench/run

install: module install-tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

# Everything but the module: nlbadm, nlb-healthd, the man page,
# nlb.service, nlb-exporter.service and nlb-healthd{,@}.service (for
# $(PREFIX)/sbin), bash completion,
# the example /etc/nlb/nlb.conf and the Grafana dashboard.
install-tools: nlbadm healthd man
	$(MAKE) -C tools/nlbadm install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	$(MAKE) -C tools/healthd install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -D -m 644 Documentation/nlbadm.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/nlbadm.8
	$(MAKE) -C tools/systemd install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) \
		UNITDIR=$(UNITDIR)
	$(MAKE) -C tools/systemd clean
	install -D -m 644 tools/completion/nlbadm \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/nlbadm
	install -D -m 644 tools/systemd/nlb.conf.example \
		$(DESTDIR)$(PREFIX)/share/doc/nlb/nlb.conf.example
	install -D -m 644 tools/grafana/nlb.json \
		$(DESTDIR)$(PREFIX)/share/doc/nlb/grafana/nlb.json
	install -d $(DESTDIR)/etc/nlb

clean:
	-test -e $(KDIR)/Makefile && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/nlbadm clean
	$(MAKE) -C tools/healthd clean
	rm -rf build Documentation/nlbadm.8

.PHONY: all module nlbadm healthd man regen check-gen style kernels deps check soak demo bench \
	install install-tools clean
