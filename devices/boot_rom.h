#pragma once

#include <cstdint>
#include <vector>

namespace tiervm {

// The fw_dynamic_info structure that OpenSBI's fw_dynamic reads through a2
// (OpenSBI include/sbi/fw_dynamic.h), version 2.
struct FwDynamicInfo {
  static constexpr uint64_t kMagic = 0x4942534f;  // "OSBI"
  static constexpr uint64_t kVersion = 2;
  static constexpr uint64_t kNextModeS = 1;
  uint64_t magic = kMagic;
  uint64_t version = kVersion;
  uint64_t next_addr = 0;  // where OpenSBI jumps after its own start-up (the kernel)
  uint64_t next_mode = kNextModeS;
  uint64_t options = 0;
  uint64_t boot_hart = 0;
};
static_assert(sizeof(FwDynamicInfo) == 48);

struct BootRomParams {
  uint64_t start_addr = 0;  // firmware (or kernel) entry point
  uint64_t fdt_addr = 0;    // guest-physical address of the device tree blob
  uint64_t next_addr = 0;   // fw_dynamic_info.next_addr
};

// Layout of the reset vector, as QEMU's riscv_setup_rom_reset_vec builds it:
//   0x00 auipc t0, 0           t0 = ROM base
//   0x04 addi  a2, t0, 0x28    a2 = &fw_dynamic_info
//   0x08 csrr  a0, mhartid
//   0x0c ld    a1, 0x20(t0)    a1 = FDT address
//   0x10 ld    t0, 0x18(t0)    t0 = start address
//   0x14 jr    t0
//   0x18 .dword start_addr
//   0x20 .dword fdt_addr
//   0x28 fw_dynamic_info
inline constexpr uint64_t kBootRomStartSlot = 0x18;
inline constexpr uint64_t kBootRomFdtSlot = 0x20;
inline constexpr uint64_t kBootRomInfoOffset = 0x28;

// The ROM bytes (code and data only; the board pads them to the ROM's size).
std::vector<uint8_t> build_boot_rom(const BootRomParams& params);

}  // namespace tiervm
