#include "devices/uart16550.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace tiervm {

namespace {

// LSR bits that raise a receiver line status interrupt (overrun, parity, framing, break).
constexpr uint8_t kLsrIntAny = 0x1e;
constexpr uint8_t kMsrAnyDelta = 0x0f;

}  // namespace

Uart16550::Uart16550(IrqLine& irq, std::function<void(uint8_t)> output)
    : irq_(irq), output_(std::move(output)) {}

void Uart16550::reset() {
  divider_ = 0x0c;
  rbr_ = 0;
  ier_ = 0;
  iir_ = kIirNoInt;
  lcr_ = 0;
  mcr_ = kMcrOut2;
  lsr_ = kLsrTemt | kLsrThre;
  msr_ = kMsrDcd | kMsrDsr | kMsrCts;
  scr_ = 0;
  fcr_ = 0;
  trigger_level_ = 1;
  thr_ipending_ = false;
  timeout_ipending_ = false;
  rx_activity_ = false;
  rx_head_ = 0;
  rx_count_ = 0;
  update_irq();
}

void Uart16550::save(StateWriter& w) const {
  w.u16(divider_);
  for (uint8_t reg : {rbr_, ier_, iir_, lcr_, mcr_, lsr_, msr_, scr_, fcr_}) w.u8(reg);
  w.u8(static_cast<uint8_t>(trigger_level_));
  for (bool flag : {thr_ipending_, timeout_ipending_, rx_activity_, irq_level_}) w.boolean(flag);
  w.bytes(rx_fifo_);
  w.u8(static_cast<uint8_t>(rx_head_));
  w.u8(static_cast<uint8_t>(rx_count_));
}

bool Uart16550::load(StateReader& r) {
  const uint16_t divider = r.u16();
  uint8_t regs[9];
  for (uint8_t& reg : regs) reg = r.u8();
  const unsigned trigger = r.u8();
  bool flags[4];
  for (bool& flag : flags) flag = r.boolean();
  const auto fifo = r.bytes(kFifoSize);
  const unsigned head = r.u8();
  const unsigned count = r.u8();
  if (head >= kFifoSize || count > kFifoSize ||
      (trigger != 1 && trigger != 4 && trigger != 8 && trigger != 14)) {
    r.fail();
  }
  if (!r.ok()) return false;
  divider_ = divider;
  rbr_ = regs[0];
  ier_ = regs[1];
  iir_ = regs[2];
  lcr_ = regs[3];
  mcr_ = regs[4];
  lsr_ = regs[5];
  msr_ = regs[6];
  scr_ = regs[7];
  fcr_ = regs[8];
  trigger_level_ = trigger;
  thr_ipending_ = flags[0];
  timeout_ipending_ = flags[1];
  rx_activity_ = flags[2];
  irq_level_ = flags[3];
  std::copy(fifo.begin(), fifo.end(), rx_fifo_);
  rx_head_ = head;
  rx_count_ = count;
  irq_.set_level(irq_level_);
  return true;
}

bool Uart16550::read(uint64_t offset, unsigned /*size*/, uint64_t& value) {
  // Registers repeat every 8 bytes over the 0x100 window (QEMU masks the address with 7).
  value = read_register(static_cast<unsigned>(offset & 7));
  return true;
}

bool Uart16550::write(uint64_t offset, unsigned /*size*/, uint64_t value) {
  // Only the low byte counts, whatever the access width (QEMU's serial_mm_write).
  write_register(static_cast<unsigned>(offset & 7), static_cast<uint8_t>(value));
  return true;
}

bool Uart16550::push_input(uint8_t byte) {
  std::lock_guard lock(staging_mutex_);
  if (staging_.size() >= kStagingCapacity) return false;
  staging_.push_back(byte);
  staging_nonempty_.store(true, std::memory_order_release);
  return true;
}

bool Uart16550::can_accept_input() const {
  std::lock_guard lock(staging_mutex_);
  return staging_.size() < kStagingCapacity;
}

void Uart16550::poll() {
  drain_staging();
  // The character timeout (PC16550D: no FIFO activity for 4 character times while data
  // sits below the trigger level) lets the driver collect a short burst of input.
  if ((fcr_ & kFcrEnable) != 0 && rx_count_ > 0 && !rx_activity_ && !timeout_ipending_) {
    timeout_ipending_ = true;
    update_irq();
  }
  rx_activity_ = false;
}

bool Uart16550::wants_poll() const {
  if ((fcr_ & kFcrEnable) != 0 && rx_count_ > 0 && !timeout_ipending_) return true;
  return staging_nonempty_.load(std::memory_order_acquire) && (mcr_ & kMcrLoop) == 0 &&
         receiver_room() > 0;
}

unsigned Uart16550::receiver_room() const {
  if ((fcr_ & kFcrEnable) != 0) {
    if (rx_count_ >= kFifoSize) return 0;
    // QEMU offers only up to the trigger level, so the driver sees the interrupt at the
    // level it chose instead of a FIFO filled in one go.
    return rx_count_ <= trigger_level_ ? trigger_level_ - rx_count_ : 1;
  }
  return (lsr_ & kLsrDr) != 0 ? 0 : 1;
}

void Uart16550::drain_staging() {
  // In loopback the serial input pin is disconnected from the outside world.
  if (!staging_nonempty_.load(std::memory_order_acquire) || (mcr_ & kMcrLoop) != 0) return;
  unsigned room = receiver_room();
  if (room == 0) return;
  std::vector<uint8_t> bytes;
  {
    std::lock_guard lock(staging_mutex_);
    while (room > 0 && !staging_.empty()) {
      bytes.push_back(staging_.front());
      staging_.pop_front();
      --room;
    }
    staging_nonempty_.store(!staging_.empty(), std::memory_order_release);
  }
  for (uint8_t byte : bytes) receive(byte);
}

void Uart16550::receive(uint8_t byte) {
  if ((fcr_ & kFcrEnable) != 0) {
    // Overruns do not overwrite FIFO contents (PC16550D, LSR bit 1).
    if (rx_count_ < kFifoSize) {
      rx_fifo_[(rx_head_ + rx_count_) % kFifoSize] = byte;
      ++rx_count_;
    } else {
      lsr_ |= kLsrOe;
    }
    rx_activity_ = true;
  } else {
    if ((lsr_ & kLsrDr) != 0) lsr_ |= kLsrOe;
    rbr_ = byte;
  }
  lsr_ |= kLsrDr;
  update_irq();
}

void Uart16550::transmit(uint8_t byte) {
  // The shift register takes the byte at once, so THR is empty again (THRE) and, once
  // sent, the transmitter too (TEMT).
  lsr_ |= kLsrThre;
  if (!thr_ipending_) {
    thr_ipending_ = true;
    update_irq();
  }
  if ((mcr_ & kMcrLoop) != 0) {
    receive(byte);
  } else if (output_) {
    output_(byte);
  }
  lsr_ |= kLsrTemt;
}

uint8_t Uart16550::read_register(unsigned reg) {
  switch (reg) {
    case kRbrThr: {
      if ((lcr_ & kLcrDlab) != 0) return static_cast<uint8_t>(divider_ & 0xff);
      uint8_t byte = 0;
      if ((fcr_ & kFcrEnable) != 0) {
        if (rx_count_ > 0) {
          byte = rx_fifo_[rx_head_];
          rx_head_ = (rx_head_ + 1) % kFifoSize;
          --rx_count_;
        }
        if (rx_count_ == 0) {
          lsr_ &= ~(kLsrDr | kLsrBi);
        } else {
          rx_activity_ = true;
        }
        timeout_ipending_ = false;
      } else {
        byte = rbr_;
        lsr_ &= ~(kLsrDr | kLsrBi);
      }
      update_irq();
      drain_staging();
      return byte;
    }
    case kIer:
      return (lcr_ & kLcrDlab) != 0 ? static_cast<uint8_t>(divider_ >> 8) : ier_;
    case kIirFcr: {
      uint8_t value = iir_;
      // Reading IIR while it reports THR empty acknowledges that interrupt (PC16550D
      // table 4: "reading the IIR register (if source of interrupt)").
      if ((value & 0x0f) == kIirThri) {
        thr_ipending_ = false;
        update_irq();
      }
      return value;
    }
    case kLcr:
      return lcr_;
    case kMcr:
      return mcr_;
    case kLsr: {
      uint8_t value = lsr_;
      // Reading LSR clears break and overrun.
      if ((lsr_ & (kLsrBi | kLsrOe)) != 0) {
        lsr_ &= ~(kLsrBi | kLsrOe);
        update_irq();
      }
      return value;
    }
    case kMsr: {
      if ((mcr_ & kMcrLoop) != 0) {
        // Loopback wires the modem outputs to the inputs: RTS->CTS, DTR->DSR,
        // OUT1->RI, OUT2->DCD (PC16550D, MCR bit 4).
        uint8_t value = static_cast<uint8_t>((mcr_ & 0x0c) << 4);
        value |= static_cast<uint8_t>((mcr_ & kMcrRts) << 3);
        value |= static_cast<uint8_t>((mcr_ & kMcrDtr) << 5);
        return value;
      }
      uint8_t value = msr_;
      if ((msr_ & kMsrAnyDelta) != 0) {
        msr_ &= 0xf0;
        update_irq();
      }
      return value;
    }
    case kScr:
      return scr_;
    default:
      return 0;
  }
}

void Uart16550::write_register(unsigned reg, uint8_t value) {
  switch (reg) {
    case kRbrThr:
      if ((lcr_ & kLcrDlab) != 0) {
        divider_ = static_cast<uint16_t>((divider_ & 0xff00) | value);
        return;
      }
      thr_ipending_ = false;
      lsr_ &= ~(kLsrThre | kLsrTemt);
      update_irq();
      transmit(value);
      return;
    case kIer: {
      if ((lcr_ & kLcrDlab) != 0) {
        divider_ = static_cast<uint16_t>((divider_ & 0x00ff) | (value << 8));
        return;
      }
      uint8_t changed = (ier_ ^ value) & 0x0f;
      ier_ = value & 0x0f;
      // Enabling the THR empty interrupt while THR is empty raises it again, even if it
      // was acknowledged by an IIR read before (QEMU; Linux's 8250 driver relies on it).
      if ((changed & kIerThri) != 0) {
        thr_ipending_ = (ier_ & kIerThri) != 0 && (lsr_ & kLsrThre) != 0;
      }
      if (changed != 0) update_irq();
      return;
    }
    case kIirFcr:
      write_fcr(value);
      return;
    case kLcr:
      lcr_ = value;
      return;
    case kMcr:
      mcr_ = value & 0x1f;
      return;
    case kScr:
      scr_ = value;
      return;
    default:
      // LSR and MSR are read-only.
      return;
  }
}

void Uart16550::write_fcr(uint8_t value) {
  // Toggling FIFO enable clears both FIFOs (PC16550D, FCR bit 0).
  if (((value ^ fcr_) & kFcrEnable) != 0) value |= kFcrClearRx | kFcrClearTx;
  if ((value & kFcrClearRx) != 0) {
    lsr_ &= ~(kLsrDr | kLsrBi);
    timeout_ipending_ = false;
    rx_head_ = 0;
    rx_count_ = 0;
  }
  if ((value & kFcrClearTx) != 0) {
    lsr_ |= kLsrThre;
    thr_ipending_ = true;
  }
  // Only FIFO enable, DMA mode and the trigger level stick; the clear bits self-clear.
  fcr_ = value & 0xc9;
  if ((fcr_ & kFcrEnable) != 0) {
    iir_ |= kIirFifoEnabled;
    static constexpr unsigned kLevels[4] = {1, 4, 8, 14};
    trigger_level_ = kLevels[fcr_ >> 6];
  } else {
    iir_ &= static_cast<uint8_t>(~kIirFifoEnabled);
  }
  update_irq();
}

void Uart16550::update_irq() {
  // Interrupt priorities of PC16550D table 4, highest first.
  uint8_t id = kIirNoInt;
  if ((ier_ & kIerRlsi) != 0 && (lsr_ & kLsrIntAny) != 0) {
    id = kIirRlsi;
  } else if ((ier_ & kIerRdi) != 0 && timeout_ipending_) {
    id = kIirCti;
  } else if ((ier_ & kIerRdi) != 0 && (lsr_ & kLsrDr) != 0 &&
             ((fcr_ & kFcrEnable) == 0 || rx_count_ >= trigger_level_)) {
    id = kIirRdi;
  } else if ((ier_ & kIerThri) != 0 && thr_ipending_) {
    id = kIirThri;
  } else if ((ier_ & kIerMsi) != 0 && (msr_ & kMsrAnyDelta) != 0) {
    id = kIirMsi;
  }
  iir_ = static_cast<uint8_t>(id | (iir_ & 0xf0));
  bool level = id != kIirNoInt;
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set_level(level);
  }
}

}  // namespace tiervm
