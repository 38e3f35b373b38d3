/* Must NOT compile: the web front end does not see base's private headers. */
#include "base/error.h"
int boundary_probe(void);
int boundary_probe(void)
{
    return 0;
}
