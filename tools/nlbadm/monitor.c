// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm monitor: print the notifications of the "monitor" multicast
 * group as they arrive, a line each: the event, then the object as show
 * prints it (JSON: one compact object a line, with "event" and "object").
 */
#include <signal.h>
#include <unistd.h>
#include <netlink/genl/genl.h>

#include "nlbadm.h"

static const struct {
	uint8_t cmd;
	const struct object *ob;
} notifications[] = {
	{ NLB_CMD_LISTENER_NTF, &listener_obj },
	{ NLB_CMD_GROUP_NTF, &group_obj },
	{ NLB_CMD_BACKEND_NTF, &backend_obj },
};

static uint32_t left;	/* notifications still to print; 0: no limit */
static bool done;

/* Print a notification; returns 0, or -1 for anything else. */
int monitor_print(struct nl_msg *msg)
{
	struct nlattr *tb[NLB_ATTR_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const struct object *ob = NULL;
	size_t i;

	if (!genlmsg_valid_hdr(nlh, 0))
		return -1;
	for (i = 0; i < ARRAY_SIZE(notifications); i++)
		if (notifications[i].cmd == genlmsg_hdr(nlh)->cmd)
			ob = notifications[i].ob;
	if (!ob || obj_parse(ob, msg, tb))
		return -1;
	out_event(ob, tb);
	return 0;
}

static int on_message(struct nl_msg *msg)
{
	if (monitor_print(msg) || !left)
		return NL_OK;
	if (--left)
		return NL_OK;
	done = true;
	return NL_STOP;
}

/* Interrupted: every notification printed is already flushed. */
static void on_signal(int sig)
{
	_exit(EXIT_OK);
}

/* vals[0]: count */
int monitor_run(const struct arg_val *vals)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int err;

	left = vals[0].count ? vals[0].num : 0;
	opts.pretty = false;
	out_init(stdout);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	nl_join(NLB_MCGRP_MONITOR);
	do {
		err = nl_receive(on_message);
	} while (!err && !done);
	return err ? nl_report() : EXIT_OK;
}
