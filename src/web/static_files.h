/*
 * static_files.h - the web page's style sheet and script, compiled into the
 * binary from src/web/static (cmake/embed_static.cmake), and the page that
 * serves them (page_static.c). Nothing is ever fetched from elsewhere.
 */
#ifndef SIGREG_WEB_STATIC_FILES_H
#define SIGREG_WEB_STATIC_FILES_H

#include <stddef.h>

typedef struct web_static_file {
    const char *name; /* "app.css" */
    const char *type; /* its Content-Type */
    const char *data;
    size_t len;
} web_static_file;

/* Ended by an entry with a NULL name. */
extern const web_static_file web_static_files[];

#endif
