-- wrk: every request is a POST with the same small JSON body, to every target alike (URLs end in /predict).
wrk.method = "POST"
wrk.body = '{"input":{"features":[0.1,0.2,0.3]}}'
wrk.headers["Content-Type"] = "application/json"
