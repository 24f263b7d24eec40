// Fails on purpose with code 7 through the SiFive test device: (7 << 16) | 0x3333. The
// integration test expects exit status 7, which shows the emulator forwards the guest's
// failure code (the other roms only show that a pass is a pass).
#include "test_macros.h"

  .text
  .globl test_main
test_main:
  TEST_CASE(7, a0, 1, li a0, 2)
  TEST_PASS
