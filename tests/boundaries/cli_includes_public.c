/* Must compile: a front end includes the public API (the control). */
#include "sigreg/registry.h"
#include "sigreg/stats.h"
int boundary_probe(void);
int boundary_probe(void)
{
    return (int)sizeof(sr_stats_query);
}
