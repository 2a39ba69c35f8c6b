// Parses the SigV4 Authorization header:
//   AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex

import { errors, type S3Error } from '../s3/errors.ts';
import { ALGORITHM, type Credential, parseCredential, parseSignedHeaders } from './scope.ts';

export interface AuthorizationHeader extends Credential {
  signedHeaders: string[];
  /** As sent; its format is not checked here, a bad one simply fails to match. */
  signature: string;
}

const COMPONENTS = ['Credential', 'SignedHeaders', 'Signature'] as const;
type Component = (typeof COMPONENTS)[number];

function malformed(detail: string): S3Error {
  return errors.authorizationHeaderMalformed(`The authorization header is malformed; ${detail}`);
}

export function parseAuthorizationHeader(value: string): AuthorizationHeader {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== ALGORITHM) {
    // Covers SigV2 ("AWS AK:sig"), SigV4a and anything else we do not verify.
    throw errors.invalidRequest(
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }

  // The three components may come in any order, with or without spaces after the commas.
  const found = new Map<Component, string>();
  for (const part of trimmed.slice(algorithm.length).split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq === -1 || !(COMPONENTS as readonly string[]).includes(name) || found.has(name as Component)) {
      throw malformed(`unexpected component "${part.trim()}".`);
    }
    found.set(name as Component, part.slice(eq + 1).trim());
  }
  const credential = found.get('Credential');
  const signedHeaders = found.get('SignedHeaders');
  const signature = found.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    throw malformed('the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }

  return {
    ...parseCredential(credential, malformed),
    signedHeaders: parseSignedHeaders(signedHeaders, malformed),
    signature,
  };
}
