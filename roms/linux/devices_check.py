#!/usr/bin/env python3
"""Boots the Linux guest on tiervm and checks one group of devices:

  roms/linux/devices_check.py --tiervm PATH/TO/tiervm [--image IMAGE] reboot|virtio|net

reboot  `autotest=reboot` on a zeroed raw disk: the guest counts its boots on the disk and
        reboots itself twice, so one tiervm process must show boots 1, 2 and 3 and exit 0;
        with --no-reboot the same guest must end the process (status 0) after boot 1.
virtio  `console=hvc0 autotest=virtio`: the guest's console is the virtio console (its
        output reaches stdout only through hvc0), /dev/hwrng is virtio-rng, and the kernel
        has its entropy ("crng init done") before init runs.
net     `--netdev user,hostfwd=tcp::HOSTPORT-:GUESTPORT` and `autotest=net`: DHCP gives the
        guest 10.0.2.15; it fetches a file from an HTTP server this script runs on the host's
        loopback (through slirp's 10.0.2.2) and prints its sha256, which must match; then
        this script connects to 127.0.0.1:HOSTPORT and must reach the guest's listener.
        All traffic stays on the host's loopback.
Prints one line per check and exits non-zero if one failed.
"""
import argparse
import hashlib
import http.server
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

from check_results import Results

HERE = os.path.dirname(os.path.abspath(__file__))
LIMIT = float(os.environ.get("TIERVM_CHECK_TIMEOUT", "120"))
result = Results("linux guest devices")


def boot(args, append, extra=(), on_output=None):
    """Runs tiervm headless; returns (exit status, console output). on_output(log, proc)
    is called with the output so far whenever more arrives."""
    cmd = [args.tiervm, "--headless", "--kernel", args.image, "--append", append,
           "--timeout", str(LIMIT), *extra]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    if on_output is None:
        proc.stdin.close()
    log = ""
    while True:
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        log += chunk.decode(errors="replace").replace("\r", "")
        if on_output:
            on_output(log, proc)
    status = proc.wait(timeout=LIMIT + 10)
    return status, log


def check_reboot(args):
    with tempfile.TemporaryDirectory() as work:
        disk = os.path.join(work, "boots.img")
        with open(disk, "wb") as f:
            f.write(bytes(1 << 20))
        status, log = boot(args, "console=ttyS0 autotest=reboot", ["--drive", f"file={disk}"])
        boots = re.findall(r"^TIERVM-BOOT (\d+)$", log, re.M)
        banners = len(re.findall(r"Linux version 6\.", log))
        result("guest reboots twice in one process (boots 1, 2, 3; exit 0)",
               status == 0 and boots == ["1", "2", "3"] and banners == 3
               and "TIERVM-AUTOTEST-PASS" in log,
               f"{log}\n(status {status}, boots {boots}, kernel banners {banners})")

        with open(disk, "wb") as f:
            f.write(bytes(1 << 20))
        status, log = boot(args, "console=ttyS0 autotest=reboot",
                           ["--drive", f"file={disk}", "--no-reboot"])
        boots = re.findall(r"^TIERVM-BOOT (\d+)$", log, re.M)
        result("--no-reboot exits (status 0) at the guest's first reboot",
               status == 0 and boots == ["1"] and "TIERVM-AUTOTEST-PASS" not in log,
               f"{log}\n(status {status}, boots {boots})")


def check_virtio(args):
    status, log = boot(args, "console=hvc0 autotest=virtio")
    # Everything init prints goes to /dev/console = hvc0: the PASS line proves hvc0 works.
    result("console=hvc0: init's output and the PASS line arrive through the virtio console",
           status == 0 and "TIERVM-AUTOTEST-PASS" in log and "console: hvc0" in log, log)
    result("virtio-rng: /dev/hwrng is virtio and gives fresh bytes",
           "autotest: ok: hwrng is virtio-rng" in log
           and "autotest: ok: hwrng gives fresh bytes" in log, log)
    crng = log.find("crng init done")
    crng_log = log
    init = log.find("tiervm guest:")
    result("the kernel's entropy is ready before init runs (crng init done)",
           crng >= 0 and init >= 0 and crng < init, crng_log)

    # The interactive shell on hvc0: host input reaches the console the guest uses.
    sent = []

    def type_command(log, proc):
        if not sent and "tiervm:/# " in log:
            proc.stdin.write(b"echo hvc-says-$((6*7)); poweroff -f\n")
            proc.stdin.flush()
            sent.append(True)

    status, log = boot(args, "console=hvc0", on_output=type_command)
    result("the shell on hvc0 runs a command typed on the host",
           status == 0 and "hvc-says-42" in log, log)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def check_net(args):
    with tempfile.TemporaryDirectory() as work:
        # The file the guest fetches: 300 KiB that are not all alike, so a lost or reordered
        # segment changes the digest.
        payload = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(9600))
        with open(os.path.join(work, "payload.bin"), "wb") as f:
            f.write(payload)
        want = hashlib.sha256(payload).hexdigest()
        handler = lambda *a, **kw: QuietHandler(*a, directory=work, **kw)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        http_port = server.server_address[1]
        host_port, guest_port = free_port(), 7777
        token = hashlib.sha256(os.urandom(16)).hexdigest()[:16]
        answers = []

        def connect_in(log, proc):
            if answers or f"NET-LISTENING {guest_port}" not in log:
                return
            # The guest listens: connect through the forwarded port, send a line, read the
            # guest's answer until it closes.
            reply = b""
            for _ in range(50):
                try:
                    with socket.create_connection(("127.0.0.1", host_port), timeout=30) as c:
                        c.sendall(f"ping-{token}\n".encode())
                        while chunk := c.recv(4096):
                            reply += chunk
                    if reply:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            answers.append(reply.decode(errors="replace"))

        start = time.monotonic()
        status, log = boot(
            args,
            f"console=ttyS0 autotest=net net_url=http://10.0.2.2:{http_port}/payload.bin "
            f"net_listen={guest_port}",
            ["--netdev", f"user,hostfwd=tcp:127.0.0.1:{host_port}-:{guest_port}"],
            on_output=connect_in)
        seconds = time.monotonic() - start
        server.shutdown()
        result("DHCP gives the guest 10.0.2.15 and DNS 10.0.2.3",
               "autotest: ok: address 10.0.2.15" in log
               and "autotest: ok: DNS server 10.0.2.3" in log, log)
        got = re.findall(r"^NET-FETCHED ([0-9a-f]{64})$", log, re.M)
        result(f"wget from the host's loopback through 10.0.2.2: sha256 matches "
               f"({len(payload)} bytes)", got == [want], f"{log}\n(want {want}, got {got})")
        result("host connects into the guest through hostfwd and gets its answer",
               answers == [f"guest got: ping-{token}\n"], f"{log}\n(answers {answers})")
        result(f"guest passes and powers off (exit status {status}, {seconds:.1f} s)",
               status == 0 and "TIERVM-AUTOTEST-PASS" in log, log)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiervm", required=True)
    parser.add_argument("--image")
    parser.add_argument("group", choices=["reboot", "virtio", "net"])
    args = parser.parse_args()
    if not args.image:
        args.image = subprocess.run(["bash", os.path.join(HERE, "build.sh")], check=True,
                                    stdout=subprocess.PIPE, text=True).stdout.split()[-1]
    {"reboot": check_reboot, "virtio": check_virtio, "net": check_net}[args.group](args)
    return result.summary()


if __name__ == "__main__":
    sys.exit(main())
