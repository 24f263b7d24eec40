#pragma once

#include <poll.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

struct Slirp;

namespace tiervm {

// A port forwarded from the host into the guest (QEMU's hostfwd=).
struct HostForward {
  bool udp = false;
  uint32_t host_addr = 0;  // IPv4, host byte order; 0 = every interface (QEMU)
  uint16_t host_port = 0;
  uint32_t guest_addr = 0x0a00020f;  // 10.0.2.15, the address slirp's DHCP hands out
  uint16_t guest_port = 0;
};

// QEMU's `-netdev user`: the network 10.0.2.0/24 with the host (gateway) at 10.0.2.2, DNS
// at 10.0.2.3, DHCP from 10.0.2.15, IPv4 only.
struct UserNetConfig {
  std::vector<HostForward> forwards;
};

// User-mode networking through libslirp: the guest's Ethernet frames become the host's
// socket traffic and back, without privileges. libslirp is not thread-safe, so it lives
// on its own thread, which polls its sockets; the hart's thread only queues frames
// (send()) and takes received ones from the sink, so network I/O never blocks the hart.
class UserNet {
 public:
  using Sink = std::function<void(std::span<const uint8_t> frame)>;

  // Starts the network. Throws std::runtime_error with one line when a forwarded port
  // cannot be bound or slirp cannot start. `to_guest` is called on the network thread.
  UserNet(const UserNetConfig& config, Sink to_guest);
  ~UserNet();
  UserNet(const UserNet&) = delete;
  UserNet& operator=(const UserNet&) = delete;

  // Any thread: a frame from the guest.
  void send(std::span<const uint8_t> frame);

 private:
  struct Timer;
  void run();
  void wake();
  int64_t now_ms() const;

  static int add_poll(int fd, int events, void* opaque);
  static int get_revents(int idx, void* opaque);

  Sink to_guest_;
  Slirp* slirp_ = nullptr;
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex tx_mutex_;
  std::deque<std::vector<uint8_t>> tx_;
  std::vector<pollfd> pollfds_;
  std::vector<std::unique_ptr<Timer>> timers_;  // network thread (and constructor) only
  std::thread thread_;

  friend struct UserNetCallbacks;
};

}  // namespace tiervm
