#include "app/gdb_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/gdb/machine_gdb_target.h"
#include "engine/gdb/rsp.h"
#include "engine/machine.h"

namespace tiervm {

bool parse_gdb_spec(const std::string& spec, std::string& host, int& port, std::string& error) {
  std::string rest = spec;
  host.clear();
  if (rest.rfind("tcp:", 0) == 0) {
    rest = rest.substr(4);
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) {
      error = "--gdb: expected tcp::PORT or tcp:HOST:PORT, got '" + spec + "'";
      return false;
    }
    host = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  }
  const std::string bad = "--gdb: bad port in '" + spec + "' (expected tcp::PORT, PORT 1-65535)";
  if (rest.empty()) {
    error = bad;
    return false;
  }
  char* end = nullptr;
  const long p = std::strtol(rest.c_str(), &end, 10);
  if (*end != '\0' || p < 1 || p > 65535) {
    error = bad;
    return false;
  }
  port = static_cast<int>(p);
  return true;
}

GdbServer::GdbServer(Machine& machine) : machine_(machine) {
  if (pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) wake_pipe_[0] = wake_pipe_[1] = -1;
  target_ = std::make_unique<MachineGdbTarget>(machine, [this] { wake(); });
}

GdbServer::~GdbServer() {
  quit_.store(true);
  wake();
  if (thread_.joinable()) thread_.join();
  target_.reset();
  if (listen_fd_ >= 0) close(listen_fd_);
  for (int fd : wake_pipe_) {
    if (fd >= 0) close(fd);
  }
}

bool GdbServer::listen(const std::string& host, int port, std::string& error) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const std::string ip = host.empty() || host == "localhost" ? "127.0.0.1" : host;
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    error = "--gdb: bad host '" + host + "' (an IPv4 address)";
    return false;
  }
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 1) != 0) {
    error =
        "--gdb: cannot listen on " + ip + ":" + std::to_string(port) + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

void GdbServer::start() {
  thread_ = std::thread([this] { serve(); });
}

void GdbServer::wake() {
  const char c = 1;
  if (wake_pipe_[1] >= 0) (void)!write(wake_pipe_[1], &c, 1);
}

void GdbServer::machine_ended(int exit_code) {
  target_->machine_ended();
  exit_code_.store(exit_code);
  quit_.store(true);
  wake();
  if (thread_.joinable()) thread_.join();
}

void GdbServer::send_packet(int fd, const std::string& payload) {
  last_sent_ = rsp_frame(payload);
  size_t done = 0;
  while (done < last_sent_.size()) {
    const ssize_t n = send(fd, last_sent_.data() + done, last_sent_.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

void GdbServer::serve() {
  while (!quit_.load()) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, 200) <= 0) continue;
    if (fds[1].revents & POLLIN) {
      char buf[64];
      while (read(wake_pipe_[0], buf, sizeof buf) > 0) {
      }
    }
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const bool machine_gone = !serve_client(fd);
    close(fd);
    if (machine_gone) return;
  }
}

// False when the machine ended (the server is done).
bool GdbServer::serve_client(int fd) {
  if (!target_->attach()) return false;
  GdbSession session(*target_, target_->registers());
  RspReader reader;
  bool running = false;
  while (true) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    poll(fds, 2, 200);
    if (fds[1].revents & POLLIN) {
      char buf[64];
      while (read(wake_pipe_[0], buf, sizeof buf) > 0) {
      }
    }
    if (const int code = exit_code_.load(); code >= 0) {
      if (running || !session.finished()) {
        GdbStop stop;
        stop.kind = GdbStop::Kind::Exited;
        stop.exit_code = code;
        send_packet(fd, gdb_stop_reply(stop));
      }
      return false;
    }
    if (quit_.load()) return false;
    if (running && machine_.paused() && (fds[1].revents & POLLIN)) {
      running = false;
      send_packet(fd, gdb_stop_reply(target_->last_stop()));
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    uint8_t buf[4096];
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      // gdb went away without detaching: the guest runs on, as with QEMU.
      target_->detach();
      return true;
    }
    for (ssize_t i = 0; i < n; ++i) {
      RspInput in = reader.feed(buf[i]);
      switch (in.kind) {
        case RspInput::Kind::Interrupt:
          if (running) target_->interrupt();
          break;
        case RspInput::Kind::Nack:
          (void)!send(fd, last_sent_.data(), last_sent_.size(), MSG_NOSIGNAL);
          break;
        case RspInput::Kind::BadPacket:
          if (!session.no_ack()) (void)!send(fd, "-", 1, MSG_NOSIGNAL);
          break;
        case RspInput::Kind::Packet: {
          if (!session.no_ack()) (void)!send(fd, "+", 1, MSG_NOSIGNAL);
          std::optional<std::string> reply = session.handle(in.payload);
          if (reply) {
            send_packet(fd, *reply);
          } else {
            running = true;
          }
          if (session.finished()) {
            // k: the machine is ending; D: it runs on without us.
            return true;
          }
          break;
        }
        default:
          break;
      }
    }
  }
}

}  // namespace tiervm
