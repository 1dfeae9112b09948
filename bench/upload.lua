-- wrk: every request uploads the same 1 MiB body (the large-body runs: memory per request in flight).
wrk.method = "POST"
wrk.body = string.rep("x", 1048576)
wrk.headers["Content-Type"] = "application/octet-stream"
