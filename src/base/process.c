/*
 * process.c - no core dumps, not dumpable (see sigreg/process.h).
 */
#include "sigreg/process.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "base/error.h"

sr_status sr_process_harden(sr_error *err)
{
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0)
        return srp_error_set(err, SR_ERR_IO, "cannot turn core dumps off: %s", strerror(errno));
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return srp_error_set(err, SR_ERR_IO, "cannot make the process non-dumpable: %s",
                             strerror(errno));
    return SR_OK;
}

int sr_process_is_hardened(void)
{
    struct rlimit now;
    if (getrlimit(RLIMIT_CORE, &now) != 0 || now.rlim_cur != 0 || now.rlim_max != 0)
        return 0;
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
}
