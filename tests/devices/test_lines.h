#pragma once

#include <unistd.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "devices/irq_line.h"

namespace tiervm::testing {

// An interrupt wire that remembers its level and every change driven on it.
class RecordingLine final : public IrqLine {
 public:
  void set_level(bool high) override {
    level = high;
    history.push_back(high);
  }
  bool level = false;
  std::vector<bool> history;
};

// A temporary file removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::vector<uint8_t>& contents) {
    char name[] = "/tmp/tiervm_devices_XXXXXX";
    int fd = mkstemp(name);
    if (fd < 0) std::abort();
    path_ = name;
    size_t done = 0;
    while (done < contents.size()) {
      ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
      if (n <= 0) std::abort();
      done += static_cast<size_t>(n);
    }
    ::close(fd);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

  std::vector<uint8_t> read_all() const {
    std::vector<uint8_t> out;
    FILE* f = std::fopen(path_.c_str(), "rb");
    if (f == nullptr) return out;
    int c;
    while ((c = std::fgetc(f)) != EOF) out.push_back(static_cast<uint8_t>(c));
    std::fclose(f);
    return out;
  }

 private:
  std::string path_;
};

}  // namespace tiervm::testing
