//go:build tools

// Package tools pins krew, built with `go build sigs.k8s.io/krew/cmd/krew` from this module: the
// kubectl plugin's krew manifest and archive are installed by the real krew in the e2e suite.
package tools

import _ "sigs.k8s.io/krew/cmd/krew"
