// lesson.yaml → Lesson, validated field by field. Every problem names the
// file, the line and the field, e.g.
//   lessons/sni-matching/lesson.yaml:42: steps[5].probe.expect.outcome: unknown outcome "sucess"
import fs from 'node:fs';
import path from 'node:path';
import type { ProbeOutcome } from '../probe/types.js';
import { LineCounter, parseAllDocuments } from 'yaml';
import { LessonError, YamlReader, type FieldPath } from './yaml-reader.js';
import {
  STEP_KINDS,
  type CaConfigMapSpec,
  type CertificateSpec,
  type Lesson,
  type LessonCorrection,
  type LessonExpectation,
  type ManifestStep,
  type ObjectRef,
  type Prediction,
  type PredictionChoice,
  type ProbeSpec,
  type SecretSpec,
  type Step,
  type StepKind,
  type TokenSpec,
  TOKEN_RECIPES,
} from './types.js';

export const PROBE_OUTCOMES: readonly ProbeOutcome[] = [
  'established',
  'closed-after-client-hello',
  'reset-after-client-hello',
  'alert',
  'verification-failed',
  'client-certificate-required',
  'client-certificate-rejected',
  'not-tls',
  'refused',
  'timeout',
  'http-error',
  'dns-failure',
  'local-error',
];

const ID = /^[a-z0-9][a-z0-9-]*$/;

export interface ParseContext {
  /** Package root: lessons/ and manifests/ live under it. */
  root: string;
  /** Display name of the file (relative to the root). */
  file: string;
}

/** Reads markdown: a `.md` value names a file beside lesson.yaml; anything else is inline text. */
function markdown(reader: YamlReader, at: FieldPath, lessonDir: string, required: boolean): string {
  const value = reader.string(at, { required });
  if (value === undefined) return '';
  if (!/\.md$/.test(value.trim()) || value.includes('\n')) return value;
  const file = path.join(lessonDir, value.trim());
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    reader.fail(at, `markdown file "${value}" not found beside lesson.yaml`);
  }
}

function manifestField(reader: YamlReader, at: FieldPath, ctx: ParseContext, lessonId: string): { manifest: string; yaml: string } | undefined {
  const value = reader.string(at);
  if (value === undefined) return undefined;
  const relative = path.posix.normalize(path.posix.join('manifests/lessons', lessonId, value));
  if (!relative.startsWith('manifests/')) reader.fail(at, `manifest "${value}" must stay under manifests/`);
  let yaml: string;
  try {
    yaml = fs.readFileSync(path.join(ctx.root, relative), 'utf8');
  } catch {
    reader.fail(at, `manifest "${relative}" not found`);
  }
  checkManifest(relative, yaml);
  return { manifest: relative, yaml };
}

/** A manifest must parse and hold Kubernetes objects; checked at load so a typo fails before anything is applied. */
function checkManifest(file: string, text: string): void {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const error = doc.errors[0];
    if (error) throw new LessonError(file, lines.linePos(error.pos[0]).line, '', `invalid YAML: ${error.message.split('\n')[0]}`);
    const value = doc.toJSON() as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } | null;
    if (value === null) continue;
    const line = doc.contents?.range ? lines.linePos(doc.contents.range[0]).line : 1;
    for (const [field, present] of [['apiVersion', value.apiVersion], ['kind', value.kind], ['metadata.name', value.metadata?.name]] as const) {
      if (typeof present !== 'string' || !present) throw new LessonError(file, line, field, 'is required in every object of a manifest');
    }
  }
}

function objectRef(reader: YamlReader, at: FieldPath): ObjectRef {
  reader.onlyKeys(at, ['apiVersion', 'kind', 'name', 'namespace']);
  return {
    apiVersion: reader.string([...at, 'apiVersion'], { required: true }),
    kind: reader.string([...at, 'kind'], { required: true }),
    name: reader.string([...at, 'name'], { required: true }),
    namespace: reader.string([...at, 'namespace']),
  };
}

function certificates(reader: YamlReader, at: FieldPath): CertificateSpec[] {
  const count = reader.length(at);
  if (count === 0) reader.fail(at, 'needs at least one certificate');
  const out: CertificateSpec[] = [];
  for (let i = 0; i < count; i++) {
    const c = [...at, i];
    reader.onlyKeys(c, ['name', 'subject', 'subjectAltNames', 'usage', 'signer', 'validityDays', 'keyType', 'serial', 'note']);
    const signer = reader.string([...c, 'signer']);
    if (signer !== undefined && !out.some((earlier) => earlier.name === signer)) {
      reader.fail([...c, 'signer'], `unknown signer "${signer}" (it must be a certificate listed before this one)`);
    }
    out.push({
      name: reader.string([...c, 'name'], { required: true, pattern: /^[A-Za-z0-9._-]+$/ }),
      subject: reader.string([...c, 'subject'], { required: true, pattern: /^\// }),
      subjectAltNames: reader.stringList([...c, 'subjectAltNames']) ?? [],
      usage: reader.oneOf([...c, 'usage'], ['ca', 'server', 'client'] as const, 'usage') ?? (signer ? 'server' : 'ca'),
      signer,
      validityDays: reader.number([...c, 'validityDays'], { min: 1, max: 3650, integer: true }) ?? 365,
      keyType: reader.oneOf([...c, 'keyType'], ['rsa2048', 'rsa3072', 'rsa4096'] as const, 'key type') ?? 'rsa2048',
      serial: reader.number([...c, 'serial'], { min: 0, integer: true }),
      note: reader.string([...c, 'note']),
    });
  }
  return out;
}

function expectation(reader: YamlReader, at: FieldPath): LessonExpectation {
  reader.onlyKeys(at, ['outcome', 'curlExitCode', 'certificate', 'alpn', 'tlsVersion', 'httpVersion', 'status', 'bodyContains', 'header']);
  const out: LessonExpectation = {};
  const outcome = reader.get([...at, 'outcome']);
  if (Array.isArray(outcome)) {
    out.outcome = outcome.map((_, i) => reader.oneOf([...at, 'outcome', i], PROBE_OUTCOMES, 'outcome', true)!);
  } else if (outcome !== undefined) {
    out.outcome = reader.oneOf([...at, 'outcome'], PROBE_OUTCOMES, 'outcome', true);
  }
  const exit = reader.number([...at, 'curlExitCode'], { min: 0, max: 255, integer: true });
  if (exit !== undefined) out.curlExitCode = exit;
  if (reader.has([...at, 'certificate'])) {
    const c = [...at, 'certificate'];
    reader.onlyKeys(c, ['subject', 'issuer', 'subjectAltNames']);
    out.certificate = {
      subject: reader.string([...c, 'subject']),
      issuer: reader.string([...c, 'issuer']),
      subjectAltNames: reader.stringList([...c, 'subjectAltNames']),
    };
  }
  const alpn = reader.string([...at, 'alpn']);
  if (alpn !== undefined) out.alpn = alpn;
  const tlsVersion = reader.oneOf([...at, 'tlsVersion'], ['TLSv1.2', 'TLSv1.3'] as const, 'TLS version');
  if (tlsVersion) out.tlsVersion = tlsVersion;
  const httpVersion = reader.oneOf([...at, 'httpVersion'], ['1.1', '2'] as const, 'HTTP version');
  if (httpVersion) out.httpVersion = httpVersion;
  const status = reader.number([...at, 'status'], { min: 100, max: 599, integer: true });
  if (status !== undefined) out.status = status;
  const body = reader.string([...at, 'bodyContains']);
  if (body !== undefined) out.bodyContains = body;
  if (reader.has([...at, 'header'])) {
    out.header = {};
    for (const key of reader.keys([...at, 'header'])) out.header[key.toLowerCase()] = reader.string([...at, 'header', key], { required: true });
  }
  if (Object.keys(out).length === 0) reader.fail(at, 'states nothing to expect');
  return out;
}

function alternativeExpectation(reader: YamlReader, at: FieldPath): { expect: LessonExpectation; explanation?: string } {
  reader.onlyKeys(at, ['expect', 'explanation']);
  if (!reader.has([...at, 'expect'])) reader.fail([...at, 'expect'], 'is required');
  const explanation = reader.string([...at, 'explanation'], { pattern: ID });
  return { expect: expectation(reader, [...at, 'expect']), ...(explanation ? { explanation } : {}) };
}

function probeSpec(reader: YamlReader, at: FieldPath, certNames: Set<string>): ProbeSpec {
  reader.onlyKeys(at, ['url', 'resolve', 'sni', 'cacert', 'clientCert', 'insecure', 'alpn', 'httpVersion', 'method', 'headers', 'body', 'maxTimeMs']);
  const url = reader.string([...at, 'url'], { required: true, pattern: /^https?:\/\// });
  const spec: ProbeSpec = { url };
  const resolve = reader.stringList([...at, 'resolve']);
  if (resolve) spec.resolve = resolve;
  if (reader.has([...at, 'sni'])) spec.sni = reader.get([...at, 'sni']) === null ? null : reader.string([...at, 'sni']);
  for (const field of ['cacert', 'clientCert'] as const) {
    const name = reader.string([...at, field]);
    if (name === undefined) continue;
    if (!certNames.has(name)) reader.fail([...at, field], `unknown certificate "${name}" (declare it in a certs step first)`);
    spec[field] = name;
  }
  const insecure = reader.boolean([...at, 'insecure']);
  if (insecure !== undefined) spec.insecure = insecure;
  const alpn = reader.stringList([...at, 'alpn']);
  if (alpn) spec.alpn = alpn;
  const httpVersion = reader.oneOf([...at, 'httpVersion'], ['1.1', '2'] as const, 'HTTP version');
  if (httpVersion) spec.httpVersion = httpVersion;
  const method = reader.string([...at, 'method'], { pattern: /^[A-Z]+$/ });
  if (method) spec.method = method;
  if (reader.has([...at, 'headers'])) {
    spec.headers = reader.keys([...at, 'headers']).map((key) => [key, reader.string([...at, 'headers', key], { required: true })]);
  }
  const body = reader.string([...at, 'body']);
  if (body !== undefined) spec.body = body;
  const maxTime = reader.number([...at, 'maxTimeMs'], { min: 100, max: 120_000, integer: true });
  if (maxTime !== undefined) spec.maxTimeMs = maxTime;
  return spec;
}

function hints(reader: YamlReader, at: FieldPath): { hints?: string[] } {
  if (!reader.has(at)) return {};
  const list = reader.stringList(at) ?? [];
  if (list.length === 0) reader.fail(at, 'lists no hint (leave it out, or give at least one)');
  list.forEach((h, i) => {
    if (!h.trim()) reader.fail([...at, i], 'is empty');
  });
  return { hints: list };
}

/** Two claims can both be true of one observation: every field they both state overlaps. */
function compatible(claim: LessonExpectation, expect: LessonExpectation): boolean {
  const asList = (o: LessonExpectation['outcome']) => (o === undefined ? undefined : Array.isArray(o) ? o : [o]);
  const a = asList(claim.outcome);
  const b = asList(expect.outcome);
  if (a && b && !a.some((o) => b.includes(o))) return false;
  for (const field of ['curlExitCode', 'alpn', 'tlsVersion', 'httpVersion', 'status'] as const) {
    if (claim[field] !== undefined && expect[field] !== undefined && claim[field] !== expect[field]) return false;
  }
  return true;
}

/** `predict: {question, choices: [{text, observed}]}`; one choice at least must agree with the step's `expect`. */
function prediction(reader: YamlReader, at: FieldPath, expect: LessonExpectation): Prediction {
  reader.onlyKeys(at, ['question', 'choices']);
  const question = reader.string([...at, 'question'], { required: true });
  const count = reader.length([...at, 'choices']);
  if (count < 2) reader.fail([...at, 'choices'], 'needs at least two choices');
  const choices: PredictionChoice[] = [];
  for (let i = 0; i < count; i++) {
    const c = [...at, 'choices', i];
    reader.onlyKeys(c, ['text', 'observed']);
    if (!reader.has([...c, 'observed'])) reader.fail([...c, 'observed'], 'is required (what this answer claims will be observed, in the fields of expect)');
    choices.push({ text: reader.string([...c, 'text'], { required: true }), observed: expectation(reader, [...c, 'observed']) });
  }
  if (!choices.some((c) => compatible(c.observed, expect))) reader.fail([...at, 'choices'], "no choice agrees with the step's expect: the question would have no right answer");
  return { question, choices };
}

const COMMON_FIELDS = ['id', 'kind', 'title', 'text', 'notes', 'hints'];
const KIND_FIELDS: Record<StepKind, string[]> = {
  explain: [],
  cluster: [],
  certs: ['certificates'],
  apply: ['manifest', 'rejectedWith'],
  delete: ['manifest', 'objects'],
  restore: ['manifest'],
  secret: ['secrets', 'configMaps'],
  tokens: ['signer', 'claims', 'expiresInSeconds', 'tokens'],
  wait: ['object', 'condition', 'timeoutSeconds', 'showStatus'],
  probe: ['probe', 'expect', 'explanation', 'whereSessionsBoundToNames', 'predict'],
  restart: ['selector', 'namespace', 'timeoutSeconds'],
};

function step(reader: YamlReader, at: FieldPath, ctx: ParseContext, lessonId: string, lessonDir: string, certNames: Set<string>): Step {
  const kind = reader.oneOf([...at, 'kind'], STEP_KINDS, 'step kind', true)!;
  reader.onlyKeys(at, [...COMMON_FIELDS, ...KIND_FIELDS[kind]]);
  const base = {
    id: reader.string([...at, 'id'], { required: true, pattern: ID }),
    title: reader.string([...at, 'title'], { required: true }),
    text: markdown(reader, [...at, 'text'], lessonDir, false),
    notes: reader.has([...at, 'notes']) ? markdown(reader, [...at, 'notes'], lessonDir, false) : undefined,
    source: `${ctx.file}:${reader.line(at)}`,
    ...hints(reader, [...at, 'hints']),
  };
  switch (kind) {
    case 'explain':
    case 'cluster':
      return { ...base, kind };
    case 'certs': {
      const list = certificates(reader, [...at, 'certificates']);
      for (const c of list) certNames.add(c.name);
      return { ...base, kind, certificates: list };
    }
    case 'apply':
    case 'delete':
    case 'restore': {
      const m = manifestField(reader, [...at, 'manifest'], ctx, lessonId);
      const step: ManifestStep = { ...base, kind, ...(m ?? {}) };
      if (kind === 'apply' && reader.has([...at, 'rejectedWith'])) step.rejectedWith = reader.string([...at, 'rejectedWith'], { required: true });
      if (kind === 'delete' && reader.has([...at, 'objects'])) {
        const n = reader.length([...at, 'objects']);
        step.objects = Array.from({ length: n }, (_, i) => objectRef(reader, [...at, 'objects', i]));
      }
      if (!step.manifest && !step.objects?.length) reader.fail([...at, 'manifest'], kind === 'delete' ? 'is required (or list objects)' : 'is required');
      return step;
    }
    case 'secret': {
      const secrets: SecretSpec[] = Array.from({ length: reader.length([...at, 'secrets']) }, (_, i) => {
        const s = [...at, 'secrets', i];
        reader.onlyKeys(s, ['name', 'namespace', 'certificate', 'literals']);
        const spec: SecretSpec = { name: reader.string([...s, 'name'], { required: true }), namespace: reader.string([...s, 'namespace']) };
        if (reader.has([...s, 'literals'])) {
          spec.literals = reader.keys([...s, 'literals']).map((key) => [key, reader.string([...s, 'literals', key], { required: true })]);
          if (reader.has([...s, 'certificate'])) reader.fail([...s, 'certificate'], 'a secret has either a certificate or literals, not both');
        } else {
          const certificate = reader.string([...s, 'certificate'], { required: true });
          if (!certNames.has(certificate)) reader.fail([...s, 'certificate'], `unknown certificate "${certificate}" (declare it in a certs step first)`);
          spec.certificate = certificate;
        }
        return spec;
      });
      const configMaps: CaConfigMapSpec[] = Array.from({ length: reader.length([...at, 'configMaps']) }, (_, i) => {
        const s = [...at, 'configMaps', i];
        reader.onlyKeys(s, ['name', 'namespace', 'certificate']);
        const certificate = reader.string([...s, 'certificate'], { required: true });
        if (!certNames.has(certificate)) reader.fail([...s, 'certificate'], `unknown certificate "${certificate}" (declare it in a certs step first)`);
        return { name: reader.string([...s, 'name'], { required: true }), namespace: reader.string([...s, 'namespace']), certificate };
      });
      if (secrets.length + configMaps.length === 0) reader.fail([...at, 'secrets'], 'needs at least one secret (or configMap)');
      return { ...base, kind, secrets, configMaps };
    }
    case 'tokens': {
      const signer = reader.string([...at, 'signer'], { required: true });
      if (!certNames.has(signer)) reader.fail([...at, 'signer'], `unknown certificate "${signer}" (declare it in a certs step first)`);
      const n = reader.length([...at, 'tokens']);
      if (n === 0) reader.fail([...at, 'tokens'], 'needs at least one token');
      const tokens: TokenSpec[] = [];
      for (let i = 0; i < n; i++) {
        const t = [...at, 'tokens', i];
        reader.onlyKeys(t, ['name', 'recipe', 'claims', 'expiresInSeconds', 'tamper']);
        const token: TokenSpec = {
          name: reader.string([...t, 'name'], { required: true, pattern: ID }),
          recipe: reader.oneOf([...t, 'recipe'], TOKEN_RECIPES, 'token recipe', true)!,
          claims: claimsAt(reader, [...t, 'claims']),
        };
        const expires = reader.number([...t, 'expiresInSeconds'], { integer: true });
        if (expires !== undefined) token.expiresInSeconds = expires;
        if (reader.has([...t, 'tamper'])) token.tamper = claimsAt(reader, [...t, 'tamper']);
        if (token.recipe === 'tampered' && !token.tamper) reader.fail([...t, 'tamper'], 'is required for the tampered recipe (the claims changed after signing)');
        if (tokens.some((earlier) => earlier.name === token.name)) reader.fail([...t, 'name'], `duplicate token "${token.name}"`);
        tokens.push(token);
      }
      return {
        ...base,
        kind,
        signer,
        claims: claimsAt(reader, [...at, 'claims']),
        expiresInSeconds: reader.number([...at, 'expiresInSeconds'], { integer: true, min: 1 }) ?? 86_400,
        tokens,
      };
    }
    case 'wait': {
      const c = [...at, 'condition'];
      if (!reader.has(c)) reader.fail(c, 'is required');
      reader.onlyKeys(c, ['type', 'status', 'reason']);
      return {
        ...base,
        kind,
        object: reader.has([...at, 'object']) ? objectRef(reader, [...at, 'object']) : reader.fail([...at, 'object'], 'is required'),
        condition: {
          type: reader.string([...c, 'type'], { required: true }),
          status: reader.oneOf([...c, 'status'], ['True', 'False', 'Unknown'] as const, 'condition status') ?? 'True',
          reason: reader.string([...c, 'reason']),
        },
        timeoutSeconds: reader.number([...at, 'timeoutSeconds'], { min: 1, max: 600 }) ?? 60,
        showStatus: reader.boolean([...at, 'showStatus']) ?? false,
      };
    }
    case 'restart':
      return {
        ...base,
        kind,
        selector: reader.string([...at, 'selector'], { required: true, pattern: /^[A-Za-z0-9./_-]+=[A-Za-z0-9._-]+(,[A-Za-z0-9./_-]+=[A-Za-z0-9._-]+)*$/ }),
        namespace: reader.string([...at, 'namespace']),
        timeoutSeconds: reader.number([...at, 'timeoutSeconds'], { min: 1, max: 600 }) ?? 60,
      };
    case 'probe': {
      if (!reader.has([...at, 'probe'])) reader.fail([...at, 'probe'], 'is required');
      if (!reader.has([...at, 'expect'])) reader.fail([...at, 'expect'], 'is required');
      const expect = expectation(reader, [...at, 'expect']);
      return {
        ...base,
        kind,
        probe: probeSpec(reader, [...at, 'probe'], certNames),
        expect,
        explanation: reader.string([...at, 'explanation'], { pattern: ID }),
        ...(reader.has([...at, 'whereSessionsBoundToNames']) ? { whereSessionsBoundToNames: alternativeExpectation(reader, [...at, 'whereSessionsBoundToNames']) } : {}),
        ...(reader.has([...at, 'predict']) ? { predict: prediction(reader, [...at, 'predict'], expect) } : {}),
      };
    }
  }
}

/** `corrections: [{claim, truth, evidence, step}]`: what the lab text gets wrong; `step` must be a step of this lesson. */
function corrections(reader: YamlReader, stepIds: Set<string>): LessonCorrection[] {
  const out: LessonCorrection[] = [];
  for (let i = 0; i < reader.length(['corrections']); i++) {
    const at = ['corrections', i];
    reader.onlyKeys(at, ['claim', 'truth', 'evidence', 'step']);
    const text = (field: string) => {
      const value = reader.string([...at, field], { required: true }).trim();
      if (!value) reader.fail([...at, field], 'is empty');
      return value;
    };
    const correction: LessonCorrection = { claim: text('claim'), truth: text('truth'), evidence: text('evidence') };
    const step = reader.string([...at, 'step']);
    if (step !== undefined) {
      if (!stepIds.has(step)) reader.fail([...at, 'step'], `unknown step "${step}" (steps: ${[...stepIds].join(', ')})`);
      correction.step = step;
    }
    out.push(correction);
  }
  return out;
}

/** A mapping of JWT claims: any YAML values, read as JSON. */
function claimsAt(reader: YamlReader, at: FieldPath): Record<string, unknown> {
  if (!reader.has(at)) return {};
  const value = reader.get(at);
  if (!value || typeof value !== 'object' || Array.isArray(value)) reader.fail(at, 'must be a mapping of claims');
  return value as Record<string, unknown>;
}

/** Parses and validates one lesson file's text. Throws LessonError naming file, line and field. */
export function parseLesson(text: string, ctx: ParseContext): Lesson {
  const reader = new YamlReader(ctx.file, text);
  reader.onlyKeys([], ['id', 'title', 'summary', 'prerequisites', 'namespace', 'gateway', 'intro', 'steps', 'cleanup', 'corrections']);
  const id = reader.string(['id'], { required: true, pattern: ID });
  const expectedId = path.basename(path.dirname(ctx.file));
  if (expectedId && expectedId !== '.' && expectedId !== id) reader.fail(['id'], `"${id}" must match its folder name "${expectedId}"`);
  const lessonDir = path.join(ctx.root, path.dirname(ctx.file));
  const certNames = new Set<string>();
  const stepCount = reader.length(['steps']);
  if (stepCount === 0) reader.fail(['steps'], 'needs at least one step');
  const steps: Step[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < stepCount; i++) {
    const s = step(reader, ['steps', i], ctx, id, lessonDir, certNames);
    if (ids.has(s.id)) reader.fail(['steps', i, 'id'], `duplicate step id "${s.id}"`);
    ids.add(s.id);
    steps.push(s);
  }
  const cleanup: ManifestStep[] = [];
  for (let i = 0; i < reader.length(['cleanup']); i++) {
    const s = step(reader, ['cleanup', i], ctx, id, lessonDir, certNames);
    if (s.kind !== 'restore' && s.kind !== 'apply' && s.kind !== 'delete') reader.fail(['cleanup', i, 'kind'], `cleanup steps must be restore, apply or delete, not "${s.kind}"`);
    cleanup.push(s as ManifestStep);
  }
  return {
    id,
    title: reader.string(['title'], { required: true }),
    summary: reader.string(['summary'], { required: true }),
    prerequisites: reader.stringList(['prerequisites']) ?? [],
    namespace: reader.string(['namespace'], { pattern: ID }) ?? 'default',
    ...(reader.has(['gateway']) ? { gateway: reader.string(['gateway'], { pattern: ID }) } : {}),
    intro: markdown(reader, ['intro'], lessonDir, false),
    steps,
    cleanup,
    corrections: corrections(reader, ids),
    dir: lessonDir,
  };
}
