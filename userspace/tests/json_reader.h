/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * json_reader.h - the tests' one JSON reader: a strict RFC 8259 parser
 * into a small DOM. Strict: duplicate keys, control characters in
 * strings, bad escapes, leading zeros, trailing commas and trailing text
 * are refused. A number keeps its literal text, so a test can check how
 * it was written (test_timeline: microseconds with exactly 3 decimals).
 *
 * json_valid() - every JSON the tool prints must parse;
 * json_parse() / json_get() / json_str() / json_free() - read it.
 */
#ifndef VT_JSON_READER_H
#define VT_JSON_READER_H

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

/**
 * struct json - one value
 * @t:		its type
 * @num:	JSON_NUM: the value; JSON_BOOL: 1 or 0
 * @str:	JSON_STR: the text (\u escapes above ASCII read as '?');
 *		JSON_NUM: the literal as written
 * @items:	JSON_ARR, JSON_OBJ: the values, in order
 * @keys:	JSON_OBJ: the keys of @items
 * @n:		entries in @items
 */
struct json {
	enum json_type t;
	double num;
	char *str;
	struct json **items;
	char **keys;
	size_t n;
};

/* the parser's position and its first error */
struct json_in {
	const char *p;
	const char *err;
};

static inline void json_free(struct json *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		json_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

static inline void json_ws_(struct json_in *in)
{
	while (*in->p == ' ' || *in->p == '\n' || *in->p == '\t' ||
	       *in->p == '\r')
		in->p++;
}

static inline bool json_fail_(struct json_in *in, const char *why)
{
	if (!in->err)
		in->err = why;
	return false;
}

/* A string at in->p (on its '"'), into malloc'd text; NULL on error. */
static inline char *json_string_(struct json_in *in)
{
	size_t cap = 16, n = 0;
	char *s = malloc(cap), *ns;

	if (!s) {
		json_fail_(in, "out of memory");
		return NULL;
	}
	in->p++;
	while (*in->p != '"') {
		char c = *in->p;

		if (!c || (unsigned char)c < 0x20)
			goto bad;
		if (c == '\\') {
			in->p++;
			if (*in->p == 'u') {
				unsigned int i, v = 0;

				for (i = 1; i <= 4; i++) {
					unsigned char h = (unsigned char)in->p[i];

					if (!isxdigit(h))
						goto bad;
					v = v * 16 + (isdigit(h) ? (unsigned int)(h - '0') :
						      (unsigned int)tolower(h) - 'a' + 10);
				}
				c = v < 0x80 ? (char)v : '?';
				in->p += 4;
			} else if (*in->p && strchr("\"\\/", *in->p)) {
				c = *in->p;
			} else if (*in->p == 'n') {
				c = '\n';
			} else if (*in->p == 't') {
				c = '\t';
			} else if (*in->p == 'r' || *in->p == 'b' || *in->p == 'f') {
				c = ' ';
			} else {
				goto bad;
			}
		}
		if (n + 2 > cap) {
			ns = realloc(s, cap *= 2);
			if (!ns) {
				json_fail_(in, "out of memory");
				free(s);
				return NULL;
			}
			s = ns;
		}
		s[n++] = c;
		in->p++;
	}
	in->p++;
	s[n] = '\0';
	return s;
bad:
	json_fail_(in, "bad string");
	free(s);
	return NULL;
}

static inline bool json_push_(struct json_in *in, struct json *v, char *key,
			      struct json *item)
{
	if (!(v->n & (v->n - 1))) {	/* 0, 1, 2, 4, ...: double */
		size_t cap = v->n ? v->n * 2 : 1;
		struct json **ni = realloc(v->items, cap * sizeof(*ni));
		char **nk;

		if (!ni)
			return json_fail_(in, "out of memory");
		v->items = ni;
		if (v->t == JSON_OBJ) {
			nk = realloc(v->keys, cap * sizeof(*nk));
			if (!nk)
				return json_fail_(in, "out of memory");
			v->keys = nk;
		}
	}
	if (v->t == JSON_OBJ)
		v->keys[v->n] = key;
	v->items[v->n++] = item;
	return true;
}

/* An RFC 8259 number at in->p: its literal, or false. */
static inline bool json_number_(struct json_in *in)
{
	if (*in->p == '-')
		in->p++;
	if (*in->p == '0')
		in->p++;
	else if (isdigit((unsigned char)*in->p))
		while (isdigit((unsigned char)*in->p))
			in->p++;
	else
		return json_fail_(in, "value expected");
	if (*in->p == '.') {
		in->p++;
		if (!isdigit((unsigned char)*in->p))
			return json_fail_(in, "bad fraction");
		while (isdigit((unsigned char)*in->p))
			in->p++;
	}
	if (*in->p == 'e' || *in->p == 'E') {
		in->p++;
		if (*in->p == '+' || *in->p == '-')
			in->p++;
		if (!isdigit((unsigned char)*in->p))
			return json_fail_(in, "bad exponent");
		while (isdigit((unsigned char)*in->p))
			in->p++;
	}
	return true;
}

static inline struct json *json_value_(struct json_in *in, int depth);

/* The members of an object or array at in->p (on its '{' or '['). */
static inline bool json_members_(struct json_in *in, struct json *v, int depth)
{
	char close = v->t == JSON_OBJ ? '}' : ']';

	in->p++;
	json_ws_(in);
	if (*in->p == close) {
		in->p++;
		return true;
	}
	for (;;) {
		struct json *item;
		char *key = NULL;
		size_t i;

		json_ws_(in);
		if (v->t == JSON_OBJ) {
			if (*in->p != '"')
				return json_fail_(in, "key expected");
			key = json_string_(in);
			if (!key)
				return false;
			for (i = 0; i < v->n; i++)
				if (!strcmp(v->keys[i], key)) {
					free(key);
					return json_fail_(in, "duplicate key");
				}
			json_ws_(in);
			if (*in->p != ':') {
				free(key);
				return json_fail_(in, "':' expected");
			}
			in->p++;
		}
		item = json_value_(in, depth + 1);
		if (!item || !json_push_(in, v, key, item)) {
			free(key);
			json_free(item);
			return false;
		}
		json_ws_(in);
		if (*in->p == close) {
			in->p++;
			return true;
		}
		if (*in->p != ',')
			return json_fail_(in, "',' or end expected");
		in->p++;
	}
}

static inline struct json *json_new_(struct json_in *in, enum json_type t)
{
	struct json *v = calloc(1, sizeof(*v));

	if (!v)
		json_fail_(in, "out of memory");
	else
		v->t = t;
	return v;
}

static inline struct json *json_value_(struct json_in *in, int depth)
{
	struct json *v;
	const char *s;

	if (depth > 64) {
		json_fail_(in, "too deep");
		return NULL;
	}
	json_ws_(in);
	s = in->p;
	if (*s == '{' || *s == '[') {
		v = json_new_(in, *s == '{' ? JSON_OBJ : JSON_ARR);
		if (v && !json_members_(in, v, depth)) {
			json_free(v);
			v = NULL;
		}
		return v;
	}
	if (*s == '"') {
		v = json_new_(in, JSON_STR);
		if (v && !(v->str = json_string_(in))) {
			json_free(v);
			v = NULL;
		}
		return v;
	}
	if (!strncmp(s, "true", 4) || !strncmp(s, "null", 4) ||
	    !strncmp(s, "false", 5)) {
		v = json_new_(in, *s == 'n' ? JSON_NULL : JSON_BOOL);
		if (v)
			v->num = *s == 't';
		in->p += *s == 'f' ? 5 : 4;
		return v;
	}
	if (!json_number_(in))
		return NULL;
	v = json_new_(in, JSON_NUM);
	if (v && !(v->str = strndup(s, (size_t)(in->p - s)))) {
		json_fail_(in, "out of memory");
		json_free(v);
		return NULL;
	}
	if (v)
		v->num = strtod(v->str, NULL);
	return v;
}

/**
 * json_parse() - parse @text: exactly one value, with white space around
 * @text:	NUL-terminated
 * @err:	set to why it did not parse (may be NULL)
 * @off:	set to the offset where it stopped (may be NULL)
 *
 * Return: the value for json_free(), or NULL.
 */
static inline struct json *json_parse(const char *text, const char **err,
				      size_t *off)
{
	struct json_in in = { text, NULL };
	struct json *v = json_value_(&in, 0);

	if (v) {
		json_ws_(&in);
		if (*in.p) {
			json_fail_(&in, "trailing text");
			json_free(v);
			v = NULL;
		}
	}
	if (err)
		*err = in.err;
	if (off)
		*off = (size_t)(in.p - text);
	return v;
}

/* True if @s is exactly one JSON value (with surrounding whitespace). */
static inline bool json_valid(const char *s)
{
	struct json *v = json_parse(s, NULL, NULL);
	bool ok = v != NULL;

	json_free(v);
	return ok;
}

/* The value of @key in object @o, or NULL. */
static inline struct json *json_get(const struct json *o, const char *key)
{
	size_t i;

	if (!o || o->t != JSON_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->items[i];
	return NULL;
}

/* The string @key of object @o, or NULL (absent, not a string). */
static inline const char *json_str(const struct json *o, const char *key)
{
	const struct json *v = json_get(o, key);

	return v && v->t == JSON_STR ? v->str : NULL;
}

#endif /* VT_JSON_READER_H */
