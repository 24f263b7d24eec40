#include "engine/code_cache.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/event_bus.h"
#include "engine/hart.h"
#include "engine/ir_verify.h"
#include "engine/translator.h"

namespace tiervm {

CodeCache::CodeCache(Hart& hart, size_t max_blocks)
    : hart_(hart),
      max_blocks_(max_blocks),
      watcher_(hart.bus.add_code_watcher(
          {[this](uint64_t paddr, uint64_t len) { invalidate_range(paddr, len); },
           [this](uint64_t ppage) { hart_.tlb.revoke_write(ppage); }})) {
  hart_.tlb.set_page_flush_hook([this](uint64_t vpage) { drop_jump_page(vpage); });
}

CodeCache::~CodeCache() {
  hart_.bus.remove_code_watcher(watcher_);
  hart_.tlb.set_page_flush_hook(nullptr);
}

namespace {

// Invalid IR is a bug in the translator or an emitter: stop before any tier runs it.
void verify_or_abort(const IrBlock& block) {
  const std::string error = verify_block(block);
  if (error.empty()) return;
  std::fprintf(stderr, "tiervm: internal error: invalid IR for the block at pc %#llx: %s\n%s",
               static_cast<unsigned long long>(block.start_pc), error.c_str(),
               format_ir(block).c_str());
  std::abort();
}

}  // namespace

bool exits_may_probe(const IrBlock& block) {
  return std::none_of(block.insns.begin(), block.insns.end(),
                      [](const IrInsn& i) { return i.op == IrOp::Call; });
}

bool CodeCache::straddle_maps(uint64_t pc, const CachedBlock& block) {
  const uint64_t next_page = (pc & ~kPageMask) + kPageSize;
  uint64_t paddr = 0;
  if (!hart_.translate_fetch(next_page, paddr)) {
    hart_.s.trap_pending = false;  // the retranslation meets (and raises) the fault
    return false;
  }
  return paddr == block.ir.straddle_paddr;
}

CachedBlock* CodeCache::get(uint64_t pc, uint64_t paddr, TranslateFlags flags) {
  const BlockKey key(paddr, flags);
  ++lookups_;
  if (CachedBlock* cached = blocks_.find(key)) {
    if (!cached->straddles() || straddle_maps(pc, *cached)) return cached;
    // A straddling instruction whose next page maps elsewhere now (or not at all).
    ++invalidations_;
    retire(blocks_.take(key));
  }
  if (blocks_.size() >= max_blocks_) {
    evict_cold();  // the dropped blocks stay alive until collect(): the caller may be in one
    ++capacity_flushes_;
  }
  if (hart_.bus.threaded() && !page_blocks_.contains(paddr & ~kPageMask)) {
    // Another hart may write the page while this one reads it: the mark goes first, so
    // a write after it reaches this cache (Bus::notify_code_write) and one before it is
    // in the bytes read.
    hart_.bus.mark_code_page(paddr & ~kPageMask, watcher_);
  }
  auto block = std::make_unique<CachedBlock>();
  translate_block_into(block->ir, hart_, pc, paddr, flags);
  if (ir_verification()) verify_or_abort(block->ir);
  block->id = next_id_++;
  block->key = key;
  ++translations_;
  CachedBlock* raw = block.get();
  if (!block->ir.cacheable || !hart_.bus.in_ram(paddr)) {
    // Straddling blocks and ROM code are cheap and rare: translate per use.
    raw->ir.cacheable = false;
    retired_.push_back(std::move(block));
    return raw;
  }
  // The bus revokes every hart's write fast path to a page when it becomes code. A
  // straddling instruction is code of both its pages.
  const bool straddles = raw->straddles();
  const uint64_t pages[] = {paddr & ~kPageMask, raw->ir.straddle_paddr & ~kPageMask};
  for (size_t n = 0; n < (straddles ? 2u : 1u); ++n) {
    const uint64_t page = pages[n];
    std::vector<BlockKey>& page_keys = page_blocks_[page];
    if (page_keys.empty()) hart_.bus.mark_code_page(page, watcher_);
    page_keys.push_back(key);
  }
  blocks_.insert(key, std::move(block));
  return raw;
}

void CodeCache::flush_jump_cache() {
  invalidate_exits();
  if (++jump_generation_ == 0) {  // wrapped: old entries could match again
    jump_.fill(JumpEntry{});
    jump_generation_ = 1;
    jump_live_from_ = 1;
  }
  jump_pages_.fill(0);
}

void CodeCache::drop_jump_code() {
  flush_jump_cache();
  jump_live_from_ = jump_generation_;
}

bool CodeCache::drop_jump_block(const CachedBlock& block) {
  if (block.jump_aliased) return false;
  JumpEntry& e = jump_[jump_index(block.ir.start_pc)];
  if (e.block == &block) {
    if (e.generation == jump_generation_) --jump_pages_[jump_page_bucket(e.pc)];
    e = JumpEntry{};
  }
  return true;
}

void CodeCache::drop_jump_page(uint64_t vpage) {
  // The exit cache has no per-page index: a page's new mapping ends every entry.
  invalidate_exits();
  vpage &= ~kPageMask;
  uint16_t& live = jump_pages_[jump_page_bucket(vpage)];
  // Pcs are 2-byte aligned: the page's pcs index these slots (others hash elsewhere).
  for (uint64_t pc = vpage; live != 0 && pc < vpage + kPageSize; pc += 2) {
    JumpEntry& e = jump_[jump_index(pc)];
    if (e.generation == jump_generation_ && (e.pc & ~kPageMask) == vpage) {
      e = JumpEntry{};
      --live;
    }
  }
}

void CodeCache::invalidate_range(uint64_t paddr, uint64_t len) {
  const uint64_t ppage = paddr & ~kPageMask;
  auto it = page_blocks_.find(ppage);
  if (it == page_blocks_.end()) {
    hart_.bus.clear_code_page(ppage, watcher_);
    return;
  }
  std::vector<BlockKey>& keys = it->second;
  bool aliased = false;
  for (size_t i = 0; i < keys.size();) {
    CachedBlock* b = blocks_.find(keys[i]);
    if (b == nullptr) {
      keys[i] = keys.back();
      keys.pop_back();
      continue;
    }
    // The block's bytes, up to the end of its last (possibly trapping) instruction; for a
    // straddling instruction listed under its second page, the two bytes there.
    const IrBlock& blk = b->ir;
    const bool second_half = (blk.start_paddr & ~kPageMask) != ppage;
    const uint64_t start = second_half ? blk.straddle_paddr : blk.start_paddr;
    const uint64_t end =
        second_half ? start + 2
                    : start + (blk.guest_offsets.empty() ? 0 : blk.guest_offsets.back()) + 4;
    if (paddr < end && start < paddr + len) {
      if (events_ && events_->active()) {
        Event e;
        e.kind = EventKind::BlockInvalidated;
        e.paddr = start;
        e.pc = blk.start_pc;
        e.tier = b->tier;
        e.bytes = len;
        events_->publish(e);
      }
      if (!drop_jump_block(*b)) aliased = true;
      retire(blocks_.take(keys[i]));
      ++invalidations_;
      keys[i] = keys.back();
      keys.pop_back();
      continue;
    }
    ++i;
  }
  if (keys.empty()) {
    page_blocks_.erase(it);
    hart_.bus.clear_code_page(ppage, watcher_);
  }
  if (aliased) drop_jump_code();
}

void CodeCache::retire(std::unique_ptr<CachedBlock> block) {
  if (drop_hook_) drop_hook_(*block);
  native_bytes_.store(native_bytes_.load(std::memory_order_relaxed) - block->counted_bytes,
                      std::memory_order_relaxed);
  block->counted_bytes = 0;
  // Exit-cache entries may name its code (or a region the hook reverted).
  invalidate_exits();
  // The hart may be running the block (a store into its own page): it leaves at its next
  // exit instead of taking a back edge into it again (self-loops and region loops jump
  // to their head without a lookup).
  hart_.s.request_exit();
  retired_.push_back(std::move(block));
}

void CodeCache::evict_cold() {
  // The median stamp splits the cache in two; blocks at or after it stay. Page lists keep
  // the evicted keys until the page is next written (invalidate_range skips missing keys).
  std::vector<uint64_t> stamps;
  stamps.reserve(blocks_.size());
  blocks_.for_each([&](BlockKey, const CachedBlock& b) { stamps.push_back(b.last_run); });
  auto mid = stamps.begin() + static_cast<std::ptrdiff_t>(stamps.size() / 2);
  std::nth_element(stamps.begin(), mid, stamps.end());
  const uint64_t keep_from = stamps.empty() ? 0 : *mid;
  const size_t before = blocks_.size();
  std::vector<BlockKey> cold;
  blocks_.for_each([&](BlockKey key, const CachedBlock& b) {
    if (b.last_run < keep_from) cold.push_back(key);
  });
  for (BlockKey key : cold) retire(blocks_.take(key));
  // Every block ran at the same stamp (never in practice): fall back to dropping all.
  if (blocks_.size() == before) flush();
  evicted_ += before - blocks_.size();
  drop_jump_code();
}

void CodeCache::flush() {
  invalidations_ += blocks_.size();
  blocks_.drain([&](std::unique_ptr<CachedBlock> block) { retire(std::move(block)); });
  for (auto& [page, keys] : page_blocks_) hart_.bus.clear_code_page(page, watcher_);
  page_blocks_.clear();
  drop_jump_code();
}

void CodeCache::collect() {
  retired_.clear();
}

}  // namespace tiervm
