/*
 * form_text.h - the Swedish and English texts of the registration pages
 * (form_page, form_decode, page_register), in one table.
 *
 * A page asks for a text by id and language; nothing else in these modules
 * compares a language tag. Any language but "en" gets Swedish. Texts that
 * take arguments say so beside their id (printf conversions, in order).
 * Labels written in a form are not here: they come from the form itself.
 */
#ifndef SIGREG_WEB_FORM_TEXT_H
#define SIGREG_WEB_FORM_TEXT_H

typedef enum form_text_id {
    FT_YES,
    FT_NO,
    FT_REQUIRED_MARK, /* after a required item's label */
    FT_CHOOSE,        /* the empty first entry of a select */
    FT_ERROR_SUMMARY, /* %zu problems */
    FT_ERROR_SUMMARY_ONE,
    FT_INTEGER_HELP,       /* a whole number without bounds */
    FT_INTEGER_RANGE,      /* %s min, %s max */
    FT_INTEGER_MIN,        /* %s min */
    FT_INTEGER_MAX,        /* %s max */
    FT_DECIMAL_HELP,       /* a number without bounds */
    FT_DECIMAL_RANGE,      /* %s min, %s max */
    FT_DECIMAL_MIN,        /* %s min */
    FT_DECIMAL_MAX,        /* %s max */
    FT_DECIMALS,           /* %d at most this many decimals */
    FT_DATE_HELP,          /* the format */
    FT_DATE_RANGE,         /* %s earliest, %s latest */
    FT_TEXT_HELP,          /* %zu characters at most */
    FT_SELECT_RANGE,       /* %zu min, %zu max */
    FT_SELECT_MIN,         /* %zu min */
    FT_SCALE_HELP,         /* %ld min, %ld max */
    FT_E_REQUIRED,         /* an enabled required item without an answer */
    FT_E_BOOLEAN,          /* neither yes nor no */
    FT_E_OPTION,           /* not one of the options */
    FT_E_OPTION_TWICE,     /* an option selected twice */
    FT_E_SELECT_MIN,       /* %zu min */
    FT_E_SELECT_MAX,       /* %zu max */
    FT_E_INTEGER,          /* %s what was typed */
    FT_E_NUMBER,           /* %s what was typed */
    FT_E_BELOW,            /* %s value, %s min */
    FT_E_ABOVE,            /* %s value, %s max */
    FT_E_DECIMALS,         /* %d at most this many decimals */
    FT_E_DATE,             /* %s what was typed */
    FT_E_DATE_BEFORE,      /* %s date, %s earliest */
    FT_E_DATE_AFTER,       /* %s date, %s latest */
    FT_E_TEXT_LONG,        /* %zu max, %zu given */
    FT_E_TEXT_ENCODING,    /* not UTF-8 */
    FT_E_TOO_LONG,         /* a value longer than any answer to the item can be */
    FT_E_FIELDS,           /* the posted fields as a whole are refused */
    FT_UPDATE,             /* the button that re-renders with conditions applied */
    FT_REVIEW,             /* the button to the review page */
    FT_SAVE,               /* the button that registers */
    FT_CHANGE,             /* a link/button to change one answer */
    FT_CANCEL,             /* the button that discards the draft */
    FT_CANCEL_CONFIRM,     /* the confirmation question */
    FT_CANCEL_YES,         /* the button that confirms */
    FT_CANCEL_NO,          /* back to the form */
    FT_DATE_STEP_TITLE,    /* the heading of step one */
    FT_DATE_LABEL,         /* the registration date's label */
    FT_DATE_INTAKE_LABEL,  /* the intake date's label */
    FT_DATE_STEP_HELP,     /* %s earliest or "-", %s latest */
    FT_DATE_STEP_HELP_ANY, /* %s latest */
    FT_NEXT,               /* continue from the date step */
    FT_REVIEW_TITLE,       /* the heading of the review page */
    FT_REVIEW_INTRO,
    FT_NOT_ANSWERED,
    FT_DRAFT_OFFER,       /* %s date of the draft, %zu answers */
    FT_DRAFT_RESUME,      /* "Fortsätt där du slutade" */
    FT_DRAFT_RESTART,     /* start again, discarding the draft */
    FT_DRAFT_SAVED,       /* status line: the draft is kept */
    FT_REGISTRATION_DATE, /* the label of the date on the review page */
    FT_BACK_TO_FORM,
    FT_BACK_TO_CASE,
    FT_EDIT_TITLE, /* %s the item's label */
    FT_EDIT_INTRO, /* %lld response id */
    FT_EDIT_SAVE,
    FT_WARNINGS,       /* the heading of the review's warnings */
    FT_NOT_APPLICABLE, /* the answer to edit does not apply given the others */
    FT_EARLIER,        /* %s date, %s the answer then */
    FT_SECTION_INDEX,  /* the heading of the list of a long form's sections */
    FT_COUNT
} form_text_id;

/* The text id in lang (borrowed, static). */
const char *form_text(form_text_id id, const char *lang);

#endif
