#!/usr/bin/env python3
"""Replays a request list with asyncio + httpx: what an operator would otherwise write.

Used by `erasure-bench batch` (scripts/bench): FILE is the JSON it writes from the sandbox's
request log of an erasure run, {"groups": [[{method, url, headers: [[k, v]], body (base64),
status}], ...]}. One group is one person's requests, sent in order; CONCURRENCY groups are in
flight at once over one AsyncClient (max_connections = CONCURRENCY).

Prints {"seconds", "sent", "mismatched", "errors"}: seconds from the first request to the last
answer (loading the file and building the requests are not timed).

    python3 scripts/bench_replay.py requests.json --concurrency 64
"""
import argparse
import asyncio
import base64
import json
import sys
import time

import httpx


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--concurrency", type=int, default=64)
    args = ap.parse_args()

    with open(args.file, "rb") as f:
        groups = json.load(f)["groups"]
    prepared = [
        [(r["method"], r["url"], [tuple(h) for h in r["headers"]], base64.b64decode(r["body"]) or None, r["status"])
         for r in g]
        for g in groups
    ]

    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    sent = mismatched = errors = 0
    next_group = 0

    async with httpx.AsyncClient(limits=limits, timeout=30.0, follow_redirects=False) as client:
        async def worker() -> None:
            nonlocal sent, mismatched, errors, next_group
            while next_group < len(prepared):
                group = prepared[next_group]
                next_group += 1
                for method, url, headers, body, status in group:
                    sent += 1
                    try:
                        resp = await client.request(method, url, headers=headers, content=body)
                        if resp.status_code != status:
                            mismatched += 1
                    except httpx.HTTPError as e:
                        errors += 1
                        if errors <= 3:
                            print(f"bench_replay: {method} {url}: {e!r}", file=sys.stderr)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        seconds = time.perf_counter() - start

    print(json.dumps({"seconds": seconds, "sent": sent, "mismatched": mismatched, "errors": errors}))


if __name__ == "__main__":
    asyncio.run(main())
