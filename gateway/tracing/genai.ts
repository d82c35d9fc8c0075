// What a trace says about an LLM call on an AI route, read from the OpenAI
// chat request and its answer (one JSON document, or server-sent events when
// streamed). Bounded: the answer is kept up to MAX_CAPTURE_BYTES, and what
// cannot be parsed simply leaves its attributes out.

/** Answers larger than this are not inspected (the model and token counts then stay unknown). */
export const MAX_CAPTURE_BYTES = 1024 * 1024;

export interface ChatMessage {
  role: string;
  content: string;
}

export interface GenAiRequestFacts {
  model?: string;
  stream?: boolean;
  maxTokens?: number;
  temperature?: number;
  messages: ChatMessage[];
}

export interface GenAiResponseFacts {
  id?: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  finishReasons: string[];
  completion: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  // The array form: [{ type: 'text', text: '…' }, …]
  if (Array.isArray(content)) return content.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
  return '';
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function parseChatRequest(body: Buffer): GenAiRequestFacts | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const messages = Array.isArray(parsed.messages)
    ? parsed.messages.filter(isRecord).map((m) => ({ role: str(m.role) ?? 'user', content: contentText(m.content) }))
    : [];
  return {
    model: str(parsed.model),
    stream: parsed.stream === true,
    maxTokens: num(parsed.max_tokens) ?? num(parsed.max_completion_tokens),
    temperature: num(parsed.temperature),
    messages,
  };
}

function mergeChunk(facts: GenAiResponseFacts, chunk: Record<string, unknown>, streamed: boolean): void {
  facts.id ??= str(chunk.id);
  facts.model ??= str(chunk.model);
  if (isRecord(chunk.usage)) {
    facts.inputTokens = num(chunk.usage.prompt_tokens) ?? num(chunk.usage.input_tokens) ?? facts.inputTokens;
    facts.outputTokens = num(chunk.usage.completion_tokens) ?? num(chunk.usage.output_tokens) ?? facts.outputTokens;
  }
  if (!Array.isArray(chunk.choices)) return;
  for (const choice of chunk.choices.filter(isRecord)) {
    const index = num(choice.index) ?? 0;
    if (index < 0 || index > 64) continue;
    const message = streamed ? choice.delta : choice.message;
    if (isRecord(message)) facts.completion[index] = (facts.completion[index] ?? '') + contentText(message.content);
    const reason = str(choice.finish_reason);
    if (reason) facts.finishReasons.push(reason);
  }
}

/**
 * The answer's facts, from a JSON body or an SSE stream of chat.completion.chunk
 * events. Without a content type the body tells: an event stream starts with a field line.
 */
export function parseChatResponse(body: Buffer, contentType: string | undefined): GenAiResponseFacts | undefined {
  const facts: GenAiResponseFacts = { finishReasons: [], completion: [] };
  const text = body.toString('utf8');
  const sse = contentType === undefined ? /^\s*(data|event|id|retry)?:/.test(text) : contentType.includes('text/event-stream');
  if (sse) {
    let seen = false;
    for (const line of text.split('\n')) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]' || data === '') continue;
      try {
        const chunk: unknown = JSON.parse(data);
        if (isRecord(chunk)) {
          mergeChunk(facts, chunk, true);
          seen = true;
        }
      } catch {
        // a torn or foreign event: skip it
      }
    }
    return seen ? { ...facts, completion: [...facts.completion].map((c) => c ?? '') } : undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  mergeChunk(facts, parsed, false);
  return { ...facts, completion: [...facts.completion].map((c) => c ?? '') };
}

/** Collects the answer's bytes up to MAX_CAPTURE_BYTES; past that it stops and says so. */
export class BodyCapture {
  private chunks: Buffer[] = [];
  private size = 0;
  overflowed = false;

  constructor(private readonly limit = MAX_CAPTURE_BYTES) {}

  push(chunk: Buffer): void {
    if (this.overflowed) return;
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.overflowed = true;
      this.chunks = [];
      return;
    }
    this.chunks.push(chunk);
  }

  bytes(): Buffer | undefined {
    return this.overflowed ? undefined : Buffer.concat(this.chunks);
  }
}
