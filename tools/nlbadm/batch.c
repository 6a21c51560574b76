// SPDX-License-Identifier: GPL-2.0
/*
 * Batch mode (-b FILE): one command a line, written as on the command
 * line without "nlbadm", run in order by the command table over the one
 * netlink socket of the process. The first failing line ends the batch,
 * unless forced (-f); the lines before it stay applied.
 */
#include <errno.h>
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
			ret = argc < 0 ? EXIT_USAGE : batch_exec(argc, argv);
		}
		if (ret > status)
			status = ret;
		if (ret && !force)
			break;
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
