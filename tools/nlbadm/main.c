// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm: configure nlb, the dual-stack Layer-4 load balancer, over the
 * "nlb" generic netlink family.
 *
 *   nlbadm [-j|--json] [-s|--stats] [-p|--pretty] OBJECT COMMAND [ARGS]
 *   nlbadm [-j|--json] [-s|--stats] monitor [count N]
 *   nlbadm [OPTIONS] [-f|--force] -b|--batch FILE
 */
#include <string.h>

#include "nlbadm.h"

#ifndef NLBADM_VERSION
#define NLBADM_VERSION	"unknown"
#endif

static void usage(FILE *f)
{
	const struct cmd_group *g;
	const struct cmd *c;

	fputs("Usage: " PROG_NAME " [OPTIONS] OBJECT COMMAND [ARGS]\n"
	      "       " PROG_NAME " [OPTIONS] show\n"
	      "       " PROG_NAME " flush\n"
	      "       " PROG_NAME " [OPTIONS] monitor [count N]\n"
	      "       " PROG_NAME " [OPTIONS] [-f] -b FILE\n"
	      "       " PROG_NAME " help | --help | -h\n"
	      "       " PROG_NAME " --version\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json    JSON output\n"
	      "  -s, --stats   show counters\n"
	      "  -p, --pretty  indent JSON output\n"
	      "  -b, --batch FILE\n"
	      "                run the commands of FILE (- for stdin), one a line,\n"
	      "                written without '" PROG_NAME "'; stop at the first failing one\n"
	      "  -f, --force   with -b: run every line, even after a failing one\n"
	      "  -n, --dry-run apply, import: print the changes, make none\n"
	      "\n"
	      "Commands:\n", f);
	for (g = cmd_objects; g->name; g++) {
		for (c = g->cmds; c->name; c++) {
			fputs("  ", f);
			cmd_usage(f, g, c);
		}
	}
	for (c = cmd_top.cmds; c->name; c++) {
		fputs("  ", f);
		cmd_usage(f, &cmd_top, c);
	}
	fprintf(f, "\n"
		"ADDRESS is an IPv4 or IPv6 address, NAME and GROUP 1-%d characters,\n"
		"PORT 1-65535 (backends: 0-65535, 0 keeps the client's port), W 0-255,\n"
		"SECONDS 0-2592000 (drain-timeout) or 0-86400 (persist), 0 for none,\n"
		"LEN 0-32 (persist-prefix4) or 0-128 (persist-prefix6), N 1 or more,\n"
		"TIME a duration in seconds (5, 1.5s) or milliseconds (200ms), CODES\n"
		"HTTP status codes and ranges (200-299,301), TEXT text or 0x and hex.\n",
		NLB_NAME_MAX_LEN);
}

int main(int argc, char **argv)
{
	const char *a, *batch = NULL;
	bool force = false;

	for (argc--, argv++; argc && argv[0][0] == '-'; argc--, argv++) {
		a = argv[0];
		if (!strcmp(a, "-b") || !strcmp(a, "--batch")) {
			if (batch) {
				usage_error("'%s' given more than once", a);
				return usage_more();
			}
			if (argc < 2) {
				usage_error("missing FILE after '%s'", a);
				return usage_more();
			}
			batch = argv[1];
			argc--;
			argv++;
		} else if (!strcmp(a, "-f") || !strcmp(a, "--force")) {
			force = true;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			opts.json = true;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--stats")) {
			opts.stats = true;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pretty")) {
			opts.pretty = true;
		} else if (!strcmp(a, "-n") || !strcmp(a, "--dry-run")) {
			opts.dry_run = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			puts(PROG_NAME " " NLBADM_VERSION);
			return EXIT_OK;
		} else {
			usage_error("unknown option '%s'", a);
			return usage_more();
		}
	}
	if (batch) {
		if (argc) {
			usage_error("unexpected argument '%s' (with -b the commands are read from FILE)",
				    argv[0]);
			return usage_more();
		}
		out_init(stdout);
		return batch_main(batch, force);
	}
	if (force) {
		usage_error("-f needs -b FILE");
		return usage_more();
	}
	if (!argc) {
		usage_error("missing OBJECT");
		return usage_more();
	}
	out_init(stdout);

	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	return cmd_line(argc, argv);
}
