/*
 * lock.c - the registry's lock between processes (flock on STEM.lock), and
 * between the sessions of one process, a queue in front of it.
 *
 * flock is polled (every 10 ms, up to the timeout), which between processes
 * is fair enough; but among the many sessions of one process (the web
 * server's threads) whoever polls first after a release wins, and a session
 * that needs several writes in a row can lose many times over. So an
 * exclusive take first waits its turn in the process, first come first
 * served, per lock file (device and inode): blocked on a condition, not
 * polling, the turn handed from holder to the next waiter. The holder is
 * the descriptor, so dropping a lock that was not taken on that descriptor
 * hands nothing on.
 */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
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

/* ---- the queue of one process ------------------------------------------------------------ */

typedef struct waiter {
    struct waiter *next;
    int fd;
    int granted;
} waiter;

typedef struct gate {
    dev_t dev;
    ino_t ino;
    int holder; /* the descriptor holding the turn, or -1 */
    waiter *head, *tail;
} gate;

#define GATES 16 /* lock files in use by one process at once; more go straight to flock */

static pthread_mutex_t gates_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gates_cond = PTHREAD_COND_INITIALIZER;
static gate gates[GATES];
static size_t gate_count;

/* The gate of fd's file, made if new; NULL when fd cannot be read or the
 * table is full. Under gates_mutex. */
static gate *gate_of(int fd, int make)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return NULL;
    for (size_t i = 0; i < gate_count; i++)
        if (gates[i].dev == st.st_dev && gates[i].ino == st.st_ino)
            return &gates[i];
    if (!make || gate_count == GATES)
        return NULL;
    gate *g = &gates[gate_count++];
    memset(g, 0, sizeof *g);
    g->dev = st.st_dev;
    g->ino = st.st_ino;
    g->holder = -1;
    return g;
}

/* Waits for fd's turn in the process until deadline; 0, or -1 when the
 * wait timed out (or, with no wait allowed, the turn is taken). */
static int gate_enter(int fd, int wait, const struct timespec *deadline)
{
    pthread_mutex_lock(&gates_mutex);
    gate *g = gate_of(fd, 1);
    int rc = 0;
    if (!g) {
        rc = 0; /* no queue for it: flock alone */
    } else if (g->holder < 0 && !g->head) {
        g->holder = fd;
    } else if (!wait) {
        rc = -1;
    } else {
        waiter w = {NULL, fd, 0};
        if (g->tail)
            g->tail->next = &w;
        else
            g->head = &w;
        g->tail = &w;
        while (!w.granted) {
            int e = pthread_cond_timedwait(&gates_cond, &gates_mutex, deadline);
            if (e == ETIMEDOUT && !w.granted) {
                /* Out of the queue. */
                waiter **p = &g->head, *prev = NULL;
                while (*p != &w) {
                    prev = *p;
                    p = &(*p)->next;
                }
                *p = w.next;
                if (g->tail == &w)
                    g->tail = prev;
                rc = -1;
                break;
            }
        }
    }
    pthread_mutex_unlock(&gates_mutex);
    return rc;
}

/* Hands fd's turn on to the first waiter, if fd holds it. */
static void gate_leave(int fd)
{
    pthread_mutex_lock(&gates_mutex);
    gate *g = gate_of(fd, 0);
    if (g && g->holder == fd) {
        waiter *w = g->head;
        if (w) {
            g->head = w->next;
            if (!g->head)
                g->tail = NULL;
            w->granted = 1;
            g->holder = w->fd;
            pthread_cond_broadcast(&gates_cond);
        } else {
            g->holder = -1;
        }
    }
    pthread_mutex_unlock(&gates_mutex);
}

/* ---- the lock ------------------------------------------------------------------------------ */

sr_status srp_lock_take(int fd, int exclusive, int timeout_ms, sr_error *err)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (exclusive && gate_enter(fd, timeout_ms > 0, &deadline) != 0)
        return srp_error_set(err, SR_ERR_BUSY,
                             "the registry is busy: another session is using it "
                             "(waited %d ms); try again",
                             timeout_ms);
    /* The time spent in the queue counts against the timeout. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int waited =
        (int)((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
    for (;;) {
        if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
            return SR_OK;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            int e = errno;
            if (exclusive)
                gate_leave(fd);
            return srp_error_set(err, SR_ERR_IO, "cannot lock the registry: %s", strerror(e));
        }
        if (waited >= timeout_ms) {
            if (exclusive)
                gate_leave(fd);
            return srp_error_set(err, SR_ERR_BUSY,
                                 "the registry is busy: another session is using it "
                                 "(waited %d ms); try again",
                                 waited);
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        waited += 10;
    }
}

void srp_lock_drop(int fd)
{
    if (fd >= 0) {
        (void)flock(fd, LOCK_UN);
        gate_leave(fd);
    }
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
        gate_leave(fd);
        close(fd);
    }
}
