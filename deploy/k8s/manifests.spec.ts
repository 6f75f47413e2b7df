import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { loadConfig } from '@missive/config';
import { Metrics } from '@missive/observability';

/**
 * Unit test of deploy/k8s (no cluster): every YAML parses, every Kubernetes object validates against the
 * Kubernetes 1.27 OpenAPI schemas (kubernetes-models: types, required fields, formats; unknown fields are NOT
 * rejected by those schemas, which is why the checks below look for the fields that matter by name), the
 * kustomizations reference files that exist, and each region overlay, rendered by `kubectl kustomize` (kustomize
 * itself; skipped, visibly, where no kubectl is installed), has for every service a Deployment with both probes,
 * requests and limits, a Service, a PodDisruptionBudget and a HorizontalPodAutoscaler.
 */

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROOT = join(__dirname, '..', '..');
const K8S = __dirname;
const SERVICES = ['contacts', 'campaigns', 'tracking', 'unsubscribe', 'privacy', 'support'] as const;
/** Services that scale on Kafka consumer lag as well as CPU. */
const LAG_SCALED: Record<string, string> = { campaigns: 'campaigns', tracking: 'tracking' };
const REGIONS = [
  { overlay: 'na', region: 'NA', other: 'eea' },
  { overlay: 'eea', region: 'EEA', other: 'na' },
] as const;
// Each region's Secret holds its own regional database only: a regional instance never connects to the other (R-T2).
const SECRET_KEYS = [
  'DATABASE_URL_GLOBAL',
  'TENANT_KEY_MASTER',
  'LINK_TOKEN_KEYS',
  'AUDIT_CHAIN_KEYS',
  'SUPPORT_BOOTSTRAP_TOKEN',
  'SMTP_URL',
  'KAFKA_SASL_PASSWORD',
];

const MODELS: Record<string, new (data: Obj) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

function parseYaml(text: string, where: string): unknown[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS();
  });
}

function isKubernetesObject(doc: unknown): doc is Obj {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'apiVersion' in doc && 'kind' in doc;
}

/** Validates one object with its kubernetes-models class; throws naming the object and the schema errors. */
function validateObject(obj: Obj, where: string): void {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) throw new Error(`${where}: no schema model for ${obj.apiVersion}/${obj.kind} (add it to MODELS)`);
  try {
    new Model(obj).validate();
  } catch (error) {
    throw new Error(`${where}: ${obj.kind} ${obj.metadata?.name}: ${(error as Error).message}`);
  }
}

/** The variables libs/config reads, from the EnvSchema class's field declarations. */
function envSchemaKeys(): Set<string> {
  const source = readFileSync(join(ROOT, 'libs/config/src/env.schema.ts'), 'utf8');
  return new Set([...source.matchAll(/^\s{2}([A-Z][A-Z0-9_]*)\??\s*[:=]/gm)].map((m) => m[1]));
}

function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function render(overlay: string): Obj[] {
  const out = execFileSync('kubectl', ['kustomize', join(K8S, 'overlays', overlay)], { encoding: 'utf8' });
  return parseYaml(out, `kubectl kustomize overlays/${overlay}`).filter(isKubernetesObject);
}

const find = (objs: Obj[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata?.name === name);

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

describe('deploy/k8s manifests: files', () => {
  const files = yamlFiles(K8S);

  it('has a base and the na and eea overlays', () => {
    for (const dir of ['base', 'overlays/na', 'overlays/eea']) {
      expect(existsSync(join(K8S, dir, 'kustomization.yaml'))).toBe(true);
    }
  });

  it('parses every YAML file and validates every Kubernetes object in it against the schemas', () => {
    let validated = 0;
    for (const file of files) {
      const where = relative(ROOT, file);
      for (const doc of parseYaml(readFileSync(file, 'utf8'), where)) {
        if (Array.isArray(doc)) {
          // A JSON patch (RFC 6902): operations with a path.
          for (const op of doc)
            expect(op).toEqual(expect.objectContaining({ op: expect.any(String), path: expect.any(String) }));
          continue;
        }
        if (!isKubernetesObject(doc)) throw new Error(`${where}: neither a Kubernetes object nor a JSON patch`);
        if (doc.kind === 'Kustomization') continue;
        validateObject(doc, where);
        validated++;
      }
    }
    expect(validated).toBeGreaterThan(SERVICES.length * 4);
  });

  it('references only existing files in the kustomizations, and leaves no manifest unreferenced', () => {
    const referenced = new Set<string>();
    for (const file of files.filter((f) => basename(f) === 'kustomization.yaml')) {
      const [k] = parseYaml(readFileSync(file, 'utf8'), file) as Obj[];
      const dir = dirname(file);
      const paths = [...(k.resources ?? []), ...(k.patches ?? []).map((p: Obj) => p.path).filter(Boolean)];
      for (const p of paths) {
        const target = join(dir, p);
        expect({ file: relative(ROOT, file), ref: p, exists: existsSync(target) }).toEqual(
          expect.objectContaining({ exists: true }),
        );
        referenced.add(target);
      }
    }
    const orphans = files
      .filter((f) => basename(f) !== 'kustomization.yaml' && !f.endsWith('.example.yaml'))
      .filter((f) => !referenced.has(f))
      .map((f) => relative(ROOT, f));
    expect(orphans).toEqual([]);
  });

  it('ships only placeholder secrets, outside the kustomizations, covering every secret the services read', () => {
    for (const { overlay, region } of REGIONS) {
      const file = join(K8S, 'overlays', overlay, 'secret.example.yaml');
      const [secret] = parseYaml(readFileSync(file, 'utf8'), file) as Obj[];
      validateObject(secret, relative(ROOT, file));
      expect(secret.metadata).toEqual(
        expect.objectContaining({ name: 'missive-secrets', namespace: `missive-${overlay}` }),
      );
      expect(secret.data).toBeUndefined();
      expect(Object.keys(secret.stringData).sort()).toEqual([...SECRET_KEYS, `DATABASE_URL_${region}`].sort());
      for (const [key, value] of Object.entries(secret.stringData)) {
        expect({ key, placeholder: String(value).includes('CHANGE_ME') }).toEqual({ key, placeholder: true });
      }
      expect(secret.stringData[`DATABASE_URL_${region}`]).toMatch(new RegExp(`/missive_${overlay}$`));
    }
    // No Secret object with values anywhere else under deploy/k8s.
    for (const file of yamlFiles(K8S).filter((f) => !f.endsWith('.example.yaml'))) {
      for (const doc of parseYaml(readFileSync(file, 'utf8'), file)) {
        expect(isKubernetesObject(doc) && doc.kind === 'Secret' ? relative(ROOT, file) : null).toBeNull();
      }
    }
  });

  it('sets only variables that libs/config knows', () => {
    const known = envSchemaKeys();
    expect(known.has('DATABASE_URL_NA')).toBe(true);
    const keys = yamlFiles(K8S).flatMap((file) =>
      parseYaml(readFileSync(file, 'utf8'), file)
        .filter(isKubernetesObject)
        .filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret')
        .flatMap((o) => Object.keys({ ...o.data, ...o.stringData })),
    );
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => !known.has(k))).toEqual([]);
  });

  it('builds every service it deploys: an entry point, a build step and one image', () => {
    const build = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.build as string;
    for (const service of SERVICES) {
      expect(existsSync(join(ROOT, 'apps', service, 'src', 'main.ts'))).toBe(true);
      expect(build).toContain(`nest build ${service}`);
    }
    const dockerfile = readFileSync(join(ROOT, 'deploy/docker/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM .* AS build$/m);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/COPY --from=build \/app\/dist/);
  });
});

const describeRendered = kubectlAvailable() ? describe : describe.skip;

describeRendered.each(REGIONS)(
  'deploy/k8s overlay $overlay, rendered by kubectl kustomize',
  ({ overlay, region, other }) => {
    const namespace = `missive-${overlay}`;
    let objs: Obj[];

    beforeAll(() => {
      objs = render(overlay);
    });

    it('validates every rendered object against the schemas, all in the region namespace', () => {
      expect(find(objs, 'Namespace', namespace)).toBeDefined();
      for (const obj of objs) {
        validateObject(obj, `overlays/${overlay}`);
        if (obj.kind !== 'Namespace')
          expect(`${obj.kind}/${obj.metadata.name} in ${obj.metadata.namespace}`).toBe(
            `${obj.kind}/${obj.metadata.name} in ${namespace}`,
          );
        expect(obj.metadata.labels?.['missive.io/region']).toBe(overlay);
      }
    });

    it("configures the region's own endpoints", () => {
      const config = find(objs, 'ConfigMap', 'missive-config')!.data as Record<string, string>;
      expect(config.REGIONS).toBe(region);
      expect(config.NODE_ENV).toBe('production');
      expect(config.PUBLIC_BASE_URL).toMatch(/^https:\/\//);
      for (const key of ['KAFKA_BROKERS', 'REDIS_URL', 'PUBLIC_BASE_URL']) {
        expect(config[key]).toContain(`${overlay}.`);
        expect(config[key]).not.toContain(`.${other}.`);
      }
      expect(config.KAFKA_BROKERS).toMatch(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/);
      // Production refuses Kafka without TLS and SASL (R-X2); the password comes from the Secret.
      expect(config).toEqual(
        expect.objectContaining({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: expect.stringMatching(/^scram-sha-/) }),
      );
      expect(config.KAFKA_SASL_USERNAME).toBeTruthy();
    });

    it.each(SERVICES)('%s: Deployment with probes, resources, config and secrets; Service, PDB and HPA', (service) => {
      const name = `missive-${service}`;
      const deployment = find(objs, 'Deployment', name);
      expect(deployment).toBeDefined();
      const pod = deployment!.spec.template;
      expect(selects(deployment!.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
      const [container] = pod.spec.containers;
      expect(pod.spec.containers).toHaveLength(1);
      // The contacts service's heap settings (the import's collections; the same in docker-compose.yml).
      const heap =
        service === 'contacts'
          ? ['--max-old-space-size=512', '--initial-old-space-size=112', '--max-semi-space-size=8']
          : [];
      expect(container.command).toEqual(['node', ...heap, `dist/apps/${service}/main.js`]);
      expect(container.image).toBe(
        find(objs, 'Deployment', 'missive-contacts')!.spec.template.spec.containers[0].image,
      );

      const portNames = (container.ports ?? []).map((p: Obj) => p.name);
      expect(container.livenessProbe?.httpGet?.path).toBe('/health');
      expect(container.readinessProbe?.httpGet?.path).toBe('/ready');
      for (const probe of [container.livenessProbe, container.readinessProbe]) {
        expect(portNames).toContain(probe.httpGet.port);
      }

      for (const kind of ['requests', 'limits']) {
        expect(container.resources?.[kind]).toEqual(
          expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
        );
      }

      expect(container.envFrom).toEqual(
        expect.arrayContaining([
          { configMapRef: { name: 'missive-config' } },
          { secretRef: { name: 'missive-secrets' } },
        ]),
      );
      expect(pod.spec.securityContext?.runAsNonRoot).toBe(true);

      const svc = find(objs, 'Service', name);
      expect(svc).toBeDefined();
      expect(svc!.spec.type ?? 'ClusterIP').toBe('ClusterIP');
      expect(selects(svc!.spec.selector, pod.metadata.labels)).toBe(true);
      for (const port of svc!.spec.ports) expect(portNames).toContain(port.targetPort);

      const pdb = find(objs, 'PodDisruptionBudget', name);
      expect(pdb).toBeDefined();
      expect(selects(pdb!.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);

      const hpa = find(objs, 'HorizontalPodAutoscaler', name);
      expect(hpa).toBeDefined();
      expect(hpa!.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(hpa!.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa!.spec.maxReplicas).toBeGreaterThan(hpa!.spec.minReplicas);
      const metrics = hpa!.spec.metrics as Obj[];
      expect(metrics).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
        ]),
      );
      const lag = metrics.filter((m) => m.type === 'External' || m.type === 'Pods');
      if (LAG_SCALED[service]) {
        expect(lag).toHaveLength(1);
        const metric = (lag[0].external ?? lag[0].pods).metric;
        expect(metric.name).toBe('missive_kafka_consumer_lag');
        expect(metric.selector.matchLabels.consumer).toBe(LAG_SCALED[service]);
      } else {
        expect(lag).toEqual([]);
      }
    });

    it('scales on a lag metric that /metrics really serves, with the label it selects on', async () => {
      const json = await new Metrics().registry.getMetricsAsJSON();
      expect(json.map((m) => m.name)).toContain('missive_kafka_consumer_lag');
      const lag = new Metrics().registry.getSingleMetric('missive_kafka_consumer_lag') as unknown as {
        labelNames: string[];
      };
      expect(lag.labelNames).toContain('consumer');
    });

    it('keeps the support port internal: ClusterIP, no Ingress route, reachable only by labelled clients', () => {
      const svc = find(objs, 'Service', 'missive-support')!;
      expect(svc.spec.ports.map((p: Obj) => p.port)).toContain(3100);
      const exposed = objs
        .filter((o) => o.kind === 'Service' && ['NodePort', 'LoadBalancer'].includes(o.spec.type))
        .map((o) => o.metadata.name);
      expect(exposed).toEqual([]);
      const backends = objs
        .filter((o) => o.kind === 'Ingress')
        .flatMap((i) =>
          i.spec.rules.flatMap((r: Obj) => r.http.paths.map((p: Obj) => ({ path: p.path, ...p.backend.service }))),
        );
      expect(backends.length).toBeGreaterThan(0);
      for (const backend of backends) {
        const target = find(objs, 'Service', backend.name);
        expect(target).toBeDefined();
        const port = target!.spec.ports.find(
          (p: Obj) => p.name === backend.port.name || p.port === backend.port.number,
        );
        expect({ path: backend.path, port: port?.name }).toEqual({ path: backend.path, port: 'http' });
        expect(backend.path.startsWith('/internal')).toBe(false);
      }
      const policy = find(objs, 'NetworkPolicy', 'missive-support-port')!;
      expect(
        selects(
          policy.spec.podSelector.matchLabels,
          find(objs, 'Deployment', 'missive-support')!.spec.template.metadata.labels,
        ),
      ).toBe(true);
      const open = policy.spec.ingress
        .filter((rule: Obj) => !rule.from)
        .flatMap((rule: Obj) => rule.ports.map((p: Obj) => p.port));
      expect(open).not.toContain(3100);
    });

    it('R-X6: believes X-Forwarded-For from the ingress controller only, a range libs/config accepts', () => {
      const config = find(objs, 'ConfigMap', 'missive-config')!.data as Record<string, string>;
      expect(config.TRUSTED_PROXIES).toBeTruthy();
      expect(loadConfig({ TRUSTED_PROXIES: config.TRUSTED_PROXIES }).http.trustedProxies.length).toBeGreaterThan(0);
    });

    it('routes the public host of the region over TLS', () => {
      const ingress = find(objs, 'Ingress', 'missive-public')!;
      expect(ingress.spec.rules[0].host).toBe(`${overlay}.missive.example.com`);
      expect(ingress.spec.tls[0].hosts).toEqual([ingress.spec.rules[0].host]);
      const config = find(objs, 'ConfigMap', 'missive-config')!.data;
      expect(config.PUBLIC_BASE_URL).toBe(`https://${ingress.spec.rules[0].host}`);
    });
  },
);
