// testbed-metrics-adapter: a real custom.metrics.k8s.io and external.metrics.k8s.io API server,
// built on sigs.k8s.io/custom-metrics-apiserver (the library every production adapter uses), whose
// values tests write over HTTP. The library's own test-adapter serves external metrics fixed in
// its code, so it cannot stand in for a queue whose length a test changes; this one keeps every
// value written, custom and external alike, and serves them through the aggregated APIs.
//
// It answers as Prometheus Adapter does, from its own cluster: a read by selector
// (`pods/*/{metric}?labelSelector=`) lists the objects the selector matches in the cluster it
// serves and returns the values of those alone. The testbed runs one in each member (Pods
// metrics, where the pods are) and one on the host (Object and External metrics).
//
// Writes (loopback only): POST {write-addr}/write-metrics/namespaces/{ns}/{resource}/{name}/{metric}
// and POST {write-addr}/write-external-metrics/namespaces/{ns}/{metric}, body a JSON quantity ("42").
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	apierr "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/component-base/logs"
	"k8s.io/klog/v2"
	"k8s.io/metrics/pkg/apis/custom_metrics"
	"k8s.io/metrics/pkg/apis/external_metrics"

	basecmd "sigs.k8s.io/custom-metrics-apiserver/pkg/cmd"
	"sigs.k8s.io/custom-metrics-apiserver/pkg/provider"
)

type key struct {
	resource  string // plural resource, e.g. "pods", "federateddeployments.spillway.dev"
	namespace string
	name      string
	metric    string
}

type value struct {
	q  resource.Quantity
	at metav1.Time
}

type store struct {
	mu       sync.RWMutex
	custom   map[key]value
	external map[key]value // name unused
	// The cluster this adapter serves: what a selector matches is listed there.
	client dynamic.Interface
	mapper apimeta.RESTMapper
}

func (s *store) GetMetricByName(_ context.Context, name types.NamespacedName, info provider.CustomMetricInfo, _ labels.Selector) (*custom_metrics.MetricValue, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k := key{info.GroupResource.String(), name.Namespace, name.Name, info.Metric}
	v, ok := s.custom[k]
	if !ok {
		return nil, provider.NewMetricNotFoundForError(info.GroupResource, info.Metric, name.Name)
	}
	return metricValue(k, info, v), nil
}

// The objects the selector matches in this adapter's own cluster, and the values written for them
// (values carry no metric labels: the metric selector is not applied).
func (s *store) GetMetricBySelector(ctx context.Context, namespace string, selector labels.Selector, info provider.CustomMetricInfo, _ labels.Selector) (*custom_metrics.MetricValueList, error) {
	gvr, err := s.mapper.ResourceFor(info.GroupResource.WithVersion(""))
	if err != nil {
		return nil, apierr.NewBadRequest(fmt.Sprintf("unknown resource %s: %v", info.GroupResource, err))
	}
	objects, err := s.client.Resource(gvr).Namespace(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, apierr.NewInternalError(fmt.Errorf("listing %s in %s: %w", info.GroupResource, namespace, err))
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := &custom_metrics.MetricValueList{}
	for _, o := range objects.Items {
		k := key{info.GroupResource.String(), namespace, o.GetName(), info.Metric}
		if v, ok := s.custom[k]; ok {
			list.Items = append(list.Items, *metricValue(k, info, v))
		}
	}
	return list, nil
}

func metricValue(k key, info provider.CustomMetricInfo, v value) *custom_metrics.MetricValue {
	kind := info.GroupResource.Resource
	return &custom_metrics.MetricValue{
		DescribedObject: custom_metrics.ObjectReference{Kind: kind, Namespace: k.namespace, Name: k.name},
		Metric:          custom_metrics.MetricIdentifier{Name: info.Metric},
		Timestamp:       v.at,
		Value:           v.q,
	}
}

func (s *store) ListAllMetrics() []provider.CustomMetricInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[provider.CustomMetricInfo]bool{}
	var out []provider.CustomMetricInfo
	for k := range s.custom {
		i := provider.CustomMetricInfo{GroupResource: schema.ParseGroupResource(k.resource), Namespaced: k.namespace != "", Metric: k.metric}
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	return out
}

func (s *store) GetExternalMetric(_ context.Context, namespace string, _ labels.Selector, info provider.ExternalMetricInfo) (*external_metrics.ExternalMetricValueList, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.external[key{namespace: namespace, metric: info.Metric}]
	if !ok {
		return nil, apierr.NewNotFound(schema.GroupResource{Group: "external.metrics.k8s.io", Resource: info.Metric}, namespace)
	}
	return &external_metrics.ExternalMetricValueList{Items: []external_metrics.ExternalMetricValue{
		{MetricName: info.Metric, MetricLabels: map[string]string{}, Timestamp: v.at, Value: v.q},
	}}, nil
}

func (s *store) ListAllExternalMetrics() []provider.ExternalMetricInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []provider.ExternalMetricInfo
	for k := range s.external {
		out = append(out, provider.ExternalMetricInfo{Metric: k.metric})
	}
	return out
}

// ServeHTTP takes the writes.
func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST a JSON quantity", http.StatusMethodNotAllowed)
		return
	}
	var raw string
	var body json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "body must be a JSON quantity: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		raw = string(body) // a bare number
	}
	q, err := resource.ParseQuantity(raw)
	if err != nil {
		http.Error(w, fmt.Sprintf("%q is not a quantity: %v", raw, err), http.StatusBadRequest)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	v := value{q: q, at: metav1.NewTime(time.Now())}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case len(parts) == 6 && parts[0] == "write-metrics" && parts[1] == "namespaces":
		s.custom[key{parts[3], parts[2], parts[4], parts[5]}] = v
	case len(parts) == 4 && parts[0] == "write-external-metrics" && parts[1] == "namespaces":
		s.external[key{namespace: parts[2], metric: parts[3]}] = v
	default:
		http.Error(w, "paths: /write-metrics/namespaces/{ns}/{resource}/{name}/{metric}, /write-external-metrics/namespaces/{ns}/{metric}", http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func main() {
	logs.InitLogs()
	defer logs.FlushLogs()
	cmd := &basecmd.AdapterBase{Name: "testbed-metrics-adapter"}
	var writeAddr string
	cmd.Flags().StringVar(&writeAddr, "write-addr", "127.0.0.1:8080", "where tests write metric values")
	logs.AddFlags(cmd.Flags())
	if err := cmd.Flags().Parse(os.Args); err != nil {
		klog.Fatalf("unable to parse flags: %v", err)
	}
	client, err := cmd.DynamicClient()
	if err != nil {
		klog.Fatalf("unable to make a client for the served cluster: %v", err)
	}
	mapper, err := cmd.RESTMapper()
	if err != nil {
		klog.Fatalf("unable to map the served cluster's resources: %v", err)
	}
	s := &store{custom: map[key]value{}, external: map[key]value{}, client: client, mapper: mapper}
	cmd.WithCustomMetrics(s)
	cmd.WithExternalMetrics(s)
	go func() {
		server := &http.Server{Addr: writeAddr, Handler: s, ReadHeaderTimeout: 3 * time.Second}
		klog.Fatal(server.ListenAndServe())
	}()
	if err := cmd.Run(context.Background()); err != nil {
		klog.Fatalf("unable to run the metrics adapter: %v", err)
	}
}
