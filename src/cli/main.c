#include <stdio.h>
#include "mandat/version.h"
int main(void) { printf("mandat %s\n", MDT_VERSION_STRING); return 0; }
