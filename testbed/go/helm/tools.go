//go:build tools

// Package tools pins Helm, built with `go build helm.sh/helm/v3/cmd/helm` from this module: the
// tests that claim Helm compatibility run the real helm CLI.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
