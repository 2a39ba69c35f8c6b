-- Error bodies from a backend carry its own request id and host id: the client gets the gateway's
-- request id instead (when the response names one), and no host id. Runs inside Envoy (no gRPC hop),
-- and only reads the body of XML error responses, so successful responses keep streaming untouched.
-- Defines a function; the filter's script calls it from its envoy_on_response (filters.ts).
function bucketgate_error_hygiene(handle)
  local headers = handle:headers()
  local status = tonumber(headers:get(":status") or "0")
  if status < 300 or not string.find(headers:get("content-type") or "", "xml", 1, true) then
    return
  end
  local body = handle:body()
  if body == nil or body:length() == 0 then
    return
  end
  -- body() waits for the whole body: the header map from before is out of scope now.
  headers = handle:headers()
  local xml = body:getBytes(0, body:length())
  local id = headers:get("x-amz-request-id")
  if id ~= nil and id ~= "" then
    xml = string.gsub(xml, "<RequestId>[^<]*</RequestId>", function() return "<RequestId>" .. id .. "</RequestId>" end)
  end
  xml = string.gsub(xml, "<HostId>[^<]*</HostId>", "")
  body:setBytes(xml)
  headers:replace("content-length", tostring(#xml))
end
