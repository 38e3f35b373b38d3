/*
 * fuzz_form.c - the form definition parser and validator on arbitrary bytes.
 * Whatever comes in, it must return a status without crashing or leaking,
 * and a status of SR_OK must come with a usable form.
 */
#include <stdint.h>
#include <string.h>

#include "sigreg/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_problems *problems = sr_problems_new();
    sr_form *form = NULL;
    sr_error err;
    sr_error_clear(&err);
    sr_status rc = sr_form_parse((const char *)data, size, &form, problems, &err);
    if (rc == SR_OK) {
        /* Exercise every query on a form that passed. */
        for (size_t i = 0; i < sr_form_item_count(form); i++) {
            sr_item_info info;
            sr_form_item(form, i, "en", &info);
            for (size_t o = 0; o < info.option_count; o++)
                sr_form_option(form, i, o, "sv", NULL, NULL, NULL);
        }
        (void)sr_form_check_answers(form, "{}", 2, NULL, NULL);
    } else if (sr_problems_count(problems) == 0 && rc == SR_ERR_INVALID) {
        __builtin_trap(); /* a rejection must say why */
    }
    sr_form_free(form);
    sr_problems_free(problems);
    return 0;
}
