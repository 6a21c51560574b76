// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm exporter [--listen ADDRESS:PORT]: a small HTTP server that
 * answers GET /metrics with "nlbadm metrics". One process, one thread,
 * poll(): requests that arrive together are answered from one reading of
 * the counters. It needs no privilege (reading nlb's configuration does
 * not), and survives bad peers: a request must arrive whole within 10
 * seconds and 8 KiB, at most 64 connections are open at once, and every
 * connection is closed after its answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "nlbadm.h"

#define DEFAULT_LISTEN	"127.0.0.1:9863"
#define MAX_CLIENTS	64
#define REQ_MAX		8192
#define TIMEOUT		10.0

struct client {
	int fd;
	double deadline;
	char req[REQ_MAX];
	size_t reqlen;
	char *resp;		/* the answer, being written */
	size_t resplen, sent;
	bool wants_metrics;	/* waiting for this round's metrics */
	bool closing;		/* answered: reading until the client closes */
	bool head;
};

static struct client clients[MAX_CLIENTS];
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int listen_on(const char *spec)
{
	struct addrinfo hints = {
		.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
		.ai_socktype = SOCK_STREAM,
	}, *res;
	char host[256], *port;
	int fd, one = 1, err;

	if (strlen(spec) >= sizeof(host))
		goto bad;
	if (spec[0] == '[') {
		strcpy(host, spec + 1);
		port = strstr(host, "]:");
		if (!port)
			goto bad;
		*port = '\0';
		port += 2;
	} else {
		strcpy(host, spec);
		port = strrchr(host, ':');
		if (!port)
			goto bad;
		*port++ = '\0';
	}
	err = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (err) {
		pr_err("invalid listen address '%s': %s", spec,
		       gai_strerror(err));
		return -EXIT_USAGE;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 64)) {
		pr_err("cannot listen on %s: %s", spec, strerror(errno));
		freeaddrinfo(res);
		if (fd >= 0)
			close(fd);
		return -EXIT_KERNEL;
	}
	freeaddrinfo(res);
	return fd;
bad:
	pr_err("invalid listen address '%s' (expected ADDRESS:PORT or [IPV6]:PORT)",
	       spec);
	return -EXIT_USAGE;
}

static void drop(struct client *c)
{
	close(c->fd);
	free(c->resp);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void respond(struct client *c, const char *status, const char *type,
		    const char *body, size_t len)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n", status, type, len);
	if (c->head)
		len = 0;
	c->resp = malloc(n + len);
	if (!c->resp) {
		drop(c);
		return;
	}
	memcpy(c->resp, head, n);
	memcpy(c->resp + n, body, len);
	c->resplen = n + len;
	c->sent = 0;
}

static void error_page(struct client *c, const char *status)
{
	char body[128];

	snprintf(body, sizeof(body), "%s\n", status);
	respond(c, status, "text/plain; charset=utf-8", body, strlen(body));
}

/* A whole request head is in: what does it ask? */
static void request(struct client *c)
{
	static const char index_page[] =
		"<html><head><title>nlb exporter</title></head><body>"
		"<h1>nlb exporter</h1><p><a href=\"/metrics\">Metrics</a></p>"
		"</body></html>\n";
	char *sp1, *sp2, *eol;

	if (memchr(c->req, '\0', c->reqlen)) {
		error_page(c, "400 Bad Request");
		return;
	}
	eol = strpbrk(c->req, "\r\n");
	if (eol)
		*eol = '\0';
	sp1 = strchr(c->req, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strncmp(sp2 + 1, "HTTP/1.", 7)) {
		error_page(c, "400 Bad Request");
		return;
	}
	*sp1 = *sp2 = '\0';
	c->head = !strcmp(c->req, "HEAD");
	if (strcmp(c->req, "GET") && !c->head) {
		error_page(c, "405 Method Not Allowed");
		return;
	}
	/* the query string (?name[]=...) is ignored */
	sp1[1 + strcspn(sp1 + 1, "?")] = '\0';
	if (!strcmp(sp1 + 1, "/metrics"))
		c->wants_metrics = true;
	else if (!strcmp(sp1 + 1, "/"))
		respond(c, "200 OK", "text/html; charset=utf-8", index_page,
			sizeof(index_page) - 1);
	else
		error_page(c, "404 Not Found");
}

static void readable(struct client *c)
{
	ssize_t n;

	n = read(c->fd, c->req + c->reqlen, REQ_MAX - 1 - c->reqlen);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop(c);
		return;
	}
	c->reqlen += n;
	c->req[c->reqlen] = '\0';
	if (memchr(c->req, '\0', c->reqlen))
		error_page(c, "400 Bad Request");
	else if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
		request(c);
	else if (c->reqlen == REQ_MAX - 1)
		error_page(c, "431 Request Header Fields Too Large");
}

static void writable(struct client *c)
{
	ssize_t n;

	n = send(c->fd, c->resp + c->sent, c->resplen - c->sent,
		 MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop(c);
		return;
	}
	c->sent += n;
	if (c->sent < c->resplen)
		return;
	/*
	 * Answered: half-close, and read what the client still sends until
	 * it closes (or for 2 seconds), so that closing with unread data
	 * does not reset the connection before the client read the answer.
	 */
	shutdown(c->fd, SHUT_WR);
	c->closing = true;
	if (c->deadline > now_seconds() + 2)
		c->deadline = now_seconds() + 2;
}

static void discard(struct client *c)
{
	char junk[4096];
	ssize_t n;

	n = read(c->fd, junk, sizeof(junk));
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		drop(c);
}

static void accept_all(int lfd)
{
	struct client *c;
	int fd, i;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		for (i = 0; i < MAX_CLIENTS && clients[i].fd >= 0; i++)
			;
		if (i == MAX_CLIENTS) {
			/* full: the oldest gets no more time than the others */
			close(fd);
			continue;
		}
		c = &clients[i];
		c->fd = fd;
		c->deadline = now_seconds() + TIMEOUT;
	}
}

/* The metrics for every client waiting for them, read once. */
static void serve_metrics(void)
{
	char *text = NULL;
	size_t len = 0;
	int i, ret = -1;

	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &clients[i];

		if (c->fd < 0 || !c->wants_metrics)
			continue;
		if (ret < 0)
			ret = metrics_text(&text, &len);
		c->wants_metrics = false;
		if (ret)
			error_page(c, "500 Internal Server Error");
		else
			respond(c, "200 OK",
				"text/plain; version=0.0.4; charset=utf-8",
				text, len);
	}
	free(text);
}

int exporter_main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd[MAX_CLIENTS + 1];
	const char *spec = DEFAULT_LISTEN;
	int lfd, i, n, timeout;
	double now, next;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			spec = argv[++i];
		} else {
			usage_error(!strcmp(argv[i], "--listen") ?
				    "missing ADDRESS:PORT after '%s'" :
				    "unexpected argument '%s'", argv[i]);
			return usage_cmd("exporter");
		}
	}
	lfd = listen_on(spec);
	if (lfd < 0)
		return -lfd;
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, PROG_NAME " exporter: serving /metrics on %s\n", spec);

	while (!stop) {
		now = now_seconds();
		next = now + 60;
		pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &clients[i];

			pfd[i + 1] = (struct pollfd){ .fd = -1 };
			if (c->fd < 0)
				continue;
			if (now >= c->deadline) {
				drop(c);
				continue;
			}
			if (c->deadline < next)
				next = c->deadline;
			pfd[i + 1].fd = c->fd;
			pfd[i + 1].events = c->resp && !c->closing ? POLLOUT :
					    POLLIN;
		}
		timeout = (int)((next - now) * 1000) + 1;
		n = poll(pfd, MAX_CLIENTS + 1, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("poll: %s", strerror(errno));
			return EXIT_KERNEL;
		}
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &clients[i];

			if (pfd[i + 1].fd < 0 || c->fd != pfd[i + 1].fd ||
			    !pfd[i + 1].revents)
				continue;
			if (c->closing)
				discard(c);
			else if (c->resp)
				writable(c);
			else if (!c->wants_metrics)
				readable(c);
		}
		serve_metrics();
		if (pfd[0].revents)
			accept_all(lfd);
	}
	close(lfd);
	return EXIT_OK;
}
