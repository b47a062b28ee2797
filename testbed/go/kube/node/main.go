// Command kube-node holds what the testbed's host node runs beside containerd: the kubelet and
// kube-proxy, from the same Kubernetes build as the control plane (../main.go). It is a binary of
// its own so that the demo, which needs no node, never links it; `make test` does, for the chart's
// install test (docs/adr/0012). The component is chosen by the name it is invoked as, or by the
// first argument.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	_ "time/tzdata"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
)

var components = map[string]func() *cobra.Command{
	"kubelet":    func() *cobra.Command { return kubelet.NewKubeletCommand(context.Background()) },
	"kube-proxy": proxy.NewProxyCommand,
}

func main() {
	name := filepath.Base(os.Args[0])
	if components[name] == nil && len(os.Args) > 1 {
		name = os.Args[1]
		os.Args = append([]string{name}, os.Args[2:]...)
	}
	newCommand, ok := components[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "usage: kube-node {kubelet|kube-proxy} [flags]\n")
		os.Exit(2)
	}
	os.Exit(cli.Run(newCommand()))
}
