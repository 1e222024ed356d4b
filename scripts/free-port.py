#!/usr/bin/env python3
"""Prints a port free for both UDP and TCP on 127.0.0.1 (a DNS server listens on both): a UDP port the kernel picked
whose TCP twin could be bound too. Exits 1 if 50 tries found none."""
import socket
import sys

for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t.bind(("127.0.0.1", port))
        print(port)
        sys.exit(0)
    except OSError:
        pass
    finally:
        t.close()
        u.close()
sys.exit("no port free for both UDP and TCP on 127.0.0.1 after 50 tries")
