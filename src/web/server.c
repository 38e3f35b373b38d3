/*
 * server.c - `sigreg serve`: the HTTP server on 127.0.0.1 (libmicrohttpd).
 */
#include "web_entry.h"

sr_status web_serve(const web_serve_options *opt, sr_error *err)
{
    (void)opt;
    return sr_error_set(err, SR_ERR_STATE, "the web page is not built yet");
}
