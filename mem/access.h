#pragma once

#include <cstdint>

namespace tiervm {

// What kind of access a translation is for.
enum class Access : uint8_t { Read = 0, Write = 1, Exec = 2 };

// Privilege levels as encoded in mstatus.MPP (priv spec 1.12, section 1.2).
enum class Priv : uint8_t { U = 0, S = 1, M = 3 };

// Why a memory access failed. The hart maps it to the exception cause that matches the
// access type (e.g. Page + Write -> store/AMO page fault, cause 15).
enum class MemFault : uint8_t { None = 0, Page, AccessFault, Misaligned };

}  // namespace tiervm
