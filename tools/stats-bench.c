/*
 * stats-bench.c - the query phase of a summary, in process: opens a registry
 * once (one unlock) and runs sr_stats_run REPEAT times for each form named,
 * printing the CPU seconds of the fastest run. Each run includes its audit
 * entry (one small commit); unlocking and process start are outside.
 *
 *   sigreg-stats-bench REGISTRY PASSFILE REPEAT FORM[:BY]...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigreg/registry.h"
#include "sigreg/secret.h"
#include "sigreg/stats.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: sigreg-stats-bench REGISTRY PASSFILE REPEAT FORM[:BY]...\n");
        return 2;
    }
    sr_error err = {0};
    if (sr_crypto_init(&err) != SR_OK)
        return 1;
    sr_secret *pass = sr_secret_new(SR_PASSPHRASE_MAX + 1);
    FILE *f = fopen(argv[2], "r");
    if (!pass || !f)
        return 1;
    char *d = (char *)sr_secret_data(pass);
    if (!fgets(d, SR_PASSPHRASE_MAX, f))
        return 1;
    fclose(f);
    d[strcspn(d, "\n")] = '\0';
    sr_secret_set_len(pass, strlen(d));
    sr_registry *reg = NULL;
    if (sr_registry_open(argv[1], NULL, pass, &reg, &err) != SR_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return 1;
    }
    sr_secret_free(pass);
    char *end = NULL;
    long asked = strtol(argv[3], &end, 10);
    int repeat = end && *end == '\0' && asked > 0 && asked <= 1000000 ? (int)asked : 1;
    for (int a = 4; a < argc; a++) {
        char form[64];
        snprintf(form, sizeof form, "%s", argv[a]);
        char *by = strchr(form, ':');
        if (by)
            *by++ = '\0';
        sr_stats_query q = {0};
        q.form = form;
        q.by[0] = by;
        double best = 1e9;
        size_t rows = 0;
        for (int i = 0; i < repeat; i++) {
            sr_stats *st = NULL;
            double t0 = cpu_now();
            if (sr_stats_run(reg, &q, &st, &err) != SR_OK) {
                fprintf(stderr, "%s: %s\n", argv[a], err.message);
                return 1;
            }
            double t = cpu_now() - t0;
            rows = sr_stats_row_count(st);
            sr_stats_free(st);
            sr_registry_release(reg);
            if (t < best)
                best = t;
        }
        printf("%s %.4f %zu\n", argv[a], best, rows);
    }
    sr_registry_close(reg);
    return 0;
}
