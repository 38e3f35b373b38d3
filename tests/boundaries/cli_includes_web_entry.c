/* Must compile: the CLI reaches the web front end through its entry header (the control). */
#include "sigreg/registry.h"
#include "web_entry.h"
int boundary_probe(void);
int boundary_probe(void)
{
    return (int)sizeof(web_serve_options);
}
