// Faults of the host under a disk image file (BlockFile) behind virtio-blk, on real files:
// each reaches the guest as VIRTIO_BLK_S_IOERR, is reported to the user in one line on
// stderr, and never crashes tiervm or loses data silently.
#include "devices/block_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
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
std::string changed(const std::string& path, const std::string& what) {
  return "tiervm: warning: disk image '" + path + "' " + what + "\n";
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

// An image truncated while the guest runs is no longer the disk the guest knows: every
// request fails (a read past the new end must not return zeros, a write there must not
// grow the file back), in every mode, with one warning.
class TruncatedImage : public VirtioBlkDriver,
                       public ::testing::WithParamInterface<BlockFile::Mode> {};

TEST_P(TruncatedImage, EveryRequestFailsWithOneWarning) {
  attach(GetParam());
  init();
  std::vector<uint8_t> data(512, 0x77);
  ASSERT_TRUE(bus.dma_write(kData, data));
  if (GetParam() != BlockFile::Mode::ReadOnly) {
    EXPECT_EQ(request(T_OUT, 2, 512, false), S_OK);
  }
  ASSERT_EQ(::truncate(file.path().c_str(), 16 * 512), 0);
  CaptureStderr();
  EXPECT_EQ(request(T_IN, 40, 512, true), S_IOERR);   // past the new end
  EXPECT_EQ(request(T_IN, 15, 1024, true), S_IOERR);  // across it
  EXPECT_EQ(request(T_IN, 2, 512, true), S_IOERR);    // inside it
  EXPECT_EQ(request(T_OUT, 40, 512, false), S_IOERR);
  EXPECT_EQ(request(T_OUT, 3, 512, false), S_IOERR);
  EXPECT_EQ(request_no_data(T_FLUSH), S_IOERR);
  EXPECT_EQ(GetCapturedStderr(),
            changed(file.path(),
                    "was truncated while running (from 32768 to 8192 bytes); its requests fail "
                    "from now on"));
  EXPECT_EQ(std::filesystem::file_size(file.path()), 16u * 512);
  EXPECT_EQ(reg(0x070) & NEEDS_RESET, 0u);
}

INSTANTIATE_TEST_SUITE_P(Modes, TruncatedImage,
                         ::testing::Values(BlockFile::Mode::ReadWrite, BlockFile::Mode::ReadOnly,
                                           BlockFile::Mode::Snapshot),
                         [](const ::testing::TestParamInfo<BlockFile::Mode>& info) {
                           return info.param == BlockFile::Mode::ReadWrite  ? "ReadWrite"
                                  : info.param == BlockFile::Mode::ReadOnly ? "ReadOnly"
                                                                            : "Snapshot";
                         });

// Writes to an image whose name now points at another file would go to a file nobody can
// see any more (and vanish at exit): every request fails, the new file is never written.
TEST_F(ImageFault, ReplacedReadWriteImageFailsEveryRequest) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  TempFile other(std::vector<uint8_t>(64 * 512, 0x42));
  std::filesystem::rename(other.path(), file.path());
  std::vector<uint8_t> data(512, 0x77);
  ASSERT_TRUE(bus.dma_write(kData, data));
  CaptureStderr();
  EXPECT_EQ(request(T_OUT, 3, 512, false), S_IOERR);
  EXPECT_EQ(request(T_IN, 3, 512, true), S_IOERR);
  EXPECT_EQ(request_no_data(T_FLUSH), S_IOERR);
  EXPECT_EQ(GetCapturedStderr(),
            changed(file.path(), "was replaced while running; its requests fail from now on"));
  EXPECT_EQ(file.read_all(), std::vector<uint8_t>(64 * 512, 0x42));
}

TEST_F(ImageFault, RemovedReadWriteImageFailsEveryRequest) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  ASSERT_EQ(::unlink(file.path().c_str()), 0);
  CaptureStderr();
  EXPECT_EQ(request(T_OUT, 3, 512, false), S_IOERR);
  EXPECT_EQ(request_no_data(T_FLUSH), S_IOERR);
  EXPECT_EQ(GetCapturedStderr(),
            changed(file.path(), "was removed while running; its requests fail from now on"));
  EXPECT_FALSE(std::filesystem::exists(file.path()));
}

// Moved away and replaced while another name keeps the old file (`mv disk.img old.img;
// cp old.img disk.img`): only the path tells, and it is looked at on every flush (and
// every 64 requests), so the guest's next flush fails and the new file stays untouched.
TEST_F(ImageFault, ImageSwappedUnderAnotherNameIsCaughtByTheNextFlush) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  const std::string moved = file.path() + ".old";
  std::filesystem::rename(file.path(), moved);
  {
    TempFile other(std::vector<uint8_t>(64 * 512, 0x42));
    std::filesystem::rename(other.path(), file.path());
  }
  std::vector<uint8_t> data(512, 0x77);
  ASSERT_TRUE(bus.dma_write(kData, data));
  CaptureStderr();
  request(T_OUT, 3, 512, false);  // may still reach the old file
  EXPECT_EQ(request_no_data(T_FLUSH), S_IOERR);
  EXPECT_EQ(request(T_OUT, 4, 512, false), S_IOERR);
  EXPECT_EQ(GetCapturedStderr(),
            changed(file.path(), "was replaced while running; its requests fail from now on"));
  EXPECT_EQ(file.read_all(), std::vector<uint8_t>(64 * 512, 0x42));
  std::filesystem::remove(moved);
}

// A guest that only reads meets the same check every 64 requests.
TEST_F(ImageFault, ImageSwappedUnderAnotherNameIsCaughtByReadsToo) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  const std::string moved = file.path() + ".old";
  std::filesystem::rename(file.path(), moved);
  {
    TempFile other(std::vector<uint8_t>(64 * 512, 0x42));
    std::filesystem::rename(other.path(), file.path());
  }
  CaptureStderr();
  int served = 0;
  while (served < 100 && request(T_IN, 1, 512, true) == S_OK) ++served;
  EXPECT_LT(served, 64);
  EXPECT_EQ(request(T_IN, 1, 512, true), S_IOERR);
  EXPECT_EQ(GetCapturedStderr(),
            changed(file.path(), "was replaced while running; its requests fail from now on"));
  std::filesystem::remove(moved);
}

// A read-only or snapshot disk never writes, and the old file stays readable through the
// open descriptor: the guest keeps a consistent disk, the user is told once.
TEST_F(ImageFault, ReplacedSnapshotImageKeepsServingTheOldFile) {
  attach(BlockFile::Mode::Snapshot);
  init();
  TempFile other(std::vector<uint8_t>(64 * 512, 0x42));
  std::filesystem::rename(other.path(), file.path());
  std::vector<uint8_t> data(512, 0x77);
  ASSERT_TRUE(bus.dma_write(kData, data));
  CaptureStderr();
  EXPECT_EQ(request(T_OUT, 3, 512, false), S_OK);
  EXPECT_EQ(request_no_data(T_FLUSH), S_OK);
  EXPECT_EQ(request(T_IN, 2, 1024, true), S_OK);
  std::vector<uint8_t> expect = sectors(2, 2);
  std::fill(expect.begin() + 512, expect.end(), 0x77);
  EXPECT_EQ(ram(kData, 1024), expect);
  EXPECT_EQ(GetCapturedStderr(),
            changed(file.path(),
                    "was replaced while running; the guest keeps reading the image it started "
                    "with"));
  EXPECT_EQ(file.read_all(), std::vector<uint8_t>(64 * 512, 0x42));
}

// A tmpfs of `size` mounted on a fresh directory for the test's lifetime (needs root or
// CAP_SYS_ADMIN; error() says why not).
class TmpfsMount {
 public:
  explicit TmpfsMount(const char* size) {
    char dir[] = "/tmp/tiervm_tmpfs_XXXXXX";
    if (::mkdtemp(dir) == nullptr) {
      error_ = std::string("mkdtemp: ") + std::strerror(errno);
      return;
    }
    dir_ = dir;
    const std::string options = std::string("size=") + size;
    if (::mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      error_ = std::string("mount -t tmpfs: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~TmpfsMount() {
    if (mounted_ && ::umount(dir_.c_str()) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
    if (!dir_.empty()) ::rmdir(dir_.c_str());
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string error_;
  bool mounted_ = false;
};

// A real full file system: a 4 MiB sparse image on a 1 MiB tmpfs. The guest writes until
// the host runs out of space; it sees IOERR there and afterwards, every write it was told
// succeeded reads back, and the user gets one line.
TEST_F(ImageFault, FullFileSystemIsAnIoErrorForTheGuest) {
  TmpfsMount tmpfs("1m");
  if (!tmpfs.mounted()) {
    GTEST_SKIP() << "cannot mount a 1 MiB tmpfs here (" << tmpfs.error()
                 << "); the full-disk case is covered by FaultyDisk and the file size limit";
  }
  const std::string image = tmpfs.dir() + "/disk.img";
  constexpr uint64_t kImageBytes = 4 << 20;
  {
    const int fd = ::open(image.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ASSERT_EQ(::ftruncate(fd, kImageBytes), 0) << std::strerror(errno);
    ::close(fd);
  }
  attach(std::make_unique<VirtioBlk>(image, BlockFile::Mode::ReadWrite));
  init();
  constexpr uint32_t kChunk = 64 * 1024;
  auto chunk = [](uint64_t n) { return std::vector<uint8_t>(kChunk, static_cast<uint8_t>(n + 1)); };
  CaptureStderr();
  uint64_t written = 0;
  uint8_t status = S_OK;
  while (written * kChunk < kImageBytes) {
    EXPECT_TRUE(bus.dma_write(kData, chunk(written)));
    status = request(T_OUT, written * kChunk / 512, kChunk, false);
    if (status != S_OK) break;
    ++written;
  }
  EXPECT_EQ(status, S_IOERR);
  EXPECT_GT(written, 0u);
  EXPECT_LE(written * kChunk, 1u << 20);
  EXPECT_EQ(request(T_OUT, (written + 1) * kChunk / 512, kChunk, false), S_IOERR);  // still full
  EXPECT_EQ(request_no_data(T_FLUSH), S_OK);  // what was acknowledged is there
  for (uint64_t n = 0; n < written; ++n) {
    ASSERT_EQ(request(T_IN, n * kChunk / 512, kChunk, true), S_OK);
    ASSERT_EQ(ram(kData, kChunk), chunk(n)) << "chunk " << n;
  }
  EXPECT_EQ(GetCapturedStderr(),
            warning(image, "write failed: No space left on device; the guest sees I/O errors"));
  EXPECT_EQ(reg(0x070) & NEEDS_RESET, 0u);
  // Close the image before the tmpfs goes (after a failed ASSERT the unmount is lazy).
  mmio.reset();
  blk.reset();
}

// The process's address space now (VmSize), or 0.
uint64_t address_space_bytes() {
  unsigned long long pages = 0;
  FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  if (std::fscanf(statm, "%llu", &pages) != 1) pages = 0;
  std::fclose(statm);
  return pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

// The snapshot overlay lives in host memory: a guest that writes more than the host can
// hold gets IOERR for what does not fit, and tiervm goes on. Run in a child process whose
// address space is limited to what it uses now plus 32 MiB.
TEST(SnapshotOverlay, OutOfHostMemoryIsAnIoError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  char path[] = "/tmp/tiervm_devices_XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 1 << 30), 0);  // sparse
  ::close(fd);
  if (address_space_bytes() > (uint64_t{1} << 40)) {
    GTEST_SKIP() << "the address space is over 1 TiB (a sanitizer's shadow memory): RLIMIT_AS "
                    "cannot stand for a host out of memory here";
  }
  auto write_until_full = [&] {
    BlockFile disk(path, BlockFile::Mode::Snapshot);
    std::vector<uint8_t> data(64 * 1024, 0x5a);
    std::vector<uint8_t> back(512);
    rlimit limit{};
    limit.rlim_cur = limit.rlim_max = address_space_bytes() + (32 << 20);
    if (limit.rlim_cur == 32 << 20 || ::setrlimit(RLIMIT_AS, &limit) != 0) std::_Exit(2);
    uint64_t offset = 0;
    int err = 0;
    while (offset < disk.sectors() * 512 && (err = disk.write(offset, data)) == 0) {
      offset += data.size();
    }
    const int again = disk.write(0, data);  // a sector already in the overlay: no memory
    const bool read_back =
        disk.read(offset - 512, back) == 0 && back == std::vector<uint8_t>(512, 0x5a);
    std::fprintf(stderr, "wrote %llu MiB\n", static_cast<unsigned long long>(offset >> 20));
    std::_Exit(err == ENOMEM && offset >= (8 << 20) && again == 0 && read_back ? 0 : 1);
  };
  EXPECT_EXIT(write_until_full(), ::testing::ExitedWithCode(0),
              "^tiervm: warning: disk image '.*': snapshot overlay: out of host memory; the "
              "guest sees I/O errors\nwrote [0-9]+ MiB\n$");
  std::remove(path);
}

}  // namespace
}  // namespace tiervm
