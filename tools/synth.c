/*
 * synth.c - a deterministic generator of synthetic SIG cases in the import
 * format (JSON Lines), for demos, tests and benchmarks. Never real people:
 * personnummer are made up (valid check digits, so they pass validation).
 *
 *   sigreg-synth [--cases N] [--seed S] [--units U1,U2,...] [--until YYYY-MM-DD]
 *                [--no-pnr-share P] [--responses N] [--form-version 1|2|mixed]
 *
 * Each case has a hidden severity that drives its answers: more risk and
 * need at intake for severe cases, police contacts and substance use that
 * go with it, and improvement at closure for most cases (more often when the
 * young person took part). About 70% of cases are closed, most of those with
 * the young person's own experience, some with a follow-up.
 *
 * --form-version says which version of the shipped forms the answers are
 * given under: 1 (the default: what every release can import, so the
 * benchmarks can compare with the previous one), 2 (the version 2 forms:
 * the new referral sources, the SIG plan at each intervention; the birth
 * year only for a case without a personnummer, as in version 1, since the
 * library derives it from one), or mixed (version 1 for what is dated
 * before the last year up to --until, version 2 from then on, as in a
 * registry upgraded a year ago). The answers version 2 adds are drawn from
 * a stream of their own, so the same seed gives the same people, and the
 * same version 1 answers, whatever the version.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double uniform(void)
{
    return (double)(next_u64() >> 11) / 9007199254740992.0;
}

/* The stream of what version 2 adds (see the top). */
static uint64_t rng2_state;

static double uniform2(void)
{
    uint64_t keep = rng_state;
    rng_state = rng2_state;
    double u = uniform();
    rng2_state = rng_state;
    rng_state = keep;
    return u;
}

/* The form version of a response on that day (--form-version). */
static int version_mode = 1; /* 1, 2, or 0 for mixed */
static long switch_day;      /* mixed: version 2 from this day on */

static int version_on(long day)
{
    return version_mode ? version_mode : day >= switch_day ? 2 : 1;
}

static int below(int n)
{
    return (int)(uniform() * n);
}

static int chance(double p)
{
    return uniform() < p;
}

/* ---- dates as day numbers ---------------------------------------------------- */

static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void date_text(long day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

/* ---- personnummer ------------------------------------------------------------------ */

/* The numbers handed out so far (birth day and serial), so that no two
 * synthetic people share one: an open-addressing set. */
static uint64_t *issued;
static size_t issued_cap, issued_count;

static int issue(uint64_t key)
{
    if (2 * (issued_count + 1) > issued_cap) {
        size_t cap = issued_cap ? issued_cap * 2 : 1024;
        uint64_t *grown = calloc(cap, sizeof *grown);
        if (!grown) {
            fprintf(stderr, "sigreg-synth: out of memory\n");
            exit(1);
        }
        for (size_t i = 0; i < issued_cap; i++)
            if (issued[i])
                for (size_t h = (size_t)(issued[i] * 0x9E3779B97F4A7C15ULL) % cap;;
                     h = (h + 1) % cap)
                    if (!grown[h]) {
                        grown[h] = issued[i];
                        break;
                    }
        free(issued);
        issued = grown;
        issued_cap = cap;
    }
    for (size_t h = (size_t)(key * 0x9E3779B97F4A7C15ULL) % issued_cap;; h = (h + 1) % issued_cap) {
        if (issued[h] == key)
            return 0;
        if (!issued[h]) {
            issued[h] = key;
            issued_count++;
            return 1;
        }
    }
}

static void make_pnr(long birth, char out[14])
{
    int y, m, d;
    civil_from_days(birth, &y, &m, &d);
    int serial;
    do
        serial = below(1000);
    while (!issue(((uint64_t)(birth + 100000) << 10) | (uint64_t)serial | (1ULL << 62)));
    char nine[10];
    snprintf(nine, sizeof nine, "%02d%02d%02d%03d", y % 100, m, d, serial);
    int sum = 0;
    for (int i = 0; i < 9; i++) {
        int v = (nine[i] - '0') * (i % 2 == 0 ? 2 : 1);
        sum += v > 9 ? v - 9 : v;
    }
    snprintf(out, 14, "%04d%02d%02d-%.3s%d", y, m, d, nine + 6, (10 - sum % 10) % 10);
}

/* ---- answers ------------------------------------------------------------------------ */

static const char *const need_ids[] = {
    "need_crime",      "need_attitudes",     "need_peers",
    "need_family",     "need_school",        "need_leisure",
    "need_substances", "need_mental_health", "need_violence_exposure",
    "need_honour"};
#define NEEDS 10
static const char *const need_levels[] = {"none", "some", "substantial"};

typedef struct person {
    double severity;   /* 0..1 */
    int sex;           /* 0 girl, 1 boy, 2 other, 3 not stated */
    int need[NEEDS];   /* 0..2, or -1 unknown */
    int school;        /* index into school_codes */
    int substance;     /* 0..3, -1 unknown */
    int police;        /* 0..3 */
    int participation; /* 0 yes, 1 partly, 2 no */
    long plan_day;     /* version 2: the day the SIG plan was drawn up, 0 before */
} person;

static const char *const school_codes[] = {"regular", "absence",          "not_attending",
                                           "working", "other_occupation", "no_occupation"};
static const char *const substance_codes[] = {"none", "experimental", "regular", "problematic"};
static const char *const police_codes[] = {"none", "one", "two_to_four", "five_or_more"};

static int level_for(double severity, double weight)
{
    double x = severity * weight + uniform() * 0.6 - 0.2;
    return x < 0.35 ? 0 : x < 0.7 ? 1 : 2;
}

static void print_multi(const char *key, const char *const *codes, int n, double p, int at_least)
{
    printf(",\"%s\":[", key);
    int first = 1, any = 0;
    for (int i = 0; i < n; i++)
        if (chance(p)) {
            printf("%s\"%s\"", first ? "" : ",", codes[i]);
            first = 0;
            any = 1;
        }
    if (!any && at_least)
        printf("\"%s\"", codes[below(n)]);
    printf("]");
}

static void print_status_items(const person *p)
{
    printf(",\"school_situation\":\"%s\"", school_codes[p->school]);
    for (int i = 0; i < NEEDS; i++)
        printf(",\"%s\":\"%s\"", need_ids[i], p->need[i] < 0 ? "unknown" : need_levels[p->need[i]]);
    printf(",\"substance_use\":\"%s\"",
           p->substance < 0 ? "unknown" : substance_codes[p->substance]);
    printf(",\"police_contacts_6m\":\"%s\"", police_codes[p->police]);
}

static void intake(const person *p, long day, int has_pnr, long birth)
{
    static const char *const sexes[] = {"girl", "boy", "other", "not_stated"};
    static const char *const referral[] = {"social_services", "police",   "school",
                                           "young_person",    "guardian", "other_actor"};
    static const char *const living[] = {"both_parents", "one_parent",  "alternating",
                                         "placed",       "own_housing", "other"};
    static const char *const protective[] = {"engaged_adult",     "school_motivation",
                                             "prosocial_friends", "organised_leisure",
                                             "motivation_change", "family_support"};
    static const char *const crimes[] = {"violence", "robbery",   "theft", "drugs",     "weapons",
                                         "threats",  "vandalism", "fraud", "organised", "other"};
    static const char *const earlier[] = {
        "open_care", "family_treatment", "contact_person", "placement",
        "sis",       "psychiatry",       "school_support", "other"};
    /* Version 2's new referral sources, each as likely as an old one. */
    static const char *const referral_v2[] = {"sspf", "field_workers", "leisure_centre",
                                              "probation"};
    int version = version_on(day);
    char date[11];
    date_text(day, date);
    printf("{\"form\":\"sig-intake\",\"version\":%d,\"date\":\"%s\",\"answers\":{", version, date);
    printf("\"sex\":\"%s\"", sexes[p->sex]);
    if (!has_pnr) {
        int y, m, d;
        civil_from_days(birth, &y, &m, &d);
        printf(",\"birth_year\":%d", y);
    }
    const char *source = referral[p->severity > 0.6 && chance(0.5) ? 1 : below(6)];
    double u2 = version == 2 ? uniform2() : 1;
    if (u2 < 0.4)
        source = referral_v2[(int)(u2 * 10)];
    printf(",\"referral_source\":\"%s\"", source);
    printf(",\"consent_young_person\":true,\"consent_guardians\":\"yes\"");
    printf(",\"consent_date\":\"%s\"", date);
    printf(",\"living_situation\":\"%s\"", living[p->severity > 0.7 && chance(0.3) ? 3 : below(3)]);
    print_status_items(p);
    print_multi("protective_factors", protective, 6, 0.55 - 0.35 * p->severity, 0);
    int suspected = p->police > 0 || chance(p->severity);
    printf(",\"suspected_ever\":%s", suspected ? "true" : "false");
    if (suspected) {
        print_multi("crime_types", crimes, 10, 0.1 + 0.3 * p->severity, 1);
        printf(",\"age_first_suspected\":%d", 11 + below(4));
    }
    printf(",\"victim_of_crime\":\"%s\"", chance(0.3 + 0.3 * p->severity) ? "yes"
                                          : chance(0.8)                   ? "no"
                                                                          : "unknown");
    print_multi("earlier_interventions", earlier, 8, 0.1 + 0.25 * p->severity, 0);
    if (chance(0.2))
        printf(",\"notes\":\"Syntetisk anteckning %d\"", below(100000));
    printf("}}");
}

static void intervention(person *p, long day)
{
    static const char *const focus[] = {"outreach",         "individual_activity",
                                        "group_activity",   "parenting_support",
                                        "school_support",   "violence_norms",
                                        "andts_prevention", "employment",
                                        "leisure",          "other"};
    static const char *const actors[] = {"social_services", "police",        "school",
                                         "leisure_centre",  "civil_society", "parents",
                                         "business",        "health_care",   "other_authority",
                                         "barnahus",        "other"};
    static const char *const participation[] = {"yes", "partly", "no"};
    static const char *const obstacles[] = {"no_contact", "motivation", "actor_missing",
                                            "new_crime",  "threats",    "other"};
    int version = version_on(day);
    char date[11];
    date_text(day, date);
    printf(",{\"form\":\"sig-intervention\",\"version\":%d,\"date\":\"%s\",\"answers\":{", version,
           date);
    printf("\"meetings\":%d", 1 + below(8));
    print_multi("focus", focus, 10, 0.25, 1);
    printf(",\"actors\":[\"social_services\"");
    for (int i = 1; i < 11; i++)
        if (chance(i <= 2 ? 0.7 : i == 5 ? 0.6 : 0.15))
            printf(",\"%s\"", actors[i]);
    printf("]");
    int part = chance(0.2) ? below(3) : p->participation;
    printf(",\"young_person_participation\":\"%s\"", participation[part]);
    int plan = part == 0 ? (chance(0.8) ? 0 : 1) : part == 1 ? 1 : 2;
    static const char *const plans[] = {"yes", "partly", "no"};
    printf(",\"plan_followed\":\"%s\"", plans[plan]);
    if (plan > 0)
        print_multi("plan_obstacles", obstacles, 6, 0.3, 1);
    /* Version 2: whether and when the SIG plan was drawn up. Once drawn up
     * it stays so, dated some days before the meeting that first said so. */
    if (version == 2) {
        if (!p->plan_day && uniform2() < 0.55)
            p->plan_day = day - (long)(uniform2() * 14);
        printf(",\"sig_plan\":%s", p->plan_day ? "true" : "false");
        if (p->plan_day) {
            char plan_date[11];
            date_text(p->plan_day, plan_date);
            printf(",\"sig_plan_date\":\"%s\"", plan_date);
        }
    }
    printf("}}");
}

/* Moves a level towards better with probability p_better, worse with p_worse. */
static int change_level(int level, int max, double p_better, double p_worse)
{
    if (level < 0)
        return chance(0.5) ? level : below(max + 1);
    double u = uniform();
    if (u < p_better && level > 0)
        return level - 1;
    if (u > 1 - p_worse && level < max)
        return level + 1;
    return level;
}

static void closure(person *p, long day, int *improved)
{
    static const char *const reasons[] = {
        "goals_reached", "consent_withdrawn", "moved", "other_intervention",
        "age_limit",     "no_contact",        "other"};
    double better = p->participation == 0 ? 0.65 : p->participation == 1 ? 0.45 : 0.2;
    double worse = p->participation == 2 ? 0.25 : 0.07;
    int gains = 0, losses = 0;
    for (int i = 0; i < NEEDS; i++) {
        int before = p->need[i];
        p->need[i] = change_level(before, 2, better, worse);
        gains += before >= 0 && p->need[i] < before;
        losses += before >= 0 && p->need[i] > before;
    }
    p->police = change_level(p->police, 3, better + 0.1, worse);
    p->substance = change_level(p->substance, 3, better * 0.7, worse);
    if (p->school > 0 && p->school != 3 && chance(better * 0.8))
        p->school = chance(0.8) ? 0 : 3;
    *improved = gains > losses;
    int reason = *improved && chance(0.7) ? 0 : 1 + below(6);
    char date[11];
    date_text(day, date);
    printf(",{\"form\":\"sig-closure\",\"version\":%d,\"date\":\"%s\",\"answers\":{",
           version_on(day), date);
    printf("\"closure_reason\":\"%s\"", reasons[reason]);
    if (reason == 1)
        printf(",\"consent_withdrawn_by\":\"%s\"", chance(0.7) ? "young_person" : "guardian");
    printf(",\"goals_reached\":\"%s\"",
           *improved ? (chance(0.5) ? "fully" : "partly") : (chance(0.6) ? "not" : "partly"));
    printf(",\"overall_change\":\"%s\"", gains > losses   ? "improved"
                                         : losses > gains ? "worsened"
                                                          : "unchanged");
    print_status_items(p);
    static const char *const support[] = {"social_services", "school",        "health_care",
                                          "leisure",         "civil_society", "other"};
    print_multi("continued_support", support, 6, 0.3, 0);
    printf("}}");
}

static void experience(const person *p, long day, int improved)
{
    char date[11];
    date_text(day, date);
    printf(",{\"form\":\"sig-experience\",\"version\":1,\"date\":\"%s\",\"answers\":{", date);
    if (chance(0.08)) {
        printf("\"answered_by\":\"declined\"}}");
        return;
    }
    printf("\"answered_by\":\"%s\"", chance(0.8) ? "alone" : "with_support");
    const char *items[] = {"felt_safe", "felt_understood", "could_influence", "got_help"};
    for (int i = 0; i < 4; i++) {
        if (chance(0.05))
            continue; /* skipped */
        int base = 3 + improved + (p->participation == 0) - (i == 2);
        int v = base + below(3) - 1;
        printf(",\"%s\":%d", items[i], v < 1 ? 1 : v > 5 ? 5 : v);
    }
    printf(",\"would_recommend\":%s}}", chance(improved ? 0.85 : 0.55) ? "true" : "false");
}

static void followup(person *p, long day)
{
    char date[11];
    date_text(day, date);
    printf(",{\"form\":\"sig-followup\",\"version\":%d,\"date\":\"%s\",\"answers\":{",
           version_on(day), date);
    printf("\"months_after\":\"%s\"", chance(0.6) ? "m6" : "m12");
    printf(",\"source\":[\"social_services\"%s]", chance(0.5) ? ",\"young_person\"" : "");
    p->police = change_level(p->police, 3, 0.3, 0.15);
    printf(",\"school_situation\":\"%s\"", school_codes[p->school]);
    printf(",\"substance_use\":\"%s\"",
           p->substance < 0 ? "unknown" : substance_codes[p->substance]);
    printf(",\"police_contacts_6m\":\"%s\"", police_codes[p->police]);
    printf(",\"new_intervention\":%s}}", chance(0.2 + 0.2 * p->severity) ? "true" : "false");
}

int main(int argc, char **argv)
{
    long cases = 300;
    unsigned long long seed = 2026;
    double no_pnr_share = 0.08;
    char units_text[1024] = "NORR,SODER,VASTER";
    char until_text[11] = "2026-10-31";
    long max_responses = 1000; /* --responses N: each case's first N responses only */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--cases") == 0 && v)
            cases = strtol(v, NULL, 10), i++;
        else if (strcmp(a, "--seed") == 0 && v)
            seed = strtoull(v, NULL, 10), i++;
        else if (strcmp(a, "--units") == 0 && v)
            snprintf(units_text, sizeof units_text, "%s", v), i++;
        else if (strcmp(a, "--until") == 0 && v && strlen(v) == 10)
            snprintf(until_text, sizeof until_text, "%s", v), i++;
        else if (strcmp(a, "--no-pnr-share") == 0 && v)
            no_pnr_share = strtod(v, NULL), i++;
        else if (strcmp(a, "--responses") == 0 && v && strtol(v, NULL, 10) >= 1)
            max_responses = strtol(v, NULL, 10), i++;
        else if (strcmp(a, "--form-version") == 0 && v &&
                 (strcmp(v, "1") == 0 || strcmp(v, "2") == 0 || strcmp(v, "mixed") == 0))
            version_mode = strcmp(v, "mixed") == 0 ? 0 : (int)strtol(v, NULL, 10), i++;
        else {
            fprintf(stderr, "usage: sigreg-synth [--cases N] [--seed S] [--units U1,U2] "
                            "[--until YYYY-MM-DD] [--no-pnr-share P] [--responses N] "
                            "[--form-version 1|2|mixed]\n");
            return 2;
        }
    }
    if (cases < 0 || cases > 10000000) {
        fprintf(stderr, "sigreg-synth: --cases must be 0..10000000\n");
        return 2;
    }
    const char *units[64];
    int unit_count = 0;
    char *save = NULL;
    for (char *t = strtok_r(units_text, ",", &save); t && unit_count < 64;
         t = strtok_r(NULL, ",", &save))
        units[unit_count++] = t;
    if (unit_count == 0)
        return 2;
    int uy, um, ud;
    if (sscanf(until_text, "%d-%d-%d", &uy, &um, &ud) != 3)
        return 2;
    long until = days_from_civil(uy, um, ud);
    long first_intake = until - 3 * 365;
    switch_day = until - 365;
    rng_state = seed;
    rng2_state = seed ^ 0x5A17C0DE2ULL;
    for (long n = 0; n < cases; n++) {
        person p;
        memset(&p, 0, sizeof p);
        p.severity = uniform();
        double s = uniform();
        p.sex = s < 0.78 ? 1 : s < 0.96 ? 0 : s < 0.98 ? 2 : 3;
        for (int i = 0; i < NEEDS; i++) {
            double weight = i == 9 ? 0.3 : i == 7 ? 0.7 : 1.0;
            p.need[i] = chance(0.06) ? -1 : level_for(p.severity, weight);
        }
        p.school = p.severity < 0.3   ? (chance(0.8) ? 0 : 1)
                   : p.severity < 0.7 ? 1 + below(2)
                                      : 1 + below(5);
        p.substance = chance(0.05)       ? -1
                      : p.severity < 0.3 ? 0
                      : p.severity < 0.6 ? below(2)
                                         : 1 + below(3);
        p.police = p.severity < 0.25 ? 0 : p.severity < 0.5 ? below(2) : 1 + below(3);
        p.participation = chance(0.6 - 0.3 * p.severity) ? 0 : chance(0.6) ? 1 : 2;
        long intake_day = first_intake + below((int)(until - first_intake - 30));
        int age = 13 + below(6);
        long birth = intake_day - age * 365L - below(365);
        int has_pnr = !chance(no_pnr_share);
        printf("{\"ref\":\"synth-%ld\",\"unit\":\"%s\"", n + 1, units[below(unit_count)]);
        if (has_pnr) {
            char pnr[14];
            make_pnr(birth, pnr);
            printf(",\"pnr\":\"%s\"", pnr);
        }
        printf(",\"responses\":[");
        intake(&p, intake_day, has_pnr, birth);
        long emitted = 1;
        long day = intake_day;
        long length = 60 + below(420);
        long close_day = intake_day + length;
        int closed = close_day <= until && chance(0.85);
        long stop = closed ? close_day : until;
        while ((day += 20 + below(25)) < stop)
            if (emitted < max_responses)
                intervention(&p, day), emitted++;
        if (closed && emitted < max_responses) {
            int improved = 0;
            closure(&p, close_day, &improved);
            emitted++;
            if (chance(0.7) && emitted < max_responses)
                experience(&p, close_day, improved), emitted++;
            long follow = close_day + 180;
            if (follow <= until && chance(0.35) && emitted < max_responses)
                followup(&p, follow);
        }
        printf("]}\n");
    }
    return 0;
}
