/* Must NOT compile: crypto/ may not include a library header (store.h). */
#include "store.h"
int boundary_probe(void);
int boundary_probe(void)
{
    return 0;
}
