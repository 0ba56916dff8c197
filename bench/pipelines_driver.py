#!/usr/bin/env python3
"""Drives one Tessera server for bench/pipelines.sh: dispatch latency and throughput of one executor.

Latency: a job is submitted (the clock starts before the POST), and its tool's first instruction
writes the time; the job's output file is read back once it is complete. Throughput: a batch of
trivial jobs over BURST sessions, from the POST to the last job's end. Prints one JSON line.
"""
import base64
import json
import statistics
import sys
import time
import urllib.error
import urllib.request

base, user, password, executor, runs, burst, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def call(method, path, body=None, raw=False):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Authorization": auth, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            payload = response.read()
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read().decode()[:400]}")
    return payload.decode() if raw else (json.loads(payload) if payload else None)


project = f"bench-{executor}"
call("POST", "/api/projects", {"id": project})
tool = f"bench-first-{executor}@1"
descriptor = {
    "name": f"bench-first-{executor}", "tool-version": "1", "description": "writes the time of its first instruction",
    "schema-version": "0.5", "command-line": "date +%s%N > output/t.txt",
    "inputs": [{"id": "x", "name": "X", "type": "String", "optional": True}],
    "output-files": [{"id": "t", "name": "t", "path-template": "output/t.txt"}],
    "custom": {"tessera:executor": executor},
}
call("POST", "/api/tools", descriptor)
call("PUT", f"/api/projects/{project}/subjects/L", {})
call("PUT", f"/api/projects/{project}/subjects/T", {})
for i in range(runs):
    call("PUT", f"/api/projects/{project}/subjects/L/sessions/E{i}", {})
for i in range(burst):
    call("PUT", f"/api/projects/{project}/subjects/T/sessions/E{i}", {})


def wait(job_id):
    while True:
        job = call("GET", f"/api/jobs/{job_id}")
        if job["state"] in ("complete", "failed", "cancelled"):
            return job
        time.sleep(0.01)


latencies = []
for i in range(runs + 2):
    target = f"subjects/L/sessions/E{i % runs}"
    t0 = time.time_ns()
    job = call("POST", f"/api/projects/{project}/jobs", {"tool": tool, "target": target})
    done = wait(job["id"])
    if done["state"] != "complete":
        raise SystemExit(f"job {job['id']} {done['state']}: {done.get('reason')}")
    first = int(call("GET", f"/api/projects/{project}/{target}/resources/bench-first-{executor}/files/t.txt", raw=True).strip())
    if i >= 2:  # two warm-up jobs
        latencies.append((first - t0) / 1e6)

t0 = time.time()
batch = call("POST", f"/api/projects/{project}/batches", {"tool": tool, "sessions": [f"subjects/T/sessions/E{i}" for i in range(burst)], "maxConcurrent": concurrency})
while not batch["done"]:
    time.sleep(0.05)
    batch = call("GET", f"/api/batches/{batch['id']}")
elapsed = time.time() - t0
if batch["counts"]["complete"] != burst:
    raise SystemExit(f"batch: {batch['counts']}")
latencies.sort()
print(json.dumps({
    "executor": executor,
    "latency_median_ms": round(statistics.median(latencies), 1),
    "latency_p90_ms": round(latencies[int(0.9 * (len(latencies) - 1))], 1),
    "jobs_per_s": round(burst / elapsed, 2),
}))
