// Multi-hart litmus rom (run with --smp 2..8): hart 0 wakes the other harts through the
// CLINT (msip), then every hart runs the same tests on shared memory. It prints
// "smp: N harts" and exits through the test device: 0 when every check holds, else the
// number of the first failing check.
//
//   1. every secondary hart starts (its msip IPI arrives) and clears its own msip;
//   2. an LR/SC counter: each hart adds 1 kAtomicRounds times with an lr.d/sc.d retry loop;
//   3. an AMO counter: each hart adds 1 kAtomicRounds times with amoadd.w;
//   4. a spinlock (amoswap.w.aq / sw.rl) around a plain read-modify-write of a counter;
//   5. message passing: hart 0 writes a payload, then (fence w,w) a sequence number; a
//      reader that sees the number (then fence r,r) must see that payload;
//   6. store buffering with fence rw,rw between each hart's store and load: in every
//      round at least one of two harts sees the other's store;
//   7. IPIs: hart 0 raises each hart's msip, the hart answers by clearing it and counting;
//   8. cross-modifying code: hart 0 rewrites a function (li a0, r; ret) round after round,
//      then (fence w,w) publishes r; hart 1 runs the function all along, and once it sees
//      r (then fence r,r; fence.i) the function must return r or later.
#include <stdint.h>

void uart_puts(const char* s);
void uart_putdec(uint64_t v);

extern void (*volatile smp_entry)(uint64_t hartid);

#define CLINT_MSIP ((volatile uint32_t*)0x2000000)
#define CLINT_MTIME ((volatile uint64_t*)0x200bff8)
// 10 MHz timebase. Bounds are guest time, not spin counts: with a host thread per hart a
// secondary may take a while (host scheduling, compiling its code) to start.
#define kTicksPerMs 10000
#define kMaxHarts 8
#define kRounds 2000
// The atomic counters run longer: enough overlap between harts on host threads that a
// non-atomic read-modify-write loses updates.
#define kAtomicRounds 50000
// Store-buffering rounds start with a rendezvous of two harts, which costs a hart switch
// each when the harts take turns on one host thread.
#define kSbRounds 200

static volatile uint32_t started;     // harts that entered smp_entry
static volatile uint32_t phase;       // test phase hart 0 releases
static volatile uint32_t arrived[4];  // barrier counts, one per barrier(n) of the tests
static volatile uint64_t lrsc_counter;
// Alone on its page: no LR there, so the AMOs on it are not serialized by LR/SC's lock.
static volatile struct {
  uint32_t counter;
  uint32_t rest[1023];
} amo_page __attribute__((aligned(4096)));
#define amo_counter (amo_page.counter)
static volatile uint32_t lock;
static volatile uint64_t locked_counter;
static volatile uint64_t mp_payload, mp_seq;
static volatile uint32_t mp_errors;
static volatile uint64_t sb_turn[2];
static volatile uint64_t sb_x[kSbRounds], sb_y[kSbRounds], sb_r0[kSbRounds], sb_r1[kSbRounds];
static volatile uint32_t ipi_acks;
static volatile uint32_t harts;
// The function hart 0 rewrites, alone on its page (hart 1's code cache marks the page).
#define kCodeRounds 1000
static volatile uint32_t code_fn[1024] __attribute__((aligned(4096))) = {0x00000513, 0x00008067};
static volatile uint64_t code_seq;
static volatile uint32_t code_errors;
static volatile uint32_t code_done;

static uint32_t li_a0(uint32_t imm) {
  return (imm << 20) | (10u << 7) | 0x13;  // addi a0, zero, imm
}

static uint64_t call_code_fn(void) {
  uint64_t (*fn)(void) = (uint64_t (*)(void))(uintptr_t)code_fn;
  return fn();
}

static uint32_t amoadd_w(volatile uint32_t* p, uint32_t v) {
  uint32_t old;
  __asm__ volatile("amoadd.w.aqrl %0, %2, %1" : "=r"(old), "+A"(*p) : "r"(v) : "memory");
  return old;
}

static void lrsc_add(volatile uint64_t* p, uint64_t v) {
  uint64_t old, fail;
  __asm__ volatile(
      "1: lr.d %0, %2\n"
      "   add %0, %0, %3\n"
      "   sc.d %1, %0, %2\n"
      "   bnez %1, 1b\n"
      : "=&r"(old), "=&r"(fail), "+A"(*p)
      : "r"(v)
      : "memory");
}

static void spin_lock(void) {
  uint32_t old;
  do {
    __asm__ volatile("amoswap.w.aq %0, %2, %1" : "=r"(old), "+A"(lock) : "r"(1) : "memory");
  } while (old != 0);
}

static void spin_unlock(void) {
  __asm__ volatile("fence rw, w\n sw zero, %0" : "=m"(lock) : : "memory");
}

// Every hart arrives; the last one lets all go (one counter per use, never reset).
static void barrier(unsigned n) {
  amoadd_w(&arrived[n], 1);
  while (arrived[n] != harts) {
  }
  __asm__ volatile("fence rw, rw" ::: "memory");
}

static void run_tests(uint64_t hartid) {
  barrier(0);
  for (int i = 0; i < kAtomicRounds; ++i) lrsc_add(&lrsc_counter, 1);
  for (int i = 0; i < kAtomicRounds; ++i) amoadd_w(&amo_counter, 1);
  for (int i = 0; i < kRounds; ++i) {
    spin_lock();
    locked_counter = locked_counter + 1;
    spin_unlock();
  }
  barrier(1);

  // Message passing: the payload of round r is r, written before the sequence number r.
  if (hartid == 0) {
    for (uint64_t r = 1; r <= kRounds; ++r) {
      mp_payload = r;
      __asm__ volatile("fence w, w" ::: "memory");
      mp_seq = r;
    }
  } else {
    uint64_t seq = 0;
    while (seq < kRounds) {
      seq = mp_seq;
      __asm__ volatile("fence r, r" ::: "memory");
      // The writer may have moved on, but the payload is never older than the number.
      if (mp_payload < seq) amoadd_w(&mp_errors, 1);
    }
  }
  barrier(2);

  // Store buffering between harts 0 and 1, round r:
  //   x[r] = 1; fence rw,rw; r0[r] = y[r]   ||   y[r] = 1; fence rw,rw; r1[r] = x[r]
  // r0 = r1 = 0 is forbidden. Each round starts when both harts have reached it.
  if (hartid < 2) {
    const uint64_t other = 1 - hartid;
    for (uint64_t r = 0; r < kSbRounds; ++r) {
      sb_turn[hartid] = r + 1;
      while (sb_turn[other] < r + 1) {
      }
      if (hartid == 0) {
        sb_x[r] = 1;
        __asm__ volatile("fence rw, rw" ::: "memory");
        sb_r0[r] = sb_y[r];
      } else {
        sb_y[r] = 1;
        __asm__ volatile("fence rw, rw" ::: "memory");
        sb_r1[r] = sb_x[r];
      }
    }
  }
}

static void code_writer(void) {
  for (uint32_t r = 1; r <= kCodeRounds; ++r) {
    code_fn[0] = li_a0(r);
    __asm__ volatile("fence w, w" ::: "memory");
    code_seq = r;
  }
  while (code_done == 0) {
  }
}

static void code_runner(void) {
  uint64_t seq = 0;
  while (seq < kCodeRounds) {
    call_code_fn();  // while hart 0 may be rewriting it
    seq = code_seq;
    __asm__ volatile("fence r, r\n fence.i" ::: "memory");
    if (call_code_fn() < seq) amoadd_w(&code_errors, 1);
  }
  code_done = 1;
}

static void secondary(uint64_t hartid) {
  amoadd_w(&started, 1);
  while (phase == 0) {
  }
  run_tests(hartid);
  if (hartid == 1) code_runner();
  barrier(3);
  // IPI test: sleep in wfi until hart 0 raises our msip, acknowledge by clearing it.
  while (CLINT_MSIP[hartid] == 0) {
    __asm__ volatile("wfi");
  }
  CLINT_MSIP[hartid] = 0;
  amoadd_w(&ipi_acks, 1);
  for (;;) __asm__ volatile("wfi");
}

int test_main(void) {
  // Raise every msip first: a hart that exists keeps its msip set until smp_entry is
  // stored (crt.S parks it in a wfi loop), and the msip of a hart that does not exist
  // reads as zero (the CLINT, like QEMU's). So reading them back counts the harts, with
  // no start-up window to guess (a sanitized build compiling every block on 8 threads took
  // over 500 ms to start them all).
  for (unsigned h = 1; h < kMaxHarts; ++h) CLINT_MSIP[h] = 1;
  unsigned expected = 0;
  for (unsigned h = 1; h < kMaxHarts; ++h) expected += CLINT_MSIP[h] != 0;
  smp_entry = secondary;
  __asm__ volatile("fence rw, rw" ::: "memory");
  // Every one of them starts; the bound (below the tests' 20 s) only turns a hart that
  // never starts into a failing check instead of a hang.
  const uint64_t start_by = *CLINT_MTIME + 15000 * kTicksPerMs;
  while (*CLINT_MTIME < start_by && started < expected) {
  }
  harts = started + 1;
  uart_puts("smp: ");
  uart_putdec(harts);
  uart_puts(" harts\n");
  if (harts < 2 || started != expected) return 1;
  for (unsigned h = 1; h < harts; ++h) {
    if (CLINT_MSIP[h] != 0) return 1;  // each secondary cleared its own msip
  }
  phase = 1;
  run_tests(0);
  code_writer();
  barrier(3);
  if (lrsc_counter != (uint64_t)harts * kAtomicRounds) return 2;
  if (amo_counter != harts * kAtomicRounds) return 3;
  if (locked_counter != (uint64_t)harts * kRounds) return 4;
  if (mp_errors != 0) return 5;
  for (int r = 0; r < kSbRounds; ++r) {
    if (sb_r0[r] == 0 && sb_r1[r] == 0) return 6;
  }
  for (unsigned h = 1; h < harts; ++h) CLINT_MSIP[h] = 1;
  const uint64_t ack_by = *CLINT_MTIME + 5000 * kTicksPerMs;
  while (*CLINT_MTIME < ack_by && ipi_acks != harts - 1) {
  }
  if (ipi_acks != harts - 1) return 7;
  if (code_errors != 0) return 8;
  uart_puts("smp: all checks passed\n");
  return 0;
}
