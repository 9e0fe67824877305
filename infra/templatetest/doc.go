// Package templatetest holds the tests of template.yaml itself: cfn-lint runs
// clean, the alarms are the ones of shared/catalog, each function's IAM policy
// names exactly the actions its code calls, the dashboard body is
// infra/dashboard.json, the hardening the design asks for (encryption,
// TLS-only access, IAM-authorised ingest, retries and dead-letter queues) is in
// place, and every function's arm64 bootstrap, built as sam build builds it,
// is at most 12 MB. It has no code besides its tests.
//
// Run from the repository root with
//
//	go test ./infra/templatetest/            # everything (needs cfn-lint)
//	go test -short ./infra/templatetest/     # without cfn-lint
//	go test ./infra/templatetest/ -update    # copy infra/dashboard.json into template.yaml
package templatetest
