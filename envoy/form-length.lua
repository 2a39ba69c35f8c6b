-- POST Object: ext_proc re-signs the form's fields, so the body the backend gets has another length.
-- Envoy drops content-length when ext_proc may change a body it does not hold whole, and S3 backends
-- refuse a chunked form, so ext_proc hands the new length over as dynamic metadata (which a client
-- cannot set) and it is put back here, before the router sends the headers.
function envoy_on_request(handle)
  local form = handle:streamInfo():dynamicMetadata():get("bucketgate.post_object")
  if form ~= nil and form.content_length ~= nil then
    handle:headers():replace("content-length", form.content_length)
  end
end
