/* Must compile: crypto/ may include base (the control for the test above). */
#include "base/buffer.h"
#include "crypto.h"
int boundary_probe(void);
int boundary_probe(void)
{
    return (int)sizeof(srp_buf);
}
