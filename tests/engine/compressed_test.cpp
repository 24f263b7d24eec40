// Tests for RVC expansion (engine/translate/compressed.cpp). The expected words were
// produced by GNU as 2.40 (-march=rv64gc): each compressed form and its 32-bit equivalent,
// assembled separately (the 32-bit one under `.option norvc`).

#include <gtest/gtest.h>

#include <cstdint>

#include "engine/decoder.h"
#include "engine/trap.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

struct RvcCase {
  uint16_t half;
  uint32_t word;
};

constexpr RvcCase kExpansions[] = {
    {0x0048, 0x00410513},  // c.addi4spn a0, sp, 4 == addi a0, sp, 4
    {0x1fe4, 0x3fc10493},  // c.addi4spn s1, sp, 1020 == addi s1, sp, 1020
    {0x0020, 0x00810413},  // c.addi4spn s0, sp, 8 == addi s0, sp, 8
    {0x041c, 0x20010793},  // c.addi4spn a5, sp, 512 == addi a5, sp, 512
    {0x2588, 0x0085b507},  // c.fld fa0, 8(a1) == fld fa0, 8(a1)
    {0x3c64, 0x0f843487},  // c.fld fs1, 248(s0) == fld fs1, 248(s0)
    {0x41c8, 0x0045a503},  // c.lw a0, 4(a1) == lw a0, 4(a1)
    {0x5cfc, 0x07c4a783},  // c.lw a5, 124(s1) == lw a5, 124(s1)
    {0x43a0, 0x0407a403},  // c.lw s0, 64(a5) == lw s0, 64(a5)
    {0x7de8, 0x0f85b503},  // c.ld a0, 248(a1) == ld a0, 248(a1)
    {0x62b0, 0x0406b603},  // c.ld a2, 64(a3) == ld a2, 64(a3)
    {0xa588, 0x00a5b427},  // c.fsd fa0, 8(a1) == fsd fa0, 8(a1)
    {0xbbe0, 0x0e87b827},  // c.fsd fs0, 240(a5) == fsd fs0, 240(a5)
    {0xc1c8, 0x00a5a223},  // c.sw a0, 4(a1) == sw a0, 4(a1)
    {0xdcfc, 0x06f4ae23},  // c.sw a5, 124(s1) == sw a5, 124(s1)
    {0xfde8, 0x0ea5bc23},  // c.sd a0, 248(a1) == sd a0, 248(a1)
    {0xe344, 0x08973023},  // c.sd s1, 128(a4) == sd s1, 128(a4)
    {0x0001, 0x00000013},  // c.nop == addi zero, zero, 0
    {0x157d, 0xfff50513},  // c.addi a0, -1 == addi a0, a0, -1
    {0x057d, 0x01f50513},  // c.addi a0, 31 == addi a0, a0, 31
    {0x1101, 0xfe010113},  // c.addi sp, -32 == addi sp, sp, -32
    {0x0f85, 0x001f8f93},  // c.addi t6, 1 == addi t6, t6, 1
    {0x3501, 0xfe05051b},  // c.addiw a0, -32 == addiw a0, a0, -32
    {0x2501, 0x0005051b},  // c.addiw a0, 0 == addiw a0, a0, 0
    {0x2dfd, 0x01fd8d9b},  // c.addiw s11, 31 == addiw s11, s11, 31
    {0x4505, 0x00100513},  // c.li a0, 1 == addi a0, zero, 1
    {0x5501, 0xfe000513},  // c.li a0, -32 == addi a0, zero, -32
    {0x4ffd, 0x01f00f93},  // c.li t6, 31 == addi t6, zero, 31
    {0x7101, 0xe0010113},  // c.addi16sp sp, -512 == addi sp, sp, -512
    {0x617d, 0x1f010113},  // c.addi16sp sp, 496 == addi sp, sp, 496
    {0x6141, 0x01010113},  // c.addi16sp sp, 16 == addi sp, sp, 16
    {0x6105, 0x02010113},  // c.addi16sp sp, 32 == addi sp, sp, 32
    {0x6121, 0x04010113},  // c.addi16sp sp, 64 == addi sp, sp, 64
    {0x6109, 0x08010113},  // c.addi16sp sp, 128 == addi sp, sp, 128
    {0x6111, 0x10010113},  // c.addi16sp sp, 256 == addi sp, sp, 256
    {0x6505, 0x00001537},  // c.lui a0, 1 == lui a0, 1
    {0x657d, 0x0001f537},  // c.lui a0, 31 == lui a0, 31
    {0x7dfd, 0xfffffdb7},  // c.lui s11, 0xfffff == lui s11, 0xfffff
    {0x7081, 0xfffe00b7},  // c.lui ra, 0xfffe0 == lui ra, 0xfffe0
    {0x8105, 0x00155513},  // c.srli a0, 1 == srli a0, a0, 1
    {0x90fd, 0x03f4d493},  // c.srli s1, 63 == srli s1, s1, 63
    {0x9381, 0x0207d793},  // c.srli a5, 32 == srli a5, a5, 32
    {0x8505, 0x40155513},  // c.srai a0, 1 == srai a0, a0, 1
    {0x947d, 0x43f45413},  // c.srai s0, 63 == srai s0, s0, 63
    {0x997d, 0xfff57513},  // c.andi a0, -1 == andi a0, a0, -1
    {0x8bfd, 0x01f7f793},  // c.andi a5, 31 == andi a5, a5, 31
    {0x9801, 0xfe047413},  // c.andi s0, -32 == andi s0, s0, -32
    {0x8d0d, 0x40b50533},  // c.sub a0, a1 == sub a0, a0, a1
    {0x8c3d, 0x00f44433},  // c.xor s0, a5 == xor s0, s0, a5
    {0x8e55, 0x00d66633},  // c.or a2, a3 == or a2, a2, a3
    {0x8f65, 0x00977733},  // c.and a4, s1 == and a4, a4, s1
    {0x9d0d, 0x40b5053b},  // c.subw a0, a1 == subw a0, a0, a1
    {0x9c3d, 0x00f4043b},  // c.addw s0, a5 == addw s0, s0, a5
    {0xa095, 0x0640006f},  // c.j .+100 == jal zero, .+100
    {0xb001, 0x801ff06f},  // c.j .-2048 == jal zero, .-2048
    {0xaffd, 0x7fe0006f},  // c.j .+2046 == jal zero, .+2046
    {0xa009, 0x0020006f},  // c.j .+2 == jal zero, .+2
    {0xa005, 0x0200006f},  // c.j .+32 == jal zero, .+32
    {0xa101, 0x4000006f},  // c.j .+1024 == jal zero, .+1024
    {0xd101, 0xf00500e3},  // c.beqz a0, .-256 == beq a0, zero, .-256
    {0xcc7d, 0x0e040f63},  // c.beqz s0, .+254 == beq s0, zero, .+254
    {0xc389, 0x00078163},  // c.beqz a5, .+2 == beq a5, zero, .+2
    {0xe085, 0x02049063},  // c.bnez s1, .+32 == bne s1, zero, .+32
    {0xea01, 0x00061863},  // c.bnez a2, .+16 == bne a2, zero, .+16
    {0xff7d, 0xfe071fe3},  // c.bnez a4, .-2 == bne a4, zero, .-2
    {0x0506, 0x00151513},  // c.slli a0, 1 == slli a0, a0, 1
    {0x1ffe, 0x03ff9f93},  // c.slli t6, 63 == slli t6, t6, 63
    {0x1082, 0x02009093},  // c.slli ra, 32 == slli ra, ra, 32
    {0x357e, 0x1f813507},  // c.fldsp fa0, 504(sp) == fld fa0, 504(sp)
    {0x2022, 0x00813007},  // c.fldsp ft0, 8(sp) == fld ft0, 8(sp)
    {0x557e, 0x0fc12503},  // c.lwsp a0, 252(sp) == lw a0, 252(sp)
    {0x4092, 0x00412083},  // c.lwsp ra, 4(sp) == lw ra, 4(sp)
    {0x70fe, 0x1f813083},  // c.ldsp ra, 504(sp) == ld ra, 504(sp)
    {0x6fa2, 0x00813f83},  // c.ldsp t6, 8(sp) == ld t6, 8(sp)
    {0x8082, 0x00008067},  // c.jr ra == jalr zero, 0(ra)
    {0x8f82, 0x000f8067},  // c.jr t6 == jalr zero, 0(t6)
    {0x852e, 0x00b00533},  // c.mv a0, a1 == add a0, zero, a1
    {0x8f86, 0x00100fb3},  // c.mv t6, ra == add t6, zero, ra
    {0x9002, 0x00100073},  // c.ebreak == ebreak
    {0x9502, 0x000500e7},  // c.jalr a0 == jalr ra, 0(a0)
    {0x9082, 0x000080e7},  // c.jalr ra == jalr ra, 0(ra)
    {0x952e, 0x00b50533},  // c.add a0, a1 == add a0, a0, a1
    {0x917e, 0x01f10133},  // c.add sp, t6 == add sp, sp, t6
    {0xbfaa, 0x1ea13c27},  // c.fsdsp fa0, 504(sp) == fsd fa0, 504(sp)
    {0xa46e, 0x01b13427},  // c.fsdsp fs11, 8(sp) == fsd fs11, 8(sp)
    {0xdfaa, 0x0ea12e23},  // c.swsp a0, 252(sp) == sw a0, 252(sp)
    {0xc206, 0x00112223},  // c.swsp ra, 4(sp) == sw ra, 4(sp)
    {0xff86, 0x1e113c23},  // c.sdsp ra, 504(sp) == sd ra, 504(sp)
    {0xe47e, 0x01f13423},  // c.sdsp t6, 8(sp) == sd t6, 8(sp)
    {0x4005, 0x00100013},  // c.li zero, 1 == addi zero, zero, 1
    {0x0005, 0x00100013},  // c.nop 1 == addi zero, zero, 1
    {0x106d, 0xffb00013},  // c.addi zero, -5 == addi zero, zero, -5
    {0x6005, 0x00001037},  // c.lui zero, 1 == lui zero, 1
    {0x802a, 0x00a00033},  // c.mv zero, a0 == add zero, zero, a0
    {0x902a, 0x00a00033},  // c.add zero, a0 == add zero, zero, a0
    {0x0006, 0x00101013},  // c.slli zero, 1 == slli zero, zero, 1
    {0x0502, 0x00051513},  // .insn ci 2, 0, a0, 0 == slli a0, a0, 0
    // Hand-encoded from the spec's CB layout: c.srli a0 with shamt 0, a HINT.
    {0x8101, 0x00055513},  // 100 0 00 010 00000 01 == srli a0, a0, 0
};

TEST(CompressedTest, ExpandsToTheSpecEquivalent) {
  for (const RvcCase& c : kExpansions) {
    EXPECT_EQ(expand_compressed(c.half), c.word) << std::hex << "half 0x" << c.half;
  }
}

// Reserved encodings (unprivileged spec 16.8 table, "RES") and encodings of extensions we
// do not implement (Zcb) expand to 0. Hand-encoded from the spec's bit layouts.
constexpr uint16_t kReserved[] = {
    0x0000,  // all zeros: defined illegal
    0x0004,  // c.addi4spn s1 (rd'=001), nzuimm=0
    0x0010,  // c.addi4spn a2 (rd'=100), nzuimm=0
    0x8008,  // quadrant 0 funct3=100 (Zcb loads/stores)
    0x2001,  // c.addiw rd=0, imm=0
    0x2005,  // c.addiw rd=0, imm=1
    0x6501,  // c.lui a0, nzimm=0
    0x6001,  // c.lui zero, nzimm=0
    0x6101,  // c.addi16sp nzimm=0
    0x9c41,  // 100 1 11 000 10 000 01: c.mul (Zcb), reserved in RV64C
    0x9c61,  // 100 1 11 000 11 000 01: Zcb unary ops, reserved in RV64C
    0x4002,  // c.lwsp rd=0
    0x5002,  // c.lwsp rd=0, uimm[5]=1
    0x6002,  // c.ldsp rd=0
    0x8002,  // c.jr rs1=0
};

TEST(CompressedTest, ReservedEncodingsExpandToZero) {
  for (uint16_t h : kReserved) {
    EXPECT_EQ(expand_compressed(h), 0u) << std::hex << "half 0x" << h;
  }
}

TEST(CompressedTest, ThirtyTwoBitWordsAreNotExpanded) {
  EXPECT_EQ(expand_compressed(0x0013), 0u);
  EXPECT_EQ(expand_compressed(0xffff), 0u);
}

// Every compressed halfword expands to a 32-bit instruction (low bits 11) or to 0.
TEST(CompressedTest, EveryHalfwordExpandsToA32BitWordOrZero) {
  unsigned legal = 0;
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 3) == 3) continue;
    const uint32_t w = expand_compressed(static_cast<uint16_t>(h));
    if (w == 0) continue;
    ++legal;
    ASSERT_EQ(w & 3, 3u) << std::hex << "half 0x" << h;
  }
  // The reserved space of RV64C without Zcb/Zcmp, counted from the spec's free bits:
  // c.addi4spn nzuimm=0 (rd' free: 8 words), quadrant 0 funct3=100 (11 free bits: 2048),
  // c.addiw rd=0 (imm free: 64), c.lui/c.addi16sp nzimm=0 (rd free: 32), quadrant 1
  // 100 1 11 --- 1- --- (7 free bits: 128), c.lwsp rd=0 (64), c.ldsp rd=0 (64), c.jr x0 (1).
  EXPECT_EQ(legal, 49152u - 8 - 2048 - 64 - 32 - 128 - 64 - 64 - 1);
}

class CompressedTestOnTier : public test::OnEveryTier {};
TIERVM_ON_EVERY_TIER(CompressedTestOnTier);

// Compressed code runs through the whole engine: 2-byte instructions, pc advancing by 2.
TEST_P(CompressedTestOnTier, Executes) {
  test::TestMachine m(tier());
  m.put16({
      0x4505,          // c.li a0, 1
      0x1502,          // c.slli a0, 32
      0x157d,          // c.addi a0, -1
      0x85aa,          // c.mv a1, a0
      0x2581,          // c.addiw a1, 0
      0x9185,          // c.srli a1, 33
      0x006f, 0x0000,  // j . (32-bit, 2-byte aligned)
  });
  m.run(7);
  EXPECT_EQ(m.x(10), 0xffffffffu);  // a0 = (1 << 32) - 1
  EXPECT_EQ(m.x(11), 0x7fffffffu);  // a1 = u64(sext32(a0)) >> 33
  EXPECT_EQ(m.pc(), test::kRamBase + 12);
}

// A reserved compressed encoding is an illegal instruction at its own pc.
TEST_P(CompressedTestOnTier, ReservedEncodingTrapsAsIllegal) {
  test::TestMachine m(tier());
  m.put16({0x4505, 0x6101, 0x4509});  // c.li a0, 1; c.addi16sp sp, 0 (reserved); c.li a0, 2
  m.put({test::kJumpSelf}, test::kRamBase + 0x800);
  m.hart.s.mtvec = test::kRamBase + 0x800;
  m.run(3);
  EXPECT_EQ(m.hart.s.mcause, static_cast<uint64_t>(Cause::IllegalInsn));
  EXPECT_EQ(m.hart.s.mepc, test::kRamBase + 2);
  EXPECT_EQ(m.x(10), 1u);
  EXPECT_EQ(m.pc(), test::kRamBase + 0x800);
}

}  // namespace
}  // namespace tiervm
