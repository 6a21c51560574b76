// SPDX-License-Identifier: GPL-2.0
/* nlbadm show: all listeners, then each group with its backends. */
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

#include "nlbadm.h"

static bool in_group(struct nlattr **gtb, struct nlattr **btb)
{
	struct nlattr *g = gtb[NLB_A_GROUP_NAME];
	struct nlattr *b = btb[NLB_A_BACKEND_GROUP];

	return g && b && !strcmp(nla_get_string(g), nla_get_string(b));
}

static void print_groups(const struct msg_list *groups,
			 const struct msg_list *backends)
{
	struct nlattr *gtb[NLB_ATTR_MAX + 1], *(*btb)[NLB_ATTR_MAX + 1];
	bool *ok;
	size_t i, k;

	/* Parse the backends once, not once per group. */
	btb = calloc(backends->n + 1, sizeof(*btb));
	ok = calloc(backends->n + 1, sizeof(*ok));
	if (!btb || !ok) {
		pr_err("out of memory");
		exit(EXIT_KERNEL);
	}
	for (k = 0; k < backends->n; k++)
		ok[k] = !obj_parse(&backend_obj, backends->v[k], btb[k]);

	out_list_begin("groups");
	for (i = 0; i < groups->n; i++) {
		if (obj_parse(&group_obj, groups->v[i], gtb))
			continue;
		out_obj_begin(&group_obj, gtb);
		out_list_begin("backends");
		for (k = 0; k < backends->n; k++) {
			if (!ok[k] || !in_group(gtb, btb[k]))
				continue;
			out_obj_begin(&backend_obj, btb[k]);
			out_obj_end();
		}
		out_list_end();
		out_obj_end();
	}
	out_list_end();
	free(ok);
	free(btb);
}

int show_all(const struct arg_val *vals)
{
	struct msg_list listeners = { 0 }, groups = { 0 }, backends = { 0 };
	struct msg_list info = { 0 };
	int ret = 0;

	/* With counters: from a fresh census, and how old it is. */
	if (opts.stats)
		ret = info_get(true, &info);
	if (!ret)
		ret = nl_run(nl_req(NLB_CMD_LISTENER_GET, true), &listeners);
	if (!ret)
		ret = nl_run(nl_req(NLB_CMD_GROUP_GET, true), &groups);
	if (!ret)
		ret = nl_run(nl_req(NLB_CMD_BACKEND_GET, true), &backends);
	if (!ret) {
		out_map_begin();
		out_objects("listeners", &listener_obj, &listeners);
		print_groups(&groups, &backends);
		if (info.n)
			obj_print_key(&info_obj, info.v[0], "info");
		out_map_end();
		out_finish();
	}
	msg_list_free(&listeners);
	msg_list_free(&groups);
	msg_list_free(&backends);
	msg_list_free(&info);
	return ret;
}
