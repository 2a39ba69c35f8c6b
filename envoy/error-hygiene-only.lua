-- The last filter before the router when ext_authz is called over gRPC: error hygiene only.
function envoy_on_response(handle)
  bucketgate_error_hygiene(handle)
end
