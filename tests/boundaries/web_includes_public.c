/* Must compile: the web front end includes the public API and its own headers (the control). */
#include "html.h"
#include "sigreg/registry.h"
#include "web_entry.h"
int boundary_probe(void);
int boundary_probe(void)
{
    return (int)sizeof(web_serve_options);
}
