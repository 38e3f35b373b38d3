/*
 * lock.c - the registry's lock between processes (flock on STEM.lock).
 */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"

sr_status srp_lock_open(const char *lock_path, int *fd_out, sr_error *err)
{
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return srp_error_set_where(err, SR_ERR_IO, lock_path, "cannot open the lock file '%s': %s",
                                   lock_path, strerror(errno));
    *fd_out = fd;
    return SR_OK;
}

sr_status srp_lock_take(int fd, int exclusive, int timeout_ms, sr_error *err)
{
    int waited = 0;
    for (;;) {
        if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
            return SR_OK;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return srp_error_set(err, SR_ERR_IO, "cannot lock the registry: %s", strerror(errno));
        if (waited >= timeout_ms)
            return srp_error_set(err, SR_ERR_BUSY,
                                 "the registry is busy: another session is using it "
                                 "(waited %d ms); try again",
                                 waited);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        waited += 10;
    }
}

void srp_lock_drop(int fd)
{
    if (fd >= 0)
        (void)flock(fd, LOCK_UN);
}

sr_status srp_lock_acquire(const char *lock_path, int timeout_ms, int *fd_out, sr_error *err)
{
    int fd = -1;
    sr_status rc = srp_lock_open(lock_path, &fd, err);
    if (rc != SR_OK)
        return rc;
    rc = srp_lock_take(fd, 1, timeout_ms, err);
    if (rc != SR_OK) {
        close(fd);
        return rc;
    }
    *fd_out = fd;
    return SR_OK;
}

void srp_lock_release(int fd)
{
    if (fd >= 0) {
        (void)flock(fd, LOCK_UN);
        close(fd);
    }
}
