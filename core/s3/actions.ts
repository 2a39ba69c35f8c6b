// Every S3 operation the gateway knows, by name, with the action class a policy grants it under and
// what its resource is. The routing classifier (operation.ts) lumps the operations the gateway only
// passes through into BucketSubresource/ObjectSubresource; policies need them by name, so their
// sub-resource names them here. An operation this table does not know has no class: only a rule that
// names it exactly can allow it (README: "The action table").
import type { S3Operation } from './operation.ts';

export const ACTION_CLASSES = ['read', 'write', 'delete', 'list', 'admin'] as const;
export type ActionClass = (typeof ACTION_CLASSES)[number];

/**
 * What a rule's `resources` are matched against:
 * - `bucket`: the bucket itself (`bucket`);
 * - `object`: one key (`bucket/key`);
 * - `keys`: every key under a prefix (`bucket/prefix…`): a listing, or a DeleteObjects batch (whose
 *   keys are in the body, so the whole bucket until per-key checks exist);
 * - `any`: the bucket or anything in it (HeadBucket, GetBucketLocation: whoever may use some of it);
 * - `service`: no bucket (ListBuckets, answered from the config with the buckets one may see).
 */
export type ResourceScope = 'bucket' | 'object' | 'keys' | 'any' | 'service';

export interface OperationInfo {
  action: ActionClass;
  scope: ResourceScope;
}

const op = (action: ActionClass, scope: ResourceScope): OperationInfo => ({ action, scope });

/** Bucket and object sub-resources by method: the operation each names. Get* are read, the rest admin. */
const BUCKET_SUBRESOURCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  GET: {
    accelerate: 'GetBucketAccelerateConfiguration', acl: 'GetBucketAcl', analytics: 'GetBucketAnalyticsConfiguration',
    cors: 'GetBucketCors', encryption: 'GetBucketEncryption', 'intelligent-tiering': 'GetBucketIntelligentTieringConfiguration',
    inventory: 'GetBucketInventoryConfiguration', lifecycle: 'GetBucketLifecycleConfiguration', logging: 'GetBucketLogging',
    metrics: 'GetBucketMetricsConfiguration', notification: 'GetBucketNotificationConfiguration',
    'object-lock': 'GetObjectLockConfiguration', ownershipControls: 'GetBucketOwnershipControls', policy: 'GetBucketPolicy',
    policyStatus: 'GetBucketPolicyStatus', publicAccessBlock: 'GetPublicAccessBlock', replication: 'GetBucketReplication',
    requestPayment: 'GetBucketRequestPayment', tagging: 'GetBucketTagging', versioning: 'GetBucketVersioning', website: 'GetBucketWebsite',
  },
  PUT: {
    accelerate: 'PutBucketAccelerateConfiguration', acl: 'PutBucketAcl', analytics: 'PutBucketAnalyticsConfiguration',
    cors: 'PutBucketCors', encryption: 'PutBucketEncryption', 'intelligent-tiering': 'PutBucketIntelligentTieringConfiguration',
    inventory: 'PutBucketInventoryConfiguration', lifecycle: 'PutBucketLifecycleConfiguration', logging: 'PutBucketLogging',
    metrics: 'PutBucketMetricsConfiguration', notification: 'PutBucketNotificationConfiguration',
    'object-lock': 'PutObjectLockConfiguration', ownershipControls: 'PutBucketOwnershipControls', policy: 'PutBucketPolicy',
    publicAccessBlock: 'PutPublicAccessBlock', replication: 'PutBucketReplication', requestPayment: 'PutBucketRequestPayment',
    tagging: 'PutBucketTagging', versioning: 'PutBucketVersioning', website: 'PutBucketWebsite',
  },
  DELETE: {
    analytics: 'DeleteBucketAnalyticsConfiguration', cors: 'DeleteBucketCors', encryption: 'DeleteBucketEncryption',
    'intelligent-tiering': 'DeleteBucketIntelligentTieringConfiguration', inventory: 'DeleteBucketInventoryConfiguration',
    lifecycle: 'DeleteBucketLifecycle', metrics: 'DeleteBucketMetricsConfiguration', ownershipControls: 'DeleteBucketOwnershipControls',
    policy: 'DeleteBucketPolicy', publicAccessBlock: 'DeletePublicAccessBlock', replication: 'DeleteBucketReplication',
    tagging: 'DeleteBucketTagging', website: 'DeleteBucketWebsite',
  },
};

/** Object sub-resources the classifier does not name already (uploads/uploadId are multipart). */
const OBJECT_SUBRESOURCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  GET: {
    acl: 'GetObjectAcl', attributes: 'GetObjectAttributes', 'legal-hold': 'GetObjectLegalHold',
    retention: 'GetObjectRetention', tagging: 'GetObjectTagging', torrent: 'GetObjectTorrent',
  },
  PUT: { acl: 'PutObjectAcl', 'legal-hold': 'PutObjectLegalHold', retention: 'PutObjectRetention', tagging: 'PutObjectTagging' },
  DELETE: { tagging: 'DeleteObjectTagging' },
  POST: { restore: 'RestoreObject', select: 'SelectObjectContent' },
};

/** The action table. Changing permissions (ACLs, policies, object lock, bucket configuration) is admin. */
export const OPERATIONS: Readonly<Record<string, OperationInfo>> = {
  ...Object.fromEntries(
    Object.entries(BUCKET_SUBRESOURCES).flatMap(([method, names]) =>
      Object.values(names).map((name) => [name, op(method === 'GET' ? 'read' : 'admin', 'bucket')]),
    ),
  ),
  ListBuckets: op('list', 'service'),
  HeadBucket: op('list', 'any'),
  GetBucketLocation: op('list', 'any'),
  ListObjects: op('list', 'keys'),
  ListObjectsV2: op('list', 'keys'),
  ListObjectVersions: op('list', 'keys'),
  ListMultipartUploads: op('list', 'keys'),
  ListParts: op('list', 'object'),

  GetObject: op('read', 'object'),
  HeadObject: op('read', 'object'),
  GetObjectAcl: op('read', 'object'),
  GetObjectTagging: op('read', 'object'),
  GetObjectAttributes: op('read', 'object'),
  GetObjectLegalHold: op('read', 'object'),
  GetObjectRetention: op('read', 'object'),
  GetObjectTorrent: op('read', 'object'),
  SelectObjectContent: op('read', 'object'),

  PutObject: op('write', 'object'),
  PostObject: op('write', 'object'),
  CopyObject: op('write', 'object'),
  CreateMultipartUpload: op('write', 'object'),
  UploadPart: op('write', 'object'),
  UploadPartCopy: op('write', 'object'),
  CompleteMultipartUpload: op('write', 'object'),
  AbortMultipartUpload: op('write', 'object'),
  PutObjectTagging: op('write', 'object'),
  DeleteObjectTagging: op('write', 'object'),
  RestoreObject: op('write', 'object'),

  DeleteObject: op('delete', 'object'),
  DeleteObjects: op('delete', 'keys'),

  PutObjectAcl: op('admin', 'object'),
  PutObjectLegalHold: op('admin', 'object'),
  PutObjectRetention: op('admin', 'object'),
  CreateBucket: op('admin', 'bucket'),
  DeleteBucket: op('admin', 'bucket'),
};

/** The name rules use for an operation outside the table: `GET bucket?foo`, `PATCH object`. */
const UNKNOWN_NAME = /^[A-Z]+ (bucket|object)(\?[A-Za-z0-9._-]+)?$/;

export function isUnknownOperationName(name: string): boolean {
  return UNKNOWN_NAME.test(name);
}

/** Query parameters that do not name a sub-resource (listing and response options, signing, ids). */
const NOT_SUBRESOURCE = new Set([
  'prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type', 'list-type', 'continuation-token', 'fetch-owner',
  'start-after', 'versionId', 'partNumber', 'response-content-type', 'response-content-language', 'response-expires',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding', 'x-id', 'select-type', 'id',
]);

/**
 * The S3 operation a request is, by name: a key of OPERATIONS, or an unknown name (UNKNOWN_NAME).
 * `routed` is what classifyOperation made of the same request.
 */
export function operationName(routed: S3Operation, method: string, key: string, query: URLSearchParams): string {
  if (routed !== 'BucketSubresource' && routed !== 'ObjectSubresource' && routed !== 'Unknown') return routed;
  const m = method.toUpperCase();
  const scope = key === '' ? 'bucket' : 'object';
  const subresources = [...query.keys()].filter((q) => !NOT_SUBRESOURCE.has(q) && !q.toLowerCase().startsWith('x-amz-'));
  const table = (scope === 'bucket' ? BUCKET_SUBRESOURCES : OBJECT_SUBRESOURCES)[m] ?? {};
  const known = subresources.find((s) => table[s] !== undefined);
  if (known !== undefined) return table[known]!;
  const first = subresources.find((s) => /^[A-Za-z0-9._-]+$/.test(s));
  return `${m} ${scope}${first === undefined ? '' : `?${first}`}`;
}
