// Faults of the host under a disk image file (BlockFile) behind virtio-blk, on real files:
// each reaches the guest as VIRTIO_BLK_S_IOERR, is reported to the user in one line on
// stderr, and never crashes tiervm or loses data silently.
#include "devices/block_file.h"

#include <signal.h>
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "virtio_blk_driver.h"

namespace tiervm {
namespace {

using namespace testing;  // the driver and its constants
using ::testing::internal::CaptureStderr;
using ::testing::internal::GetCapturedStderr;

using ImageFault = VirtioBlkDriver;

std::string warning(const std::string& path, const std::string& what) {
  return "tiervm: warning: disk image '" + path + "': " + what + "\n";
}

// RLIMIT_FSIZE makes the kernel end a write at the limit (a short write) and fail the
// next with EFBIG (SIGXFSZ ignored), as a disk that fills up ends one with ENOSPC: a real
// short write on any file system. Keep the limit short-lived: it applies to every file the
// test process writes (the test's own output too, when it goes to a file).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  sighandler_t old_handler_ = SIG_DFL;
};

TEST_F(ImageFault, ShortWriteThenErrorIsAnIoErrorReportedOnce) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  std::vector<uint8_t> data(1024, 0xab);
  ASSERT_TRUE(bus.dma_write(kData, data));
  CaptureStderr();
  uint8_t first = 0xee, second = 0xee;
  {
    FileSizeLimit limit(10 * 512 + 256);
    first = request(T_OUT, 10, 1024, false);  // sectors 10 and 11: 256 bytes fit
    second = request(T_OUT, 12, 512, false);
  }
  const std::string err = GetCapturedStderr();
  EXPECT_EQ(first, S_IOERR);
  EXPECT_EQ(second, S_IOERR);
  EXPECT_EQ(err, warning(file.path(), "write failed: File too large; the guest sees I/O errors"));
  // The kernel stored what fit; the guest was told the write failed.
  std::vector<uint8_t> expect = pattern();
  std::fill(expect.begin() + 10 * 512, expect.begin() + 10 * 512 + 256, 0xab);
  EXPECT_EQ(file.read_all(), expect);
  // The fault is gone: the device works again, without another warning.
  CaptureStderr();
  EXPECT_EQ(request(T_OUT, 12, 512, false), S_OK);
  EXPECT_EQ(request_no_data(T_FLUSH), S_OK);
  EXPECT_EQ(GetCapturedStderr(), "");
  EXPECT_EQ(reg(0x070) & NEEDS_RESET, 0u);
}

}  // namespace
}  // namespace tiervm
