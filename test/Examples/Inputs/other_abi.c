/* A library that is not quite an Incept model, for host's error tests.
 * Build it with -DENTRY_POINT=<name> (no incept_model_v1), -DABI_VERSION=<n>
 * (another ABI) or -DSTRUCT_SIZE=<n> (a description too short to read). */
#include "incept/incept.h"

#ifndef ENTRY_POINT
#define ENTRY_POINT incept_model_v1
#endif
#ifndef ABI_VERSION
#define ABI_VERSION INCEPT_ABI_VERSION
#endif
#ifndef STRUCT_SIZE
#define STRUCT_SIZE sizeof(incept_model)
#endif

static const incept_model model = {ABI_VERSION, STRUCT_SIZE, "other_abi"};

const incept_model *ENTRY_POINT(void) { return &model; }
