// Bare-metal driver of a benchmark kernel: runs the self-test and the workload, prints
// the checksum over the UART and compares it with BENCH_EXPECTED, the checksum the same
// kernel computed when compiled for the host (generated header, roms/bench/CMakeLists.txt).
// Exit (common/crt.S): 0 = pass, 1 = checksum mismatch, 2 = self-test failure.
#include "bench.h"

#ifndef BENCH_EXPECTED
#error "BENCH_EXPECTED must come from the generated <name>_expected.h"
#endif

void uart_putc(int c);
void uart_puts(const char* s);
void uart_puthex(uint64_t v);

int test_main(void);

static void put_uint(uint64_t v) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) uart_putc(digits[--n]);
}

static void prefix(void) {
  uart_puts("bench ");
  uart_puts(bench_name);
  uart_puts(": ");
}

int test_main(void) {
#ifdef BENCH_VECTOR
  // The kernel was auto-vectorised (tiervm_vector_bench_rom): mstatus.VS = Initial, or
  // its first vector instruction is illegal.
  __asm__ volatile("csrs mstatus, %0" ::"r"(1ul << 9));
#endif
  prefix();
  uart_puts("scale ");
  put_uint(BENCH_SCALE);
  uart_putc('\n');
  const int self = bench_selftest();
  if (self != 0) {
    prefix();
    uart_puts("FAIL self-test ");
    put_uint((uint64_t)self);
    uart_putc('\n');
    return 2;
  }
  const uint64_t sum = bench_run();
  prefix();
  uart_puts("checksum ");
  uart_puthex(sum);
  uart_putc('\n');
  if (sum != BENCH_EXPECTED) {
    prefix();
    uart_puts("FAIL expected ");
    uart_puthex(BENCH_EXPECTED);
    uart_putc('\n');
    return 1;
  }
  prefix();
  uart_puts("PASS\n");
  return 0;
}
