/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/nlb.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_NLB_H
#define _UAPI_LINUX_NLB_H

#define NLB_FAMILY_NAME		"nlb"
#define NLB_FAMILY_VERSION	1

#define NLB_NAME_MAX_LEN	31
#define NLB_HEALTH_TEXT_MAX_LEN	31
#define NLB_HTTP_TEXT_MAX_LEN	255
#define NLB_UDP_PAYLOAD_MAX_LEN	512

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
 * enum nlb_affinity - IP version affinity of a server group.
 * @NLB_AFFINITY_OFF: Every client is scheduled over the group's backends of
 *   both families as one set (weights compare across families); a client on a
 *   backend of the other family is translated (RFC 7915).
 * @NLB_AFFINITY_ON: IPv4 clients go only to IPv4 backends and IPv6 clients
 *   only to IPv6 backends; a family without a backend that can take a new
 *   connection refuses it (the listener's reject mode), never crosses.
 * @NLB_AFFINITY_PREFER: The client's own family while it has a backend that
 *   can take new connections (enabled, of non-zero weight, healthy); the other
 *   family, translated, only when it has none; the own family's unhealthy
 *   backends (fail-open) only when the other family has no healthy one either.
 */
enum nlb_affinity {
	NLB_AFFINITY_OFF,
	NLB_AFFINITY_ON,
	NLB_AFFINITY_PREFER,
};

/**
 * enum nlb_xlat_src6 - The IPv6 source address of the translated leg of an
 *   IPv4 client's connection to an IPv6 backend.
 * @NLB_XLAT_SRC6_EMBED: The client's IPv4 address embedded in the group's /96
 *   prefix (RFC 6052; prefix6, 64:ff9b::/96 by default), with the client's
 *   port: the backend sees the client's own address.
 * @NLB_XLAT_SRC6_POOL: An address and port of the group's IPv6 source pool
 *   (pool6-*).
 */
enum nlb_xlat_src6 {
	NLB_XLAT_SRC6_EMBED = 1,
	NLB_XLAT_SRC6_POOL,
};

/**
 * enum nlb_sched - Scheduler of a server group.
 * @NLB_SCHED_RR: Round robin over backends with a non-zero weight.
 * @NLB_SCHED_WRR: Smooth weighted round robin: each backend gets new
 *   connections in proportion to its weight, interleaved rather than in
 *   bursts.
 * @NLB_SCHED_WLC: Weighted least connections: the backend with the fewest
 *   active connections per unit of weight. Needs end-of-connection tracking,
 *   so a wlc group always has track on.
 * @NLB_SCHED_SH: Source hash: the client address, hashed over the weights,
 *   picks the backend; a client keeps its backend while the pool is unchanged.
 * @NLB_SCHED_MAGLEV: Maglev consistent hashing of the client address and port
 *   over a weighted lookup table of 65537 entries: when a backend leaves or
 *   joins, only about 1/N of the connections' keys move.
 */
enum nlb_sched {
	NLB_SCHED_RR = 1,
	NLB_SCHED_WRR,
	NLB_SCHED_WLC,
	NLB_SCHED_SH,
	NLB_SCHED_MAGLEV,
};

/**
 * enum nlb_reject - What a listener does with a new connection no backend can
 *   take.
 * @NLB_REJECT_RESET: TCP gets a RST; UDP gets an ICMP port unreachable.
 * @NLB_REJECT_ICMP: An ICMP or ICMPv6 port unreachable, for TCP and UDP.
 * @NLB_REJECT_DROP: Silent drop.
 */
enum nlb_reject {
	NLB_REJECT_RESET = 1,
	NLB_REJECT_ICMP,
	NLB_REJECT_DROP,
};

/**
 * enum nlb_event - What a notification on the monitor multicast group reports.
 * @NLB_EVENT_ADD: The object was added.
 * @NLB_EVENT_CHANGE: The object was changed (state, weight, health, settings).
 * @NLB_EVENT_DEL: The object was deleted.
 * @NLB_EVENT_DRAINED: A deleted backend's last connection ended; it is gone.
 * @NLB_EVENT_FAILED: A backend's counters of failed connection starts
 *   (fail-reset, fail-timeout) grew, in a group with passive on; sent at most
 *   about every 100 ms per backend.
 */
enum nlb_event {
	NLB_EVENT_ADD = 1,
	NLB_EVENT_CHANGE,
	NLB_EVENT_DEL,
	NLB_EVENT_DRAINED,
	NLB_EVENT_FAILED,
};

/**
 * enum nlb_check - How a health checker (nlb-healthd) probes the backends of a
 *   server group. The kernel only stores the settings; the checker reads them.
 * @NLB_CHECK_NONE: No probes; the checker leaves the backends' health alone.
 * @NLB_CHECK_TCP: A TCP connection is set up, then closed.
 * @NLB_CHECK_HTTP: An HTTP/1.1 GET of http-path (with http-host as Host
 *   header); the status code must be one of http-status.
 * @NLB_CHECK_UDP: udp-payload is sent in one datagram; an answer is a success,
 *   an ICMP port unreachable a failure, and so is silence unless udp-reply is
 *   0.
 * @NLB_CHECK_AGENT: A TCP connection to an agent on the backend (port must be
 *   set), which answers one line of words: up, ready, down, fail, stopped,
 *   drain, or a weight percentage such as 50%.
 */
enum nlb_check {
	NLB_CHECK_NONE,
	NLB_CHECK_TCP,
	NLB_CHECK_HTTP,
	NLB_CHECK_UDP,
	NLB_CHECK_AGENT,
};

/**
 * enum nlb_proxy - How a server group tells its backends the client's address,
 *   for TCP connections.
 * @NLB_PROXY_OFF: Not at all (the default); same-family backends see it as the
 *   source.
 * @NLB_PROXY_V2: PROXY protocol version 2 (haproxy's specification): a binary
 *   header before the client's first byte, with the client's own address and
 *   port and the VIP and port it connected to.
 */
enum nlb_proxy {
	NLB_PROXY_OFF,
	NLB_PROXY_V2,
};

/**
 * enum nlb_proto - Transport protocol of a listener (IANA protocol numbers).
 * @NLB_PROTO_ICMP: ICMP echo (ping) to the VIP, IPv4 and IPv6 (ICMPv6) alike:
 *   each echo identifier is a connection, balanced (and translated) like the
 *   others; such a listener has no port.
 */
enum nlb_proto {
	NLB_PROTO_ICMP = 1,
	NLB_PROTO_TCP = 6,
	NLB_PROTO_UDP = 17,
};

enum {
	NLB_A_STATS_PAD = 1,
	NLB_A_STATS_CONNS,
	NLB_A_STATS_DROP_NO_BACKEND,
	NLB_A_STATS_ACTIVE,
	NLB_A_STATS_IN_PACKETS,
	NLB_A_STATS_IN_BYTES,
	NLB_A_STATS_OUT_PACKETS,
	NLB_A_STATS_OUT_BYTES,
	NLB_A_STATS_DROP_ERROR,
	NLB_A_STATS_PERSISTED,
	NLB_A_STATS_FAILOPEN,
	NLB_A_STATS_DRAINED,
	NLB_A_STATS_TRANSLATED,
	NLB_A_STATS_FAILOVER_FAMILY,
	NLB_A_STATS_DROP_POOL,
	NLB_A_STATS_PROXIED,
	NLB_A_STATS_FAIL_RESET,
	NLB_A_STATS_FAIL_TIMEOUT,

	__NLB_A_STATS_MAX,
	NLB_A_STATS_MAX = (__NLB_A_STATS_MAX - 1)
};

enum {
	NLB_A_HEALTH_TYPE = 1,
	NLB_A_HEALTH_PORT,
	NLB_A_HEALTH_INTERVAL,
	NLB_A_HEALTH_TIMEOUT,
	NLB_A_HEALTH_RISE,
	NLB_A_HEALTH_FALL,
	NLB_A_HEALTH_HTTP_PATH,
	NLB_A_HEALTH_HTTP_HOST,
	NLB_A_HEALTH_HTTP_STATUS,
	NLB_A_HEALTH_UDP_PAYLOAD,
	NLB_A_HEALTH_UDP_REPLY,
	NLB_A_HEALTH_PASSIVE_FAILS,
	NLB_A_HEALTH_PASSIVE_WINDOW,

	__NLB_A_HEALTH_MAX,
	NLB_A_HEALTH_MAX = (__NLB_A_HEALTH_MAX - 1)
};

enum {
	NLB_A_LISTENER_NAME = 1,
	NLB_A_LISTENER_VIP4,
	NLB_A_LISTENER_VIP6,
	NLB_A_LISTENER_PROTO,
	NLB_A_LISTENER_PORT,
	NLB_A_LISTENER_GROUP,
	NLB_A_LISTENER_STATS,
	NLB_A_LISTENER_REJECT,
	NLB_A_LISTENER_PERSIST_TIMEOUT,
	NLB_A_LISTENER_PERSIST_PREFIX4,
	NLB_A_LISTENER_PERSIST_PREFIX6,
	NLB_A_LISTENER_EVENT,

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
	NLB_A_GROUP_TRACK,
	NLB_A_GROUP_DRAIN_TIMEOUT,
	NLB_A_GROUP_EVENT,
	NLB_A_GROUP_ACCT,
	NLB_A_GROUP_OFFLOAD,
	NLB_A_GROUP_POOL4_FIRST,
	NLB_A_GROUP_POOL4_LAST,
	NLB_A_GROUP_POOL6_FIRST,
	NLB_A_GROUP_POOL6_LAST,
	NLB_A_GROUP_POOL_PORT_MIN,
	NLB_A_GROUP_POOL_PORT_MAX,
	NLB_A_GROUP_PREFIX6,
	NLB_A_GROUP_SRC6,
	NLB_A_GROUP_POOL4_USED,
	NLB_A_GROUP_POOL4_SIZE,
	NLB_A_GROUP_POOL6_USED,
	NLB_A_GROUP_POOL6_SIZE,
	NLB_A_GROUP_PROXY,
	NLB_A_GROUP_HEALTH,
	NLB_A_GROUP_PASSIVE,
	NLB_A_GROUP_PASSIVE_TIMEOUT,

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
	NLB_A_BACKEND_ENABLED,
	NLB_A_BACKEND_HEALTHY,
	NLB_A_BACKEND_DRAINING,
	NLB_A_BACKEND_DRAIN_LEFT,
	NLB_A_BACKEND_EVENT,
	NLB_A_BACKEND_ENTRY,
	NLB_A_BACKEND_PAD,
	NLB_A_BACKEND_AGENT_WEIGHT,
	NLB_A_BACKEND_REASON,
	NLB_A_BACKEND_PROBE,
	NLB_A_BACKEND_PROBE_OK,
	NLB_A_BACKEND_PROBE_TIME,
	NLB_A_BACKEND_HEALTH_TIME,

	__NLB_A_BACKEND_MAX,
	NLB_A_BACKEND_MAX = (__NLB_A_BACKEND_MAX - 1)
};

enum {
	NLB_A_XLAT_DROPS_PAD = 1,
	NLB_A_XLAT_DROPS_TRUNCATED,
	NLB_A_XLAT_DROPS_BAD_LEN,
	NLB_A_XLAT_DROPS_BAD_HDR,
	NLB_A_XLAT_DROPS_BAD_CSUM,
	NLB_A_XLAT_DROPS_HOP_LIMIT,
	NLB_A_XLAT_DROPS_SOURCE_ROUTE,
	NLB_A_XLAT_DROPS_UNSUPPORTED_EXTHDR,
	NLB_A_XLAT_DROPS_UNSUPPORTED_PROTO,
	NLB_A_XLAT_DROPS_FRAGMENT,
	NLB_A_XLAT_DROPS_GSO,
	NLB_A_XLAT_DROPS_ICMP_DROP,
	NLB_A_XLAT_DROPS_ICMP_INNER,
	NLB_A_XLAT_DROPS_TOO_BIG,
	NLB_A_XLAT_DROPS_NOMEM,
	NLB_A_XLAT_DROPS_NO_ROUTE,
	NLB_A_XLAT_DROPS_ORPHAN,

	__NLB_A_XLAT_DROPS_MAX,
	NLB_A_XLAT_DROPS_MAX = (__NLB_A_XLAT_DROPS_MAX - 1)
};

enum {
	NLB_A_INFO_PAD = 1,
	NLB_A_INFO_LISTENERS,
	NLB_A_INFO_GROUPS,
	NLB_A_INFO_BACKENDS,
	NLB_A_INFO_MAX_LISTENERS,
	NLB_A_INFO_MAX_GROUPS,
	NLB_A_INFO_MAX_BACKENDS,
	NLB_A_INFO_CENSUS_AGE,
	NLB_A_INFO_CENSUS_DURATION,
	NLB_A_INFO_CENSUS_PASSES,
	NLB_A_INFO_CENSUS_CONNS,
	NLB_A_INFO_MAX_AGE,
	NLB_A_INFO_XLAT_DROPS,

	__NLB_A_INFO_MAX,
	NLB_A_INFO_MAX = (__NLB_A_INFO_MAX - 1)
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
	NLB_CMD_LISTENER_NTF,
	NLB_CMD_GROUP_NTF,
	NLB_CMD_BACKEND_NTF,
	NLB_CMD_INFO_GET,
	NLB_CMD_CENSUS_RUN,

	__NLB_CMD_MAX,
	NLB_CMD_MAX = (__NLB_CMD_MAX - 1)
};

#define NLB_MCGRP_MONITOR	"monitor"

#endif /* _UAPI_LINUX_NLB_H */
