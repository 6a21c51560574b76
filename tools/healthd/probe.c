// SPDX-License-Identifier: GPL-2.0
/*
 * One probe of a target, non-blocking, driven by the event loop:
 *
 *   tcp    connect; success once connected
 *   http   connect, send a GET, read the status line; success when the
 *          status code is one of the accepted ones
 *   udp    send one datagram on a connected socket; success on an answer,
 *          failure on an ICMP error (the socket reports it) and, when an
 *          answer is needed, on silence
 *   agent  connect, read one line of words (up, down, drain, 50%, ...)
 *
 * Every probe ends by its deadline (the check's timeout) at the latest,
 * whatever the peer does (silence, garbage, endless data, resets). TCP
 * sockets are closed with a reset (SO_LINGER 0), so that thousands of
 * probes a second leave no TIME_WAIT sockets behind on the prober.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "healthd.h"

enum {
	PHASE_IDLE,
	PHASE_CONNECT,
	PHASE_SEND,
	PHASE_READ,
};

bool probe_running(const struct probe *pr)
{
	return pr->phase != PHASE_IDLE;
}

static void probe_close(struct probe *pr)
{
	timer_cancel(&pr->deadline);
	if (pr->w.fd >= 0) {
		watch_del(&pr->w);
		close(pr->w.fd);
		pr->w.fd = -1;
	}
	pr->phase = PHASE_IDLE;
}

static void finish(struct probe *pr, enum probe_result r, const char *text,
		   const struct agent_answer *a)
{
	probe_close(pr);
	pr->done(pr, r, text, a);
}

/* Abort without a result (the target goes away or is reconfigured). */
void probe_abort(struct probe *pr)
{
	probe_close(pr);
}

static void fail_errno(struct probe *pr, const char *what, int err)
{
	char text[NLB_HEALTH_TEXT_MAX_LEN + 1];
	const char *name;

	switch (err) {
	case ECONNREFUSED:
		name = pr->p->type == NLB_CHECK_UDP ? "port unreachable" :
		       "refused";
		break;
	case ETIMEDOUT:
		name = "timeout";
		break;
	case ECONNRESET:
		name = "reset";
		break;
	case EHOSTUNREACH:
	case ENETUNREACH:
		name = "unreachable";
		break;
	default:
		name = strerrorname_np(err);
		if (!name)
			name = "error";
	}
	snprintf(text, sizeof(text), "%s %s", what, name);
	finish(pr, PROBE_FAIL, text, NULL);
}

/*
 * The status code of an HTTP status line at the start of buf: the code,
 * 0 if more bytes are needed, -1 if it is not one.
 */
int http_status_line(const char *buf, size_t len)
{
	static const char pat[] = "HTTP/d.d ddd";
	size_t i;

	for (i = 0; i < len && i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)buf[i]) :
		    buf[i] != pat[i])
			return -1;
	}
	if (len < sizeof(pat))
		return 0;
	if (buf[12] != ' ' && buf[12] != '\r' && buf[12] != '\n')
		return -1;
	return (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
}

/*
 * An agent's line: words separated by blanks or commas. up or ready: up;
 * down, fail, failed, stop, stopped or maint: down; drain: weight 0; N%:
 * weight N (0-100). Other words are ignored. Writes "agent WORDS..." to
 * text. Returns 0, or -1 if no word was understood.
 */
int agent_parse(const char *line, struct agent_answer *a, char *text,
		size_t len)
{
	static const char *const ups[] = { "up", "ready" };
	static const char *const downs[] = {
		"down", "fail", "failed", "stop", "stopped", "maint"
	};
	char word[16];
	size_t n, i, t;
	bool known = false, ok;
	char *end;
	long v;

	a->up = a->down = false;
	a->weight = -1;
	t = snprintf(text, len, "agent");
	while (*line) {
		n = strcspn(line, " \t,\r\n");
		if (!n) {
			line++;
			continue;
		}
		ok = false;
		if (n < sizeof(word)) {
			for (i = 0; i < n; i++)
				word[i] = tolower((unsigned char)line[i]);
			word[n] = '\0';
			for (i = 0; i < ARRAY_SIZE(ups); i++)
				if (!strcmp(word, ups[i]))
					ok = a->up = true;
			for (i = 0; i < ARRAY_SIZE(downs); i++)
				if (!strcmp(word, downs[i]))
					ok = a->down = true;
			if (!strcmp(word, "drain")) {
				a->weight = 0;
				ok = true;
			}
			if (isdigit((unsigned char)word[0]) &&
			    word[n - 1] == '%') {
				v = strtol(word, &end, 10);
				if (end == word + n - 1 && v <= 100) {
					a->weight = v;
					ok = true;
				}
			}
		}
		if (ok) {
			known = true;
			/* whole words only */
			if (t + 1 + n < len)
				t += snprintf(text + t, len - t, " %s", word);
		}
		line += n;
	}
	/* "up down" says nothing sure */
	if (a->up && a->down)
		return -1;
	return known ? 0 : -1;
}

static bool status_ok(const struct probe_params *p, int code)
{
	int i;

	for (i = 0; i < p->nstatus; i++)
		if (code >= p->status[i].lo && code <= p->status[i].hi)
			return true;
	return false;
}

static void read_http(struct probe *pr)
{
	char text[NLB_HEALTH_TEXT_MAX_LEN + 1];
	int code = http_status_line(pr->buf, pr->got);

	if (!code)
		return;
	if (code < 0) {
		finish(pr, PROBE_FAIL, "http bad response", NULL);
		return;
	}
	snprintf(text, sizeof(text), "http %d", code);
	finish(pr, status_ok(pr->p, code) ? PROBE_OK : PROBE_FAIL, text,
	       NULL);
}

static void read_agent(struct probe *pr, bool eof)
{
	char text[NLB_HEALTH_TEXT_MAX_LEN + 1];
	struct agent_answer a;
	char *nl;

	nl = memchr(pr->buf, '\n', pr->got);
	if (!nl && !eof && pr->got < sizeof(pr->buf) - 1)
		return;
	if (!pr->got) {
		finish(pr, PROBE_FAIL, "agent closed", NULL);
		return;
	}
	if (nl)
		*nl = '\0';
	pr->buf[pr->got] = '\0';
	if (agent_parse(pr->buf, &a, text, sizeof(text))) {
		finish(pr, PROBE_FAIL, "agent bad answer", NULL);
		return;
	}
	finish(pr, PROBE_AGENT, text, &a);
}

static void on_read(struct probe *pr)
{
	ssize_t n;

	if (pr->p->type == NLB_CHECK_UDP) {
		n = recv(pr->w.fd, pr->buf, sizeof(pr->buf), 0);
		if (n >= 0)
			finish(pr, PROBE_OK, "udp reply", NULL);
		else if (errno != EAGAIN && errno != EINTR)
			fail_errno(pr, "udp", errno);
		return;
	}
	for (;;) {
		n = recv(pr->w.fd, pr->buf + pr->got,
			 sizeof(pr->buf) - 1 - pr->got, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			fail_errno(pr, pr->p->type == NLB_CHECK_HTTP ?
				   "http" : "agent", errno);
			return;
		}
		pr->got += n;
		if (pr->p->type == NLB_CHECK_HTTP) {
			if (!n) {
				if (http_status_line(pr->buf, pr->got) <= 0) {
					finish(pr, PROBE_FAIL, pr->got ?
					       "http bad response" :
					       "http closed", NULL);
					return;
				}
			}
			read_http(pr);
		} else {
			read_agent(pr, !n);
		}
		if (!probe_running(pr) || !n)
			return;
	}
}

static void on_send(struct probe *pr)
{
	ssize_t n;

	while (pr->sent < pr->req_len) {
		n = send(pr->w.fd, pr->req + pr->sent, pr->req_len - pr->sent,
			 MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			fail_errno(pr, "http", errno);
			return;
		}
		pr->sent += n;
	}
	pr->phase = PHASE_READ;
	watch_mod(&pr->w, EPOLLIN | EPOLLRDHUP);
}

static void connected(struct probe *pr)
{
	const struct probe_params *p = pr->p;
	char host[INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN];

	switch (p->type) {
	case NLB_CHECK_TCP:
		finish(pr, PROBE_OK, "connected", NULL);
		return;
	case NLB_CHECK_HTTP:
		if (p->http_host[0]) {
			snprintf(host, sizeof(host), "%s", p->http_host);
		} else {
			addr_str(&p->addr, a, sizeof(a));
			snprintf(host, sizeof(host),
				 p->addr.fam == AF_INET6 ? "[%s]" : "%s", a);
			if (p->port != 80)
				snprintf(host + strlen(host),
					 sizeof(host) - strlen(host), ":%u",
					 p->port);
		}
		pr->req_len = snprintf(pr->req, sizeof(pr->req),
				       "GET %s HTTP/1.1\r\nHost: %s\r\n"
				       "User-Agent: " PROG_NAME "\r\n"
				       "Accept: */*\r\nConnection: close\r\n\r\n",
				       p->http_path, p->http_host[0] ?
				       p->http_host : host);
		pr->sent = 0;
		pr->phase = PHASE_SEND;
		watch_mod(&pr->w, EPOLLOUT);
		on_send(pr);
		return;
	default:	/* agent */
		pr->phase = PHASE_READ;
		watch_mod(&pr->w, EPOLLIN | EPOLLRDHUP);
		return;
	}
}

static void on_event(struct watch *w, uint32_t events)
{
	struct probe *pr = (struct probe *)((char *)w -
					    offsetof(struct probe, w));
	socklen_t len = sizeof(int);
	int err = 0;

	switch (pr->phase) {
	case PHASE_CONNECT:
		if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			fail_errno(pr, "connect", err);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		connected(pr);
		return;
	case PHASE_SEND:
		if (events & (EPOLLERR | EPOLLHUP)) {
			getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len);
			fail_errno(pr, "http", err ? err : ECONNRESET);
			return;
		}
		on_send(pr);
		return;
	case PHASE_READ:
		on_read(pr);
		return;
	}
}

static void on_deadline(struct timer *t)
{
	probe_timeout((struct probe *)((char *)t -
				       offsetof(struct probe, deadline)));
}

/* The probe's time is up: it ends now, as its deadline says. */
void probe_timeout(struct probe *pr)
{
	const char *what = "connect timeout";

	if (pr->phase != PHASE_CONNECT) {
		switch (pr->p->type) {
		case NLB_CHECK_HTTP:
			what = "http timeout";
			break;
		case NLB_CHECK_AGENT:
			what = "agent timeout";
			break;
		case NLB_CHECK_UDP:
			if (!pr->p->udp_reply) {
				finish(pr, PROBE_OK, "udp no reply", NULL);
				return;
			}
			what = "udp timeout";
			break;
		}
	}
	finish(pr, PROBE_FAIL, what, NULL);
}

static socklen_t sockaddr_of(const struct probe_params *p,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (p->addr.fam == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_addr = p->addr.v4;
		s->sin_port = htons(p->port);
		return sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_addr = p->addr.v6;
		s->sin6_port = htons(p->port);
		return sizeof(*s);
	}
}

/* Start a probe; its done() is called once, from the event loop. */
void probe_start(struct probe *pr)
{
	const struct probe_params *p = pr->p;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	bool udp = p->type == NLB_CHECK_UDP;
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(p, &ss);
	int fd, err;

	pr->got = 0;
	pr->sent = 0;
	pr->deadline.fn = on_deadline;
	pr->w.fn = on_event;
	fd = socket(p->addr.fam, (udp ? SOCK_DGRAM : SOCK_STREAM) |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
		pr->w.fd = -1;
		pr->phase = PHASE_CONNECT;
		fail_errno(pr, "socket", err);
		return;
	}
	pr->w.fd = fd;
	pr->phase = udp ? PHASE_READ : PHASE_CONNECT;
	timer_arm(&pr->deadline, now_ns() + (uint64_t)p->timeout * 1000000);
	if (!udp)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (watch_add(&pr->w, udp ? EPOLLIN : EPOLLOUT)) {
		err = errno;
		close(fd);
		pr->w.fd = -1;
		fail_errno(pr, "socket", err);
		return;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS) {
		fail_errno(pr, udp ? "udp" : "connect", errno);
		return;
	}
	if (udp && send(fd, p->payload, p->payload_len, 0) < 0 &&
	    errno != EAGAIN)
		fail_errno(pr, "udp", errno);
}
