"""`make dev`: the whole local stack — emulators, tables, bucket, topics, push subscriptions and
the three Cloud Functions — on loopback, until Ctrl-C. Writes what the CLI needs to
.emulators/dev.env (`picklock --env .emulators/dev.env …`, or `source` it) and prints how to drive it.

The names are the same on every start (project picklock-local, dataset picks_dev, bucket
picklock-dev), so the file and scripts stay valid; the data does not last: the emulators keep
everything in memory, and a restart begins empty (the env file is rewritten with the new ports)."""
from __future__ import annotations

import shlex
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_ENV = ROOT / ".emulators" / "dev.env"
sys.path.insert(0, str(ROOT))

from tests.harness.emulators import EmulatorStack, ensure_installed  # noqa: E402
from tests.harness.localstack import LocalStack  # noqa: E402


def main() -> int:
    def on_signal(signum, frame):  # Ctrl-C, SIGTERM, a closed terminal: one shutdown path
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # make may forward it again
            signal.signal(number, signal.SIG_IGN)
        raise KeyboardInterrupt

    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, on_signal)
    ensure_installed(ROOT)
    emulators = EmulatorStack(ROOT)
    try:
        env = emulators.start()
        with LocalStack(env, ROOT / ".emulators" / "logs" / "functions", suffix="dev") as stack:
            DEV_ENV.write_text("".join(f"export {name}={shlex.quote(value)}\n" for name, value in sorted(stack.env.items())))
            functions = "\n".join(f"  {f.target:<22} http://127.0.0.1:{f.port}  log: {f.log}"
                                  for f in stack.functions.values())
            print(f"""picklock local stack is up.

Functions (push subscriptions from the Pub/Sub emulator deliver to them):
{functions}

The CLI's settings are in {DEV_ENV.relative_to(ROOT)} (rewritten on every start; the names stay,
the data does not: the emulators keep everything in memory). In another shell:
  P=".venv/bin/picklock --env {DEV_ENV.relative_to(ROOT)}"          # or: source {DEV_ENV.relative_to(ROOT)}
  D=$(TZ=America/New_York date +%F)
  $P example signal > run1.json && $P signal load --date $D --file run1.json
  $P publish signal-updated --date $D --wait                      # -> on_signal_updated exports
  $P status --date $D && $P verify && $P dashboard
The whole walk-through is in README.md ("make dev").

Ctrl-C stops everything this started.""", flush=True)
            while True:
                emulators.check_alive()
                time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
    finally:
        emulators.stop()
        DEV_ENV.unlink(missing_ok=True)  # its ports are gone
    return 0


if __name__ == "__main__":
    sys.exit(main())
