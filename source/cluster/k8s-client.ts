// The one door to @kubernetes/client-node: every value the project uses from
// it is re-exported here, so one module decides how it is loaded. After tsc,
// the build (source/build/bundle-k8s-client.mjs) replaces the compiled copy of
// this file with an esbuild bundle of client-node and its dependencies: the
// unbundled package is ~970 ESM files and costs ~0.4 s to import on Node 20
// (no module compile cache before Node 22), the bundle ~0.1 s. Every pod that
// talks to the API (kube-proxy, the gateway controller and proxies) and every
// CLI command that does pays that import on its critical path.
// Types are imported from the package directly (they cost nothing at run time).
export {
  ADD,
  CoreV1Api,
  DELETE,
  DiscoveryV1Api,
  ERROR,
  KubeConfig,
  KubernetesObjectApi,
  ListWatch,
  Log,
  makeInformer,
  PatchStrategy,
  UPDATE,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
