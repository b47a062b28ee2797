//go:build tools

// Package tools pins Argo CD, built with `go build github.com/argoproj/argo-cd/v3/cmd` from this
// module: the GitOps tests run the real application-controller and repo-server (one multi-call
// binary, chosen by ARGOCD_BINARY_NAME) and the real `argocd admin` health runner. Argo CD's own
// go.mod replaces gitops-engine with its ./gitops-engine folder, which a dependency's replace
// cannot do, so the tagged gitops-engine module is required here instead.
package tools

import _ "github.com/argoproj/argo-cd/v3/cmd"
