#include "devices/sifive_test.h"

#include <utility>

namespace tiervm {

SifiveTest::SifiveTest(std::function<void(TestDeviceEvent)> on_event)
    : on_event_(std::move(on_event)) {}

bool SifiveTest::read(uint64_t offset, unsigned size, uint64_t& value) {
  if (offset % size != 0) return false;
  value = 0;
  return true;
}

bool SifiveTest::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset % size != 0) return false;
  if (offset != 0 || !on_event_) return true;
  uint32_t status = value & 0xffff;
  uint32_t code = (value >> 16) & 0xffff;
  switch (status) {
    case kPass:
      on_event_({TestDeviceEvent::Kind::Pass, 0});
      break;
    case kFail:
      on_event_({TestDeviceEvent::Kind::Fail, code});
      break;
    case kReset:
      on_event_({TestDeviceEvent::Kind::Reset, 0});
      break;
    default:
      // Other values are ignored, as QEMU does (it only logs a guest error).
      break;
  }
  return true;
}

}  // namespace tiervm
