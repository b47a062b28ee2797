package main

// fleet-informer is the client-go proof of the fleet API (docs/adr/0008, 0009): a
// SharedInformerFactory for pods, nodes and Deployments, the way every Kubernetes controller
// reads, pointed at any kubeconfig context.
// Whenever its cache changes it prints one JSON line with what the cache holds, so a test can
// compare it with the members. It uses client-go's defaults, WatchList included when the
// KUBE_FEATURE_WatchListClient environment variable turns it on.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

type cacheLine struct {
	// Pods as "<cluster label>/<namespace>/<name>/<uid>", sorted.
	Pods  []string `json:"pods"`
	Nodes int      `json:"nodes"`
	// Deployments as "<name>/<ready>/<replicas>/<generation>/<observedGeneration>", sorted.
	Deployments []string `json:"deployments"`
}

func newFleetInformerCommand() *cobra.Command {
	var kubeconfig, kubeContext, namespace string
	cmd := &cobra.Command{
		Use:          "fleet-informer",
		Short:        "run client-go informers for pods and nodes and print their cache as JSON lines on every change",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig}
			cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext}).ClientConfig()
			if err != nil {
				return fmt.Errorf("kubeconfig %s, context %s: %w", kubeconfig, kubeContext, err)
			}
			client, err := kubernetes.NewForConfig(cfg)
			if err != nil {
				return err
			}
			factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(namespace))
			pods := factory.Core().V1().Pods().Informer()
			nodes := factory.Core().V1().Nodes().Informer()
			deployments := factory.Apps().V1().Deployments().Informer()
			changed := make(chan struct{}, 1)
			poke := func() {
				select {
				case changed <- struct{}{}:
				default:
				}
			}
			handler := cache.ResourceEventHandlerFuncs{
				AddFunc:    func(any) { poke() },
				UpdateFunc: func(any, any) { poke() },
				DeleteFunc: func(any) { poke() },
			}
			if _, err := pods.AddEventHandler(handler); err != nil {
				return err
			}
			if _, err := nodes.AddEventHandler(handler); err != nil {
				return err
			}
			if _, err := deployments.AddEventHandler(handler); err != nil {
				return err
			}
			ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			stop := ctx.Done()
			factory.Start(stop)
			if !cache.WaitForCacheSync(stop, pods.HasSynced, nodes.HasSynced, deployments.HasSynced) {
				return fmt.Errorf("informers did not sync")
			}
			var mu sync.Mutex
			print := func() {
				mu.Lock()
				defer mu.Unlock()
				line := cacheLine{Pods: []string{}, Nodes: len(nodes.GetStore().ListKeys()), Deployments: []string{}}
				for _, o := range deployments.GetStore().List() {
					d := o.(*appsv1.Deployment)
					replicas := int32(1)
					if d.Spec.Replicas != nil {
						replicas = *d.Spec.Replicas
					}
					line.Deployments = append(line.Deployments, fmt.Sprintf("%s/%d/%d/%d/%d", d.Name, d.Status.ReadyReplicas, replicas, d.Generation, d.Status.ObservedGeneration))
				}
				sort.Strings(line.Deployments)
				for _, o := range pods.GetStore().List() {
					p := o.(*corev1.Pod)
					line.Pods = append(line.Pods, fmt.Sprintf("%s/%s/%s/%s", p.Labels["spillway.dev/cluster"], p.Namespace, p.Name, p.UID))
				}
				sort.Strings(line.Pods)
				b, _ := json.Marshal(line)
				fmt.Fprintln(os.Stdout, string(b))
			}
			print()
			for {
				select {
				case <-stop:
					return nil
				case <-changed:
					// Coalesce a burst of changes into one line.
					time.Sleep(100 * time.Millisecond)
					print()
				}
			}
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig file")
	cmd.Flags().StringVar(&kubeContext, "context", "", "kubeconfig context (e.g. fleet)")
	cmd.Flags().StringVar(&namespace, "namespace", "", "namespace of the pod informer (all when empty)")
	return cmd
}
