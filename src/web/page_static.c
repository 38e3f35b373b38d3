/*
 * page_static.c - /static/NAME: the embedded style sheet and script.
 */
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "static_files.h"

void page_static(const web_request *rq, web_response *rs)
{
    for (const web_static_file *f = web_static_files; f->name; f++) {
        if (strcmp(f->name, rq->seg[1]) != 0)
            continue;
        rs->body = malloc(f->len + 1);
        if (!rs->body) {
            rs->status = 500;
            return;
        }
        memcpy(rs->body, f->data, f->len);
        rs->body_len = f->len;
        rs->content_type = f->type;
        return;
    }
    page_message(rq, rs, 404, page_text(rq, WT_NOT_FOUND_TITLE), page_text(rq, WT_NOT_FOUND), NULL);
}
