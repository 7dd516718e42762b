// SPDX-License-Identifier: GPL-2.0
/*
 * http.c - the /metrics endpoint of vgic-traced (--metrics-listen).
 *
 * A minimal HTTP/1.x server with no thread of its own: every socket is
 * non-blocking and vt_http_service() is called from the drain loop
 * between two polls of the source, so a scrape (or a client that sends
 * nothing, or reads nothing) can never hold up recording. One request
 * per connection ("Connection: close"). GET/HEAD /metrics answer the
 * Prometheus text format 0.0.4, or OpenMetrics 1.0 when the Accept
 * header asks for application/openmetrics-text (what Prometheus sends).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "traced.h"

#define HTTP_CLIENTS	16		/* connections served at once */
#define HTTP_REQ_MAX	8192		/* request head limit */
#define HTTP_IDLE_NS	(5ull * 1000000000)	/* a client this slow is dropped */

struct http_client {
	int fd;
	uint64_t since;
	size_t inlen;
	char in[HTTP_REQ_MAX + 1];
	char *out;		/* the whole response, once the request is read */
	size_t outlen, outoff;
};

struct vt_http {
	int lfd;
	char addr[128];		/* as bound: "127.0.0.1:9464", "[::1]:9464" */
	vt_http_body_fn body;
	void *arg;
	struct http_client c[HTTP_CLIENTS];
	uint64_t served;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "HOST:PORT", "[V6]:PORT": split into @host and @port (both copied) */
static int split_addr(const char *s, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon, *h = s, *he;

	if (*s == '[') {
		he = strchr(s, ']');
		if (!he || he[1] != ':')
			return -EINVAL;
		h = s + 1;
		colon = he + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return -EINVAL;	/* a bare IPv6 address needs [] */
		he = colon;
	}
	if (he == h || (size_t)(he - h) >= hlen || !colon[1] || strlen(colon + 1) >= plen)
		return -EINVAL;
	memcpy(host, h, (size_t)(he - h));
	host[he - h] = 0;
	strcpy(port, colon + 1);
	return 0;
}

static void name_of(const struct sockaddr_storage *ss, char *buf, size_t blen)
{
	const struct sockaddr_in *in = (const void *)ss;
	const struct sockaddr_in6 *in6 = (const void *)ss;
	char h[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &in6->sin6_addr, h, sizeof(h));
		snprintf(buf, blen, "[%s]:%u", h, ntohs(in6->sin6_port));
	} else {
		inet_ntop(AF_INET, &in->sin_addr, h, sizeof(h));
		snprintf(buf, blen, "%s:%u", h, ntohs(in->sin_port));
	}
}

/* numeric IPv4/IPv6 or "localhost": no resolver (none at start, none static) */
static int make_addr(const char *host, unsigned int port, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	struct sockaddr_in *in = (void *)ss;
	struct sockaddr_in6 *in6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (!strcmp(host, "localhost"))
		host = "127.0.0.1";
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

/**
 * vt_http_listen() - bind the metrics endpoint
 * @addr:	"IPV4:PORT", "[IPV6]:PORT" or "localhost:PORT"; port 0 picks one
 * @body:	writes the metrics (called once per request)
 * @arg:	argument of @body
 * @out:	the endpoint
 *
 * Return: 0 or -errno; the message (which address, which step) is printed.
 */
int vt_http_listen(const char *addr, vt_http_body_fn body, void *arg,
		   struct vt_http **out)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char host[100], port[16];
	struct vt_http *h;
	int fd, one = 1, err, i;
	char *end;
	long pn;

	if (split_addr(addr, host, sizeof(host), port, sizeof(port))) {
		fprintf(stderr, "vgic-traced: --metrics-listen: '%s' is not HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464)\n",
			addr);
		return -EINVAL;
	}
	pn = strtol(port, &end, 10);
	if (*end || pn < 0 || pn > 65535 || (port[0] == '0' && port[1])) {
		fprintf(stderr, "vgic-traced: --metrics-listen %s: port '%s' is not a number 0..65535\n",
			addr, port);
		return -EINVAL;
	}
	if (make_addr(host, (unsigned int)pn, &ss, &sl)) {
		fprintf(stderr, "vgic-traced: --metrics-listen %s: '%s' is not an IPv4/IPv6 address or localhost\n",
			addr, host);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "vgic-traced: --metrics-listen %s: socket: %s\n", addr, strerror(-err));
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, HTTP_CLIENTS)) {
		err = -errno;
		fprintf(stderr, "vgic-traced: --metrics-listen %s: bind: %s\n", addr, strerror(-err));
		close(fd);
		return err;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		close(fd);
		return -ENOMEM;
	}
	h->lfd = fd;
	h->body = body;
	h->arg = arg;
	for (i = 0; i < HTTP_CLIENTS; i++)
		h->c[i].fd = -1;
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		snprintf(h->addr, sizeof(h->addr), "%s", addr);
	else
		name_of(&ss, h->addr, sizeof(h->addr));
	*out = h;
	return 0;
}

/**
 * vt_http_address() - the bound address ("127.0.0.1:9464")
 * @h:		endpoint
 *
 * Return: the address (the real port when 0 was asked for).
 */
const char *vt_http_address(const struct vt_http *h)
{
	return h->addr;
}

static void drop(struct http_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	c->out = NULL;
	c->fd = -1;
	c->inlen = c->outlen = c->outoff = 0;
}

static void respond(struct http_client *c, const char *status, const char *ctype,
		    const char *extra, const char *body, size_t blen, bool head)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	fprintf(f, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		"Cache-Control: no-store\r\nConnection: close\r\n%s\r\n",
		status, ctype, blen, extra ? extra : "");
	if (!head)
		fwrite(body, 1, blen, f);
	if (fclose(f)) {
		free(buf);
		return;
	}
	c->out = buf;
	c->outlen = len;
	c->outoff = 0;
}

static void error_page(struct http_client *c, const char *status, const char *extra,
		       bool head)
{
	char msg[200];
	int n = snprintf(msg, sizeof(msg), "%s\nvgic-traced serves /metrics\n", status);

	respond(c, status, "text/plain; charset=utf-8", extra, msg, (size_t)n, head);
}

/* does the Accept header (any case) of @hdrs name OpenMetrics? */
static bool accepts_openmetrics(const char *hdrs)
{
	const char *l, *e;

	for (l = hdrs; *l; l = e + (*e != 0)) {
		e = strchr(l, '\n');
		if (!e)
			e = l + strlen(l);
		if (!strncasecmp(l, "accept:", 7) &&
		    memmem(l, (size_t)(e - l), "application/openmetrics-text", 28))
			return true;
	}
	return false;
}

/* the request head is complete: make the whole response */
static void handle(struct vt_http *h, struct http_client *c)
{
	char method[16], path[256], *body = NULL, *eol;
	bool head, om;
	size_t blen = 0;
	FILE *f;
	int err;

	eol = strchr(c->in, '\n');
	if (eol) {
		*eol = 0;
		if (eol > c->in && eol[-1] == '\r')
			eol[-1] = 0;
	}
	if (!eol || sscanf(c->in, "%15s %255s HTTP/1.%*c", method, path) != 2) {
		error_page(c, "400 Bad Request", NULL, false);
		return;
	}
	head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head) {
		error_page(c, "405 Method Not Allowed", "Allow: GET, HEAD\r\n", false);
		return;
	}
	/* a query string (?...) is ignored, as Prometheus' own exporters do */
	path[strcspn(path, "?")] = 0;
	if (strcmp(path, "/metrics")) {
		error_page(c, "404 Not Found", NULL, head);
		return;
	}
	om = accepts_openmetrics(eol + 1);
	f = open_memstream(&body, &blen);
	if (!f) {
		error_page(c, "500 Internal Server Error", NULL, head);
		return;
	}
	err = h->body(f, om, h->arg);
	if (fclose(f) || err) {
		free(body);
		error_page(c, "500 Internal Server Error", NULL, head);
		return;
	}
	respond(c, "200 OK", om ?
		"application/openmetrics-text; version=1.0.0; charset=utf-8" :
		"text/plain; version=0.0.4; charset=utf-8", NULL, body, blen, head);
	free(body);
	h->served++;
}

static void read_some(struct vt_http *h, struct http_client *c)
{
	ssize_t n;

	n = recv(c->fd, c->in + c->inlen, HTTP_REQ_MAX - c->inlen, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop(c);
		return;
	}
	if (n < 0)
		return;
	c->inlen += (size_t)n;
	c->in[c->inlen] = 0;
	if (strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n"))
		handle(h, c);
	else if (c->inlen == HTTP_REQ_MAX)
		error_page(c, "431 Request Header Fields Too Large", NULL, false);
	else
		return;		/* more of the request to come */
	if (!c->out)
		drop(c);	/* no response could be made (out of memory) */
}

static void write_some(struct http_client *c)
{
	ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
			 MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop(c);
		return;
	}
	c->outoff += (size_t)n;
	if (c->outoff == c->outlen) {
		shutdown(c->fd, SHUT_WR);
		drop(c);
	}
}

/**
 * vt_http_service() - accept, read and answer what can be done now,
 * never waiting
 * @h:		endpoint (may be NULL: nothing to do)
 *
 * Called between two polls of the source. Every call does a bounded
 * amount of work: at most HTTP_CLIENTS connections, one recv and one
 * send each.
 */
void vt_http_service(struct vt_http *h)
{
	uint64_t now;
	int i, fd;

	if (!h)
		return;
	now = mono_ns();
	for (i = 0; i < HTTP_CLIENTS; i++) {
		if (h->c[i].fd >= 0)
			continue;
		fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			break;	/* EAGAIN: nobody waiting (or a transient error) */
		h->c[i].fd = fd;
		h->c[i].since = now;
	}
	for (i = 0; i < HTTP_CLIENTS; i++) {
		struct http_client *c = &h->c[i];

		if (c->fd < 0)
			continue;
		if (!c->out)
			read_some(h, c);
		if (c->fd >= 0 && c->out)
			write_some(c);
		if (c->fd >= 0 && now - c->since > HTTP_IDLE_NS)
			drop(c);
	}
}

/**
 * vt_http_served() - requests answered with the metrics
 * @h:		endpoint
 *
 * Return: count.
 */
uint64_t vt_http_served(const struct vt_http *h)
{
	return h ? h->served : 0;
}

/**
 * vt_http_close() - close the endpoint and every connection
 * @h:		endpoint (may be NULL)
 */
void vt_http_close(struct vt_http *h)
{
	int i;

	if (!h)
		return;
	for (i = 0; i < HTTP_CLIENTS; i++)
		drop(&h->c[i]);
	close(h->lfd);
	free(h);
}
