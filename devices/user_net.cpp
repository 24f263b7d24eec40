#include "devices/user_net.h"

#include <arpa/inet.h>
#include <slirp/libslirp.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace tiervm {

struct UserNet::Timer {
  SlirpTimerCb cb = nullptr;  // a timer_new timer...
  SlirpTimerId id{};          // ...or a timer_new_opaque one
  void* cb_opaque = nullptr;
  int64_t expire_ms = -1;  // -1: not armed
};

namespace {

constexpr size_t kMaxQueuedFrames = 1024;

in_addr ipv4(uint32_t host_order) {
  in_addr a{};
  a.s_addr = htonl(host_order);
  return a;
}

}  // namespace

// The C callbacks libslirp calls, all on the network thread (or in the constructor).
struct UserNetCallbacks {
  static ssize_t send_packet(const void* buf, size_t len, void* opaque) {
    auto* net = static_cast<UserNet*>(opaque);
    net->to_guest_(std::span(static_cast<const uint8_t*>(buf), len));
    return static_cast<ssize_t>(len);
  }
  static void guest_error(const char* msg, void* /*opaque*/) {
    std::fprintf(stderr, "tiervm: user network: guest error: %s\n", msg);
  }
  static int64_t clock_get_ns(void* /*opaque*/) {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
  }
  static void* timer_new(SlirpTimerCb cb, void* cb_opaque, void* opaque) {
    auto* net = static_cast<UserNet*>(opaque);
    auto timer = std::make_unique<UserNet::Timer>();
    timer->cb = cb;
    timer->cb_opaque = cb_opaque;
    net->timers_.push_back(std::move(timer));
    return net->timers_.back().get();
  }
  static void* timer_new_opaque(SlirpTimerId id, void* cb_opaque, void* opaque) {
    auto* net = static_cast<UserNet*>(opaque);
    auto timer = std::make_unique<UserNet::Timer>();
    timer->id = id;
    timer->cb_opaque = cb_opaque;
    net->timers_.push_back(std::move(timer));
    return net->timers_.back().get();
  }
  static void timer_free(void* timer, void* opaque) {
    auto* net = static_cast<UserNet*>(opaque);
    std::erase_if(net->timers_, [timer](const auto& t) { return t.get() == timer; });
  }
  static void timer_mod(void* timer, int64_t expire_time, void* /*opaque*/) {
    static_cast<UserNet::Timer*>(timer)->expire_ms = expire_time;
  }
  static void register_poll_fd(int /*fd*/, void* /*opaque*/) {}
  static void unregister_poll_fd(int /*fd*/, void* /*opaque*/) {}
  static void notify(void* opaque) { static_cast<UserNet*>(opaque)->wake(); }
};

namespace {

const SlirpCb kCallbacks = {
    .send_packet = UserNetCallbacks::send_packet,
    .guest_error = UserNetCallbacks::guest_error,
    .clock_get_ns = UserNetCallbacks::clock_get_ns,
    .timer_new = UserNetCallbacks::timer_new,
    .timer_free = UserNetCallbacks::timer_free,
    .timer_mod = UserNetCallbacks::timer_mod,
    .register_poll_fd = UserNetCallbacks::register_poll_fd,
    .unregister_poll_fd = UserNetCallbacks::unregister_poll_fd,
    .notify = UserNetCallbacks::notify,
    .init_completed = nullptr,
    .timer_new_opaque = UserNetCallbacks::timer_new_opaque,
};

std::string dotted(uint32_t host_order) {
  char text[INET_ADDRSTRLEN] = {};
  const in_addr a = ipv4(host_order);
  inet_ntop(AF_INET, &a, text, sizeof text);
  return text;
}

}  // namespace

UserNet::UserNet(const UserNetConfig& config, Sink to_guest) : to_guest_(std::move(to_guest)) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    throw std::runtime_error(std::string("user network: eventfd: ") + std::strerror(errno));
  }
  SlirpConfig cfg{};
  cfg.version = 4;
  cfg.in_enabled = true;
  cfg.vnetwork = ipv4(0x0a000200);     // 10.0.2.0
  cfg.vnetmask = ipv4(0xffffff00);     // /24
  cfg.vhost = ipv4(0x0a000202);        // 10.0.2.2: the host, the gateway
  cfg.vdhcp_start = ipv4(0x0a00020f);  // 10.0.2.15
  cfg.vnameserver = ipv4(0x0a000203);  // 10.0.2.3
  cfg.in6_enabled = false;
  slirp_ = slirp_new(&cfg, &kCallbacks, this);
  if (slirp_ == nullptr) {
    close(wake_fd_);
    throw std::runtime_error("user network: libslirp could not start");
  }
  for (const HostForward& f : config.forwards) {
    if (slirp_add_hostfwd(slirp_, f.udp ? 1 : 0, ipv4(f.host_addr), f.host_port, ipv4(f.guest_addr),
                          f.guest_port) < 0) {
      const std::string what = std::string(f.udp ? "udp" : "tcp") + ":" + dotted(f.host_addr) +
                               ":" + std::to_string(f.host_port);
      slirp_cleanup(slirp_);
      close(wake_fd_);
      throw std::runtime_error("--netdev: hostfwd: cannot listen on " + what +
                               " (port in use or not allowed)");
    }
  }
  thread_ = std::thread([this] { run(); });
}

UserNet::~UserNet() {
  stop_.store(true, std::memory_order_relaxed);
  wake();
  if (thread_.joinable()) thread_.join();
  slirp_cleanup(slirp_);
  close(wake_fd_);
}

void UserNet::wake() {
  const uint64_t one = 1;
  // A full counter still wakes the poll; nothing to do on failure.
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

void UserNet::send(std::span<const uint8_t> frame) {
  {
    std::lock_guard<std::mutex> lock(tx_mutex_);
    if (tx_.size() >= kMaxQueuedFrames) return;  // dropped, as a busy link would
    tx_.emplace_back(frame.begin(), frame.end());
  }
  wake();
}

int64_t UserNet::now_ms() const {
  return UserNetCallbacks::clock_get_ns(nullptr) / 1'000'000;
}

int UserNet::add_poll(int fd, int events, void* opaque) {
  auto* net = static_cast<UserNet*>(opaque);
  short e = 0;
  if (events & SLIRP_POLL_IN) e |= POLLIN;
  if (events & SLIRP_POLL_OUT) e |= POLLOUT;
  if (events & SLIRP_POLL_PRI) e |= POLLPRI;
  net->pollfds_.push_back({fd, e, 0});
  return static_cast<int>(net->pollfds_.size() - 1);
}

int UserNet::get_revents(int idx, void* opaque) {
  auto* net = static_cast<UserNet*>(opaque);
  const short r = net->pollfds_.at(static_cast<size_t>(idx)).revents;
  int events = 0;
  if (r & POLLIN) events |= SLIRP_POLL_IN;
  if (r & POLLOUT) events |= SLIRP_POLL_OUT;
  if (r & POLLPRI) events |= SLIRP_POLL_PRI;
  if (r & POLLERR) events |= SLIRP_POLL_ERR;
  if (r & POLLHUP) events |= SLIRP_POLL_HUP;
  return events;
}

void UserNet::run() {
  std::deque<std::vector<uint8_t>> frames;
  while (!stop_.load(std::memory_order_relaxed)) {
    {
      std::lock_guard<std::mutex> lock(tx_mutex_);
      frames.swap(tx_);
    }
    for (const auto& f : frames) slirp_input(slirp_, f.data(), static_cast<int>(f.size()));
    frames.clear();

    // The earliest armed timer bounds the sleep (at most 1 s, so stop_ is seen).
    const int64_t now = now_ms();
    uint32_t timeout = 1000;
    for (const auto& t : timers_) {
      if (t->expire_ms >= 0) {
        timeout = static_cast<uint32_t>(std::clamp<int64_t>(t->expire_ms - now, 0, timeout));
      }
    }
    pollfds_.clear();
    pollfds_.push_back({wake_fd_, POLLIN, 0});
    slirp_pollfds_fill(slirp_, &timeout, add_poll, this);
    const int ready = poll(pollfds_.data(), pollfds_.size(), static_cast<int>(timeout));
    if (ready > 0 && (pollfds_[0].revents & POLLIN) != 0) {
      uint64_t count = 0;
      [[maybe_unused]] ssize_t n = read(wake_fd_, &count, sizeof count);
    }
    slirp_pollfds_poll(slirp_, ready < 0 ? 1 : 0, get_revents, this);

    // Fire the timers that are due; a callback may add, change or free timers.
    const int64_t after = now_ms();
    for (size_t i = 0; i < timers_.size(); ++i) {
      Timer* t = timers_[i].get();
      if (t->expire_ms < 0 || t->expire_ms > after) continue;
      t->expire_ms = -1;
      if (t->cb != nullptr) {
        t->cb(t->cb_opaque);
      } else {
        slirp_handle_timer(slirp_, t->id, t->cb_opaque);
      }
    }
  }
}

}  // namespace tiervm
