/*
 * freetext.c - personnummer and names in free text (see freetext.h).
 */
#include "freetext.h"

#include <string.h>

#include "pnr.h"

/* The shipped list of first names (data/first-names-sv.txt, embedded). */
extern const char srp_first_names_text[];

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Characters (code points) in the first n bytes of text. */
static size_t chars_before(const char *text, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)text[i] & 0xC0) != 0x80;
    return count;
}

/* Whether text[at..] starts with `digits` digits, an optional [-+] after
 * the first `head` of them, and ends there (no digit follows); *len is the
 * candidate's length in bytes. */
static int shape(const char *text, size_t at, size_t head, size_t tail, int separated, size_t *len)
{
    size_t i = at;
    for (size_t k = 0; k < head; k++, i++)
        if (!is_digit((unsigned char)text[i]))
            return 0;
    if (separated) {
        if (text[i] != '-' && text[i] != '+')
            return 0;
        i++;
    }
    for (size_t k = 0; k < tail; k++, i++)
        if (!is_digit((unsigned char)text[i]))
            return 0;
    if (is_digit((unsigned char)text[i]))
        return 0;
    *len = i - at;
    return 1;
}

size_t srp_freetext_find_pnr(const char *text, const char *today)
{
    static const struct {
        size_t head, tail;
        int separated;
    } shapes[] = {{8, 4, 1}, {6, 4, 1}, {12, 0, 0}, {10, 0, 0}};
    size_t n = strlen(text);
    for (size_t at = 0; at < n; at++) {
        if (!is_digit((unsigned char)text[at]) || (at > 0 && is_digit((unsigned char)text[at - 1])))
            continue;
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            size_t len = 0;
            if (!shape(text, at, shapes[s].head, shapes[s].tail, shapes[s].separated, &len))
                continue;
            char candidate[16];
            memcpy(candidate, text + at, len);
            candidate[len] = '\0';
            srp_pnr pnr;
            int valid = srp_pnr_parse(candidate, today, &pnr, NULL) == SR_OK;
            memset(candidate, 0, sizeof candidate);
            memset(&pnr, 0, sizeof pnr);
            if (valid)
                return chars_before(text, at) + 1;
        }
    }
    return 0;
}

/* ---- names ------------------------------------------------------------------------------------
 */

/* Letters: ASCII, and the Latin-1 letters of UTF-8 (C3 80..C3 BF but for
 * the multiplication and division signs). *upper says whether it is a
 * capital; returns the letter's length in bytes, 0 for no letter. */
static size_t letter(const unsigned char *s, int *upper)
{
    if (s[0] >= 'A' && s[0] <= 'Z') {
        *upper = 1;
        return 1;
    }
    if (s[0] >= 'a' && s[0] <= 'z') {
        *upper = 0;
        return 1;
    }
    if (s[0] == 0xC3 && s[1] >= 0x80 && s[1] <= 0xBF && s[1] != 0x97 && s[1] != 0xB7) {
        *upper = s[1] < 0xA0;
        return 2;
    }
    return 0;
}

typedef struct word {
    size_t start, len; /* bytes */
    int capitalised;   /* a capital, then only small letters (at least one) */
} word;

/* The next word at or after *at (letters, and hyphens between them); 0
 * when there is none. */
static int next_word(const char *text, size_t *at, word *w)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = *at;
    int upper = 0;
    while (s[i] && !letter(s + i, &upper))
        i++;
    if (!s[i])
        return 0;
    w->start = i;
    size_t letters = 0, capitals = 0;
    int first_upper = 0;
    for (;;) {
        size_t l = letter(s + i, &upper);
        if (l) {
            if (letters == 0)
                first_upper = upper;
            else if (upper && s[i - 1] != '-')
                capitals++;
            letters++;
            i += l;
        } else if (s[i] == '-' && letters && letter(s + i + 1, &upper)) {
            i++;
        } else {
            break;
        }
    }
    w->len = i - w->start;
    w->capitalised = first_upper && capitals == 0 && letters >= 2;
    *at = i;
    return 1;
}

/* Whether the word (lower-cased) is a line of the list of first names. */
static int is_first_name(const char *text, const word *w)
{
    char lower[64];
    if (w->len >= sizeof lower)
        return 0;
    for (size_t i = 0; i < w->len; i++) {
        unsigned char c = (unsigned char)text[w->start + i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        else if (i > 0 && (unsigned char)text[w->start + i - 1] == 0xC3 && c >= 0x80 && c < 0xA0)
            c = (unsigned char)(c + 0x20);
        lower[i] = (char)c;
    }
    lower[w->len] = '\0';
    const char *line = srp_first_names_text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (line[0] != '#' && n == w->len && memcmp(line, lower, n) == 0)
            return 1;
        line += n + (end ? 1 : 0);
    }
    return 0;
}

/* Whether only spaces lie between two words. */
static int adjacent(const char *text, const word *a, const word *b)
{
    for (size_t i = a->start + a->len; i < b->start; i++)
        if (text[i] != ' ')
            return 0;
    return b->start > a->start + a->len;
}

size_t srp_freetext_find_name(const char *text)
{
    size_t at = 0;
    word prev = {0, 0, 0}, w;
    int have_prev = 0;
    while (next_word(text, &at, &w)) {
        if (w.capitalised && is_first_name(text, &w))
            return chars_before(text, w.start) + 1;
        if (have_prev && prev.capitalised && w.capitalised && adjacent(text, &prev, &w))
            return chars_before(text, prev.start) + 1;
        prev = w;
        have_prev = 1;
    }
    return 0;
}
