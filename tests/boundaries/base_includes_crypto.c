/* Must NOT compile: base depends on nothing of ours (crypto.h is crypto's). */
#include "crypto.h"
int boundary_probe(void);
int boundary_probe(void)
{
    return 0;
}
