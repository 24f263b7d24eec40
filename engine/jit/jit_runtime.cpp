// The C++ side of compiled code: memory slow paths and the shared ALU semantics.
#include "engine/hart.h"
#include "engine/interpreter.h"
#include "engine/jit/jit_abi.h"

namespace tiervm {

extern "C" uint64_t tiervm_jit_load(Hart* hart, uint64_t vaddr, uint32_t size_and_sign) {
  const unsigned size = size_and_sign & 0xff;
  uint64_t v = 0;
  if (!hart->load(vaddr, size, v)) return 0;
  if ((size_and_sign & 0x100) && size < 8) {
    const unsigned shift = 64 - 8 * size;
    v = static_cast<uint64_t>(static_cast<int64_t>(v << shift) >> shift);
  }
  return v;
}

extern "C" void tiervm_jit_store(Hart* hart, uint64_t vaddr, uint64_t value, uint32_t size) {
  hart->store(vaddr, size, value);
}

namespace {
void place_trap(Hart* hart, uint32_t at) {
  if (!hart->s.trap_pending) return;
  hart->s.pc += at & 0xffff;
  hart->s.instret += at >> 16;
}
}  // namespace

namespace {
// Where the baseline tier's slow paths point a stencil's own access: the value loaded, or
// a harmless target for the store they have already done. One per hart thread.
thread_local uint64_t stencil_buffer;

int64_t addend_of_buffer(uint64_t vaddr) {
  return static_cast<int64_t>(reinterpret_cast<uintptr_t>(&stencil_buffer) - vaddr);
}
}  // namespace

extern "C" int64_t tiervm_jit_load_at(Hart* hart, uint64_t vaddr, uint32_t size_and_sign,
                                      uint32_t at) {
  stencil_buffer = tiervm_jit_load(hart, vaddr, size_and_sign);
  place_trap(hart, at);
  return addend_of_buffer(vaddr);
}

extern "C" int64_t tiervm_jit_store_at(Hart* hart, uint64_t vaddr, uint64_t value, uint32_t size,
                                       uint32_t at) {
  tiervm_jit_store(hart, vaddr, value, size);
  place_trap(hart, at);
  return addend_of_buffer(vaddr);
}

extern "C" uint64_t tiervm_jit_eval(uint32_t op, uint64_t a, uint64_t b, uint64_t c, int64_t imm) {
  return eval_alu(static_cast<IrOp>(op), a, b, c, imm);
}

}  // namespace tiervm
