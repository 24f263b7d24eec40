// syscall_bench: a syscall-heavy user program for the Linux guest (init: autotest=syscall).
//
//   syscall_bench [ROUNDS [DIR]]   (defaults: 6000 rounds, DIR /tmp)
//
// Each round makes a fixed mix of system calls: getpid/getppid, clock_gettime, a write to a
// pipe and the read back, a file in DIR created, written, closed, reopened, read, fstat'ed
// and closed, dup/close and sched_yield; every 200th round also forks a child that writes
// to the pipe and exits with a status the parent waits for. Everything the kernel hands
// back that is deterministic (byte counts, the data read back, file sizes, exit statuses)
// goes into a 64-bit FNV-1a checksum; nothing that depends on the time, process ids, file
// descriptor numbers or the file system's layout does. So the same program compiled for
// any POSIX host prints the same line, which is how the test harnesses check the guest:
//
//   SYSCALL-BENCH checksum=0x<16 hex digits> rounds=<N> syscalls=<count>
//
// A second line "SYSCALL-BENCH elapsed_us=<N>" gives the time of the loop on the
// program's own monotonic clock (not part of the checked output). Exit status 0, or 1
// with a message on stderr when a system call fails or returns something unexpected.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kDefaultRounds = 6000, kForkEvery = 200, kFiles = 4, kMaxLen = 1024 };

static uint64_t checksum = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
static unsigned long long syscalls;

static void mix(uint64_t v) {
  for (int i = 0; i < 8; i++) {
    checksum ^= (v >> (8 * i)) & 0xff;
    checksum *= 0x100000001b3ull;  // FNV-1a 64 prime
  }
}

static void mix_bytes(const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    checksum ^= p[i];
    checksum *= 0x100000001b3ull;
  }
}

// A failed system call (with errno's text) ...
static void die(const char* what, unsigned round) {
  fprintf(stderr, "syscall_bench: round %u: %s: %s\n", round, what, strerror(errno));
  exit(1);
}

// ... or a result other than the one POSIX promises.
static void wrong(const char* what, unsigned round) {
  fprintf(stderr, "syscall_bench: round %u: %s\n", round, what);
  exit(1);
}

// The bytes a round writes: a function of the round and the position only.
static void fill(unsigned char* buf, size_t len, unsigned round, unsigned salt) {
  for (size_t j = 0; j < len; j++) buf[j] = (unsigned char)(round * 31u + j * 7u + (j >> 8) + salt);
}

static void write_all(int fd, const unsigned char* buf, size_t len, unsigned round) {
  ssize_t n = write(fd, buf, len);
  syscalls++;
  if (n != (ssize_t)len) wrong("short write", round);
}

static void read_all(int fd, unsigned char* buf, size_t len, unsigned round) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = read(fd, buf + done, len - done);
    syscalls++;
    if (n <= 0) wrong("short read", round);
    done += (size_t)n;
  }
}

static void fork_round(int pipe_w, int pipe_r, unsigned round) {
  pid_t pid = fork();
  syscalls++;
  if (pid < 0) die("fork", round);
  if (pid == 0) {
    uint64_t v = (uint64_t)round * 0x9e3779b97f4a7c15ull;
    _exit(write(pipe_w, &v, sizeof v) == sizeof v ? (int)(round % 97) : 127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) die("waitpid", round);
  syscalls++;
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) wrong("child failed", round);
  uint64_t v = 0;
  read_all(pipe_r, (unsigned char*)&v, sizeof v, round);
  if (v != (uint64_t)round * 0x9e3779b97f4a7c15ull) wrong("child wrote the wrong value", round);
  mix((uint64_t)WEXITSTATUS(status));
  mix(v);
}

int main(int argc, char** argv) {
  unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : kDefaultRounds;
  const char* dir = argc > 2 ? argv[2] : "/tmp";
  char paths[kFiles][512];
  for (int f = 0; f < kFiles; f++) {
    snprintf(paths[f], sizeof paths[f], "%s/syscall-bench-%d", dir, f);
  }
  unsigned char out[kMaxLen], in[kMaxLen];
  int pfd[2];
  if (pipe(pfd) != 0) die("pipe", 0);
  syscalls++;

  struct timespec start, last, now;
  if (clock_gettime(CLOCK_MONOTONIC, &start) != 0) die("clock_gettime", 0);
  syscalls++;
  last = start;

  for (unsigned i = 0; i < rounds; i++) {
    // Process ids differ between hosts: only their validity counts.
    pid_t pid = getpid(), ppid = getppid();
    syscalls += 2;
    if (pid <= 0 || ppid < 0) wrong("getpid returned no process id", i);
    mix(1);

    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) die("clock_gettime", i);
    syscalls++;
    if (now.tv_sec < last.tv_sec || (now.tv_sec == last.tv_sec && now.tv_nsec < last.tv_nsec)) {
      wrong("CLOCK_MONOTONIC went backwards", i);
    }
    last = now;

    // Pipe round trip.
    size_t len = 64 + (i * 97u) % (kMaxLen - 63);
    fill(out, len, i, 0);
    write_all(pfd[1], out, len, i);
    read_all(pfd[0], in, len, i);
    if (memcmp(in, out, len) != 0) wrong("pipe returned other bytes", i);
    mix(len);
    mix_bytes(in, len);

    // A file: create and write, reopen and read back, size from fstat.
    const char* path = paths[i % kFiles];
    size_t flen = 1 + (i * 389u) % kMaxLen;
    fill(out, flen, i, 0x5a);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    syscalls++;
    if (fd < 0) die("open for writing", i);
    write_all(fd, out, flen, i);
    if (close(fd) != 0) die("close", i);
    syscalls++;
    fd = open(path, O_RDONLY);
    syscalls++;
    if (fd < 0) die("open for reading", i);
    read_all(fd, in, flen, i);
    struct stat st;
    if (fstat(fd, &st) != 0) die("fstat", i);
    syscalls++;
    if (memcmp(in, out, flen) != 0) wrong("file read back other bytes", i);
    mix((uint64_t)st.st_size);
    mix_bytes(in, flen);
    int fd2 = dup(fd);
    syscalls++;
    if (fd2 < 0) die("dup", i);
    if (lseek(fd2, 0, SEEK_CUR) != (off_t)flen) wrong("lseek on the dup", i);
    syscalls++;
    if (close(fd2) != 0 || close(fd) != 0) die("close", i);
    syscalls += 2;

    if (sched_yield() != 0) die("sched_yield", i);
    syscalls++;

    if (i % kForkEvery == kForkEvery - 1) fork_round(pfd[1], pfd[0], i);
  }

  for (int f = 0; f < kFiles && (unsigned)f < rounds; f++) {
    if (unlink(paths[f]) != 0) die("unlink", rounds);
    syscalls++;
  }
  if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) die("clock_gettime", rounds);
  syscalls++;
  long long us = (now.tv_sec - start.tv_sec) * 1000000ll + (now.tv_nsec - start.tv_nsec) / 1000;
  printf("SYSCALL-BENCH checksum=0x%016llx rounds=%u syscalls=%llu\n", (unsigned long long)checksum,
         rounds, syscalls);
  printf("SYSCALL-BENCH elapsed_us=%lld\n", us);
  return fflush(stdout) == 0 ? 0 : 1;
}
