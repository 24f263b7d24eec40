#pragma once

#include <cstdint>
#include <string_view>

#include "devices/clock.h"
#include "devices/irq_line.h"
#include "mem/mmio_device.h"

namespace tiervm {

// SiFive CLINT for one hart, laid out as QEMU's virt (riscv_aclint.c with the
// SiFive-compatible offsets): msip at 0x0000, mtimecmp at 0x4000, mtime at 0xbff8.
// mtime is the clock's tick count plus an offset that guest writes to mtime adjust.
class Clint final : public MmioDevice {
 public:
  static constexpr uint64_t kSize = 0x10000;
  static constexpr uint64_t kMsip = 0x0000;
  static constexpr uint64_t kMtimecmp = 0x4000;
  static constexpr uint64_t kMtime = 0xbff8;

  Clint(Clock& clock, IrqLine& msip, IrqLine& mtip);

  std::string_view name() const override { return "clint"; }
  unsigned access_sizes() const override { return 4 | 8; }
  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;

  // Re-evaluates MTIP = (mtime >= mtimecmp). The machine calls it periodically; mtimecmp
  // and mtime writes call it too.
  void update();
  uint64_t mtime();
  // System reset: msip clear, mtimecmp all ones, mtime back on the clock (QEMU's
  // aclint reset clears its time delta).
  void reset();
  uint64_t mtimecmp() const { return mtimecmp_; }
  // Ticks until MTIP rises: 0 when it is already due, UINT64_MAX when it never will
  // (mtimecmp at its maximum). For the hart's WFI sleep.
  uint64_t ticks_until_deadline();

 private:
  void set_mtime(uint64_t value);
  void set_mtimecmp(uint64_t value);

  Clock& clock_;
  IrqLine& msip_line_;
  IrqLine& mtip_line_;
  uint32_t msip_ = 0;
  // The ACLINT spec leaves mtimecmp's reset value unspecified; all ones keeps MTIP low
  // until software programs it, as QEMU's guest-visible behaviour is.
  uint64_t mtimecmp_ = ~uint64_t{0};
  uint64_t mtime_offset_ = 0;
  bool mtip_level_ = false;
};

}  // namespace tiervm
