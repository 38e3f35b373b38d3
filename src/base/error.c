/*
 * error.c - sr_status descriptions and the first-error-wins error object.
 */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_text[SR_STATUS_COUNT] = {
    [SR_OK] = "success",
    [SR_ERR_USAGE] = "invalid usage",
    [SR_ERR_INVALID] = "invalid input",
    [SR_ERR_NOMEM] = "out of memory",
    [SR_ERR_IO] = "input/output error",
    [SR_ERR_AUTH] = "authentication failed",
    [SR_ERR_DENIED] = "permission denied",
    [SR_ERR_NOT_REGISTRY] = "not a sigreg registry",
    [SR_ERR_CORRUPT] = "damaged registry file",
    [SR_ERR_TAMPERED] = "integrity check failed",
    [SR_ERR_BUSY] = "registry busy",
    [SR_ERR_EXISTS] = "already exists",
    [SR_ERR_NOT_FOUND] = "not found",
    [SR_ERR_CRYPTO] = "cryptographic failure",
    [SR_ERR_DB] = "database error",
    [SR_ERR_NO_CIPHER] = "database engine without encryption",
    [SR_ERR_STATE] = "not allowed in this state",
};

const char *sr_strerror(sr_status status)
{
    if ((int)status < 0 || status >= SR_STATUS_COUNT || !status_text[status])
        return "unknown status";
    return status_text[status];
}

void sr_error_clear(sr_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
}

static sr_status set_va(sr_error *err, sr_status status, const char *where, const char *fmt,
                        va_list ap)
{
    if (!err || err->status != SR_OK)
        return status;
    err->status = status;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    if (where)
        snprintf(err->where, sizeof err->where, "%s", where);
    else
        err->where[0] = '\0';
    return status;
}

sr_status srp_error_set(sr_error *err, sr_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_va(err, status, NULL, fmt, ap);
    va_end(ap);
    return status;
}

sr_status sr_error_set(sr_error *err, sr_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_va(err, status, NULL, fmt, ap);
    va_end(ap);
    return status;
}

sr_status srp_error_set_where(sr_error *err, sr_status status, const char *where, const char *fmt,
                              ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_va(err, status, where, fmt, ap);
    va_end(ap);
    return status;
}

void srp_error_where(sr_error *err, const char *where)
{
    if (err && err->status != SR_OK && err->where[0] == '\0' && where)
        snprintf(err->where, sizeof err->where, "%s", where);
}
