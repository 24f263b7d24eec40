#pragma once

// RISC-V instruction encoders (unprivileged spec 2.3 "Immediate Encoding Variants" and
// 16.2 "Compressed Instruction Formats"), for test programs built from code rather than
// from the assembler: the random program generator of tests/engine/differential_test.cpp
// and the fuzz seed generator. Immediates are taken as signed values and masked here.
#include <cstdint>

namespace tiervm::rv {

inline uint32_t bits(int64_t v, unsigned hi, unsigned lo) {
  return static_cast<uint32_t>((static_cast<uint64_t>(v) >> lo) &
                               ((uint64_t{1} << (hi - lo + 1)) - 1));
}

inline uint32_t r_type(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd,
                       uint32_t op) {
  return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
inline uint32_t i_type(int64_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
  return bits(imm, 11, 0) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
inline uint32_t s_type(int64_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t op) {
  return bits(imm, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | bits(imm, 4, 0) << 7 | op;
}
inline uint32_t b_type(int64_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3) {
  return bits(imm, 12, 12) << 31 | bits(imm, 10, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
         bits(imm, 4, 1) << 8 | bits(imm, 11, 11) << 7 | 0x63;
}
inline uint32_t u_type(int64_t imm, uint32_t rd, uint32_t op) {
  return bits(imm, 31, 12) << 12 | rd << 7 | op;
}
inline uint32_t j_type(int64_t imm, uint32_t rd) {
  return bits(imm, 20, 20) << 31 | bits(imm, 10, 1) << 21 | bits(imm, 11, 11) << 20 |
         bits(imm, 19, 12) << 12 | rd << 7 | 0x6f;
}

// Opcodes (table 24.1).
inline constexpr uint32_t kOpLoad = 0x03, kOpMiscMem = 0x0f, kOpImm = 0x13, kOpAuipc = 0x17,
                          kOpImm32 = 0x1b, kOpStore = 0x23, kOpAmo = 0x2f, kOpReg = 0x33,
                          kOpLui = 0x37, kOpReg32 = 0x3b, kOpJalr = 0x67, kOpSystem = 0x73;

inline uint32_t addi(uint32_t rd, uint32_t rs1, int64_t imm) {
  return i_type(imm, rs1, 0, rd, kOpImm);
}
inline uint32_t lui(uint32_t rd, int64_t imm) {
  return u_type(imm, rd, kOpLui);
}
inline uint32_t auipc(uint32_t rd, int64_t imm) {
  return u_type(imm, rd, kOpAuipc);
}
inline uint32_t jal(uint32_t rd, int64_t off) {
  return j_type(off, rd);
}
inline uint32_t jalr(uint32_t rd, uint32_t rs1, int64_t off) {
  return i_type(off, rs1, 0, rd, kOpJalr);
}
// funct3: 0 beq, 1 bne, 4 blt, 5 bge, 6 bltu, 7 bgeu.
inline uint32_t branch(uint32_t f3, uint32_t rs1, uint32_t rs2, int64_t off) {
  return b_type(off, rs2, rs1, f3);
}
// funct3: 0 lb, 1 lh, 2 lw, 3 ld, 4 lbu, 5 lhu, 6 lwu.
inline uint32_t load(uint32_t f3, uint32_t rd, uint32_t rs1, int64_t off) {
  return i_type(off, rs1, f3, rd, kOpLoad);
}
// funct3: 0 sb, 1 sh, 2 sw, 3 sd.
inline uint32_t store(uint32_t f3, uint32_t rs2, uint32_t rs1, int64_t off) {
  return s_type(off, rs2, rs1, f3, kOpStore);
}
// funct3: 1 csrrw, 2 csrrs, 3 csrrc, 5 csrrwi, 6 csrrsi, 7 csrrci.
inline uint32_t csr(uint32_t f3, uint32_t rd, uint32_t csr_num, uint32_t rs1_or_uimm) {
  return csr_num << 20 | rs1_or_uimm << 15 | f3 << 12 | rd << 7 | kOpSystem;
}
inline constexpr uint32_t kEcall = 0x00000073, kEbreak = 0x00100073, kMret = 0x30200073,
                          kWfi = 0x10500073, kFenceI = 0x0000100f, kJumpSelf = 0x0000006f;

// ---- The vector extension (RVV 1.0 sections 6, 7 and 10).
inline constexpr uint32_t kOpV = 0x57, kOpLoadFp = 0x07, kOpStoreFp = 0x27;
// funct3 of OP-V: the operand kinds.
inline constexpr uint32_t kOpIvv = 0, kOpFvv = 1, kOpMvv = 2, kOpIvi = 3, kOpIvx = 4, kOpFvf = 5,
                          kOpMvx = 6;
// vtype immediate: LMUL code (0 m1, 1 m2, 2 m4, 3 m8, 5 mf8, 6 mf4, 7 mf2), SEW code (0 e8
// .. 3 e64), tail and mask agnostic.
inline uint32_t vtypei(uint32_t lmul, uint32_t sew, bool ta, bool ma) {
  return lmul | sew << 3 | (ta ? 1u : 0u) << 6 | (ma ? 1u : 0u) << 7;
}
inline uint32_t vsetvli(uint32_t rd, uint32_t rs1, uint32_t vtype) {
  return bits(vtype, 10, 0) << 20 | rs1 << 15 | 7u << 12 | rd << 7 | kOpV;
}
inline uint32_t vsetivli(uint32_t rd, uint32_t avl, uint32_t vtype) {
  return 3u << 30 | bits(vtype, 9, 0) << 20 | bits(avl, 4, 0) << 15 | 7u << 12 | rd << 7 | kOpV;
}
// An OP-V arithmetic instruction: `src1` is vs1, rs1 or the 5-bit immediate as `f3` says;
// `masked` clears vm (the op runs under v0.t).
inline uint32_t v_op(uint32_t f6, bool masked, uint32_t vs2, uint32_t src1, uint32_t f3,
                     uint32_t vd) {
  return f6 << 26 | (masked ? 0u : 1u) << 25 | vs2 << 20 | bits(src1, 4, 0) << 15 | f3 << 12 |
         vd << 7 | kOpV;
}
// Unit-stride (mop 0) and strided (mop 2, stride in rs2) loads and stores; `width` is the
// element width code (0 e8, 5 e16, 6 e32, 7 e64).
inline uint32_t v_load(uint32_t width, uint32_t mop, bool masked, uint32_t rs2, uint32_t rs1,
                       uint32_t vd) {
  return mop << 26 | (masked ? 0u : 1u) << 25 | rs2 << 20 | rs1 << 15 | width << 12 | vd << 7 |
         kOpLoadFp;
}
inline uint32_t v_store(uint32_t width, uint32_t mop, bool masked, uint32_t rs2, uint32_t rs1,
                        uint32_t vs3) {
  return mop << 26 | (masked ? 0u : 1u) << 25 | rs2 << 20 | rs1 << 15 | width << 12 | vs3 << 7 |
         kOpStoreFp;
}

// ---- Compressed (RVC). `rdp`/`rs1p`/`rs2p` are x8..x15 given as full register numbers.
inline uint16_t c_reg(uint32_t r) {
  return static_cast<uint16_t>(r - 8);
}
inline uint16_t c_addi(uint32_t rd, int64_t imm) {  // rd != 0, imm != 0, 6-bit signed
  return static_cast<uint16_t>(0x0001 | bits(imm, 5, 5) << 12 | rd << 7 | bits(imm, 4, 0) << 2);
}
inline uint16_t c_addiw(uint32_t rd, int64_t imm) {  // rd != 0
  return static_cast<uint16_t>(0x2001 | bits(imm, 5, 5) << 12 | rd << 7 | bits(imm, 4, 0) << 2);
}
inline uint16_t c_li(uint32_t rd, int64_t imm) {  // rd != 0
  return static_cast<uint16_t>(0x4001 | bits(imm, 5, 5) << 12 | rd << 7 | bits(imm, 4, 0) << 2);
}
inline uint16_t c_lui(uint32_t rd, int64_t imm) {  // rd != 0, 2; imm = nzimm[17:12] != 0
  return static_cast<uint16_t>(0x6001 | bits(imm, 5, 5) << 12 | rd << 7 | bits(imm, 4, 0) << 2);
}
inline uint16_t c_slli(uint32_t rd, uint32_t shamt) {  // rd != 0, shamt 1..63
  return static_cast<uint16_t>(0x0002 | bits(shamt, 5, 5) << 12 | rd << 7 | bits(shamt, 4, 0) << 2);
}
// funct2: 0 c.srli, 1 c.srai (shamt 1..63), 2 c.andi (6-bit signed imm).
inline uint16_t c_shift_andi(uint32_t f2, uint32_t rdp, int64_t imm) {
  return static_cast<uint16_t>(0x8001 | bits(imm, 5, 5) << 12 | f2 << 10 | c_reg(rdp) << 7 |
                               bits(imm, 4, 0) << 2);
}
// Register-register ALU on x8..x15: f 0 c.sub, 1 c.xor, 2 c.or, 3 c.and, 4 c.subw, 5 c.addw.
inline uint16_t c_alu(uint32_t f, uint32_t rdp, uint32_t rs2p) {
  const uint32_t hi = f >= 4 ? 1 : 0;
  return static_cast<uint16_t>(0x8c01 | hi << 12 | c_reg(rdp) << 7 | (f & 3) << 5 |
                               c_reg(rs2p) << 2);
}
inline uint16_t c_mv(uint32_t rd, uint32_t rs2) {  // rd != 0, rs2 != 0
  return static_cast<uint16_t>(0x8002 | rd << 7 | rs2 << 2);
}
inline uint16_t c_add(uint32_t rd, uint32_t rs2) {  // rd != 0, rs2 != 0
  return static_cast<uint16_t>(0x9002 | rd << 7 | rs2 << 2);
}
// c.lw / c.ld / c.sw / c.sd: base and data in x8..x15; offset scaled (4 or 8), unsigned.
inline uint16_t c_lw(uint32_t rdp, uint32_t rs1p, uint32_t off) {  // off 0..124, 4-aligned
  return static_cast<uint16_t>(0x4000 | bits(off, 5, 3) << 10 | c_reg(rs1p) << 7 |
                               bits(off, 2, 2) << 6 | bits(off, 6, 6) << 5 | c_reg(rdp) << 2);
}
inline uint16_t c_ld(uint32_t rdp, uint32_t rs1p, uint32_t off) {  // off 0..248, 8-aligned
  return static_cast<uint16_t>(0x6000 | bits(off, 5, 3) << 10 | c_reg(rs1p) << 7 |
                               bits(off, 7, 6) << 5 | c_reg(rdp) << 2);
}
inline uint16_t c_sw(uint32_t rs2p, uint32_t rs1p, uint32_t off) {
  return static_cast<uint16_t>(0xc000 | bits(off, 5, 3) << 10 | c_reg(rs1p) << 7 |
                               bits(off, 2, 2) << 6 | bits(off, 6, 6) << 5 | c_reg(rs2p) << 2);
}
inline uint16_t c_sd(uint32_t rs2p, uint32_t rs1p, uint32_t off) {
  return static_cast<uint16_t>(0xe000 | bits(off, 5, 3) << 10 | c_reg(rs1p) << 7 |
                               bits(off, 7, 6) << 5 | c_reg(rs2p) << 2);
}
// c.lwsp / c.ldsp / c.swsp / c.sdsp: sp-relative, unsigned scaled offsets.
inline uint16_t c_lwsp(uint32_t rd, uint32_t off) {  // rd != 0, off 0..252, 4-aligned
  return static_cast<uint16_t>(0x4002 | bits(off, 5, 5) << 12 | rd << 7 | bits(off, 4, 2) << 4 |
                               bits(off, 7, 6) << 2);
}
inline uint16_t c_ldsp(uint32_t rd, uint32_t off) {  // rd != 0, off 0..504, 8-aligned
  return static_cast<uint16_t>(0x6002 | bits(off, 5, 5) << 12 | rd << 7 | bits(off, 4, 3) << 5 |
                               bits(off, 8, 6) << 2);
}
inline uint16_t c_swsp(uint32_t rs2, uint32_t off) {
  return static_cast<uint16_t>(0xc002 | bits(off, 5, 2) << 9 | bits(off, 7, 6) << 7 | rs2 << 2);
}
inline uint16_t c_sdsp(uint32_t rs2, uint32_t off) {
  return static_cast<uint16_t>(0xe002 | bits(off, 5, 3) << 10 | bits(off, 8, 6) << 7 | rs2 << 2);
}
inline uint16_t c_j(int64_t off) {  // +-2 KiB, even
  return static_cast<uint16_t>(0xa001 | bits(off, 11, 11) << 12 | bits(off, 4, 4) << 11 |
                               bits(off, 9, 8) << 9 | bits(off, 10, 10) << 8 |
                               bits(off, 6, 6) << 7 | bits(off, 7, 7) << 6 | bits(off, 3, 1) << 3 |
                               bits(off, 5, 5) << 2);
}
// c.beqz (bnez = false) / c.bnez: rs1 in x8..x15, +-256 bytes, even.
inline uint16_t c_bz(bool bnez, uint32_t rs1p, int64_t off) {
  return static_cast<uint16_t>((bnez ? 0xe001 : 0xc001) | bits(off, 8, 8) << 12 |
                               bits(off, 4, 3) << 10 | c_reg(rs1p) << 7 | bits(off, 7, 6) << 5 |
                               bits(off, 2, 1) << 3 | bits(off, 5, 5) << 2);
}
inline constexpr uint16_t kCNop = 0x0001, kCEbreak = 0x9002;

}  // namespace tiervm::rv
