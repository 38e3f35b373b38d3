/*
 * fuzz_answers.c - answer validation on arbitrary bytes, against the shipped
 * intake form (every item type the SIG forms use) and a form with every type
 * and condition operator.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigreg/form.h"
#include "sigreg/form_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char EVERY_TYPE[] =
    "{\"format\":\"sigreg-form/1\",\"id\":\"t\",\"version\":1,\"phase\":\"intake\",\"title\":\"T\","
    "\"items\":[{\"id\":\"s\",\"type\":\"section\"},"
    "{\"id\":\"c\",\"type\":\"choice\",\"label\":\"C\",\"required\":true,\"options\":"
    "[{\"code\":\"a\",\"label\":\"A\"},{\"code\":\"b\",\"label\":\"B\",\"missing\":true}]},"
    "{\"id\":\"m\",\"type\":\"multichoice\",\"label\":\"M\",\"min_selected\":1,\"max_selected\":2,"
    "\"options\":[{\"code\":\"x\",\"label\":\"X\"},{\"code\":\"y\",\"label\":\"Y\"},{\"code\":"
    "\"z\",\"label\":\"Z\"}]},"
    "{\"id\":\"i\",\"type\":\"integer\",\"label\":\"I\",\"min\":0,\"max\":9,"
    " \"enable_when\":{\"any\":[{\"item\":\"c\",\"op\":\"=\",\"value\":\"a\"},{\"item\":\"m\","
    "\"op\":\"includes\",\"value\":\"y\"}]}},"
    "{\"id\":\"d\",\"type\":\"decimal\",\"label\":\"D\",\"min\":-1.5,\"max\":1e6,\"decimals\":2,"
    " \"enable_when\":{\"not\":{\"item\":\"i\",\"op\":\">=\",\"value\":5}}},"
    "{\"id\":\"sc\",\"type\":\"scale\",\"label\":\"S\",\"min\":1,\"max\":5},"
    "{\"id\":\"dt\",\"type\":\"date\",\"label\":\"DT\",\"min\":\"2000-01-01\",\"max\":\"today\","
    " \"enable_when\":{\"item\":\"sc\",\"op\":\"answered\"}},"
    "{\"id\":\"b\",\"type\":\"boolean\",\"label\":\"B\",\"required\":true,"
    " \"enable_when\":{\"item\":\"dt\",\"op\":\"<\",\"value\":\"2020-01-01\"}},"
    "{\"id\":\"t\",\"type\":\"text\",\"label\":\"T\",\"max_length\":5}]}";

static sr_form *forms[2];

static void load_forms(void)
{
    const char *name, *text;
    size_t len;
    for (size_t i = 0; sr_form_shipped(i, &name, &text, &len); i++)
        if (strcmp(name, "sig-intake.json") == 0 &&
            sr_form_parse(text, len, &forms[0], NULL, NULL) != SR_OK)
            abort();
    if (sr_form_parse(EVERY_TYPE, strlen(EVERY_TYPE), &forms[1], NULL, NULL) != SR_OK || !forms[0])
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!forms[0])
        load_forms();
    for (int f = 0; f < 2; f++) {
        sr_problems *problems = sr_problems_new();
        sr_error err;
        sr_error_clear(&err);
        sr_status rc = sr_form_check_answers(forms[f], (const char *)data, size, problems, &err);
        if ((rc == SR_OK) != (sr_problems_count(problems) == 0))
            __builtin_trap(); /* accepted with problems, or rejected without reasons */
        sr_problems_free(problems);
    }
    return 0;
}
