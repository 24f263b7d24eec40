// IR -> LLVM IR: one function per JitJob (engine/jit/llvm_lowering.h). The ORC session
// that compiles the functions is engine/jit/llvm_backend.cpp.
#include "engine/jit/llvm_lowering.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <array>
#include <bit>
#include <bitset>
#include <climits>
#include <cmath>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/code_cache.h"
#include "engine/hart_state.h"
#include "engine/ir_eval.h"
#include "engine/jit/llvm_backend.h"
#include "engine/translate/fs_dirty.h"
#include "engine/translate/vector_inline.h"
#include "engine/vector.h"
#include "mem/soft_tlb.h"

namespace tiervm {

namespace {

using llvm::BasicBlock;
using llvm::Value;

constexpr size_t kOffSlot = offsetof(HartState, slot);
constexpr size_t kOffPc = offsetof(HartState, pc);
constexpr size_t kOffInstret = offsetof(HartState, instret);
constexpr size_t kOffInstretLimit = offsetof(HartState, instret_limit);
constexpr size_t kOffDataTlb = offsetof(HartState, data_tlb);
constexpr size_t kOffDataTlbOffsets = offsetof(HartState, data_tlb_offsets);
constexpr size_t kOffFetchTlb = offsetof(HartState, fetch_tlb);
constexpr size_t kOffFetchTlbOffsets = offsetof(HartState, fetch_tlb_offsets);
constexpr size_t kOffTrapPending = offsetof(HartState, trap_pending);
constexpr size_t kOffBareBase = offsetof(HartState, bare_base);
constexpr size_t kOffBareLimit = offsetof(HartState, bare_limit);
constexpr size_t kOffBareAddend = offsetof(HartState, bare_addend);
constexpr size_t kOffCodeMarks = offsetof(HartState, code_marks);
constexpr size_t kOffMstatus = offsetof(HartState, mstatus);
constexpr size_t kOffVstart = offsetof(HartState, vstart);
constexpr size_t kOffVl = offsetof(HartState, vl);
constexpr size_t kOffVreg = offsetof(HartState, vreg);

// Lowers one JitJob (a block, or a region of blocks) into one LLVM function.
class BlockLowering {
 public:
  BlockLowering(llvm::Module& mod, const JitJob& job, const std::string& name)
      : ctx_(mod.getContext()),
        mod_(mod),
        job_(job),
        b_(ctx_),
        region_(job.region),
        bare_(job.region && job.bare_memory && job.fallback != nullptr),
        exit_cache_(std::all_of(job.members.begin(), job.members.end(),
                                [](const JitMember& m) { return exits_may_probe(*m.block); })
                        ? job.exit_cache
                        : nullptr) {
    i8_ = b_.getInt8Ty();
    i32_ = b_.getInt32Ty();
    i64_ = b_.getInt64Ty();
    ptr_ = b_.getPtrTy();
    fn_type_ = llvm::FunctionType::get(i32_, {ptr_, ptr_}, false);
    fn_ = llvm::Function::Create(fn_type_, llvm::Function::ExternalLinkage, name, mod_);
    fn_->addFnAttr(llvm::Attribute::NoUnwind);
    hart_ = fn_->getArg(0);
    state_ = fn_->getArg(1);
    // No noalias on either pointer: the state lives inside the hart, and helpers called
    // with the hart read and write it (trap_pending, fflags...).
    //
    // Type-based alias classes for what the generated code itself touches: guest memory
    // (host RAM reached through the TLB fast path), the hart state, and the soft TLB are
    // disjoint allocations. Told so, O2 keeps a TLB entry's tag and addend in registers
    // across guest stores, so repeated accesses to one page in a region probe the TLB
    // memory once (helper calls still clobber everything).
    llvm::MDBuilder md(ctx_);
    llvm::MDNode* root = md.createTBAARoot("tiervm");
    auto tag = [&](const char* name) {
      llvm::MDNode* type = md.createTBAAScalarTypeNode(name, root);
      return md.createTBAAStructTagNode(type, type, 0);
    };
    tbaa_state_ = tag("hart state");
    tbaa_tlb_ = tag("soft tlb");
    tbaa_guest_ = tag("guest memory");
    tbaa_marks_ = tag("code marks");
  }

  // Region mode: vector registers the inline vector code reads (`read`) and writes
  // (`written`) live in allocas for the whole region, as guest slots do, so SROA keeps them
  // in host vector registers across the region's loops. They are loaded from the hart
  // state on entry, written back at every exit and trap, and around the helper of every
  // vector instruction (written back before it, loaded again after it: helpers read and
  // write the registers in the hart state). Set before lower().
  void promote_vregs(std::bitset<32> read, std::bitset<32> written) {
    vpromote_ = region_ ? (read | written) : std::bitset<32>{};
    vdirty_ = written & vpromote_;
  }
  // The vector registers the inline code read and wrote (after lower()).
  std::bitset<32> vregs_read() const { return vread_; }
  std::bitset<32> vregs_written() const { return vwritten_; }

  llvm::Function* lower() {
    b_.SetInsertPoint(BasicBlock::Create(ctx_, "entry", fn_));
    entry_pc_ = load64(kOffPc, "entry_pc");
    Value* instret = load64(kOffInstret, "instret");
    // The L1 and its size hold while compiled code runs (SoftTlb::apply_resize runs in
    // the dispatcher).
    tlb_ = load_state(ptr_, kOffDataTlb, "tlb");
    tlb_offsets_ = load64(kOffDataTlbOffsets, "tlb_offsets");
    if (job_.counter != nullptr) {
      Value* addr = b_.CreateIntToPtr(c64(reinterpret_cast<uint64_t>(job_.counter)), ptr_);
      b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, addr), c64(1)), addr);
    }
    if (!region_) {
      block_pc_ = entry_pc_;
      instret0_ = instret;
      lower_member(0);
      return fn_;
    }
    // Region: every guest slot any member touches lives in an alloca, loaded once here
    // and written back at each exit; temporaries too (SROA turns them all into SSA).
    for (const JitMember& m : job_.members) note_slots(*m.block);
    for (unsigned s = 1; s < kSlotCount; ++s) {
      if (!used_[s]) continue;
      allocas_[s] = b_.CreateAlloca(slot_type(s));
      if (s < kSlotTemp0) b_.CreateStore(to_slot(s, load64(kOffSlot + 8 * s)), allocas_[s]);
    }
    instret_slot_ = b_.CreateAlloca(i64_);
    b_.CreateStore(instret, instret_slot_);
    for (unsigned r = 0; r < 32; ++r) {
      if (!vpromote_[r]) continue;
      valloca_[r] = b_.CreateAlloca(vreg_type());
      valloca_[r]->setAlignment(llvm::Align(16));
      b_.CreateAlignedStore(state_vreg(r, vreg_type()), valloca_[r], llvm::Align(16));
    }
    if (bare_) {
      // Fixed while the region runs: whatever changes the data mode or PMP (CSR writes,
      // traps, mret) ends its block with an exit that leaves the region. Entered while
      // not bare (a chained entry, a mode change since compilation), the region hands over
      // to the tier-1 code, whose accesses probe the TLB.
      bare_base_ = load64(kOffBareBase, "bare_base");
      bare_limit_ = load64(kOffBareLimit, "bare_limit");
      bare_addend_ = load64(kOffBareAddend, "bare_addend");
      code_marks_ = load_state(ptr_, kOffCodeMarks, "code_marks");
      BasicBlock* bare_entry = BasicBlock::Create(ctx_, "bare", fn_);
      BasicBlock* not_bare = BasicBlock::Create(ctx_, "not_bare", fn_);
      b_.CreateCondBr(b_.CreateICmpNE(bare_limit_, c64(0)), bare_entry, not_bare, likely());
      b_.SetInsertPoint(not_bare);
      // The tier-1 code of the member entered.
      enter_member([&](size_t n) {
        JitFn fallback = n == 0 ? job_.fallback : job_.members[n].entry_fallback;
        auto* call = b_.CreateCall(fn_type_, fn_ptr(fallback), {hart_, state_});
        call->setTailCallKind(llvm::CallInst::TCK_MustTail);
        b_.CreateRet(call);
      });
      b_.SetInsertPoint(bare_entry);
    }
    for (size_t n = 0; n < job_.members.size(); ++n) {
      member_bb_.push_back(BasicBlock::Create(ctx_, "m" + std::to_string(n), fn_));
    }
    // A bare region runs only while fetch is untranslated too (bare data accesses imply it:
    // M-mode, or satp Bare): a member's pc is its physical address, and members may lie in
    // any page. Other regions' members in the entry's page have the page's base plus their
    // offset as pc; members in other pages (JitMember::cross) that of the virtual page
    // the crossing into their page found mapped to it (an alloca per physical page, set
    // where the code crosses: the region is only entered in the entry's page).
    page_base_ = b_.CreateAnd(entry_pc_, c64(~kPageMask));
    const uint64_t entry_page = job_.entry().start_paddr & ~kPageMask;
    if (!bare_) {
      for (const JitMember& m : job_.members) {
        const uint64_t page = m.block->start_paddr & ~kPageMask;
        if (page != entry_page && vbase_.count(page) == 0) vbase_[page] = b_.CreateAlloca(i64_);
      }
      if (!vbase_.empty()) {
        fetch_tlb_ = load_state(ptr_, kOffFetchTlb, "fetch_tlb");
        fetch_tlb_offsets_ = load64(kOffFetchTlbOffsets, "fetch_tlb_offsets");
      }
    }
    enter_member([&](size_t n) { b_.CreateBr(member_bb_[n]); });
    // (A bare region's pcs are physical addresses: members in other pages are the same
    // distance from the entry's page as in physical memory.)
    for (size_t n = 0; n < job_.members.size(); ++n) {
      b_.SetInsertPoint(member_bb_[n]);
      const uint64_t paddr = job_.members[n].block->start_paddr;
      const uint64_t page = paddr & ~kPageMask;
      Value* base = page == entry_page || bare_ ? page_base_ : b_.CreateLoad(i64_, vbase_[page]);
      block_pc_ = bare_ ? b_.CreateAdd(page_base_, c64(paddr - entry_page))
                        : b_.CreateOr(base, c64(paddr & kPageMask));
      instret0_ = b_.CreateLoad(i64_, instret_slot_);
      lower_member(n);
    }
    return fn_;
  }

 private:
  // Region entry: `go(n)` ends the path for the member the region is entered at, found by
  // the page offset of the entry pc (members[0], or a member with an entry_fallback: the
  // code cache runs the region for no other). Entries lie in the entry's page (the code
  // finds the page from the entry pc), so their page offsets differ (members are distinct
  // blocks); an entry_fallback on a member in another page is ignored here.
  template <typename Go>
  void enter_member(Go go) {
    std::vector<size_t> entries;
    const uint64_t entry_page = job_.entry().start_paddr & ~kPageMask;
    for (size_t n = 1; n < job_.members.size(); ++n) {
      const uint64_t paddr = job_.members[n].block->start_paddr;
      if (job_.members[n].entry_fallback != nullptr && (paddr & ~kPageMask) == entry_page) {
        entries.push_back(n);
      }
    }
    if (entries.empty()) {
      go(0);
      return;
    }
    BasicBlock* first = BasicBlock::Create(ctx_, "enter0", fn_);
    llvm::SwitchInst* sw = b_.CreateSwitch(b_.CreateAnd(entry_pc_, c64(kPageMask)), first,
                                           static_cast<unsigned>(entries.size()));
    b_.SetInsertPoint(first);
    go(0);
    for (size_t n : entries) {
      BasicBlock* bb = BasicBlock::Create(ctx_, "enter" + std::to_string(n), fn_);
      sw->addCase(b_.getInt64(job_.members[n].block->start_paddr & kPageMask), bb);
      b_.SetInsertPoint(bb);
      go(n);
    }
  }

  // ---- State access.
  Value* field(size_t offset) { return b_.CreateConstInBoundsGEP1_64(i8_, state_, offset); }
  template <class Inst>
  Inst* tagged(Inst* inst, llvm::MDNode* tbaa) {
    inst->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa);
    return inst;
  }
  Value* load_state(llvm::Type* ty, size_t offset, const char* name = "") {
    return tagged(b_.CreateLoad(ty, field(offset), name), tbaa_state_);
  }
  Value* load64(size_t offset, const char* name = "") { return load_state(i64_, offset, name); }
  void store64(size_t offset, Value* v) { tagged(b_.CreateStore(v, field(offset)), tbaa_state_); }
  Value* c64(uint64_t v) { return b_.getInt64(v); }
  // Other threads write the instruction limit (an exit request sets it to 0) and chain
  // slots: these loads must be re-done on every pass of a region's loop, never hoisted.
  Value* atomic_load(llvm::Type* ty, Value* addr) {
    llvm::LoadInst* l = b_.CreateLoad(ty, addr);
    l->setAtomic(llvm::AtomicOrdering::Monotonic);
    l->setAlignment(llvm::Align(ty == i32_ ? 4 : 8));
    return l;
  }
  // Compiled code may go on at `instret`: neither the dispatcher's instruction limit nor an
  // exit request (HartState::request_exit) stops it. One load and compare.
  Value* may_chain(Value* instret) {
    return b_.CreateICmpULT(instret, atomic_load(i64_, field(kOffInstretLimit)));
  }

  Value* read(uint8_t slot) {
    if (slot == kSlotX0) return c64(0);
    if (region_) {
      Value* v = b_.CreateLoad(slot_type(slot), allocas_[slot]);
      return slot_type(slot) == i64_ ? v : b_.CreateBitCast(v, i64_);
    }
    if (!values_[slot]) values_[slot] = load64(kOffSlot + 8 * slot);
    return values_[slot];
  }
  void write(uint8_t slot, Value* v) {
    if (slot == kSlotSink || slot == kSlotX0) return;
    if (region_) {
      b_.CreateStore(to_slot(slot, v), allocas_[slot]);
      return;
    }
    values_[slot] = v;
    // Temporaries never outlive the block: they are not written back.
    if (slot < kSlotTemp0) dirty_[slot] = true;
  }
  // A region keeps the f registers in double-typed allocas, so that their SSA values live
  // in host XMM registers across the region, not in general registers moved to XMM for
  // each op (with the thunks below: nbody and fft 9-11 % faster at 10x). Loads, stores, phis
  // and bitcasts keep every bit, NaN payloads and NaN-boxed singles included.
  llvm::Type* slot_type(unsigned s) {
    return s >= kSlotF0 && s < kSlotTemp0 ? b_.getDoubleTy() : i64_;
  }
  Value* to_slot(unsigned s, Value* v) {
    return slot_type(s) == i64_ ? v : b_.CreateBitCast(v, slot_type(s));
  }
  void write_back() {
    for (unsigned s = 1; s < kSlotTemp0; ++s) {
      if (region_ ? written_[s] : dirty_[s]) store64(kOffSlot + 8 * s, read(s));
    }
    vregs_to_state();
  }
  // The promoted vector registers the region writes, into the hart state.
  void vregs_to_state() {
    for (unsigned r = 0; r < 32; ++r) {
      if (!vdirty_[r]) continue;
      Value* v = b_.CreateAlignedLoad(vreg_type(), valloca_[r], llvm::Align(16));
      tagged(b_.CreateAlignedStore(v, vreg_addr(r), llvm::MaybeAlign(8)), tbaa_state_);
    }
  }
  // Every promoted vector register, again from the hart state (after a helper).
  void vregs_from_state() {
    for (unsigned r = 0; r < 32; ++r) {
      if (!vpromote_[r]) continue;
      b_.CreateAlignedStore(state_vreg(r, vreg_type()), valloca_[r], llvm::Align(16));
    }
  }
  // Region mode: which slots the members read or write.
  void note_slots(const IrBlock& blk) {
    auto use = [&](uint8_t s) { used_[s] = true; };
    for (const IrInsn& i : blk.insns) {
      use(i.a);
      use(i.b);
      use(i.c);
      if (i.dst != kSlotSink && i.dst != kSlotX0) {
        use(i.dst);
        written_[i.dst] = i.dst < kSlotTemp0;
      }
    }
    use(blk.exit.cond);
    use(blk.exit.target);
    used_[kSlotX0] = false;
    used_[kSlotSink] = false;
  }

  // Helpers read instret from the state (csrr cycle/instret, a timer derived from it): in a
  // region, whose back edges keep instret in a register, it is stored before each call as
  // the value at the current member's start, what a block's helpers see in tier 1.
  void sync_instret() {
    if (region_) store64(kOffInstret, instret0_);
  }

  // A function pointer constant for a C++ function.
  template <typename F>
  Value* fn_ptr(F* f) {
    return b_.CreateIntToPtr(c64(reinterpret_cast<uint64_t>(f)), ptr_);
  }

  // A call on a slow path (a TLB miss, an FP result the host cannot give). In a region it
  // goes through a thunk with LLVM's preserve_all convention, which saves and restores
  // every register the C++ helper may clobber: the region's guest registers stay in host
  // registers (general and XMM) across the call, where a C call would make the register
  // allocator split and spill every value live across each slow path. The thunk is one
  // per helper and module.
  template <typename F>
  Value* cold_call(llvm::FunctionType* ty, F* helper, llvm::ArrayRef<Value*> args) {
    if (!region_) return b_.CreateCall(ty, fn_ptr(helper), args);
    const uint64_t address = reinterpret_cast<uint64_t>(helper);
    const std::string name = "cold_" + std::to_string(address);
    llvm::Function* thunk = mod_.getFunction(name);
    if (thunk == nullptr) {
      thunk = llvm::Function::Create(ty, llvm::Function::InternalLinkage, name, mod_);
      thunk->setCallingConv(llvm::CallingConv::PreserveAll);
      thunk->addFnAttr(llvm::Attribute::NoInline);
      thunk->addFnAttr(llvm::Attribute::Cold);
      thunk->addFnAttr(llvm::Attribute::NoUnwind);
      llvm::IRBuilder<> tb(BasicBlock::Create(ctx_, "entry", thunk));
      std::vector<Value*> forwarded;
      for (llvm::Argument& arg : thunk->args()) forwarded.push_back(&arg);
      Value* fn = tb.CreateIntToPtr(tb.getInt64(address), ptr_);
      Value* r = tb.CreateCall(ty, fn, forwarded);
      if (ty->getReturnType()->isVoidTy()) {
        tb.CreateRetVoid();
      } else {
        tb.CreateRet(r);
      }
    }
    auto* call = b_.CreateCall(thunk, args);
    call->setCallingConv(llvm::CallingConv::PreserveAll);
    return call;
  }

  // Ends the current path with a trap at guest instruction `index`: write back, set pc
  // and instret as the interpreter does, return kJitTrap.
  // In a region every trap goes to one shared exit (pc and instret arrive through phis):
  // its slots live in allocas, so one write-back serves all, where a copy per load,
  // store and FP op made regions several times larger and slower to compile.
  void trap_exit(uint16_t index) {
    Value* pc = b_.CreateAdd(block_pc_, c64(member_->block->guest_offsets[index]));
    Value* instret = b_.CreateAdd(instret0_, c64(index));
    if (region_) {
      if (shared_trap_ == nullptr) {
        BasicBlock* here = b_.GetInsertBlock();
        shared_trap_ = BasicBlock::Create(ctx_, "trap_shared", fn_);
        b_.SetInsertPoint(shared_trap_);
        trap_pc_ = b_.CreatePHI(i64_, 4);
        trap_instret_ = b_.CreatePHI(i64_, 4);
        write_back();
        store64(kOffPc, trap_pc_);
        store64(kOffInstret, trap_instret_);
        b_.CreateRet(b_.getInt32(kJitTrap));
        b_.SetInsertPoint(here);
      }
      trap_pc_->addIncoming(pc, b_.GetInsertBlock());
      trap_instret_->addIncoming(instret, b_.GetInsertBlock());
      b_.CreateBr(shared_trap_);
      return;
    }
    write_back();
    store64(kOffPc, pc);
    store64(kOffInstret, instret);
    b_.CreateRet(b_.getInt32(kJitTrap));
  }
  // if (s.trap_pending) trap_exit(index)
  void check_trap(uint16_t index) {
    Value* pending = load_state(i8_, kOffTrapPending);
    BasicBlock* trap_bb = BasicBlock::Create(ctx_, "trap", fn_);
    BasicBlock* cont = BasicBlock::Create(ctx_, "cont", fn_);
    b_.CreateCondBr(b_.CreateICmpNE(pending, b_.getInt8(0)), trap_bb, cont, unlikely());
    b_.SetInsertPoint(trap_bb);
    trap_exit(index);
    b_.SetInsertPoint(cont);
  }
  llvm::MDNode* unlikely() { return llvm::MDBuilder(ctx_).createBranchWeights(1, 1000); }
  llvm::MDNode* likely() { return llvm::MDBuilder(ctx_).createBranchWeights(1000, 1); }

  // ---- Memory: inline L1 soft-TLB probe, host access on a hit, C++ slow path otherwise.
  // The tag at `tag_offset` and the host addend of the entry of `va` in the L1 `l1`, whose
  // mask of byte offsets is `offsets` (HartState::data_tlb_offsets).
  std::pair<Value*, Value*> l1_tag_and_addend(Value* l1, Value* offsets, Value* va,
                                              size_t tag_offset) {
    Value* entry = b_.CreateGEP(
        i8_, l1, b_.CreateAnd(b_.CreateLShr(va, c64(SoftTlb::kL1OffsetShift)), offsets));
    auto field = [&](size_t offset) {
      return tagged(b_.CreateLoad(i64_, b_.CreateConstInBoundsGEP1_64(i8_, entry, offset)),
                    tbaa_tlb_);
    };
    Value* tag = field(tag_offset);
    return {tag, field(kTlbAddendOffset)};
  }
  Value* tlb_hit(Value* va, unsigned size, size_t tag_offset, Value*& host) {
    const auto [tag, addend] = l1_tag_and_addend(tlb_, tlb_offsets_, va, tag_offset);
    Value* same_page = b_.CreateICmpEQ(tag, b_.CreateAnd(va, c64(~kPageMask)));
    Value* fits = b_.CreateICmpULE(b_.CreateAnd(va, c64(kPageMask)), c64(kPageSize - size));
    host = b_.CreateIntToPtr(b_.CreateAdd(va, addend), ptr_);
    return b_.CreateAnd(same_page, fits);
  }

  // Branches to `fast` with the host address of [va, va + size) when an inline check
  // allows the access, to `slow` otherwise, and returns that address. Bare regions check
  // RAM bounds (and, for a store, the page's code mark, and that it stays in one page);
  // other code probes the L1 TLB.
  Value* fast_address(Value* va, unsigned size, bool store, BasicBlock* fast, BasicBlock* slow) {
    if (!bare_) {
      Value* host = nullptr;
      Value* hit = tlb_hit(va, size, store ? kTlbTagWriteOffset : kTlbTagReadOffset, host);
      b_.CreateCondBr(hit, fast, slow);
      return host;
    }
    Value* off = b_.CreateSub(va, bare_base_);
    Value* in_ram = b_.CreateICmpULT(off, bare_limit_);
    // Past 8 bytes (vector registers) the access must also stay in its page, as a store
    // must: RAM ends at a page boundary.
    if ((store && size > 1) || size > 8) {
      in_ram = b_.CreateAnd(
          in_ram, b_.CreateICmpULE(b_.CreateAnd(va, c64(kPageMask)), c64(kPageSize - size)));
    }
    Value* bare_host = b_.CreateIntToPtr(b_.CreateAdd(va, bare_addend_), ptr_);
    if (!store) {
      b_.CreateCondBr(in_ram, fast, slow, likely());
      return bare_host;
    }
    BasicBlock* data = BasicBlock::Create(ctx_, "st_ram", fn_);
    b_.CreateCondBr(in_ram, data, slow, likely());
    b_.SetInsertPoint(data);
    // Other harts mark pages as they translate: a monotonic load, never hoisted.
    Value* mark_addr = b_.CreateGEP(b_.getInt16Ty(), code_marks_, b_.CreateLShr(off, kPageBits));
    auto* mark = b_.CreateLoad(b_.getInt16Ty(), mark_addr);
    mark->setAtomic(llvm::AtomicOrdering::Monotonic);
    mark->setAlignment(llvm::Align(2));
    tagged(mark, tbaa_marks_);
    b_.CreateCondBr(b_.CreateICmpEQ(mark, b_.getInt16(0)), fast, slow, likely());
    return bare_host;
  }

  void lower_load(const IrInsn& i, unsigned size, bool sign) {
    Value* va = b_.CreateAdd(read(i.a), c64(static_cast<uint64_t>(i.imm)));
    BasicBlock* fast = BasicBlock::Create(ctx_, "ld_fast", fn_);
    BasicBlock* slow = BasicBlock::Create(ctx_, "ld_slow", fn_);
    BasicBlock* join = BasicBlock::Create(ctx_, "ld_join", fn_);
    Value* host = fast_address(va, size, false, fast, slow);

    b_.SetInsertPoint(fast);
    llvm::Type* ty = b_.getIntNTy(size * 8);
    auto* raw = tagged(b_.CreateAlignedLoad(ty, host, llvm::MaybeAlign(1)), tbaa_guest_);
    Value* fast_v = size == 8 ? static_cast<Value*>(raw)
                              : (sign ? b_.CreateSExt(raw, i64_) : b_.CreateZExt(raw, i64_));
    b_.CreateBr(join);
    BasicBlock* fast_end = b_.GetInsertBlock();

    b_.SetInsertPoint(slow);
    sync_instret();
    auto* load_ty = llvm::FunctionType::get(i64_, {ptr_, i64_, i32_}, false);
    Value* slow_v =
        cold_call(load_ty, &tiervm_jit_load, {hart_, va, b_.getInt32(size | (sign ? 0x100 : 0))});
    check_trap(i.guest_index);
    b_.CreateBr(join);
    BasicBlock* slow_end = b_.GetInsertBlock();

    b_.SetInsertPoint(join);
    auto* phi = b_.CreatePHI(i64_, 2);
    phi->addIncoming(fast_v, fast_end);
    phi->addIncoming(slow_v, slow_end);
    write(i.dst, phi);
  }

  void lower_store(const IrInsn& i, unsigned size) {
    Value* va = b_.CreateAdd(read(i.a), c64(static_cast<uint64_t>(i.imm)));
    Value* value = read(i.b);
    BasicBlock* fast = BasicBlock::Create(ctx_, "st_fast", fn_);
    BasicBlock* slow = BasicBlock::Create(ctx_, "st_slow", fn_);
    BasicBlock* join = BasicBlock::Create(ctx_, "st_join", fn_);
    Value* host = fast_address(va, size, true, fast, slow);

    b_.SetInsertPoint(fast);
    Value* narrow = size == 8 ? value : b_.CreateTrunc(value, b_.getIntNTy(size * 8));
    tagged(b_.CreateAlignedStore(narrow, host, llvm::MaybeAlign(1)), tbaa_guest_);
    b_.CreateBr(join);

    b_.SetInsertPoint(slow);
    sync_instret();
    auto* store_ty = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, i64_, i64_, i32_}, false);
    cold_call(store_ty, &tiervm_jit_store, {hart_, va, value, b_.getInt32(size)});
    check_trap(i.guest_index);
    b_.CreateBr(join);
    b_.SetInsertPoint(join);
  }

  void lower_call(const IrInsn& i) {
    if (i.helper == &h_fs_dirty) {
      lower_fs_dirty();
      return;
    }
    const VInline* v_info = job_.vlenb != 0 ? vector_inline(i.helper) : nullptr;
    if (v_info != nullptr && lower_vector_inline(i, *v_info)) {
      vready_ = true;
      return;
    }
    write(i.dst, call_helper(i, helper_args(i)));
    // A listed vector instruction that ran its helper kept vtype, but a vsetvli/vsetivli
    // gets here only with an illegal vtype (lower_vector_vset runs the legal ones), and any
    // other call may change vtype.
    if (v_info == nullptr || v_info->kind == VInlineKind::Vset) vtype_known_ = false;
    // Every vector instruction that completes leaves VS Dirty and vstart 0 (one that
    // traps leaves the member); any other helper may change either (CSR writes).
    vready_ = v_info != nullptr;
  }

  // h_fs_dirty in line: mstatus.FS and SD set, with no call. Only a Call (a CSR write)
  // clears them, so the FP environment's Dirty test is known true until the next one.
  void lower_fs_dirty() {
    constexpr uint64_t kDirty = mstatus::FS | mstatus::SD;
    store64(offsetof(HartState, mstatus),
            b_.CreateOr(load64(offsetof(HartState, mstatus)), c64(kDirty)));
    forget_fp_env();
    fs_dirty_ = b_.getTrue();
  }

  // ---- Vector instructions in line (engine/translate/vector_inline.h). Element
  // operations and unit-stride accesses run only where vtype is known at compile time: after
  // a vsetvli/vsetivli earlier in the same block, which also left vstart = 0 and
  // mstatus.VS Dirty (every vector instruction that completes does; one that traps leaves
  // the block), so the inline code checks neither and needs no update of either. vl is
  // read at run time: elements at or past it keep their old values (tail undisturbed).
  // Masked forms and anything the inline forms do not cover call the helper. Whole-register
  // accesses do not depend on vtype: they check VS Dirty and vstart = 0 at run time.
  // Returns false when the helper must be called.
  bool lower_vector_inline(const IrInsn& i, const VInline& v) {
    const VFields f(i.imm);
    switch (v.kind) {
      case VInlineKind::Vset:
        return lower_vector_vset(i, f);
      case VInlineKind::WholeLoad:
      case VInlineKind::WholeStore:
        return lower_vector_whole(i, v, f);
      case VInlineKind::Keep:
        return false;
      default:
        break;
    }
    // Masked forms, and (never for these kinds) an x or f result: the helper.
    if (!f.vm || i.dst != kSlotSink) return false;
    if (vtype_known_) return lower_vector_op(i, v, f);
    // vtype unknown here: in line for the job's hint, behind a check that vtype is the
    // hint, vstart 0 and VS Dirty (what a vsetvli in the block would have guaranteed).
    VType hint;
    if (!decode_vtype(job_.vtype_hint, hint)) return false;
    const HelperArgs args = helper_args(i);
    BasicBlock* fast = BasicBlock::Create(ctx_, "vg_fast", fn_);
    BasicBlock* slow = BasicBlock::Create(ctx_, "vg_slow", fn_);
    BasicBlock* join = BasicBlock::Create(ctx_, "vg_join", fn_);
    Value* guard = b_.CreateAnd(
        b_.CreateICmpEQ(load64(offsetof(HartState, vtype)), c64(job_.vtype_hint)), vector_ready());
    b_.CreateCondBr(guard, fast, slow, likely());
    b_.SetInsertPoint(fast);
    vtype_ = hint;
    if (!lower_vector_op(i, v, f)) call_helper(i, args);  // illegal under the hint
    return join_helper_path(i, args, slow, join);
  }

  // An element operation or unit-stride access at vtype_ (vstart 0, VS Dirty), or false
  // (before emitting anything) when the helper must run it.
  bool lower_vector_op(const IrInsn& i, const VInline& v, const VFields& f) {
    switch (v.kind) {
      case VInlineKind::Binary:
      case VInlineKind::Move:
        return lower_vector_binary(i, v, f);
      case VInlineKind::Widen:
        return lower_vector_widen(i, v, f);
      case VInlineKind::Extend:
        return lower_vector_extend(v, f);
      case VInlineKind::FBinary:
        return lower_vector_fbinary(i, v, f);
      case VInlineKind::UnitLoad:
      case VInlineKind::UnitStore:
        return f.nf() == 1 && lower_vector_unit(i, v, f);
      default:
        return false;
    }
  }

  // Register `reg` of the vector file as a vector of `lanes` elements of `bits`.
  llvm::FixedVectorType* vec_type(unsigned bits, unsigned lanes) {
    return llvm::FixedVectorType::get(b_.getIntNTy(bits), lanes);
  }
  Value* vreg_addr(unsigned reg) { return field(kOffVreg + size_t{reg} * job_.vlenb); }
  // One whole register's bytes.
  llvm::FixedVectorType* vreg_type() { return vec_type(8, job_.vlenb); }
  Value* state_vreg(unsigned reg, llvm::Type* ty) {
    return tagged(b_.CreateAlignedLoad(ty, vreg_addr(reg), llvm::MaybeAlign(8)), tbaa_state_);
  }
  // A register as `ty` (every caller reads and writes whole registers), from its alloca
  // when the region promotes it, else from the hart state.
  Value* load_vreg(unsigned reg, llvm::Type* ty) {
    vread_.set(reg);
    if (valloca_[reg] != nullptr) {
      return b_.CreateAlignedLoad(ty, valloca_[reg], llvm::Align(16));
    }
    return state_vreg(reg, ty);
  }
  void store_vreg(unsigned reg, Value* v) {
    vwritten_.set(reg);
    if (valloca_[reg] != nullptr) {
      b_.CreateAlignedStore(v, valloca_[reg], llvm::Align(16));
      return;
    }
    tagged(b_.CreateAlignedStore(v, vreg_addr(reg), llvm::MaybeAlign(8)), tbaa_state_);
  }
  // Lanes of a register whose element index (first + lane) is below vl.
  Value* active_lanes(Value* vl32, unsigned lanes, uint64_t first) {
    std::vector<llvm::Constant*> idx;
    idx.reserve(lanes);
    for (unsigned k = 0; k < lanes; ++k)
      idx.push_back(b_.getInt32(static_cast<uint32_t>(first + k)));
    return b_.CreateICmpULT(llvm::ConstantVector::get(idx), b_.CreateVectorSplat(lanes, vl32));
  }
  Value* vl32() {
    // vl <= VLMAX <= 8 * 1024 / 8: fits in 32 bits.
    return b_.CreateTrunc(load64(kOffVl), i32_);
  }
  // The second operand of an element operation as a vector: vs1's register, or x[rs1] /
  // the immediate, truncated to `bits` and splat (extended to `ext_bits` when wider).
  Value* operand_b(const IrInsn& i, const VInline& v, const VFields& f, unsigned bits,
                   unsigned lanes, unsigned reg_offset, unsigned lane_offset, bool sign,
                   unsigned ext_bits) {
    llvm::Type* ety = b_.getIntNTy(bits);
    Value* b = nullptr;
    switch (v.src) {
      case VOperand::V: {
        const unsigned full = job_.vlenb * 8 / bits;
        Value* r = load_vreg(f.vs1 + reg_offset, vec_type(bits, full));
        b = lanes == full ? r : take_lanes(r, lane_offset, lanes);
        break;
      }
      case VOperand::X:
        b = b_.CreateVectorSplat(lanes, b_.CreateTrunc(read(i.a), ety));
        break;
      case VOperand::I:
        b = b_.CreateVectorSplat(
            lanes, llvm::ConstantInt::get(ety, trunc_bits(static_cast<uint64_t>(f.simm5()), bits)));
        break;
      case VOperand::U:
        b = b_.CreateVectorSplat(lanes, llvm::ConstantInt::get(ety, f.vs1));
        break;
    }
    if (ext_bits == bits) return b;
    return sign ? b_.CreateSExt(b, vec_type(ext_bits, lanes))
                : b_.CreateZExt(b, vec_type(ext_bits, lanes));
  }
  Value* take_lanes(Value* v, unsigned first, unsigned lanes) {
    std::vector<int> mask;
    mask.reserve(lanes);
    for (unsigned k = 0; k < lanes; ++k) mask.push_back(static_cast<int>(first + k));
    return b_.CreateShuffleVector(v, mask);
  }
  // The element operation on vectors (the C++ structs of engine/translate/vector_int.cpp).
  Value* elem_op(VElemOp op, Value* d, Value* a, Value* b, unsigned bits) {
    auto* vty = llvm::cast<llvm::FixedVectorType>(a->getType());
    auto intr = [&](llvm::Intrinsic::ID id) { return b_.CreateBinaryIntrinsic(id, a, b); };
    switch (op) {
      case VElemOp::Add:
      case VElemOp::WAdd:
        return b_.CreateAdd(a, b);
      case VElemOp::Sub:
      case VElemOp::WSub:
        return b_.CreateSub(a, b);
      case VElemOp::Rsub:
        return b_.CreateSub(b, a);
      case VElemOp::And:
        return b_.CreateAnd(a, b);
      case VElemOp::Or:
        return b_.CreateOr(a, b);
      case VElemOp::Xor:
        return b_.CreateXor(a, b);
      case VElemOp::Sll:
      case VElemOp::Srl:
      case VElemOp::Sra: {
        // The low lg2(SEW) bits of the amount (section 11.6).
        Value* amount = b_.CreateAnd(
            b, b_.CreateVectorSplat(vty->getNumElements(),
                                    llvm::ConstantInt::get(vty->getElementType(), bits - 1)));
        if (op == VElemOp::Sll) return b_.CreateShl(a, amount);
        return op == VElemOp::Srl ? b_.CreateLShr(a, amount) : b_.CreateAShr(a, amount);
      }
      case VElemOp::Minu:
        return intr(llvm::Intrinsic::umin);
      case VElemOp::Maxu:
        return intr(llvm::Intrinsic::umax);
      case VElemOp::Min:
        return intr(llvm::Intrinsic::smin);
      case VElemOp::Max:
        return intr(llvm::Intrinsic::smax);
      case VElemOp::Mul:
      case VElemOp::WMul:
        return b_.CreateMul(a, b);
      case VElemOp::Macc:
      case VElemOp::WMacc:
        return b_.CreateAdd(b_.CreateMul(b, a), d);
      case VElemOp::Nmsac:
        return b_.CreateSub(d, b_.CreateMul(b, a));
      case VElemOp::Madd:
        return b_.CreateAdd(b_.CreateMul(b, d), a);
      case VElemOp::Nmsub:
        return b_.CreateSub(a, b_.CreateMul(b, d));
      default:  // the FP operations: fp_elem_op
        return a;
    }
  }

  // Single-width (h_binary) and vmv.v.* (h_merge, unmasked): every register of the group
  // is read before any is written, so overlapping groups behave as the helper's.
  bool lower_vector_binary(const IrInsn& i, const VInline& v, const VFields& f) {
    const int emul = vtype_.lmul_log2;
    const bool move = v.kind == VInlineKind::Move;
    if (!vgroup_ok(f.vd, emul) || (!move && !vgroup_ok(f.vs2, emul)) ||
        (v.src == VOperand::V && !vgroup_ok(f.vs1, emul))) {
      return false;  // illegal: the helper traps
    }
    const unsigned bits = vtype_.sew, lanes = job_.vlenb * 8 / bits;
    const unsigned regs = vgroup_regs(emul);
    llvm::FixedVectorType* ty = vec_type(bits, lanes);
    Value* vl = vl32();
    std::vector<Value*> out;
    for (unsigned r = 0; r < regs; ++r) {
      Value* d = load_vreg(f.vd + r, ty);
      Value* b = operand_b(i, v, f, bits, lanes, r, 0, false, bits);
      Value* res = move ? b : elem_op(v.op, d, load_vreg(f.vs2 + r, ty), b, bits);
      out.push_back(b_.CreateSelect(active_lanes(vl, lanes, uint64_t{r} * lanes), res, d));
    }
    for (unsigned r = 0; r < regs; ++r) store_vreg(f.vd + r, out[r]);
    return true;
  }

  // Widening (h_widen): vd and, for .w forms, vs2 have 2 * SEW bits. Destination register
  // w holds the elements of source register w / 2's lanes (w % 2) * N/2 ... .
  bool lower_vector_widen(const IrInsn& i, const VInline& v, const VFields& f) {
    const int emul = vtype_.lmul_log2, wemul = emul + 1;
    const bool vs1_src = v.src == VOperand::V;
    if (vtype_.sew > 32 || wemul > 3 || !vgroup_ok(f.vd, wemul) ||
        !vgroup_ok(f.vs2, v.wide_a ? wemul : emul) ||
        (!v.wide_a && !vdest_may_overlap(f.vd, wemul, f.vs2, emul)) ||
        (vs1_src && (!vgroup_ok(f.vs1, emul) || !vdest_may_overlap(f.vd, wemul, f.vs1, emul)))) {
      return false;
    }
    const unsigned bits = vtype_.sew, wbits = 2 * bits;
    const unsigned lanes = job_.vlenb * 8 / bits, wlanes = lanes / 2;
    const unsigned wregs = vgroup_regs(wemul);
    llvm::FixedVectorType* nty = vec_type(bits, lanes);
    llvm::FixedVectorType* wty = vec_type(wbits, wlanes);
    Value* vl = vl32();
    std::vector<Value*> out;
    for (unsigned w = 0; w < wregs; ++w) {
      const unsigned src_reg = w / 2, first = (w % 2) * wlanes;
      Value* a = nullptr;
      if (v.wide_a) {
        a = load_vreg(f.vs2 + w, wty);
      } else {
        Value* narrow = take_lanes(load_vreg(f.vs2 + src_reg, nty), first, wlanes);
        a = v.signed_a ? b_.CreateSExt(narrow, wty) : b_.CreateZExt(narrow, wty);
      }
      Value* b = operand_b(i, v, f, bits, wlanes, src_reg, first, v.signed_b, wbits);
      Value* d = load_vreg(f.vd + w, wty);
      Value* res = elem_op(v.op, d, a, b, wbits);
      out.push_back(b_.CreateSelect(active_lanes(vl, wlanes, uint64_t{w} * wlanes), res, d));
    }
    for (unsigned w = 0; w < wregs; ++w) store_vreg(f.vd + w, out[w]);
    return true;
  }

  // vzext/vsext.vf<F> (h_extend): destination register r takes its elements from lanes
  // (r % F) * N ... of source register r / F (N: the destination's lanes).
  bool lower_vector_extend(const VInline& v, const VFields& f) {
    const unsigned factor = v.eew;
    const int emul = vtype_.lmul_log2;
    const int src_emul = emul - std::countr_zero(factor);
    if (vtype_.sew / factor < 8 || src_emul < -3 || !vgroup_ok(f.vd, emul) ||
        !vgroup_ok(f.vs2, src_emul) || !vdest_may_overlap(f.vd, emul, f.vs2, src_emul)) {
      return false;
    }
    const unsigned bits = vtype_.sew, nbits = bits / factor;
    const unsigned lanes = job_.vlenb * 8 / bits;
    const unsigned regs = vgroup_regs(emul);
    llvm::FixedVectorType* ty = vec_type(bits, lanes);
    Value* vl = vl32();
    std::vector<Value*> out;
    for (unsigned r = 0; r < regs; ++r) {
      Value* src = load_vreg(f.vs2 + r / factor, vec_type(nbits, lanes * factor));
      Value* narrow = take_lanes(src, (r % factor) * lanes, lanes);
      Value* wide = v.signed_a ? b_.CreateSExt(narrow, ty) : b_.CreateZExt(narrow, ty);
      Value* d = load_vreg(f.vd + r, ty);
      out.push_back(b_.CreateSelect(active_lanes(vl, lanes, uint64_t{r} * lanes), wide, d));
    }
    for (unsigned r = 0; r < regs; ++r) store_vreg(f.vd + r, out[r]);
    return true;
  }

  // Single-width FP arithmetic and multiply-adds (h_fbinary) on the host FPU, under the
  // scalar fast path's rule (engine/ir_eval.h): RNE, NX already in fflags and FS Dirty, and
  // every active result finite and normal above the smallest normal; then the bits are the
  // soft-float's and no new flag is raised. Otherwise (also for a scalar operand that is not
  // NaN-boxed) the helper, which recomputes every element: nothing was written yet.
  bool lower_vector_fbinary(const IrInsn& i, const VInline& v, const VFields& f) {
    const int emul = vtype_.lmul_log2;
    if ((vtype_.sew != 32 && vtype_.sew != 64) || !vgroup_ok(f.vd, emul) ||
        !vgroup_ok(f.vs2, emul) || (v.src == VOperand::V && !vgroup_ok(f.vs1, emul))) {
      return false;
    }
    const bool single = vtype_.sew == 32;
    const unsigned bits = vtype_.sew, lanes = job_.vlenb * 8 / bits;
    const unsigned regs = vgroup_regs(emul);
    llvm::Type* fty = single ? b_.getFloatTy() : b_.getDoubleTy();
    llvm::FixedVectorType* ity = vec_type(bits, lanes);
    auto* vfty = llvm::FixedVectorType::get(fty, lanes);
    const HelperArgs args = helper_args(i);
    Value* ok = fp_env_ok(true);
    Value* scalar = nullptr;
    if (v.src == VOperand::X) {
      if (single) {
        ok = b_.CreateAnd(ok, b_.CreateICmpEQ(b_.CreateLShr(args.a, c64(32)), c64(0xffffffff)));
      }
      Value* raw = b_.CreateTrunc(args.a, b_.getIntNTy(bits));
      scalar = b_.CreateVectorSplat(lanes, b_.CreateBitCast(raw, fty));
    }
    BasicBlock* compute = BasicBlock::Create(ctx_, "vf_compute", fn_);
    BasicBlock* fast = BasicBlock::Create(ctx_, "vf_fast", fn_);
    BasicBlock* slow = BasicBlock::Create(ctx_, "vf_slow", fn_);
    BasicBlock* join = BasicBlock::Create(ctx_, "vf_join", fn_);
    b_.CreateCondBr(ok, compute, slow, likely());
    b_.SetInsertPoint(compute);
    Value* vl = vl32();
    Value* all_ok = b_.getTrue();
    std::vector<Value*> out;
    for (unsigned r = 0; r < regs; ++r) {
      Value* a = b_.CreateBitCast(load_vreg(f.vs2 + r, ity), vfty);
      Value* bv = scalar != nullptr ? scalar : b_.CreateBitCast(load_vreg(f.vs1 + r, ity), vfty);
      Value* d_bits = load_vreg(f.vd + r, ity);
      Value* d = b_.CreateBitCast(d_bits, vfty);
      Value* res = fp_elem_op(v.op, d, a, bv);
      Value* res_bits = b_.CreateBitCast(res, ity);
      Value* normal = normal_above_min(res_bits, !single);
      Value* active = active_lanes(vl, lanes, uint64_t{r} * lanes);
      Value* lane_ok = b_.CreateOr(normal, b_.CreateNot(active));
      all_ok = b_.CreateAnd(all_ok, b_.CreateAndReduce(lane_ok));
      out.push_back(b_.CreateSelect(active, res_bits, d_bits));
    }
    b_.CreateCondBr(all_ok, fast, slow, likely());
    b_.SetInsertPoint(fast);
    for (unsigned r = 0; r < regs; ++r) store_vreg(f.vd + r, out[r]);
    return join_helper_path(i, args, slow, join);
  }
  // The FP element operation (engine/translate/vector_fp.cpp's TIERVM_FOP and TIERVM_FMA).
  Value* fp_elem_op(VElemOp op, Value* d, Value* a, Value* b) {
    auto fma = [&](Value* x, Value* y, Value* z) {
      return b_.CreateIntrinsic(llvm::Intrinsic::fma, {x->getType()}, {x, y, z});
    };
    auto neg = [&](Value* x) { return b_.CreateFNeg(x); };
    switch (op) {
      case VElemOp::FAdd:
        return b_.CreateFAdd(a, b);
      case VElemOp::FSub:
        return b_.CreateFSub(a, b);
      case VElemOp::FRsub:
        return b_.CreateFSub(b, a);
      case VElemOp::FMul:
        return b_.CreateFMul(a, b);
      case VElemOp::FDiv:
        return b_.CreateFDiv(a, b);
      case VElemOp::FRdiv:
        return b_.CreateFDiv(b, a);
      case VElemOp::FMacc:
        return fma(b, a, d);
      case VElemOp::FNmacc:
        return fma(neg(b), a, neg(d));
      case VElemOp::FMsac:
        return fma(b, a, neg(d));
      case VElemOp::FNmsac:
        return fma(neg(b), a, d);
      case VElemOp::FMadd:
        return fma(b, d, a);
      case VElemOp::FNmadd:
        return fma(neg(b), d, neg(a));
      case VElemOp::FMsub:
        return fma(b, d, neg(a));
      case VElemOp::FNmsub:
        return fma(neg(b), d, a);
      default:
        return a;
    }
  }

  // vle<eew>.v / vse<eew>.v, unmasked, one field: in line when the whole group's bytes
  // (VLMAX elements) lie in one page the fast path reaches (the L1 TLB, or RAM for bare
  // regions); a load reads them all and keeps the old values from vl on, a store writes
  // the lanes below vl only. Else the helper (faults, page crossings, MMIO, code pages).
  bool lower_vector_unit(const IrInsn& i, const VInline& v, const VFields& f) {
    const bool store = v.kind == VInlineKind::UnitStore;
    // EMUL = EEW / SEW * LMUL (section 7.3).
    const int emul =
        std::countr_zero(unsigned{v.eew}) - std::countr_zero(vtype_.sew) + vtype_.lmul_log2;
    if (emul < -3 || emul > 3) return false;
    const unsigned regs = vgroup_regs(emul);
    if (f.vd + regs > 32 || !vgroup_ok(f.vd, emul)) return false;
    const unsigned lanes = job_.vlenb * 8 / v.eew;
    // Bytes of VLMAX elements: the group, or the used part of one register.
    const uint64_t bytes = emul >= 0 ? uint64_t{regs} * job_.vlenb : job_.vlenb >> -emul;
    llvm::FixedVectorType* ty = vec_type(v.eew, lanes);
    const HelperArgs args = helper_args(i);
    Value* va = args.a;
    BasicBlock* fast = BasicBlock::Create(ctx_, "v_fast", fn_);
    BasicBlock* slow = BasicBlock::Create(ctx_, "v_slow", fn_);
    BasicBlock* join = BasicBlock::Create(ctx_, "v_join", fn_);
    Value* host = fast_address(va, static_cast<unsigned>(bytes), store, fast, slow);
    b_.SetInsertPoint(fast);
    Value* vl = vl32();
    for (unsigned r = 0; r < regs; ++r) {
      Value* addr = b_.CreateConstInBoundsGEP1_64(i8_, host, uint64_t{r} * job_.vlenb);
      Value* active = active_lanes(vl, lanes, uint64_t{r} * lanes);
      if (store) {
        auto* st = b_.CreateMaskedStore(load_vreg(f.vd + r, ty), addr, llvm::Align(1), active);
        tagged(st, tbaa_guest_);
      } else {
        // A fractional group reads only its part of the register: the rest is tail.
        llvm::Type* lty = emul >= 0 ? static_cast<llvm::Type*>(ty)
                                    : vec_type(v.eew, static_cast<unsigned>(bytes * 8 / v.eew));
        Value* mem = tagged(b_.CreateAlignedLoad(lty, addr, llvm::MaybeAlign(1)), tbaa_guest_);
        if (emul < 0) {
          std::vector<int> widen;
          widen.reserve(lanes);
          const unsigned got = static_cast<unsigned>(bytes * 8 / v.eew);
          for (unsigned k = 0; k < lanes; ++k)
            widen.push_back(k < got ? static_cast<int>(k) : static_cast<int>(got));
          mem = b_.CreateShuffleVector(mem, llvm::PoisonValue::get(lty), widen);
        }
        Value* old = load_vreg(f.vd + r, ty);
        store_vreg(f.vd + r, b_.CreateSelect(active, mem, old));
      }
    }
    return join_helper_path(i, args, slow, join);
  }

  // vl<nf>re<eew>.v / vs<nf>r.v: nf whole registers, whatever vtype says; in line when VS
  // is Dirty, vstart = 0 and the bytes lie in one page the fast path reaches.
  bool lower_vector_whole(const IrInsn& i, const VInline& v, const VFields& f) {
    const bool store = v.kind == VInlineKind::WholeStore;
    const unsigned nf = f.nf();
    if (f.vd % nf != 0) return false;
    const uint64_t bytes = uint64_t{nf} * job_.vlenb;
    const HelperArgs args = helper_args(i);
    Value* va = args.a;
    BasicBlock* check = BasicBlock::Create(ctx_, "vw_check", fn_);
    BasicBlock* fast = BasicBlock::Create(ctx_, "vw_fast", fn_);
    BasicBlock* slow = BasicBlock::Create(ctx_, "vw_slow", fn_);
    BasicBlock* join = BasicBlock::Create(ctx_, "vw_join", fn_);
    Value* ready = vector_ready();
    b_.CreateCondBr(ready, check, slow, likely());
    b_.SetInsertPoint(check);
    Value* host = fast_address(va, static_cast<unsigned>(bytes), store, fast, slow);
    b_.SetInsertPoint(fast);
    llvm::Type* ty = vec_type(8, job_.vlenb);
    for (unsigned r = 0; r < nf; ++r) {
      Value* addr = b_.CreateConstInBoundsGEP1_64(i8_, host, uint64_t{r} * job_.vlenb);
      if (store) {
        tagged(b_.CreateAlignedStore(load_vreg(f.vd + r, ty), addr, llvm::MaybeAlign(1)),
               tbaa_guest_);
      } else {
        store_vreg(f.vd + r,
                   tagged(b_.CreateAlignedLoad(ty, addr, llvm::MaybeAlign(1)), tbaa_guest_));
      }
    }
    return join_helper_path(i, args, slow, join);
  }

  // The operands of a vector instruction's helper, read before the inline and the helper
  // paths part (a slot first read on one path would not reach code after the join).
  struct HelperArgs {
    Value* a;
    Value* b;
    Value* c;
  };
  HelperArgs helper_args(const IrInsn& i) { return {read(i.a), read(i.b), read(i.c)}; }
  // Ends the inline path (a branch to `join`), emits `slow` as the helper's call, and goes
  // on at `join`.
  bool join_helper_path(const IrInsn& i, const HelperArgs& args, BasicBlock* slow,
                        BasicBlock* join) {
    b_.CreateBr(join);
    b_.SetInsertPoint(slow);
    call_helper(i, args);
    b_.CreateBr(join);
    b_.SetInsertPoint(join);
    return true;
  }
  // mstatus.VS Dirty (with SD): a vector instruction in line needs to change neither.
  // Known after a vector instruction earlier in the member (vready_).
  Value* vs_dirty() {
    if (vready_) return b_.getTrue();
    constexpr uint64_t kVsDirty = mstatus::VS | mstatus::SD;
    return b_.CreateICmpEQ(b_.CreateAnd(load64(kOffMstatus), c64(kVsDirty)), c64(kVsDirty));
  }
  // VS Dirty and vstart = 0: what an instruction in line needs that a vsetvli would leave.
  Value* vector_ready() {
    if (vready_) return b_.getTrue();
    return b_.CreateAnd(vs_dirty(), b_.CreateICmpEQ(load64(kOffVstart), c64(0)));
  }
  // The helper call of a vector instruction whose inline path did not apply; its result.
  Value* call_helper(const IrInsn& i, const HelperArgs& args) {
    forget_fp_env();
    sync_instret();
    // A vector instruction's helper reads and writes the registers in the hart state; the
    // registers are reloaded before the trap check, whose exit writes them back.
    const bool vector = vpromote_.any() && vector_inline(i.helper) != nullptr;
    if (vector) vregs_to_state();
    auto* ty = llvm::FunctionType::get(i64_, {ptr_, i64_, i64_, i64_, i64_}, false);
    Value* r = b_.CreateCall(ty, fn_ptr(i.helper),
                             {hart_, args.a, args.b, args.c, c64(static_cast<uint64_t>(i.imm))});
    if (vector) vregs_from_state();
    check_trap(i.guest_index);
    return r;
  }

  // vsetvli / vsetivli with a legal vtype, while VS is Dirty (else the helper): vl from the
  // AVL rule (engine/vector.h vsetvl_rule), vtype, vstart = 0, x[rd] = vl.
  bool lower_vector_vset(const IrInsn& i, const VFields& f) {
    const bool imm_form = (f.word >> 31) != 0;
    const uint64_t zimm = vset_zimm(f.word);
    VType t;
    if (!decode_vtype(zimm, t)) return false;  // vill: the helper
    const uint64_t vlmax = t.vlmax(job_.vlenb);
    const HelperArgs args = helper_args(i);
    BasicBlock* fast = BasicBlock::Create(ctx_, "vset_fast", fn_);
    BasicBlock* slow = BasicBlock::Create(ctx_, "vset_slow", fn_);
    BasicBlock* join = BasicBlock::Create(ctx_, "vset_join", fn_);
    b_.CreateCondBr(vs_dirty(), fast, slow, likely());
    b_.SetInsertPoint(fast);
    Value* vl = nullptr;
    if (imm_form) {
      vl = c64(std::min<uint64_t>(f.vs1, vlmax));
    } else if (f.vs1 != 0) {
      vl = b_.CreateBinaryIntrinsic(llvm::Intrinsic::umin, args.a, c64(vlmax));
    } else if (f.vd != 0) {
      vl = c64(vlmax);
    } else {
      vl = b_.CreateBinaryIntrinsic(llvm::Intrinsic::umin, load64(kOffVl), c64(vlmax));
    }
    store64(kOffVl, vl);
    store64(offsetof(HartState, vtype), c64(zimm));
    store64(kOffVstart, c64(0));
    b_.CreateBr(join);
    BasicBlock* fast_end = b_.GetInsertBlock();
    b_.SetInsertPoint(slow);
    Value* slow_vl = call_helper(i, args);
    b_.CreateBr(join);
    BasicBlock* slow_end = b_.GetInsertBlock();
    b_.SetInsertPoint(join);
    auto* phi = b_.CreatePHI(i64_, 2);
    phi->addIncoming(vl, fast_end);
    phi->addIncoming(slow_vl, slow_end);
    write(i.dst, phi);
    vtype_known_ = true;
    vtype_ = t;
    return true;
  }

  // engine/ir_eval.h's normal_above_min on the bits of a result (a scalar or a vector of
  // them): finite and above the smallest normal (the smallest normal may be a tiny result
  // rounded up, with UF), one unsigned compare on the magnitude shifted left one.
  // `bound`, if given, replaces the range's width (normal_in_env).
  Value* normal_above_min(Value* bits, bool dbl, Value* bound = nullptr) {
    using D = ir_eval_detail::FpBits<double>;
    using S = ir_eval_detail::FpBits<float>;
    const uint64_t min_shifted = dbl ? D::kMinNormalShifted : S::kMinNormalShifted;
    llvm::Type* t = bits->getType();  // ConstantInt::get splats over a vector type
    if (bound == nullptr) bound = llvm::ConstantInt::get(t, normal_range(dbl));
    Value* m = b_.CreateShl(bits, llvm::ConstantInt::get(t, 1));
    return b_.CreateICmpULT(b_.CreateSub(m, llvm::ConstantInt::get(t, min_shifted + 1)), bound);
  }
  // The width of normal_above_min's range.
  static uint64_t normal_range(bool dbl) {
    using D = ir_eval_detail::FpBits<double>;
    using S = ir_eval_detail::FpBits<float>;
    return dbl ? D::kExpShifted - D::kMinNormalShifted - 1
               : S::kExpShifted - S::kMinNormalShifted - 1;
  }

  // normal_above_min(bits) && fp_env_ok(dynamic) as one compare: the bound of the range
  // compare is 0 (nothing passes) when the environment refuses the host's result. The
  // bound is computed once per member, as fp_env_ok is.
  Value* normal_in_env(Value* bits, bool dbl, bool dynamic) {
    llvm::Type* t = bits->getType();
    Value*& bound = fp_bound_[dbl ? 1 : 0][dynamic ? 1 : 0];
    if (bound == nullptr) {
      bound = b_.CreateSelect(fp_env_ok(dynamic), llvm::ConstantInt::get(t, normal_range(dbl)),
                              llvm::ConstantInt::get(t, 0));
    }
    return normal_above_min(bits, dbl, bound);
  }

  // The FP environment in which a rounding op may take the host's result (engine/ir_eval.h,
  // host_rounding_ok): fflags.NX already set, FS already Dirty (so the fast path stores
  // nothing), and for dynamic-rounding ops frm = RNE. Loaded once per member block and
  // kept until the next Call: only a Call (csrw fflags/frm/fcsr/mstatus) clears these bits;
  // an FP op's own helper can only set NX and FS. Cached per member, so the value
  // dominates every later use in the member (its diamonds all rejoin).
  Value* fp_env_ok(bool dynamic) {
    Value*& cached = dynamic ? fp_env_dyn_ : fp_env_static_;
    if (cached != nullptr) return cached;
    if (fp_env_static_ == nullptr) {
      Value* fflags = load_state(i32_, offsetof(HartState, fflags));
      Value* nx = b_.CreateICmpNE(b_.CreateAnd(fflags, b_.getInt32(1)), b_.getInt32(0));
      fp_env_static_ = b_.CreateAnd(nx, fs_dirty());
    }
    if (!dynamic) return fp_env_static_;
    fp_env_dyn_ = b_.CreateAnd(fp_env_static_, b_.CreateICmpEQ(frm(), b_.getInt32(0)));
    return fp_env_dyn_;
  }
  // mstatus.FS Dirty (with SD), and frm, cached as fp_env_ok's values are.
  Value* fs_dirty() {
    if (fs_dirty_ != nullptr) return fs_dirty_;
    constexpr uint64_t kDirty = mstatus::FS | mstatus::SD;
    fs_dirty_ = b_.CreateICmpEQ(b_.CreateAnd(load64(offsetof(HartState, mstatus)), c64(kDirty)),
                                c64(kDirty));
    return fs_dirty_;
  }
  Value* frm() {
    if (frm_ == nullptr) frm_ = load_state(i32_, offsetof(HartState, frm));
    return frm_;
  }
  void forget_fp_env() {
    fp_env_static_ = fp_env_dyn_ = fs_dirty_ = frm_ = nullptr;
    for (auto& row : fp_bound_) row[0] = row[1] = nullptr;
  }

  // A TIERVM_IR_FP op: engine/ir_eval.h's eval_fp_host in IR (the guard and the host
  // operation, straight-line), then the op's helper when the guard fails.
  //
  // The guard of a rounding op looks only at the result (engine/ir_eval.h, fp_host): in
  // RNE with NX already set, an IEEE host gives the soft-float bits and no new flag
  // whenever the result is finite and normal, or a zero that is exact. A NaN or infinite
  // operand gives a NaN or an infinity (refused), a subnormal operand is computed exactly
  // (the host does not flush them), and a tiny or overflowing result is refused.
  void lower_fp(const IrInsn& i) {
    enum class K { Add, Sub, Mul, Div, Sqrt, Eq, Lt, Le };
    K k = K::Add;
    bool dbl = true;
    switch (i.op) {
      // clang-format off
      case IrOp::FAddD: k = K::Add; break;
      case IrOp::FSubD: k = K::Sub; break;
      case IrOp::FMulD: k = K::Mul; break;
      case IrOp::FDivD: k = K::Div; break;
      case IrOp::FSqrtD: k = K::Sqrt; break;
      case IrOp::FEqD: k = K::Eq; break;
      case IrOp::FLtD: k = K::Lt; break;
      case IrOp::FLeD: k = K::Le; break;
      case IrOp::FAddS: k = K::Add; dbl = false; break;
      case IrOp::FSubS: k = K::Sub; dbl = false; break;
      case IrOp::FMulS: k = K::Mul; dbl = false; break;
      case IrOp::FDivS: k = K::Div; dbl = false; break;
      case IrOp::FSqrtS: k = K::Sqrt; dbl = false; break;
      case IrOp::FEqS: k = K::Eq; dbl = false; break;
      case IrOp::FLtS: k = K::Lt; dbl = false; break;
      case IrOp::FLeS: k = K::Le; dbl = false; break;
      // clang-format on
      default:
        lower_fp_more(i);
        return;
    }
    const bool arith = ir_fp_writes_freg(i.op);
    const unsigned rm = static_cast<unsigned>(i.imm) & 7;
    if (arith && rm != 0 && rm != 7) {  // a static mode other than RNE: always soft-float
      lower_call(i);
      return;
    }
    llvm::Type* it = dbl ? i64_ : i32_;
    llvm::Type* ft = dbl ? b_.getDoubleTy() : b_.getFloatTy();
    auto ci = [&](uint64_t v) { return llvm::ConstantInt::get(it, v); };
    Value* a = read(i.a);
    Value* bv = read(i.b);
    Value* cv = read(i.c);     // here: a read in the slow path would not dominate later uses
    Value* ok = b_.getTrue();  // the operands' NaN-boxing (singles)
    auto unbox = [&](Value* reg) {
      if (dbl) return reg;
      ok = b_.CreateAnd(ok, b_.CreateICmpEQ(b_.CreateLShr(reg, c64(32)), c64(0xffffffffu)));
      return b_.CreateTrunc(reg, i32_);
    };
    Value* xb = unbox(a);
    Value* yb = k == K::Sqrt ? xb : unbox(bv);
    Value* x = b_.CreateBitCast(xb, ft);
    Value* y = b_.CreateBitCast(yb, ft);
    Value* result = nullptr;
    if (!arith) {
      // Neither operand a NaN (an ordered compare is false exactly when one is).
      ok = b_.CreateAnd(ok, b_.CreateFCmpORD(x, y));
      Value* c = k == K::Eq   ? b_.CreateFCmpOEQ(x, y)
                 : k == K::Lt ? b_.CreateFCmpOLT(x, y)
                              : b_.CreateFCmpOLE(x, y);
      result = bool64(c);
    } else {
      Value* r = nullptr;
      // When a zero result is exact: always for add and sub (a sum of two floats that
      // rounds to zero is zero), and for sqrt (only sqrt(+-0) is zero); for mul and div
      // only with a zero operand (the dividend: x / inf is left to the helper).
      Value* zero_exact = b_.getTrue();
      if (k == K::Sqrt) r = b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x);
      if (k == K::Add) r = b_.CreateFAdd(x, y);
      if (k == K::Sub) r = b_.CreateFSub(x, y);
      if (k == K::Mul) {
        r = b_.CreateFMul(x, y);
        zero_exact = b_.CreateOr(b_.CreateICmpEQ(b_.CreateShl(xb, ci(1)), ci(0)),
                                 b_.CreateICmpEQ(b_.CreateShl(yb, ci(1)), ci(0)));
      }
      if (k == K::Div) {
        r = b_.CreateFDiv(x, y);
        zero_exact = b_.CreateICmpEQ(b_.CreateShl(xb, ci(1)), ci(0));
      }
      Value* rb = b_.CreateBitCast(r, it);
      result = dbl ? rb : b_.CreateOr(b_.CreateZExt(rb, i64_), c64(0xffffffff00000000ull));
      // The common case, a normal result in an environment that allows it, is one
      // compare on the hot path; an exact zero is checked off it, before the helper.
      Value* env_ok = fp_env_ok(rm == 7);
      Value* boxed = ok;
      ok = b_.CreateAnd(ok, normal_in_env(rb, dbl, rm == 7));
      fp_diamond(i, ok, result, a, bv, cv, [&, k, rb, zero_exact, env_ok, boxed] {
        Value* exact_zero = b_.CreateICmpEQ(b_.CreateShl(rb, ci(1)), ci(0));
        if (k == K::Mul || k == K::Div) exact_zero = b_.CreateAnd(exact_zero, zero_exact);
        return b_.CreateAnd(b_.CreateAnd(boxed, env_ok), exact_zero);
      });
      return;
    }
    fp_diamond(i, ok, result, a, bv, cv);
  }

  // if (ok || second()) dst = result else dst = helper(a, b, c, imm), the helper's trap
  // checked. `second` (optional) is computed off the hot path, only when `ok` fails.
  void fp_diamond(const IrInsn& i, Value* ok, Value* result, Value* a, Value* bv, Value* cv,
                  const std::function<Value*()>& second = {}) {
    BasicBlock* fast = BasicBlock::Create(ctx_, "fp_fast", fn_);
    BasicBlock* slow = BasicBlock::Create(ctx_, "fp_slow", fn_);
    BasicBlock* join = BasicBlock::Create(ctx_, "fp_join", fn_);
    BasicBlock* check = second ? BasicBlock::Create(ctx_, "fp_check", fn_) : slow;
    b_.CreateCondBr(ok, fast, check, llvm::MDBuilder(ctx_).createBranchWeights(1000, 1));
    BasicBlock* second_ok = nullptr;
    if (second) {
      b_.SetInsertPoint(check);
      second_ok = BasicBlock::Create(ctx_, "fp_exact", fn_);
      b_.CreateCondBr(second(), second_ok, slow);
      b_.SetInsertPoint(second_ok);
      b_.CreateBr(join);
    }
    b_.SetInsertPoint(fast);
    b_.CreateBr(join);
    b_.SetInsertPoint(slow);
    sync_instret();
    auto* ty = llvm::FunctionType::get(i64_, {ptr_, i64_, i64_, i64_, i64_}, false);
    Value* slow_v = cold_call(ty, i.helper, {hart_, a, bv, cv, c64(static_cast<uint64_t>(i.imm))});
    check_trap(i.guest_index);
    b_.CreateBr(join);
    BasicBlock* slow_end = b_.GetInsertBlock();
    b_.SetInsertPoint(join);
    auto* phi = b_.CreatePHI(i64_, 3);
    phi->addIncoming(result, fast);
    if (second_ok != nullptr) phi->addIncoming(result, second_ok);
    phi->addIncoming(slow_v, slow_end);
    write(i.dst, phi);
  }

  // The FP ops beyond add/sub/mul/div/sqrt and the compares: engine/ir_eval.h's
  // eval_fp_host for them, in IR (fused multiply-adds, conversions, min/max, sign
  // injection of singles), with the same guards: a result the helper would give too, and
  // no flag the helper would raise but an NX already set. FS already Dirty for every op
  // that writes an f register or may raise a flag, so the fast path stores nothing.
  void lower_fp_more(const IrInsn& i) {
    const unsigned rm = static_cast<unsigned>(i.imm) & 7;
    Value* a = read(i.a);
    Value* bv = read(i.b);
    Value* cv = read(i.c);
    llvm::Type* f32 = b_.getFloatTy();
    llvm::Type* f64 = b_.getDoubleTy();
    // A single's bits if the register holds a properly boxed one (`ok` gains the test).
    auto unbox = [&](Value* reg, Value*& ok) {
      ok = b_.CreateAnd(ok, b_.CreateICmpEQ(b_.CreateLShr(reg, c64(32)), c64(0xffffffffu)));
      return b_.CreateTrunc(reg, i32_);
    };
    auto box = [&](Value* bits32) {
      return b_.CreateOr(b_.CreateZExt(bits32, i64_), c64(0xffffffff00000000ull));
    };
    auto is_zero = [&](Value* bits) {
      return b_.CreateICmpEQ(b_.CreateShl(bits, llvm::ConstantInt::get(bits->getType(), 1)),
                             llvm::ConstantInt::get(bits->getType(), 0));
    };
    // A valid rounding mode for an exact op: static, or frm <= RMM.
    auto rm_valid = [&]() -> Value* {
      if (rm != 7) return b_.getTrue();
      return b_.CreateICmpULE(frm(), b_.getInt32(4));
    };
    const bool rounding_ok = rm == 0 || rm == 7;  // RNE, or frm when it is RNE
    Value* ok = nullptr;
    std::function<Value*()> second;  // fp_diamond's second chance, if any
    Value* result = nullptr;
    switch (i.op) {
      case IrOp::FMAddD:
      case IrOp::FMSubD:
      case IrOp::FNMSubD:
      case IrOp::FNMAddD:
      case IrOp::FMAddS:
      case IrOp::FMSubS:
      case IrOp::FNMSubS:
      case IrOp::FNMAddS: {
        if (!rounding_ok) break;
        const bool dbl = i.op == IrOp::FMAddD || i.op == IrOp::FMSubD || i.op == IrOp::FNMSubD ||
                         i.op == IrOp::FNMAddD;
        const bool neg_product = i.op == IrOp::FNMSubD || i.op == IrOp::FNMAddD ||
                                 i.op == IrOp::FNMSubS || i.op == IrOp::FNMAddS;
        const bool neg_addend = i.op == IrOp::FMSubD || i.op == IrOp::FNMAddD ||
                                i.op == IrOp::FMSubS || i.op == IrOp::FNMAddS;
        ok = b_.getTrue();
        Value* xb = dbl ? a : unbox(a, ok);
        Value* yb = dbl ? bv : unbox(bv, ok);
        Value* zb = dbl ? cv : unbox(cv, ok);
        llvm::Type* it = dbl ? i64_ : i32_;
        Value* sign = llvm::ConstantInt::get(it, dbl ? uint64_t{1} << 63 : uint64_t{1} << 31);
        if (neg_product) xb = b_.CreateXor(xb, sign);
        if (neg_addend) zb = b_.CreateXor(zb, sign);
        llvm::Type* ft = dbl ? f64 : f32;
        Value* r = b_.CreateIntrinsic(
            llvm::Intrinsic::fma, {ft},
            {b_.CreateBitCast(xb, ft), b_.CreateBitCast(yb, ft), b_.CreateBitCast(zb, ft)});
        Value* rb = b_.CreateBitCast(r, it);
        // As lower_fp: a normal result on the hot path, an exact zero off it.
        Value* boxed = ok;
        ok = b_.CreateAnd(boxed, normal_in_env(rb, dbl, rm == 7));
        Value* env_ok = fp_env_ok(rm == 7);
        second = [&, xb, yb, rb, boxed, env_ok] {
          Value* zero_factor = b_.CreateOr(is_zero(xb), is_zero(yb));
          return b_.CreateAnd(b_.CreateAnd(boxed, env_ok), b_.CreateAnd(is_zero(rb), zero_factor));
        };
        result = dbl ? rb : box(rb);
        break;
      }
      case IrOp::FCvtDW:
      case IrOp::FCvtDWU:
        // Exact: FS Dirty and a valid rounding mode are all it needs.
        ok = b_.CreateAnd(fs_dirty(), rm_valid());
        result =
            b_.CreateBitCast(i.op == IrOp::FCvtDW ? b_.CreateSIToFP(b_.CreateTrunc(a, i32_), f64)
                                                  : b_.CreateUIToFP(b_.CreateTrunc(a, i32_), f64),
                             i64_);
        break;
      case IrOp::FCvtDL:
      case IrOp::FCvtDLU:
      case IrOp::FCvtSW:
      case IrOp::FCvtSWU:
      case IrOp::FCvtSL:
      case IrOp::FCvtSLU: {
        if (!rounding_ok) break;
        ok = fp_env_ok(rm == 7);
        const bool to_double = i.op == IrOp::FCvtDL || i.op == IrOp::FCvtDLU;
        const bool is_signed = i.op == IrOp::FCvtDL || i.op == IrOp::FCvtSW || i.op == IrOp::FCvtSL;
        const bool word = i.op == IrOp::FCvtSW || i.op == IrOp::FCvtSWU;
        Value* v = word ? b_.CreateTrunc(a, i32_) : a;
        llvm::Type* ft = to_double ? f64 : f32;
        Value* r = is_signed ? b_.CreateSIToFP(v, ft) : b_.CreateUIToFP(v, ft);
        result = to_double ? b_.CreateBitCast(r, i64_) : box(b_.CreateBitCast(r, i32_));
        break;
      }
      case IrOp::FCvtWD:
      case IrOp::FCvtWUD:
      case IrOp::FCvtLD:
      case IrOp::FCvtLUD:
      case IrOp::FCvtWS:
      case IrOp::FCvtWUS:
      case IrOp::FCvtLS:
      case IrOp::FCvtLUS: {
        // Round to an integral value (trunc for RTZ, rint for RNE: the host's mode), then
        // convert it exactly when it is in range. NX already set, FS already Dirty.
        if (rm != 0 && rm != 1 && rm != 7) break;
        const bool dbl = i.op == IrOp::FCvtWD || i.op == IrOp::FCvtWUD || i.op == IrOp::FCvtLD ||
                         i.op == IrOp::FCvtLUD;
        const bool is_signed = i.op == IrOp::FCvtWD || i.op == IrOp::FCvtLD ||
                               i.op == IrOp::FCvtWS || i.op == IrOp::FCvtLS;
        const bool word = i.op == IrOp::FCvtWD || i.op == IrOp::FCvtWUD || i.op == IrOp::FCvtWS ||
                          i.op == IrOp::FCvtWUS;
        ok = fp_env_ok(rm == 7);  // dynamic: frm = RNE
        Value* xb = dbl ? a : unbox(a, ok);
        llvm::Type* ft = dbl ? f64 : f32;
        Value* x = b_.CreateBitCast(xb, ft);
        Value* r =
            b_.CreateUnaryIntrinsic(rm == 1 ? llvm::Intrinsic::trunc : llvm::Intrinsic::rint, x);
        const unsigned bits = word ? 32 : 64;
        const double high = is_signed ? std::ldexp(1.0, static_cast<int>(bits) - 1)
                                      : std::ldexp(1.0, static_cast<int>(bits));
        const double low = is_signed ? -high : 0.0;
        // Ordered compares: a NaN fails. -0 >= 0 holds (it converts to 0, as the helper).
        ok = b_.CreateAnd(ok, b_.CreateAnd(b_.CreateFCmpOGE(r, llvm::ConstantFP::get(ft, low)),
                                           b_.CreateFCmpOLT(r, llvm::ConstantFP::get(ft, high))));
        llvm::Type* int_ty = word ? i32_ : i64_;
        Value* v = is_signed ? b_.CreateFPToSI(r, int_ty) : b_.CreateFPToUI(r, int_ty);
        // fptosi/fptoui are poison outside the range: freeze, as the fast value is only
        // used when the guard holds.
        v = b_.CreateFreeze(v);
        result = word ? b_.CreateSExt(v, i64_) : v;
        break;
      }
      case IrOp::FCvtSD: {
        if (!rounding_ok) break;
        Value* r = b_.CreateBitCast(b_.CreateFPTrunc(b_.CreateBitCast(a, f64), f32), i32_);
        ok = normal_in_env(r, false, rm == 7);
        Value* env_ok = fp_env_ok(rm == 7);
        second = [&, r, a, env_ok] {
          return b_.CreateAnd(env_ok, b_.CreateAnd(is_zero(r), is_zero(a)));
        };
        result = box(r);
        break;
      }
      case IrOp::FCvtDS: {
        ok = b_.CreateAnd(fs_dirty(), rm_valid());
        Value* x = b_.CreateBitCast(unbox(a, ok), f32);
        ok = b_.CreateAnd(ok, b_.CreateFCmpORD(x, x));
        result = b_.CreateBitCast(b_.CreateFPExt(x, f64), i64_);
        break;
      }
      case IrOp::FMinD:
      case IrOp::FMaxD:
      case IrOp::FMinS:
      case IrOp::FMaxS: {
        const bool dbl = i.op == IrOp::FMinD || i.op == IrOp::FMaxD;
        const bool is_max = i.op == IrOp::FMaxD || i.op == IrOp::FMaxS;
        ok = fs_dirty();
        Value* xb = dbl ? a : unbox(a, ok);
        Value* yb = dbl ? bv : unbox(bv, ok);
        llvm::Type* ft = dbl ? f64 : f32;
        Value* x = b_.CreateBitCast(xb, ft);
        Value* y = b_.CreateBitCast(yb, ft);
        ok = b_.CreateAnd(ok, b_.CreateFCmpORD(x, y));
        Value* pick_x = is_max ? b_.CreateFCmpOGT(x, y) : b_.CreateFCmpOLT(x, y);
        Value* both_zero = b_.CreateAnd(is_zero(xb), is_zero(yb));
        // Both zeros: -0 is below +0 (a set sign bit), so min ors and max ands the bits.
        Value* zeros = is_max ? b_.CreateAnd(xb, yb) : b_.CreateOr(xb, yb);
        Value* r = b_.CreateSelect(both_zero, zeros, b_.CreateSelect(pick_x, xb, yb));
        result = dbl ? r : box(r);
        break;
      }
      case IrOp::FSgnjS:
      case IrOp::FSgnjnS:
      case IrOp::FSgnjxS: {
        ok = fs_dirty();
        Value* xb = unbox(a, ok);
        Value* yb = unbox(bv, ok);
        Value* sign_bit = b_.getInt32(0x80000000u);
        Value* sign = b_.CreateAnd(yb, sign_bit);
        if (i.op == IrOp::FSgnjnS) sign = b_.CreateXor(sign, sign_bit);
        if (i.op == IrOp::FSgnjxS) sign = b_.CreateXor(sign, b_.CreateAnd(xb, sign_bit));
        result = box(b_.CreateOr(b_.CreateAnd(xb, b_.getInt32(0x7fffffffu)), sign));
        break;
      }
      default:
        break;
    }
    if (ok == nullptr) {  // a rounding mode the host cannot follow here: always the helper
      lower_call(i);
      return;
    }
    fp_diamond(i, ok, result, a, bv, cv, second);
  }

  // Ops without an inline lowering call eval_alu: one definition of their semantics.
  Value* eval_call(const IrInsn& i) {
    auto* ty = llvm::FunctionType::get(i64_, {i32_, i64_, i64_, i64_, i64_}, false);
    return b_.CreateCall(ty, fn_ptr(&tiervm_jit_eval),
                         {b_.getInt32(static_cast<uint32_t>(i.op)), read(i.a), read(i.b), read(i.c),
                          c64(static_cast<uint64_t>(i.imm))});
  }

  // RISC-V division (M extension, table "Semantics for division by zero and division
  // overflow"): x / 0 = all ones, x % 0 = x, MIN / -1 = MIN, MIN % -1 = 0, never a host
  // trap. The divisor becomes 1 in both special cases, which gives MIN and 0 for the
  // overflow by itself; the zero divisor's results are selected. W forms take 32-bit
  // operands and sign-extend the 32-bit result.
  Value* divide(IrOp op, Value* x, Value* y, bool word) {
    llvm::Type* ty = x->getType();
    auto c = [&](int64_t v) { return llvm::ConstantInt::getSigned(ty, v); };
    const bool is_signed =
        op == IrOp::Div || op == IrOp::Rem || op == IrOp::DivW || op == IrOp::RemW;
    const bool is_rem =
        op == IrOp::Rem || op == IrOp::RemU || op == IrOp::RemW || op == IrOp::RemUW;
    Value* zero = b_.CreateICmpEQ(y, c(0));
    Value* bad = zero;
    if (is_signed) {
      Value* min = word ? c(INT32_MIN) : c(INT64_MIN);
      bad = b_.CreateOr(zero, b_.CreateAnd(b_.CreateICmpEQ(x, min), b_.CreateICmpEQ(y, c(-1))));
    }
    Value* safe = b_.CreateSelect(bad, c(1), y);
    Value* q = is_rem ? (is_signed ? b_.CreateSRem(x, safe) : b_.CreateURem(x, safe))
                      : (is_signed ? b_.CreateSDiv(x, safe) : b_.CreateUDiv(x, safe));
    Value* r = b_.CreateSelect(zero, is_rem ? x : c(-1), q);
    return word ? b_.CreateSExt(r, i64_) : r;
  }

  Value* sx32(Value* v) { return b_.CreateSExt(b_.CreateTrunc(v, i32_), i64_); }
  Value* lo32(Value* v) { return b_.CreateTrunc(v, i32_); }
  Value* bool64(Value* c) { return b_.CreateZExt(c, i64_); }

  void lower_insn(const IrInsn& i) {
    const uint64_t imm = static_cast<uint64_t>(i.imm);
    auto a = [&] { return read(i.a); };
    auto bv = [&] { return read(i.b); };
    Value* r = nullptr;
    switch (i.op) {
      case IrOp::MovImm:
        r = c64(imm);
        break;
      case IrOp::Mov:
        r = a();
        break;
      case IrOp::PcRel:
        r = b_.CreateAdd(block_pc_, c64(imm));
        break;
      case IrOp::Add:
        r = b_.CreateAdd(a(), bv());
        break;
      case IrOp::AddImm:
        r = b_.CreateAdd(a(), c64(imm));
        break;
      case IrOp::Sub:
        r = b_.CreateSub(a(), bv());
        break;
      case IrOp::And:
        r = b_.CreateAnd(a(), bv());
        break;
      case IrOp::AndImm:
        r = b_.CreateAnd(a(), c64(imm));
        break;
      case IrOp::Or:
        r = b_.CreateOr(a(), bv());
        break;
      case IrOp::OrImm:
        r = b_.CreateOr(a(), c64(imm));
        break;
      case IrOp::Xor:
        r = b_.CreateXor(a(), bv());
        break;
      case IrOp::XorImm:
        r = b_.CreateXor(a(), c64(imm));
        break;
      case IrOp::Shl:
        r = b_.CreateShl(a(), b_.CreateAnd(bv(), c64(63)));
        break;
      case IrOp::ShlImm:
        r = b_.CreateShl(a(), c64(imm & 63));
        break;
      case IrOp::Shr:
        r = b_.CreateLShr(a(), b_.CreateAnd(bv(), c64(63)));
        break;
      case IrOp::ShrImm:
        r = b_.CreateLShr(a(), c64(imm & 63));
        break;
      case IrOp::Sar:
        r = b_.CreateAShr(a(), b_.CreateAnd(bv(), c64(63)));
        break;
      case IrOp::SarImm:
        r = b_.CreateAShr(a(), c64(imm & 63));
        break;
      case IrOp::AddW:
        r = sx32(b_.CreateAdd(a(), bv()));
        break;
      case IrOp::AddWImm:
        r = sx32(b_.CreateAdd(a(), c64(imm)));
        break;
      case IrOp::SubW:
        r = sx32(b_.CreateSub(a(), bv()));
        break;
      case IrOp::ShlW:
        r = b_.CreateSExt(b_.CreateShl(lo32(a()), lo32(b_.CreateAnd(bv(), c64(31)))), i64_);
        break;
      case IrOp::ShlWImm:
        r = b_.CreateSExt(b_.CreateShl(lo32(a()), b_.getInt32(imm & 31)), i64_);
        break;
      case IrOp::ShrW:
        r = b_.CreateSExt(b_.CreateLShr(lo32(a()), lo32(b_.CreateAnd(bv(), c64(31)))), i64_);
        break;
      case IrOp::ShrWImm:
        r = b_.CreateSExt(b_.CreateLShr(lo32(a()), b_.getInt32(imm & 31)), i64_);
        break;
      case IrOp::SarW:
        r = b_.CreateSExt(b_.CreateAShr(lo32(a()), lo32(b_.CreateAnd(bv(), c64(31)))), i64_);
        break;
      case IrOp::SarWImm:
        r = b_.CreateSExt(b_.CreateAShr(lo32(a()), b_.getInt32(imm & 31)), i64_);
        break;
      case IrOp::Eq:
        r = bool64(b_.CreateICmpEQ(a(), bv()));
        break;
      case IrOp::Ne:
        r = bool64(b_.CreateICmpNE(a(), bv()));
        break;
      case IrOp::Lt:
        r = bool64(b_.CreateICmpSLT(a(), bv()));
        break;
      case IrOp::Ge:
        r = bool64(b_.CreateICmpSGE(a(), bv()));
        break;
      case IrOp::Ltu:
        r = bool64(b_.CreateICmpULT(a(), bv()));
        break;
      case IrOp::Geu:
        r = bool64(b_.CreateICmpUGE(a(), bv()));
        break;
      case IrOp::LtImm:
        r = bool64(b_.CreateICmpSLT(a(), c64(imm)));
        break;
      case IrOp::LtuImm:
        r = bool64(b_.CreateICmpULT(a(), c64(imm)));
        break;
      case IrOp::Select:
        r = b_.CreateSelect(b_.CreateICmpNE(a(), c64(0)), bv(), read(i.c));
        break;
      case IrOp::Mul:
        r = b_.CreateMul(a(), bv());
        break;
      case IrOp::MulW:
        r = sx32(b_.CreateMul(a(), bv()));
        break;
      case IrOp::MulH:
      case IrOp::MulHSU:
      case IrOp::MulHU: {
        llvm::Type* i128 = b_.getInt128Ty();
        Value* x = i.op == IrOp::MulHU ? b_.CreateZExt(a(), i128) : b_.CreateSExt(a(), i128);
        Value* y = i.op == IrOp::MulH ? b_.CreateSExt(bv(), i128) : b_.CreateZExt(bv(), i128);
        r = b_.CreateTrunc(b_.CreateLShr(b_.CreateMul(x, y), 64), i64_);
        break;
      }
      case IrOp::Div:
      case IrOp::DivU:
      case IrOp::Rem:
      case IrOp::RemU:
        r = divide(i.op, a(), bv(), false);
        break;
      case IrOp::DivW:
      case IrOp::DivUW:
      case IrOp::RemW:
      case IrOp::RemUW:
        r = divide(i.op, lo32(a()), lo32(bv()), true);
        break;
      case IrOp::Clz:
        r = b_.CreateBinaryIntrinsic(llvm::Intrinsic::ctlz, a(), b_.getFalse());
        break;
      case IrOp::Ctz:
        r = b_.CreateBinaryIntrinsic(llvm::Intrinsic::cttz, a(), b_.getFalse());
        break;
      case IrOp::Cpop:
        r = b_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, a());
        break;
      case IrOp::ClzW:
        r = b_.CreateZExt(b_.CreateBinaryIntrinsic(llvm::Intrinsic::ctlz, lo32(a()), b_.getFalse()),
                          i64_);
        break;
      case IrOp::CtzW:
        r = b_.CreateZExt(b_.CreateBinaryIntrinsic(llvm::Intrinsic::cttz, lo32(a()), b_.getFalse()),
                          i64_);
        break;
      case IrOp::CpopW:
        r = b_.CreateZExt(b_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, lo32(a())), i64_);
        break;
      case IrOp::Rol:
        r = b_.CreateIntrinsic(llvm::Intrinsic::fshl, {i64_}, {a(), a(), bv()});
        break;
      case IrOp::Ror:
        r = b_.CreateIntrinsic(llvm::Intrinsic::fshr, {i64_}, {a(), a(), bv()});
        break;
      case IrOp::RorImm:
        r = b_.CreateIntrinsic(llvm::Intrinsic::fshr, {i64_}, {a(), a(), c64(imm & 63)});
        break;
      case IrOp::RolW:
        r = sx32(
            b_.CreateIntrinsic(llvm::Intrinsic::fshl, {i32_}, {lo32(a()), lo32(a()), lo32(bv())}));
        break;
      case IrOp::RorW:
        r = sx32(
            b_.CreateIntrinsic(llvm::Intrinsic::fshr, {i32_}, {lo32(a()), lo32(a()), lo32(bv())}));
        break;
      case IrOp::RorWImm:
        r = sx32(b_.CreateIntrinsic(
            llvm::Intrinsic::fshr, {i32_},
            {lo32(a()), lo32(a()), b_.getInt32(static_cast<uint32_t>(imm & 31))}));
        break;
      case IrOp::Min:
        r = b_.CreateSelect(b_.CreateICmpSLT(a(), bv()), a(), bv());
        break;
      case IrOp::Max:
        r = b_.CreateSelect(b_.CreateICmpSGT(a(), bv()), a(), bv());
        break;
      case IrOp::MinU:
        r = b_.CreateSelect(b_.CreateICmpULT(a(), bv()), a(), bv());
        break;
      case IrOp::MaxU:
        r = b_.CreateSelect(b_.CreateICmpUGT(a(), bv()), a(), bv());
        break;
      case IrOp::Rev8:
        r = b_.CreateUnaryIntrinsic(llvm::Intrinsic::bswap, a());
        break;
      case IrOp::SextB:
        r = b_.CreateSExt(b_.CreateTrunc(a(), i8_), i64_);
        break;
      case IrOp::SextH:
        r = b_.CreateSExt(b_.CreateTrunc(a(), b_.getInt16Ty()), i64_);
        break;
      case IrOp::SextW:
        r = sx32(a());
        break;
      case IrOp::ZextB:
        r = b_.CreateAnd(a(), c64(0xff));
        break;
      case IrOp::ZextH:
        r = b_.CreateAnd(a(), c64(0xffff));
        break;
      case IrOp::ZextW:
        r = b_.CreateAnd(a(), c64(0xffffffffu));
        break;
        // One case per load and store of engine/ir_ops.inc, each with its access type.
#define TIERVM_IR_OP(name, text, operands)
#define TIERVM_IR_LOAD(name, text, type)                 \
  case IrOp::name:                                       \
    lower_load(i, sizeof(type), std::is_signed_v<type>); \
    return;
#define TIERVM_IR_STORE(name, text, type) \
  case IrOp::name:                        \
    lower_store(i, sizeof(type));         \
    return;
#define TIERVM_IR_FP(name, text, operands) \
  case IrOp::name:                         \
    lower_fp(i);                           \
    return;
#include "engine/ir_ops.inc"
      case IrOp::Call:
        lower_call(i);
        return;
      default:
        r = eval_call(i);
        break;
    }
    write(i.dst, r);
  }

  // A static exit to block_pc + offset: chain through `slot` when set and neither the
  // instruction limit nor an exit request stops us (one load and branch each).
  // Returns to the dispatcher, or goes straight on to the compiled block at s.pc when
  // tiervm_jit_lookup finds one (s.pc and s.instret are stored).
  // The exit cache is probed first (jit_abi.h): its entry for s.pc, when it holds and the
  // chain may go on, is entered without the call.
  void dynamic_exit() {
    if (exit_cache_ != nullptr) probe_exit_cache();
    auto* ty = llvm::FunctionType::get(ptr_, {ptr_}, false);
    Value* target = b_.CreateCall(ty, fn_ptr(&tiervm_jit_lookup), {hart_});
    enter_or_return(b_.CreateICmpNE(target, llvm::ConstantPointerNull::get(ptr_)), target);
  }

  // Tail-calls the exit cache's code for s.pc when the entry holds, else falls through (the
  // insert point is then on the miss path).
  void probe_exit_cache() {
    const auto base = reinterpret_cast<uint64_t>(exit_cache_);
    Value* pc = load64(kOffPc);
    Value* index =
        b_.CreateAnd(b_.CreateXor(b_.CreateLShr(pc, 1), b_.CreateLShr(pc, 1 + ExitCache::kBits)),
                     c64((uint64_t{1} << ExitCache::kBits) - 1));
    Value* entry = b_.CreateAdd(c64(base + offsetof(ExitCache, entries)),
                                b_.CreateMul(index, c64(sizeof(ExitCacheEntry))));
    auto field_at = [&](Value* addr, uint64_t offset) {
      return b_.CreateIntToPtr(b_.CreateAdd(addr, c64(offset)), ptr_);
    };
    Value* entry_pc = b_.CreateLoad(i64_, field_at(entry, offsetof(ExitCacheEntry, pc)));
    Value* entry_tag = b_.CreateLoad(i64_, field_at(entry, offsetof(ExitCacheEntry, tag)));
    Value* tag = b_.CreateLoad(i64_, field_at(c64(base), offsetof(ExitCache, tag)));
    Value* fn = b_.CreateLoad(ptr_, field_at(entry, offsetof(ExitCacheEntry, fn)));
    Value* holds = b_.CreateAnd(b_.CreateICmpEQ(entry_pc, pc), b_.CreateICmpEQ(entry_tag, tag));
    Value* go_on = may_chain(load64(kOffInstret));
    BasicBlock* enter = BasicBlock::Create(ctx_, "exit_cache_hit", fn_);
    BasicBlock* miss = BasicBlock::Create(ctx_, "exit_cache_miss", fn_);
    b_.CreateCondBr(b_.CreateAnd(holds, go_on), enter, miss);
    b_.SetInsertPoint(enter);
    auto* call = b_.CreateCall(fn_type_, fn, {hart_, state_});
    call->setTailCallKind(llvm::CallInst::TCK_MustTail);
    b_.CreateRet(call);
    b_.SetInsertPoint(miss);
  }

  // if (go) tail-call target(hart, state) (no stack growth however long the chain), else
  // return to the dispatcher.
  void enter_or_return(Value* go, Value* target) {
    BasicBlock* enter = BasicBlock::Create(ctx_, "enter_next", fn_);
    BasicBlock* back = BasicBlock::Create(ctx_, "to_dispatcher", fn_);
    b_.CreateCondBr(go, enter, back);
    b_.SetInsertPoint(enter);
    auto* call = b_.CreateCall(fn_type_, target, {hart_, state_});
    call->setTailCallKind(llvm::CallInst::TCK_MustTail);
    b_.CreateRet(call);
    b_.SetInsertPoint(back);
    b_.CreateRet(b_.getInt32(kJitContinue));
  }

  // An exit to block_pc + offset: through the chain slot when there is one (same page),
  // through the lookup otherwise; Return exits (after CSR writes, fences...) always go
  // back to the dispatcher, which re-checks interrupts and modes.
  void static_exit(int64_t offset, ChainSlot* slot, Value* instret, bool lookup = true) {
    Value* next_pc = b_.CreateAdd(block_pc_, c64(static_cast<uint64_t>(offset)));
    store64(kOffPc, next_pc);
    if (slot == nullptr) {
      if (lookup) {
        dynamic_exit();
      } else {
        b_.CreateRet(b_.getInt32(kJitContinue));
      }
      return;
    }
    Value* go_on = may_chain(instret);
    Value* target =
        atomic_load(ptr_, b_.CreateIntToPtr(c64(reinterpret_cast<uint64_t>(slot)), ptr_));
    Value* linked = b_.CreateICmpNE(target, llvm::ConstantPointerNull::get(ptr_));
    enter_or_return(b_.CreateAnd(go_on, linked), target);
  }

  void lower_member(size_t n) {
    member_ = &job_.members[n];
    forget_fp_env();
    vtype_known_ = false;
    vready_ = false;
    for (const IrInsn& i : member_->block->insns) lower_insn(i);
    lower_exit();
  }

  // Whether the static exit `offset` bytes from the current member's start leaves its
  // page under translation (a crossing JitMember::cross describes).
  bool crosses_page(int64_t offset) const {
    const uint64_t start = member_->block->start_paddr;
    return !bare_ && ((start + static_cast<uint64_t>(offset)) & ~kPageMask) != (start & ~kPageMask);
  }

  // The region member the current member's static exit `x` (0 taken, 1 fallthrough) at
  // `offset` leads to, or -1.
  int member_at(int64_t offset, size_t x) const {
    if (!region_) return -1;
    uint64_t target = member_->block->start_paddr + static_cast<uint64_t>(offset);
    if (crosses_page(offset)) target = member_->cross[x].target_paddr;
    if (target == 0) return -1;
    for (size_t k = 0; k < job_.members.size(); ++k) {
      if (job_.members[k].block->start_paddr == target) return static_cast<int>(k);
    }
    return -1;
  }

  // Crossing into another page's member: whether the fetch L1 maps the virtual page of
  // `pc` to the host page the member's physical page is at (exec tag and addend, the
  // checks an L1 fetch hit makes). `ok_block` (the insert point on return) then sets the
  // member page's virtual base. Back into the entry's page, whose members' pcs are fixed
  // by the region's entry, the virtual page must also be the entry's.
  Value* page_still_maps(Value* pc, const CrossPageExit& cross, BasicBlock*& ok_block) {
    Value* vpage = b_.CreateAnd(pc, c64(~kPageMask));
    const auto [tag, addend] =
        l1_tag_and_addend(fetch_tlb_, fetch_tlb_offsets_, pc, kTlbTagExecOffset);
    Value* same = b_.CreateAnd(b_.CreateICmpEQ(tag, vpage),
                               b_.CreateICmpEQ(b_.CreateAdd(vpage, addend), c64(cross.host_page)));
    const auto base = vbase_.find(cross.target_paddr & ~kPageMask);
    if (base == vbase_.end()) same = b_.CreateAnd(same, b_.CreateICmpEQ(vpage, page_base_));
    ok_block = BasicBlock::Create(ctx_, "page_maps", fn_);
    b_.SetInsertPoint(ok_block);
    if (base != vbase_.end()) b_.CreateStore(vpage, base->second);
    return same;
  }

  // An exit to block_pc + offset (static exit `x`): inside the region a direct branch
  // (after the same instruction-limit and exit-request check chaining does, and for an
  // exit into another page the check that the page still maps where it did), otherwise a
  // static exit.
  void edge(int64_t offset, size_t x, ChainSlot* slot, Value* instret) {
    const int target = member_at(offset, x);
    if (target < 0) {
      if (region_) {
        Value* pc = b_.CreateAdd(block_pc_, c64(static_cast<uint64_t>(offset)));
        leave_region(pc, instret, slot, slot == nullptr);
        return;
      }
      write_back();
      store64(kOffInstret, instret);
      static_exit(offset, slot, instret);
      return;
    }
    // instret stays in a register (the state gets it before helper calls and at exits):
    // the limit (0 on an exit request, or when the region dropped its own code) is the one
    // load.
    b_.CreateStore(instret, instret_slot_);
    Value* stay = may_chain(instret);
    BasicBlock* leave = BasicBlock::Create(ctx_, "leave", fn_);
    BasicBlock* to = member_bb_[static_cast<size_t>(target)];
    if (crosses_page(offset)) {
      BasicBlock* here = b_.GetInsertBlock();
      BasicBlock* maps = nullptr;
      Value* same = page_still_maps(b_.CreateAdd(block_pc_, c64(static_cast<uint64_t>(offset))),
                                    member_->cross[x], maps);
      b_.CreateBr(to);
      b_.SetInsertPoint(here);
      stay = b_.CreateAnd(stay, same);
      to = maps;
    }
    b_.CreateCondBr(stay, to, leave);
    b_.SetInsertPoint(leave);
    // Left for the limit or an exit request: the lookup would refuse too.
    leave_region(b_.CreateAdd(block_pc_, c64(static_cast<uint64_t>(offset))), instret, nullptr,
                 false);
  }

  // Whether the block's last instruction is a return (`ret`: jalr x0, 0(ra), or c.jr ra).
  // Other indirect jumps (an interpreter's dispatch through a table, calls through a
  // register) leave the region as before: a switch over the members at every such jump
  // made bytecode's regions slower.
  static bool ends_in_return(const IrBlock& blk) {
    if (blk.guest_words.empty()) return false;
    const uint32_t w = blk.guest_words.back();
    constexpr uint32_t kRet = 0x00008067;  // jalr x0, 0(x1)
    constexpr uint32_t kCRet = 0x8082;     // c.jr x1
    return (w & 3) == 3 ? w == kRet : (w & 0xffff) == kCRet;
  }

  // Region mode, a return (ends_in_return): when the target
  // is a member's pc, a branch to it inside the region, after the limit check an edge
  // makes (the return of a small function the region called, back into its loop). The
  // insert point is left where the jump leaves the region.
  void indirect_to_member(Value* target, Value* instret) {
    BasicBlock* leave = BasicBlock::Create(ctx_, "indirect_leave", fn_);
    BasicBlock* in_page = BasicBlock::Create(ctx_, "indirect_in_page", fn_);
    BasicBlock* pick = BasicBlock::Create(ctx_, "indirect_member", fn_);
    if (bare_) {  // pcs are physical addresses (see lower())
      b_.CreateBr(in_page);
    } else {
      b_.CreateCondBr(b_.CreateICmpEQ(b_.CreateAnd(target, c64(~kPageMask)), page_base_), in_page,
                      leave);
    }
    b_.SetInsertPoint(in_page);
    b_.CreateStore(instret, instret_slot_);
    b_.CreateCondBr(may_chain(instret), pick, leave);
    b_.SetInsertPoint(pick);
    const uint64_t mask = bare_ ? ~uint64_t{0} : kPageMask;
    const uint64_t entry_page = job_.entry().start_paddr & ~kPageMask;
    llvm::SwitchInst* sw = b_.CreateSwitch(b_.CreateAnd(target, c64(mask)), leave,
                                           static_cast<unsigned>(job_.members.size()));
    for (size_t n = 0; n < job_.members.size(); ++n) {
      // Under translation only the entry page's members: the target is in that page.
      const uint64_t paddr = job_.members[n].block->start_paddr;
      if (!bare_ && (paddr & ~kPageMask) != entry_page) continue;
      sw->addCase(b_.getInt64(paddr & mask), member_bb_[n]);
    }
    b_.SetInsertPoint(leave);
  }

  // Region mode: every exit to code outside the region goes through one shared block
  // (next pc, instret, the chain slot and whether to look the target up arrive through
  // phis), so the region's registers are written back in one place, not once per exit:
  // that was most of a region's IR, and of its compile time. `slot` null: no chaining
  // (return to the dispatcher, or the lookup when `lookup`).
  void leave_region(Value* pc, Value* instret, ChainSlot* slot, bool lookup) {
    // Never linked: a constant slot for the exits that do not chain.
    static ChainSlot unlinked;
    if (shared_exit_ == nullptr) {
      BasicBlock* here = b_.GetInsertBlock();
      shared_exit_ = BasicBlock::Create(ctx_, "exit_shared", fn_);
      b_.SetInsertPoint(shared_exit_);
      exit_pc_ = b_.CreatePHI(i64_, 8);
      exit_instret_ = b_.CreatePHI(i64_, 8);
      exit_slot_ = b_.CreatePHI(ptr_, 8);
      exit_lookup_ = b_.CreatePHI(b_.getInt1Ty(), 8);
      write_back();
      store64(kOffPc, exit_pc_);
      store64(kOffInstret, exit_instret_);
      BasicBlock* chain = BasicBlock::Create(ctx_, "exit_chain", fn_);
      BasicBlock* look = BasicBlock::Create(ctx_, "exit_lookup", fn_);
      b_.CreateCondBr(exit_lookup_, look, chain);
      b_.SetInsertPoint(look);
      dynamic_exit();
      b_.SetInsertPoint(chain);
      Value* go_on = may_chain(exit_instret_);
      Value* target = atomic_load(ptr_, exit_slot_);
      Value* linked = b_.CreateICmpNE(target, llvm::ConstantPointerNull::get(ptr_));
      enter_or_return(b_.CreateAnd(go_on, linked), target);
      b_.SetInsertPoint(here);
    }
    BasicBlock* from = b_.GetInsertBlock();
    ChainSlot* s = slot != nullptr ? slot : &unlinked;
    exit_pc_->addIncoming(pc, from);
    exit_instret_->addIncoming(instret, from);
    exit_slot_->addIncoming(b_.CreateIntToPtr(c64(reinterpret_cast<uint64_t>(s)), ptr_), from);
    exit_lookup_->addIncoming(b_.getInt1(lookup), from);
    b_.CreateBr(shared_exit_);
  }

  void lower_exit() {
    const IrBlock& blk = *member_->block;
    const IrTerminator& e = blk.exit;
    if (e.kind == IrExit::Trap) {
      // The interpreter raises the trap itself; compiled code does the same through the
      // state: set trap_pending and pending_trap, then the usual trap exit.
      write_back();
      store64(offsetof(HartState, pending_trap) + offsetof(Trap, cause), c64(e.trap.cause));
      Value* tval = c64(e.trap.tval);
      if (e.tval_pc_relative) tval = b_.CreateAdd(block_pc_, tval);
      store64(offsetof(HartState, pending_trap) + offsetof(Trap, tval), tval);
      tagged(b_.CreateStore(b_.getInt8(1), field(kOffTrapPending)), tbaa_state_);
      store64(kOffPc, b_.CreateAdd(block_pc_, c64(blk.guest_offsets[e.trap_index])));
      store64(kOffInstret, b_.CreateAdd(instret0_, c64(e.trap_index)));
      b_.CreateRet(b_.getInt32(kJitTrap));
      return;
    }
    Value* instret = b_.CreateAdd(instret0_, c64(blk.guest_count()));
    switch (e.kind) {
      case IrExit::Jump:
        edge(e.taken_offset, 0, member_->taken_slot, instret);
        break;
      case IrExit::Return:
        if (region_) {
          leave_region(b_.CreateAdd(block_pc_, c64(static_cast<uint64_t>(e.fallthrough_offset))),
                       instret, nullptr, false);
          break;
        }
        write_back();
        store64(kOffInstret, instret);
        static_exit(e.fallthrough_offset, nullptr, instret, /*lookup=*/false);
        break;
      case IrExit::Indirect: {
        Value* target = read(e.target);
        if (region_) {
          if (ends_in_return(blk)) indirect_to_member(target, instret);
          leave_region(target, instret, nullptr, true);
          break;
        }
        write_back();
        store64(kOffInstret, instret);
        store64(kOffPc, target);
        dynamic_exit();
        break;
      }
      case IrExit::Branch: {
        BasicBlock* taken = BasicBlock::Create(ctx_, "taken", fn_);
        BasicBlock* fall = BasicBlock::Create(ctx_, "fallthrough", fn_);
        b_.CreateCondBr(b_.CreateICmpNE(read(e.cond), c64(0)), taken, fall);
        b_.SetInsertPoint(taken);
        edge(e.taken_offset, 0, member_->taken_slot, instret);
        b_.SetInsertPoint(fall);
        edge(e.fallthrough_offset, 1, member_->fallthrough_slot, instret);
        break;
      }
      case IrExit::Trap:
        break;
      case IrExit::None:
        // No terminator, so the path ends without one: invalid LLVM IR, which verification
        // reports (verify_block rejects such a block before it reaches a tier).
        break;
    }
  }

  llvm::LLVMContext& ctx_;
  llvm::Module& mod_;
  const JitJob& job_;
  llvm::IRBuilder<> b_;
  bool region_ = false;
  bool bare_ = false;  // region compiled for bare data accesses (JitJob::bare_memory)
  // The exit cache the lookup exits probe (JitJob::exit_cache); null when there is none or
  // a member calls a helper (exits_may_probe).
  const ExitCache* exit_cache_ = nullptr;
  Value* bare_base_ = nullptr;
  Value* bare_limit_ = nullptr;
  Value* bare_addend_ = nullptr;
  Value* code_marks_ = nullptr;
  llvm::MDNode* tbaa_marks_ = nullptr;
  const JitMember* member_ = nullptr;
  // vtype at this point of the member, when a vsetvli/vsetivli earlier in it fixed it.
  bool vtype_known_ = false;
  VType vtype_;
  // A vector instruction completed earlier in the member, and no other helper ran since:
  // mstatus.VS is Dirty and vstart 0.
  bool vready_ = false;
  Value* fp_bound_[2][2] = {};      // normal_in_env's bounds [double][dynamic], per member
  Value* fp_env_static_ = nullptr;  // fp_env_ok's values in the current member
  Value* fp_env_dyn_ = nullptr;
  Value* fs_dirty_ = nullptr;
  Value* frm_ = nullptr;
  Value* entry_pc_ = nullptr;
  Value* page_base_ = nullptr;  // regions: the virtual page the entry's members are in
  // Regions under translation: the virtual base of each other physical page's members
  // (set where the code crosses into that page), and the fetch L1 those checks probe.
  std::map<uint64_t, llvm::AllocaInst*> vbase_;
  Value* fetch_tlb_ = nullptr;
  Value* fetch_tlb_offsets_ = nullptr;
  Value* instret_slot_ = nullptr;
  std::vector<BasicBlock*> member_bb_;
  std::array<llvm::AllocaInst*, kSlotCount> allocas_{};
  std::array<bool, kSlotCount> used_{};
  std::array<bool, kSlotCount> written_{};
  // Vector registers: promoted to allocas (region mode), written by the region, and what
  // the inline code read and wrote (the first lowering's scan).
  std::bitset<32> vpromote_;
  std::bitset<32> vdirty_;
  std::bitset<32> vread_;
  std::bitset<32> vwritten_;
  std::array<llvm::AllocaInst*, 32> valloca_{};
  llvm::Type* i8_;
  llvm::Type* i32_;
  llvm::Type* i64_;
  llvm::PointerType* ptr_;
  llvm::FunctionType* fn_type_;
  llvm::Function* fn_;
  Value* hart_;
  Value* state_;
  Value* block_pc_ = nullptr;
  Value* instret0_ = nullptr;
  BasicBlock* shared_trap_ = nullptr;  // region mode: the one trap exit (trap_exit)
  BasicBlock* shared_exit_ = nullptr;  // region mode: the one exit to other code (leave_region)
  llvm::PHINode* exit_pc_ = nullptr;
  llvm::PHINode* exit_instret_ = nullptr;
  llvm::PHINode* exit_slot_ = nullptr;
  llvm::PHINode* exit_lookup_ = nullptr;
  llvm::PHINode* trap_pc_ = nullptr;
  llvm::PHINode* trap_instret_ = nullptr;
  Value* tlb_ = nullptr;
  Value* tlb_offsets_ = nullptr;
  llvm::MDNode* tbaa_state_ = nullptr;
  llvm::MDNode* tbaa_tlb_ = nullptr;
  llvm::MDNode* tbaa_guest_ = nullptr;
  std::array<Value*, kSlotCount> values_{};
  std::array<bool, kSlotCount> dirty_{};
};

}  // namespace

namespace {

bool has_vector_ops(const JitJob& job) {
  if (job.vlenb == 0) return false;
  for (const JitMember& m : job.members) {
    for (const IrInsn& i : m.block->insns) {
      if (i.op == IrOp::Call && vector_inline(i.helper) != nullptr) return true;
    }
  }
  return false;
}

}  // namespace

llvm::Function* lower_job(llvm::Module& mod, const JitJob& job, const std::string& name) {
  if (!job.region || !has_vector_ops(job)) return BlockLowering(mod, job, name).lower();
  // Which vector registers the inline code uses is known once it is lowered: a first
  // lowering finds them (and is dropped), the second keeps them in allocas.
  std::bitset<32> read, written;
  {
    BlockLowering scan(mod, job, name + ".scan");
    llvm::Function* f = scan.lower();
    read = scan.vregs_read();
    written = scan.vregs_written();
    f->eraseFromParent();
  }
  BlockLowering lowering(mod, job, name);
  lowering.promote_vregs(read, written);
  return lowering.lower();
}

std::string verify_lowered(const llvm::Function& fn) {
  std::string report;
  llvm::raw_string_ostream os(report);
  if (!llvm::verifyFunction(fn, &os)) return "";
  os.flush();
  return report.empty() ? "invalid LLVM IR" : report;
}

}  // namespace tiervm
