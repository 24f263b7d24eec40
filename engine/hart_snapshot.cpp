// A hart's architectural state in a snapshot (engine/snapshot.h).
#include <limits>
#include <type_traits>
#include <vector>

#include "engine/hart.h"

namespace tiervm {

namespace {

// Every saved field of HartState, in file order. IR temporaries (slots 64..) are scratch
// within a block and a pending trap is taken before a block ends, so neither is saved;
// the dispatcher's fields (instret_limit, exit_request, data_tlb(_offsets), fetch_tlb(_offsets),
// the bare_* fields and code_marks) are set on the way in (update_modes).
template <class State, class F>
void visit_fields(State& s, F&& f) {
  for (unsigned i = 0; i < kSlotTemp0; ++i) f(s.slot[i]);
  f(s.pc);
  f(s.priv);
  for (auto* csr :
       {&s.mstatus,       &s.misa,     &s.medeleg, &s.mideleg,    &s.mie,      &s.mip,
        &s.mtvec,         &s.mscratch, &s.mepc,    &s.mcause,     &s.mtval,    &s.mcounteren,
        &s.mcountinhibit, &s.menvcfg,  &s.mhartid, &s.stvec,      &s.sscratch, &s.sepc,
        &s.scause,        &s.stval,    &s.satp,    &s.scounteren, &s.senvcfg}) {
    f(*csr);
  }
  f(s.fflags);
  f(s.frm);
  f(s.instret);
  f(s.cycle_offset);
  f(s.instret_offset);
  f(s.reservation);
  f(s.reservation_valid);
  f(s.waiting);
  // The vector state: its configuration first (a load refuses another VLEN), then only
  // the VLEN-sized part of the register file.
  f(s.vlenb);
  for (auto* csr : {&s.vstart, &s.vxsat, &s.vxrm, &s.vl, &s.vtype}) f(*csr);
  for (uint64_t i = 0; i < s.vlenb * 32 / 8; ++i) f(s.vreg[i]);
}

// A snapshot must say what every field holds: a field added to HartState needs a line in
// visit_fields (or a reason above why it is not saved), then this size.
static_assert(sizeof(HartState) == 5536, "HartState changed: update visit_fields");

}  // namespace

void Hart::save_state(StateWriter& w) const {
  visit_fields(s, [&](const auto& v) { w.u64(static_cast<uint64_t>(v)); });
  w.u64(s.mip_hw.load(std::memory_order_relaxed));
  for (unsigned csr : {0u, 2u}) w.u64(pmp.read_cfg(csr));
  for (unsigned i = 0; i < Pmp::kEntries; ++i) w.u64(pmp.read_addr(i));
}

bool Hart::load_state(StateReader& r) {
  std::vector<uint64_t> values;
  visit_fields(s, [&](const auto& v) {
    using T = std::remove_cvref_t<decltype(v)>;
    const uint64_t value = r.u64();
    if constexpr (std::is_same_v<T, Priv>) {
      if (value != static_cast<uint64_t>(Priv::U) && value != static_cast<uint64_t>(Priv::S) &&
          value != static_cast<uint64_t>(Priv::M)) {
        r.fail();
      }
    } else if constexpr (std::is_same_v<T, bool>) {
      if (value > 1) r.fail();
    } else if (value > std::numeric_limits<T>::max()) {
      r.fail();
    }
    if (static_cast<const void*>(&v) == &s.mhartid && value != s.mhartid) r.fail();  // another hart
    if (static_cast<const void*>(&v) == &s.vlenb && value != s.vlenb) r.fail();      // another VLEN
    values.push_back(value);
  });
  const uint64_t mip_hw = r.u64();
  uint64_t cfg[2];
  for (uint64_t& c : cfg) c = r.u64();
  uint64_t addr[Pmp::kEntries];
  for (uint64_t& a : addr) a = r.u64();
  if (!r.ok()) return false;

  size_t i = 0;
  visit_fields(s, [&](auto& v) { v = static_cast<std::remove_cvref_t<decltype(v)>>(values[i++]); });
  s.slot[kSlotX0] = 0;
  s.mip_hw.store(mip_hw, std::memory_order_relaxed);
  s.trap_pending = false;
  // Addresses first: a locked entry would refuse them (a TOR entry locks the one below).
  pmp = Pmp{};
  for (unsigned e = 0; e < Pmp::kEntries; ++e) pmp.write_addr(e, addr[e]);
  pmp.write_cfg(0, cfg[0]);
  pmp.write_cfg(2, cfg[1]);
  tlb.flush_all();
  update_modes();
  s.request_exit();
  return true;
}

}  // namespace tiervm
