// Differential test: random but valid RV64 programs run on tier 0 (the IR interpreter)
// and on tier 1 (LLVM fast, every block compiled before its first run), tier 2 (every block
// also recompiled at once as an O2 region) or tier 3 (the baseline tier) in lockstep; registers,
// pc, instret, CSRs, trap state and all of RAM must agree at every stop. The programs mix
// integer ALU, M, loads and stores (aligned and not), AMOs, forward branches and jumps,
// counted loops, compressed instructions, CSR accesses, Zba/Zbb and trapping instructions
// (caught by a handler that records mcause/mepc/mtval and resumes after the instruction).
// A failure prints the seed, the program's disassembly and every differing value; set
// TIERVM_DIFF_SEED=N to run that one seed alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "engine/decoder.h"
#include "tests/engine/asm_util.h"
#include "tests/fuzz/lockstep.h"
#include "tests/fuzz/rv_encode.h"

namespace tiervm::test {
namespace {

using namespace tiervm::rv;

// Memory layout (64 KiB of RAM).
constexpr uint64_t kRam = 0x8000'0000;
constexpr uint64_t kRamSize = 64 * 1024;
constexpr uint64_t kHandler = kRam + 0x6000;  // trap handler, its own page
constexpr uint64_t kRecord = kRam + 0x7000;   // mcause, mepc, mtval, trap count
constexpr uint64_t kWindow = kRam + 0x8000;   // data: kWindow .. kWindow + 8 KiB
constexpr uint64_t kMaxProgramBytes = 0x6000;

// Reserved registers: x2 (sp) and x8 (s0) point into the data window for the compressed
// loads and stores, x27 into its middle for 12-bit offsets, x26 counts loop iterations,
// x28..x30 belong to the trap handler and x31 points at the trap record.
constexpr uint32_t kSp = 2, kS0 = 8, kLoopReg = 26, kWinReg = 27, kRecReg = 31;
constexpr uint32_t kH0 = 28, kH1 = 29, kH2 = 30;
constexpr uint64_t kSpValue = kWindow, kS0Value = kWindow + 0x200, kWinValue = kWindow + 0x800;

const uint32_t kDest[] = {1,  3,  4,  5,  6,  7,  9,  10, 11, 12, 13, 14,
                          15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25};
const uint32_t kDestC[] = {9, 10, 11, 12, 13, 14, 15};  // x8..x15 without s0

// CSRs a program reads (priv spec 2.2): scratch, ids, status, trap CSRs and counters.
const uint32_t kReadCsrs[] = {0x340, 0xf14, 0x301, 0x300, 0x305, 0x341, 0x342, 0x343,
                              0x304, 0x344, 0xc00, 0xc01, 0xc02, 0xb00, 0xb02};

// One instruction of a program; branches and jumps get their offsets once the layout is
// known.
struct Item {
  enum class Fix : uint8_t { None, Branch, Jal, CBz, CJ, Jalr };
  uint32_t word = 0;
  bool compressed = false;
  Fix fix = Fix::None;
  int target = -1;  // item index of the branch target
  int base = -1;    // Jalr: index of its auipc
  int loop = 0;     // loop id (0 outside loops): no jump enters a loop from outside
  uint64_t offset = 0;
};

class Generator {
 public:
  // With `vector`, one straight-line instruction in three is a vector instruction
  // (vector()); without, the programs are what they were before vectors came in.
  explicit Generator(uint64_t seed, bool vector = false) : rng_(seed), vector_(vector) {}

  std::vector<Item> program(unsigned length) {
    items_.clear();
    while (items_.size() < length) {
      if (pick(12) == 0) {
        loop();
      } else {
        any();
      }
    }
    emit({kJumpSelf});
    resolve_targets();
    return items_;
  }

  uint64_t value() {
    // Corner values hit the M extension's special cases (table 7.1) and sign edges.
    static const uint64_t kSpecial[] = {0,
                                        1,
                                        ~uint64_t{0},
                                        uint64_t{1} << 63,
                                        (uint64_t{1} << 63) - 1,
                                        0xffffffff80000000ull,
                                        0x7fffffff,
                                        0x80000000,
                                        0xffffffff,
                                        2};
    return pick(3) == 0 ? kSpecial[pick(std::size(kSpecial))] : rng_();
  }
  uint64_t f_value() { return fvalue(); }

 private:
  uint32_t pick(uint64_t n) { return static_cast<uint32_t>(rng_() % n); }
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
  }
  uint32_t dst() { return kDest[pick(std::size(kDest))]; }
  uint32_t src() { return pick(32); }
  uint32_t dst_c() { return kDestC[pick(std::size(kDestC))]; }
  uint32_t src_c() { return 8 + pick(8); }

  void emit(Item it) {
    it.loop = loop_;
    items_.push_back(it);
  }
  void w(uint32_t word) { emit({word}); }
  void h(uint16_t half) { emit({half, true}); }
  void forward(Item it) {
    it.target = static_cast<int>(items_.size()) + 1 + static_cast<int>(pick(8));
    emit(it);
  }

  void loop() {
    const int saved = loop_;
    w(addi(kLoopReg, 0, range(1, 6)));
    loop_ = ++loops_;
    const int start = static_cast<int>(items_.size());
    const unsigned body = 2 + pick(8);
    for (unsigned i = 0; i < body; ++i) straight();
    w(addi(kLoopReg, kLoopReg, -1));
    Item back{branch(1, kLoopReg, 0, 0)};
    back.fix = Item::Fix::Branch;
    back.target = start;
    emit(back);
    loop_ = saved;
  }

  void any() {
    switch (pick(10)) {
      case 0:
        control();
        break;
      default:
        straight();
        break;
    }
  }

  // Instructions that fall through (or trap and resume at the next one).
  void straight() {
    if (vector_ && pick(3) == 0) return vector();
    switch (pick(21)) {
      case 0:
      case 1:
      case 2:
        return alu_reg();
      case 3:
      case 4:
        return alu_imm();
      case 5:
      case 6:
        return muldiv();
      case 7:
      case 8:
      case 9:
        return memory();
      case 10:
        return atomic();
      case 11:
      case 12:
      case 13:
        return compressed();
      case 14:
        return csr_access();
      case 15:
      case 16:
        return bitmanip();
      case 17:
        return trapping();
      case 18:
        return upper();
      case 19:
        return fp();
      default:
        return w(pick(4) == 0 ? kFenceI : 0x0ff0000f);  // fence.i, fence
    }
  }

  void alu_reg() {
    static const uint32_t kOps[][2] = {{0x00, 0}, {0x20, 0}, {0x00, 1}, {0x00, 2}, {0x00, 3},
                                       {0x00, 4}, {0x00, 5}, {0x20, 5}, {0x00, 6}, {0x00, 7}};
    static const uint32_t kOpsW[][2] = {{0x00, 0}, {0x20, 0}, {0x00, 1}, {0x00, 5}, {0x20, 5}};
    if (pick(3) == 0) {
      const auto& op = kOpsW[pick(std::size(kOpsW))];
      w(r_type(op[0], src(), src(), op[1], dst(), kOpReg32));
    } else {
      const auto& op = kOps[pick(std::size(kOps))];
      w(r_type(op[0], src(), src(), op[1], dst(), kOpReg));
    }
  }

  void alu_imm() {
    const uint32_t f3 = pick(8);
    if (f3 == 1) return w(i_type(pick(64), src(), 1, dst(), kOpImm));                    // slli
    if (f3 == 5) return w(i_type((pick(2) << 10) | pick(64), src(), 5, dst(), kOpImm));  // sr[la]i
    if (pick(4) == 0) {  // addiw, slliw, srliw, sraiw
      switch (pick(3)) {
        case 0:
          return w(i_type(range(-2048, 2047), src(), 0, dst(), kOpImm32));
        case 1:
          return w(i_type(pick(32), src(), 1, dst(), kOpImm32));
        default:
          return w(i_type((pick(2) << 10) | pick(32), src(), 5, dst(), kOpImm32));
      }
    }
    w(i_type(range(-2048, 2047), src(), f3, dst(), kOpImm));
  }

  void upper() {
    w(pick(2) ? lui(dst(), static_cast<int64_t>(rng_())) : auipc(dst(), pick(1 << 20) << 12));
  }

  void muldiv() {
    if (pick(3) == 0) {
      static const uint32_t kW[] = {0, 4, 5, 6, 7};  // mulw divw divuw remw remuw
      return w(r_type(0x01, src(), src(), kW[pick(5)], dst(), kOpReg32));
    }
    w(r_type(0x01, src(), src(), pick(8), dst(), kOpReg));
  }

  void memory() {
    const bool is_store = pick(2) == 0;
    const int64_t off = range(-2048, 2040);  // any alignment: misaligned accesses are legal
    if (is_store) return w(store(pick(4), src(), kWinReg, off));
    static const uint32_t kLoads[] = {0, 1, 2, 3, 4, 5, 6};
    w(load(kLoads[pick(7)], dst(), kWinReg, off));
  }

  void atomic() {
    // An aligned address in the window (sometimes misaligned: a misaligned AMO traps).
    const uint32_t t = dst();
    const bool dword = pick(2) == 0;
    int64_t off = range(-256, 256) * 8;
    if (pick(8) == 0) off += 2;
    w(addi(t, kWinReg, off));
    static const uint32_t kAmo[] = {0x00, 0x01, 0x04, 0x0c, 0x08, 0x10,
                                    0x14, 0x18, 0x1c, 0x02, 0x03};
    const uint32_t f5 = kAmo[pick(std::size(kAmo))];
    const uint32_t rs2 = f5 == 0x02 ? 0 : src();  // lr has rs2 = 0
    const uint32_t aqrl = pick(4);
    w(r_type(f5 << 2 | aqrl, rs2, t, dword ? 3 : 2, dst(), kOpAmo));
  }

  void compressed() {
    switch (pick(14)) {
      case 0:
        return h(c_addi(dst(), nonzero6()));
      case 1:
        return h(c_addiw(dst(), range(-32, 31)));
      case 2:
        return h(c_li(dst(), range(-32, 31)));
      case 3: {
        uint32_t rd = dst();
        return h(c_lui(rd, nonzero6()));
      }
      case 4:
        return h(c_slli(dst(), 1 + pick(63)));
      case 5: {
        const uint32_t f2 = pick(3);
        return h(c_shift_andi(f2, dst_c(), f2 == 2 ? range(-32, 31) : 1 + pick(63)));
      }
      case 6:
        return h(c_alu(pick(6), dst_c(), src_c()));
      case 7:
        return h(c_mv(dst(), 1 + pick(31)));
      case 8:
        return h(c_add(dst(), 1 + pick(31)));
      case 9:
        return h(pick(2) ? c_lw(dst_c(), kS0, pick(32) * 4) : c_ld(dst_c(), kS0, pick(32) * 8));
      case 10:
        return h(pick(2) ? c_sw(src_c(), kS0, pick(32) * 4) : c_sd(src_c(), kS0, pick(32) * 8));
      case 11:
        return h(pick(2) ? c_lwsp(dst(), pick(64) * 4) : c_ldsp(dst(), pick(64) * 8));
      case 12:
        return h(pick(2) ? c_swsp(src(), pick(64) * 4) : c_sdsp(src(), pick(64) * 8));
      default:
        return h(kCNop);
    }
  }
  int64_t nonzero6() {
    int64_t v = 0;
    while (v == 0) v = range(-32, 31);
    return v;
  }

  void csr_access() {
    switch (pick(4)) {
      case 0:  // csrw / csrs / csrc mscratch
        return w(csr(1 + pick(3), dst(), 0x340, src()));
      case 1:  // immediate forms on mscratch
        return w(csr(5 + pick(3), dst(), 0x340, pick(32)));
      default:  // reads (csrrs rd, csr, x0)
        return w(csr(2, dst(), kReadCsrs[pick(std::size(kReadCsrs))], 0));
    }
  }

  void bitmanip() {
    const uint32_t rd = dst(), a = src(), b = src();
    switch (pick(16)) {
      case 0:  // sh1add, sh2add, sh3add
        return w(r_type(0x10, b, a, 2 + 2 * pick(3), rd, kOpReg));
      case 1:  // add.uw, sh[123]add.uw
        return w(pick(4) == 0 ? r_type(0x04, b, a, 0, rd, kOpReg32)
                              : r_type(0x10, b, a, 2 + 2 * pick(3), rd, kOpReg32));
      case 2:  // slli.uw
        return w(i_type((0x02 << 6) | pick(64), a, 1, rd, kOpImm32));
      case 3: {  // xnor, orn, andn
        static const uint32_t kF3[] = {4, 6, 7};
        return w(r_type(0x20, b, a, kF3[pick(3)], rd, kOpReg));
      }
      case 4:  // clz, ctz, cpop
        return w(i_type(0x600 | pick(3), a, 1, rd, kOpImm));
      case 5:  // clzw, ctzw, cpopw
        return w(i_type(0x600 | pick(3), a, 1, rd, kOpImm32));
      case 6:  // min, minu, max, maxu
        return w(r_type(0x05, b, a, 4 + pick(4), rd, kOpReg));
      case 7:  // sext.b, sext.h
        return w(i_type(0x604 | pick(2), a, 1, rd, kOpImm));
      case 8:  // zext.h
        return w(r_type(0x04, 0, a, 4, rd, kOpReg32));
      case 9:  // rol, ror
        return w(r_type(0x30, b, a, pick(2) ? 1 : 5, rd, kOpReg));
      case 10:  // rori
        return w(i_type((0x18 << 6) | pick(64), a, 5, rd, kOpImm));
      case 11:  // rolw, rorw
        return w(r_type(0x30, b, a, pick(2) ? 1 : 5, rd, kOpReg32));
      case 12:  // roriw
        return w(i_type((0x30 << 5) | pick(32), a, 5, rd, kOpImm32));
      case 13:  // orc.b
        return w(i_type(0x287, a, 5, rd, kOpImm));
      case 14:  // rev8
        return w(i_type(0x6b8, a, 5, rd, kOpImm));
      default:
        return alu_reg();
    }
  }

  // F and D: arithmetic with every rounding-mode field (RNE, the others, dynamic, and the
  // reserved 5 and 6, which trap), square roots, compares, sign injection, moves, and
  // writes of fflags and frm, so the host-FPU fast path (NX set, frm RNE) and its refusals
  // (NaNs, infinities, subnormals, overflow, underflow, other modes, bad boxing) all run.
  void fp() {
    constexpr uint32_t kOpFp = 0x53;
    const uint32_t fmt = pick(3) == 0 ? 0 : 1;  // S or D
    const uint32_t fd = pick(32), fa = pick(32), fb = pick(32);
    static const uint32_t kRm[] = {0, 0, 7, 7, 7, 1, 2, 3, 4, 5};
    const uint32_t rm = kRm[pick(std::size(kRm))];
    switch (pick(10)) {
      case 0:
      case 1:
      case 2:  // fadd, fsub, fmul, fdiv
        return w(r_type(pick(4) << 2 | fmt, fb, fa, rm, fd, kOpFp));
      case 3:  // fsqrt
        return w(r_type(0x0b << 2 | fmt, 0, fa, rm, fd, kOpFp));
      case 4:  // fle, flt, feq
        return w(r_type(0x14 << 2 | fmt, fb, fa, pick(3), dst(), kOpFp));
      case 5:  // fsgnj, fsgnjn, fsgnjx (fmv, fneg, fabs when the sources are one register)
        return w(r_type(0x04 << 2 | fmt, pick(2) ? fb : fa, fa, pick(3), fd, kOpFp));
      case 6:  // fmv.x.d, fmv.d.x (fmv.x.w, fmv.w.x for S)
        return w(pick(2) ? r_type(0x1c << 2 | fmt, 0, fa, 0, dst(), kOpFp)
                         : r_type(0x1e << 2 | fmt, 0, src(), 0, fd, kOpFp));
      case 7:  // csrrwi fflags: mostly NX, sometimes clear, sometimes everything
        return w(csr(5, dst(), 0x001, pick(4) == 0 ? pick(32) : 1));
      case 8:  // csrrwi frm: mostly RNE, sometimes another mode or a reserved one
        return w(csr(5, dst(), 0x002, pick(3) == 0 ? pick(8) : 0));
      default:  // fld from the window (a fresh value)
        return w(i_type(range(-256, 255) * 8, kWinReg, 3, fd, 0x07));
    }
  }

  // f register values: normal doubles and singles (NaN-boxed), zeros, infinities, NaNs,
  // subnormals, huge and tiny values whose products overflow or underflow, bad boxes.
  uint64_t fvalue() {
    static const uint64_t kSpecial[] = {0,
                                        uint64_t{1} << 63,    // -0
                                        0x7ff0000000000000,   // inf
                                        0x7ff8000000000000,   // qNaN
                                        0x7ff0000000000001,   // sNaN
                                        0x0000000000000001,   // smallest subnormal
                                        0x0010000000000000,   // smallest normal
                                        0x7fefffffffffffff,   // largest
                                        0x1ff0000000000000,   // 2^-511
                                        0x5ff0000000000000,   // 2^512
                                        0xffffffff7f800000,   // boxed inf (S)
                                        0xffffffff00000001,   // boxed subnormal (S)
                                        0xffffffff7fc00000,   // boxed qNaN (S)
                                        0x000000003f800000};  // 1.0f, not boxed
    switch (pick(4)) {
      case 0:
        return kSpecial[pick(std::size(kSpecial))];
      case 1: {  // a single in [1/8, 8), boxed
        const float f = static_cast<float>(range(-8000, 8000)) / 1000.0f;
        return 0xffffffff00000000ull | std::bit_cast<uint32_t>(f);
      }
      default: {  // a double with a moderate exponent
        const double d = static_cast<double>(static_cast<int64_t>(rng_() % 2000001) - 1000000) /
                         static_cast<double>(1 + pick(1000));
        return std::bit_cast<uint64_t>(d);
      }
    }
  }

  void trapping() {
    switch (pick(8)) {
      case 0:
        return w(kEcall);
      case 1:
        return w(kEbreak);
      case 2:
        return h(kCEbreak);
      case 3:
        return w(0xffffffff);  // illegal
      case 4:
        return h(0x0000);  // c.illegal (defined illegal, spec 16.1)
      case 5:              // write to a read-only CSR (mhartid): illegal instruction
        return w(csr(1, 0, 0xf14, src()));
      case 6:  // a load from unmapped memory: access fault, mtval = the address
        return w(load(pick(7), dst(), 0, range(-2048, 2047)));
      default:
        return w(store(pick(4), src(), 0, range(-2048, 2047)));
    }
  }

  void control() {
    switch (pick(6)) {
      case 0:
      case 1: {
        static const uint32_t kF3[] = {0, 1, 4, 5, 6, 7};
        Item it{branch(kF3[pick(6)], src(), src(), 0)};
        it.fix = Item::Fix::Branch;
        return forward(it);
      }
      case 2: {
        Item it{jal(dst(), 0)};
        it.fix = Item::Fix::Jal;
        return forward(it);
      }
      case 3: {  // auipc t, 0; jalr rd, off(t)
        const uint32_t t = dst();
        const int base = static_cast<int>(items_.size());
        w(auipc(t, 0));
        Item it{jalr(pick(2) ? dst() : 0, t, 0)};
        it.fix = Item::Fix::Jalr;
        it.base = base;
        return forward(it);
      }
      case 4: {
        Item it{c_bz(pick(2), src_c(), 0), true};
        it.fix = Item::Fix::CBz;
        return forward(it);
      }
      default: {
        Item it{c_j(0), true};
        it.fix = Item::Fix::CJ;
        return forward(it);
      }
    }
  }

  // Forward targets past the end go to the final `j .`; a target inside another loop's
  // body moves on to the first instruction after that body.
  void resolve_targets() {
    const int last = static_cast<int>(items_.size()) - 1;
    for (Item& it : items_) {
      if (it.target < 0 || it.fix == Item::Fix::None) continue;
      if (it.target > last) it.target = last;
      while (items_[it.target].loop != 0 && items_[it.target].loop != it.loop) ++it.target;
    }
  }

  // A vector register: mostly even, so groups of LMUL 2 are aligned; sometimes any (a
  // misaligned group is an illegal instruction, which the handler resumes after).
  uint32_t vreg() { return pick(8) == 0 ? pick(32) : 2 * pick(16); }
  bool masked() { return pick(3) == 0; }

  // Vector instructions (RVV 1.0): vsetvli/vsetivli with a random vtype (SEW 8-64, LMUL
  // mf4-m2, either policy, now and then a reserved one: vill), integer arithmetic in the
  // three operand kinds, saturating ops (vxsat), compares into masks, multiplies and
  // divides, widening adds, reductions, slides, merges, moves to and from x registers, and
  // unit-stride and strided loads and stores in the data window, FP arithmetic; a third of
  // them masked.
  // Illegal combinations (a misaligned group, a forbidden overlap, vill, vd = v0 under a
  // mask) trap alike on every tier.
  void vector() {
    switch (pick(13)) {
      case 0:
      case 1: {
        static const uint32_t kLmul[] = {0, 0, 1, 7, 6};
        uint32_t vt = vtypei(kLmul[pick(std::size(kLmul))], pick(4), pick(2) != 0, pick(2) != 0);
        if (pick(16) == 0) vt |= 1u << (8 + pick(3));  // reserved vtype bits: vill
        const uint32_t rd = pick(2) ? dst() : 0;
        if (pick(2)) return w(vsetivli(rd, pick(32), vt));
        return w(vsetvli(rd, pick(4) == 0 ? 0 : src(), vt));
      }
      case 2:
      case 3:
      case 4: {  // vadd vsub vrsub vminu vmin vmaxu vmax vand vor vxor vsll vsrl vsra vsaddu
                 // vsadd vssubu vssub
        static const uint32_t kF6[] = {0x00, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09, 0x0a,
                                       0x0b, 0x25, 0x28, 0x29, 0x20, 0x21, 0x22, 0x23};
        static const uint32_t kF3[] = {kOpIvv, kOpIvx, kOpIvi};
        const uint32_t f3 = kF3[pick(3)];
        const uint32_t src1 = f3 == kOpIvx ? src() : f3 == kOpIvi ? pick(32) : vreg();
        return w(v_op(kF6[pick(std::size(kF6))], masked(), vreg(), src1, f3, vreg()));
      }
      case 5: {  // vmseq vmsne vmsltu vmslt vmsleu vmsle, into a mask register
        const uint32_t f3 = pick(2) ? kOpIvv : kOpIvx;
        return w(
            v_op(0x18 + pick(6), masked(), vreg(), f3 == kOpIvx ? src() : vreg(), f3, pick(32)));
      }
      case 6: {  // vdivu vdiv vremu vrem vmulhu vmul vmulh vmacc
        static const uint32_t kF6[] = {0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x27, 0x2d};
        const uint32_t f3 = pick(2) ? kOpMvv : kOpMvx;
        return w(v_op(kF6[pick(std::size(kF6))], masked(), vreg(), f3 == kOpMvx ? src() : vreg(),
                      f3, vreg()));
      }
      case 7:
        if (pick(2)) {  // vwaddu, vwadd (.vv, .vx)
          const uint32_t f3 = pick(2) ? kOpMvv : kOpMvx;
          return w(
              v_op(0x30 + pick(2), masked(), vreg(), f3 == kOpMvx ? src() : vreg(), f3, vreg()));
        }
        // vredsum, vredmaxu, vredmax .vs
        return w(v_op(std::array{0x00u, 0x06u, 0x07u}[pick(3)], masked(), vreg(), vreg(), kOpMvv,
                      vreg()));
      case 8:
        switch (pick(3)) {
          case 0:  // vslideup, vslidedown (.vx, .vi)
            return w(v_op(0x0e + pick(2), masked(), vreg(), pick(2) ? pick(8) : src(),
                          pick(2) ? kOpIvi : kOpIvx, vreg()));
          case 1:  // vmerge.vvm / .vxm / .vim (masked) or vmv.v.v / .v.x / .v.i (vs2 = 0)
            if (pick(2)) return w(v_op(0x17, true, vreg(), vreg(), kOpIvv, vreg()));
            return w(v_op(0x17, false, 0, pick(2) ? src() : pick(32), pick(2) ? kOpIvx : kOpIvi,
                          vreg()));
          default:  // vid.v
            return w(v_op(0x14, masked(), 0, 0x11, kOpMvv, vreg()));
        }
      case 12: {  // FP (SEW 32/64, else illegal): vfadd vfsub vfmin vfmax vfsgnj vfdiv
                  // vfmul and the eight multiply-adds (.vv, .vf), vfrdiv vfrsub (.vf), vfwadd.vv
        static const uint32_t kF6[] = {0x00, 0x02, 0x04, 0x06, 0x08, 0x20, 0x24, 0x28, 0x29,
                                       0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x21, 0x27, 0x30};
        const uint32_t f6 = kF6[pick(std::size(kF6))];
        const bool vf_only = f6 == 0x21 || f6 == 0x27;
        const bool vv_only = f6 == 0x30;
        const uint32_t f3 = vf_only ? kOpFvf : vv_only ? kOpFvv : (pick(2) ? kOpFvv : kOpFvf);
        return w(v_op(f6, masked(), vreg(), f3 == kOpFvf ? pick(32) : vreg(), f3, vreg()));
      }
      case 9:  // vmv.x.s rd, vs2 / vmv.s.x vd, rs1
        if (pick(2)) return w(v_op(0x10, false, vreg(), 0, kOpMvv, dst()));
        return w(v_op(0x10, false, 0, src(), kOpMvx, vreg()));
      default: {  // vle/vse/vlse/vsse of 8-64-bit elements around the window's middle,
                  // strided by 0 or the loop counter
        static const uint32_t kWidth[] = {0, 5, 6, 7};
        static const uint32_t kBase[] = {kWinReg, kSp, kS0};
        const uint32_t width = kWidth[pick(4)];
        const uint32_t mop = pick(3) == 0 ? 2 : 0;
        const uint32_t stride = mop == 2 ? (pick(2) ? kLoopReg : 0) : 0;
        const uint32_t base = kBase[pick(3)];
        if (pick(2)) return w(v_load(width, mop, masked(), stride, base, vreg()));
        return w(v_store(width, mop, masked(), stride, base, vreg()));
      }
    }
  }

  std::mt19937_64 rng_;
  bool vector_ = false;
  std::vector<Item> items_;
  int loop_ = 0;
  int loops_ = 0;
};

// Lays the program out from kRam and patches branch offsets.
std::vector<uint8_t> assemble_items(std::vector<Item>& items) {
  uint64_t at = 0;
  for (Item& it : items) {
    it.offset = at;
    at += it.compressed ? 2 : 4;
  }
  std::vector<uint8_t> bytes;
  for (Item& it : items) {
    const int64_t off = it.target >= 0 ? static_cast<int64_t>(items[it.target].offset) -
                                             static_cast<int64_t>(it.offset)
                                       : 0;
    switch (it.fix) {
      case Item::Fix::None:
        break;
      case Item::Fix::Branch:
        it.word = (it.word & 0x01fff07f) | b_type(off, 0, 0, 0);
        break;
      case Item::Fix::Jal:
        it.word = jal((it.word >> 7) & 31, off);
        break;
      case Item::Fix::Jalr: {
        const int64_t from_auipc = static_cast<int64_t>(items[it.target].offset) -
                                   static_cast<int64_t>(items[it.base].offset);
        it.word = (it.word & 0x000fffff) | bits(from_auipc, 11, 0) << 20;
        break;
      }
      case Item::Fix::CBz:
        // Out of c.beqz's +-256 range: the branch falls back to the next instruction.
        if (off > 254) it.target = -1;
        it.word = c_bz((it.word & 0xe000) == 0xe000, 8 + ((it.word >> 7) & 7), off > 254 ? 2 : off);
        break;
      case Item::Fix::CJ:
        it.word = c_j(off);
        break;
    }
    bytes.push_back(static_cast<uint8_t>(it.word));
    bytes.push_back(static_cast<uint8_t>(it.word >> 8));
    if (!it.compressed) {
      bytes.push_back(static_cast<uint8_t>(it.word >> 16));
      bytes.push_back(static_cast<uint8_t>(it.word >> 24));
    }
  }
  return bytes;
}

// The trap handler: records mcause/mepc/mtval and a count at kRecord, then resumes after
// the trapping instruction (2 or 4 bytes by its low bits), using only x28..x31.
std::vector<uint32_t> handler() {
  return {
      csr(2, kH0, 0x342, 0),           // csrr t3, mcause
      csr(2, kH1, 0x341, 0),           // csrr t4, mepc
      csr(2, kH2, 0x343, 0),           // csrr t5, mtval
      store(3, kH0, kRecReg, 0),       //
      store(3, kH1, kRecReg, 8),       //
      store(3, kH2, kRecReg, 16),      //
      load(3, kH0, kRecReg, 24),       // count++
      addi(kH0, kH0, 1),               //
      store(3, kH0, kRecReg, 24),      //
      load(5, kH0, kH1, 0),            // lhu t3, 0(t4): the trapping instruction's first parcel
      i_type(3, kH0, 7, kH0, kOpImm),  // andi t3, t3, 3
      addi(kH1, kH1, 2),               //
      addi(kH2, 0, 3),                 //
      branch(1, kH0, kH2, 8),          // compressed: skip the second +2
      addi(kH1, kH1, 2),               //
      csr(1, 0, 0x341, kH1),           // csrw mepc, t4
      kMret,
  };
}

std::string listing(const std::vector<Item>& items, uint64_t pc_a, uint64_t pc_b) {
  std::string out;
  for (const Item& it : items) {
    const uint64_t pc = kRam + it.offset;
    out += pc == pc_a ? (pc == pc_b ? "=>" : "0>") : (pc == pc_b ? "1>" : "  ");
    out += lockstep::hex(pc) + ":  " + disassemble(it.word, pc) + "\n";
  }
  return out;
}

struct SeedResult {
  std::string failure;  // empty when the tiers agreed throughout
  uint64_t traps = 0;
  uint64_t blocks_compiled = 0;
  uint64_t member_entries = 0;  // region members given entries (JitStats)
  bool vregs_changed = false;   // a vector program wrote some vector register
};

// The VLEN of the vector programs: the default of the machine (--vlen 128).
constexpr unsigned kVlen = 128;

SeedResult run_seed(uint64_t seed, unsigned tier, bool vector = false) {
  SeedResult result;
  Generator gen(seed, vector);
  std::vector<Item> items = gen.program(80 + static_cast<unsigned>(seed % 220));
  const std::vector<uint8_t> code = assemble_items(items);
  if (code.size() > kMaxProgramBytes) {
    result.failure = "program too large";
    return result;
  }
  const uint64_t end_pc = kRam + items.back().offset;
  std::vector<uint64_t> regs(32);
  for (uint64_t& r : regs) r = gen.value();
  std::vector<uint64_t> fregs(32);
  for (uint64_t& f : fregs) f = gen.f_value();
  std::vector<uint64_t> window(1024);
  for (uint64_t& v : window) v = gen.value();
  for (size_t i = 0; i < window.size(); i += 3) window[i] = gen.f_value();
  const std::vector<uint32_t> trap_code = handler();
  std::vector<uint64_t> vregs(vector ? 32 * kVlen / 64 : 0);
  for (uint64_t& v : vregs) v = gen.value();

  lockstep::Lockstep pair(kRam, kRamSize, tier);
  pair.setup([&](lockstep::Rig& r) {
    if (vector) {
      r.hart.set_vlen(kVlen);         // resets the hart: first
      r.hart.s.mstatus |= 1ull << 9;  // VS = Initial
      std::copy(vregs.begin(), vregs.end(), r.hart.s.vreg.begin());
    }
    r.bus.load_image(kRam, code);
    r.bus.load_image(kHandler,
                     {reinterpret_cast<const uint8_t*>(trap_code.data()), trap_code.size() * 4});
    r.bus.load_image(kWindow, {reinterpret_cast<const uint8_t*>(window.data()), window.size() * 8});
    for (unsigned i = 1; i < 32; ++i) r.hart.s.set_x(i, regs[i]);
    r.hart.s.set_x(kSp, kSpValue);
    r.hart.s.set_x(kS0, kS0Value);
    r.hart.s.set_x(kLoopReg, 0);
    r.hart.s.set_x(kWinReg, kWinValue);
    r.hart.s.set_x(kRecReg, kRecord);
    for (unsigned i = 0; i < 32; ++i) r.hart.s.set_f(i, fregs[i]);
    r.hart.s.mstatus |= 1ull << 13;                     // FS = Initial: F and D enabled
    r.hart.s.fflags = static_cast<uint32_t>(seed & 1);  // half the seeds start with NX set
    r.hart.s.mtvec = kHandler;
  });

  std::mt19937_64 steps(seed ^ 0x5eed);
  constexpr uint64_t kBudget = 4000;
  for (unsigned n = 0; n < 2000 && pair.interp().hart.s.instret < kBudget; ++n) {
    const uint64_t limit = pair.interp().hart.s.instret + 1 + steps() % 24;
    const std::string diff = pair.step(limit);
    if (!diff.empty()) {
      result.failure = "seed " + std::to_string(seed) + ": tier 0 and tier " +
                       std::to_string(tier) + " differ after run(" + std::to_string(limit) +
                       "):\n" + diff + "program (0> tier 0 pc, 1> jit pc):\n" +
                       listing(items, pair.interp().hart.s.pc, pair.jit().hart.s.pc);
      return result;
    }
    if (pair.interp().hart.s.pc == end_pc) break;
  }
  const JitStats& stats = pair.jit().exec.jit()->stats();
  if (stats.compile_failures != 0) {
    result.failure = "seed " + std::to_string(seed) + ": " +
                     std::to_string(stats.compile_failures) + " blocks failed to compile";
  }
  result.traps = pair.interp().exec.traps_taken();
  result.vregs_changed =
      vector && !std::equal(vregs.begin(), vregs.end(), pair.interp().hart.s.vreg.begin());
  result.blocks_compiled = stats.blocks_compiled;
  result.member_entries = stats.region_member_entries;
  return result;
}

// The encoders above, checked against the reference assembler: a wrong encoder would
// quietly test other instructions than intended.
TEST(Differential, EncodersMatchTheAssembler) {
  struct Case {
    uint32_t word;
    const char* text;
  };
  const Case k32[] = {
      {addi(10, 11, -5), "addi a0, a1, -5"},
      {lui(5, 0x12345000), "lui t0, 0x12345"},
      {auipc(6, 0x1000), "auipc t1, 1"},
      {load(6, 10, 27, -2048), "lwu a0, -2048(s11)"},
      {store(3, 11, 27, 2040), "sd a1, 2040(s11)"},
      {csr(2, 10, 0xc02, 0), "csrr a0, instret"},
      {csr(7, 10, 0x340, 5), "csrrci a0, mscratch, 5"},
      {r_type(0x01, 12, 11, 3, 10, kOpReg), "mulhu a0, a1, a2"},
      {r_type(0x01, 12, 11, 7, 10, kOpReg32), "remuw a0, a1, a2"},
      {r_type(0x20, 12, 11, 5, 10, kOpReg32), "sraw a0, a1, a2"},
      {i_type(0x400 | 63, 11, 5, 10, kOpImm), "srai a0, a1, 63"},
      {i_type(0x400 | 31, 11, 5, 10, kOpImm32), "sraiw a0, a1, 31"},
      {r_type(0x0c << 2 | 3, 12, 11, 3, 10, kOpAmo), "amoand.d.aqrl a0, a2, (a1)"},
      {r_type(0x02 << 2, 0, 11, 2, 10, kOpAmo), "lr.w a0, (a1)"},
      {r_type(0x03 << 2, 12, 11, 3, 10, kOpAmo), "sc.d a0, a2, (a1)"},
      {r_type(0x10, 12, 11, 6, 10, kOpReg), "sh3add a0, a1, a2"},
      {r_type(0x10, 12, 11, 4, 10, kOpReg32), "sh2add.uw a0, a1, a2"},
      {r_type(0x04, 12, 11, 0, 10, kOpReg32), "add.uw a0, a1, a2"},
      {i_type((0x02 << 6) | 40, 11, 1, 10, kOpImm32), "slli.uw a0, a1, 40"},
      {r_type(0x20, 12, 11, 7, 10, kOpReg), "andn a0, a1, a2"},
      {r_type(0x20, 12, 11, 6, 10, kOpReg), "orn a0, a1, a2"},
      {r_type(0x20, 12, 11, 4, 10, kOpReg), "xnor a0, a1, a2"},
      {i_type(0x602, 11, 1, 10, kOpImm), "cpop a0, a1"},
      {i_type(0x601, 11, 1, 10, kOpImm32), "ctzw a0, a1"},
      {r_type(0x05, 12, 11, 7, 10, kOpReg), "maxu a0, a1, a2"},
      {i_type(0x605, 11, 1, 10, kOpImm), "sext.h a0, a1"},
      {r_type(0x04, 0, 11, 4, 10, kOpReg32), "zext.h a0, a1"},
      {r_type(0x30, 12, 11, 1, 10, kOpReg), "rol a0, a1, a2"},
      {i_type((0x18 << 6) | 33, 11, 5, 10, kOpImm), "rori a0, a1, 33"},
      {r_type(0x30, 12, 11, 5, 10, kOpReg32), "rorw a0, a1, a2"},
      {i_type((0x30 << 5) | 7, 11, 5, 10, kOpImm32), "roriw a0, a1, 7"},
      {i_type(0x287, 11, 5, 10, kOpImm), "orc.b a0, a1"},
      {i_type(0x6b8, 11, 5, 10, kOpImm), "rev8 a0, a1"},
      {kFenceI, "fence.i"},
      {0x0ff0000f, "fence iorw, iorw"},
      {r_type(0x01 << 2 | 1, 12, 11, 7, 10, 0x53), "fsub.d fa0, fa1, fa2"},
      {r_type(0x03 << 2 | 0, 12, 11, 1, 10, 0x53), "fdiv.s fa0, fa1, fa2, rtz"},
      {r_type(0x0b << 2 | 1, 0, 11, 0, 10, 0x53), "fsqrt.d fa0, fa1, rne"},
      {r_type(0x14 << 2 | 1, 12, 11, 1, 10, 0x53), "flt.d a0, fa1, fa2"},
      {r_type(0x04 << 2 | 1, 12, 11, 2, 10, 0x53), "fsgnjx.d fa0, fa1, fa2"},
      {r_type(0x1c << 2 | 1, 0, 11, 0, 10, 0x53), "fmv.x.d a0, fa1"},
      {r_type(0x1e << 2 | 1, 0, 11, 0, 10, 0x53), "fmv.d.x fa0, a1"},
      {csr(5, 10, 0x001, 1), "csrrwi a0, fflags, 1"},
      {i_type(-8, 27, 3, 10, 0x07), "fld fa0, -8(s11)"},
  };
  std::vector<std::string> lines;
  for (const Case& c : k32) lines.push_back(c.text);
  const std::vector<uint32_t> want = assemble(lines);
  ASSERT_EQ(want.size(), std::size(k32)) << "riscv64-unknown-elf-as failed";
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(k32[i].word, want[i]) << k32[i].text;
  }

  struct Case16 {
    uint16_t half;
    const char* text;
  };
  const Case16 k16[] = {
      {c_addi(10, -7), "c.addi a0, -7"},
      {c_addiw(10, 31), "c.addiw a0, 31"},
      {c_li(10, -32), "c.li a0, -32"},
      {c_lui(10, 0x1f), "c.lui a0, 0x1f"},
      {c_slli(10, 63), "c.slli a0, 63"},
      {c_shift_andi(0, 9, 17), "c.srli s1, 17"},
      {c_shift_andi(1, 9, 40), "c.srai s1, 40"},
      {c_shift_andi(2, 9, -3), "c.andi s1, -3"},
      {c_alu(0, 9, 10), "c.sub s1, a0"},
      {c_alu(3, 9, 10), "c.and s1, a0"},
      {c_alu(4, 9, 10), "c.subw s1, a0"},
      {c_alu(5, 9, 10), "c.addw s1, a0"},
      {c_mv(10, 11), "c.mv a0, a1"},
      {c_add(10, 11), "c.add a0, a1"},
      {c_lw(9, 8, 124), "c.lw s1, 124(s0)"},
      {c_ld(9, 8, 248), "c.ld s1, 248(s0)"},
      {c_sw(9, 8, 68), "c.sw s1, 68(s0)"},
      {c_sd(9, 8, 136), "c.sd s1, 136(s0)"},
      {c_lwsp(10, 252), "c.lwsp a0, 252(sp)"},
      {c_ldsp(10, 504), "c.ldsp a0, 504(sp)"},
      {c_swsp(10, 132), "c.swsp a0, 132(sp)"},
      {c_sdsp(10, 264), "c.sdsp a0, 264(sp)"},
      {kCEbreak, "c.ebreak"},
  };
  lines.clear();
  for (const Case16& c : k16) lines.push_back(c.text);
  const std::vector<uint32_t> want16 = assemble(lines, true);
  ASSERT_EQ(want16.size(), std::size(k16)) << "riscv64-unknown-elf-as failed";
  for (size_t i = 0; i < want16.size(); ++i) {
    EXPECT_EQ(k16[i].half, want16[i]) << k16[i].text;
  }
}

// Branch and jump encoders, checked by the offset the decoder extracts (relative offsets
// do not survive a one-line assembly), at the ends of each format's range.
TEST(Differential, BranchEncodersKeepTheirOffsets) {
  struct Case {
    uint32_t raw;
    int64_t offset;
  };
  const Case cases[] = {
      {branch(1, 9, 10, -4096), -4096},
      {branch(5, 9, 10, 4094), 4094},
      {jal(1, -(1 << 20)), -(1 << 20)},
      {jal(1, (1 << 20) - 2), (1 << 20) - 2},
      {c_bz(true, 9, 254), 254},
      {c_bz(false, 15, -256), -256},
      {c_j(-2048), -2048},
      {c_j(2046), 2046},
  };
  for (const Case& c : cases) {
    const DecodedInsn d = decode(c.raw);
    ASSERT_NE(d.def, nullptr) << std::hex << c.raw;
    EXPECT_EQ(d.imm, c.offset) << disassemble(d, kRam);
  }
}

// The vector encoders, checked against the reference assembler (-march=rv64gcv) on one
// instance of every form the vector programs use.
TEST(Differential, VectorEncodersMatchTheAssembler) {
  struct Case {
    uint32_t word;
    const char* text;
  };
  const Case cases[] = {
      {vsetvli(10, 11, vtypei(1, 2, true, false)), "vsetvli a0, a1, e32, m2, ta, mu"},
      {vsetvli(0, 0, vtypei(7, 0, false, true)), "vsetvli zero, zero, e8, mf2, tu, ma"},
      {vsetivli(5, 17, vtypei(6, 3, true, true)), "vsetivli t0, 17, e64, mf4, ta, ma"},
      {v_op(0x00, true, 4, 6, kOpIvv, 2), "vadd.vv v2, v4, v6, v0.t"},
      {v_op(0x03, false, 8, 12, kOpIvx, 10), "vrsub.vx v10, v8, a2"},
      {v_op(0x00, false, 8, -5, kOpIvi, 10), "vadd.vi v10, v8, -5"},
      {v_op(0x23, false, 8, 9, kOpIvv, 10), "vssub.vv v10, v8, v9"},
      {v_op(0x29, true, 8, 31, kOpIvi, 10), "vsra.vi v10, v8, 31, v0.t"},
      {v_op(0x1d, false, 8, 11, kOpIvx, 1), "vmsle.vx v1, v8, a1"},
      {v_op(0x27, false, 8, 9, kOpMvv, 10), "vmulh.vv v10, v8, v9"},
      {v_op(0x2d, false, 8, 11, kOpMvx, 10), "vmacc.vx v10, a1, v8"},
      {v_op(0x21, true, 8, 9, kOpMvv, 10), "vdiv.vv v10, v8, v9, v0.t"},
      {v_op(0x31, false, 8, 11, kOpMvx, 12), "vwadd.vx v12, v8, a1"},
      {v_op(0x06, false, 8, 9, kOpMvv, 10), "vredmaxu.vs v10, v8, v9"},
      {v_op(0x0e, false, 8, 3, kOpIvi, 10), "vslideup.vi v10, v8, 3"},
      {v_op(0x0f, true, 8, 11, kOpIvx, 10), "vslidedown.vx v10, v8, a1, v0.t"},
      {v_op(0x17, true, 8, 9, kOpIvv, 10), "vmerge.vvm v10, v8, v9, v0"},
      {v_op(0x17, false, 0, 11, kOpIvx, 10), "vmv.v.x v10, a1"},
      {v_op(0x14, false, 0, 0x11, kOpMvv, 10), "vid.v v10"},
      {v_op(0x10, false, 8, 0, kOpMvv, 10), "vmv.x.s a0, v8"},
      {v_op(0x10, false, 0, 11, kOpMvx, 8), "vmv.s.x v8, a1"},
      {v_load(6, 0, false, 0, 27, 8), "vle32.v v8, (s11)"},
      {v_load(7, 2, true, 26, 2, 8), "vlse64.v v8, (sp), s10, v0.t"},
      {v_store(0, 0, false, 0, 8, 4), "vse8.v v4, (s0)"},
      {v_store(5, 2, false, 0, 27, 4), "vsse16.v v4, (s11), zero"},
  };
  std::vector<std::string> lines;
  for (const Case& c : cases) lines.emplace_back(c.text);
  const std::vector<uint32_t> want = assemble(lines, false, "rv64gcv");
  ASSERT_EQ(want.size(), std::size(cases));
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(cases[i].word, want[i])
        << cases[i].text << std::hex << ": ours 0x" << cases[i].word << ", assembler 0x" << want[i];
  }
}

// Seeds are split into shards so ctest runs them in parallel: 300 seeds on tier 1 (LLVM
// fast) and on tier 3 (the baseline tier), and the first 90 on tier 2 and on tier 4 (tier 2
// with member entries), whose O2 region compiles cost about ten times as much
// (tests/common/tiers.h numbers the test tiers).
constexpr unsigned kShards = 6;
constexpr unsigned seeds_per_shard(unsigned tier) {
  return tier == 2 || tier == kMemberEntryTier ? 15 : 50;
}

struct Shard {
  unsigned tier;
  unsigned index;
};

void PrintTo(const Shard& s, std::ostream* os) {
  *os << "tier " << s.tier << ", shard " << s.index;
}

// The shard's seeds (`per_shard` of them), or the one TIERVM_DIFF_SEED names in shard 0
// (none in the other shards).
std::vector<uint64_t> shard_seeds(const Shard& shard, unsigned per_shard) {
  std::vector<uint64_t> seeds;
  if (const char* one = std::getenv("TIERVM_DIFF_SEED")) {
    if (shard.index == 0) seeds.push_back(std::strtoull(one, nullptr, 0));
  } else {
    for (unsigned i = 0; i < per_shard; ++i) seeds.push_back(shard.index * per_shard + i);
  }
  return seeds;
}

class DifferentialSeeds : public ::testing::TestWithParam<Shard> {};

TEST_P(DifferentialSeeds, TiersAgree) {
  const Shard shard = GetParam();
  const std::vector<uint64_t> seeds = shard_seeds(shard, seeds_per_shard(shard.tier));
  if (seeds.empty()) GTEST_SKIP() << "TIERVM_DIFF_SEED runs in shard 0 only";
  uint64_t traps = 0, compiled = 0, member_entries = 0;
  for (uint64_t seed : seeds) {
    const SeedResult r = run_seed(seed, shard.tier);
    ASSERT_TRUE(r.failure.empty()) << r.failure;
    traps += r.traps;
    compiled += r.blocks_compiled;
    member_entries += r.member_entries;
  }
  // The comparison means something only if the JIT really ran and traps were exercised
  // (and, on tier 4, regions were entered at members).
  EXPECT_GT(compiled, seeds.size());
  EXPECT_GT(traps, 0u);
  if (shard.tier == kMemberEntryTier && seeds.size() > 1) {
    EXPECT_GT(member_entries, 0u);
  }
}

std::vector<Shard> all_shards() {
  std::vector<Shard> out;
  for (unsigned tier : {1u, 2u, 3u, kMemberEntryTier}) {
    for (unsigned i = 0; i < kShards; ++i) out.push_back({tier, i});
  }
  return out;
}

// Random programs with vector instructions (Generator's `vector`), VLEN 128: the vector
// registers, vl, vtype, vstart, vxsat and vxrm must agree too (lockstep::compare).
class DifferentialVectorSeeds : public ::testing::TestWithParam<Shard> {};

TEST_P(DifferentialVectorSeeds, TiersAgree) {
  const Shard shard = GetParam();
  const std::vector<uint64_t> seeds =
      shard_seeds(shard, shard.tier == 2 || shard.tier == kMemberEntryTier ? 16 : 40);
  if (seeds.empty()) GTEST_SKIP() << "TIERVM_DIFF_SEED runs in shard 0 only";
  uint64_t traps = 0, compiled = 0, changed = 0;
  for (uint64_t seed : seeds) {
    const SeedResult r = run_seed(seed, shard.tier, true);
    ASSERT_TRUE(r.failure.empty()) << r.failure;
    traps += r.traps;
    compiled += r.blocks_compiled;
    changed += r.vregs_changed ? 1 : 0;
  }
  EXPECT_GT(compiled, seeds.size());
  EXPECT_GT(traps, 0u);
  // The vector instructions ran (they are not all illegal-instruction traps): most programs
  // leave a vector register changed (a statement about many seeds, not one).
  if (seeds.size() > 1) {
    EXPECT_GT(changed * 2, seeds.size()) << changed << " of " << seeds.size();
  }
}

INSTANTIATE_TEST_SUITE_P(VectorShards, DifferentialVectorSeeds,
                         ::testing::Values(Shard{1, 0}, Shard{1, 1}, Shard{2, 0}, Shard{3, 0},
                                           Shard{3, 1}, Shard{kMemberEntryTier, 0}),
                         [](const auto& info) {
                           return "Tier" + std::to_string(info.param.tier) + "_" +
                                  std::to_string(info.param.index);
                         });

INSTANTIATE_TEST_SUITE_P(Shards, DifferentialSeeds, ::testing::ValuesIn(all_shards()),
                         [](const auto& info) {
                           return "Tier" + std::to_string(info.param.tier) + "_" +
                                  std::to_string(info.param.index);
                         });

}  // namespace
}  // namespace tiervm::test
