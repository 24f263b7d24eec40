"""Pass/fail bookkeeping shared by the Linux guest checks (devices_check.py,
snapshot_check.py): one line per check, the guest log's tail under a failure, a summary."""


class Results:
    def __init__(self, prefix):
        self.prefix = prefix
        self.oks = []

    def __call__(self, name, ok, log=""):
        self.oks.append(ok)
        print(f"{self.prefix}: {name}: {'ok' if ok else 'FAILED'}", flush=True)
        if not ok and log:
            for line in log.splitlines()[-25:]:
                print(f"    | {line}")

    def summary(self):
        """Prints the counts; the process exit status (0 only when every check passed)."""
        print(f"{self.oks.count(True)} passed, {self.oks.count(False)} failed")
        return 0 if self.oks and all(self.oks) else 1
