-- wrk: every request is POST /predict with the same small JSON body, to every target alike.
wrk.method = "POST"
wrk.path = "/predict"
wrk.body = '{"input":{"features":[0.1,0.2,0.3]}}'
wrk.headers["Content-Type"] = "application/json"
