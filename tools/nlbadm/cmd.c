// SPDX-License-Identifier: GPL-2.0
/*
 * Commands: look one up, check its arguments, then send the request its
 * table describes and print the replies of "show".
 */
#include <stdarg.h>
#include <string.h>

#include "nlbadm.h"

/* Print "nlbadm: <message>" to stderr; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* "nlbadm group add NAME [...]" */
void cmd_usage(FILE *f, const struct cmd_group *g, const struct cmd *c)
{
	fprintf(f, PROG_NAME "%s%s %s%s%s\n", g->name ? " " : "",
		g->name ? g->name : "", c->name, c->usage[0] ? " " : "",
		c->usage);
}

static int usage_hint(const struct cmd_group *g, const struct cmd *c)
{
	fputs("Usage: ", stderr);
	cmd_usage(stderr, g, c);
	return EXIT_USAGE;
}

static bool has_keyword(const struct arg_spec *s, const struct arg_val *v)
{
	for (; s->name; s++, v++)
		if (!(s->flags & ARG_POSITIONAL) && v->count)
			return true;
	return false;
}

static bool is_dump(const struct arg_spec *s, const struct arg_val *v)
{
	for (; s->name; s++, v++)
		if (s->flags & ARG_DUMP_KEY && !v->count)
			return true;
	return false;
}

int cmd_exec(const struct cmd_group *g, const struct cmd *c,
	     int argc, char **argv)
{
	struct arg_val vals[MAX_ARGS] = { { 0 } };
	struct msg_list replies = { 0 };
	struct nl_msg *req;
	int ret;

	if (c->run) {
		if (argc) {
			usage_error("unexpected argument '%s'", argv[0]);
			return usage_hint(g, c);
		}
		return c->run();
	}
	if (args_parse(c->args, argc, argv, vals))
		return usage_hint(g, c);
	if (c->need_option && !has_keyword(c->args, vals)) {
		usage_error("nothing to change");
		return usage_hint(g, c);
	}

	req = nl_req(c->nlcmd, c->show && is_dump(c->args, vals));
	args_put(req, c->args, vals);
	if (!c->show)
		return nl_run(req, NULL);
	ret = nl_run(req, &replies);
	if (!ret) {
		out_objects(NULL, c->show, &replies);
		out_finish();
	}
	msg_list_free(&replies);
	return ret;
}

/* "OBJECT COMMAND [ARGS]": argv[0] is the COMMAND. */
int cmd_dispatch(const struct cmd_group *g, int argc, char **argv)
{
	const struct cmd *c;
	FILE *f = stderr;

	if (!argc) {
		usage_error("missing %s command", g->name);
	} else if (!strcmp(argv[0], "help")) {
		f = stdout;
	} else {
		for (c = g->cmds; c->name; c++)
			if (!strcmp(c->name, argv[0]))
				return cmd_exec(g, c, argc - 1, argv + 1);
		usage_error("unknown %s command '%s'", g->name, argv[0]);
	}

	fputs("Usage:\n", f);
	for (c = g->cmds; c->name; c++) {
		fputs("  ", f);
		cmd_usage(f, g, c);
	}
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}
