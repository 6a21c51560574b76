// SPDX-License-Identifier: GPL-2.0
/*
 * nlb-healthd: health checks for nlb.
 *
 *   nlb-healthd [-n|--netns NAME] [-v|--verbose] [-q|--quiet]
 *               [--no-reports] [--stats FILE]
 *   nlb-healthd --config FILE [--output FILE] [...]     (tests)
 *
 * One daemon serves one network namespace: the one it runs in, or NAME
 * (as "ip netns" names it), which it enters before opening any socket, so
 * that it reads nlb's configuration there and probes from there. It ends
 * on SIGTERM or SIGINT, leaving the kernel's state as it is, and when the
 * namespace it serves is deleted. SIGHUP reads the configuration again;
 * SIGUSR1 writes the statistics (--stats FILE, JSON).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/signalfd.h>

#include "healthd.h"

#define NETNS_DIR	"/run/netns"

const struct source *source;

static const char *netns, *stats_path;
static bool quit;
static struct watch sig_w = { .fd = -1 }, ino_w = { .fd = -1 };
static uint64_t started;

static void usage(FILE *f)
{
	fputs("Usage: " PROG_NAME " [OPTIONS]\n"
	      "Health checks of nlb's backends in one network namespace.\n"
	      "\n"
	      "  -n, --netns NAME   serve the network namespace NAME (ip netns)\n"
	      "  -v, --verbose      log debug messages too\n"
	      "  -q, --quiet        log only errors and state changes\n"
	      "      --no-reports   write only state changes, not each probe's result\n"
	      "      --stats FILE   statistics as JSON on SIGUSR1 and at exit\n"
	      "      --config FILE  test mode: the configuration from FILE, not nlb\n"
	      "      --output FILE  test mode: where changes are written (default -)\n"
	      "  -h, --help         this help\n", f);
}

static void target_json(const struct naddr *a, uint16_t port, uint8_t type,
			uint64_t probes, uint64_t missed, unsigned int users,
			void *arg)
{
	char buf[INET6_ADDRSTRLEN];
	bool *first = ((void **)arg)[1];
	FILE *f = ((void **)arg)[0];

	addr_str(a, buf, sizeof(buf));
	fprintf(f, "%s\n    {\"address\": \"%s\", \"port\": %u, \"type\": %u, \"probes\": %" PRIu64 ", \"missed\": %" PRIu64 ", \"backends\": %u}",
		*first ? "" : ",", buf, port, type, probes, missed, users);
	*first = false;
}

static void write_stats(void)
{
	char tmp[PATH_MAX];
	struct rusage ru;
	bool first = true;
	void *arg[2];
	FILE *f;

	if (!stats_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", stats_path);
	f = fopen(tmp, "w");
	if (!f) {
		log_err("%s: %s", tmp, strerror(errno));
		return;
	}
	getrusage(RUSAGE_SELF, &ru);
	fprintf(f, "{\n  \"uptime_ms\": %" PRIu64 ",\n"
		"  \"cpu_user_ms\": %ld,\n  \"cpu_sys_ms\": %ld,\n"
		"  \"max_rss_kb\": %ld,\n"
		"  \"groups\": %u,\n  \"backends\": %u,\n  \"targets\": %u,\n"
		"  \"probes\": %" PRIu64 ",\n  \"probes_ok\": %" PRIu64 ",\n"
		"  \"probes_failed\": %" PRIu64 ",\n"
		"  \"missed\": %" PRIu64 ",\n"
		"  \"late_max_us\": %" PRIu64 ",\n"
		"  \"late_avg_us\": %" PRIu64 ",\n"
		"  \"changes\": %" PRIu64 ",\n"
		"  \"writes\": %" PRIu64 ",\n  \"write_errors\": %" PRIu64 ",\n"
		"  \"notifications\": %" PRIu64 ",\n  \"resyncs\": %" PRIu64 ",\n"
		"  \"per_target\": [",
		(now_ns() - started) / 1000000,
		ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000,
		ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000,
		ru.ru_maxrss, stats.groups, stats.backends, stats.targets,
		stats.probes, stats.probes_ok, stats.probes_failed,
		stats.missed, stats.late_max_ns / 1000,
		stats.probes ? stats.late_sum_ns / stats.probes / 1000 : 0,
		stats.changes, stats.writes, stats.write_errors,
		stats.notifications, stats.resyncs);
	arg[0] = f;
	arg[1] = &first;
	conf_stats_targets(target_json, arg);
	fputs("\n  ]\n}\n", f);
	if (fclose(f) || rename(tmp, stats_path))
		log_err("%s: %s", stats_path, strerror(errno));
}

static void on_signal(struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: exiting, the kernel's state stays",
				 si.ssi_signo);
			quit = true;
			break;
		case SIGHUP:
			log_info("SIGHUP: reading the configuration again");
			if (source == &kernel_source)
				kernel_resync();
			else
				file_reload();
			break;
		case SIGUSR1:
			write_stats();
			break;
		}
	}
}

/* The namespace served is deleted: nothing left to serve. */
static void on_inotify(struct watch *w, uint32_t events)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n;
		     p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->len && !strcmp(ev->name, netns) &&
			    (ev->mask & (IN_DELETE | IN_MOVED_FROM))) {
				log_notice("network namespace %s deleted: exiting",
					   netns);
				quit = true;
			}
		}
	}
}

static int enter_netns(const char *name)
{
	char p[PATH_MAX];
	int fd;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..")) {
		log_err("invalid network namespace name '%s'", name);
		return -1;
	}
	snprintf(p, sizeof(p), NETNS_DIR "/%s", name);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_err("network namespace %s: %s", name, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET)) {
		log_err("cannot enter network namespace %s: %s", name,
			strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	/* Deletion unmounts and removes the name. */
	ino_w.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino_w.fd < 0 ||
	    inotify_add_watch(ino_w.fd, NETNS_DIR,
			      IN_DELETE | IN_MOVED_FROM) < 0) {
		log_err("cannot watch " NETNS_DIR ": %s", strerror(errno));
		return -1;
	}
	ino_w.fn = on_inotify;
	return watch_add(&ino_w, EPOLLIN);
}

static int setup_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	sig_w.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sig_w.fd < 0)
		return -1;
	sig_w.fn = on_signal;
	return watch_add(&sig_w, EPOLLIN);
}

/* Thousands of probes in flight need as many descriptors. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void idle(void)
{
	source->flush();
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "netns", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-reports", no_argument, NULL, 'R' },
		{ "stats", required_argument, NULL, 'S' },
		{ "config", required_argument, NULL, 'C' },
		{ "output", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *config = NULL, *output = NULL;
	int c, err;

	while ((c = getopt_long(argc, argv, "n:vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			netns = optarg;
			break;
		case 'v':
			log_level = LOG_DEBUG_;
			break;
		case 'q':
			log_level = LOG_NOTICE_;
			break;
		case 'R':
			report_probes = false;
			break;
		case 'S':
			stats_path = optarg;
			break;
		case 'C':
			config = optarg;
			break;
		case 'O':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		log_err("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (output && !config) {
		log_err("--output needs --config");
		return 2;
	}
	started = now_ns();
	raise_nofile();
	loop_init();
	if (setup_signals()) {
		log_err("signals: %s", strerror(errno));
		return 1;
	}
	if (netns && enter_netns(netns))
		return 1;
	loop_idle = idle;
	source = config ? &file_source : &kernel_source;
	err = config ? file_start(config, output) : kernel_start();
	if (err)
		return 1;
	log_info("started%s%s", netns ? " in network namespace " : "",
		 netns ? netns : "");
	while (!quit)
		loop_once();
	write_stats();
	if (config)
		file_stop();
	else
		kernel_stop();
	conf_clear();
	if (ino_w.fd >= 0)
		close(ino_w.fd);
	close(sig_w.fd);
	loop_exit();
	return 0;
}
