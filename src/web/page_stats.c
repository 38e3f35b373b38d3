/*
 * page_stats.c - "Sammanställningar" (/stats): the live summaries, the
 * report download and publishing.
 */
#include "page.h"

void page_stats(const web_request *rq, web_response *rs)
{
    page_begin(rq, rs, page_text(rq, WT_STATS_TITLE));
    page_end(rq, rs);
}

void page_report(const web_request *rq, web_response *rs)
{
    page_stats(rq, rs);
}

void page_publish(const web_request *rq, web_response *rs)
{
    page_stats(rq, rs);
}
