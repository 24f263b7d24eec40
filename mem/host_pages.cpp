#include "mem/host_pages.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace tiervm {

std::vector<uint8_t> host_pages_in_use(const uint8_t* base, size_t bytes) {
  constexpr size_t kPage = 4096;
  constexpr uint64_t kPresent = uint64_t{1} << 63, kSwapped = uint64_t{1} << 62;
  const auto addr = reinterpret_cast<uintptr_t>(base);
  if (::sysconf(_SC_PAGESIZE) != static_cast<long>(kPage) || addr % kPage != 0) return {};
  const int fd = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  const size_t pages = (bytes + kPage - 1) / kPage;
  std::vector<uint8_t> in_use(pages, 0);
  std::vector<uint64_t> entries(4096);
  for (size_t first = 0; first < pages;) {
    const size_t want = std::min(entries.size(), pages - first);
    const ssize_t n = ::pread(fd, entries.data(), want * sizeof(uint64_t),
                              static_cast<off_t>((addr / kPage + first) * sizeof(uint64_t)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || n % sizeof(uint64_t) != 0) {
      ::close(fd);
      return {};
    }
    const size_t got = static_cast<size_t>(n) / sizeof(uint64_t);
    for (size_t i = 0; i < got; ++i) {
      in_use[first + i] = (entries[i] & (kPresent | kSwapped)) != 0 ? 1 : 0;
    }
    first += got;
  }
  ::close(fd);
  return in_use;
}

}  // namespace tiervm
