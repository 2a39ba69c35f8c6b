-- First filter when ext_authz is called over HTTP (envoy.ext_authz: http).
-- Request: a client's own x-bucketgate-path/-authority/-content-length are dropped, so that what the
-- filters after the check read came from the check's answer or from here. Envoy sends the check with
-- content-length 0, so the client's value travels as a copy; the check is not told the client's
-- address, so that travels as x-bucketgate-source-ip (source-ip.lua). Response: Envoy takes a 5xx answer of the check for an unreachable
-- service and drops its body, so an S3 error with a 5xx status is answered as 403 with the real
-- status in x-bucketgate-status; this denial is a local reply, which passes this filter on its way
-- out (it is before ext_authz): the status is put back here, then error hygiene runs.
function envoy_on_request(handle)
  local headers = handle:headers()
  headers:remove("x-bucketgate-path")
  headers:remove("x-bucketgate-authority")
  headers:remove("x-bucketgate-content-length")
  local length = headers:get("content-length")
  if length ~= nil then
    headers:add("x-bucketgate-content-length", length)
  end
  bucketgate_source_ip(handle)
end

function envoy_on_response(handle)
  local headers = handle:headers()
  local status = headers:get("x-bucketgate-status")
  if status ~= nil then
    headers:remove("x-bucketgate-status")
    if string.match(status, "^5%d%d$") then
      headers:replace(":status", status)
    end
  end
  bucketgate_error_hygiene(handle)
end
