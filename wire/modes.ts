// ext_proc processing modes the services switch per request (mode_override). Every field is set
// explicitly: in a mode_override an unset header mode means DEFAULT, which is SEND.

export type ProcessingMode = Record<
  'request_header_mode' | 'response_header_mode' | 'request_body_mode' | 'response_body_mode' | 'request_trailer_mode' | 'response_trailer_mode',
  string
>;

/** The filter's configured mode: request headers only (envoy/filters.ts sets it). */
export const REQUEST_HEADERS_ONLY: ProcessingMode = {
  request_header_mode: 'SEND', response_header_mode: 'SKIP', request_body_mode: 'NONE',
  response_body_mode: 'NONE', request_trailer_mode: 'SKIP', response_trailer_mode: 'SKIP',
};

export const withResponseHeaders = (m: ProcessingMode): ProcessingMode => ({ ...m, response_header_mode: 'SEND' });
export const withRequestBody = (m: ProcessingMode, mode: 'STREAMED' | 'BUFFERED' | 'BUFFERED_PARTIAL'): ProcessingMode => ({ ...m, request_body_mode: mode });
/** Asked for from the response headers phase, once it is known that the body is XML worth rewriting. */
export const RESPONSE_BODY_BUFFERED: ProcessingMode = { ...withResponseHeaders(REQUEST_HEADERS_ONLY), response_body_mode: 'BUFFERED' };
