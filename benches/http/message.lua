-- wrk script: POSTs the message in the file MESSAGE (SWIFT FIN text or
-- ISO 20022 XML, sent as it is) with the key in KEY, to the path in wrk's
-- URL. Prints a JSON summary at the end, as bodies.lua does.
local body = ""

function init(args)
  local f = assert(io.open(os.getenv("MESSAGE"), "rb"))
  body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.body = body
  if body:match("^%s*<") then
    wrk.headers["Content-Type"] = "application/xml"
  else
    wrk.headers["Content-Type"] = "text/plain"
  end
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'SUMMARY {"requests":%d,"seconds":%.2f,"rps":%.1f,"errors":%d,"non_2xx":%d,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), errors,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
