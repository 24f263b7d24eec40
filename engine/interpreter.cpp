#include "engine/interpreter.h"

#include <bit>
#include <cstring>

#include "engine/hart.h"

namespace tiervm {

namespace {

inline uint64_t sx32(uint64_t v) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
}
inline int64_t s64(uint64_t v) {
  return static_cast<int64_t>(v);
}

uint64_t orc_b(uint64_t v) {
  uint64_t r = 0;
  for (unsigned i = 0; i < 8; ++i) {
    if ((v >> (i * 8)) & 0xff) r |= uint64_t{0xff} << (i * 8);
  }
  return r;
}

// Loads go through the inline L1 probe first: a hit reads host RAM directly.
template <typename T>
inline bool load_mem(Hart& h, const TlbEntry* l1, uint64_t va, uint64_t& out) {
  const TlbEntry& e = l1[SoftTlb::l1_index(va)];
  if (e.tag_read == (va & ~kPageMask) && (va & kPageMask) <= kPageSize - sizeof(T)) {
    T v;
    std::memcpy(&v, reinterpret_cast<const void*>(va + e.host_addend), sizeof(T));
    if constexpr (std::is_signed_v<T>) {
      out = static_cast<uint64_t>(static_cast<int64_t>(v));
    } else {
      out = v;
    }
    return true;
  }
  uint64_t v = 0;
  if (!h.load(va, sizeof(T), v)) return false;
  if constexpr (std::is_signed_v<T>) {
    out = static_cast<uint64_t>(static_cast<int64_t>(static_cast<T>(v)));
  } else {
    out = v;
  }
  return true;
}

template <typename T>
inline bool store_mem(Hart& h, const TlbEntry* l1, uint64_t va, uint64_t value) {
  const TlbEntry& e = l1[SoftTlb::l1_index(va)];
  if (e.tag_write == (va & ~kPageMask) && (va & kPageMask) <= kPageSize - sizeof(T)) {
    const T v = static_cast<T>(value);
    std::memcpy(reinterpret_cast<void*>(va + e.host_addend), &v, sizeof(T));
    return true;
  }
  return h.store(va, sizeof(T), value);
}

}  // namespace

uint64_t eval_alu(IrOp op, uint64_t a, uint64_t b, uint64_t c, int64_t imm) {
  const uint64_t ui = static_cast<uint64_t>(imm);
  switch (op) {
    case IrOp::MovImm:
      return ui;
    case IrOp::Mov:
      return a;
    case IrOp::Add:
      return a + b;
    case IrOp::AddImm:
      return a + ui;
    case IrOp::Sub:
      return a - b;
    case IrOp::And:
      return a & b;
    case IrOp::AndImm:
      return a & ui;
    case IrOp::Or:
      return a | b;
    case IrOp::OrImm:
      return a | ui;
    case IrOp::Xor:
      return a ^ b;
    case IrOp::XorImm:
      return a ^ ui;
    case IrOp::Shl:
      return a << (b & 63);
    case IrOp::ShlImm:
      return a << (ui & 63);
    case IrOp::Shr:
      return a >> (b & 63);
    case IrOp::ShrImm:
      return a >> (ui & 63);
    case IrOp::Sar:
      return static_cast<uint64_t>(s64(a) >> (b & 63));
    case IrOp::SarImm:
      return static_cast<uint64_t>(s64(a) >> (ui & 63));
    case IrOp::AddW:
      return sx32(a + b);
    case IrOp::AddWImm:
      return sx32(a + ui);
    case IrOp::SubW:
      return sx32(a - b);
    case IrOp::ShlW:
      return sx32(static_cast<uint32_t>(a) << (b & 31));
    case IrOp::ShlWImm:
      return sx32(static_cast<uint32_t>(a) << (ui & 31));
    case IrOp::ShrW:
      return sx32(static_cast<uint32_t>(a) >> (b & 31));
    case IrOp::ShrWImm:
      return sx32(static_cast<uint32_t>(a) >> (ui & 31));
    case IrOp::SarW:
      return sx32(static_cast<uint32_t>(static_cast<int32_t>(a) >> (b & 31)));
    case IrOp::SarWImm:
      return sx32(static_cast<uint32_t>(static_cast<int32_t>(a) >> (ui & 31)));
    case IrOp::Eq:
      return a == b;
    case IrOp::Ne:
      return a != b;
    case IrOp::Lt:
      return s64(a) < s64(b);
    case IrOp::Ge:
      return s64(a) >= s64(b);
    case IrOp::Ltu:
      return a < b;
    case IrOp::Geu:
      return a >= b;
    case IrOp::LtImm:
      return s64(a) < imm;
    case IrOp::LtuImm:
      return a < ui;
    case IrOp::Select:
      return a ? b : c;
    case IrOp::Mul:
      return a * b;
    case IrOp::MulH:
      return static_cast<uint64_t>((static_cast<__int128>(s64(a)) * s64(b)) >> 64);
    case IrOp::MulHSU:
      return static_cast<uint64_t>((static_cast<__int128>(s64(a)) *
                                    static_cast<__int128>(static_cast<unsigned __int128>(b))) >>
                                   64);
    case IrOp::MulHU:
      return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
    case IrOp::MulW:
      return sx32(a * b);
    case IrOp::Div:
      if (b == 0) return ~uint64_t{0};
      if (s64(a) == INT64_MIN && s64(b) == -1) return a;
      return static_cast<uint64_t>(s64(a) / s64(b));
    case IrOp::DivU:
      return b == 0 ? ~uint64_t{0} : a / b;
    case IrOp::Rem:
      if (b == 0) return a;
      if (s64(a) == INT64_MIN && s64(b) == -1) return 0;
      return static_cast<uint64_t>(s64(a) % s64(b));
    case IrOp::RemU:
      return b == 0 ? a : a % b;
    case IrOp::DivW: {
      const int32_t x = static_cast<int32_t>(a), y = static_cast<int32_t>(b);
      if (y == 0) return ~uint64_t{0};
      if (x == INT32_MIN && y == -1) return sx32(static_cast<uint32_t>(x));
      return sx32(static_cast<uint32_t>(x / y));
    }
    case IrOp::DivUW: {
      const uint32_t x = static_cast<uint32_t>(a), y = static_cast<uint32_t>(b);
      return y == 0 ? ~uint64_t{0} : sx32(x / y);
    }
    case IrOp::RemW: {
      const int32_t x = static_cast<int32_t>(a), y = static_cast<int32_t>(b);
      if (y == 0) return sx32(static_cast<uint32_t>(x));
      if (x == INT32_MIN && y == -1) return 0;
      return sx32(static_cast<uint32_t>(x % y));
    }
    case IrOp::RemUW: {
      const uint32_t x = static_cast<uint32_t>(a), y = static_cast<uint32_t>(b);
      return y == 0 ? sx32(x) : sx32(x % y);
    }
    case IrOp::SextB:
      return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(a)));
    case IrOp::SextH:
      return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(a)));
    case IrOp::SextW:
      return sx32(a);
    case IrOp::ZextB:
      return a & 0xff;
    case IrOp::ZextH:
      return a & 0xffff;
    case IrOp::ZextW:
      return a & 0xffffffffu;
    case IrOp::Clz:
      return static_cast<uint64_t>(std::countl_zero(a));
    case IrOp::Ctz:
      return static_cast<uint64_t>(std::countr_zero(a));
    case IrOp::Cpop:
      return static_cast<uint64_t>(std::popcount(a));
    case IrOp::ClzW:
      return static_cast<uint64_t>(std::countl_zero(static_cast<uint32_t>(a)));
    case IrOp::CtzW:
      return static_cast<uint64_t>(std::countr_zero(static_cast<uint32_t>(a)));
    case IrOp::CpopW:
      return static_cast<uint64_t>(std::popcount(static_cast<uint32_t>(a)));
    case IrOp::Rol:
      return std::rotl(a, static_cast<int>(b & 63));
    case IrOp::Ror:
      return std::rotr(a, static_cast<int>(b & 63));
    case IrOp::RorImm:
      return std::rotr(a, static_cast<int>(ui & 63));
    case IrOp::RolW:
      return sx32(std::rotl(static_cast<uint32_t>(a), static_cast<int>(b & 31)));
    case IrOp::RorW:
      return sx32(std::rotr(static_cast<uint32_t>(a), static_cast<int>(b & 31)));
    case IrOp::RorWImm:
      return sx32(std::rotr(static_cast<uint32_t>(a), static_cast<int>(ui & 31)));
    case IrOp::Min:
      return s64(a) < s64(b) ? a : b;
    case IrOp::Max:
      return s64(a) > s64(b) ? a : b;
    case IrOp::MinU:
      return a < b ? a : b;
    case IrOp::MaxU:
      return a > b ? a : b;
    case IrOp::OrcB:
      return orc_b(a);
    case IrOp::Rev8:
      return __builtin_bswap64(a);
    default:
      return 0;
  }
}

bool interpret_block(Hart& hart, const IrBlock& block) {
  HartState& s = hart.s;
  uint64_t* r = s.slot.data();
  const uint64_t block_pc = s.pc;
  const TlbEntry* l1 = hart.tlb.l1_array(hart.data_mode());

  auto fault = [&](uint16_t index) {
    s.pc = block_pc + block.guest_offsets[index];
    s.instret += index;
    r[kSlotX0] = 0;
    return false;
  };

  for (const IrInsn& i : block.insns) {
    const uint64_t a = r[i.a];
    const uint64_t b = r[i.b];
    switch (i.op) {
      case IrOp::PcRel:
        r[i.dst] = block_pc + static_cast<uint64_t>(i.imm);
        break;
      case IrOp::Load8S:
        if (!load_mem<int8_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load8U:
        if (!load_mem<uint8_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load16S:
        if (!load_mem<int16_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load16U:
        if (!load_mem<uint16_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load32S:
        if (!load_mem<int32_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load32U:
        if (!load_mem<uint32_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load64:
        if (!load_mem<uint64_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Store8:
        if (!store_mem<uint8_t>(hart, l1, a + static_cast<uint64_t>(i.imm), b))
          return fault(i.guest_index);
        break;
      case IrOp::Store16:
        if (!store_mem<uint16_t>(hart, l1, a + static_cast<uint64_t>(i.imm), b))
          return fault(i.guest_index);
        break;
      case IrOp::Store32:
        if (!store_mem<uint32_t>(hart, l1, a + static_cast<uint64_t>(i.imm), b))
          return fault(i.guest_index);
        break;
      case IrOp::Store64:
        if (!store_mem<uint64_t>(hart, l1, a + static_cast<uint64_t>(i.imm), b))
          return fault(i.guest_index);
        break;
      case IrOp::Call: {
        const uint64_t v = i.helper(hart, a, b, r[i.c], i.imm);
        if (s.trap_pending) return fault(i.guest_index);
        r[i.dst] = v;
        break;
      }
      default:
        r[i.dst] = eval_alu(i.op, a, b, r[i.c], i.imm);
        break;
    }
  }
  r[kSlotX0] = 0;

  const IrTerminator& e = block.exit;
  switch (e.kind) {
    case IrExit::Jump:
      s.pc = block_pc + static_cast<uint64_t>(e.taken_offset);
      break;
    case IrExit::Branch:
      s.pc = block_pc + static_cast<uint64_t>(r[e.cond] ? e.taken_offset : e.fallthrough_offset);
      break;
    case IrExit::Indirect:
      s.pc = r[e.target];
      break;
    case IrExit::Return:
      s.pc = block_pc + static_cast<uint64_t>(e.fallthrough_offset);
      break;
    case IrExit::Trap:
      s.raise(e.trap);
      return fault(e.trap_index);
  }
  s.instret += block.guest_count();
  return true;
}

}  // namespace tiervm
