// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of nlbadm without the kernel: replies built here are printed
 * as text and JSON, and extended ACKs are decoded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "nlbadm.h"

#define FAMILY	0x20

static int failed, run;

static void check(const char *what, const char *got, const char *want)
{
	run++;
	if (strcmp(got, want)) {
		failed++;
		printf("FAIL: %s\n got: %s\nwant: %s\n", what, got, want);
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
		 "group web ipversion dualstack sched 9 affinity on backends4 1 backends6 1 listeners 0\n"
		 "    conns 18446744073709551615 drop-no-backend 0\n");
	show_one("group json, unknown sched", &group_obj, m, true, false,
		 "[{\"name\":\"web\",\"ipversion\":\"dualstack\",\"sched\":9,\"affinity\":true,\"backends4\":1,\"backends6\":1,\"listeners\":0}]\n");
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
		    "group web ipversion dualstack sched wrr affinity on backends4 1 backends6 1 listeners 0\n"
		    "    conns 18446744073709551615 drop-no-backend 0\n"
		    "    backend web 192.0.2.10 port 80 weight 10\n"
		    "    backend web 2001:db8:1::10 port 0 weight 0\n");
	show_nested("show json", true, false, false,
		    "{\"listeners\":[],\"groups\":[{\"name\":\"web\",\"ipversion\":\"dualstack\",\"sched\":\"wrr\",\"affinity\":true,\"backends4\":1,\"backends6\":1,\"listeners\":0,\"backends\":["
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
		    "      \"affinity\": true,\n"
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

int main(void)
{
	test_output();
	test_json_escape();
	test_ext_ack();
	if (failed)
		printf("unit: %d of %d tests failed\n", failed, run);
	else
		printf("unit: %d tests passed\n", run);
	return !!failed;
}
