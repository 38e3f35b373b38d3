/* Must compile: base includes base (the control for the test above). */
#include "base/error.h"
int boundary_probe(void);
int boundary_probe(void)
{
    return 0;
}
