"""Write a SAM template as CloudFormation deploys it: both transforms applied.

    .tools/sam/bin/python tools/sam_transform.py template.yaml [Key=Value ...] -o transformed.json

It runs, offline, what CloudFormation runs on a deploy: the AWS::LanguageExtensions
transform (Fn::ForEach) and then the AWS::Serverless transform (the SAM translator that
the SAM CLI bundles). Parameters take their defaults unless given as Key=Value. The
result is for static checks (checkov in `make lint`): nothing is deployed and no AWS API
is called; managed policies are looked up only in the map bundled with the translator.

Fn::ForEach is expanded with cfn-lint's implementation (the cfn-lint that `sam validate
--lint` runs, in the same virtualenv), which leaves every other intrinsic function as it
is, as CloudFormation does. The SAM CLI's own expander
(samcli.lib.cfn_language_extensions) resolves what it can for local runs and, in its
partial mode, turns an Fn::Sub it cannot resolve into a plain string
("${DataBucket.Arn}/*"), which would hide the real policies from the checks.
"""

import argparse
import json
import os
import sys

from cfnlint.decode import decode_str
from cfnlint.template import Template
from cfnlint.template.transforms._language_extensions import language_extension
from samtranslator.translator.arn_generator import ArnGenerator
from samtranslator.translator.transform import transform

# Pseudo parameters for the translator (it builds ARNs with the partition of the region).
PSEUDO_PARAMETERS = {
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::StackName": "modelwatch",
    "AWS::URLSuffix": "amazonaws.com",
}


class BundledPoliciesOnly:
    """A managed-policy loader that never calls IAM.

    The translator resolves AWS managed policy names from the map bundled with it
    and asks the loader only for a name that map lacks; such a name is an error
    here (give the policy's ARN in the template instead).
    """

    def load(self):
        raise SystemExit(
            "sam_transform: the template names a managed policy the SAM translator's "
            "bundled map does not know; name it by its ARN"
        )


# Where `sam package` would have uploaded the functions' code (only the form matters here).
CODE_LOCATION = "s3://artifacts-bucket/code.zip"


def is_local(uri):
    return isinstance(uri, str) and not uri.startswith("s3://")


def package_locally(fragment, template_dir):
    """Replace local artifacts as `sam package` does, without uploading them.

    A function's local CodeUri (in Globals or on the function) becomes an S3 location;
    a state machine's local DefinitionUri becomes its Definition, read from the file,
    so the checks see the workflow itself.
    """
    globals_fn = (fragment.get("Globals") or {}).get("Function") or {}
    if is_local(globals_fn.get("CodeUri")):
        globals_fn["CodeUri"] = CODE_LOCATION
    for logical_id, resource in (fragment.get("Resources") or {}).items():
        props = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Serverless::Function" and is_local(props.get("CodeUri")):
            props["CodeUri"] = CODE_LOCATION
        if resource.get("Type") == "AWS::Serverless::StateMachine" and is_local(props.get("DefinitionUri")):
            path = os.path.join(template_dir, props.pop("DefinitionUri"))
            try:
                with open(path, encoding="utf-8") as f:
                    props["Definition"] = json.load(f)
            except (OSError, ValueError) as e:
                raise SystemExit(f"sam_transform: {logical_id}: read the state machine definition {path}: {e}") from e


def parameter_values(template, overrides):
    """The parameters' defaults, with Key=Value overrides applied."""
    values = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if "Default" in spec:
            default = spec["Default"]
            values[name] = default if isinstance(default, str) else json.dumps(default)
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or key not in (template.get("Parameters") or {}):
            raise SystemExit(f"sam_transform: {item!r} is not Key=Value for a parameter of the template")
        values[key] = value
    return values


def expand_for_each(template, path):
    """The template with its Fn::ForEach loops expanded (cfn-lint's expander)."""
    matches, expanded = language_extension(Template(path, template, [PSEUDO_PARAMETERS["AWS::Region"]]))
    if matches:
        raise SystemExit("sam_transform: Fn::ForEach: " + "; ".join(str(m) for m in matches))
    # Plain dicts, lists and strings for the translator.
    expanded = json.loads(json.dumps(expanded))
    transforms = expanded.get("Transform")
    if isinstance(transforms, list):  # the language extensions are applied; the SAM transform remains
        transforms = [t for t in transforms if t != "AWS::LanguageExtensions"]
        expanded["Transform"] = transforms[0] if len(transforms) == 1 else transforms
    return expanded


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", help="the SAM template (YAML or JSON)")
    parser.add_argument("overrides", nargs="*", metavar="Key=Value", help="parameter values")
    parser.add_argument("-o", "--output", help="write here instead of standard output")
    args = parser.parse_args()

    try:
        with open(args.template, encoding="utf-8") as f:
            template, matches = decode_str(f.read())
    except OSError as e:
        raise SystemExit(f"sam_transform: read {args.template}: {e}") from e
    if matches:
        raise SystemExit(f"sam_transform: decode {args.template}: " + "; ".join(str(m) for m in matches))

    values = parameter_values(template, args.overrides)
    # The expander takes list parameters (Models) from their defaults: make the
    # overrides the defaults.
    for item in args.overrides:
        name = item.partition("=")[0]
        template["Parameters"][name]["Default"] = values[name]
    fragment = expand_for_each(template, args.template)
    package_locally(fragment, os.path.dirname(os.path.abspath(args.template)))

    # The translator reads the region from a boto session (no call is made): make it
    # this fixed one, whatever the caller's AWS configuration says.
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        os.environ[name] = PSEUDO_PARAMETERS["AWS::Region"]
    ArnGenerator.BOTO_SESSION_REGION_NAME = PSEUDO_PARAMETERS["AWS::Region"]
    try:
        out = transform(fragment, {**values, **PSEUDO_PARAMETERS}, BundledPoliciesOnly())
    except Exception as e:  # the translator raises its own exception types, with the reasons in the message
        raise SystemExit(f"sam_transform: the SAM transform of {args.template} failed: {e}") from e

    text = json.dumps(out, indent=2, sort_keys=True) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
