/*
 * util.c - small helpers the command files share: usage errors, numbers,
 * lists, and mapping statuses onto exit codes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_usage_error(sr_error *err, const char *fmt, ...)
{
    if (err && err->status == SR_OK) {
        va_list ap;
        va_start(ap, fmt);
        err->status = SR_ERR_USAGE;
        err->where[0] = '\0';
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return CLI_SYNTAX;
}

int cli_parse_int(const char *text, long min, long max, long *out)
{
    if (!text || !*text)
        return -1;
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || !end || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

size_t cli_split_commas(char *text, const char **parts, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(text, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save))
        parts[n++] = t;
    return n;
}

int cli_fail(sr_status rc)
{
    return rc == SR_ERR_USAGE ? CLI_USAGE : CLI_FAIL;
}

void cli_warn_test_kdf(const char *who)
{
    fprintf(stderr, "warning: %s uses the key derivation profile 'insecure-test-only', which is "
                    "for test suites: never use it for real data\n",
            who);
}
