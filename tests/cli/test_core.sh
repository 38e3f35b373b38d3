#!/usr/bin/env bash
# test_core.sh - the registry core through the command line: init, users,
# units, roles, passphrases, damaged files, busy registries, backup, audit.
source "$(dirname "$0")/lib.sh"
t_begin

check "make registry" make_registry
check "files exist" test -f reg.db -a -f reg.keyring -a -f reg.codekey
check "database is not plaintext" bash -c '! head -c 16 reg.db | grep -qa "SQLite format 3"'
check "code key is not plaintext" bash -c '! head -c 16 reg.codekey | grep -qa "SQLite format 3"'
check "files are private" bash -c '[ "$(stat -c %a reg.db)" = 600 ] && [ "$(stat -c %a reg.keyring)" = 600 ] && [ "$(stat -c %a reg.codekey)" = 600 ]'
check "no unit names or passphrases in clear" none_contains "reg.db reg.keyring reg.codekey" "Enhet 1" "coord-passphrase" "admin-passphrase"

# --help everywhere
for c in "init" "user add" "user remove" "user list" "passwd" "unit add" "unit list" \
         "audit verify" "audit show" "verify" "backup" "form lint" "form install" "form list" \
         "form show" "case new" "case find" "case show" "case list" "case reopen" "case delete" \
         "register" "response edit" "import" "purge" "stats" "report" "settings" "keygen" \
         "pubkey" "extract" "open-extract"; do
    ok "help $c" $c --help
done
ok "overview" --help
refused "unknown command" "unknown command" frobnicate
refused "no passphrase on the command line" "unknown|unexpected|takes no arguments" unit list --passphrase secret

# form lint needs no registry and names every problem with its JSON path
sr form lint "$SIGREG_SOURCE_DIR/tests/forms/invalid/condition_later_item/form.json"
check "lint fails on a bad form" test "$RC" -ne 0
check "lint gives the JSON path" grep -q "items\[3\].enable_when.item: item 'age' does not come before" <<<"$ERR"
ok "lint passes the shipped forms" form lint "$SIGREG_SOURCE_DIR"/forms/*.json

# Users and roles
ok "user list" user list
check "user list shows roles" grep -q "coord *coordinator" <<<"$OUT"
check "user list shows the actual Argon2id cost" grep -qE "coord +coordinator +insecure-test-only \(ops [0-9]+, [0-9]+ KiB\)" <<<"$OUT"
check "the test profile warns on every command that unlocks with it" \
    grep -q "^warning: admin uses the key derivation profile 'insecure-test-only'" <<<"$ERR_RAW"
refused "analyst may not add units" "may not add units" --user ana --passphrase-file analyst.pass unit add U9 --name x
refused "coordinator may not add users" "may not add users" --user coord --passphrase-file coord.pass user add z --role analyst --new-passphrase-file coord.pass
refused "coordinator needs a unit" "at least one unit" user add c2 --role coordinator --new-passphrase-file coord.pass --kdf-profile insecure-test-only
refused "unknown unit" "no unit 'U7'" user add c2 --role coordinator --unit U7 --new-passphrase-file coord.pass --kdf-profile insecure-test-only
refused "short passphrase" "at least 8" user add c3 --role analyst --new-passphrase-file <(echo short) --kdf-profile insecure-test-only
refused "unknown profile" "unknown key derivation profile" user add c3 --role analyst --kdf-profile turbo --new-passphrase-file coord.pass
refused "duplicate unit" "already exists" unit add U1 --name again
refused "bad unit code" "not valid" unit add "U 1" --name x
ok "unit list as coordinator" --user coord --passphrase-file coord.pass unit list
check "unit list shows units" grep -q "U2 *Enhet 2" <<<"$OUT"
export SIGREG_USER=coord
ok "SIGREG_USER selects the user" --passphrase-file coord.pass unit list
unset SIGREG_USER

# Wrong passphrase, missing passphrase: clear message, nothing changed
before=$(registry_sums)
refused "wrong passphrase" "wrong passphrase for user 'admin'" --passphrase-file wrong.pass unit list
check "wrong passphrase changed nothing" test "$before" = "$(registry_sums)"
refused "unknown user" "no user 'nobody'" --user nobody unit list
SIGREG_PASSPHRASE_FILE= refused "no passphrase without a terminal" "no passphrase" unit list
refused "missing passphrase file" "cannot open the passphrase file" --passphrase-file nope.pass unit list
refused "no registry" "no registry given" -r "" unit list
refused "absent registry" "no registry at" -r absent.db unit list

# Damaged and foreign files
cp reg.keyring keyring.good
head -c 100 keyring.good > reg.keyring
before=$(registry_sums)
refused "damaged keyring" "damaged or not a sigreg keyring" unit list
check "damaged keyring left alone" test "$before" = "$(registry_sums)"
rm reg.keyring
refused "missing keyring" "keyring .* is missing" unit list
cp keyring.good reg.keyring
mv reg.codekey codekey.good
refused "missing code key" "code key file .* is missing" unit list
mv codekey.good reg.codekey
printf 'SQLite format 3\0' > plain.db
refused "plain sqlite" "plain SQLite database, not a sigreg registry" -r plain.db unit list
head -c 8192 /dev/urandom > noise.db; cp reg.keyring noise.keyring
refused "random bytes" "does not open with its keyring" -r noise.db unit list
refused "init over an existing registry" "already exists" init --admin x --kdf-profile insecure-test-only

# A damaged page is found by verify
ok "verify" verify
check "verify reports ok" grep -q "audit log: ok" <<<"$OUT"
cp reg.db db.good
printf 'XXXXXXXX' | dd of=reg.db bs=1 seek=9000 conv=notrunc 2>/dev/null
refused "damaged page" "damaged|integrity" verify
cp db.good reg.db

# Busy: another session holds the lock
# The holder keeps the lock until this test lets go, however slow sigreg is
# to reach it (valgrind): no race against a fixed sleep.
rm -f release.lock
( flock reg.lock sh -c 'while [ ! -e release.lock ]; do sleep 0.05; done' ) &
holder=$!
until ! flock -n reg.lock true 2>/dev/null; do sleep 0.05; done
SIGREG_BUSY_TIMEOUT_MS=300 refused "busy registry" "registry is busy" unit list
touch release.lock
wait $holder
ok "free again" unit list

# Passphrase change
printf 'new-admin-passphrase\n' > new.pass
ok "passwd" passwd --new-passphrase-file new.pass
check "passwd keeps the profile" grep -q "cost is kept" <<<"$ERR"
ok "user list after passwd" --passphrase-file new.pass user list
check "the admin's slot still has the test profile" grep -qE "^admin +admin +insecure-test-only" <<<"$OUT"
refused "old passphrase no longer works" "wrong passphrase" unit list
ok "new passphrase works" --passphrase-file new.pass unit list
export SIGREG_PASSPHRASE_FILE="$T_DIR/new.pass"

# Removing a user rotates keys
cp reg.keyring before-remove.keyring
ok "remove analyst" user remove ana
refused "removed user is gone" "no user 'ana'" --user ana --passphrase-file analyst.pass unit list
cp reg.keyring after-remove.keyring; cp before-remove.keyring reg.keyring
# An analyst's slot never held a key to the database: their old keyring
# copy opens their own key pair, and no package was sealed to it since.
refused "old keyring opens no data" "no publication is addressed" --user ana --passphrase-file analyst.pass stats sig-intake
refused "old keyring no longer opens" "does not open" --user coord --passphrase-file coord.pass unit list
cp after-remove.keyring reg.keyring
ok "coordinator still opens" --user coord --passphrase-file coord.pass unit list
refused "cannot remove yourself" "cannot remove yourself" user remove admin

# Backup
refused "backup into a missing folder" "does not exist" backup --out nowhere/copy.db
check "failed backup is not logged" bash -c '! "$SIGREG_BIN" audit show 2>/dev/null | grep -q registry.backup'
mkdir -p bk
ok "backup" backup --out bk/copy.db
check "backup files" test -f bk/copy.db -a -f bk/copy.keyring -a -f bk/copy.codekey
ok "backup verifies" -r bk/copy.db verify
refused "backup never overwrites" "already exists" backup --out bk/copy.db
check "backup not plaintext" bash -c '! head -c 16 bk/copy.db | grep -qa "SQLite format 3"'

# Audit
ok "audit verify" audit verify
ok "audit show" audit show
check "audit shows the removal" grep -q "user.remove" <<<"$OUT"
check "audit shows the backup" grep -q "registry.backup" <<<"$OUT"
check "audit shows refusals" grep -q "access.denied.*refused=add units" <<<"$OUT"
refused "analyst may not read the log" "no user|may not" --user ana --passphrase-file analyst.pass audit show
refused "coordinator may not read the log" "may not read the audit log" --user coord --passphrase-file coord.pass audit show

t_end
