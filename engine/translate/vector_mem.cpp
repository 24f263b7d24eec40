// Vector loads and stores (RVV 1.0 section 7): unit-stride, fault-only-first, strided,
// indexed (ordered and unordered), their segment forms (nf = 2..8), whole-register and
// mask loads/stores. One helper per addressing kind and width; it walks the elements from
// vstart in order, so a fault is precise: vstart = the faulting element, the elements
// before it done (section 7.7), and the trap's tval the faulting address. Indexed
// accesses are always done in element order, which is one order "unordered" allows.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "engine/decoder.h"
#include "engine/hart.h"
#include "engine/ir.h"
#include "engine/translate/vector_emit.h"
#include "engine/translate/vector_inline.h"
#include "engine/vector.h"

namespace tiervm {

namespace {

enum class MemKind { Unit, FaultFirst, Strided, Indexed, Whole, Mask };

int log2_of(unsigned v) {
  int n = 0;
  while ((1u << n) < v) ++n;
  return n;
}

// The host address of [vaddr, vaddr + size) for a data access of kind `access`, when the
// hart's L1 soft TLB maps its page for that access (RAM, PMP-uniform, and for writes not a
// page holding code: such pages get no write tag) and the range stays inside the page;
// nullptr otherwise, and always while a debugger is attached (its watchpoints see only
// Hart::load/store). Raises nothing: on nullptr the caller goes through load/store, which
// fill the TLB or trap.
uint8_t* host_range(Hart& hart, uint64_t vaddr, uint64_t size, Access access) {
  if (hart.debug != nullptr || (vaddr & kPageMask) + size > kPageSize) return nullptr;
  const TlbEntry& e = hart.tlb.l1(hart.data_mode(), vaddr);
  const uint64_t tag = access == Access::Write ? e.tag_write : e.tag_read;
  if (tag != (vaddr & ~kPageMask)) return nullptr;
  return reinterpret_cast<uint8_t*>(vaddr + e.host_addend);
}

// Copies n bytes, n at most a register group (1 KiB): 8 at a time. A memcpy of unknown
// size became `rep movsq` or a library call, either slower than the copy itself at the
// 16-128 bytes a vector access usually moves.
inline void copy_group_bytes(uint8_t* dst, const uint8_t* src, uint64_t n) {
  uint64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    uint64_t v;
    std::memcpy(&v, src + k, 8);
    std::memcpy(dst + k, &v, 8);
  }
  for (; k < n; ++k) dst[k] = src[k];
}

template <MemKind Kind, unsigned Eew, bool Store>
uint64_t vmem_helper(Hart& hart, uint64_t base, uint64_t stride, uint64_t, int64_t imm) {
  HartState& s = hart.s;
  const VFields f(imm);
  const unsigned nf = f.nf();
  if (!vector_enabled(s)) return vector_illegal(hart, f.word);

  unsigned data_bytes = Eew / 8;  // element size in memory and in the register
  unsigned field_regs = 1;        // registers of one field's group
  uint64_t evl = 0;               // elements to access
  bool masked = !f.vm;
  if constexpr (Kind == MemKind::Whole) {
    // nf registers (1, 2, 4, 8) whatever vtype says (section 7.9).
    if (f.vd % nf != 0) return vector_illegal(hart, f.word);
    evl = nf * s.vlenb / data_bytes;
    field_regs = nf;
    masked = false;
  } else {
    VType t;
    if (!vector_begin(hart, f, t)) return 0;
    if constexpr (Kind == MemKind::Mask) {
      evl = (s.vl + 7) / 8;  // vlm.v / vsm.v: EEW 8, ceil(vl / 8) bytes (section 7.4)
      masked = false;
    } else {
      evl = s.vl;
      // The data's EMUL: EEW / SEW * LMUL for unit/strided, LMUL for indexed (whose
      // data EEW is SEW and whose index EMUL is EEW / SEW * LMUL).
      const int eew_emul = log2_of(Eew) - log2_of(t.sew) + t.lmul_log2;
      if (eew_emul < -3 || eew_emul > 3) return vector_illegal(hart, f.word);
      int data_emul = eew_emul;
      if constexpr (Kind == MemKind::Indexed) {
        data_emul = t.lmul_log2;
        data_bytes = t.sew_bytes();
        if (!vgroup_ok(f.vs2, eew_emul)) return vector_illegal(hart, f.word);
      }
      field_regs = vgroup_regs(data_emul);
      if (nf * field_regs > 8 || f.vd + nf * field_regs > 32 || !vgroup_ok(f.vd, data_emul)) {
        return vector_illegal(hart, f.word);
      }
      // A masked load may not overwrite its mask (section 5.3).
      if (!Store && masked && f.vd == 0) return vector_illegal(hart, f.word);
      if constexpr (Kind == MemKind::Indexed) {
        if (!Store) {
          const unsigned idx_regs = vgroup_regs(eew_emul);
          const bool ok = nf == 1 ? (data_bytes == Eew / 8 ||
                                     vdest_may_overlap(f.vd, data_emul, f.vs2, eew_emul))
                                  : !voverlap(f.vd, nf * field_regs, f.vs2, idx_regs);
          if (!ok) return vector_illegal(hart, f.word);
        }
      }
    }
  }

  // Element i, or false when it trapped (or, fault-only-first, trimmed vl): the helper
  // then returns with vstart (or vl) saying where it stopped.
  const auto element = [&](uint64_t i) -> bool {
    if (masked && !vmask_bit(s, 0, i)) return true;
    for (unsigned field = 0; field < nf && Kind != MemKind::Whole; ++field) {
      uint64_t addr = 0;
      switch (Kind) {
        case MemKind::Unit:
        case MemKind::FaultFirst:
          addr = base + (i * nf + field) * data_bytes;
          break;
        case MemKind::Strided:
          addr = base + i * stride + field * data_bytes;
          break;
        case MemKind::Indexed:
          addr = base + vget(s, f.vs2, i, Eew / 8) + field * data_bytes;
          break;
        case MemKind::Whole:
        case MemKind::Mask:
          addr = base + i * data_bytes;
          break;
      }
      const unsigned reg = f.vd + field * field_regs;
      if constexpr (Store) {
        if (!hart.store(addr, data_bytes, vget(s, reg, i, data_bytes))) {
          s.vstart = i;
          return false;
        }
      } else {
        uint64_t value = 0;
        if (!hart.load(addr, data_bytes, value)) {
          if (Kind == MemKind::FaultFirst && i > 0) {
            // Fault-only-first: a fault past element 0 trims vl instead (section 7.7).
            s.trap_pending = false;
            s.vl = i;
            vector_end(s);
            return false;
          }
          s.vstart = i;
          set_vs_dirty(s);
          return false;
        }
        vset(s, reg, i, data_bytes, value);
      }
    }
    if constexpr (Kind == MemKind::Whole) {
      // Whole registers: the group is one run of bytes.
      const uint64_t addr = base + i * data_bytes;
      if constexpr (Store) {
        if (!hart.store(addr, data_bytes, vget(s, f.vd, i, data_bytes))) {
          s.vstart = i;
          return false;
        }
      } else {
        uint64_t value = 0;
        if (!hart.load(addr, data_bytes, value)) {
          s.vstart = i;
          set_vs_dirty(s);
          return false;
        }
        vset(s, f.vd, i, data_bytes, value);
      }
    }
    return true;
  };

  uint64_t i = s.vstart;
  // Contiguous accesses (one field: element i at base + i * EEW/8 in memory and at that
  // offset from vd in the register group) move a page's worth of elements at a time when
  // the L1 soft TLB maps the page; the element path above fills the TLB (or traps) for
  // the element where that fails, and the next run goes on from there.
  constexpr bool kContiguous = Kind == MemKind::Unit || Kind == MemKind::FaultFirst ||
                               Kind == MemKind::Whole || Kind == MemKind::Mask;
  if (kContiguous && (nf == 1 || Kind == MemKind::Whole)) {
    uint8_t* const regs = vreg_bytes(s, f.vd);
    while (i < evl) {
      const uint64_t addr = base + i * data_bytes;
      const uint64_t n = std::min(evl - i, (kPageSize - (addr & kPageMask)) / data_bytes);
      uint8_t* host =
          n == 0 ? nullptr
                 : host_range(hart, addr, n * data_bytes, Store ? Access::Write : Access::Read);
      if (host == nullptr) {
        if (!element(i)) return 0;
        ++i;
        continue;
      }
      uint8_t* reg = regs + i * data_bytes;
      if (!masked) {
        if constexpr (Store) {
          copy_group_bytes(host, reg, n * data_bytes);
        } else {
          copy_group_bytes(reg, host, n * data_bytes);
        }
      } else {
        for (uint64_t k = 0; k < n; ++k, host += data_bytes, reg += data_bytes) {
          if (!vmask_bit(s, 0, i + k)) continue;
          if constexpr (Store) {
            std::memcpy(host, reg, data_bytes);
          } else {
            std::memcpy(reg, host, data_bytes);
          }
        }
      }
      i += n;
    }
  }
  for (; i < evl; ++i) {
    if (!element(i)) return 0;
  }
  vector_end(s);
  return 0;
}

template <MemKind Kind, bool Store>
IrEmitter emitter_for(unsigned eew) {
  switch (eew) {
    case 8:
      return emit::vector_call<vmem_helper<Kind, 8, Store>>;
    case 16:
      return emit::vector_call<vmem_helper<Kind, 16, Store>>;
    case 32:
      return emit::vector_call<vmem_helper<Kind, 32, Store>>;
    default:
      return emit::vector_call<vmem_helper<Kind, 64, Store>>;
  }
}

// The width field of a vector load/store (section 7.3): 000 8, 101 16, 110 32, 111 64 bits.
const char* width_bits(unsigned eew) {
  switch (eew) {
    case 8:
      return "000";
    case 16:
      return "101";
    case 32:
      return "110";
    default:
      return "111";
  }
}

// The parts, one after the other.
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  ((out += parts), ...);
  return out;
}

std::string nf_bits(unsigned nf) {
  std::string out;
  for (int b = 2; b >= 0; --b) out += (((nf - 1) >> b) & 1) ? '1' : '0';
  return out;
}

struct Rows {
  std::deque<std::string> text;  // patterns and names the rows point into
  std::vector<InsnDef> rows;

  const char* keep(std::string s) { return text.emplace_back(std::move(s)).c_str(); }
  void add(std::string pattern, std::string name, const char* operands, IrEmitter emit) {
    rows.push_back(
        InsnDef{Ext::V, keep(std::move(pattern)), keep(std::move(name)), operands, emit});
  }
};

// Layout: nf | mew (0) | mop | vm | lumop/sumop/rs2/vs2 | rs1 | width | vd/vs3 | opcode.
const Rows& rows() {
  static const Rows r = [] {
    Rows r;
    for (unsigned eew : {8u, 16u, 32u, 64u}) {
      const std::string w = width_bits(eew), e = std::to_string(eew);
      for (unsigned nf = 1; nf <= 8; ++nf) {
        const std::string n = nf_bits(nf);
        const std::string seg = nf == 1 ? "" : "seg" + std::to_string(nf);
        for (bool store : {false, true}) {
          const std::string op = store ? "0100111" : "0000111";
          const std::string l = store ? "vs" : "vl";
          const char* data = store ? "vs3" : "vd";
          auto ops = [&](const char* tail) {
            static std::deque<std::string> keep_ops;
            return keep_ops.emplace_back(cat(data, tail)).c_str();
          };
          r.add(cat(n, "000-00000-----", w, "-----", op), cat(l, seg, "e", e, ".v"),
                ops(",(rs1),vm"),
                store ? emitter_for<MemKind::Unit, true>(eew)
                      : emitter_for<MemKind::Unit, false>(eew));
          if (!store) {
            r.add(cat(n, "000-10000-----", w, "-----", op), cat(l, seg, "e", e, "ff.v"),
                  ops(",(rs1),vm"), emitter_for<MemKind::FaultFirst, false>(eew));
          }
          r.add(cat(n, "010-----------", w, "-----", op), cat(l, "s", seg, "e", e, ".v"),
                ops(",(rs1),rs2,vm"),
                store ? emitter_for<MemKind::Strided, true>(eew)
                      : emitter_for<MemKind::Strided, false>(eew));
          for (const char* order : {"01", "11"}) {
            const char* o = order[0] == '0' ? "u" : "o";
            r.add(cat(n, "0", order, "-----------", w, "-----", op),
                  cat(l, o, "x", seg, "ei", e, ".v"), ops(",(rs1),vs2,vm"),
                  store ? emitter_for<MemKind::Indexed, true>(eew)
                        : emitter_for<MemKind::Indexed, false>(eew));
          }
          // Whole registers: nf = 1, 2, 4, 8; stores only with EEW 8 (section 7.9).
          if ((nf & (nf - 1)) == 0 && (!store || eew == 8)) {
            const std::string count = std::to_string(nf);
            const std::string name =
                store ? cat("vs", count, "r.v") : cat("vl", count, "re", e, ".v");
            r.add(cat(n, "000101000-----", w, "-----", op), name, ops(",(rs1)"),
                  store ? emitter_for<MemKind::Whole, true>(eew)
                        : emitter_for<MemKind::Whole, false>(eew));
          }
          if (nf == 1 && eew == 8) {
            r.add(
                cat("000000101011-----000-----", op), store ? "vsm.v" : "vlm.v", ops(",(rs1)"),
                store ? emitter_for<MemKind::Mask, true>(8) : emitter_for<MemKind::Mask, false>(8));
          }
        }
      }
    }
    return r;
  }();
  return r;
}

// Unit-stride and whole-register accesses, which the LLVM tiers may do in line (the other
// memory helpers are listed as keeping vtype by vector_inline.cpp).
template <MemKind Kind, unsigned Eew, bool Store>
VInlineEntry mem_entry() {
  VInlineKind kind = VInlineKind::Keep;
  if (Kind == MemKind::Unit) kind = Store ? VInlineKind::UnitStore : VInlineKind::UnitLoad;
  if (Kind == MemKind::Whole) kind = Store ? VInlineKind::WholeStore : VInlineKind::WholeLoad;
  VInline v;
  v.kind = kind;
  v.eew = static_cast<uint8_t>(Eew);
  return {&vmem_helper<Kind, Eew, Store>, v};
}

template <MemKind Kind>
void add_mem_entries(std::vector<VInlineEntry>& out) {
  out.push_back(mem_entry<Kind, 8, false>());
  out.push_back(mem_entry<Kind, 16, false>());
  out.push_back(mem_entry<Kind, 32, false>());
  out.push_back(mem_entry<Kind, 64, false>());
  out.push_back(mem_entry<Kind, 8, true>());
  if (Kind == MemKind::Whole) return;  // whole-register stores are EEW 8 only
  out.push_back(mem_entry<Kind, 16, true>());
  out.push_back(mem_entry<Kind, 32, true>());
  out.push_back(mem_entry<Kind, 64, true>());
}

}  // namespace

std::span<const InsnDef> vector_mem_insns() {
  return rows().rows;
}

std::span<const VInlineEntry> vector_mem_inline() {
  static const std::vector<VInlineEntry> entries = [] {
    std::vector<VInlineEntry> out;
    add_mem_entries<MemKind::Unit>(out);
    add_mem_entries<MemKind::Whole>(out);
    return out;
  }();
  return entries;
}

}  // namespace tiervm
