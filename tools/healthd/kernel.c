// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration from nlb, over its generic netlink family, and the
 * writes back.
 *
 * Two sockets: one joined to nlb's "monitor" multicast group (and to
 * nlctrl's "notify" group, to see the module go and come back), one for
 * requests. At start, and whenever notifications were lost (ENOBUFS) or
 * named a group not seen yet, the daemon dumps the groups and backends
 * and reconciles (conf_begin() .. conf_end()); otherwise it follows the
 * notifications, which carry each object as a get reply shows it.
 * Joining the group before dumping, and applying the queued notifications
 * after the dump, converges: each carries the whole object.
 *
 * Writes are backend-change requests without NLM_F_ACK, batched in one
 * send() per turn of the event loop; the kernel answers only errors,
 * which are logged (a backend deleted meanwhile gives ENOENT, and its
 * notification follows).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "healthd.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#define BATCH_MAX	(32 * 1024)

static struct watch mon_w = { .fd = -1 }, req_w = { .fd = -1 };
static int family;		/* 0 while nlb is not there */
static uint32_t seq;
static bool mon_ready, req_ready, need_resync, ctrl_event;
static unsigned char batch[BATCH_MAX + 4096];
static size_t batch_len;
static unsigned char rbuf[64 * 1024];

/* ---- attributes ---- */

static struct nlattr *put_attr(unsigned char *buf, size_t *len, int type,
			       const void *data, size_t n)
{
	struct nlattr *a = (struct nlattr *)(buf + *len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + n;
	if (n)
		memcpy((char *)a + NLA_HDRLEN, data, n);
	memset((char *)a + NLA_HDRLEN + n, 0, NLA_ALIGN(n) - n);
	*len += NLA_HDRLEN + NLA_ALIGN(n);
	return a;
}

static void put_u8(unsigned char *buf, size_t *len, int type, uint8_t v)
{
	put_attr(buf, len, type, &v, 1);
}

static void put_str(unsigned char *buf, size_t *len, int type, const char *s)
{
	put_attr(buf, len, type, s, strlen(s) + 1);
}

/* tb[1..max] from the attributes at p (n bytes); unknown types skipped. */
static void parse_attrs(const void *p, size_t n, const struct nlattr **tb,
			int max)
{
	const struct nlattr *a = p;
	int type;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (n >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= n) {
		type = a->nla_type & NLA_TYPE_MASK;
		if (type <= max)
			tb[type] = a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= n)
			break;
		n -= (size_t)NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a +
					    NLA_ALIGN(a->nla_len));
	}
}

static const void *adata(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static size_t alen(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static bool get_u8(const struct nlattr *a, uint8_t *v)
{
	if (!a || alen(a) != 1)
		return false;
	*v = *(const uint8_t *)adata(a);
	return true;
}

static bool get_u16(const struct nlattr *a, uint16_t *v)
{
	if (!a || alen(a) != 2)
		return false;
	memcpy(v, adata(a), 2);
	return true;
}

static bool get_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || alen(a) != 4)
		return false;
	memcpy(v, adata(a), 4);
	return true;
}

static bool get_u64(const struct nlattr *a, uint64_t *v)
{
	if (!a || alen(a) != 8)
		return false;
	memcpy(v, adata(a), 8);
	return true;
}

/* A NUL-terminated string attribute into buf. */
static bool get_str(const struct nlattr *a, char *buf, size_t len)
{
	const char *s;
	size_t n;

	if (!a || !alen(a))
		return false;
	s = adata(a);
	n = strnlen(s, alen(a));
	if (n == alen(a) || n >= len)
		return false;
	memcpy(buf, s, n + 1);
	return true;
}

/* ---- sockets and requests ---- */

static int nl_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, one = 1, size = 4 << 20;
	struct timeval tv = { .tv_sec = 10 };

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Bursts of notifications or errors: a large buffer loses fewer. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* A request the kernel never answers must not hang the daemon. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static size_t msg_begin(unsigned char *buf, int type, int flags, int cmd)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);

	memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++seq;
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : NLB_FAMILY_VERSION;
	return NLMSG_HDRLEN + GENL_HDRLEN;
}

static void msg_end(unsigned char *buf, size_t len)
{
	((struct nlmsghdr *)buf)->nlmsg_len = len;
}

/* The error text of an NLMSG_ERROR, with the extack message if any. */
static int msg_error(const struct nlmsghdr *nlh, char *text, size_t len)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e), n;
	char msg[256];

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return -EIO;
	if (!e->error)
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	n = nlh->nlmsg_len - NLMSG_HDRLEN;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off < n) {
		parse_attrs((const char *)e + NLMSG_ALIGN(off),
			    n - NLMSG_ALIGN(off), tb, NLMSGERR_ATTR_MAX);
		if (get_str(tb[NLMSGERR_ATTR_MSG], msg, sizeof(msg))) {
			snprintf(text, len, "%s", msg);
			return e->error;
		}
	}
	snprintf(text, len, "%s", strerror(-e->error));
	return e->error;
}

/*
 * Send a request and hand each reply of it to fn until its ACK or the end
 * of its dump; other messages (errors of batched writes) are logged.
 * Returns 0, a negative errno, or 1 if the dump was interrupted.
 */
static int request(int fd, unsigned char *msg,
		   void (*fn)(const struct nlmsghdr *nlh, void *arg),
		   void *arg)
{
	uint32_t want = ((struct nlmsghdr *)msg)->nlmsg_seq;
	struct nlmsghdr *nlh;
	bool intr = false;
	char text[256];
	ssize_t n;
	int err;

	/* A do request ends with its ACK, a dump with NLMSG_DONE. */
	if (!(((struct nlmsghdr *)msg)->nlmsg_flags & NLM_F_DUMP))
		((struct nlmsghdr *)msg)->nlmsg_flags |= NLM_F_ACK;
	if (send(fd, msg, ((struct nlmsghdr *)msg)->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, rbuf, sizeof(rbuf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != want) {
				if (nlh->nlmsg_type == NLMSG_ERROR &&
				    msg_error(nlh, text, sizeof(text))) {
					stats.write_errors++;
					log_debug("a write failed: %s", text);
				}
				continue;
			}
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return intr;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				err = msg_error(nlh, text, sizeof(text));
				if (err)
					log_debug("request: %s", text);
				return err;
			}
			fn(nlh, arg);
		}
	}
}

/* ---- the family ---- */

struct resolved {
	const char *group;
	int id;
	uint32_t grp;
};

static void on_family(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g[CTRL_ATTR_MCAST_GRP_MAX + 1];
	const struct genlmsghdr *gh = NLMSG_DATA(nlh);
	struct resolved *r = arg;
	const struct nlattr *a;
	uint16_t id;
	size_t n;
	char name[GENL_NAMSIZ];

	parse_attrs((const char *)gh + GENL_HDRLEN,
		    nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, tb,
		    CTRL_ATTR_MAX);
	if (get_u16(tb[CTRL_ATTR_FAMILY_ID], &id))
		r->id = id;
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return;
	a = adata(tb[CTRL_ATTR_MCAST_GROUPS]);
	n = alen(tb[CTRL_ATTR_MCAST_GROUPS]);
	while (n >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= n) {
		parse_attrs(adata(a), alen(a), g, CTRL_ATTR_MCAST_GRP_MAX);
		if (get_str(g[CTRL_ATTR_MCAST_GRP_NAME], name, sizeof(name)) &&
		    !strcmp(name, r->group))
			get_u32(g[CTRL_ATTR_MCAST_GRP_ID], &r->grp);
		if ((size_t)NLA_ALIGN(a->nla_len) >= n)
			break;
		n -= (size_t)NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a +
					    NLA_ALIGN(a->nla_len));
	}
}

static int resolve(const char *fam, const char *group, uint32_t *grp)
{
	unsigned char msg[128];
	struct resolved r = { .group = group };
	size_t len;
	int err;

	len = msg_begin(msg, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	put_str(msg, &len, CTRL_ATTR_FAMILY_NAME, fam);
	msg_end(msg, len);
	err = request(req_w.fd, msg, on_family, &r);
	if (err < 0)
		return err;
	if (!r.id || !r.grp)
		return -ENOENT;
	*grp = r.grp;
	return r.id;
}

static int join(uint32_t grp)
{
	return setsockopt(mon_w.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
			  sizeof(grp)) ? -errno : 0;
}

/* ---- groups and backends ---- */

static void parse_health(const struct nlattr *nest, struct check_cfg *c)
{
	const struct nlattr *tb[NLB_A_HEALTH_MAX + 1];
	uint8_t v;

	if (!nest)
		return;
	parse_attrs(adata(nest), alen(nest), tb, NLB_A_HEALTH_MAX);
	get_u8(tb[NLB_A_HEALTH_TYPE], &c->type);
	get_u16(tb[NLB_A_HEALTH_PORT], &c->port);
	get_u32(tb[NLB_A_HEALTH_INTERVAL], &c->interval);
	get_u32(tb[NLB_A_HEALTH_TIMEOUT], &c->timeout);
	get_u32(tb[NLB_A_HEALTH_RISE], &c->rise);
	get_u32(tb[NLB_A_HEALTH_FALL], &c->fall);
	get_u32(tb[NLB_A_HEALTH_PASSIVE_FAILS], &c->passive_fails);
	get_u32(tb[NLB_A_HEALTH_PASSIVE_WINDOW], &c->passive_window);
	get_str(tb[NLB_A_HEALTH_HTTP_PATH], c->http_path,
		sizeof(c->http_path));
	get_str(tb[NLB_A_HEALTH_HTTP_HOST], c->http_host,
		sizeof(c->http_host));
	get_str(tb[NLB_A_HEALTH_HTTP_STATUS], c->http_status,
		sizeof(c->http_status));
	if (get_u8(tb[NLB_A_HEALTH_UDP_REPLY], &v))
		c->udp_reply = v;
	if (tb[NLB_A_HEALTH_UDP_PAYLOAD] &&
	    alen(tb[NLB_A_HEALTH_UDP_PAYLOAD]) <= sizeof(c->payload)) {
		c->payload_len = alen(tb[NLB_A_HEALTH_UDP_PAYLOAD]);
		memcpy(c->payload, adata(tb[NLB_A_HEALTH_UDP_PAYLOAD]),
		       c->payload_len);
	}
	/* Sanity against a kernel that did not validate (older, other). */
	if (c->interval < 100)
		c->interval = 100;
	if (c->timeout > c->interval)
		c->timeout = c->interval;
	if (!c->timeout)
		c->timeout = 1;
	if (!c->rise)
		c->rise = 1;
	if (!c->fall)
		c->fall = 1;
}

static const struct nlattr **msg_attrs(const struct nlmsghdr *nlh,
				       const struct nlattr **tb, int max)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return NULL;
	parse_attrs((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
		    nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, tb, max);
	return tb;
}

static bool parse_group(const struct nlmsghdr *nlh, char *name,
			struct check_cfg *c, uint8_t *event)
{
	const struct nlattr *tb[NLB_A_GROUP_MAX + 1];
	uint8_t v;

	if (!msg_attrs(nlh, tb, NLB_A_GROUP_MAX) ||
	    !get_str(tb[NLB_A_GROUP_NAME], name, NLB_NAME_MAX_LEN + 1))
		return false;
	check_defaults(c);
	/* A kernel without health settings: no checks. */
	if (!tb[NLB_A_GROUP_HEALTH])
		c->type = NLB_CHECK_NONE;
	parse_health(tb[NLB_A_GROUP_HEALTH], c);
	if (get_u8(tb[NLB_A_GROUP_PASSIVE], &v))
		c->passive = v;
	*event = 0;
	get_u8(tb[NLB_A_GROUP_EVENT], event);
	return true;
}

static bool parse_backend(const struct nlmsghdr *nlh,
			  struct backend_info *bi, uint8_t *event)
{
	const struct nlattr *tb[NLB_A_BACKEND_MAX + 1];
	const struct nlattr *st[NLB_A_STATS_MAX + 1];
	uint64_t r = 0, t = 0;
	uint32_t w;
	uint8_t v;

	memset(bi, 0, sizeof(*bi));
	if (!msg_attrs(nlh, tb, NLB_A_BACKEND_MAX) ||
	    !get_str(tb[NLB_A_BACKEND_GROUP], bi->group, sizeof(bi->group)))
		return false;
	if (tb[NLB_A_BACKEND_ADDR4] && alen(tb[NLB_A_BACKEND_ADDR4]) == 4) {
		bi->addr.fam = AF_INET;
		memcpy(&bi->addr.v4, adata(tb[NLB_A_BACKEND_ADDR4]), 4);
	} else if (tb[NLB_A_BACKEND_ADDR6] &&
		   alen(tb[NLB_A_BACKEND_ADDR6]) == 16) {
		bi->addr.fam = AF_INET6;
		memcpy(&bi->addr.v6, adata(tb[NLB_A_BACKEND_ADDR6]), 16);
	} else {
		return false;
	}
	get_u16(tb[NLB_A_BACKEND_PORT], &bi->port);
	if (get_u32(tb[NLB_A_BACKEND_WEIGHT], &w))
		bi->weight = w > 255 ? 255 : w;
	bi->agent_weight = 100;
	get_u8(tb[NLB_A_BACKEND_AGENT_WEIGHT], &bi->agent_weight);
	bi->enabled = bi->healthy = true;
	if (get_u8(tb[NLB_A_BACKEND_ENABLED], &v))
		bi->enabled = v;
	if (get_u8(tb[NLB_A_BACKEND_HEALTHY], &v))
		bi->healthy = v;
	if (get_u8(tb[NLB_A_BACKEND_DRAINING], &v))
		bi->draining = v;
	if (tb[NLB_A_BACKEND_STATS]) {
		parse_attrs(adata(tb[NLB_A_BACKEND_STATS]),
			    alen(tb[NLB_A_BACKEND_STATS]), st, NLB_A_STATS_MAX);
		bi->has_fails = get_u64(st[NLB_A_STATS_FAIL_RESET], &r) |
				get_u64(st[NLB_A_STATS_FAIL_TIMEOUT], &t);
		bi->fails = r + t;
	}
	*event = 0;
	get_u8(tb[NLB_A_BACKEND_EVENT], event);
	return true;
}

static void on_group(const struct nlmsghdr *nlh, void *arg)
{
	char name[NLB_NAME_MAX_LEN + 1];
	struct check_cfg c;
	uint8_t event;

	if (parse_group(nlh, name, &c, &event))
		conf_group(name, &c);
}

static void on_backend(const struct nlmsghdr *nlh, void *arg)
{
	struct backend_info bi;
	uint8_t event;

	if (parse_backend(nlh, &bi, &event) && !conf_backend(&bi))
		*(bool *)arg = true;
}

static void flush(void);

static void resync(void)
{
	unsigned char msg[64];
	bool again = false;
	size_t len;
	int err, tries;

	need_resync = false;
	if (!family)
		return;
	flush();
	for (tries = 0; tries < 10; tries++) {
		conf_begin();
		len = msg_begin(msg, family, NLM_F_DUMP, NLB_CMD_GROUP_GET);
		msg_end(msg, len);
		err = request(req_w.fd, msg, on_group, NULL);
		if (err >= 0) {
			len = msg_begin(msg, family, NLM_F_DUMP,
					NLB_CMD_BACKEND_GET);
			msg_end(msg, len);
			err = err ?: request(req_w.fd, msg, on_backend, &again);
		}
		if (err < 0) {
			log_err("cannot read the configuration: %s",
				strerror(-err));
			conf_end();
			need_resync = true;
			return;
		}
		if (!err && !again)
			break;
		/* Changed during the dump: the notifications follow. */
		again = false;
	}
	conf_end();
	stats.resyncs++;
	log_info("configuration: %u groups, %u backends, %u probe targets",
		 stats.groups, stats.backends, stats.targets);
}

/* nlb (re)appeared: find its ids, join its group, read everything. */
static void attach(void)
{
	uint32_t grp;
	int id;

	id = resolve(NLB_FAMILY_NAME, NLB_MCGRP_MONITOR, &grp);
	if (id < 0) {
		family = 0;
		return;
	}
	if (join(grp)) {
		log_err("cannot join nlb's monitor group: %s", strerror(errno));
		family = 0;
		return;
	}
	family = id;
	log_info("following nlb (generic netlink family %d)", family);
	need_resync = true;
}

/* ---- notifications ---- */

static void on_ctrl(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *gh = NLMSG_DATA(nlh);
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	char name[GENL_NAMSIZ];

	if (!msg_attrs(nlh, tb, CTRL_ATTR_MAX) ||
	    !get_str(tb[CTRL_ATTR_FAMILY_NAME], name, sizeof(name)) ||
	    strcmp(name, NLB_FAMILY_NAME))
		return;
	if (gh->cmd == CTRL_CMD_DELFAMILY && family) {
		log_warn("the nlb module went away: no probes until it is back");
		family = 0;
		conf_clear();
	} else if (gh->cmd == CTRL_CMD_NEWFAMILY && !family) {
		ctrl_event = true;
	}
}

static void on_notification(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *gh = NLMSG_DATA(nlh);
	char name[NLB_NAME_MAX_LEN + 1];
	struct backend_info bi;
	struct check_cfg c;
	uint8_t event;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return;
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		on_ctrl(nlh);
		return;
	}
	if (!family || nlh->nlmsg_type != family)
		return;
	stats.notifications++;
	switch (gh->cmd) {
	case NLB_CMD_GROUP_NTF:
		if (!parse_group(nlh, name, &c, &event))
			return;
		if (event == NLB_EVENT_DEL)
			conf_group_del(name);
		else
			conf_group(name, &c);
		return;
	case NLB_CMD_BACKEND_NTF:
		if (!parse_backend(nlh, &bi, &event))
			return;
		if (event == NLB_EVENT_DEL || event == NLB_EVENT_DRAINED) {
			conf_backend_del(&bi);
		} else if (event == NLB_EVENT_FAILED) {
			conf_backend_failed(&bi);
		} else {
			/*
			 * Dumps and failed events set the baseline; an add
			 * or change only a missing one (a new backend's 0),
			 * as failures counted before it may still be on
			 * their way in a failed event.
			 */
			bi.first_only = true;
			if (!conf_backend(&bi))
				need_resync = true;
		}
		return;
	}
}

static void read_notifications(void)
{
	struct nlmsghdr *nlh;
	ssize_t n;

	mon_ready = false;
	for (;;) {
		n = recv(mon_w.fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				log_warn("notifications lost: reading the configuration again");
				need_resync = true;
				continue;
			}
			if (errno != EAGAIN)
				log_err("notifications: %s", strerror(errno));
			return;
		}
		for (nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n))
			on_notification(nlh);
	}
}

/* Errors of batched writes. */
static void read_errors(void)
{
	struct nlmsghdr *nlh;
	char text[256];
	ssize_t n;

	req_ready = false;
	for (;;) {
		n = recv(req_w.fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_ERROR &&
			    msg_error(nlh, text, sizeof(text))) {
				stats.write_errors++;
				log_debug("a write failed: %s", text);
			}
		}
	}
}

static void on_mon(struct watch *w, uint32_t events)
{
	mon_ready = true;
}

static void on_req(struct watch *w, uint32_t events)
{
	req_ready = true;
}

/* ---- writes ---- */

static void flush(void)
{
	int tries = 0;
	ssize_t n;

	while (batch_len) {
		n = send(req_w.fd, batch, batch_len, 0);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		/* Short of memory: our error queue may be full, empty it. */
		if ((errno == EAGAIN || errno == ENOBUFS) && ++tries < 3) {
			read_errors();
			continue;
		}
		log_err("cannot write to nlb: %s", strerror(errno));
		stats.write_errors++;
		break;
	}
	batch_len = 0;
}

static void kernel_change(const struct backend *b,
			  const struct backend_info *bi,
			  const struct backend_change *ch)
{
	uint16_t port = bi->port;
	size_t start, len;

	if (!family)
		return;
	if (batch_len > BATCH_MAX)
		flush();
	start = batch_len;
	len = start + msg_begin(batch + start, family, 0,
				NLB_CMD_BACKEND_CHANGE);
	put_str(batch, &len, NLB_A_BACKEND_GROUP, bi->group);
	if (bi->addr.fam == AF_INET)
		put_attr(batch, &len, NLB_A_BACKEND_ADDR4, &bi->addr.v4, 4);
	else
		put_attr(batch, &len, NLB_A_BACKEND_ADDR6, &bi->addr.v6, 16);
	put_attr(batch, &len, NLB_A_BACKEND_PORT, &port, 2);
	if (ch->set_health) {
		put_u8(batch, &len, NLB_A_BACKEND_HEALTHY, ch->healthy);
		put_str(batch, &len, NLB_A_BACKEND_REASON, ch->reason);
	}
	if (ch->set_agent)
		put_u8(batch, &len, NLB_A_BACKEND_AGENT_WEIGHT,
		       ch->agent_weight);
	if (ch->report) {
		put_u8(batch, &len, NLB_A_BACKEND_PROBE_OK, ch->probe_ok);
		put_str(batch, &len, NLB_A_BACKEND_PROBE, ch->probe);
	}
	msg_end(batch + start, len - start);
	batch_len = len;
	stats.writes++;
}

static void kernel_idle(void)
{
	if (mon_ready)
		read_notifications();
	/* After the notifications, which may have said nlb is back. */
	if (ctrl_event && !family) {
		ctrl_event = false;
		attach();
	}
	if (need_resync)
		resync();
	if (req_ready)
		read_errors();
	flush();
}

const struct source kernel_source = {
	.name = "kernel",
	.change = kernel_change,
	.flush = kernel_idle,
};

int kernel_start(void)
{
	uint32_t grp;
	int id;

	mon_w.fd = nl_socket();
	req_w.fd = nl_socket();
	if (mon_w.fd < 0 || req_w.fd < 0) {
		log_err("cannot open a generic netlink socket: %s",
			strerror(-(mon_w.fd < 0 ? mon_w.fd : req_w.fd)));
		return -1;
	}
	mon_w.fn = on_mon;
	req_w.fn = on_req;
	/* nlctrl's notify group: nlb unloaded, loaded again. */
	id = resolve("nlctrl", "notify", &grp);
	if (id < 0 || join(grp)) {
		log_err("cannot follow generic netlink families");
		return -1;
	}
	attach();
	if (!family)
		log_warn("the nlb module is not loaded: waiting for it");
	if (watch_add(&mon_w, EPOLLIN) || watch_add(&req_w, EPOLLIN)) {
		log_err("epoll: %s", strerror(errno));
		return -1;
	}
	kernel_idle();
	return 0;
}

void kernel_resync(void)
{
	need_resync = true;
}

void kernel_stop(void)
{
	flush();
	if (mon_w.fd >= 0)
		close(mon_w.fd);
	if (req_w.fd >= 0)
		close(req_w.fd);
	mon_w.fd = req_w.fd = -1;
}
