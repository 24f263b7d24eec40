#pragma once

// What the vector helpers (engine/translate/vector_*.cpp) share: the prologue and epilogue
// of an instruction (vector_run), the destination group buffer, the mask test and the
// second operand's sources.

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <type_traits>

#include "engine/hart.h"
#include "engine/vector.h"

namespace tiervm {

// The result of an instruction's body: x[rd]'s value (0 when it writes none), or
// kVectorIllegal for an illegal instruction.
using VResult = std::optional<uint64_t>;
inline constexpr std::nullopt_t kVectorIllegal = std::nullopt;

// Runs one vector instruction whose word is `imm`: V enabled and vtype legal
// (vector_begin) or an illegal instruction; then body(s, f, t), which checks the operand
// rules and runs the elements; if it returns a value, the instruction completed: vstart = 0
// and VS = Dirty (vector_end). The helper returns the body's value.
template <class Body>
uint64_t vector_run(Hart& hart, int64_t imm, Body&& body) {
  const VFields f(imm);
  VType t;
  if (!vector_begin(hart, f, t)) return 0;
  const VResult r = body(hart.s, f, static_cast<const VType&>(t));
  if (!r) return vector_illegal(hart, f.word);
  vector_end(hart.s);
  return *r;
}

// The same for an instruction that does not depend on vtype (vmv<nr>r.v): only V must be
// enabled; body(s, f).
template <class Body>
uint64_t vector_run_any_vtype(Hart& hart, int64_t imm, Body&& body) {
  const VFields f(imm);
  if (!vector_enabled(hart.s)) return vector_illegal(hart, f.word);
  const VResult r = body(hart.s, f);
  if (!r) return vector_illegal(hart, f.word);
  vector_end(hart.s);
  return *r;
}

// Calls body(std::integral_constant<unsigned, B>{}) with B = `bytes` (1, 2, 4 or 8, an
// element's size), so that the element loop in the body accesses elements of a constant
// size: one host load or store each instead of a memcpy call.
template <class Body>
decltype(auto) with_elem_bytes(unsigned bytes, Body&& body) {
  switch (bytes) {
    case 1:
      return body(std::integral_constant<unsigned, 1>{});
    case 2:
      return body(std::integral_constant<unsigned, 2>{});
    case 4:
      return body(std::integral_constant<unsigned, 4>{});
    default:
      return body(std::integral_constant<unsigned, 8>{});
  }
}

// Where the second operand comes from: vs1, x[rs1], simm5, or uimm5 (shifts, slides,
// gathers take the immediate unsigned).
enum class Src { V, X, I, U };

// The destination group, copied in, changed, written back.
class Dest {
 public:
  Dest(HartState& s, unsigned reg, unsigned regs) : s_(s), reg_(reg), bytes_(regs * s.vlenb) {
    std::memcpy(buf_.data(), vreg_bytes(s, reg), bytes_);
  }
  void set(uint64_t index, unsigned bytes, uint64_t value) {
    std::memcpy(buf_.data() + index * bytes, &value, bytes);
  }
  void set_bit(uint64_t index, bool bit) {
    uint8_t& byte = buf_[index / 8];
    byte = static_cast<uint8_t>((byte & ~(1u << (index % 8))) | (unsigned{bit} << (index % 8)));
  }
  void commit() { std::memcpy(vreg_bytes(s_, reg_), buf_.data(), bytes_); }

 private:
  HartState& s_;
  unsigned reg_;
  uint64_t bytes_;
  std::array<uint8_t, 8 * kMaxVlenb> buf_;
};

inline bool active(HartState& s, const VFields& f, uint64_t i) {
  return f.vm || vmask_bit(s, 0, i);
}

// The second operand of element i, SEW bits wide.
template <Src S>
uint64_t src1(HartState& s, const VFields& f, uint64_t x, uint64_t i, unsigned sew) {
  switch (S) {
    case Src::V:
      return vget(s, f.vs1, i, sew / 8);
    case Src::X:
      return trunc_bits(x, sew);
    case Src::I:
      return trunc_bits(static_cast<uint64_t>(f.simm5()), sew);
    case Src::U:
      return f.vs1;
  }
  return 0;
}

inline uint64_t extend(uint64_t v, unsigned bits, bool is_signed) {
  return is_signed ? static_cast<uint64_t>(sext_bits(v, bits)) : trunc_bits(v, bits);
}

}  // namespace tiervm
