# SPDX-License-Identifier: GPL-2.0
# Sourced: where the kernel trees nlb is built against live.

# Debian's stock headers, newest of each series.
stock_kdir() {
	local pat=$1
	# shellcheck disable=SC2086
	ls -d $pat 2>/dev/null | grep -v -e cloud -e '-rt-' | sort -V | tail -n 1
}
kdir_61=$(stock_kdir '/usr/src/linux-headers-6.1.0-*-amd64')
kdir_612=$(stock_kdir '/usr/src/linux-headers-6.12.*-amd64')
