#include "devices/uart16550.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "test_lines.h"

namespace tiervm {
namespace {

using testing::RecordingLine;

// Register offsets and bits from the PC16550D datasheet, written out independently of
// the device's own constants.
constexpr uint64_t RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
                   LSR = 5, MSR = 6, SCR = 7;

class UartTest : public ::testing::Test {
 protected:
  uint8_t rd(uint64_t reg) {
    uint64_t v = 0xdead;
    EXPECT_TRUE(uart.read(reg, 1, v));
    EXPECT_LE(v, 0xffu);
    return static_cast<uint8_t>(v);
  }
  void wr(uint64_t reg, uint8_t v) { EXPECT_TRUE(uart.write(reg, 1, v)); }
  // Push host input and let the device take it, as the machine's periodic poll does.
  void type(uint8_t byte) {
    ASSERT_TRUE(uart.push_input(byte));
    uart.poll();
  }

  RecordingLine irq;
  std::vector<uint8_t> out;
  Uart16550 uart{irq, [this](uint8_t b) { out.push_back(b); }};
};

TEST_F(UartTest, ResetState) {
  EXPECT_EQ(rd(IER), 0x00);
  EXPECT_EQ(rd(IIR), 0x01);  // no interrupt pending
  EXPECT_EQ(rd(LCR), 0x00);
  EXPECT_EQ(rd(LSR), 0x60);  // THRE | TEMT
  EXPECT_FALSE(irq.level);
}

TEST_F(UartTest, TransmitGoesToSinkAndLeavesTransmitterEmpty) {
  wr(THR, 'h');
  wr(THR, 'i');
  EXPECT_EQ(out, (std::vector<uint8_t>{'h', 'i'}));
  EXPECT_EQ(rd(LSR) & 0x60, 0x60);
}

TEST_F(UartTest, DivisorLatchSharesOffsetsWithRbrAndIer) {
  wr(IER, 0x05);
  wr(LCR, 0x80 | 0x03);  // DLAB, 8N1
  wr(DLL, 0x34);
  wr(DLM, 0x12);
  EXPECT_EQ(rd(DLL), 0x34);
  EXPECT_EQ(rd(DLM), 0x12);
  wr(LCR, 0x03);
  EXPECT_EQ(rd(IER), 0x05);  // IER untouched by the DLM write
  EXPECT_EQ(rd(LCR), 0x03);
  wr(THR, 'x');  // with DLAB clear, offset 0 transmits again
  EXPECT_EQ(out, (std::vector<uint8_t>{'x'}));
  wr(LCR, 0x80);
  EXPECT_EQ(rd(DLL), 0x34);
}

TEST_F(UartTest, ScratchRegisterHoldsAnyValue) {
  for (uint8_t v : {0x00, 0x5a, 0xa5, 0xff}) {
    wr(SCR, v);
    EXPECT_EQ(rd(SCR), v);
  }
}

TEST_F(UartTest, ReceiveWithoutFifoSetsAndClearsDataReady) {
  type('a');
  EXPECT_EQ(rd(LSR) & 0x01, 0x01);
  EXPECT_EQ(rd(RBR), 'a');
  EXPECT_EQ(rd(LSR) & 0x01, 0x00);
}

TEST_F(UartTest, FifoEnableShowsInIirAndKeepsOrder) {
  wr(FCR, 0x01);
  EXPECT_EQ(rd(IIR) & 0xc0, 0xc0);  // FIFOs enabled
  wr(MCR, 0x10);                    // loopback feeds the receiver from THR
  for (uint8_t c : {'1', '2', '3'}) wr(THR, c);
  EXPECT_TRUE(out.empty());  // nothing leaves in loopback
  EXPECT_EQ(rd(RBR), '1');
  EXPECT_EQ(rd(RBR), '2');
  EXPECT_EQ(rd(LSR) & 0x01, 0x01);
  EXPECT_EQ(rd(RBR), '3');
  EXPECT_EQ(rd(LSR) & 0x01, 0x00);
  wr(FCR, 0x00);
  EXPECT_EQ(rd(IIR) & 0xc0, 0x00);
}

TEST_F(UartTest, FifoOverrunKeepsFirstSixteenAndSetsOe) {
  wr(FCR, 0x01);
  wr(MCR, 0x10);
  for (int i = 0; i < 17; ++i) wr(THR, static_cast<uint8_t>('a' + i));
  uint8_t lsr = rd(LSR);
  EXPECT_EQ(lsr & 0x03, 0x03);      // DR | OE
  EXPECT_EQ(rd(LSR) & 0x02, 0x00);  // reading LSR clears OE
  for (int i = 0; i < 16; ++i) EXPECT_EQ(rd(RBR), 'a' + i);
  EXPECT_EQ(rd(LSR) & 0x01, 0x00);  // the 17th byte was lost
}

TEST_F(UartTest, FifoResetDiscardsReceivedData) {
  wr(FCR, 0x01);
  wr(MCR, 0x10);
  wr(THR, 'z');
  wr(FCR, 0x01 | 0x02);
  EXPECT_EQ(rd(LSR) & 0x01, 0x00);
}

TEST_F(UartTest, LoopbackMapsModemOutputsToInputs) {
  // Linux's 8250 probe: MCR = LOOP | RTS | OUT2 must read back CTS | DCD.
  wr(MCR, 0x10 | 0x02 | 0x08);
  EXPECT_EQ(rd(MSR) & 0xf0, 0x90);
  wr(MCR, 0x10 | 0x0f);  // DTR RTS OUT1 OUT2 -> DSR CTS RI DCD
  EXPECT_EQ(rd(MSR) & 0xf0, 0xf0);
  wr(MCR, 0x10);
  EXPECT_EQ(rd(MSR) & 0xf0, 0x00);
}

TEST_F(UartTest, ReceivedDataInterrupt) {
  wr(IER, 0x01);
  EXPECT_FALSE(irq.level);
  type('k');
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(rd(IIR) & 0x0f, 0x04);
  EXPECT_EQ(rd(RBR), 'k');
  EXPECT_FALSE(irq.level);
  EXPECT_EQ(rd(IIR) & 0x0f, 0x01);
}

TEST_F(UartTest, ThrEmptyInterruptClearedByIirReadAndRaisedByWrite) {
  wr(IER, 0x02);  // THR is empty, so enabling ETBEI raises the interrupt
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(rd(IIR), 0x02);
  EXPECT_FALSE(irq.level);  // the IIR read acknowledged it
  EXPECT_EQ(rd(IIR), 0x01);
  wr(THR, 'q');  // THR empties again at once
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(rd(IIR), 0x02);
  wr(IER, 0x00);
  EXPECT_FALSE(irq.level);
}

TEST_F(UartTest, InterruptPriorityLineStatusThenDataThenThre) {
  wr(FCR, 0x01);
  wr(MCR, 0x10);
  for (int i = 0; i < 17; ++i) wr(THR, 'x');  // overrun: line status condition
  wr(IER, 0x07);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(rd(IIR) & 0x0f, 0x06);  // receiver line status first
  rd(LSR);                          // clears OE
  EXPECT_EQ(rd(IIR) & 0x0f, 0x04);  // then received data
  for (int i = 0; i < 16; ++i) rd(RBR);
  EXPECT_EQ(rd(IIR) & 0x0f, 0x02);  // then THR empty
  EXPECT_EQ(rd(IIR) & 0x0f, 0x01);
  EXPECT_FALSE(irq.level);
}

TEST_F(UartTest, FifoTriggerLevelAndCharacterTimeout) {
  wr(FCR, 0x81);  // FIFO on, trigger level 8
  wr(MCR, 0x10);
  wr(IER, 0x01);
  for (int i = 0; i < 7; ++i) wr(THR, 'a');
  EXPECT_FALSE(irq.level);  // below the trigger level
  // Without further receiver activity the timeout indication appears.
  uart.poll();
  uart.poll();
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(rd(IIR) & 0x0f, 0x0c);
  rd(RBR);  // reading clears the timeout
  EXPECT_EQ(rd(IIR) & 0x0f, 0x01);
  wr(THR, 'b');
  wr(THR, 'c');  // 8 bytes: trigger level reached
  EXPECT_EQ(rd(IIR) & 0x0f, 0x04);
}

TEST_F(UartTest, HostInputWaitsForRoomInsteadOfOverrunning) {
  for (uint8_t c : {'x', 'y', 'z'}) ASSERT_TRUE(uart.push_input(c));
  EXPECT_TRUE(uart.wants_poll());
  uart.poll();
  uart.poll();
  EXPECT_EQ(rd(LSR) & 0x03, 0x01);  // data ready, no overrun
  EXPECT_EQ(rd(RBR), 'x');
  EXPECT_EQ(rd(RBR), 'y');  // the read let the next byte in
  EXPECT_EQ(rd(RBR), 'z');
  EXPECT_EQ(rd(LSR) & 0x01, 0x00);
  EXPECT_FALSE(uart.wants_poll());
}

TEST_F(UartTest, StagingCapacityIsBounded) {
  for (size_t i = 0; i < Uart16550::kStagingCapacity; ++i) ASSERT_TRUE(uart.push_input('a'));
  EXPECT_FALSE(uart.can_accept_input());
  EXPECT_FALSE(uart.push_input('b'));
}

TEST_F(UartTest, InputFromAnotherThreadArrivesInOrder) {
  constexpr int kCount = 20000;
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (int i = 0; i < kCount; ++i) {
      while (!uart.push_input(static_cast<uint8_t>(i))) std::this_thread::yield();
    }
    done = true;
  });
  std::vector<uint8_t> got;
  while (got.size() < kCount) {
    uart.poll();
    while ((rd(LSR) & 0x01) != 0) got.push_back(rd(RBR));
  }
  producer.join();
  for (int i = 0; i < kCount; ++i) ASSERT_EQ(got[i], static_cast<uint8_t>(i)) << i;
}

TEST_F(UartTest, WideAccessActsOnOneRegister) {
  ASSERT_TRUE(uart.write(SCR, 4, 0x12345678));
  EXPECT_EQ(rd(SCR), 0x78);
  uint64_t v = 0;
  ASSERT_TRUE(uart.read(LSR, 4, v));
  EXPECT_EQ(v, 0x60u);
}

}  // namespace
}  // namespace tiervm
