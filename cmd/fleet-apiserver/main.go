// Command fleet-apiserver serves Spillway's fleet API (docs/adr/0008): one Kubernetes API over every
// member cluster, for unmodified kubectl, client-go, Helm and Argo CD. It is kube-apiserver's own
// code — Table output, field selectors, WatchList, RBAC, OpenAPI and admission all come from
// Kubernetes itself — on the host's storage for what lives on the federation (spillway.dev kinds,
// namespaces, RBAC), and on cluster-gateway's etcd-API shim (--etcd-servers-overrides) for the
// member-resident resources (pods, nodes, events, services, …). It ships in the Spillway image and
// runs beside cluster-gateway (charts/spillway, fleetAPI.enabled); the testbed runs this same build.
//
// It differs from kube-apiserver in three ways, each because this server shares the host's storage
// but not the host's network or its controllers:
//
//   - Services named by APIServices and webhooks are resolved on the HOST (--host-kubeconfig),
//     where they live, not among the members' Services this server stores; otherwise every
//     aggregated API and webhook of the host would be unreachable through the fleet API.
//     kube-apiserver builds its resolver inside its config assembly (app.CreateKubeAPIServerConfig)
//     from its own informers, and its only hook to replace it is app.SetServiceResolverForTests:
//     no flag or option does this, and copying the config assembly (~150 lines of kube-apiserver
//     that change every release) to inject one would be worse than calling the hook once, before
//     any server is built, as it is meant to be called.
//   - The controller that writes the Available condition of aggregated APIServices is off: the
//     host owns those objects, and a second writer with another view of the network would flap
//     them (and the host's aggregator refuses traffic to an APIService marked unavailable).
//   - The Service IP and node-port repair loops are off: the fleet's Services are the members',
//     whose cluster IPs come from overlapping ranges (every member has its own `kubernetes`
//     Service at the same address), so the initial "allocation check" can never pass and
//     kube-apiserver would exit. The fleet API allocates nothing: it refuses Service creates.
package main

import (
	"fmt"
	"os"
	"time"
	_ "time/tzdata"

	"github.com/spf13/cobra"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/util/webhook"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/component-base/cli"
	basecompatibility "k8s.io/component-base/compatibility"
	logsapi "k8s.io/component-base/logs/api/v1"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/component-base/version/verflag"
	aggregatorapiserver "k8s.io/kube-aggregator/pkg/apiserver"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	"k8s.io/kubernetes/cmd/kube-apiserver/app/options"
)

func newFleetAPIServerCommand() *cobra.Command {
	s := options.NewServerRunOptions()
	ctx := genericapiserver.SetupSignalContext()
	var hostKubeconfig string
	cmd := &cobra.Command{
		Use:          "fleet-apiserver",
		Short:        "kube-apiserver as Spillway's fleet API: host storage, member-resident resources from cluster-gateway",
		SilenceUsage: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			if err := s.GenericServerRunOptions.ComponentGlobalsRegistry.Set(); err != nil {
				return err
			}
			rest.SetDefaultWarningHandler(rest.NoWarnings{})
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			verflag.PrintAndExitIfRequested()
			gate := s.GenericServerRunOptions.ComponentGlobalsRegistry.FeatureGateFor(basecompatibility.DefaultKubeComponent)
			if err := logsapi.ValidateAndApply(s.Logs, gate); err != nil {
				return err
			}
			if hostKubeconfig == "" {
				return fmt.Errorf("--host-kubeconfig is required: the fleet API resolves the host's Services (aggregated APIs, webhooks) through it")
			}
			resolver, err := hostServiceResolver(ctx.Done(), hostKubeconfig)
			if err != nil {
				return err
			}
			// The one hook for kube-apiserver's service resolver (see the package comment); it is
			// used for every resolution: aggregator, admission and conversion webhooks.
			apiserver.SetServiceResolverForTests(resolver)

			completed, err := s.Complete(ctx)
			if err != nil {
				return err
			}
			if errs := completed.Validate(); len(errs) != 0 {
				return utilerrors.NewAggregate(errs)
			}
			config, err := apiserver.NewConfig(completed)
			if err != nil {
				return err
			}
			config.Aggregator.ExtraConfig.DisableRemoteAvailableConditionController = true
			config.KubeAPIs.ControlPlane.Generic.DisabledPostStartHooks.Insert("start-service-ip-repair-controllers")
			done, err := config.Complete()
			if err != nil {
				return err
			}
			server, err := apiserver.CreateServerChain(done)
			if err != nil {
				return err
			}
			prepared, err := server.PrepareRun()
			if err != nil {
				return err
			}
			return prepared.Run(ctx)
		},
	}
	fs := cmd.Flags()
	for _, f := range s.Flags().FlagSets {
		fs.AddFlagSet(f)
	}
	fs.StringVar(&hostKubeconfig, "host-kubeconfig", "", "kubeconfig of the host cluster, whose Services back its APIServices and webhooks")
	return cmd
}

// hostServiceResolver resolves a Service by its ClusterIP (or ExternalName) as the host has it.
func hostServiceResolver(stop <-chan struct{}, kubeconfig string) (webhook.ServiceResolver, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("--host-kubeconfig %s: %w", kubeconfig, err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("--host-kubeconfig %s: %w", kubeconfig, err)
	}
	factory := informers.NewSharedInformerFactory(client, 10*time.Minute)
	services := factory.Core().V1().Services()
	informer := services.Informer()
	factory.Start(stop)
	if !cache.WaitForCacheSync(stop, informer.HasSynced) {
		return nil, fmt.Errorf("cannot list the host's Services through %s", kubeconfig)
	}
	return aggregatorapiserver.NewClusterIPServiceResolver(services.Lister()), nil
}

func main() {
	os.Exit(cli.Run(newFleetAPIServerCommand()))
}
