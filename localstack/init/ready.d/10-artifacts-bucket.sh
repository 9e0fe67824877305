#!/bin/bash
# LocalStack init hook (runs inside the container once LocalStack is ready):
# the bucket `make local-deploy` uploads the SAM build to.
set -euo pipefail
bucket="${MODELWATCH_ARTIFACTS_BUCKET:-modelwatch-artifacts}"
if ! awslocal s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
  awslocal s3api create-bucket --bucket "$bucket" >/dev/null
fi
echo "modelwatch: artifacts bucket s3://$bucket ready"
