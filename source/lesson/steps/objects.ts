// apply · delete · restore · secret: the steps that change objects in the
// cluster. Each object is written to the journal before it is touched, with
// a saved copy when it existed before the lesson (cleanup restores that copy
// instead of deleting an object the lesson did not create).
import fsp from 'node:fs/promises';
import type { ClusterClient, KubeObject } from '../../cluster/client.js';
import type { StepContext, StepResult } from '../context.js';
import { kubectlApply, kubectlCreateCaConfigMap, kubectlCreateGenericSecret, kubectlCreateTlsSecret, kubectlDelete, objectLabel } from '../equivalents.js';
import { PLACEHOLDER_OPENAI_API_KEY } from '../variables-resolver.js';
import { isNamespaced, parseManifest, strippedForSave } from '../manifests.js';
import type { ManifestStep, SecretStep } from '../types.js';
import { certificateFiles } from './certs.js';
import { packageRoot } from '../load.js';
import path from 'node:path';

function keyOf(o: KubeObject) {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
}

/** The step's manifest with variables filled in, as text and as objects. */
export async function renderStepManifest(ctx: StepContext, step: ManifestStep): Promise<{ text: string; objects: KubeObject[] }> {
  if (!step.manifest) return { text: '', objects: [] };
  const raw = step.yaml ?? (await fsp.readFile(path.join(packageRoot(), step.manifest), 'utf8'));
  const text = await ctx.fill(raw, step.manifest);
  return { text, objects: parseManifest(text, step.manifest, await ctx.fill('${NAMESPACE}', step.manifest)) };
}

/** Journals an object (with its state before the lesson) and then applies it. */
export async function journaledApply(ctx: StepContext, client: ClusterClient, object: KubeObject): Promise<string> {
  const key = keyOf(object);
  if (!ctx.state.hasObject(key)) {
    const before = await client.get(key);
    await ctx.state.recordObject(ctx.step.id, key, before !== undefined, before ? strippedForSave(before) : undefined);
  }
  const { action } = await client.apply(object);
  return `${objectLabel(object)} ${action}`;
}

export async function runApply(ctx: StepContext): Promise<StepResult> {
  const step = ctx.step as ManifestStep;
  const { text, objects } = await renderStepManifest(ctx, step);
  ctx.command('kubectl', kubectlApply(ctx.kubectl, text));
  const client = await ctx.client();
  for (const object of objects) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (!step.rejectedWith) {
      ctx.output(await journaledApply(ctx, client, object));
      continue;
    }
    let accepted: string;
    try {
      accepted = await journaledApply(ctx, client, object);
    } catch (error) {
      const message = (error as Error).message;
      if (!message.includes(step.rejectedWith)) throw error;
      ctx.output(`the API server refused ${objectLabel(object)}, as this step expects:\n${message}`);
      continue;
    }
    return { ok: false, error: `${accepted}: the API server accepted it, where this step expects it to be refused with "${step.rejectedWith}"` };
  }
  return { ok: true };
}

export async function runDelete(ctx: StepContext): Promise<StepResult> {
  const step = ctx.step as ManifestStep;
  const fromManifest = (await renderStepManifest(ctx, step)).objects.map(keyOf);
  const named = await Promise.all(
    (step.objects ?? []).map(async (o) => ({
      ...o,
      namespace: isNamespaced(o.kind) ? await ctx.fill(o.namespace ?? '${NAMESPACE}', step.source) : undefined,
    })),
  );
  const client = await ctx.client();
  for (const ref of [...fromManifest, ...named]) {
    ctx.command('kubectl', kubectlDelete(ctx.kubectl, ref));
    if (!ctx.state.hasObject(ref)) {
      const before = await client.get(ref);
      // Deleting what the lesson did not create: keep a copy so cleanup can put it back.
      if (before) await ctx.state.recordObject(step.id, ref, true, strippedForSave(before));
    }
    const result = await client.delete(ref);
    ctx.output(`${ref.kind.toLowerCase()}/${ref.name} ${result === 'deleted' ? 'deleted' : 'already absent'}`);
  }
  return { ok: true };
}

/** restore: make objects exactly as the manifest says (replace, not merge), e.g. the default Gateway. */
export async function runRestore(ctx: StepContext): Promise<StepResult> {
  const step = ctx.step as ManifestStep;
  const { text, objects } = await renderStepManifest(ctx, step);
  ctx.command('kubectl', kubectlApply(ctx.kubectl, text));
  const client = await ctx.client();
  for (const object of objects) {
    const key = keyOf(object);
    // During cleanup the journal is being emptied, not filled.
    if (!ctx.cleanup && !ctx.state.hasObject(key)) {
      const before = await client.get(key);
      await ctx.state.recordObject(step.id, key, before !== undefined, before ? strippedForSave(before) : undefined);
    }
    await client.replace(object);
    ctx.output(`${objectLabel(object)} restored`);
  }
  return { ok: true };
}

/** An Opaque Secret of literal values, as `kubectl create secret generic --from-literal … | kubectl apply` makes it. Values are never printed. */
async function applyLiteralSecret(ctx: StepContext, client: ClusterClient, namespace: string, name: string, literals: [string, string][]): Promise<string> {
  ctx.command('kubectl', kubectlCreateGenericSecret(ctx.kubectl, namespace, name, literals));
  const data: Record<string, string> = {};
  for (const [key, template] of literals) data[key] = Buffer.from(await ctx.fill(template, ctx.step.source)).toString('base64');
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data };
  const keys = literals.map(([key, template]) => `${key} (${Buffer.from(data[key]!, 'base64').length} bytes${/\$\{OPENAI_API_KEY\}/.test(template) ? (process.env.OPENAI_API_KEY?.trim() ? ', from $OPENAI_API_KEY' : `, with the placeholder ${PLACEHOLDER_OPENAI_API_KEY} because OPENAI_API_KEY is unset`) : ''})`);
  return `${await journaledApply(ctx, client, secret)}: ${keys.join(', ')}`;
}

export async function runSecret(ctx: StepContext): Promise<StepResult> {
  const step = ctx.step as SecretStep;
  const client = await ctx.client();
  for (const spec of step.secrets) {
    const namespace = await ctx.fill(spec.namespace ?? '${NAMESPACE}', step.source);
    if (spec.literals) {
      ctx.output(await applyLiteralSecret(ctx, client, namespace, spec.name, spec.literals));
      continue;
    }
    const files = certificateFiles(ctx.workDir, spec.certificate!);
    ctx.command('kubectl', kubectlCreateTlsSecret(ctx.kubectl, namespace, spec.name, files.keyFile, files.certFile));
    let cert: Buffer;
    let key: Buffer;
    try {
      [cert, key] = await Promise.all([fsp.readFile(files.certFile), fsp.readFile(files.keyFile)]);
    } catch {
      return { ok: false, error: `secret ${spec.name}: ${files.certFile} or its key is missing (run the certificates step first)` };
    }
    const wanted = { 'tls.crt': cert.toString('base64'), 'tls.key': key.toString('base64') };
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: spec.name, namespace }, type: 'kubernetes.io/tls', data: wanted };
    const existing = await client.get(keyOf(secret));
    const data = existing?.data as Record<string, string> | undefined;
    if (existing && data?.['tls.crt'] === wanted['tls.crt'] && data?.['tls.key'] === wanted['tls.key']) {
      if (!ctx.state.hasObject(keyOf(secret))) await ctx.state.recordObject(step.id, keyOf(secret), true, strippedForSave(existing));
      ctx.output(`secret/${spec.name} -n ${namespace} unchanged (same certificate and key)`);
      continue;
    }
    ctx.output(await journaledApply(ctx, client, secret));
  }
  for (const spec of step.configMaps) {
    const namespace = await ctx.fill(spec.namespace ?? '${NAMESPACE}', step.source);
    const { certFile } = certificateFiles(ctx.workDir, spec.certificate);
    ctx.command('kubectl', kubectlCreateCaConfigMap(ctx.kubectl, namespace, spec.name, certFile));
    let pem: string;
    try {
      pem = await fsp.readFile(certFile, 'utf8');
    } catch {
      return { ok: false, error: `configmap ${spec.name}: ${certFile} is missing (run the certificates step first)` };
    }
    const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: spec.name, namespace }, data: { 'ca.crt': pem } };
    ctx.output(await journaledApply(ctx, client, configMap));
  }
  return { ok: true };
}
