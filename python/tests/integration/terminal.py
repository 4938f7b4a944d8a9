"""
Commands on a pseudo-terminal, for what ``uw-nt`` draws only when a person is watching.
"""

import fcntl
import os
import pty
import struct
import subprocess
import termios


def run_on_terminal(argv: list[str], stdout_on_terminal: bool, timeout: float) -> tuple[int, bytes, bytes]:
    """
    Runs ``argv`` with stderr (and stdout if ``stdout_on_terminal``) on a new pseudo-terminal, and
    returns its exit code, everything written to the terminal, and its piped stdout.
    """
    parent, child = pty.openpty()
    # A terminal window of 100 x 30, as a person has (a new pseudo-terminal measures 0 x 0).
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=child if stdout_on_terminal else subprocess.PIPE,
        stderr=child,
    )
    os.close(child)
    terminal = b""
    while True:
        try:
            chunk = os.read(parent, 4096)
        except OSError:  # the child side closed
            break
        if not chunk:
            break
        terminal += chunk
    os.close(parent)
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, terminal, out or b""
