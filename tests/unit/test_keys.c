/*
 * test_keys.c - the key model of a session (white-box): each user's own
 * signing key, as the audit log and the keyring's checks use it.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "registry_int.h"
#include "sigreg/units.h"
#include "sigreg/users.h"

static const char *reg_path;

static int setup(void **state)
{
    (void)state;
    reg_path = tu_path(tu_scratch_dir(), "reg.db");
    tu_create_registry(reg_path);
    sr_registry *reg = tu_open(reg_path, NULL, NULL);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet 1", &err), SR_OK);
    const char *units[] = {"U1"};
    sr_secret *p = tu_pass("coord-passphrase");
    assert_int_equal(sr_user_add(reg, "coord", SR_ROLE_COORDINATOR, units, 1, TEST_KDF, p, &err),
                     SR_OK);
    sr_secret_free(p);
    p = tu_pass("analyst-passphrase");
    assert_int_equal(sr_user_add(reg, "ana", SR_ROLE_ANALYST, NULL, 0, TEST_KDF, p, &err), SR_OK);
    sr_secret_free(p);
    sr_registry_close(reg);
    return 0;
}

/* A signature made in one user's session verifies under that user's public
 * key as another user's session reads it from the keyring, and under no
 * other user's key. */
static void test_user_signatures(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    static const char msg[] = "seq=7 action=case.new";
    unsigned char sig[SRP_SIGNATURE_BYTES];
    sr_registry *ana = tu_open(reg_path, "ana", "analyst-passphrase");
    assert_int_equal(srp_registry_user_sign(ana, msg, sizeof msg, sig, &err), SR_OK);
    unsigned char own[SRP_SIGN_PUBLIC_BYTES];
    assert_int_equal(srp_registry_user_sign_public(ana, NULL, own, &err), SR_OK);
    sr_registry_close(ana);

    sr_registry *coord = tu_open(reg_path, "coord", "coord-passphrase");
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES], pc[SRP_SIGN_PUBLIC_BYTES];
    assert_int_equal(srp_registry_user_sign_public(coord, "ana", pk, &err), SR_OK);
    assert_memory_equal(pk, own, sizeof pk);
    assert_int_equal(srp_sign_verify(sig, (const unsigned char *)msg, sizeof msg, pk), 0);
    assert_int_equal(srp_registry_user_sign_public(coord, NULL, pc, &err), SR_OK);
    assert_int_not_equal(srp_sign_verify(sig, (const unsigned char *)msg, sizeof msg, pc), 0);
    unsigned char sig2[SRP_SIGNATURE_BYTES];
    assert_int_equal(srp_registry_user_sign(coord, msg, sizeof msg, sig2, &err), SR_OK);
    assert_int_equal(srp_sign_verify(sig2, (const unsigned char *)msg, sizeof msg, pc), 0);
    assert_int_not_equal(srp_sign_verify(sig2, (const unsigned char *)msg, sizeof msg, pk), 0);
    assert_int_equal(srp_registry_user_sign_public(coord, "nobody", pk, &err), SR_ERR_NOT_FOUND);
    sr_registry_close(coord);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_user_signatures, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
