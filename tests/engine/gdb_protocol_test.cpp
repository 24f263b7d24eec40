// The GDB remote protocol (engine/gdb) fed packets directly: framing and checksums as
// the gdb manual gives them, the register numbering of gdb's RISC-V target, and the
// commands against a fake target.
#include <gtest/gtest.h>

#include <map>

#include "engine/gdb/gdb_registers.h"
#include "engine/gdb/gdb_session.h"
#include "engine/gdb/rsp.h"

namespace tiervm {
namespace {

TEST(Rsp, FramesWithTheModulo256Checksum) {
  // 'O' + 'K' = 0x4f + 0x4b = 0x9a.
  EXPECT_EQ(rsp_frame("OK"), "$OK#9a");
  EXPECT_EQ(rsp_frame(""), "$#00");
  // 'g' = 0x67.
  EXPECT_EQ(rsp_frame("g"), "$g#67");
}

TEST(Rsp, EscapesTheFourSpecialBytes) {
  // gdb manual: '}' then the byte XOR 0x20, for '#', '$', '}' and '*'.
  EXPECT_EQ(rsp_escape("a#b$c}d*"),
            "a}\x03"
            "b}\x04"
            "c}]d}\x0a");
  EXPECT_EQ(rsp_unescape("a}\x03"
                         "b}\x04"
                         "c}]d}\x0a"),
            "a#b$c}d*");
  EXPECT_EQ(rsp_frame("}"), "$}]#da");  // checksum over the escaped bytes: 0x7d + 0x5d
}

TEST(Rsp, ReaderSplitsAcksPacketsAndInterrupts) {
  RspReader r;
  std::vector<RspInput> got;
  for (const char c : std::string("+$qC#b4-\x03$g#00")) {
    RspInput in = r.feed(static_cast<uint8_t>(c));
    if (in.kind != RspInput::Kind::None) got.push_back(in);
  }
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].kind, RspInput::Kind::Ack);
  EXPECT_EQ(got[1].kind, RspInput::Kind::Packet);
  EXPECT_EQ(got[1].payload, "qC");  // 'q' + 'C' = 0x71 + 0x43 = 0xb4
  EXPECT_EQ(got[2].kind, RspInput::Kind::Nack);
  EXPECT_EQ(got[3].kind, RspInput::Kind::Interrupt);
  EXPECT_EQ(got[4].kind, RspInput::Kind::BadPacket);  // 'g' is 0x67, not 0x00
}

TEST(Rsp, Hex) {
  const uint8_t b[] = {0x00, 0xab, 0x7f};
  EXPECT_EQ(rsp_hex(b, 3), "00ab7f");
  EXPECT_EQ(rsp_unhex("00AB7f"), (std::vector<uint8_t>{0x00, 0xab, 0x7f}));
  EXPECT_FALSE(rsp_unhex("0"));
  EXPECT_FALSE(rsp_unhex("zz"));
  EXPECT_EQ(rsp_parse_hex("ffffffff80000000"), 0xffffffff80000000ull);
  EXPECT_FALSE(rsp_parse_hex(""));
  EXPECT_FALSE(rsp_parse_hex("12g"));
}

TEST(GdbRegisters, GdbsRiscvNumbering) {
  // gdb/riscv-tdep.h: RISCV_ZERO_REGNUM 0, RISCV_PC_REGNUM 32, RISCV_FIRST_FP_REGNUM 33,
  // RISCV_FIRST_CSR_REGNUM 65 (+ the CSR number), RISCV_PRIV_REGNUM 4161.
  const GdbRegisterMap regs({{"mstatus", 0x300}, {"satp", 0x180}});
  EXPECT_EQ(regs.find(0)->name, "zero");
  EXPECT_EQ(regs.find(2)->name, "sp");
  EXPECT_EQ(regs.find(10)->name, "a0");
  EXPECT_EQ(regs.find(31)->name, "t6");
  EXPECT_EQ(regs.find(32)->name, "pc");
  EXPECT_EQ(regs.find(33)->name, "ft0");
  EXPECT_EQ(regs.find(64)->name, "ft11");
  EXPECT_EQ(regs.find(66)->name, "fflags");
  EXPECT_EQ(regs.find(67)->name, "frm");
  EXPECT_EQ(regs.find(68)->name, "fcsr");
  EXPECT_EQ(regs.find(65 + 0x300)->name, "mstatus");
  EXPECT_EQ(regs.find(65 + 0x180)->name, "satp");
  EXPECT_EQ(regs.find(4161)->name, "priv");
  EXPECT_EQ(regs.find(65), nullptr);
  EXPECT_EQ(regs.find(65 + 0x301), nullptr);
}

TEST(GdbRegisters, TargetXmlHasTheFourRiscvFeatures) {
  const GdbRegisterMap regs({{"mstatus", 0x300}});  // target_xml() refers into it
  const std::string& xml = regs.target_xml();
  EXPECT_NE(xml.find("<architecture>riscv:rv64</architecture>"), std::string::npos);
  for (const char* f : {"org.gnu.gdb.riscv.cpu", "org.gnu.gdb.riscv.fpu", "org.gnu.gdb.riscv.csr",
                        "org.gnu.gdb.riscv.virtual"}) {
    EXPECT_NE(xml.find(std::string("<feature name=\"") + f + "\">"), std::string::npos) << f;
  }
  EXPECT_NE(xml.find("<reg name=\"pc\" bitsize=\"64\" regnum=\"32\""), std::string::npos);
  EXPECT_NE(xml.find("<reg name=\"fflags\" bitsize=\"32\" regnum=\"66\""), std::string::npos);
  EXPECT_NE(xml.find("<reg name=\"mstatus\" bitsize=\"64\" regnum=\"833\""), std::string::npos);
}

TEST(GdbRegisters, VectorRegistersFollowPrivWithTheirOwnFeature) {
  const GdbRegisterMap none({{"mstatus", 0x300}});
  EXPECT_EQ(none.find(4162), nullptr);
  EXPECT_EQ(none.target_xml().find("org.gnu.gdb.riscv.vector"), std::string::npos);
  const GdbRegisterMap regs({{"mstatus", 0x300}}, 32);  // VLEN 256
  EXPECT_EQ(regs.find(4161)->name, "priv");
  ASSERT_NE(regs.find(4162), nullptr);
  EXPECT_EQ(regs.find(4162)->name, "v0");
  EXPECT_EQ(regs.find(4162 + 31)->name, "v31");
  EXPECT_EQ(regs.find(4162 + 31)->bits, 256u);
  EXPECT_EQ(regs.find(4162 + 32), nullptr);
  const std::string& xml = regs.target_xml();
  EXPECT_NE(xml.find("<feature name=\"org.gnu.gdb.riscv.vector\">"), std::string::npos);
  EXPECT_NE(xml.find("<vector id=\"bytes\" type=\"uint8\" count=\"32\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<vector id=\"quads\" type=\"uint128\" count=\"2\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<reg name=\"v7\" bitsize=\"256\" regnum=\"4169\" type=\"riscv_vector\"/>"),
            std::string::npos);
}

// A target with 34 registers' worth of state and 64 KiB of memory at 0x80000000.
class FakeTarget : public GdbTarget {
 public:
  std::map<unsigned, uint64_t> regs;
  std::vector<uint8_t> mem = std::vector<uint8_t>(0x10000);
  std::vector<std::string> log;

  bool read_register(const GdbRegister& r, uint64_t& v) override {
    v = regs[r.regno];
    return true;
  }
  bool write_register(const GdbRegister& r, uint64_t v) override {
    regs[r.regno] = v;
    return true;
  }
  std::map<unsigned, std::vector<uint8_t>> vregs;  // by vector register number
  bool read_vector(unsigned index, std::vector<uint8_t>& bytes) override {
    bytes = vregs[index];
    return true;
  }
  bool write_vector(unsigned index, const std::vector<uint8_t>& bytes) override {
    vregs[index] = bytes;
    return true;
  }
  bool read_memory(uint64_t addr, size_t len, std::vector<uint8_t>& out) override {
    if (addr < 0x80000000 || addr + len > 0x80010000) return false;
    out.assign(mem.begin() + static_cast<long>(addr - 0x80000000),
               mem.begin() + static_cast<long>(addr - 0x80000000 + len));
    return true;
  }
  bool write_memory(uint64_t addr, const std::vector<uint8_t>& data) override {
    if (addr < 0x80000000 || addr + data.size() > 0x80010000) return false;
    std::copy(data.begin(), data.end(), mem.begin() + static_cast<long>(addr - 0x80000000));
    return true;
  }
  bool set_breakpoint(bool insert, uint64_t addr) override {
    log.push_back((insert ? "break+" : "break-") + std::to_string(addr));
    return true;
  }
  bool set_watchpoint(bool insert, WatchKind kind, uint64_t addr, uint64_t len) override {
    log.push_back((insert ? "watch+" : "watch-") + std::to_string(static_cast<int>(kind)) + ":" +
                  std::to_string(addr) + "/" + std::to_string(len));
    return true;
  }
  void resume(bool step, unsigned hart, bool only) override {
    log.push_back(step   ? "step " + std::to_string(hart)
                  : only ? "continue only " + std::to_string(hart)
                         : "continue");
  }
  unsigned hart_count() override { return harts; }
  bool select_hart(unsigned hart) override {
    log.push_back("select " + std::to_string(hart));
    return hart < harts;
  }
  GdbStop last_stop() override { return stop; }
  unsigned harts = 1;
  GdbStop stop{};
  void detach() override { log.push_back("detach"); }
  void kill() override { log.push_back("kill"); }
};

class GdbSessionTest : public ::testing::Test {
 protected:
  FakeTarget target;
  GdbRegisterMap regs{{{"mstatus", 0x300}}};
  GdbSession session{target, regs};
  std::string reply(std::string_view packet) { return session.handle(packet).value_or("<none>"); }
};

TEST_F(GdbSessionTest, RegistersAreLittleEndianHex) {
  target.regs[1] = 0x0102030405060708;
  target.regs[32] = 0x80000000;
  const std::string g = reply("g");
  ASSERT_EQ(g.size(), 33u * 16);
  EXPECT_EQ(g.substr(16, 16), "0807060504030201");
  EXPECT_EQ(g.substr(32 * 16, 16), "0000008000000000");
  EXPECT_EQ(reply("p20"), "0000008000000000");  // 0x20 = pc
  EXPECT_EQ(reply("P42=1f000000"), "OK");       // 0x42 = fflags, 32 bits
  EXPECT_EQ(target.regs[66], 0x1fu);
  EXPECT_EQ(reply("P42=1f00000000000000"), "E01");  // wrong width
  EXPECT_EQ(reply("pfff0"), "E01");                 // no such register
  EXPECT_EQ(reply("P341=efbeadde00000000"), "OK");  // 0x341 = 833 = mstatus
  EXPECT_EQ(target.regs[833], 0xdeadbeefu);
  EXPECT_EQ(reply("G" + std::string(33 * 16, '1')), "OK");
  EXPECT_EQ(target.regs[5], 0x1111111111111111u);
}

TEST(GdbSession, VectorRegistersAreTheirBytesInHex) {
  FakeTarget target;
  const GdbRegisterMap regs({{"mstatus", 0x300}}, 16);  // VLEN 128
  GdbSession session(target, regs);
  auto reply = [&](std::string_view p) { return session.handle(p).value_or("<none>"); };
  target.vregs[2] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                     0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};
  EXPECT_EQ(reply("p1044"), "0102030405060708090a0b0c0d0e0f10");  // 0x1044 = 4164 = v2
  EXPECT_EQ(reply("P1045=ffeeddccbbaa99887766554433221100"), "OK");
  EXPECT_EQ(target.vregs[3],
            (std::vector<uint8_t>{0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66, 0x55,
                                  0x44, 0x33, 0x22, 0x11, 0x00}));
  EXPECT_EQ(reply("P1045=ffee"), "E01");  // not 16 bytes
  target.vregs[4] = {0x01};               // a target answering with the wrong size
  EXPECT_EQ(reply("p1046"), "E01");
}

TEST_F(GdbSessionTest, Memory) {
  EXPECT_EQ(reply("M80000010,4:deadbeef"), "OK");
  EXPECT_EQ(reply("m80000010,4"), "deadbeef");
  // X: binary, '}' escapes: the bytes 0x23 ('#') and 0x7d ('}').
  EXPECT_EQ(reply("X80000020,2:}\x03}]"), "OK");
  EXPECT_EQ(target.mem[0x20], 0x23);
  EXPECT_EQ(target.mem[0x21], 0x7d);
  EXPECT_EQ(reply("X80000020,0:"), "OK");
  EXPECT_EQ(reply("m10,4"), "E14");
  EXPECT_EQ(reply("M80000010,4:dead"), "E01");  // length mismatch
}

TEST_F(GdbSessionTest, BreakpointsWatchpointsAndResume) {
  EXPECT_EQ(reply("Z0,80000000,4"), "OK");
  EXPECT_EQ(reply("Z1,80000004,2"), "OK");
  EXPECT_EQ(reply("z0,80000000,4"), "OK");
  EXPECT_EQ(reply("Z2,80001000,8"), "OK");
  EXPECT_EQ(reply("Z3,80001000,1"), "OK");
  EXPECT_EQ(reply("z4,80001000,4"), "OK");
  EXPECT_EQ(reply("c"), "<none>");  // the stop reply comes when the target stops
  EXPECT_EQ(reply("s"), "<none>");
  EXPECT_EQ(reply("vCont;s:1"), "<none>");
  EXPECT_EQ(reply("vCont;c"), "<none>");
  EXPECT_EQ(reply("c80000100"), "<none>");
  EXPECT_EQ(target.regs[32], 0x80000100u);
  const std::vector<std::string> want = {"break+2147483648",
                                         "break+2147483652",
                                         "break-2147483648",
                                         "watch+2:2147487744/8",
                                         "watch+3:2147487744/1",
                                         "watch-4:2147487744/4",
                                         "continue",
                                         "step 0",
                                         "step 0",
                                         "continue",
                                         "continue"};
  EXPECT_EQ(target.log, want);
  EXPECT_EQ(reply("D"), "OK");
  EXPECT_TRUE(session.finished());
}

TEST_F(GdbSessionTest, Queries) {
  const std::string supported = reply("qSupported:multiprocess+;swbreak+;xmlRegisters=i386");
  EXPECT_NE(supported.find("qXfer:features:read+"), std::string::npos);
  EXPECT_NE(supported.find("PacketSize="), std::string::npos);
  EXPECT_EQ(reply("vCont?"), "vCont;c;C;s;S");
  EXPECT_EQ(reply("?"), "T05thread:01;");
  EXPECT_EQ(reply("qfThreadInfo"), "m01");
  EXPECT_EQ(reply("qsThreadInfo"), "l");
  EXPECT_EQ(reply("vMustReplyEmpty"), "");
  EXPECT_EQ(reply("QStartNoAckMode"), "OK");
  EXPECT_TRUE(session.no_ack());
  // target.xml read in pieces, as gdb does: m = more, l = last.
  std::string xml;
  for (size_t off = 0;; off += 100) {
    char q[80];
    std::snprintf(q, sizeof q, "qXfer:features:read:target.xml:%zx,64", off);
    const std::string part = reply(q);
    ASSERT_FALSE(part.empty());
    xml += part.substr(1);
    if (part[0] == 'l') break;
    ASSERT_EQ(part[0], 'm');
  }
  EXPECT_EQ(xml, regs.target_xml());
}

// Harts are threads 1..N (--smp 4): listed, named, selected for registers (Hg) and for
// a step (vCont;s:TID), reported in stop replies; ids beyond the harts are errors.
TEST_F(GdbSessionTest, HartsAreThreads) {
  target.harts = 4;
  target.stop.hart = 2;
  EXPECT_EQ(reply("qfThreadInfo"), "m01,02,03,04");
  EXPECT_EQ(reply("qsThreadInfo"), "l");
  EXPECT_EQ(reply("?"), "T05thread:03;");
  EXPECT_EQ(reply("qC"), "QC03");
  EXPECT_EQ(reply("qThreadExtraInfo,4"), rsp_hex(reinterpret_cast<const uint8_t*>("hart 3"), 6));
  EXPECT_EQ(reply("qThreadExtraInfo,5"), "E01");
  EXPECT_EQ(reply("T4"), "OK");
  EXPECT_EQ(reply("T5"), "E01");
  EXPECT_EQ(reply("Hg2"), "OK");
  EXPECT_EQ(reply("Hg0"), "OK");  // any thread: keeps the selection
  EXPECT_EQ(reply("Hg5"), "E01");
  EXPECT_EQ(reply("Hc-1"), "OK");
  EXPECT_EQ(reply("vCont;s:4;c"), "<none>");
  EXPECT_EQ(reply("vCont;c"), "<none>");
  EXPECT_EQ(reply("s"), "<none>");  // the Hg thread steps
  EXPECT_EQ(reply("vCont;s:9;c"), "E01");
  EXPECT_EQ(reply("vCont;c:2"), "<none>");  // gdb's software single-step of thread 2
  EXPECT_EQ(reply("vCont;c:2;c"), "<none>");
  const std::vector<std::string> want = {"select 1", "step 3",          "continue",
                                         "step 1",   "continue only 1", "continue"};
  EXPECT_EQ(target.log, want);
}

TEST(GdbStopReply, Formats) {
  GdbStop s;
  EXPECT_EQ(gdb_stop_reply(s), "T05thread:01;");
  s.signal = 2;
  EXPECT_EQ(gdb_stop_reply(s), "T02thread:01;");
  s.kind = GdbStop::Kind::Watch;
  s.watch = {WatchKind::Read, 0x80001000};
  EXPECT_EQ(gdb_stop_reply(s), "T05rwatch:80001000;thread:01;");
  s.hart = 10;
  EXPECT_EQ(gdb_stop_reply(s), "T05rwatch:80001000;thread:0b;");
  s.kind = GdbStop::Kind::Exited;
  s.exit_code = 2;
  EXPECT_EQ(gdb_stop_reply(s), "W02");
}

}  // namespace
}  // namespace tiervm
