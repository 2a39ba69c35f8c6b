-- The client's address as Envoy determined it (the connection's peer, or with xff_num_trusted_hops the
-- X-Forwarded-For entry it points at), port stripped ("[::1]:5432" -> "::1", "127.0.0.1:5432" ->
-- "127.0.0.1"), in x-bucketgate-source-ip for the check. A client's own value is removed first, so the
-- check never reads one; the route removes ours before the backend. Defines a function; the first
-- filter's envoy_on_request calls it (filters.ts).
function bucketgate_source_ip(handle)
  local address = handle:streamInfo():downstreamRemoteAddress() or ""
  local ip = string.match(address, "^%[(.*)%]:%d+$") or string.match(address, "^([^:]+):%d+$") or address
  local headers = handle:headers()
  headers:remove("x-bucketgate-source-ip")
  headers:add("x-bucketgate-source-ip", ip)
end
