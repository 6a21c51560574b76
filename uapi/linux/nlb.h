/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/nlb.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_NLB_H
#define _UAPI_LINUX_NLB_H

#define NLB_FAMILY_NAME		"nlb"
#define NLB_FAMILY_VERSION	1

#define NLB_NAME_MAX_LEN	31

/**
 * enum nlb_ipversion - IP versions a server group can hold, fixed at creation.
 * @NLB_IPVERSION_IPV4: IPv4 backends only.
 * @NLB_IPVERSION_DUALSTACK: IPv4 and IPv6 backends, in per-family tables.
 */
enum nlb_ipversion {
	NLB_IPVERSION_IPV4 = 1,
	NLB_IPVERSION_DUALSTACK,
};

/**
 * enum nlb_sched - Scheduler of a server group.
 * @NLB_SCHED_RR: Round robin over backends with a non-zero weight.
 * @NLB_SCHED_WRR: Smooth weighted round robin: each backend gets new
 *   connections in proportion to its weight, interleaved rather than in
 *   bursts.
 */
enum nlb_sched {
	NLB_SCHED_RR = 1,
	NLB_SCHED_WRR,
};

/**
 * enum nlb_proto - Transport protocol of a listener (IANA protocol numbers).
 */
enum nlb_proto {
	NLB_PROTO_TCP = 6,
	NLB_PROTO_UDP = 17,
};

enum {
	NLB_A_STATS_PAD = 1,
	NLB_A_STATS_CONNS,
	NLB_A_STATS_DROP_NO_BACKEND,

	__NLB_A_STATS_MAX,
	NLB_A_STATS_MAX = (__NLB_A_STATS_MAX - 1)
};

enum {
	NLB_A_LISTENER_NAME = 1,
	NLB_A_LISTENER_VIP4,
	NLB_A_LISTENER_VIP6,
	NLB_A_LISTENER_PROTO,
	NLB_A_LISTENER_PORT,
	NLB_A_LISTENER_GROUP,
	NLB_A_LISTENER_STATS,

	__NLB_A_LISTENER_MAX,
	NLB_A_LISTENER_MAX = (__NLB_A_LISTENER_MAX - 1)
};

enum {
	NLB_A_GROUP_NAME = 1,
	NLB_A_GROUP_IPVERSION,
	NLB_A_GROUP_AFFINITY,
	NLB_A_GROUP_SCHED,
	NLB_A_GROUP_BACKENDS4,
	NLB_A_GROUP_BACKENDS6,
	NLB_A_GROUP_LISTENERS,
	NLB_A_GROUP_STATS,

	__NLB_A_GROUP_MAX,
	NLB_A_GROUP_MAX = (__NLB_A_GROUP_MAX - 1)
};

enum {
	NLB_A_BACKEND_GROUP = 1,
	NLB_A_BACKEND_ADDR4,
	NLB_A_BACKEND_ADDR6,
	NLB_A_BACKEND_PORT,
	NLB_A_BACKEND_WEIGHT,
	NLB_A_BACKEND_STATS,

	__NLB_A_BACKEND_MAX,
	NLB_A_BACKEND_MAX = (__NLB_A_BACKEND_MAX - 1)
};

enum {
	NLB_CMD_LISTENER_ADD = 1,
	NLB_CMD_LISTENER_CHANGE,
	NLB_CMD_LISTENER_DEL,
	NLB_CMD_LISTENER_GET,
	NLB_CMD_GROUP_ADD,
	NLB_CMD_GROUP_CHANGE,
	NLB_CMD_GROUP_DEL,
	NLB_CMD_GROUP_GET,
	NLB_CMD_BACKEND_ADD,
	NLB_CMD_BACKEND_CHANGE,
	NLB_CMD_BACKEND_DEL,
	NLB_CMD_BACKEND_GET,

	__NLB_CMD_MAX,
	NLB_CMD_MAX = (__NLB_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_NLB_H */
