#pragma once

// Runs one guest program on two harts in lockstep, tier 0 (the IR interpreter) against
// tier 1 or 2 (LLVM, every block compiled before its first run), and compares their
// architectural state and memory. Shared by tests/engine/differential_test.cpp (random
// valid programs) and tests/fuzz/fuzz_diff.cpp (arbitrary bytes).
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/jit/jit_tier.h"
#include "mem/bus.h"
#include "tests/common/tiers.h"

namespace tiervm::lockstep {

// A hart with RAM only (no devices: nothing outside the program may differ between the
// two runs; `time` reads instret because no clock is attached).
struct Rig {
  Bus bus;
  Hart hart;
  Executor exec;

  Rig(uint64_t ram_base, uint64_t ram_size) : hart(map(bus, ram_base, ram_size), 0), exec(hart) {
    hart.reset(ram_base);
  }

  // Drops every translated block and its compiled code (the JIT itself, and LLVM's LLJIT,
  // stay alive: creating them costs more than most programs take to run).
  void drop_code() {
    exec.code_cache().flush();
    exec.code_cache().collect();
    if (exec.jit() != nullptr) exec.jit()->poll();  // frees the modules nobody uses now
  }

  // Back to the state after construction: no code, zeroed RAM, hart reset.
  void reset() {
    drop_code();
    exec.clear_stop();
    std::memset(bus.ram_data(), 0, bus.ram_size());
    hart.reset(bus.ram_base());
    hart.s.mip_hw.store(0);
    hart.s.exit_request.store(0);
    hart.s.reservation = 0;
    hart.s.pending_trap = {};
  }

 private:
  static Bus& map(Bus& b, uint64_t base, uint64_t size) {
    b.map_ram(base, size);
    return b;
  }
};

inline std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#" PRIx64, v);
  return buf;
}

class Lockstep {
 public:
  Lockstep(uint64_t ram_base, uint64_t ram_size, unsigned tier = 1)
      : interp_(std::make_unique<Rig>(ram_base, ram_size)),
        jit_(std::make_unique<Rig>(ram_base, ram_size)) {
    jit_->exec.enable_jit(all_code_at(tier));
  }

  Rig& interp() { return *interp_; }
  Rig& jit() { return *jit_; }

  // Resets both harts for another program (the fuzz harness reuses one pair).
  void reset() {
    interp_->reset();
    jit_->reset();
  }
  // Frees what the last program's translations allocated (blocks, compiled modules).
  void drop_code() {
    interp_->drop_code();
    jit_->drop_code();
  }

  // Applies the same setup (program, registers, CSRs) to both harts.
  void setup(const std::function<void(Rig&)>& f) {
    f(*interp_);
    f(*jit_);
  }

  // How each hart is run; the fuzz harness wraps it in a watchdog.
  std::function<RunStop(Rig&, uint64_t limit)> runner = [](Rig& r, uint64_t limit) {
    return r.exec.run(limit);
  };

  // Runs both harts to the first block boundary at or past `limit` (or wfi). When they
  // stop at different instruction counts, the one behind runs on to the other's count:
  // both execute the same blocks, so they meet unless they diverged. Returns "" when the
  // states agree, else a description of every difference.
  std::string step(uint64_t limit) {
    runner(*interp_, limit);
    runner(*jit_, limit);
    for (int i = 0; i < 4; ++i) {
      const uint64_t a = interp_->hart.s.instret, b = jit_->hart.s.instret;
      if (a == b) break;
      if (a < b && runner(*interp_, b) == RunStop::Waiting) break;
      if (b < a && runner(*jit_, a) == RunStop::Waiting) break;
    }
    return compare();
  }

  std::string compare() const {
    std::string out;
    const HartState& a = interp_->hart.s;
    const HartState& b = jit_->hart.s;
    auto field = [&](const std::string& name, uint64_t va, uint64_t vb) {
      if (va != vb) out += "  " + name + ": tier0 " + hex(va) + "  jit " + hex(vb) + "\n";
    };
    field("pc", a.pc, b.pc);
    field("instret", a.instret, b.instret);
    for (unsigned i = 1; i < 32; ++i) field("x" + std::to_string(i), a.x(i), b.x(i));
    for (unsigned i = 0; i < 32; ++i) field("f" + std::to_string(i), a.f(i), b.f(i));
    field("priv", static_cast<uint64_t>(a.priv), static_cast<uint64_t>(b.priv));
    field("mstatus", a.mstatus, b.mstatus);
    field("mcause", a.mcause, b.mcause);
    field("mepc", a.mepc, b.mepc);
    field("mtval", a.mtval, b.mtval);
    field("mtvec", a.mtvec, b.mtvec);
    field("mscratch", a.mscratch, b.mscratch);
    field("mie", a.mie, b.mie);
    field("mip", a.mip, b.mip);
    field("medeleg", a.medeleg, b.medeleg);
    field("mideleg", a.mideleg, b.mideleg);
    field("scause", a.scause, b.scause);
    field("sepc", a.sepc, b.sepc);
    field("stval", a.stval, b.stval);
    field("stvec", a.stvec, b.stvec);
    field("sscratch", a.sscratch, b.sscratch);
    field("satp", a.satp, b.satp);
    field("fflags", a.fflags, b.fflags);
    field("frm", a.frm, b.frm);
    field("reservation_valid", a.reservation_valid, b.reservation_valid);
    field("vl", a.vl, b.vl);
    field("vtype", a.vtype, b.vtype);
    field("vstart", a.vstart, b.vstart);
    field("vxsat", a.vxsat, b.vxsat);
    field("vxrm", a.vxrm, b.vxrm);
    for (uint64_t i = 0; i < 32 * a.vlenb / 8; ++i) {
      field("v" + std::to_string(i * 8 / a.vlenb) + "[" + std::to_string(i % (a.vlenb / 8)) + "]",
            a.vreg[i], b.vreg[i]);
    }
    field("waiting", a.waiting, b.waiting);
    // Not the executors' trap counters: in a loop of traps that retire nothing (a trap
    // vector that itself faults), where run() gives up depends on how many blocks each
    // tier ran per dispatcher iteration. A trap taken twice shows in mepc/mcause instead.
    // Memory: every byte of RAM, reported as the first few differing doublewords.
    const uint64_t base = interp_->bus.ram_base(), size = interp_->bus.ram_size();
    const uint8_t* ma = interp_->bus.ram_data();
    const uint8_t* mb = jit_->bus.ram_data();
    if (std::memcmp(ma, mb, size) != 0) {
      int shown = 0;
      for (uint64_t off = 0; off + 8 <= size && shown < 8; off += 8) {
        uint64_t va = 0, vb = 0;
        std::memcpy(&va, ma + off, 8);
        std::memcpy(&vb, mb + off, 8);
        if (va != vb) {
          field("mem[" + hex(base + off) + "]", va, vb);
          ++shown;
        }
      }
    }
    return out;
  }

 private:
  std::unique_ptr<Rig> interp_;
  std::unique_ptr<Rig> jit_;
};

}  // namespace tiervm::lockstep
