#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "devices/irq_line.h"
#include "devices/state_stream.h"
#include "mem/mmio_device.h"

namespace tiervm {

// SiFive PLIC for N harts with two contexts each, 2h = hart h's M-mode and 2h + 1 its
// S-mode, in QEMU virt's order (riscv,plic0 binding; layout of QEMU's sifive_plic.c with
// virt's parameters).
// Sources are level-triggered: a high line makes the source pending, a claim clears
// pending and holds the source until its completion, and a source whose line is still
// high when completed becomes pending again.
class Plic final : public MmioDevice {
 public:
  // QEMU 7.2 virt advertises riscv,ndev = 96 (VIRT_IRQCHIP_NUM_SOURCES) and Linux then
  // uses ids 1..96, so all of them exist here.
  static constexpr unsigned kNumSources = 96;
  static constexpr unsigned kMaxContexts = 16;  // 8 harts
  // 7 priority levels (VIRT_IRQCHIP_NUM_PRIO_BITS = 3): priority and threshold keep 3 bits.
  static constexpr uint32_t kPriorityMask = 7;

  static constexpr uint64_t kPriorityBase = 0x0;
  static constexpr uint64_t kPendingBase = 0x1000;
  static constexpr uint64_t kEnableBase = 0x2000;
  static constexpr uint64_t kEnableStride = 0x80;
  static constexpr uint64_t kContextBase = 0x200000;
  static constexpr uint64_t kContextStride = 0x1000;
  // QEMU maps room for VIRT_CPUS_MAX (512) harts * 2 contexts; the FDT's reg says so too.
  static constexpr uint64_t kSize = 0x600000;

  // outputs[2h] drives hart h's MEIP, [2h + 1] its SEIP.
  explicit Plic(std::vector<IrqLine*> outputs);
  Plic(IrqLine& meip, IrqLine& seip) : Plic(std::vector<IrqLine*>{&meip, &seip}) {}
  Plic(const Plic&) = delete;
  Plic& operator=(const Plic&) = delete;

  // The interrupt wire of source n (1..kNumSources). Source 0 does not exist.
  IrqLine& source(unsigned n);
  // System reset: priorities, pending bits, enables, thresholds and claims to zero (the
  // source wires keep the levels their devices drive).
  void reset();

  std::string_view name() const override { return "plic"; }
  unsigned access_sizes() const override { return 4; }
  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;

  bool pending(unsigned n) const { return test(pending_, n); }
  bool output(unsigned context) const { return out_level_[context]; }

  // Snapshots: priorities, source levels, pending and claimed bits, enables and
  // thresholds. A load drives the context outputs from the loaded state; it comes after
  // the devices' loads, whose lines set levels and pending bits of their own. false
  // (nothing changed) when corrupt or of another size.
  void save(StateWriter& w) const;
  bool load(StateReader& r);

 private:
  static constexpr unsigned kWords = (kNumSources + 1 + 31) / 32;
  using Bits = std::array<uint32_t, kWords>;

  class SourceLine final : public IrqLine {
   public:
    void set_level(bool high) override { plic_->set_source_level(id_, high); }
    Plic* plic_ = nullptr;
    unsigned id_ = 0;
  };

  static bool test(const Bits& bits, unsigned n) { return (bits[n / 32] >> (n % 32)) & 1; }
  static void assign(Bits& bits, unsigned n, bool value);

  void set_source_level(unsigned id, bool high);
  // The id a claim on `context` would return (0 when none): the enabled, pending,
  // unclaimed source of highest priority above the threshold, lowest id on a tie.
  unsigned best(unsigned context) const;
  uint32_t claim(unsigned context);
  void complete(unsigned context, uint32_t id);
  void update();

  std::array<SourceLine, kNumSources + 1> lines_;
  std::array<uint32_t, kNumSources + 1> priority_{};
  Bits level_{};
  Bits pending_{};
  Bits claimed_{};
  unsigned contexts_ = 0;
  std::array<Bits, kMaxContexts> enable_{};
  std::array<uint32_t, kMaxContexts> threshold_{};
  std::array<IrqLine*, kMaxContexts> outputs_{};
  std::array<bool, kMaxContexts> out_level_{};
};

}  // namespace tiervm
