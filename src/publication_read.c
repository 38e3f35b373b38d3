/*
 * publication_read.c - reading a publication: opening a package (with an
 * evaluator's key, or with an analyst's own slot key beside the registry),
 * verified before anything is read, and answering summary queries from its
 * tables with the same rows the table holds, never a figure of its own. A
 * query the package does not hold is refused with what it holds.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellkey.h"
#include "base/buffer.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/texts.h"
#include "container.h"
#include "extract_known.h"
#include "keyring.h"
#include "publication_int.h"
#include "registry_int.h"
#include "stats_int.h"
#include "store.h"

struct sr_publication {
    json_t *doc;
    unsigned char *signed_doc; /* the JSON the publisher signed, and the signature */
    size_t signed_len;
    int has_publisher_sig;
    unsigned char publisher_sig[SRP_SIGNATURE_BYTES];
    const char *published_at, *published_by; /* borrowed from doc */
    char signer[SRP_FINGERPRINT_HEX];
};

void sr_publication_free(sr_publication *pub)
{
    if (!pub)
        return;
    json_decref(pub->doc);
    free(pub->signed_doc);
    free(pub);
}

const char *sr_publication_published_at(const sr_publication *pub)
{
    return pub->published_at;
}
const char *sr_publication_published_by(const sr_publication *pub)
{
    return pub->published_by;
}
const char *sr_publication_signer(const sr_publication *pub)
{
    return pub->signer;
}

const char *sr_publication_checkpoint(const sr_publication *pub)
{
    const char *text = json_string_value(json_object_get(pub->doc, "checkpoint"));
    if (!text || !*text)
        return NULL;
    /* The last line: text ends with it (and maybe a newline). */
    size_t n = strlen(text);
    while (n && text[n - 1] == '\n')
        n--;
    const char *p = text + n;
    while (p > text && p[-1] != '\n')
        p--;
    return p;
}

/* Opens and parses a package's bytes (verified by the container first). */
static sr_status open_bytes(const unsigned char *data, size_t len, const char *where,
                            const unsigned char pk[SRP_BOX_PUBLIC_BYTES], const unsigned char *sk,
                            const char *pinned, sr_publication **out, sr_error *err)
{
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    sr_publication *pub = calloc(1, sizeof *pub);
    if (!pub)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_error local;
    memset(&local, 0, sizeof local);
    sr_status rc =
        srp_container_open(data, len, pk, sk, pinned, &plain, &plain_len, pub->signer, &local);
    if (rc != SR_OK) {
        /* The container speaks of an extract: here it is a publication. */
        char text[SR_ERROR_MESSAGE_MAX];
        const char *m = local.message, *hit;
        size_t n = 0;
        while ((hit = strstr(m, "the extract's")) || (hit = strstr(m, "the extract"))) {
            int poss = strncmp(hit, "the extract's", 13) == 0;
            n += (size_t)snprintf(text + n, sizeof text - n, "%.*s%s", (int)(hit - m), m,
                                  poss ? "its" : "it");
            m = hit + (poss ? 13 : 11);
            if (n >= sizeof text)
                break;
        }
        if (n < sizeof text)
            snprintf(text + n, sizeof text - n, "%s", m);
        rc = srp_error_set_where(err, rc, where, "publication '%s' is refused: %s", where, text);
    }
    if (rc == SR_OK) {
        json_error_t jerr;
        /* The publisher's signature line, when there is one, ends it. */
        size_t doc_len = plain_len, plen = strlen(SRP_PUBLICATION_SIG_PREFIX);
        for (size_t i = plain_len; i-- > 0;)
            if (plain[i] == '\n') {
                if (plain_len - i > plen &&
                    memcmp(plain + i, SRP_PUBLICATION_SIG_PREFIX, plen) == 0) {
                    size_t sig_len = 0;
                    char b64[128];
                    snprintf(b64, sizeof b64, "%.*s", (int)(plain_len - i - plen),
                             (const char *)plain + i + plen);
                    unsigned char *sig = srp_base64_decode(b64, &sig_len);
                    if (sig && sig_len == SRP_SIGNATURE_BYTES) {
                        memcpy(pub->publisher_sig, sig, SRP_SIGNATURE_BYTES);
                        pub->has_publisher_sig = 1;
                        doc_len = i;
                    }
                    free(sig);
                }
                break;
            }
        pub->signed_doc = malloc(doc_len ? doc_len : 1);
        if (pub->signed_doc) {
            memcpy(pub->signed_doc, plain, doc_len);
            pub->signed_len = doc_len;
        }
        pub->doc = json_loadb((const char *)plain, doc_len, 0, &jerr);
        srp_wipe(plain, plain_len);
        free(plain);
        const char *format = json_string_value(json_object_get(pub->doc, "format"));
        pub->published_at = json_string_value(json_object_get(pub->doc, "published_at"));
        pub->published_by = json_string_value(json_object_get(pub->doc, "published_by"));
        if (!format || strcmp(format, SR_PUBLICATION_FORMAT) != 0 || !pub->published_at ||
            !pub->published_by || !json_is_array(json_object_get(pub->doc, "tables")))
            rc = srp_error_set_where(err, SR_ERR_CORRUPT, where,
                                     "'%s' is not a publication of this version (%s)", where,
                                     SR_PUBLICATION_FORMAT);
    }
    if (rc != SR_OK) {
        sr_publication_free(pub);
        return rc;
    }
    *out = pub;
    return SR_OK;
}

/* The co-signature by the key the document names (when it names one). */
static sr_status check_cosignature(const sr_publication *pub, const char *where, sr_error *err)
{
    const char *key = json_string_value(json_object_get(pub->doc, "publisher_key"));
    if (!key)
        return SR_OK; /* a package of an earlier release: its container signature is all */
    size_t n = 0;
    unsigned char *pk = srp_base64_decode(key, &n);
    int ok = pk && n == SRP_SIGN_PUBLIC_BYTES && pub->has_publisher_sig && pub->signed_doc &&
             srp_sign_verify(pub->publisher_sig, pub->signed_doc, pub->signed_len, pk) == 0;
    free(pk);
    return ok ? SR_OK
              : srp_error_set_where(err, SR_ERR_CRYPTO, where,
                                    "publication '%s' is refused: it is not co-signed by the key "
                                    "of '%s', whom it names as its publisher",
                                    where, pub->published_by);
}

/* The package's certificate of the publisher's own key (publication.c), when
 * it has one: *certified then says that it verifies and certifier gets the
 * registry signing key that made it, the newest key of the package's chain.
 * A certificate that names another user or key, units the package does not
 * stay within, or that does not verify is refused (SR_ERR_TAMPERED). */
static sr_status check_certificate(const sr_publication *pub, json_t *chain, const char *registry,
                                   const unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES],
                                   const char *where, int *certified,
                                   unsigned char certifier[SRP_SIGN_PUBLIC_BYTES], sr_error *err)
{
    *certified = 0;
    json_t *c = json_object_get(pub->doc, "publisher_certificate");
    if (!c)
        return SR_OK; /* an earlier release's, or a slot signed before certificates */
    const char *user = json_string_value(json_object_get(c, "user"));
    const char *role = json_string_value(json_object_get(c, "role"));
    const char *key = json_string_value(json_object_get(c, "key"));
    const char *sig = json_string_value(json_object_get(c, "signature"));
    json_t *units = json_object_get(c, "units");
    json_t *epoch = json_object_get(c, "signing_epoch");
    size_t links = json_array_size(chain);
    json_t *newest = links ? json_array_get(chain, links - 1) : NULL;
    const char *newest_key = json_string_value(json_object_get(newest, "key"));
    size_t klen = 0, slen = 0, nlen = 0;
    unsigned char *pk = key ? srp_base64_decode(key, &klen) : NULL;
    unsigned char *sg = sig ? srp_base64_decode(sig, &slen) : NULL;
    unsigned char *npk = newest_key ? srp_base64_decode(newest_key, &nlen) : NULL;
    size_t n = json_array_size(units);
    const char **list = calloc(n ? n : 1, sizeof *list);
    int ok = user && role && registry && pk && sg && npk && list && json_is_array(units) &&
             json_is_integer(epoch) && klen == SRP_SIGN_PUBLIC_BYTES &&
             slen == SRP_SIGNATURE_BYTES && nlen == SRP_SIGN_PUBLIC_BYTES &&
             strcmp(user, pub->published_by) == 0 &&
             (strcmp(role, "coordinator") == 0 || strcmp(role, "admin") == 0) &&
             srp_memcmp(pk, signer_pk, SRP_SIGN_PUBLIC_BYTES) == 0 &&
             json_integer_value(epoch) == json_integer_value(json_object_get(newest, "epoch"));
    for (size_t i = 0; ok && i < n; i++)
        ok = (list[i] = json_string_value(json_array_get(units, i))) != NULL;
    /* A coordinator publishes her own units only; an admin's are every one. */
    json_t *covered = json_object_get(pub->doc, "units");
    for (size_t i = 0; ok && strcmp(role, "coordinator") == 0 && i < json_array_size(covered);
         i++) {
        const char *u = json_string_value(json_array_get(covered, i));
        int in = 0;
        for (size_t j = 0; u && j < n && !in; j++)
            in = strcmp(list[j], u) == 0;
        ok = in;
    }
    if (ok) {
        unsigned char digest[SRP_MAC_BYTES];
        srp_publisher_cert_digest(registry, (uint32_t)json_integer_value(epoch), user, role, list,
                                  n, pk, digest);
        ok = srp_sign_verify(sg, digest, sizeof digest, npk) == 0;
    }
    if (ok) {
        memcpy(certifier, npk, SRP_SIGN_PUBLIC_BYTES);
        *certified = 1;
    }
    free(pk);
    free(sg);
    free(npk);
    free(list);
    return ok ? SR_OK
              : srp_error_set_where(err, SR_ERR_TAMPERED, "signer",
                                    "publication '%s' is refused: its certificate of the key of "
                                    "'%s' does not verify against the registry's signing key",
                                    where, pub->published_by);
}

/* Whom to trust (see sr_publication_open_checked), after the container and
 * the co-signature verified. */
static sr_status decide_trust(const sr_publication *pub, const unsigned char *data, size_t len,
                              const char *where, const char *pinned, const char *known_path,
                              sr_extract_signer *who, sr_error *err)
{
    char recipient[SRP_FINGERPRINT_HEX];
    unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES];
    if (srp_container_header(data, len, recipient, signer_pk, err) != SR_OK)
        return SR_ERR_CORRUPT;
    const char *registry = json_string_value(json_object_get(pub->doc, "registry_id"));
    json_t *chain = json_object_get(pub->doc, "signer_chain");
    snprintf(who->fingerprint, sizeof who->fingerprint, "%s", pub->signer);
    snprintf(who->registry, sizeof who->registry, "%s", registry ? registry : "");
    who->epoch = (unsigned)json_integer_value(json_object_get(pub->doc, "signing_epoch"));
    const char *cp = sr_publication_checkpoint(pub);
    if (cp)
        snprintf(who->checkpoint, sizeof who->checkpoint, "%.*s", (int)strcspn(cp, "\n"), cp);
    /* Signed with the registry's key (the chain's newest), or with the
     * publisher's own: certified by the registry's key, or (an earlier
     * package) trusted per publisher. */
    size_t links = json_array_size(chain);
    const char *newest =
        links ? json_string_value(json_object_get(json_array_get(chain, links - 1), "key")) : NULL;
    size_t nlen = 0;
    unsigned char *npk = newest ? srp_base64_decode(newest, &nlen) : NULL;
    int by_registry = npk && nlen == sizeof signer_pk && srp_memcmp(npk, signer_pk, nlen) == 0;
    free(npk);
    int certified = 0;
    unsigned char certifier[SRP_SIGN_PUBLIC_BYTES];
    if (!by_registry) {
        sr_status crc =
            check_certificate(pub, chain, registry, signer_pk, where, &certified, certifier, err);
        if (crc != SR_OK)
            return crc;
    }
    /* From here a certified package is the registry's: its certifier is
     * checked as the registry's signer would be. */
    char signer_fp[SR_FINGERPRINT_SIZE];
    snprintf(signer_fp, sizeof signer_fp, "%s", pub->signer);
    if (certified) {
        srp_fingerprint(certifier, sizeof certifier, signer_fp);
        snprintf(who->certified_by, sizeof who->certified_by, "%s", signer_fp);
        memcpy(signer_pk, certifier, sizeof certifier);
        by_registry = 1;
    }
    /* The chain as a container header has it, to check links with. */
    char *b64 = srp_base64_encode(signer_pk, sizeof signer_pk);
    json_t *h = b64 ? json_pack("{s:s, s:s, s:O?}", "signer", b64, "registry",
                                registry ? registry : "", "signer_chain", chain)
                    : NULL;
    free(b64);
    char *hjson = h ? json_dumps(h, JSON_COMPACT) : NULL;
    json_decref(h);
    if (!hjson)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    char subject[SRP_ROTATION_ID_MAX + 1] = "";
    if (registry && strlen(registry) + 1 + strlen(pub->published_by) < sizeof subject &&
        strchr(registry, ' ') == NULL)
        snprintf(subject, sizeof subject, "%s%s%s", registry, by_registry ? "" : "/",
                 by_registry ? "" : pub->published_by);
    sr_status rc = SR_OK;
    char known[SR_FINGERPRINT_SIZE] = "";
    const char *trusted = pinned;
    if (!pinned && known_path && subject[0]) {
        rc = srp_known_lookup(known_path, subject, known, err);
        if (rc == SR_ERR_NOT_FOUND && !by_registry) {
            /* A publisher's own key, which only the registry's keyring
             * certifies: not where the registry's own key is known. */
            char reg_known[SR_FINGERPRINT_SIZE];
            rc = srp_known_lookup(known_path, registry, reg_known, err);
            if (rc == SR_OK) {
                rc = srp_error_set_where(
                    err, SR_ERR_TAMPERED, "signer",
                    "publication '%s' of registry '%s' is signed by key %s, the own key of '%s' "
                    "whom it names as its publisher, not by the key %.16s... remembered for the "
                    "registry: refused (a publisher's own key is certified only by the "
                    "registry's keyring; pin it if the registry confirms it)",
                    where, registry, pub->signer, pub->published_by, reg_known);
                goto out;
            }
            if (rc != SR_ERR_NOT_FOUND)
                goto out;
        }
        if (rc == SR_ERR_NOT_FOUND) {
            who->trust = SR_SIGNER_FIRST_SEEN;
            rc = srp_known_remember(known_path, subject, signer_fp, err);
            goto out;
        }
        if (rc != SR_OK)
            goto out;
        trusted = known;
    }
    if (!trusted)
        goto out; /* unchecked: the caller says so */
    /* The publisher's own key pinned, as before certificates. */
    if (certified && pinned && strcmp(pinned, pub->signer) == 0) {
        snprintf(who->trusted, sizeof who->trusted, "%s", trusted);
        who->trust = SR_SIGNER_PINNED;
        goto out;
    }
    snprintf(who->trusted, sizeof who->trusted, "%s", trusted);
    int linked = srp_signer_chain_links(hjson, trusted, NULL, NULL);
    if (linked == 0) {
        who->trust = pinned ? SR_SIGNER_PINNED : SR_SIGNER_KNOWN;
    } else if (linked == 1 && by_registry) {
        who->trust = SR_SIGNER_ROTATED;
        if (!pinned)
            rc = srp_known_remember(known_path, subject, signer_fp, err);
    } else if (pinned) {
        rc = srp_error_set_where(err, SR_ERR_CRYPTO, "signer",
                                 "publication '%s' is refused: it is signed by key %.16s..., not "
                                 "by the pinned one, and no chain of signed key rotations links "
                                 "the two",
                                 where, signer_fp);
    } else {
        rc = srp_error_set_where(err, SR_ERR_TAMPERED, "signer",
                                 "publication '%s' of registry '%s' is signed by key %.16s..., "
                                 "not by the key %.16s... remembered for %s, and no chain of "
                                 "signed key rotations links the two: refused",
                                 where, registry, signer_fp, known,
                                 by_registry ? "the registry" : "its publisher");
    }
out:
    free(hjson);
    return rc;
}

sr_status sr_publication_open_checked(const char *path, const char *key_path, const sr_secret *pass,
                                      const char *pinned_signer, const char *known_path,
                                      sr_publication **out, sr_extract_signer *who, sr_error *err)
{
    *out = NULL;
    memset(who, 0, sizeof *who);
    unsigned char *keytext = NULL, *data = NULL;
    size_t keylen = 0, len = 0;
    unsigned char pk[SRP_BOX_PUBLIC_BYTES];
    sr_secret *sk = sr_secret_new(SRP_BOX_SECRET_BYTES);
    sr_status rc = sk ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK)
        rc = srp_file_read_all(key_path, 65536, &keytext, &keylen, err);
    if (rc == SR_OK)
        rc = srp_recipient_key_unlock((const char *)keytext, keylen, sr_secret_cdata(pass),
                                      sr_secret_len(pass), pk, sr_secret_data(sk), err);
    if (rc == SR_OK)
        rc = srp_file_read_all(path, SRP_PUBLICATION_MAX_BYTES, &data, &len, err);
    /* The container verifies whoever signed it; whom to trust is decided
     * on what it signed (its registry, chain and publisher). */
    if (rc == SR_OK)
        rc = open_bytes(data, len, path, pk, sr_secret_cdata(sk), NULL, out, err);
    if (rc == SR_OK)
        rc = check_cosignature(*out, path, err);
    if (rc == SR_OK)
        rc = decide_trust(*out, data, len, path, pinned_signer, known_path, who, err);
    if (rc != SR_OK) {
        sr_publication_free(*out);
        *out = NULL;
    }
    free(keytext);
    free(data);
    sr_secret_free(sk);
    return rc;
}

sr_status sr_publication_open(const char *path, const char *key_path, const sr_secret *pass,
                              const char *pinned_signer, sr_publication **out, sr_error *err)
{
    sr_extract_signer who;
    return sr_publication_open_checked(path, key_path, pass, pinned_signer, NULL, out, &who, err);
}

static sr_status check_publisher(sr_registry *reg, sr_publication *pub, const char *path,
                                 sr_error *err)
{
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES];
    const char *role = json_string_value(json_object_get(pub->doc, "publisher_role"));
    sr_status rc = SR_OK;
    if (!pub->has_publisher_sig) {
        /* Only an admin's package, signed with the registry's own key, may
         * come from a keyring without users' signing keys. */
        if (!role || strcmp(role, "admin") != 0)
            rc = srp_error_set_where(err, SR_ERR_CRYPTO, path,
                                     "publication '%s' is refused: its publisher '%s' did not "
                                     "sign it",
                                     path, pub->published_by);
    } else if (srp_registry_user_sign_public(reg, pub->published_by, pk, NULL) != SR_OK ||
               !pub->signed_doc ||
               srp_sign_verify(pub->publisher_sig, pub->signed_doc, pub->signed_len, pk) != 0) {
        rc = srp_error_set_where(err, SR_ERR_CRYPTO, path,
                                 "publication '%s' is refused: it is not signed by '%s', whom it "
                                 "names as its publisher",
                                 path, pub->published_by);
    }
    return rc;
}

sr_status sr_publication_newest(sr_registry *reg, sr_publication **out, sr_error *err)
{
    *out = NULL;
    const char *user = sr_registry_user(reg);
    const unsigned char *pk = srp_keyring_user_public(srp_registry_keyring(reg), user);
    const sr_secret *sk = srp_registry_slot_secret(reg);
    char mine[SRP_FINGERPRINT_HEX], *best = NULL;
    if (!pk || !sk)
        return srp_error_set(err, SR_ERR_DENIED, "user '%s' has no key to open publications with",
                             user);
    srp_fingerprint(pk, SRP_BOX_PUBLIC_BYTES, mine);
    char *dir = srp_publication_dir(srp_registry_db_path(reg));
    if (!dir)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = SR_OK;
    unsigned char *data = NULL;
    size_t len = 0;
    DIR *d = opendir(dir);
    struct dirent *ent;
    /* The highest sequence number addressed to this user's key. */
    while (d && rc == SR_OK && (ent = readdir(d)) != NULL) {
        size_t n = strlen(ent->d_name), ext = strlen(SRP_PUBLICATION_EXT);
        if (n <= ext || strcmp(ent->d_name + n - ext, SRP_PUBLICATION_EXT) != 0 ||
            (best && strcmp(ent->d_name, best) <= 0))
            continue;
        char *path = srp_str_concat(dir, "/");
        char *full = path ? srp_str_concat(path, ent->d_name) : NULL;
        free(path);
        char recipient[SRP_FINGERPRINT_HEX];
        unsigned char signer[SRP_SIGN_PUBLIC_BYTES];
        sr_error ignored;
        memset(&ignored, 0, sizeof ignored);
        if (!full) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        } else if (srp_file_read_all(full, SRP_PUBLICATION_MAX_BYTES, &data, &len, &ignored) ==
                       SR_OK &&
                   srp_container_header(data, len, recipient, signer, &ignored) == SR_OK &&
                   strcmp(recipient, mine) == 0) {
            free(best);
            best = strdup(ent->d_name);
            if (!best)
                rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        }
        free(full);
        free(data);
        data = NULL;
    }
    if (d)
        closedir(d);
    if (rc == SR_OK && !best)
        rc = srp_error_set(err, SR_ERR_NOT_FOUND,
                           "no publication is addressed to user '%s' yet: figures reach analysts "
                           "when a coordinator or an admin of their units publishes them",
                           user);
    char *full = NULL;
    if (rc == SR_OK) {
        char *path = srp_str_concat(dir, "/");
        full = path ? srp_str_concat(path, best) : NULL;
        free(path);
        rc = full ? srp_file_read_all(full, SRP_PUBLICATION_MAX_BYTES, &data, &len, err)
                  : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (rc == SR_OK)
        rc = open_bytes(data, len, full, pk, sr_secret_cdata(sk), NULL, out, err);
    if (rc == SR_OK && !srp_publication_signer_trusted(reg, (*out)->signer))
        rc = srp_error_set_where(err, SR_ERR_CRYPTO, full,
                                 "'%s' is not signed by this registry: refused", full);
    if (rc == SR_OK) /* published by whom it says, with their certified key */
        rc = check_publisher(reg, *out, full, err);
    if (rc != SR_OK) {
        sr_publication_free(*out);
        *out = NULL;
    }
    free(data);
    free(full);
    free(best);
    free(dir);
    return rc;
}

/* ---- what the package holds ---- */

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The breakdowns of one form's tables in one scope, e.g. "by -, sex, year;
 * status open, closed; change". */
static void breakdowns(json_t *tables, const char *form, srp_buf *b)
{
    int bys = 0, statuses = 0, change = 0;
    const char *scope = NULL;
    int scoped = 0;
    for (size_t i = 0; i < json_array_size(tables); i++) {
        json_t *t = json_array_get(tables, i);
        if (!srp_str_same(str(t, "lang"), "sv") || !srp_str_same(str(t, "form"), form))
            continue;
        if (!scoped) { /* the first scope stands for all: every scope has the same tables */
            scope = str(t, "unit");
            scoped = 1;
        }
        if (!srp_str_same(str(t, "unit"), scope))
            continue;
        if (json_is_true(json_object_get(t, "change")))
            change = 1;
        else if (str(t, "status"))
            srp_buf_printf(b, "%s%s",
                           statuses++ ? ", "
                           : bys      ? "; status "
                                      : "status ",
                           str(t, "status"));
        else
            srp_buf_printf(b, "%s%s", bys++ ? ", " : "by ", str(t, "by") ? str(t, "by") : "-");
    }
    if (change)
        srp_buf_puts(b, "; change");
}

char *sr_publication_contents(const sr_publication *pub)
{
    json_t *tables = json_object_get(pub->doc, "tables");
    json_t *units = json_object_get(pub->doc, "units");
    srp_buf b = SRP_BUF_INIT;
    srp_buf_puts(&b, "units ");
    for (size_t i = 0; i < json_array_size(units); i++)
        srp_buf_printf(&b, "%s%s", i ? "," : "", json_string_value(json_array_get(units, i)));
    srp_buf_printf(&b, ", periods %s, min_cell %lld", str(pub->doc, "periods"),
                   (long long)json_integer_value(json_object_get(pub->doc, "min_cell")));
    /* The forms, those with the same breakdowns together. */
    size_t n = json_array_size(tables);
    char **forms = calloc(n + 1, sizeof *forms), **sigs = calloc(n + 1, sizeof *sigs);
    size_t count = 0;
    int oom = !forms || !sigs;
    for (size_t i = 0; !oom && i < n; i++) {
        const char *form = str(json_array_get(tables, i), "form");
        int seen = 0;
        for (size_t k = 0; k < count && !seen; k++)
            seen = strcmp(forms[k], form) == 0;
        if (!form || seen)
            continue;
        srp_buf sig = SRP_BUF_INIT;
        breakdowns(tables, form, &sig);
        forms[count] = strdup(form);
        sigs[count] = sig.oom ? NULL : srp_buf_take(&sig);
        srp_buf_free(&sig);
        oom = !forms[count] || !sigs[count];
        count++;
    }
    int *done = calloc(count + 1, sizeof *done);
    oom |= !done;
    for (size_t i = 0; !oom && i < count; i++) {
        if (done[i])
            continue;
        srp_buf_printf(&b, "; %s", forms[i]);
        for (size_t k = i + 1; k < count; k++)
            if (!done[k] && strcmp(sigs[k], sigs[i]) == 0) {
                srp_buf_printf(&b, ", %s", forms[k]);
                done[k] = 1;
            }
        srp_buf_printf(&b, ": %s", sigs[i]);
    }
    for (size_t i = 0; i < count; i++) {
        free(forms ? forms[i] : NULL);
        free(sigs ? sigs[i] : NULL);
    }
    free(forms);
    free(sigs);
    free(done);
    if (oom || b.oom) {
        srp_buf_free(&b);
        return NULL;
    }
    return srp_buf_take(&b);
}

static sr_status not_published(const sr_publication *pub, const char *where, const char *what,
                               sr_error *err)
{
    char *contents = sr_publication_contents(pub);
    sr_status rc = srp_error_set_where(
        err, SR_ERR_NOT_FOUND, where, "%s is not published: the publication of %s by %s holds %s",
        what, pub->published_at, pub->published_by, contents ? contents : "(out of memory)");
    free(contents);
    return rc;
}

/* The one unit the package's tables are of, or NULL (several, or every
 * unit together). */
static const char *only_unit(const sr_publication *pub)
{
    json_t *tables = json_object_get(pub->doc, "tables");
    const char *only = NULL;
    for (size_t i = 0; i < json_array_size(tables); i++) {
        const char *u = str(json_array_get(tables, i), "unit");
        if (!u || (only && strcmp(only, u) != 0))
            return NULL;
        only = u;
    }
    return only;
}

/* The table for the query: same form, breakdown, status, change table and
 * language; the unit asked for, else every unit together, else the only one. */
static json_t *find_table(const sr_publication *pub, const sr_stats_query *q, const char *lang,
                          const char *unit)
{
    json_t *tables = json_object_get(pub->doc, "tables");
    for (size_t i = 0; i < json_array_size(tables); i++) {
        json_t *t = json_array_get(tables, i);
        if (srp_str_same(str(t, "form"), q->form) && srp_str_same(str(t, "by"), q->by[0]) &&
            srp_str_same(str(t, "status"), q->status) && srp_str_same(str(t, "lang"), lang) &&
            srp_str_same(str(t, "unit"), unit) &&
            json_is_true(json_object_get(t, "change")) == (q->change != 0))
            return t;
    }
    return NULL;
}

static const char *intern(sr_stats *r, json_t *o, const char *key, int *oom)
{
    const char *s = str(o, key);
    const char *copy = s ? srp_strings_intern(r->strings, s) : NULL;
    *oom |= s && !copy;
    return copy;
}

static sr_stats *stats_of(const sr_publication *pub, json_t *t)
{
    sr_stats *r = calloc(1, sizeof *r);
    if (!r || !(r->strings = srp_strings_new())) {
        sr_stats_free(r);
        return NULL;
    }
    int oom = 0;
    r->min_cell = (int)json_integer_value(json_object_get(t, "min_cell"));
    r->change = json_is_true(json_object_get(t, "change"));
    snprintf(r->form, sizeof r->form, "%s", str(t, "form"));
    snprintf(r->lang, sizeof r->lang, "%s", str(t, "lang"));
    snprintf(r->unit, sizeof r->unit, "%s", str(t, "unit") ? str(t, "unit") : "");
    snprintf(r->status, sizeof r->status, "%s", str(t, "status") ? str(t, "status") : "");
    snprintf(r->by[0], sizeof r->by[0], "%s", str(t, "by") ? str(t, "by") : "");
    snprintf(r->generated_at, sizeof r->generated_at, "%s", pub->published_at);
    snprintf(r->published_at, sizeof r->published_at, "%s", pub->published_at);
    r->published_by = strdup(pub->published_by);
    r->signer = strdup(pub->signer);
    r->versions = strdup(str(t, "versions") ? str(t, "versions") : "");
    r->title = strdup(str(t, "title") ? str(t, "title") : "");
    oom |= !r->published_by || !r->signer || !r->versions || !r->title;
    /* The cell-key method's pTable, for the output's settings (cellkey.h). */
    sr_error pt_err = {0};
    oom |= srp_cellkey_ptable_of(pub->doc, &r->ptable, &pt_err) != SR_OK;
    json_t *rows = json_object_get(t, "rows"), *notes = json_object_get(t, "notes");
    for (size_t i = 0; !oom && i < json_array_size(rows); i++) {
        json_t *o = json_array_get(rows, i);
        sr_stats_row *row = srp_stats_new_row(r);
        if (!row) {
            oom = 1;
            break;
        }
        row->form = srp_strings_intern(r->strings, r->form);
        row->item = intern(r, o, "item", &oom);
        row->item_label = intern(r, o, "item_label", &oom);
        row->by[0] = intern(r, o, "by0", &oom);
        row->by_label[0] = intern(r, o, "by0_label", &oom);
        row->by[1] = intern(r, o, "by1", &oom);
        row->by_label[1] = intern(r, o, "by1_label", &oom);
        row->value = intern(r, o, "value", &oom);
        row->value_label = intern(r, o, "value_label", &oom);
        row->unit_of_count = intern(r, o, "unit_of_count", &oom);
        row->unit_of_count_label = intern(r, o, "unit_of_count_label", &oom);
        row->suppressed = json_is_true(json_object_get(o, "suppressed"));
        row->reason = (int)json_integer_value(json_object_get(o, "reason"));
        if (row->reason < 0 || row->reason > 4)
            row->reason = 0;
        json_t *v;
        if ((row->has_count = json_is_integer(v = json_object_get(o, "count"))))
            row->count = (long)json_integer_value(v);
        if ((row->has_denominator = json_is_integer(v = json_object_get(o, "denominator"))))
            row->denominator = (long)json_integer_value(v);
        if ((row->has_percent = json_is_number(v = json_object_get(o, "percent"))))
            row->percent = json_number_value(v);
        if ((row->has_estimate = json_is_number(v = json_object_get(o, "estimate"))))
            row->estimate = json_number_value(v);
        oom |= !row->form || !row->item || !row->value;
    }
    char note[400];
    snprintf(note, sizeof note, srp_texts_get(SRP_T_PUB_PUBLISHED, r->lang), pub->published_at,
             pub->published_by, pub->signer);
    oom |= srp_stats_add_note(r, note) != 0;
    for (size_t i = 0; !oom && i < json_array_size(notes); i++)
        oom |= json_string_value(json_array_get(notes, i)) &&
               srp_stats_add_note(r, json_string_value(json_array_get(notes, i))) != 0;
    if (oom) {
        sr_stats_free(r);
        return NULL;
    }
    return r;
}

sr_status sr_publication_stats(const sr_publication *pub, const sr_stats_query *q, sr_stats **out,
                               sr_error *err)
{
    *out = NULL;
    const char *lang = srp_lang_tag(q->lang);
    char what[200];
    if (!q->form || !q->form[0])
        return srp_error_set_where(err, SR_ERR_USAGE, "form", "a summary needs a form");
    if (q->from || q->to)
        return srp_error_set_where(err, SR_ERR_USAGE, q->from ? "from" : "to",
                                   "a publication holds whole periods (%s), never a date window: "
                                   "group by the period instead",
                                   str(pub->doc, "periods") ? str(pub->doc, "periods") : "year");
    long min_cell = (long)json_integer_value(json_object_get(pub->doc, "min_cell"));
    if (q->min_cell && q->min_cell != min_cell)
        return srp_error_set_where(err, SR_ERR_USAGE, "min_cell",
                                   "the publication is protected with minimum cell %ld, for every "
                                   "figure: no other is published",
                                   min_cell);
    if (q->by[1]) {
        snprintf(what, sizeof what, "'%s' by '%s,%s'", q->form, q->by[0], q->by[1]);
        return not_published(pub, "by", what, err);
    }
    json_t *t = NULL;
    if (q->unit) {
        t = find_table(pub, q, lang, q->unit);
    } else {
        t = find_table(pub, q, lang, NULL);
        const char *only = only_unit(pub);
        if (!t && only)
            t = find_table(pub, q, lang, only);
    }
    if (!t) {
        /* Say which field is not published: the unit, else the breakdown. */
        sr_stats_query any = *q;
        any.by[0] = NULL;
        any.status = NULL;
        any.change = 0;
        const char *where = q->unit && !find_table(pub, &any, lang, q->unit) ? "unit"
                            : q->change                                      ? "change"
                            : q->status                                      ? "status"
                            : q->by[0]                                       ? "by"
                                                                             : "form";
        snprintf(what, sizeof what, "'%s'%s%s%s%s%s%s%s", q->form, q->by[0] ? " by '" : "",
                 q->by[0] ? q->by[0] : "", q->by[0] ? "'" : "", q->unit ? " of unit " : "",
                 q->unit ? q->unit : "", q->status ? ", status " : "", q->status ? q->status : "");
        if (q->change)
            snprintf(what + strlen(what), sizeof what - strlen(what), " (change)");
        return not_published(pub, where, what, err);
    }
    *out = stats_of(pub, t);
    return *out ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
}

/* Inserts each row of the directory's section into the table with sql
 * (one placeholder a column); the rows' shape is checked first. */
static sr_status fill_rows(sqlite3 *db, json_t *rows, const char *sql, size_t columns,
                           sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(db, sql, &st, err);
    for (size_t i = 0; rc == SR_OK && i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        if (json_array_size(row) != columns) {
            rc = srp_error_set(err, SR_ERR_CORRUPT, "the publication's directory is damaged");
            break;
        }
        for (size_t c = 0; c < columns; c++) {
            json_t *v = json_array_get(row, c);
            if (json_is_integer(v))
                sqlite3_bind_int64(st, (int)c + 1, (sqlite3_int64)json_integer_value(v));
            else
                sqlite3_bind_text(st, (int)c + 1, json_string_value(v), -1, SQLITE_TRANSIENT);
        }
        int src = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (src != SQLITE_DONE)
            rc = srp_store_fail(db, src, "read the publication's directory", err);
    }
    sqlite3_finalize(st);
    return rc;
}

sr_status srp_publication_fill_directory(const sr_publication *pub, sqlite3 *db, sr_error *err)
{
    json_t *dir = json_object_get(pub->doc, "directory");
    if (!json_is_object(dir))
        return SR_OK; /* a package of an earlier release: no directory */
    sr_status rc = srp_store_exec(db, "BEGIN", err);
    if (rc == SR_OK)
        rc = fill_rows(db, json_object_get(dir, "units"), "INSERT INTO units VALUES (?1, ?2, ?3)",
                       3, err);
    if (rc == SR_OK)
        rc = fill_rows(db, json_object_get(dir, "forms"),
                       "INSERT INTO forms VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", 8, err);
    if (rc == SR_OK)
        rc = fill_rows(db, json_object_get(dir, "settings"),
                       "INSERT OR REPLACE INTO meta VALUES (?1, ?2)", 2, err);
    if (rc == SR_OK)
        rc = srp_store_exec(db, "COMMIT", err);
    else
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

sr_status srp_publication_answer(sr_registry *reg, const sr_stats_query *query, sr_stats **out,
                                 sr_error *err)
{
    sr_publication *pub = NULL;
    sr_status rc = sr_publication_newest(reg, &pub, err);
    if (rc == SR_OK)
        rc = sr_publication_stats(pub, query, out, err);
    /* Each read of a package is logged (an analyst's in the side log, as
     * their session cannot write the database). */
    if (rc == SR_OK) {
        char detail[400];
        snprintf(detail, sizeof detail, "form=%s by=%s unit=%s status=%s change=%d published=%s/%s",
                 query->form, query->by[0] ? query->by[0] : "-", query->unit ? query->unit : "*",
                 query->status ? query->status : "*", query->change ? 1 : 0, pub->published_at,
                 pub->published_by);
        rc = srp_registry_transaction(reg, "publication.read", NULL, detail, NULL, NULL, err);
        if (rc != SR_OK) {
            sr_stats_free(*out);
            *out = NULL;
        }
    }
    sr_publication_free(pub);
    return rc;
}
