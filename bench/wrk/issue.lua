-- PUT …/emergencyTokencode (version 1): issue a new emergency tokencode, replacing the last.
-- Set by admin_api.py: BENCH_JWT, BENCH_BASE (path prefix), BENCH_USER_ID.
wrk.method = "PUT"
wrk.path = os.getenv("BENCH_BASE") .. "/v1/users/" .. os.getenv("BENCH_USER_ID")
  .. "/emergencyTokencode"
wrk.body = '{"expirationDays":"7"}'
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_JWT")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
