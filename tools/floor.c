/*
 * floor.c - the honest floor for tools/bench: the least work that writes what
 * an import writes, for a yardstick against which sigreg's own time means
 * something.
 *
 *   sigreg-floor import DB CASES.jsonl [--plain | --forms DIR]
 *   sigreg-floor scan DB FORM [--plain | --intake INTAKE_FORM]
 *
 * import writes the rows sigreg's import writes (a case, its code-key row,
 * its responses, their coded answers and one signed audit entry, into every index
 * of the schema) with the same schema (the library's own migrations), the
 * same pragmas, page size, page cache and batches of 5,000 cases, in
 * SQLCipher with a key, after parsing the same JSON Lines with jansson. With
 * --forms DIR (the shipped forms) the coded answers are the very bytes
 * sigreg stores (the library's encoder); without, one byte per answer. It
 * checks nothing against forms or life-cycle rules and keeps no state but
 * the chain head. With --plain it writes the same number of rows of the
 * same sizes with no key (plain pages) and without parsing JSON: the lines
 * are only scanned for their fields. That is SQLite's own cost.
 *
 * scan runs the query phase of a summary: the same join of coded answers
 * with the case index that sigreg's summaries read, decoding nothing, in a
 * database that sigreg-floor import wrote; with --intake, each row's case's
 * intake date too (what a closure's summary reads for its days from intake).
 *
 * Synthetic data only: the keys are random and thrown away.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casecode.h"
#include "coded.h"
#include "crypto.h"
#include "json_span.h"
#include "sigreg/form.h"
#include "store.h"

#define BATCH 5000
/* Responses per case: a line with more stops the floor (it never writes part
 * of a case; at 16, it used to drop the rest, and sigreg summarised rows the
 * floor did not have). */
#define MAX_RESPONSES 256

static sqlite3 *db;
static int plain;

static void die(const char *what)
{
    fprintf(stderr, "sigreg-floor: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
    exit(1);
}

static void exec(const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(sql);
}

static sqlite3_stmt *prepare(const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql);
    return st;
}

static void done(sqlite3_stmt *st, const char *what)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die(what);
    sqlite3_reset(st);
}

static void key_literal(char out[2 * 32 + 4])
{
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    out[0] = 'x';
    out[1] = '\'';
    sodium_bin2hex(out + 2, 65, key, sizeof key);
    out[66] = '\'';
    out[67] = '\0';
}

static void record_key_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_int64(ctx, (sqlite3_int64)randombytes_random());
}

static void open_db(const char *path)
{
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        die("open");
    exec("PRAGMA cipher_default_page_size = 4096");
    if (!plain) {
        char lit[68];
        key_literal(lit);
        if (sqlite3_key(db, lit, (int)strlen(lit)) != SQLITE_OK)
            die("key");
        /* The scan reopens what import wrote: its key is kept beside it. */
        char *keyfile = sqlite3_mprintf("%s.floorkey", path);
        FILE *f = fopen(keyfile, "r");
        if (f) {
            if (!fgets(lit, sizeof lit, f))
                die("read the floor key");
            fclose(f);
            sqlite3_close(db);
            if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
                    SQLITE_OK ||
                sqlite3_key(db, lit, (int)strlen(lit)) != SQLITE_OK)
                die("reopen");
        } else if ((f = fopen(keyfile, "w")) != NULL) {
            fputs(lit, f);
            fclose(f);
        }
        sqlite3_free(keyfile);
    }
    exec("PRAGMA cipher_page_size = 4096");
    /* The library's migrations call it, as every sigreg connection has it. */
    if (sqlite3_create_function(db, "sigreg_record_key", 0, SQLITE_UTF8, NULL, record_key_fn, NULL,
                                NULL) != SQLITE_OK)
        die("record key function");
    sr_error err;
    sr_error_clear(&err);
    if (srp_store_apply_pragmas(db, &err) != SR_OK)
        die(err.message);
}

/* ---- import ------------------------------------------------------------------------ */

#define FORMS 5
static const char *const form_ids[FORMS] = {"sig-intake", "sig-intervention", "sig-closure",
                                            "sig-experience", "sig-followup"};
static sr_form *forms_loaded[FORMS];

static void load_forms(const char *dir)
{
    for (size_t i = 0; i < FORMS; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.json", dir, form_ids[i]);
        FILE *f = fopen(path, "rb");
        if (!f)
            die("cannot read a form");
        static char text[1 << 20];
        size_t n = fread(text, 1, sizeof text, f);
        fclose(f);
        sr_error err;
        sr_error_clear(&err);
        if (sr_form_parse(text, n, &forms_loaded[i], NULL, &err) != SR_OK)
            die(err.message);
    }
}

static const sr_form *form_named(const char *id)
{
    for (size_t i = 0; i < FORMS; i++)
        if (forms_loaded[i] && id && strcmp(id, form_ids[i]) == 0)
            return forms_loaded[i];
    return NULL;
}

static sqlite3_stmt *ins_case, *ins_key, *ins_resp, *ins_codes, *ins_audit;
static unsigned char pseudonym_key[32], chain[32], unit_key[SRP_KEY_BYTES];
static unsigned char sign_pk[crypto_sign_PUBLICKEYBYTES], sign_sk[crypto_sign_SECRETKEYBYTES];
static sqlite3_int64 audit_seq;

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void write_audit(const char *code, const char *detail)
{
    char at[32];
    now_iso(at);
    audit_seq++;
    /* As sigreg writes an entry of a signed session: the hash chain's link
     * (in both mac and link), the signer and an Ed25519 signature of it. */
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, sizeof chain);
    crypto_generichash_update(&h, chain, sizeof chain);
    crypto_generichash_update(&h, (const unsigned char *)&audit_seq, sizeof audit_seq);
    crypto_generichash_update(&h, (const unsigned char *)at, strlen(at));
    crypto_generichash_update(&h, (const unsigned char *)code, strlen(code));
    crypto_generichash_update(&h, (const unsigned char *)detail, strlen(detail));
    crypto_generichash_update(&h, sign_pk, sizeof sign_pk);
    crypto_generichash_final(&h, chain, sizeof chain);
    unsigned char msg[48], sig[crypto_sign_BYTES];
    memcpy(msg, "sigreg-audit-entry/2", 16);
    memcpy(msg + 16, chain, sizeof chain);
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sign_sk);
    sqlite3_bind_int64(ins_audit, 1, audit_seq);
    sqlite3_bind_text(ins_audit, 2, at, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins_audit, 3, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_audit, 4, detail, -1, SQLITE_STATIC);
    sqlite3_bind_blob(ins_audit, 5, chain, sizeof chain, SQLITE_STATIC);
    sqlite3_bind_blob(ins_audit, 6, chain, sizeof chain, SQLITE_STATIC);
    sqlite3_bind_blob(ins_audit, 7, sign_pk, sizeof sign_pk, SQLITE_STATIC);
    sqlite3_bind_blob(ins_audit, 8, sig, sizeof sig, SQLITE_STATIC);
    done(ins_audit, "audit");
}

typedef struct response_row {
    const char *form;
    int version;
    const char *date;
    const char *answers;
    size_t answers_len;
    const unsigned char *coded;
    size_t coded_len;
} response_row;

static const char *phase_of(const char *form)
{
    const char *dash = strchr(form, '-');
    return dash ? dash + 1 : form;
}

static void write_case(const char *unit, const char *pnr, const response_row *r, size_t n)
{
    char code[SR_CASE_CODE_SIZE], today[32], birth[11] = "";
    now_iso(today);
    today[10] = '\0';
    const char *closed_at = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(phase_of(r[i].form), "closure") == 0)
            closed_at = r[i].date;
    unsigned char ps[32];
    char canonical[13] = "";
    if (pnr) {
        size_t k = 0;
        for (const char *p = pnr; *p && k < 12; p++)
            if (*p >= '0' && *p <= '9')
                canonical[k++] = *p;
        canonical[k] = '\0';
        crypto_generichash(ps, sizeof ps, (const unsigned char *)canonical, k, pseudonym_key,
                           sizeof pseudonym_key);
        snprintf(birth, sizeof birth, "%.4s-%.2s-%.2s", canonical, canonical + 4, canonical + 6);
    }
    int src;
again:
    srp_case_code_generate(code);
    sqlite3_bind_text(ins_case, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_case, 2, unit, -1, SQLITE_STATIC);
    if (pnr) {
        sqlite3_bind_blob(ins_case, 3, ps, sizeof ps, SQLITE_STATIC);
        sqlite3_bind_text(ins_case, 4, birth, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(ins_case, 3);
        sqlite3_bind_null(ins_case, 4);
    }
    sqlite3_bind_text(ins_case, 5, closed_at ? "closed" : "open", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_case, 6, today, -1, SQLITE_STATIC);
    if (closed_at)
        sqlite3_bind_text(ins_case, 7, closed_at, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(ins_case, 7);
    sqlite3_bind_int64(ins_case, 8, (sqlite3_int64)randombytes_random()); /* the record key */
    src = sqlite3_step(ins_case);
    sqlite3_reset(ins_case);
    if ((src & 0xff) == SQLITE_CONSTRAINT)
        goto again; /* codes are random and short: a collision takes a new one, as in sigreg */
    if (src != SQLITE_DONE)
        die("case");
    if (pnr) {
        /* Sealed under the unit's key as sigreg seals it (unitkeys.c: the
         * row's associated data a MAC of case, unit and generation); with
         * --plain, the same number of bytes unsealed. */
        unsigned char ad[SRP_MAC_BYTES], sealed[SRP_AEAD_NONCE_BYTES + 13 + SRP_AEAD_TAG_BYTES];
        size_t n_pnr = strlen(canonical);
        memset(sealed, 0, sizeof sealed);
        if (!plain) {
            unsigned char g[4] = {1, 0, 0, 0};
            static const char label[] = "sigreg code key row/1";
            srp_mac_state *mac = srp_mac_begin(NULL);
            if (!mac)
                die("out of memory");
            srp_mac_field(mac, label, sizeof label - 1);
            srp_mac_field(mac, code, strlen(code));
            srp_mac_field(mac, unit, strlen(unit));
            srp_mac_field(mac, g, sizeof g);
            srp_mac_end(mac, ad);
            srp_aead_encrypt(sealed + SRP_AEAD_NONCE_BYTES, sealed,
                             (const unsigned char *)canonical, n_pnr, ad, sizeof ad, unit_key);
        }
        sqlite3_bind_text(ins_key, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_key, 2, unit, -1, SQLITE_STATIC);
        sqlite3_bind_blob(ins_key, 3, sealed,
                          (int)(SRP_AEAD_NONCE_BYTES + n_pnr + SRP_AEAD_TAG_BYTES), SQLITE_STATIC);
        sqlite3_bind_text(ins_key, 4, today, -1, SQLITE_STATIC);
        done(ins_key, "code key");
    }
    char now[32];
    now_iso(now);
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_text(ins_resp, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_resp, 2, r[i].form, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins_resp, 3, r[i].version);
        sqlite3_bind_text(ins_resp, 4, phase_of(r[i].form), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_resp, 5, r[i].date, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_resp, 6, r[i].answers, (int)r[i].answers_len, SQLITE_STATIC);
        sqlite3_bind_text(ins_resp, 7, now, -1, SQLITE_STATIC);
        done(ins_resp, "response");
        sqlite3_int64 id = sqlite3_last_insert_rowid(db);
        sqlite3_bind_text(ins_codes, 1, r[i].form, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_codes, 2, code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins_codes, 3, id);
        sqlite3_bind_int(ins_codes, 4, r[i].version);
        sqlite3_bind_text(ins_codes, 5, r[i].date, -1, SQLITE_STATIC);
        sqlite3_bind_blob(ins_codes, 6, r[i].coded, (int)r[i].coded_len, SQLITE_STATIC);
        done(ins_codes, "coded answers");
    }
    char detail[64];
    snprintf(detail, sizeof detail, "import responses=%zu pnr=%s", n, pnr ? "yes" : "no");
    write_audit(code, detail);
}

/* One byte per answer (an option's or value's hash), as compact as sigreg's
 * coding of choices; the point is the row size, not the meaning. */
static size_t code_answers(json_t *answers, unsigned char *out, size_t cap)
{
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(answers, k, v)
    {
        if (n + 2 >= cap)
            break;
        out[n++] = 1;
        out[n++] = json_is_string(v) ? (unsigned char)json_string_value(v)[0]
                                     : (unsigned char)json_typeof(v);
    }
    return n;
}

static void parsed_line(const char *line, size_t len)
{
    json_error_t jerr;
    json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj)
        die("a line is not JSON");
    json_t *responses = json_object_get(obj, "responses");
    size_t n = json_array_size(responses);
    /* The answers' own text when it is what json_dumps writes, as sigreg
     * stores it; written out again otherwise. */
    static srp_span spans[MAX_RESPONSES];
    size_t span_count = srp_json_elements_member((srp_span){line, len}, "responses", "answers",
                                                 spans, MAX_RESPONSES);
    static response_row rows[MAX_RESPONSES];
    static char *texts[MAX_RESPONSES];
    static unsigned char coded[MAX_RESPONSES][256], *encoded[MAX_RESPONSES];
    if (n > MAX_RESPONSES)
        die("a case has more responses than the floor takes");
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(responses, i);
        json_t *answers = json_object_get(r, "answers");
        const char *form_id = json_string_value(json_object_get(r, "form"));
        srp_span own = i < span_count ? spans[i] : (srp_span){NULL, 0};
        texts[i] = NULL;
        if (!srp_json_is_canonical(own)) {
            texts[i] = json_dumps(answers, JSON_COMPACT | JSON_PRESERVE_ORDER);
            own = (srp_span){texts[i], strlen(texts[i])};
        }
        rows[i] = (response_row){form_id,
                                 (int)json_integer_value(json_object_get(r, "version")),
                                 json_string_value(json_object_get(r, "date")),
                                 own.p,
                                 own.n,
                                 coded[i],
                                 0};
        encoded[i] = NULL;
        const sr_form *form = form_named(form_id);
        if (form && srp_coded_encode(form, answers, &encoded[i], &rows[i].coded_len) == 0)
            rows[i].coded = encoded[i];
        else
            rows[i].coded_len = code_answers(answers, coded[i], sizeof coded[i]);
        if (rows[i].version < 1)
            rows[i].version = 1;
    }
    json_t *pnr = json_object_get(obj, "pnr");
    write_case(json_string_value(json_object_get(obj, "unit")),
               json_is_string(pnr) ? json_string_value(pnr) : NULL, rows, n);
    for (size_t i = 0; i < n; i++) {
        free(texts[i]);
        free(encoded[i]);
    }
    json_decref(obj);
}

/* The text of "key":"..." at or after from, copied into out (no parsing). */
static const char *scan_string(const char *from, const char *end, const char *key, char *out,
                               size_t cap)
{
    const char *p = memmem(from, (size_t)(end - from), key, strlen(key));
    if (!p)
        return NULL;
    p += strlen(key);
    size_t k = 0;
    while (p < end && *p != '"' && k + 1 < cap)
        out[k++] = *p++;
    out[k] = '\0';
    return p;
}

static void scanned_line(const char *line, size_t len)
{
    const char *end = line + len;
    static char forms[MAX_RESPONSES][64], dates[MAX_RESPONSES][16];
    char unit[40] = "NORR", pnr[16] = "";
    (void)scan_string(line, end, "\"unit\":\"", unit, sizeof unit);
    const char *has_pnr = scan_string(line, end, "\"pnr\":\"", pnr, sizeof pnr);
    static response_row rows[MAX_RESPONSES];
    size_t n = 0;
    const char *p = line;
    while (n < MAX_RESPONSES &&
           (p = scan_string(p, end, "\"form\":\"", forms[n], sizeof forms[n]))) {
        const char *a = memmem(p, (size_t)(end - p), "\"answers\":", 10);
        (void)scan_string(p, end, "\"date\":\"", dates[n], sizeof dates[n]);
        const char *next = a ? memmem(a, (size_t)(end - a), "\"form\":\"", 8) : NULL;
        const char *stop = next ? next : end;
        rows[n] = (response_row){forms[n],
                                 1,
                                 dates[n],
                                 a ? a + 10 : p,
                                 a ? (size_t)(stop - a - 10) : 0,
                                 (const unsigned char *)p,
                                 40};
        n++;
        p = stop;
    }
    if (n == MAX_RESPONSES && p && memmem(p, (size_t)(end - p), "\"form\":\"", 8))
        die("a case has more responses than the floor takes");
    write_case(unit, has_pnr ? pnr : NULL, rows, n);
}

static int run_import(const char *path, const char *input)
{
    open_db(path);
    sr_error err;
    sr_error_clear(&err);
    if (srp_store_set_cache(db, SRP_STORE_IMPORT_CACHE_MIB, &err) != SR_OK ||
        srp_store_migrate(db, &err) != SR_OK)
        die(err.message);
    /* The key as sigreg gives it, SQLCipher's raw form as text ("x'...'"):
     * a blob literal would be taken as a passphrase and run PBKDF2. */
    char *attach = sqlite3_mprintf("ATTACH DATABASE '%q.codekey' AS codekey KEY %s", path,
                                   plain ? "''"
                                         : "'x''00112233445566778899aabbccddeeff00112233445566"
                                           "778899aabbccddeeff'''");
    exec(attach);
    sqlite3_free(attach);
    if (srp_store_init_codekey(db, &err) != SR_OK)
        die(err.message);
    exec("INSERT OR IGNORE INTO units VALUES ('NORR', 'NORR', '2026-01-01'),"
         " ('SODER', 'SODER', '2026-01-01'), ('VASTER', 'VASTER', '2026-01-01')");
    const char *const *forms = form_ids;
    for (size_t i = 0; i < FORMS; i++) {
        char *sql = sqlite3_mprintf("INSERT OR IGNORE INTO forms VALUES ('%q', 1, '%q', 0, '%q',"
                                    " '{}', '', '2026-01-01')",
                                    forms[i], phase_of(forms[i]), forms[i]);
        exec(sql);
        sqlite3_free(sql);
    }
    crypto_sign_keypair(sign_pk, sign_sk);
    randombytes_buf(pseudonym_key, sizeof pseudonym_key);
    ins_case = prepare("INSERT INTO cases (code, unit, pseudonym, birth_date, status, opened_at,"
                       " closed_at, record_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    /* The code key's rows as sigreg writes them since unit keys: the
     * personnummer sealed under its unit's key (codekey.c). */
    exec("CREATE TABLE IF NOT EXISTS codekey.pnr_sealed (case_code TEXT PRIMARY KEY,"
         " unit TEXT NOT NULL, generation INTEGER NOT NULL, sealed BLOB NOT NULL,"
         " created_at TEXT NOT NULL)");
    randombytes_buf(unit_key, sizeof unit_key);
    ins_key = prepare("INSERT INTO codekey.pnr_sealed (case_code, unit, generation, sealed,"
                      " created_at) VALUES (?1, ?2, 1, ?3, ?4)");
    ins_resp = prepare("INSERT INTO responses (case_code, form_id, form_version, phase, date,"
                       " answers, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                       " 'admin')");
    ins_codes = prepare("INSERT INTO response_codes (form_id, case_code, response_id,"
                        " form_version, date, active, coded) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)");
    ins_audit = prepare("INSERT INTO audit (seq, at, user, action, case_code, detail, mac,"
                        " link, signer, sig) VALUES (?1, ?2, 'admin', 'case.new', ?3, ?4, ?5, ?6,"
                        " ?7, ?8)");
    FILE *in = fopen(input, "r");
    if (!in)
        die("cannot read the input");
    char *line = NULL;
    size_t cap = 0, in_batch = 0;
    ssize_t len;
    exec("BEGIN");
    while ((len = getline(&line, &cap, in)) > 0) {
        if (plain)
            scanned_line(line, (size_t)len);
        else
            parsed_line(line, (size_t)len);
        if (++in_batch == BATCH) {
            exec("COMMIT");
            exec("BEGIN");
            in_batch = 0;
        }
    }
    write_audit("", "import");
    exec("COMMIT");
    free(line);
    fclose(in);
    sqlite3_finalize(ins_case);
    sqlite3_finalize(ins_key);
    sqlite3_finalize(ins_resp);
    sqlite3_finalize(ins_codes);
    sqlite3_finalize(ins_audit);
    sqlite3_close(db);
    return 0;
}

/* ---- scan -------------------------------------------------------------------------- */

/* The query phase of a summary: every active coded response of the form,
 * in case order, with the case's unit, birth date and status from the
 * covering index, touched byte by byte but not decoded. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SIGREG_FLOOR_REPEAT=N scans N times in one process and prints the CPU
 * seconds of the fastest scan (the query phase without start and open). */
static int run_scan(const char *path, const char *form, const char *intake)
{
    open_db(path);
    /* With an intake form (a closure's summary counts the days from the
     * intake), each row's case's intake date too, as sigreg reads it. */
    sqlite3_stmt *st = prepare(intake ? "SELECT r.case_code, r.date, r.coded, c.unit, c.birth_date,"
                                        " c.status, (SELECT i.date FROM response_codes i"
                                        " WHERE i.form_id = ?2 AND i.case_code = r.case_code"
                                        " AND i.active ORDER BY i.response_id LIMIT 1)"
                                        " FROM response_codes r JOIN cases c"
                                        " INDEXED BY cases_summary ON c.code = r.case_code"
                                        " WHERE r.form_id = ?1 AND r.active"
                                        " ORDER BY r.form_id, r.case_code, r.response_id"
                                      : "SELECT r.case_code, r.date, r.coded, c.unit, c.birth_date,"
                                        " c.status FROM response_codes r JOIN cases c"
                                        " INDEXED BY cases_summary ON c.code = r.case_code"
                                        " WHERE r.form_id = ?1 AND r.active"
                                        " ORDER BY r.form_id, r.case_code, r.response_id");
    const char *rep = getenv("SIGREG_FLOOR_REPEAT");
    int repeat = rep ? (int)strtol(rep, NULL, 10) : 1;
    double best = 1e9;
    unsigned long sum = 0, rows = 0;
    for (int k = 0; k < (repeat > 0 ? repeat : 1); k++) {
        double t0 = cpu_now();
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, form, -1, SQLITE_STATIC);
        if (intake)
            sqlite3_bind_text(st, 2, intake, -1, SQLITE_STATIC);
        sum = 0, rows = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *b = sqlite3_column_blob(st, 2);
            int n = sqlite3_column_bytes(st, 2);
            for (int i = 0; i < n; i++)
                sum += b[i];
            sum += (unsigned long)sqlite3_column_bytes(st, 3);
            if (intake)
                sum += (unsigned long)sqlite3_column_bytes(st, 6);
            rows++;
        }
        double t = cpu_now() - t0;
        best = t < best ? t : best;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (rep)
        printf("%s %.4f %lu\n", form, best, rows);
    else
        printf("%lu rows %lu\n", rows, sum);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: sigreg-floor import DB CASES.jsonl [--plain | --forms DIR]\n"
                        "       sigreg-floor scan DB FORM [--plain | --intake INTAKE_FORM]\n");
        return 2;
    }
    plain = argc > 4 && strcmp(argv[4], "--plain") == 0;
    if (argc > 5 && strcmp(argv[4], "--forms") == 0 && strcmp(argv[1], "import") == 0)
        load_forms(argv[5]);
    if (sodium_init() < 0)
        die("sodium");
    if (strcmp(argv[1], "import") == 0)
        return run_import(argv[2], argv[3]);
    if (strcmp(argv[1], "scan") == 0)
        return run_scan(argv[2], argv[3],
                        argc > 5 && strcmp(argv[4], "--intake") == 0 ? argv[5] : NULL);
    fprintf(stderr, "sigreg-floor: unknown mode '%s'\n", argv[1]);
    return 2;
}
