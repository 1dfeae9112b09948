#!/usr/bin/env python3
"""Memory per request in flight (bench/proxy-memory.sh): uploads held open at an upstream that never reads.

  held_uploads.py sink PORT                      # accepts connections on 127.0.0.1:PORT, never reads (a stuck upstream)
  held_uploads.py upload PORT N BYTES SECONDS    # N uploads of BYTES each to 127.0.0.1:PORT, each pushed until the
                                                 # proxy stops taking bytes (back-pressure), held SECONDS, then closed

The uploader prints one line when every connection is stalled: "held N uploads, X bytes accepted by the
proxy in total". Loopback only; bounded in count and time (the sink exits after 300 s).
"""
import selectors
import socket
import sys
import time


def sink(port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # A small receive buffer (inherited by accepted sockets): the stuck upstream takes little of each body.
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    srv.bind(("127.0.0.1", port))
    srv.listen(4096)
    held = []
    srv.settimeout(1.0)
    end = time.time() + 300
    while time.time() < end:
        try:
            c, _ = srv.accept()
            held.append(c)
        except socket.timeout:
            pass


def upload(port, n, size, seconds):
    sel = selectors.DefaultSelector()
    head = ("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
            "Content-Length: %d\r\n\r\n" % size).encode()
    chunk = b"x" * 65536
    conns = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setblocking(False)
        conns.append({"sock": s, "sent": 0, "head": head})
        sel.register(s, selectors.EVENT_WRITE, conns[-1])
    last_progress = time.time()
    deadline = time.time() + 60
    while time.time() < deadline and time.time() - last_progress < 3:
        for key, _ in sel.select(timeout=0.5):
            c = key.data
            try:
                if c["head"]:
                    k = c["sock"].send(c["head"])
                    c["head"] = c["head"][k:]
                else:
                    k = c["sock"].send(chunk[: min(len(chunk), size - c["sent"])])
                    c["sent"] += k
                if k:
                    last_progress = time.time()
                if c["sent"] >= size:
                    sel.unregister(c["sock"])
            except BlockingIOError:
                pass
    total = sum(c["sent"] for c in conns)
    print("held %d uploads, %d bytes accepted by the proxy in total (%.1f KiB each), %d complete"
          % (n, total, total / n / 1024.0, sum(1 for c in conns if c["sent"] >= size)), flush=True)
    time.sleep(seconds)
    for c in conns:
        c["sock"].close()


if __name__ == "__main__":
    if sys.argv[1] == "sink":
        sink(int(sys.argv[2]))
    else:
        upload(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
