// Parses the SigV4 Authorization header:
//   AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex

import { errors, type S3Error } from '../errors.ts';
import { ALGORITHM, type Credential, parseCredential, parseSignedHeaders } from './scope.ts';

export interface AuthorizationHeader extends Credential {
  signedHeaders: string[];
  /** As sent; its format is not checked here, a bad one simply fails to match. */
  signature: string;
}

function malformed(detail: string): S3Error {
  return errors.authorizationHeaderMalformed(`The authorization header is malformed; ${detail}`);
}

const authorizationArgument = (value: string) => ({ name: 'Authorization', value });

const USUAL_FORM = /^AWS4-HMAC-SHA256 Credential=([^\s,=]+), ?SignedHeaders=([^\s,=]+), ?Signature=([^\s,=]+)$/;

export function parseAuthorizationHeader(value: string): AuthorizationHeader {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  if (space === -1) {
    throw errors.invalidArgument(
      "Authorization header is invalid -- one and only one ' ' (space) required.",
      authorizationArgument(value),
    );
  }
  const algorithm = trimmed.slice(0, space);
  if (algorithm === 'AWS') {
    // SigV2 ("AWS AK:sig").
    throw errors.invalidRequest(
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }
  // SigV4a and anything else we do not verify.
  if (algorithm !== ALGORITHM) throw errors.invalidArgument('Unsupported Authorization Type', authorizationArgument(algorithm));

  // What every SDK sends, in this order: read it in one match. The general parse below gives the same
  // result for it; it also takes any order and spacing, and words each malformation as AWS does.
  const usual = USUAL_FORM.exec(trimmed);
  if (usual) {
    const [, credential, signedHeaders, signature] = usual as unknown as [string, string, string, string];
    return { ...parseCredential(credential, malformed), signedHeaders: parseSignedHeaders(signedHeaders, malformed), signature };
  }
  // Exactly three name=value components, in any order, with or without spaces after the commas.
  const parts = trimmed
    .slice(space)
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length !== 3) {
    throw malformed('the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }
  const found = new Map<string, string>();
  for (const part of parts) {
    const [name = '', v, ...extra] = part.split('=');
    if (v === undefined || extra.length > 0 || v.trim() === '') {
      throw malformed(`the authorization component ${JSON.stringify(part)} is malformed.`);
    }
    // A repeated name leaves another component missing, which is what gets reported.
    if (!found.has(name.trim())) found.set(name.trim(), v.trim());
  }
  const component = (name: string): string => {
    const v = found.get(name);
    if (v === undefined) throw malformed(`missing ${name}.`);
    return v;
  };
  const credential = parseCredential(component('Credential'), malformed);
  const signedHeaders = component('SignedHeaders');
  const signature = component('Signature');
  return { ...credential, signedHeaders: parseSignedHeaders(signedHeaders, malformed), signature };
}
