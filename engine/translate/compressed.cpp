// RVC expansion: every 16-bit instruction of RV64C is rewritten to the 32-bit instruction
// the unprivileged spec (chapter 16, "C" Standard Extension) names as its expansion, so
// the decoder table and the IR emitters only ever see 32-bit words. Reserved encodings
// expand to 0, which the decoder reports as an illegal instruction. HINT encodings
// (spec 16.7) expand to the corresponding no-effect base instruction, as QEMU does.

#include <cstdint>

#include "engine/decoder.h"

namespace tiervm {

namespace {

// Major opcodes of the 32-bit expansions (unprivileged spec, chapter 34 opcode map).
constexpr uint32_t kOpLoad = 0x03;
constexpr uint32_t kOpLoadFp = 0x07;
constexpr uint32_t kOpImm = 0x13;
constexpr uint32_t kOpImm32 = 0x1b;
constexpr uint32_t kOpStore = 0x23;
constexpr uint32_t kOpStoreFp = 0x27;
constexpr uint32_t kOpReg = 0x33;
constexpr uint32_t kOpLui = 0x37;
constexpr uint32_t kOpReg32 = 0x3b;
constexpr uint32_t kOpBranch = 0x63;
constexpr uint32_t kOpJalr = 0x67;
constexpr uint32_t kOpJal = 0x6f;
constexpr uint32_t kOpSystem = 0x73;

constexpr unsigned kSp = 2;
constexpr unsigned kRa = 1;

// Bits [hi:lo] of `v`, shifted down to bit 0.
constexpr uint32_t bits(uint32_t v, unsigned hi, unsigned lo) {
  return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}
constexpr uint32_t bit(uint32_t v, unsigned b) {
  return (v >> b) & 1;
}

// Sign-extends the low `width` bits of `v`.
constexpr int32_t sext(uint32_t v, unsigned width) {
  const uint32_t m = 1u << (width - 1);
  return static_cast<int32_t>((v ^ m) - m);
}

// Instruction formats (unprivileged spec 2.2/2.3).
constexpr uint32_t enc_r(uint32_t op, unsigned rd, unsigned f3, unsigned rs1, unsigned rs2,
                         uint32_t f7) {
  return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
constexpr uint32_t enc_i(uint32_t op, unsigned rd, unsigned f3, unsigned rs1, int32_t imm) {
  return static_cast<uint32_t>(imm) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
constexpr uint32_t enc_s(uint32_t op, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm) {
  const auto u = static_cast<uint32_t>(imm);
  return bits(u, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | bits(u, 4, 0) << 7 | op;
}
constexpr uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t imm) {
  const auto u = static_cast<uint32_t>(imm);
  return bit(u, 12) << 31 | bits(u, 10, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
         bits(u, 4, 1) << 8 | bit(u, 11) << 7 | kOpBranch;
}
constexpr uint32_t enc_u(uint32_t op, unsigned rd, int32_t imm) {
  return (static_cast<uint32_t>(imm) & 0xfffff000u) | rd << 7 | op;
}
constexpr uint32_t enc_j(unsigned rd, int32_t imm) {
  const auto u = static_cast<uint32_t>(imm);
  return bit(u, 20) << 31 | bits(u, 10, 1) << 21 | bit(u, 11) << 20 | bits(u, 19, 12) << 12 |
         rd << 7 | kOpJal;
}

// Register fields: full 5-bit (CR/CI/CSS) and the 3-bit x8..x15 forms (CIW/CL/CS/CA/CB).
constexpr unsigned rd_full(uint32_t h) {
  return bits(h, 11, 7);
}
constexpr unsigned rs2_full(uint32_t h) {
  return bits(h, 6, 2);
}
constexpr unsigned r_hi3(uint32_t h) {
  return 8 + bits(h, 9, 7);
}  // rs1'/rd' at [9:7]
constexpr unsigned r_lo3(uint32_t h) {
  return 8 + bits(h, 4, 2);
}  // rs2'/rd' at [4:2]

// Immediates, named by the spec's figures (16.3-16.5).
constexpr int32_t imm_ci(uint32_t h) {
  return sext(bit(h, 12) << 5 | bits(h, 6, 2), 6);
}
constexpr uint32_t uimm_ci(uint32_t h) {
  return bit(h, 12) << 5 | bits(h, 6, 2);
}
// c.lw/c.sw: uimm[5:3] at [12:10], uimm[2|6] at [6:5].
constexpr int32_t uimm_word(uint32_t h) {
  return static_cast<int32_t>(bits(h, 12, 10) << 3 | bit(h, 6) << 2 | bit(h, 5) << 6);
}
// c.ld/c.sd/c.fld/c.fsd: uimm[5:3] at [12:10], uimm[7:6] at [6:5].
constexpr int32_t uimm_double(uint32_t h) {
  return static_cast<int32_t>(bits(h, 12, 10) << 3 | bits(h, 6, 5) << 6);
}
// c.addi4spn: nzuimm[5:4|9:6|2|3] at [12:5].
constexpr int32_t nzuimm_addi4spn(uint32_t h) {
  return static_cast<int32_t>(bits(h, 12, 11) << 4 | bits(h, 10, 7) << 6 | bit(h, 6) << 2 |
                              bit(h, 5) << 3);
}
// c.addi16sp: nzimm[9] at 12, nzimm[4|6|8:7|5] at [6:2].
constexpr int32_t nzimm_addi16sp(uint32_t h) {
  return sext(
      bit(h, 12) << 9 | bit(h, 6) << 4 | bit(h, 5) << 6 | bits(h, 4, 3) << 7 | bit(h, 2) << 5, 10);
}
// c.j: offset[11|4|9:8|10|6|7|3:1|5] at [12:2].
constexpr int32_t offset_cj(uint32_t h) {
  return sext(bit(h, 12) << 11 | bit(h, 11) << 4 | bits(h, 10, 9) << 8 | bit(h, 8) << 10 |
                  bit(h, 7) << 6 | bit(h, 6) << 7 | bits(h, 5, 3) << 1 | bit(h, 2) << 5,
              12);
}
// c.beqz/c.bnez: offset[8|4:3] at [12:10], offset[7:6|2:1|5] at [6:2].
constexpr int32_t offset_cb(uint32_t h) {
  return sext(bit(h, 12) << 8 | bits(h, 11, 10) << 3 | bits(h, 6, 5) << 6 | bits(h, 4, 3) << 1 |
                  bit(h, 2) << 5,
              9);
}
// c.lwsp: uimm[5] at 12, uimm[4:2|7:6] at [6:2].
constexpr int32_t uimm_lwsp(uint32_t h) {
  return static_cast<int32_t>(bit(h, 12) << 5 | bits(h, 6, 4) << 2 | bits(h, 3, 2) << 6);
}
// c.ldsp/c.fldsp: uimm[5] at 12, uimm[4:3|8:6] at [6:2].
constexpr int32_t uimm_ldsp(uint32_t h) {
  return static_cast<int32_t>(bit(h, 12) << 5 | bits(h, 6, 5) << 3 | bits(h, 4, 2) << 6);
}
// c.swsp: uimm[5:2|7:6] at [12:7].
constexpr int32_t uimm_swsp(uint32_t h) {
  return static_cast<int32_t>(bits(h, 12, 9) << 2 | bits(h, 8, 7) << 6);
}
// c.sdsp/c.fsdsp: uimm[5:3|8:6] at [12:7].
constexpr int32_t uimm_sdsp(uint32_t h) {
  return static_cast<int32_t>(bits(h, 12, 10) << 3 | bits(h, 9, 7) << 6);
}

uint32_t expand_quadrant0(uint32_t h) {
  const unsigned rd = r_lo3(h), rs2 = r_lo3(h), rs1 = r_hi3(h);
  switch (bits(h, 15, 13)) {
    case 0: {  // c.addi4spn; nzuimm == 0 is reserved (this includes the all-zero word)
      const int32_t imm = nzuimm_addi4spn(h);
      return imm == 0 ? 0 : enc_i(kOpImm, rd, 0, kSp, imm);
    }
    case 1:  // c.fld
      return enc_i(kOpLoadFp, rd, 3, rs1, uimm_double(h));
    case 2:  // c.lw
      return enc_i(kOpLoad, rd, 2, rs1, uimm_word(h));
    case 3:  // c.ld (RV64)
      return enc_i(kOpLoad, rd, 3, rs1, uimm_double(h));
    case 5:  // c.fsd
      return enc_s(kOpStoreFp, 3, rs1, rs2, uimm_double(h));
    case 6:  // c.sw
      return enc_s(kOpStore, 2, rs1, rs2, uimm_word(h));
    case 7:  // c.sd (RV64)
      return enc_s(kOpStore, 3, rs1, rs2, uimm_double(h));
    default:  // funct3 100 is reserved (Zcb lives there; not implemented)
      return 0;
  }
}

uint32_t expand_arith(uint32_t h) {
  const unsigned rd = r_hi3(h);
  switch (bits(h, 11, 10)) {
    case 0:  // c.srli; shamt[5] is legal on RV64 and shamt 0 is a HINT
      return enc_i(kOpImm, rd, 5, rd, static_cast<int32_t>(uimm_ci(h)));
    case 1:  // c.srai
      return enc_i(kOpImm, rd, 5, rd, static_cast<int32_t>(uimm_ci(h) | 0x400));
    case 2:  // c.andi
      return enc_i(kOpImm, rd, 7, rd, imm_ci(h));
    default: {
      const unsigned rs2 = r_lo3(h);
      const unsigned sel = bits(h, 6, 5);
      if (bit(h, 12) == 0) {
        switch (sel) {
          case 0:  // c.sub
            return enc_r(kOpReg, rd, 0, rd, rs2, 0x20);
          case 1:  // c.xor
            return enc_r(kOpReg, rd, 4, rd, rs2, 0);
          case 2:  // c.or
            return enc_r(kOpReg, rd, 6, rd, rs2, 0);
          default:  // c.and
            return enc_r(kOpReg, rd, 7, rd, rs2, 0);
        }
      }
      switch (sel) {
        case 0:  // c.subw
          return enc_r(kOpReg32, rd, 0, rd, rs2, 0x20);
        case 1:  // c.addw
          return enc_r(kOpReg32, rd, 0, rd, rs2, 0);
        default:  // reserved on RV64 (Zcb's c.mul and unary ops; not implemented)
          return 0;
      }
    }
  }
}

uint32_t expand_quadrant1(uint32_t h) {
  const unsigned rd = rd_full(h);
  switch (bits(h, 15, 13)) {
    case 0:  // c.addi / c.nop (rd=0 or imm=0 are HINTs)
      return enc_i(kOpImm, rd, 0, rd, imm_ci(h));
    case 1:  // c.addiw (RV64); rd=0 is reserved
      return rd == 0 ? 0 : enc_i(kOpImm32, rd, 0, rd, imm_ci(h));
    case 2:  // c.li; rd=0 is a HINT
      return enc_i(kOpImm, rd, 0, 0, imm_ci(h));
    case 3:
      if (rd == kSp) {  // c.addi16sp; nzimm == 0 is reserved
        const int32_t imm = nzimm_addi16sp(h);
        return imm == 0 ? 0 : enc_i(kOpImm, kSp, 0, kSp, imm);
      }
      // c.lui; nzimm == 0 is reserved, rd=0 is a HINT
      if (imm_ci(h) == 0) return 0;
      return enc_u(kOpLui, rd, imm_ci(h) * (1 << 12));
    case 4:
      return expand_arith(h);
    case 5:  // c.j
      return enc_j(0, offset_cj(h));
    case 6:  // c.beqz
      return enc_b(0, r_hi3(h), 0, offset_cb(h));
    default:  // c.bnez
      return enc_b(1, r_hi3(h), 0, offset_cb(h));
  }
}

uint32_t expand_quadrant2(uint32_t h) {
  const unsigned rd = rd_full(h), rs2 = rs2_full(h);
  switch (bits(h, 15, 13)) {
    case 0:  // c.slli; rd=0 and shamt=0 are HINTs, shamt[5] is legal on RV64
      return enc_i(kOpImm, rd, 1, rd, static_cast<int32_t>(uimm_ci(h)));
    case 1:  // c.fldsp
      return enc_i(kOpLoadFp, rd, 3, kSp, uimm_ldsp(h));
    case 2:  // c.lwsp; rd=0 is reserved
      return rd == 0 ? 0 : enc_i(kOpLoad, rd, 2, kSp, uimm_lwsp(h));
    case 3:  // c.ldsp (RV64); rd=0 is reserved
      return rd == 0 ? 0 : enc_i(kOpLoad, rd, 3, kSp, uimm_ldsp(h));
    case 4:
      if (bit(h, 12) == 0) {
        if (rs2 == 0) {  // c.jr; rs1=0 is reserved
          return rd == 0 ? 0 : enc_i(kOpJalr, 0, 0, rd, 0);
        }
        return enc_r(kOpReg, rd, 0, 0, rs2, 0);  // c.mv: add rd, x0, rs2 (rd=0 is a HINT)
      }
      if (rs2 == 0) {
        if (rd == 0) return enc_i(kOpSystem, 0, 0, 0, 1);  // c.ebreak
        return enc_i(kOpJalr, kRa, 0, rd, 0);              // c.jalr
      }
      return enc_r(kOpReg, rd, 0, rd, rs2, 0);  // c.add (rd=0 is a HINT)
    case 5:                                     // c.fsdsp
      return enc_s(kOpStoreFp, 3, kSp, rs2, uimm_sdsp(h));
    case 6:  // c.swsp
      return enc_s(kOpStore, 2, kSp, rs2, uimm_swsp(h));
    default:  // c.sdsp (RV64)
      return enc_s(kOpStore, 3, kSp, rs2, uimm_sdsp(h));
  }
}

}  // namespace

uint32_t expand_compressed(uint16_t half) {
  const uint32_t h = half;
  switch (h & 3) {
    case 0:
      return expand_quadrant0(h);
    case 1:
      return expand_quadrant1(h);
    case 2:
      return expand_quadrant2(h);
    default:  // not a compressed instruction
      return 0;
  }
}

}  // namespace tiervm
