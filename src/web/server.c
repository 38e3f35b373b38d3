/*
 * server.c - `sigreg serve`: the HTTP server on 127.0.0.1 (libmicrohttpd),
 * and every check a request passes before a page sees it.
 *
 * In order: the Host header must be exactly 127.0.0.1:PORT (421 otherwise:
 * DNS rebinding); /launch/SECRET, once, sets the launch cookie; every other
 * request needs that cookie (403); the session cookie finds or starts a
 * session; an idle session is locked; a POST needs an urlencoded body of at
 * most WEB_BODY_MAX bytes, an Origin of this server (or Sec-Fetch-Site:
 * same-origin) and the session's CSRF token; the route's role. Every
 * response carries the security headers.
 *
 * Requests run side by side: MHD gives each connection its own thread (a
 * request may wait for the KDF at login or for another session's write,
 * which would hold up every other connection of a pool thread). A request
 * on a session holds that session's lock throughout (session.h), so one
 * session's requests run one at a time and its registry handle is used by
 * one thread at a time; sessions wait for each other only in the registry,
 * whose writes take its lock one at a time (with a longer wait than the
 * command line's, WEB_BUSY_TIMEOUT_MS). The launch secret's one use is
 * decided under the server's own short lock. The main thread waits for
 * SIGINT/SIGTERM and sweeps idle sessions, passing over those with a
 * request running; at a stop, MHD lets the running requests finish before
 * the sessions are wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "page.h"
#include "request.h"
#include "router.h"
#include "session.h"
#include "sigreg/secret.h"
#include "web_entry.h"

/* How long a session's write waits at least for the others' (the registry's
 * lock and SQLite's busy handler; a longer SIGREG_BUSY_TIMEOUT_MS counts):
 * a click waits for twenty sessions' writes in a row, on a slow machine,
 * rather than fail. */
#define WEB_BUSY_TIMEOUT_MS 60000

typedef struct server {
    const web_serve_options *opt;
    struct MHD_Daemon *daemon;
    unsigned port;
    char host[32];   /* "127.0.0.1:PORT": the only Host accepted */
    char origin[48]; /* "http://127.0.0.1:PORT" */
    char launch_secret[WEB_TOKEN_HEX + 1];
    char launch_cookie[WEB_TOKEN_HEX + 1]; /* set once the launch URL was used */
    int launch_used;
    char cookie_launch[32]; /* cookie names carry the port: two servers never mix */
    char cookie_session[32];
    long idle_seconds;
    int busy_timeout_ms;
    pthread_mutex_t lock; /* launch_secret, launch_cookie, launch_used */
    web_sessions sessions;
} server;

/* Per connection: the POST body as it arrives. */
typedef struct conn {
    char *body;
    size_t len, cap;
    int too_large;
} conn;

/* A response body that is wiped when MHD is done with it. */
typedef struct wiped {
    size_t len;
    char data[];
} wiped;

static void wiped_free(void *cls)
{
    wiped *w = cls;
    explicit_bzero(w->data, w->len);
    free(w);
}

/* The server's log lines on stderr: "sigreg serve: ...". What a request
 * brought along (a path, a typed user name, a message quoting it) is made
 * harmless first: control characters (C0, DEL, C1) become '?', so nothing
 * reaches the terminal as an escape sequence, and a run of ten or more
 * digits (with '-' or '+' inside, as a personnummer is typed) becomes
 * "[number]", so no personnummer lands in a log. */
static void logf_stderr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_stderr(const char *fmt, ...)
{
    char line[1024], out[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t o = 0;
    for (size_t i = 0; line[i] && o + 10 < sizeof out;) {
        unsigned char c = (unsigned char)line[i];
        size_t digits = 0, j = i;
        while (line[j] && ((line[j] >= '0' && line[j] <= '9') ||
                           (digits > 0 && (line[j] == '-' || line[j] == '+')))) {
            digits += line[j] >= '0' && line[j] <= '9';
            j++;
        }
        if (digits >= 10) {
            memcpy(out + o, "[number]", 8);
            o += 8;
            i = j;
        } else if (c < 0x20 || c == 0x7f) {
            out[o++] = '?';
            i++;
        } else if (c == 0xc2 && (unsigned char)line[i + 1] >= 0x80 &&
                   (unsigned char)line[i + 1] <= 0x9f) {
            out[o++] = '?';
            i += 2;
        } else {
            out[o++] = (char)c;
            i++;
        }
    }
    out[o] = '\0';
    fprintf(stderr, "sigreg serve: %s\n", out);
    explicit_bzero(line, sizeof line);
    explicit_bzero(out, sizeof out);
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static void security_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                            "base-uri 'none'");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
}

static void add_cookie(struct MHD_Response *r, const char *name, const char *value, int expire)
{
    char line[256];
    snprintf(line, sizeof line, "%s=%s; HttpOnly; SameSite=Strict; Path=/%s", name, value,
             expire ? "; Max-Age=0" : "");
    MHD_add_response_header(r, "Set-Cookie", line);
}

/* What a request's handling sends back besides the page's response. */
typedef struct reply {
    char set_launch[WEB_TOKEN_HEX + 1];  /* launch cookie value to set, or "" */
    char set_session[WEB_TOKEN_HEX + 1]; /* session cookie value to set, or "" */
    int clear_session;
} reply;

static enum MHD_Result send_response(struct MHD_Connection *c, web_response *rs, const reply *rp,
                                     server *sv)
{
    const char *data = NULL;
    size_t len = 0;
    char *taken = NULL;
    if (rs->body) {
        data = rs->body;
        len = rs->body_len;
    } else {
        taken = html_take(rs->page, &len);
        if (!taken) {
            rs->status = 500;
            data = "internal error";
            len = strlen(data);
        } else {
            data = taken;
        }
    }
    wiped *w = malloc(sizeof *w + len + 1);
    if (!w) {
        if (taken) {
            explicit_bzero(taken, len);
            free(taken);
        }
        return MHD_NO;
    }
    w->len = len;
    memcpy(w->data, data, len);
    if (taken) {
        explicit_bzero(taken, len);
        free(taken);
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback_cls(len, w->data, wiped_free, w);
    if (!r) {
        wiped_free(w);
        return MHD_NO;
    }
    security_headers(r);
    if (rs->location[0]) {
        MHD_add_response_header(r, "Location", rs->location);
        if (rs->status < 300 || rs->status >= 400)
            rs->status = 303;
    }
    MHD_add_response_header(r, "Content-Type",
                            rs->content_type ? rs->content_type : "text/html; charset=utf-8");
    if (rs->body && rs->filename[0]) {
        char disp[200];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", rs->filename);
        MHD_add_response_header(r, "Content-Disposition", disp);
    }
    if (rp && rp->set_launch[0])
        add_cookie(r, sv->cookie_launch, rp->set_launch, 0);
    if (rp && rp->set_session[0])
        add_cookie(r, sv->cookie_session, rp->set_session, 0);
    else if (rp && rp->clear_session)
        add_cookie(r, sv->cookie_session, "", 1);
    enum MHD_Result ret = MHD_queue_response(c, rs->status ? rs->status : 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* MHD leaves the path and the query as they came (see raw_url below):
 * request.c is the one decoder. The query's pairs are put together again
 * ("k=v&k2=v2", still encoded) and parsed as a form body is. */
typedef struct raw_query {
    char buf[8192];
    size_t len;
    int too_long;
} raw_query;

static enum MHD_Result add_query_pair(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    raw_query *q = cls;
    size_t kl = key ? strlen(key) : 0, vl = value ? strlen(value) : 0;
    if (q->len + kl + vl + 3 > sizeof q->buf) {
        q->too_long = 1;
        return MHD_NO;
    }
    if (q->len)
        q->buf[q->len++] = '&';
    memcpy(q->buf + q->len, key, kl);
    q->len += kl;
    if (value) {
        q->buf[q->len++] = '=';
        memcpy(q->buf + q->len, value, vl);
        q->len += vl;
    }
    q->buf[q->len] = '\0';
    return MHD_YES;
}

/* The query's decoded pairs into query; 0, or -1 when it is malformed or
 * longer than 8 KiB. */
static int parse_query(struct MHD_Connection *c, web_fields *query)
{
    raw_query q;
    q.len = 0;
    q.too_long = 0;
    q.buf[0] = '\0';
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query_pair, &q);
    if (q.too_long)
        return -1;
    return web_request_parse_form(q.buf, q.len, query);
}

/* No unescaping by MHD: the path and the arguments reach us as sent. */
static size_t raw_url(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls, (void)c;
    return strlen(s);
}

/* 1 when a POST comes from this server's own pages. Under
 * Referrer-Policy: no-referrer, which every page sends, Chromium posts a
 * form with "Origin: null": then the browser's own Sec-Fetch-Site decides. */
static int same_origin(struct MHD_Connection *c, const server *sv)
{
    const char *origin = header(c, "Origin");
    if (origin && strcmp(origin, "null") != 0)
        return strcmp(origin, sv->origin) == 0;
    const char *site = header(c, "Sec-Fetch-Site");
    return site && strcmp(site, "same-origin") == 0;
}

/* Logs in a session: the user's own passphrase opens the registry. */
static void do_login(server *sv, web_session *s, web_request *rq, web_response *rs, reply *rp)
{
    sr_error err;
    sr_error_clear(&err);
    const char *user = s->locked ? s->user : web_fields_get(rq->form, "user");
    const char *pass = web_fields_get(rq->form, "passphrase");
    const char *next = web_fields_get(rq->form, "next");
    sr_secret *secret = NULL;
    sr_registry *reg = NULL;
    sr_status rc = SR_OK;
    if (!user || !*user)
        rc = sr_error_set(&err, SR_ERR_AUTH, "no user name given");
    else if (!pass || !*pass)
        rc = sr_error_set(&err, SR_ERR_AUTH, "no passphrase given");
    if (rc == SR_OK) {
        size_t n = strlen(pass);
        secret = sr_secret_new(n + 1);
        if (!secret || n > SR_PASSPHRASE_MAX)
            rc = sr_error_set(&err, SR_ERR_AUTH, "the passphrase is too long");
        else {
            memcpy(sr_secret_data(secret), pass, n);
            sr_secret_set_len(secret, n);
        }
    }
    /* The copy in the parsed body is wiped when the fields are released. */
    if (rc == SR_OK) {
        sr_open_options o = {user, sv->busy_timeout_ms};
        rc = sr_registry_open(sv->opt->registry, &o, secret, &reg, &err);
    }
    sr_secret_free(secret);
    if (rc != SR_OK) {
        logf_stderr("login refused for user '%s': %s", user ? user : "",
                    err.message[0] ? err.message : sr_strerror(rc));
        rs->status = 403;
        page_login_form(rq, rs, s->locked ? s->user : NULL, &err, WT_COUNT);
        return;
    }
    if (sr_registry_kdf_for_tests(reg))
        logf_stderr("warning: user '%s' uses the test KDF profile", sr_registry_user(reg));
    if (web_session_login(&sv->sessions, s, reg, time(NULL)) != 0) {
        sr_registry_close(reg);
        page_message(rq, rs, 500, page_text(rq, WT_ERROR_PREFIX), "cannot start a session", NULL);
        return;
    }
    sr_registry_log_view(reg, "login", NULL, NULL);
    sr_registry_release(reg);
    logf_stderr("user '%s' logged in (%s)", s->user, sr_role_name(sr_registry_role(reg)));
    memcpy(rp->set_session, s->id, sizeof rp->set_session);
    page_redirect(rs, next && next[0] == '/' && next[1] != '/' ? next : "/");
}

/* The rest of a request's handling, on its session s, whose lock is held. */
static void in_session(server *sv, web_session *s, struct MHD_Connection *c, web_request *rq,
                       const web_route *route, int other_method, conn *cn, web_response *rs,
                       reply *rp, web_fields *query, web_fields *form)
{
    const char *url = rq->path, *lang_q = web_fields_get(query, "lang");
    int is_get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
    int is_post = strcmp(rq->method, "POST") == 0;
    time_t now = time(NULL); /* after the wait for the session's lock */
    if (lang_q)
        memcpy(s->lang, rq->lang, 3);
    rq->lang = s->lang;
    if (s->reg && now - s->last_used >= sv->idle_seconds) {
        logf_stderr("session of user '%s' locked after %ld seconds idle", s->user,
                    sv->idle_seconds);
        web_session_lock(s);
    }
    s->last_used = now;
    rq->csrf = s->csrf;

    if (is_post) {
        const char *type = header(c, "Content-Type");
        if (!same_origin(c, sv)) {
            logf_stderr("refused a POST to %s from another origin", url);
            page_message(rq, rs, 403, page_text(rq, WT_REFUSED_TITLE),
                         page_text(rq, WT_REFUSED_ORIGIN), NULL);
            return;
        }
        if (cn->too_large) {
            page_message(rq, rs, 413, page_text(rq, WT_BAD_REQUEST), page_text(rq, WT_TOO_LARGE),
                         NULL);
            return;
        }
        if (!type || strncmp(type, "application/x-www-form-urlencoded", 33) != 0 ||
            web_request_parse_form(cn->body, cn->len, form) != 0) {
            page_message(rq, rs, 400, page_text(rq, WT_BAD_REQUEST), page_text(rq, WT_BAD_REQUEST),
                         NULL);
            return;
        }
        if (!web_token_equal(web_fields_get(form, "csrf"), s->csrf)) {
            logf_stderr("refused a POST to %s without the session's CSRF token", url);
            page_message(rq, rs, 403, page_text(rq, WT_REFUSED_TITLE),
                         page_text(rq, WT_REFUSED_CSRF), NULL);
            return;
        }
    }

    /* Logging out, also from a locked session: the session ends at once. */
    if (rq->nseg == 1 && strcmp(rq->seg[0], "logout") == 0 && is_post) {
        if (s->reg)
            sr_registry_log_view(s->reg, "logout", NULL, NULL);
        if (s->user[0])
            logf_stderr("user '%s' logged out", s->user);
        web_session_end(&sv->sessions, s);
        rp->set_session[0] = '\0';
        rp->clear_session = 1;
        page_redirect(rs, "/login?out=1");
        return;
    }
    /* The login page. */
    if (rq->nseg == 1 && strcmp(rq->seg[0], "login") == 0) {
        if (is_post) {
            do_login(sv, s, rq, rs, rp);
        } else if (s->reg) {
            page_redirect(rs, "/");
        } else {
            web_text_id notice = s->locked ? WT_LOGIN_LOCKED : WT_COUNT;
            if (web_fields_get(query, "out"))
                notice = WT_LOGIN_LOGGED_OUT;
            page_login_form(rq, rs, s->locked ? s->user : NULL, NULL, notice);
        }
        return;
    }
    if (!route) {
        page_message(rq, rs, other_method ? 405 : 404, page_text(rq, WT_NOT_FOUND_TITLE),
                     page_text(rq, WT_NOT_FOUND), NULL);
        return;
    }
    if (!s->reg) {
        /* Not logged in, or locked: to the login form, which comes back
         * here (with the query) after. */
        char here[512], to[sizeof rs->location];
        web_fields back = {0};
        if (web_request_rebuild_url(url, query, here, sizeof here) != 0 ||
            web_fields_add(&back, "next", here, strlen(here)) != 0 ||
            web_request_rebuild_url("/login", &back, to, sizeof to) != 0)
            snprintf(to, sizeof to, "/login");
        web_fields_release(&back);
        page_redirect(rs, to);
        return;
    }
    rq->reg = s->reg;
    rq->user = s->user;
    /* The library's messages (answer checks, date rules, refusals) in the
     * page's language. */
    sr_registry_set_lang(s->reg, rq->lang);
    sr_error err;
    sr_error_clear(&err);
    if (sr_registry_require(s->reg, route->roles, "use this page", &err) != SR_OK) {
        page_message(rq, rs, 403, page_text(rq, WT_REFUSED_TITLE), page_text(rq, WT_ROLE_DENIED),
                     NULL);
        sr_registry_release(s->reg);
        return;
    }
    route->fn(rq, rs);
    if (route->view && is_get && rs->status < 400 && s->reg) {
        char what[48];
        snprintf(what, sizeof what, "view.%s", route->view);
        const char *code = route->case_seg >= 0 && (size_t)route->case_seg < rq->nseg
                               ? rq->seg[route->case_seg]
                               : NULL;
        sr_registry_log_view(s->reg, what, code, NULL);
    }
    sr_registry_release(s->reg);
}

static void handle(server *sv, struct MHD_Connection *c, const char *url, const char *method,
                   conn *cn, web_response *rs, reply *rp, web_fields *query, web_fields *form)
{
    web_request rq;
    memset(&rq, 0, sizeof rq);
    rq.method = method;
    rq.path = url;
    rq.query = query;
    rq.form = form;
    rq.lang = "sv";
    rq.idle_minutes = (int)(sv->idle_seconds / 60);

    int bad_query = parse_query(c, query) != 0;
    const char *lang_q = web_fields_get(query, "lang");
    if (lang_q)
        rq.lang = web_lang_norm(lang_q);

    const char *host = header(c, "Host");
    if (!host || strcmp(host, sv->host) != 0) {
        page_message(&rq, rs, 421, page_text(&rq, WT_REFUSED_TITLE),
                     page_text(&rq, WT_REFUSED_HOST), NULL);
        return;
    }
    int is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    int is_post = strcmp(method, "POST") == 0;
    if (!is_get && !is_post) {
        page_message(&rq, rs, 405, page_text(&rq, WT_BAD_REQUEST), page_text(&rq, WT_BAD_REQUEST),
                     NULL);
        return;
    }
    int n = web_request_split_path(url, rq.seg, WEB_SEGMENTS_MAX);
    if (n < 0 || bad_query) {
        page_message(&rq, rs, 400, page_text(&rq, WT_BAD_REQUEST), page_text(&rq, WT_BAD_REQUEST),
                     NULL);
        return;
    }
    rq.nseg = (size_t)n;

    /* The launch URL: once. */
    if (rq.nseg == 2 && strcmp(rq.seg[0], "launch") == 0) {
        /* Checked and used up under one lock: of two requests with the
         * secret at once, one gets the cookie. */
        pthread_mutex_lock(&sv->lock);
        int used = sv->launch_used, right = 0, no_random = 0;
        if (!used && is_get && web_token_equal(rq.seg[1], sv->launch_secret)) {
            right = 1;
            no_random = web_token_new(sv->launch_cookie) != 0;
            if (!no_random) {
                sv->launch_used = 1;
                explicit_bzero(sv->launch_secret, sizeof sv->launch_secret);
                memcpy(rp->set_launch, sv->launch_cookie, sizeof rp->set_launch);
            }
        }
        pthread_mutex_unlock(&sv->lock);
        if (!right) {
            logf_stderr("refused a launch URL (%s)", used ? "used already" : "wrong");
            page_message(&rq, rs, 403, page_text(&rq, WT_REFUSED_TITLE),
                         page_text(&rq, used ? WT_REFUSED_LAUNCH_USED : WT_REFUSED_NO_LAUNCH),
                         page_text(&rq, WT_REFUSED_WHAT_TO_DO));
            return;
        }
        if (no_random) {
            page_message(&rq, rs, 500, page_text(&rq, WT_ERROR_PREFIX), "no randomness", NULL);
            return;
        }
        page_redirect(rs, "/login");
        return;
    }
    const char *cookies = header(c, "Cookie");
    char value[WEB_COOKIE_MAX + 1];
    int launched = web_request_cookie(cookies, sv->cookie_launch, value, sizeof value) == 0;
    if (launched) {
        pthread_mutex_lock(&sv->lock);
        launched = sv->launch_used && web_token_equal(value, sv->launch_cookie);
        pthread_mutex_unlock(&sv->lock);
    }
    if (!launched) {
        page_message(&rq, rs, 403, page_text(&rq, WT_REFUSED_TITLE),
                     page_text(&rq, WT_REFUSED_NO_LAUNCH), page_text(&rq, WT_REFUSED_WHAT_TO_DO));
        return;
    }

    int other_method = 0;
    const web_route *route = web_route_find(method, rq.seg, rq.nseg, &other_method);
    if (route && route->roles == 0) { /* static files: no session */
        route->fn(&rq, rs);
        return;
    }

    int is_new = 0;
    const char *want =
        web_request_cookie(cookies, sv->cookie_session, value, sizeof value) == 0 ? value : NULL;
    web_session *s = web_session_acquire(&sv->sessions, want, time(NULL), &is_new);
    if (!s) {
        page_message(&rq, rs, 503, page_text(&rq, WT_REFUSED_TITLE), page_text(&rq, WT_BUSY), NULL);
        return;
    }
    if (is_new)
        memcpy(rp->set_session, s->id, sizeof rp->set_session);
    in_session(sv, s, c, &rq, route, other_method, cn, rs, rp, query, form);
    web_session_release(&sv->sessions, s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    server *sv = cls;
    conn *cn = *con_cls;
    if (!cn) {
        cn = calloc(1, sizeof *cn);
        if (!cn)
            return MHD_NO;
        *con_cls = cn;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t add = *upload_data_size;
        *upload_data_size = 0;
        if (cn->too_large || cn->len + add > WEB_BODY_MAX) {
            cn->too_large = 1;
            return MHD_YES;
        }
        if (cn->len + add + 1 > cn->cap) {
            size_t cap = cn->cap ? cn->cap : 4096;
            while (cap < cn->len + add + 1)
                cap *= 2;
            char *body = malloc(cap);
            if (!body)
                return MHD_NO;
            if (cn->body) {
                memcpy(body, cn->body, cn->len);
                explicit_bzero(cn->body, cn->cap);
                free(cn->body);
            }
            cn->body = body;
            cn->cap = cap;
        }
        memcpy(cn->body + cn->len, upload_data, add);
        cn->len += add;
        cn->body[cn->len] = '\0';
        return MHD_YES;
    }

    web_response rs;
    memset(&rs, 0, sizeof rs);
    reply rp;
    memset(&rp, 0, sizeof rp);
    web_fields query = {0}, form = {0};
    rs.page = html_new();
    if (!rs.page)
        return MHD_NO;
    handle(sv, c, url, method, cn, &rs, &rp, &query, &form);
    enum MHD_Result ret = send_response(c, &rs, &rp, sv);
    explicit_bzero(&rp, sizeof rp);
    web_fields_release(&query);
    web_fields_release(&form);
    html_free(rs.page);
    if (rs.body) {
        explicit_bzero(rs.body, rs.body_len);
        free(rs.body);
    }
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    conn *cn = *con_cls;
    if (!cn)
        return;
    if (cn->body) {
        explicit_bzero(cn->body, cn->cap);
        free(cn->body);
    }
    free(cn);
    *con_cls = NULL;
}

/* Opens url in the desktop's browser, without waiting for it. */
static void open_browser(const char *url, const sigset_t *mask)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* The browser gets the signals this process had, not our mask. */
        signal(SIGPIPE, SIG_DFL);
        pthread_sigmask(SIG_SETMASK, mask, NULL);
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, STDIN_FILENO);
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execlp("xdg-open", "xdg-open", url, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        logf_stderr("cannot start a browser: %s", strerror(errno));
}

sr_status web_serve(const web_serve_options *opt, sr_error *err)
{
    server *sv = NULL;
    sr_status rc = SR_OK;
    sigset_t set, old;
    int mask_set = 0, listen_fd = -1;
    if (!opt || !opt->registry)
        return sr_error_set(err, SR_ERR_USAGE, "no registry given");
    if (access(opt->registry, F_OK) != 0)
        return sr_error_set(err, SR_ERR_NOT_FOUND, "no registry at '%s'", opt->registry);
    sv = calloc(1, sizeof *sv);
    if (!sv)
        return sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    sv->opt = opt;
    sv->idle_seconds = 60L * (opt->idle_minutes > 0 ? opt->idle_minutes : 15);
    if (opt->idle_seconds > 0 && opt->idle_seconds < sv->idle_seconds)
        sv->idle_seconds = opt->idle_seconds;
    sv->busy_timeout_ms =
        opt->busy_timeout_ms > WEB_BUSY_TIMEOUT_MS ? opt->busy_timeout_ms : WEB_BUSY_TIMEOUT_MS;
    if (pthread_mutex_init(&sv->lock, NULL) != 0) {
        free(sv);
        return sr_error_set(err, SR_ERR_NOMEM, "cannot make a lock");
    }
    if (web_sessions_init(&sv->sessions) != 0) {
        pthread_mutex_destroy(&sv->lock);
        free(sv);
        return sr_error_set(err, SR_ERR_NOMEM, "cannot make a lock");
    }
    if (web_token_new(sv->launch_secret) != 0) {
        rc = sr_error_set(err, SR_ERR_CRYPTO, "the system gave no random bytes");
        goto out;
    }

    /* SIGINT and SIGTERM are taken by this thread alone (sigtimedwait);
     * MHD's thread inherits the mask. SIGPIPE is ignored. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &set, &old) != 0) {
        rc = sr_error_set(err, SR_ERR_STATE, "cannot take the signals");
        goto out;
    }
    mask_set = 1;
    signal(SIGPIPE, SIG_IGN);

    /* The listening socket is ours, so that the port, and with it the Host
     * and the cookie names, is known before the first request can come. */
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)opt->port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    int on = 1;
    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listen_fd < 0 || setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listen_fd, 64) != 0 ||
        getsockname(listen_fd, (struct sockaddr *)&addr, &alen) != 0) {
        rc = sr_error_set(err, SR_ERR_IO, "cannot listen on 127.0.0.1 port %d: %s", opt->port,
                          strerror(errno));
        goto out;
    }
    sv->port = ntohs(addr.sin_port);
    snprintf(sv->host, sizeof sv->host, "127.0.0.1:%u", sv->port);
    snprintf(sv->origin, sizeof sv->origin, "http://127.0.0.1:%u", sv->port);
    snprintf(sv->cookie_launch, sizeof sv->cookie_launch, "sigreg_launch_%u", sv->port);
    snprintf(sv->cookie_session, sizeof sv->cookie_session, "sigreg_session_%u", sv->port);

    /* A thread for each connection (at most 64, as many as sessions). */
    sv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO, 0, NULL,
        NULL, on_request, sv, MHD_OPTION_LISTEN_SOCKET, listen_fd, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)WEB_SESSIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, sv, MHD_OPTION_UNESCAPE_CALLBACK, raw_url, sv,
        MHD_OPTION_END);
    if (!sv->daemon) {
        rc = sr_error_set(err, SR_ERR_IO, "cannot listen on 127.0.0.1 port %u: %s", sv->port,
                          errno ? strerror(errno) : "the server did not start");
        goto out;
    }
    listen_fd = -1; /* MHD's now: closed when it stops */

    char url[128];
    snprintf(url, sizeof url, "http://%s/launch/%s", sv->host, sv->launch_secret);
    printf("%s\n", url);
    fflush(stdout);
    logf_stderr("serving '%s' on http://%s (Ctrl-C stops)", opt->registry, sv->host);
    const char *display = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
    if (opt->open_browser && ((display && *display) || (wayland && *wayland)))
        open_browser(url, &old);
    explicit_bzero(url, sizeof url);

    for (;;) {
        struct timespec ts = {1, 0};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM) {
            logf_stderr("stopping (%s)", sig == SIGINT ? "SIGINT" : "SIGTERM");
            break;
        }
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        int locked = web_session_sweep(&sv->sessions, time(NULL), sv->idle_seconds);
        if (locked > 0)
            logf_stderr("%d idle session%s locked", locked, locked == 1 ? "" : "s");
    }
out:
    /* MHD returns when every connection's thread has ended: no request
     * runs on a session while the sessions are wiped. */
    if (sv->daemon)
        MHD_stop_daemon(sv->daemon);
    if (listen_fd >= 0)
        close(listen_fd);
    web_sessions_destroy(&sv->sessions);
    pthread_mutex_destroy(&sv->lock);
    explicit_bzero(sv, sizeof *sv);
    free(sv);
    if (mask_set)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
