// Shared by the vector roms of stage 2 (rvv_fixed.S, rvv_fp.S): each case leaves its
// result in v4 (and vxsat or fflags in t0), RESULT stores the first 16 bytes of v4 and
// the low byte of t0 at `out` and compares these 17 bytes with the case's table exp_<n>.
// Built with -DRVV_DUMP (by hand, never in ctest) the rom instead prints each case's
// bytes on the UART as an `exp_<n>:` line, which is how the tables were taken from QEMU.

#define UART_BASE 0x10000000

#ifdef RVV_DUMP
#define RESULT(n)                    \
  TEST_NUMBER(n);                    \
  vsetivli x0, 16, e8, m1, tu, mu;   \
  la a7, out;                        \
  vse8.v v4, (a7);                   \
  sb t0, 16(a7);                     \
  li a0, n;                          \
  call dump_case
#else
#define RESULT(n)                    \
  TEST_NUMBER(n);                    \
  vsetivli x0, 16, e8, m1, tu, mu;   \
  la a7, out;                        \
  vse8.v v4, (a7);                   \
  sb t0, 16(a7);                     \
  la a6, exp_##n;                    \
  li t4, 17;                         \
  9801: lbu t2, 0(a6);               \
  lbu t3, 0(a7);                     \
  bne t2, t3, fail;                  \
  addi a6, a6, 1;                    \
  addi a7, a7, 1;                    \
  addi t4, t4, -1;                   \
  bnez t4, 9801b
#endif

// v2 = srcA, v3 = srcB, v6 = srcS, v4 = 0xee in every byte, v0 = 0xb5 in every byte
// (elements 0, 2, 4, 5, 7 of each 8 active when masked); the first 16 bytes of each.
#define LOAD_SOURCES                 \
  vsetvli t0, x0, e8, m1, tu, mu;    \
  li t1, 0xee;                       \
  vmv.v.x v4, t1;                    \
  li t1, 0xb5;                       \
  vmv.v.x v0, t1;                    \
  vmv.v.i v2, 0;                     \
  vmv.v.i v3, 0;                     \
  vmv.v.i v6, 0;                     \
  vsetivli x0, 16, e8, m1, tu, mu;   \
  la t1, srcA;                       \
  vle8.v v2, (t1);                   \
  la t1, srcB;                       \
  vle8.v v3, (t1);                   \
  la t1, srcS;                       \
  vle8.v v6, (t1)
