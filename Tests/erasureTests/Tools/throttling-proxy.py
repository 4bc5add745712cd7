"""A loopback proxy in front of a SCIM server, for SCIMInteropTests: answers the first COUNT
requests of METHOD with 429 and Retry-After: 1 (scim2-server has no fault injection) and
forwards everything else unchanged. Prints its port, then one line per answer: METHOD STATUS.

usage: throttling-proxy.py TARGET_PORT METHOD COUNT
"""
import http.client
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET, METHOD, LEFT = int(sys.argv[1]), sys.argv[2], [int(sys.argv[3])]
ERROR = b'{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429","detail":"too many requests"}'


class Proxy(BaseHTTPRequestHandler):
    def handle_one(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == METHOD and LEFT[0] > 0:
            LEFT[0] -= 1
            self.answer(429, [("Content-Type", "application/scim+json"), ("Retry-After", "1")], ERROR)
            return
        upstream = http.client.HTTPConnection("127.0.0.1", TARGET, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        resp = upstream.getresponse()
        data = resp.read()
        kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in ("content-length", "connection", "transfer-encoding")]
        upstream.close()
        self.answer(resp.status, kept, data)

    def answer(self, status, headers, data):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        print(self.command, status, flush=True)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_one

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print(server.server_address[1], flush=True)
server.serve_forever()
