#!/usr/bin/env python3
"""boto3 scenarios against one S3 endpoint (a backend directly, or the Bucketgate gateway).

Usage: boto3_ops.py --endpoint URL --access-key AK --secret-key SK --bucket B
                    [--region us-east-1] [--addressing path|virtual] [--prefix P] [--caps JSON]
Each option falls back to an env var: E2E_ENDPOINT, E2E_ACCESS_KEY, E2E_SECRET_KEY, E2E_BUCKET, E2E_REGION,
E2E_ADDRESSING, E2E_PREFIX, E2E_CAPS. --caps is a JSON object of capability flags (see scenarios/target.ts),
e.g. {"quotedCopyETag": false}; a check whose capability is false is reported as SKIP.
Prints one line per check and finally "N passed, M failed"; exits 1 if any check failed.
Works only under a unique key prefix and deletes it at the end.
"""
import argparse, base64, hashlib, json, os, sys, tempfile, time, traceback  # noqa: E401
import urllib.error, urllib.parse, urllib.request  # noqa: E401

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MiB = 1024 * 1024
OPTIONS = {'endpoint': None, 'access-key': None, 'secret-key': None, 'bucket': None, 'region': 'us-east-1',
           'addressing': 'path', 'prefix': 'e2e/boto3/%d-%d/' % (time.time(), os.getpid()), 'caps': '{}'}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, default in OPTIONS.items():
        p.add_argument('--' + name, default=os.environ.get('E2E_' + name.upper().replace('-', '_'), default))
    a = p.parse_args()
    missing = [n for n in OPTIONS if not getattr(a, n.replace('-', '_'))]
    if missing or a.addressing not in ('path', 'virtual'):
        p.error('missing: %s (or bad --addressing)' % ', '.join(missing))
    a.caps = json.loads(a.caps)
    return a


ARGS = parse_args()
BUCKET, CAPS = ARGS.bucket, ARGS.caps
P = ARGS.prefix if ARGS.prefix.endswith('/') else ARGS.prefix + '/'


def client(checksums='when_supported'):
    # Explicit credentials and a fresh session: ambient AWS_PROFILE / AWS_ACCESS_KEY_ID are never used.
    session = boto3.session.Session(aws_access_key_id=ARGS.access_key, aws_secret_access_key=ARGS.secret_key,
                                    region_name=ARGS.region)
    cfg = Config(signature_version='s3v4', s3={'addressing_style': ARGS.addressing},
                 request_checksum_calculation=checksums, response_checksum_validation=checksums,
                 retries={'total_max_attempts': 1})
    return session.client('s3', endpoint_url=ARGS.endpoint, config=cfg)


S3 = client()
RESULTS = {'passed': 0, 'failed': 0}


def check(name):
    """Decorator: runs the function now as one check and prints PASS/FAIL."""
    def run(fn):
        t0 = time.time()
        try:
            fn()
            RESULTS['passed'] += 1
            print('PASS %s (%.2fs)' % (name, time.time() - t0), flush=True)
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            RESULTS['failed'] += 1
            print('FAIL %s: %s: %s' % (name, type(e).__name__, e), flush=True)
            traceback.print_exc(limit=3, file=sys.stdout)
        return fn
    return run


def eq(actual, expected, what=''):
    if actual != expected:
        raise AssertionError('%s: expected %r, got %r' % (what, expected, actual))


def expect_error(fn, status, code=None):
    try:
        fn()
    except ClientError as e:
        eq(e.response['ResponseMetadata']['HTTPStatusCode'], status, 'HTTP status')
        if code is not None:
            eq(e.response['Error']['Code'], code, 'error code')
        return
    raise AssertionError('expected HTTP %d, but the request succeeded' % status)


def md5_b64(b):
    return base64.b64encode(hashlib.md5(b).digest()).decode()


def etag_of(b):
    return '"%s"' % hashlib.md5(b).hexdigest()


def copy_etag_of(b):
    """ETag inside CopyObjectResult / CopyPartResult (unquoted where caps.quotedCopyETag is false)."""
    return etag_of(b) if CAPS.get('quotedCopyETag', True) else hashlib.md5(b).hexdigest()


def put(key, body, s3=S3, **kw):
    r = s3.put_object(Bucket=BUCKET, Key=key, Body=body, ContentMD5=md5_b64(body), **kw)
    eq(r['ETag'], etag_of(body), 'ETag of ' + key)
    return r['ETag']


def get_bytes(key, s3=S3, **kw):
    return s3.get_object(Bucket=BUCKET, Key=key, **kw)['Body'].read()


def same(key, body, s3=S3):
    got = get_bytes(key, s3)
    eq((len(got), hashlib.sha256(got).hexdigest()), (len(body), hashlib.sha256(body).hexdigest()), 'body of ' + key)


def list_keys(prefix, **kw):
    keys = []
    for page in S3.get_paginator('list_objects_v2').paginate(Bucket=BUCKET, Prefix=prefix, **kw):
        keys += [o['Key'] for o in page.get('Contents', [])]
    return keys

# ---- objects ----------------------------------------------------------------------------------------
for mode in ('when_supported', 'when_required'):
    s3 = client(mode)
    for size in (0, 1, 5 * MiB):
        @check('put_object(ContentMD5) + get_object byte-identical, %d B, checksums %s' % (size, mode))
        def _(size=size, s3=s3, mode=mode):
            body = os.urandom(size)
            put('%ssizes/%s-%d' % (P, mode, size), body, s3)
            same('%ssizes/%s-%d' % (P, mode, size), body, s3)

OBJ = os.urandom(1000)
OBJ_KEY = P + 'obj/thing.txt'

@check('head_object: size, ETag, metadata')
def _():
    put(OBJ_KEY, OBJ, ContentType='text/x-test', Metadata={'color': 'blue'})
    h = S3.head_object(Bucket=BUCKET, Key=OBJ_KEY)
    eq((h['ContentLength'], h['ETag'], h['ContentType'], h['Metadata']),
       (1000, etag_of(OBJ), 'text/x-test', {'color': 'blue'}), 'head')

@check('get_object Range bytes=100-199')
def _():
    r = S3.get_object(Bucket=BUCKET, Key=OBJ_KEY, Range='bytes=100-199')
    eq(r['ResponseMetadata']['HTTPStatusCode'], 206, 'status')
    eq(r['ContentRange'], 'bytes 100-199/1000', 'Content-Range')
    eq(r['Body'].read(), OBJ[100:200], 'range body')

@check('conditional get: If-Match wrong -> 412, If-None-Match etag -> 304')
def _():
    eq(get_bytes(OBJ_KEY, IfMatch=etag_of(OBJ)), OBJ, 'If-Match right')
    expect_error(lambda: S3.get_object(Bucket=BUCKET, Key=OBJ_KEY, IfMatch='"%s"' % ('0' * 32)), 412)
    expect_error(lambda: S3.get_object(Bucket=BUCKET, Key=OBJ_KEY, IfNoneMatch=etag_of(OBJ)), 304)


SPECIAL = ['with space.txt', 'unicodé-日本語-😀.txt', 'plus+sign.txt', 'per%cent%20.txt', 'dir/trailing/']

@check('special keys (space, unicode, +, %, trailing /) round-trip and list')
def _():
    keys = [P + 'keys/' + n for n in SPECIAL]
    for k in keys:
        body = b'' if k.endswith('/') else k.encode()
        put(k, body)
        same(k, body)
    eq(list_keys(P + 'keys/'), sorted(keys), 'listing')

@check('key with // round-trips; listed verbatim (collapsed without caps.emptyPathSegmentKeys)')
def _():
    k = P + 'dslash/double//slash.txt'
    if not CAPS.get('emptyPathSegmentKeysStored', True):
        expect_error(lambda: put(k, b'x'), 400, 'XMinioInvalidObjectName')
        return
    put(k, b'x')
    same(k, b'x')
    eq(list_keys(P + 'dslash/'), [k if CAPS.get('emptyPathSegmentKeys', True) else k.replace('//', '/')], 'listing')

@check('delete_object then get -> 404 NoSuchKey')
def _():
    k = P + 'del/one'
    put(k, b'gone')
    eq(S3.delete_object(Bucket=BUCKET, Key=k)['ResponseMetadata']['HTTPStatusCode'], 204, 'status')
    expect_error(lambda: S3.get_object(Bucket=BUCKET, Key=k), 404, 'NoSuchKey')

@check('delete_objects')
def _():
    for n in 'abc':
        put(P + 'multidel/' + n, n.encode())
    r = S3.delete_objects(Bucket=BUCKET, Delete={'Objects': [{'Key': P + 'multidel/a'}, {'Key': P + 'multidel/b'}]})
    eq(sorted(d['Key'] for d in r.get('Deleted', [])), [P + 'multidel/a', P + 'multidel/b'], 'deleted')
    eq(r.get('Errors', []), [], 'errors')
    eq(list_keys(P + 'multidel/'), [P + 'multidel/c'], 'remaining')

@check('copy_object (source key with a space)')
def _():
    body = os.urandom(100 * 1024)
    put(P + 'copy/src file', body)
    r = S3.copy_object(Bucket=BUCKET, Key=P + 'copy/dst', CopySource={'Bucket': BUCKET, 'Key': P + 'copy/src file'})
    eq(r['CopyObjectResult']['ETag'], copy_etag_of(body), 'copy ETag')
    same(P + 'copy/dst', body)

# ---- listing ----------------------------------------------------------------------------------------
L = P + 'list/'
LKEYS = [L + k for k in ('a/1', 'a/2', 'b/1', 'c', 'd', 'e', 'enc dir/ünï cödé.txt')]

@check('list v2: prefix, delimiter, MaxKeys pagination, StartAfter')
def _():
    for k in LKEYS:
        put(k, b'abc')
    eq(list_keys(L), LKEYS, 'paginator (botocore adds EncodingType=url and decodes)')
    r = S3.list_objects_v2(Bucket=BUCKET, Prefix=L, Delimiter='/')
    eq([c['Prefix'] for c in r.get('CommonPrefixes', [])], [L + 'a/', L + 'b/', L + 'enc dir/'], 'CommonPrefixes')
    eq([o['Key'] for o in r['Contents']], [L + 'c', L + 'd', L + 'e'], 'Contents')
    pages = list(S3.get_paginator('list_objects_v2').paginate(Bucket=BUCKET, Prefix=L, PaginationConfig={'PageSize': 2}))
    eq([len(p.get('Contents', [])) for p in pages], [2, 2, 2, 1], 'page sizes')
    eq([o['Key'] for o in S3.list_objects_v2(Bucket=BUCKET, Prefix=L, StartAfter=L + 'd')['Contents']], LKEYS[5:], 'StartAfter')

@check('list v2: explicit EncodingType=url (botocore leaves it encoded)')
def _():
    raw = S3.list_objects_v2(Bucket=BUCKET, Prefix=L + 'enc', EncodingType='url')['Contents'][0]['Key']
    if not CAPS.get('listEncodingTypeUrl', True):
        # The documented alternative: the target ignores EncodingType and returns the raw key.
        eq(raw, LKEYS[6], 'raw key from a target that ignores EncodingType=url')
        return
    eq(urllib.parse.unquote_plus(raw), LKEYS[6], 'explicit EncodingType=url decodes to the key')
    if raw == LKEYS[6]:
        raise AssertionError('key was not URL-encoded')

@check('list v1: delimiter, Marker pagination')
def _():
    r = S3.list_objects(Bucket=BUCKET, Prefix=L, Delimiter='/')
    eq([c['Prefix'] for c in r.get('CommonPrefixes', [])], [L + 'a/', L + 'b/', L + 'enc dir/'], 'CommonPrefixes')
    pages = list(S3.get_paginator('list_objects').paginate(Bucket=BUCKET, Prefix=L, PaginationConfig={'PageSize': 2}))
    eq([o['Key'] for p in pages for o in p.get('Contents', [])], LKEYS, 'all keys across pages')
    eq(len(pages), 4, 'page count')
    eq([o['Key'] for o in S3.list_objects(Bucket=BUCKET, Prefix=L, Marker=L + 'd')['Contents']], LKEYS[5:], 'Marker')

@check('head_bucket')
def _():
    eq(S3.head_bucket(Bucket=BUCKET)['ResponseMetadata']['HTTPStatusCode'], 200, 'status')

# ---- multipart --------------------------------------------------------------------------------------
@check('multipart: create, upload_part x2, upload_part_copy, list_parts, list_multipart_uploads, complete')
def _():
    k, src = P + 'mpu/assembled', P + 'mpu/source'
    parts = [os.urandom(5 * MiB), os.urandom(5 * MiB), os.urandom(MiB)]
    put(src, parts[2])
    uid = S3.create_multipart_upload(Bucket=BUCKET, Key=k)['UploadId']
    etags = [S3.upload_part(Bucket=BUCKET, Key=k, UploadId=uid, PartNumber=i + 1, Body=b,
                            ContentMD5=md5_b64(b))['ETag'] for i, b in enumerate(parts[:2])]
    r = S3.upload_part_copy(Bucket=BUCKET, Key=k, UploadId=uid, PartNumber=3, CopySource={'Bucket': BUCKET, 'Key': src})
    eq(r['CopyPartResult']['ETag'], copy_etag_of(parts[2]), 'copied part ETag')
    etags.append(etag_of(parts[2]))
    eq(etags, [etag_of(b) for b in parts], 'part ETags')
    lp = S3.list_parts(Bucket=BUCKET, Key=k, UploadId=uid)
    eq([(p['PartNumber'], p['Size']) for p in lp['Parts']], [(1, 5 * MiB), (2, 5 * MiB), (3, MiB)], 'parts')
    ups = S3.list_multipart_uploads(Bucket=BUCKET, Prefix=k).get('Uploads', [])
    eq([u['UploadId'] for u in ups if u['Key'] == k], [uid], 'listed uploads')
    S3.complete_multipart_upload(Bucket=BUCKET, Key=k, UploadId=uid, MultipartUpload={
        'Parts': [{'ETag': e, 'PartNumber': i + 1} for i, e in enumerate(etags)]})
    same(k, b''.join(parts))

@check('multipart: abort, then list_parts -> 404 NoSuchUpload')
def _():
    k = P + 'mpu/aborted'
    uid = S3.create_multipart_upload(Bucket=BUCKET, Key=k)['UploadId']
    S3.upload_part(Bucket=BUCKET, Key=k, UploadId=uid, PartNumber=1, Body=b'x' * 1000)
    S3.abort_multipart_upload(Bucket=BUCKET, Key=k, UploadId=uid)
    expect_error(lambda: S3.list_parts(Bucket=BUCKET, Key=k, UploadId=uid), 404, 'NoSuchUpload')

@check('managed transfer: upload_file above the multipart threshold, download_file identical')
def _():
    body = os.urandom(12 * MiB)
    cfg = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=4)
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, 'up.bin'), os.path.join(d, 'down.bin')
        with open(src, 'wb') as f:
            f.write(body)
        S3.upload_file(src, BUCKET, P + 'transfer/big.bin', Config=cfg)
        etag = S3.head_object(Bucket=BUCKET, Key=P + 'transfer/big.bin')['ETag']
        if not etag.endswith('-3"'):
            raise AssertionError('expected a 3-part multipart ETag, got %s' % etag)
        S3.download_file(BUCKET, P + 'transfer/big.bin', dst, Config=cfg)
        with open(dst, 'rb') as f:
            eq(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(body).hexdigest(), 'downloaded file')

# ---- presigned --------------------------------------------------------------------------------------
@check('presigned PUT and GET with urllib')
def _():
    k, body = P + 'presign/a file+name.bin', os.urandom(64 * 1024)
    url = S3.generate_presigned_url('put_object', Params={'Bucket': BUCKET, 'Key': k}, ExpiresIn=300)
    with urllib.request.urlopen(urllib.request.Request(url, data=body, method='PUT')) as r:
        eq(r.status, 200, 'presigned PUT status')
    url = S3.generate_presigned_url('get_object', Params={'Bucket': BUCKET, 'Key': k}, ExpiresIn=300)
    with urllib.request.urlopen(url) as r:
        eq(r.read(), body, 'presigned GET body')
    sig = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)['X-Amz-Signature'][0]
    bad = url.replace(sig, ('1' if sig[0] == '0' else '0') + sig[1:])
    try:
        urllib.request.urlopen(bad)
        raise AssertionError('tampered presigned URL was accepted')
    except urllib.error.HTTPError as e:
        eq(e.code, 403, 'tampered signature status')

# ---- cleanup ----------------------------------------------------------------------------------------
@check('cleanup: abort uploads and delete every key under the prefix')
def _():
    for u in S3.list_multipart_uploads(Bucket=BUCKET, Prefix=P).get('Uploads', []):
        S3.abort_multipart_upload(Bucket=BUCKET, Key=u['Key'], UploadId=u['UploadId'])
    keys = list_keys(P)
    for i in range(0, len(keys), 1000):
        S3.delete_objects(Bucket=BUCKET, Delete={'Objects': [{'Key': k} for k in keys[i:i + 1000]], 'Quiet': True})
    eq(list_keys(P), [], 'keys left')


print('%d passed, %d failed' % (RESULTS['passed'], RESULTS['failed']), flush=True)
sys.exit(1 if RESULTS['failed'] else 0)
