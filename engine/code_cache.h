#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "engine/block_key.h"
#include "engine/block_table.h"
#include "engine/ir.h"
#include "engine/jit/jit_abi.h"
#include "engine/tier.h"
#include "mem/bus.h"

namespace tiervm {

class Hart;

// A cached translation and how it is executed. The IR is pure data that any tier consumes;
// the rest is runtime state owned by the hart's thread.
struct CachedBlock {
  IrBlock ir;
  BlockKey key;
  uint64_t id = 0;              // unique per translation (stale compile results are ignored)
  uint32_t exec_count = 0;      // tier-0 executions, for tier-up
  bool compile_queued = false;  // sent to the JIT, result pending
  Tier tier = Tier::Interpreter;
  uint32_t compile_ns = 0;  // LLVM time spent on this block (its share of its batch)
  uint32_t times_compiled = 0;
  // Compiled code of this block, or nullptr, and its size in bytes (the whole region's
  // function when the block is a tier-2 region entry).
  // Set through CodeCache::set_native, which keeps the cache's sum of them.
  JitFn native = nullptr;
  uint32_t native_bytes = 0;
  uint32_t counted_bytes = 0;  // what this block adds to CodeCache::native_bytes()
  // Dispatcher entries so far when the dispatcher last entered it: the code cache evicts
  // the blocks with the oldest stamps first.
  uint64_t last_run = 0;
  // Entered through the jump cache under a pc other than ir.start_pc (CodeCache).
  bool jump_aliased = false;

  // The tier its next run executes on: compiled code's tier, else the interpreter.
  Tier running_tier() const { return native ? tier : Tier::Interpreter; }
  // Static exits compiled code may chain straight to: Jump and Branch targets in the
  // block's own physical page (every virtual mapping of the page maps both alike; other
  // exits go through the dispatcher and its jump cache).
  bool taken_chainable() const {
    return (ir.exit.kind == IrExit::Jump || ir.exit.kind == IrExit::Branch) &&
           key.same_page(ir.exit.taken_offset);
  }
  // Of one instruction that straddles a page boundary: checked against the next page's
  // mapping on every run (CodeCache::get), so never entered through the jump cache and
  // kept on tier 0 (compiled code would chain to it unchecked).
  bool straddles() const { return ir.straddle_paddr != 0; }
  bool fallthrough_chainable() const {
    return ir.exit.kind == IrExit::Branch && key.same_page(ir.exit.fallthrough_offset);
  }
};

// Whether a block's exits may probe the exit cache: not when it calls a helper, which may
// change the fetch key (sret, mret: a Call and an Indirect exit) under the tag compiled code
// compares with; its exits call the lookup, which sets the tag again.
bool exits_may_probe(const IrBlock& block);

// Translated blocks keyed by guest-physical address plus the translation-relevant state
// (TranslateFlags), so sfence.vma and satp writes only flush the TLB and the jump cache,
// never the code (RVVM's approach). A store to a page holding code (reported by the bus's
// code-write hook) drops exactly that page's blocks. Dropped blocks are kept until
// collect(), because the block that did the store may still be executing.
//
// Single-writer by design: only the hart's thread looks blocks up, inserts and drops
// them; JIT compiler threads never touch the cache (they hand finished code to the hart,
// which installs it between blocks), so lookups take no lock at all.
class CodeCache {
 public:
  // At most this many translated blocks are kept. Reaching it evicts the coldest half
  // (oldest CachedBlock::last_run), with their compiled code; QEMU drops everything instead.
  static constexpr size_t kDefaultMaxBlocks = size_t{1} << 18;

  explicit CodeCache(Hart& hart, size_t max_blocks = kDefaultMaxBlocks);
  ~CodeCache();
  CodeCache(const CodeCache&) = delete;
  CodeCache& operator=(const CodeCache&) = delete;

  // The block for virtual `pc` at physical `paddr`: from the cache, or freshly translated.
  // A straddling instruction's block is used only while the next page maps where its
  // second half came from. Uncacheable blocks (single steps, breakpoints, fetch faults)
  // are translated on every call and owned by the cache until the next collect().
  CachedBlock* get(uint64_t pc, uint64_t paddr, TranslateFlags flags);
  // Virtual-pc lookup without a TLB probe; nullptr on a miss. Entries are valid for one
  // fetch mode and flag set. A TLB flush (flush_jump_cache(), or drop_jump_page() for one
  // page) makes them stale: a stale entry is used again only after jump_revalidate()
  // checked it against a fresh translation. Dropping code removes its entries for good.
  CachedBlock* jump_lookup(uint64_t pc, FetchKey fetch) const {
    const JumpEntry& e = jump_[jump_index(pc)];
    return e.pc == pc && e.fetch == fetch && e.generation == jump_generation_ ? e.block : nullptr;
  }
  // After a jump_lookup() miss and a fetch translation of `pc` to `paddr`: the block a
  // stale entry for `pc` names, when it still lives and the pc still maps where it did
  // (the entry is then current again), else nullptr. Linux switches address spaces
  // thousands of times per boot; its kernel text maps the same way in every one of them.
  CachedBlock* jump_revalidate(uint64_t pc, FetchKey fetch, uint64_t paddr) {
    JumpEntry& e = jump_[jump_index(pc)];
    if (e.pc != pc || !(e.fetch == fetch) || e.generation < jump_live_from_ || e.paddr != paddr) {
      return nullptr;
    }
    if (e.generation != jump_generation_) {
      e.generation = jump_generation_;
      ++jump_pages_[jump_page_bucket(pc)];
    }
    ++revalidations_;
    return e.block;
  }
  void jump_insert(uint64_t pc, FetchKey fetch, CachedBlock* block) {
    JumpEntry& e = jump_[jump_index(pc)];
    if (e.generation == jump_generation_) --jump_pages_[jump_page_bucket(e.pc)];
    ++jump_pages_[jump_page_bucket(pc)];
    // Dropping a block clears the one slot of its own pc; under another pc it is found
    // only by a scan, so its drop empties the whole jump cache instead.
    if (pc != block->ir.start_pc) block->jump_aliased = true;
    e = {pc, jump_generation_, fetch, block, block->key.paddr()};
  }
  // A TLB flush: every entry becomes stale (jump_revalidate), and the exit cache is emptied.
  void flush_jump_cache();

  // The exit cache compiled code probes in line (jit_abi.h); it lives as long as the cache.
  const ExitCache* exit_cache() const { return exit_cache_.get(); }
  // Before compiled code runs, and in every lookup from compiled code: entries made under
  // `fetch` (and this generation) hold from now on.
  void set_exit_fetch(FetchKey fetch) {
    exit_cache_->tag = exit_generation_ << kExitFetchBits | exit_fetch_bits(fetch);
  }
  // After the dispatcher's lookup found compiled code for `pc` under the current fetch key
  // (set_exit_fetch) and generation.
  void exit_insert(uint64_t pc, JitFn fn) {
    exit_cache_->entries[ExitCache::index(pc)] = {pc, exit_cache_->tag, fn, 0};
  }
  // Starts a new generation: no entry holds any more. Called whenever code is dropped or a
  // block's code is replaced (JitTier), and on TLB flushes of any kind.
  void invalidate_exits() {
    ++exit_generation_;
    exit_cache_->tag = exit_generation_ << kExitFetchBits | (exit_cache_->tag & kExitFetchMask);
  }
  uint64_t exit_generation() const { return exit_generation_; }
  // Drops the jump-cache entries whose pc lies in the virtual page at `vpage` (the TLB's
  // page-flush hook).
  void drop_jump_page(uint64_t vpage);

  // Drops the blocks whose code overlaps [paddr, paddr + len) (within one page); the page
  // stays marked as code while other blocks remain on it.
  void invalidate_range(uint64_t paddr, uint64_t len);
  void invalidate_page(uint64_t ppage) { invalidate_range(ppage & ~kPageMask, kPageSize); }
  void flush();    // all code (fence.i)
  void collect();  // frees dropped blocks; call between blocks
  bool has_retired() const { return !retired_.empty(); }

  void set_event_bus(class EventBus* events) { events_ = events; }
  // Called for every block dropped by invalidation or flush (before it is retired).
  void set_drop_hook(std::function<void(CachedBlock&)> hook) { drop_hook_ = std::move(hook); }
  // The cached block for a key, or nullptr.
  CachedBlock* find(BlockKey key) const { return blocks_.find(key); }

  // The hart whose code this is (its modes decide how a region is compiled).
  const Hart& hart() const { return hart_; }

  size_t block_count() const { return blocks_.size(); }
  uint64_t translations() const { return translations_; }
  // get() calls: the dispatcher's jump-cache misses (each costs a hash-map lookup).
  uint64_t lookups() const { return lookups_; }
  // This cache's code watcher on the bus (Bus::set_thread_watcher).
  unsigned watcher() const { return watcher_; }
  // Stale jump-cache entries jump_revalidate() made current again (no hash-map lookup).
  uint64_t revalidations() const { return revalidations_; }
  uint64_t invalidations() const { return invalidations_; }
  uint64_t capacity_flushes() const { return capacity_flushes_; }  // evictions of half
  uint64_t evicted() const { return evicted_; }
  size_t max_blocks() const { return max_blocks_; }
  // Bytes of compiled code the cached blocks use. A running sum (set_native, retire), so a
  // monitor on another thread reads one word instead of walking a table the hart's thread
  // may be changing.
  uint64_t native_bytes() const { return native_bytes_.load(std::memory_order_relaxed); }
  // Installs (or replaces) `block`'s compiled code: `bytes` of host code at `fn`.
  void set_native(CachedBlock& block, JitFn fn, uint32_t bytes) {
    block.native = fn;
    block.native_bytes = bytes;
    // Only blocks of the table count (a ROM block translated per use never enters it).
    const uint32_t counted = fn != nullptr && blocks_.find(block.key) == &block ? bytes : 0;
    native_bytes_.store(
        native_bytes_.load(std::memory_order_relaxed) + counted - block.counted_bytes,
        std::memory_order_relaxed);
    block.counted_bytes = counted;
  }

 private:
  struct JumpEntry {
    uint64_t pc = ~uint64_t{0};
    uint32_t generation = 0;
    FetchKey fetch;
    CachedBlock* block = nullptr;
    // Where pc mapped when the entry was made: block->key.paddr(), copied so that
    // jump_revalidate() compares it within the entry, without loading the block.
    uint64_t paddr = 0;
  };
  // Entries of the current generation are valid. A TLB flush is one increment (Linux
  // flushes the TLB thousands of times per second); entries from jump_live_from_ on still
  // name live blocks and may be revalidated. Dropping code (drop_jump_code) moves
  // jump_live_from_ up to the new generation.
  uint32_t jump_generation_ = 1;
  uint32_t jump_live_from_ = 1;
  // 16 Ki entries: Linux's boot runs about 35 000 blocks; 4 Ki (QEMU's size) missed on
  // one block entry in ten.
  static constexpr unsigned kJumpBits = 14;
  // Folds higher pc bits in, so blocks a multiple of 8 KiB apart do not always collide.
  static size_t jump_index(uint64_t pc) {
    return ((pc >> 1) ^ (pc >> (1 + kJumpBits))) & ((1u << kJumpBits) - 1);
  }
  // Live entries of this generation per hashed virtual page: most pages Linux flushes
  // one by one hold no code, and a zero count skips the scan of the page's slots.
  static constexpr unsigned kJumpPageBits = 12;
  static size_t jump_page_bucket(uint64_t pc) {
    return FxHashFold{}(pc >> kPageBits) & ((1u << kJumpPageBits) - 1);
  }
  // Whether the page after `pc`'s still maps where a straddling block's second half was
  // fetched from.
  bool straddle_maps(uint64_t pc, const CachedBlock& block);
  // Hands the block to the drop hook and keeps it until collect().
  void retire(std::unique_ptr<CachedBlock> block);
  // Removes a dropped block's jump-cache entry; false when it may have others (aliased).
  bool drop_jump_block(const CachedBlock& block);
  // Drops every jump-cache entry for good (blocks were freed).
  void drop_jump_code();
  void evict_cold();

  static constexpr unsigned kExitFetchBits = 3;
  static constexpr uint64_t kExitFetchMask = (uint64_t{1} << kExitFetchBits) - 1;
  static uint64_t exit_fetch_bits(FetchKey fetch) {
    return static_cast<uint64_t>(fetch.mode) | (fetch.flags.fp_enabled ? 4u : 0u);
  }

  Hart& hart_;
  size_t max_blocks_;
  std::unique_ptr<ExitCache> exit_cache_ = std::make_unique<ExitCache>();
  uint64_t exit_generation_ = 1;
  unsigned watcher_;  // this cache's code-page marks on the bus
  uint64_t evicted_ = 0;
  uint64_t capacity_flushes_ = 0;
  std::function<void(CachedBlock&)> drop_hook_;
  class EventBus* events_ = nullptr;
  uint64_t next_id_ = 1;
  BlockTable<CachedBlock> blocks_;
  std::unordered_map<uint64_t, std::vector<BlockKey>, FxHashFold> page_blocks_;
  std::vector<std::unique_ptr<CachedBlock>> retired_;
  std::array<JumpEntry, 1u << kJumpBits> jump_{};
  std::array<uint16_t, 1u << kJumpPageBits> jump_pages_{};
  // Written by the hart's thread only; read by monitors on others.
  std::atomic<uint64_t> native_bytes_{0};
  uint64_t translations_ = 0;
  uint64_t lookups_ = 0;
  uint64_t revalidations_ = 0;
  uint64_t invalidations_ = 0;
};

}  // namespace tiervm
