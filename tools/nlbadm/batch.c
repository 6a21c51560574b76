// SPDX-License-Identifier: GPL-2.0
/*
 * Batch mode (-b FILE): one command a line, written as on the command
 * line without "nlbadm", run in order by the command table over the one
 * netlink socket of the process. The first failing line ends the batch,
 * unless forced (-f); the lines before it stay applied.
 *
 * Consecutive lines that add, change or delete backends of the same group
 * (without -f) go to the kernel as one request of up to 1024 backends,
 * applied all or nothing with one rebuild of the group's pools: a failing
 * line (named in the error) fails the lines of its request with it, and
 * the lines before them stay applied.
 */
#include <errno.h>
#include <netlink/attr.h>
#include <stdlib.h>
#include <string.h>

#include "nlbadm.h"

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Split a line (without its newline, changed in place) into at most max
 * words at blanks. A word that begins with a double quote ends at the
 * next double quote, which must end the word: it may be empty or hold
 * blanks, and has no escapes. Returns the number of words, 0 for a blank
 * or comment line, or -1 after printing an error.
 */
int batch_split(char *line, char **argv, int max)
{
	char *p = line, *end;
	int argc = 0;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p || (!argc && *p == '#'))
			return argc;
		if (argc == max) {
			pr_err("more than %d words", max);
			return -1;
		}
		if (*p == '"') {
			end = strchr(++p, '"');
			if (!end) {
				pr_err("missing closing quote");
				return -1;
			}
			if (end[1] && !is_blank(end[1])) {
				pr_err("closing quote not at the end of a word");
				return -1;
			}
		} else {
			for (end = p; *end && !is_blank(*end); end++)
				;
		}
		argv[argc++] = p;
		if (*end)
			*end++ = '\0';
		p = end;
	}
}

/* Not in a batch: monitor would not end, help is for the command line. */
static const char *const refused[] = { "monitor", "help" };

static int batch_exec(int argc, char **argv)
{
	size_t i;

	if (argv[0][0] == '-')
		return usage_error("option '%s' in a batch file (options go before -b)",
				   argv[0]);
	for (i = 0; i < ARRAY_SIZE(refused); i++)
		if (!strcmp(argv[0], refused[i]))
			return usage_error("'%s' cannot be used in a batch file",
					   argv[0]);
	return cmd_line(argc, argv);
}

/* Backends one coalesced request carries at most, and its size. */
#define BATCH_BACKENDS		1024
#define BATCH_REQ_SIZE		(128 * 1024)

/* The backend lines gathered into one request. */
static struct {
	struct nl_msg *req;
	const struct cmd *cmd;
	char group[NLB_NAME_MAX_LEN + 1];
	unsigned int n;
	/* per entry: its line, and where its nest ends in the request */
	unsigned long line[BATCH_BACKENDS];
	size_t end[BATCH_BACKENDS];
} pending;

/* Send the gathered backend lines, if any. Returns an exit status. */
static int backends_flush(void)
{
	unsigned long line = batch_line;
	unsigned int i;
	int err;

	if (!pending.n)
		return EXIT_OK;
	err = nl_exec(pending.req, NULL);
	pending.req = NULL;
	if (err) {
		/* The line of the entry the kernel blames, else the first. */
		batch_line = pending.line[0];
		for (i = 0; nl_err_offset >= 0 && i < pending.n; i++) {
			if ((size_t)nl_err_offset < pending.end[i]) {
				batch_line = pending.line[i];
				break;
			}
		}
	}
	pending.n = 0;
	err = err ? nl_report() : EXIT_OK;
	batch_line = line;
	return err;
}

/*
 * A "backend add|change|set|del GROUP ADDRESS ..." line: add it to the
 * pending request (sent first if it is for another command or group, or
 * full). Returns -1 if the line is not one, else an exit status.
 */
static int backends_gather(int argc, char **argv)
{
	struct arg_val vals[MAX_ARGS] = { { 0 } };
	const struct cmd_group *g;
	const struct cmd *c;
	struct nlattr *nest;
	int ret;

	if (argc < 4)
		return -1;
	for (g = cmd_objects; g->name && strcmp(g->name, argv[0]); g++)
		;
	if (!g->name || g->cmds != backend_cmds)
		return -1;
	c = cmd_find(g, argv[1]);
	if (!c || c->show || c->run || c->args[0].attr != NLB_A_BACKEND_GROUP)
		return -1;
	if (cmd_parse(c, argc - 2, argv + 2, vals)) {
		/* The lines before it are applied, as without gathering. */
		ret = backends_flush();
		return ret ?: usage_hint(g, c);
	}
	if (pending.n && (pending.cmd != c || pending.n == BATCH_BACKENDS ||
			  strcmp(pending.group, vals[0].str))) {
		ret = backends_flush();
		if (ret)
			return ret;
	}
	if (!pending.n) {
		pending.req = nl_req_size(c->nlcmd, false, BATCH_REQ_SIZE);
		pending.cmd = c;
		snprintf(pending.group, sizeof(pending.group), "%s",
			 vals[0].str);
		if (nla_put_string(pending.req, NLB_A_BACKEND_GROUP,
				   vals[0].str))
			nl_put_fail();
	}
	nest = nla_nest_start(pending.req, NLB_A_BACKEND_ENTRY);
	if (!nest)
		nl_put_fail();
	/* Everything but the group (the first argument) goes in the entry. */
	args_put(pending.req, c->args + 1, vals + 1);
	nla_nest_end(pending.req, nest);
	pending.line[pending.n] = batch_line;
	pending.end[pending.n] = nlmsg_hdr(pending.req)->nlmsg_len;
	pending.n++;
	return EXIT_OK;
}

/* Drop the newline (and a carriage return before it) of a line. */
static size_t chomp(char *line, size_t len)
{
	if (len && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	return len;
}

/*
 * Run the commands of f, called name in messages. Returns EXIT_OK, or
 * the exit status of the first failing line; with force every line is
 * run and the largest status of the failing ones is returned.
 */
int batch_run(FILE *f, const char *name, bool force)
{
	char *line = NULL, *argv[BATCH_MAX_WORDS];
	int argc, ret, status = EXIT_OK;
	size_t size = 0;
	ssize_t len;

	batch_file = name;
	for (batch_line = 1; ; batch_line++) {
		errno = 0;
		len = getline(&line, &size, f);
		if (len < 0)
			break;
		len = chomp(line, len);
		if (strlen(line) != (size_t)len) {
			ret = usage_error("NUL character in the line");
		} else {
			argc = batch_split(line, argv, ARRAY_SIZE(argv));
			if (!argc)
				continue;
			ret = !force && argc > 0 ? backends_gather(argc, argv) : -1;
			if (ret < 0) {
				ret = backends_flush();
				if (!ret)
					ret = argc < 0 ? EXIT_USAGE :
					      batch_exec(argc, argv);
			}
		}
		if (ret > status)
			status = ret;
		if (ret && !force)
			break;
	}
	if (!status || force) {
		ret = backends_flush();
		if (ret > status)
			status = ret;
	}
	batch_file = NULL;
	if (len < 0 && ferror(f)) {
		pr_err("%s: cannot read: %s", name,
		       strerror(errno ? errno : EIO));
		if (status < EXIT_USAGE)
			status = EXIT_USAGE;
	}
	free(line);
	return status;
}

/* -b FILE: "-" is stdin. Returns an exit status. */
int batch_main(const char *path, bool force)
{
	FILE *f = stdin;
	int ret;

	if (strcmp(path, "-")) {
		f = fopen(path, "r");
		if (!f) {
			pr_err("cannot open %s: %s", path, strerror(errno));
			return EXIT_USAGE;
		}
	}
	ret = batch_run(f, f == stdin ? "<stdin>" : path, force);
	if (f != stdin)
		fclose(f);
	return ret;
}
