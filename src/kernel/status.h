#pragma once
// The kernel's NTSTATUS values live in base/ntstatus.h (shared with the
// memory API); kernel code names them unqualified from xdet::kernel.
#include "base/ntstatus.h"
