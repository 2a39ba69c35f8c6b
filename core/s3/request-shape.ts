// Requests whose shape S3 refuses whatever the credentials: a method the resource does not have, a
// sub-resource that needs (or must not have) a key or an upload id, a copy source where nothing is
// copied. AWS answers these before it authenticates, and so does the gateway: the answer depends only
// on the request line and headers the client sent, never on what exists, so it reveals nothing.
import { S3Error, errors } from '../errors.ts';

export interface RequestShape {
  method: string;
  bucket?: string;
  key: string;
  query: URLSearchParams;
  copySource?: string;
}

const methodNotAllowed = (method: string, resourceType: 'SERVICE' | 'UPLOAD') =>
  new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', {
    Method: method,
    ResourceType: resourceType,
  });

/** The error S3 gives a request of this shape, or undefined when the shape is valid. */
export function requestShapeError(r: RequestShape): S3Error | undefined {
  const m = r.method.toUpperCase();
  // A browser's CORS preflight is answered for any resource; its shape is the preflight's business.
  if (m === 'OPTIONS') return undefined;
  if (r.bucket === undefined) return m === 'GET' ? undefined : methodNotAllowed(m, 'SERVICE');
  const objectLevel = r.key !== '';
  if (objectLevel && m === 'POST' && [...r.query.keys()].length === 0) return methodNotAllowed(m, 'SERVICE');
  if (r.copySource !== undefined && m !== 'PUT') {
    return errors.invalidArgument('You can only specify a copy source header for copy requests.', {
      name: 'x-amz-copy-source',
      value: r.copySource,
    });
  }
  if (!objectLevel) return undefined;
  if (m === 'PUT' && r.query.has('partNumber') && !r.query.has('uploadId')) {
    // S3 echoes the parameter's name as its value here (as versitygw records it), not the number.
    return errors.invalidArgument('This operation does not accept partNumber without uploadId', { name: 'partNumber', value: 'partNumber' });
  }
  if (m === 'PUT' && r.query.has('uploadId') && !r.query.has('partNumber')) return methodNotAllowed(m, 'UPLOAD');
  if (m === 'GET' && r.query.has('uploads')) return errors.invalidRequest('Key is not expected for the GET method ?uploads subresource');
  if (m === 'GET' && r.query.has('versions')) return errors.invalidRequest('There is no such thing as the ?versions sub-resource for a key');
  return undefined;
}
