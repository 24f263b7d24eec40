#include "engine/gdb/machine_gdb_target.h"

#include <chrono>
#include <future>

#include "engine/csr_table.h"
#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/machine.h"
#include "mem/bus.h"
#include "mem/mmu.h"

namespace tiervm {

namespace {

// CSR reads and writes as M-mode sees them (a debugger is not limited by the guest's
// privilege), without the FP CSRs (kept in HartState directly). The vector CSRs answer
// whether or not the guest has turned the vector unit on (mstatus.VS, restored after).
bool csr_as_m(Hart& hart, uint16_t csr, uint64_t* read, const uint64_t* write) {
  const Priv priv = hart.s.priv;
  const uint64_t mstatus = hart.s.mstatus;
  const CsrRow* row = find_csr(csr);
  const bool vector_csr = row != nullptr && row->gate == CsrGate::Vs;
  hart.s.priv = Priv::M;
  if (vector_csr && hart.s.vlenb != 0) hart.s.mstatus |= mstatus::VS;
  const bool ok = write ? hart.csr_write(csr, *write) : hart.csr_read(csr, *read);
  if (vector_csr) hart.s.mstatus = mstatus;
  hart.s.priv = priv;
  hart.update_modes();
  return ok;
}

// Every CSR of the table that M-mode can read, named as the spec names them (a row for a
// numbered block such as pmpaddr0..63 gives one register per number).
std::vector<std::pair<std::string, uint16_t>> readable_csrs(Hart& hart) {
  std::vector<std::pair<std::string, uint16_t>> out;
  for (const CsrRow& row : csr_table()) {
    std::string base = row.name;
    unsigned first_index = 0;
    if (row.first != row.last) {
      const size_t digits = base.find_last_not_of("0123456789") + 1;
      first_index = static_cast<unsigned>(std::stoul(base.substr(digits)));
      base.resize(digits);
    }
    for (unsigned n = row.first; n <= row.last; ++n) {
      uint64_t v = 0;
      if (!csr_as_m(hart, static_cast<uint16_t>(n), &v, nullptr)) continue;
      out.emplace_back(
          row.first == row.last ? base : base + std::to_string(first_index + n - row.first),
          static_cast<uint16_t>(n));
    }
  }
  return out;
}

// The physical address of `vaddr` for a debugger's access: the hart's current mode and
// page table, user pages and execute-only pages readable (gdb reads code and user data).
bool debug_translate(Hart& hart, uint64_t vaddr, uint64_t& paddr) {
  const MmuContext ctx{hart.s.satp, hart.s.priv, true, true};
  const Translation t = translate(hart.bus, hart.pmp, ctx, vaddr, Access::Read);
  if (t.fault != MemFault::None) return false;
  paddr = t.paddr;
  return true;
}

}  // namespace

MachineGdbTarget::MachineGdbTarget(Machine& machine, std::function<void()> on_stop)
    : machine_(machine),
      on_stop_(std::move(on_stop)),
      regs_(readable_csrs(machine.hart()), static_cast<unsigned>(machine.hart().s.vlenb)) {
  machine_.set_debug_stop_hook([this](unsigned hart) {
    GdbStop stop;
    stop.hart = hart;
    if (auto hit = debug_.take_watch_hit()) {
      stop.kind = GdbStop::Kind::Watch;
      stop.watch = *hit;
    }
    stopped(stop);
  });
}

// On the machine's thread, which is not running the machine any more (or not yet): the
// owner destroys the target after run() returned or when run() was never called.
MachineGdbTarget::~MachineGdbTarget() {
  attach_debug(nullptr);
  machine_.set_debug_stop_hook({});
}

void MachineGdbTarget::attach_debug(DebugControl* debug) {
  for (unsigned i = 0; i < machine_.hart_count(); ++i) machine_.executor(i).set_debug(debug);
}

Hart& MachineGdbTarget::hart() const {
  return machine_.hart(current_ < machine_.hart_count() ? current_ : 0);
}

unsigned MachineGdbTarget::hart_count() {
  return machine_.hart_count();  // fixed once the machine is built
}

bool MachineGdbTarget::select_hart(unsigned hart) {
  if (hart >= machine_.hart_count()) return false;
  return on_machine([this, hart] { current_ = hart; });
}

bool MachineGdbTarget::on_machine(const std::function<void()>& fn) {
  if (ended_.load()) return false;
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> f = done->get_future();
  machine_.post([fn, done] {
    fn();
    done->set_value();
  });
  while (f.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    if (ended_.load()) return false;
  }
  return true;
}

void MachineGdbTarget::machine_ended() {
  ended_.store(true);
}

void MachineGdbTarget::stopped(const GdbStop& stop) {
  current_ = stop.hart;  // gdb looks at the hart that stopped first
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last_stop_ = stop;
  }
  if (on_stop_) on_stop_();
}

bool MachineGdbTarget::attach() {
  return on_machine([this] {
    machine_.set_paused(true);
    machine_.set_held_harts(0);
    attach_debug(&debug_);
    current_ = 0;
    std::lock_guard<std::mutex> lock(mutex_);
    last_stop_ = GdbStop{};
  });
}

void MachineGdbTarget::interrupt() {
  machine_.post([this] {
    if (machine_.paused()) return;  // already stopped: its stop reply was sent
    machine_.set_paused(true);
    GdbStop stop;
    stop.signal = 2;
    stop.hart = current_;
    stopped(stop);
  });
}

GdbStop MachineGdbTarget::last_stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_stop_;
}

bool MachineGdbTarget::read_register(const GdbRegister& reg, uint64_t& value) {
  bool ok = false;
  on_machine([&] {
    Hart& h = hart();
    ok = true;
    switch (reg.kind) {
      case GdbRegister::Kind::X:
        value = h.s.x(reg.index);
        break;
      case GdbRegister::Kind::Pc:
        value = h.s.pc;
        break;
      case GdbRegister::Kind::F:
        value = h.s.f(reg.index);
        break;
      case GdbRegister::Kind::Priv:
        value = static_cast<uint64_t>(h.s.priv);
        break;
      case GdbRegister::Kind::V:  // as bytes: read_vector
        ok = false;
        break;
      case GdbRegister::Kind::Csr:
        if (reg.index == 1) {
          value = h.s.fflags;
        } else if (reg.index == 2) {
          value = h.s.frm;
        } else if (reg.index == 3) {
          value = uint64_t{h.s.frm} << 5 | h.s.fflags;
        } else {
          ok = csr_as_m(h, static_cast<uint16_t>(reg.index), &value, nullptr);
        }
        break;
    }
  });
  return ok;
}

bool MachineGdbTarget::write_register(const GdbRegister& reg, uint64_t value) {
  bool ok = false;
  on_machine([&] {
    Hart& h = hart();
    ok = true;
    switch (reg.kind) {
      case GdbRegister::Kind::X:
        h.s.set_x(reg.index, value);
        break;
      case GdbRegister::Kind::Pc:
        h.s.pc = value;
        break;
      case GdbRegister::Kind::F:
        h.s.set_f(reg.index, value);
        break;
      case GdbRegister::Kind::Priv:
        ok = value == 0 || value == 1 || value == 3;
        if (ok) {
          h.s.priv = static_cast<Priv>(value);
          h.update_modes();
        }
        break;
      case GdbRegister::Kind::V:  // as bytes: write_vector
        ok = false;
        break;
      case GdbRegister::Kind::Csr:
        if (reg.index == 1) {
          h.s.fflags = static_cast<uint32_t>(value & 0x1f);
        } else if (reg.index == 2) {
          h.s.frm = static_cast<uint32_t>(value & 7);
        } else if (reg.index == 3) {
          h.s.fflags = static_cast<uint32_t>(value & 0x1f);
          h.s.frm = static_cast<uint32_t>((value >> 5) & 7);
        } else {
          ok = csr_as_m(h, static_cast<uint16_t>(reg.index), nullptr, &value);
        }
        break;
    }
  });
  return ok;
}

bool MachineGdbTarget::read_vector(unsigned index, std::vector<uint8_t>& bytes) {
  bool ok = false;
  on_machine([&] {
    const HartState& s = hart().s;
    if (index >= 32 || s.vlenb == 0) return;
    const auto* file = reinterpret_cast<const uint8_t*>(s.vreg.data());
    bytes.assign(file + index * s.vlenb, file + (index + 1) * s.vlenb);
    ok = true;
  });
  return ok;
}

bool MachineGdbTarget::write_vector(unsigned index, const std::vector<uint8_t>& bytes) {
  bool ok = false;
  on_machine([&] {
    HartState& s = hart().s;
    if (index >= 32 || bytes.size() != s.vlenb) return;
    std::copy(bytes.begin(), bytes.end(),
              reinterpret_cast<uint8_t*>(s.vreg.data()) + index * s.vlenb);
    ok = true;
  });
  return ok;
}

bool MachineGdbTarget::read_memory(uint64_t addr, size_t len, std::vector<uint8_t>& out) {
  bool ok = false;
  on_machine([&] {
    Hart& h = hart();
    out.clear();
    for (size_t i = 0; i < len; ++i) {
      uint64_t pa = 0;
      const uint8_t* p = debug_translate(h, addr + i, pa) ? h.bus.host_ptr(pa, 1, false) : nullptr;
      if (p == nullptr) break;  // RAM and ROM only: reading a device has side effects
      out.push_back(*p);
    }
    // A partial read is what gdb expects at the end of readable memory.
    ok = !out.empty() || len == 0;
  });
  return ok;
}

bool MachineGdbTarget::write_memory(uint64_t addr, const std::vector<uint8_t>& data) {
  bool ok = false;
  on_machine([&] {
    Hart& h = hart();
    ok = true;
    for (size_t i = 0; i < data.size() && ok; ++i) {
      uint64_t pa = 0;
      // phys_write goes through the bus for pages holding code, whose write hook drops
      // the blocks translated from the bytes written.
      ok = debug_translate(h, addr + i, pa) && h.bus.in_ram(pa) && h.phys_write(pa, 1, data[i]);
    }
  });
  return ok;
}

bool MachineGdbTarget::set_breakpoint(bool insert, uint64_t addr) {
  bool ok = false;
  on_machine([&] {
    if (insert) {
      debug_.insert_breakpoint(addr);
      ok = true;
    } else {
      ok = debug_.remove_breakpoint(addr);
    }
  });
  return ok;
}

bool MachineGdbTarget::set_watchpoint(bool insert, WatchKind kind, uint64_t addr, uint64_t len) {
  bool ok = false;
  on_machine([&] {
    if (insert) {
      debug_.insert_watchpoint(kind, addr, len);
      ok = true;
    } else {
      ok = debug_.remove_watchpoint(kind, addr, len);
    }
  });
  return ok;
}

void MachineGdbTarget::resume(bool step, unsigned hart, bool only) {
  on_machine([this, step, hart, only] {
    const unsigned n = machine_.hart_count();
    for (unsigned i = 0; i < n; ++i) machine_.executor(i).debug_resume();
    // Continuing one hart alone: the others are held until the next resume.
    const uint32_t all = n >= 32 ? ~uint32_t{0} : (uint32_t{1} << n) - 1;
    machine_.set_held_harts(only && hart < n ? all & ~(uint32_t{1} << hart) : 0);
    // A step runs one instruction of its hart. Before a continue, the hart that stopped at
    // a breakpoint runs that instruction alone (the dispatcher would stop at it again).
    const unsigned stopped_hart = last_stop().hart;
    const unsigned h = step || only ? hart : stopped_hart;
    if (h < machine_.hart_count() && (step || debug_.breakpoint_at(machine_.hart(h).s.pc))) {
      machine_.executor(h).step_instruction();
      GdbStop stop;
      stop.hart = h;
      if (auto hit = debug_.take_watch_hit()) {
        stop.kind = GdbStop::Kind::Watch;
        stop.watch = *hit;
        stopped(stop);
        return;
      }
      if (step) {
        stopped(stop);
        return;
      }
    }
    machine_.set_paused(false);
  });
}

void MachineGdbTarget::detach() {
  on_machine([this] {
    debug_.clear();
    attach_debug(nullptr);
    machine_.set_held_harts(0);
    machine_.set_paused(false);
  });
}

void MachineGdbTarget::kill() {
  machine_.stop(MachineExit::Kind::UserQuit);
}

}  // namespace tiervm
