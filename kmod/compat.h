/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version differences, all in one place. Force-included into every
 * nlb source file by Kbuild so that the core files stay free of #ifs.
 * Supported: Debian's 6.1 and 6.12 kernels. The NLB_HAVE_* symbols come
 * from feature probes of the target kernel's headers in Kbuild.
 */
#ifndef _NLB_COMPAT_H
#define _NLB_COMPAT_H

#include <net/genetlink.h>
#include <net/netfilter/nf_conntrack.h>

/*
 * Attributes of a dump request: 6.1 keeps them in struct genl_dumpit_info,
 * later kernels in the struct genl_info embedded there.
 */
#ifndef NLB_HAVE_GENL_INFO_DUMP
static inline struct nlattr **nlb_dump_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->attrs;
}
#else
static inline struct nlattr **nlb_dump_attrs(struct netlink_callback *cb)
{
	return genl_info_dump(cb)->attrs;
}
#endif

/* A connection's mark, 0 in a kernel without conntrack marks. */
static inline u32 nlb_ct_mark(const struct nf_conn *ct)
{
#ifdef CONFIG_NF_CONNTRACK_MARK
	return READ_ONCE(ct->mark);
#else
	return 0;
#endif
}

#endif /* _NLB_COMPAT_H */
