// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm flush: delete all listeners, then all groups (which deletes
 * their backends). Objects deleted concurrently (ENOENT) are fine.
 */
#include <errno.h>
#include <netlink/attr.h>

#include "nlbadm.h"

static int flush_objects(const struct object *ob, uint8_t get, uint8_t del,
			 int name_attr)
{
	struct nlattr *tb[NLB_ATTR_MAX + 1];
	struct msg_list l = { 0 };
	struct nl_msg *req;
	size_t i;
	int ret, err;

	ret = nl_run(nl_req(get, true), &l);
	for (i = 0; !ret && i < l.n; i++) {
		if (obj_parse(ob, l.v[i], tb) || !tb[name_attr])
			continue;
		req = nl_req(del, false);
		if (nla_put_string(req, name_attr,
				   nla_get_string(tb[name_attr])))
			nl_put_fail();
		err = nl_exec(req, NULL);
		if (err && err != -ENOENT)
			ret = nl_report();
	}
	msg_list_free(&l);
	return ret;
}

int flush_all(const struct arg_val *vals)
{
	int ret;

	ret = flush_objects(&listener_obj, NLB_CMD_LISTENER_GET,
			    NLB_CMD_LISTENER_DEL, NLB_A_LISTENER_NAME);
	if (ret)
		return ret;
	return flush_objects(&group_obj, NLB_CMD_GROUP_GET,
			     NLB_CMD_GROUP_DEL, NLB_A_GROUP_NAME);
}
