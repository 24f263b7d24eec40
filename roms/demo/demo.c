// The demo guest for `scripts/run --demo`: greets over the UART, prints some primes and
// an ASCII Mandelbrot set (integer fixed point, no FPU needed), then powers off with
// status 0 through the SiFive test device (common/crt.S does that when test_main
// returns 0).
#include <stdint.h>

// UART output from common/crt.S (16550 at 0x1000_0000, polls LSR.THRE).
void uart_putc(int c);
void uart_puts(const char* s);

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

static int is_prime(uint64_t n) {
  if (n < 2) return 0;
  for (uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return 0;
  }
  return 1;
}

static void primes(int count) {
  uart_puts("first primes:");
  for (uint64_t n = 2; count > 0; ++n) {
    if (is_prime(n)) {
      uart_putc(' ');
      put_uint(n);
      --count;
    }
  }
  uart_putc('\n');
}

// Mandelbrot set over [-2.0, 0.6] x [-1.1, 1.1] in 16.16 fixed point.
static void mandelbrot(void) {
  static const char shades[] = " .:-=+*#%@";
  const int64_t one = 1 << 16;
  const int cols = 64;
  const int rows = 24;
  const int max_iter = 40;
  for (int row = 0; row < rows; ++row) {
    const int64_t ci = -(one * 11 / 10) + (one * 22 / 10) * row / (rows - 1);
    for (int col = 0; col < cols; ++col) {
      const int64_t cr = -2 * one + (one * 26 / 10) * col / (cols - 1);
      int64_t zr = 0;
      int64_t zi = 0;
      int iter = 0;
      while (iter < max_iter) {
        const int64_t zr2 = (zr * zr) >> 16;
        const int64_t zi2 = (zi * zi) >> 16;
        if (zr2 + zi2 > 4 * one) break;
        zi = ((2 * zr * zi) >> 16) + ci;
        zr = zr2 - zi2 + cr;
        ++iter;
      }
      uart_putc(iter == max_iter ? '@' : shades[iter * 9 / max_iter]);
    }
    uart_putc('\n');
  }
}

int test_main(void) {
  uart_puts("tiervm demo: hello from a RISC-V guest\n");
  primes(20);
  mandelbrot();
  uart_puts("tiervm demo: done, powering off\n");
  return 0;
}
