// SPDX-License-Identifier: GPL-2.0
/*
 * Commands: look one up, check its arguments, then send the request its
 * table describes and print the replies of "show".
 */
#include <stdarg.h>
#include <string.h>

#include "nlbadm.h"

/* The batch file and line being run, for messages; NULL outside batches. */
const char *batch_file;
unsigned long batch_line;

static void vpr_err(const char *fmt, va_list ap)
{
	fputs(PROG_NAME ": ", stderr);
	if (batch_file)
		fprintf(stderr, "%s:%lu: ", batch_file, batch_line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/*
 * Print "nlbadm: <message>" to stderr, in a batch "nlbadm: FILE:LINE:
 * <message>" naming the line being run.
 */
void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr_err(fmt, ap);
	va_end(ap);
}

/* pr_err() a usage error; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr_err(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/* The hint after a usage error without a usage text of its own. */
int usage_more(void)
{
	fputs("Try '" PROG_NAME " help' for more information.\n", stderr);
	return EXIT_USAGE;
}

/* Commands without an object. */
static const struct arg_spec monitor_args[] = {
	{ .name = "count", .kind = ARG_U32, .min = 1, .max = UINT32_MAX },
	{ 0 }
};

static const struct cmd top_cmds[] = {
	{ .name = "show", .usage = "", .run = show_all },
	{ .name = "flush", .usage = "", .run = flush_all },
	{ .name = "info", .usage = "", .run = info_show },
	{ .name = "monitor", .usage = "[count N]", .args = monitor_args,
	  .run = monitor_run, .no_batch = true },
	{ .name = "save", .usage = "", .main = save_main },
	{ .name = "apply", .usage = "[--dry-run] FILE", .main = apply_main,
	  .no_batch = true },
	{ .name = "import",
	  .usage = "ipvs|keepalived [--dry-run] [--hosts FILE] [FILE]",
	  .main = import_main, .no_batch = true },
	{ .name = "metrics", .usage = "[--output FILE]", .main = metrics_main },
	{ .name = "exporter", .usage = "[--listen ADDRESS:PORT]",
	  .main = exporter_main, .no_batch = true },
	{ .name = "top", .usage = "[--interval SECONDS] [--count N]",
	  .main = top_main, .no_batch = true },
	{ 0 }
};

const struct cmd_group cmd_top = { .name = NULL, .cmds = top_cmds };

const struct cmd_group cmd_objects[] = {
	{ .name = "listener", .cmds = listener_cmds },
	{ .name = "group", .cmds = group_cmds },
	{ .name = "backend", .cmds = backend_cmds },
	{ 0 }
};

/* "nlbadm group add NAME [...]", "nlbadm backend change|set ..." */
void cmd_usage(FILE *f, const struct cmd_group *g, const struct cmd *c)
{
	fprintf(f, PROG_NAME "%s%s %s%s%s%s%s\n", g->name ? " " : "",
		g->name ? g->name : "", c->name, c->alias ? "|" : "",
		c->alias ? c->alias : "", c->usage[0] ? " " : "", c->usage);
}

int usage_hint(const struct cmd_group *g, const struct cmd *c)
{
	fputs("Usage: ", stderr);
	cmd_usage(stderr, g, c);
	return EXIT_USAGE;
}

/*
 * After a usage error of a command with its own argument syntax: its
 * usage line; returns EXIT_USAGE.
 */
int usage_cmd(const char *name)
{
	const struct cmd *c = cmd_find(&cmd_top, name);

	return c ? usage_hint(&cmd_top, c) : EXIT_USAGE;
}

/* Whether a keyword argument other than an ARG_LOOKUP one is given. */
static bool has_option(const struct arg_spec *s, const struct arg_val *v)
{
	for (; s->name; s++, v++)
		if (!(s->flags & (ARG_POSITIONAL | ARG_LOOKUP)) && v->count)
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

const struct cmd *cmd_find(const struct cmd_group *g, const char *name)
{
	const struct cmd *c;

	for (c = g->cmds; c->name; c++)
		if (!strcmp(c->name, name) ||
		    (c->alias && !strcmp(c->alias, name)))
			return c;
	return NULL;
}

/*
 * Check the arguments of a command into vals[] (MAX_ARGS, zeroed by the
 * caller). Returns 0, or EXIT_USAGE after printing an error.
 */
int cmd_parse(const struct cmd *c, int argc, char **argv,
	      struct arg_val *vals)
{
	if (!c->args) {
		if (argc)
			return usage_error("unexpected argument '%s'",
					   argv[0]);
		return 0;
	}
	if (args_parse(c->args, argc, argv, vals))
		return EXIT_USAGE;
	if (c->need_option && !has_option(c->args, vals))
		return usage_error("nothing to change");
	if (c->check) {
		const char *err = c->check(vals);

		if (err)
			return usage_error("%s", err);
	}
	return 0;
}

int cmd_exec(const struct cmd_group *g, const struct cmd *c,
	     int argc, char **argv)
{
	struct arg_val vals[MAX_ARGS] = { { 0 } };
	struct msg_list replies = { 0 };
	struct nl_msg *req;
	int ret;

	if (batch_file && c->no_batch)
		return usage_error("'%s' cannot be used in a batch file",
				   c->name);
	if (c->main)
		return c->main(argc, argv);
	if (cmd_parse(c, argc, argv, vals))
		return usage_hint(g, c);
	if (c->run)
		return c->run(vals);

	/* Counters of the objects shown: from a fresh census if we may. */
	if (c->show && opts.stats) {
		ret = info_get(true, &replies);
		msg_list_free(&replies);
		if (ret)
			return ret;
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
		c = cmd_find(g, argv[0]);
		if (c)
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

/* "OBJECT COMMAND [ARGS]" or "COMMAND [ARGS]" (argc >= 1), but not help. */
int cmd_line(int argc, char **argv)
{
	const struct cmd_group *g;
	const struct cmd *c;

	for (g = cmd_objects; g->name; g++)
		if (!strcmp(g->name, argv[0]))
			return cmd_dispatch(g, argc - 1, argv + 1);
	c = cmd_find(&cmd_top, argv[0]);
	if (c)
		return cmd_exec(&cmd_top, c, argc - 1, argv + 1);
	usage_error("unknown object '%s'", argv[0]);
	return usage_more();
}
