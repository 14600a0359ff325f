"""A minimal STUN binding responder for the test WAN: miniupnpd asks it whether the
gateway's private WAN address is a 1:1 NAT, and enables port forwarding when it is.

Usage: stun_responder.py ADDRESS LIFETIME_S   (exits by itself after LIFETIME_S)
"""
import socket
import struct
import sys
import time

MAGIC_COOKIE_PORT_XOR = 0x2112


def main() -> None:
    address, lifetime = sys.argv[1], float(sys.argv[2])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 3478))
    sock.settimeout(1)
    end = time.monotonic() + lifetime
    while time.monotonic() < end:
        try:
            data, (ip, port) = sock.recvfrom(2048)
        except TimeoutError:
            continue
        if len(data) < 20 or data[:2] != b"\x00\x01":  # binding requests only
            continue
        cookie, tid = data[4:8], data[8:20]
        xip = bytes(a ^ b for a, b in zip(socket.inet_aton(ip), cookie, strict=True))
        attr = struct.pack("!HHBBH", 0x0020, 8, 0, 1, port ^ MAGIC_COOKIE_PORT_XOR) + xip
        sock.sendto(struct.pack("!HH", 0x0101, len(attr)) + cookie + tid + attr, (ip, port))


if __name__ == "__main__":
    main()
