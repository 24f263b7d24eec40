#include "engine/vector.h"

#include <algorithm>

#include "engine/hart.h"

namespace tiervm {

bool decode_vtype(uint64_t value, VType& out) {
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

VConfig vsetvl_rule(uint64_t vlenb, AvlKind kind, uint64_t avl, uint64_t current_vl,
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

bool vector_illegal(Hart& hart, uint32_t word) {
  hart.s.raise(make_trap(Cause::IllegalInsn, word));
  return false;
}

bool vector_begin(Hart& hart, const VFields& f, VType& t) {
  if (!vector_enabled(hart.s) || !decode_vtype(hart.s.vtype, t)) {
    return vector_illegal(hart, f.word);
  }
  return true;
}

bool vdest_may_overlap(unsigned dst, int dst_emul_log2, unsigned src, int src_emul_log2) {
  const unsigned dn = vgroup_regs(dst_emul_log2), sn = vgroup_regs(src_emul_log2);
  if (!voverlap(dst, dn, src, sn)) return true;
  return dn > sn && dst < src && src_emul_log2 >= 0 && !voverlap(dst, dn, src + sn, sn);
}

}  // namespace tiervm
