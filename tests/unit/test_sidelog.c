/*
 * test_sidelog.c - the analysts' access log beside the registry (white-box):
 * entries chain and verify; an edited, deleted, reordered or foreign-signed
 * entry, and a log cut below an anchor, are refused; a torn last line (an
 * interrupted append) is no entry and the next append repairs it.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "sidelog.h"

#define REG_ID "00112233445566778899aabbccddeeff"

typedef struct signer_key {
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES];
    unsigned char sk[SRP_SIGN_SECRET_BYTES];
} signer_key;

static sr_status sign_with(void *ctx, const unsigned char *msg, size_t len,
                           unsigned char sig[SRP_SIGNATURE_BYTES], sr_error *err)
{
    (void)err;
    srp_sign(sig, msg, len, ((signer_key *)ctx)->sk);
    return SR_OK;
}

static signer_key ana, bob;
static const char *log_path;

/* Certifies ana's and bob's keys for their own names only. */
static int certify(void *ctx, const char *user, const unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                   int *is_admin)
{
    (void)ctx;
    *is_admin = 0;
    const signer_key *k = strcmp(user, "ana") == 0 ? &ana : strcmp(user, "bob") == 0 ? &bob : NULL;
    return k && memcmp(k->pk, pk, SRP_SIGN_PUBLIC_BYTES) == 0;
}

static void append(signer_key *k, const char *user, const char *action, const char *detail)
{
    srp_audit_signer s;
    memcpy(s.pk, k->pk, sizeof s.pk);
    s.sign = sign_with;
    s.ctx = k;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_sidelog_append(log_path, REG_ID, &s, user, action, NULL, detail, &err),
                     SR_OK);
}

static sr_status verify(int64_t anchor, const unsigned char *head, srp_sidelog_report *rep,
                        sr_error *err)
{
    sr_error_clear(err);
    return srp_sidelog_verify(log_path, REG_ID, certify, NULL, anchor, head, 0, NULL, NULL, rep,
                              err);
}

static int collect(void *ctx, const sr_audit_entry *e)
{
    char *seen = ctx;
    size_t n = strlen(seen);
    snprintf(seen + n, 256 - n, "%lld:%s:%s;", (long long)e->seq, e->user, e->action);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    log_path = tu_path(tu_scratch_dir(), "reg.sidelog");
    srp_sign_keypair(ana.pk, ana.sk);
    srp_sign_keypair(bob.pk, bob.sk);
    append(&ana, "ana", "publication.read", "form=sig-intake");
    append(&bob, "bob", "publication.read", "form=cases");
    append(&ana, "ana", "access.denied", "refused=list cases reason=role");
    return 0;
}

static void test_chain_verifies(void **state)
{
    (void)state;
    srp_sidelog_report rep;
    sr_error err;
    assert_int_equal(verify(0, NULL, &rep, &err), SR_OK);
    assert_int_equal(rep.entries, 3);
    /* The last two, in order. */
    char seen[256] = "";
    assert_int_equal(
        srp_sidelog_verify(log_path, REG_ID, certify, NULL, 0, NULL, 2, collect, seen, &rep, &err),
        SR_OK);
    assert_string_equal(seen, "2:bob:publication.read;3:ana:access.denied;");
    /* The same head again holds as an anchor. */
    unsigned char head[SRP_MAC_BYTES];
    memcpy(head, rep.head, sizeof head);
    assert_int_equal(verify(3, head, &rep, &err), SR_OK);
    /* Another registry's chain does not. */
    sr_error_clear(&err);
    assert_int_equal(srp_sidelog_verify(log_path, "ffeeddccbbaa99887766554433221100", certify, NULL,
                                        0, NULL, 0, NULL, NULL, &rep, &err),
                     SR_ERR_TAMPERED);
}

/* Line i (1-based) of the log, and the whole log without it. */
static char *without_line(const char *text, int i, char **line)
{
    const char *p = text;
    for (int k = 1; k < i; k++)
        p = strchr(p, '\n') + 1;
    const char *end = strchr(p, '\n') + 1;
    *line = strndup(p, (size_t)(end - p));
    size_t n = strlen(text);
    char *rest = malloc(n + 1);
    memcpy(rest, text, (size_t)(p - text));
    memcpy(rest + (p - text), end, n - (size_t)(end - text) + 1);
    return rest;
}

static void expect_broken(const char *text, const char *why)
{
    tu_write_file(log_path, text, strlen(text));
    srp_sidelog_report rep;
    sr_error err;
    assert_int_equal(verify(0, NULL, &rep, &err), SR_ERR_TAMPERED);
    if (!strstr(err.message, why))
        fail_msg("expected '%s', got '%s'", why, err.message);
}

static void test_edits_are_refused(void **state)
{
    (void)state;
    size_t n = 0;
    char *text = (char *)tu_read_file(log_path, &n);
    /* bob's entry deleted */
    char *line = NULL;
    char *rest = without_line(text, 2, &line);
    expect_broken(rest, "missing or out of order");
    /* two entries swapped */
    char *first = NULL;
    char *tail = without_line(text, 1, &first);
    char *swapped = malloc(n + 1);
    snprintf(swapped, n + 1, "%s%s%s", line, first, strchr(tail, '\n') + 1);
    expect_broken(swapped, "at entry 1");
    /* an entry's detail edited */
    char *edited = strdup(text);
    char *hit = strstr(edited, "form=cases");
    memcpy(hit, "form=casez", 10);
    expect_broken(edited, "does not follow");
    /* bob's entry re-signed by ana under bob's name (the link recomputed
     * with ana's key as signer is a new chain; the signer is not bob's) */
    free(edited);
    edited = strdup(text);
    char bob_hex[2 * SRP_SIGN_PUBLIC_BYTES + 1], ana_hex[2 * SRP_SIGN_PUBLIC_BYTES + 1];
    srp_hex_encode(bob_hex, bob.pk, SRP_SIGN_PUBLIC_BYTES);
    srp_hex_encode(ana_hex, ana.pk, SRP_SIGN_PUBLIC_BYTES);
    memcpy(strstr(edited, bob_hex), ana_hex, strlen(ana_hex));
    expect_broken(edited, "at entry 2");
    free(edited);
    free(swapped);
    free(tail);
    free(first);
    free(rest);
    free(line);
    free(text);
}

static void test_cut_below_anchor(void **state)
{
    (void)state;
    srp_sidelog_report rep;
    sr_error err;
    assert_int_equal(verify(0, NULL, &rep, &err), SR_OK);
    unsigned char head[SRP_MAC_BYTES];
    memcpy(head, rep.head, sizeof head);
    size_t n = 0;
    char *text = (char *)tu_read_file(log_path, &n);
    char *line = NULL;
    char *rest = without_line(text, 3, &line);
    tu_write_file(log_path, rest, strlen(rest));
    assert_int_equal(verify(0, NULL, &rep, &err), SR_OK); /* a shorter log verifies alone */
    assert_int_equal(verify(3, head, &rep, &err), SR_ERR_TAMPERED);
    assert_non_null(strstr(err.message, "held 3 entries"));
    /* and a new entry in place of the cut one does not hold the anchor */
    append(&ana, "ana", "publication.read", "form=sig-closure");
    assert_int_equal(verify(3, head, &rep, &err), SR_ERR_TAMPERED);
    /* a removed file neither */
    tu_write_file(log_path, "", 0);
    assert_int_equal(verify(3, head, &rep, &err), SR_ERR_TAMPERED);
    free(rest);
    free(line);
    free(text);
}

static void test_torn_line(void **state)
{
    (void)state;
    size_t n = 0;
    char *text = (char *)tu_read_file(log_path, &n);
    /* An append killed half-way: part of a fourth line, no newline. */
    char *torn = malloc(n + 32);
    snprintf(torn, n + 32, "%s{\"seq\":4,\"at\":\"20", text);
    tu_write_file(log_path, torn, strlen(torn));
    srp_sidelog_report rep;
    sr_error err;
    assert_int_equal(verify(0, NULL, &rep, &err), SR_OK);
    assert_int_equal(rep.entries, 3);
    append(&bob, "bob", "publication.read", "form=sig-intake");
    assert_int_equal(verify(0, NULL, &rep, &err), SR_OK);
    assert_int_equal(rep.entries, 4);
    free(torn);
    free(text);
}

int main(void)
{
    if (sr_crypto_init(NULL) != SR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_chain_verifies, setup),
        cmocka_unit_test_setup(test_edits_are_refused, setup),
        cmocka_unit_test_setup(test_cut_below_anchor, setup),
        cmocka_unit_test_setup(test_torn_line, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
