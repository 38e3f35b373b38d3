/* Must NOT compile: the web front end sees only include/sigreg, not library headers. */
#include "store.h"
int boundary_probe(void);
int boundary_probe(void)
{
    return 0;
}
