#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

#include "devices/clock.h"
#include "devices/irq_line.h"
#include "devices/state_stream.h"
#include "mem/mmio_device.h"

namespace tiervm {

// The interrupt wires of one hart that the CLINT drives.
struct ClintHartLines {
  IrqLine* msip;
  IrqLine* mtip;
};

// SiFive CLINT for N harts, laid out as QEMU's virt (riscv_aclint.c with the
// SiFive-compatible offsets): hart h's msip at 0x0000 + 4h, its mtimecmp at 0x4000 + 8h,
// the shared mtime at 0xbff8. mtime is the clock's tick count plus an offset that guest
// writes to mtime adjust.
class Clint final : public MmioDevice {
 public:
  static constexpr uint64_t kSize = 0x10000;
  static constexpr uint64_t kMsip = 0x0000;
  static constexpr uint64_t kMtimecmp = 0x4000;
  static constexpr uint64_t kMtime = 0xbff8;
  static constexpr unsigned kMaxHarts = 8;

  Clint(Clock& clock, const std::vector<ClintHartLines>& harts);
  Clint(Clock& clock, IrqLine& msip, IrqLine& mtip) : Clint(clock, {{&msip, &mtip}}) {}

  std::string_view name() const override { return "clint"; }
  unsigned access_sizes() const override { return 4 | 8; }
  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;

  // Re-evaluates every hart's MTIP = (mtime >= mtimecmp). The machine calls it
  // periodically; mtimecmp and mtime writes call it too.
  void update();
  uint64_t mtime();
  // System reset: msip clear, mtimecmp all ones, mtime back on the clock (QEMU's
  // aclint reset clears its time delta).
  void reset();
  uint64_t mtimecmp(unsigned hart = 0) const { return harts_.at(hart).mtimecmp; }
  unsigned hart_count() const { return static_cast<unsigned>(harts_.size()); }
  // Ticks until the first hart's MTIP rises: 0 when one is already due, UINT64_MAX when
  // none ever will (every mtimecmp at its maximum). For the harts' WFI sleep.
  uint64_t ticks_until_deadline();

  // Snapshots: the hart count, each hart's msip and mtimecmp, and mtime as the guest sees
  // it now. A load sets mtime to the
  // saved value on this clock (the guest's time goes on from where it was saved, whatever
  // the host's clock says) and drives both lines. false (nothing changed) when corrupt.
  void save(StateWriter& w);
  bool load(StateReader& r);

 private:
  struct HartTimer {
    ClintHartLines lines;
    uint32_t msip = 0;
    // The ACLINT spec leaves mtimecmp's reset value unspecified; all ones keeps MTIP low
    // until software programs it, as QEMU's guest-visible behaviour is.
    uint64_t mtimecmp = ~uint64_t{0};
    bool mtip_level = false;
  };
  void set_mtime(uint64_t value);
  void update(HartTimer& hart, uint64_t now);

  Clock& clock_;
  std::vector<HartTimer> harts_;
  // Read by hart threads (the time CSR) without the device lock.
  std::atomic<uint64_t> mtime_offset_{0};
};

}  // namespace tiervm
