/*
 * lock.c - the registry's session lock (flock on STEM.lock).
 */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"

sr_status srp_lock_acquire(const char *lock_path, int timeout_ms, int *fd_out, sr_error *err)
{
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return srp_error_set_where(err, SR_ERR_IO, lock_path, "cannot open the lock file '%s': %s",
                                   lock_path, strerror(errno));
    int waited = 0;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            break;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            close(fd);
            return srp_error_set_where(err, SR_ERR_IO, lock_path, "cannot lock '%s': %s",
                                       lock_path, strerror(errno));
        }
        if (waited >= timeout_ms) {
            close(fd);
            return srp_error_set(err, SR_ERR_BUSY,
                                 "the registry is busy: another session is using it "
                                 "(waited %d ms); try again",
                                 waited);
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        waited += 50;
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
