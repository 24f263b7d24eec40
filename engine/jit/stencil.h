#pragma once

#include <cstdint>

namespace tiervm {

// A stencil of the baseline tier: the machine code clang-19 made of one function of
// engine/jit/stencils/stencils.cpp, with the places (holes) the baseline compiler patches
// after copying it. The table is generated at build time (engine/jit/stencils/stencil_gen.cpp).
enum class Hole : uint8_t {
#define TIERVM_HOLE(name) name,
#include "engine/jit/stencils/holes.inc"
  Count  // not a hole
};

// How a hole is patched (the x86-64 relocation clang left there).
enum StencilReloc : uint8_t {
  kAbs64,   // 64-bit value
  kAbs32,   // 32-bit value, zero-extended by the instruction
  kAbs32S,  // 32-bit value, sign-extended by the instruction
  kRel32,   // 32-bit displacement to a code address from the end of the field
};

struct StencilHole {
  uint16_t offset;  // in the stencil's code
  StencilReloc reloc;
  Hole hole;
  int32_t addend;
};

struct Stencil {
  const char* name;
  const uint8_t* code;
  uint32_t size;
  const StencilHole* holes;
  uint32_t hole_count;
};

namespace stencils {
#include "engine/jit/stencils/stencils.inc"  // generated
}  // namespace stencils

}  // namespace tiervm
