/*
 * forge_keyring.c - an insider's keyring editor, for the hostile-insider
 * tests (tests/insider/test_insider_keys.sh). Never part of the product.
 *
 * It is built from the keyring's own source (crypto/keyring.c is included
 * whole), as an insider with the source code would build it, and uses only
 * what that insider has: the keyring file and their own passphrase. It
 * writes what it forged whatever the product's writer would say: a keyring
 * of the first format with the MAC recomputed under the master key the
 * insider's slot gives, or, for a signed keyring, the edited file with the
 * signature it had (the insider holds no registry signing key).
 *
 *   forge_keyring plant-admin KEYRING USER PASSFILE NEWUSER NEWPASSFILE
 *       adds an admin slot NEWUSER of the insider's making
 *   forge_keyring set-role KEYRING USER PASSFILE ROLE
 *       gives the insider's own slot another role (re-wrapped so that it
 *       still opens with their passphrase)
 *   forge_keyring set-units KEYRING USER PASSFILE U1,U2,...
 *   forge_keyring set-kdf KEYRING USER PASSFILE OPSLIMIT
 *   forge_keyring db-key KEYRING USER PASSFILE
 *       prints the database's SQLCipher key as far as the slot gives it
 *   forge_keyring pseudonym KEYRING USER PASSFILE PNR
 *       prints (hex) the pseudonym of a canonical 12-digit personnummer under
 *       the identity key the slot gives, as the database stores it
 *
 * Exit 0 when the forged file was written.
 */
#include "../../crypto/keyring.c"

#include <stdio.h>

#include "base/fileio.h"

static sr_secret *read_pass(const char *path)
{
    unsigned char *data = NULL;
    size_t len = 0;
    if (srp_file_read_all(path, 4096, &data, &len, NULL) != SR_OK)
        return NULL;
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    sr_secret *s = sr_secret_new(len ? len : 1);
    if (s) {
        memcpy(sr_secret_data(s), data, len);
        sr_secret_set_len(s, len);
    }
    srp_wipe(data, len);
    free(data);
    return s;
}

#ifdef LEGACY_FORMAT
/* A signed keyring: written as the product would, but with the signature
 * it had, since the insider cannot make a new one. */
static int write_forged(srp_keyring *kr, const srp_keys *keys, const char *path)
{
    (void)keys;
    json_t *root = json_object();
    json_t *slots = json_array();
    json_t *chain = json_array();
    json_object_set_new(root, "format", json_string(SRP_KEYRING_FORMAT));
    json_object_set_new(root, "registry", json_string(kr->registry_id));
    json_object_set_new(root, "default_user", json_string(kr->default_user));
    json_object_set_new(root, "version", json_integer((json_int_t)kr->version));
    json_object_set_new(root, "epoch", json_integer(kr->epoch));
    chain_to_json(kr, chain);
    json_object_set_new(root, "signing_chain", chain);
    for (size_t i = 0; i < kr->slot_count; i++)
        json_array_append_new(slots, slot_to_json(&kr->slots[i]));
    json_object_set_new(root, "slots", slots);
    set_b64(root, "signature", kr->signature, sizeof kr->signature);
    int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return rc;
}
#else
/* A first-format keyring: its MAC is keyed from the master key, which the
 * insider's own slot gives them. */
static int write_forged(srp_keyring *kr, const srp_keys *keys, const char *path)
{
    char *text = NULL;
    if (srp_keyring_serialize(kr, keys, &text, NULL) != SR_OK)
        return -1;
    int rc = srp_file_write_atomic(path, text, strlen(text), NULL) == SR_OK ? 0 : -1;
    free(text);
    return rc;
}
#endif

/* Re-wraps the insider's own slot under a new header (role, KDF cost), so
 * that it still opens with their passphrase. */
static int rewrap(srp_keyring *kr, slot *own, const sr_secret *pass, sr_role role,
                  const srp_kdf_profile *profile, sr_error *err)
{
    unsigned char sk[SRP_BOX_SECRET_BYTES];
    int rc =
        slot_unwrap(kr, own, sr_secret_cdata(pass), sr_secret_len(pass), sk, err) == SR_OK ? 0 : 1;
    own->role = role;
    if (rc == 0)
        rc = slot_wrap(kr, own, profile, sr_secret_cdata(pass), sr_secret_len(pass), sk, err) ==
                     SR_OK
                 ? 0
                 : 1;
    srp_wipe(sk, sizeof sk);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 5 || sr_crypto_init(NULL) != SR_OK) {
        fprintf(stderr, "usage: forge_keyring COMMAND KEYRING USER PASSFILE ...\n");
        return 2;
    }
    const char *cmd = argv[1], *path = argv[2], *user = argv[3];
    sr_secret *pass = read_pass(argv[4]);
    srp_keyring *kr = NULL;
    srp_keys *keys = NULL;
    sr_role role;
    sr_error err;
    sr_error_clear(&err);
    unsigned char *file = NULL;
    size_t file_len = 0;
    if (!pass || srp_file_read_all(path, SRP_KEYRING_MAX_BYTES, &file, &file_len, &err) != SR_OK ||
        srp_keyring_parse(file, file_len, path, &kr, &err) != SR_OK ||
        srp_keyring_unlock(kr, user, sr_secret_cdata(pass), sr_secret_len(pass), &keys, &role,
                           &err) != SR_OK) {
        fprintf(stderr, "forge_keyring: cannot open the insider's own slot: %s\n", err.message);
        return 1;
    }
    free(file);
    const srp_kdf_profile *profile = srp_kdf_profile_find("insecure-test-only");
    slot *own = find_slot(kr, user);
    int rc = 1;
    if (strcmp(cmd, "plant-admin") == 0 && argc == 7) {
        sr_secret *np = read_pass(argv[6]);
        /* What is sealed to the planted slot now is whatever the insider
         * has; the next rotation by a real admin seals it the real keys. */
        keys->has_identity = 1;
        keys->has_signing = 1;
        rc = np && append_slot(kr, keys, argv[5], SR_ROLE_ADMIN, profile, sr_secret_cdata(np),
                               sr_secret_len(np), &err) == SR_OK
                 ? 0
                 : 1;
        keys->has_identity = sr_role_holds_identity(role);
        keys->has_signing = role == SR_ROLE_ADMIN;
        sr_secret_free(np);
    } else if (strcmp(cmd, "set-role") == 0 && argc == 6) {
        sr_role to;
        rc = sr_role_parse(argv[5], &to) == 0 ? rewrap(kr, own, pass, to, profile, &err) : 2;
    } else if (strcmp(cmd, "set-units") == 0 && argc == 6) {
#ifdef LEGACY_FORMAT
        const char *units[64];
        size_t n = 0;
        char *list = strdup(argv[5]);
        for (char *t = strtok(list, ","); t && n < 64; t = strtok(NULL, ","))
            units[n++] = t;
        rc = srp_keyring_set_units(kr, user, units, n, &err) == SR_OK ? 0 : 1;
        free(list);
#else
        fprintf(stderr, "forge_keyring: units are in the database in this format\n");
#endif
    } else if (strcmp(cmd, "db-key") == 0 && argc == 5) {
        /* Every key the slot gives that could be the database's SQLCipher
         * key, one a line: from the master key (the key of releases before
         * data keys) and from the data key, when the slot holds one. */
        unsigned char k[SRP_KEY_BYTES];
        char hex[2 * SRP_KEY_BYTES + 1];
        srp_keys_master_subkey(keys, 0, SRP_SUBKEY_DATABASE, k);
        srp_hex_encode(hex, k, sizeof k);
        printf("%s\n", hex);
#ifdef SEAL_FLAG_DATA
        if (srp_keys_database_key(keys, 0, 1, k) == 0) {
            srp_hex_encode(hex, k, sizeof k);
            printf("%s\n", hex);
        }
#endif
        srp_wipe(k, sizeof k);
        srp_wipe(hex, sizeof hex);
        rc = 3; /* nothing to write */
    } else if (strcmp(cmd, "pseudonym") == 0 && argc == 6) {
        /* What a removed admin or coordinator computes with the identity
         * key they kept: a match in the database tells them the case. */
        if (keys->has_identity && strlen(argv[5]) == 12) {
            unsigned char k[SRP_KEY_BYTES], ps[SRP_MAC_BYTES];
            char hex[2 * SRP_MAC_BYTES + 1];
            srp_keys_identity_subkey(keys, SRP_SUBKEY_PSEUDONYM, k);
            srp_mac(ps, k, argv[5], 12);
            srp_hex_encode(hex, ps, sizeof ps);
            printf("%s\n", hex);
            srp_wipe(k, sizeof k);
        } else {
            fprintf(stderr, "forge_keyring: the slot holds no identity key\n");
        }
        rc = 3; /* nothing to write */
    } else if (strcmp(cmd, "set-kdf") == 0 && argc == 6) {
        srp_kdf_profile cheaper = *profile;
        cheaper.opslimit = strtoull(argv[5], NULL, 10);
        rc = rewrap(kr, own, pass, own->role, &cheaper, &err);
    } else {
        fprintf(stderr, "forge_keyring: unknown command or arguments\n");
        rc = 2;
    }
    if (rc == 0 && write_forged(kr, keys, path) != 0) {
        fprintf(stderr, "forge_keyring: cannot write '%s'\n", path);
        rc = 1;
    }
    if (rc == 1 && err.message[0])
        fprintf(stderr, "forge_keyring: %s\n", err.message);
    srp_keys_free(keys);
    srp_keyring_free(kr);
    sr_secret_free(pass);
    return rc == 3 ? 0 : rc;
}
