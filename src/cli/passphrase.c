/*
 * passphrase.c - reading secrets: passphrases from the first line of a file
 * or from the terminal without echo, and personnummer from standard input or
 * the terminal. A passphrase is never taken from the command line; a
 * personnummer there is accepted for scripts, with a warning. Nothing goes
 * through stdio buffers: the bytes go straight into guarded memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

/* Reads the first line of fd into s (without the line end); what names the
 * secret in messages ("passphrase", "personnummer"). */
static sr_status read_line_fd(int fd, sr_secret *s, const char *what, const char *name,
                              sr_error *err)
{
    unsigned char *buf = sr_secret_data(s);
    size_t cap = sr_secret_capacity(s), len = 0;
    for (;;) {
        if (len == cap)
            return sr_error_set(err, SR_ERR_INVALID, "the %s in '%s' is too long", what, name);
        ssize_t n = read(fd, buf + len, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return sr_error_set(err, SR_ERR_IO, "cannot read the %s from '%s'", what, name);
        if (n == 0 || buf[len] == '\n')
            break;
        len++;
    }
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    sr_secret_set_len(s, len);
    if (len == 0)
        return sr_error_set(err, SR_ERR_AUTH, "the %s in '%s' is empty", what, name);
    return SR_OK;
}

static sr_status read_file(const char *path, sr_secret **out, sr_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sr_error_set(err, SR_ERR_IO, "cannot open the passphrase file '%s'", path);
    sr_secret *s = sr_secret_new(SR_PASSPHRASE_MAX);
    sr_status rc = s ? read_line_fd(fd, s, "passphrase", path, err)
                     : sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    close(fd);
    if (rc != SR_OK) {
        sr_secret_free(s);
        return rc;
    }
    *out = s;
    return SR_OK;
}

/* Prompts on the controlling terminal with echo off; no_terminal is the
 * message when there is none to ask on. */
static sr_status prompt_secret(const char *prompt, const char *what, size_t capacity,
                               const char *no_terminal, sr_secret **out, sr_error *err)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || !isatty(fd)) {
        if (fd >= 0)
            close(fd);
        return sr_error_set(err, SR_ERR_AUTH, "%s", no_terminal);
    }
    struct termios old, quiet;
    int restored = tcgetattr(fd, &old) != 0;
    if (!restored) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        (void)tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    (void)!write(fd, prompt, strlen(prompt));
    sr_secret *s = sr_secret_new(capacity);
    sr_status rc = s ? read_line_fd(fd, s, what, "the terminal", err)
                     : sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (!restored)
        (void)tcsetattr(fd, TCSAFLUSH, &old);
    (void)!write(fd, "\n", 1);
    close(fd);
    if (rc != SR_OK) {
        sr_secret_free(s);
        return rc;
    }
    *out = s;
    return SR_OK;
}

static sr_status prompt_tty(const char *prompt, sr_secret **out, sr_error *err)
{
    return prompt_secret(prompt, "passphrase", SR_PASSPHRASE_MAX,
                         "no passphrase: give --passphrase-file FILE or set "
                         "SIGREG_PASSPHRASE_FILE (there is no terminal to ask on)",
                         out, err);
}

sr_status cli_read_passphrase(const cli_globals *g, const char *prompt_for, sr_secret **out,
                              sr_error *err)
{
    if (g->passphrase_file)
        return read_file(g->passphrase_file, out, err);
    char prompt[160];
    snprintf(prompt, sizeof prompt, "passphrase for %s: ", prompt_for);
    return prompt_tty(prompt, out, err);
}

sr_status cli_read_new_passphrase(const char *file, const char *prompt_for, sr_secret **out,
                                  sr_error *err)
{
    if (file)
        return read_file(file, out, err);
    char prompt[160];
    snprintf(prompt, sizeof prompt, "new passphrase for %s: ", prompt_for);
    sr_secret *first = NULL, *second = NULL;
    sr_status rc = prompt_tty(prompt, &first, err);
    if (rc == SR_OK) {
        snprintf(prompt, sizeof prompt, "the same passphrase again: ");
        rc = prompt_tty(prompt, &second, err);
    }
    if (rc == SR_OK &&
        (sr_secret_len(first) != sr_secret_len(second) ||
         memcmp(sr_secret_data(first), sr_secret_data(second), sr_secret_len(first)) != 0))
        rc = sr_error_set(err, SR_ERR_INVALID, "the two passphrases differ");
    sr_secret_free(second);
    if (rc != SR_OK) {
        sr_secret_free(first);
        return rc;
    }
    *out = first;
    return SR_OK;
}

/* Room for any way of writing a personnummer, and a NUL after it. */
#define PNR_CAPACITY 64

sr_status cli_read_pnr(const char *value, sr_secret **out, sr_error *err)
{
    *out = NULL;
    sr_secret *s = NULL;
    sr_status rc = SR_OK;
    if (value && strcmp(value, "-") == 0) {
        s = sr_secret_new(PNR_CAPACITY);
        rc = s ? read_line_fd(STDIN_FILENO, s, "personnummer", "standard input", err)
               : sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    } else if (value) {
        size_t len = strlen(value);
        fprintf(stderr, "warning: a personnummer on the command line can be read by other local "
                        "users (ps, /proc) and stays in the shell's history: give --pnr - and "
                        "the number on standard input, or let sigreg ask for it\n");
        s = len < PNR_CAPACITY ? sr_secret_new(PNR_CAPACITY) : NULL;
        if (!s)
            rc = len < PNR_CAPACITY
                     ? sr_error_set(err, SR_ERR_NOMEM, "out of memory")
                     : sr_error_set(err, SR_ERR_INVALID, "that is not a personnummer (too long)");
        else {
            memcpy(sr_secret_data(s), value, len);
            sr_secret_set_len(s, len);
        }
    } else {
        rc = prompt_secret("personnummer (not shown): ", "personnummer", PNR_CAPACITY,
                           "no personnummer: give --pnr - and the number on standard input "
                           "(there is no terminal to ask on)",
                           &s, err);
    }
    if (rc == SR_OK && sr_secret_len(s) >= PNR_CAPACITY - 1)
        rc = sr_error_set(err, SR_ERR_INVALID, "that is not a personnummer (too long)");
    if (rc != SR_OK) {
        sr_secret_free(s);
        return rc;
    }
    *out = s;
    return SR_OK;
}
