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
            exports = "\n".join(f"export {name}={shlex.quote(value)}" for name, value in sorted(stack.env.items()))
            DEV_ENV.write_text(exports + "\n")
            functions = "\n".join(f"  {f.target:<22} http://127.0.0.1:{f.port}  log: {f.log}"
                                  for f in stack.functions.values())
            print(f"""picklock local stack is up.

Functions (push subscriptions from the Pub/Sub emulator deliver to them):
{functions}

In another shell, point the CLI at it:
{exports}

Then, for example:
  .venv/bin/picklock signal load --date 2026-02-28 --file signal.json   # upstream rewrites its table
  .venv/bin/picklock publish signal-updated --date 2026-02-28           # -> on_signal_updated exports
  .venv/bin/picklock manual add --date 2026-02-28 --player guisantos --team GSW --opponent LAL \\
      --direction OVER --line 13.5 --via pubsub                         # -> on_manual_pick
  .venv/bin/picklock status --date 2026-02-28
  .venv/bin/picklock dashboard

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
