/*
 * router.c - the table of routes (router.h).
 */
#include "router.h"

#include <string.h>

#define ADMIN SR_ROLE_BIT(SR_ROLE_ADMIN)
#define COORD SR_ROLE_BIT(SR_ROLE_COORDINATOR)

/* clang-format off */
static const web_route routes[] = {
    {"GET",  "",                 page_cases,         SR_ANY_ROLE,   "cases", -1},
    {"GET",  "case/new",         page_case_new,      ADMIN | COORD, "case-new", -1},
    {"POST", "case/new",         page_case_new,      ADMIN | COORD, NULL, -1},
    {"GET",  "case/*",           page_case,          ADMIN | COORD, "case", 1},
    {"POST", "case/*/reopen",    page_case_reopen,   ADMIN | COORD, NULL, 1},
    {"GET",  "case/*/delete",    page_case_delete,   ADMIN | COORD, "case-delete", 1},
    {"POST", "case/*/delete",    page_case_delete,   ADMIN | COORD, NULL, 1},
    {"GET",  "stats",            page_stats,         SR_ANY_ROLE,   "stats", -1},
    {"GET",  "stats/report",     page_report,        ADMIN | COORD, "report", -1},
    {"POST", "stats/publish",    page_publish,       ADMIN | COORD, NULL, -1},
    {"GET",  "case/*/register/*", page_register,     ADMIN | COORD, "register", 1},
    {"POST", "case/*/register/*", page_register,     ADMIN | COORD, NULL, 1},
    {"GET",  "response/*/edit",  page_response_edit, ADMIN | COORD, "response-edit", -1},
    {"POST", "response/*/edit",  page_response_edit, ADMIN | COORD, NULL, -1},
    {"GET",  "static/*",         page_static,        0,             NULL, -1},
};
/* clang-format on */

/* 1 when pattern's segments match seg. */
static int matches(const char *pattern, const char seg[][WEB_SEGMENT_MAX + 1], size_t nseg)
{
    size_t i = 0;
    const char *p = pattern;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (i >= nseg)
            return 0;
        if (!(len == 1 && p[0] == '*') && (strlen(seg[i]) != len || memcmp(seg[i], p, len) != 0))
            return 0;
        i++;
        p += len;
        if (*p == '/')
            p++;
    }
    return i == nseg;
}

const web_route *web_route_find(const char *method, const char seg[][WEB_SEGMENT_MAX + 1],
                                size_t nseg, int *other_method)
{
    *other_method = 0;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (!matches(routes[i].pattern, seg, nseg))
            continue;
        if (strcmp(routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
            return &routes[i];
        *other_method = 1;
    }
    return NULL;
}
