#include "devices/user_net.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace tiervm {
namespace {

// Frames slirp sends to the guest, collected from its thread.
struct Received {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::vector<uint8_t>> frames;

  UserNet::Sink sink() {
    return [this](std::span<const uint8_t> f) {
      std::lock_guard<std::mutex> lock(mutex);
      frames.emplace_back(f.begin(), f.end());
      cv.notify_all();
    };
  }
  bool wait_for(size_t n) {
    std::unique_lock<std::mutex> lock(mutex);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return frames.size() >= n; });
  }
};

TEST(UserNet, AnswersArpForTheGateway) {
  Received got;
  UserNet net({}, got.sink());
  // ARP request (RFC 826) from the guest 10.0.2.15 (52:54:00:12:34:56): who has 10.0.2.2?
  const std::vector<uint8_t> request = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,  // Ethernet
      0x08, 0x06,                                                              // ARP
      0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x01,                          // request
      0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10,   0,    2,    15,                // sender
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10,   0,    2,    2,                 // target
  };
  net.send(request);
  ASSERT_TRUE(got.wait_for(1));
  const std::vector<uint8_t>& reply = got.frames[0];
  ASSERT_GE(reply.size(), 42u);
  EXPECT_EQ(std::vector<uint8_t>(reply.begin(), reply.begin() + 6),
            (std::vector<uint8_t>{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}));  // to the guest
  EXPECT_EQ(reply[12], 0x08);
  EXPECT_EQ(reply[13], 0x06);  // ARP
  EXPECT_EQ(reply[21], 2);     // reply
  EXPECT_EQ(std::vector<uint8_t>(reply.begin() + 28, reply.begin() + 32),
            (std::vector<uint8_t>{10, 0, 2, 2}));  // sender: the gateway
}

TEST(UserNet, ForwardToABusyPortIsAnError) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  UserNetConfig config;
  config.forwards.push_back({false, INADDR_LOOPBACK, ntohs(addr.sin_port), 0x0a00020f, 22});
  Received got;
  EXPECT_THROW(UserNet(config, got.sink()), std::runtime_error);
  close(fd);
}

TEST(UserNet, ForwardListensOnTheHostPort) {
  // Find a free port, then let slirp listen on it: a host connection must be accepted.
  const int probe = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(probe);
  UserNetConfig config;
  config.forwards.push_back({false, INADDR_LOOPBACK, ntohs(addr.sin_port), 0x0a00020f, 22});
  Received got;
  UserNet net(config, got.sink());
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  close(fd);
}

}  // namespace
}  // namespace tiervm
