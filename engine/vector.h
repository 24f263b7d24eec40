#pragma once

// The vector extension (RVV 1.0) at VLEN = 128..1024, ELEN = 64: vtype's rules, the
// vsetvl AVL rules and element access to the register file in HartState. Instructions
// are helpers (engine/translate/vector_*.cpp) that run element by element; every tier
// calls them. Tail and mask policy: undisturbed, whatever vta/vma say (docs/vector.md).

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "engine/hart.h"
#include "engine/hart_state.h"

namespace tiervm {

namespace vtype {
// vtype fields (RVV 1.0 section 3.4), XLEN = 64.
inline constexpr uint64_t kLmulMask = 7;
inline constexpr unsigned kSewShift = 3;
inline constexpr uint64_t kSewMask = 7ull << kSewShift;
inline constexpr uint64_t kTa = 1ull << 6;
inline constexpr uint64_t kMa = 1ull << 7;
inline constexpr uint64_t kVill = 1ull << 63;
// Bits 8..62 are reserved: a vsetvl asking for any of them sets vill.
inline constexpr uint64_t kReserved = ~(kVill | kMa | kTa | kSewMask | kLmulMask);
}  // namespace vtype

inline constexpr unsigned kElen = 64;

// A decoded, legal vtype.
struct VType {
  unsigned sew = 8;   // element width in bits: 8, 16, 32, 64
  int lmul_log2 = 0;  // -3..3: LMUL 1/8 .. 8
  bool ta = false, ma = false;

  unsigned sew_bytes() const { return sew / 8; }
  // VLMAX = LMUL * VLEN / SEW (section 3.4.2).
  uint64_t vlmax(uint64_t vlenb) const {
    const uint64_t elems = vlenb * 8 / sew;
    return lmul_log2 >= 0 ? elems << lmul_log2 : elems >> -lmul_log2;
  }
};

// Decodes `value` as vtype, or returns false when this hart does not support it: vill set,
// reserved bits set, SEW > ELEN, LMUL encoding 100, or a fractional LMUL with
// SEW > LMUL * ELEN (section 3.4.2: "an implementation must support fractional LMUL
// settings where LMUL >= SEW/ELEN", and QEMU sets vill for the others).
inline bool decode_vtype(uint64_t value, VType& out) {
  if ((value & (vtype::kVill | vtype::kReserved)) != 0) return false;
  const unsigned vsew = static_cast<unsigned>((value & vtype::kSewMask) >> vtype::kSewShift);
  const unsigned vlmul = static_cast<unsigned>(value & vtype::kLmulMask);
  if (vsew > 3 || vlmul == 4) return false;  // SEW > 64; LMUL encoding 100 is reserved
  VType t;
  t.sew = 8u << vsew;
  t.lmul_log2 = vlmul < 4 ? static_cast<int>(vlmul) : static_cast<int>(vlmul) - 8;
  // Fractional LMUL needs SEW <= LMUL * ELEN.
  if (t.lmul_log2 < 0 && t.sew > (kElen >> -t.lmul_log2)) return false;
  t.ta = (value & vtype::kTa) != 0;
  t.ma = (value & vtype::kMa) != 0;
  out = t;
  return true;
}

// The result of vsetvl/vsetvli/vsetivli (section 6): the new vl and vtype. An unsupported
// vtype gives vtype = vill only and vl = 0.
struct VConfig {
  uint64_t vl = 0;
  uint64_t vtype = vtype::kVill;
};

// The vtype a vsetvli (11 bits, 30:20) or vsetivli (10 bits, 29:20; bits 31:30 = 11)
// instruction word asks for.
inline uint64_t vset_zimm(uint32_t word) {
  return (word >> 20) & ((word >> 31) != 0 ? 0x3ffu : 0x7ffu);
}

// AVL as the spec's table in section 6.2 resolves it from the instruction's registers.
enum class AvlKind : uint8_t {
  Value,   // rs1 != x0 (or vsetivli's uimm): AVL = that value
  Max,     // rs1 = x0, rd != x0: AVL = ~0, so vl = VLMAX
  KeepVl,  // rs1 = x0, rd = x0: keep the current vl (as QEMU, vl = min(vl, new VLMAX))
};

// vl = AVL when AVL <= VLMAX, else VLMAX (section 6.3 allows ceil(AVL/2) .. VLMAX for
// AVL < 2 * VLMAX; VLMAX is what QEMU and most hardware give).
inline VConfig vsetvl_rule(uint64_t vlenb, AvlKind kind, uint64_t avl, uint64_t current_vl,
                           uint64_t new_vtype) {
  VType t;
  if (!decode_vtype(new_vtype, t)) return {};
  const uint64_t vlmax = t.vlmax(vlenb);
  switch (kind) {
    case AvlKind::Value:
      break;
    case AvlKind::Max:
      avl = ~uint64_t{0};
      break;
    case AvlKind::KeepVl:
      avl = current_vl;
      break;
  }
  return {std::min(avl, vlmax), new_vtype};
}

// ---- Register file access. `reg` is the first register of a group, `index` the element
// in the group; groups are contiguous in the file (register i at i * vlenb).
[[gnu::always_inline]] inline uint8_t* vreg_bytes(HartState& s, unsigned reg) {
  return reinterpret_cast<uint8_t*>(s.vreg.data()) + reg * s.vlenb;
}
[[gnu::always_inline]] inline uint64_t vget(HartState& s, unsigned reg, uint64_t index,
                                            unsigned bytes) {
  uint64_t v = 0;
  std::memcpy(&v, vreg_bytes(s, reg) + index * bytes, bytes);
  return v;
}
[[gnu::always_inline]] inline void vset(HartState& s, unsigned reg, uint64_t index, unsigned bytes,
                                        uint64_t value) {
  std::memcpy(vreg_bytes(s, reg) + index * bytes, &value, bytes);
}
[[gnu::always_inline]] inline bool vmask_bit(HartState& s, unsigned reg, uint64_t index) {
  return (vreg_bytes(s, reg)[index / 8] >> (index % 8)) & 1;
}
inline void vset_mask_bit(HartState& s, unsigned reg, uint64_t index, bool bit) {
  uint8_t& byte = vreg_bytes(s, reg)[index / 8];
  byte = static_cast<uint8_t>((byte & ~(1u << (index % 8))) | (unsigned{bit} << (index % 8)));
}

// Sign-extends the low `bits` bits of v.
inline int64_t sext_bits(uint64_t v, unsigned bits) {
  const unsigned shift = 64 - bits;
  return static_cast<int64_t>(v << shift) >> shift;
}
inline uint64_t trunc_bits(uint64_t v, unsigned bits) {
  return bits >= 64 ? v : v & ((uint64_t{1} << bits) - 1);
}

// Vector instructions and CSRs are illegal unless the hart has V and mstatus.VS is not
// Off (priv spec 3.1.6.6, RVV 1.0 section 3.2).
inline bool vector_enabled(const HartState& s) {
  return s.vlenb != 0 && (s.mstatus & mstatus::VS) != 0;
}
// Vector state changed: VS = Dirty (and SD).
inline void set_vs_dirty(HartState& s) {
  s.mstatus |= mstatus::VS | mstatus::SD;
}

// The instruction fields every vector helper decodes from the word it gets as `imm`.
struct VFields {
  uint32_t word;
  unsigned vd, vs1, vs2, funct3;
  bool vm;  // 1: unmasked
  explicit VFields(int64_t imm)
      : word(static_cast<uint32_t>(imm)),
        vd((word >> 7) & 31),
        vs1((word >> 15) & 31),
        vs2((word >> 20) & 31),
        funct3((word >> 12) & 7),
        vm(((word >> 25) & 1) != 0) {}
  int64_t simm5() const { return sext_bits(vs1, 5); }
  unsigned nf() const { return (word >> 29) + 1; }  // fields of a segment access
};

// Raises an illegal instruction for the vector instruction `word` and returns false.
bool vector_illegal(Hart& hart, uint32_t word);

// The start of every vector instruction that depends on vtype: V enabled and vtype legal
// (vill clear), else an illegal instruction (returns false). `t` is the current vtype.
inline bool vector_begin(Hart& hart, const VFields& f, VType& t) {
  if (!vector_enabled(hart.s) || !decode_vtype(hart.s.vtype, t)) {
    return vector_illegal(hart, f.word);
  }
  return true;
}
// A group of 2^emul_log2 registers (at least one) starting at `reg` is legal: aligned to
// its size and within v0..v31 (RVV 1.0 section 3.4.2).
inline bool vgroup_ok(unsigned reg, int emul_log2) {
  if (emul_log2 <= 0) return true;
  if (emul_log2 > 5) return false;  // more than 32 registers (and no shift past the width)
  const unsigned size = 1u << emul_log2;
  return reg % size == 0 && reg + size <= 32;
}
// Registers [a, a + an) and [b, b + bn) share one.
inline bool voverlap(unsigned a, unsigned an, unsigned b, unsigned bn) {
  return a < b + bn && b < a + an;
}
// The registers a group of EMUL 2^emul_log2 covers (fractional groups use one).
inline unsigned vgroup_regs(int emul_log2) {
  return emul_log2 <= 0 ? 1u : 1u << std::min(emul_log2, 31);
}
// A destination of wider EEW than a source may overlap it only in the source's
// highest-numbered part (section 5.2), and only when the source group is whole registers.
inline bool vdest_may_overlap(unsigned dst, int dst_emul_log2, unsigned src, int src_emul_log2) {
  const unsigned dn = vgroup_regs(dst_emul_log2), sn = vgroup_regs(src_emul_log2);
  if (!voverlap(dst, dn, src, sn)) return true;
  return dn > sn && dst < src && src_emul_log2 >= 0 && !voverlap(dst, dn, src + sn, sn);
}
// The end of an instruction that ran: vstart = 0 (section 3.7) and VS = Dirty.
inline void vector_end(HartState& s) {
  s.vstart = 0;
  set_vs_dirty(s);
}

}  // namespace tiervm
