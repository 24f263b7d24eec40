#pragma once

namespace tiervm {

// A level-triggered interrupt wire. A device drives it; whoever is on the other end
// (the PLIC for device lines, the hart for CLINT/PLIC outputs) decides what it means.
class IrqLine {
 public:
  virtual ~IrqLine() = default;
  virtual void set_level(bool high) = 0;
};

}  // namespace tiervm
