/*
 * web_entry.h - the one door from the command line into `sigreg serve`.
 *
 * The CLI sees this header and nothing else of the web front end (its folder
 * holds nothing else). web_serve runs the local web page until SIGINT or
 * SIGTERM: it must not be given a passphrase or an open registry, since each
 * user logs in on the page with their own.
 */
#ifndef SIGREG_WEB_ENTRY_H
#define SIGREG_WEB_ENTRY_H

#include "sigreg/status.h"

typedef struct web_serve_options {
    const char *registry; /* the registry's path (borrowed) */
    int port;             /* 0: the system chooses one */
    int open_browser;     /* 1: open the URL with xdg-open where there is a display */
    int idle_minutes;     /* a session locks after this long idle; 0: 15 */
    int idle_seconds;     /* > 0: instead, this many seconds (for tests; never longer) */
    int busy_timeout_ms;  /* passed to every sr_registry_open; 0: the library's default */
} web_serve_options;

/* Serves the page on 127.0.0.1 until SIGINT/SIGTERM. Prints one line on
 * stdout, the launch URL with its one-time secret; anything else goes to
 * stderr. Returns SR_OK after a clean stop; otherwise err says why the
 * server could not start. */
sr_status web_serve(const web_serve_options *opt, sr_error *err);

#endif
