/*
 * test_leaks.c - the leak scan (white-box: it needs the keys to look for
 * them). A scenario registers cases with known personnummer and free text,
 * then summarises, makes an extract, backs up, removes a user (a re-key)
 * and erases a case. Every file under the scratch folder (the registry, the
 * backup, the extract, the temporary folder) is then searched for the
 * personnummer in all its written forms, the free text, and every key the
 * sessions held (master keys of both epochs, identity, signing, database and
 * code key sub-keys, the evaluator's secret key) raw, in hex and in base64.
 * Nothing may be found.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "container.h"
#include "keyring.h"
#include "registry_int.h"
#include "sigreg/cases.h"
#include "sigreg/extract.h"
#include "sigreg/form_store.h"
#include "sigreg/maintenance.h"
#include "sigreg/stats.h"
#include "sigreg/units.h"
#include "sigreg/users.h"

#define NEEDLES 256
static unsigned char *needles[NEEDLES];
static size_t needle_len[NEEDLES], needle_count;
static char needle_name[NEEDLES][48];

static void add_needle(const char *name, const void *bytes, size_t len)
{
    assert_true(needle_count < NEEDLES);
    needles[needle_count] = malloc(len);
    memcpy(needles[needle_count], bytes, len);
    needle_len[needle_count] = len;
    snprintf(needle_name[needle_count], sizeof needle_name[0], "%s", name);
    needle_count++;
}

static void add_key(const char *name, const unsigned char *key, size_t len)
{
    char hex[2 * 64 + 1], label[48];
    add_needle(name, key, len);
    srp_hex_encode(hex, key, len);
    snprintf(label, sizeof label, "%s (hex)", name);
    add_needle(label, hex, 2 * len);
    char *b64 = srp_base64_encode(key, len);
    snprintf(label, sizeof label, "%s (base64)", name);
    add_needle(label, b64, strlen(b64) - 2); /* without the padding */
    free(b64);
}

static void keys_of(sr_registry *reg, const char *when)
{
    const srp_keys *k = srp_registry_keys(reg);
    char name[48];
    snprintf(name, sizeof name, "master key (%s)", when);
    add_key(name, k->master, SRP_KEY_BYTES);
    if (k->has_identity) {
        snprintf(name, sizeof name, "identity key (%s)", when);
        add_key(name, k->identity, SRP_KEY_BYTES);
    }
    if (k->has_data) {
        snprintf(name, sizeof name, "data key (%s)", when);
        add_key(name, k->data, SRP_KEY_BYTES);
    }
    if (k->has_signing) {
        snprintf(name, sizeof name, "signing key (%s)", when);
        add_key(name, k->signing, 32); /* the secret half (seed) */
    }
    sr_secret *db = srp_registry_database_key(reg), *ck = srp_registry_codekey_key(reg);
    snprintf(name, sizeof name, "database key (%s)", when);
    add_key(name, sr_secret_cdata(db), SRP_KEY_BYTES);
    snprintf(name, sizeof name, "code key key (%s)", when);
    add_key(name, sr_secret_cdata(ck), SRP_KEY_BYTES);
    sr_secret_free(db);
    sr_secret_free(ck);
}

static int scan_file(const char *path)
{
    size_t len = 0;
    unsigned char *data = tu_read_file(path, &len);
    int found = 0;
    for (size_t n = 0; data && n < needle_count; n++)
        if (len >= needle_len[n] && memmem(data, len, needles[n], needle_len[n])) {
            print_error("found %s in %s\n", needle_name[n], path);
            found++;
        }
    free(data);
    return found;
}

static int scan_tree(const char *dir, size_t *files)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            found += scan_tree(path, files);
        } else if (S_ISREG(st.st_mode) && strstr(e->d_name, ".pass") == NULL) {
            found += scan_file(path);
            (*files)++;
        }
    }
    if (d)
        closedir(d);
    return found;
}

static void test_nothing_leaks(void **state)
{
    (void)state;
    char dir[512], db[600], tmp[600], stem[600];
    snprintf(dir, sizeof dir, "%s", tu_scratch_dir());
    snprintf(db, sizeof db, "%s/reg.db", dir);
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    mkdir(tmp, 0700);
    setenv("TMPDIR", tmp, 1);
    sr_error err;
    sr_error_clear(&err);
    sr_registry *reg = tu_create_with_forms(db);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet", &err), SR_OK);
    sr_secret *p = tu_pass("leaving-passphrase");
    assert_int_equal(sr_user_add(reg, "leaver", SR_ROLE_COORDINATOR, (const char *[]){"U1"}, 1,
                                 TEST_KDF, p, &err),
                     SR_OK);
    sr_secret_free(p);
    keys_of(reg, "first epoch");

    /* Cases with known personnummer and free text. */
    static const char *const pnrs[] = {"20100315-1238", "200907045678", "201102281118"};
    static const char *const forms_of[][4] = {
        {"201003151238", "20100315-1238", "1003151238", "100315-1238"},
        {"200907045678", "20090704-5678", "0907045678", "090704-5678"},
        {"201102281118", "20110228-1118", "1102281118", "110228-1118"}};
    char codes[3][SR_CASE_CODE_SIZE];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sr_case_new(reg, "U1", pnrs[i], codes[i], &err), SR_OK);
        for (int f = 0; f < 4; f++)
            add_needle("a personnummer", forms_of[i][f], strlen(forms_of[i][f]));
    }
    const char *secret_text = "Hemligt4711 Kalle bor på Storgatan";
    add_needle("free text", "Hemligt4711", 11);
    add_needle("free text", "Storgatan", 9);
    /* Six more people so that the extract reaches k = 5. */
    for (int i = 0; i < 9; i++) {
        char code[SR_CASE_CODE_SIZE];
        const char *c = i < 3 ? codes[i] : code;
        if (i >= 3)
            assert_int_equal(sr_case_new(reg, "U1", NULL, code, &err), SR_OK);
        char answers[1600];
        snprintf(
            answers, sizeof answers,
            "{\"sex\":\"boy\",\"referral_source\":\"school\",\"consent_young_person\":true,"
            "\"consent_guardians\":\"yes\",\"living_situation\":\"one_parent\","
            "\"school_situation\":\"regular\",\"need_crime\":\"none\",\"need_attitudes\":\"none\","
            "\"need_peers\":\"none\",\"need_family\":\"none\",\"need_school\":\"none\","
            "\"need_leisure\":\"none\",\"need_substances\":\"none\",\"need_mental_health\":"
            "\"none\","
            "\"need_violence_exposure\":\"none\",\"need_honour\":\"none\",\"substance_use\":"
            "\"none\","
            "\"police_contacts_6m\":\"none\",\"suspected_ever\":false,\"victim_of_crime\":\"no\","
            "\"notes\":\"%s\"}",
            secret_text);
        int64_t id;
        sr_error_clear(&err);
        if (sr_register(reg, c, "sig-intake", 0, "2025-03-01", answers, strlen(answers), NULL, &id,
                        &err) != SR_OK)
            fail_msg("register: %s", err.message);
    }
    /* Summaries, an extract, a backup. */
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = "sig-intake";
    sr_stats *s = NULL;
    assert_int_equal(sr_stats_run(reg, &q, &s, &err), SR_OK);
    sr_stats_free(s);
    snprintf(stem, sizeof stem, "%s/evaluator", dir);
    char fp[SR_FINGERPRINT_SIZE];
    sr_secret *ep = tu_pass("evaluator-passphrase");
    assert_int_equal(sr_keygen(stem, TEST_KDF, ep, fp, &err), SR_OK);
    char pub[700], out[700], key[700], opened[700], backup[700];
    snprintf(pub, sizeof pub, "%s.pub", stem);
    snprintf(key, sizeof key, "%s.key", stem);
    snprintf(out, sizeof out, "%s/extract.sigx", dir);
    snprintf(opened, sizeof opened, "%s/opened", dir);
    snprintf(backup, sizeof backup, "%s/backup.db", dir);
    sr_extract_options o = {pub, out, NULL, 0, 5, 0};
    sr_extract_report rep;
    sr_error_clear(&err);
    if (sr_extract(reg, &o, &rep, &err) != SR_OK)
        fail_msg("extract: %s", err.message);
    assert_int_equal(sr_registry_backup(reg, backup, &err), SR_OK);
    /* The evaluator's secret key, to look for too. */
    size_t klen = 0;
    unsigned char *ktext = tu_read_file(key, &klen);
    unsigned char epk[SRP_BOX_PUBLIC_BYTES], esk[SRP_BOX_SECRET_BYTES];
    assert_int_equal(srp_recipient_key_unlock((char *)ktext, klen, sr_secret_cdata(ep),
                                              sr_secret_len(ep), epk, esk, &err),
                     SR_OK);
    add_key("evaluator's secret key", esk, sizeof esk);
    free(ktext);
    /* A re-key and an erasure. */
    assert_int_equal(sr_user_remove(reg, "leaver", &err), SR_OK);
    keys_of(reg, "second epoch");
    assert_int_equal(sr_case_delete(reg, codes[0], &err), SR_OK);
    sr_registry_close(reg);
    assert_int_equal(sr_extract_open(out, key, ep, opened, NULL, fp, &err), SR_OK);
    sr_secret_free(ep);

    size_t files = 0;
    int found = scan_tree(dir, &files);
    print_message("leak scan: %zu files, %zu things looked for, %d found\n", files, needle_count,
                  found);
    assert_true(files >= 12);
    assert_int_equal(found, 0);
    for (size_t i = 0; i < needle_count; i++)
        free(needles[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_nothing_leaks)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
