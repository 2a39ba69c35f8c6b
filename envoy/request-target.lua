-- ext_authz over HTTP cannot set pseudo-headers in its answer: it sends the backend's :path (the exact
-- signed path and query) and :authority as plain headers, and this moves them into place before
-- anything routes on them (check-edge.lua dropped any a client sent, so these came from the answer).
-- The copy of the client's content-length made for the check goes too.
function envoy_on_request(handle)
  local headers = handle:headers()
  local path = headers:get("x-bucketgate-path")
  if path ~= nil then
    headers:replace(":path", path)
    headers:remove("x-bucketgate-path")
  end
  local authority = headers:get("x-bucketgate-authority")
  if authority ~= nil then
    headers:replace(":authority", authority)
    headers:remove("x-bucketgate-authority")
  end
  headers:remove("x-bucketgate-content-length")
end
