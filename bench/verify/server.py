#!/usr/bin/env python3
"""A static file server for bench/verify: HTTP/1.1 with keep-alive, one thread per connection,
on 127.0.0.1 and an ephemeral port (printed on the first line of stdout)."""
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass


directory = sys.argv[1]
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: Handler(*a, directory=directory))
print(server.server_address[1], flush=True)
server.serve_forever()
