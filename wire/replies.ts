// S3 error answers the services give Envoy in place of the backend's.
import { errorXml, type S3Error } from '../core/errors.ts';
import { setHeader } from './headers.ts';

/** ext_proc's immediate response: status, S3 XML (or any XML body) and the gateway's request id. */
export function immediateResponse(status: number, body: string, requestId: string) {
  return {
    immediate_response: {
      status: { code: status },
      headers: { set_headers: [setHeader('content-type', 'application/xml'), setHeader('x-amz-request-id', requestId)] },
      body: Buffer.from(body, 'utf8'),
    },
  };
}

export function immediateError(err: S3Error, resource: string, requestId: string) {
  return immediateResponse(err.status, errorXml(err, resource, requestId), requestId);
}
