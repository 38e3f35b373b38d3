/*
 * test_output.c - outputs never damage anything: created new beside the
 * target, an existing file replaced only when asked, and a registry's own
 * files never written, whatever the path (links included) and whatever force.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sigreg/output.h"
#include "testutil.h"

static const sr_output_options plain = {0, NULL};
static const sr_output_options forced = {1, NULL};

static int files_in(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void assert_content(const char *path, const char *text)
{
    size_t len = 0;
    unsigned char *data = tu_read_file(path, &len);
    assert_non_null(data);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(data, text, len);
    free(data);
}

static void test_new_file_is_written_private(void **state)
{
    (void)state;
    const char *dir = tu_scratch_dir();
    const char *out = tu_path(dir, "summary.csv");
    sr_error err = {0};
    assert_int_equal(sr_output_write_all(out, &plain, "a,b\n", 4, &err), SR_OK);
    assert_content(out, "a,b\n");
    struct stat st;
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(files_in(dir), 1); /* no temporary file left */
}

static void test_existing_file_needs_force(void **state)
{
    (void)state;
    const char *dir = tu_scratch_dir();
    const char *out = tu_path(dir, "report.html");
    tu_write_file(out, "old", 3);
    sr_error err = {0};
    assert_int_equal(sr_output_write_all(out, &plain, "new", 3, &err), SR_ERR_EXISTS);
    assert_string_equal(err.where, "out");
    assert_non_null(strstr(err.message, "exists already"));
    assert_content(out, "old");
    sr_error_clear(&err);
    assert_int_equal(sr_output_write_all(out, &forced, "new", 3, &err), SR_OK);
    assert_content(out, "new");
    assert_int_equal(files_in(dir), 1);
}

static void test_registry_files_are_never_written(void **state)
{
    (void)state;
    const char *dir = tu_scratch_dir();
    char db[512], stem[512];
    snprintf(db, sizeof db, "%s", tu_path(dir, "registry.db"));
    snprintf(stem, sizeof stem, "%s", tu_path(dir, "registry"));
    tu_create_registry(db);
    const char *suffixes[] = {".db", ".keyring", ".codekey", ".lock"};
    sr_output_options with_registry = {1, db};
    for (size_t i = 0; i < 4; i++) {
        char path[600], copy[600];
        snprintf(path, sizeof path, "%s%s", stem, suffixes[i]);
        snprintf(copy, sizeof copy, "%s.before", path);
        int existed = access(path, F_OK) == 0;
        if (existed)
            tu_copy_file(path, copy);
        for (int reg = 0; reg < 2; reg++) {
            sr_error err = {0};
            assert_int_equal(
                sr_output_write_all(path, reg ? &with_registry : &forced, "x", 1, &err),
                SR_ERR_DENIED);
            assert_non_null(strstr(err.message, "registry's own file"));
        }
        if (existed) {
            assert_true(tu_same_file(path, copy));
            unlink(copy);
        }
    }
    /* Another name for the database: a symbolic link and a hard link. */
    const char *sym = tu_path(dir, "innocent.csv");
    assert_int_equal(symlink(db, sym), 0);
    sr_error err = {0};
    assert_int_equal(sr_output_write_all(sym, &with_registry, "x", 1, &err), SR_ERR_DENIED);
    const char *hard = tu_path(dir, "other.html");
    assert_int_equal(link(db, hard), 0);
    sr_error_clear(&err);
    assert_int_equal(sr_output_write_all(hard, &with_registry, "x", 1, &err), SR_ERR_DENIED);
    /* The registry still opens. */
    sr_registry_close(tu_open(db, NULL, "admin-passphrase"));
}

static void test_planted_link_at_a_temporary_name_is_not_followed(void **state)
{
    (void)state;
    const char *dir = tu_scratch_dir();
    char victim[512], out[512], planted[600];
    snprintf(victim, sizeof victim, "%s", tu_path(dir, "victim.txt"));
    snprintf(out, sizeof out, "%s", tu_path(dir, "out.html"));
    tu_write_file(victim, "keep", 4);
    /* The names an older version used, and the prefix the temporary file has. */
    snprintf(planted, sizeof planted, "%s.tmp", out);
    assert_int_equal(symlink(victim, planted), 0);
    snprintf(planted, sizeof planted, "%s.tmp-XXXXXX", out);
    assert_int_equal(symlink(victim, planted), 0);
    sr_error err = {0};
    assert_int_equal(sr_output_write_all(out, &plain, "page", 4, &err), SR_OK);
    assert_content(out, "page");
    assert_content(victim, "keep");
}

static void test_abort_and_a_late_rival_leave_things_as_they_were(void **state)
{
    (void)state;
    const char *dir = tu_scratch_dir();
    char out[512];
    snprintf(out, sizeof out, "%s", tu_path(dir, "extract.sigx"));
    sr_output *o = NULL;
    sr_error err = {0};
    assert_int_equal(sr_output_open(out, &plain, &o, &err), SR_OK);
    fputs("half", sr_output_stream(o));
    sr_output_abort(o);
    assert_int_equal(files_in(dir), 0);
    sr_output_abort(NULL);
    /* A file that appears while the output is written is not replaced. */
    assert_int_equal(sr_output_open(out, &plain, &o, &err), SR_OK);
    sr_sink sink = sr_output_sink(o);
    assert_int_equal(sr_sink_write(&sink, "mine", 4, &err), SR_OK);
    tu_write_file(out, "theirs", 6);
    assert_int_equal(sr_output_commit(o, &err), SR_ERR_EXISTS);
    assert_content(out, "theirs");
    assert_int_equal(files_in(dir), 1);
}

static void test_a_folder_or_no_name_is_refused(void **state)
{
    (void)state;
    const char *dir = tu_scratch_dir();
    sr_error err = {0};
    assert_int_equal(sr_output_write_all(dir, &forced, "x", 1, &err), SR_ERR_INVALID);
    sr_error_clear(&err);
    assert_int_equal(sr_output_write_all("", &forced, "x", 1, &err), SR_ERR_USAGE);
    sr_error_clear(&err);
    assert_int_equal(sr_output_write_all(tu_path(dir, "no/such/folder.csv"), &plain, "x", 1, &err),
                     SR_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_file_is_written_private),
        cmocka_unit_test(test_existing_file_needs_force),
        cmocka_unit_test(test_registry_files_are_never_written),
        cmocka_unit_test(test_planted_link_at_a_temporary_name_is_not_followed),
        cmocka_unit_test(test_abort_and_a_late_rival_leave_things_as_they_were),
        cmocka_unit_test(test_a_folder_or_no_name_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
