// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm save: the running configuration as a batch file of add lines
 * (each group, then its backends; then the listeners) that recreates it:
 * "nlbadm flush" and "nlbadm -b" of it give the same "nlbadm -j show",
 * counters aside. Draining backends are not saved: they are on their way
 * out. Every setting is written, defaults included, so that the file
 * means the same to a later nlb whose defaults differ.
 */
#include <string.h>
#include <netlink/attr.h>

#include "nlbadm.h"

void conf_save(FILE *f, const struct conf *c)
{
	const struct cobj *g, *b;
	size_t i, j;

	for (i = 0; i < c->n[CONF_GROUP]; i++) {
		g = &c->v[CONF_GROUP][i];
		cobj_print(f, g, ctypes[CONF_GROUP].add, NULL);
		for (j = 0; j < c->n[CONF_BACKEND]; j++) {
			b = &c->v[CONF_BACKEND][j];
			if (b->draining ||
			    strcmp(cobj_str(b, NLB_A_BACKEND_GROUP),
				   cobj_str(g, NLB_A_GROUP_NAME)))
				continue;
			cobj_print(f, b, ctypes[CONF_BACKEND].add, NULL);
		}
	}
	for (i = 0; i < c->n[CONF_LISTENER]; i++)
		cobj_print(f, &c->v[CONF_LISTENER][i],
			   ctypes[CONF_LISTENER].add, NULL);
}

int save_main(int argc, char **argv)
{
	struct conf c;
	int ret;

	if (argc) {
		usage_error("unexpected argument '%s'", argv[0]);
		return usage_cmd("save");
	}
	ret = conf_read_running(&c);
	if (!ret) {
		fputs("# nlb configuration (nlbadm save); apply it with: nlbadm apply FILE\n",
		      stdout);
		conf_save(stdout, &c);
		fflush(stdout);
	}
	conf_free(&c);
	return ret;
}
