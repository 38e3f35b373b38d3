/*
 * router.h - which page answers which path (router.c): one table of
 * routes, each with its method, its path pattern, the roles it is for and
 * the name its views are logged under. The server looks the route up after
 * its checks and before calling the page; this module must not do any
 * checking itself.
 */
#ifndef SIGREG_WEB_ROUTER_H
#define SIGREG_WEB_ROUTER_H

#include "page.h"

typedef struct web_route {
    const char *method;  /* "GET" or "POST" */
    const char *pattern; /* segments, '*' for any one: "case/ * /reopen" without spaces */
    web_page_fn fn;
    unsigned roles;   /* SR_ROLE_BIT mask; 0: no login needed (static files) */
    const char *view; /* logged as "web.view.NAME" for a GET; NULL: not logged */
    int case_seg;     /* the segment holding a case code for the log, or -1 */
} web_route;

/* The route for a request's method and segments, or NULL. *other_method is
 * set to 1 when the path has a route for another method only. */
const web_route *web_route_find(const char *method, const char seg[][WEB_SEGMENT_MAX + 1],
                                size_t nseg, int *other_method);

#endif
