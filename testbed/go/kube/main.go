// Command kube is a multi-call binary holding the Kubernetes control-plane components the
// testbed runs: kube-apiserver, kube-controller-manager, kube-scheduler and kubectl, and the
// fleet-informer test client (the fleet apiserver is a product component: cmd/fleet-apiserver). One binary
// links the shared dependency graph once instead of four times, which on a 2-core machine is the
// difference between minutes and a quarter of an hour. The component is chosen by the name it is
// invoked as (symlinks in .testbed/bin) or, failing that, by the first argument.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	_ "time/tzdata"

	"github.com/spf13/cobra"
	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubectl "k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

var components = map[string]func() *cobra.Command{
	"kube-apiserver":          apiserver.NewAPIServerCommand,
	"kube-controller-manager": controllermanager.NewControllerManagerCommand,
	"kube-scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
	"fleet-informer":          newFleetInformerCommand,
}

func main() {
	name := filepath.Base(os.Args[0])
	if name != "kubectl" && components[name] == nil && len(os.Args) > 1 {
		name = os.Args[1]
		os.Args = append([]string{name}, os.Args[2:]...)
	}
	if name == "kubectl" {
		logs.GlogSetter(kubectl.GetLogVerbosity(os.Args)) // nolint:errcheck
		if err := cli.RunNoErrOutput(kubectl.NewDefaultKubectlCommand()); err != nil {
			util.CheckErr(err)
		}
		return
	}
	newCommand, ok := components[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "usage: kube {kube-apiserver|fleet-informer|kube-controller-manager|kube-scheduler|kubectl} [flags]\n")
		os.Exit(2)
	}
	os.Exit(cli.Run(newCommand()))
}
