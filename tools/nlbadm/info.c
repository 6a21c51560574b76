// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm info: the namespace's object counts and limits, and the census
 * of the conntrack table the counters (-s) come from. With -s, show asks
 * for a fresh census first (census-run, which needs CAP_NET_ADMIN); without
 * the privilege it shows the last one, and says how old it is.
 */
#include <errno.h>
#include <netlink/attr.h>

#include "nlbadm.h"

static const struct field xlat_drop_fields[] = {
#define DROP(a, j, t) FIELD(NLB_A_XLAT_DROPS_##a, FIELD_U64, j, t)
	DROP(TRUNCATED, "truncated", "truncated"),
	DROP(BAD_LEN, "bad_len", "bad-len"),
	DROP(BAD_HDR, "bad_hdr", "bad-hdr"),
	DROP(BAD_CSUM, "bad_csum", "bad-csum"),
	DROP(HOP_LIMIT, "hop_limit", "hop-limit"),
	DROP(SOURCE_ROUTE, "source_route", "source-route"),
	DROP(UNSUPPORTED_EXTHDR, "unsupported_exthdr", "unsupported-exthdr"),
	DROP(UNSUPPORTED_PROTO, "unsupported_proto", "unsupported-proto"),
	DROP(FRAGMENT, "fragment", "fragment"),
	DROP(GSO, "gso", "gso"),
	DROP(ICMP_DROP, "icmp_drop", "icmp-drop"),
	DROP(ICMP_INNER, "icmp_inner", "icmp-inner"),
	DROP(TOO_BIG, "too_big", "too-big"),
	DROP(NOMEM, "nomem", "nomem"),
	DROP(NO_ROUTE, "no_route", "no-route"),
	DROP(ORPHAN, "orphan", "orphan"),
#undef DROP
	{ 0 }
};

const struct object xlat_drops_obj = {
	.name = "xlat-drops",
	.maxattr = NLB_A_XLAT_DROPS_MAX,
	.fields = xlat_drop_fields,
};

static const struct field fields[] = {
	FIELD(NLB_A_INFO_LISTENERS, FIELD_U32, "listeners", "listeners"),
	FIELD(NLB_A_INFO_GROUPS, FIELD_U32, "groups", "groups"),
	FIELD(NLB_A_INFO_BACKENDS, FIELD_U32, "backends", "backends"),
	FIELD(NLB_A_INFO_MAX_LISTENERS, FIELD_U32, "max_listeners",
	      "max-listeners"),
	FIELD(NLB_A_INFO_MAX_GROUPS, FIELD_U32, "max_groups", "max-groups"),
	FIELD(NLB_A_INFO_MAX_BACKENDS, FIELD_U32, "max_backends",
	      "max-backends"),
	FIELD(NLB_A_INFO_CENSUS_AGE, FIELD_U32, "census_age_ms",
	      "census-age-ms"),
	FIELD(NLB_A_INFO_CENSUS_DURATION, FIELD_U32, "census_duration_us",
	      "census-duration-us"),
	FIELD(NLB_A_INFO_CENSUS_PASSES, FIELD_U64, "census_passes",
	      "census-passes"),
	FIELD(NLB_A_INFO_CENSUS_CONNS, FIELD_U64, "census_conns",
	      "census-conns"),
	FIELD_NEST(NLB_A_INFO_XLAT_DROPS, "xlat_drops", "xlat-drops",
		   &xlat_drops_obj),
	{ 0 }
};

const struct object info_obj = {
	.name = "info",
	.maxattr = NLB_A_INFO_MAX,
	.fields = fields,
};

/*
 * Get the namespace's info into *replies: with fresh, after a census that
 * started now (census-run), or the last one if this process may not ask
 * for one. Returns 0 or an exit status after printing the error.
 */
int info_get(bool fresh, struct msg_list *replies)
{
	struct nl_msg *req;
	int err;

	if (fresh) {
		req = nl_req(NLB_CMD_CENSUS_RUN, false);
		if (nla_put_u32(req, NLB_A_INFO_MAX_AGE, 0))
			nl_put_fail();
		err = nl_exec(req, replies);
		if (err != -EPERM)
			return err ? nl_report() : EXIT_OK;
	}
	return nl_run(nl_req(NLB_CMD_INFO_GET, false), replies);
}

int info_show(const struct arg_val *vals)
{
	struct msg_list l = { 0 };
	int ret;

	ret = info_get(false, &l);
	if (!ret) {
		out_objects(NULL, &info_obj, &l);
		out_finish();
	}
	msg_list_free(&l);
	return ret;
}
