#pragma once

#include <cstdint>
#include <string_view>

namespace tiervm {

// An MMIO device as the bus sees it. Offsets are relative to the device's base address.
// Devices know nothing of harts or the JIT; they raise interrupts through IrqLine objects.
class MmioDevice {
 public:
  virtual ~MmioDevice() = default;
  virtual std::string_view name() const = 0;
  // Bit mask of the access sizes in bytes the device handles natively (1|2|4|8). The bus
  // splits a wider access into little-endian pieces of the widest native size and refuses
  // a narrower one (access fault).
  virtual unsigned access_sizes() const = 0;
  // Return false to refuse an access; the hart then raises an access fault.
  virtual bool read(uint64_t offset, unsigned size, uint64_t& value) = 0;
  virtual bool write(uint64_t offset, unsigned size, uint64_t value) = 0;
};

}  // namespace tiervm
