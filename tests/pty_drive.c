/*
 * pty_drive.c - runs a command on a pseudo-terminal and talks to it, for
 * tests of interactive commands:
 *   pty_drive SCRIPT -- COMMAND ARGS...
 * SCRIPT lines: "expect TEXT" waits (up to 10 s) until TEXT has appeared
 * since the last expect; "send TEXT" types TEXT and Enter; "eof" types
 * Ctrl-D; "intr" types Ctrl-C; "cmdline PATH" copies the command's
 * /proc/PID/cmdline to PATH (what other local users see). At the end it
 * reads what is left, closes the terminal (a command still waiting for
 * input gets the hang-up a closed window gives), waits for the command and
 * exits with its status; the whole transcript goes to stdout.
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static char transcript[1 << 20];
static size_t used, seen;

static int pump(int fd, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r <= 0)
        return r;
    ssize_t n = read(fd, transcript + used, sizeof transcript - used - 1);
    if (n <= 0)
        return -1;
    used += (size_t)n;
    transcript[used] = '\0';
    return 1;
}

static int expect(int fd, const char *text)
{
    for (int waited = 0; waited < 10000; waited += 50) {
        char *hit = strstr(transcript + seen, text);
        if (hit) {
            seen = (size_t)(hit - transcript) + strlen(text);
            return 0;
        }
        if (pump(fd, 50) < 0 && !strstr(transcript + seen, text))
            return -1;
    }
    return -1;
}

/* Copies /proc/PID/cmdline (what any local user can read) to path. */
static int copy_cmdline(pid_t pid, const char *path)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/%ld/cmdline", (long)pid);
    FILE *in = fopen(proc, "rb"), *out = in ? fopen(path, "wb") : NULL;
    char buf[4096];
    size_t n, total = 0;
    int rc = in && out ? 0 : -1;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        total += n;
        if (fwrite(buf, 1, n, out) != n)
            rc = -1;
    }
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        rc = -1;
    return rc == 0 && total > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: pty_drive SCRIPT -- COMMAND ARGS...\n");
        return 2;
    }
    FILE *script = fopen(argv[1], "r");
    if (!script)
        return 2;
    int fd;
    struct winsize ws = {40, 120, 0, 0};
    pid_t pid = forkpty(&fd, NULL, NULL, &ws);
    if (pid < 0)
        return 2;
    if (pid == 0) {
        execvp(argv[3], argv + 3);
        _exit(127);
    }
    char line[4096];
    int status = 0, failed = 0;
    while (!failed && fgets(line, sizeof line, script)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "expect ", 7) == 0) {
            if (expect(fd, line + 7) != 0) {
                fprintf(stderr, "pty_drive: never saw '%s'\n", line + 7);
                failed = 1;
            }
        } else if (strncmp(line, "send ", 5) == 0 || strcmp(line, "send") == 0) {
            const char *text = line[4] ? line + 5 : "";
            if (write(fd, text, strlen(text)) < 0 || write(fd, "\r", 1) < 0)
                failed = 1;
        } else if (strncmp(line, "cmdline ", 8) == 0) {
            if (copy_cmdline(pid, line + 8) != 0) {
                fprintf(stderr, "pty_drive: could not copy the command line to '%s'\n", line + 8);
                failed = 1;
            }
        } else if (strcmp(line, "eof") == 0 || strcmp(line, "intr") == 0) {
            char key = line[0] == 'e' ? 4 : 3;
            if (write(fd, &key, 1) < 0)
                failed = 1;
        }
    }
    fclose(script);
    /* Drain the rest of the output, then collect the exit status. */
    for (int i = 0; i < 200 && pump(fd, 50) >= 0; i++)
        ;
    if (failed)
        kill(pid, SIGKILL);
    close(fd);
    waitpid(pid, &status, 0);
    fwrite(transcript, 1, used, stdout);
    if (failed)
        return 3;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 4;
}
