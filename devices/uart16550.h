#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string_view>

#include "devices/irq_line.h"
#include "devices/state_stream.h"
#include "mem/mmio_device.h"

namespace tiervm {

// National Semiconductor 16550A UART with the register semantics of QEMU's serial.c
// (PC16550D datasheet for the register map). Transmission is instantaneous: a byte
// written to THR goes straight to the output sink (or, in loopback, to the receiver).
//
// Threads: push_input() and can_accept_input() may be called from any thread (the host's
// stdin reader). Everything else runs on the hart's thread; staged input enters the
// receiver there (poll() and RBR reads), so the IrqLine is only driven from that thread.
class Uart16550 final : public MmioDevice {
 public:
  static constexpr uint64_t kSize = 0x100;
  static constexpr unsigned kFifoSize = 16;
  // Host input waiting for room in the receiver, like a character backend holding data
  // the device cannot take yet.
  static constexpr size_t kStagingCapacity = 4096;

  // Register offsets (reg-shift 0) and bits, named as in Linux's serial_reg.h.
  enum : uint8_t {
    kRbrThr = 0,
    kIer = 1,
    kIirFcr = 2,
    kLcr = 3,
    kMcr = 4,
    kLsr = 5,
    kMsr = 6,
    kScr = 7
  };
  static constexpr uint8_t kIerRdi = 0x01, kIerThri = 0x02, kIerRlsi = 0x04, kIerMsi = 0x08;
  static constexpr uint8_t kIirNoInt = 0x01, kIirMsi = 0x00, kIirThri = 0x02, kIirRdi = 0x04,
                           kIirRlsi = 0x06, kIirCti = 0x0c, kIirFifoEnabled = 0xc0;
  static constexpr uint8_t kFcrEnable = 0x01, kFcrClearRx = 0x02, kFcrClearTx = 0x04;
  static constexpr uint8_t kLcrDlab = 0x80;
  static constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08,
                           kMcrLoop = 0x10;
  static constexpr uint8_t kLsrDr = 0x01, kLsrOe = 0x02, kLsrPe = 0x04, kLsrFe = 0x08,
                           kLsrBi = 0x10, kLsrThre = 0x20, kLsrTemt = 0x40;
  static constexpr uint8_t kMsrDcts = 0x01, kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40,
                           kMsrDcd = 0x80;

  Uart16550(IrqLine& irq, std::function<void(uint8_t)> output);

  std::string_view name() const override { return "uart16550"; }
  // QEMU's serial-mm accepts 1..8-byte accesses and treats each as a byte access to the
  // register at that offset; doing the same keeps wide accesses free of side effects on
  // neighbouring registers.
  unsigned access_sizes() const override { return 1 | 2 | 4 | 8; }
  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;

  // Any thread. Queue a byte typed by the host user; returns false when the staging
  // queue is full (the caller keeps the byte and retries later).
  bool push_input(uint8_t byte);
  // Hart thread. System reset: the registers' power-on values, both FIFOs empty; host
  // input already staged stays staged.
  void reset();
  bool can_accept_input() const;

  // Hart thread, periodically: moves staged input into the receiver and fires the
  // character timeout (QEMU: 4 character times without receiver activity) for bytes
  // below the FIFO trigger level, here measured as one poll period without activity.
  void poll();

  // True when a poll() would change something: staged input the receiver can take, or
  // received bytes still waiting for the character timeout. For the hart's WFI sleep.
  bool wants_poll() const;
  bool irq_level() const { return irq_level_; }

  // Hart thread. Snapshots: the registers and the receive FIFO. Host input still staged
  // is the host's, not the guest's: it stays where it is. A load drives the interrupt
  // line; false (nothing changed) when corrupt.
  void save(StateWriter& w) const;
  bool load(StateReader& r);

 private:
  uint8_t read_register(unsigned reg);
  void write_register(unsigned reg, uint8_t value);
  void transmit(uint8_t byte);
  void receive(uint8_t byte);
  // How many bytes the receiver takes now (QEMU's serial_can_receive).
  unsigned receiver_room() const;
  void drain_staging();
  void write_fcr(uint8_t value);
  void update_irq();

  IrqLine& irq_;
  std::function<void(uint8_t)> output_;

  uint16_t divider_ = 0x0c;
  uint8_t rbr_ = 0;
  uint8_t ier_ = 0;
  uint8_t iir_ = kIirNoInt;
  uint8_t lcr_ = 0;
  uint8_t mcr_ = kMcrOut2;
  uint8_t lsr_ = kLsrTemt | kLsrThre;
  uint8_t msr_ = kMsrDcd | kMsrDsr | kMsrCts;
  uint8_t scr_ = 0;
  uint8_t fcr_ = 0;
  unsigned trigger_level_ = 1;
  bool thr_ipending_ = false;
  bool timeout_ipending_ = false;
  bool rx_activity_ = false;
  bool irq_level_ = false;

  uint8_t rx_fifo_[kFifoSize] = {};
  unsigned rx_head_ = 0;
  unsigned rx_count_ = 0;

  mutable std::mutex staging_mutex_;
  std::deque<uint8_t> staging_;
  std::atomic<bool> staging_nonempty_{false};
};

}  // namespace tiervm
