// Package cfntemplate reads modelwatch's template.yaml the way CloudFormation
// would before the SAM transform: it decodes the YAML short forms of the
// intrinsic functions (!Ref, !Sub, !GetAtt, ...) into their long JSON forms,
// expands Fn::ForEach loops (the AWS::LanguageExtensions transform) for given
// parameter values, and renders Fn::Sub strings.
//
// It implements only what the template tests and the end-to-end test need to
// read the template's own definitions (alarms, policies, the dashboard body,
// the state machine's substitutions); it is not a CloudFormation engine. The
// full check of the template is cfn-lint's.
package cfntemplate
