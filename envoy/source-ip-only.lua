-- The first filter when ext_authz is called over gRPC behind trusted proxies: the check's source
-- address is the connection's peer, so Envoy's trusted client address travels as a header instead.
function envoy_on_request(handle)
  bucketgate_source_ip(handle)
end
