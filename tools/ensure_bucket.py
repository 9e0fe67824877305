"""Creates the S3 bucket named on the command line unless it exists (the local emulator's SAM artifacts)."""
import sys

import boto3
from botocore.exceptions import ClientError


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: ensure_bucket.py BUCKET", file=sys.stderr)
        return 2
    bucket = sys.argv[1]
    s3 = boto3.client("s3")
    try:
        s3.head_bucket(Bucket=bucket)
        return 0
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            print(f"ensure_bucket: head bucket {bucket}: {err}", file=sys.stderr)
            return 1
    s3.create_bucket(Bucket=bucket)
    print(f"created bucket {bucket}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
