import { describe, expect, it } from "@jest/globals";
import { customMetricPath } from "./custom-metrics.ts";

describe("customMetricPath", () => {
  it("asks for a Pods metric as Kubernetes' HPA does: the target's pods as labelSelector, the series as metricLabelSelector", () => {
    const path = customMetricPath(
      "shop",
      { resource: "pods", name: "*" },
      "requests_per_second",
      { matchLabels: { app: "web" } },
      { matchExpressions: [{ key: "verb", operator: "In", values: ["GET"] }] },
    );
    const url = new URL(path, "https://x");
    expect(url.pathname).toBe("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/requests_per_second");
    expect(url.searchParams.get("labelSelector")).toBe("app=web");
    expect(url.searchParams.get("metricLabelSelector")).toBe("verb in (GET)");
  });

  it("names one object, escaped, and leaves out the selectors not given", () => {
    expect(customMetricPath("shop", { resource: "ingresses.networking.k8s.io", name: "a b" }, "hits")).toBe(
      "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/ingresses.networking.k8s.io/a%20b/hits",
    );
  });
});
