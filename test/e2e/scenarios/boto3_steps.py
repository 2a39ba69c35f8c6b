"""Runs S3 calls with boto3 and prints one JSON result per call: what access-policies.test.ts decides.

Usage: boto3_steps.py ENDPOINT STEPS_JSON. Each step: {"key_id", "secret", "op", "bucket", "key", ...};
each result: {"ok": true} or {"ok": false, "code": "AccessDenied", "status": 403}. No retries.
A "walk" step pages through a listing (api v1, v2 or versions; page_size; delimiter) with boto3's own
paginator and adds what it saw: {"ok": true, "keys": [...], "prefixes": [...], "pages": n}; a
"delete_objects" step adds the batch's result: {"ok": true, "deleted": [...], "errors": [[key, code], ...]}.
"""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


WALKS = {
    "v1": ("list_objects", "Contents"),
    "v2": ("list_objects_v2", "Contents"),
    "versions": ("list_object_versions", "Versions"),
}


def walk(s3, step):
    name, entries = WALKS[step["api"]]
    pages = s3.get_paginator(name).paginate(
        Bucket=step["bucket"], Prefix=step.get("prefix", ""), Delimiter=step.get("delimiter", ""),
        PaginationConfig={"PageSize": step["page_size"]},
    )
    seen = {"keys": [], "prefixes": [], "pages": 0}
    for page in pages:
        seen["pages"] += 1
        seen["keys"] += [entry["Key"] for entry in page.get(entries, [])]
        seen["prefixes"] += [entry["Prefix"] for entry in page.get("CommonPrefixes", [])]
    return seen


def call(s3, step):
    op, b, k = step["op"], step["bucket"], step.get("key", "")
    if op == "put":
        s3.put_object(Bucket=b, Key=k, Body=b"x" * 100)
    elif op == "get":
        s3.get_object(Bucket=b, Key=k)["Body"].read()
    elif op == "delete":
        s3.delete_object(Bucket=b, Key=k)
    elif op == "copy":
        s3.copy_object(Bucket=b, Key=k, CopySource={"Bucket": b, "Key": step["source"]})
    elif op == "list":
        s3.list_objects_v2(Bucket=b, Prefix=step.get("prefix", ""), Delimiter="/")
    elif op == "multipart":
        upload = s3.create_multipart_upload(Bucket=b, Key=k)["UploadId"]
        part = s3.upload_part(Bucket=b, Key=k, UploadId=upload, PartNumber=1, Body=b"y" * 1024)
        s3.complete_multipart_upload(
            Bucket=b, Key=k, UploadId=upload, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
        )
    elif op == "walk":
        return walk(s3, step)
    elif op == "delete_objects":
        out = s3.delete_objects(
            Bucket=b, Delete={"Objects": [{"Key": key} for key in step["keys"]], "Quiet": step.get("quiet", False)}
        )
        return {
            "deleted": [d["Key"] for d in out.get("Deleted", [])],
            "errors": [[e["Key"], e["Code"]] for e in out.get("Errors", [])],
        }
    else:
        raise ValueError(op)


def main():
    endpoint, steps = sys.argv[1], json.loads(sys.argv[2])
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, signature_version="s3v4")
    results = []
    for step in steps:
        s3 = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1", config=config,
            aws_access_key_id=step["key_id"], aws_secret_access_key=step["secret"],
        )
        try:
            results.append({"ok": True, **(call(s3, step) or {})})
        except ClientError as e:
            results.append({"ok": False, "code": e.response["Error"].get("Code"), "status": e.response["ResponseMetadata"]["HTTPStatusCode"]})
    print(json.dumps(results))


main()
