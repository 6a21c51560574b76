// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink: the socket, requests, their replies and errors,
 * including the kernel's extended ACK (message and offending attribute).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "nlbadm.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

static struct nl_sock *sock;
static int family;
/* Error of the last failed nl_exec(), for nl_report(). */
static char errbuf[512];
/* Byte offset in its request of the attribute the last error blames, or -1. */
long nl_err_offset = -1;

/* The error nl_report() would print. */
const char *nl_error(void)
{
	return errbuf;
}

struct exec {
	struct nlmsghdr *req;
	struct msg_list *replies;
	int error;		/* 0 or a negative errno */
	bool done;
};

static void __attribute__((noreturn)) nl_fatal(const char *what, int nlerr)
{
	pr_err("%s: %s", what, nl_geterror(nlerr));
	exit(EXIT_KERNEL);
}

void nl_put_fail(void)
{
	nl_fatal("cannot build a netlink request", NLE_NOMEM);
}

/*
 * Open the socket and resolve the family. Returns 0, or -ENOENT when the
 * module is not loaded, or another negative errno, with the error in
 * errbuf (for nl_report()).
 */
int nl_try_open(void)
{
	int one = 1, err;

	if (sock)
		return 0;
	sock = nl_socket_alloc();
	if (!sock)
		nl_fatal("cannot allocate a netlink socket", NLE_NOMEM);
	err = genl_connect(sock);
	if (err) {
		snprintf(errbuf, sizeof(errbuf),
			 "cannot open a generic netlink socket: %s",
			 nl_geterror(err));
		nl_shut();
		return -EIO;
	}
	/* Replies may be larger than a page. */
	nl_socket_enable_msg_peek(sock);
	/* Without extended ACKs errors lack the kernel's message. */
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));

	family = genl_ctrl_resolve(sock, NLB_FAMILY_NAME);
	if (family < 0) {
		if (family == -NLE_OBJ_NOTFOUND)
			snprintf(errbuf, sizeof(errbuf),
				 "the nlb module is not loaded (generic netlink family \"%s\" not found)",
				 NLB_FAMILY_NAME);
		else
			snprintf(errbuf, sizeof(errbuf),
				 "cannot resolve the generic netlink family \"nlb\": %s",
				 nl_geterror(family));
		err = family == -NLE_OBJ_NOTFOUND ? -ENOENT : -EIO;
		nl_shut();
		return err;
	}
	return 0;
}

/* Close the socket: the next request opens a new one (and resolves the
 * family again, which changes when the module is loaded again).
 */
void nl_shut(void)
{
	if (sock)
		nl_socket_free(sock);
	sock = NULL;
}

static void nl_open(void)
{
	if (nl_try_open()) {
		nl_report();
		exit(EXIT_KERNEL);
	}
}

/*
 * Join a multicast group of the family, for notifications: they carry
 * no sequence numbers of ours.
 */
void nl_join(const char *group)
{
	int grp, err;

	if (!sock)
		nl_open();
	grp = genl_ctrl_resolve_grp(sock, NLB_FAMILY_NAME, group);
	if (grp == -NLE_OBJ_NOTFOUND) {
		pr_err("the nlb module has no multicast group \"%s\" (too old?)",
		       group);
		exit(EXIT_KERNEL);
	}
	if (grp < 0)
		nl_fatal("cannot resolve the multicast group", grp);
	err = nl_socket_add_membership(sock, grp);
	if (err)
		nl_fatal("cannot join the multicast group", err);
	nl_socket_disable_seq_check(sock);
	/* Bursts of notifications: a larger buffer loses fewer. */
	nl_socket_set_buffer_size(sock, 1 << 20, 0);
}

static int (*receive_func)(struct nl_msg *msg);

static int receive_cb(struct nl_msg *msg, void *arg)
{
	if (nlmsg_hdr(msg)->nlmsg_type != family)
		return NL_SKIP;
	return receive_func(msg);
}

/*
 * Wait for what arrives next on a joined group and pass each message of
 * the family to func, which returns NL_OK, or NL_STOP to leave the rest.
 * Returns 0 or a negative errno; nl_report() prints the error.
 */
int nl_receive(int (*func)(struct nl_msg *msg))
{
	int err;

	receive_func = func;
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, receive_cb, NULL);
	err = nl_recvmsgs_default(sock);
	if (err >= 0)
		return 0;
	/* libnl says NLE_NOMEM for ENOBUFS: the socket overran. */
	if (err == -NLE_NOMEM && errno == ENOBUFS) {
		pr_err("notifications lost (receive buffer full)");
		return 0;
	}
	snprintf(errbuf, sizeof(errbuf), "netlink: %s", nl_geterror(err));
	return -EIO;
}

/* A new request of up to size bytes; the socket is opened on first use. */
struct nl_msg *nl_req_size(uint8_t cmd, bool dump, size_t size)
{
	struct nl_msg *msg;

	if (!sock)
		nl_open();
	msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				 dump ? NLM_F_DUMP : 0, cmd,
				 NLB_FAMILY_VERSION))
		nl_put_fail();
	return msg;
}

/* A new request of the default size (a page). */
struct nl_msg *nl_req(uint8_t cmd, bool dump)
{
	return nl_req_size(cmd, dump, 0);
}

static const struct object *cmd_object(uint8_t cmd)
{
	if (cmd <= NLB_CMD_LISTENER_GET)
		return &listener_obj;
	if (cmd <= NLB_CMD_GROUP_GET)
		return &group_obj;
	return &backend_obj;
}

/* Type of the top-level request attribute at byte offset off, or -1. */
static int req_attr_at(struct nlmsghdr *req, uint32_t off)
{
	struct genlmsghdr *gnlh = genlmsg_hdr(req);
	struct nlattr *nla;
	size_t start;
	int rem;

	nla_for_each_attr(nla, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem) {
		start = (char *)nla - (char *)req;
		if (off >= start && off < start + nla->nla_len)
			return nla_type(nla);
	}
	return -1;
}

/* " (attribute port)" */
static void attr_note(char *buf, size_t len, const char *what,
		      struct nlmsghdr *req, int type)
{
	const char *name;

	if (type < 0)
		return;
	name = obj_attr_name(cmd_object(genlmsg_hdr(req)->cmd), type);
	if (name)
		snprintf(buf, len, " (%s %s)", what, name);
	else
		snprintf(buf, len, " (%s %d)", what, type);
}

/*
 * The error an NLMSG_ERROR (at least a struct nlmsgerr, as libnl checks)
 * or NLMSG_DONE message reports: returns 0 or a negative errno and, on
 * error, writes to buf the kernel's extack message (or strerror()) and
 * the attribute of the request req it blames.
 */
int nl_msg_error(struct nlmsghdr *nlh, struct nlmsghdr *req,
		 char *buf, size_t len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	struct nlmsgerr *e = nlmsg_data(nlh);
	char note[64] = "";
	struct nlattr *msg;
	int error = 0;
	size_t off;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		error = e->error;
		off = sizeof(*e);
		/* Unless capped, the request follows (its header is in e) */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
		    e->msg.nlmsg_len >= NLMSG_HDRLEN)
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	} else {
		/* NLMSG_DONE: an int, negative on error */
		off = sizeof(error);
		if (nlmsg_datalen(nlh) >= (int)sizeof(error))
			memcpy(&error, nlmsg_data(nlh), sizeof(error));
	}
	if (error >= 0)
		return 0;

	off = NLMSG_ALIGN(off);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS &&
	    off <= (size_t)nlmsg_datalen(nlh) &&
	    nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + off),
		      nlmsg_datalen(nlh) - off, NULL))
		memset(tb, 0, sizeof(tb));

	nl_err_offset = -1;
	if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) == 4) {
		nl_err_offset = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
		attr_note(note, sizeof(note), "attribute", req,
			  req_attr_at(req, nl_err_offset));
	}
	if (nl_err_offset < 0 && tb[NLMSGERR_ATTR_MISS_TYPE] &&
		 nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) == 4)
		attr_note(note, sizeof(note), "missing attribute", req,
			  nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));

	msg = tb[NLMSGERR_ATTR_MSG];
	if (msg && nla_len(msg) > 0 && *(char *)nla_data(msg))
		snprintf(buf, len, "%.*s%s",
			 (int)strnlen(nla_data(msg), nla_len(msg)),
			 (char *)nla_data(msg), note);
	else
		snprintf(buf, len, "%s%s", strerror(-error), note);
	return error;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct msg_list *l = ((struct exec *)arg)->replies;

	if (!l)
		return NL_OK;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			nl_fatal("cannot keep the replies", NLE_NOMEM);
	}
	nlmsg_get(msg);
	l->v[l->n++] = msg;
	return NL_OK;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	((struct exec *)arg)->done = true;
	return NL_STOP;
}

/* NLMSG_DONE, the end of a dump, may carry an error. */
static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct exec *ex = arg;

	ex->done = true;
	ex->error = nl_msg_error(nlmsg_hdr(msg), ex->req,
				 errbuf, sizeof(errbuf));
	return NL_STOP;
}

static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *err,
		    void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct exec *ex = arg;

	ex->done = true;
	ex->error = nl_msg_error(nlh, ex->req, errbuf, sizeof(errbuf));
	return NL_STOP;
}

/*
 * Send a request (freed here) and wait for its ACK or the end of its
 * dump, keeping the replies in *replies (may be NULL). Returns 0 or a
 * negative errno; nl_report() prints the error.
 */
int nl_exec(struct nl_msg *req, struct msg_list *replies)
{
	struct exec ex = { .req = nlmsg_hdr(req), .replies = replies };
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		nl_fatal("cannot allocate netlink callbacks", NLE_NOMEM);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &ex);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, &ex);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, &ex);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, &ex);

	err = nl_send_auto(sock, req);
	while (err >= 0 && !ex.done)
		err = nl_recvmsgs(sock, cb);
	if (err < 0 && !ex.done) {
		snprintf(errbuf, sizeof(errbuf), "netlink: %s",
			 nl_geterror(err));
		ex.error = -EIO;
	}
	nl_cb_put(cb);
	nlmsg_free(req);
	return ex.error;
}

int nl_report(void)
{
	pr_err("%s", errbuf);
	return EXIT_KERNEL;
}

/* nl_exec() and report its error: returns an exit status. */
int nl_run(struct nl_msg *req, struct msg_list *replies)
{
	return nl_exec(req, replies) ? nl_report() : EXIT_OK;
}

void msg_list_free(struct msg_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		nlmsg_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
