#!/usr/bin/env python3
"""Start the local emulator stack (Pub/Sub, Cloud Storage, BigQuery), print the env exports,
wait for Ctrl-C (or SIGTERM), then stop everything.

    python tools/emulators.py                  # all three; eval-able `export ...` lines on stdout
    python tools/emulators.py --only gcs,bigquery
    python tools/emulators.py --env-file /tmp/picklock-emulators.env
    python tools/emulators.py --install        # install/verify only, then exit
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.harness.emulators import (  # noqa: E402
    DEFAULT_PROJECT,
    EmulatorError,
    EmulatorStack,
    ensure_installed,
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=ROOT, help="where .emulators/ lives (default: repo root)")
    ap.add_argument("--project", default=DEFAULT_PROJECT, help="default BigQuery project id")
    ap.add_argument("--only", default=",".join(EmulatorStack.SERVICES),
                    help="comma-separated subset of: pubsub,gcs,bigquery")
    ap.add_argument("--env-file", type=Path, help="also write the export lines to this file")
    ap.add_argument("--install", action="store_true", help="install/verify the emulators and exit")
    args = ap.parse_args(argv)

    try:
        if args.install:
            inst = ensure_installed(args.root)
            print(f"bqemulator:      {inst.bqemulator}")
            print(f"fake-gcs-server: {inst.fake_gcs_server}")
            print(f"pubsub emulator: {inst.pubsub_launcher or 'MISSING - ' + str(inst.pubsub_problem)}")
            return 0 if inst.pubsub_launcher else 1

        services = [s.strip() for s in args.only.split(",") if s.strip()]
        def on_signal(signum, frame):  # SIGINT/SIGTERM/SIGHUP: one shutdown path
            # `make` forwards the signal it got, so it may come twice: the second must not
            # interrupt the shutdown the first started.
            for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(number, signal.SIG_IGN)
            raise KeyboardInterrupt

        signal.signal(signal.SIGINT, on_signal)  # also when started with SIGINT ignored (background job)
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGHUP, on_signal)
        started = time.monotonic()
        stack = EmulatorStack(args.root, project=args.project, services=services)
        try:
            env = stack.start()
            exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
            if args.env_file:
                args.env_file.write_text(exports)
            print(exports, end="", flush=True)
            for p in stack.processes:
                print(f"# {p.name}: pid {p.pid}, {p.url}, log {p.log_path}", file=sys.stderr)
            print(f"# ready in {time.monotonic() - started:.1f}s; Ctrl-C to stop", file=sys.stderr, flush=True)
            while True:
                time.sleep(1.0)
                stack.check_alive()
        except KeyboardInterrupt:
            print("\n# stopping emulators ...", file=sys.stderr)
        finally:
            stack.stop()
            if args.env_file:
                args.env_file.unlink(missing_ok=True)
        return 0
    except EmulatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
