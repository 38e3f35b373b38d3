/*
 * test_keyring.c - the keyring (white-box): slots, sealing per epoch, the
 * file's authentication, and parsing of damaged files.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "keyring_file.h"

static const unsigned char PASS[] = "admin-passphrase";
#define PASSLEN (sizeof PASS - 1)

static const srp_kdf_profile *test_profile(void)
{
    return srp_kdf_profile_find(TEST_KDF);
}

static srp_keyring *roundtrip(srp_keyring *kr, const srp_keys *keys, const char *path)
{
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_keyring_write(kr, path, keys, &err), SR_OK);
    srp_keyring *back = NULL;
    assert_int_equal(srp_keyring_read(path, &back, &err), SR_OK);
    return back;
}

static void test_profiles(void **state)
{
    (void)state;
    assert_string_equal(srp_kdf_profile_default()->name, "moderate");
    assert_false(srp_kdf_profile_default()->for_tests_only);
    assert_true(test_profile()->for_tests_only);
    assert_null(srp_kdf_profile_find("fast"));
    assert_true(srp_kdf_profile_find("sensitive")->memlimit >
                srp_kdf_profile_find("interactive")->memlimit);
}

static void test_create_write_read_unlock(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    srp_keyring *kr = NULL;
    srp_keys *keys = NULL, *unlocked = NULL;
    assert_int_equal(srp_keyring_create("admin", test_profile(), PASS, PASSLEN, &kr, &keys, &err),
                     SR_OK);
    const char *dir = tu_scratch_dir();
    srp_keyring *back = roundtrip(kr, keys, tu_path(dir, "k.keyring"));
    sr_role role;
    assert_int_equal(srp_keyring_unlock(back, "admin", PASS, PASSLEN, &unlocked, &role, &err),
                     SR_OK);
    assert_int_equal(role, SR_ROLE_ADMIN);
    assert_memory_equal(unlocked->master, keys->master, SRP_KEY_BYTES);
    assert_memory_equal(unlocked->identity, keys->identity, SRP_KEY_BYTES);
    assert_true(unlocked->has_identity);
    assert_false(unlocked->has_previous);
    assert_string_equal(srp_keyring_default_user(back), "admin");
    assert_string_equal(srp_keyring_registry_id(back), srp_keyring_registry_id(kr));
    srp_keys_free(unlocked);
    unlocked = NULL;
    assert_int_equal(srp_keyring_unlock(back, "admin", (const unsigned char *)"nope-nope", 9,
                                        &unlocked, &role, &err),
                     SR_ERR_AUTH);
    assert_null(unlocked);
    srp_keyring_free(back);
    srp_keyring_free(kr);
    srp_keys_free(keys);
}

static void test_analyst_gets_no_identity_key(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    srp_keyring *kr = NULL;
    srp_keys *keys = NULL, *unlocked = NULL;
    assert_int_equal(srp_keyring_create("admin", test_profile(), PASS, PASSLEN, &kr, &keys, &err),
                     SR_OK);
    assert_int_equal(srp_keyring_add_user(kr, keys, "ana", SR_ROLE_ANALYST, test_profile(),
                                          (const unsigned char *)"ana-passphrase", 14, &err),
                     SR_OK);
    srp_keyring *back = roundtrip(kr, keys, tu_path(tu_scratch_dir(), "k.keyring"));
    srp_keyring_free(kr);
    kr = back;
    sr_role role;
    assert_int_equal(srp_keyring_unlock(kr, "ana", (const unsigned char *)"ana-passphrase", 14,
                                        &unlocked, &role, &err),
                     SR_OK);
    assert_int_equal(role, SR_ROLE_ANALYST);
    assert_false(unlocked->has_identity);
    static const unsigned char zero[SRP_KEY_BYTES];
    assert_memory_equal(unlocked->identity, zero, SRP_KEY_BYTES);
    assert_memory_equal(unlocked->master, keys->master, SRP_KEY_BYTES);
    /* An analyst cannot give anyone the identity key. */
    assert_int_equal(srp_keyring_add_user(kr, unlocked, "c", SR_ROLE_COORDINATOR, test_profile(),
                                          (const unsigned char *)"c-passphrase", 12, &err),
                     SR_ERR_DENIED);
    srp_keys_free(unlocked);
    srp_keyring_free(kr);
    srp_keys_free(keys);
}

static void test_reseal_carries_previous_epoch(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    srp_keyring *kr = NULL;
    srp_keys *keys = NULL, *unlocked = NULL;
    assert_int_equal(srp_keyring_create("admin", test_profile(), PASS, PASSLEN, &kr, &keys, &err),
                     SR_OK);
    srp_keys *next = srp_keys_new();
    memcpy(next, keys, sizeof *next);
    next->epoch = 2;
    next->has_previous = 1;
    next->previous_epoch = 1;
    memcpy(next->previous, keys->master, SRP_KEY_BYTES);
    srp_random_bytes(next->master, SRP_KEY_BYTES);
    assert_int_equal(srp_keyring_reseal(kr, next, &err), SR_OK);
    const char *dir = tu_scratch_dir();
    srp_keyring *back = roundtrip(kr, next, tu_path(dir, "k.keyring"));
    sr_role role;
    assert_int_equal(srp_keyring_unlock(back, "admin", PASS, PASSLEN, &unlocked, &role, &err),
                     SR_OK);
    assert_int_equal(unlocked->epoch, 2);
    assert_true(unlocked->has_previous);
    assert_memory_equal(unlocked->previous, keys->master, SRP_KEY_BYTES);
    assert_memory_equal(unlocked->master, next->master, SRP_KEY_BYTES);
    srp_keys_free(unlocked);
    srp_keyring_free(back);
    srp_keyring_free(kr);
    srp_keys_free(keys);
    srp_keys_free(next);
}

static void test_tampering_is_detected(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    srp_keyring *kr = NULL;
    srp_keys *keys = NULL, *unlocked = NULL;
    assert_int_equal(srp_keyring_create("admin", test_profile(), PASS, PASSLEN, &kr, &keys, &err),
                     SR_OK);
    const char *dir = tu_scratch_dir();
    const char *path = tu_path(dir, "k.keyring");
    assert_int_equal(srp_keyring_write(kr, path, keys, &err), SR_OK);
    size_t n = 0;
    char *text = (char *)tu_read_file(path, &n);
    /* Changing the default user is caught by the keyring's MAC. */
    char *def = strstr(text, "\"default_user\": \"admin\"");
    assert_non_null(def);
    char *edited = strdup(text);
    memcpy(edited + (def - text) + 17, "admon", 5);
    srp_keyring *bad = NULL;
    assert_int_equal(srp_keyring_parse((unsigned char *)edited, n, "k", &bad, &err), SR_OK);
    sr_role role;
    assert_int_equal(srp_keyring_unlock(bad, "admin", PASS, PASSLEN, &unlocked, &role, &err),
                     SR_ERR_TAMPERED);
    assert_non_null(strstr(err.message, "altered"));
    srp_keyring_free(bad);
    free(edited);
    /* Structural damage is reported as such. */
    static const char *const broken[] = {
        "",
        "[]",
        "{\"format\": \"other/1\"}",
        "{\"format\": \"sigreg-keyring/1\"}",
        "{\"format\": \"sigreg-keyring/1\", \"registry\": \"zz\"}",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        sr_error_clear(&err);
        bad = NULL;
        assert_int_not_equal(
            srp_keyring_parse((const unsigned char *)broken[i], strlen(broken[i]), "k", &bad, &err),
            SR_OK);
        assert_null(bad);
        assert_true(err.message[0] != '\0');
    }
    free(text);
    srp_keyring_free(kr);
    srp_keys_free(keys);
}

static void test_change_passphrase(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    srp_keyring *kr = NULL;
    srp_keys *keys = NULL, *unlocked = NULL;
    assert_int_equal(srp_keyring_create("admin", test_profile(), PASS, PASSLEN, &kr, &keys, &err),
                     SR_OK);
    const unsigned char np[] = "fresh-passphrase";
    assert_int_equal(srp_keyring_change_passphrase(kr, "admin", (const unsigned char *)"wrong-one",
                                                   9, np, sizeof np - 1, test_profile(), &err),
                     SR_ERR_AUTH);
    sr_error_clear(&err);
    assert_int_equal(srp_keyring_change_passphrase(kr, "admin", PASS, PASSLEN, np, sizeof np - 1,
                                                   test_profile(), &err),
                     SR_OK);
    srp_keyring *back = roundtrip(kr, keys, tu_path(tu_scratch_dir(), "k.keyring"));
    srp_keyring_free(kr);
    kr = back;
    sr_role role;
    assert_int_equal(srp_keyring_unlock(kr, "admin", PASS, PASSLEN, &unlocked, &role, &err),
                     SR_ERR_AUTH);
    sr_error_clear(&err);
    assert_int_equal(srp_keyring_unlock(kr, "admin", np, sizeof np - 1, &unlocked, &role, &err),
                     SR_OK);
    srp_keys_free(unlocked);
    srp_keyring_free(kr);
    srp_keys_free(keys);
}

/* An err that already holds an error keeps it: reading never clears the
 * error it was given (fault 5a), neither on success nor on a missing file. */
static void test_read_keeps_an_earlier_error(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    srp_keyring *kr = NULL, *back = NULL;
    srp_keys *keys = NULL;
    assert_int_equal(srp_keyring_create("admin", test_profile(), PASS, PASSLEN, &kr, &keys, &err),
                     SR_OK);
    const char *dir = tu_scratch_dir();
    char path[600];
    snprintf(path, sizeof path, "%s", tu_path(dir, "k.keyring"));
    assert_int_equal(srp_keyring_write(kr, path, keys, &err), SR_OK);
    sr_error_set(&err, SR_ERR_BUSY, "an earlier error");
    assert_int_equal(srp_keyring_read(tu_path(dir, "missing.keyring"), &back, &err),
                     SR_ERR_NOT_REGISTRY);
    assert_int_equal(err.status, SR_ERR_BUSY);
    assert_string_equal(err.message, "an earlier error");
    assert_int_equal(srp_keyring_read(path, &back, &err), SR_OK);
    assert_int_equal(err.status, SR_ERR_BUSY);
    assert_string_equal(err.message, "an earlier error");
    srp_keyring_free(back);
    srp_keyring_free(kr);
    srp_keys_free(keys);
}

/* Every slot has an Ed25519 key pair of its own: the public key in the
 * keyring, the secret opened only with the slot's passphrase; it survives a
 * passphrase change, and a damaged sealed secret is refused. */
static void test_user_signing_keys(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    srp_keyring *kr = NULL;
    srp_keys *keys = NULL;
    assert_int_equal(srp_keyring_create("admin", test_profile(), PASS, PASSLEN, &kr, &keys, &err),
                     SR_OK);
    assert_int_equal(srp_keyring_add_user(kr, keys, "ana", SR_ROLE_ANALYST, test_profile(),
                                          (const unsigned char *)"ana-passphrase", 14, &err),
                     SR_OK);
    const char *path = tu_path(tu_scratch_dir(), "k.keyring");
    srp_keyring *back = roundtrip(kr, keys, path);
    const unsigned char *pa = srp_keyring_user_sign_public(back, "admin");
    const unsigned char *pn = srp_keyring_user_sign_public(back, "ana");
    assert_non_null(pa);
    assert_non_null(pn);
    assert_null(srp_keyring_user_sign_public(back, "nobody"));
    assert_true(memcmp(pa, pn, SRP_SIGN_PUBLIC_BYTES) != 0);
    assert_true(memcmp(pa, srp_keyring_signing_public(back), SRP_SIGN_PUBLIC_BYTES) != 0);
    sr_secret *slot = NULL;
    assert_int_equal(srp_keyring_open_slot(back, "ana", (const unsigned char *)"ana-passphrase", 14,
                                           &slot, &err),
                     SR_OK);
    assert_true(srp_keyring_slot_can_sign(slot));
    static const char msg[] = "audit entry 1";
    unsigned char sig[SRP_SIGNATURE_BYTES];
    assert_int_equal(srp_keyring_slot_sign(slot, msg, sizeof msg, sig, &err), SR_OK);
    assert_int_equal(srp_sign_verify(sig, (const unsigned char *)msg, sizeof msg, pn), 0);
    assert_int_not_equal(srp_sign_verify(sig, (const unsigned char *)msg, sizeof msg, pa), 0);
    sr_secret_free(slot);
    slot = NULL;
    /* A new passphrase keeps the key pair. */
    unsigned char pn_before[SRP_SIGN_PUBLIC_BYTES];
    memcpy(pn_before, pn, sizeof pn_before);
    assert_int_equal(srp_keyring_change_passphrase(
                         back, "ana", (const unsigned char *)"ana-passphrase", 14,
                         (const unsigned char *)"ana-new-phrase", 14, test_profile(), &err),
                     SR_OK);
    srp_keyring *again = roundtrip(back, keys, path);
    assert_memory_equal(srp_keyring_user_sign_public(again, "ana"), pn_before,
                        SRP_SIGN_PUBLIC_BYTES);
    assert_int_equal(srp_keyring_open_slot(again, "ana", (const unsigned char *)"ana-new-phrase",
                                           14, &slot, &err),
                     SR_OK);
    assert_int_equal(srp_keyring_slot_sign(slot, msg, sizeof msg, sig, &err), SR_OK);
    assert_int_equal(srp_sign_verify(sig, (const unsigned char *)msg, sizeof msg, pn_before), 0);
    sr_secret_free(slot);
    slot = NULL;
    srp_keyring_free(again);
    /* Another user's public key put into ana's slot no longer opens. */
    size_t n = 0;
    char *text = (char *)tu_read_file(path, &n);
    assert_non_null(text);
    char *key = strstr(text, "\"sign_public_key\"");
    assert_non_null(key); /* admin's slot comes first */
    char *ana = strstr(text, "\"user\": \"ana\"");
    assert_non_null(ana);
    char *ana_key = strstr(ana, "\"sign_public_key\"");
    assert_non_null(ana_key);
    memcpy(ana_key + 20, key + 20, 44); /* the base64 of 32 bytes */
    srp_keyring *bad = NULL;
    assert_int_equal(srp_keyring_parse((unsigned char *)text, n, "k", &bad, &err), SR_OK);
    assert_int_equal(
        srp_keyring_open_slot(bad, "ana", (const unsigned char *)"ana-new-phrase", 14, &slot, &err),
        SR_ERR_TAMPERED);
    assert_null(slot);
    srp_keyring_free(bad);
    free(text);
    srp_keyring_free(back);
    srp_keyring_free(kr);
    srp_keys_free(keys);
}

/* Whether cert verifies, under the keyring's signing key, for user of role
 * with units and the slot's own key. */
static int cert_verifies(const srp_keyring *kr, const char *user, const char *role,
                         const char *const *units, size_t n)
{
    const unsigned char *cert = srp_keyring_publisher_cert(kr, user);
    const unsigned char *pk = srp_keyring_user_sign_public(kr, user);
    if (!cert || !pk)
        return 0;
    unsigned char digest[SRP_MAC_BYTES];
    srp_publisher_cert_digest(srp_keyring_registry_id(kr), srp_keyring_signing_epoch(kr), user,
                              role, units, n, pk, digest);
    return srp_sign_verify(cert, digest, sizeof digest, srp_keyring_signing_public(kr)) == 0;
}

static void test_publisher_certificates(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    srp_keyring *kr = NULL;
    srp_keys *keys = NULL;
    assert_int_equal(srp_keyring_create("admin", test_profile(), PASS, PASSLEN, &kr, &keys, &err),
                     SR_OK);
    assert_int_equal(srp_keyring_add_user(kr, keys, "ana", SR_ROLE_ANALYST, test_profile(),
                                          (const unsigned char *)"ana-passphrase", 14, &err),
                     SR_OK);
    assert_int_equal(srp_keyring_add_user(kr, keys, "cora", SR_ROLE_COORDINATOR, test_profile(),
                                          (const unsigned char *)"cora-passphrase", 15, &err),
                     SR_OK);
    const char *u1[] = {"U1"}, *u12[] = {"U1", "U2"};
    assert_int_equal(srp_keyring_set_units(kr, "cora", u1, 1, &err), SR_OK);
    const char *path = tu_path(tu_scratch_dir(), "k.keyring");
    srp_keyring *back = roundtrip(kr, keys, path);
    /* Coordinators and admins get one, analysts (who never publish) none. */
    assert_true(cert_verifies(back, "cora", "coordinator", u1, 1));
    assert_true(cert_verifies(back, "admin", "admin", NULL, 0));
    assert_null(srp_keyring_publisher_cert(back, "ana"));
    assert_null(srp_keyring_publisher_cert(back, "nobody"));
    /* It certifies exactly the name, role and units signed. */
    assert_false(cert_verifies(back, "cora", "coordinator", u12, 2));
    assert_false(cert_verifies(back, "cora", "admin", u1, 1));
    srp_keyring_free(back);
    /* A change of units, signed again, certifies the new ones only. */
    assert_int_equal(srp_keyring_set_units(kr, "cora", u12, 2, &err), SR_OK);
    back = roundtrip(kr, keys, path);
    assert_true(cert_verifies(back, "cora", "coordinator", u12, 2));
    assert_false(cert_verifies(back, "cora", "coordinator", u1, 1));
    srp_keyring_free(back);
    srp_keyring_free(kr);
    srp_keys_free(keys);
}

int main(void)
{
    sr_error err;
    sr_error_clear(&err);
    if (sr_crypto_init(&err) != SR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profiles),
        cmocka_unit_test(test_create_write_read_unlock),
        cmocka_unit_test(test_analyst_gets_no_identity_key),
        cmocka_unit_test(test_reseal_carries_previous_epoch),
        cmocka_unit_test(test_tampering_is_detected),
        cmocka_unit_test(test_change_passphrase),
        cmocka_unit_test(test_read_keeps_an_earlier_error),
        cmocka_unit_test(test_user_signing_keys),
        cmocka_unit_test(test_publisher_certificates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
