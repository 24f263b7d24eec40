#include "devices/boot_rom.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace tiervm {
namespace {

uint64_t le(const std::vector<uint8_t>& b, size_t off, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint64_t{b.at(off + i)} << (8 * i);
  return v;
}

// Encodings worked out by hand from the base ISA formats (unprivileged spec 2.2-2.6):
//   auipc t0,0       U-type: imm=0,     rd=5,  op=0x17            -> 0x00000297
//   addi a2,t0,40    I-type: imm=0x028, rs1=5, f3=0, rd=12, 0x13  -> 0x02828613
//   csrr a0,mhartid  I-type: csr=0xf14, rs1=0, f3=2, rd=10, 0x73  -> 0xf1402573
//   ld a1,32(t0)     I-type: imm=0x020, rs1=5, f3=3, rd=11, 0x03  -> 0x0202b583
//   ld t0,24(t0)     I-type: imm=0x018, rs1=5, f3=3, rd=5,  0x03  -> 0x0182b283
//   jr t0            jalr x0,0(t0): rs1=5, f3=0, rd=0, 0x67       -> 0x00028067
// They match QEMU's riscv_setup_rom_reset_vec for RV64.
constexpr uint32_t kExpected[] = {0x00000297, 0x02828613, 0xf1402573,
                                  0x0202b583, 0x0182b283, 0x00028067};

TEST(BootRom, InstructionWords) {
  auto rom = build_boot_rom({0x8000'0000, 0x8fe0'0000, 0x8020'0000});
  for (size_t i = 0; i < std::size(kExpected); ++i) {
    EXPECT_EQ(le(rom, 4 * i, 4), kExpected[i]) << "word " << i;
  }
}

TEST(BootRom, DataSlotsAndFwDynamicInfo) {
  auto rom = build_boot_rom({0x1'8000'0000, 0x8fe0'0000, 0x8020'0000});
  ASSERT_EQ(rom.size(), 0x28u + 6 * 8);
  EXPECT_EQ(le(rom, 0x18, 8), 0x1'8000'0000u);  // start address (ld t0, 24(t0))
  EXPECT_EQ(le(rom, 0x20, 8), 0x8fe0'0000u);    // FDT address (ld a1, 32(t0))
  // fw_dynamic_info at a2 = ROM + 40 (OpenSBI include/sbi/fw_dynamic.h).
  EXPECT_EQ(le(rom, 0x28, 8), 0x4942534fu);   // magic "OSBI"
  EXPECT_EQ(le(rom, 0x30, 8), 2u);            // version
  EXPECT_EQ(le(rom, 0x38, 8), 0x8020'0000u);  // next_addr
  EXPECT_EQ(le(rom, 0x40, 8), 1u);            // next_mode = S
  EXPECT_EQ(le(rom, 0x48, 8), 0u);            // options
  EXPECT_EQ(le(rom, 0x50, 8), 0u);            // boot_hart
}

// Cross-check against the GNU assembler when the cross toolchain is installed.
TEST(BootRom, MatchesAssembler) {
  if (std::system("command -v riscv64-unknown-elf-as >/dev/null 2>&1 && "
                  "command -v riscv64-unknown-elf-objcopy >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "riscv64-unknown-elf binutils not installed";
  }
  char dir[] = "/tmp/tiervm_bootrom_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string base = dir;
  {
    std::ofstream s(base + "/rom.S");
    s << "_start:\n auipc t0, 0\n addi a2, t0, 40\n csrr a0, mhartid\n"
         " ld a1, 32(t0)\n ld t0, 24(t0)\n jr t0\n";
  }
  std::string cmd = "cd " + base +
                    " && riscv64-unknown-elf-as -march=rv64i_zicsr -o rom.o rom.S"
                    " && riscv64-unknown-elf-objcopy -O binary -j .text rom.o rom.bin";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream bin(base + "/rom.bin", std::ios::binary);
  std::vector<uint8_t> want((std::istreambuf_iterator<char>(bin)),
                            std::istreambuf_iterator<char>());
  EXPECT_EQ(std::system(("rm -rf " + base).c_str()), 0);
  ASSERT_EQ(want.size(), 24u);
  auto rom = build_boot_rom({0, 0, 0});
  EXPECT_EQ(std::vector<uint8_t>(rom.begin(), rom.begin() + 24), want);
}

}  // namespace
}  // namespace tiervm
