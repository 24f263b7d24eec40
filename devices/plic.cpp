#include "devices/plic.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tiervm {

Plic::Plic(std::vector<IrqLine*> outputs) : contexts_(static_cast<unsigned>(outputs.size())) {
  if (outputs.empty() || outputs.size() > kMaxContexts || outputs.size() % 2 != 0) {
    throw std::invalid_argument("plic: " + std::to_string(outputs.size()) +
                                " contexts (2 per hart, 1 to 8 harts supported)");
  }
  std::copy(outputs.begin(), outputs.end(), outputs_.begin());
  for (unsigned i = 0; i < lines_.size(); ++i) {
    lines_[i].plic_ = this;
    lines_[i].id_ = i;
  }
}

IrqLine& Plic::source(unsigned n) {
  if (n == 0 || n > kNumSources)
    throw std::out_of_range("plic: no interrupt source " + std::to_string(n));
  return lines_[n];
}

void Plic::assign(Bits& bits, unsigned n, bool value) {
  uint32_t mask = uint32_t{1} << (n % 32);
  bits[n / 32] = value ? bits[n / 32] | mask : bits[n / 32] & ~mask;
}

void Plic::set_source_level(unsigned id, bool high) {
  assign(level_, id, high);
  // As QEMU's sifive_plic: the pending bit follows the line. While the source is claimed
  // it is not delivered; completion re-evaluates it from the line.
  assign(pending_, id, high);
  update();
}

unsigned Plic::best(unsigned context) const {
  unsigned best_id = 0;
  uint32_t best_priority = threshold_[context];
  for (unsigned w = 0; w < kWords; ++w) {
    uint32_t candidates = pending_[w] & enable_[context][w] & ~claimed_[w];
    while (candidates != 0) {
      unsigned id = w * 32 + static_cast<unsigned>(__builtin_ctz(candidates));
      candidates &= candidates - 1;
      if (priority_[id] > best_priority) {
        best_priority = priority_[id];
        best_id = id;
      }
    }
  }
  return best_id;
}

void Plic::reset() {
  priority_.fill(0);
  pending_ = {};
  claimed_ = {};
  enable_ = {};
  threshold_.fill(0);
  update();
}

void Plic::update() {
  for (unsigned c = 0; c < contexts_; ++c) {
    bool level = best(c) != 0;
    if (level != out_level_[c]) {
      out_level_[c] = level;
      outputs_[c]->set_level(level);
    }
  }
}

uint32_t Plic::claim(unsigned context) {
  unsigned id = best(context);
  if (id != 0) {
    assign(pending_, id, false);
    assign(claimed_, id, true);
  }
  update();
  return id;
}

void Plic::complete(unsigned /*context*/, uint32_t id) {
  // QEMU completes any valid id without checking the context's enables.
  if (id == 0 || id > kNumSources || !test(claimed_, id)) return;
  assign(claimed_, id, false);
  // Level-triggered gateway: a line still high raises a new request.
  if (test(level_, id)) assign(pending_, id, true);
  update();
}

void Plic::save(StateWriter& w) const {
  w.u32(kNumSources);
  w.u32(contexts_);
  for (uint32_t p : priority_) w.u32(p);
  for (const Bits* bits : {&level_, &pending_, &claimed_}) {
    for (uint32_t word : *bits) w.u32(word);
  }
  for (unsigned c = 0; c < contexts_; ++c) {
    for (uint32_t word : enable_[c]) w.u32(word);
    w.u32(threshold_[c]);
  }
}

bool Plic::load(StateReader& r) {
  if (r.u32() != kNumSources || r.u32() != contexts_) r.fail();
  std::array<uint32_t, kNumSources + 1> priority{};
  for (uint32_t& p : priority) {
    p = r.u32();
    if (p > kPriorityMask) r.fail();
  }
  Bits level{}, pending{}, claimed{};
  for (Bits* bits : {&level, &pending, &claimed}) {
    for (uint32_t& word : *bits) word = r.u32();
  }
  std::array<Bits, kMaxContexts> enable{};
  std::array<uint32_t, kMaxContexts> threshold{};
  for (unsigned c = 0; c < contexts_; ++c) {
    for (uint32_t& word : enable[c]) word = r.u32();
    threshold[c] = r.u32();
    if (threshold[c] > kPriorityMask) r.fail();
  }
  if (!r.ok()) return false;
  priority_ = priority;
  level_ = level;
  pending_ = pending;
  claimed_ = claimed;
  enable_ = enable;
  threshold_ = threshold;
  for (unsigned c = 0; c < contexts_; ++c) {
    out_level_[c] = best(c) != 0;
    outputs_[c]->set_level(out_level_[c]);
  }
  return true;
}

bool Plic::read(uint64_t offset, unsigned size, uint64_t& value) {
  if (size != 4 || offset % 4 != 0) return false;
  value = 0;
  if (offset < kPendingBase) {
    uint64_t id = (offset - kPriorityBase) / 4;
    if (id <= kNumSources) value = priority_[id];
  } else if (offset < kEnableBase) {
    uint64_t word = (offset - kPendingBase) / 4;
    if (word < kWords) value = pending_[word];
  } else if (offset < kContextBase) {
    uint64_t context = (offset - kEnableBase) / kEnableStride;
    uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
    if (context < contexts_ && word < kWords) value = enable_[context][word];
  } else {
    uint64_t context = (offset - kContextBase) / kContextStride;
    uint64_t reg = (offset - kContextBase) % kContextStride;
    if (context < contexts_) {
      if (reg == 0) value = threshold_[context];
      if (reg == 4) value = claim(static_cast<unsigned>(context));
    }
  }
  return true;
}

bool Plic::write(uint64_t offset, unsigned size, uint64_t value) {
  if (size != 4 || offset % 4 != 0) return false;
  uint32_t v = static_cast<uint32_t>(value);
  if (offset < kPendingBase) {
    uint64_t id = (offset - kPriorityBase) / 4;
    if (id >= 1 && id <= kNumSources) {
      priority_[id] = v & kPriorityMask;
      update();
    }
  } else if (offset < kEnableBase) {
    // Pending bits are read-only (PLIC spec: they are set by gateways, cleared by claims).
  } else if (offset < kContextBase) {
    uint64_t context = (offset - kEnableBase) / kEnableStride;
    uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
    if (context < contexts_ && word < kWords) {
      uint32_t valid = ~uint32_t{0};
      if (word == 0) valid &= ~uint32_t{1};  // source 0 does not exist
      unsigned first = static_cast<unsigned>(word) * 32;
      if (first + 31 > kNumSources) valid &= (uint32_t{1} << (kNumSources + 1 - first)) - 1;
      enable_[context][word] = v & valid;
      update();
    }
  } else {
    uint64_t context = (offset - kContextBase) / kContextStride;
    uint64_t reg = (offset - kContextBase) % kContextStride;
    if (context < contexts_) {
      if (reg == 0) {
        threshold_[context] = v & kPriorityMask;
        update();
      } else if (reg == 4) {
        complete(static_cast<unsigned>(context), v);
      }
    }
  }
  return true;
}

}  // namespace tiervm
