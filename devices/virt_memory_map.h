#pragma once

#include <cstdint>

namespace tiervm::virt {

// The memory map and interrupt numbers of QEMU's riscv virt machine (hw/riscv/virt.c,
// virt_memmap[] and the *_IRQ enums), which this board reproduces.
inline constexpr uint64_t kBootRomBase = 0x1000;
inline constexpr uint64_t kBootRomSize = 0xf000;
inline constexpr uint64_t kTestBase = 0x100000;
inline constexpr uint64_t kTestSize = 0x1000;
inline constexpr uint64_t kRtcBase = 0x101000;
inline constexpr uint64_t kRtcSize = 0x1000;
inline constexpr uint64_t kClintBase = 0x2000000;
inline constexpr uint64_t kClintSize = 0x10000;
inline constexpr uint64_t kPlicBase = 0xc000000;
inline constexpr uint64_t kPlicSize = 0x600000;
inline constexpr uint64_t kUartBase = 0x10000000;
inline constexpr uint64_t kUartSize = 0x100;
inline constexpr uint64_t kVirtioBase = 0x10001000;
inline constexpr uint64_t kVirtioStride = 0x1000;
inline constexpr uint64_t kVirtioSize = 0x1000;
inline constexpr unsigned kVirtioCount = 8;
inline constexpr uint64_t kRamBase = 0x80000000;

inline constexpr unsigned kVirtioIrq = 1;  // slot n uses irq kVirtioIrq + n
inline constexpr unsigned kUartIrq = 10;
inline constexpr unsigned kRtcIrq = 11;
// The PLIC advertises riscv,ndev = 96 (QEMU 7.2 VIRT_IRQCHIP_NUM_SOURCES).
inline constexpr unsigned kPlicNdev = 96;

// The UART's input clock in Hz, as QEMU's FDT says (0x384000).
inline constexpr uint32_t kUartClockHz = 3686400;

constexpr uint64_t virtio_base(unsigned slot) {
  return kVirtioBase + slot * kVirtioStride;
}

}  // namespace tiervm::virt
