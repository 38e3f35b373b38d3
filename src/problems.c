/*
 * problems.c - lists of (path, message) problems found in a form or answers:
 * errors, which refuse what was checked, and warnings, which do not.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/texts.h"
#include "form_int.h"

typedef struct problem {
    char *path;
    char *message;
    int warning;
} problem;

struct sr_problems {
    problem *items;
    size_t count, cap;
    int sv; /* messages in Swedish (sr_problems_set_lang); 0: English */
};

sr_problems *sr_problems_new(void)
{
    return calloc(1, sizeof(sr_problems));
}

void sr_problems_set_lang(sr_problems *p, const char *lang)
{
    if (p)
        p->sv = lang && !srp_lang_is_en(lang);
}

const char *sr_problems_lang(const sr_problems *p)
{
    return p && p->sv ? "sv" : "en";
}

void sr_problems_clear(sr_problems *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i].path);
        free(p->items[i].message);
    }
    p->count = 0;
}

void sr_problems_free(sr_problems *p)
{
    if (!p)
        return;
    sr_problems_clear(p);
    free(p->items);
    free(p);
}

size_t sr_problems_count(const sr_problems *p)
{
    return p ? p->count : 0;
}

const char *sr_problems_path(const sr_problems *p, size_t i)
{
    return p->items[i].path;
}

const char *sr_problems_message(const sr_problems *p, size_t i)
{
    return p->items[i].message;
}

int sr_problems_is_warning(const sr_problems *p, size_t i)
{
    return p->items[i].warning;
}

size_t sr_problems_error_count(const sr_problems *p)
{
    size_t n = 0;
    for (size_t i = 0; p && i < p->count; i++)
        n += !p->items[i].warning;
    return n;
}

static int add(sr_problems *p, int warning, const char *path, const char *fmt, va_list ap)
{
    if (!p)
        return 0;
    void *items = p->items;
    if (srp_grow(&items, &p->cap, p->count + 1, sizeof *p->items) != 0)
        return -1;
    p->items = items;
    char message[512];
    vsnprintf(message, sizeof message, fmt, ap);
    problem *q = &p->items[p->count];
    q->warning = warning;
    q->path = strdup(path ? path : "");
    q->message = strdup(message);
    if (!q->path || !q->message) {
        free(q->path);
        free(q->message);
        return -1;
    }
    p->count++;
    return 0;
}

int srp_problems_add(sr_problems *p, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = add(p, 0, path, fmt, ap);
    va_end(ap);
    return rc;
}

int srp_problems_warn(sr_problems *p, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = add(p, 1, path, fmt, ap);
    va_end(ap);
    return rc;
}

int sr_problems_add(sr_problems *p, const char *path, const char *message)
{
    return srp_problems_add(p, path, "%s", message ? message : "");
}
