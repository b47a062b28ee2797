// Command coredns is the testbed host's cluster DNS: CoreDNS, the DNS every Kubernetes
// distribution ships, built with only the plugins the host node's pods use (Service and pod names
// from the host's API, everything else forwarded), as CoreDNS documents for custom builds.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
)

// The order plugins run in, as CoreDNS's plugin.cfg lists them.
var directives = []string{"bind", "health", "errors", "cache", "kubernetes", "forward"}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
