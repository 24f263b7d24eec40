#!/usr/bin/env python3
"""Machine snapshots of the Linux guest on tiervm (--save-snapshot, Ctrl-A S, --load-snapshot):

  roms/linux/snapshot_check.py --tiervm PATH/TO/tiervm [--image IMAGE]

1. Boots the guest to its shell with an ext2 disk attached snapshot=on (guest writes go to
   tiervm's in-memory overlay) and --save-snapshot FILE. Its console input is a pseudo
   terminal, as a user's would be, so Ctrl-A is the escape key. The shell mounts the disk,
   writes a file to /tmp (tmpfs, in guest RAM) and one to the disk (the overlay), and
   prints the guest's uptime; then Ctrl-A S saves the machine and the process is killed
   with SIGKILL.
2. A new tiervm with the same options and --load-snapshot FILE: the shell that was saved
   takes the next command typed, sees both files with their contents (the disk mounted
   again, so its file is read from the restored overlay), reads an uptime not
   below the saved one (the guest's clock goes on; it does not restart), and powers off
   (status 0). The disk image itself was never written.
3. Refusals, each one line on stderr and status 125 before anything runs: the snapshot with
   one byte flipped, cut short, with another magic, loaded with another --memory, and a
   missing file.
4. The console on the virtio console (console=hvc0) and user-mode networking (--netdev
   user): the guest fetches a file from an HTTP server on the host's loopback before the
   save and again after the load (a new connection: slirp's connections are not in the
   snapshot, the guest's network configuration is).
Prints one line per check, the snapshot's size and the save and load times, and exits
non-zero if a check failed.
"""
import argparse
import functools
import hashlib
import http.server
import os
import pty
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

from check_results import Results

HERE = os.path.dirname(os.path.abspath(__file__))
LIMIT = float(os.environ.get("TIERVM_CHECK_TIMEOUT", "120"))
PROMPT = "tiervm:/# "
result = Results("linux snapshot")


class Guest:
    """tiervm headless, console input on a pseudo terminal, output (stdout and stderr) read
    through a pipe."""

    def __init__(self, cmd):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        os.close(slave)
        self.log = ""
        os.set_blocking(self.proc.stdout.fileno(), False)

    def read(self):
        try:
            chunk = os.read(self.proc.stdout.fileno(), 65536)
        except BlockingIOError:
            return False
        if chunk:
            self.log += chunk.decode(errors="replace").replace("\r", "")
        return bool(chunk)

    def wait_for(self, pattern, start=0, timeout=LIMIT):
        """Waits until `pattern` (a regex) is in the output after `start`; its match or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.log[start:], re.M)
            if m:
                return m
            if not self.read():
                if self.proc.poll() is not None:
                    self.read()
                    return re.search(pattern, self.log[start:], re.M)
                time.sleep(0.02)
        return None

    def type(self, text):
        os.write(self.master, text.encode())

    def finish(self, timeout=LIMIT):
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            status = self.proc.wait()
        while self.read():
            pass
        os.close(self.master)
        return status


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def refused(args, base, snapshot, want, extra=()):
    """Runs tiervm on `snapshot`; (ok, output): status 125 and exactly one line, matching
    `want`, on stderr."""
    proc = subprocess.run([*base, "--load-snapshot", snapshot, *extra], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    err = proc.stderr.decode(errors="replace")
    ok = (proc.returncode == 125 and len(err.splitlines()) == 1 and re.search(want, err)
          and not proc.stdout)
    return bool(ok), f"status {proc.returncode}, stderr: {err!r}, stdout: {proc.stdout[:200]!r}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def check_hvc_and_net(args, work):
    payload = hashlib.sha256(os.urandom(16)).hexdigest()
    with open(os.path.join(work, "payload.txt"), "w") as f:
        f.write(f"payload-{payload}\n")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=work))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://10.0.2.2:{server.server_address[1]}/payload.txt"
    snap = os.path.join(work, "net.snapshot")
    base = [args.tiervm, "--headless", "--kernel", args.image, "--append", "console=hvc0",
            "--netdev", "user", "--timeout", str(LIMIT)]
    try:
        g = Guest([*base, "--save-snapshot", snap])
        ok = g.wait_for(re.escape(PROMPT)) is not None
        mark = len(g.log)
        # A static address in slirp's network (what its DHCP gives), as udhcpc would set.
        g.type("ifconfig lo 127.0.0.1 up && ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up "
               f"&& route add default gw 10.0.2.2 && wget -q -O - {url}; echo NET-$((1+2))\n")
        fetched = g.wait_for(r"^NET-3$", mark)
        ok = ok and fetched is not None and f"payload-{payload}" in g.log[mark:]
        result("console=hvc0 and --netdev user: the guest fetches a file before the save", ok,
               g.log)
        if ok:
            g.wait_for(re.escape(PROMPT), mark + fetched.end())
            mark = len(g.log)
            g.type("\x01s")
            ok = g.wait_for(r"^tiervm: snapshot saved to ", mark, timeout=60) is not None
        g.proc.send_signal(signal.SIGKILL)
        g.finish()
        if not ok:
            return
        g = Guest([*base, "--load-snapshot", snap])
        mark = len(g.log)
        g.type(f"wget -q -O - {url}; echo NET-AGAIN-$((2+3))\n")
        fetched = g.wait_for(r"^NET-AGAIN-5$", mark)
        result("...and after the load, through the restored hvc0 and virtio-net",
               fetched is not None and f"payload-{payload}" in g.log[mark:], g.log)
        g.type("poweroff -f\n")
        status = g.finish()
        result(f"...then powers off (status {status})", status == 0, g.log)
    finally:
        server.shutdown()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiervm", required=True)
    parser.add_argument("--image")
    args = parser.parse_args()
    if not args.image:
        args.image = subprocess.run(["bash", os.path.join(HERE, "build.sh")], check=True,
                                    stdout=subprocess.PIPE, text=True).stdout.split()[-1]

    with tempfile.TemporaryDirectory() as work:
        disk = os.path.join(work, "disk.img")
        subprocess.run(["bash", os.path.join(HERE, "mkdisk.sh"), disk, "16"], check=True,
                       stdout=subprocess.DEVNULL)
        disk_before = digest(disk)
        snap = os.path.join(work, "guest.snapshot")
        base = [args.tiervm, "--headless", "--kernel", args.image, "--append", "console=ttyS0",
                "--drive", f"file={disk},snapshot=on"]

        # 1. Boot, write files, save with Ctrl-A S, kill.
        g = Guest([*base, "--save-snapshot", snap, "--timeout", str(LIMIT)])
        booted = g.wait_for(re.escape(PROMPT))
        result("the guest boots to its shell", booted is not None, g.log)
        if not booted:
            g.proc.kill()
            g.finish()
            return summary()
        token = hashlib.sha256(os.urandom(8)).hexdigest()[:12]
        mark = len(g.log)
        # The numbers are computed by the guest's shell, so the echoed command line does
        # not match what the checks look for.
        g.type(f"mount -t ext2 /dev/vda /mnt && echo tmpfs-{token} >/tmp/before && "
               f"echo disk-{token} >/mnt/before && sync && "
               f"echo SAVED-UPTIME $(cut -d ' ' -f 1 /proc/uptime) READY-$((20+22))\n")
        ready = g.wait_for(r"^SAVED-UPTIME ([0-9.]+) READY-42$", mark)
        result("the shell writes a file to tmpfs and one to the disk", ready is not None, g.log)
        if not ready:
            g.proc.kill()
            g.finish()
            return summary()
        saved_uptime = float(ready.group(1))
        g.wait_for(re.escape(PROMPT), mark + ready.end())
        mark = len(g.log)
        g.type("\x01s")  # Ctrl-A S
        saved = g.wait_for(r"^tiervm: snapshot saved to .* \(([0-9.]+) MiB in ([0-9.]+) s\)$",
                           mark, timeout=60)
        size_line = saved.group(0) if saved else ""
        result("Ctrl-A S saves the snapshot", saved is not None and os.path.isfile(snap), g.log)
        g.proc.send_signal(signal.SIGKILL)
        status = g.finish()
        result(f"the first process is killed (status {status})", status == -signal.SIGKILL)
        if not saved:
            return summary()
        result("no temporary file is left beside the snapshot",
               sorted(os.listdir(work)) == ["disk.img", "guest.snapshot"], str(os.listdir(work)))

        # 2. Restore in a new process and use the saved shell.
        g = Guest([*base, "--load-snapshot", snap, "--timeout", str(LIMIT)])
        loaded = g.wait_for(r"^tiervm: snapshot loaded from .* \(([0-9.]+) MiB in ([0-9.]+) s\)$",
                            timeout=60)
        load_line = loaded.group(0) if loaded else ""
        result("--load-snapshot restores the machine", loaded is not None, g.log)
        mark = len(g.log)
        # The disk is mounted again so that its file is read from the device (the overlay),
        # not from the page cache in the restored RAM.
        g.type(f"cat /tmp/before; umount /mnt && mount -t ext2 /dev/vda /mnt && cat /mnt/before; "
               f"echo RESTORED-UPTIME $(cut -d ' ' -f 1 /proc/uptime) DONE-$((3*5))\n")
        done = g.wait_for(r"^RESTORED-UPTIME ([0-9.]+) DONE-15$", mark)
        after = g.log[mark:]
        result("the restored shell sees the file written to tmpfs before the save",
               done is not None and re.search(f"^tmpfs-{token}$", after, re.M) is not None, g.log)
        result("...and the file written to the disk (snapshot=on overlay)",
               done is not None and re.search(f"^disk-{token}$", after, re.M) is not None, g.log)
        restored_uptime = float(done.group(1)) if done else -1
        result(f"the guest's clock goes on from the save (uptime {saved_uptime} s at the save, "
               f"{restored_uptime} s after the load)",
               saved_uptime <= restored_uptime < saved_uptime + 30, g.log)
        booted_again = "Linux version" in g.log
        result("the restored guest did not boot again", done is not None and not booted_again,
               g.log)
        mark = len(g.log)
        g.type("poweroff -f\n")
        status = g.finish()
        result(f"the restored guest powers off (status {status})", status == 0, g.log[mark:])
        result("the disk image was never written (snapshot=on)", digest(disk) == disk_before)

        # 3. Refusals.
        with open(snap, "rb") as f:
            good = f.read()

        def variant(name, data):
            path = os.path.join(work, name)
            with open(path, "wb") as f:
                f.write(data)
            return path

        flipped = bytearray(good)
        flipped[len(good) // 2] ^= 0x40
        ok, log = refused(args, base, variant("flipped", flipped), r"corrupt \(checksum mismatch\)")
        result("a snapshot with one byte flipped is refused", ok, log)
        ok, log = refused(args, base, variant("truncated", good[: len(good) - 4096]), r"truncated")
        result("a truncated snapshot is refused", ok, log)
        ok, log = refused(args, base, variant("magic", b"NOTASNAP" + good[8:]),
                          r"not a tiervm snapshot")
        result("a file with another magic is refused", ok, log)
        ok, log = refused(args, base, snap, r"another machine configuration \(ram: '256 MiB' in "
                          r"the snapshot, '512 MiB' here\)", ["--memory", "512M"])
        result("a snapshot of another memory size is refused", ok, log)
        ok, log = refused(args, base, os.path.join(work, "missing"), r"cannot open snapshot")
        result("a missing snapshot file is refused", ok, log)

        check_hvc_and_net(args, work)

        print(f"linux snapshot: measured: {size_line.removeprefix('tiervm: ')}; "
              f"{load_line.removeprefix('tiervm: ')}")
    return summary()


def summary():
    return result.summary()


if __name__ == "__main__":
    sys.exit(main())
