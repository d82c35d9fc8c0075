// The text and token accounting of a simulated completion. Tokens are words
// and the spaces before them, which is close enough for usage counts and
// gives streaming something to split.

const SENTENCES = [
  'Today is a nice sunny day.',
  'The temperature here is twenty-five degrees centigrade.',
  'Today it is partially cloudy and raining.',
  'To be or not to be that is the question.',
  'Alas, poor Yorick! I knew him, Horatio: A fellow of infinite jest.',
  'The rest is silence.',
  'Give a man a fish and you feed him for a day; teach a man to fish and you feed him for a lifetime.',
  'I am fine, how are you today?',
  'I am not sure about the weather today.',
  'Testing@, #testing 1$ ,2%,3^, [4&*5], 6~, 7-_ + (8 : 9) / \\ < > .',
];

export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

export interface ChatMessage { role?: string; content?: unknown }

/** Text of a message: a string, or the text parts of an array of content parts. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '')).join(' ');
  }
  return '';
}

export function promptTokens(messages: ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + tokenize(messageText(m.content)).length, 0);
}

export interface Generated { tokens: string[]; finishReason: 'stop' | 'length' }

export function generate(mode: 'echo' | 'random', prompt: string, maxTokens: number | undefined, random: () => number = Math.random): Generated {
  let tokens: string[];
  if (mode === 'echo') tokens = tokenize(prompt);
  else {
    tokens = [];
    // At least one sentence; when max_tokens asks for more, keep adding sentences.
    do tokens.push(...tokenize((tokens.length ? ' ' : '') + SENTENCES[Math.floor(random() * SENTENCES.length)]!));
    while (maxTokens !== undefined && tokens.length < maxTokens && random() < 0.5);
  }
  if (maxTokens !== undefined && maxTokens >= 0 && tokens.length > maxTokens) return { tokens: tokens.slice(0, maxTokens), finishReason: 'length' };
  return { tokens, finishReason: 'stop' };
}
