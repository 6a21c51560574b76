// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal streaming JSON writer: containers, strings and raw literals
 * (numbers, true, false). Strings are escaped; bytes that are not valid
 * UTF-8 are written as the code point of the same value (\u00XX), so the
 * output is always valid JSON.
 */
#include "nlbadm.h"

static struct {
	FILE *f;
	bool pretty;
	int depth;
	bool first;	/* nothing written yet in the current container */
} j;

void json_init(FILE *f, bool pretty)
{
	j.f = f;
	j.pretty = pretty;
	j.depth = 0;
	j.first = true;
}

static void newline(void)
{
	if (j.pretty)
		fprintf(j.f, "\n%*s", 2 * j.depth, "");
}

/* Length of the valid UTF-8 multibyte sequence at p, or 1. */
static int utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 1;
	}
	if (p[1] < lo || p[1] > hi)
		return 1;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

void json_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	fputc('"', f);
	while (*p) {
		n = utf8_len(p);
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
		p++;
	}
	fputc('"', f);
}

/* Separator, indentation and key of the next value. */
static void value(const char *key)
{
	if (!j.first)
		fputc(',', j.f);
	if (j.depth)
		newline();
	j.first = false;
	if (key) {
		json_escape(j.f, key);
		fputs(j.pretty ? ": " : ":", j.f);
	}
}

/* Open '{' or '['; key is NULL in arrays and at the top level. */
void json_begin(char bracket, const char *key)
{
	value(key);
	fputc(bracket, j.f);
	j.depth++;
	j.first = true;
}

void json_end(char bracket)
{
	bool empty = j.first;

	j.depth--;
	if (!empty)
		newline();
	fputc(bracket == '{' ? '}' : ']', j.f);
	j.first = false;
}

void json_str(const char *key, const char *s)
{
	value(key);
	json_escape(j.f, s);
}

void json_raw(const char *key, const char *literal)
{
	value(key);
	fputs(literal, j.f);
}

void json_finish(void)
{
	fputc('\n', j.f);
	j.first = true;
}
