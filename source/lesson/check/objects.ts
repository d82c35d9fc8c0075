// Checks of the steps that make, change or remove objects (apply, restore,
// delete) and of wait steps: the object is there with what the manifest
// says (the live object may hold more: defaults, status, annotations), or it
// is gone, or its condition holds now.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { KubeObject, ObjectRef } from '../../cluster/client.js';
import { packageRoot } from '../load.js';
import { isNamespaced, parseManifest } from '../manifests.js';
import { conditionHolds, describeConditions } from '../steps/wait.js';
import type { ManifestStep, WaitStep } from '../types.js';
import type { CheckEnvironment, CheckFinding } from './types.js';

/** `HTTPRoute agentgateway-system/mock-openai-foo-route`, as the checks name an object. */
export function objectName(ref: { kind: string; name: string; namespace?: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export function refOfObject(o: KubeObject): ObjectRef {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function scalarEqual(expected: unknown, observed: unknown): boolean {
  if (expected === observed) return true;
  // kubectl and the API may carry 8000 and "8000" alike for int-or-string fields.
  if ((typeof expected === 'number' || typeof expected === 'string') && (typeof observed === 'number' || typeof observed === 'string')) return String(expected) === String(observed);
  return expected === null && observed === undefined;
}

export interface Difference {
  path: string;
  expected: unknown;
  observed: unknown;
}

/**
 * The first place where `live` does not hold what `wanted` says: every field
 * of `wanted` must be in `live` with the same value; lists element by element.
 * Extra fields in `live` (server defaults) are fine.
 */
export function firstDifference(wanted: unknown, live: unknown, at = ''): Difference | undefined {
  if (Array.isArray(wanted)) {
    if (!Array.isArray(live)) return { path: at, expected: wanted, observed: live };
    if (live.length !== wanted.length) return { path: `${at} (length)`, expected: wanted.length, observed: live.length };
    for (let i = 0; i < wanted.length; i++) {
      const d = firstDifference(wanted[i], live[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (wanted !== null && typeof wanted === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return { path: at, expected: wanted, observed: live };
    for (const [key, value] of Object.entries(wanted)) {
      const d = firstDifference(value, (live as Record<string, unknown>)[key], at ? `${at}.${key}` : key);
      if (d) return d;
    }
    return undefined;
  }
  return scalarEqual(wanted, live) ? undefined : { path: at, expected: wanted, observed: live };
}

/** What of a manifest object a live object must hold: everything but name/namespace (the key) and status. */
function wantedPart(object: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata, status: _s, ...rest } = object;
  const { name: _n, namespace: _ns, ...meta } = metadata;
  const out: Record<string, unknown> = { ...rest };
  if (Object.keys(meta).length) out.metadata = meta;
  // A Secret written with stringData is stored as base64 data.
  if (object.kind === 'Secret' && rest.stringData && typeof rest.stringData === 'object') {
    const data = { ...((rest.data as Record<string, string>) ?? {}) };
    for (const [k, v] of Object.entries(rest.stringData as Record<string, string>)) data[k] = Buffer.from(String(v)).toString('base64');
    delete out.stringData;
    out.data = data;
  }
  return out;
}

export async function manifestObjects(env: CheckEnvironment, step: ManifestStep): Promise<KubeObject[]> {
  if (!step.manifest) return [];
  const raw = step.yaml ?? (await fsp.readFile(path.join(packageRoot(), step.manifest), 'utf8'));
  const text = await env.fill(raw, step.manifest);
  return parseManifest(text, step.manifest, env.namespace);
}

/** The objects a delete step removes: from its manifest and its named objects. */
export async function deletedRefs(env: CheckEnvironment, step: ManifestStep): Promise<ObjectRef[]> {
  const refs = (await manifestObjects(env, step)).map(refOfObject);
  for (const o of step.objects ?? []) {
    refs.push({ apiVersion: o.apiVersion, kind: o.kind, name: await env.fill(o.name, step.source), ...(isNamespaced(o.kind) ? { namespace: await env.fill(o.namespace ?? '${NAMESPACE}', step.source) } : {}) });
  }
  return refs;
}

/** apply/restore: each object exists and holds the manifest's fields. */
export async function checkPresent(env: CheckEnvironment, objects: KubeObject[], skip: (ref: ObjectRef) => string | undefined): Promise<CheckFinding[]> {
  const findings: CheckFinding[] = [];
  for (const object of objects) {
    const ref = refOfObject(object);
    const subject = objectName(ref);
    const laterStep = skip(ref);
    if (laterStep) {
      findings.push({ ok: true, superseded: true, subject, message: `${subject}: changed again by a later step (${laterStep}); not checked here` });
      continue;
    }
    const live = await env.client.get(ref);
    if (!live) {
      findings.push({ ok: false, subject, expected: 'exists', observed: 'not found', message: `${subject} not found` });
      continue;
    }
    const d = firstDifference(wantedPart(object), live);
    if (d) {
      findings.push({
        ok: false,
        subject,
        expected: `${d.path} = ${show(d.expected)}`,
        observed: `${d.path} = ${show(d.observed)}`,
        message: `${subject} exists, but its ${d.path} is ${show(d.observed)}; the lesson wants ${show(d.expected)}`,
      });
      continue;
    }
    findings.push({ ok: true, subject, observed: 'exists as written', message: `${subject} exists as written${statusSummary(live)}` });
  }
  return findings;
}

/** A short status note for an object that has conditions, e.g. ` (Programmed=True)`. */
function statusSummary(live: KubeObject): string {
  const status = (live.status ?? {}) as { conditions?: { type: string; status: string }[]; parents?: { conditions?: { type: string; status: string }[] }[] };
  const conditions = status.conditions?.length ? status.conditions : (status.parents ?? []).flatMap((p) => p.conditions ?? []);
  const shown = conditions.filter((c) => ['Programmed', 'Accepted', 'Available', 'Ready', 'ResolvedRefs'].includes(c.type)).map((c) => `${c.type}=${c.status}`);
  return shown.length ? ` (${[...new Set(shown)].join(', ')})` : '';
}

export async function checkAbsent(env: CheckEnvironment, refs: ObjectRef[], skip: (ref: ObjectRef) => string | undefined): Promise<CheckFinding[]> {
  const findings: CheckFinding[] = [];
  for (const ref of refs) {
    const subject = objectName(ref);
    const laterStep = skip(ref);
    if (laterStep) {
      findings.push({ ok: true, superseded: true, subject, message: `${subject}: made again by a later step (${laterStep}); not checked here` });
      continue;
    }
    const live = await env.client.get(ref);
    findings.push(
      live
        ? { ok: false, subject, expected: 'absent', observed: 'exists', message: `${subject} still exists; this step deletes it` }
        : { ok: true, subject, observed: 'absent', message: `${subject} is gone` },
    );
  }
  return findings;
}

export async function waitRef(env: CheckEnvironment, step: WaitStep): Promise<ObjectRef> {
  const namespace = isNamespaced(step.object.kind) ? await env.fill(step.object.namespace ?? '${NAMESPACE}', step.source) : undefined;
  return { apiVersion: step.object.apiVersion, kind: step.object.kind, name: await env.fill(step.object.name, step.source), ...(namespace ? { namespace } : {}) };
}

export async function checkWait(env: CheckEnvironment, step: WaitStep): Promise<CheckFinding> {
  const ref = await waitRef(env, step);
  const subject = objectName(ref);
  const c = step.condition;
  const want = `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`;
  const live = await env.client.get(ref);
  if (!live) return { ok: false, subject, expected: want, observed: 'not found', message: `${subject} not found` };
  const observed = describeConditions(live, c.type);
  if (conditionHolds(live, c)) return { ok: true, subject, expected: want, observed, message: `${subject}: ${observed}` };
  return { ok: false, subject, expected: want, observed, message: `${subject}: ${observed}; the lesson waits for ${want}` };
}
