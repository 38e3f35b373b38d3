/*
 * error.h - filling an sr_error from inside the library (internal).
 *
 * srp_error_set keeps the first error: once err->status is not SR_OK, later
 * calls only return their status. It returns the status it was given so
 * that callers can write `return srp_error_set(err, SR_ERR_IO, ...)`.
 * Never pass personal data (a personnummer, a free-text answer) into a message.
 */
#ifndef SIGREG_SRC_ERROR_H
#define SIGREG_SRC_ERROR_H

#include "sigreg/status.h"

#if defined(__GNUC__)
#define SRP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SRP_PRINTF(a, b)
#endif

sr_status srp_error_set(sr_error *err, sr_status status, const char *fmt, ...) SRP_PRINTF(3, 4);
sr_status srp_error_set_where(sr_error *err, sr_status status, const char *where, const char *fmt,
                              ...) SRP_PRINTF(4, 5);
/* Sets only the location of an error already set, if it has none. */
void srp_error_where(sr_error *err, const char *where);

#endif
