// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of nlbadm without the kernel: replies and notifications
 * built here are printed as text and JSON, extended ACKs are decoded, and
 * command lines are checked against the argument tables and turned into
 * request attributes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "nlbadm.h"

#define FAMILY	0x20

static int failed, run;

static void test_health_output(void);
static void test_health_save(void);

static void check(const char *what, const char *got, const char *want)
{
	run++;
	if (strcmp(got, want)) {
		failed++;
		printf("FAIL: %s\n got: %s\nwant: %s\n", what, got, want);
	}
}

static void check_true(const char *what, bool ok)
{
	run++;
	if (!ok) {
		failed++;
		printf("FAIL: %s\n", what);
	}
}

static struct nl_msg *reply(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m || !genlmsg_put(m, 0, 1, FAMILY, 0, 0, cmd, 1))
		abort();
	return m;
}

static void put_stats(struct nl_msg *m, int attr, uint64_t conns,
		      uint64_t drops)
{
	struct nlattr *nest = nla_nest_start(m, attr | NLA_F_NESTED);

	nla_put_u64(m, NLB_A_STATS_CONNS, conns);
	nla_put_u64(m, NLB_A_STATS_DROP_NO_BACKEND, drops);
	nla_put_u32(m, 42, 1);		/* unknown: skipped */
	nla_nest_end(m, nest);
}

/* Every counter, each with its own value, in attribute order. */
static void put_all_stats(struct nl_msg *m, int attr)
{
	struct nlattr *nest = nla_nest_start(m, attr | NLA_F_NESTED);
	int a;

	for (a = NLB_A_STATS_CONNS; a <= NLB_A_STATS_MAX; a++)
		nla_put_u64(m, a, 100 + a);
	nla_nest_end(m, nest);
}

/* A listener reply as this version does not know it: no new attributes */
static struct nl_msg *listener(void)
{
	struct nl_msg *m = reply(NLB_CMD_LISTENER_GET);
	struct in6_addr v6;

	inet_pton(AF_INET6, "2001:db8::1", &v6);
	nla_put_string(m, NLB_A_LISTENER_NAME, "http");
	nla_put_u32(m, NLB_A_LISTENER_VIP4, inet_addr("198.51.100.1"));
	nla_put(m, NLB_A_LISTENER_VIP6, sizeof(v6), &v6);
	nla_put_u8(m, NLB_A_LISTENER_PROTO, NLB_PROTO_TCP);
	nla_put_u16(m, NLB_A_LISTENER_PORT, 80);
	nla_put_string(m, NLB_A_LISTENER_GROUP, "web");
	put_stats(m, NLB_A_LISTENER_STATS, 12345678901234ULL, 3);
	nla_put_u32(m, 99, 7);		/* unknown: skipped */
	return m;
}

static struct nl_msg *group(const char *name, uint8_t sched)
{
	struct nl_msg *m = reply(NLB_CMD_GROUP_GET);

	nla_put_string(m, NLB_A_GROUP_NAME, name);
	nla_put_u8(m, NLB_A_GROUP_IPVERSION, NLB_IPVERSION_DUALSTACK);
	nla_put_u8(m, NLB_A_GROUP_AFFINITY, 1);
	nla_put_u8(m, NLB_A_GROUP_SCHED, sched);
	nla_put_u32(m, NLB_A_GROUP_BACKENDS4, 1);
	nla_put_u32(m, NLB_A_GROUP_BACKENDS6, 1);
	nla_put_u32(m, NLB_A_GROUP_LISTENERS, 0);
	put_stats(m, NLB_A_GROUP_STATS, UINT64_MAX, 0);
	nla_put_u8(m, NLB_A_GROUP_TRACK, 0);
	nla_put_u32(m, NLB_A_GROUP_DRAIN_TIMEOUT, 0);
	return m;
}

/* A listener as the kernel describes it now. */
static struct nl_msg *listener2(uint8_t cmd, uint8_t reject,
				uint32_t persist, uint8_t prefix4,
				uint8_t prefix6)
{
	struct nl_msg *m = reply(cmd);
	struct in6_addr v6;

	inet_pton(AF_INET6, "2001:db8:ff::10", &v6);
	nla_put_string(m, NLB_A_LISTENER_NAME, "http");
	nla_put_u32(m, NLB_A_LISTENER_VIP4, inet_addr("203.0.113.10"));
	nla_put(m, NLB_A_LISTENER_VIP6, sizeof(v6), &v6);
	nla_put_u8(m, NLB_A_LISTENER_PROTO, NLB_PROTO_TCP);
	nla_put_u16(m, NLB_A_LISTENER_PORT, 80);
	nla_put_string(m, NLB_A_LISTENER_GROUP, "web");
	nla_put_u8(m, NLB_A_LISTENER_REJECT, reject);
	nla_put_u32(m, NLB_A_LISTENER_PERSIST_TIMEOUT, persist);
	nla_put_u8(m, NLB_A_LISTENER_PERSIST_PREFIX4, prefix4);
	nla_put_u8(m, NLB_A_LISTENER_PERSIST_PREFIX6, prefix6);
	return m;
}

/* A group as the kernel describes it now, attributes in any order. */
static struct nl_msg *group2(uint8_t cmd, uint8_t sched, uint8_t track,
			     uint32_t drain)
{
	struct nl_msg *m = reply(cmd);

	nla_put_u32(m, NLB_A_GROUP_DRAIN_TIMEOUT, drain);
	nla_put_u8(m, NLB_A_GROUP_TRACK, track);
	nla_put_string(m, NLB_A_GROUP_NAME, "web");
	nla_put_u8(m, NLB_A_GROUP_IPVERSION, NLB_IPVERSION_DUALSTACK);
	nla_put_u8(m, NLB_A_GROUP_SCHED, sched);
	nla_put_u8(m, NLB_A_GROUP_AFFINITY, 1);
	nla_put_u32(m, NLB_A_GROUP_BACKENDS4, 1);
	nla_put_u32(m, NLB_A_GROUP_BACKENDS6, 1);
	nla_put_u32(m, NLB_A_GROUP_LISTENERS, 1);
	return m;
}

static struct nl_msg *backend(const char *grp, const char *addr,
			      uint16_t port, uint32_t weight)
{
	struct nl_msg *m = reply(NLB_CMD_BACKEND_GET);
	struct in6_addr v6;
	struct in_addr v4;

	nla_put_string(m, NLB_A_BACKEND_GROUP, grp);
	if (inet_pton(AF_INET, addr, &v4) == 1)
		nla_put_u32(m, NLB_A_BACKEND_ADDR4, v4.s_addr);
	else if (inet_pton(AF_INET6, addr, &v6) == 1)
		nla_put(m, NLB_A_BACKEND_ADDR6, sizeof(v6), &v6);
	nla_put_u16(m, NLB_A_BACKEND_PORT, port);
	nla_put_u32(m, NLB_A_BACKEND_WEIGHT, weight);
	return m;
}

/* backend web 198.18.1.2 port 80 weight 1 with its states. */
static struct nl_msg *backend2(uint8_t cmd, uint8_t enabled,
			       uint8_t healthy)
{
	struct nl_msg *m = backend("web", "198.18.1.2", 80, 1);

	genlmsg_hdr(nlmsg_hdr(m))->cmd = cmd;
	nla_put_u8(m, NLB_A_BACKEND_ENABLED, enabled);
	nla_put_u8(m, NLB_A_BACKEND_HEALTHY, healthy);
	return m;
}

static char *buf;
static size_t buflen;
static FILE *f;

static void start(bool json, bool stats, bool pretty)
{
	opts.json = json;
	opts.stats = stats;
	opts.pretty = pretty;
	f = open_memstream(&buf, &buflen);
	if (!f)
		abort();
	out_init(f);
}

static void stop(const char *what, const char *want)
{
	fclose(f);
	check(what, buf, want);
	free(buf);
}

/* One object as "X show" prints it. */
static void show_one(const char *what, const struct object *ob,
		     struct nl_msg *m, bool json, bool stats,
		     const char *want)
{
	struct msg_list l = { .v = &m, .n = 1 };

	start(json, stats, false);
	out_objects(NULL, ob, &l);
	out_finish();
	stop(what, want);
}

/* A group with backends as "nlbadm show" prints it. */
static void show_nested(const char *what, bool json, bool stats,
			bool pretty, const char *want)
{
	struct nl_msg *g = group("web", NLB_SCHED_WRR);
	struct nl_msg *b[2] = {
		backend("web", "192.0.2.10", 80, 10),
		backend("web", "2001:db8:1::10", 0, 0),
	};
	struct nlattr *tb[NLB_ATTR_MAX + 1];
	int i;

	start(json, stats, pretty);
	out_map_begin();
	out_list_begin("listeners");
	out_list_end();
	out_list_begin("groups");
	obj_parse(&group_obj, g, tb);
	out_obj_begin(&group_obj, tb);
	out_list_begin("backends");
	for (i = 0; i < 2; i++) {
		obj_parse(&backend_obj, b[i], tb);
		out_obj_begin(&backend_obj, tb);
		out_obj_end();
		nlmsg_free(b[i]);
	}
	out_list_end();
	out_obj_end();
	out_list_end();
	out_map_end();
	out_finish();
	stop(what, want);
	nlmsg_free(g);
}

static void test_output(void)
{
	struct nl_msg *m = listener();

	show_one("listener text", &listener_obj, m, false, false,
		 "listener http vip 198.51.100.1 vip 2001:db8::1 proto tcp port 80 group web\n");
	show_one("listener text -s", &listener_obj, m, false, true,
		 "listener http vip 198.51.100.1 vip 2001:db8::1 proto tcp port 80 group web\n"
		 "    conns 12345678901234 drop-no-backend 3\n");
	show_one("listener json", &listener_obj, m, true, false,
		 "[{\"name\":\"http\",\"vip4\":\"198.51.100.1\",\"vip6\":\"2001:db8::1\",\"proto\":\"tcp\",\"port\":80,\"group\":\"web\"}]\n");
	show_one("listener json -s", &listener_obj, m, true, true,
		 "[{\"name\":\"http\",\"vip4\":\"198.51.100.1\",\"vip6\":\"2001:db8::1\",\"proto\":\"tcp\",\"port\":80,\"group\":\"web\",\"stats\":{\"conns\":12345678901234,\"drop_no_backend\":3}}]\n");
	nlmsg_free(m);

	m = group("web", 9);
	show_one("group text, unknown sched", &group_obj, m, false, true,
		 "group web ipversion dualstack sched 9 affinity on track off drain-timeout 0 backends4 1 backends6 1 listeners 0\n"
		 "    conns 18446744073709551615 drop-no-backend 0\n");
	show_one("group json, unknown sched", &group_obj, m, true, false,
		 "[{\"name\":\"web\",\"ipversion\":\"dualstack\",\"sched\":9,\"affinity\":\"on\",\"track\":false,\"drain_timeout\":0,\"backends4\":1,\"backends6\":1,\"listeners\":0}]\n");
	nlmsg_free(m);

	m = backend("web", "2001:db8:1::10", 8080, 255);
	show_one("backend text", &backend_obj, m, false, true,
		 "backend web 2001:db8:1::10 port 8080 weight 255\n");
	show_one("backend json", &backend_obj, m, true, true,
		 "[{\"group\":\"web\",\"address\":\"2001:db8:1::10\",\"port\":8080,\"weight\":255}]\n");
	nlmsg_free(m);

	start(true, false, false);
	out_list_begin(NULL);
	out_list_end();
	out_finish();
	stop("empty json list", "[]\n");

	start(false, false, false);
	out_list_begin(NULL);
	out_list_end();
	out_finish();
	stop("empty text list", "");

	show_nested("show text -s", false, true, false,
		    "group web ipversion dualstack sched wrr affinity on track off drain-timeout 0 backends4 1 backends6 1 listeners 0\n"
		    "    conns 18446744073709551615 drop-no-backend 0\n"
		    "    backend web 192.0.2.10 port 80 weight 10\n"
		    "    backend web 2001:db8:1::10 port 0 weight 0\n");
	show_nested("show json", true, false, false,
		    "{\"listeners\":[],\"groups\":[{\"name\":\"web\",\"ipversion\":\"dualstack\",\"sched\":\"wrr\",\"affinity\":\"on\",\"track\":false,\"drain_timeout\":0,\"backends4\":1,\"backends6\":1,\"listeners\":0,\"backends\":["
		    "{\"group\":\"web\",\"address\":\"192.0.2.10\",\"port\":80,\"weight\":10},"
		    "{\"group\":\"web\",\"address\":\"2001:db8:1::10\",\"port\":0,\"weight\":0}]}]}\n");
	show_nested("show json pretty", true, false, true,
		    "{\n"
		    "  \"listeners\": [],\n"
		    "  \"groups\": [\n"
		    "    {\n"
		    "      \"name\": \"web\",\n"
		    "      \"ipversion\": \"dualstack\",\n"
		    "      \"sched\": \"wrr\",\n"
		    "      \"affinity\": \"on\",\n"
		    "      \"track\": false,\n"
		    "      \"drain_timeout\": 0,\n"
		    "      \"backends4\": 1,\n"
		    "      \"backends6\": 1,\n"
		    "      \"listeners\": 0,\n"
		    "      \"backends\": [\n"
		    "        {\n"
		    "          \"group\": \"web\",\n"
		    "          \"address\": \"192.0.2.10\",\n"
		    "          \"port\": 80,\n"
		    "          \"weight\": 10\n"
		    "        },\n"
		    "        {\n"
		    "          \"group\": \"web\",\n"
		    "          \"address\": \"2001:db8:1::10\",\n"
		    "          \"port\": 0,\n"
		    "          \"weight\": 0\n"
		    "        }\n"
		    "      ]\n"
		    "    }\n"
		    "  ]\n"
		    "}\n");
}

static void test_json_escape(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "\n\r\t\x01\x1f\x7f", "\"\\n\\r\\t\\u0001\\u001f\\u007f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		/* invalid UTF-8: lone byte, overlong, surrogate, truncated */
		{ "\xff\xc0\xaf", "\"\\u00ff\\u00c0\\u00af\"" },
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },
		{ "\xe2\x82", "\"\\u00e2\\u0082\"" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		f = open_memstream(&buf, &buflen);
		json_escape(f, cases[i].in);
		fclose(f);
		check("json_escape", buf, cases[i].want);
		free(buf);
	}
}

/* The request an error refers to: backend add web 192.0.2.1 weight 300 */
static struct nl_msg *request(void)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, 0, 7, FAMILY, 0, NLM_F_REQUEST | NLM_F_ACK,
		    NLB_CMD_BACKEND_ADD, 1);
	nla_put_string(m, NLB_A_BACKEND_GROUP, "web");
	nla_put_u32(m, NLB_A_BACKEND_ADDR4, inet_addr("192.0.2.1"));
	nla_put_u32(m, NLB_A_BACKEND_WEIGHT, 300);
	return m;
}

/* Offset of the request's attribute of this type. */
static uint32_t attr_offset(struct nl_msg *req, int type)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req);

	return (char *)nlmsg_find_attr(nlh, GENL_HDRLEN, type) - (char *)nlh;
}

/* An NLMSG_ERROR for req, or an NLMSG_DONE if done. */
static struct nl_msg *ack(struct nl_msg *req, int error, bool done,
			  bool capped, const char *msg, int offs_type,
			  int miss_type)
{
	struct nlmsghdr *rh = nlmsg_hdr(req);
	int flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);
	struct nlmsgerr e = { .error = error, .msg = *rh };
	struct nl_msg *m;
	char *p;

	if (!msg && !offs_type && !miss_type)
		flags = capped ? NLM_F_CAPPED : 0;
	m = nlmsg_alloc_simple(done ? NLMSG_DONE : NLMSG_ERROR, flags);
	if (done) {
		nlmsg_append(m, &error, sizeof(error), NLMSG_ALIGNTO);
	} else {
		/* the request's payload follows e unless capped */
		p = nlmsg_reserve(m, sizeof(e) +
				  (capped ? 0 : nlmsg_datalen(rh)),
				  NLMSG_ALIGNTO);
		memcpy(p, &e, sizeof(e));
		if (!capped)
			memcpy(p + sizeof(e), nlmsg_data(rh),
			       nlmsg_datalen(rh));
	}
	if (msg)
		nla_put_string(m, NLMSGERR_ATTR_MSG, msg);
	if (offs_type)
		nla_put_u32(m, NLMSGERR_ATTR_OFFS,
			    attr_offset(req, offs_type));
	if (miss_type)
		nla_put_u32(m, NLMSGERR_ATTR_MISS_TYPE, miss_type);
	return m;
}

static void ack_case(const char *what, int error, bool done, bool capped,
		     const char *msg, int offs_type, int miss_type,
		     const char *want)
{
	struct nl_msg *req = request();
	struct nl_msg *m = ack(req, error, done, capped, msg, offs_type,
			       miss_type);
	char out[256] = "";
	int ret;

	ret = nl_msg_error(nlmsg_hdr(m), nlmsg_hdr(req), out, sizeof(out));
	check(what, out, want);
	run++;
	if (ret != error) {
		failed++;
		printf("FAIL: %s: returned %d, want %d\n", what, ret, error);
	}
	nlmsg_free(m);
	nlmsg_free(req);
}

static void test_ext_ack(void)
{
	ack_case("ack", 0, false, false, NULL, 0, 0, "");
	ack_case("done", 0, true, false, NULL, 0, 0, "");
	ack_case("errno only", -EPERM, false, false, NULL, 0, 0,
		 "Operation not permitted");
	ack_case("errno only, capped", -ENOENT, false, true, NULL, 0, 0,
		 "No such file or directory");
	ack_case("message", -EEXIST, false, false, "backend exists", 0, 0,
		 "backend exists");
	ack_case("message, capped", -EEXIST, false, true, "backend exists",
		 0, 0, "backend exists");
	ack_case("bad attribute", -ERANGE, false, false,
		 "integer out of range", NLB_A_BACKEND_WEIGHT, 0,
		 "integer out of range (attribute weight)");
	ack_case("bad attribute, capped", -ERANGE, false, true,
		 "integer out of range", NLB_A_BACKEND_ADDR4, 0,
		 "integer out of range (attribute address)");
	ack_case("bad attribute, no message", -EINVAL, false, true, NULL,
		 NLB_A_BACKEND_GROUP, 0,
		 "Invalid argument (attribute group)");
	ack_case("missing attribute", -EINVAL, false, false, NULL, 0,
		 NLB_A_BACKEND_WEIGHT,
		 "Invalid argument (missing attribute weight)");
	ack_case("missing unknown attribute", -EINVAL, false, false, NULL, 0,
		 77, "Invalid argument (missing attribute 77)");
	ack_case("dump error", -ENOENT, true, false, "no such group", 0, 0,
		 "no such group");
	ack_case("dump error, no message", -ENOENT, true, false, NULL, 0, 0,
		 "No such file or directory");
}

/* Show lines of the objects' newer attributes. */
static void test_output_settings(void)
{
	struct nl_msg *m;

	m = listener2(NLB_CMD_LISTENER_GET, NLB_REJECT_RESET, 0, 32, 128);
	show_one("listener text, persist off", &listener_obj, m, false, false,
		 "listener http vip 203.0.113.10 vip 2001:db8:ff::10 proto tcp port 80 group web reject reset\n");
	show_one("listener json, persist off", &listener_obj, m, true, false,
		 "[{\"name\":\"http\",\"vip4\":\"203.0.113.10\",\"vip6\":\"2001:db8:ff::10\",\"proto\":\"tcp\",\"port\":80,\"group\":\"web\",\"reject\":\"reset\",\"persist\":0,\"persist_prefix4\":32,\"persist_prefix6\":128}]\n");
	nlmsg_free(m);

	m = listener2(NLB_CMD_LISTENER_GET, NLB_REJECT_ICMP, 30, 24, 64);
	show_one("listener text, persist on", &listener_obj, m, false, false,
		 "listener http vip 203.0.113.10 vip 2001:db8:ff::10 proto tcp port 80 group web reject icmp persist 30 persist-prefix4 24 persist-prefix6 64\n");
	show_one("listener json, persist on", &listener_obj, m, true, false,
		 "[{\"name\":\"http\",\"vip4\":\"203.0.113.10\",\"vip6\":\"2001:db8:ff::10\",\"proto\":\"tcp\",\"port\":80,\"group\":\"web\",\"reject\":\"icmp\",\"persist\":30,\"persist_prefix4\":24,\"persist_prefix6\":64}]\n");
	nlmsg_free(m);

	m = listener2(NLB_CMD_LISTENER_GET, NLB_REJECT_DROP, 86400, 0, 0);
	show_one("listener text, prefixes 0", &listener_obj, m, false, false,
		 "listener http vip 203.0.113.10 vip 2001:db8:ff::10 proto tcp port 80 group web reject drop persist 86400 persist-prefix4 0 persist-prefix6 0\n");
	nlmsg_free(m);

	m = listener2(NLB_CMD_LISTENER_GET, 7, 0, 32, 128);
	show_one("listener text, unknown reject", &listener_obj, m, false,
		 false,
		 "listener http vip 203.0.113.10 vip 2001:db8:ff::10 proto tcp port 80 group web reject 7\n");
	show_one("listener json, unknown reject", &listener_obj, m, true,
		 false,
		 "[{\"name\":\"http\",\"vip4\":\"203.0.113.10\",\"vip6\":\"2001:db8:ff::10\",\"proto\":\"tcp\",\"port\":80,\"group\":\"web\",\"reject\":7,\"persist\":0,\"persist_prefix4\":32,\"persist_prefix6\":128}]\n");
	nlmsg_free(m);

	m = group2(NLB_CMD_GROUP_GET, NLB_SCHED_WRR, 0, 0);
	show_one("group text", &group_obj, m, false, false,
		 "group web ipversion dualstack sched wrr affinity on track off drain-timeout 0 backends4 1 backends6 1 listeners 1\n");
	show_one("group json", &group_obj, m, true, false,
		 "[{\"name\":\"web\",\"ipversion\":\"dualstack\",\"sched\":\"wrr\",\"affinity\":\"on\",\"track\":false,\"drain_timeout\":0,\"backends4\":1,\"backends6\":1,\"listeners\":1}]\n");
	nlmsg_free(m);

	m = group2(NLB_CMD_GROUP_GET, NLB_SCHED_WRR, 0, 0);
	nla_put_u8(m, NLB_A_GROUP_ACCT, 0);
	show_one("group text, acct off", &group_obj, m, false, false,
		 "group web ipversion dualstack sched wrr affinity on track off acct off drain-timeout 0 backends4 1 backends6 1 listeners 1\n");
	show_one("group json, acct off", &group_obj, m, true, false,
		 "[{\"name\":\"web\",\"ipversion\":\"dualstack\",\"sched\":\"wrr\",\"affinity\":\"on\",\"track\":false,\"acct\":false,\"drain_timeout\":0,\"backends4\":1,\"backends6\":1,\"listeners\":1}]\n");
	nlmsg_free(m);

	m = group2(NLB_CMD_GROUP_GET, NLB_SCHED_WRR, 0, 0);
	nla_put_u8(m, NLB_A_GROUP_ACCT, 1);
	nla_put_u8(m, NLB_A_GROUP_OFFLOAD, 1);
	show_one("group text, offload on", &group_obj, m, false, false,
		 "group web ipversion dualstack sched wrr affinity on track off acct on offload on drain-timeout 0 backends4 1 backends6 1 listeners 1\n");
	show_one("group json, offload on", &group_obj, m, true, false,
		 "[{\"name\":\"web\",\"ipversion\":\"dualstack\",\"sched\":\"wrr\",\"affinity\":\"on\",\"track\":false,\"acct\":true,\"offload\":true,\"drain_timeout\":0,\"backends4\":1,\"backends6\":1,\"listeners\":1}]\n");
	nlmsg_free(m);

	m = group2(NLB_CMD_GROUP_GET, NLB_SCHED_WRR, 1, 0);
	nla_put_u8(m, NLB_A_GROUP_PROXY, NLB_PROXY_V2);
	show_one("group text, proxy v2", &group_obj, m, false, false,
		 "group web ipversion dualstack sched wrr affinity on track on proxy v2 drain-timeout 0 backends4 1 backends6 1 listeners 1\n");
	show_one("group json, proxy v2", &group_obj, m, true, false,
		 "[{\"name\":\"web\",\"ipversion\":\"dualstack\",\"sched\":\"wrr\",\"affinity\":\"on\",\"track\":true,\"proxy\":\"v2\",\"drain_timeout\":0,\"backends4\":1,\"backends6\":1,\"listeners\":1}]\n");
	nlmsg_free(m);

	m = group2(NLB_CMD_GROUP_GET, NLB_SCHED_WLC, 1, 2592000);
	show_one("group text, wlc", &group_obj, m, false, false,
		 "group web ipversion dualstack sched wlc affinity on track on drain-timeout 2592000 backends4 1 backends6 1 listeners 1\n");
	show_one("group json, wlc", &group_obj, m, true, false,
		 "[{\"name\":\"web\",\"ipversion\":\"dualstack\",\"sched\":\"wlc\",\"affinity\":\"on\",\"track\":true,\"drain_timeout\":2592000,\"backends4\":1,\"backends6\":1,\"listeners\":1}]\n");
	nlmsg_free(m);

	m = group2(NLB_CMD_GROUP_GET, NLB_SCHED_SH, 0, 60);
	show_one("group text, sh", &group_obj, m, false, false,
		 "group web ipversion dualstack sched sh affinity on track off drain-timeout 60 backends4 1 backends6 1 listeners 1\n");
	nlmsg_free(m);

	m = group2(NLB_CMD_GROUP_GET, NLB_SCHED_MAGLEV, 0, 0);
	show_one("group text, maglev", &group_obj, m, false, false,
		 "group web ipversion dualstack sched maglev affinity on track off drain-timeout 0 backends4 1 backends6 1 listeners 1\n");
	nlmsg_free(m);

	m = backend2(NLB_CMD_BACKEND_GET, 1, 1);
	show_one("backend text", &backend_obj, m, false, false,
		 "backend web 198.18.1.2 port 80 weight 1 state enabled health up\n");
	show_one("backend json", &backend_obj, m, true, false,
		 "[{\"group\":\"web\",\"address\":\"198.18.1.2\",\"port\":80,\"weight\":1,\"enabled\":true,\"healthy\":true}]\n");
	nla_put_u8(m, NLB_A_BACKEND_DRAINING, 0);
	show_one("backend text, not draining", &backend_obj, m, false, false,
		 "backend web 198.18.1.2 port 80 weight 1 state enabled health up\n");
	show_one("backend json, not draining", &backend_obj, m, true, false,
		 "[{\"group\":\"web\",\"address\":\"198.18.1.2\",\"port\":80,\"weight\":1,\"enabled\":true,\"healthy\":true,\"draining\":false}]\n");
	nlmsg_free(m);

	m = backend2(NLB_CMD_BACKEND_GET, 0, 0);
	show_one("backend text, disabled down", &backend_obj, m, false, false,
		 "backend web 198.18.1.2 port 80 weight 1 state disabled health down\n");
	show_one("backend json, disabled down", &backend_obj, m, true, false,
		 "[{\"group\":\"web\",\"address\":\"198.18.1.2\",\"port\":80,\"weight\":1,\"enabled\":false,\"healthy\":false}]\n");
	nla_put_u8(m, NLB_A_BACKEND_DRAINING, 1);
	show_one("backend text, draining", &backend_obj, m, false, false,
		 "backend web 198.18.1.2 port 80 weight 1 state disabled health down draining\n");
	nla_put_u32(m, NLB_A_BACKEND_DRAIN_LEFT, 25);
	show_one("backend text, draining with timeout", &backend_obj, m,
		 false, false,
		 "backend web 198.18.1.2 port 80 weight 1 state disabled health down draining drain-left 25\n");
	show_one("backend json, draining with timeout", &backend_obj, m,
		 true, false,
		 "[{\"group\":\"web\",\"address\":\"198.18.1.2\",\"port\":80,\"weight\":1,\"enabled\":false,\"healthy\":false,\"draining\":true,\"drain_left\":25}]\n");
	nlmsg_free(m);

	m = backend2(NLB_CMD_BACKEND_GET, 1, 1);
	put_all_stats(m, NLB_A_BACKEND_STATS);
	show_one("all counters, text", &backend_obj, m, false, true,
		 "backend web 198.18.1.2 port 80 weight 1 state enabled health up\n"
		 "    conns 102 active 104 in-packets 105 in-bytes 106 out-packets 107 out-bytes 108 drop-no-backend 103 drop-error 109 persisted 110 failopen 111 drained 112 translated 113 failover-family 114 drop-pool 115 proxied 116 fail-reset 117 fail-timeout 118\n");
	show_one("all counters, json", &backend_obj, m, true, true,
		 "[{\"group\":\"web\",\"address\":\"198.18.1.2\",\"port\":80,\"weight\":1,\"enabled\":true,\"healthy\":true,\"stats\":{\"conns\":102,\"active\":104,\"in_packets\":105,\"in_bytes\":106,\"out_packets\":107,\"out_bytes\":108,\"drop_no_backend\":103,\"drop_error\":109,\"persisted\":110,\"failopen\":111,\"drained\":112,\"translated\":113,\"failover_family\":114,\"drop_pool\":115,\"proxied\":116,\"fail_reset\":117,\"fail_timeout\":118}}]\n");
	show_one("all counters, without -s", &backend_obj, m, false, false,
		 "backend web 198.18.1.2 port 80 weight 1 state enabled health up\n");
	nlmsg_free(m);
	test_health_output();
	test_health_save();
}

/* A group with health check settings, as the kernel describes it. */
static struct nl_msg *group_health(uint8_t type, uint8_t passive,
				   const char *payload, size_t plen)
{
	struct nl_msg *m = group2(NLB_CMD_GROUP_GET, NLB_SCHED_WRR, 0, 0);
	struct nlattr *nest;

	nla_put_u8(m, NLB_A_GROUP_PASSIVE, passive);
	nla_put_u32(m, NLB_A_GROUP_PASSIVE_TIMEOUT, 3000);
	nest = nla_nest_start(m, NLB_A_GROUP_HEALTH | NLA_F_NESTED);
	nla_put_u8(m, NLB_A_HEALTH_TYPE, type);
	nla_put_u16(m, NLB_A_HEALTH_PORT, type == NLB_CHECK_AGENT ? 9999 : 0);
	nla_put_u32(m, NLB_A_HEALTH_INTERVAL, 1500);
	nla_put_u32(m, NLB_A_HEALTH_TIMEOUT, 200);
	nla_put_u32(m, NLB_A_HEALTH_RISE, 2);
	nla_put_u32(m, NLB_A_HEALTH_FALL, 3);
	nla_put_string(m, NLB_A_HEALTH_HTTP_PATH, "/healthz");
	nla_put_string(m, NLB_A_HEALTH_HTTP_HOST, "");
	nla_put_string(m, NLB_A_HEALTH_HTTP_STATUS, "200-299,301");
	nla_put(m, NLB_A_HEALTH_UDP_PAYLOAD, plen, payload);
	nla_put_u8(m, NLB_A_HEALTH_UDP_REPLY, 1);
	nla_put_u32(m, NLB_A_HEALTH_PASSIVE_FAILS, 5);
	nla_put_u32(m, NLB_A_HEALTH_PASSIVE_WINDOW, 10000);
	nla_nest_end(m, nest);
	return m;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* group_health() with all the other settings a kernel reports */
static struct nl_msg *group_health_full(uint8_t type, uint8_t passive,
					const char *payload, size_t plen)
{
	struct nl_msg *m = group_health(type, passive, payload, plen);
	struct in6_addr p6;

	inet_pton(AF_INET6, "64:ff9b::", &p6);
	nla_put_u8(m, NLB_A_GROUP_ACCT, 1);
	nla_put_u8(m, NLB_A_GROUP_OFFLOAD, 0);
	nla_put_u16(m, NLB_A_GROUP_POOL_PORT_MIN, 1024);
	nla_put_u16(m, NLB_A_GROUP_POOL_PORT_MAX, 65535);
	nla_put(m, NLB_A_GROUP_PREFIX6, sizeof(p6), &p6);
	nla_put_u8(m, NLB_A_GROUP_SRC6, NLB_XLAT_SRC6_EMBED);
	nla_put_u8(m, NLB_A_GROUP_PROXY, NLB_PROXY_OFF);
	return m;
}

/*
 * save of a group with health settings reads back as the same settings:
 * apply of its own save changes nothing, and a file that changes one
 * setting changes only that one.
 */
static void test_health_save(void)
{
	static const struct {
		uint8_t type, passive;
		const char *payload;
		size_t plen;
		const char *saved;
	} cases[] = {
		{ NLB_CHECK_HTTP, 1, "", 0,
		  " passive on passive-timeout 3000ms check http check-port 0 interval 1500ms timeout 200ms rise 2 fall 3 http-path /healthz http-host \"\" http-status 200-299,301 udp-payload \"\" udp-reply on passive-fails 5 passive-window 10000ms\n" },
		{ NLB_CHECK_UDP, 0, "\x01\x00\xff", 3,
		  " udp-payload 0x0100ff " },
		{ NLB_CHECK_AGENT, 0, "", 0, " check agent check-port 9999 " },
		{ NLB_CHECK_NONE, 0, "", 0, " check none " },
	};
	struct conf cur, want;
	struct plan *p;
	char what[64];
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		conf_init(&cur);
		conf_take(&cur, CONF_GROUP,
			  group_health_full(cases[i].type, cases[i].passive,
				       cases[i].payload, cases[i].plen));
		f = open_memstream(&buf, &buflen);
		conf_save(f, &cur);
		fclose(f);
		snprintf(what, sizeof(what), "health save %zu", i);
		check_true(what, strstr(buf, cases[i].saved) != NULL);
		if (!strstr(buf, cases[i].saved))
			printf("got: %s\nwant: ...%s...\n", buf, cases[i].saved);
		f = fmemopen(buf, buflen, "r");
		conf_init(&want);
		ret = conf_read_file(&want, f, "saved");
		fclose(f);
		p = plan_make(&cur, &want, APPLY_REPLACE, &ret);
		snprintf(what, sizeof(what), "health save %zu applies as no change", i);
		check_true(what, !ret && p && plan_len(p) == 0);
		plan_free(p);
		conf_free(&want);
		free(buf);
		conf_free(&cur);
	}

	/* one setting of the nest changes: a change of that one, in its nest */
	conf_init(&cur);
	conf_take(&cur, CONF_GROUP, group_health_full(NLB_CHECK_HTTP, 0, "", 0));
	conf_init(&want);
	f = fmemopen("group add web ipversion dualstack check http interval 1500ms timeout 200ms http-path /healthz http-status 200-299,301 fall 5\n",
		     strlen("group add web ipversion dualstack check http interval 1500ms timeout 200ms http-path /healthz http-status 200-299,301 fall 5\n"), "r");
	ret = conf_read_file(&want, f, "file");
	fclose(f);
	p = plan_make(&cur, &want, APPLY_REPLACE, &ret);
	f = open_memstream(&buf, &buflen);
	if (p)
		plan_print(f, p);
	fclose(f);
	check("health: apply changes one setting", buf,
	      "group change web fall 5\n");
	free(buf);
	plan_free(p);
	conf_free(&want);
	conf_free(&cur);
}

static void test_health_output(void)
{
	const char *g = "group web ipversion dualstack sched wrr affinity on track off drain-timeout 0 backends4 1 backends6 1 listeners 1 passive ";
	char want[1024];
	struct nl_msg *m;

	m = group_health(NLB_CHECK_TCP, 0, "", 0);
	snprintf(want, sizeof(want), "%soff check tcp interval 1.5s timeout 200ms rise 2 fall 3\n", g);
	show_one("health: tcp check, text", &group_obj, m, false, false, want);
	show_one("health: tcp check, json", &group_obj, m, true, false,
		 "[{\"name\":\"web\",\"ipversion\":\"dualstack\",\"sched\":\"wrr\",\"affinity\":\"on\",\"track\":false,\"drain_timeout\":0,\"backends4\":1,\"backends6\":1,\"listeners\":1,\"passive\":false,\"passive_timeout\":3000,"
		 "\"health\":{\"type\":\"tcp\",\"port\":0,\"interval\":1500,\"timeout\":200,\"rise\":2,\"fall\":3,\"http_path\":\"/healthz\",\"http_host\":\"\",\"http_status\":\"200-299,301\",\"udp_payload\":\"\",\"udp_reply\":true,\"passive_fails\":5,\"passive_window\":10000}}]\n");
	nlmsg_free(m);
	m = group_health(NLB_CHECK_HTTP, 1, "", 0);
	snprintf(want, sizeof(want), "%son passive-timeout 3s check http interval 1.5s timeout 200ms rise 2 fall 3 http-path /healthz http-status 200-299,301 passive-fails 5 passive-window 10s\n", g);
	show_one("health: http check with passive, text", &group_obj, m,
		 false, false, want);
	nlmsg_free(m);
	m = group_health(NLB_CHECK_UDP, 0, "ping me", 7);
	snprintf(want, sizeof(want), "%soff check udp interval 1.5s timeout 200ms rise 2 fall 3 udp-payload \"ping me\" udp-reply on\n", g);
	show_one("health: udp check, text", &group_obj, m, false, false, want);
	nlmsg_free(m);
	m = group_health(NLB_CHECK_UDP, 0, "\x01\x00\xff", 3);
	snprintf(want, sizeof(want), "%soff check udp interval 1.5s timeout 200ms rise 2 fall 3 udp-payload 0x0100ff udp-reply on\n", g);
	show_one("health: udp check, binary payload, text", &group_obj, m,
		 false, false, want);
	nlmsg_free(m);
	m = group_health(NLB_CHECK_AGENT, 0, "", 0);
	snprintf(want, sizeof(want), "%soff check agent check-port 9999 interval 1.5s timeout 200ms rise 2 fall 3\n", g);
	show_one("health: agent check, text", &group_obj, m, false, false,
		 want);
	nlmsg_free(m);
	m = group_health(NLB_CHECK_NONE, 0, "", 0);
	snprintf(want, sizeof(want), "%soff check none\n", g);
	show_one("health: no check, text", &group_obj, m, false, false, want);
	nlmsg_free(m);

	/* A backend the checker reported on. */
	m = backend2(NLB_CMD_BACKEND_GET, 1, 0);
	nla_put_u8(m, NLB_A_BACKEND_AGENT_WEIGHT, 100);
	nla_put_string(m, NLB_A_BACKEND_REASON, "http 503");
	nla_put_u64(m, NLB_A_BACKEND_HEALTH_TIME, now_ms() - 12000);
	nla_put_string(m, NLB_A_BACKEND_PROBE, "connect timeout");
	nla_put_u8(m, NLB_A_BACKEND_PROBE_OK, 0);
	nla_put_u64(m, NLB_A_BACKEND_PROBE_TIME, now_ms() - 400);
	show_one("health: backend down, text", &backend_obj, m, false, false,
		 "backend web 198.18.1.2 port 80 weight 1 state enabled health down reason \"http 503\" changed 12s ago probe failed \"connect timeout\" 0.4s ago\n");
	nlmsg_free(m);
	m = backend2(NLB_CMD_BACKEND_GET, 1, 1);
	nla_put_u8(m, NLB_A_BACKEND_AGENT_WEIGHT, 0);
	nla_put_string(m, NLB_A_BACKEND_REASON, "agent");
	nla_put_u64(m, NLB_A_BACKEND_HEALTH_TIME, 1000);
	nla_put_string(m, NLB_A_BACKEND_PROBE, "drain");
	nla_put_u8(m, NLB_A_BACKEND_PROBE_OK, 1);
	nla_put_u64(m, NLB_A_BACKEND_PROBE_TIME, 2000);
	show_one("health: backend drained by its agent, json", &backend_obj,
		 m, true, false,
		 "[{\"group\":\"web\",\"address\":\"198.18.1.2\",\"port\":80,\"weight\":1,\"agent_weight\":0,\"enabled\":true,\"healthy\":true,\"reason\":\"agent\",\"health_time\":1000,\"probe_ok\":true,\"probe\":\"drain\",\"probe_time\":2000}]\n");
	nlmsg_free(m);
	/* Never probed, full agent weight, no reason: as before. */
	m = backend2(NLB_CMD_BACKEND_GET, 1, 1);
	nla_put_u8(m, NLB_A_BACKEND_AGENT_WEIGHT, 100);
	nla_put_string(m, NLB_A_BACKEND_REASON, "");
	nla_put_u64(m, NLB_A_BACKEND_HEALTH_TIME, now_ms());
	show_one("health: backend never probed, text", &backend_obj, m, false,
		 false,
		 "backend web 198.18.1.2 port 80 weight 1 state enabled health up\n");
	nlmsg_free(m);
	m = backend2(NLB_CMD_BACKEND_GET, 1, 1);
	nla_put_u8(m, NLB_A_BACKEND_AGENT_WEIGHT, 50);
	show_one("health: agent weight 50%, text", &backend_obj, m, false,
		 false,
		 "backend web 198.18.1.2 port 80 weight 1 agent-weight 50% state enabled health up\n");
	nlmsg_free(m);
}

/* Send stderr to a new temporary file; *saved keeps the old one. */
static FILE *stderr_to_tmp(int *saved)
{
	FILE *tmp = tmpfile();

	if (!tmp)
		abort();
	fflush(stderr);
	*saved = dup(2);
	dup2(fileno(tmp), 2);
	return tmp;
}

static void stderr_back(int saved)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

/* The first line written to tmp, without its newline; closes tmp. */
static char *first_line(FILE *tmp, char *line, size_t len)
{
	rewind(tmp);
	if (!fgets(line, len, tmp))
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	fclose(tmp);
	return line;
}

/* Notifications as monitor prints them: want NULL if skipped. */
static void monitor_case(const char *what, struct nl_msg *m, bool json,
			 bool stats, const char *want)
{
	int ret;

	start(json, stats, false);
	ret = monitor_print(m);
	stop(what, want ? want : "");
	check_true(what, want ? !ret : ret == -1);
	nlmsg_free(m);
}

static void test_monitor(void)
{
	char err[256];
	struct nl_msg *m;
	int saved;
	FILE *tmp;

	m = backend2(NLB_CMD_BACKEND_NTF, 1, 0);
	nla_put_u8(m, NLB_A_BACKEND_EVENT, NLB_EVENT_CHANGE);
	monitor_case("monitor text, change backend", m, false, false,
		     "change backend web 198.18.1.2 port 80 weight 1 state enabled health down\n");

	m = backend2(NLB_CMD_BACKEND_NTF, 1, 0);
	nla_put_u8(m, NLB_A_BACKEND_EVENT, NLB_EVENT_CHANGE);
	monitor_case("monitor json, change backend", m, true, false,
		     "{\"event\":\"change\",\"object\":\"backend\",\"group\":\"web\",\"address\":\"198.18.1.2\",\"port\":80,\"weight\":1,\"enabled\":true,\"healthy\":false}\n");

	m = backend2(NLB_CMD_BACKEND_NTF, 1, 1);
	nla_put_u8(m, NLB_A_BACKEND_EVENT, NLB_EVENT_DRAINED);
	put_stats(m, NLB_A_BACKEND_STATS, 5, 0);
	monitor_case("monitor text -s, drained backend", m, false, true,
		     "drained backend web 198.18.1.2 port 80 weight 1 state enabled health up\n"
		     "    conns 5 drop-no-backend 0\n");

	m = backend2(NLB_CMD_BACKEND_NTF, 1, 1);
	nla_put_u8(m, NLB_A_BACKEND_EVENT, NLB_EVENT_DRAINED);
	put_stats(m, NLB_A_BACKEND_STATS, 5, 0);
	monitor_case("monitor json -s, drained backend", m, true, true,
		     "{\"event\":\"drained\",\"object\":\"backend\",\"group\":\"web\",\"address\":\"198.18.1.2\",\"port\":80,\"weight\":1,\"enabled\":true,\"healthy\":true,\"stats\":{\"conns\":5,\"drop_no_backend\":0}}\n");

	m = backend2(NLB_CMD_BACKEND_NTF, 1, 1);
	nla_put_u8(m, NLB_A_BACKEND_EVENT, NLB_EVENT_DEL);
	put_stats(m, NLB_A_BACKEND_STATS, 5, 0);
	monitor_case("monitor text, stats without -s", m, false, false,
		     "del backend web 198.18.1.2 port 80 weight 1 state enabled health up\n");

	m = listener2(NLB_CMD_LISTENER_NTF, NLB_REJECT_RESET, 0, 32, 128);
	nla_put_u8(m, NLB_A_LISTENER_EVENT, NLB_EVENT_DEL);
	monitor_case("monitor text, del listener", m, false, false,
		     "del listener http vip 203.0.113.10 vip 2001:db8:ff::10 proto tcp port 80 group web reject reset\n");

	m = listener2(NLB_CMD_LISTENER_NTF, NLB_REJECT_RESET, 0, 32, 128);
	nla_put_u8(m, NLB_A_LISTENER_EVENT, NLB_EVENT_ADD);
	monitor_case("monitor json, add listener", m, true, false,
		     "{\"event\":\"add\",\"object\":\"listener\",\"name\":\"http\",\"vip4\":\"203.0.113.10\",\"vip6\":\"2001:db8:ff::10\",\"proto\":\"tcp\",\"port\":80,\"group\":\"web\",\"reject\":\"reset\",\"persist\":0,\"persist_prefix4\":32,\"persist_prefix6\":128}\n");

	m = group2(NLB_CMD_GROUP_NTF, NLB_SCHED_MAGLEV, 0, 10);
	nla_put_u8(m, NLB_A_GROUP_EVENT, NLB_EVENT_ADD);
	monitor_case("monitor text, add group", m, false, false,
		     "add group web ipversion dualstack sched maglev affinity on track off drain-timeout 10 backends4 1 backends6 1 listeners 1\n");

	m = group2(NLB_CMD_GROUP_NTF, NLB_SCHED_RR, 1, 0);
	nla_put_u8(m, NLB_A_GROUP_EVENT, 9);
	monitor_case("monitor json, unknown event", m, true, false,
		     "{\"event\":9,\"object\":\"group\",\"name\":\"web\",\"ipversion\":\"dualstack\",\"sched\":\"rr\",\"affinity\":\"on\",\"track\":true,\"drain_timeout\":0,\"backends4\":1,\"backends6\":1,\"listeners\":1}\n");

	m = group2(NLB_CMD_GROUP_NTF, NLB_SCHED_RR, 1, 0);
	nla_put_u8(m, NLB_A_GROUP_EVENT, 9);
	monitor_case("monitor text, unknown event", m, false, false,
		     "9 group web ipversion dualstack sched rr affinity on track on drain-timeout 0 backends4 1 backends6 1 listeners 1\n");

	/* Not notifications: skipped. */
	monitor_case("monitor, a get reply", group2(NLB_CMD_GROUP_GET, 1, 0, 0),
		     false, false, NULL);
	monitor_case("monitor, an unknown command", reply(NLB_CMD_MAX + 1),
		     false, false, NULL);
	m = reply(NLB_CMD_BACKEND_NTF);
	nla_put_u32(m, NLB_A_BACKEND_EVENT, 1);	/* not a u8 */
	nla_put_u8(m, NLB_A_BACKEND_PORT, 80);		/* not a u16 */
	start(false, false, false);
	tmp = stderr_to_tmp(&saved);	/* obj_parse() warns */
	check_true("monitor, malformed", monitor_print(m) == -1);
	stderr_back(saved);
	stop("monitor, malformed: prints nothing", "");
	check_true("monitor, malformed: warns",
		   !!strstr(first_line(tmp, err, sizeof(err)),
			    "skipping a malformed backend reply"));
	nlmsg_free(m);
}

/* ---- command lines and argument tables ---- */

static const struct cmd_group *find_group(const char *name)
{
	const struct cmd_group *g;

	if (!name)
		return &cmd_top;
	for (g = cmd_objects; g->name; g++)
		if (!strcmp(g->name, name))
			return g;
	abort();
}

/* Split a command line at spaces into argv[]; returns argc. */
static int split(char *line, char **argv, int max)
{
	int argc = 0;
	char *w;

	for (w = strtok(line, " "); w && argc < max; w = strtok(NULL, " "))
		argv[argc++] = w;
	return argc;
}

/* Attributes of a stream, of nest (0: top level): "name=value ...". */
static size_t render_attrs(const struct arg_spec *specs, struct nlattr *head,
			   int rem0, int nest, char *out, size_t len, size_t n)
{
	static const int sizes[] = {
		[ARG_CHOICE] = 1, [ARG_U8] = 1, [ARG_U16] = 2, [ARG_U32] = 4,
		[ARG_MSEC] = 4,
	};
	const struct arg_spec *s;
	char val[INET6_ADDRSTRLEN + 1100];
	struct nlattr *a;
	int rem, i;

	nla_for_each_attr(a, head, rem0, rem) {
		for (s = specs; s->name; s++)
			if (s->nest == nest && (s->attr == nla_type(a) ||
			    (s->kind == ARG_ADDR && s->attr6 == nla_type(a))))
				break;
		if (!s->name && !nest) {
			for (s = specs; s->name; s++)
				if (s->nest && s->nest == nla_type(a))
					break;
			if (s->name) {
				n += snprintf(out + n, len - n, "%s%d={",
					      n ? " " : "", nla_type(a));
				if (n >= len)
					break;
				n = render_attrs(specs, nla_data(a), nla_len(a),
						 nla_type(a), out, len, n);
				n += snprintf(out + n, len - n, "}");
				if (n >= len)
					break;
				continue;
			}
		}
		if (!s->name) {
			s = NULL;
			snprintf(val, sizeof(val), "attr%d", nla_type(a));
		} else if (s->kind == ARG_NAME || s->kind == ARG_STR) {
			snprintf(val, sizeof(val), "%s", nla_get_string(a));
		} else if (s->kind == ARG_TEXT) {
			val[0] = '\0';
			for (i = 0; i < nla_len(a); i++)
				snprintf(val + 2 * i, 3, "%02x",
					 ((unsigned char *)nla_data(a))[i]);
		} else if (s->kind == ARG_ADDR) {
			if (!inet_ntop(nla_len(a) == 4 ? AF_INET : AF_INET6,
				       nla_data(a), val, sizeof(val)) ||
			    nla_type(a) != (nla_len(a) == 4 ? s->attr : s->attr6))
				snprintf(val, sizeof(val), "bad");
		} else if (nla_len(a) != sizes[s->kind]) {
			snprintf(val, sizeof(val), "badlen%d", nla_len(a));
		} else {
			snprintf(val, sizeof(val), "%u",
				 sizes[s->kind] == 1 ? nla_get_u8(a) :
				 sizes[s->kind] == 2 ? nla_get_u16(a) :
				 nla_get_u32(a));
		}
		n += snprintf(out + n, len - n, "%s%s=%s", n && out[n - 1] != '{' ? " " : "",
			      s ? s->name : "?", val);
		if (n >= len)
			break;
	}
	return n;
}

/* The request's attributes: "name=value ..." after the specs. */
static void render(const struct arg_spec *specs, struct nl_msg *m,
		   char *out, size_t len)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);

	out[0] = '\0';
	render_attrs(specs, (struct nlattr *)((char *)nlmsg_data(nlh) +
					      GENL_HDRLEN),
		     nlmsg_datalen(nlh) - GENL_HDRLEN, 0, out, len, 0);
}

/* A valid command line and the request it makes. */
static void args_ok(const char *obj, const char *line, uint8_t nlcmd,
		    const char *want)
{
	struct arg_val vals[MAX_ARGS] = { { 0 } };
	char copy[256], *argv[32], out[512], what[300];
	const struct cmd *c;
	struct nl_msg *m;
	int argc;

	snprintf(what, sizeof(what), "%s %s", obj ? obj : "", line);
	snprintf(copy, sizeof(copy), "%s", line);
	argc = split(copy, argv, 32);
	c = cmd_find(find_group(obj), argv[0]);
	if (!c || cmd_parse(c, argc - 1, argv + 1, vals)) {
		check_true(what, false);
		return;
	}
	check_true(what, c->nlcmd == nlcmd);
	m = nlmsg_alloc();
	if (!m || !genlmsg_put(m, 0, 0, FAMILY, 0, 0, c->nlcmd, 1))
		abort();
	args_put(m, c->args, vals);
	render(c->args, m, out, sizeof(out));
	check(what, out, want);
	nlmsg_free(m);
}

/*
 * What apply sends for a group: the health settings in their nest, the
 * whole object for an add, only the changed slots for a change.
 */
static void test_health_put(void)
{
	static const char line[] = "group add web check http http-path /healthz fall 5 passive on\n";
	uint64_t attrs = 1ULL << (CONF_HEALTH_BASE + NLB_A_HEALTH_FALL) |
			 1ULL << NLB_A_GROUP_PASSIVE;
	char out[512];
	struct conf c;
	struct nl_msg *m;
	FILE *in;

	conf_init(&c);
	in = fmemopen((void *)line, strlen(line), "r");
	check_true("health put: read", !conf_read_file(&c, in, "put"));
	fclose(in);
	m = nlmsg_alloc();
	if (!m || !genlmsg_put(m, 0, 0, FAMILY, 0, 0, NLB_CMD_GROUP_ADD, 1))
		abort();
	cobj_put(m, &c.v[CONF_GROUP][0], ctypes[CONF_GROUP].add, NULL, 0);
	render(ctypes[CONF_GROUP].add->args, m, out, sizeof(out));
	check("health put: add", out,
	      "NAME=web track=0 passive=1 27={check=2 fall=5 http-path=/healthz}");
	nlmsg_free(m);
	m = nlmsg_alloc();
	if (!m || !genlmsg_put(m, 0, 0, FAMILY, 0, 0, NLB_CMD_GROUP_CHANGE, 1))
		abort();
	cobj_put(m, &c.v[CONF_GROUP][0], ctypes[CONF_GROUP].change, &attrs, 0);
	render(ctypes[CONF_GROUP].change->args, m, out, sizeof(out));
	check("health put: change", out, "NAME=web passive=1 27={fall=5}");
	nlmsg_free(m);
	conf_free(&c);
}

/* A malformed command line: a usage error, its first line has msg. */
static void args_bad(const char *obj, const char *line, const char *msg)
{
	struct arg_val vals[MAX_ARGS] = { { 0 } };
	char copy[256], *argv[32], err[512], what[300];
	const struct cmd *c;
	int argc, saved, ret;
	FILE *tmp;

	snprintf(what, sizeof(what), "%s %s", obj ? obj : "", line);
	snprintf(copy, sizeof(copy), "%s", line);
	argc = split(copy, argv, 32);
	c = cmd_find(find_group(obj), argv[0]);
	if (!c)
		abort();
	tmp = stderr_to_tmp(&saved);
	ret = cmd_parse(c, argc - 1, argv + 1, vals);
	stderr_back(saved);
	first_line(tmp, err, sizeof(err));
	run++;
	if (ret != EXIT_USAGE || strncmp(err, PROG_NAME ": ", 8) ||
	    !strstr(err, msg)) {
		failed++;
		printf("FAIL: %s: returned %d, stderr '%s', want '%s'\n",
		       what, ret, err, msg);
	}
}

/* w is a word of s: between blanks, brackets or bars. */
static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = strstr(s, w); p; p = strstr(p + 1, w))
		if ((p == s || strchr(" [|", p[-1])) &&
		    (!p[n] || strchr(" ]|", p[n])))
			return true;
	return false;
}

/* Each table fits in MAX_ARGS, is in the usage text, sane ranges. */
static void check_cmd(const struct cmd_group *g, const struct cmd *c)
{
	const unsigned long top[] = {
		[ARG_U8] = UINT8_MAX, [ARG_U16] = UINT16_MAX,
		[ARG_U32] = UINT32_MAX,
	};
	const struct arg_spec *s;
	const struct choice *ch;
	char what[200];
	int n = 0;

	for (s = c->args; s && s->name; s++, n++) {
		snprintf(what, sizeof(what), "%s %s: '%s' in the usage '%s'",
			 g->name ? g->name : "", c->name, s->name, c->usage);
		check_true(what, has_word(c->usage, s->name));
		for (ch = s->choices; ch && ch->name; ch++) {
			snprintf(what, sizeof(what),
				 "%s %s: %s '%s' in the usage",
				 g->name ? g->name : "", c->name, s->name,
				 ch->name);
			check_true(what, has_word(c->usage, ch->name));
		}
		if (s->kind == ARG_U8 || s->kind == ARG_U16 ||
		    s->kind == ARG_U32) {
			snprintf(what, sizeof(what), "%s %s: range of '%s'",
				 g->name ? g->name : "", c->name, s->name);
			check_true(what, s->min <= s->max &&
				   s->max <= top[s->kind]);
		}
		snprintf(what, sizeof(what), "%s %s: choices of '%s'",
			 g->name ? g->name : "", c->name, s->name);
		check_true(what, (s->kind == ARG_CHOICE) == !!s->choices);
	}
	snprintf(what, sizeof(what), "%s %s: %d arguments, MAX_ARGS %d",
		 g->name ? g->name : "", c->name, n, MAX_ARGS);
	check_true(what, n < MAX_ARGS);
	snprintf(what, sizeof(what), "%s %s: a request, run or main",
		 g->name ? g->name : "", c->name);
	check_true(what, !!c->run + !!c->nlcmd + !!c->main == 1);
	snprintf(what, sizeof(what), "%s %s: main has no argument table",
		 g->name ? g->name : "", c->name);
	check_true(what, !c->main || !c->args);
}

static void test_tables(void)
{
	const struct cmd_group *g;
	const struct cmd *c;

	for (g = cmd_objects; g->name; g++)
		for (c = g->cmds; c->name; c++)
			check_cmd(g, c);
	for (c = cmd_top.cmds; c->name; c++)
		check_cmd(&cmd_top, c);
	check_true("backend set is backend change",
		   cmd_find(find_group("backend"), "set") ==
		   cmd_find(find_group("backend"), "change"));
	check_true("no listener set", !cmd_find(find_group("listener"), "set"));
}

static void test_args(void)
{
	/* group */
	args_ok("group", "add web", NLB_CMD_GROUP_ADD, "NAME=web");
	args_ok("group", "add web ipversion dualstack sched maglev affinity off track on drain-timeout 2592000",
		NLB_CMD_GROUP_ADD,
		"NAME=web ipversion=2 sched=5 affinity=0 track=1 drain-timeout=2592000");
	args_ok("group", "add web sched rr", NLB_CMD_GROUP_ADD,
		"NAME=web sched=1");
	args_ok("group", "add web sched wrr", NLB_CMD_GROUP_ADD,
		"NAME=web sched=2");
	args_ok("group", "add web sched wlc", NLB_CMD_GROUP_ADD,
		"NAME=web sched=3");
	args_ok("group", "add web drain-timeout 30 sched sh track off",
		NLB_CMD_GROUP_ADD,
		"NAME=web sched=4 track=0 drain-timeout=30");
	args_ok("group", "change web track off", NLB_CMD_GROUP_CHANGE,
		"NAME=web track=0");
	args_ok("group", "add web acct off", NLB_CMD_GROUP_ADD,
		"NAME=web acct=0");
	args_ok("group", "change web acct on", NLB_CMD_GROUP_CHANGE,
		"NAME=web acct=1");
	args_ok("group", "add web offload on", NLB_CMD_GROUP_ADD,
		"NAME=web offload=1");
	args_ok("group", "change web offload off", NLB_CMD_GROUP_CHANGE,
		"NAME=web offload=0");
	args_ok("group", "change web drain-timeout 0", NLB_CMD_GROUP_CHANGE,
		"NAME=web drain-timeout=0");
	args_ok("group", "change web sched maglev", NLB_CMD_GROUP_CHANGE,
		"NAME=web sched=5");
	args_bad("group", "add web sched lc",
		 "invalid sched 'lc' (expected rr, wrr, wlc, sh or maglev)");
	args_bad("group", "add web sched MAGLEV", "invalid sched 'MAGLEV'");
	args_bad("group", "add web track yes",
		 "invalid track 'yes' (expected on or off)");
	args_bad("group", "change web track 1", "invalid track '1'");
	args_bad("group", "add web drain-timeout 2592001",
		 "invalid drain-timeout '2592001' (expected 0-2592000)");
	args_bad("group", "add web drain-timeout -1",
		 "invalid drain-timeout '-1'");
	args_bad("group", "add web drain-timeout 10s",
		 "invalid drain-timeout '10s'");
	args_bad("group", "change web drain-timeout",
		 "missing value after 'drain-timeout'");
	args_bad("group", "change web track on track off",
		 "'track' given more than once");
	args_bad("group", "change web", "nothing to change");

	/* group: health checks */
	args_ok("group", "add web check http interval 1.5s timeout 200ms rise 1 fall 100 http-path /healthz http-host www.example.com http-status 200-299,301",
		NLB_CMD_GROUP_ADD,
		"NAME=web 27={check=2 interval=1500 timeout=200 rise=1 fall=100 http-path=/healthz http-host=www.example.com http-status=200-299,301}");
	args_ok("group", "change web check udp udp-payload ping udp-reply off check-port 53",
		NLB_CMD_GROUP_CHANGE,
		"NAME=web 27={check=3 check-port=53 udp-payload=70696e67 udp-reply=0}");
	args_ok("group", "change web udp-payload 0x00ff10",
		NLB_CMD_GROUP_CHANGE, "NAME=web 27={udp-payload=00ff10}");
	args_ok("group", "change web interval 5 timeout 2",
		NLB_CMD_GROUP_CHANGE, "NAME=web 27={interval=5000 timeout=2000}");
	args_ok("group", "change web interval 3600s timeout 10ms",
		NLB_CMD_GROUP_CHANGE,
		"NAME=web 27={interval=3600000 timeout=10}");
	args_ok("group", "add web passive on passive-timeout 0.5 passive-fails 3 passive-window 20s sched rr",
		NLB_CMD_GROUP_ADD,
		"NAME=web sched=1 passive=1 passive-timeout=500 27={passive-fails=3 passive-window=20000}");
	args_ok("group", "change web check agent check-port 9999",
		NLB_CMD_GROUP_CHANGE, "NAME=web 27={check=4 check-port=9999}");
	args_ok("group", "change web check none", NLB_CMD_GROUP_CHANGE,
		"NAME=web 27={check=0}");
	args_bad("group", "change web check icmp",
		 "invalid check 'icmp' (expected none, tcp, http, udp or agent)");
	args_bad("group", "change web interval 50ms",
		 "invalid interval '50ms' (expected a duration of 100ms-3600s");
	args_bad("group", "change web interval 3601", "invalid interval '3601'");
	args_bad("group", "change web interval 1.5ms", "invalid interval '1.5ms'");
	args_bad("group", "change web interval 1.", "invalid interval '1.'");
	args_bad("group", "change web interval 1.0001", "invalid interval '1.0001'");
	args_bad("group", "change web interval 5m", "invalid interval '5m'");
	args_bad("group", "change web interval -1", "invalid interval '-1'");
	args_bad("group", "change web timeout 5ms", "invalid timeout '5ms'");
	args_bad("group", "change web rise 0", "invalid rise '0' (expected 1-100)");
	args_bad("group", "change web fall 101", "invalid fall '101' (expected 1-100)");
	args_bad("group", "change web passive-timeout 99ms",
		 "invalid passive-timeout '99ms'");
	args_bad("group", "change web passive-timeout 61",
		 "invalid passive-timeout '61'");
	args_bad("group", "change web passive-fails 0", "invalid passive-fails '0'");
	args_bad("group", "change web http-path",
		 "missing value after 'http-path'");
	args_bad("group", "change web udp-reply yes",
		 "invalid udp-reply 'yes' (expected on or off)");

	/* backend */
	args_ok("backend", "add web 198.18.1.2 port 80 weight 1 state enabled health up",
		NLB_CMD_BACKEND_ADD,
		"GROUP=web ADDRESS=198.18.1.2 port=80 weight=1 state=1 health=1");
	args_ok("backend", "add web 2001:db8::2 health down state disabled",
		NLB_CMD_BACKEND_ADD,
		"GROUP=web ADDRESS=2001:db8::2 state=0 health=0");
	args_ok("backend", "set web 198.18.1.2 port 80 health down",
		NLB_CMD_BACKEND_CHANGE,
		"GROUP=web ADDRESS=198.18.1.2 port=80 health=0");
	args_ok("backend", "change web 198.18.1.2 state disabled",
		NLB_CMD_BACKEND_CHANGE,
		"GROUP=web ADDRESS=198.18.1.2 state=0");
	args_ok("backend", "change web 198.18.1.2 state enabled health up",
		NLB_CMD_BACKEND_CHANGE,
		"GROUP=web ADDRESS=198.18.1.2 state=1 health=1");
	args_ok("backend", "set web 2001:db8::2 port 0 weight 0",
		NLB_CMD_BACKEND_CHANGE,
		"GROUP=web ADDRESS=2001:db8::2 port=0 weight=0");
	args_bad("backend", "change web 198.18.1.2 port 80",
		 "nothing to change");
	args_bad("backend", "set web 198.18.1.2", "nothing to change");
	args_bad("backend", "set web", "missing ADDRESS");
	args_bad("backend", "add web 198.18.1.2 state off",
		 "invalid state 'off' (expected enabled or disabled)");
	args_bad("backend", "set web 198.18.1.2 state enable",
		 "invalid state 'enable'");
	args_bad("backend", "add web 198.18.1.2 health ok",
		 "invalid health 'ok' (expected up or down)");
	args_bad("backend", "set web 198.18.1.2 health 0",
		 "invalid health '0'");
	args_bad("backend", "set web 198.18.1.2 health",
		 "missing value after 'health'");
	args_bad("backend", "set web 198.18.1.2 health up health down",
		 "'health' given more than once");
	args_bad("backend", "set web 198.18.1.2 weight 256",
		 "invalid weight '256' (expected 0-255)");
	args_bad("backend", "del web 198.18.1.2 state enabled",
		 "unknown argument 'state'");
	args_bad("backend", "show web 198.18.1.2 health up",
		 "unknown argument 'health'");

	/* listener */
	args_ok("listener", "add http vip 203.0.113.10 vip 2001:db8:ff::10 proto tcp port 80 group web reject reset persist 30 persist-prefix4 24 persist-prefix6 64",
		NLB_CMD_LISTENER_ADD,
		"NAME=http vip=203.0.113.10 vip=2001:db8:ff::10 proto=6 port=80 group=web reject=1 persist=30 persist-prefix4=24 persist-prefix6=64");
	args_ok("listener", "add dns vip 203.0.113.10 proto udp port 53 group web reject icmp",
		NLB_CMD_LISTENER_ADD,
		"NAME=dns vip=203.0.113.10 proto=17 port=53 group=web reject=2");
	args_ok("listener", "change http reject drop", NLB_CMD_LISTENER_CHANGE,
		"NAME=http reject=3");
	args_ok("listener", "change http persist 86400 persist-prefix4 32 persist-prefix6 128",
		NLB_CMD_LISTENER_CHANGE,
		"NAME=http persist=86400 persist-prefix4=32 persist-prefix6=128");
	args_ok("listener", "change http persist-prefix6 0 persist-prefix4 0 persist 0",
		NLB_CMD_LISTENER_CHANGE,
		"NAME=http persist=0 persist-prefix4=0 persist-prefix6=0");
	args_ok("listener", "change http group web2", NLB_CMD_LISTENER_CHANGE,
		"NAME=http group=web2");
	args_bad("listener", "add http vip 203.0.113.10 proto tcp port 80 group web reject rst",
		 "invalid reject 'rst' (expected reset, icmp or drop)");
	args_bad("listener", "change http reject", "missing value after 'reject'");
	args_bad("listener", "change http persist 86401",
		 "invalid persist '86401' (expected 0-86400)");
	args_bad("listener", "change http persist 1m", "invalid persist '1m'");
	args_bad("listener", "change http persist-prefix4 33",
		 "invalid persist-prefix4 '33' (expected 0-32)");
	args_bad("listener", "change http persist-prefix4 -1",
		 "invalid persist-prefix4 '-1'");
	args_bad("listener", "change http persist-prefix6 129",
		 "invalid persist-prefix6 '129' (expected 0-128)");
	args_bad("listener", "change http persist-prefix6 256",
		 "invalid persist-prefix6 '256'");
	args_bad("listener", "change http persist 1 persist 2",
		 "'persist' given more than once");
	args_bad("listener", "change http", "nothing to change");
	args_ok("listener", "change http vip 198.51.100.1",
		NLB_CMD_LISTENER_CHANGE, "NAME=http vip=198.51.100.1");
	args_ok("listener", "change http vip 2001:db8::7 vip 0.0.0.0 group w",
		NLB_CMD_LISTENER_CHANGE,
		"NAME=http vip=0.0.0.0 vip=2001:db8::7 group=w");
	args_ok("listener", "change http vip ::", NLB_CMD_LISTENER_CHANGE,
		"NAME=http vip=::");
	args_bad("listener", "change http vip 198.51.100.1 vip 198.51.100.2",
		 "more than one IPv4 vip given");
	args_bad("listener", "change http vip web", "invalid vip 'web'");
	args_bad("listener", "change http proto tcp",
		 "unknown argument 'proto'");
	args_bad("listener", "change http port 80",
		 "unknown argument 'port'");
	args_bad("listener", "del http reject drop",
		 "unknown argument 'reject'");

	/* commands without an object */
	args_ok(NULL, "monitor", 0, "");
	args_ok(NULL, "monitor count 1", 0, "count=1");
	args_ok(NULL, "monitor count 4294967295", 0, "count=4294967295");
	args_bad(NULL, "monitor count 0",
		 "invalid count '0' (expected 1-4294967295)");
	args_bad(NULL, "monitor count x", "invalid count 'x'");
	args_bad(NULL, "monitor count 4294967296",
		 "invalid count '4294967296'");
	args_bad(NULL, "monitor count", "missing value after 'count'");
	args_bad(NULL, "monitor count 1 count 2",
		 "'count' given more than once");
	args_bad(NULL, "monitor all", "unknown argument 'all'");
	args_bad(NULL, "show x", "unexpected argument 'x'");
	args_bad(NULL, "flush all", "unexpected argument 'all'");
}

/* ---- batch files ---- */

/* A batch line and its words joined with '|', or NULL for an error. */
static void split_case(const char *line, int max, const char *want,
		       const char *err)
{
	char copy[512], *argv[BATCH_MAX_WORDS + 1], got[512], msg[256];
	size_t n = 0;
	int argc, i, saved;
	FILE *tmp;

	snprintf(copy, sizeof(copy), "%s", line);
	tmp = stderr_to_tmp(&saved);
	argc = batch_split(copy, argv, max);
	stderr_back(saved);
	first_line(tmp, msg, sizeof(msg));
	if (argc < 0) {
		snprintf(got, sizeof(got), "error: %s", msg);
	} else {
		got[0] = '\0';
		for (i = 0; i < argc && n < sizeof(got); i++)
			n += snprintf(got + n, sizeof(got) - n, "%s%s",
				      i ? "|" : "", argv[i]);
		if (msg[0])
			snprintf(got, sizeof(got), "stderr: %s", msg);
	}
	if (err)
		snprintf(msg, sizeof(msg), "error: " PROG_NAME ": %s", err);
	check(line, got, err ? msg : want);
}

static void test_batch_split(void)
{
	char line[BATCH_MAX_WORDS * 2 + 4];
	int i;

	split_case("group add web", 8, "group|add|web", NULL);
	split_case("  \tgroup\t add  web \t ", 8, "group|add|web", NULL);
	split_case("backend add web 10.0.0.1 port 80 weight 5", 8,
		   "backend|add|web|10.0.0.1|port|80|weight|5", NULL);
	split_case("", 8, "", NULL);
	split_case(" \t  ", 8, "", NULL);
	split_case("#", 8, "", NULL);
	split_case("# group add web", 8, "", NULL);
	split_case(" \t# group add \"web", 8, "", NULL);
	/* # starts a comment only as the first word */
	split_case("group add web # x", 8, "group|add|web|#|x", NULL);
	split_case("group add #web", 8, "group|add|#web", NULL);
	split_case("group add w#b", 8, "group|add|w#b", NULL);
	split_case("\"#\" x", 8, "#|x", NULL);
	/* double quotes */
	split_case("group add \"\"", 8, "group|add|", NULL);
	split_case("group add \"\" sched", 8, "group|add||sched", NULL);
	split_case("\"group\" \"add\"\t\"w b\"", 8, "group|add|w b", NULL);
	split_case("group add \"w\tb # c\"x\"", 8, NULL,
		   "closing quote not at the end of a word");
	split_case("group add w\"b\"", 8, "group|add|w\"b\"", NULL);
	split_case("group add \"web", 8, NULL, "missing closing quote");
	split_case("group add \"web\"x", 8, NULL,
		   "closing quote not at the end of a word");
	split_case("\"", 8, NULL, "missing closing quote");
	/* at most max words */
	split_case("a b c", 3, "a|b|c", NULL);
	split_case("a b c ", 3, "a|b|c", NULL);
	split_case("a b c d", 3, NULL, "more than 3 words");
	for (i = 0; i < BATCH_MAX_WORDS; i++)
		memcpy(line + 2 * i, "x ", 2);
	memcpy(line + 2 * i, "y", 2);
	split_case(line, BATCH_MAX_WORDS, NULL, "more than 128 words");
	line[2 * i] = '\0';
	check_true("batch_split, BATCH_MAX_WORDS words",
		   batch_split(line, (char *[BATCH_MAX_WORDS]){ 0 },
			       BATCH_MAX_WORDS) == BATCH_MAX_WORDS);
}

/*
 * Run a batch of len bytes named "t.nlb" (no line may be valid: nothing
 * is sent to a kernel). want_ret: its exit status; first: the first line
 * of stderr; has and lacks: strings stderr has and lacks (or NULL).
 */
static void batch_case(const char *what, const char *text, size_t len,
		       bool force, int want_ret, const char *first,
		       const char *has, const char *lacks)
{
	char err[8192], line[512], msg[300];
	FILE *in, *tmp;
	int ret, saved;
	size_t n;

	in = fmemopen((void *)text, len, "r");
	if (!in)
		abort();
	tmp = stderr_to_tmp(&saved);
	ret = batch_run(in, "t.nlb", force);
	stderr_back(saved);
	fclose(in);
	rewind(tmp);
	n = fread(err, 1, sizeof(err) - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(err, "\n"), err);

	snprintf(msg, sizeof(msg), "%s: exit status %d", what, ret);
	check_true(msg, ret == want_ret);
	snprintf(msg, sizeof(msg), "%s: first line", what);
	if (first)
		check(msg, line, first);
	if (has) {
		snprintf(msg, sizeof(msg), "%s: stderr has '%s'", what, has);
		check_true(msg, !!strstr(err, has));
	}
	if (lacks) {
		snprintf(msg, sizeof(msg), "%s: stderr lacks '%s'", what,
			 lacks);
		check_true(msg, !strstr(err, lacks));
	}
	check_true("batch_run: no batch line after it", !batch_file);
}

#define BATCH(what, text, force, ret, first, has, lacks) \
	batch_case(what, text, sizeof(text) - 1, force, ret, first, has, lacks)

static void test_batch_run(void)
{
	static char long_name[3000];
	char text[3100];

	BATCH("empty", "", false, EXIT_OK, "", NULL, NULL);
	BATCH("comments and blank lines",
	      "# nlb configuration\n\n \t\n\t# group add web\n  #\n", false,
	      EXIT_OK, "", NULL, NULL);
	BATCH("a bad line after comments",
	      "# nlb\n\n\t# comment\ngroup add web sched lc\ngroup add\n",
	      false, EXIT_USAGE,
	      PROG_NAME ": t.nlb:4: invalid sched 'lc' (expected rr, wrr, wlc, sh or maglev)",
	      "Usage: " PROG_NAME " group add NAME", ":5:");
	BATCH("the line without a newline", "\n\ngroup add", false,
	      EXIT_USAGE, PROG_NAME ": t.nlb:3: missing NAME", NULL, NULL);
	BATCH("CRLF lines", "# x\r\n\r\ngroup frob\r\n", false, EXIT_USAGE,
	      PROG_NAME ": t.nlb:3: unknown group command 'frob'", NULL, NULL);
	BATCH("an unknown object", "frob web\n", false, EXIT_USAGE,
	      PROG_NAME ": t.nlb:1: unknown object 'frob'",
	      "Try '" PROG_NAME " help'", NULL);
	BATCH("a quoted empty name", "group add \"\"\n", false, EXIT_USAGE,
	      PROG_NAME ": t.nlb:1: invalid NAME '' (expected 1-31 characters)",
	      NULL, NULL);
	BATCH("an unterminated quote", "\ngroup add \"web\n", false,
	      EXIT_USAGE, PROG_NAME ": t.nlb:2: missing closing quote",
	      NULL, NULL);
	BATCH("a NUL character", "\ngroup add w\0b\n", false, EXIT_USAGE,
	      PROG_NAME ": t.nlb:2: NUL character in the line", NULL, NULL);
	BATCH("monitor", "monitor count 1\n", false, EXIT_USAGE,
	      PROG_NAME ": t.nlb:1: 'monitor' cannot be used in a batch file",
	      NULL, NULL);
	BATCH("help", "help\n", false, EXIT_USAGE,
	      PROG_NAME ": t.nlb:1: 'help' cannot be used in a batch file",
	      NULL, NULL);
	BATCH("a nested batch", "-b other.nlb\n", false, EXIT_USAGE,
	      PROG_NAME ": t.nlb:1: option '-b' in a batch file (options go before -b)",
	      NULL, NULL);
	BATCH("an option", "  -j group show\n", false, EXIT_USAGE,
	      PROG_NAME ": t.nlb:1: option '-j' in a batch file (options go before -b)",
	      NULL, NULL);
	BATCH("a usage error of the command",
	      "backend add web 192.0.2.1 port 80x\n", false, EXIT_USAGE,
	      PROG_NAME ": t.nlb:1: invalid port '80x' (expected 0-65535)",
	      "Usage: " PROG_NAME " backend add GROUP ADDRESS", NULL);
	BATCH("stop at the first failing line",
	      "group add\n# x\nlistener del\nbackend add web 192.0.2.1 port x\n",
	      false, EXIT_USAGE, PROG_NAME ": t.nlb:1: missing NAME",
	      NULL, ":3:");
	BATCH("force: every failing line",
	      "group add\n# x\nlistener del\nbackend add web 192.0.2.1 port x\n",
	      true, EXIT_USAGE, PROG_NAME ": t.nlb:1: missing NAME",
	      PROG_NAME ": t.nlb:3: missing NAME", NULL);
	BATCH("force: the last line too",
	      "group add\n# x\nlistener del\nbackend add web 192.0.2.1 port x\n",
	      true, EXIT_USAGE, PROG_NAME ": t.nlb:1: missing NAME",
	      PROG_NAME ": t.nlb:4: invalid port 'x' (expected 0-65535)",
	      NULL);

	/* a line longer than any buffer getline() starts with */
	memset(long_name, 'n', sizeof(long_name) - 1);
	snprintf(text, sizeof(text), "#\ngroup add %s\n", long_name);
	batch_case("a long line", text, strlen(text), false, EXIT_USAGE,
		   NULL, PROG_NAME ": t.nlb:2: invalid NAME 'nnnn", NULL);
}

/* nlbadm info: the translation drops are counters, shown with -s. */
static void test_info(void)
{
	struct nl_msg *m = reply(NLB_CMD_INFO_GET);
	struct nlattr *nest;
	int a;

	nla_put_u32(m, NLB_A_INFO_LISTENERS, 2);
	nest = nla_nest_start(m, NLB_A_INFO_XLAT_DROPS | NLA_F_NESTED);
	for (a = NLB_A_XLAT_DROPS_TRUNCATED; a <= NLB_A_XLAT_DROPS_MAX; a++)
		nla_put_u64(m, a, a == NLB_A_XLAT_DROPS_ORPHAN ? 7 : 0);
	nla_put_u64(m, NLB_A_XLAT_DROPS_MAX + 1, 9);	/* unknown: skipped */
	nla_nest_end(m, nest);
	show_one("info text", &info_obj, m, false, false, "info listeners 2\n");
	show_one("info text -s", &info_obj, m, false, true,
		 "info listeners 2\n"
		 "    xlat-drops truncated 0 bad-len 0 bad-hdr 0 bad-csum 0 "
		 "hop-limit 0 source-route 0 unsupported-exthdr 0 "
		 "unsupported-proto 0 fragment 0 gso 0 icmp-drop 0 "
		 "icmp-inner 0 too-big 0 nomem 0 no-route 0 orphan 7\n");
	show_one("info json -s", &info_obj, m, true, true,
		 "[{\"listeners\":2,\"xlat_drops\":{\"truncated\":0,"
		 "\"bad_len\":0,\"bad_hdr\":0,\"bad_csum\":0,"
		 "\"hop_limit\":0,\"source_route\":0,"
		 "\"unsupported_exthdr\":0,\"unsupported_proto\":0,"
		 "\"fragment\":0,\"gso\":0,\"icmp_drop\":0,"
		 "\"icmp_inner\":0,\"too_big\":0,\"nomem\":0,"
		 "\"no_route\":0,\"orphan\":7}}]\n");
	nlmsg_free(m);
}

/* A configuration with every counter, as replies would give it. */
static void sample_conf(struct conf *c)
{
	struct nlattr *nest;
	struct in6_addr v6;
	struct nl_msg *m;
	int a;

	conf_init(c);
	m = listener2(NLB_CMD_LISTENER_GET, NLB_REJECT_RESET, 0, 32, 128);
	put_all_stats(m, NLB_A_LISTENER_STATS);
	conf_take(c, CONF_LISTENER, m);
	m = group2(NLB_CMD_GROUP_GET, NLB_SCHED_MAGLEV, 0, 30);
	put_all_stats(m, NLB_A_GROUP_STATS);
	conf_take(c, CONF_GROUP, m);
	m = backend2(NLB_CMD_BACKEND_GET, 1, 0);
	put_all_stats(m, NLB_A_BACKEND_STATS);
	nla_put_u8(m, NLB_A_BACKEND_AGENT_WEIGHT, 50);
	nla_put_u8(m, NLB_A_BACKEND_PROBE_OK, 0);
	nla_put_u64(m, NLB_A_BACKEND_PROBE_TIME, 1764590400250ULL);
	nla_put_u64(m, NLB_A_BACKEND_HEALTH_TIME, 1764590399007ULL);
	conf_take(c, CONF_BACKEND, m);
	m = backend("web", "2001:db8:1::10", 8080, 7);
	nla_put_u8(m, NLB_A_BACKEND_DRAINING, 1);
	nla_put_u32(m, NLB_A_BACKEND_DRAIN_LEFT, 12);
	conf_take(c, CONF_BACKEND, m);
	/* translation: a group with source pools, a ping listener */
	m = reply(NLB_CMD_GROUP_GET);
	nla_put_string(m, NLB_A_GROUP_NAME, "app");
	nla_put_u8(m, NLB_A_GROUP_IPVERSION, NLB_IPVERSION_DUALSTACK);
	nla_put_u8(m, NLB_A_GROUP_SCHED, NLB_SCHED_WRR);
	nla_put_u8(m, NLB_A_GROUP_AFFINITY, NLB_AFFINITY_OFF);
	nla_put_u32(m, NLB_A_GROUP_POOL4_FIRST, inet_addr("100.64.0.1"));
	nla_put_u32(m, NLB_A_GROUP_POOL4_LAST, inet_addr("100.64.0.4"));
	nla_put_u32(m, NLB_A_GROUP_POOL4_USED, 3);
	nla_put_u32(m, NLB_A_GROUP_POOL4_SIZE, 258048);
	inet_pton(AF_INET6, "2001:db8:64::1", &v6);
	nla_put(m, NLB_A_GROUP_POOL6_FIRST, sizeof(v6), &v6);
	nla_put_u32(m, NLB_A_GROUP_POOL6_USED, 0);
	nla_put_u32(m, NLB_A_GROUP_POOL6_SIZE, 64512);
	put_all_stats(m, NLB_A_GROUP_STATS);
	conf_take(c, CONF_GROUP, m);
	m = reply(NLB_CMD_LISTENER_GET);
	nla_put_string(m, NLB_A_LISTENER_NAME, "ping");
	nla_put(m, NLB_A_LISTENER_VIP6, sizeof(v6), &v6);
	nla_put_u8(m, NLB_A_LISTENER_PROTO, NLB_PROTO_ICMP);
	nla_put_string(m, NLB_A_LISTENER_GROUP, "app");
	conf_take(c, CONF_LISTENER, m);
	/* the namespace's info */
	m = reply(NLB_CMD_INFO_GET);
	nla_put_u32(m, NLB_A_INFO_LISTENERS, 1);
	nla_put_u32(m, NLB_A_INFO_GROUPS, 2);
	nla_put_u32(m, NLB_A_INFO_BACKENDS, 2);
	nla_put_u32(m, NLB_A_INFO_MAX_BACKENDS, 1000000);
	nla_put_u32(m, NLB_A_INFO_CENSUS_AGE, 1500);
	nla_put_u32(m, NLB_A_INFO_CENSUS_DURATION, 2500);
	nla_put_u64(m, NLB_A_INFO_CENSUS_PASSES, 42);
	nest = nla_nest_start(m, NLB_A_INFO_XLAT_DROPS | NLA_F_NESTED);
	for (a = NLB_A_XLAT_DROPS_TRUNCATED; a <= NLB_A_XLAT_DROPS_MAX; a++)
		nla_put_u64(m, a, 200 + a);
	nla_nest_end(m, nest);
	c->info.v = malloc(sizeof(*c->info.v));
	c->info.v[0] = m;
	c->info.n = c->info.cap = 1;
	obj_parse(&info_obj, m, c->itb);
	/* a name that needs escaping in a label */
	m = reply(NLB_CMD_GROUP_GET);
	nla_put_string(m, NLB_A_GROUP_NAME, "a\\\"b");
	conf_take(c, CONF_GROUP, m);
}

static void test_metrics(void)
{
	static const char *const want[] = {
		"nlb_up 1\n",
		"nlb_listener_info{listener=\"http\",group=\"web\",proto=\"tcp\",port=\"80\",vip4=\"203.0.113.10\",vip6=\"2001:db8:ff::10\"} 1\n",
		"nlb_group_info{group=\"web\",ipversion=\"dualstack\",sched=\"maglev\",affinity=\"on\"} 1\n",
		"nlb_group_info{group=\"app\",ipversion=\"dualstack\",sched=\"wrr\",affinity=\"off\"} 1\n",
		"nlb_listener_info{listener=\"ping\",group=\"app\",proto=\"icmp\",port=\"0\",vip4=\"\",vip6=\"2001:db8:64::1\"} 1\n",
		"nlb_listener_dropped_connections_total{listener=\"http\",reason=\"pool\"} 115\n",
		"# TYPE nlb_listener_translated_connections_total counter\n"
		"nlb_listener_translated_connections_total{listener=\"http\"} 113\n",
		"# TYPE nlb_group_failover_family_connections_total counter\n"
		"nlb_group_failover_family_connections_total{group=\"web\"} 114\n"
		"nlb_group_failover_family_connections_total{group=\"app\"} 114\n",
		"nlb_backend_translated_connections_total{group=\"web\",address=\"198.18.1.2\",port=\"80\",family=\"ipv4\"} 113\n",
		"# TYPE nlb_group_pool_used gauge\n"
		"nlb_group_pool_used{group=\"app\",family=\"ipv4\"} 3\n"
		"nlb_group_pool_used{group=\"app\",family=\"ipv6\"} 0\n",
		"# TYPE nlb_group_pool_size gauge\n"
		"nlb_group_pool_size{group=\"app\",family=\"ipv4\"} 258048\n"
		"nlb_group_pool_size{group=\"app\",family=\"ipv6\"} 64512\n",
		"# TYPE nlb_xlat_drops_total counter\n"
		"nlb_xlat_drops_total{reason=\"truncated\"} 202\n"
		"nlb_xlat_drops_total{reason=\"bad_len\"} 203\n",
		"nlb_xlat_drops_total{reason=\"orphan\"} 217\n",
		"# TYPE nlb_listener_connections_total counter\n"
		"nlb_listener_connections_total{listener=\"http\"} 102\n",
		"nlb_listener_active_connections{listener=\"http\"} 104\n",
		"nlb_listener_dropped_connections_total{listener=\"http\",reason=\"no_backend\"} 103\n"
		"nlb_listener_dropped_connections_total{listener=\"http\",reason=\"error\"} 109\n",
		"nlb_backend_in_bytes_total{group=\"web\",address=\"198.18.1.2\",port=\"80\",family=\"ipv4\"} 106\n",
		"nlb_backend_healthy{group=\"web\",address=\"198.18.1.2\",port=\"80\",family=\"ipv4\"} 0\n",
		"nlb_backend_weight{group=\"web\",address=\"2001:db8:1::10\",port=\"8080\",family=\"ipv6\"} 7\n",
		"nlb_backend_drain_left_seconds{group=\"web\",address=\"2001:db8:1::10\",port=\"8080\",family=\"ipv6\"} 12\n",
		"nlb_group_backends{group=\"web\",family=\"ipv4\"} 1\n"
		"nlb_group_backends{group=\"web\",family=\"ipv6\"} 1\n",
		"nlb_group_info{group=\"a\\\\\\\"b\",ipversion=\"\",sched=\"\",affinity=\"\"} 1\n",
		"nlb_backend_failed_connections_total{group=\"web\",address=\"198.18.1.2\",port=\"80\",family=\"ipv4\",reason=\"reset\"} 117\n"
		"nlb_backend_failed_connections_total{group=\"web\",address=\"198.18.1.2\",port=\"80\",family=\"ipv4\",reason=\"timeout\"} 118\n",
		"nlb_backend_agent_weight_percent{group=\"web\",address=\"198.18.1.2\",port=\"80\",family=\"ipv4\"} 50\n",
		"nlb_backend_probe_ok{group=\"web\",address=\"198.18.1.2\",port=\"80\",family=\"ipv4\"} 0\n",
		"# TYPE nlb_backend_probe_timestamp_seconds gauge\nnlb_backend_probe_timestamp_seconds{group=\"web\",address=\"198.18.1.2\",port=\"80\",family=\"ipv4\"} 1764590400.250\n",
		"nlb_backend_health_changed_timestamp_seconds{group=\"web\",address=\"198.18.1.2\",port=\"80\",family=\"ipv4\"} 1764590399.007\n",
		"nlb_scrape_duration_seconds 0.250000\n",
		"# TYPE nlb_census_age_seconds gauge\nnlb_census_age_seconds 1.500000\n",
		"nlb_census_duration_seconds 0.002500\n",
		"nlb_census_passes_total 42\n",
		"nlb_objects{kind=\"listener\"} 1\nnlb_objects{kind=\"group\"} 2\nnlb_objects{kind=\"backend\"} 2\n",
		"# TYPE nlb_objects_max gauge\nnlb_objects_max{kind=\"backend\"} 1000000\n",
	};
	struct conf c;
	size_t i;
	char what[64];

	sample_conf(&c);
	f = open_memstream(&buf, &buflen);
	metrics_render(f, &c, 0.25);
	fclose(f);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		snprintf(what, sizeof(what), "metrics line %zu", i);
		check_true(what, strstr(buf, want[i]) != NULL);
		if (!strstr(buf, want[i]))
			printf("want: %s\n", want[i]);
	}
	free(buf);
	f = open_memstream(&buf, &buflen);
	metrics_render(f, NULL, 0);
	fclose(f);
	check("metrics without the module", buf,
	      "# HELP nlb_up Whether the nlb module answered (1) or is not loaded (0).\n"
	      "# TYPE nlb_up gauge\nnlb_up 0\n");
	free(buf);
	conf_free(&c);
}

/* nlbadm top's frame: the translation columns and the pools. */
static void test_top(void)
{
	struct conf prev, cur;
	char *line, row[256];
	struct cobj *o;

	sample_conf(&prev);
	sample_conf(&cur);
	f = open_memstream(&buf, &buflen);
	top_frame(f, &prev, &cur, 2, 2);
	fclose(f);
	check_true("top: translation columns",
		   strstr(buf, "ERR/S   XLAT/S   FOVR/S NOPOOL/S\n") != NULL);
	line = strstr(buf, "\ngroup app ");
	snprintf(row, sizeof(row), "\n%-40s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n",
		 "group app", "0", "104", "0", "0", "0", "0", "0", "0", "0");
	check_true("top: a group's rates, 0 between equal readings",
		   line && !strncmp(line, row, strlen(row)));
	check_true("top: the pools under their group",
		   strstr(buf, "\ngroup app ") &&
		   strstr(strstr(buf, "\ngroup app "),
			  "\n  pool4 100.64.0.1-100.64.0.4  used 3 of 258048 (0.0%)\n"
			  "  pool6 2001:db8:64::1  used 0 of 64512 (0.0%)\n"));
	free(buf);
	/* without a group that translates: the columns of before */
	for (o = cur.v[CONF_GROUP]; o < cur.v[CONF_GROUP] + cur.n[CONF_GROUP];
	     o++)
		o->tb[NLB_A_GROUP_AFFINITY] = NULL;
	f = open_memstream(&buf, &buflen);
	top_frame(f, &prev, &cur, 2, 2);
	fclose(f);
	check_true("top: no translation columns without translation",
		   strstr(buf, "  ERR/S\n") && !strstr(buf, "XLAT/S"));
	free(buf);
	conf_free(&prev);
	conf_free(&cur);
}

/* save: the translation settings, each pool's range together; icmp. */
static void test_save(void)
{
	struct conf c;

	sample_conf(&c);
	f = open_memstream(&buf, &buflen);
	conf_save(f, &c);
	fclose(f);
	check_true("save: a group's pools, each with its last address",
		   strstr(buf, "group add app ipversion dualstack sched wrr affinity off pool 100.64.0.1 pool-last 100.64.0.4 pool 2001:db8:64::1\n") != NULL);
	check_true("save: an icmp listener has no port",
		   strstr(buf, "listener add ping vip 2001:db8:64::1 proto icmp group app\n") != NULL);
	free(buf);
	conf_free(&c);
}

/* apply refuses, before any change, to change a pool connections hold. */
static void test_apply_pools(void)
{
	static const char *const cases[][2] = {
		{ "group add v4 sched rr pool 100.64.1.2",
		  "running configuration: group v4: the IPv4 source pool 100.64.1.1 is in use (1 address and port held by connections): the kernel refuses to change or remove it until none is held; nothing was changed" },
		{ "group add v4 sched rr",
		  "group v4: the IPv4 source pool 100.64.1.1 is in use" },
		{ "group add v4 sched rr affinity prefer pool 100.64.1.1 pool-port-max 60000",
		  "group v4: the IPv4 source pool 100.64.1.1 is in use" },
		{ "group add v4 sched rr affinity prefer pool 100.64.1.1 drain-timeout 9",
		  NULL },
	};
	char line[256], *argv[32], err[512], what[300];
	struct conf rc, want;
	struct cobj *g = NULL;
	struct plan *p;
	int saved, status, argc;
	size_t i, k;
	FILE *tmp;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		conf_init(&rc);
		conf_init(&want);
		if (conf_read_path(&rc, "tests/apply/xlat/running.conf"))
			abort();
		for (k = 0; k < rc.n[CONF_GROUP]; k++)
			if (!strcmp(cobj_str(&rc.v[CONF_GROUP][k],
					     NLB_A_GROUP_NAME), "v4"))
				g = &rc.v[CONF_GROUP][k];
		/* as the kernel says it: one address and port in use */
		nla_put_u32(g->msg, NLB_A_GROUP_POOL4_USED, 1);
		obj_parse(&group_obj, g->msg, g->tb);
		g->file = NULL;
		snprintf(line, sizeof(line), "%s", cases[i][0]);
		argc = split(line, argv, 32);
		if (conf_add_line(&want, argc, argv))
			abort();
		snprintf(line, sizeof(line), "backend add v4 192.0.2.21 port 80");
		argc = split(line, argv, 32);
		conf_add_line(&want, argc, argv);
		tmp = stderr_to_tmp(&saved);
		p = plan_make(&rc, &want, APPLY_REPLACE, &status);
		stderr_back(saved);
		first_line(tmp, err, sizeof(err));
		snprintf(what, sizeof(what), "apply with a pool in use: %s",
			 cases[i][0]);
		if (cases[i][1])
			check_true(what, !p && status == EXIT_USAGE &&
				   strstr(err, cases[i][1]));
		else
			check_true(what, p && status == EXIT_OK && !err[0]);
		plan_free(p);
		conf_free(&rc);
		conf_free(&want);
	}
}

/*
 * For tests/golden.sh, without the kernel:
 *   unit plan RUNNING WANT      the changes apply would make (RUNNING: a
 *                               file as "nlbadm save" writes it)
 *   unit check FILE             whether apply would take FILE
 *   unit metrics RUNNING        the Prometheus text of RUNNING
 *   unit metrics -              ... of a sample with every counter
 */
static int offline(int argc, char **argv)
{
	struct conf cur, want;
	struct plan *p;
	int ret;

	if (!strcmp(argv[1], "metrics") && !strcmp(argv[2], "-")) {
		sample_conf(&cur);
		metrics_render(stdout, &cur, 0.25);
		conf_free(&cur);
		return 0;
	}

	conf_init(&cur);
	conf_init(&want);
	ret = conf_read_path(&cur, argv[2]);
	if (!ret && !strcmp(argv[1], "check"))
		ret = conf_check(&cur);
	else if (!ret && !strcmp(argv[1], "metrics"))
		metrics_render(stdout, &cur, 0.25);
	else if (!ret && argc > 3)
		ret = conf_read_path(&want, argv[3]);
	if (!ret && !strcmp(argv[1], "plan")) {
		p = plan_make(&cur, &want, APPLY_REPLACE, &ret);
		if (p)
			plan_print(stdout, p);
		plan_free(p);
	}
	conf_free(&cur);
	conf_free(&want);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc > 2)
		return offline(argc, argv);
	test_output();
	test_info();
	test_output_settings();
	test_monitor();
	test_json_escape();
	test_ext_ack();
	test_tables();
	test_args();
	test_health_put();
	test_batch_split();
	test_batch_run();
	test_metrics();
	test_top();
	test_save();
	test_apply_pools();
	if (failed)
		printf("unit: %d of %d tests failed\n", failed, run);
	else
		printf("unit: %d tests passed\n", run);
	return !!failed;
}
